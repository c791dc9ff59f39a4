//! The fixture reader: the bytes as a whole fixture file (header, then lines), each
//! line through the record parser, and each frame through the frame parser, as
//! replay does.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::sources::fixture::parse_record;
use tapewatch::sources::fixture::reader::FixtureReader;
use tapewatch::domain::wire::{parse_frame, ParseLimits};

fuzz_target!(|data: &[u8]| {
    // The bytes as a single line too, so mutations need not keep a valid header.
    if let Ok(line) = std::str::from_utf8(data) {
        let _ = parse_record(line);
    }
    let Ok(mut reader) = FixtureReader::from_bytes("fuzz", data.to_vec()) else {
        return;
    };
    while let Some(line) = reader.next_line() {
        let Ok((_, line)) = line else { continue };
        if let Ok(rec) = parse_record(line) {
            if let Some(ws) = rec.ws {
                let _ = parse_frame(ws.as_bytes(), &ParseLimits::default());
            }
        }
    }
});
