//! The one way tapewatch builds an HTTP client (Yahoo polling, the Alpaca Trading
//! API, notification webhooks, an attached screen's commands): rustls on the ring provider with webpki roots, so
//! no process-wide crypto provider is needed, and transport failures described in
//! the words an operator needs.

use reqwest::Client;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Yahoo answers the default client UAs with 429s or consent pages; a desktop
/// browser's string gets the JSON.
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpClientConfig {
    pub user_agent: String,
    pub connect_timeout_secs: u64,
    /// Backstop for a whole request; the poller also enforces its own per request.
    pub request_timeout_secs: u64,
    pub pool_idle_timeout_secs: u64,
    pub pool_max_idle_per_host: usize,
}

impl Default for HttpClientConfig {
    fn default() -> Self {
        HttpClientConfig {
            user_agent: BROWSER_USER_AGENT.to_string(),
            connect_timeout_secs: 5,
            request_timeout_secs: 10,
            pool_idle_timeout_secs: 90,
            pool_max_idle_per_host: 8,
        }
    }
}

#[derive(Debug, Error)]
pub enum ClientError {
    #[error("HTTP client: TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
    #[error("HTTP client could not be built: {0}")]
    Build(#[from] reqwest::Error),
}

/// Builds the one client every Yahoo request shares (its pool keeps connections warm).
///
/// The TLS config is built here rather than by reqwest, because reqwest is compiled
/// without a crypto provider (`rustls-no-provider`, keeping aws-lc-rs out of the tree)
/// and would otherwise need a process-wide default installed first.
pub fn build_client(cfg: &HttpClientConfig) -> Result<Client, ClientError> {
    let mut tls = tls_client_config()?;
    // reqwest is built for HTTP/1.1 only; a preconfigured TLS config must say so itself.
    tls.alpn_protocols = vec![b"http/1.1".to_vec()];
    let client = Client::builder()
        .tls_backend_preconfigured(tls)
        .user_agent(cfg.user_agent.as_str())
        .connect_timeout(Duration::from_secs(cfg.connect_timeout_secs))
        .timeout(Duration::from_secs(cfg.request_timeout_secs))
        .pool_idle_timeout(Duration::from_secs(cfg.pool_idle_timeout_secs))
        .pool_max_idle_per_host(cfg.pool_max_idle_per_host)
        .redirect(reqwest::redirect::Policy::limited(5))
        .build()?;
    Ok(client)
}

/// rustls on the ring provider with the webpki roots, for any TLS client (HTTP here,
/// `wss://` for `tapewatch attach`) without a process-wide crypto provider.
pub fn tls_client_config() -> Result<rustls::ClientConfig, rustls::Error> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// A transport failure in the words an operator needs: "connection refused",
/// "TLS: …", "connect timed out", else the innermost cause.
pub fn describe_error(e: &reqwest::Error) -> String {
    let mut cause: &(dyn std::error::Error + 'static) = e;
    let mut innermost = e.to_string();
    loop {
        if let Some(words) = known_cause(cause) {
            return words;
        }
        match cause.source() {
            Some(next) => {
                innermost = next.to_string();
                cause = next;
            }
            None => break,
        }
    }
    if e.is_timeout() && e.is_connect() {
        "connect timed out".into()
    } else if e.is_timeout() {
        "timed out".into()
    } else if e.is_connect() {
        format!("connect failed: {innermost}")
    } else if e.is_body() || e.is_decode() {
        format!("reading the body failed: {innermost}")
    } else {
        format!("request failed: {innermost}")
    }
}

/// The causes worth naming. An `io::Error`'s own `source()` skips the error it
/// wraps (rustls errors arrive wrapped twice), so this looks inside explicitly.
fn known_cause(cause: &(dyn std::error::Error + 'static)) -> Option<String> {
    if let Some(tls) = cause.downcast_ref::<rustls::Error>() {
        return Some(format!("TLS: {tls}"));
    }
    let io = cause.downcast_ref::<std::io::Error>()?;
    match io.kind() {
        std::io::ErrorKind::ConnectionRefused => Some("connection refused".into()),
        std::io::ErrorKind::ConnectionReset => Some("connection reset".into()),
        _ => {
            let inner = io.get_ref()?;
            known_cause(inner)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn client_builds_without_a_process_wide_crypto_provider() {
        let client = build_client(&HttpClientConfig::default());
        assert!(client.is_ok(), "{:?}", client.err());
    }
}
