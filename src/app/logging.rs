//! Diagnostic logging: installs the global `tracing` subscriber that writes to a daily
//! rolling `tapewatch.log` file (and, for headless runs, optionally to stderr).
//!
//! The TUI owns the terminal, so nothing logs to it unless asked. The file writer is
//! non-blocking: log calls on the hot path only push into a queue drained by
//! tracing-appender's worker thread.

use anyhow::Context;
use std::path::{Path, PathBuf};
use tracing_appender::non_blocking::WorkerGuard;
use tracing_appender::rolling::{RollingFileAppender, Rotation};
use tracing_subscriber::filter::{EnvFilter, LevelFilter};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;

fn directive(text: &str) -> anyhow::Result<tracing_subscriber::filter::Directive> {
    text.parse()
        .with_context(|| format!("internal log directive {text:?}"))
}

/// The environment variable holding the filter (`EnvFilter` syntax, e.g. `tapewatch=debug`).
pub const LOG_ENV_VAR: &str = "TAPEWATCH_LOG";

/// Prefix of the log files; the daily rotation appends the date (`tapewatch.log.2025-01-31`).
pub const LOG_FILE_PREFIX: &str = "tapewatch.log";

#[derive(Clone, Debug, Default)]
pub struct LogOptions {
    /// Where to put log files; `None` means [`default_log_dir`].
    pub dir: Option<PathBuf>,
    /// Also log to stderr (headless mode only; the TUI never sets this).
    pub stderr: bool,
}

/// Keeps the log writer alive. Dropping it flushes what is queued; hold it until exit.
#[must_use = "dropping the guard stops file logging"]
#[derive(Debug)]
pub struct LogGuard {
    _worker: WorkerGuard,
    dir: PathBuf,
}

impl LogGuard {
    /// The directory the log files are written to.
    pub fn log_dir(&self) -> &Path {
        &self.dir
    }
}

/// `<XDG state dir>/tapewatch` (e.g. `~/.local/state/tapewatch`), falling back to
/// `<local data dir>/tapewatch/state` on platforms without a state dir.
pub fn default_log_dir() -> Option<PathBuf> {
    crate::plumbing::paths::log_dir()
}

/// Installs the global subscriber. Fails (without panicking) if the log directory cannot
/// be created, `TAPEWATCH_LOG` does not parse, or a global subscriber is already installed.
pub fn init(opts: LogOptions) -> anyhow::Result<LogGuard> {
    let dir = match opts.dir {
        Some(dir) => dir,
        None => default_log_dir().context("cannot find a home directory for the log files")?,
    };
    std::fs::create_dir_all(&dir)
        .with_context(|| format!("{}: cannot create log directory", dir.display()))?;

    let filter = EnvFilter::builder()
        .with_default_directive(LevelFilter::INFO.into())
        .with_env_var(LOG_ENV_VAR)
        .from_env()
        .with_context(|| format!("{LOG_ENV_VAR}: invalid log filter"))?
        // The WebSocket library traces whole frames, the auth frame with its secret
        // among them; its trace output never reaches the log, whatever the filter.
        .add_directive(directive("tungstenite=debug")?)
        .add_directive(directive("tokio_tungstenite=debug")?);

    let appender = RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix(LOG_FILE_PREFIX)
        .build(&dir)
        .with_context(|| format!("{}: cannot open log file", dir.display()))?;
    let (file_writer, worker) = tracing_appender::non_blocking(appender);

    let file_layer = tracing_subscriber::fmt::layer()
        .with_writer(file_writer)
        .with_ansi(false);
    let stderr_layer = opts
        .stderr
        .then(|| tracing_subscriber::fmt::layer().with_writer(std::io::stderr));

    tracing_subscriber::registry()
        .with(filter)
        .with(file_layer)
        .with(stderr_layer)
        .try_init()
        .context("logging is already initialised")?;

    Ok(LogGuard {
        _worker: worker,
        dir,
    })
}
