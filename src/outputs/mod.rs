//! Where state goes: the TUI, the HTTP API, SQLite, notifications, headless stdout
//! and Prometheus exposition. They read the engine's snapshots and send commands
//! back. May import `domain`, `messages`, `plumbing` and `engine`; never a source.

pub mod api;
pub mod exposition;
pub mod headless;
pub mod notify;
pub mod store;
pub mod ui;
