//! The Alpaca msgpack binary-frame decoder: any bytes, never a panic or a runaway.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::domain::wire::msgpack::parse_msgpack_frame;
use tapewatch::domain::wire::ParseLimits;

fuzz_target!(|data: &[u8]| {
    let p = parse_msgpack_frame(data, &ParseLimits::default());
    assert!(p.msgs.len() <= data.len());
});
