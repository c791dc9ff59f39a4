//! Table tests of the pure policy on a hand-moved clock: routing by severity,
//! de-duplication, the token bucket, suppressed counting and summaries, outcomes.

use super::policy::{Dispatch, Policy};
use super::*;
use crate::domain::alerts::{AlertSource, AlertState, Severity};
use crate::domain::event::Level;
use AlertState::{Firing, Pending, Resolved};

fn t(secs: i64) -> Ts {
    Ts::from_secs(1_800_000_000 + secs)
}

fn change(
    id: &'static str,
    sev: Severity,
    from: AlertState,
    to: AlertState,
    at: i64,
) -> AlertChange {
    AlertChange {
        at: t(at),
        id,
        name: "SomeAlert",
        severity: sev,
        source: AlertSource::Alpaca,
        from,
        to,
        summary: "value 12 > 10".into(),
        runbook: Some("RUNBOOK-001"),
        first_step: "curl /api/health",
        notify: to == Firing,
    }
}

fn exec(name: &str, route: Route, burst: u32, per_minute: u32) -> ChannelConfig {
    ChannelConfig {
        name: name.into(),
        target: Target::Exec {
            program: "/bin/true".into(),
            args: Vec::new(),
        },
        route,
        send_resolved: true,
        timeout_secs: 5,
        rate_limit: RateLimit { burst, per_minute },
    }
}

fn policy(channels: Vec<ChannelConfig>) -> Policy {
    Policy::new(&NotifyConfig { channels }, t(0))
}

/// (channel, alert id or "summary N", reminder) for each dispatch.
fn sends(ds: &[Dispatch]) -> Vec<(usize, String)> {
    ds.iter()
        .map(|d| {
            let what = match &d.notification {
                Notification::Alert { change, reminder } => {
                    format!(
                        "{} {}{}",
                        change.id,
                        change.to,
                        if *reminder { " r" } else { "" }
                    )
                }
                Notification::Suppressed { count, .. } => format!("summary {count}"),
            };
            (d.channel, what)
        })
        .collect()
}

#[test]
fn routing_by_severity() {
    use Severity::*;
    let mut p = policy(vec![
        exec("crit", Route::AtLeast(Critical), 100, 100),
        exec("high", Route::AtLeast(High), 100, 100),
        exec("pick", Route::Only(vec![Critical, Info]), 100, 100),
        exec("all", Route::AtLeast(Info), 100, 100),
    ]);
    let table: [(Severity, &[usize]); 5] = [
        (Critical, &[0, 1, 2, 3]),
        (High, &[1, 3]),
        (Medium, &[3]),
        (Low, &[3]),
        (Info, &[2, 3]),
    ];
    for (i, (sev, want)) in table.into_iter().enumerate() {
        let c = change("X1", sev, Pending, Firing, i as i64);
        let got: Vec<usize> = p
            .offer(t(i as i64), &c)
            .dispatches
            .iter()
            .map(|d| d.channel)
            .collect();
        assert_eq!(got, want, "{sev}");
    }
}

#[test]
fn dedup_and_the_notify_flag() {
    let mut p = policy(vec![exec("a", Route::AtLeast(Severity::Info), 100, 100)]);
    let h = Severity::High;
    let mut snoozed = change("H1", h, Firing, Firing, 5);
    snoozed.notify = false;
    let table: Vec<(AlertChange, &[&str], u64)> = vec![
        (change("H1", h, Pending, Firing, 1), &["H1 firing"], 0),
        // The same transition again: not sent twice.
        (change("H1", h, Pending, Firing, 1), &[], 1),
        // A reminder the engine says is due is sent.
        (change("H1", h, Firing, Firing, 3), &["H1 firing r"], 1),
        (change("H1", h, Firing, Firing, 3), &[], 2),
        // notify = false (acked, snoozed, inhibited): nothing.
        (snoozed, &[], 2),
        (change("H1", h, Firing, Resolved, 9), &["H1 resolved"], 2),
        (change("H1", h, Firing, Resolved, 9), &[], 3),
        // A resolution of an alert this channel never heard fire is not news.
        (change("H2", h, Pending, Resolved, 10), &[], 3),
        // A new episode of H1 is.
        (change("H1", h, Pending, Firing, 20), &["H1 firing"], 3),
        // INFO edges are each their own; no resolution follows them.
        (
            change("I2", Severity::Info, Resolved, Firing, 21),
            &["I2 firing"],
            3,
        ),
        (change("I2", Severity::Info, Firing, Resolved, 21), &[], 3),
        (
            change("I2", Severity::Info, Resolved, Firing, 22),
            &["I2 firing"],
            3,
        ),
    ];
    for (i, (c, want, dedup)) in table.into_iter().enumerate() {
        let out = p.offer(c.at, &c);
        let got: Vec<String> = sends(&out.dispatches).into_iter().map(|s| s.1).collect();
        assert_eq!(got, want, "row {i}");
        assert_eq!(p.view().channels[0].deduplicated, dedup, "row {i}");
    }
}

#[test]
fn send_resolved_false_keeps_resolutions_quiet() {
    let mut cfg = exec("a", Route::AtLeast(Severity::Info), 100, 100);
    cfg.send_resolved = false;
    let mut p = policy(vec![cfg]);
    let fire = change("C1", Severity::Critical, Pending, Firing, 1);
    assert_eq!(p.offer(t(1), &fire).dispatches.len(), 1);
    let done = change("C1", Severity::Critical, Firing, Resolved, 2);
    assert!(p.offer(t(2), &done).dispatches.is_empty());
}

#[test]
fn token_bucket_suppresses_counts_and_summarises() {
    // Two at once, one a minute after.
    let mut p = policy(vec![exec("a", Route::AtLeast(Severity::Info), 2, 1)]);
    let fire = |id: &'static str, at: i64| change(id, Severity::High, Pending, Firing, at);
    // (time, offered alert or tick, sends, suppressed, pending, warn/info events)
    type Row = (
        i64,
        Option<&'static str>,
        Vec<&'static str>,
        u64,
        u64,
        usize,
    );
    let table: Vec<Row> = vec![
        (0, Some("H1"), vec!["H1 firing"], 0, 0, 0),
        (0, Some("H2"), vec!["H2 firing"], 0, 0, 0),
        // Bucket empty: suppressed, counted, and one warning for the whole burst.
        (1, Some("H3"), vec![], 1, 1, 1),
        (2, Some("M1"), vec![], 2, 2, 0),
        (30, None, vec![], 2, 2, 0),
        // A token is back after 60 s: it carries the summary.
        (61, None, vec!["summary 2"], 2, 0, 1),
        (62, None, vec![], 2, 0, 0),
        // The next token (at 121 s) goes to the new alert.
        (121, Some("X2"), vec!["X2 firing"], 2, 0, 0),
        (122, Some("X3"), vec![], 3, 1, 1),
        // With a summary due, the free token goes to it first; the new one waits.
        (182, Some("X4"), vec!["summary 1"], 4, 1, 2),
    ];
    for (i, (at, offered, want, suppressed, pending, events)) in table.into_iter().enumerate() {
        let out = match offered {
            Some(id) => p.offer(t(at), &fire(id, at)),
            None => p.tick(t(at)),
        };
        let got: Vec<String> = sends(&out.dispatches).into_iter().map(|s| s.1).collect();
        assert_eq!(got, want, "row {i}");
        let v = &p.view().channels[0];
        assert_eq!(
            (v.suppressed, v.pending_suppressed),
            (suppressed, pending),
            "row {i}"
        );
        assert_eq!(out.events.len(), events, "row {i}: {:?}", out.events);
    }
}

#[test]
fn summary_covers_the_suppressed_window() {
    let mut p = policy(vec![exec("a", Route::AtLeast(Severity::Info), 1, 60)]);
    let c = |id, at| change(id, Severity::Low, Pending, Firing, at);
    p.offer(t(0), &c("L1", 0));
    assert!(p.offer(t(0), &c("L2", 0)).dispatches.is_empty());
    let out = p.tick(t(1));
    assert_eq!(
        out.dispatches[0].notification,
        Notification::Suppressed {
            count: 1,
            since: t(0),
            until: t(1)
        }
    );
}

#[test]
fn buckets_are_per_channel_and_a_clock_step_back_refills_nothing() {
    let mut p = policy(vec![
        exec("a", Route::AtLeast(Severity::Info), 1, 1),
        exec("b", Route::AtLeast(Severity::Info), 3, 1),
    ]);
    let mut per_channel = [0, 0];
    for i in 0..3 {
        let c = change("H1", Severity::High, Firing, Firing, i);
        for d in p.offer(t(-100), &c).dispatches {
            per_channel[d.channel] += 1;
        }
    }
    assert_eq!(per_channel, [1, 3]);
    assert_eq!(p.view().channels[0].suppressed, 2);
}

#[test]
fn outcomes_count_and_failures_become_events() {
    let mut p = policy(vec![exec("hook", Route::AtLeast(Severity::Info), 10, 10)]);
    let crit = p.offer(t(1), &change("C1", Severity::Critical, Pending, Firing, 1));
    let high = p.offer(t(1), &change("H1", Severity::High, Pending, Firing, 1));
    let (crit, high) = (&crit.dispatches[0], &high.dispatches[0]);
    assert_eq!(p.finished(t(2), crit, Ok(())), None);
    let e = p.finished(t(3), high, Err("exited with status 3".into()));
    let e = e.unwrap();
    assert_eq!(e.level, Level::Warn);
    assert!(e.message.contains("H1 HIGH firing"), "{}", e.message);
    assert!(
        e.message
            .contains("hook (exec /bin/true): exited with status 3"),
        "{}",
        e.message
    );
    let e = p
        .finished(t(4), crit, Err("timed out after 5 s".into()))
        .unwrap();
    assert_eq!(e.level, Level::Error);
    let v = &p.view().channels[0];
    assert_eq!((v.sent, v.failed), (1, 2));
    assert_eq!(v.last_error.as_deref(), Some("timed out after 5 s"));
    assert_eq!(
        (v.last_success_at, v.last_error_at),
        (Some(t(2)), Some(t(4)))
    );
}

#[test]
fn a_dropped_firing_is_counted_and_its_resolution_not_sent() {
    let mut p = policy(vec![exec("hook", Route::AtLeast(Severity::Info), 10, 10)]);
    let out = p.offer(t(1), &change("H1", Severity::High, Pending, Firing, 1));
    let e = p.dropped(&out.dispatches[0]).unwrap();
    assert!(e.message.contains("queue is full"), "{}", e.message);
    assert_eq!(p.view().channels[0].dropped, 1);
    let done = change("H1", Severity::High, Firing, Resolved, 2);
    assert!(p.offer(t(2), &done).dispatches.is_empty());
}

#[test]
fn the_view_never_shows_a_webhook_url() {
    let cfg = ChannelConfig {
        name: "slack".into(),
        target: Target::Webhook {
            url: SecretString::from("https://hooks.slack.com/services/T0/B0/SECRET"),
            host: "hooks.slack.com".into(),
        },
        route: Route::AtLeast(Severity::High),
        send_resolved: true,
        timeout_secs: 5,
        rate_limit: RateLimit::default(),
    };
    let p = policy(vec![cfg.clone()]);
    let json = serde_json::to_string(&p.view()).unwrap();
    assert!(!json.contains("SECRET"), "{json}");
    assert!(json.contains("\"target\":\"hooks.slack.com\""), "{json}");
    assert!(json.contains("\"route\":\">= HIGH\""), "{json}");
    assert!(!format!("{cfg:?}").contains("SECRET"));
}

#[test]
fn payloads_have_the_slack_and_exec_shapes() {
    let n = Notification::Alert {
        change: change("C1", Severity::Critical, Pending, Firing, 1),
        reminder: false,
    };
    let s = slack_json(&n);
    assert_eq!(s["text"], "[CRITICAL] C1 SomeAlert firing: value 12 > 10");
    let a = &s["attachments"][0];
    assert_eq!(a["color"], "#d00000");
    assert_eq!(a["title"], "C1 SomeAlert");
    assert_eq!(a["fields"][3]["value"], "RUNBOOK-001");
    let e = exec_json(&n);
    assert_eq!(e["type"], "alert");
    assert_eq!(e["alert"]["id"], "C1");
    assert_eq!(e["alert"]["firstStep"], "curl /api/health");
    let sum = Notification::Suppressed {
        count: 4,
        since: t(0),
        until: t(60),
    };
    assert!(slack_json(&sum)["text"]
        .as_str()
        .unwrap()
        .starts_with("tapewatch: 4 notifications suppressed"));
    assert_eq!(exec_json(&sum)["count"], 4);
}
