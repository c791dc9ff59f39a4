//! Charts of what tapewatch received, drawn with ratatui's own widgets: the price
//! as a braille line (`Chart`) or as candlesticks (`Canvas`), the volume beneath
//! (`BarChart`), the previous close as a reference line, Yahoo-served minutes in
//! the fallback colour, and validation rejections and breaker trips marked on the
//! time axis. The watchlist's sparklines are in [`spark`]. Pure rendering: a
//! function of the symbol's bars, the options and the theme.

mod marks;
mod price;
pub mod spark;

pub use price::draw_symbol_chart;

use crate::domain::bars::TimeFrame;

/// How the symbol chart is drawn (the symbol view's `c`, `t`, `←`/`→`).
#[derive(Copy, Clone, Debug, Default, PartialEq, Eq)]
pub struct ChartOpts {
    pub candles: bool,
    pub frame: TimeFrame,
    /// Index into the symbol's validation marks (newest last).
    pub mark: Option<usize>,
    /// Draw the volume and the marks rows (the symbol view); the Market page's
    /// small chart draws the price only.
    pub full: bool,
}
