//! The live Alpaca Trading API poller wired to the engine: its results go to the
//! engine's feed channel, and a fresh `/v2/clock` answer is shared with the stream task
//! so both agree on market hours.

use super::live::SharedClock;
use crate::domain::clock::Clock;
use crate::domain::types::Ts;
use crate::messages::FeedEvent;
use crate::plumbing::channels::Meters;
use crate::plumbing::http::{build_client, HttpClientConfig};
use std::sync::Arc;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The Trading API poller and the task that hands its results to the engine. A client
/// that cannot be built is reported to the engine as a failed update, not dropped.
pub(super) fn spawn_rest(
    cfg: crate::sources::alpaca::rest::RestConfig,
    clock: Arc<dyn Clock>,
    hold_rx: watch::Receiver<Option<Ts>>,
    feed_tx: mpsc::Sender<FeedEvent>,
    meters: &Meters,
    cancel: CancellationToken,
    market_clock: SharedClock,
) -> JoinHandle<()> {
    use crate::messages::rest::RestError;
    use crate::messages::rest::RestUpdate;
    use crate::sources::alpaca::rest::{RestClient, RestPoller};
    let meter = meters.feed.clone();
    let http = HttpClientConfig {
        request_timeout_secs: cfg.request_timeout_secs,
        ..HttpClientConfig::default()
    };
    let client = build_client(&http)
        .map_err(|e| RestError::Transport {
            endpoint: "client",
            reason: e.to_string(),
        })
        .and_then(|h| RestClient::new(&cfg, h));
    tokio::spawn(async move {
        let client = match client {
            Ok(c) => c,
            Err(e) => {
                let u = RestUpdate::Account {
                    at: clock.now(),
                    result: Err(e),
                };
                let _ = crate::plumbing::channels::send_wait(&feed_tx, &meter, FeedEvent::Rest(u))
                    .await;
                return;
            }
        };
        // The poller's own bounded queue; its results go on to the engine's feed channel
        // with backpressure (they are few: a handful per 15 s).
        let (tx, mut rx) = mpsc::channel(16);
        let stop = cancel.child_token();
        let poller =
            tokio::spawn(RestPoller::new(&cfg, client, clock, hold_rx, tx).run(stop.clone()));
        while let Some(u) = rx.recv().await {
            if let RestUpdate::Clock { result: Ok(c), .. } = &u {
                if let Ok(mut g) = market_clock.write() {
                    *g = Some(*c);
                }
            }
            if crate::plumbing::channels::send_wait(&feed_tx, &meter, FeedEvent::Rest(u))
                .await
                .is_err()
            {
                break;
            }
        }
        stop.cancel();
        let _ = poller.await;
    })
}
