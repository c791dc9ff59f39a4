//! At a live start, Alpaca's trade-condition lists for tapes A, B and C
//! (`GET /v2/stocks/meta/conditions/trade?tape=…` on the market-data host, with the
//! Trading API's key headers, timeout and body limits) are compared with the built-in
//! tables; the result goes to the engine, which logs what the table does not know.

use crate::domain::conditions::compare;
use crate::messages::FeedEvent;
use crate::plumbing::channels::Meters;
use crate::plumbing::http::{build_client, HttpClientConfig};
use crate::sources::alpaca::rest::{RestClient, RestConfig};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The three lists, one request each.
pub const ENDPOINTS: [(char, &str); 3] = [
    ('A', "/v2/stocks/meta/conditions/trade?tape=A"),
    ('B', "/v2/stocks/meta/conditions/trade?tape=B"),
    ('C', "/v2/stocks/meta/conditions/trade?tape=C"),
];

/// Fetches and compares the lists; never fails (a list that cannot be had is reported).
pub async fn check(
    cfg: &RestConfig,
) -> Vec<(char, Result<crate::domain::conditions::TableCheck, String>)> {
    let http = HttpClientConfig {
        request_timeout_secs: cfg.request_timeout_secs,
        ..HttpClientConfig::default()
    };
    let data = RestConfig {
        base_url: cfg.data_url.clone(),
        ..cfg.clone()
    };
    let client = build_client(&http)
        .map_err(|e| e.to_string())
        .and_then(|h| RestClient::new(&data, h).map_err(|e| e.to_string()));
    let mut out = Vec::with_capacity(ENDPOINTS.len());
    for (tape, ep) in ENDPOINTS {
        let r = match &client {
            Ok(c) => c
                .get_conditions(ep)
                .await
                .map(|list| compare(tape, &list))
                .map_err(|e| describe(&e)),
            Err(e) => Err(e.clone()),
        };
        match &r {
            Ok(c) if c.unknown.is_empty() => {
                tracing::info!(tape = %tape, known = c.known, "trade condition list matches the table")
            }
            Ok(c) => {
                tracing::warn!(tape = %tape, unknown = ?c.unknown, "trade condition codes unknown to the table")
            }
            Err(e) => tracing::warn!(tape = %tape, error = %e, "trade condition list not checked"),
        }
        out.push((tape, r));
    }
    out
}

/// The Trading API's error words, for the market-data host.
fn describe(e: &crate::messages::rest::RestError) -> String {
    use crate::messages::rest::RestError;
    match e {
        RestError::Unauthorized { endpoint, status } => format!(
            "Alpaca market data {endpoint}: HTTP {status}, not authorized: check \
             APCA_API_KEY_ID/APCA_API_SECRET_KEY and APCA_API_DATA_URL"
        ),
        other => other
            .to_string()
            .replacen("Alpaca Trading API", "Alpaca market data", 1),
    }
}

/// Runs [`check`] once and hands the result to the engine.
pub(super) fn spawn_condition_check(
    cfg: RestConfig,
    feed_tx: mpsc::Sender<FeedEvent>,
    meters: &Meters,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    let meter = meters.feed.clone();
    tokio::spawn(async move {
        let lists = tokio::select! {
            l = check(&cfg) => l,
            () = cancel.cancelled() => return,
        };
        let _ = crate::plumbing::channels::send_wait(
            &feed_tx,
            &meter,
            FeedEvent::ConditionLists(lists),
        )
        .await;
    })
}
