//! What the SLO tracker reports: each SLO's SLI, budget left and burn rates, for
//! the snapshot, the API and the alert rules.

use super::*;

/// Burn rates over the four alerting windows; `None` where the window holds no data.
#[derive(Copy, Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BurnRates {
    pub m5: Option<f64>,
    pub m30: Option<f64>,
    pub h1: Option<f64>,
    pub h6: Option<f64>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SloView {
    pub key: crate::domain::types::Label,
    pub name: crate::domain::types::Label,
    pub target_pct: f64,
    pub window_days: u32,
    pub good: u64,
    pub total: u64,
    /// Good over total within the window; `None` before any data.
    pub sli_pct: Option<f64>,
    /// 100 = untouched, 0 = spent, negative = overspent.
    pub budget_remaining_pct: Option<f64>,
    pub burn_rates: BurnRates,
    /// 14.4× over both 1 h and 5 min: the budget goes in about two days.
    pub fast_burn: bool,
    /// 6× over both 6 h and 30 min: the budget goes in about five days.
    pub slow_burn: bool,
    /// Whether the SLO holds: the error budget is not overspent. `None` until there is
    /// enough data for a verdict (see `MIN_SECS_FOR_VERDICT`, `MIN_EVENTS_FOR_BUDGET`).
    pub met: Option<bool>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SloReport {
    pub slos: Vec<SloView>,
    /// Minutes of history the report is computed from.
    pub minutes_of_data: usize,
}

impl SloReport {
    /// The smallest remaining budget among SLOs with data (alert L1).
    pub fn worst_budget(&self) -> Option<(&str, f64)> {
        self.slos
            .iter()
            .filter_map(|s| Some((s.key.as_ref(), s.budget_remaining_pct?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
    }

    /// SLOs burning at a fast or slow multi-window rate (alert L1 as well).
    pub fn burning(&self) -> Vec<&SloView> {
        self.slos
            .iter()
            .filter(|s| s.fast_burn || s.slow_burn)
            .collect()
    }
}
