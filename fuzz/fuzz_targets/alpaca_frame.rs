//! The Alpaca JSON text-frame parser: any bytes, never a panic or a runaway.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::domain::wire::{parse_frame, ParseLimits};

fuzz_target!(|data: &[u8]| {
    let p = parse_frame(data, &ParseLimits::default());
    // Messages and issues are bounded by the input: a message needs bytes.
    assert!(p.msgs.len() <= data.len());
});
