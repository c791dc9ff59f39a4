//! (stub, replaced by the gen branch)
use crate::types::{Symbol, Ts};
use rust_decimal::Decimal;
#[derive(Debug, Clone)]
pub struct ChartQuote {
    pub symbol: Symbol,
    pub currency: Option<String>,
    pub price: Decimal,
    pub market_time: Ts,
    pub previous_close: Option<Decimal>,
}
#[derive(Debug, thiserror::Error)]
#[error("stub")]
pub struct ChartError;
pub fn parse_chart(_status: u16, _body: &str) -> Result<ChartQuote, ChartError> {
    Err(ChartError)
}
