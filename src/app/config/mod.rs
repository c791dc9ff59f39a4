//! The TOML config file: where it is found, what it may contain, and the errors that
//! name the file, the key and what was expected. Secrets load into `secrecy` types.

mod api;
pub mod effective;
mod holdings;
mod keys;
mod money;
mod notify;
mod sections;

pub use api::ApiConfig;
pub use sections::Resilience;

use crate::domain::types::Symbol;
use secrecy::SecretString;
use serde::Deserialize;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const DEFAULT_LISTEN: &str = "127.0.0.1:5002";
/// The demo's symbols: twelve liquid names a newcomer recognises.
pub const DEFAULT_WATCHLIST: [&str; 12] = crate::sources::fixture::gen::DEMO_SYMBOLS;
pub const FEEDS: [&str; 4] = ["iex", "sip", "delayed_sip", "test"];
/// `v2/test` streams this one symbol only, day and night.
pub const TEST_FEED_SYMBOL: &str = "FAKEPACA";

#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("{path}: cannot read config: {cause}")]
    Read {
        path: String,
        /// In the message, and deliberately not the error's `source()`: anyhow's `{:#}`
        /// prints the source after the message, so it would show twice.
        cause: std::io::Error,
    },
    /// toml's message names the key, the line and what was expected.
    #[error("{path}: {message}")]
    Parse { path: String, message: String },
    #[error("{path}: {key}: {message}")]
    Invalid {
        path: String,
        key: &'static str,
        message: String,
    },
    #[error("{path}: {key}: {message}")]
    Key {
        path: String,
        key: String,
        message: String,
    },
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Symbols to watch, in display order.
    #[serde(default)]
    pub watchlist: Option<Vec<String>>,
    #[serde(default)]
    pub alpaca: AlpacaConfig,
    #[serde(default)]
    pub api: ApiConfig,
    #[serde(default)]
    pub ui: UiConfig,
    #[serde(default)]
    pub storage: StorageConfig,
    #[serde(default)]
    pub router: sections::RouterSection,
    #[serde(default)]
    pub yahoo: sections::YahooSection,
    #[serde(default)]
    pub breakers: sections::BreakersSection,
    #[serde(default)]
    pub validation: sections::ValidationSection,
    /// Config lots: `[[positions]]`.
    #[serde(default)]
    pub positions: Vec<holdings::LotSection>,
    #[serde(default)]
    pub portfolio: holdings::PortfolioSection,
    /// `[notify]`: webhook and exec notification channels.
    #[serde(default)]
    pub notify: notify::NotifySection,
    /// `[keys]`: action = key (or keys), rebinding the TUI's keymap.
    #[serde(default)]
    pub keys: keys::KeysSection,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlpacaConfig {
    pub key_id: Option<SecretString>,
    pub secret_key: Option<SecretString>,
    /// The Trading API (account, positions, clock); APCA_API_BASE_URL overrides it.
    pub trading_url: Option<String>,
    /// Market data over REST (the charts' bars backfill, the condition lists); APCA_API_DATA_URL overrides it.
    pub data_url: Option<String>,
    /// iex, sip, delayed_sip or test.
    pub feed: Option<String>,
    /// Host (and optionally path) of the stream; APCA_API_STREAM_URL overrides it.
    pub stream_url: Option<String>,
    /// json (default) or msgpack.
    pub encoding: Option<String>,
    /// Which of trades, quotes and bars to subscribe.
    pub channels: Option<Vec<String>>,
    pub ping_interval_secs: Option<u64>,
    pub pong_timeout_secs: Option<u64>,
    /// MessageTimeoutSeconds in the runbook.
    pub message_timeout_secs: Option<u64>,
    /// ReconnectBaseDelayMs in the runbook.
    pub reconnect_base_delay_ms: Option<u64>,
    pub reconnect_max_delay_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UiConfig {
    pub theme: Option<String>,
    pub mouse: Option<bool>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageConfig {
    pub db: Option<PathBuf>,
}

/// The config after validation, with defaults filled in.
#[derive(Debug)]
pub struct Settings {
    /// Where the config came from, for messages ("built-in defaults" if none).
    pub origin: String,
    pub watchlist: Vec<Symbol>,
    /// False when the watchlist is the built-in default (replay then shows the
    /// fixture's own symbols).
    pub watchlist_from_config: bool,
    pub feed: String,
    pub listen: SocketAddr,
    pub api_token: Option<SecretString>,
    /// `api.max_stream_clients`.
    pub max_stream_clients: usize,
    pub theme: String,
    /// The TUI's keys (`[keys]` applied) and `ui.mouse` (capture clicks, the wheel).
    pub keymap: crate::outputs::ui::Keymap,
    pub mouse: bool,
    pub db: Option<PathBuf>,
    pub key_id: Option<SecretString>,
    pub secret_key: Option<SecretString>,
    pub stream: StreamSettings,
    /// Router, Yahoo, breaker and validation knobs.
    pub resilience: Resilience,
    /// Config lots, in file order.
    pub lots: Vec<crate::domain::portfolio::Lot>,
    pub portfolio: crate::domain::portfolio::PortfolioConfig,
    /// Trading API polling period.
    pub trading_poll_secs: u64,
    /// The Trading API base URL from the config (the environment may override it).
    pub trading_url: Option<String>,
    /// The market-data REST base URL from the config (the environment may override it).
    pub data_url: Option<String>,
    /// Notification channels (none unless configured).
    pub notify: crate::outputs::notify::NotifyConfig,
    /// Valid but probably unintended settings, for the event log at start.
    pub warnings: Vec<String>,
}

/// The live stream's knobs, validated, with the runbook's defaults.
#[derive(Clone, Debug, PartialEq)]
pub struct StreamSettings {
    pub stream_url: Option<String>,
    pub msgpack: bool,
    pub trades: bool,
    pub quotes: bool,
    pub bars: bool,
    pub ping_interval_secs: u64,
    pub pong_timeout_secs: u64,
    pub message_timeout_secs: u64,
    pub reconnect_base_delay_ms: u64,
    pub reconnect_max_delay_ms: u64,
}

/// The config file to read: `--config`, else `$XDG_CONFIG_HOME/tapewatch/config.toml`
/// when it exists, else none.
pub fn locate(flag: Option<&Path>) -> Option<PathBuf> {
    if let Some(p) = flag {
        return Some(p.to_path_buf());
    }
    let p = crate::plumbing::paths::config_file()?;
    p.is_file().then_some(p)
}

pub fn load(path: Option<&Path>) -> Result<Settings, ConfigError> {
    let Some(path) = path else {
        return validate(Config::default(), "built-in defaults");
    };
    let shown = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|cause| ConfigError::Read {
        path: shown.clone(),
        cause,
    })?;
    parse(&text, &shown)
}

pub fn parse(text: &str, origin: &str) -> Result<Settings, ConfigError> {
    let cfg: Config = toml::from_str(text).map_err(|e| ConfigError::Parse {
        path: origin.to_string(),
        message: e.to_string().trim_end().to_string(),
    })?;
    validate(cfg, origin)
}

fn validate(cfg: Config, origin: &str) -> Result<Settings, ConfigError> {
    let invalid = |key: &'static str, message: String| ConfigError::Invalid {
        path: origin.to_string(),
        key,
        message,
    };
    let feed = cfg.alpaca.feed.clone().unwrap_or_else(|| "iex".into());
    if !FEEDS.contains(&feed.as_str()) {
        return Err(invalid(
            "alpaca.feed",
            format!(
                "{feed:?} is not a feed (expected one of {})",
                FEEDS.join(", ")
            ),
        ));
    }
    let watchlist_from_config = cfg.watchlist.is_some();
    let watchlist: Vec<Symbol> = match cfg.watchlist {
        // The demo symbols would never get a message from the test feed.
        None if feed == "test" => vec![Symbol::new(TEST_FEED_SYMBOL)],
        None => DEFAULT_WATCHLIST.iter().map(|s| Symbol::new(s)).collect(),
        Some(list) => {
            let mut out = Vec::with_capacity(list.len());
            for (i, s) in list.iter().enumerate() {
                let sym = crate::domain::types::parse_symbol(s)
                    .map_err(|m| invalid("watchlist", format!("entry {}: {m}", i + 1)))?;
                out.push(sym);
            }
            if out.is_empty() {
                return Err(invalid(
                    "watchlist",
                    "is empty (expected at least one symbol)".into(),
                ));
            }
            out
        }
    };
    let warnings = test_feed_warning(&feed, &watchlist, origin)
        .into_iter()
        .collect();
    let a = &cfg.alpaca;
    let msgpack = match a.encoding.as_deref().unwrap_or("json") {
        "json" => false,
        "msgpack" => true,
        other => {
            return Err(invalid(
                "alpaca.encoding",
                format!("{other:?} is not an encoding (expected \"json\" or \"msgpack\")"),
            ))
        }
    };
    let channels = a
        .channels
        .clone()
        .unwrap_or_else(|| vec!["trades".into(), "quotes".into(), "bars".into()]);
    for c in &channels {
        if !["trades", "quotes", "bars"].contains(&c.as_str()) {
            return Err(invalid(
                "alpaca.channels",
                format!("{c:?} is not a channel (expected trades, quotes or bars)"),
            ));
        }
    }
    if channels.is_empty() {
        return Err(invalid(
            "alpaca.channels",
            "is empty (expected some of trades, quotes, bars)".into(),
        ));
    }
    let secs = |key: &'static str, v: Option<u64>, default: u64| -> Result<u64, ConfigError> {
        match v.unwrap_or(default) {
            0 => Err(invalid(key, "must be at least 1".into())),
            n => Ok(n),
        }
    };
    let stream = StreamSettings {
        stream_url: a.stream_url.clone(),
        msgpack,
        trades: channels.iter().any(|c| c == "trades"),
        quotes: channels.iter().any(|c| c == "quotes"),
        bars: channels.iter().any(|c| c == "bars"),
        ping_interval_secs: secs("alpaca.ping_interval_secs", a.ping_interval_secs, 5)?,
        pong_timeout_secs: secs("alpaca.pong_timeout_secs", a.pong_timeout_secs, 5)?,
        message_timeout_secs: secs("alpaca.message_timeout_secs", a.message_timeout_secs, 30)?,
        reconnect_base_delay_ms: secs(
            "alpaca.reconnect_base_delay_ms",
            a.reconnect_base_delay_ms,
            1_000,
        )?,
        reconnect_max_delay_ms: secs(
            "alpaca.reconnect_max_delay_ms",
            a.reconnect_max_delay_ms,
            30_000,
        )?,
    };
    if stream.reconnect_max_delay_ms < stream.reconnect_base_delay_ms {
        return Err(invalid(
            "alpaca.reconnect_max_delay_ms",
            "must not be below alpaca.reconnect_base_delay_ms".into(),
        ));
    }
    let (listen, api_token, max_stream_clients) = api::settings(cfg.api, &invalid)?;
    let theme = cfg.ui.theme.unwrap_or_else(|| "default".into());
    if theme.is_empty() || theme.contains(['/', '\\']) {
        return Err(invalid(
            "ui.theme",
            format!(
                "{theme:?} is not a theme name (expected a file name in themes/ without .toml)"
            ),
        ));
    }
    let keymap = keys::build(cfg.keys, origin)?;
    let resilience = sections::build(
        cfg.router,
        cfg.yahoo,
        cfg.breakers,
        cfg.validation,
        stream.message_timeout_secs,
        &invalid,
    )?;
    let lots = holdings::lots(cfg.positions, &invalid)?;
    let notify = notify::build(cfg.notify, &invalid)?;
    let (portfolio, trading_poll_secs) = holdings::portfolio(cfg.portfolio, &invalid)?;
    for (key, url, example) in [
        (
            "alpaca.trading_url",
            &cfg.alpaca.trading_url,
            "https://paper-api.alpaca.markets",
        ),
        (
            "alpaca.data_url",
            &cfg.alpaca.data_url,
            "https://data.alpaca.markets",
        ),
    ] {
        if let Some(u) = url.as_deref() {
            if !(u.starts_with("https://") || u.starts_with("http://")) {
                return Err(invalid(
                    key,
                    format!("{u:?} is not an http(s) URL (expected e.g. \"{example}\")"),
                ));
            }
        }
    }
    Ok(Settings {
        notify,
        lots,
        portfolio,
        trading_poll_secs,
        trading_url: cfg.alpaca.trading_url.clone(),
        data_url: cfg.alpaca.data_url.clone(),
        resilience,
        origin: origin.to_string(),
        watchlist,
        watchlist_from_config,
        feed,
        listen,
        api_token,
        max_stream_clients,
        theme,
        keymap,
        mouse: cfg.ui.mouse.unwrap_or(true),
        db: cfg.storage.db,
        key_id: cfg.alpaca.key_id,
        secret_key: cfg.alpaca.secret_key,
        stream,
        warnings,
    })
}

/// With `feed = "test"` every other symbol stays without data; say so instead of
/// letting the rows sit empty.
fn test_feed_warning(feed: &str, watchlist: &[Symbol], origin: &str) -> Option<String> {
    let others: Vec<&str> = watchlist
        .iter()
        .map(|s| s.as_str())
        .filter(|s| *s != TEST_FEED_SYMBOL)
        .collect();
    (feed == "test" && !others.is_empty()).then(|| {
        format!(
            "{origin}: watchlist: alpaca.feed = \"test\" (v2/test) streams only {TEST_FEED_SYMBOL}; {} will get no data from it (add {TEST_FEED_SYMBOL}, or use feed iex)",
            others.join(", ")
        )
    })
}

#[cfg(test)]
mod tests;
