//! (under construction) The engine task.
pub mod snapshot;

/// Operator actions from the TUI or the API.
#[derive(Debug)]
pub enum Command {
    Quit,
}
