//! tapewatch: a terminal dashboard that keeps a live US-equities market-data feed honest.
//!
//! # Data flow
//!
//! ```text
//!  feeds (tokio tasks)                 engine task (sole owner of state)        readers
//!  ───────────────────                 ─────────────────────────────────        ───────
//!  Alpaca WS / replay ──frame bytes──▶ parse (wire) ─▶ apply (engine::state) ─▶ watch<Arc<Snapshot>> ─▶ TUI (ui)
//!  Yahoo HTTP / replay ─http bodies──▶ yahoo::chart ─┘        │                      (≤ 20 Hz)      └─▶ HTTP API (api)
//!                                                             ├─▶ events ─▶ store writer (SQLite, WAL)
//!  TUI keys / API POSTs ──Command (bounded mpsc)──────────────┘          └─▶ headless JSON lines
//! ```
//!
//! * Feeds parse frames close to the socket ([`wire::parse_frame`]) and send owned,
//!   allocation-light messages to the engine over one bounded channel.
//! * The engine ([`engine`]) applies them to pure state ([`engine::state`]) that takes
//!   `now` from a [`clock::Clock`], so replay on a virtual clock is deterministic.
//! * The engine publishes an immutable [`engine::snapshot::Snapshot`]; the UI and API
//!   only read snapshots and send [`engine::Command`]s back.
//! * Every channel is bounded and has a written overflow policy ([`engine::channels`]).

pub mod api;
pub mod app;
pub mod cli;
pub mod clock;
pub mod config;
pub mod engine;
pub mod event;
pub mod fixture;
pub mod headless;
pub mod logging;
pub mod pipeline;
pub mod stats;
pub mod store;
pub mod types;
pub mod ui;
pub mod wire;
pub mod yahoo;
