//! The Yahoo Finance fallback source: the HTTP client for Yahoo's v8 chart endpoint
//! and the poller that runs the engine's [`PollPlan`](crate::messages::yahoo::PollPlan).
//! Responses go to the engine raw; the parser is pure and lives in
//! [`crate::domain::chart`].

pub mod client;
pub mod poller;
