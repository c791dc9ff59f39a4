//! Helpers shared by the integration tests: the mock Alpaca stream server and a
//! clock on tokio's (pausable) time.
// Each test crate uses a different part of the helpers.
#![allow(dead_code, unused_imports)]

pub mod clock;
pub mod mock_alpaca;
pub mod wait;
