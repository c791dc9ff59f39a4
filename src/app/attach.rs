//! `tapewatch attach URL`: this terminal's TUI on another tapewatch's engine. The
//! stream link (`sources::remote::link`) feeds the screen snapshots decoded by
//! `engine::doc`; the screen's commands go to the remote API (`…::commands`). No
//! engine, database or API runs here, and quitting ends only this screen.

use super::cli::Cli;
use super::config;
use super::UsageError;
use crate::engine::doc::Decoder;
use crate::engine::snapshot::Snapshot;
use crate::messages::remote::RemoteStatus;
use crate::messages::Request;
use crate::outputs::ui;
use crate::plumbing::channels::COMMAND_CAPACITY;
use crate::sources::alpaca::backoff::{BackoffPolicy, Failure};
use crate::sources::remote::commands::{self, CommandsConfig};
use crate::sources::remote::link::{self, Decode, LinkConfig, Outlets};
use crate::sources::remote::{Target, Token};
use anyhow::Result;
use secrecy::SecretString;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// The environment variable a token may come from (after `--token-file`).
pub const TOKEN_ENV: &str = "TAPEWATCH_TOKEN";

/// What `attach` was asked for.
#[derive(Clone, Debug)]
pub struct AttachOptions {
    pub target: Target,
    pub token: Option<Token>,
    pub read_only: bool,
    pub policy: BackoffPolicy,
    pub ping_every: Duration,
    pub dead_after: Duration,
}

impl AttachOptions {
    pub fn new(target: Target, token: Option<Token>, read_only: bool) -> AttachOptions {
        let link = LinkConfig::new(target.clone(), token.clone());
        AttachOptions {
            target,
            token,
            read_only,
            policy: link.policy,
            ping_every: link.ping_every,
            dead_after: link.dead_after,
        }
    }
}

/// The token from `--token-file` (its first line), else from `TAPEWATCH_TOKEN`; an
/// unreadable or empty file is an error that names it.
pub fn token(file: Option<&Path>, env: Option<String>) -> Result<Option<Token>, UsageError> {
    if let Some(path) = file {
        let text = std::fs::read_to_string(path).map_err(|e| {
            UsageError(format!(
                "--token-file {}: cannot read it: {e}",
                path.display()
            ))
        })?;
        let line = text.lines().next().unwrap_or("").trim();
        if line.is_empty() {
            return Err(UsageError(format!(
                "--token-file {}: the file is empty (it holds the server's api.token)",
                path.display()
            )));
        }
        return Ok(Some(Token {
            secret: Arc::new(SecretString::from(line)),
            from: format!("--token-file {}", path.display()),
        }));
    }
    Ok(env
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .map(|v| Token {
            secret: Arc::new(SecretString::from(v)),
            from: TOKEN_ENV.into(),
        }))
}

/// A running attachment without its screen: what the TUI (or a test's TestBackend)
/// reads and writes.
pub struct Attached {
    pub snapshots: watch::Receiver<Arc<Snapshot>>,
    pub status: watch::Receiver<RemoteStatus>,
    pub commands: mpsc::Sender<Request>,
    pub cancel: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl Attached {
    /// What the screen needs to show the link.
    pub fn ui_options(&self, read_only: bool) -> ui::remote::RemoteOptions {
        ui::remote::RemoteOptions {
            status: self.status.clone(),
            read_only,
        }
    }

    /// Stops the link and the command forwarder and waits for them.
    pub async fn stop(self) {
        self.cancel.cancel();
        for t in self.tasks {
            let _ = t.await;
        }
    }
}

/// Why attaching failed: the server refused us (exit 2, nothing to retry), or it
/// could not be reached or read (exit 1).
#[derive(Debug, thiserror::Error)]
pub enum AttachError {
    #[error("attach {url}: {reason}")]
    Refused { url: String, reason: String },
    #[error("attach {url}: {reason}")]
    Failed { url: String, reason: String },
}

/// Connects, reads the first snapshot, and starts the link and the command
/// forwarder. The first connection is not retried: with nothing to show yet, a
/// refusal or an unreachable server is said at once.
pub async fn attach(opts: &AttachOptions) -> Result<Attached, AttachError> {
    let mut cfg = LinkConfig::new(opts.target.clone(), opts.token.clone());
    cfg.policy = opts.policy.clone();
    cfg.ping_every = opts.ping_every;
    cfg.dead_after = opts.dead_after;
    let mut decoder = Decoder::default();
    let mut decode: Decode<Snapshot> =
        Box::new(move |doc, patch| decoder.decode(doc, patch).map_err(|e| e.to_string()));
    let url = opts.target.api_base.clone();
    let (session, first) = match link::connect(&cfg, &mut decode).await {
        Ok(ok) => ok,
        Err(Failure::Fatal(reason)) => return Err(AttachError::Refused { url, reason }),
        Err(Failure::Transient(reason)) => return Err(AttachError::Failed { url, reason }),
        Err(_) => {
            return Err(AttachError::Failed {
                url,
                reason: "the server is busy".into(),
            })
        }
    };
    let (frames, snapshots) = watch::channel(Arc::new(first));
    let (status_tx, status) = watch::channel(RemoteStatus::new(opts.target.host.clone()));
    let cancel = CancellationToken::new();
    let link_task = tokio::spawn(link::run(
        cfg,
        session,
        decode,
        Outlets {
            frames,
            status: status_tx,
        },
        cancel.child_token(),
    ));
    // Bounded like the engine's command channel, with the same policy: the screen
    // offers with try_send and says so when it is full.
    let (commands, rx) = mpsc::channel(COMMAND_CAPACITY);
    let http = crate::plumbing::http::HttpClientConfig {
        user_agent: format!("tapewatch/{} (attach)", env!("CARGO_PKG_VERSION")),
        ..Default::default()
    };
    let client = crate::plumbing::http::build_client(&http).map_err(|e| AttachError::Failed {
        url: opts.target.api_base.clone(),
        reason: e.to_string(),
    })?;
    let forward_cfg = CommandsConfig {
        target: opts.target.clone(),
        token: opts.token.clone(),
        read_only: opts.read_only,
        timeout: commands::POST_TIMEOUT,
    };
    let forward_task = tokio::spawn(commands::forward(
        forward_cfg,
        client,
        rx,
        cancel.child_token(),
    ));
    Ok(Attached {
        snapshots,
        status,
        commands,
        cancel,
        tasks: vec![link_task, forward_task],
    })
}

/// `tapewatch attach URL [--token-file F] [--read-only]`, to the end.
pub fn run(cli: &Cli, url: &str, token_file: Option<PathBuf>, read_only: bool) -> Result<ExitCode> {
    let target = Target::parse(url).map_err(|e| UsageError(e.to_string()))?;
    let token = token(token_file.as_deref(), std::env::var(TOKEN_ENV).ok())?;
    let cfg_path = config::locate(cli.config.as_deref());
    let settings = config::load(cfg_path.as_deref())?;
    let theme_name = cli.theme.clone().unwrap_or_else(|| settings.theme.clone());
    let theme = ui::theme::Theme::load(&theme_name, &crate::plumbing::paths::theme_dirs())?;
    let _log = super::file_logging();
    let rt = super::runtime()?;
    let opts = AttachOptions::new(target, token, read_only);
    rt.block_on(async move {
        let attached = match attach(&opts).await {
            Ok(a) => a,
            Err(e @ AttachError::Refused { .. }) => return Err(UsageError(e.to_string()).into()),
            Err(e) => return Err(anyhow::Error::new(e)),
        };
        tracing::info!("attached to {}", opts.target.stream_url);
        let ui_opts = ui::UiOptions {
            keymap: settings.keymap.clone(),
            mouse: settings.mouse,
            api_base: opts.target.api_base.clone(),
            theme_dirs: crate::plumbing::paths::theme_dirs(),
            remote: Some(attached.ui_options(read_only)),
        };
        let result = ui::run(
            attached.snapshots.clone(),
            theme,
            attached.commands.clone(),
            attached.cancel.clone(),
            ui_opts,
        )
        .await;
        attached.stop().await;
        result.map(|_| ExitCode::SUCCESS)
    })
}
