//! The HTTP side of Yahoo polling: the one shared `reqwest` client (rustls on the
//! ring provider, webpki roots, a browser-like User-Agent), chart URL building, and
//! one chart fetch that always ends in a status and body or a plain-words failure.

use crate::domain::types::Symbol;
use reqwest::Client;
use std::sync::Arc;
use std::time::Duration;
use thiserror::Error;

/// Yahoo answers the default client UAs with 429s or consent pages; a desktop
/// browser's string gets the JSON.
pub const BROWSER_USER_AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) \
    AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36";

/// A chart body is a few tens of KiB; anything this large is not one.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub const DEFAULT_BASE_URL: &str = "https://query1.finance.yahoo.com";

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
    #[error("Yahoo HTTP client: TLS setup failed: {0}")]
    Tls(#[from] rustls::Error),
    #[error("Yahoo HTTP client could not be built: {0}")]
    Build(#[from] reqwest::Error),
}

/// Builds the one client every Yahoo request shares (its pool keeps connections warm).
///
/// The TLS config is built here rather than by reqwest, because reqwest is compiled
/// without a crypto provider (`rustls-no-provider`, keeping aws-lc-rs out of the tree)
/// and would otherwise need a process-wide default installed first.
pub fn build_client(cfg: &HttpClientConfig) -> Result<Client, ClientError> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()?
        .with_root_certificates(roots)
        .with_no_client_auth();
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

/// `{base}/v8/finance/chart/{SYMBOL}?range=1d&interval=1m`, the symbol percent-encoded.
pub fn chart_url(base_url: &str, symbol: &str) -> String {
    format!(
        "{}/v8/finance/chart/{}?range=1d&interval=1m",
        base_url.trim_end_matches('/'),
        encode_path_segment(symbol)
    )
}

/// Percent-encodes everything but RFC 3986 unreserved characters, so `^GSPC`,
/// `EURUSD=X` and `BRK/B` stay one path segment (`.` and `-` pass as they are).
pub fn encode_path_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(char::from(HEX[usize::from(b >> 4)]));
            out.push(char::from(HEX[usize::from(b & 0xf)]));
        }
    }
    out
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The inverse of [`encode_path_segment`]; malformed escapes are kept as written.
pub fn decode_path_segment(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) if hex(h).is_some() && hex(l).is_some() => {
                let v = hex(h).unwrap_or(0) * 16 + hex(l).unwrap_or(0);
                out.push(u8::try_from(v).unwrap_or(b'?'));
                i += 3;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The symbol a chart URL built by [`chart_url`] asks for, decoded (`%5EGSPC` → `^GSPC`).
pub fn symbol_from_chart_url(url: &str) -> Option<Symbol> {
    super::symbol_from_url(url).map(|s| Symbol::from(decode_path_segment(&s)))
}

/// One chart GET: `Ok((status, body))` for any HTTP response, or the reason no usable
/// response arrived. The body is read with a cap and must be UTF-8. Time limits are
/// the caller's (the poller wraps this in its own timeout).
pub async fn fetch_chart(client: &Client, url: &str) -> Result<(u16, String), String> {
    let mut resp = client
        .get(url)
        .header(reqwest::header::ACCEPT, "application/json,text/plain,*/*")
        .send()
        .await
        .map_err(|e| describe_error(&e))?;
    let status = resp.status().as_u16();
    if resp
        .content_length()
        .is_some_and(|n| n > MAX_BODY_BYTES as u64)
    {
        return Err(too_large());
    }
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(|e| describe_error(&e))? {
        if body.len() + chunk.len() > MAX_BODY_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let body = String::from_utf8(body).map_err(|_| "body is not UTF-8".to_string())?;
    Ok((status, body))
}

fn too_large() -> String {
    format!("body larger than {} MiB", MAX_BODY_BYTES / (1024 * 1024))
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
    fn chart_urls_encode_the_symbol_segment() {
        let base = "https://query1.finance.yahoo.com";
        let cases = [
            ("AAPL", "AAPL"),
            ("BRK.B", "BRK.B"),
            ("BRK-B", "BRK-B"),
            ("^GSPC", "%5EGSPC"),
            ("EURUSD=X", "EURUSD%3DX"),
            ("A B/C", "A%20B%2FC"),
            ("É", "%C3%89"),
        ];
        for (sym, seg) in cases {
            let url = chart_url(base, sym);
            assert_eq!(
                url,
                format!("{base}/v8/finance/chart/{seg}?range=1d&interval=1m"),
                "{sym}"
            );
            assert_eq!(symbol_from_chart_url(&url).as_deref(), Some(sym), "{sym}");
        }
        // A trailing slash on the base does not double up.
        assert_eq!(
            chart_url("http://127.0.0.1:9/", "AAPL"),
            "http://127.0.0.1:9/v8/finance/chart/AAPL?range=1d&interval=1m"
        );
    }

    #[test]
    fn decoding_keeps_malformed_escapes() {
        let cases = [("%5e", "^"), ("%", "%"), ("%G1", "%G1"), ("A%2", "A%2")];
        for (raw, want) in cases {
            assert_eq!(decode_path_segment(raw), want, "{raw}");
        }
    }

    #[test]
    fn client_builds_without_a_process_wide_crypto_provider() {
        let client = build_client(&HttpClientConfig::default());
        assert!(client.is_ok(), "{:?}", client.err());
    }
}
