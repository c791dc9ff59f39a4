//! The config loader (TOML into validated settings) and the theme loader.
#![no_main]
use libfuzzer_sys::fuzz_target;
use tapewatch::app::config;
use tapewatch::outputs::ui::theme::Theme;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let _ = config::parse(&text, "fuzz.toml");
    let _ = Theme::from_toml("fuzz", "fuzz.toml", &text);
});
