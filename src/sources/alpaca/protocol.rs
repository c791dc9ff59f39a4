//! The Alpaca stream handshake and subscription protocol as a pure state machine:
//! control messages in, actions out. The socket task performs the actions; the
//! secret is never part of an action (the task builds the auth message itself).

use super::backoff::Failure;
use crate::domain::types::Symbol;
use crate::domain::wire::{Msg, Subscription};
use serde::Serialize;

/// Which channels to subscribe for each watched symbol.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Channels {
    pub trades: bool,
    pub quotes: bool,
    pub bars: bool,
}

impl Default for Channels {
    fn default() -> Self {
        Channels {
            trades: true,
            quotes: true,
            bars: true,
        }
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Phase {
    AwaitWelcome,
    AwaitAuth,
    AwaitSubscription,
    Streaming,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Action {
    /// Send `{"action":"auth",...}` with the configured credentials.
    SendAuth,
    /// Send this JSON text (subscribe or unsubscribe; never contains a secret).
    Send(String),
    /// The handshake is complete.
    Streaming,
    /// An error to show as the last error and log as an event.
    Report(String),
    /// End this connection, classified for the backoff policy.
    Close(Failure),
}

#[derive(Serialize)]
struct SubRequest<'a> {
    action: &'a str,
    #[serde(skip_serializing_if = "<[Symbol]>::is_empty")]
    trades: &'a [Symbol],
    #[serde(skip_serializing_if = "<[Symbol]>::is_empty")]
    quotes: &'a [Symbol],
    #[serde(skip_serializing_if = "<[Symbol]>::is_empty")]
    bars: &'a [Symbol],
}

#[derive(Clone, Debug)]
pub struct Session {
    pub phase: Phase,
    feed: String,
    channels: Channels,
    desired: Vec<Symbol>,
    /// The server's last full statement of what is subscribed.
    pub confirmed: Subscription,
    /// Symbols of the last subscribe request, to name what a 405 refused.
    last_requested: Vec<Symbol>,
}

impl Session {
    pub fn new(feed: &str, channels: Channels, watchlist: Vec<Symbol>) -> Session {
        Session {
            phase: Phase::AwaitWelcome,
            feed: feed.to_string(),
            channels,
            desired: watchlist,
            confirmed: Subscription::default(),
            last_requested: Vec::new(),
        }
    }

    fn request(&self, action: &str, symbols: &[Symbol]) -> String {
        let pick = |on: bool| if on { symbols } else { &[][..] };
        let req = SubRequest {
            action,
            trades: pick(self.channels.trades),
            quotes: pick(self.channels.quotes),
            bars: pick(self.channels.bars),
        };
        serde_json::to_string(&req).unwrap_or_default()
    }

    fn subscribe_all(&mut self) -> Action {
        self.last_requested = self.desired.clone();
        Action::Send(self.request("subscribe", &self.desired))
    }

    /// One control message from the server.
    pub fn on_message(&mut self, m: &Msg) -> Vec<Action> {
        match m {
            Msg::Success { msg } if msg == "connected" && self.phase == Phase::AwaitWelcome => {
                self.phase = Phase::AwaitAuth;
                vec![Action::SendAuth]
            }
            Msg::Success { msg } if msg == "authenticated" && self.phase == Phase::AwaitAuth => {
                self.phase = Phase::AwaitSubscription;
                vec![self.subscribe_all()]
            }
            Msg::Subscription(s) => {
                self.confirmed = s.clone();
                if self.phase == Phase::AwaitSubscription {
                    self.phase = Phase::Streaming;
                    vec![Action::Streaming]
                } else {
                    Vec::new()
                }
            }
            Msg::Error { code, msg } => self.on_error(*code, msg),
            _ => Vec::new(),
        }
    }

    fn on_error(&mut self, code: u16, msg: &str) -> Vec<Action> {
        let text = format!("{code} {msg}");
        match code {
            402 => vec![
                Action::Report(format!(
                    "Authentication failed ({text}): the key or secret was refused; fix APCA_API_KEY_ID / APCA_API_SECRET_KEY (or alpaca.key_id / alpaca.secret_key) and press r to reconnect"
                )),
                Action::Close(Failure::Fatal(text)),
            ],
            409 => vec![
                Action::Report(format!(
                    "{text}: your Alpaca plan does not include the {} feed; set alpaca.feed (e.g. iex) and press r to reconnect",
                    self.feed
                )),
                Action::Close(Failure::Fatal(text)),
            ],
            406 => vec![
                Action::Report(format!(
                    "{text}: another session is using these keys; Alpaca reaps stale sessions after about 90 s, so tapewatch waits at least 30 s before retrying"
                )),
                Action::Close(Failure::ConnectionLimit),
            ],
            405 => {
                let confirmed = self.confirmed.all_symbols();
                let refused: Vec<&str> = self
                    .last_requested
                    .iter()
                    .filter(|s| !confirmed.contains(s))
                    .map(|s| s.as_str())
                    .collect();
                let mut actions = vec![Action::Report(format!(
                    "{text}: refused {}; the connection stays up with the previous subscription",
                    if refused.is_empty() { "the last request".to_string() } else { refused.join(", ") }
                ))];
                if self.phase == Phase::AwaitSubscription {
                    // The handshake still completes: we stream what the server kept.
                    self.phase = Phase::Streaming;
                    actions.push(Action::Streaming);
                }
                actions
            }
            404 => vec![Action::Report(format!(
                "Authentication failed ({text}): the server saw no auth message within its deadline"
            ))],
            _ => vec![Action::Report(text)],
        }
    }

    /// A new watchlist at run time: subscribe what is new, unsubscribe what is gone.
    pub fn set_watchlist(&mut self, watchlist: Vec<Symbol>) -> Vec<Action> {
        let added: Vec<Symbol> = watchlist
            .iter()
            .filter(|s| !self.desired.contains(s))
            .cloned()
            .collect();
        let removed: Vec<Symbol> = self
            .desired
            .iter()
            .filter(|s| !watchlist.contains(s))
            .cloned()
            .collect();
        self.desired = watchlist;
        if self.phase != Phase::Streaming {
            // The full set goes out when the handshake reaches the subscribe step.
            return Vec::new();
        }
        let mut out = Vec::new();
        if !added.is_empty() {
            self.last_requested = added.clone();
            out.push(Action::Send(self.request("subscribe", &added)));
        }
        if !removed.is_empty() {
            out.push(Action::Send(self.request("unsubscribe", &removed)));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn syms(list: &[&str]) -> Vec<Symbol> {
        list.iter().map(|s| Symbol::new(s)).collect()
    }
    fn ok(msg: &str) -> Msg {
        Msg::Success { msg: msg.into() }
    }
    fn err(code: u16, msg: &str) -> Msg {
        Msg::Error {
            code,
            msg: msg.into(),
        }
    }
    fn sub(trades: &[&str]) -> Msg {
        Msg::Subscription(Subscription {
            trades: syms(trades),
            quotes: syms(trades),
            bars: syms(trades),
            ..Default::default()
        })
    }

    #[test]
    fn handshake_in_order() {
        let mut s = Session::new("iex", Channels::default(), syms(&["AAPL", "MSFT"]));
        assert_eq!(s.on_message(&ok("connected")), [Action::SendAuth]);
        assert_eq!(
            s.on_message(&ok("authenticated")),
            [Action::Send(r#"{"action":"subscribe","trades":["AAPL","MSFT"],"quotes":["AAPL","MSFT"],"bars":["AAPL","MSFT"]}"#.into())]
        );
        assert_eq!(s.on_message(&sub(&["AAPL", "MSFT"])), [Action::Streaming]);
        assert_eq!(s.phase, Phase::Streaming);
        assert_eq!(s.confirmed.trades, syms(&["AAPL", "MSFT"]));
    }

    #[test]
    fn channels_are_configurable() {
        let ch = Channels {
            trades: true,
            quotes: false,
            bars: false,
        };
        let mut s = Session::new("iex", ch, syms(&["SPY"]));
        s.on_message(&ok("connected"));
        assert_eq!(
            s.on_message(&ok("authenticated")),
            [Action::Send(
                r#"{"action":"subscribe","trades":["SPY"]}"#.into()
            )]
        );
    }

    /// (code, expected close classification, report fragment)
    #[test]
    fn error_codes_table() {
        let cases: [(u16, &str, Option<Failure>, &str); 11] = [
            (400, "invalid syntax", None, "400 invalid syntax"),
            (401, "not authenticated", None, "401"),
            (
                402,
                "auth failed",
                Some(Failure::Fatal("402 auth failed".into())),
                "Authentication failed (402 auth failed): the key or secret was refused; fix APCA_API_KEY_ID",
            ),
            (403, "already authenticated", None, "403"),
            (
                404,
                "auth timeout",
                None,
                "Authentication failed (404 auth timeout)",
            ),
            (405, "symbol limit exceeded", None, "refused"),
            (
                406,
                "connection limit exceeded",
                Some(Failure::ConnectionLimit),
                "at least 30 s",
            ),
            (407, "slow client", None, "407 slow client"),
            (
                409,
                "insufficient subscription",
                Some(Failure::Fatal("409 insufficient subscription".into())),
                "sip feed",
            ),
            (410, "invalid subscribe action for this feed", None, "410"),
            (500, "internal error", None, "500 internal error"),
        ];
        for (code, msg, close, fragment) in cases {
            let mut s = Session::new("sip", Channels::default(), syms(&["AAPL"]));
            let actions = s.on_message(&err(code, msg));
            let report = actions.iter().find_map(|a| match a {
                Action::Report(r) => Some(r.clone()),
                _ => None,
            });
            assert!(
                report.as_deref().unwrap_or("").contains(fragment),
                "{code}: {actions:?}"
            );
            let got_close = actions.iter().find_map(|a| match a {
                Action::Close(f) => Some(f.clone()),
                _ => None,
            });
            assert_eq!(got_close, close, "{code}");
        }
    }

    #[test]
    fn symbol_limit_names_the_refused_symbols_and_keeps_streaming() {
        let mut s = Session::new("iex", Channels::default(), syms(&["AAPL"]));
        s.on_message(&ok("connected"));
        s.on_message(&ok("authenticated"));
        s.on_message(&sub(&["AAPL"]));
        let acts = s.set_watchlist(syms(&["AAPL", "TSLA", "NVDA"]));
        assert_eq!(acts.len(), 1);
        let acts = s.on_message(&err(405, "symbol limit exceeded"));
        assert!(
            matches!(&acts[..], [Action::Report(r)] if r.contains("TSLA, NVDA")),
            "{acts:?}"
        );
        assert_eq!(s.phase, Phase::Streaming);
    }

    #[test]
    fn runtime_watchlist_changes_diff_against_the_current_set() {
        let mut s = Session::new(
            "iex",
            Channels {
                trades: true,
                quotes: false,
                bars: false,
            },
            syms(&["AAPL", "MSFT"]),
        );
        // Before streaming, nothing is sent: the handshake will subscribe the full set.
        assert!(s.set_watchlist(syms(&["AAPL", "MSFT", "JPM"])).is_empty());
        s.on_message(&ok("connected"));
        assert_eq!(
            s.on_message(&ok("authenticated")),
            [Action::Send(
                r#"{"action":"subscribe","trades":["AAPL","MSFT","JPM"]}"#.into()
            )]
        );
        s.on_message(&sub(&["AAPL", "MSFT", "JPM"]));
        assert_eq!(
            s.set_watchlist(syms(&["AAPL", "SPY"])),
            [
                Action::Send(r#"{"action":"subscribe","trades":["SPY"]}"#.into()),
                Action::Send(r#"{"action":"unsubscribe","trades":["MSFT","JPM"]}"#.into())
            ]
        );
    }

    #[test]
    fn out_of_order_control_messages_do_nothing() {
        let mut s = Session::new("iex", Channels::default(), syms(&["AAPL"]));
        assert!(s.on_message(&ok("authenticated")).is_empty());
        assert_eq!(s.phase, Phase::AwaitWelcome);
    }
}
