//! How the stream task reads what the server and the network said: which frames
//! hold control messages, and the words for a failure (lastError, the event log and
//! the log file use them, so they carry the runbook's phrases: "Connection
//! timeout", "Connection refused", "Network unreachable").

use super::backoff::Failure;
use tokio_tungstenite::tungstenite;

/// Why the server ended a connection; `last_error` is the explanation of the last
/// server error, when one came before the close (it is usually why).
pub(super) fn closed_reason(detail: Option<String>, last_error: Option<&String>) -> String {
    match (last_error, detail) {
        (Some(err), _) => format!("closed by server after error {err}"),
        (None, Some(d)) => format!("closed by server ({d})"),
        (None, None) => "connection closed".into(),
    }
}

pub(super) fn classify_connect_error(url: &str, e: tungstenite::Error) -> Failure {
    if let tungstenite::Error::Http(resp) = &e {
        let status = resp.status().as_u16();
        return match status {
            429 => Failure::RateLimited,
            401 | 403 | 404 => Failure::Fatal(format!(
                "HTTP {status} on the WebSocket upgrade to {url}: check the stream URL (APCA_API_STREAM_URL, alpaca.feed) and the credentials"
            )),
            _ => Failure::Transient(format!("HTTP {status} on the WebSocket upgrade")),
        };
    }
    if let tungstenite::Error::Io(io) = &e {
        use std::io::ErrorKind;
        let what = match io.kind() {
            ErrorKind::ConnectionRefused => Some("Connection refused"),
            ErrorKind::NetworkUnreachable => Some("Network unreachable"),
            ErrorKind::HostUnreachable => Some("Host unreachable"),
            ErrorKind::TimedOut => Some("Connection timeout"),
            _ => None,
        };
        if let Some(what) = what {
            return Failure::Transient(format!("{what}: connect to {url} failed: {e}"));
        }
    }
    Failure::Transient(format!("connect failed: {e}"))
}

pub(super) fn describe(f: &Failure) -> String {
    match f {
        Failure::Transient(r) => r.clone(),
        Failure::ConnectionLimit => "406 connection limit exceeded".into(),
        Failure::RateLimited => "HTTP 429 Too Many Requests on the WebSocket upgrade".into(),
        Failure::Fatal(r) => {
            format!("{r} (stopped: press r or POST /api/health/alpaca/reconnect after fixing it)")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::ErrorKind;

    #[test]
    fn connect_errors_use_the_runbook_words() {
        let cases = [
            (
                ErrorKind::ConnectionRefused,
                "Connection refused: connect to ws://h/v2/iex",
            ),
            (ErrorKind::NetworkUnreachable, "Network unreachable: "),
            (ErrorKind::TimedOut, "Connection timeout: "),
            (ErrorKind::BrokenPipe, "connect failed: "),
        ];
        for (kind, want) in cases {
            let e = tungstenite::Error::Io(std::io::Error::from(kind));
            match classify_connect_error("ws://h/v2/iex", e) {
                Failure::Transient(text) => assert!(text.starts_with(want), "{kind:?}: {text}"),
                other => panic!("{kind:?}: {other:?}"),
            }
        }
    }

    #[test]
    fn a_close_after_a_server_error_keeps_its_explanation() {
        let why = "Authentication failed (404 auth timeout): no auth".to_string();
        assert_eq!(
            closed_reason(Some("1000 bye".into()), Some(&why)),
            "closed by server after error Authentication failed (404 auth timeout): no auth"
        );
        assert_eq!(
            closed_reason(Some("1000 bye".into()), None),
            "closed by server (1000 bye)"
        );
        assert_eq!(closed_reason(None, None), "connection closed");
    }
}
