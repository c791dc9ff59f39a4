//! When the US equity market is open: the NYSE trading calendar ([`calendar`]) and
//! Alpaca's `GET /v2/clock` answer ([`clock`]). Pure: every question takes `now`.
//!
//! The live Alpaca client treats silence as a failure only while the market is open
//! (a closed market is quiet, not broken); the router and alerts ask the same question
//! through [`is_open_with`], which trusts a fresh Alpaca clock and otherwise the calendar.

pub mod calendar;
pub mod clock;

#[cfg(test)]
mod calendar_tests;
#[cfg(test)]
mod clock_tests;

pub use calendar::{
    covered_until, current_or_next_session, holiday_on, is_open, market_date, next_open,
    session_on, Session,
};
pub use clock::{
    is_open_with, market_hours, parse_clock, ClockError, MarketClock, MarketHours, CLOCK_FRESH_MS,
};
