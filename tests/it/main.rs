//! The integration tests, as one binary (so the helpers in `support` compile once
//! and link once): each module is one area, run against the real engine, real
//! sockets on 127.0.0.1 and mock servers that speak the real protocols.

// A failed expectation in a test or its helpers should stop the test right there.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod support;

mod architecture;
mod attach;
mod backfill;
mod cli;
mod deploy;
mod failover;
mod fixture_gen;
mod headless;
mod live;
mod metrics;
mod mock_alpaca;
mod notify;
mod notify_hooks;
mod positions_live;
mod replay;
mod replay_clock;
mod secrets;
mod store;
mod stream_load;
mod subcommands;
mod throughput;
mod timing;
mod trade_conditions;
mod trading_rest;
mod yahoo_live;
