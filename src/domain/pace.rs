//! Replay pacing, pure: which fixture time a replay may have reached at a given wall
//! time, at a speed that can change, pause and resume. The engine holds each fixture
//! input (frames, Yahoo answers, faults, the replay's clock ticks) until its fixture
//! time is within [`Pace::horizon`], so fixture time runs at N× wall time through
//! quiet stretches too, and the engine clock never runs ahead of the wall.
//!
//! Wall time is a `Duration` since any origin the caller picks (the engine uses its
//! start on tokio's clock, so a paused test clock paces a replay exactly).

use crate::domain::types::Ts;
use std::str::FromStr;
use std::time::Duration;

/// Replay pace: a multiple of real time, or as fast as the engine takes it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Speed {
    Max,
    Factor(f64),
}

impl FromStr for Speed {
    type Err = String;
    fn from_str(s: &str) -> Result<Speed, String> {
        if s.eq_ignore_ascii_case("max") {
            return Ok(Speed::Max);
        }
        match s.parse::<f64>() {
            Ok(f) if f.is_finite() && f > 0.0 && f <= 1_000_000.0 => Ok(Speed::Factor(f)),
            _ => Err(format!(
                "expected a positive number of times real time (e.g. 1, 10, 0.5) or 'max', got {s:?}"
            )),
        }
    }
}

impl std::fmt::Display for Speed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Speed::Max => f.write_str("max"),
            Speed::Factor(x) => write!(f, "{x}x"),
        }
    }
}

/// The speeds `+` and `-` step through; above the last one comes `max`.
pub const SPEED_STEPS: [f64; 12] = [
    0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 100.0, 300.0, 1000.0,
];

/// The next speed up (`+`): the next step above, then `max`.
pub fn faster(s: Speed) -> Speed {
    match s {
        Speed::Max => Speed::Max,
        Speed::Factor(f) => SPEED_STEPS
            .iter()
            .find(|&&x| x > f * (1.0 + 1e-9))
            .map_or(Speed::Max, |&x| Speed::Factor(x)),
    }
}

/// The next speed down (`-`): from `max` the fastest step; the slowest step stays.
pub fn slower(s: Speed) -> Speed {
    let slowest = SPEED_STEPS[0];
    match s {
        Speed::Max => Speed::Factor(SPEED_STEPS[SPEED_STEPS.len() - 1]),
        Speed::Factor(f) => SPEED_STEPS
            .iter()
            .rev()
            .find(|&&x| x < f * (1.0 - 1e-9))
            .map_or(Speed::Factor(f.min(slowest)), |&x| Speed::Factor(x)),
    }
}

/// Where a replay is allowed to be, as a function of wall time.
#[derive(Clone, Debug, PartialEq)]
pub struct Pace {
    speed: Speed,
    paused: bool,
    /// Wall time and fixture time at the last start, speed change, pause or resume.
    anchor_wall: Duration,
    anchor_fixture: Ts,
}

impl Pace {
    /// A replay at `speed` whose fixture time `fixture` is due at wall time `wall`.
    pub fn new(speed: Speed, wall: Duration, fixture: Ts) -> Pace {
        Pace {
            speed,
            paused: false,
            anchor_wall: wall,
            anchor_fixture: fixture,
        }
    }

    pub fn speed(&self) -> Speed {
        self.speed
    }

    pub fn paused(&self) -> bool {
        self.paused
    }

    /// How far fixture time may have run by `wall`; `None` means no limit (`max`).
    pub fn horizon(&self, wall: Duration) -> Option<Ts> {
        if self.paused {
            return Some(self.anchor_fixture);
        }
        match self.speed {
            Speed::Max => None,
            Speed::Factor(f) => {
                let elapsed_ns = wall.saturating_sub(self.anchor_wall).as_nanos() as f64;
                // f64 is fine here: pacing, not money; a nanosecond of rounding is noise.
                let ahead_ns = (elapsed_ns * f).min(i64::MAX as f64) as i64;
                Some(Ts(self.anchor_fixture.0.saturating_add(ahead_ns)))
            }
        }
    }

    /// The wall time from which fixture time `t` is within the horizon: `None` while
    /// paused (not until resumed). At `max` everything is due at once.
    pub fn due_at(&self, t: Ts) -> Option<Duration> {
        if self.paused {
            return None;
        }
        match self.speed {
            Speed::Max => Some(self.anchor_wall),
            Speed::Factor(f) => {
                let ahead_ns = t.0.saturating_sub(self.anchor_fixture.0).max(0) as f64;
                // Rounded up (and a nanosecond more), so that at the returned instant
                // the horizon has certainly reached `t`: a wake-up is never early.
                let wall_ns = (ahead_ns / f).ceil().min(u64::MAX as f64 / 2.0) as u64 + 1;
                Some(self.anchor_wall + Duration::from_nanos(wall_ns))
            }
        }
    }

    /// Where fixture time stands at `wall`: the horizon, or at `max` (no horizon) the
    /// time the replay has actually `reached`.
    fn position(&self, wall: Duration, reached: Ts) -> Ts {
        self.horizon(wall).unwrap_or(reached)
    }

    /// Changes the speed from `wall` on, continuing from where fixture time stands.
    pub fn set_speed(&mut self, speed: Speed, wall: Duration, reached: Ts) {
        self.anchor_fixture = self.position(wall, reached);
        self.anchor_wall = wall;
        self.speed = speed;
    }

    /// Stops fixture time at `wall` (a no-op when already paused).
    pub fn pause(&mut self, wall: Duration, reached: Ts) {
        if self.paused {
            return;
        }
        self.anchor_fixture = self.position(wall, reached);
        self.anchor_wall = wall;
        self.paused = true;
    }

    /// Lets fixture time run again from where it stopped.
    pub fn resume(&mut self, wall: Duration) {
        if self.paused {
            self.anchor_wall = wall;
            self.paused = false;
        }
    }

    /// Starts over: fixture time `start` is due at `wall`, running (not paused).
    pub fn restart(&mut self, wall: Duration, start: Ts) {
        self.anchor_fixture = start;
        self.anchor_wall = wall;
        self.paused = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(secs: f64) -> Duration {
        Duration::from_secs_f64(secs)
    }

    const T0: Ts = Ts::from_secs(1_000);

    fn at(secs: i64) -> Ts {
        T0.plus_millis(secs * 1_000)
    }

    #[test]
    fn fixture_time_runs_at_the_speed_through_quiet_stretches() {
        // (speed, wall seconds since start, fixture seconds reached)
        let cases = [
            (1.0, 0.0, 0),
            (1.0, 10.0, 10),
            (4.0, 10.0, 40),
            (30.0, 3.0, 90),
            (0.5, 20.0, 10),
        ];
        for (f, wall, want) in cases {
            let p = Pace::new(Speed::Factor(f), s(5.0), T0);
            assert_eq!(p.horizon(s(5.0 + wall)), Some(at(want)), "{f}x at {wall}s");
        }
        // Before the start nothing is due; at max there is no limit.
        let p = Pace::new(Speed::Factor(1.0), s(5.0), T0);
        assert_eq!(p.horizon(s(1.0)), Some(T0));
        assert_eq!(Pace::new(Speed::Max, s(0.0), T0).horizon(s(9.0)), None);
    }

    #[test]
    fn a_wake_up_at_due_at_is_never_early() {
        for f in [0.25, 1.0, 3.0, 7.0, 30.0, 1000.0] {
            let p = Pace::new(Speed::Factor(f), s(2.5), T0);
            for ms in [0, 1, 7, 250, 999, 1_000, 10_001, 89_999, 600_000] {
                let t = T0.plus_millis(ms);
                let due = p.due_at(t).unwrap();
                assert!(p.horizon(due).unwrap() >= t, "{f}x {ms}ms");
                // ...and not late by more than a microsecond of wall time.
                let just_before = due.saturating_sub(Duration::from_micros(1));
                assert!(
                    p.horizon(just_before).unwrap() <= t.plus_millis(1),
                    "{f}x {ms}ms"
                );
            }
        }
    }

    #[test]
    fn pause_freezes_and_resume_continues_without_a_jump() {
        let mut p = Pace::new(Speed::Factor(10.0), s(0.0), T0);
        p.pause(s(3.0), at(0));
        assert!(p.paused());
        assert_eq!(p.horizon(s(100.0)), Some(at(30)));
        assert_eq!(p.due_at(at(31)), None);
        p.pause(s(50.0), at(0));
        assert_eq!(
            p.horizon(s(100.0)),
            Some(at(30)),
            "a second pause changes nothing"
        );
        p.resume(s(100.0));
        assert_eq!(p.horizon(s(101.0)), Some(at(40)));
    }

    #[test]
    fn speed_changes_continue_from_where_time_stands() {
        let mut p = Pace::new(Speed::Factor(1.0), s(0.0), T0);
        p.set_speed(Speed::Factor(20.0), s(10.0), at(0));
        assert_eq!(p.horizon(s(11.0)), Some(at(30)));
        // From max, fixture time stands where the replay actually got to.
        let mut p = Pace::new(Speed::Max, s(0.0), T0);
        p.set_speed(Speed::Factor(2.0), s(1.0), at(300));
        assert_eq!(p.horizon(s(2.0)), Some(at(302)));
        p.restart(s(3.0), T0);
        assert_eq!(p.horizon(s(4.0)), Some(at(2)));
    }

    #[test]
    fn plus_and_minus_step_through_the_ladder() {
        let cases = [
            (Speed::Factor(1.0), Speed::Factor(2.0), Speed::Factor(0.5)),
            (Speed::Factor(4.0), Speed::Factor(5.0), Speed::Factor(2.0)),
            (
                Speed::Factor(20.0),
                Speed::Factor(30.0),
                Speed::Factor(10.0),
            ),
            (Speed::Factor(1000.0), Speed::Max, Speed::Factor(300.0)),
            (Speed::Factor(0.25), Speed::Factor(0.5), Speed::Factor(0.25)),
            (Speed::Factor(0.1), Speed::Factor(0.25), Speed::Factor(0.1)),
            (Speed::Max, Speed::Max, Speed::Factor(1000.0)),
        ];
        for (from, up, down) in cases {
            assert_eq!(faster(from), up, "+ from {from}");
            assert_eq!(slower(from), down, "- from {from}");
        }
        assert_eq!(Speed::Factor(0.25).to_string(), "0.25x");
        assert_eq!("MAX".parse::<Speed>(), Ok(Speed::Max));
        assert!("0".parse::<Speed>().is_err());
    }
}
