//! The notifier task: reads alert changes from the engine's bounded `notify` channel,
//! asks the pure [`Policy`] what to send at the [`Clock`]'s now, hands each send to its
//! channel's worker (one per channel, so a hanging webhook cannot hold up an exec hook),
//! and reports counters and events back to the engine on the feed channel.
//!
//! Each worker has a bounded queue ([`CHANNEL_QUEUE`]); when it is full the send is
//! dropped and counted, never waited for. The task stops on cancel (in-flight sends
//! are abandoned; an exec child is killed), or drains its queues when the engine closes
//! its end of the channel.

use super::policy::{Dispatch, Dispatches, Policy};
use super::{send, ChannelConfig, NotifyConfig, Target};
use crate::domain::alerts::AlertChange;
use crate::domain::clock::Clock;
use crate::domain::event::Level;
use crate::messages::notify::{NotifyEvent, NotifyReport};
use crate::messages::FeedEvent;
use crate::plumbing::channels::{send_wait, Meter};
use crate::plumbing::http::{build_client, HttpClientConfig};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// Sends waiting per channel; past the burst of any sane rate limit.
pub const CHANNEL_QUEUE: usize = 32;
/// How often suppressed-notification summaries are considered.
const TICK: Duration = Duration::from_secs(1);

type Outcome = (Dispatch, Result<(), String>);

/// Where the task's reports go.
pub struct ReportTo {
    pub feed_tx: mpsc::Sender<FeedEvent>,
    pub meter: Arc<Meter>,
}

/// Spawns the notifier on the current runtime.
pub fn spawn(
    cfg: NotifyConfig,
    clock: Arc<dyn Clock>,
    input: mpsc::Receiver<AlertChange>,
    report: ReportTo,
    cancel: CancellationToken,
) -> JoinHandle<()> {
    tokio::spawn(run(cfg, clock, input, report, cancel))
}

/// One channel's way of sending, built once.
enum Sender {
    Webhook {
        client: Result<reqwest::Client, String>,
        url: secrecy::SecretString,
        host: String,
    },
    Exec {
        program: String,
        args: Vec<String>,
    },
}

impl Sender {
    fn new(cfg: &ChannelConfig) -> Sender {
        match &cfg.target {
            Target::Webhook { url, host } => {
                let http = HttpClientConfig {
                    user_agent: concat!("tapewatch/", env!("CARGO_PKG_VERSION")).to_string(),
                    request_timeout_secs: cfg.timeout_secs,
                    connect_timeout_secs: cfg.timeout_secs.min(5),
                    ..HttpClientConfig::default()
                };
                Sender::Webhook {
                    client: build_client(&http).map_err(|e| e.to_string()),
                    url: url.clone(),
                    host: host.clone(),
                }
            }
            Target::Exec { program, args } => Sender::Exec {
                program: program.clone(),
                args: args.clone(),
            },
        }
    }

    async fn send(&self, d: &Dispatch, timeout_secs: u64) -> Result<(), String> {
        match self {
            Sender::Webhook { client, url, host } => {
                let client = client.as_ref().map_err(|e| e.clone())?;
                let body = serde_json::to_vec(&super::slack_json(&d.notification))
                    .map_err(|e| format!("cannot encode the payload: {e}"))?;
                send::webhook(client, url, host, body, timeout_secs)
                    .await
                    .map_err(|e| e.to_string())
            }
            Sender::Exec { program, args } => {
                let body = serde_json::to_vec(&super::exec_json(&d.notification))
                    .map_err(|e| format!("cannot encode the payload: {e}"))?;
                send::exec(program, args, body, timeout_secs)
                    .await
                    .map_err(|e| e.to_string())
            }
        }
    }
}

async fn worker(
    sender: Sender,
    timeout_secs: u64,
    mut jobs: mpsc::Receiver<Dispatch>,
    done: mpsc::Sender<Outcome>,
    cancel: CancellationToken,
) {
    while let Some(d) = jobs.recv().await {
        let result = tokio::select! {
            () = cancel.cancelled() => return,
            r = sender.send(&d, timeout_secs) => r,
        };
        if done.send((d, result)).await.is_err() {
            return;
        }
    }
}

struct Shell {
    policy: Policy,
    clock: Arc<dyn Clock>,
    jobs: Vec<mpsc::Sender<Dispatch>>,
    report: ReportTo,
    /// False once the engine is gone: nobody to report to.
    engine_up: bool,
}

impl Shell {
    fn dispatch(&mut self, out: Dispatches, events: &mut Vec<NotifyEvent>) {
        events.extend(out.events);
        for d in out.dispatches {
            let Some(tx) = self.jobs.get(d.channel) else {
                continue;
            };
            if let Err(mpsc::error::TrySendError::Full(d) | mpsc::error::TrySendError::Closed(d)) =
                tx.try_send(d)
            {
                events.extend(self.policy.dropped(&d));
            }
        }
    }

    async fn report(&mut self, events: Vec<NotifyEvent>) {
        for e in &events {
            // The engine's event log reaches the tracing log too, but not after it is gone.
            if !self.engine_up {
                match e.level {
                    Level::Error => tracing::error!(kind = "notify", "{}", e.message),
                    Level::Warn => tracing::warn!(kind = "notify", "{}", e.message),
                    Level::Info => tracing::info!(kind = "notify", "{}", e.message),
                }
            }
        }
        if !self.engine_up {
            return;
        }
        let r = NotifyReport {
            view: self.policy.view(),
            events,
        };
        let sent = send_wait(
            &self.report.feed_tx,
            &self.report.meter,
            FeedEvent::Notify(r),
        );
        if sent.await.is_err() {
            self.engine_up = false;
        }
    }
}

async fn run(
    cfg: NotifyConfig,
    clock: Arc<dyn Clock>,
    mut input: mpsc::Receiver<AlertChange>,
    report: ReportTo,
    cancel: CancellationToken,
) {
    let (done_tx, mut done_rx) = mpsc::channel::<Outcome>(CHANNEL_QUEUE);
    let mut jobs = Vec::with_capacity(cfg.channels.len());
    let mut workers = Vec::with_capacity(cfg.channels.len());
    for ch in &cfg.channels {
        let (tx, rx) = mpsc::channel(CHANNEL_QUEUE);
        jobs.push(tx);
        let w = worker(
            Sender::new(ch),
            ch.timeout_secs,
            rx,
            done_tx.clone(),
            cancel.clone(),
        );
        workers.push(tokio::spawn(w));
    }
    drop(done_tx);
    let mut shell = Shell {
        policy: Policy::new(&cfg, clock.now()),
        clock,
        jobs,
        report,
        engine_up: true,
    };
    // The channels appear in the snapshot before anything is sent.
    shell.report(Vec::new()).await;
    let mut tick = tokio::time::interval(TICK);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    let mut input_open = true;
    loop {
        let mut events = Vec::new();
        tokio::select! {
            () = cancel.cancelled() => return,
            change = input.recv(), if input_open => match change {
                Some(c) => {
                    // Reported even when nothing is sent: a dedup counter may have moved.
                    let out = shell.policy.offer(shell.clock.now(), &c);
                    shell.dispatch(out, &mut events);
                }
                None => {
                    // The engine is done: let the workers finish what is queued.
                    input_open = false;
                    shell.jobs.clear();
                }
            },
            outcome = done_rx.recv() => match outcome {
                Some((d, result)) => {
                    let now = shell.clock.now();
                    events.extend(shell.policy.finished(now, &d, result));
                }
                // Every worker has ended: only after the input closed and queues drained.
                None => break,
            },
            _ = tick.tick(), if input_open => {
                let out = shell.policy.tick(shell.clock.now());
                if out.dispatches.is_empty() && out.events.is_empty() {
                    continue;
                }
                shell.dispatch(out, &mut events);
            }
        }
        shell.report(events).await;
    }
    for w in workers {
        let _ = w.await;
    }
}
