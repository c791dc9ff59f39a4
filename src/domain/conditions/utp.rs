//! The UTP plan's sale and quote conditions (tape C: Nasdaq-listed securities), as
//! pure data.
//!
//! Source: UTP Plan, "UTP Trade Data Feed (UTDF) Direct Subscriber Interface
//! Specification" (Nasdaq for the UTP Plan, version 14.4, November 2015), its
//! sale-condition modifier matrix, which gives, per condition, whether a print updates
//! the consolidated last sale, high/low and volume; and the "UTP Quotation Data Feed
//! (UQDF) Specification", its quote-condition table. The codes are the ones Alpaca
//! lists for tape C (`GET /v2/stocks/meta/conditions/trade?tape=C`), which is checked
//! at every live start (see `app::pipeline::conditions`). The rows were cross-checked
//! against a published third-party copy of the matrix (dxFeed's "Sale Conditions"
//! table), not read off the specification's PDF here.

use super::{QuoteRow, Row, HL, LAST, OOS, VOL};

const ALL: u8 = LAST | HL | VOL;

/// Sale conditions, tape C.
pub const TRADE: &[Row] = &[
    Row::new("@", "Regular Sale", ALL),
    Row::new("A", "Acquisition", ALL),
    Row::new("B", "Bunched Trade", ALL),
    Row::new("C", "Cash Sale", VOL),
    Row::new("D", "Distribution", ALL),
    // Reserved by the plan: nothing is known to be sent with it, so it counts as
    // an unknown code would (volume only).
    Row::new("E", "Placeholder", VOL),
    Row::new("F", "Intermarket Sweep", ALL),
    Row::new("G", "Bunched Sold Trade", HL | VOL | OOS),
    Row::new("H", "Price Variation Trade", VOL),
    Row::new("I", "Odd Lot Trade", VOL),
    Row::new("K", "Rule 155 Trade (NYSE American)", ALL),
    Row::new("L", "Sold Last", ALL),
    Row::new("M", "Market Center Official Close", 0),
    Row::new("N", "Next Day", VOL),
    Row::new("O", "Opening Prints", ALL),
    Row::new("P", "Prior Reference Price", HL | VOL),
    Row::new("Q", "Market Center Official Open", 0),
    Row::new("R", "Seller", VOL),
    Row::new("S", "Split Trade", ALL),
    Row::new("T", "Form T", VOL),
    Row::new(
        "U",
        "Extended Trading Hours (Sold Out of Sequence)",
        VOL | OOS,
    ),
    Row::new("V", "Contingent Trade", VOL),
    Row::new("W", "Average Price Trade", VOL),
    Row::new("X", "Cross Trade", ALL),
    Row::new("Y", "Yellow Flag Regular Trade", ALL),
    Row::new("Z", "Sold (Out of Sequence)", HL | VOL | OOS),
    Row::new("1", "Stopped Stock (Regular Trade)", ALL),
    Row::new("4", "Derivatively Priced", HL | VOL),
    Row::new("5", "Re-Opening Prints", ALL),
    Row::new("6", "Closing Prints", ALL),
    Row::new("7", "Qualified Contingent Trade (QCT)", VOL),
    Row::new("8", "Placeholder for 611 Exempt", ALL),
    Row::new(
        "9",
        "Corrected Consolidated Close (per Listing Market)",
        LAST | HL,
    ),
];

/// Quote conditions, tape C; `false`: the quote is not firm or not eligible for the
/// NBBO, so it does not set the shown bid/ask.
pub const QUOTE: &[QuoteRow] = &[
    QuoteRow::new("A", "Manual Ask, Automated Bid", false),
    QuoteRow::new("B", "Manual Bid, Automated Ask", false),
    QuoteRow::new("F", "Fast Trading", false),
    QuoteRow::new("H", "Manual Bid and Ask", false),
    QuoteRow::new("I", "Order Imbalance", false),
    QuoteRow::new("L", "Closed Quote", false),
    QuoteRow::new("N", "Non-Firm Quote", false),
    QuoteRow::new("O", "Opening Quote Automated", true),
    QuoteRow::new("R", "Regular, Two-Sided Open", true),
    QuoteRow::new("U", "Manual Bid and Ask (Non-Firm)", false),
    QuoteRow::new("X", "Order Influx", false),
    QuoteRow::new(
        "Y",
        "Automated Bid, No Offer; or Automated Offer, No Bid",
        true,
    ),
    QuoteRow::new("Z", "No Open / No Resume", false),
    QuoteRow::new("4", "On-Demand Intra-Day Auction", false),
];
