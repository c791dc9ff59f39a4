//! tapewatch: a terminal dashboard that keeps a live US-equities market-data feed honest.
//!
//! # Data flow
//!
//! ```text
//!  feeds (I/O only)                       engine task (sole owner of state)                readers
//!  ────────────────                       ─────────────────────────────────                ───────
//!  Alpaca WS / replay ──raw frames──────▶ wire::parse_frame ─▶ engine::state ─▶ watch<Arc<Snapshot>> ─▶ TUI (ui)
//!  Yahoo HTTP / replay ─http bodies─────▶ yahoo::chart ──────┘      │              (≤ 20 Hz)       └─▶ HTTP API (api)
//!                                                                   ├─▶ events ─▶ store writer thread (SQLite, WAL)
//!  TUI keys / API POSTs ──Command (bounded mpsc)────────────────────┘          └─▶ headless JSON lines (stdout thread)
//! ```
//!
//! * Feeds do I/O only and hand the engine raw frames in batches over one bounded
//!   channel; the engine parses them ([`wire::parse_frame_into`]), so on two cores the
//!   feed's own work and the parse run side by side.
//! * The engine applies messages to pure state ([`engine::state`]) that takes its time
//!   from the inputs, so replay on the fixture's virtual clock is deterministic.
//! * The engine publishes an immutable [`engine::snapshot::Snapshot`]; the UI and API
//!   only read snapshots and send [`engine::Command`]s back.
//! * Every channel is bounded and has a written overflow policy ([`engine::channels`]).
//! * [`pipeline`] wires a feed to the engine for the app, the tests and the benches.

pub mod app;
pub mod domain;
pub mod engine;
pub mod messages;
pub mod outputs;
pub mod plumbing;
pub mod sources;
