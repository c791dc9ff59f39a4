//! Operator commands from the TUI and the API, the envelope they travel in (a
//! [`Request`] may carry a one-shot reply channel) and the engine's answer
//! ([`CommandReply`]), so callers report what the engine decided rather than the
//! fact that the command was queued.

use crate::domain::types::Symbol;
use tokio::sync::oneshot;

/// Upstream breaker names, as the API, metrics and `POST /api/breakers/{name}/reset` use them.
pub const YAHOO_HTTP: &str = "yahoo_http";

pub const ALPACA_STREAM: &str = "alpaca_stream";

pub const ALPACA_REST: &str = "alpaca_rest";

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
    /// Pause or resume a replay, change its speed, or start it over (Space, `+`,
    /// `-`, `R` in the TUI).
    Replay(crate::messages::replay::ReplayAction),
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

/// What the engine decided about an operator's command.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Applied: the next snapshot shows it.
    Done,
    /// Applied here and handed to a task that finishes it later (the live stream
    /// reconnects, or subscribes to a changed watchlist).
    Accepted,
    /// No such alert, breaker or watched symbol.
    NotFound,
    /// The state does not allow it (or it would change nothing); the message says why.
    Refused,
    /// It could not be handed on just now (the stream task's queue is full).
    Busy,
}

/// The engine's answer to a command: the outcome and the event-log sentence that
/// says what happened or why not.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CommandReply {
    pub outcome: Outcome,
    pub message: String,
}

impl CommandReply {
    pub fn new(outcome: Outcome, message: impl Into<String>) -> CommandReply {
        CommandReply {
            outcome,
            message: message.into(),
        }
    }
    pub fn done(message: impl Into<String>) -> CommandReply {
        CommandReply::new(Outcome::Done, message)
    }
    pub fn refused(message: impl Into<String>) -> CommandReply {
        CommandReply::new(Outcome::Refused, message)
    }
    pub fn not_found(message: impl Into<String>) -> CommandReply {
        CommandReply::new(Outcome::NotFound, message)
    }
    /// Done or accepted.
    pub fn is_ok(&self) -> bool {
        matches!(self.outcome, Outcome::Done | Outcome::Accepted)
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FailoverAction {
    Force,
    Return,
    Toggle,
}

impl FailoverAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            FailoverAction::Force => "force",
            FailoverAction::Return => "return",
            FailoverAction::Toggle => "toggle",
        }
    }
    pub fn parse(s: &str) -> Option<FailoverAction> {
        match s {
            "force" => Some(FailoverAction::Force),
            "return" => Some(FailoverAction::Return),
            "toggle" => Some(FailoverAction::Toggle),
            _ => None,
        }
    }
}
