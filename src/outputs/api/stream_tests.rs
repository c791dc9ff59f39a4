//! `/api/stream` over a real socket on 127.0.0.1: the schema, patches that rebuild
//! the engine's snapshot, the token and the client limit.

use super::*;
use crate::outputs::api::tests::sample;
use futures_util::StreamExt;
use secrecy::SecretString;
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::Error as WsError;

struct Served {
    addr: std::net::SocketAddr,
    snaps: watch::Sender<Arc<Snapshot>>,
    hub: Arc<StreamHub>,
    cancel: CancellationToken,
}

async fn serve(token: Option<&str>, max_clients: usize) -> Served {
    let (snaps, rx) = watch::channel(Arc::new(sample()));
    let (commands, _crx) = mpsc::channel(1);
    let api = ApiState {
        snapshots: rx.clone(),
        commands,
        meters: Default::default(),
        token: token.map(|t| Arc::new(SecretString::from(t))),
        exporter: None,
    };
    let cancel = CancellationToken::new();
    let hub = StreamHub::start(rx, max_clients, cancel.clone());
    let app = router(&api, hub.clone()).merge(crate::outputs::api::router(api));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(crate::outputs::api::serve(listener, app, cancel.clone()));
    Served {
        addr,
        snaps,
        hub,
        cancel,
    }
}

type Client =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

async fn connect(addr: std::net::SocketAddr, token: Option<&str>) -> Result<Client, WsError> {
    let mut req = format!("ws://{addr}/api/stream")
        .into_client_request()
        .unwrap();
    if let Some(t) = token {
        req.headers_mut()
            .insert("authorization", format!("Bearer {t}").parse().unwrap());
    }
    tokio_tungstenite::connect_async(req)
        .await
        .map(|(ws, _)| ws)
}

async fn next_json(ws: &mut Client) -> serde_json::Value {
    loop {
        let msg = tokio::time::timeout(Duration::from_secs(10), ws.next())
            .await
            .expect("a frame within 10 s")
            .unwrap()
            .unwrap();
        if let tokio_tungstenite::tungstenite::Message::Text(t) = msg {
            return serde_json::from_str(&t).unwrap();
        }
    }
}

/// The whole document the stream sends for `snap`.
fn document(snap: &Snapshot) -> serde_json::Value {
    let main = crate::engine::doc::main_part(snap).unwrap();
    let whole = Whole { main: &main, snap };
    serde_json::from_str(&serde_json::to_string(&whole).unwrap()).unwrap()
}

/// What a remote copy holds: everything but the recent prints (`/api/symbols` serves
/// them; the screen does not draw them).
fn remote(snap: &Snapshot) -> Snapshot {
    let mut s = snap.clone();
    s.watchlist.iter_mut().for_each(|v| v.tape.recent.clear());
    s
}

fn changed(seq: u64) -> Arc<Snapshot> {
    let mut s = sample();
    s.seq = seq;
    s.counters.messages += seq;
    Arc::new(s)
}

#[tokio::test]
async fn whole_then_patches_that_rebuild_each_snapshot() {
    let s = serve(None, 8).await;
    let mut ws = connect(s.addr, None).await.unwrap();
    let first = next_json(&mut ws).await;
    assert_eq!(first["v"], SCHEMA_VERSION);
    assert_eq!(first["type"], "snapshot");
    let mut held = first["snapshot"].clone();
    assert_eq!(held, document(&sample()));
    let mut decoder = crate::engine::doc::Decoder::default();
    assert_eq!(decoder.decode(&held, None).unwrap(), remote(&sample()));
    let mut seq = first["seq"].as_u64().unwrap();
    for n in 2..6 {
        let snap = changed(n);
        s.snaps.send_replace(snap.clone());
        let m = next_json(&mut ws).await;
        assert_eq!(m["type"], "patch", "{m}");
        assert_eq!(m["base"].as_u64(), Some(seq));
        seq = m["seq"].as_u64().unwrap();
        let ops: json_patch::Patch = serde_json::from_value(m["patch"].clone()).unwrap();
        json_patch::patch(&mut held, &ops).unwrap();
        assert_eq!(held, document(&snap));
        assert_eq!(decoder.decode(&held, Some(&ops)).unwrap(), remote(&snap));
    }
    assert_eq!(s.hub.clients(), 1);
    drop(ws);
    s.cancel.cancel();
}

#[tokio::test]
async fn a_wrong_token_is_a_401_before_any_socket() {
    let s = serve(Some("right-token"), 8).await;
    for bad in [None, Some("wrong-token")] {
        match connect(s.addr, bad).await {
            Err(WsError::Http(resp)) => assert_eq!(resp.status(), 401),
            other => panic!("{bad:?}: {:?}", other.map(|_| ())),
        }
    }
    let mut ws = connect(s.addr, Some("right-token")).await.unwrap();
    assert_eq!(next_json(&mut ws).await["type"], "snapshot");
    s.cancel.cancel();
}

#[tokio::test]
async fn one_client_too_many_is_a_503_with_the_reason() {
    let s = serve(None, 1).await;
    let mut first = connect(s.addr, None).await.unwrap();
    next_json(&mut first).await;
    match connect(s.addr, None).await {
        Err(WsError::Http(resp)) => {
            assert_eq!(resp.status(), 503);
            let body = String::from_utf8_lossy(resp.body().as_deref().unwrap_or_default());
            assert!(body.contains("api.max_stream_clients"), "{body}");
        }
        other => panic!("{:?}", other.map(|_| ())),
    }
    // The slot comes back when the first one leaves.
    first.close(None).await.unwrap();
    let mut again = None;
    for _ in 0..50 {
        if let Ok(ws) = connect(s.addr, None).await {
            again = Some(ws);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(again.is_some(), "the slot was never freed");
    s.cancel.cancel();
}

#[tokio::test(start_paused = true)]
async fn nothing_is_serialised_while_nobody_listens() {
    let (tx, rx) = watch::channel(Arc::new(sample()));
    let hub = StreamHub::start(rx, 2, CancellationToken::new());
    for n in 2..5 {
        tx.send_replace(changed(n));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    assert!(hub.frames.borrow().is_none());
}

#[tokio::test]
async fn a_client_behind_gets_the_whole_snapshot() {
    let snap = Arc::new(sample());
    let f = Frame {
        seq: 7,
        main: Arc::new(crate::engine::doc::main_part(&snap).unwrap()),
        snap,
        whole: OnceCell::new(),
        whole_len: Arc::default(),
        patch: Some(Arc::from("patch")),
    };
    assert_eq!(f.for_client(Some(6)).await.as_deref(), Some("patch"));
    let whole = f.for_client(Some(5)).await.unwrap();
    assert!(whole.starts_with(r#"{"v":1,"seq":7,"type":"snapshot","snapshot":{"#));
    assert!(whole.ends_with(r#""charts":{}}}"#) || whole.contains(r#""charts":{"#));
    assert_eq!(f.whole_len.load(Ordering::Relaxed), whole.len());
    assert_eq!(f.for_client(None).await, Some(whole.clone()));
    let no_patch = Frame {
        patch: None,
        whole: OnceCell::new(),
        ..f
    };
    assert_eq!(no_patch.for_client(Some(6)).await, Some(whole));
}
