//! A mock Alpaca Market Data v2 stream server on 127.0.0.1 for tests: the real
//! protocol (welcome, auth, full-set subscription replies, the documented error
//! codes with their exact texts, msgpack mode) plus switches for the failure modes
//! a live client has to survive (refused upgrades, silence, abrupt drops, 407, 500).
//!
//! # Time and `start_paused`
//! Every timer the mock uses is a `tokio::time` timer (the auth deadline, the
//! handshake deadline, the close drain, ghost reaping) and every wait helper
//! ([`MockAlpaca::wait_for`], [`MockAlpaca::wait_for_sessions`]) is woken by state
//! changes, not by polling. So under `#[tokio::test(start_paused = true)]`:
//! * virtual time only jumps when every task is parked; loopback writes are visible
//!   to the peer at once, so a jump never overtakes a message already sent;
//! * a mock deadline fires exactly when virtual time reaches it. A test that idles
//!   (awaits a socket nothing will write to, or sleeps) lets virtual time run on, so
//!   a connection that has not authenticated gets `404 auth timeout` once the test
//!   idles past `auth_timeout`, and ghost sessions expire once it idles past
//!   `reap_after`. Authenticate first, or raise those durations, when a test idles;
//! * `wait_for*` timeouts are virtual too: they only pass when nothing else can
//!   happen, so on failure they return quickly instead of hanging.
//!
//! # Sessions and ghosts
//! A session holds one of the key's `sessions_per_key` slots from a successful auth
//! until its connection ends. When the *client* vanishes (TCP gone without a
//! WebSocket close handshake) the slot stays held as a "ghost" for `reap_after`, as
//! Alpaca's servers keep a dead session around until they notice it: a quick
//! reconnect then gets `406 connection limit exceeded`. A clean close, or any end
//! the server caused (errors, `drop_connections`, `slow_client`), frees it at once.
//! `reap_after = Duration::ZERO` turns ghosts off.
//!
//! # Choices where the docs are silent
//! * Fatal errors (402, 404, 406, 409) are followed by a close frame without a
//!   payload; `409` replaces `authenticated` (the docs: "an error during
//!   authentication"); 500 leaves the connection open.
//! * Header auth (`APCA-API-KEY-ID` + `APCA-API-SECRET-KEY`) is answered right after
//!   the welcome, like an auth message.
//! * Symbols must be `*` or upper-case tickers (`BRK.B`), else 400; `*` counts as one
//!   symbol for the limit; unknown channel keys get 410; `imbalances` appears in the
//!   reply only once it is non-empty.
//!
//! # What the switches act on
//! Control methods act on the connections that finished the WebSocket upgrade at
//! the time of the call; later connections start normal (so after `go_silent` a
//! client that reconnects gets a working session). [`MockAlpaca::stall_handshakes`]
//! is the exception: it acts on connections accepted after the call, until lifted.

#[path = "mock_alpaca/codec.rs"]
mod codec;
#[path = "mock_alpaca/gen.rs"]
mod gen;
#[path = "mock_alpaca/msgpack_encode.rs"]
pub mod msgpack_encode;
// Used by `examples/mock_alpaca.rs blast`, not by the tests.
#[allow(dead_code)]
#[path = "mock_alpaca/prepared.rs"]
mod prepared;
#[path = "mock_alpaca/protocol.rs"]
mod protocol;
#[path = "mock_alpaca/session.rs"]
mod session;
#[path = "mock_alpaca/subs.rs"]
mod subs;

pub use subs::SubscriptionSet;

use serde_json::Value;
use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::{mpsc, watch};
use tokio::task::{JoinHandle, JoinSet};
use tokio_tungstenite::tungstenite::Message;

/// The feeds served under `/v2/{feed}`; any other path is refused with HTTP 404.
pub const FEEDS: [&str; 4] = ["iex", "sip", "delayed_sip", "test"];

#[derive(Clone, Debug)]
pub struct MockConfig {
    pub key: String,
    pub secret: String,
    /// Distinct symbols allowed across `trades` and `quotes` (`*` counts as one).
    pub symbol_limit: usize,
    /// Whether `sip` and `delayed_sip` are in the key's plan (else 409 at auth).
    pub sip_allowed: bool,
    /// Time from connect to a successful auth before `404 auth timeout`.
    pub auth_timeout: Duration,
    pub sessions_per_key: usize,
    /// How long a vanished client's session keeps its slot (see the module docs).
    pub reap_after: Duration,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            key: "MOCKKEY".to_owned(),
            secret: "MOCKSECRET".to_owned(),
            symbol_limit: 30,
            sip_allowed: false,
            auth_timeout: Duration::from_secs(10),
            sessions_per_key: 1,
            reap_after: Duration::from_secs(90),
        }
    }
}

/// Where a new connection's handshake hangs (see [`MockAlpaca::stall_handshakes`]).
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum Stall {
    /// Accept TCP, read the upgrade request, never answer it.
    NoUpgrade,
    /// Finish the upgrade, never send `connected`, ignore everything the client says.
    NoWelcome,
    /// Send `connected`, ignore auth messages; the `auth_timeout` deadline still
    /// sends `404 auth timeout` and closes (Alpaca's own auth timeout).
    IgnoreAuth,
}

/// What the control handle asks live connections to do.
#[derive(Clone, Debug)]
enum Command {
    /// Data for authenticated sessions, filtered by their subscriptions.
    Push(Arc<str>),
    /// Sent verbatim as a text frame to authenticated sessions.
    PushRaw(Arc<str>),
    PushTrades {
        n: usize,
        batch: usize,
    },
    /// Frames ready to send, and whether they are msgpack (the blast example's).
    #[allow(dead_code)]
    PushPrepared(Arc<Vec<(Message, bool)>>),
    Silent,
    Resume,
    Drop,
    SlowClient,
    InternalError,
}

#[derive(Default)]
struct State {
    refuse_status: Option<u16>,
    stall: Option<Stall>,
    connections_accepted: usize,
    live_sessions: usize,
    ghost_sessions: usize,
    client_messages: Vec<Value>,
    pings_received: u64,
    last_session_id: Option<u64>,
    last_subscription: Option<SubscriptionSet>,
    last_upgrade_headers: Vec<(String, String)>,
    conns: HashMap<u64, mpsc::UnboundedSender<Command>>,
    next_conn_id: u64,
}

struct Shared {
    cfg: MockConfig,
    state: Mutex<State>,
    /// Bumped after every state change so waiters re-check without polling.
    changed: watch::Sender<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        // A test that panicked mid-update must not hide the state from the others.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn update<R>(&self, f: impl FnOnce(&mut State) -> R) -> R {
        let out = f(&mut self.lock());
        self.changed.send_modify(|v| *v = v.wrapping_add(1));
        out
    }
}

/// The running server. Dropping it (or [`MockAlpaca::shutdown`]) ends every task it
/// spawned and drops every socket.
pub struct MockAlpaca {
    addr: SocketAddr,
    shared: Arc<Shared>,
    accept_task: JoinHandle<()>,
}

impl MockAlpaca {
    /// Binds 127.0.0.1 on a free port and starts serving. Needs a tokio runtime.
    pub async fn start(cfg: MockConfig) -> std::io::Result<MockAlpaca> {
        Self::start_on(cfg, SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Like [`MockAlpaca::start`] on a chosen address (the dev binary uses a fixed port).
    pub async fn start_on(cfg: MockConfig, addr: SocketAddr) -> std::io::Result<MockAlpaca> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shared = Arc::new(Shared {
            cfg,
            state: Mutex::new(State::default()),
            changed: watch::Sender::new(0),
        });
        let accept_task = tokio::spawn(accept_loop(listener, Arc::clone(&shared)));
        Ok(MockAlpaca {
            addr,
            shared,
            accept_task,
        })
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `ws://127.0.0.1:PORT/v2/{feed}`
    pub fn url(&self, feed: &str) -> String {
        format!("ws://{}/v2/{feed}", self.addr)
    }

    pub fn config(&self) -> &MockConfig {
        &self.shared.cfg
    }

    /// Stops accepting and drops every connection (no close frames).
    pub fn shutdown(&self) {
        self.accept_task.abort();
    }

    // ---- switches ----

    /// `Some(status)`: answer every following upgrade request with that HTTP status
    /// (429, 401, 403, 404, ...) until `None` is set again.
    pub fn refuse_upgrades(&self, status: Option<u16>) {
        self.shared.update(|st| st.refuse_status = status);
    }

    /// `Some(stall)`: every connection accepted from now on hangs at that handshake
    /// step; `None` lets later connections through again (hung ones stay hung).
    pub fn stall_handshakes(&self, stall: Option<Stall>) {
        self.shared.update(|st| st.stall = stall);
    }

    /// Sends a JSON frame to every authenticated session, keeping only the array's
    /// data messages whose symbol that session subscribed on the message's channel
    /// (`*` matches all); control messages always pass. Frames left empty are not
    /// sent. Text that is not a JSON array goes out verbatim. In msgpack mode the
    /// frame is converted with `json_frame_to_msgpack`.
    pub fn push(&self, frame_json: &str) {
        self.broadcast(Command::Push(Arc::from(frame_json)));
    }

    /// Sends `frame` exactly as given, as a text frame, to every authenticated session
    /// (also in msgpack mode): for malformed-frame tests.
    pub fn push_raw(&self, frame: &str) {
        self.broadcast(Command::PushRaw(Arc::from(frame)));
    }

    /// Queues `n` generated trades and quotes per authenticated session, for the
    /// symbols it subscribed on `trades`/`quotes` (a `*` stands for a few big names),
    /// in frames of `batch` messages, sent as fast as the socket takes them. Prices
    /// walk by cents from a per-symbol base; trade ids rise; `t` is the wall clock.
    pub fn push_trades(&self, n: usize, batch: usize) {
        self.broadcast(Command::PushTrades { n, batch });
    }

    /// Half-dead connections: stop sending anything and stop reading (so pings go
    /// unanswered), sockets stay open. Pushes meanwhile are dropped.
    pub fn go_silent(&self) {
        self.broadcast(Command::Silent);
    }

    pub fn resume(&self) {
        self.broadcast(Command::Resume);
    }

    /// Drops the TCP streams with no close frame.
    pub fn drop_connections(&self) {
        self.broadcast(Command::Drop);
    }

    /// Sends `407 slow client` then drops the stream with no close frame.
    pub fn slow_client(&self) {
        self.broadcast(Command::SlowClient);
    }

    /// Sends `500 internal error`; the connection stays open.
    pub fn internal_error(&self) {
        self.broadcast(Command::InternalError);
    }

    fn broadcast(&self, cmd: Command) {
        let st = self.shared.lock();
        for tx in st.conns.values() {
            // A closed receiver is a connection on its way out; it unregisters itself.
            let _ = tx.send(cmd.clone());
        }
    }

    // ---- observation ----

    /// TCP connections accepted, refused upgrades included.
    pub fn connections_accepted(&self) -> usize {
        self.shared.lock().connections_accepted
    }

    /// Authenticated sessions whose connection is still open (ghosts not included).
    pub fn live_sessions(&self) -> usize {
        self.shared.lock().live_sessions
    }

    /// Sessions of vanished clients still holding a slot (see the module docs).
    pub fn ghost_sessions(&self) -> usize {
        self.shared.lock().ghost_sessions
    }

    /// Every data message clients sent, decoded from JSON or msgpack, in arrival
    /// order. Undecodable messages appear as a JSON string of their text (or
    /// `"<binary N bytes>"`).
    pub fn client_messages(&self) -> Vec<Value> {
        self.shared.lock().client_messages.clone()
    }

    /// WebSocket pings received (and answered) over all connections.
    pub fn pings_received(&self) -> u64 {
        self.shared.lock().pings_received
    }

    /// The current set of the session that authenticated last (`None` before any).
    pub fn subscription_of_last_session(&self) -> Option<SubscriptionSet> {
        self.shared.lock().last_subscription.clone()
    }

    /// One header of the last upgrade request, by case-insensitive name.
    pub fn last_upgrade_header(&self, name: &str) -> Option<String> {
        let name = name.to_ascii_lowercase();
        let st = self.shared.lock();
        let found = st.last_upgrade_headers.iter().find(|(k, _)| *k == name);
        found.map(|(_, v)| v.clone())
    }

    /// Waits until `pred` holds; false if `timeout` (tokio time) passed first.
    pub async fn wait_for(&self, timeout: Duration, pred: impl Fn(&MockAlpaca) -> bool) -> bool {
        let mut rx = self.shared.changed.subscribe();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            rx.borrow_and_update();
            if pred(self) {
                return true;
            }
            match tokio::time::timeout_at(deadline, rx.changed()).await {
                Ok(Ok(())) => {}
                // Sender gone cannot happen while `self` lives; treat it as a timeout.
                Ok(Err(_)) | Err(_) => return pred(self),
            }
        }
    }

    /// Waits until exactly `n` sessions are live.
    pub async fn wait_for_sessions(&self, n: usize, timeout: Duration) -> bool {
        self.wait_for(timeout, |m| m.live_sessions() == n).await
    }

    /// Waits until clients have sent at least `n` messages in total.
    pub async fn wait_for_client_messages(&self, n: usize, timeout: Duration) -> bool {
        self.wait_for(timeout, |m| m.shared.lock().client_messages.len() >= n)
            .await
    }
}

impl Drop for MockAlpaca {
    fn drop(&mut self) {
        self.accept_task.abort();
    }
}

/// Owns every connection task: aborting this task drops the `JoinSet`, which aborts
/// them all, so nothing the mock spawned outlives it.
async fn accept_loop(listener: TcpListener, shared: Arc<Shared>) {
    let mut conns = JoinSet::new();
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((tcp, _peer)) = accepted else {
                    // Out of descriptors or similar: back off instead of spinning.
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                };
                let _ = tcp.set_nodelay(true);
                let id = shared.update(|st| {
                    st.connections_accepted += 1;
                    st.next_conn_id += 1;
                    st.next_conn_id
                });
                conns.spawn(session::serve(Arc::clone(&shared), tcp, id));
            }
            Some(_) = conns.join_next(), if !conns.is_empty() => {}
        }
    }
}
