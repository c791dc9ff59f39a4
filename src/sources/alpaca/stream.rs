//! The socket task for the live Alpaca stream: connects (rustls), runs the
//! handshake through [`Session`], keeps the connection honest with pings and a
//! market-hours silence check, and reconnects by [`Backoff`]. It does I/O only:
//! frames are parsed here and go to the engine in batches; the control messages
//! among them also act here, because the handshake depends on them.

use super::backoff::{jitter, Backoff, BackoffPolicy, Decision, Failure};
use super::classify::{classify_connect_error, closed_reason, describe};
use super::protocol::{Channels, Phase, Session};
use crate::domain::clock::Clock;
use crate::domain::types::{Symbol, Ts};
use crate::domain::wire::{Msg, ParseLimits};
use crate::messages::AlpacaBatch;
use crate::messages::Fault;
use crate::messages::FeedEvent;
use crate::messages::LinkState;
use crate::messages::Payload;
use crate::messages::StreamControl;
use crate::messages::WireFrame;
use crate::plumbing::channels::Meter;
use crate::sources::fixture::record::Recorder;
use futures_util::{FutureExt, SinkExt, StreamExt};
use secrecy::SecretString;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::time::Instant;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{self, Message};
use tokio_util::sync::CancellationToken;

mod steps;

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Encoding {
    Json,
    Msgpack,
}

/// Messages gathered into one batch for the engine before it is sent.
const MAX_BATCH_MESSAGES: usize = 128;

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

/// Why one connection ended.
enum End {
    Failed(Failure),
    /// A server error ended it; the report already explained it in full.
    Explained(Failure, Option<String>),
    /// An operator asked for a reconnect; `torn_down` when a WebSocket was open.
    Manual {
        torn_down: bool,
    },
    Cancelled,
}

/// What a control message means to a phase that is not streaming yet.
enum Idle {
    Keep,
    End(End),
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
                End::Manual { torn_down } => {
                    if let (Some(rec), true) = (self.recorder.as_ref(), torn_down) {
                        // Replay must see this connection end before the next one's
                        // `recover`, as it does after a failure.
                        rec.fault(now, Fault::Disconnect);
                    }
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
                    Some(StreamControl::Hold(h)) => {
                        // The breaker may hold longer than the backoff: show the later time.
                        self.hold_until = h;
                        self.link(backoff, None, None).await;
                    }
                    None => return false,
                },
            }
        }
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
        let connect_deadline = tokio::time::sleep(self.cfg.handshake_timeout);
        tokio::pin!(connect, connect_deadline);
        // The control channel is read here too, so a manual reconnect does not wait
        // for a hung TCP connect or upgrade to time out.
        let ws = loop {
            tokio::select! {
                () = self.cancel.cancelled() => return End::Cancelled,
                () = &mut connect_deadline => {
                    return End::Failed(Failure::Transient(format!(
                        "Connection timeout: TCP connect and WebSocket upgrade not finished within {} s",
                        self.cfg.handshake_timeout.as_secs_f64()
                    )));
                }
                r = &mut connect => match r {
                    Err(e) => return End::Failed(classify_connect_error(&self.cfg.url, e)),
                    Ok((ws, _resp)) => break ws,
                },
                ctl = self.control.recv() => match self.on_idle_control(ctl) {
                    Idle::Keep => {}
                    Idle::End(end) => return end,
                },
            }
        };
        self.note(
            backoff,
            format!("WebSocket connection established ({})", self.cfg.url),
        )
        .await;
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
                        "Alpaca health check failed: no pong within {} s: the connection is dead", self.cfg.pong_timeout.as_secs_f64())));
                }
                () = handshake_wait => {
                    let secs = self.cfg.handshake_timeout.as_secs_f64();
                    return End::Failed(Failure::Transient(match session.phase {
                        Phase::AwaitWelcome => format!("Connection timeout: no welcome (connected) from the server within {secs} s of the upgrade"),
                        Phase::AwaitAuth => format!("Authentication failed: no reply to auth within {secs} s of the upgrade (Connection timeout)"),
                        Phase::AwaitSubscription | Phase::Streaming => format!("Connection timeout: no subscription reply within {secs} s of the upgrade"),
                    }));
                }
                _ = ping_tick.tick() => {
                    let now = self.clock.now();
                    let cleared = backoff.on_alive(now, &self.cfg.policy);
                    if cleared > 0 {
                        self.note(backoff, format!(
                            "Alpaca connection stable for {} s: consecutive failures reset to 0 (was {cleared})",
                            self.cfg.policy.stable_after_ms / 1_000)).await;
                    }
                    let silent = last_message.elapsed();
                    if streaming && silent >= self.cfg.message_timeout && (self.market_open)(now) {
                        return End::Failed(Failure::Transient(format!(
                            "Alpaca health check failed: no messages for {} s while the market is open", silent.as_secs())));
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
                        self.hold_until = None;
                        let _ = sink.send(Message::Close(None)).await;
                        return End::Manual { torn_down: true };
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
                        None => return End::Failed(Failure::Transient(closed_reason(None, last_report.as_ref().or(last_server_error.as_ref())))),
                        Some(Err(e)) => return End::Failed(Failure::Transient(format!("connection error: {e}"))),
                        Some(Ok(m)) => m,
                    };
                    // Take whatever else is already here, so the engine gets one batch.
                    let mut batch = AlpacaBatch::with_capacity(8);
                    let mut next = Some(first);
                    while let Some(m) = next.take() {
                        let wire = match &m {
                            Message::Text(t) => Some(WireFrame::Text(t.as_str())),
                            Message::Binary(b) => Some(WireFrame::Binary(b)),
                            Message::Pong(_) => {
                                pong_deadline = None;
                                None
                            }
                            Message::Ping(_) | Message::Frame(_) => None,
                            Message::Close(frame) => {
                                self.flush(batch).await;
                                let detail = frame.as_ref().map(|f| format!("{} {}", u16::from(f.code), f.reason));
                                return End::Failed(Failure::Transient(closed_reason(detail, last_report.as_ref().or(last_server_error.as_ref()))));
                            }
                        };
                        // Queued (and recorded) before its control messages act, so a frame
                        // that ends the connection (402, 406, ...) still reaches the engine
                        // and the recording. Parsed here, with the engine's limits: the
                        // control messages must be found anyway, and the engine's core is
                        // then left to apply.
                        let mut controls = Vec::new();
                        if let Some(wire) = wire {
                            last_message = Instant::now();
                            let received = std::time::Instant::now();
                            let now = self.clock.now();
                            steps::log_frame(wire);
                            if let Some(rec) = self.recorder.as_ref() {
                                rec.frame(now, wire);
                            }
                            let frame = wire.parse(&self.cfg.limits);
                            controls.extend(frame.msgs.iter().filter(|m| !m.msg_type().is_data()).cloned());
                            batch.push_received(now, received, Payload::Parsed { frame, bytes: wire.len() });
                        }
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
                        // The first frame's latency includes parsing the rest: a batch
                        // stops at 64 frames or MAX_BATCH_MESSAGES (about 40 µs of parse).
                        if batch.frames.len() < 64 && batch.messages < MAX_BATCH_MESSAGES {
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
}
