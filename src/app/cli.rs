//! The command line. Every flag is explained in `--help`.

use crate::sources::fixture::replay::Speed;
use clap::{Parser, Subcommand};
use secrecy::SecretString;
use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "tapewatch",
    version,
    // The last of a repeated flag wins, as in most Unix tools.
    args_override_self = true,
    about = "Terminal dashboard that keeps a live US-equities market-data feed honest",
    long_about = "tapewatch watches an Alpaca market-data stream (with Yahoo Finance as fallback), \
validates every tick, and shows prices, connection state and events in the terminal. \
With no Alpaca credentials configured and no --replay, it replays its built-in demo session.\n\n\
Credentials come from APCA_API_KEY_ID and APCA_API_SECRET_KEY (the Alpaca SDKs' variables), \
or from the config file."
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Sub>,

    /// Run headless: no terminal UI; one JSON object per line on stdout for each notable
    /// event, and the HTTP API on --listen.
    #[arg(global = true, long)]
    pub no_ui: bool,

    /// Replay a recorded fixture (JSON Lines) through the engine instead of connecting.
    #[arg(long, value_name = "FILE")]
    pub replay: Option<PathBuf>,

    /// Replay speed: a multiple of real time (1 = real time, 10 = ten times faster) or
    /// `max` for as fast as possible. Default: 1 for the demo and the TUI, max headless.
    #[arg(global = true, long, value_name = "N|max", value_parser = parse_speed, allow_hyphen_values = true)]
    pub speed: Option<Speed>,

    /// Config file (TOML). Default: $XDG_CONFIG_HOME/tapewatch/config.toml if present,
    /// else built-in defaults.
    #[arg(global = true, long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// SQLite database for events. Default: $XDG_DATA_HOME/tapewatch/tapewatch.db.
    #[arg(global = true, long, value_name = "FILE")]
    pub db: Option<PathBuf>,

    /// Address for the HTTP API. Default 127.0.0.1:5002. A non-loopback address needs
    /// api.token in the config.
    #[arg(global = true, long, value_name = "ADDR")]
    pub listen: Option<SocketAddr>,

    /// Record the live Alpaca session (every frame and connection fault) to FILE in
    /// the fixture format, for --replay later. The file must not exist yet.
    #[arg(long, value_name = "FILE")]
    pub record: Option<PathBuf>,

    /// After a replay ends, keep running (and serving the API) instead of exiting.
    #[arg(global = true, long)]
    pub hold: bool,

    /// Colour theme: the name of a file in themes/ (default, light, mono).
    #[arg(global = true, long, value_name = "NAME")]
    pub theme: Option<String>,

    /// Alpaca API key id (overrides alpaca.key_id).
    #[arg(long, value_name = "KEY_ID", env = "APCA_API_KEY_ID", hide_env_values = true, value_parser = secret)]
    pub key_id: Option<SecretString>,

    /// Alpaca API secret key (overrides alpaca.secret_key). Set the variable, not the
    /// flag: every user on the machine can read a flag in the process list.
    #[arg(long, value_name = "SECRET", env = "APCA_API_SECRET_KEY", hide_env_values = true, value_parser = secret)]
    pub secret_key: Option<SecretString>,

    /// Alpaca stream host, e.g. ws://127.0.0.1:8765; the feed's path is added
    /// (overrides alpaca.stream_url).
    #[arg(long, value_name = "URL", env = "APCA_API_STREAM_URL", value_parser = non_empty)]
    pub stream_url: Option<String>,

    /// Alpaca Trading API host (overrides alpaca.trading_url; default the paper host).
    #[arg(long, value_name = "URL", env = "APCA_API_BASE_URL", value_parser = non_empty)]
    pub trading_url: Option<String>,

    /// Alpaca market-data REST host for the charts' bars backfill and the trade-condition
    /// lists (overrides
    /// alpaca.data_url; default https://data.alpaca.markets).
    #[arg(long, value_name = "URL", env = "APCA_API_DATA_URL", value_parser = non_empty)]
    pub data_url: Option<String>,
}

/// What to do instead of (or as a spelling of) the default run.
#[derive(Debug, Subcommand)]
pub enum Sub {
    /// Replay a recorded fixture: the same as `--replay FILE`.
    Replay {
        #[arg(value_name = "FILE")]
        file: PathBuf,
    },
    /// Print a shell completion script, e.g.
    /// `tapewatch completions bash > ~/.local/share/bash-completion/completions/tapewatch`.
    Completions {
        #[arg(value_name = "SHELL")]
        shell: clap_complete::Shell,
    },
    /// Show the config, database, log and theme paths a run would use, and the build.
    Info,
    /// Check a config file (default: the one a run would read) and print the effective
    /// config, defaults filled in and secrets redacted. Exit 2 names the bad key.
    CheckConfig {
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Show a running tapewatch's screen here, over its API: every page, chart and
    /// panel, its actions sent as the API's POSTs. URL: http://host:5002 (or https://,
    /// ws://, wss://; a reverse proxy's path prefix is kept). Quitting ends this screen
    /// only. The token (the server's api.token) comes from --token-file or
    /// TAPEWATCH_TOKEN.
    Attach {
        #[arg(value_name = "URL")]
        url: String,
        /// A file whose first line is the server's api.token (mode 600, never a flag:
        /// a flag shows in the process list). Else TAPEWATCH_TOKEN is used.
        #[arg(long, value_name = "FILE")]
        token_file: Option<PathBuf>,
        /// Watch only: every action is refused here and nothing is sent; the header
        /// says READ-ONLY.
        #[arg(long)]
        read_only: bool,
    },
}

/// Held in a `secrecy` type from the moment it is parsed: `Debug` shows no secret.
/// An empty value (an exported but empty variable) counts as not set.
fn secret(s: &str) -> Result<SecretString, String> {
    Ok(SecretString::from(s.trim()))
}

/// An empty value counts as not set, as the SDKs treat an empty variable.
fn non_empty(s: &str) -> Result<String, String> {
    Ok(s.trim().to_string())
}

fn parse_speed(s: &str) -> Result<Speed, String> {
    s.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_flag() {
        let c = Cli::try_parse_from([
            "tapewatch",
            "--no-ui",
            "--replay",
            "f.jsonl",
            "--speed",
            "max",
            "--config",
            "c.toml",
            "--db",
            "x.db",
            "--listen",
            "127.0.0.1:9000",
            "--hold",
            "--theme",
            "mono",
        ])
        .unwrap();
        assert!(c.no_ui && c.hold);
        assert_eq!(c.speed, Some(Speed::Max));
        assert_eq!(c.listen, Some("127.0.0.1:9000".parse().unwrap()));
        let c = Cli::try_parse_from(["tapewatch", "--speed", "10"]).unwrap();
        assert_eq!(c.speed, Some(Speed::Factor(10.0)));
    }

    #[test]
    fn bad_speed_names_the_flag() {
        for bad in ["0", "-1", "fast", "inf", "NaN"] {
            let err = Cli::try_parse_from(["tapewatch", "--speed", bad])
                .unwrap_err()
                .to_string();
            assert!(err.contains("--speed"), "{err}");
        }
    }
}
