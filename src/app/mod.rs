//! Wiring: turns the command line and config into running tasks (feed, engine,
//! store writer, API, UI or headless printer), and takes them down again in order.

use crate::app::db::{database_path, db_open_error, DbChoice};
use crate::app::live::{credentials, stream_config};
use crate::domain::clock::{Clock, SystemClock};
use crate::engine::snapshot::Mode;
use crate::engine::EngineExit;
use crate::outputs::api::{self, ApiState};
use crate::outputs::{headless, store, ui};
use crate::plumbing::channels::{STDOUT_CAPACITY, STORE_CAPACITY};
use crate::plumbing::paths::theme_dirs;
use crate::sources::alpaca::stream::StreamConfig;
use crate::sources::fixture::reader::FixtureReader;
use crate::sources::fixture::replay::Speed;
use crate::sources::fixture::DEMO_FIXTURE;
use anyhow::{Context, Result};
use cli::Cli;
use config::Settings;
use pipeline::{Running, Setup};

mod api_addr;
pub mod attach;
pub mod cli;
pub mod config;
mod db;
#[cfg(test)]
mod hostile_tests;
pub mod live;
pub mod logging;
pub mod pipeline;
mod subcommands;
use clap::Parser;
use std::process::ExitCode;
use std::sync::Arc;
use tokio::sync::mpsc;

/// A mistake in what the user asked for (exit code 2), as opposed to a failure.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(String);

pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(c) => c,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(2)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let next = subcommands::dispatch(cli).and_then(|next| match next {
        subcommands::Next::Run(cli) => run(*cli),
        subcommands::Next::Exit(code) => Ok(code),
    });
    match next {
        Ok(code) => code,
        Err(e) => {
            eprintln!("tapewatch: {e:#}");
            let usage = e.downcast_ref::<UsageError>().is_some()
                || e.downcast_ref::<config::ConfigError>().is_some()
                || e.downcast_ref::<crate::sources::fixture::reader::FixtureError>()
                    .is_some()
                || e.downcast_ref::<api::ApiError>().is_some()
                || e.downcast_ref::<crate::sources::fixture::record::RecordError>()
                    .is_some()
                || e.downcast_ref::<ui::theme::ThemeError>().is_some();
            ExitCode::from(if usage { 2 } else { 1 })
        }
    }
}

/// Runs to the end; the exit code is 0, or 130/143 for a replay a signal cut short.
pub fn run(cli: Cli) -> Result<ExitCode> {
    let cfg_path = config::locate(cli.config.as_deref());
    let mut settings = config::load(cfg_path.as_deref())?;
    live::apply_cli(&cli, &mut settings);
    let mode = if cli.replay.is_some() {
        Mode::Replay
    } else if credentials(&settings).is_some() {
        Mode::Live
    } else {
        Mode::Demo
    };
    if cli.record.is_some() && (cli.replay.is_some() || credentials(&settings).is_none()) {
        return Err(UsageError(
            "--record records a live Alpaca session; it needs credentials and cannot be used with --replay or the demo".into(),
        )
        .into());
    }
    let db = database_path(&cli, &settings, cfg_path.as_deref())?;
    let source = match (&cli.replay, credentials(&settings)) {
        (Some(path), _) => Source::Replay(FixtureReader::open(path)?),
        (None, Some((key_id, secret_key))) => {
            Source::Live(stream_config(&settings, key_id, secret_key))
        }
        (None, None) => Source::Replay(FixtureReader::from_static("demo", DEMO_FIXTURE)?),
    };
    // Load the theme before anything starts, so a bad theme is a plain error.
    let theme = if cli.no_ui {
        None
    } else {
        let name = cli.theme.clone().unwrap_or_else(|| settings.theme.clone());
        Some(ui::theme::Theme::load(&name, &theme_dirs())?)
    };
    let _log = file_logging();
    runtime()?.block_on(run_async(cli, settings, mode, source, theme, db))
}

/// File logging; a failure is said once on stderr, before any screen starts,
/// and the run goes on without it.
fn file_logging() -> Option<logging::LogGuard> {
    match logging::init(logging::LogOptions {
        dir: None,
        stderr: false,
    }) {
        Ok(g) => Some(g),
        Err(e) => {
            eprintln!("tapewatch: warning: file logging is off: {e:#}");
            None
        }
    }
}

/// The runtime a run and `attach` both use.
fn runtime() -> anyhow::Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .thread_name("tapewatch-rt")
        .build()
        .context("cannot start the async runtime")
}

/// Where the data comes from.
enum Source {
    Replay(FixtureReader),
    Live(StreamConfig),
}

/// The longest SLO window (30 days) in minutes: what a live run loads at start.
const SLO_HISTORY_MINUTES: i64 = 30 * 1_440;

async fn run_async(
    cli: Cli,
    settings: Settings,
    mode: Mode,
    source: Source,
    theme: Option<ui::theme::Theme>,
    db: DbChoice,
) -> Result<ExitCode> {
    let headless = cli.no_ui;
    let speed = cli.speed.unwrap_or(if headless {
        Speed::Max
    } else {
        Speed::Factor(1.0)
    });

    // Bind first: a taken port or a refused address should stop us before anything runs.
    let listen = cli.listen.unwrap_or(settings.listen);
    let listener = api::bind(listen, settings.api_token.is_some()).await?;
    let local = listener
        .local_addr()
        .context("cannot read the API's bound address")?;

    let mut db = store::Store::open(&db.path).map_err(|e| db_open_error(e, &db.named_by))?;
    // Live runs continue the SLOs and alert history of earlier live runs.
    let history = if mode == Mode::Live {
        let since_minute = SystemClock.now().as_millis().div_euclid(60_000) - SLO_HISTORY_MINUTES;
        Some((
            db.slo_minutes(since_minute)?,
            db.live_alert_history(crate::engine::state::ALERT_HISTORY_KEPT)?,
        ))
    } else {
        None
    };
    let session = db.begin_session(SystemClock.now(), mode.as_str())?;
    let (store_tx, store_rx) = mpsc::channel(STORE_CAPACITY);
    let writer =
        store::spawn_writer(db, session, store_rx).context("cannot start the database writer")?;

    let (out_tx, out_rx) = if headless {
        let (t, r) = mpsc::channel(STDOUT_CAPACITY);
        (Some(t), Some(r))
    } else {
        (None, None)
    };
    let mut record_thread = None;
    let mut setup = Setup::new(mode);
    setup.feed = settings.feed.clone();
    setup.warnings = settings.warnings.clone();
    setup.watchlist = settings
        .watchlist_from_config
        .then(|| settings.watchlist.clone());
    // The TUI keeps the last state on screen after a replay ends; headless exits.
    setup.hold = cli.hold || !headless;
    setup.store_tx = Some(store_tx);
    setup.history = history;
    setup.out_tx = out_tx;
    setup.routing = crate::engine::state::RoutingConfig {
        router: settings.resilience.router.clone(),
        breaker: settings.resilience.breaker.clone(),
    };
    setup.validation = settings.resilience.validation.clone();
    setup.yahoo = settings.resilience.yahoo.clone();
    setup.portfolio = settings.portfolio.clone();
    setup.notify = settings.notify.clone();
    setup.api_base = Some(api_addr::api_base(local));
    setup.lots = if settings.lots.is_empty() && mode == Mode::Demo {
        crate::sources::fixture::gen::demo_lots()
    } else {
        settings.lots.clone()
    };
    if let (Mode::Live, Some((key_id, secret_key))) = (mode, credentials(&settings)) {
        let mut rest = crate::sources::alpaca::rest::RestConfig::new(key_id, secret_key);
        if let Some(url) = settings.trading_url.clone() {
            rest.base_url = url.trim_end_matches('/').to_string();
        }
        if let Some(url) = settings.data_url.clone() {
            rest.data_url = url.trim_end_matches('/').to_string();
        }
        rest.poll_interval_secs = settings.trading_poll_secs;
        setup.bars = Some(crate::sources::alpaca::bars::BarsConfig {
            data_url: rest.data_url.clone(),
            feed: settings.feed.clone(),
            key_id: rest.key_id.clone(),
            secret_key: rest.secret_key.clone(),
            request_timeout_secs: rest.request_timeout_secs,
        });
        setup.rest = Some(rest);
    }
    if mode != Mode::Live {
        setup.replay_span_ms = match cli.replay.as_deref() {
            Some(path) => crate::sources::fixture::span::file_span_ms(path),
            None => crate::sources::fixture::span::bytes_span_ms(DEMO_FIXTURE),
        };
    }
    // The TUI can replay again from the start (`R`); a headless replay reads once.
    if !headless && mode != Mode::Live {
        setup.reopen = Some(match cli.replay.clone() {
            Some(path) => Box::new(move || FixtureReader::open(&path)),
            None => Box::new(|| FixtureReader::from_static("demo", DEMO_FIXTURE)),
        });
    }
    let exporter = Arc::new(crate::outputs::exposition::Exporter::new()?);
    setup.latency_sink = Some(exporter.latency_sink());
    let running = match source {
        Source::Replay(reader) => {
            pipeline::start(reader, setup, speed).context("cannot start the replay")?
        }
        Source::Live(cfg) => {
            let recording = match cli.record.as_deref() {
                Some(path) => {
                    let (rec, thread) = crate::sources::fixture::record::start(
                        path,
                        SystemClock.now(),
                        &cfg.watchlist,
                        setup.meters.record.clone(),
                    )?;
                    setup.recorder = Some(rec);
                    Some(thread)
                }
                None => None,
            };
            record_thread = recording;
            // rustls needs one process-wide crypto provider; ring is the one we build.
            let _ = rustls::crypto::ring::default_provider().install_default();
            pipeline::start_live(
                cfg,
                setup,
                pipeline::system_clock(),
                pipeline::market_calendar(),
            )
        }
    };
    let Running {
        snapshots: snap_rx,
        commands: cmd_tx,
        meters,
        cancel,
        engine: mut engine_task,
        feed: feed_handle,
    } = running;

    tracing::info!("HTTP API listening on http://{local}");
    // Cancelled by the printer when the reader of stdout goes away (not a child of
    // `cancel`: every shutdown cancels that).
    let stdout_closed = tokio_util::sync::CancellationToken::new();
    let mut signals = None;
    if headless {
        // Before the listening line: a script may signal as soon as it reads it.
        signals = Some(headless::Signals::install().context("cannot catch SIGINT/SIGTERM")?);
        headless::announce(local, &stdout_closed).context("cannot write to stdout")?;
    }
    let api_state = ApiState {
        snapshots: snap_rx.clone(),
        commands: cmd_tx.clone(),
        meters: meters.clone(),
        token: settings.api_token.clone().map(Arc::new),
        exporter: Some(exporter.clone()),
    };
    // Unscraped, the latency histogram would hold raw samples; fold them into buckets.
    let upkeep_cancel = cancel.child_token();
    let upkeep_exporter = exporter.clone();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(5));
        loop {
            tokio::select! {
                () = upkeep_cancel.cancelled() => break,
                _ = every.tick() => upkeep_exporter.upkeep(),
            }
        }
    });
    let hub = api::stream::StreamHub::start(
        snap_rx.clone(),
        settings.max_stream_clients,
        cancel.child_token(),
    );
    let app = api::stream::router(&api_state, hub).merge(api::router(api_state));
    let api_task = tokio::spawn(api::serve(listener, app, cancel.child_token()));
    let printer = out_rx
        .map(|rx| headless::spawn_printer(rx, stdout_closed.clone()))
        .transpose()
        .context("cannot start the stdout printer")?;

    let mut signalled = None;
    let engine_result = match (theme, signals.as_mut()) {
        (Some(theme), _) => {
            let opts = ui::UiOptions {
                keymap: settings.keymap.clone(),
                mouse: settings.mouse,
                api_base: api_addr::api_base(local),
                theme_dirs: theme_dirs(),
                remote: None,
            };
            let ui_result = ui::run(snap_rx, theme, cmd_tx, cancel.clone(), opts).await;
            cancel.cancel();
            let r = (&mut engine_task).await;
            ui_result?;
            r
        }
        (None, signals) => {
            drop(cmd_tx);
            tokio::select! {
                r = &mut engine_task => r,
                sig = headless::next_signal(signals) => {
                    signalled = Some(sig);
                    cancel.cancel();
                    (&mut engine_task).await
                }
                () = stdout_closed.cancelled() => {
                    cancel.cancel();
                    (&mut engine_task).await
                }
            }
        }
    };
    cancel.cancel();
    let (exit, last) = engine_result.context("the engine task failed")?;

    // Everything that holds a channel end is gone now; wait for the threads to drain.
    feed_handle.join().await;
    if let Some(t) = record_thread {
        // The stream task held the last sender; the writer drains and ends.
        match tokio::task::spawn_blocking(move || t.join()).await {
            Ok(Ok(Ok(lines))) => tracing::info!("recording finished: {lines} records"),
            Ok(Ok(Err(e))) => tracing::warn!("{e}"),
            _ => tracing::warn!("the recording thread failed"),
        }
    }
    tracing::info!(?exit, "engine stopped");
    match tokio::task::spawn_blocking(move || writer.join()).await {
        Ok(Ok(_)) => {}
        Ok(Err(e)) => tracing::warn!("database writer: {e}"),
        Err(e) => tracing::warn!("database writer thread: {e}"),
    }
    if let Some(p) = printer {
        let _ = tokio::task::spawn_blocking(move || p.join()).await;
    }
    if let Ok(Err(e)) = api_task.await {
        tracing::warn!("API server: {e}");
    }
    if !headless {
        return Ok(ExitCode::SUCCESS);
    }
    // The printer has exited, so a closed stdout is known by now.
    let end = match (stdout_closed.is_cancelled(), signalled) {
        (true, _) => headless::End::StdoutClosed,
        (false, Some(sig)) => headless::End::Signal(sig),
        (false, None) => headless::End::Engine {
            replay_ended: exit == EngineExit::ReplayEnded,
        },
    };
    let code = headless::finish(end, cli.hold, &last, &meters).context("cannot write to stdout")?;
    Ok(ExitCode::from(code))
}
