//! The subcommands beside a run: `completions`, `info` and `check-config` answer and
//! exit; `replay FILE` is another spelling of `--replay FILE`. None of them starts the
//! engine, opens the database or touches the terminal. `attach URL` runs the TUI on
//! another tapewatch's engine (see [`super::attach`]).

use super::cli::{Cli, Sub};
use super::config::{self, effective};
use super::db::database_path;
use super::live::{apply_cli, credentials};
use super::UsageError;
use anyhow::Result;
use clap::CommandFactory;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// What `main` does next.
pub enum Next {
    Run(Box<Cli>),
    Exit(ExitCode),
}

pub fn dispatch(mut cli: Cli) -> Result<Next> {
    match cli.command.take() {
        None => Ok(Next::Run(Box::new(cli))),
        Some(Sub::Replay { file }) => {
            if cli.replay.is_some() {
                return Err(UsageError(
                    "replay FILE and --replay FILE both name a fixture; give one".into(),
                )
                .into());
            }
            cli.replay = Some(file);
            Ok(Next::Run(Box::new(cli)))
        }
        Some(Sub::Completions { shell }) => {
            // Into a buffer first: clap_complete panics when its writer fails, and a
            // closed pipe (`| head`) must not be a panic.
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "tapewatch", &mut script);
            Ok(Next::Exit(print(&String::from_utf8_lossy(&script))))
        }
        Some(Sub::Info) => Ok(Next::Exit(print(&info(&cli)))),
        Some(Sub::CheckConfig { file }) => check_config(&cli, file),
        Some(Sub::Attach {
            url,
            token_file,
            read_only,
        }) => super::attach::run(&cli, &url, token_file, read_only).map(Next::Exit),
    }
}

/// Writes to stdout; a reader that went away ends the command quietly, as Unix tools do.
fn print(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("tapewatch: cannot write to stdout: {e}");
            ExitCode::FAILURE
        }
    }
}

fn check_config(cli: &Cli, file: Option<PathBuf>) -> Result<Next> {
    let path = file.or_else(|| config::locate(cli.config.as_deref()));
    let mut settings = config::load(path.as_deref())?;
    apply_cli(cli, &mut settings);
    // A run refuses a theme it cannot load, so the check does too.
    let theme = cli.theme.clone().unwrap_or_else(|| settings.theme.clone());
    super::ui::theme::Theme::load(&theme, &crate::plumbing::paths::theme_dirs())?;
    eprintln!("tapewatch: {}: the config is valid", settings.origin);
    for w in &settings.warnings {
        eprintln!("tapewatch: warning: {w}");
    }
    Ok(Next::Exit(print(&effective::to_toml(&settings))))
}

fn info(cli: &Cli) -> String {
    let mut lines: Vec<(&str, String)> = Vec::new();
    lines.push((
        "version",
        format!(
            "tapewatch {} ({} build, {}-{})",
            env!("CARGO_PKG_VERSION"),
            if cfg!(debug_assertions) {
                "debug"
            } else {
                "release"
            },
            std::env::consts::ARCH,
            std::env::consts::OS
        ),
    ));
    let path = config::locate(cli.config.as_deref());
    let loaded = config::load(path.as_deref());
    let config_line = match (&path, &loaded) {
        (Some(p), Ok(_)) => p.display().to_string(),
        (Some(p), Err(e)) => format!("{} (invalid: {e})", p.display()),
        (None, _) => match crate::plumbing::paths::config_file() {
            Some(p) => format!("none, built-in defaults ({} does not exist)", p.display()),
            None => "none, built-in defaults".into(),
        },
    };
    lines.push(("config", config_line));
    // An invalid config still leaves the defaults to describe.
    let Ok(mut settings) = loaded.or_else(|_| config::load(None)) else {
        return render(&lines);
    };
    apply_cli(cli, &mut settings);
    lines.push((
        "database",
        match database_path(cli, &settings, path.as_deref()) {
            // The default path's error label is "database"; here it reads as "default".
            Ok(db) if db.named_by == "database" => format!("{} (default)", db.path.display()),
            Ok(db) => format!("{} (from {})", db.path.display(), db.named_by),
            Err(e) => format!("none ({e})"),
        },
    ));
    lines.push((
        "log dir",
        crate::plumbing::paths::log_dir()
            .map_or_else(|| "none found".into(), |p| p.display().to_string()),
    ));
    let theme = cli.theme.clone().unwrap_or_else(|| settings.theme.clone());
    let found = crate::plumbing::paths::theme_dirs()
        .into_iter()
        .map(|d| d.join(format!("{theme}.toml")))
        .find(|p| p.is_file());
    lines.push((
        "theme",
        match found {
            Some(p) => format!("{theme} ({})", p.display()),
            None if theme == "default" => "default (built in)".into(),
            None => format!("{theme} (not found: a run would stop)"),
        },
    ));
    lines.push((
        "listen",
        format!("http://{}", cli.listen.unwrap_or(settings.listen)),
    ));
    lines.push((
        "mode",
        match (&cli.replay, credentials(&settings)) {
            (Some(f), _) => format!("replay of {}", f.display()),
            (None, Some(_)) => format!("live, Alpaca feed {} (credentials set)", settings.feed),
            (None, None) => "demo (no Alpaca credentials configured)".into(),
        },
    ));
    render(&lines)
}

fn render(lines: &[(&str, String)]) -> String {
    let width = lines.iter().map(|(k, _)| k.len()).max().unwrap_or(0);
    lines
        .iter()
        .map(|(k, v)| format!("{k:<width$}  {v}\n"))
        .collect()
}
