//! Backfill of today's one-minute bars from Alpaca's market-data REST API
//! (`GET {data_url}/v2/stocks/{symbol}/bars?timeframe=1Min&start=…`), so a symbol's
//! chart is never empty when it starts being watched (at start, and when one is
//! added). The task takes symbols from a bounded queue, fetches up to
//! [`MAX_PAGES`] pages per symbol one symbol at a time with the key headers, and
//! hands each result to the engine as a [`FeedEvent::Backfill`].

use crate::domain::bars::rest::parse_page;
use crate::domain::bars::MinuteBar;
use crate::domain::clock::Clock;
use crate::domain::types::{Symbol, Ts};
use crate::messages::rest::BarsBackfill;
use crate::messages::FeedEvent;
use crate::plumbing::channels::{send_wait, Meter};
use crate::plumbing::http::describe_error;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT};
use secrecy::{ExposeSecret, SecretString};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Alpaca's market-data host; `APCA_API_DATA_URL` or `alpaca.data_url` replaces it.
pub const DEFAULT_DATA_URL: &str = "https://data.alpaca.markets";
/// A day of minutes is one page (limit 10000); a few more pages cover a feed that
/// pages early. Beyond this the chart keeps what it has.
pub const MAX_PAGES: usize = 3;
/// A bars page of 10,000 bars is about 1 MiB.
pub const MAX_BODY_BYTES: usize = 4 * 1024 * 1024;

#[derive(Clone, Debug)]
pub struct BarsConfig {
    /// Without a trailing `/v2`: `https://data.alpaca.markets`.
    pub data_url: String,
    /// iex, sip or delayed_sip (the stream's feed).
    pub feed: String,
    pub key_id: SecretString,
    pub secret_key: SecretString,
    pub request_timeout_secs: u64,
}

/// The bars client: the app's one HTTP client plus the key headers.
#[derive(Clone)]
pub struct BarsClient {
    http: reqwest::Client,
    cfg: Arc<BarsConfig>,
    headers: HeaderMap,
}

fn sensitive(v: &SecretString, name: &str) -> Result<HeaderValue, String> {
    let mut h = HeaderValue::from_str(v.expose_secret())
        .map_err(|_| format!("{name} is not a valid header value"))?;
    h.set_sensitive(true);
    Ok(h)
}

impl BarsClient {
    pub fn new(cfg: BarsConfig, http: reqwest::Client) -> Result<BarsClient, String> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "APCA-API-KEY-ID",
            sensitive(&cfg.key_id, "APCA_API_KEY_ID")?,
        );
        headers.insert(
            "APCA-API-SECRET-KEY",
            sensitive(&cfg.secret_key, "APCA_API_SECRET_KEY")?,
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Ok(BarsClient {
            http,
            cfg: Arc::new(cfg),
            headers,
        })
    }

    /// Today's bars for `symbol` from `start` on (every page up to [`MAX_PAGES`]).
    pub async fn today(&self, symbol: &Symbol, start: Ts) -> Result<Vec<MinuteBar>, String> {
        let mut bars = Vec::new();
        let mut token: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let body = self.page(symbol, start, token.as_deref()).await?;
            let (mut page, next) = parse_page(&body)
                .map_err(|e| format!("/v2/stocks/{symbol}/bars: not a bars page: {e}"))?;
            bars.append(&mut page);
            match next {
                Some(t) => token = Some(t),
                None => break,
            }
        }
        Ok(bars)
    }

    async fn page(
        &self,
        symbol: &Symbol,
        start: Ts,
        token: Option<&str>,
    ) -> Result<String, String> {
        let endpoint = format!("/v2/stocks/{symbol}/bars");
        let url = format!("{}{endpoint}", self.cfg.data_url.trim_end_matches('/'));
        let mut query: Vec<(&str, String)> = vec![
            ("timeframe", "1Min".into()),
            ("start", start.to_rfc3339()),
            ("limit", "10000".into()),
            ("adjustment", "raw".into()),
            ("feed", self.cfg.feed.clone()),
        ];
        if let Some(t) = token {
            query.push(("page_token", t.to_string()));
        }
        let url = url::Url::parse_with_params(&url, &query)
            .map_err(|e| format!("{endpoint}: bad data URL {:?}: {e}", self.cfg.data_url))?;
        let timeout = Duration::from_secs(self.cfg.request_timeout_secs);
        let send = self.http.get(url).headers(self.headers.clone()).send();
        let mut resp = match tokio::time::timeout(timeout, send).await {
            Ok(Ok(r)) => r,
            Ok(Err(e)) => return Err(format!("{endpoint}: {}", describe_error(&e))),
            Err(_) => {
                return Err(format!(
                    "{endpoint}: timed out after {} s",
                    timeout.as_secs()
                ))
            }
        };
        let status = resp.status().as_u16();
        let mut body = Vec::new();
        loop {
            let chunk = match tokio::time::timeout(timeout, resp.chunk()).await {
                Ok(Ok(Some(c))) => c,
                Ok(Ok(None)) => break,
                Ok(Err(e)) => return Err(format!("{endpoint}: {}", describe_error(&e))),
                Err(_) => return Err(format!("{endpoint}: timed out reading the body")),
            };
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(format!(
                    "{endpoint}: body larger than {} MiB",
                    MAX_BODY_BYTES >> 20
                ));
            }
            body.extend_from_slice(&chunk);
        }
        let text = String::from_utf8_lossy(&body).into_owned();
        match status {
            200..=299 => Ok(text),
            401 | 403 => Err(format!(
                "{endpoint}: HTTP {status}: the keys are not accepted for market data"
            )),
            _ => {
                let excerpt: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                let excerpt: String = excerpt.chars().take(200).collect();
                let excerpt = crate::sources::alpaca::rest::scrub_secrets(
                    &excerpt,
                    &[self.cfg.key_id.clone(), self.cfg.secret_key.clone()],
                );
                Err(format!("{endpoint}: HTTP {status}: {excerpt}"))
            }
        }
    }
}

/// 04:00 in New York on the day `now` falls in: the start of pre-market, and of
/// what the bar ring holds.
pub fn session_start(now: Ts) -> Ts {
    use chrono::TimeZone;
    use chrono_tz::America::New_York;
    let day = now.to_datetime().with_timezone(&New_York).date_naive();
    day.and_hms_opt(4, 0, 0)
        .and_then(|t| New_York.from_local_datetime(&t).earliest())
        .map_or(now, |d| Ts::from_secs(d.timestamp()))
}

/// Runs until `cancel` or until the engine is gone: each symbol asked for is
/// fetched and its bars (or the reason they could not be had) go to the engine.
pub fn spawn(
    client: BarsClient,
    clock: Arc<dyn Clock>,
    mut requests: mpsc::Receiver<Vec<Symbol>>,
    feed_tx: mpsc::Sender<FeedEvent>,
    meter: Arc<Meter>,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            let symbols = tokio::select! {
                () = cancel.cancelled() => return,
                r = requests.recv() => match r {
                    Some(s) => s,
                    None => return,
                },
            };
            for symbol in symbols {
                let start = session_start(clock.now());
                let result = tokio::select! {
                    () = cancel.cancelled() => return,
                    r = client.today(&symbol, start) => r,
                };
                let ev = FeedEvent::Backfill(BarsBackfill {
                    at: clock.now(),
                    symbol,
                    result,
                });
                if send_wait(&feed_tx, &meter, ev).await.is_err() {
                    return;
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_session_starts_at_four_in_new_york() {
        // 15:04 UTC on 17 Nov 2026 is 10:04 EST; 04:00 EST is 09:00 UTC.
        let now = Ts::parse_rfc3339("2026-11-17T15:04:00Z").unwrap();
        assert_eq!(
            session_start(now),
            Ts::parse_rfc3339("2026-11-17T09:00:00Z").unwrap()
        );
        // In summer (EDT), 04:00 is 08:00 UTC.
        let now = Ts::parse_rfc3339("2026-07-01T13:00:00Z").unwrap();
        assert_eq!(
            session_start(now),
            Ts::parse_rfc3339("2026-07-01T08:00:00Z").unwrap()
        );
    }
}
