//! What the engine sends the SQLite writer.

use crate::domain::event::Event;
use tokio::sync::oneshot;

/// What the rest of the program sends to the writer.
#[derive(Debug)]
pub enum StoreMsg {
    Event(Event),
    Transition(crate::domain::router::Transition),
    /// A closed SLO minute (live runs only).
    SloMinute(crate::domain::slo::MinuteBucket),
    /// An alert history entry.
    Alert(crate::domain::alerts::AlertRecord),
    /// Answered once everything received before it is committed. If that commit failed,
    /// the sender is dropped instead, so the waiter sees a `RecvError` rather than a lie.
    Flush(oneshot::Sender<()>),
}
