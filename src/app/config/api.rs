//! The `[api]` section: where the HTTP API listens, its bearer token, and how many
//! `/api/stream` clients it serves at once.

use super::{ConfigError, DEFAULT_LISTEN};
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApiConfig {
    pub listen: Option<String>,
    /// Bearer token for mutating endpoints; required to listen beyond loopback.
    pub token: Option<SecretString>,
    /// How many `tapewatch attach` clients `/api/stream` serves at once (default 8).
    pub max_stream_clients: Option<usize>,
}

type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

/// The listen address, the token and the stream client limit, checked.
pub fn settings(
    api: ApiConfig,
    invalid: Invalid,
) -> Result<(SocketAddr, Option<SecretString>, usize), ConfigError> {
    let listen_text = api.listen.unwrap_or_else(|| DEFAULT_LISTEN.into());
    let listen: SocketAddr = listen_text.parse().map_err(|_| {
        invalid(
            "api.listen",
            format!("{listen_text:?} is not a socket address (expected e.g. \"{DEFAULT_LISTEN}\")"),
        )
    })?;
    let max_stream_clients = match api.max_stream_clients {
        None => crate::outputs::api::stream::DEFAULT_MAX_CLIENTS,
        Some(n) if (1..=1_000).contains(&n) => n,
        Some(n) => {
            return Err(invalid(
                "api.max_stream_clients",
                format!("{n} is outside 1..=1000"),
            ))
        }
    };
    Ok((listen, api.token, max_stream_clients))
}
