//! Trade and quote conditions: which prints the consolidated tape counts. One table
//! per plan ([`cta`] for tapes A and B, [`utp`] for tape C) says, per sale condition,
//! whether a print updates the last sale, the high/low and the volume; [`evaluate`]
//! applies it to one print's conditions, and [`book`] keeps a symbol's "eligible
//! last", high/low and volume, amended by corrections and cancels.
//!
//! # Decisions
//! * **Several conditions**: a print updates a figure only if every one of its
//!   conditions allows it (an odd-lot intermarket sweep, `F,I`, updates volume only).
//! * **A code unknown to the table** (or a code longer than one character) is counted
//!   and treated conservatively: the print updates volume, not Last or high/low.
//! * **An unknown tape** (neither A, B nor C) is judged by both tables at once: a
//!   code must be known to both, and a figure is updated only if both allow it.
//! * **Late**: a print stamped more than the tolerance before the print that set Last
//!   does not move Last ([`is_late`]); neither does one the market marks out of
//!   sequence (the `OOS` rows). Both are counted as `late`, not as failures.
//! * **Quotes**: a quote condition that marks the quote non-firm or not NBBO-eligible
//!   keeps it off the shown bid/ask; codes the table does not know are let through
//!   (quotes carry no volume, and the plans add informational quote codes).
//! * The hot path is one byte lookup per condition in a 128-entry table built at
//!   compile time; no allocation, no hashing.

pub mod book;
pub mod cta;
pub mod utp;

use crate::domain::types::Ts;
use serde::Serialize;
use std::collections::BTreeMap;

/// The print updates the consolidated last sale.
pub const LAST: u8 = 1;
/// The print updates the consolidated high and low.
pub const HL: u8 = 2;
/// The print counts in the consolidated volume.
pub const VOL: u8 = 4;
/// The market marks the print as reported out of sequence.
pub const OOS: u8 = 8;
/// Internal: the lookup entry is a known code.
const KNOWN: u8 = 0x80;

/// One sale condition: its code, its name in the specification, what it updates.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct Row {
    pub code: &'static str,
    pub name: &'static str,
    /// [`LAST`] | [`HL`] | [`VOL`] | [`OOS`] bits.
    pub flags: u8,
}

impl Row {
    pub const fn new(code: &'static str, name: &'static str, flags: u8) -> Row {
        Row { code, name, flags }
    }
    pub const fn updates_last(&self) -> bool {
        self.flags & LAST != 0
    }
    pub const fn updates_high_low(&self) -> bool {
        self.flags & HL != 0
    }
    pub const fn updates_volume(&self) -> bool {
        self.flags & VOL != 0
    }
    pub const fn out_of_sequence(&self) -> bool {
        self.flags & OOS != 0
    }
}

/// One quote condition and whether a quote carrying it may set the shown bid/ask.
#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub struct QuoteRow {
    pub code: &'static str,
    pub name: &'static str,
    pub nbbo_eligible: bool,
}

impl QuoteRow {
    pub const fn new(code: &'static str, name: &'static str, nbbo_eligible: bool) -> QuoteRow {
        QuoteRow {
            code,
            name,
            nbbo_eligible,
        }
    }
}

/// Which plan's table applies to a tape.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Serialize)]
pub enum Plan {
    /// Tapes A and B.
    Cta,
    /// Tape C.
    Utp,
    /// Any other tape value: both tables must agree.
    Unknown,
}

impl Plan {
    pub fn of_tape(tape: &str) -> Plan {
        match tape.as_bytes() {
            [b'A'] | [b'B'] => Plan::Cta,
            [b'C'] => Plan::Utp,
            _ => Plan::Unknown,
        }
    }
    pub fn trade_table(self) -> &'static [Row] {
        match self {
            Plan::Cta | Plan::Unknown => cta::TRADE,
            Plan::Utp => utp::TRADE,
        }
    }
    pub fn quote_table(self) -> &'static [QuoteRow] {
        match self {
            Plan::Cta | Plan::Unknown => cta::QUOTE,
            Plan::Utp => utp::QUOTE,
        }
    }
}

const fn build(rows: &[Row]) -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < rows.len() {
        let b = rows[i].code.as_bytes();
        if b.len() == 1 && b[0] < 128 {
            t[b[0] as usize] = KNOWN | rows[i].flags;
        }
        i += 1;
    }
    t
}

const fn both(a: &[u8; 128], b: &[u8; 128]) -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < 128 {
        // Known to both; a figure updated only if both allow it; out of sequence if either says so.
        if a[i] & KNOWN != 0 && b[i] & KNOWN != 0 {
            t[i] = KNOWN | (a[i] & b[i] & (LAST | HL | VOL)) | ((a[i] | b[i]) & OOS);
        }
        i += 1;
    }
    t
}

static CTA: [u8; 128] = build(cta::TRADE);
static UTP: [u8; 128] = build(utp::TRADE);
static EITHER: [u8; 128] = both(&build(cta::TRADE), &build(utp::TRADE));

/// What one print updates, by its conditions (before the late rule).
#[derive(Copy, Clone, Debug, PartialEq, Eq, Default, Serialize)]
pub struct Eligibility {
    /// [`LAST`] | [`HL`] | [`VOL`] | [`OOS`] bits.
    pub flags: u8,
    /// At least one code is unknown to the table.
    pub unknown: bool,
}

impl Eligibility {
    pub const fn last(self) -> bool {
        self.flags & LAST != 0
    }
    pub const fn high_low(self) -> bool {
        self.flags & HL != 0
    }
    pub const fn volume(self) -> bool {
        self.flags & VOL != 0
    }
    pub const fn out_of_sequence(self) -> bool {
        self.flags & OOS != 0
    }
}

/// Applies the tape's table to a print's conditions (codes joined with ',', as the
/// wire parser keeps them). No conditions at all is a regular sale.
#[inline]
pub fn evaluate(tape: &str, conditions: &str) -> Eligibility {
    let table = match tape.as_bytes() {
        [b'A'] | [b'B'] => &CTA,
        [b'C'] => &UTP,
        _ => &EITHER,
    };
    let mut acc = LAST | HL | VOL;
    let mut unknown = false;
    let b = conditions.as_bytes();
    let mut i = 0;
    // Codes are one byte each, separated by ','; anything longer is unknown.
    while i < b.len() {
        let single = i + 1 == b.len() || b[i + 1] == b',';
        let e = if single && b[i] < 128 {
            table[b[i] as usize]
        } else {
            0
        };
        if e & KNOWN == 0 {
            unknown = true;
        } else {
            acc = (acc & (e | OOS)) | (e & OOS);
        }
        // Past this code and its ','.
        match b[i..].iter().position(|&c| c == b',') {
            Some(p) => i += p + 1,
            None => break,
        }
        if i == b.len() {
            // A trailing ',' is an empty code.
            unknown = true;
        }
    }
    if unknown {
        acc &= VOL | OOS;
    }
    Eligibility {
        flags: acc,
        unknown,
    }
}

/// The condition's name in the tape's specification, if the table knows it.
pub fn describe(tape: &str, code: &str) -> Option<&'static str> {
    let plan = Plan::of_tape(tape);
    plan.trade_table()
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.name)
}

/// The quote condition's name, if the table knows it.
pub fn describe_quote(tape: &str, code: &str) -> Option<&'static str> {
    Plan::of_tape(tape)
        .quote_table()
        .iter()
        .find(|r| r.code == code)
        .map(|r| r.name)
}

/// A print's conditions spelled out: `(code, name)`, the name `None` when the table
/// does not know the code.
pub fn spell(tape: &str, conditions: &str) -> Vec<(String, Option<&'static str>)> {
    if conditions.is_empty() {
        return Vec::new();
    }
    conditions
        .split(',')
        .map(|c| (c.to_string(), describe(tape, c)))
        .collect()
}

const fn build_quotes(rows: &[QuoteRow]) -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut i = 0;
    while i < rows.len() {
        let b = rows[i].code.as_bytes();
        if b.len() == 1 && b[0] < 128 {
            t[b[0] as usize] = KNOWN | if rows[i].nbbo_eligible { 1 } else { 0 };
        }
        i += 1;
    }
    t
}

static CTA_QUOTES: [u8; 128] = build_quotes(cta::QUOTE);
static UTP_QUOTES: [u8; 128] = build_quotes(utp::QUOTE);

/// Whether a quote with these conditions may set the shown bid/ask: none of its codes
/// is one the table marks non-firm or not NBBO-eligible (unknown codes pass).
#[inline]
pub fn quote_sets_nbbo(tape: &str, conditions: &str) -> bool {
    let table = match tape.as_bytes() {
        [b'C'] => &UTP_QUOTES,
        _ => &CTA_QUOTES,
    };
    conditions
        .as_bytes()
        .split(|&b| b == b',')
        .all(|code| match code {
            [b] if *b < 128 => table[*b as usize] != KNOWN,
            _ => true,
        })
}

/// A print stamped more than `tolerance_ns` before the print that set Last.
#[inline]
pub fn is_late(ts: Ts, last_set_at: Option<Ts>, tolerance_ns: i64) -> bool {
    last_set_at.is_some_and(|l| l.as_nanos().saturating_sub(ts.as_nanos()) > tolerance_ns)
}

/// How Alpaca's condition list for one tape compares with the table.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TableCheck {
    pub tape: char,
    /// Codes in both.
    pub known: usize,
    /// Codes Alpaca lists that the table does not know, with Alpaca's description:
    /// prints carrying them update volume only.
    pub unknown: Vec<(String, String)>,
    /// Codes in the table that Alpaca does not list (harmless; worth a look).
    pub table_only: Vec<String>,
}

/// Compares Alpaca's `code → description` list for a tape with the table.
pub fn compare(tape: char, alpaca: &BTreeMap<String, String>) -> TableCheck {
    let plan = Plan::of_tape(tape.encode_utf8(&mut [0; 4]));
    let table = plan.trade_table();
    let mut check = TableCheck {
        tape,
        ..TableCheck::default()
    };
    for (code, desc) in alpaca {
        if table.iter().any(|r| r.code == code) {
            check.known += 1;
        } else {
            check.unknown.push((code.clone(), desc.clone()));
        }
    }
    check.table_only = table
        .iter()
        .filter(|r| !alpaca.contains_key(r.code))
        .map(|r| r.code.to_string())
        .collect();
    check
}

#[cfg(test)]
mod tests;
