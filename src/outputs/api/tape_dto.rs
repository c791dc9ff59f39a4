//! The tape part of a `/api/symbols` entry: what the condition tables did with the
//! symbol's prints (counters) and its recent prints with their conditions spelled out.

use super::dto::num;
use crate::domain::conditions::book::{Amended, PrintView, TapeView};
use crate::domain::conditions::spell;
use crate::domain::types::Ts;
use rust_decimal::Decimal;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrintCounts {
    pub late: u64,
    pub unknown_condition: u64,
    pub non_eligible: u64,
    pub corrected: u64,
    pub cancelled: u64,
    pub unmatched_amends: u64,
    pub non_firm_quotes: u64,
}

impl PrintCounts {
    pub fn of(t: &TapeView) -> PrintCounts {
        PrintCounts {
            late: t.late,
            unknown_condition: t.unknown_condition,
            non_eligible: t.non_eligible,
            corrected: t.corrected,
            cancelled: t.cancelled,
            unmatched_amends: t.unmatched_amends,
            non_firm_quotes: t.non_firm_quotes,
        }
    }
}

#[derive(Debug, Serialize)]
pub struct ConditionDto {
    pub code: String,
    /// The specification's name; null when the table does not know the code.
    pub name: Option<&'static str>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PrintDto {
    pub id: u64,
    pub at: Ts,
    #[serde(serialize_with = "num")]
    pub price: Option<Decimal>,
    pub size: i64,
    pub exchange: String,
    pub tape: String,
    pub conditions: Vec<ConditionDto>,
    pub moved_last: bool,
    pub high_low: bool,
    pub volume: bool,
    pub late: bool,
    pub unknown_condition: bool,
    pub amended: Option<Amended>,
}

/// Newest first.
pub fn recent(t: &TapeView) -> Vec<PrintDto> {
    t.recent.iter().rev().map(print).collect()
}

fn print(p: &PrintView) -> PrintDto {
    PrintDto {
        id: p.id,
        at: p.at,
        price: Some(p.price),
        size: p.size,
        exchange: p.exchange.to_string(),
        tape: p.tape.to_string(),
        conditions: spell(&p.tape, &p.conditions)
            .into_iter()
            .map(|(code, name)| ConditionDto { code, name })
            .collect(),
        moved_last: p.moved_last,
        high_low: p.high_low,
        volume: p.volume,
        late: p.late,
        unknown_condition: p.unknown,
        amended: p.amended,
    }
}
