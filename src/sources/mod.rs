//! Where data comes from, doing I/O only: the Alpaca stream and Trading API, the
//! Yahoo chart poller, fixtures (replay, recording, the demo generator), and another
//! tapewatch's snapshot stream (`remote`, for `tapewatch attach`). They
//! hand the engine `messages` over `plumbing` channels. May import `domain`,
//! `messages` and `plumbing`; never the engine or an output.

pub mod alpaca;
pub mod fixture;
pub mod remote;
pub mod yahoo;
