//! The Yahoo Finance fallback source: everything tapewatch knows about Yahoo's v8
//! chart endpoint, starting with the pure response parser ([`chart`]).

pub mod chart;

pub use chart::{parse_chart, ChartError, ChartQuote, LastBar};
