//! The link to a remote tapewatch's `GET /api/stream`: connects with the bearer
//! token, holds the JSON document, applies each patch only to the frame it was made
//! from (anything else reconnects, which starts over from a whole snapshot), hands
//! every frame to the decoder and publishes the result on a `watch`. Pings measure
//! the round trip and find a dead link. A lost link is retried with the Alpaca
//! stream's backoff (exponential, jittered); a refusal that retrying cannot fix
//! (a wrong token) stops it.

use super::{refusal, Target, Token};
use crate::domain::clock::{Clock, SystemClock};
use crate::messages::remote::{RemoteState, RemoteStatus};
use crate::sources::alpaca::backoff::{jitter, Backoff, BackoffPolicy, Decision, Failure};
use futures_util::{SinkExt, StreamExt};
use json_patch::PatchOperation;
use secrecy::ExposeSecret;
use serde::Deserialize;
use serde_json::Value;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::http::HeaderValue;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::{Connector, MaybeTlsStream, WebSocketStream};
use tokio_util::sync::CancellationToken;

/// The stream schema this client reads.
pub const SCHEMA_VERSION: u32 = 1;

/// Turns the document (and the patch just applied to it, `None` after a whole one)
/// into what the screen shows.
pub type Decode<T> = Box<dyn FnMut(&Value, Option<&[PatchOperation]>) -> Result<T, String> + Send>;

#[derive(Clone, Debug)]
pub struct LinkConfig {
    pub target: Target,
    pub token: Option<Token>,
    pub policy: BackoffPolicy,
    /// TCP, TLS, the upgrade and the first (whole) frame, together.
    pub connect_timeout: Duration,
    pub ping_every: Duration,
    /// No answer to a ping for this long: the link is dead.
    pub dead_after: Duration,
    /// A whole snapshot with a hundred symbols' full days of bars is about 10 MB.
    pub max_message_bytes: usize,
}

impl LinkConfig {
    pub fn new(target: Target, token: Option<Token>) -> LinkConfig {
        LinkConfig {
            target,
            token,
            // Quicker than the Alpaca stream's (1 s to 30 s): the other end is our
            // own server, and an operator is looking at the stale screen.
            policy: BackoffPolicy {
                base_delay_ms: 500,
                max_delay_ms: 5_000,
                stable_after_ms: 30_000,
                ..BackoffPolicy::default()
            },
            connect_timeout: Duration::from_secs(15),
            ping_every: Duration::from_secs(2),
            dead_after: Duration::from_secs(10),
            max_message_bytes: 64 << 20,
        }
    }
}

type Socket = WebSocketStream<MaybeTlsStream<tokio::net::TcpStream>>;

/// An open link: the socket and the document as of frame `seq`.
pub struct Session {
    socket: Socket,
    doc: Value,
    seq: u64,
}

#[derive(Deserialize)]
struct Envelope {
    v: u32,
    seq: u64,
    #[serde(rename = "type")]
    kind: String,
    #[serde(default)]
    snapshot: Option<Value>,
    #[serde(default)]
    base: Option<u64>,
    #[serde(default)]
    patch: Option<json_patch::Patch>,
}

/// Connects and reads the first (whole) frame.
pub async fn connect<T>(cfg: &LinkConfig, decode: &mut Decode<T>) -> Result<(Session, T), Failure> {
    let deadline = tokio::time::sleep(cfg.connect_timeout);
    tokio::pin!(deadline);
    let open = async {
        let mut socket = open(cfg).await?;
        loop {
            match socket.next().await {
                Some(Ok(Message::Text(text))) => {
                    let mut session = Session {
                        socket,
                        doc: Value::Null,
                        seq: 0,
                    };
                    let first = session.frame(&text, decode)?;
                    return Ok((session, first));
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Err(Failure::Transient("the server closed the link".into()))
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Err(Failure::Transient(format!("connection error: {e}"))),
            }
        }
    };
    tokio::select! {
        r = open => r,
        () = &mut deadline => Err(Failure::Transient(format!(
            "no snapshot from {} within {} s of connecting",
            cfg.target.host,
            cfg.connect_timeout.as_secs()
        ))),
    }
}

async fn open(cfg: &LinkConfig) -> Result<Socket, Failure> {
    let url = &cfg.target.stream_url;
    let mut request = url
        .as_str()
        .into_client_request()
        .map_err(|e| Failure::Fatal(format!("{url}: {e}")))?;
    if let Some(t) = &cfg.token {
        let bearer = format!("Bearer {}", t.secret.expose_secret());
        let mut value = HeaderValue::from_str(&bearer).map_err(|_| {
            Failure::Fatal(format!("the token ({}) is not valid header text", t.from))
        })?;
        value.set_sensitive(true);
        request.headers_mut().insert("authorization", value);
    }
    let connector = if cfg.target.tls {
        let tls = crate::plumbing::http::tls_client_config()
            .map_err(|e| Failure::Fatal(format!("TLS setup failed: {e}")))?;
        Some(Connector::Rustls(Arc::new(tls)))
    } else {
        None
    };
    let ws_cfg = WebSocketConfig::default().max_message_size(Some(cfg.max_message_bytes));
    match tokio_tungstenite::connect_async_tls_with_config(request, Some(ws_cfg), true, connector)
        .await
    {
        Ok((socket, _)) => Ok(socket),
        Err(WsError::Http(resp)) => {
            let status = resp.status().as_u16();
            let body = resp.body().as_deref().map(String::from_utf8_lossy);
            let why = body
                .as_deref()
                .and_then(|b| serde_json::from_str::<Value>(b).ok())
                .and_then(|v| v.get("error")?.as_str().map(str::to_string));
            match refusal(status, cfg.token.as_ref(), &cfg.target) {
                Some(fatal) => Err(Failure::Fatal(fatal)),
                None => Err(Failure::Transient(match why {
                    Some(w) => format!("{status}: {w}"),
                    None => format!("HTTP {status} on the WebSocket upgrade"),
                })),
            }
        }
        Err(WsError::Io(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => Err(
            Failure::Transient(format!("connection refused by {}", cfg.target.host)),
        ),
        Err(e) if cfg.target.tls => Err(Failure::Transient(format!(
            "cannot connect to {} over TLS: {e} (tapewatch's own API is plain http://; https:// needs a TLS proxy in front)",
            cfg.target.host
        ))),
        Err(e) => Err(Failure::Transient(format!(
            "cannot connect to {}: {e}",
            cfg.target.host
        ))),
    }
}

impl Session {
    /// Applies one text frame; an error means the document can no longer be trusted.
    fn frame<T>(&mut self, text: &str, decode: &mut Decode<T>) -> Result<T, Failure> {
        let msg: Envelope = serde_json::from_str(text)
            .map_err(|e| Failure::Transient(format!("a frame is not stream JSON: {e}")))?;
        if msg.v != SCHEMA_VERSION {
            return Err(Failure::Fatal(format!(
                "the server speaks stream schema v{}, this tapewatch reads v{SCHEMA_VERSION}: use the same version on both ends",
                msg.v
            )));
        }
        let ops = match (msg.kind.as_str(), msg.snapshot, msg.base, msg.patch) {
            ("snapshot", Some(doc), _, _) => {
                self.doc = doc;
                None
            }
            ("patch", _, Some(base), Some(ops)) if self.seq == base && self.seq != 0 => {
                json_patch::patch_unsafe(&mut self.doc, &ops).map_err(|e| {
                    Failure::Transient(format!("frame {} did not apply ({e}); resyncing", msg.seq))
                })?;
                Some(ops)
            }
            ("patch", _, base, _) => {
                return Err(Failure::Transient(format!(
                    "frame {} patches frame {base:?}, but frame {} is held; resyncing",
                    msg.seq, self.seq
                )))
            }
            (other, ..) => {
                return Err(Failure::Transient(format!(
                    "a frame of unknown type {other:?}"
                )))
            }
        };
        self.seq = msg.seq;
        decode(&self.doc, ops.as_ref().map(|p| p.0.as_slice()))
            .map_err(|e| Failure::Transient(format!("frame {} does not read back: {e}", msg.seq)))
    }
}

/// Where the link publishes: the decoded frames and the link's status.
pub struct Outlets<T> {
    pub frames: watch::Sender<Arc<T>>,
    pub status: watch::Sender<RemoteStatus>,
}

/// Runs the link from an open session until `cancel`: frames out, reconnects with
/// backoff when it drops, a stop when the server refuses.
pub async fn run<T>(
    cfg: LinkConfig,
    mut session: Session,
    mut decode: Decode<T>,
    out: Outlets<T>,
    cancel: CancellationToken,
) {
    let mut backoff = Backoff::default();
    backoff.on_attempt();
    backoff.on_connected(SystemClock.now());
    loop {
        let failure =
            match serve(&cfg, &mut session, &mut decode, &out, &mut backoff, &cancel).await {
                Some(f) => f,
                None => return,
            };
        let mut failure = failure;
        loop {
            let reason = describe(&failure);
            let wait_ms =
                match backoff.on_failure(SystemClock.now(), &failure, &cfg.policy, jitter()) {
                    Decision::RetryAt(at) => at.millis_since(SystemClock.now()).max(0),
                    Decision::Stop(why) => {
                        out.status.send_modify(|s| {
                            s.state = RemoteState::Stopped(why.clone());
                            s.last_error = Some(why);
                        });
                        cancel.cancelled().await;
                        return;
                    }
                };
            let wait = Duration::from_millis(u64::try_from(wait_ms).unwrap_or(0));
            out.status.send_modify(|s| {
                s.state = RemoteState::Reconnecting {
                    attempt: backoff.consecutive_failures,
                    retry_at: Some(Instant::now() + wait),
                };
                s.last_error = Some(reason);
            });
            tokio::select! {
                () = cancel.cancelled() => return,
                () = tokio::time::sleep(wait) => {}
            }
            backoff.on_attempt();
            out.status.send_modify(|s| {
                if let RemoteState::Reconnecting { retry_at, .. } = &mut s.state {
                    *retry_at = None;
                }
            });
            let attempt = tokio::select! {
                () = cancel.cancelled() => return,
                r = connect(&cfg, &mut decode) => r,
            };
            match attempt {
                Ok((s, first)) => {
                    session = s;
                    backoff.on_connected(SystemClock.now());
                    out.frames.send_replace(Arc::new(first));
                    out.status.send_modify(|st| {
                        st.state = RemoteState::Live;
                        st.reconnects += 1;
                    });
                    break;
                }
                Err(f) => failure = f,
            }
        }
    }
}

fn describe(f: &Failure) -> String {
    match f {
        Failure::Transient(r) | Failure::Fatal(r) => r.clone(),
        Failure::ConnectionLimit | Failure::RateLimited => "the server is busy".into(),
    }
}

/// One connection's life; `None` when cancelled, else why it ended.
async fn serve<T>(
    cfg: &LinkConfig,
    session: &mut Session,
    decode: &mut Decode<T>,
    out: &Outlets<T>,
    backoff: &mut Backoff,
    cancel: &CancellationToken,
) -> Option<Failure> {
    let mut ping = tokio::time::interval(cfg.ping_every);
    ping.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    // The ping in flight: its number and when it left.
    let mut pending: Option<(u64, Instant)> = None;
    let mut sent = 0u64;
    loop {
        tokio::select! {
            () = cancel.cancelled() => {
                let _ = session.socket.close(None).await;
                return None;
            }
            _ = ping.tick() => {
                if let Some((_, at)) = pending {
                    if at.elapsed() >= cfg.dead_after {
                        return Some(Failure::Transient(format!(
                            "no answer from {} for {} s",
                            cfg.target.host,
                            cfg.dead_after.as_secs()
                        )));
                    }
                    continue;
                }
                sent += 1;
                let payload = sent.to_be_bytes().to_vec();
                if let Err(e) = session.socket.send(Message::Ping(payload.into())).await {
                    return Some(Failure::Transient(format!("connection error: {e}")));
                }
                pending = Some((sent, Instant::now()));
            }
            msg = session.socket.next() => match msg {
                Some(Ok(Message::Text(text))) => match session.frame(&text, decode) {
                    Ok(t) => {
                        out.frames.send_replace(Arc::new(t));
                        backoff.on_alive(SystemClock.now(), &cfg.policy);
                    }
                    Err(f) => return Some(f),
                },
                Some(Ok(Message::Pong(p))) => {
                    if let Some((n, at)) = pending {
                        if p.as_ref() == n.to_be_bytes() {
                            pending = None;
                            let rtt_ms = u64::try_from(at.elapsed().as_millis()).unwrap_or(u64::MAX);
                            out.status.send_if_modified(|s| {
                                let changed = s.rtt_ms != Some(rtt_ms);
                                s.rtt_ms = Some(rtt_ms);
                                changed
                            });
                        }
                    }
                }
                Some(Ok(Message::Close(_))) | None => {
                    return Some(Failure::Transient("the server closed the link".into()))
                }
                Some(Ok(_)) => {}
                Some(Err(e)) => return Some(Failure::Transient(format!("connection error: {e}"))),
            },
        }
    }
}
