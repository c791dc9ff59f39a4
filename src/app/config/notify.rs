//! The `[notify]` section: `[[notify.webhook]]` and `[[notify.exec]]` channels with
//! their severity routes, timeouts and rate limits, checked into a
//! [`crate::outputs::notify::NotifyConfig`]. Errors name the key and the entry, never a
//! webhook URL (its path may hold a token).

use super::ConfigError;
use crate::domain::alerts::Severity;
use crate::outputs::notify::{ChannelConfig, NotifyConfig, RateLimit, Route, Target};
use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    /// Defaults for every channel's token bucket.
    pub rate_limit_burst: Option<u32>,
    pub rate_limit_per_minute: Option<u32>,
    #[serde(default)]
    pub webhook: Vec<WebhookSection>,
    #[serde(default)]
    pub exec: Vec<ExecSection>,
}

/// What both channel kinds share (spelled out in each: serde's `flatten` would lose
/// `deny_unknown_fields`).
struct Common {
    name: Option<String>,
    min_severity: Option<String>,
    severities: Option<Vec<String>>,
    send_resolved: Option<bool>,
    timeout_secs: Option<u64>,
    rate_limit_burst: Option<u32>,
    rate_limit_per_minute: Option<u32>,
}

macro_rules! channel_section {
    ($(#[$doc:meta])* $name:ident { $($(#[$fdoc:meta])* $field:ident: $ty:ty),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $name {
            $($(#[$fdoc])* pub $field: $ty,)*
            pub name: Option<String>,
            /// Hear this severity and above; or list them in `severities`.
            pub min_severity: Option<String>,
            pub severities: Option<Vec<String>>,
            /// Also send when an alert this channel was told about resolves (default true).
            pub send_resolved: Option<bool>,
            pub timeout_secs: Option<u64>,
            pub rate_limit_burst: Option<u32>,
            pub rate_limit_per_minute: Option<u32>,
        }

        impl $name {
            fn common(&self) -> Common {
                Common {
                    name: self.name.clone(),
                    min_severity: self.min_severity.clone(),
                    severities: self.severities.clone(),
                    send_resolved: self.send_resolved,
                    timeout_secs: self.timeout_secs,
                    rate_limit_burst: self.rate_limit_burst,
                    rate_limit_per_minute: self.rate_limit_per_minute,
                }
            }
        }
    };
}

channel_section!(
    /// `[[notify.webhook]]`: a Slack-compatible incoming webhook.
    WebhookSection {
        /// Held as a secret: Slack webhook URLs carry their token in the path.
        url: SecretString,
    }
);

channel_section!(
    /// `[[notify.exec]]`: a command run with the alert as JSON on stdin.
    ExecSection {
        /// Program and arguments, run without a shell.
        command: Vec<String>,
    }
);

const DEFAULT_TIMEOUT_SECS: u64 = 10;
const MAX_TIMEOUT_SECS: u64 = 300;

type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

fn severity(s: &str) -> Option<Severity> {
    Some(match s.to_ascii_uppercase().as_str() {
        "CRITICAL" => Severity::Critical,
        "HIGH" => Severity::High,
        "MEDIUM" => Severity::Medium,
        "LOW" => Severity::Low,
        "INFO" => Severity::Info,
        _ => return None,
    })
}

const SEVERITIES: &str = "CRITICAL, HIGH, MEDIUM, LOW or INFO";

/// `n` counts from 1 within its kind, as the file lists them.
fn channel(
    c: Common,
    kind: &'static str,
    n: usize,
    target: Target,
    defaults: RateLimit,
    invalid: Invalid,
) -> Result<ChannelConfig, ConfigError> {
    let key = |k: &str| -> &'static str {
        match (kind, k) {
            ("webhook", "name") => "notify.webhook.name",
            ("webhook", "min_severity") => "notify.webhook.min_severity",
            ("webhook", "severities") => "notify.webhook.severities",
            ("webhook", "timeout_secs") => "notify.webhook.timeout_secs",
            ("webhook", _) => "notify.webhook.rate_limit_burst",
            (_, "name") => "notify.exec.name",
            (_, "min_severity") => "notify.exec.min_severity",
            (_, "severities") => "notify.exec.severities",
            (_, "timeout_secs") => "notify.exec.timeout_secs",
            _ => "notify.exec.rate_limit_burst",
        }
    };
    let at = format!("entry {n}");
    let name = c.name.unwrap_or_else(|| format!("{kind}-{n}"));
    if name.is_empty()
        || !name
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || "-_.".contains(ch))
    {
        return Err(invalid(
            key("name"),
            format!("{at}: {name:?} is not a channel name (expected letters, digits, - _ .)"),
        ));
    }
    let route = match (c.min_severity, c.severities) {
        (Some(_), Some(_)) => {
            return Err(invalid(
                key("severities"),
                format!("{at}: give min_severity or severities, not both"),
            ))
        }
        (Some(m), None) => Route::AtLeast(severity(&m).ok_or_else(|| {
            invalid(
                key("min_severity"),
                format!("{at}: {m:?} is not a severity (expected {SEVERITIES})"),
            )
        })?),
        (None, Some(list)) => {
            let mut out = Vec::with_capacity(list.len());
            for s in &list {
                out.push(severity(s).ok_or_else(|| {
                    invalid(
                        key("severities"),
                        format!("{at}: {s:?} is not a severity (expected {SEVERITIES})"),
                    )
                })?);
            }
            if out.is_empty() {
                return Err(invalid(
                    key("severities"),
                    format!("{at}: is empty (expected some of {SEVERITIES})"),
                ));
            }
            Route::Only(out)
        }
        (None, None) => Route::AtLeast(Severity::Info),
    };
    let timeout_secs = c.timeout_secs.unwrap_or(DEFAULT_TIMEOUT_SECS);
    if !(1..=MAX_TIMEOUT_SECS).contains(&timeout_secs) {
        return Err(invalid(
            key("timeout_secs"),
            format!("{at}: {timeout_secs} is outside 1..={MAX_TIMEOUT_SECS}"),
        ));
    }
    let rate_limit = RateLimit {
        burst: c.rate_limit_burst.unwrap_or(defaults.burst),
        per_minute: c.rate_limit_per_minute.unwrap_or(defaults.per_minute),
    };
    if rate_limit.burst == 0 || rate_limit.per_minute == 0 {
        return Err(invalid(
            key("rate_limit"),
            format!("{at}: rate_limit_burst and rate_limit_per_minute must be at least 1"),
        ));
    }
    Ok(ChannelConfig {
        name,
        target,
        route,
        send_resolved: c.send_resolved.unwrap_or(true),
        timeout_secs,
        rate_limit,
    })
}

pub fn build(s: NotifySection, invalid: Invalid) -> Result<NotifyConfig, ConfigError> {
    let defaults = RateLimit {
        burst: s.rate_limit_burst.unwrap_or(RateLimit::default().burst),
        per_minute: s
            .rate_limit_per_minute
            .unwrap_or(RateLimit::default().per_minute),
    };
    if defaults.burst == 0 {
        return Err(invalid(
            "notify.rate_limit_burst",
            "must be at least 1".into(),
        ));
    }
    if defaults.per_minute == 0 {
        return Err(invalid(
            "notify.rate_limit_per_minute",
            "must be at least 1".into(),
        ));
    }
    let mut channels = Vec::new();
    for (i, w) in s.webhook.into_iter().enumerate() {
        let n = i + 1;
        let raw = w.url.expose_secret();
        let host = reqwest::Url::parse(raw)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .and_then(|u| {
                let host = u.host_str()?.to_string();
                Some(match u.port() {
                    Some(p) => format!("{host}:{p}"),
                    None => host,
                })
            })
            .ok_or_else(|| {
                invalid(
                    "notify.webhook.url",
                    format!("entry {n}: is not an http(s) URL with a host (expected e.g. \"https://hooks.slack.com/services/...\"; the value is not shown, it may hold a token)"),
                )
            })?;
        let common = w.common();
        let target = Target::Webhook { url: w.url, host };
        channels.push(channel(common, "webhook", n, target, defaults, invalid)?);
    }
    for (i, e) in s.exec.into_iter().enumerate() {
        let n = i + 1;
        let common = e.common();
        let mut parts = e.command.into_iter();
        let program = parts.next().filter(|p| !p.is_empty()).ok_or_else(|| {
            invalid(
                "notify.exec.command",
                format!("entry {n}: is empty (expected a program and its arguments, e.g. [\"/usr/bin/logger\", \"-t\", \"tapewatch\"])"),
            )
        })?;
        let target = Target::Exec {
            program,
            args: parts.collect(),
        };
        channels.push(channel(common, "exec", n, target, defaults, invalid)?);
    }
    for (i, c) in channels.iter().enumerate() {
        if channels[..i].iter().any(|o| o.name == c.name) {
            let key = match c.target {
                Target::Webhook { .. } => "notify.webhook.name",
                Target::Exec { .. } => "notify.exec.name",
            };
            return Err(invalid(
                key,
                format!(
                    "{:?} names two channels (names label the metrics; make them unique)",
                    c.name
                ),
            ));
        }
    }
    Ok(NotifyConfig { channels })
}

#[cfg(test)]
mod tests {
    use crate::app::config::parse;
    use crate::domain::alerts::Severity;
    use crate::outputs::notify::{Route, Target};

    #[test]
    fn channels_parse_with_defaults_and_overrides() {
        let text = r#"
[notify]
rate_limit_burst = 3
rate_limit_per_minute = 4

[[notify.webhook]]
url = "https://hooks.slack.com/services/T0/B0/SECRET"
min_severity = "high"

[[notify.exec]]
name = "pager"
command = ["/usr/bin/logger", "-t", "tapewatch"]
severities = ["CRITICAL", "INFO"]
timeout_secs = 3
send_resolved = false
rate_limit_burst = 1
"#;
        let s = parse(text, "c.toml").unwrap();
        let [w, e] = &s.notify.channels[..] else {
            panic!("{:?}", s.notify.channels)
        };
        assert_eq!(w.name, "webhook-1");
        assert_eq!(w.route, Route::AtLeast(Severity::High));
        assert!(matches!(&w.target, Target::Webhook { host, .. } if host == "hooks.slack.com"));
        assert_eq!((w.rate_limit.burst, w.rate_limit.per_minute), (3, 4));
        assert_eq!((w.timeout_secs, w.send_resolved), (10, true));
        assert_eq!(e.name, "pager");
        assert_eq!(
            e.route,
            Route::Only(vec![Severity::Critical, Severity::Info])
        );
        assert!(
            matches!(&e.target, Target::Exec { program, args } if program == "/usr/bin/logger" && args.len() == 2)
        );
        assert_eq!((e.rate_limit.burst, e.rate_limit.per_minute), (1, 4));
        assert_eq!((e.timeout_secs, e.send_resolved), (3, false));
        assert!(!format!("{s:?}").contains("SECRET"));
        assert!(parse("", "c.toml").unwrap().notify.channels.is_empty());
    }

    #[test]
    fn errors_name_the_key_and_never_the_url() {
        let cases: [(&str, &[&str]); 9] = [
            (
                "[[notify.webhook]]\nurl = \"ftp://x/SECRET\"",
                &["c.toml", "notify.webhook.url", "entry 1", "not shown"],
            ),
            (
                "[[notify.webhook]]\nurl = \"https://h/SECRET\"\nmin_severity = \"loud\"",
                &["notify.webhook.min_severity", "\"loud\"", "CRITICAL, HIGH"],
            ),
            (
                "[[notify.webhook]]\nurl = \"https://h/x\"\nmin_severity = \"HIGH\"\nseverities = [\"LOW\"]",
                &["notify.webhook.severities", "not both"],
            ),
            (
                "[[notify.exec]]\ncommand = []",
                &["notify.exec.command", "entry 1", "is empty"],
            ),
            (
                "[[notify.exec]]\ncommand = [\"x\"]\ntimeout_secs = 0",
                &["notify.exec.timeout_secs", "outside 1..=300"],
            ),
            (
                "[notify]\nrate_limit_per_minute = 0",
                &["notify.rate_limit_per_minute", "at least 1"],
            ),
            (
                "[[notify.exec]]\ncommand = [\"x\"]\nname = \"a\"\n[[notify.exec]]\ncommand = [\"y\"]\nname = \"a\"",
                &["notify.exec.name", "\"a\" names two channels"],
            ),
            (
                "[[notify.exec]]\ncommand = [\"x\"]\nshell = true",
                &["c.toml", "unknown field `shell`"],
            ),
            (
                "[[notify.webhook]]\nurl = \"https://h/SECRET\"\nname = \"a b\"",
                &["notify.webhook.name", "not a channel name"],
            ),
        ];
        for (text, want) in cases {
            let err = parse(text, "c.toml").unwrap_err().to_string();
            for w in want {
                assert!(err.contains(w), "{text:?}: {err:?} lacks {w:?}");
            }
            assert!(!err.contains("SECRET"), "{err}");
        }
    }
}
