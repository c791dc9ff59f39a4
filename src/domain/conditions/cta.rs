//! The CTA plan's sale and quote conditions (tapes A and B: NYSE- and regional-listed
//! securities), as pure data.
//!
//! Source: CTA Consolidated Tape System, "CTS Pillar Multicast Output Binary
//! Specification" (SIAC for the CTA Plan, version 2.7a, 12 June 2020), the
//! sale-condition table of its trade messages, which gives,
//! per condition, whether a print updates the consolidated last sale, the consolidated
//! high/low and the consolidated volume; and its quote-condition table. The codes are
//! the ones Alpaca lists for tapes A and B (`GET /v2/stocks/meta/conditions/trade?tape=A`),
//! which is checked at every live start (see `app::pipeline::conditions`). The rows
//! were cross-checked against a published third-party copy of the same matrix
//! (dxFeed's "Sale Conditions" table), not read off the specification's PDF here:
//! re-check them against the CTA plan's current edition when it changes.
//!
//! When a print carries several conditions, each must allow an update for the print
//! to make it (see [`super::evaluate`]).

use super::{QuoteRow, Row, HL, LAST, OOS, VOL};

const ALL: u8 = LAST | HL | VOL;

/// Sale conditions, tapes A and B. `@` is how Alpaca's IEX feed marks a regular sale
/// on every tape; the CTS feed itself sends a space.
pub const TRADE: &[Row] = &[
    Row::new(" ", "Regular Sale", ALL),
    Row::new("@", "Regular Sale", ALL),
    Row::new("B", "Average Price Trade", VOL),
    Row::new("C", "Cash Trade (Same Day Clearing)", VOL),
    Row::new("E", "Automatic Execution", ALL),
    Row::new("F", "Intermarket Sweep Order", ALL),
    Row::new("H", "Price Variation Trade", VOL),
    Row::new("I", "Odd Lot Trade", VOL),
    Row::new("K", "Rule 127 (NYSE) or Rule 155 (NYSE American)", ALL),
    Row::new("L", "Sold Last (Late Reporting)", ALL),
    Row::new("M", "Market Center Official Close", 0),
    Row::new("N", "Next Day Trade (Next Day Clearing)", VOL),
    Row::new("O", "Market Center Opening Trade", ALL),
    Row::new("P", "Prior Reference Price", HL | VOL),
    Row::new("Q", "Market Center Official Open", 0),
    Row::new("R", "Seller", VOL),
    Row::new("T", "Extended Hours Trade (Form T)", VOL),
    Row::new("U", "Extended Hours Sold (Out of Sequence)", VOL | OOS),
    Row::new("V", "Contingent Trade", VOL),
    Row::new("X", "Cross Trade", ALL),
    Row::new("Z", "Sold (Out of Sequence)", HL | VOL | OOS),
    Row::new("4", "Derivatively Priced", HL | VOL),
    Row::new("5", "Market Center Reopening Trade", ALL),
    Row::new("6", "Market Center Closing Trade", ALL),
    Row::new("7", "Qualified Contingent Trade", VOL),
    Row::new(
        "9",
        "Corrected Consolidated Close (per Listing Market)",
        LAST | HL,
    ),
];

/// Quote conditions, tapes A and B; `false`: the quote is not firm or not eligible
/// for the NBBO, so it does not set the shown bid/ask.
pub const QUOTE: &[QuoteRow] = &[
    QuoteRow::new("A", "Slow Quote on Offer Side", false),
    QuoteRow::new("B", "Slow Quote on Bid Side", false),
    QuoteRow::new("C", "Closing", true),
    QuoteRow::new("D", "News Dissemination", false),
    QuoteRow::new("E", "Slow Quote on Bid (LRP or Gap)", false),
    QuoteRow::new("F", "Fast Trading", false),
    QuoteRow::new("G", "Trading Range Indication", false),
    QuoteRow::new("H", "Slow Quote on Bid and Offer", false),
    QuoteRow::new("I", "Order Imbalance", false),
    QuoteRow::new("J", "Due to Related Security: News Dissemination", false),
    QuoteRow::new("K", "Due to Related Security: News Pending", false),
    QuoteRow::new("L", "Closed Market Maker", false),
    QuoteRow::new("M", "Additional Information", false),
    QuoteRow::new("N", "Non-Firm Quote", false),
    QuoteRow::new("O", "Opening Quote", true),
    QuoteRow::new("P", "News Pending", false),
    QuoteRow::new("Q", "Additional Information Due to Related Security", false),
    QuoteRow::new("R", "Regular, Two-Sided Open", true),
    QuoteRow::new("S", "Due to Related Security", false),
    QuoteRow::new("T", "Resume", true),
    QuoteRow::new("U", "Slow Quote on Bid and Offer (LRP or Gap)", false),
    QuoteRow::new("V", "In View of Common", false),
    QuoteRow::new("W", "Slow Quote: Set Slow List on Bid and Offer", false),
    QuoteRow::new("X", "Equipment Changeover", false),
    QuoteRow::new("Y", "Sub-Penny Trading", true),
    QuoteRow::new("Z", "No Open / No Resume", false),
    QuoteRow::new("4", "On-Demand Intra-Day Auction", false),
];
