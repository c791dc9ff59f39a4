//! The Alpaca Trading API bodies: account, positions and clock.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::sources::alpaca::rest::{decode_account, decode_clock, decode_positions};

fuzz_target!(|data: &[u8]| {
    let body = String::from_utf8_lossy(data);
    let _ = decode_account(&body);
    let _ = decode_positions(&body);
    let _ = decode_clock(&body);
});
