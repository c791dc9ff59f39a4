//! The pure domain: what market data is and the rules applied to it. Parsers, state
//! machines and functions with time as an input; no tokio, no sockets, files,
//! database or terminal. May import nothing outside `domain`.

pub mod alerts;
pub mod bars;
pub mod breaker;
pub mod chart;
pub mod clock;
pub mod conditions;
pub mod event;
pub mod market;
pub mod pace;
pub mod portfolio;
pub mod router;
pub mod slo;
pub mod stats;
// The test binary's counting allocator must implement `GlobalAlloc`, an unsafe trait.
#[cfg(test)]
#[allow(unsafe_code)]
pub(crate) mod test_alloc;
pub mod types;
pub mod validate;
pub mod wire;
