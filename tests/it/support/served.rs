//! A headless tapewatch in the test process: the demo replayed by the real engine
//! (to its end and held, or paced), its API and `/api/stream` on 127.0.0.1, and a
//! count of the `POST`s it received, for `tapewatch attach` to connect to.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use tapewatch::app::pipeline::{self, Running, Setup};
use tapewatch::engine::snapshot::{Mode, Snapshot};
use tapewatch::outputs::api::{self, stream::StreamHub, ApiState};
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::sources::fixture::replay::Speed;
use tapewatch::sources::fixture::DEMO_FIXTURE;
use tokio::sync::watch;
use tokio_util::sync::CancellationToken;

pub struct Server {
    pub addr: SocketAddr,
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    /// `POST`s that reached the API (before the token check).
    pub posts: Arc<AtomicUsize>,
    running: Running,
    api_cancel: CancellationToken,
    api: tokio::task::JoinHandle<std::io::Result<()>>,
}

impl Server {
    /// The demo at `speed` (held when it ends) behind an API on `addr` (port 0 for any).
    pub async fn start(addr: &str, token: Option<&str>, speed: Speed) -> Server {
        let reader = FixtureReader::from_static("demo", DEMO_FIXTURE).unwrap();
        let mut setup = Setup::new(Mode::Demo);
        setup.hold = true;
        let running = pipeline::start(reader, setup, speed).unwrap();
        let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let state = ApiState {
            snapshots: running.snapshots.clone(),
            commands: running.commands.clone(),
            meters: running.meters.clone(),
            token: token.map(|t| Arc::new(secrecy::SecretString::from(t))),
            exporter: None,
        };
        let api_cancel = CancellationToken::new();
        let hub = StreamHub::start(running.snapshots.clone(), 32, api_cancel.child_token());
        let posts = Arc::new(AtomicUsize::new(0));
        let counted = posts.clone();
        let app = api::stream::router(&state, hub)
            .merge(api::router(state))
            .layer(axum::middleware::from_fn(
                move |req: axum::extract::Request, next: axum::middleware::Next| {
                    if req.method() == axum::http::Method::POST {
                        counted.fetch_add(1, Ordering::SeqCst);
                    }
                    next.run(req)
                },
            ));
        let api = tokio::spawn(api::serve(listener, app, api_cancel.clone()));
        Server {
            addr,
            snapshots: running.snapshots.clone(),
            posts,
            running,
            api_cancel,
            api,
        }
    }

    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The demo finished and held: its picture no longer changes.
    pub async fn at_its_end(&self) -> Arc<Snapshot> {
        let mut rx = self.snapshots.clone();
        let snap = tokio::time::timeout(
            std::time::Duration::from_secs(30),
            rx.wait_for(|s| s.replay.as_ref().is_some_and(|p| p.finished)),
        )
        .await
        .expect("the demo ends within 30 s")
        .unwrap()
        .clone();
        snap
    }

    /// Stops serving (open links are closed) and the engine, as a killed server would.
    pub async fn kill(self) {
        self.api_cancel.cancel();
        let mut api = self.api;
        if tokio::time::timeout(std::time::Duration::from_secs(2), &mut api)
            .await
            .is_err()
        {
            api.abort();
        }
        self.running.cancel.cancel();
        let _ = self.running.engine.await;
        self.running.feed.join().await;
    }
}
