//! The live Alpaca Market Data v2 stream: the pure protocol and reconnect policy,
//! and the socket task that performs them.

pub mod backoff;
pub mod bars;
mod classify;
pub mod protocol;
pub mod rest;
pub mod stream;
