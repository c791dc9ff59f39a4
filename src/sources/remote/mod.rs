//! Another tapewatch as the source (`tapewatch attach URL`): [`link`] holds the
//! `GET /api/stream` WebSocket (whole snapshot, then JSON patches), reconnects by the
//! Alpaca stream's backoff policy and says how the link is; [`commands`] turns the
//! screen's commands into the API's `POST`s. Generic over what the document decodes
//! into, because a source may not name the engine's snapshot type: the app passes
//! the decoder (`engine::doc`).

pub mod commands;
pub mod link;
#[cfg(test)]
mod tests;

use secrecy::SecretString;
use std::sync::Arc;
use thiserror::Error;

/// Where the remote tapewatch is, from the URL the operator gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `ws://` or `wss://…/api/stream`.
    pub stream_url: String,
    /// `http://` or `https://…`, where the `POST` routes hang (`/api/…`).
    pub api_base: String,
    /// `host:port`, for the header.
    pub host: String,
    pub tls: bool,
}

#[derive(Debug, Error, PartialEq, Eq)]
pub enum TargetError {
    #[error("attach {url:?}: not a URL ({cause}); give e.g. http://host:5002")]
    NotAUrl { url: String, cause: String },
    #[error("attach {url:?}: {scheme}:// is not one of http://, https://, ws://, wss://")]
    Scheme { url: String, scheme: String },
    #[error("attach {url:?}: no host in the URL")]
    NoHost { url: String },
}

impl Target {
    /// `http` and `ws` are the same server (`https` and `wss` too): the stream is a
    /// WebSocket and commands are HTTP, both on the host and path prefix given (a
    /// reverse proxy may serve tapewatch under a path). A URL that already ends in
    /// `/api/stream` means its server.
    pub fn parse(url: &str) -> Result<Target, TargetError> {
        let parsed = url::Url::parse(url).map_err(|e| TargetError::NotAUrl {
            url: url.to_string(),
            cause: e.to_string(),
        })?;
        let tls = match parsed.scheme() {
            "http" | "ws" => false,
            "https" | "wss" => true,
            other => {
                return Err(TargetError::Scheme {
                    url: url.to_string(),
                    scheme: other.to_string(),
                })
            }
        };
        let Some(host) = parsed.host_str().filter(|h| !h.is_empty()) else {
            return Err(TargetError::NoHost {
                url: url.to_string(),
            });
        };
        let port = parsed
            .port_or_known_default()
            .unwrap_or(if tls { 443 } else { 80 });
        let authority = match parsed.port() {
            Some(p) => format!("{host}:{p}"),
            None => host.to_string(),
        };
        let path = parsed.path().trim_end_matches('/');
        let path = path.strip_suffix("/api/stream").unwrap_or(path);
        let (ws, http) = if tls {
            ("wss", "https")
        } else {
            ("ws", "http")
        };
        Ok(Target {
            stream_url: format!("{ws}://{authority}{path}/api/stream"),
            api_base: format!("{http}://{authority}{path}"),
            host: format!("{host}:{port}"),
            tls,
        })
    }
}

/// The bearer token and where it came from, so a refusal can name the flag.
#[derive(Clone, Debug)]
pub struct Token {
    pub secret: Arc<SecretString>,
    /// `--token-file /path` or `TAPEWATCH_TOKEN`.
    pub from: String,
}

/// What the server's refusal of the stream means, in the operator's words. `None`
/// for answers worth retrying.
pub fn refusal(status: u16, token: Option<&Token>, target: &Target) -> Option<String> {
    match (status, token) {
        (401, Some(t)) => Some(format!("401: the server refused the token ({})", t.from)),
        (401, None) => Some(
            "401: the server needs a token (its api.token is set): give --token-file FILE or TAPEWATCH_TOKEN"
                .into(),
        ),
        (403, _) => Some(format!("403: {} refuses the stream", target.host)),
        (404, _) => Some(format!(
            "404: no snapshot stream at {} (is it tapewatch, new enough to serve /api/stream?)",
            target.stream_url
        )),
        _ => None,
    }
}
