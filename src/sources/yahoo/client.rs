//! The HTTP side of Yahoo polling: chart URL building and one chart fetch that
//! always ends in a status and body or a plain-words failure. The client itself is
//! [`crate::plumbing::http`]'s.

use crate::plumbing::http::describe_error;
use reqwest::Client;

/// A chart body is a few tens of KiB; anything this large is not one.
pub const MAX_BODY_BYTES: usize = 2 * 1024 * 1024;

pub const DEFAULT_BASE_URL: &str = "https://query1.finance.yahoo.com";

/// Everything but RFC 3986's unreserved characters is escaped, so `^GSPC`,
/// `EURUSD=X` and `BRK/B` stay one path segment (`.` and `-` pass as they are).
const SEGMENT: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// `{base}/v8/finance/chart/{SYMBOL}?range=1d&interval=1m`, the symbol percent-encoded.
pub fn chart_url(base_url: &str, symbol: &str) -> String {
    format!(
        "{}/v8/finance/chart/{}?range=1d&interval=1m",
        base_url.trim_end_matches('/'),
        percent_encoding::utf8_percent_encode(symbol, SEGMENT)
    )
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::messages::yahoo::symbol_from_chart_url;

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
}
