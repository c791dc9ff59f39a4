//! The stream task's small steps: status updates to the engine, control messages
//! outside streaming, the per-frame trace line, and performing the handshake's actions on the socket (the
//! auth message is built here, at the last moment, so the secret lives nowhere else).

use super::{End, Idle, StreamTask};
use crate::messages::AlpacaBatch;
use crate::messages::FeedEvent;
use crate::messages::LinkState;
use crate::messages::LinkUpdate;
use crate::messages::StreamControl;
use crate::messages::WireFrame;
use crate::plumbing::channels::send_wait;
use crate::sources::alpaca::backoff::{Backoff, Failure};
use crate::sources::alpaca::protocol::Action;
use futures_util::SinkExt;
use secrecy::ExposeSecret;
use tokio_tungstenite::tungstenite::{self, Message};

impl StreamTask {
    /// A control message while connecting or waiting: only a reconnect (or the end
    /// of the channel) interrupts.
    pub(super) fn on_idle_control(&mut self, ctl: Option<StreamControl>) -> Idle {
        match ctl {
            Some(StreamControl::Reconnect) => {
                self.hold_until = None;
                Idle::End(End::Manual { torn_down: false })
            }
            Some(StreamControl::SetWatchlist(w)) => {
                self.cfg.watchlist = w;
                Idle::Keep
            }
            Some(StreamControl::Hold(h)) => {
                self.hold_until = h;
                Idle::Keep
            }
            None => Idle::End(End::Cancelled),
        }
    }

    pub(super) async fn link(
        &self,
        b: &Backoff,
        state: Option<LinkState>,
        last_error: Option<String>,
    ) {
        self.send_update(b, state, last_error, None).await;
    }

    /// An informational milestone for the event log (see [`LinkUpdate::note`]).
    pub(super) async fn note(&self, b: &Backoff, text: String) {
        self.send_update(b, None, None, Some(text)).await;
    }

    pub(super) async fn send_update(
        &self,
        b: &Backoff,
        state: Option<LinkState>,
        last_error: Option<String>,
        note: Option<String>,
    ) {
        let update = LinkUpdate {
            at: self.clock.now(),
            state,
            last_error,
            note,
            consecutive_failures: b.consecutive_failures,
            reconnect_attempts: b.attempts.saturating_sub(1),
            next_retry_at: match (b.next_retry_at, self.hold_until) {
                (Some(r), Some(h)) => Some(r.max(h)),
                (r, _) => r,
            },
            fatal: b.fatal.clone(),
            rate_limited: b.last_rate_limited,
        };
        let _ = send_wait(&self.feed_tx, &self.meter, FeedEvent::Link(update)).await;
    }

    pub(super) async fn report(&self, b: &Backoff, text: String) {
        self.link(b, None, Some(text)).await;
    }

    pub(super) async fn flush(&self, batch: AlpacaBatch) {
        if !batch.is_empty() {
            let _ = send_wait(&self.feed_tx, &self.meter, FeedEvent::Alpaca(batch)).await;
        }
    }

    pub(super) async fn perform<S>(
        &self,
        a: Action,
        sink: &mut S,
        backoff: &mut Backoff,
        streaming: &mut bool,
        last_report: &mut Option<String>,
    ) -> Option<End>
    where
        S: futures_util::Sink<Message, Error = tungstenite::Error> + Unpin,
    {
        let send = |text: String| Message::Text(text.into());
        match a {
            Action::SendAuth => {
                // Built here, at the last moment, so the secret never sits in an action,
                // a log line or an event.
                let auth = serde_json::json!({
                    "action": "auth",
                    "key": self.cfg.key_id.expose_secret(),
                    "secret": self.cfg.secret_key.expose_secret(),
                });
                if let Err(e) = sink.send(send(auth.to_string())).await {
                    return Some(End::Failed(Failure::Transient(format!(
                        "sending auth failed: {e}"
                    ))));
                }
            }
            Action::Send(text) => {
                if let Err(e) = sink.send(send(text)).await {
                    return Some(End::Failed(Failure::Transient(format!(
                        "sending subscribe failed: {e}"
                    ))));
                }
            }
            Action::Streaming => {
                *streaming = true;
                backoff.on_connected(self.clock.now());
                self.link(backoff, None, None).await;
            }
            Action::Report(text) => {
                *last_report = Some(text.clone());
                self.report(backoff, text).await;
            }
            Action::Close(f) => {
                let _ = sink.send(Message::Close(None)).await;
                return Some(End::Explained(f, last_report.take()));
            }
        }
        None
    }
}

/// The runbook's "Received Alpaca message" line, at trace level (one per frame is
/// far too many for the normal log): the frame's start, to review its schema.
/// Received frames carry market data and control replies, never a credential.
pub(super) fn log_frame(frame: WireFrame<'_>) {
    if !tracing::enabled!(tracing::Level::TRACE) {
        return;
    }
    match frame {
        WireFrame::Text(t) => {
            let end = (0..=t.len().min(200))
                .rev()
                .find(|i| t.is_char_boundary(*i))
                .unwrap_or(0);
            tracing::trace!(bytes = t.len(), "Received Alpaca message: {}", &t[..end]);
        }
        WireFrame::Binary(b) => {
            tracing::trace!(bytes = b.len(), "Received Alpaca message: msgpack frame");
        }
    }
}
