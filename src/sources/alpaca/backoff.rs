//! The reconnect policy, as a pure state machine: exponential backoff with jitter,
//! a reset once a connection has been stable, longer waits where Alpaca asks for
//! them (406, HTTP 429), and fatal stops where retrying cannot help (402, 409, a
//! refused upgrade). Time and randomness are inputs, so tests are tables. The link
//! of `tapewatch attach` (`sources::remote`) reconnects by the same policy.

use crate::domain::types::Ts;

#[derive(Clone, Debug, PartialEq)]
pub struct BackoffPolicy {
    pub base_delay_ms: i64,
    pub max_delay_ms: i64,
    /// A connection that lasted this long resets the backoff.
    pub stable_after_ms: i64,
    /// Alpaca reaps a stale session after about 90 s, so after 406 we wait at least this.
    pub connection_limit_delay_ms: i64,
    /// After HTTP 429 on the upgrade.
    pub rate_limited_delay_ms: i64,
}

impl Default for BackoffPolicy {
    fn default() -> Self {
        BackoffPolicy {
            base_delay_ms: 1_000,
            max_delay_ms: 30_000,
            stable_after_ms: 60_000,
            connection_limit_delay_ms: 30_000,
            rate_limited_delay_ms: 60_000,
        }
    }
}

/// Why a connection attempt or a connection ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// TCP/TLS/WebSocket failure, a close, or a dead connection (no pong, silence).
    Transient(String),
    /// Alpaca error 406: another session holds the keys.
    ConnectionLimit,
    /// HTTP 429 on the upgrade.
    RateLimited,
    /// Retrying cannot help until the user acts (402, 409, HTTP 401/403/404 on the upgrade).
    Fatal(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Decision {
    RetryAt(Ts),
    /// Stay down until a manual reconnect.
    Stop(String),
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Backoff {
    /// Failures since the last stable connection.
    pub consecutive_failures: u32,
    /// Connection attempts since start.
    pub attempts: u64,
    pub next_retry_at: Option<Ts>,
    pub fatal: Option<String>,
    /// The last failure was HTTP 429 (the engine's breaker opens at once on it).
    pub last_rate_limited: bool,
    connected_at: Option<Ts>,
}

impl Backoff {
    pub fn on_attempt(&mut self) {
        self.attempts += 1;
        self.next_retry_at = None;
    }

    /// The handshake completed (subscribed): the connection is up.
    pub fn on_connected(&mut self, now: Ts) {
        self.connected_at = Some(now);
    }

    /// Called periodically while connected; resets the backoff once stable. Returns
    /// the count it cleared (0 when nothing changed), so the caller can publish the
    /// reset: the snapshot, API and TUI otherwise keep showing the stale count.
    pub fn on_alive(&mut self, now: Ts, policy: &BackoffPolicy) -> u32 {
        match self.connected_at {
            Some(since) if now.millis_since(since) >= policy.stable_after_ms => {
                std::mem::take(&mut self.consecutive_failures)
            }
            _ => 0,
        }
    }

    /// `jitter` is uniform in [0, 1).
    pub fn on_failure(
        &mut self,
        now: Ts,
        failure: &Failure,
        policy: &BackoffPolicy,
        jitter: f64,
    ) -> Decision {
        self.on_alive(now, policy);
        self.connected_at = None;
        self.consecutive_failures = self.consecutive_failures.saturating_add(1);
        self.last_rate_limited = matches!(failure, Failure::RateLimited);
        let exp = policy
            .base_delay_ms
            .saturating_mul(1i64 << (self.consecutive_failures - 1).min(30))
            .min(policy.max_delay_ms);
        // Equal jitter: half fixed, half random, so many clients spread out but no
        // retry comes absurdly soon.
        let jittered = exp / 2 + ((exp / 2) as f64 * jitter.clamp(0.0, 1.0)) as i64;
        let delay_ms = match failure {
            Failure::Transient(_) => jittered,
            Failure::ConnectionLimit => jittered.max(policy.connection_limit_delay_ms),
            Failure::RateLimited => jittered.max(policy.rate_limited_delay_ms),
            Failure::Fatal(reason) => {
                self.fatal = Some(reason.clone());
                self.next_retry_at = None;
                return Decision::Stop(reason.clone());
            }
        };
        let at = now.plus_millis(delay_ms);
        self.next_retry_at = Some(at);
        Decision::RetryAt(at)
    }

    /// The operator asked for a reconnect: leave any fatal stop, retry now.
    pub fn manual(&mut self) {
        self.fatal = None;
        self.next_retry_at = None;
        self.consecutive_failures = 0;
    }
}

/// Uniform in [0, 1): the random half of [`Backoff::on_failure`]'s delay.
pub fn jitter() -> f64 {
    use rand::RngExt;
    rand::rng().random::<f64>()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: i64) -> Ts {
        Ts::from_secs(1_800_000_000 + s)
    }

    #[test]
    fn delays_grow_exponentially_to_the_cap_with_bounded_jitter() {
        let p = BackoffPolicy::default();
        let mut b = Backoff::default();
        // (jitter, expected delay ms) for failures 1..=7
        let table = [
            (0.0, 500),
            (1.0, 2_000),
            (0.5, 3_000),
            (0.0, 4_000),
            (0.0, 8_000),
            (1.0, 30_000),
            (0.0, 15_000),
        ];
        for (n, (jitter, want)) in table.into_iter().enumerate() {
            let d = b.on_failure(t(0), &Failure::Transient("closed".into()), &p, jitter);
            assert_eq!(
                d,
                Decision::RetryAt(t(0).plus_millis(want)),
                "failure {}",
                n + 1
            );
        }
        assert_eq!(b.consecutive_failures, 7);
    }

    #[test]
    fn a_stable_connection_resets_the_backoff() {
        let p = BackoffPolicy::default();
        let mut b = Backoff::default();
        for _ in 0..5 {
            b.on_failure(t(0), &Failure::Transient("x".into()), &p, 0.0);
        }
        b.on_connected(t(100));
        assert_eq!(b.on_alive(t(130), &p), 0);
        assert_eq!(b.consecutive_failures, 5, "30 s is not yet stable");
        assert_eq!(
            b.on_alive(t(160), &p),
            5,
            "the reset reports what it cleared"
        );
        assert_eq!(b.consecutive_failures, 0);
        assert_eq!(b.on_alive(t(165), &p), 0, "nothing new to publish");
        let d = b.on_failure(t(200), &Failure::Transient("x".into()), &p, 0.0);
        assert_eq!(d, Decision::RetryAt(t(200).plus_millis(500)));
    }

    #[test]
    fn a_short_lived_connection_keeps_counting() {
        let p = BackoffPolicy::default();
        let mut b = Backoff::default();
        b.on_failure(t(0), &Failure::Transient("x".into()), &p, 0.0);
        b.on_connected(t(1));
        let d = b.on_failure(t(5), &Failure::Transient("x".into()), &p, 0.0);
        assert_eq!(b.consecutive_failures, 2);
        assert_eq!(d, Decision::RetryAt(t(5).plus_millis(1_000)));
    }

    #[test]
    fn connection_limit_and_rate_limit_wait_longer() {
        let p = BackoffPolicy::default();
        let mut b = Backoff::default();
        assert_eq!(
            b.on_failure(t(0), &Failure::ConnectionLimit, &p, 0.0),
            Decision::RetryAt(t(30))
        );
        assert_eq!(
            b.on_failure(t(0), &Failure::RateLimited, &p, 0.0),
            Decision::RetryAt(t(60))
        );
    }

    #[test]
    fn fatal_stops_until_manual_reconnect() {
        let p = BackoffPolicy::default();
        let mut b = Backoff::default();
        let d = b.on_failure(t(0), &Failure::Fatal("402 auth failed".into()), &p, 0.3);
        assert_eq!(d, Decision::Stop("402 auth failed".into()));
        assert_eq!(b.fatal.as_deref(), Some("402 auth failed"));
        assert_eq!(b.next_retry_at, None);
        b.manual();
        assert_eq!((b.fatal.clone(), b.consecutive_failures), (None, 0));
    }

    #[test]
    fn attempts_count_every_try() {
        let mut b = Backoff::default();
        b.on_attempt();
        b.on_attempt();
        assert_eq!(b.attempts, 2);
    }
}
