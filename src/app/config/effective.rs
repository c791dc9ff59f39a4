//! The effective config as TOML: every key with the value a run would use (defaults
//! filled in), in the file's own layout, so `tapewatch check-config` prints something
//! that can be saved and loaded again. Secrets print as [`REDACTED`], never their value.

use super::Settings;
use crate::outputs::notify::{Route, Target};
use crate::outputs::ui::actions::Action;
use crate::outputs::ui::Keymap;
use rust_decimal::Decimal;
use toml::{Table, Value};

/// What a secret that is set prints as.
pub const REDACTED: &str = "<redacted>";

fn int(n: u64) -> Value {
    // TOML integers are i64; no knob comes near the limit, but saturate rather than wrap.
    Value::Integer(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Decimals print as strings, which the loader reads back digit for digit.
fn dec(d: Decimal) -> Value {
    Value::String(d.to_string())
}

fn text(s: &str) -> Value {
    Value::String(s.to_string())
}

fn table(entries: Vec<(&str, Value)>) -> Value {
    Value::Table(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

pub fn to_toml(s: &Settings) -> String {
    let mut root = Table::new();
    if s.watchlist_from_config {
        let list = s.watchlist.iter().map(|sym| text(sym.as_str())).collect();
        root.insert("watchlist".into(), Value::Array(list));
    }
    root.insert("alpaca".into(), alpaca(s));
    let mut api = vec![
        ("listen", text(&s.listen.to_string())),
        ("max_stream_clients", int(s.max_stream_clients as u64)),
    ];
    if s.api_token.is_some() {
        api.push(("token", text(REDACTED)));
    }
    root.insert("api".into(), table(api));
    root.insert(
        "ui".into(),
        table(vec![
            ("theme", text(&s.theme)),
            ("mouse", Value::Boolean(s.mouse)),
        ]),
    );
    if let Some(keys) = keys(s) {
        root.insert("keys".into(), keys);
    }
    if let Some(db) = &s.db {
        let db = text(&db.display().to_string());
        root.insert("storage".into(), table(vec![("db", db)]));
    }
    resilience(s, &mut root);
    let p = &s.portfolio;
    root.insert(
        "portfolio".into(),
        table(vec![
            ("daily_loss_warn_pct", dec(p.daily_loss_warn_pct)),
            ("daily_loss_critical_pct", dec(p.daily_loss_critical_pct)),
            ("concentration_pct", dec(p.concentration_pct)),
            ("reconcile_tolerance_pct", dec(p.reconcile_tolerance_pct)),
            ("reconcile_tolerance_abs", dec(p.reconcile_tolerance_abs)),
            ("poll_interval_secs", int(s.trading_poll_secs)),
        ]),
    );
    if !s.lots.is_empty() {
        let lots = s
            .lots
            .iter()
            .map(|l| {
                table(vec![
                    ("symbol", text(l.symbol.as_str())),
                    ("qty", dec(l.qty)),
                    ("cost", dec(l.cost_per_share)),
                    ("fees", dec(l.fees)),
                ])
            })
            .collect();
        root.insert("positions".into(), Value::Array(lots));
    }
    if !s.notify.channels.is_empty() {
        root.insert("notify".into(), notify(s));
    }
    toml::to_string(&root).unwrap_or_else(|e| format!("# cannot print the config: {e}\n"))
}

/// The actions whose keys differ from the built-in keymap, as `[keys]` spells them
/// (the full table is in the README and the `?` help).
fn keys(s: &Settings) -> Option<Value> {
    let defaults = Keymap::default();
    let bound = |map: &Keymap, a: Action| {
        let mut keys: Vec<String> = Vec::new();
        for b in map.rows().iter().filter(|b| b.action == a) {
            let k = b.key.to_string();
            if !keys.contains(&k) {
                keys.push(k);
            }
        }
        keys
    };
    let changed: Table = Action::ALL
        .into_iter()
        .filter_map(|a| {
            let now = bound(&s.keymap, a);
            (now != bound(&defaults, a)).then(|| {
                let list = now.iter().map(|k| text(k)).collect();
                (a.name().to_string(), Value::Array(list))
            })
        })
        .collect();
    (!changed.is_empty()).then_some(Value::Table(changed))
}

fn alpaca(s: &Settings) -> Value {
    let st = &s.stream;
    let mut a = Vec::new();
    if s.key_id.is_some() {
        a.push(("key_id", text(REDACTED)));
    }
    if s.secret_key.is_some() {
        a.push(("secret_key", text(REDACTED)));
    }
    if let Some(u) = &s.trading_url {
        a.push(("trading_url", text(u)));
    }
    a.push(("feed", text(&s.feed)));
    if let Some(u) = &st.stream_url {
        a.push(("stream_url", text(u)));
    }
    let encoding = if st.msgpack { "msgpack" } else { "json" };
    a.push(("encoding", text(encoding)));
    let channels = [
        ("trades", st.trades),
        ("quotes", st.quotes),
        ("bars", st.bars),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(name, _)| text(name))
    .collect();
    a.push(("channels", Value::Array(channels)));
    a.push(("ping_interval_secs", int(st.ping_interval_secs)));
    a.push(("pong_timeout_secs", int(st.pong_timeout_secs)));
    a.push(("message_timeout_secs", int(st.message_timeout_secs)));
    a.push(("reconnect_base_delay_ms", int(st.reconnect_base_delay_ms)));
    a.push(("reconnect_max_delay_ms", int(st.reconnect_max_delay_ms)));
    table(a)
}

fn resilience(s: &Settings, root: &mut Table) {
    let r = &s.resilience.router;
    root.insert(
        "router".into(),
        table(vec![
            (
                "max_consecutive_failures",
                int(u64::from(r.max_consecutive_failures)),
            ),
            (
                "fallback_activation_delay_secs",
                int(r.fallback_activation_delay_secs),
            ),
            (
                "primary_recovery_grace_period_secs",
                int(r.primary_recovery_grace_period_secs),
            ),
            ("max_grace_period_secs", int(r.max_grace_period_secs)),
        ]),
    );
    let yahoo = match &s.resilience.yahoo {
        None => table(vec![("enabled", Value::Boolean(false))]),
        Some(y) => table(vec![
            ("enabled", Value::Boolean(true)),
            ("base_url", text(&y.base_url)),
            ("active_interval_secs", int(y.active_interval_secs)),
            ("standby_interval_secs", int(y.standby_interval_secs)),
            ("max_concurrency", int(y.max_concurrency as u64)),
            ("request_timeout_secs", int(y.request_timeout_secs)),
        ]),
    };
    root.insert("yahoo".into(), yahoo);
    let b = &s.resilience.breaker;
    root.insert(
        "breakers".into(),
        table(vec![
            ("window_size", int(b.window_size as u64)),
            ("minimum_calls", int(b.minimum_calls as u64)),
            (
                "failure_rate_threshold_pct",
                int(u64::from(b.failure_rate_threshold_pct)),
            ),
            ("open_wait_secs", int(b.open_wait_secs)),
            ("max_open_wait_secs", int(b.max_open_wait_secs)),
            ("half_open_probes", int(u64::from(b.half_open_probes))),
            ("rate_limited_wait_secs", int(b.rate_limited_wait_secs)),
        ]),
    );
    let v = &s.resilience.validation;
    root.insert(
        "validation".into(),
        table(vec![
            ("max_future_secs", int(v.max_future_secs)),
            ("breaker_threshold_pct", dec(v.breaker_threshold_pct)),
            ("confirm_prints", int(u64::from(v.confirm_prints))),
            (
                "cross_source_tolerance_pct",
                dec(v.cross_source_tolerance_pct),
            ),
            ("breaker_cooldown_secs", int(v.breaker_cooldown_secs)),
            ("stale_after_secs", int(v.stale_after_secs)),
        ]),
    );
}

fn notify(s: &Settings) -> Value {
    let mut webhooks = Vec::new();
    let mut execs = Vec::new();
    for c in &s.notify.channels {
        let mut entry = match &c.target {
            // The URL's path may hold a token: the whole URL is a secret.
            Target::Webhook { .. } => vec![("url", text(REDACTED))],
            Target::Exec { program, args } => {
                let cmd = std::iter::once(program)
                    .chain(args)
                    .map(|a| text(a))
                    .collect();
                vec![("command", Value::Array(cmd))]
            }
        };
        entry.push(("name", text(&c.name)));
        match &c.route {
            Route::AtLeast(min) => entry.push(("min_severity", text(&min.to_string()))),
            Route::Only(list) => entry.push((
                "severities",
                Value::Array(list.iter().map(|s| text(&s.to_string())).collect()),
            )),
        }
        entry.push(("send_resolved", Value::Boolean(c.send_resolved)));
        entry.push(("timeout_secs", int(c.timeout_secs)));
        entry.push(("rate_limit_burst", int(u64::from(c.rate_limit.burst))));
        entry.push((
            "rate_limit_per_minute",
            int(u64::from(c.rate_limit.per_minute)),
        ));
        match c.target {
            Target::Webhook { .. } => webhooks.push(table(entry)),
            Target::Exec { .. } => execs.push(table(entry)),
        }
    }
    let mut n = Vec::new();
    if !webhooks.is_empty() {
        n.push(("webhook", Value::Array(webhooks)));
    }
    if !execs.is_empty() {
        n.push(("exec", Value::Array(execs)));
    }
    table(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::config::parse;

    /// Everything but where it came from.
    fn shape(s: &Settings) -> String {
        format!("{s:?}").replace(&format!("origin: {:?}", s.origin), "")
    }

    #[test]
    fn printed_config_loads_back_to_the_same_settings() {
        let file = r#"
watchlist = ["AAPL", "BRK.B"]
[alpaca]
key_id = "AKXXXX"
secret_key = "s3cr3t-value"
feed = "sip"
encoding = "msgpack"
channels = ["trades", "bars"]
ping_interval_secs = 7
[ui]
mouse = false
[keys]
failover = "F"
help = ["?", "F1"]
[api]
listen = "0.0.0.0:6000"
token = "tok-123456789"
[router]
fallback_activation_delay_secs = 3
[yahoo]
active_interval_secs = 30
[breakers]
window_size = 20
minimum_calls = 5
[validation]
breaker_threshold_pct = "12.5"
[portfolio]
daily_loss_warn_pct = 1.5
[[positions]]
symbol = "AAPL"
qty = 150
cost = "185.20"
[[notify.exec]]
command = ["/usr/bin/logger", "-t", "tapewatch"]
severities = ["CRITICAL", "HIGH"]
"#;
        let first = parse(file, "a.toml").unwrap();
        let printed = to_toml(&first);
        let second = parse(&printed, "b.toml").unwrap();
        assert_eq!(shape(&first), shape(&second), "{printed}");
        for secret in ["AKXXXX", "s3cr3t-value", "tok-123456789"] {
            assert!(!printed.contains(secret), "{printed}");
        }
        assert!(printed.contains("185.20"), "{printed}");
        assert!(printed.contains("failover = [\"F\"]"), "{printed}");
        assert!(printed.contains("mouse = false"), "{printed}");
    }

    #[test]
    fn defaults_print_every_knob_and_load_back() {
        let first = parse("", "empty.toml").unwrap();
        let printed = to_toml(&first);
        for key in [
            "fallback_activation_delay_secs",
            "message_timeout_secs",
            "breaker_threshold_pct",
            "window_size",
            "active_interval_secs",
            "listen",
        ] {
            assert!(printed.contains(key), "{key} missing from\n{printed}");
        }
        let second = parse(&printed, "b.toml").unwrap();
        assert_eq!(shape(&first), shape(&second), "{printed}");
    }

    #[test]
    fn a_webhook_url_is_never_printed() {
        let file = r#"
[[notify.webhook]]
url = "https://hooks.slack.com/services/T000/B000/SECRETPATH"
"#;
        let printed = to_toml(&parse(file, "a.toml").unwrap());
        assert!(!printed.contains("SECRETPATH"), "{printed}");
        assert!(printed.contains(REDACTED), "{printed}");
    }
}
