//! One client connection: the upgrade (refusals, feed, content type, header auth),
//! then Alpaca's session protocol, and the control commands from the handle.

use super::codec;
use super::gen::TapeGen;
use super::protocol::{self, refusal, symbol_list, AlpacaError, AUTHENTICATED, CONNECTED};
use super::subs::{Channel, SubscriptionSet};
use super::{Command, Shared, Stall, FEEDS};
use futures_util::{SinkExt, StreamExt};
use serde_json::{Map, Value};
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::handshake::server::{ErrorResponse, Request, Response};
use tokio_tungstenite::tungstenite::{Error as WsError, Message};
use tokio_tungstenite::WebSocketStream;

/// How long a closing connection waits for the client's half of the close handshake.
const CLOSE_DRAIN: Duration = Duration::from_secs(1);

/// How a connection ended: whether its slot becomes a ghost depends on it.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
enum End {
    /// Clean close, or the server ended it: the slot is freed at once.
    Freed,
    /// The client's TCP went away without a close handshake.
    Vanished,
}

/// What the upgrade request asked for.
#[derive(Default)]
struct Upgrade {
    feed: String,
    msgpack: bool,
    header_creds: Option<(String, String)>,
}

pub(super) async fn serve(shared: Arc<Shared>, mut tcp: TcpStream, id: u64) {
    let stall = shared.lock().stall;
    if stall == Some(Stall::NoUpgrade) {
        return protocol::swallow(&mut tcp).await;
    }
    let mut up = Upgrade::default();
    // The result type is tungstenite's `Callback` contract, large error and all.
    #[allow(clippy::result_large_err)]
    let callback = |req: &Request, resp: Response| -> Result<Response, ErrorResponse> {
        let headers: Vec<(String, String)> = req
            .headers()
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_owned(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        let refuse = shared.update(|st| {
            st.last_upgrade_headers = headers;
            st.refuse_status
        });
        if let Some(status) = refuse {
            return Err(refusal(status));
        }
        let feed = req
            .uri()
            .path()
            .strip_prefix("/v2/")
            .filter(|f| FEEDS.contains(f));
        let Some(feed) = feed else {
            return Err(refusal(404));
        };
        let header = |name: &str| req.headers().get(name).and_then(|v| v.to_str().ok());
        up.feed = feed.to_owned();
        up.msgpack = header("content-type").is_some_and(|ct| {
            ct.trim()
                .to_ascii_lowercase()
                .starts_with("application/msgpack")
        });
        if let (Some(k), Some(s)) = (header("apca-api-key-id"), header("apca-api-secret-key")) {
            up.header_creds = Some((k.to_owned(), s.to_owned()));
        }
        Ok(resp)
    };
    let accept = tokio_tungstenite::accept_hdr_async(tcp, callback);
    let Ok(Ok(ws)) = tokio::time::timeout(shared.cfg.auth_timeout, accept).await else {
        return;
    };

    let (tx, rx) = mpsc::unbounded_channel();
    shared.update(|st| st.conns.insert(id, tx));
    let mut session = Session {
        shared: Arc::clone(&shared),
        ws,
        id,
        feed: up.feed,
        msgpack: up.msgpack,
        authed: false,
        holds_slot: false,
        silent: false,
        stall,
        subs: SubscriptionSet::default(),
        gen: TapeGen::default(),
        gen_remaining: 0,
        gen_batch: 1,
    };
    let end = session.run(rx, up.header_creds).await;
    let reap_after = shared.cfg.reap_after;
    let ghost = end == End::Vanished && session.holds_slot && !reap_after.is_zero();
    session.release_slot(ghost);
    drop(session);
    shared.update(|st| st.conns.remove(&id));
    if ghost {
        tokio::time::sleep(reap_after).await;
        shared.update(|st| st.ghost_sessions = st.ghost_sessions.saturating_sub(1));
    }
}

struct Session {
    shared: Arc<Shared>,
    ws: WebSocketStream<TcpStream>,
    id: u64,
    feed: String,
    msgpack: bool,
    authed: bool,
    holds_slot: bool,
    silent: bool,
    stall: Option<Stall>,
    subs: SubscriptionSet,
    gen: TapeGen,
    gen_remaining: usize,
    gen_batch: usize,
}

impl Session {
    async fn run(
        &mut self,
        mut cmds: mpsc::UnboundedReceiver<Command>,
        header_creds: Option<(String, String)>,
    ) -> End {
        let no_welcome = self.stall == Some(Stall::NoWelcome);
        if !no_welcome && self.send(CONNECTED).await.is_err() {
            return End::Vanished;
        }
        // Header auth (APCA-API-KEY-ID / APCA-API-SECRET-KEY) is answered like an auth
        // message right after the welcome. INFERRED: the docs list the headers only.
        if let Some((key, secret)) = header_creds {
            if let Some(end) = self.authenticate(&key, &secret).await {
                return end;
            }
        }
        let auth_deadline = tokio::time::sleep(self.shared.cfg.auth_timeout);
        tokio::pin!(auth_deadline);
        loop {
            let step = tokio::select! {
                biased;
                cmd = cmds.recv() => match cmd {
                    Some(cmd) => self.on_command(cmd).await,
                    None => Some(End::Freed),
                },
                () = &mut auth_deadline, if !self.authed && !self.silent && !no_welcome => {
                    Some(self.close_with(AlpacaError::AuthTimeout).await)
                }
                msg = self.ws.next(), if !self.silent => self.on_frame(msg).await,
                () = std::future::ready(()), if self.gen_remaining > 0 && !self.silent => {
                    self.send_generated().await
                }
            };
            if let Some(end) = step {
                return end;
            }
        }
    }

    async fn send(&mut self, json: &str) -> Result<(), WsError> {
        self.ws.send(codec::server_frame(json, self.msgpack)).await
    }

    /// Sends and keeps going, or ends the connection if the client is gone.
    async fn send_or_end(&mut self, json: &str) -> Option<End> {
        self.send(json).await.err().map(|_| End::Vanished)
    }

    /// Sends an error frame, then a close frame, and waits briefly for the client's
    /// close reply.
    async fn close_with(&mut self, err: AlpacaError) -> End {
        let _ = self.send(&err.frame()).await;
        self.release_slot(false);
        let _ = self.ws.close(None).await;
        self.drain().await;
        End::Freed
    }

    async fn drain(&mut self) {
        let ws = &mut self.ws;
        let _ = tokio::time::timeout(CLOSE_DRAIN, async move {
            while let Some(Ok(_)) = ws.next().await {}
        })
        .await;
    }

    fn release_slot(&mut self, ghost: bool) {
        if !std::mem::take(&mut self.holds_slot) {
            return;
        }
        self.shared.update(|st| {
            st.live_sessions = st.live_sessions.saturating_sub(1);
            if ghost {
                st.ghost_sessions += 1;
            }
        });
    }

    async fn on_command(&mut self, cmd: Command) -> Option<End> {
        match cmd {
            Command::Push(frame) if self.authed && !self.silent => {
                match protocol::filter_frame(&self.subs, &frame) {
                    Some(kept) => self.send_or_end(&kept).await,
                    None => None,
                }
            }
            Command::PushRaw(frame) if self.authed && !self.silent => self
                .ws
                .send(Message::text(&*frame))
                .await
                .err()
                .map(|_| End::Vanished),
            Command::PushPrepared(frames) if self.authed && !self.silent => {
                let sent = super::prepared::send_all(&mut self.ws, &frames, self.msgpack);
                sent.await.err().map(|_| End::Vanished)
            }
            Command::Push(_) | Command::PushRaw(_) | Command::PushPrepared(_) => None,
            Command::PushTrades { n, batch } => {
                if self.authed {
                    self.gen_remaining = self.gen_remaining.saturating_add(n);
                    self.gen_batch = batch.max(1);
                }
                None
            }
            Command::Silent => {
                self.silent = true;
                None
            }
            Command::Resume => {
                self.silent = false;
                None
            }
            Command::Drop => {
                self.release_slot(false);
                Some(End::Freed)
            }
            Command::SlowClient => {
                if !self.silent {
                    let _ = self.send(&AlpacaError::SlowClient.frame()).await;
                }
                self.release_slot(false);
                Some(End::Freed)
            }
            Command::InternalError if !self.silent => {
                self.send_or_end(&AlpacaError::Internal.frame()).await
            }
            Command::InternalError => None,
        }
    }

    async fn send_generated(&mut self) -> Option<End> {
        let count = self.gen_batch.min(self.gen_remaining);
        self.gen_remaining -= count;
        match self.gen.frame(&self.subs, count) {
            Some(frame) => self.send_or_end(&frame).await,
            None => {
                self.gen_remaining = 0;
                None
            }
        }
    }

    async fn on_frame(&mut self, msg: Option<Result<Message, WsError>>) -> Option<End> {
        match msg {
            // The stream only ends quietly after a completed close handshake.
            None => Some(End::Freed),
            Some(Err(_)) => Some(End::Vanished),
            Some(Ok(Message::Ping(_))) => {
                self.shared.update(|st| st.pings_received += 1);
                // tungstenite queued the pong; flush so it leaves now, not on the next read.
                let _ = self.ws.flush().await;
                None
            }
            Some(Ok(Message::Pong(_) | Message::Frame(_))) => None,
            Some(Ok(Message::Close(_))) => {
                self.drain().await;
                Some(End::Freed)
            }
            Some(Ok(Message::Text(text))) => {
                self.on_client_message(codec::decode_text(&text)).await
            }
            Some(Ok(Message::Binary(bytes))) => {
                self.on_client_message(codec::decode_binary(&bytes)).await
            }
        }
    }

    async fn on_client_message(&mut self, decoded: Result<Value, Value>) -> Option<End> {
        let recorded = match &decoded {
            Ok(v) | Err(v) => v.clone(),
        };
        self.shared.update(|st| st.client_messages.push(recorded));
        if self.stall == Some(Stall::NoWelcome) {
            return None;
        }
        let Ok(Value::Object(obj)) = decoded else {
            return self.send_error(AlpacaError::InvalidSyntax).await;
        };
        match obj.get("action").and_then(Value::as_str) {
            Some("auth") if self.stall == Some(Stall::IgnoreAuth) => None,
            Some("auth") => {
                let key = obj.get("key").and_then(Value::as_str);
                let secret = obj.get("secret").and_then(Value::as_str);
                let (Some(key), Some(secret)) = (key, secret) else {
                    return self.send_error(AlpacaError::InvalidSyntax).await;
                };
                if self.authed {
                    return self.send_error(AlpacaError::AlreadyAuthenticated).await;
                }
                self.authenticate(key, secret).await
            }
            Some(action @ ("subscribe" | "unsubscribe")) => {
                if !self.authed {
                    return self.send_error(AlpacaError::NotAuthenticated).await;
                }
                let add = action == "subscribe";
                self.on_subscribe(&obj, add).await
            }
            _ => self.send_error(AlpacaError::InvalidSyntax).await,
        }
    }

    async fn send_error(&mut self, err: AlpacaError) -> Option<End> {
        self.send_or_end(&err.frame()).await
    }

    async fn authenticate(&mut self, key: &str, secret: &str) -> Option<End> {
        let shared = Arc::clone(&self.shared);
        let cfg = &shared.cfg;
        if key != cfg.key || secret != cfg.secret {
            return Some(self.close_with(AlpacaError::AuthFailed).await);
        }
        if matches!(self.feed.as_str(), "sip" | "delayed_sip") && !cfg.sip_allowed {
            return Some(self.close_with(AlpacaError::InsufficientSubscription).await);
        }
        let id = self.id;
        let got_slot = shared.update(|st| {
            if st.live_sessions + st.ghost_sessions >= cfg.sessions_per_key {
                return false;
            }
            st.live_sessions += 1;
            st.last_session_id = Some(id);
            st.last_subscription = Some(SubscriptionSet::default());
            true
        });
        if !got_slot {
            return Some(self.close_with(AlpacaError::ConnectionLimit).await);
        }
        self.holds_slot = true;
        self.authed = true;
        self.send_or_end(AUTHENTICATED).await
    }

    async fn on_subscribe(&mut self, request: &Map<String, Value>, add: bool) -> Option<End> {
        let mut next = self.subs.clone();
        for (key, value) in request {
            if key == "action" {
                continue;
            }
            let Some(ch) = Channel::from_key(key) else {
                return self.send_error(AlpacaError::InvalidSubscribeAction).await;
            };
            let Some(symbols) = symbol_list(value) else {
                return self.send_error(AlpacaError::InvalidSyntax).await;
            };
            if add {
                next.add(ch, &symbols);
            } else {
                next.remove(ch, &symbols);
            }
        }
        if add && next.trade_quote_symbols().len() > self.shared.cfg.symbol_limit {
            return self.send_error(AlpacaError::SymbolLimit).await;
        }
        self.subs = next;
        let (id, subs) = (self.id, self.subs.clone());
        self.shared.update(|st| {
            if st.last_session_id == Some(id) {
                st.last_subscription = Some(subs);
            }
        });
        let reply = self.subs.reply_frame();
        self.send_or_end(&reply).await
    }
}
