//! The Trading API poller task: every `poll_interval_secs` it fetches the account
//! and the positions (and the market clock every `clock_interval_secs`), sends each
//! outcome to the engine as a [`RestUpdate`], and reports how much of the request
//! cap the last minute used. It never sends while the engine's `alpaca_rest`
//! breaker holds, never exceeds `max_requests_per_min`, and after a 429 waits what
//! Alpaca asked (or `rate_limit_backoff_secs`). I/O only: judging is the engine's.

use super::{RateWindow, RestClient, RestConfig};
use crate::domain::clock::Clock;
use crate::domain::types::Ts;
use crate::messages::rest::{RestError, RestUpdate};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

pub struct RestPoller {
    client: RestClient,
    clock: Arc<dyn Clock>,
    hold_rx: watch::Receiver<Option<Ts>>,
    out: mpsc::Sender<RestUpdate>,
    window: RateWindow,
    poll_every: Duration,
    clock_every: Duration,
    backoff_429: Duration,
}

#[derive(Copy, Clone, PartialEq, Eq)]
enum Step {
    Account,
    Positions,
    Clock,
}

/// How a round ended.
struct RoundEnd {
    clock_fetched: bool,
    /// The next round must not start before this (a 429, or the cap is full).
    not_before: Option<Instant>,
    /// The engine's channel is gone.
    closed: bool,
}

impl RestPoller {
    /// `hold_rx` carries the `alpaca_rest` breaker's hold-until (`None` = closed).
    pub fn new(
        cfg: &RestConfig,
        client: RestClient,
        clock: Arc<dyn Clock>,
        hold_rx: watch::Receiver<Option<Ts>>,
        out: mpsc::Sender<RestUpdate>,
    ) -> RestPoller {
        RestPoller {
            client,
            clock,
            hold_rx,
            out,
            window: RateWindow::per_minute(cfg.max_requests_per_min),
            poll_every: Duration::from_secs(cfg.poll_interval_secs.max(1)),
            clock_every: Duration::from_secs(cfg.clock_interval_secs),
            backoff_429: Duration::from_secs(cfg.rate_limit_backoff_secs),
        }
    }

    /// Runs until `cancel` fires, the update channel closes, or the hold's sender
    /// is dropped (the engine is gone). Cancelling aborts a request in flight.
    pub async fn run(mut self, cancel: CancellationToken) {
        let mut next_due = Instant::now();
        let mut last_clock: Option<Instant> = None;
        loop {
            let hold = held_for(*self.hold_rx.borrow_and_update(), self.clock.now());
            let start_at = next_due.max(later(Instant::now(), hold.unwrap_or_default()));
            tokio::select! {
                biased;
                () = cancel.cancelled() => return,
                changed = self.hold_rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                }
                () = tokio::time::sleep_until(start_at) => {
                    // The hold is wall-clock time; the sleep was only an estimate.
                    if held_for(*self.hold_rx.borrow(), self.clock.now()).is_some() {
                        continue;
                    }
                    let started = Instant::now();
                    let want_clock = last_clock
                        .is_none_or(|t| started.saturating_duration_since(t) >= self.clock_every);
                    let end = tokio::select! {
                        biased;
                        () = cancel.cancelled() => return,
                        end = self.round(want_clock) => end,
                    };
                    if end.closed {
                        return;
                    }
                    if end.clock_fetched {
                        last_clock = Some(started);
                    }
                    next_due = later(started, self.poll_every);
                    if let Some(t) = end.not_before {
                        next_due = next_due.max(t);
                    }
                }
            }
        }
    }

    async fn round(&mut self, want_clock: bool) -> RoundEnd {
        let steps: &[Step] = if want_clock {
            &[Step::Account, Step::Positions, Step::Clock]
        } else {
            &[Step::Account, Step::Positions]
        };
        let mut end = RoundEnd {
            clock_fetched: false,
            not_before: None,
            closed: false,
        };
        for &step in steps {
            // The breaker may open on an earlier answer of this very round.
            if held_for(*self.hold_rx.borrow(), self.clock.now()).is_some() {
                break;
            }
            let now = Instant::now();
            if !self.window.try_acquire(now) {
                end.not_before = self.window.next_free(now);
                break;
            }
            let update = self.fetch(step).await;
            end.clock_fetched |= step == Step::Clock;
            let backoff = update
                .error()
                .and_then(RestError::retry_after_secs)
                .map(|secs| secs.map_or(self.backoff_429, Duration::from_secs));
            if self.out.send(update).await.is_err() {
                end.closed = true;
                return end;
            }
            if let Some(wait) = backoff {
                end.not_before = Some(later(Instant::now(), wait));
                break;
            }
        }
        let report = RestUpdate::RateLimit {
            at: self.clock.now(),
            used_pct: self.window.used_pct(Instant::now()),
            limit: self.window.limit(),
        };
        end.closed = self.out.send(report).await.is_err();
        end
    }

    async fn fetch(&self, step: Step) -> RestUpdate {
        match step {
            Step::Account => {
                let result = self.client.get_account().await;
                RestUpdate::Account {
                    at: self.clock.now(),
                    result,
                }
            }
            Step::Positions => {
                let result = self.client.get_positions().await;
                RestUpdate::Positions {
                    at: self.clock.now(),
                    result,
                }
            }
            Step::Clock => {
                let result = self.client.get_clock().await;
                RestUpdate::Clock {
                    at: self.clock.now(),
                    result,
                }
            }
        }
    }
}

/// How long the hold still lasts at `now`, if it does.
fn held_for(hold_until: Option<Ts>, now: Ts) -> Option<Duration> {
    let ms = hold_until?.millis_since(now);
    (ms > 0).then(|| Duration::from_millis(u64::try_from(ms).unwrap_or(0)))
}

/// `t + d`, with `d` capped at a day so an absurd hold cannot overflow.
fn later(t: Instant, d: Duration) -> Instant {
    t + d.min(Duration::from_secs(86_400))
}
