//! The deploy/ files stay true to the code: every metric the Prometheus rules and
//! the Grafana dashboard query is one tapewatch exports, the rules pass
//! `promtool check rules`, and the systemd unit runs headless.

use std::collections::BTreeSet;
use std::process::Command;

/// Metric names tapewatch exports (from a real render of an empty snapshot plus the
/// histogram's series names).
fn exported() -> BTreeSet<String> {
    let text = std::fs::read_to_string("src/outputs/exposition.rs").unwrap();
    let mut names: BTreeSet<String> = BTreeSet::new();
    for part in text.split('"').skip(1).step_by(2) {
        if part.starts_with("alpaca_") || part.starts_with("tapewatch_") {
            names.insert(part.to_string());
        }
    }
    for suffix in ["_bucket", "_sum", "_count"] {
        names.insert(format!("alpaca_message_latency_seconds{suffix}"));
    }
    names
}

/// Identifiers in PromQL that look like our metric names. Label values (`slo="alpaca_uptime"`,
/// quoted with or without a JSON escape) are not metric names.
fn referenced(text: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let mut cur = String::new();
    let mut before = String::new();
    let mut prev: Vec<char> = Vec::new();
    for c in text.chars().chain(std::iter::once(' ')) {
        if c.is_ascii_alphanumeric() || c == '_' {
            if cur.is_empty() {
                before = prev.iter().rev().take(3).collect();
            }
            cur.push(c);
        } else {
            let label_value = ["\"=", "\"\\="].iter().any(|p| before.starts_with(p))
                || before.starts_with("\"~")
                || before.starts_with("\"\\~");
            if !label_value
                && (cur.starts_with("alpaca_") || cur.starts_with("tapewatch_"))
                && cur.len() > 8
            {
                out.insert(std::mem::take(&mut cur));
            }
            cur.clear();
        }
        prev.push(c);
    }
    out
}

#[test]
fn rules_and_dashboard_only_use_exported_metrics() {
    let exported = exported();
    for file in [
        "deploy/prometheus/tapewatch-alerts.yml",
        "deploy/grafana/tapewatch.json",
    ] {
        let text = std::fs::read_to_string(file).unwrap();
        let used = referenced(&text);
        assert!(!used.is_empty(), "{file} queries nothing");
        let unknown: Vec<_> = used.difference(&exported).collect();
        assert!(
            unknown.is_empty(),
            "{file} uses metrics tapewatch does not export: {unknown:?}"
        );
    }
    let dash: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string("deploy/grafana/tapewatch.json").unwrap())
            .unwrap();
    assert!(dash["panels"].as_array().unwrap().len() >= 8);
}

#[test]
fn rules_pass_promtool() {
    if Command::new("promtool").arg("--version").output().is_err() {
        assert!(
            std::env::var_os("TAPEWATCH_REQUIRE_PROMTOOL").is_none(),
            "promtool is required here: run scripts/install-test-deps"
        );
        eprintln!("promtool not installed; skipping (scripts/install-test-deps installs it)");
        return;
    }
    let out = Command::new("promtool")
        .args(["check", "rules", "deploy/prometheus/tapewatch-alerts.yml"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn systemd_unit_runs_headless_with_a_config_and_a_database() {
    let unit = std::fs::read_to_string("deploy/systemd/tapewatch.service").unwrap();
    let exec = unit
        .lines()
        .find(|l| l.starts_with("ExecStart="))
        .expect("an ExecStart line");
    for flag in ["--no-ui", "--config", "--db"] {
        assert!(exec.contains(flag), "{exec}");
    }
    // Credentials come from the EnvironmentFile; the unit only mentions them in comments.
    assert!(unit
        .lines()
        .filter(|l| l.contains("APCA_API_SECRET_KEY="))
        .all(|l| l.trim_start().starts_with('#')));
    assert!(unit.contains("EnvironmentFile="));
}
