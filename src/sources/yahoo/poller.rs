//! The live Yahoo poller task: follows the engine's [`PollPlan`] (cadence, symbols,
//! circuit-breaker hold and half-open cap), runs rounds of chart requests with
//! bounded concurrency and jittered starts, and hands every outcome to the engine as
//! a [`FeedEvent::Yahoo`]. It does I/O only; parsing and judging are the engine's.

use super::client::{chart_url, fetch_chart, DEFAULT_BASE_URL};
use crate::domain::clock::Clock;
use crate::messages::yahoo::Cadence;
use crate::messages::yahoo::PollPlan;
use crate::messages::yahoo::YahooResponse;
use crate::messages::FeedEvent;
use crate::plumbing::channels::{send_wait, Meter};
use futures_util::future::BoxFuture;
use futures_util::stream::{FuturesUnordered, StreamExt};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::{mpsc, watch, Semaphore};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PollerConfig {
    pub base_url: String,
    pub active_interval_secs: u64,
    pub standby_interval_secs: u64,
    pub max_concurrency: usize,
    /// Request starts in a round are spread uniformly over this window, so a round
    /// is not one burst (bursts are what Yahoo rate-limits).
    pub jitter_ms: u64,
    pub request_timeout_secs: u64,
}

impl Default for PollerConfig {
    fn default() -> Self {
        PollerConfig {
            base_url: DEFAULT_BASE_URL.to_string(),
            active_interval_secs: 60,
            standby_interval_secs: 300,
            max_concurrency: 4,
            jitter_ms: 500,
            request_timeout_secs: 10,
        }
    }
}

/// Called with every outcome before it goes to the engine (`--record`).
pub type ResponseHook = Arc<dyn Fn(&YahooResponse) + Send + Sync>;

pub struct YahooPoller {
    cfg: PollerConfig,
    client: reqwest::Client,
    clock: Arc<dyn Clock>,
    plan_rx: watch::Receiver<PollPlan>,
    out: mpsc::Sender<FeedEvent>,
    meter: Arc<Meter>,
    hook: Option<ResponseHook>,
}

type Round = FuturesUnordered<BoxFuture<'static, YahooResponse>>;

impl YahooPoller {
    /// `meter` is the feed channel's meter (`Meters::feed`).
    pub fn new(
        cfg: PollerConfig,
        client: reqwest::Client,
        clock: Arc<dyn Clock>,
        plan_rx: watch::Receiver<PollPlan>,
        out: mpsc::Sender<FeedEvent>,
        meter: Arc<Meter>,
    ) -> YahooPoller {
        YahooPoller {
            cfg,
            client,
            clock,
            plan_rx,
            out,
            meter,
            hook: None,
        }
    }

    pub fn with_hook(mut self, hook: ResponseHook) -> YahooPoller {
        self.hook = Some(hook);
        self
    }

    /// Runs until `cancel` fires, the engine's feed channel closes, or the plan's
    /// sender is dropped. Dropping a round aborts its requests in flight.
    pub async fn run(mut self, cancel: CancellationToken) {
        let mut plan = self.plan_rx.borrow_and_update().clone();
        let mut next_due = (plan.cadence != Cadence::Off).then(Instant::now);
        let mut last_start: Option<Instant> = None;
        let mut round: Option<Round> = None;
        loop {
            // A round starts at its due time, but never while the breaker holds.
            let start_at = match (round.is_none(), next_due) {
                (true, Some(due)) => {
                    let hold = plan.held_for(self.clock.now()).unwrap_or_default();
                    Some(due.max(later(Instant::now(), hold)))
                }
                _ => None,
            };
            let start_wait = async {
                match start_at {
                    Some(at) => tokio::time::sleep_until(at).await,
                    None => std::future::pending().await,
                }
            };
            let next_response = async {
                match round.as_mut() {
                    Some(r) => r.next().await,
                    None => std::future::pending().await,
                }
            };
            tokio::select! {
                biased;
                () = cancel.cancelled() => return,
                changed = self.plan_rx.changed() => {
                    if changed.is_err() {
                        return;
                    }
                    let new = self.plan_rx.borrow_and_update().clone();
                    next_due = reschedule(&self.cfg, plan.cadence, new.cadence, next_due, last_start, Instant::now());
                    if new.forbids_requests(self.clock.now()) {
                        round = None;
                    }
                    plan = new;
                }
                resp = next_response => match resp {
                    Some(resp) => {
                        if let Some(hook) = self.hook.as_ref() {
                            hook(&resp);
                        }
                        let sent = tokio::select! {
                            () = cancel.cancelled() => return,
                            r = send_wait(&self.out, &self.meter, FeedEvent::Yahoo(resp)) => r,
                        };
                        if sent.is_err() {
                            return;
                        }
                    }
                    None => round = None,
                },
                () = start_wait => {
                    // The breaker's hold is wall-clock time; the sleep was only an estimate.
                    if plan.held_for(self.clock.now()).is_some() {
                        continue;
                    }
                    let now = Instant::now();
                    round = Some(self.start_round(&plan));
                    last_start = Some(now);
                    next_due = interval(&self.cfg, plan.cadence).map(|d| later(now, d));
                }
            }
        }
    }

    fn start_round(&self, plan: &PollPlan) -> Round {
        let n = plan.max_requests.unwrap_or(usize::MAX);
        let permits = Arc::new(Semaphore::new(self.cfg.max_concurrency.max(1)));
        let timeout = Duration::from_secs(self.cfg.request_timeout_secs);
        let round = Round::new();
        for sym in plan.symbols.iter().take(n) {
            let url = chart_url(&self.cfg.base_url, sym);
            let delay = Duration::from_millis(jitter_ms(self.cfg.jitter_ms));
            round.push(Box::pin(fetch_one(
                self.client.clone(),
                url,
                timeout,
                delay,
                permits.clone(),
                self.clock.clone(),
            )));
        }
        round
    }
}

async fn fetch_one(
    client: reqwest::Client,
    url: String,
    timeout: Duration,
    delay: Duration,
    permits: Arc<Semaphore>,
    clock: Arc<dyn Clock>,
) -> YahooResponse {
    tokio::time::sleep(delay).await;
    // The semaphore is never closed; if it were, going ahead unbounded beats stalling.
    let _permit = permits.acquire_owned().await.ok();
    let result = match tokio::time::timeout(timeout, fetch_chart(&client, &url)).await {
        Ok(r) => r,
        Err(_) => Err(format!("timeout after {}s", timeout.as_secs())),
    };
    let at = clock.now();
    match result {
        Ok((status, body)) => YahooResponse {
            at,
            url,
            status,
            body,
            error: None,
        },
        Err(reason) => YahooResponse {
            at,
            url,
            status: 0,
            body: String::new(),
            error: Some(reason),
        },
    }
}

fn jitter_ms(spread_ms: u64) -> u64 {
    use rand::RngExt;
    if spread_ms == 0 {
        0
    } else {
        rand::rng().random_range(0..spread_ms)
    }
}

/// `t + d`, with `d` capped at a day: an absurd hold or interval only means the
/// task wakes once a day to look again, and the sum cannot overflow.
fn later(t: Instant, d: Duration) -> Instant {
    t + d.min(Duration::from_secs(86_400))
}

fn interval(cfg: &PollerConfig, cadence: Cadence) -> Option<Duration> {
    match cadence {
        Cadence::Active => Some(Duration::from_secs(cfg.active_interval_secs)),
        Cadence::Standby => Some(Duration::from_secs(cfg.standby_interval_secs)),
        Cadence::Off => None,
    }
}

/// When the next round is due after the plan's cadence went from `old` to `new`.
/// Turning Active polls at once (the failover case); a cadence that stays keeps
/// its schedule; any other change counts the new interval from the last round.
fn reschedule(
    cfg: &PollerConfig,
    old: Cadence,
    new: Cadence,
    next_due: Option<Instant>,
    last_start: Option<Instant>,
    now: Instant,
) -> Option<Instant> {
    let every = interval(cfg, new)?;
    match (old == new, next_due) {
        _ if new == Cadence::Active && old != Cadence::Active => Some(now),
        (true, Some(due)) => Some(due),
        _ => Some(last_start.map_or(now, |s| later(s, every))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::types::{Symbol, Ts};
    use Cadence::{Active, Off, Standby};

    #[test]
    fn reschedule_follows_the_cadence() {
        let cfg = PollerConfig::default();
        let now = Instant::now();
        let last = now - Duration::from_secs(30);
        let due = now + Duration::from_secs(20);
        let s = Duration::from_secs;
        // (old, new, next_due, last_start, expected)
        let cases = [
            (Standby, Active, Some(due), Some(last), Some(now)),
            (Off, Active, None, Some(last), Some(now)),
            (Off, Active, None, None, Some(now)),
            (Active, Active, Some(due), Some(last), Some(due)),
            (Standby, Standby, Some(due), Some(last), Some(due)),
            (Active, Standby, Some(due), Some(last), Some(last + s(300))),
            (Off, Standby, None, None, Some(now)),
            (Off, Standby, None, Some(last), Some(last + s(300))),
            (Active, Off, Some(due), Some(last), None),
            (Standby, Off, Some(due), None, None),
        ];
        for (old, new, next_due, last_start, want) in cases {
            assert_eq!(
                reschedule(&cfg, old, new, next_due, last_start, now),
                want,
                "{old:?} -> {new:?}"
            );
        }
    }

    #[test]
    fn hold_and_off_forbid_requests() {
        let now = Ts::from_secs(1_000);
        let mut p = PollPlan {
            symbols: vec![Symbol::from("AAPL")],
            cadence: Active,
            hold_until: None,
            max_requests: None,
        };
        assert!(!p.forbids_requests(now));
        p.hold_until = Some(now.plus_millis(1_500));
        assert_eq!(p.held_for(now), Some(Duration::from_millis(1_500)));
        assert!(p.forbids_requests(now));
        p.hold_until = Some(now);
        assert_eq!(p.held_for(now), None);
        assert!(!p.forbids_requests(now));
        assert!(PollPlan::off().forbids_requests(now));
    }

    #[test]
    fn jitter_stays_inside_the_spread() {
        assert_eq!(jitter_ms(0), 0);
        assert!((0..200).all(|_| jitter_ms(7) < 7));
    }
}
