//! `[[positions]]` (config lots), `[portfolio]` (risk and reconciliation limits) and
//! the Trading API's `alpaca.trading_url` / `APCA_API_BASE_URL`.

use super::ConfigError;
use crate::domain::portfolio::{Lot, PortfolioConfig};
use crate::domain::types::parse_symbol;
use rust_decimal::Decimal;
use serde::Deserialize;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LotSection {
    pub symbol: String,
    /// Shares; negative for a short.
    #[serde(deserialize_with = "super::money::decimal")]
    pub qty: Decimal,
    /// Cost per share.
    #[serde(deserialize_with = "super::money::decimal")]
    pub cost: Decimal,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub fees: Option<Decimal>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSection {
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub daily_loss_warn_pct: Option<Decimal>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub daily_loss_critical_pct: Option<Decimal>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub concentration_pct: Option<Decimal>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub reconcile_tolerance_pct: Option<Decimal>,
    #[serde(default, deserialize_with = "super::money::opt_decimal")]
    pub reconcile_tolerance_abs: Option<Decimal>,
    pub poll_interval_secs: Option<u64>,
}

type Invalid<'a> = &'a dyn Fn(&'static str, String) -> ConfigError;

pub fn lots(list: Vec<LotSection>, invalid: Invalid) -> Result<Vec<Lot>, ConfigError> {
    list.into_iter()
        .enumerate()
        .map(|(i, l)| {
            let at = |what: &str| format!("entry {} ({}): {what}", i + 1, l.symbol);
            let symbol = parse_symbol(&l.symbol)
                .map_err(|m| invalid("positions.symbol", at(&m.to_string())))?;
            if l.qty.is_zero() {
                return Err(invalid(
                    "positions.qty",
                    at("must not be 0 (negative for a short)"),
                ));
            }
            if l.cost <= Decimal::ZERO {
                return Err(invalid(
                    "positions.cost",
                    at(&format!("{} must be above 0", l.cost)),
                ));
            }
            let fees = l.fees.unwrap_or_default();
            if fees < Decimal::ZERO {
                return Err(invalid(
                    "positions.fees",
                    at(&format!("{fees} must not be negative")),
                ));
            }
            Ok(Lot {
                symbol,
                qty: l.qty,
                cost_per_share: l.cost,
                fees,
            })
        })
        .collect()
}

pub fn portfolio(
    p: PortfolioSection,
    invalid: Invalid,
) -> Result<(PortfolioConfig, u64), ConfigError> {
    let d = PortfolioConfig::default();
    let pct = |key: &'static str, v: Option<Decimal>, default: Decimal| match v {
        None => Ok(default),
        Some(x) if x > Decimal::ZERO && x <= Decimal::ONE_HUNDRED => Ok(x),
        Some(x) => Err(invalid(key, format!("{x} is not a percentage in (0, 100]"))),
    };
    let warn = pct(
        "portfolio.daily_loss_warn_pct",
        p.daily_loss_warn_pct,
        d.daily_loss_warn_pct,
    )?;
    let critical = pct(
        "portfolio.daily_loss_critical_pct",
        p.daily_loss_critical_pct,
        d.daily_loss_critical_pct,
    )?;
    if critical < warn {
        return Err(invalid(
            "portfolio.daily_loss_critical_pct",
            format!("{critical} is below portfolio.daily_loss_warn_pct ({warn})"),
        ));
    }
    let abs = p
        .reconcile_tolerance_abs
        .unwrap_or(d.reconcile_tolerance_abs);
    if abs < Decimal::ZERO {
        return Err(invalid(
            "portfolio.reconcile_tolerance_abs",
            format!("{abs} must not be negative"),
        ));
    }
    let poll = match p.poll_interval_secs {
        None => 15,
        // Two requests a round (account, positions) must stay well under 200 a minute.
        Some(n) if n >= 2 => n,
        Some(_) => {
            return Err(invalid(
                "portfolio.poll_interval_secs",
                "must be at least 2".into(),
            ))
        }
    };
    Ok((
        PortfolioConfig {
            daily_loss_warn_pct: warn,
            daily_loss_critical_pct: critical,
            concentration_pct: pct(
                "portfolio.concentration_pct",
                p.concentration_pct,
                d.concentration_pct,
            )?,
            reconcile_tolerance_pct: pct(
                "portfolio.reconcile_tolerance_pct",
                p.reconcile_tolerance_pct,
                d.reconcile_tolerance_pct,
            )?,
            reconcile_tolerance_abs: abs,
            ..d
        },
        poll,
    ))
}
