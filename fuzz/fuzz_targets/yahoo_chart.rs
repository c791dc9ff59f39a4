//! The Yahoo v8 chart parser: the first byte picks the HTTP status, the rest is the body.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::domain::chart::parse_chart;

fuzz_target!(|data: &[u8]| {
    let Some((&s, body)) = data.split_first() else {
        return;
    };
    let status = [200, 200, 200, 404, 429, 500, 0, 301][usize::from(s % 8)];
    let body = String::from_utf8_lossy(body);
    let _ = parse_chart(status, &body);
});
