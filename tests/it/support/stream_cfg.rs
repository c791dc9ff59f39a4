//! The Alpaca stream config the live tests point at the mock: its keys and the given
//! symbols, with fast timings (outages play out in a second or two) or the app's
//! default ones.

use std::time::Duration;
use tapewatch::domain::types::Symbol;
use tapewatch::domain::wire::ParseLimits;
use tapewatch::sources::alpaca::backoff::BackoffPolicy;
use tapewatch::sources::alpaca::protocol::Channels;
use tapewatch::sources::alpaca::stream::{Encoding, StreamConfig};

/// Pings and pongs every 300 ms, reconnects from 50 ms up to 400 ms.
pub fn fast(url: String, symbols: &[&str]) -> StreamConfig {
    StreamConfig {
        ping_interval: Duration::from_millis(300),
        pong_timeout: Duration::from_millis(300),
        handshake_timeout: Duration::from_secs(2),
        policy: BackoffPolicy {
            base_delay_ms: 50,
            max_delay_ms: 400,
            ..BackoffPolicy::default()
        },
        ..defaults(url, symbols)
    }
}

/// The app's defaults (`[alpaca]` ping 5 s, pong 5 s, message timeout 30 s,
/// reconnect base 1000 ms up to 30 s); only the URL and keys are the mock's.
pub fn defaults(url: String, symbols: &[&str]) -> StreamConfig {
    StreamConfig {
        url,
        feed: "iex".into(),
        key_id: "MOCKKEY".to_string().into(),
        secret_key: "MOCKSECRET".to_string().into(),
        channels: Channels::default(),
        watchlist: symbols.iter().map(|s| Symbol::new(s)).collect(),
        encoding: Encoding::Json,
        ping_interval: Duration::from_secs(5),
        pong_timeout: Duration::from_secs(5),
        message_timeout: Duration::from_secs(30),
        handshake_timeout: Duration::from_secs(10),
        policy: BackoffPolicy {
            base_delay_ms: 1_000,
            max_delay_ms: 30_000,
            ..BackoffPolicy::default()
        },
        limits: ParseLimits::default(),
    }
}
