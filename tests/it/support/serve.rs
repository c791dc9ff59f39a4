//! An axum app served on 127.0.0.1 for the HTTP mocks: stopped gracefully on
//! `shutdown` (later requests are refused), aborted when dropped.

use std::time::Duration;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub struct Served {
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
}

impl Served {
    pub fn start(listener: tokio::net::TcpListener, app: axum::Router) -> Served {
        let (stop, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await;
        });
        Served {
            stop: Some(stop),
            task: Some(task),
        }
    }

    /// Stops listening and closes idle connections. In-flight slow answers could hold
    /// a graceful stop open; this waits at most 2 s for them.
    pub async fn shutdown(&mut self, name: &str) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            if tokio::time::timeout(Duration::from_secs(2), task)
                .await
                .is_err()
            {
                eprintln!("{name}: graceful shutdown took over 2 s");
            }
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        if let Some(task) = self.task.take() {
            task.abort();
        }
    }
}
