//! Helpers shared by the integration tests: the mock Alpaca stream, Trading API and
//! Yahoo servers, a clock on tokio's (pausable) time, and waiting for a snapshot.
pub mod clock;
pub mod isolated;
pub mod mock_alpaca;
pub mod mock_bars;
pub mod mock_trading;
pub mod mock_yahoo;
pub mod serve;
pub mod served;
pub mod stream_cfg;
pub mod wait;
