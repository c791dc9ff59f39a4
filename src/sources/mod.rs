//! Where data comes from, doing I/O only: the Alpaca stream and Trading API, the
//! Yahoo chart poller, and fixtures (replay, recording, the demo generator). They
//! hand the engine `messages` over `plumbing` channels. May import `domain`,
//! `messages` and `plumbing`; never the engine or an output.

pub mod alpaca;
pub mod fixture;
pub mod yahoo;
