//! Every parser that reads outside input, fed hostile input on stable: arbitrary
//! bytes, and random mutations of valid inputs (the doc examples and the demo's own
//! frames, bodies and lines). None may panic, and none may allocate more than a
//! bound proportional to its input (measured per thread by [`alloc_track`]).
//!
//! The cargo-fuzz targets in `fuzz/` drive the same entry points for millions of
//! runs on nightly; these are the seconds-long version `cargo test` runs.

mod nesting;

use crate::domain::test_alloc as alloc_track;

use crate::domain::wire::ParseLimits;
use crate::sources::fixture::DEMO_FIXTURE;
use proptest::prelude::*;

/// The most a parser may allocate at peak while reading `len` bytes: a fixed
/// allowance for tables and first buffers, and a multiple of the input for what it
/// builds from it (messages are bigger than their JSON).
fn alloc_bound(len: usize) -> isize {
    (256 * 1024 + 24 * len) as isize
}

fn check_bounded<T>(what: &str, input_len: usize, f: impl FnOnce() -> T) -> T {
    let (out, peak) = alloc_track::peak_during(f);
    assert!(
        peak <= alloc_bound(input_len),
        "{what}: {peak} bytes allocated at peak for {input_len} bytes of input"
    );
    out
}

/// The demo fixture's lines after the header.
fn demo_lines() -> impl Iterator<Item = &'static str> {
    std::str::from_utf8(DEMO_FIXTURE)
        .unwrap_or_default()
        .lines()
        .skip(1)
}

/// A spread of the demo's frames: the handshake, every message type, the bad-data
/// burst (every 40th frame keeps the set small).
fn frame_seeds() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(frame_seeds_uncached)
}

fn frame_seeds_uncached() -> Vec<String> {
    let mut seeds: Vec<String> = demo_lines()
        .filter_map(|l| crate::sources::fixture::parse_record(l).ok())
        .filter_map(|r| r.ws.map(|w| w.into_owned()))
        .step_by(40)
        .collect();
    seeds.extend(
        [
            r#"[{"T":"error","code":406,"msg":"connection limit exceeded"}]"#,
            r#"[{"T":"s","S":"AAPL","sc":"H","sm":"Trading Halt","rc":"T1","rm":"News Pending","t":"2026-11-17T15:00:00Z","z":"C"}]"#,
            r#"[{"T":"l","S":"AAPL","u":240.11,"d":217.25,"i":"B","t":"2026-11-17T15:00:00Z","z":"C"}]"#,
            r#"[{"T":"c","S":"AAPL","x":"V","oi":1,"op":228.1,"os":100,"oc":["@"],"ci":2,"cp":228.2,"cs":100,"cc":["@"],"t":"2026-11-17T15:00:00Z","z":"C"}]"#,
            r#"[{"T":"x","S":"AAPL","i":1,"x":"V","p":228.1,"s":100,"a":"C","t":"2026-11-17T15:00:00Z","z":"C"}]"#,
        ]
        .map(String::from),
    );
    seeds
}

fn yahoo_seeds() -> &'static [String] {
    static SEEDS: std::sync::OnceLock<Vec<String>> = std::sync::OnceLock::new();
    SEEDS.get_or_init(|| {
        demo_lines()
            .filter_map(|l| crate::sources::fixture::parse_record(l).ok())
            .filter_map(|r| r.http.map(|h| h.body.into_owned()))
            .step_by(7)
            .collect()
    })
}

const CLOCK_BODY: &str = r#"{"timestamp":"2024-03-15T10:04:31.123456789-04:00","is_open":true,"next_open":"2024-03-18T09:30:00-04:00","next_close":"2024-03-15T16:00:00-04:00"}"#;

const CONFIG_SEED: &str = r#"watchlist = ["AAPL", "BRK.B"]
[alpaca]
key_id = "PK123"
secret_key = "s3cr3t"
feed = "sip"
encoding = "msgpack"
[api]
listen = "127.0.0.1:5002"
[ui]
theme = "mono"
[router]
max_consecutive_failures = 3
fallback_activation_delay_secs = 10
[[positions]]
symbol = "AAPL"
qty = 10
cost = "150.25"
"#;

const THEMES: [&str; 3] = [
    include_str!("../../themes/default.toml"),
    include_str!("../../themes/light.toml"),
    include_str!("../../themes/mono.toml"),
];

/// One edit to a seed: at a position (taken modulo the length), overwrite, insert or
/// delete a byte, or insert a byte JSON and TOML treat specially.
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize),
    Structural(usize, u8),
    Duplicate(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    const SPECIAL: &[u8] = b"[]{}\":,\\-.0e\n=#'";
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Set(p, b)),
        (any::<usize>(), any::<u8>()).prop_map(|(p, b)| Edit::Insert(p, b)),
        any::<usize>().prop_map(Edit::Delete),
        (any::<usize>(), 0..SPECIAL.len()).prop_map(|(p, i)| Edit::Structural(p, SPECIAL[i])),
        (any::<usize>(), 1usize..64).prop_map(|(p, n)| Edit::Duplicate(p, n)),
    ]
}

fn mutate(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for e in edits {
        let at = |p: usize, len: usize| if len == 0 { 0 } else { p % len };
        match *e {
            Edit::Set(p, b) if !v.is_empty() => {
                let i = at(p, v.len());
                v[i] = b;
            }
            Edit::Insert(p, b) | Edit::Structural(p, b) => {
                let i = at(p, v.len() + 1);
                v.insert(i, b);
            }
            Edit::Delete(p) if !v.is_empty() => {
                let i = at(p, v.len());
                v.remove(i);
            }
            Edit::Duplicate(p, n) if !v.is_empty() => {
                let i = at(p, v.len());
                let end = (i + n).min(v.len());
                let piece = v[i..end].to_vec();
                v.splice(i..i, piece);
            }
            _ => {}
        }
    }
    v
}

fn edits() -> impl Strategy<Value = Vec<Edit>> {
    proptest::collection::vec(edit(), 1..12)
}

fn bytes() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(any::<u8>(), 0..1024)
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

// Each parser: one run over its input, checked for the allocation bound.
fn frame(b: &[u8]) {
    check_bounded("JSON frame", b.len(), || {
        crate::domain::wire::parse_frame(b, &ParseLimits::default())
    });
}
fn msgpack(b: &[u8]) {
    check_bounded("msgpack frame", b.len(), || {
        crate::domain::wire::msgpack::parse_msgpack_frame(b, &ParseLimits::default())
    });
}
fn fixture_line(b: &[u8]) {
    let t = text(b);
    let _ = check_bounded("fixture line", t.len(), || {
        crate::sources::fixture::parse_record(&t).map(|r| r.t_ms)
    });
}
fn fixture_file(b: &[u8]) {
    check_bounded("fixture file", b.len(), || {
        let Ok(mut r) =
            crate::sources::fixture::reader::FixtureReader::from_bytes("fuzz", b.to_vec())
        else {
            return 0;
        };
        let mut n = 0;
        while let Some(line) = r.next_line() {
            if let Ok((_, l)) = line {
                n += usize::from(crate::sources::fixture::parse_record(l).is_ok());
            }
        }
        n
    });
}
fn yahoo(status: u16, b: &[u8]) {
    let t = text(b);
    check_bounded("Yahoo chart", t.len(), || {
        crate::domain::chart::parse_chart(status, &t).is_ok()
    });
}
fn trading(b: &[u8]) {
    use crate::sources::alpaca::rest::{decode_account, decode_clock, decode_positions};
    let t = text(b);
    check_bounded("Trading API bodies", t.len(), || {
        (
            decode_account(&t).is_ok(),
            decode_positions(&t).is_ok(),
            decode_clock(&t).is_ok(),
        )
    });
}
fn config(b: &[u8]) {
    let t = text(b);
    check_bounded("config", t.len(), || {
        crate::app::config::parse(&t, "fuzz.toml").is_ok()
    });
}
fn theme(b: &[u8]) {
    let t = text(b);
    let base = crate::outputs::ui::theme::Theme::embedded_default();
    check_bounded("theme", t.len(), || {
        crate::outputs::ui::theme::parse_theme("fuzz", "fuzz.toml", &t, &base).is_ok()
    });
}

fn pick<T: Clone>(seeds: &[T], i: usize) -> T {
    seeds[i % seeds.len()].clone()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 192, ..ProptestConfig::default() })]

    #[test]
    fn alpaca_json_frames(i in any::<usize>(), e in edits(), raw in bytes()) {
        frame(&raw);
        frame(&mutate(pick(frame_seeds(), i).as_bytes(), &e));
    }

    #[test]
    fn msgpack_frames(i in any::<usize>(), e in edits(), raw in bytes()) {
        msgpack(&raw);
        let seed = crate::domain::wire::msgpack::encode::json_frame_to_msgpack(&pick(frame_seeds(), i))
            .unwrap_or_default();
        msgpack(&mutate(&seed, &e));
    }

    #[test]
    fn fixture_lines_and_files(i in any::<usize>(), e in edits(), raw in bytes()) {
        let lines: Vec<&str> = demo_lines().step_by(97).collect();
        fixture_line(&raw);
        fixture_line(&mutate(pick(&lines, i).as_bytes(), &e));
        fixture_file(&raw);
        let head: Vec<u8> = DEMO_FIXTURE.split(|b| *b == b'\n').take(6).collect::<Vec<_>>().join(&b'\n');
        fixture_file(&mutate(&head, &e));
    }

    #[test]
    fn yahoo_chart_bodies(i in any::<usize>(), e in edits(), raw in bytes(), s in 0usize..5) {
        let status = [200, 404, 429, 500, 0][s];
        yahoo(status, &raw);
        yahoo(status, &mutate(pick(yahoo_seeds(), i).as_bytes(), &e));
    }

    #[test]
    fn trading_api_bodies(i in any::<usize>(), e in edits(), raw in bytes()) {
        use crate::sources::alpaca::rest::tests::{ACCOUNT_BODY, POSITIONS_BODY};
        trading(&raw);
        trading(&mutate(pick(&[ACCOUNT_BODY, POSITIONS_BODY, CLOCK_BODY], i).as_bytes(), &e));
    }

    #[test]
    fn config_and_theme_files(i in any::<usize>(), e in edits(), raw in bytes()) {
        config(&raw);
        config(&mutate(CONFIG_SEED.as_bytes(), &e));
        theme(&raw);
        theme(&mutate(pick(&THEMES, i).as_bytes(), &e));
    }
}

/// The worst cases for what a parser builds per input byte: a frame of many tiny bad
/// elements, each of which becomes an issue with a reason.
#[test]
fn many_tiny_bad_messages_stay_within_the_bound() {
    let n = 50_000;
    let json = format!("[{}1]", "1,".repeat(n));
    frame(json.as_bytes());
    let objs = format!("[{}{{}}]", "{},".repeat(n));
    frame(objs.as_bytes());
    let mut mp = vec![0xdd];
    mp.extend_from_slice(&(n as u32).to_be_bytes());
    mp.extend(std::iter::repeat_n(0xc0u8, n));
    msgpack(&mp);
    let mut mp = vec![0xdd];
    mp.extend_from_slice(&(n as u32).to_be_bytes());
    mp.extend(std::iter::repeat_n(0x80u8, n));
    msgpack(&mp);
}

/// Past the cap, bad messages are counted in one closing issue, and the engine still
/// counts every one of them as a parse error.
#[test]
fn issues_past_the_cap_are_counted_not_itemised() {
    use crate::domain::wire::parse::{ParseIssue, MAX_ISSUES_PER_FRAME};
    let json = format!(
        r#"[{}{{"T":"t","S":"AAPL","i":1,"x":"V","p":1.5,"s":1,"c":["@"],"t":"2026-11-17T15:00:00Z","z":"C"}}]"#,
        "1,".repeat(100)
    );
    let p = crate::domain::wire::parse_frame(json.as_bytes(), &ParseLimits::default());
    assert_eq!(p.msgs.len(), 1, "the good message after the bad ones");
    assert_eq!(p.issues.len(), MAX_ISSUES_PER_FRAME + 1);
    assert_eq!(
        p.issues.last(),
        Some(&ParseIssue::Suppressed {
            count: 100 - MAX_ISSUES_PER_FRAME
        })
    );
    let mut mp = vec![0xdc, 0, 100];
    mp.extend(std::iter::repeat_n(0xc0u8, 100));
    let p = crate::domain::wire::msgpack::parse_msgpack_frame(&mp, &ParseLimits::default());
    assert_eq!(
        p.issues.len(),
        MAX_ISSUES_PER_FRAME + 1,
        "{:?}",
        p.issues.last()
    );

    use crate::engine::snapshot::Mode;
    use crate::engine::state::{Effects, EngineState, StateConfig};
    let at = crate::domain::types::Ts::from_secs(1_790_000_000);
    let mut st = EngineState::new(StateConfig {
        mode: Mode::Replay,
        feed: "iex".into(),
        watchlist: vec!["AAPL".into()],
        started_at: at,
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    });
    let p = crate::domain::wire::parse_frame(json.as_bytes(), &ParseLimits::default());
    st.apply_frame(at, &p.msgs, &p.issues, &mut Effects::default());
    let snap = st.snapshot(
        1,
        Default::default(),
        crate::plumbing::channels::Meters::default().stats(),
    );
    assert_eq!(snap.counters.parse_errors, 100);
}
