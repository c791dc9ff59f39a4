//! The Alpaca Trading API over REST: `GET /v2/account`, `/v2/positions` and
//! `/v2/clock` with the key headers, errors in plain words (never carrying the
//! keys), the sliding one-minute request window that keeps us under Alpaca's
//! 200 requests a minute, and the poller task ([`RestPoller`]) that feeds the
//! engine [`RestUpdate`]s.

#[path = "rest_poller.rs"]
mod poller;

#[cfg(test)]
#[path = "rest_tests.rs"]
pub(crate) mod tests;

use crate::messages::rest::RestError;
pub use poller::RestPoller;

use crate::domain::market::clock::{parse_clock, MarketClock};
use crate::domain::portfolio::{Account, BrokerPosition};
use crate::plumbing::http::describe_error;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, RETRY_AFTER};
use secrecy::{ExposeSecret, SecretString};
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;

/// The paper-trading host; `APCA_API_BASE_URL` points elsewhere (the live host).
pub const DEFAULT_BASE_URL: &str = "https://paper-api.alpaca.markets";
/// The market-data host (historical data and metadata such as the condition lists);
/// `APCA_API_DATA_URL` or `alpaca.data_url` points elsewhere.
pub const DEFAULT_DATA_URL: &str = "https://data.alpaca.markets";
/// A positions list of a few thousand entries fits; anything larger is not one.
pub const MAX_BODY_BYTES: usize = 8 * 1024 * 1024;
/// How much of an unexpected body an error message quotes.
const EXCERPT_CHARS: usize = 200;

#[derive(Clone, Debug)]
pub struct RestConfig {
    /// Without a trailing `/v2`: `https://paper-api.alpaca.markets`.
    pub base_url: String,
    /// The market-data host, without `/v2`: where the condition lists are fetched.
    pub data_url: String,
    pub key_id: SecretString,
    pub secret_key: SecretString,
    /// Account and positions are fetched this often.
    pub poll_interval_secs: u64,
    /// The market clock changes twice a day; asking every minute is plenty.
    pub clock_interval_secs: u64,
    /// Our own cap, under Alpaca's 200 a minute shared with anything else on the key.
    pub max_requests_per_min: u32,
    pub request_timeout_secs: u64,
    /// The pause after a 429 that carried no usable `Retry-After`.
    pub rate_limit_backoff_secs: u64,
}

impl RestConfig {
    pub fn new(key_id: SecretString, secret_key: SecretString) -> RestConfig {
        RestConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            data_url: DEFAULT_DATA_URL.to_string(),
            key_id,
            secret_key,
            poll_interval_secs: 15,
            clock_interval_secs: 60,
            max_requests_per_min: 200,
            request_timeout_secs: 10,
            rate_limit_backoff_secs: 60,
        }
    }
}

/// `Retry-After` in seconds; the HTTP-date form is not used by Alpaca and reads as absent.
pub fn parse_retry_after(value: &str) -> Option<u64> {
    value.trim().parse::<u64>().ok()
}

/// Requests sent in the last minute, so the poller can stay under its cap and
/// report how much of it is used (the "> 80 % of a rate limit" alert).
#[derive(Clone, Debug)]
pub struct RateWindow {
    limit: u32,
    window: Duration,
    sent: VecDeque<Instant>,
}

impl RateWindow {
    pub fn per_minute(limit: u32) -> RateWindow {
        RateWindow::new(limit, Duration::from_secs(60))
    }

    pub fn new(limit: u32, window: Duration) -> RateWindow {
        RateWindow {
            limit,
            window,
            sent: VecDeque::new(),
        }
    }

    pub fn limit(&self) -> u32 {
        self.limit
    }

    fn expire(&mut self, now: Instant) {
        while let Some(&t) = self.sent.front() {
            if now.saturating_duration_since(t) >= self.window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }

    /// Counts a request at `now` if the window has room; false (and nothing
    /// counted) when it is full.
    pub fn try_acquire(&mut self, now: Instant) -> bool {
        self.expire(now);
        if self.sent.len() >= self.limit as usize {
            return false;
        }
        self.sent.push_back(now);
        true
    }

    pub fn used(&mut self, now: Instant) -> u32 {
        self.expire(now);
        u32::try_from(self.sent.len()).unwrap_or(u32::MAX)
    }

    /// Share of the cap used over the last window, in percent.
    pub fn used_pct(&mut self, now: Instant) -> f64 {
        if self.limit == 0 {
            return 100.0;
        }
        f64::from(self.used(now)) * 100.0 / f64::from(self.limit)
    }

    /// When the next request may go, if the window is full now.
    pub fn next_free(&mut self, now: Instant) -> Option<Instant> {
        self.expire(now);
        if self.sent.len() < self.limit as usize {
            return None;
        }
        // Full with limit 0: nothing ever frees; wait a window and look again.
        Some(
            self.sent
                .front()
                .map_or(now + self.window, |t| *t + self.window),
        )
    }
}

/// The three GETs, sharing the app's one `reqwest` client
/// ([`crate::plumbing::http::build_client`]).
#[derive(Clone)]
pub struct RestClient {
    http: reqwest::Client,
    base_url: String,
    headers: HeaderMap,
    timeout: Duration,
    /// Kept only to scrub them out of error texts should a server echo them.
    secrets: Arc<[SecretString; 2]>,
}

impl fmt::Debug for RestClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RestClient")
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

fn secret_header(value: &SecretString, name: &'static str) -> Result<HeaderValue, RestError> {
    let mut v =
        HeaderValue::from_str(value.expose_secret()).map_err(|_| RestError::BadCredential(name))?;
    v.set_sensitive(true);
    Ok(v)
}

/// The deepest nesting a Trading API body may have; Alpaca's are 2 levels
/// (an array of position objects). serde_json stops at 128 on its own.
pub const MAX_BODY_DEPTH: usize = 32;

fn shallow(body: &str) -> Result<(), String> {
    crate::domain::wire::depth::check(body.as_bytes(), MAX_BODY_DEPTH)
        .map_err(|d| format!("body is {d}"))
}

/// `GET /v2/account`'s body, or why it is not one.
pub fn decode_account(body: &str) -> Result<Account, String> {
    shallow(body)?;
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// `GET /v2/positions`'s body, or why it is not one.
pub fn decode_positions(body: &str) -> Result<Vec<BrokerPosition>, String> {
    shallow(body)?;
    serde_json::from_str(body).map_err(|e| e.to_string())
}

/// `GET /v2/clock`'s body, or why it is not one.
pub fn decode_clock(body: &str) -> Result<MarketClock, String> {
    shallow(body)?;
    parse_clock(body).map_err(|e| e.to_string())
}

impl RestClient {
    pub fn new(cfg: &RestConfig, http: reqwest::Client) -> Result<RestClient, RestError> {
        let mut headers = HeaderMap::new();
        headers.insert(
            "APCA-API-KEY-ID",
            secret_header(&cfg.key_id, "APCA_API_KEY_ID")?,
        );
        headers.insert(
            "APCA-API-SECRET-KEY",
            secret_header(&cfg.secret_key, "APCA_API_SECRET_KEY")?,
        );
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        Ok(RestClient {
            http,
            base_url: cfg.base_url.trim_end_matches('/').to_string(),
            headers,
            timeout: Duration::from_secs(cfg.request_timeout_secs),
            secrets: Arc::new([cfg.key_id.clone(), cfg.secret_key.clone()]),
        })
    }

    pub async fn get_account(&self) -> Result<Account, RestError> {
        const EP: &str = "/v2/account";
        let body = self.get(EP).await?;
        decode_account(&body).map_err(|e| self.decode_error(EP, &e))
    }

    pub async fn get_positions(&self) -> Result<Vec<BrokerPosition>, RestError> {
        const EP: &str = "/v2/positions";
        let body = self.get(EP).await?;
        decode_positions(&body).map_err(|e| self.decode_error(EP, &e))
    }

    pub async fn get_clock(&self) -> Result<MarketClock, RestError> {
        const EP: &str = "/v2/clock";
        let body = self.get(EP).await?;
        decode_clock(&body).map_err(|e| self.decode_error(EP, &e))
    }

    /// A condition list on the market-data host (the client must be built with
    /// `base_url` = the data host): `{"code": "description", ...}`.
    pub async fn get_conditions(
        &self,
        endpoint: &'static str,
    ) -> Result<std::collections::BTreeMap<String, String>, RestError> {
        let body = self.get(endpoint).await?;
        shallow(&body)
            .and_then(|()| serde_json::from_str(&body).map_err(|e| e.to_string()))
            .map_err(|e| self.decode_error(endpoint, &e))
    }

    fn decode_error(&self, endpoint: &'static str, message: &str) -> RestError {
        RestError::Decode {
            endpoint,
            message: self.scrub(message),
        }
    }

    /// One GET within the request timeout: the body of a 2xx, else the error.
    async fn get(&self, endpoint: &'static str) -> Result<String, RestError> {
        match tokio::time::timeout(self.timeout, self.get_inner(endpoint)).await {
            Ok(r) => r,
            Err(_) => Err(RestError::Transport {
                endpoint,
                reason: format!("timed out after {} s", self.timeout.as_secs()),
            }),
        }
    }

    async fn get_inner(&self, endpoint: &'static str) -> Result<String, RestError> {
        let transport = |e: &reqwest::Error| RestError::Transport {
            endpoint,
            reason: describe_error(e),
        };
        let mut resp = self
            .http
            .get(format!("{}{endpoint}", self.base_url))
            .headers(self.headers.clone())
            .send()
            .await
            .map_err(|e| transport(&e))?;
        let status = resp.status().as_u16();
        let retry_after = resp
            .headers()
            .get(RETRY_AFTER)
            .and_then(|v| v.to_str().ok())
            .and_then(parse_retry_after);
        let mut body = Vec::new();
        while let Some(chunk) = resp.chunk().await.map_err(|e| transport(&e))? {
            if body.len() + chunk.len() > MAX_BODY_BYTES {
                return Err(RestError::Transport {
                    endpoint,
                    reason: format!("body larger than {} MiB", MAX_BODY_BYTES >> 20),
                });
            }
            body.extend_from_slice(&chunk);
        }
        let body = String::from_utf8_lossy(&body).into_owned();
        match status {
            200..=299 => Ok(body),
            401 | 403 => Err(RestError::Unauthorized { endpoint, status }),
            429 => Err(RestError::RateLimited {
                endpoint,
                retry_after_secs: retry_after,
            }),
            _ => Err(RestError::Http {
                endpoint,
                status,
                body: self.excerpt(&body),
            }),
        }
    }

    fn excerpt(&self, body: &str) -> String {
        // Scrub before cutting, so a cut cannot leave half a key behind.
        let flat = self.scrub(&body.split_whitespace().collect::<Vec<_>>().join(" "));
        let mut out: String = flat.chars().take(EXCERPT_CHARS).collect();
        if flat.chars().count() > EXCERPT_CHARS {
            out.push('…');
        }
        out
    }

    fn scrub(&self, text: &str) -> String {
        scrub_secrets(text, self.secrets.as_ref())
    }
}

/// Replaces every occurrence of a (non-empty) secret with `***`.
pub fn scrub_secrets(text: &str, secrets: &[SecretString]) -> String {
    let mut out = text.to_string();
    for s in secrets {
        let s = s.expose_secret();
        if !s.is_empty() && out.contains(s) {
            out = out.replace(s, "***");
        }
    }
    out
}
