//! `GET /api/stream`: the engine's snapshots over a WebSocket, for `tapewatch attach`.
//!
//! One hub task serialises a snapshot at most [`MAX_FRAMES_PER_SEC`] times a second,
//! and only while someone listens, together with the JSON Patch (RFC 6902) from the
//! frame before. Each client sends the patch when it sent that frame before, else the
//! whole snapshot. Nothing queues per client: the hub's latest frame sits in a `watch`,
//! so a client that falls behind skips to the newest frame and gets it whole. The engine
//! never waits on a client: it only ever publishes into its own `watch`.
//!
//! Schema (version [`SCHEMA_VERSION`]), one JSON text message per frame:
//! `{"v":1,"seq":N,"type":"snapshot","snapshot":{…}}` or
//! `{"v":1,"seq":N,"type":"patch","base":N-1,"patch":[…]}`. The `snapshot` document
//! is the snapshot with each symbol's bars (`charts`) and the oldest event's number
//! (`eventsFirstSeq`); see [`crate::engine::doc`]. The whole document is written only
//! when a client needs it (a new one, or one that fell behind), once per frame.

use super::auth::require_bearer;
use super::ApiState;
use crate::engine::doc::{Encoder, Whole};
use crate::engine::snapshot::Snapshot;
use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{watch, Notify, OnceCell, OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

pub const SCHEMA_VERSION: u32 = 1;
pub const MAX_FRAMES_PER_SEC: u64 = 10;
/// `api.max_stream_clients` when the config says nothing.
pub const DEFAULT_MAX_CLIENTS: usize = 8;
/// A client that cannot take one frame in this long is gone or hopeless; it is dropped
/// (it may reconnect and start again from a whole snapshot).
const SEND_TIMEOUT: Duration = Duration::from_secs(10);
/// Keeps idle links (a finished replay publishes nothing) alive through proxies, and
/// finds dead ones.
const PING_EVERY: Duration = Duration::from_secs(15);

/// One frame, serialised once for every client.
pub struct Frame {
    pub seq: u64,
    main: Arc<serde_json::Value>,
    snap: Arc<Snapshot>,
    /// The whole message, written by the first client that needs it.
    whole: OnceCell<Option<Arc<str>>>,
    /// How long the last whole message was: a patch at least that long is not sent.
    whole_len: Arc<AtomicUsize>,
    /// From frame `seq - 1`; `None` when the patch would not be smaller than a whole.
    pub patch: Option<Arc<str>>,
}

impl Frame {
    /// The patch only for a client that holds frame `seq - 1`; anyone else (new, or
    /// behind) gets the whole snapshot. `None` if it cannot be written (never seen:
    /// the document is JSON already).
    pub async fn for_client(&self, last_sent: Option<u64>) -> Option<Arc<str>> {
        match (&self.patch, last_sent) {
            (Some(p), Some(s)) if s + 1 == self.seq => Some(p.clone()),
            _ => self.whole().await,
        }
    }

    async fn whole(&self) -> Option<Arc<str>> {
        let text = self
            .whole
            .get_or_init(|| async {
                let msg = WholeMsg {
                    v: SCHEMA_VERSION,
                    seq: self.seq,
                    kind: "snapshot",
                    snapshot: Whole {
                        main: &self.main,
                        snap: &self.snap,
                    },
                };
                match serde_json::to_string(&msg) {
                    Ok(t) => {
                        self.whole_len.store(t.len(), Ordering::Relaxed);
                        Some(Arc::from(t))
                    }
                    Err(e) => {
                        tracing::warn!("stream: cannot write a whole snapshot: {e}");
                        None
                    }
                }
            })
            .await;
        text.clone()
    }
}

pub struct StreamHub {
    frames: watch::Receiver<Option<Arc<Frame>>>,
    slots: Arc<Semaphore>,
    max_clients: usize,
    arrived: Arc<Notify>,
    cancel: CancellationToken,
}

impl StreamHub {
    /// Starts the hub task; it ends with `cancel` or when the engine's channel closes.
    pub fn start(
        snapshots: watch::Receiver<Arc<Snapshot>>,
        max_clients: usize,
        cancel: CancellationToken,
    ) -> Arc<StreamHub> {
        let (tx, rx) = watch::channel(None);
        let slots = Arc::new(Semaphore::new(max_clients));
        let arrived = Arc::new(Notify::new());
        tokio::spawn(run_hub(
            snapshots,
            tx,
            slots.clone(),
            max_clients,
            arrived.clone(),
            cancel.clone(),
        ));
        Arc::new(StreamHub {
            frames: rx,
            slots,
            max_clients,
            arrived,
            cancel,
        })
    }

    pub fn clients(&self) -> usize {
        self.max_clients - self.slots.available_permits()
    }
}

async fn run_hub(
    mut snapshots: watch::Receiver<Arc<Snapshot>>,
    tx: watch::Sender<Option<Arc<Frame>>>,
    slots: Arc<Semaphore>,
    max_clients: usize,
    arrived: Arc<Notify>,
    cancel: CancellationToken,
) {
    let mut seq = 0u64;
    let mut encoder = Encoder::default();
    let whole_len = Arc::new(AtomicUsize::new(0));
    let min_gap = Duration::from_millis(1_000 / MAX_FRAMES_PER_SEC);
    loop {
        tokio::select! {
            () = cancel.cancelled() => return,
            changed = snapshots.changed() => if changed.is_err() { return },
            () = arrived.notified() => {}
        }
        if slots.available_permits() == max_clients {
            // Nobody listens: serialise nothing, and start the next listener whole.
            encoder.reset();
            continue;
        }
        let snap = snapshots.borrow_and_update().clone();
        let encoded = match encoder.next(snap) {
            Ok(e) => e,
            Err(e) => {
                tracing::warn!("stream: cannot serialise a snapshot: {e}");
                encoder.reset();
                continue;
            }
        };
        seq += 1;
        let patch = encoded.patch.as_ref().and_then(|ops| {
            serde_json::to_string(&PatchMsg {
                v: SCHEMA_VERSION,
                seq,
                kind: "patch",
                base: seq - 1,
                patch: ops,
            })
            .ok()
        });
        let known = whole_len.load(Ordering::Relaxed);
        let patch = patch
            .filter(|p| known == 0 || p.len() < known)
            .map(Arc::from);
        tx.send_replace(Some(Arc::new(Frame {
            seq,
            main: encoded.main,
            snap: encoded.snap,
            whole: OnceCell::new(),
            whole_len: whole_len.clone(),
            patch,
        })));
        tokio::select! {
            () = cancel.cancelled() => return,
            () = tokio::time::sleep(min_gap) => {}
        }
    }
}

#[derive(serde::Serialize)]
struct WholeMsg<'a> {
    v: u32,
    seq: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    snapshot: Whole<'a>,
}

#[derive(serde::Serialize)]
struct PatchMsg<'a> {
    v: u32,
    seq: u64,
    #[serde(rename = "type")]
    kind: &'static str,
    base: u64,
    patch: &'a json_patch::Patch,
}

/// The `/api/stream` route, behind the same bearer check as the POST routes: a wrong
/// token is a 401 before any upgrade.
pub fn router(api: &ApiState, hub: Arc<StreamHub>) -> Router {
    Router::new()
        .route("/api/stream", get(upgrade))
        .route_layer(axum::middleware::from_fn_with_state(
            api.clone(),
            require_bearer,
        ))
        .with_state(hub)
}

async fn upgrade(State(hub): State<Arc<StreamHub>>, ws: WebSocketUpgrade) -> Response {
    let Ok(permit) = hub.slots.clone().try_acquire_owned() else {
        let reason = format!(
            "{} stream clients are attached, the most allowed (api.max_stream_clients)",
            hub.max_clients
        );
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(serde_json::json!({ "status": "refused", "error": reason })),
        )
            .into_response();
    };
    ws.on_upgrade(move |socket| serve_client(socket, hub, permit))
}

async fn serve_client(mut socket: WebSocket, hub: Arc<StreamHub>, _slot: OwnedSemaphorePermit) {
    let mut frames = hub.frames.clone();
    // Whatever frame is current may be old (the hub idles without listeners): ask for
    // a fresh one and start from it.
    frames.borrow_and_update();
    hub.arrived.notify_one();
    let mut last_sent: Option<u64> = None;
    let mut ping = tokio::time::interval(PING_EVERY);
    ping.reset();
    loop {
        tokio::select! {
            () = hub.cancel.cancelled() => {
                let _ = socket.send(Message::Close(None)).await;
                return;
            }
            changed = frames.changed() => if changed.is_err() { return },
            incoming = socket.recv() => match incoming {
                // Pings are answered by the socket itself; clients send nothing else.
                Some(Ok(Message::Close(_)) | Err(_)) | None => return,
                Some(Ok(_)) => continue,
            },
            _ = ping.tick() => {
                if send(&mut socket, Message::Ping(Default::default())).await.is_err() {
                    return;
                }
                continue;
            }
        }
        let Some(frame) = frames.borrow_and_update().clone() else {
            continue;
        };
        let Some(text) = frame.for_client(last_sent).await else {
            continue;
        };
        if send(&mut socket, Message::Text(text.as_ref().into()))
            .await
            .is_err()
        {
            return;
        }
        last_sent = Some(frame.seq);
    }
}

async fn send(socket: &mut WebSocket, msg: Message) -> Result<(), ()> {
    match tokio::time::timeout(SEND_TIMEOUT, socket.send(msg)).await {
        Ok(Ok(())) => Ok(()),
        _ => Err(()),
    }
}

#[cfg(test)]
#[path = "stream_tests.rs"]
mod tests;
