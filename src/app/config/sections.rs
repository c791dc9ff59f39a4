//! The config sections for the fallback and the safety machinery: `[router]` (the
//! runbook's DataSourceRouter knobs), `[yahoo]`, `[breakers]` and `[validation]`.
//! Each turns into the pure module's own config, checked, with errors that name the key.

use super::ConfigError;
use crate::domain::breaker::BreakerConfig;
use crate::domain::router::RouterConfig;
use crate::domain::validate::ValidationConfig;
use crate::sources::yahoo::poller::PollerConfig;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RouterSection {
    /// MaxConsecutiveFailures.
    pub max_consecutive_failures: Option<u32>,
    /// FallbackActivationDelaySeconds.
    pub fallback_activation_delay_secs: Option<u64>,
    /// PrimaryRecoveryGracePeriodSeconds.
    pub primary_recovery_grace_period_secs: Option<u64>,
    /// Anti-flapping: the grace period grows up to this with repeated failovers.
    pub max_grace_period_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct YahooSection {
    /// Poll Yahoo at all (standby probes and the fallback). Default true.
    pub enabled: Option<bool>,
    pub base_url: Option<String>,
    pub active_interval_secs: Option<u64>,
    pub standby_interval_secs: Option<u64>,
    pub max_concurrency: Option<usize>,
    pub request_timeout_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BreakersSection {
    pub window_size: Option<usize>,
    pub minimum_calls: Option<usize>,
    pub failure_rate_threshold_pct: Option<u8>,
    pub open_wait_secs: Option<u64>,
    pub max_open_wait_secs: Option<u64>,
    pub half_open_probes: Option<u32>,
    pub rate_limited_wait_secs: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValidationSection {
    pub max_future_secs: Option<u64>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub breaker_threshold_pct: Option<Decimal>,
    pub confirm_prints: Option<u32>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub cross_source_tolerance_pct: Option<Decimal>,
    pub breaker_cooldown_secs: Option<u64>,
    pub stale_after_secs: Option<u64>,
    pub late_print_tolerance_secs: Option<u64>,
}

/// The checked result of the four sections.
#[derive(Clone, Debug, Default)]
pub struct Resilience {
    pub router: RouterConfig,
    pub breaker: BreakerConfig,
    pub validation: ValidationConfig,
    /// None when `yahoo.enabled = false`.
    pub yahoo: Option<PollerConfig>,
}

type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

fn at_least(
    invalid: Invalid,
    key: &'static str,
    v: Option<u64>,
    min: u64,
    default: u64,
) -> Result<u64, ConfigError> {
    match v {
        None => Ok(default),
        Some(n) if n >= min => Ok(n),
        Some(_) => Err(invalid(key, format!("must be at least {min}"))),
    }
}

fn pct(
    invalid: Invalid,
    key: &'static str,
    v: Option<Decimal>,
    default: Decimal,
) -> Result<Decimal, ConfigError> {
    match v {
        None => Ok(default),
        Some(p) if p > Decimal::ZERO && p < Decimal::ONE_HUNDRED => Ok(p),
        Some(p) => Err(invalid(
            key,
            format!("{p} is not a percentage between 0 and 100 (exclusive)"),
        )),
    }
}

pub fn build(
    router: RouterSection,
    yahoo: YahooSection,
    breakers: BreakersSection,
    validation: ValidationSection,
    message_timeout_secs: u64,
    invalid: Invalid,
) -> Result<Resilience, ConfigError> {
    let r0 = RouterConfig::default();
    let grace = at_least(
        invalid,
        "router.primary_recovery_grace_period_secs",
        router.primary_recovery_grace_period_secs,
        1,
        r0.primary_recovery_grace_period_secs,
    )?;
    let router_cfg = RouterConfig {
        message_timeout_secs,
        max_consecutive_failures: at_least(
            invalid,
            "router.max_consecutive_failures",
            router.max_consecutive_failures.map(u64::from),
            1,
            u64::from(r0.max_consecutive_failures),
        )?
        .try_into()
        .unwrap_or(u32::MAX),
        fallback_activation_delay_secs: at_least(
            invalid,
            "router.fallback_activation_delay_secs",
            router.fallback_activation_delay_secs,
            0,
            r0.fallback_activation_delay_secs,
        )?,
        primary_recovery_grace_period_secs: grace,
        max_grace_period_secs: at_least(
            invalid,
            "router.max_grace_period_secs",
            router.max_grace_period_secs,
            grace,
            r0.max_grace_period_secs.max(grace),
        )?,
        ..r0
    };
    let b0 = BreakerConfig::default();
    let window_size = match breakers.window_size {
        None => b0.window_size,
        Some(n) if (1..=1000).contains(&n) => n,
        Some(_) => {
            return Err(invalid(
                "breakers.window_size",
                "must be between 1 and 1000".into(),
            ))
        }
    };
    let minimum_calls = match breakers.minimum_calls {
        None => b0.minimum_calls.min(window_size),
        Some(n) if (1..=window_size).contains(&n) => n,
        Some(_) => {
            return Err(invalid(
                "breakers.minimum_calls",
                format!("must be between 1 and breakers.window_size ({window_size})"),
            ))
        }
    };
    let failure_rate_threshold_pct = match breakers.failure_rate_threshold_pct {
        None => b0.failure_rate_threshold_pct,
        Some(n) if (1..=100).contains(&n) => n,
        Some(_) => {
            return Err(invalid(
                "breakers.failure_rate_threshold_pct",
                "must be between 1 and 100".into(),
            ))
        }
    };
    let open_wait_secs = at_least(
        invalid,
        "breakers.open_wait_secs",
        breakers.open_wait_secs,
        1,
        b0.open_wait_secs,
    )?;
    let breaker_cfg = BreakerConfig {
        window_size,
        minimum_calls,
        failure_rate_threshold_pct,
        open_wait_secs,
        max_open_wait_secs: at_least(
            invalid,
            "breakers.max_open_wait_secs",
            breakers.max_open_wait_secs,
            open_wait_secs,
            b0.max_open_wait_secs.max(open_wait_secs),
        )?,
        half_open_probes: at_least(
            invalid,
            "breakers.half_open_probes",
            breakers.half_open_probes.map(u64::from),
            1,
            u64::from(b0.half_open_probes),
        )?
        .try_into()
        .unwrap_or(u32::MAX),
        rate_limited_wait_secs: at_least(
            invalid,
            "breakers.rate_limited_wait_secs",
            breakers.rate_limited_wait_secs,
            1,
            b0.rate_limited_wait_secs,
        )?,
        ..b0
    };
    let v0 = ValidationConfig::default();
    let validation_cfg = ValidationConfig {
        max_future_secs: at_least(
            invalid,
            "validation.max_future_secs",
            validation.max_future_secs,
            1,
            v0.max_future_secs,
        )?,
        breaker_threshold_pct: pct(
            invalid,
            "validation.breaker_threshold_pct",
            validation.breaker_threshold_pct,
            v0.breaker_threshold_pct,
        )?,
        confirm_prints: at_least(
            invalid,
            "validation.confirm_prints",
            validation.confirm_prints.map(u64::from),
            1,
            u64::from(v0.confirm_prints),
        )?
        .try_into()
        .unwrap_or(u32::MAX),
        cross_source_tolerance_pct: pct(
            invalid,
            "validation.cross_source_tolerance_pct",
            validation.cross_source_tolerance_pct,
            v0.cross_source_tolerance_pct,
        )?,
        breaker_cooldown_secs: at_least(
            invalid,
            "validation.breaker_cooldown_secs",
            validation.breaker_cooldown_secs,
            1,
            v0.breaker_cooldown_secs,
        )?,
        stale_after_secs: at_least(
            invalid,
            "validation.stale_after_secs",
            validation.stale_after_secs,
            1,
            v0.stale_after_secs,
        )?,
        late_print_tolerance_secs: validation
            .late_print_tolerance_secs
            .unwrap_or(v0.late_print_tolerance_secs),
        ..v0
    };
    let y0 = PollerConfig::default();
    let yahoo_cfg = if yahoo.enabled.unwrap_or(true) {
        let base_url = yahoo.base_url.unwrap_or(y0.base_url.clone());
        if !(base_url.starts_with("http://") || base_url.starts_with("https://")) {
            return Err(invalid("yahoo.base_url", format!("{base_url:?} is not an http(s) URL (expected e.g. \"https://query1.finance.yahoo.com\")")));
        }
        let max_concurrency = match yahoo.max_concurrency {
            None => y0.max_concurrency,
            Some(n) if (1..=32).contains(&n) => n,
            Some(_) => {
                return Err(invalid(
                    "yahoo.max_concurrency",
                    "must be between 1 and 32".into(),
                ))
            }
        };
        Some(PollerConfig {
            base_url: base_url.trim_end_matches('/').to_string(),
            active_interval_secs: at_least(
                invalid,
                "yahoo.active_interval_secs",
                yahoo.active_interval_secs,
                5,
                y0.active_interval_secs,
            )?,
            standby_interval_secs: at_least(
                invalid,
                "yahoo.standby_interval_secs",
                yahoo.standby_interval_secs,
                5,
                y0.standby_interval_secs,
            )?,
            max_concurrency,
            request_timeout_secs: at_least(
                invalid,
                "yahoo.request_timeout_secs",
                yahoo.request_timeout_secs,
                1,
                y0.request_timeout_secs,
            )?,
            ..y0
        })
    } else {
        None
    };
    Ok(Resilience {
        router: router_cfg,
        breaker: breaker_cfg,
        validation: validation_cfg,
        yahoo: yahoo_cfg,
    })
}
