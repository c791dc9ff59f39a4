//! A live session's settings: the Alpaca credentials and hosts (command line and
//! environment over the config file) and the stream task's configuration.

use super::cli::Cli;
use super::config::Settings;
use crate::domain::wire::ParseLimits;
use crate::sources::alpaca::backoff::BackoffPolicy;
use crate::sources::alpaca::protocol::Channels;
use crate::sources::alpaca::stream::{Encoding, StreamConfig};
use secrecy::SecretString;
use std::time::Duration;

/// The command line (and so the SDKs' environment variables `APCA_API_KEY_ID`,
/// `APCA_API_SECRET_KEY`, `APCA_API_STREAM_URL`, `APCA_API_BASE_URL` and
/// `APCA_API_DATA_URL`, which clap
/// reads for those flags) wins over the config file.
/// An empty value (`APCA_API_KEY_ID=`) counts as not set.
pub fn apply_cli(cli: &Cli, settings: &mut Settings) {
    use secrecy::ExposeSecret;
    let set = |s: &&SecretString| !s.expose_secret().is_empty();
    if let Some(k) = cli.key_id.as_ref().filter(set) {
        settings.key_id = Some(k.clone());
    }
    if let Some(s) = cli.secret_key.as_ref().filter(set) {
        settings.secret_key = Some(s.clone());
    }
    if let Some(u) = cli.stream_url.clone().filter(|u| !u.is_empty()) {
        settings.stream.stream_url = Some(u);
    }
    if let Some(u) = cli.trading_url.clone().filter(|u| !u.is_empty()) {
        settings.trading_url = Some(u);
    }
    if let Some(u) = cli.data_url.clone().filter(|u| !u.is_empty()) {
        settings.data_url = Some(u);
    }
}

/// Alpaca credentials, when both halves are set.
pub fn credentials(settings: &Settings) -> Option<(SecretString, SecretString)> {
    Some((settings.key_id.clone()?, settings.secret_key.clone()?))
}

/// The stream URL: `APCA_API_STREAM_URL` or `alpaca.stream_url` replaces the host,
/// and the feed picks the path (`v2/test` for the test feed).
pub fn stream_url(base: Option<&str>, feed: &str) -> String {
    let base = base.unwrap_or(DEFAULT_STREAM_HOST).trim_end_matches('/');
    if base.contains("/v2/") || base.contains("/v1beta") {
        return base.to_string();
    }
    format!("{base}/v2/{feed}")
}

const DEFAULT_STREAM_HOST: &str = "wss://stream.data.alpaca.markets";

pub fn stream_config(
    settings: &Settings,
    key_id: SecretString,
    secret_key: SecretString,
) -> StreamConfig {
    let st = &settings.stream;
    let base = st.stream_url.as_deref();
    StreamConfig {
        url: stream_url(base, &settings.feed),
        feed: settings.feed.clone(),
        key_id,
        secret_key,
        channels: Channels {
            trades: st.trades,
            quotes: st.quotes,
            bars: st.bars,
        },
        watchlist: settings.watchlist.clone(),
        encoding: if st.msgpack {
            Encoding::Msgpack
        } else {
            Encoding::Json
        },
        ping_interval: Duration::from_secs(st.ping_interval_secs),
        pong_timeout: Duration::from_secs(st.pong_timeout_secs),
        message_timeout: Duration::from_secs(st.message_timeout_secs),
        handshake_timeout: Duration::from_secs(10),
        policy: BackoffPolicy {
            base_delay_ms: st.reconnect_base_delay_ms as i64,
            max_delay_ms: st.reconnect_max_delay_ms as i64,
            ..BackoffPolicy::default()
        },
        limits: ParseLimits::default(),
    }
}
