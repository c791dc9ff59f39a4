//! The socket task for the live Alpaca stream: connects (rustls), runs the
//! handshake through [`Session`], keeps the connection honest with pings and a
//! market-hours silence check, and reconnects by [`Backoff`]. It does I/O only:
//! frames go to the engine raw, in batches; control frames are also read here,
//! because the handshake depends on them.

use super::backoff::{Backoff, BackoffPolicy, Decision, Failure};
use super::protocol::{Action, Channels, Session};
use crate::clock::Clock;
use crate::engine::channels::{send_wait, Meter};
use crate::engine::snapshot::LinkState;
use crate::engine::{AlpacaBatch, FeedEvent, LinkUpdate, Payload};
use crate::fixture::record::Recorder;
use crate::fixture::Fault;
use crate::types::{Symbol, Ts};
use crate::wire::{parse_frame, Msg, ParseLimits};
use futures_util::{FutureExt, SinkExt, StreamExt};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::sync::CancellationToken;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Msgpack,
}

pub struct StreamConfig {
    /// Full URL including the feed path, e.g. `wss://stream.data.alpaca.markets/v2/iex`.
    pub url: String,
    pub feed: String,
    pub key_id: SecretString,
    pub secret_key: SecretString,
    pub channels: Channels,
    pub watchlist: Vec<Symbol>,
    pub encoding: Encoding,
    pub ping_interval: Duration,
    pub pong_timeout: Duration,
    /// MessageTimeoutSeconds: silence longer than this while the market is open is a failure.
    pub message_timeout: Duration,
    /// Connect, upgrade and handshake must finish within this.
    pub handshake_timeout: Duration,
    pub policy: BackoffPolicy,
    pub limits: ParseLimits,
}

/// What the engine (on an operator's command) can ask of the stream task.
#[derive(Debug)]
pub enum StreamControl {
    Reconnect,
    SetWatchlist(Vec<Symbol>),
    /// The engine's upstream circuit breaker for stream connects is open: make no
    /// connection attempt before this time (`None` lifts the hold). A manual
    /// reconnect overrides it.
    Hold(Option<Ts>),
}

/// Why one connection ended.
enum End {
    Failed(Failure),
    /// A server error ended it; the report already explained it in full.
    Explained(Failure, Option<String>),
    Manual,
    Cancelled,
}

pub struct StreamTask {
    pub cfg: StreamConfig,
    pub clock: Arc<dyn Clock>,
    pub feed_tx: mpsc::Sender<FeedEvent>,
    pub meter: Arc<Meter>,
    pub control: mpsc::Receiver<StreamControl>,
    pub cancel: CancellationToken,
    /// True when the market is open at `now` (the calendar, or Alpaca's clock).
    pub market_open: Arc<dyn Fn(Ts) -> bool + Send + Sync>,
    /// `--record`: every frame and fault, to a fixture.
    pub recorder: Option<Recorder>,
    /// Set by [`StreamControl::Hold`].
    pub hold_until: Option<Ts>,
}

impl StreamTask {
    pub async fn run(mut self) {
        let mut backoff = Backoff::default();
        loop {
            backoff.on_attempt();
            self.link(&backoff, Some(LinkState::Connecting), None).await;
            let end = match self.connect_and_stream(&mut backoff).await {
                End::Cancelled => return,
                end => end,
            };
            let now = self.clock.now();
            let (failure, explained) = match end {
                End::Failed(f) => (f, None),
                End::Explained(f, text) => (f, text),
                End::Manual => {
                    backoff.manual();
                    self.link(
                        &backoff,
                        Some(LinkState::Disconnected),
                        Some("manual reconnect".into()),
                    )
                    .await;
                    continue;
                }
                End::Cancelled => return,
            };
            if let Some(rec) = self.recorder.as_ref() {
                rec.fault(now, Fault::Disconnect);
            }
            let reason = explained.unwrap_or_else(|| describe(&failure));
            match backoff.on_failure(now, &failure, &self.cfg.policy, jitter()) {
                Decision::RetryAt(at) => {
                    self.link(&backoff, Some(LinkState::Disconnected), Some(reason))
                        .await;
                    let wait =
                        Duration::from_millis(at.millis_since(self.clock.now()).max(0) as u64);
                    if !self.wait(Some(wait), &mut backoff).await {
                        return;
                    }
                }
                Decision::Stop(_) => {
                    self.link(&backoff, Some(LinkState::Disconnected), Some(reason))
                        .await;
                    if !self.wait(None, &mut backoff).await {
                        return;
                    }
                }
            }
        }
    }

    /// Waits out a backoff (or, with `None`, until a manual reconnect). Returns false
    /// when cancelled.
    async fn wait(&mut self, delay: Option<Duration>, backoff: &mut Backoff) -> bool {
        let sleep = async {
            match delay {
                Some(d) => tokio::time::sleep(d).await,
                None => std::future::pending::<()>().await,
            }
        };
        tokio::pin!(sleep);
        let mut slept = false;
        loop {
            // The backoff is over; a breaker hold may still keep the next attempt back.
            let held = self
                .hold_until
                .map(|h| h.millis_since(self.clock.now()))
                .filter(|ms| *ms > 0);
            if slept && held.is_none() {
                return true;
            }
            let hold = async {
                match held {
                    Some(ms) => tokio::time::sleep(Duration::from_millis(ms as u64)).await,
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                () = self.cancel.cancelled() => return false,
                () = &mut sleep, if !slept => slept = true,
                () = hold, if slept => {}
                ctl = self.control.recv() => match ctl {
                    Some(StreamControl::Reconnect) => {
                        backoff.manual();
                        self.hold_until = None;
                        return true;
                    }
                    Some(StreamControl::SetWatchlist(w)) => self.cfg.watchlist = w,
                    Some(StreamControl::Hold(h)) => self.hold_until = h,
                    None => return false,
                },
            }
        }
    }

    async fn link(&self, b: &Backoff, state: Option<LinkState>, last_error: Option<String>) {
        let update = LinkUpdate {
            at: self.clock.now(),
            state,
            last_error,
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

    async fn report(&self, b: &Backoff, text: String) {
        self.link(b, None, Some(text)).await;
    }

    async fn connect_and_stream(&mut self, backoff: &mut Backoff) -> End {
        let mut request = match self.cfg.url.as_str().into_client_request() {
            Ok(r) => r,
            Err(e) => {
                return End::Failed(Failure::Fatal(format!("stream URL {}: {e}", self.cfg.url)))
            }
        };
        if self.cfg.encoding == Encoding::Msgpack {
            request.headers_mut().insert(
                "Content-Type",
                tungstenite::http::HeaderValue::from_static("application/msgpack"),
            );
        }
        let ws_cfg =
            WebSocketConfig::default().max_message_size(Some(self.cfg.limits.max_frame_bytes));
        let connect = tokio_tungstenite::connect_async_with_config(request, Some(ws_cfg), true);
        let ws = tokio::select! {
            () = self.cancel.cancelled() => return End::Cancelled,
            r = tokio::time::timeout(self.cfg.handshake_timeout, connect) => match r {
                Err(_) => return End::Failed(Failure::Transient("connect timed out".into())),
                Ok(Err(e)) => return End::Failed(classify_connect_error(&self.cfg.url, e)),
                Ok(Ok((ws, _resp))) => ws,
            },
        };
        if let (Some(rec), true) = (self.recorder.as_ref(), backoff.attempts > 1) {
            // Replay turns this into "reconnecting"; the new handshake frames follow.
            rec.fault(self.clock.now(), Fault::Recover);
        }
        let (mut sink, mut source) = ws.split();
        let mut session = Session::new(
            &self.cfg.feed,
            self.cfg.channels.clone(),
            self.cfg.watchlist.clone(),
        );
        let started = Instant::now();
        let mut ping_tick =
            tokio::time::interval_at(started + self.cfg.ping_interval, self.cfg.ping_interval);
        ping_tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        let mut pong_deadline: Option<Instant> = None;
        let mut last_message = started;
        let mut streaming = false;
        let mut last_server_error: Option<String> = None;
        let mut last_report: Option<String> = None;
        loop {
            let pong_wait = async {
                match pong_deadline {
                    Some(d) => tokio::time::sleep_until(d).await,
                    None => std::future::pending::<()>().await,
                }
            };
            let handshake_wait = async {
                if streaming {
                    std::future::pending::<()>().await
                } else {
                    tokio::time::sleep_until(started + self.cfg.handshake_timeout).await
                }
            };
            tokio::select! {
                () = self.cancel.cancelled() => {
                    let _ = sink.send(Message::Close(None)).await;
                    return End::Cancelled;
                }
                () = pong_wait => {
                    return End::Failed(Failure::Transient(format!(
                        "no pong within {} s: the connection is dead", self.cfg.pong_timeout.as_secs_f64())));
                }
                () = handshake_wait => {
                    return End::Failed(Failure::Transient(format!(
                        "handshake not finished within {} s", self.cfg.handshake_timeout.as_secs_f64())));
                }
                _ = ping_tick.tick() => {
                    let now = self.clock.now();
                    backoff.on_alive(now, &self.cfg.policy);
                    let silent = last_message.elapsed();
                    if streaming && silent >= self.cfg.message_timeout && (self.market_open)(now) {
                        return End::Failed(Failure::Transient(format!(
                            "no messages for {} s while the market is open", silent.as_secs())));
                    }
                    if pong_deadline.is_none() {
                        pong_deadline = Some(Instant::now() + self.cfg.pong_timeout);
                    }
                    if let Err(e) = sink.send(Message::Ping(Vec::new().into())).await {
                        return End::Failed(Failure::Transient(format!("ping failed: {e}")));
                    }
                }
                ctl = self.control.recv() => match ctl {
                    Some(StreamControl::Reconnect) => {
                        let _ = sink.send(Message::Close(None)).await;
                        return End::Manual;
                    }
                    Some(StreamControl::Hold(h)) => self.hold_until = h,
                    Some(StreamControl::SetWatchlist(w)) => {
                        self.cfg.watchlist = w.clone();
                        for a in session.set_watchlist(w) {
                            if let Some(end) = self.perform(a, &mut sink, backoff, &mut streaming, &mut last_report).await {
                                return end;
                            }
                        }
                    }
                    None => return End::Cancelled,
                },
                msg = source.next() => {
                    let first = match msg {
                        None => return End::Failed(Failure::Transient(closed_reason(None, &last_server_error))),
                        Some(Err(e)) => return End::Failed(Failure::Transient(format!("connection error: {e}"))),
                        Some(Ok(m)) => m,
                    };
                    // Take whatever else is already here, so the engine gets one batch.
                    let mut batch = AlpacaBatch::with_capacity(8);
                    let mut next = Some(first);
                    while let Some(m) = next.take() {
                        let (controls, payload) = match m {
                            Message::Text(t) => {
                                (control_messages(t.as_bytes(), Encoding::Json), Some(Payload::Text(t.as_str().to_string())))
                            }
                            Message::Binary(b) => {
                                (control_messages(&b, Encoding::Msgpack), Some(Payload::Binary(b.to_vec())))
                            }
                            Message::Pong(_) => {
                                pong_deadline = None;
                                (Vec::new(), None)
                            }
                            Message::Ping(_) | Message::Frame(_) => (Vec::new(), None),
                            Message::Close(frame) => {
                                self.flush(batch).await;
                                let detail = frame.map(|f| format!("{} {}", u16::from(f.code), f.reason));
                                return End::Failed(Failure::Transient(closed_reason(detail, &last_server_error)));
                            }
                        };
                        for cm in controls {
                            if let Msg::Error { code, msg } = &cm {
                                last_server_error = Some(format!("{code} {msg}"));
                            }
                            for a in session.on_message(&cm) {
                                if let Some(end) = self.perform(a, &mut sink, backoff, &mut streaming, &mut last_report).await {
                                    self.flush(batch).await;
                                    return end;
                                }
                            }
                        }
                        if let Some(payload) = payload {
                            last_message = Instant::now();
                            let now = self.clock.now();
                            if let Some(rec) = self.recorder.as_ref() {
                                rec.frame(now, &payload);
                            }
                            batch.push_payload(now, payload);
                        }
                        if batch.frames.len() < 64 {
                            next = match source.next().now_or_never() {
                                Some(Some(Ok(m))) => Some(m),
                                _ => None,
                            };
                        }
                    }
                    self.flush(batch).await;
                }
            }
        }
    }

    async fn flush(&self, batch: AlpacaBatch) {
        if !batch.is_empty() {
            let _ = send_wait(&self.feed_tx, &self.meter, FeedEvent::Alpaca(batch)).await;
        }
    }

    async fn perform<S>(
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

/// Control messages always come alone, and contain one of these words as a
/// string; a data frame rarely does, and then it is merely parsed twice.
fn looks_like_control(b: &[u8]) -> bool {
    const MARKERS: [&[u8]; 3] = [b"success", b"error", b"subscription"];
    b.len() < 64 * 1024 && MARKERS.iter().any(|m| memchr::memmem::find(b, m).is_some())
}

/// The control messages in a frame, parsed only when the frame may hold one.
/// msgpack stores strings as raw UTF-8, so the same markers find them.
fn control_messages(bytes: &[u8], encoding: Encoding) -> Vec<Msg> {
    if !looks_like_control(bytes) {
        return Vec::new();
    }
    let limits = ParseLimits::default();
    let parsed = match encoding {
        Encoding::Json => parse_frame(bytes, &limits),
        Encoding::Msgpack => crate::wire::msgpack::parse_msgpack_frame(bytes, &limits),
    };
    parsed
        .msgs
        .into_iter()
        .filter(|m| !m.msg_type().is_data())
        .collect()
}

fn closed_reason(detail: Option<String>, last_server_error: &Option<String>) -> String {
    match (last_server_error, detail) {
        (Some(err), _) => format!("closed by server after error {err}"),
        (None, Some(d)) => format!("closed by server ({d})"),
        (None, None) => "connection closed".into(),
    }
}

fn classify_connect_error(url: &str, e: tungstenite::Error) -> Failure {
    if let tungstenite::Error::Http(resp) = &e {
        let status = resp.status().as_u16();
        return match status {
            429 => Failure::RateLimited,
            401 | 403 | 404 => Failure::Fatal(format!(
                "HTTP {status} on the WebSocket upgrade to {url}: check the stream URL (APCA_API_STREAM_URL, alpaca.feed) and the credentials"
            )),
            _ => Failure::Transient(format!("HTTP {status} on the WebSocket upgrade")),
        };
    }
    Failure::Transient(format!("connect failed: {e}"))
}

fn describe(f: &Failure) -> String {
    match f {
        Failure::Transient(r) => r.clone(),
        Failure::ConnectionLimit => "406 connection limit exceeded".into(),
        Failure::RateLimited => "HTTP 429 Too Many Requests on the WebSocket upgrade".into(),
        Failure::Fatal(r) => {
            format!("{r} (stopped: press r or POST /api/health/alpaca/reconnect after fixing it)")
        }
    }
}

/// Uniform in [0, 1), so many clients' retries spread out.
fn jitter() -> f64 {
    use rand::RngExt;
    rand::rng().random::<f64>()
}
