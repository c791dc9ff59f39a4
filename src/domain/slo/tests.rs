//! SLO tracker tests: budgets against the whole window, burn rates over each
//! window, and the minute buckets persisted and reloaded.

use super::*;

const MIN_MS: i64 = 60_000;

fn up() -> SecondSample {
    SecondSample {
        secs: 1,
        available: true,
        alpaca_up: true,
    }
}

fn down() -> SecondSample {
    SecondSample {
        secs: 1,
        available: false,
        alpaca_up: false,
    }
}

fn msgs(total: u64, good: u64) -> MessageCounts {
    MessageCounts {
        latency_total: total,
        latency_good: good,
        validation_total: total,
        validation_good: good,
    }
}

/// Feeds `minutes` whole minutes from `start_min`, every second as `sample`.
fn feed(t: &mut SloTracker, start_min: i64, minutes: i64, sample: SecondSample, m: MessageCounts) {
    for min in start_min..start_min + minutes {
        for s in 0..60 {
            t.record(min * MIN_MS + s * 1_000, sample, m);
        }
    }
}

fn slo<'a>(r: &'a SloReport, key: &str) -> &'a SloView {
    r.slos.iter().find(|s| s.key == key).unwrap()
}

#[test]
fn no_data_means_no_verdict() {
    let t = SloTracker::new(SloConfig::default());
    let r = t.report(0);
    assert_eq!(r.slos.len(), 4);
    for s in &r.slos {
        assert_eq!(s.sli_pct, None, "{}", s.key);
        assert_eq!(s.budget_remaining_pct, None);
        assert!(!s.fast_burn && !s.slow_burn);
        assert_eq!(s.met, None);
    }
    assert_eq!(r.worst_budget(), None);
}

#[test]
fn a_closed_minute_is_returned_once_for_the_store() {
    let mut t = SloTracker::new(SloConfig::default());
    assert_eq!(t.record(0, up(), msgs(10, 10)), None);
    assert_eq!(t.record(59_000, up(), msgs(0, 0)), None);
    let closed = t.record(60_000, down(), msgs(1, 0)).unwrap();
    assert_eq!(
        closed,
        MinuteBucket {
            minute: 0,
            observed_secs: 2,
            available_secs: 2,
            alpaca_up_secs: 2,
            latency_total: 10,
            latency_good: 10,
            validation_total: 10,
            validation_good: 10,
        }
    );
    assert_eq!(t.record(61_000, down(), msgs(0, 0)), None);
    assert_eq!(t.close_current().unwrap().minute, 1);
    assert_eq!(t.close_current(), None);
}

/// Budget arithmetic against the whole window, one row per case: (up minutes, down
/// minutes, expected budget remaining %). Availability's budget is 0.5 % of 30 days:
/// 216 minutes.
#[test]
fn availability_budget_table() {
    // The verdict follows the budget (met until it is overspent), and waits for
    // five minutes of data.
    let cases: &[(i64, i64, f64, Option<bool>)] = &[
        (100, 0, 100.0, Some(true)),
        (100, 108, 50.0, Some(true)),
        (10, 216, 0.0, Some(true)),
        (0, 432, -100.0, Some(false)),
        // One bad minute in a fresh process is a sliver of the budget, not all of it.
        (0, 1, 100.0 - 100.0 / 216.0, None),
    ];
    for &(up_min, down_min, budget, met) in cases {
        let mut t = SloTracker::new(SloConfig::default());
        feed(&mut t, 0, up_min, up(), msgs(0, 0));
        feed(&mut t, up_min, down_min, down(), msgs(0, 0));
        let r = t.report((up_min + down_min) * MIN_MS - 1);
        let s = slo(&r, "availability");
        let sli = up_min as f64 * 100.0 / (up_min + down_min) as f64;
        assert!((s.sli_pct.unwrap() - sli).abs() < 1e-9, "{s:?}");
        assert!(
            (s.budget_remaining_pct.unwrap() - budget).abs() < 1e-6,
            "{up_min}/{down_min}: {s:?}"
        );
        assert_eq!(s.met, met, "{up_min}/{down_min}");
    }
}

/// Three seconds after start, one of them without Alpaca: 66.67 % uptime, but the
/// budget is untouched and there is no verdict yet (it used to say MISSED).
#[test]
fn a_fresh_process_gives_no_verdict() {
    let mut t = SloTracker::new(SloConfig::default());
    t.record(0, down(), msgs(0, 0));
    t.record(1_000, up(), msgs(0, 0));
    t.record(2_000, up(), msgs(0, 0));
    let s = slo(&t.report(2_000), "alpaca_uptime").clone();
    assert!((s.sli_pct.unwrap() - 200.0 / 3.0).abs() < 1e-9);
    assert!(s.budget_remaining_pct.unwrap() > 99.9);
    assert_eq!(s.met, None);
}

#[test]
fn alpaca_uptime_budget_is_two_percent_of_seven_days() {
    let mut t = SloTracker::new(SloConfig::default());
    feed(&mut t, 0, 1, down(), msgs(0, 0));
    let s = slo(&t.report(MIN_MS - 1), "alpaca_uptime").clone();
    // 3.36 hours = 12,096 s; 60 of them are gone.
    assert!((s.budget_remaining_pct.unwrap() - (100.0 - 6_000.0 / 12_096.0)).abs() < 1e-6);
}

#[test]
fn message_budgets_wait_for_enough_messages() {
    let mut t = SloTracker::new(SloConfig::default());
    t.record(0, up(), msgs(999, 0));
    let s = slo(&t.report(0), "validation_success").clone();
    assert_eq!(s.sli_pct, Some(0.0));
    assert_eq!(s.budget_remaining_pct, None, "999 messages say little");
    t.record(1_000, up(), msgs(1, 1));
    let s = slo(&t.report(1_000), "validation_success").clone();
    assert!(s.budget_remaining_pct.unwrap() < -9_000.0);
}

#[test]
fn message_slos_count_messages_not_seconds() {
    let mut t = SloTracker::new(SloConfig::default());
    // 1000 messages, 20 late and rejected: latency 98 % of a 95 % target,
    // validation 98 % of a 99 % target.
    feed(&mut t, 0, 1, up(), msgs(0, 0));
    t.record(30_000, up(), msgs(1_000, 980));
    let r = t.report(59_000);
    let lat = slo(&r, "latency_p95");
    assert!((lat.sli_pct.unwrap() - 98.0).abs() < 1e-9);
    assert!((lat.budget_remaining_pct.unwrap() - 60.0).abs() < 1e-6);
    let val = slo(&r, "validation_success");
    assert!((val.budget_remaining_pct.unwrap() + 100.0).abs() < 1e-6);
    assert_eq!(r.worst_budget().unwrap().0, "validation_success");
}

#[test]
fn a_total_outage_burns_fast_on_both_windows() {
    let mut t = SloTracker::new(SloConfig::default());
    feed(&mut t, 0, 120, up(), msgs(0, 0));
    // 10 minutes down after 2 hours up: the 5-minute window is 100 % bad
    // (burn 200×), the hour is 10/60 bad (burn 33×).
    feed(&mut t, 120, 10, down(), msgs(0, 0));
    let r = t.report(130 * MIN_MS - 1);
    let s = slo(&r, "availability");
    assert!(s.fast_burn, "{s:?}");
    // 10 minutes of a full 6 hours is 5.6×: not yet a slow burn.
    assert!(!s.slow_burn, "{s:?}");
    assert!((s.burn_rates.m5.unwrap() - 200.0).abs() < 1e-6);
    let burning: Vec<_> = r.burning().iter().map(|s| s.key.as_ref()).collect();
    // Alpaca uptime (2 % budget) burns 8× over the hour: below both pairs.
    assert_eq!(burning, ["availability"]);
}

#[test]
fn a_spike_that_stopped_does_not_page() {
    let mut t = SloTracker::new(SloConfig::default());
    feed(&mut t, 0, 50, up(), msgs(0, 0));
    feed(&mut t, 50, 10, down(), msgs(0, 0));
    // Recovered: 10 clean minutes, so the 5-minute window is clean.
    feed(&mut t, 60, 10, up(), msgs(0, 0));
    let s = slo(&t.report(70 * MIN_MS - 1), "availability").clone();
    assert!(
        s.burn_rates.h1.unwrap() >= 14.4,
        "the hour still burns: {s:?}"
    );
    assert_eq!(s.burn_rates.m5, Some(0.0));
    assert!(!s.fast_burn);
}

#[test]
fn history_survives_a_restart_and_old_minutes_age_out() {
    let mut t = SloTracker::new(SloConfig::default());
    feed(&mut t, 0, 10, down(), msgs(0, 0));
    let mut stored = Vec::new();
    for min in 10..12 {
        for s in 0..60 {
            if let Some(b) = t.record(min * MIN_MS + s * 1_000, up(), msgs(0, 0)) {
                stored.push(b);
            }
        }
    }
    stored.extend(t.close_current());
    // A new process loads what the store kept (here: minutes 9..=11).
    let mut again = SloTracker::new(SloConfig::default());
    again.load(stored.clone());
    let r = again.report(12 * MIN_MS - 1);
    assert_eq!(r.minutes_of_data, 3);
    let s = slo(&r, "availability");
    assert_eq!((s.good, s.total), (120, 180));
    // 31 days later the availability window (30 d) no longer sees them.
    let later = 12 * MIN_MS + 31 * 1_440 * MIN_MS;
    again.record(later, up(), msgs(0, 0));
    again.close_current();
    let s = slo(&again.report(later), "availability").clone();
    assert_eq!((s.good, s.total), (1, 1));
}

#[test]
fn load_merges_duplicate_minutes() {
    let mut t = SloTracker::new(SloConfig::default());
    let b = MinuteBucket {
        minute: 5,
        observed_secs: 30,
        available_secs: 30,
        ..MinuteBucket::default()
    };
    t.load(vec![b, b]);
    let r = t.report(5 * MIN_MS);
    assert_eq!(slo(&r, "availability").total, 60);
    assert_eq!(r.minutes_of_data, 1);
}

#[test]
fn seconds_never_exceed_a_minute() {
    let mut t = SloTracker::new(SloConfig::default());
    let big = SecondSample {
        secs: 500,
        available: true,
        alpaca_up: false,
    };
    t.record(0, big, msgs(0, 0));
    t.record(1_000, big, msgs(0, 0));
    let b = t.close_current().unwrap();
    assert_eq!(
        (b.observed_secs, b.available_secs, b.alpaca_up_secs),
        (60, 60, 0)
    );
}
