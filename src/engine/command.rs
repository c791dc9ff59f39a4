//! Operator commands from the TUI and the API, and the envelope they travel in: a
//! [`Request`] may carry a one-shot reply channel, on which the engine answers with
//! what it decided ([`CommandReply`]), so callers report the engine's decision rather
//! than the fact that the command was queued.

use super::state::{CommandReply, FailoverAction};
use crate::domain::types::Symbol;
use tokio::sync::oneshot;

/// Operator actions from the TUI or the API.
#[derive(Debug)]
pub enum Command {
    Quit,
    /// Tear down the Alpaca connection and connect again at once (`r`, or
    /// `POST /api/health/alpaca/reconnect`); also leaves a fatal stop.
    ReconnectAlpaca,
    /// Add and remove watchlist symbols; the live stream subscribes and unsubscribes
    /// to match (`a`/`d` in the TUI, `POST /api/watchlist`).
    ChangeWatchlist {
        add: Vec<Symbol>,
        remove: Vec<Symbol>,
    },
    /// Force the Yahoo fallback, return to the primary, or toggle (`f`,
    /// `POST /api/health/failover`).
    Failover(FailoverAction),
    /// Reset an upstream circuit breaker by name (`POST /api/breakers/{name}/reset`).
    ResetBreaker(String),
    /// Reset a symbol's price breaker (`b`, `POST /api/validation/{symbol}/reset`).
    ResetSymbolBreaker(Symbol),
    /// Acknowledge a firing alert by id or name (`a` on the Alerts page,
    /// `POST /api/alerts/{id}/ack`); the history keeps who did it.
    AckAlert {
        id: String,
        actor: crate::domain::alerts::Actor,
    },
    /// Silence an alert's notifications for a while (`z` on the Alerts page,
    /// `POST /api/alerts/{id}/snooze`).
    SnoozeAlert {
        id: String,
        minutes: u32,
        actor: crate::domain::alerts::Actor,
    },
}

/// A command on its way to the engine, with where to send the engine's answer.
#[derive(Debug)]
pub struct Request {
    pub command: Command,
    /// `None` when nobody waits for the answer (a quit, a test's scripted input).
    pub reply: Option<oneshot::Sender<CommandReply>>,
}

impl Request {
    /// A request whose answer nobody waits for.
    pub fn new(command: Command) -> Request {
        Request {
            command,
            reply: None,
        }
    }

    /// A request and the receiver its answer arrives on.
    pub fn with_reply(command: Command) -> (Request, oneshot::Receiver<CommandReply>) {
        let (tx, rx) = oneshot::channel();
        let req = Request {
            command,
            reply: Some(tx),
        };
        (req, rx)
    }

    /// Sends the engine's decision to whoever asked; a caller that stopped waiting
    /// (the API's bounded wait ran out) is no error.
    pub fn answer(reply: Option<oneshot::Sender<CommandReply>>, answer: CommandReply) {
        if let Some(tx) = reply {
            let _ = tx.send(answer);
        }
    }
}

impl From<Command> for Request {
    fn from(command: Command) -> Request {
        Request::new(command)
    }
}
