//! The fast path agrees with the general one: whatever it accepts, sonic-rs through
//! serde parses to the same messages with no issue; what it refuses still parses.

use super::super::parse::parse_text_into;
use super::*;
use crate::domain::types::Ts;
use proptest::prelude::*;
use rust_decimal::Decimal;
use std::str::FromStr;

const TRADE: &str = r#"{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":228.135,"s":100,"c":["@","I"],"t":"2026-11-17T15:00:01.493817234Z","z":"C"}"#;
const QUOTE: &str = r#"{"T":"q","S":"NVDA","bx":"V","bp":135.41,"bs":3,"ax":"V","ap":135.43,"as":2,"c":["R"],"z":"C","t":"2026-11-17T15:00:01.49381Z"}"#;
const BAR: &str = r#"{"T":"b","S":"SPY","o":590.11,"h":590.42,"l":589.97,"c":590.3,"v":49378,"t":"2026-11-17T15:00:00Z","n":461,"vw":590.2126}"#;

fn slow(text: &str) -> (Vec<Msg>, Vec<super::super::ParseIssue>) {
    let (mut out, mut issues) = (Vec::new(), Vec::new());
    parse_text_into(text, &mut out, &mut issues);
    (out, issues)
}

fn fast(text: &str) -> Option<Vec<Msg>> {
    let mut out = Vec::new();
    frame(text, &mut out).then_some(out)
}

/// The property: an accepted frame is exactly what the general path makes of it.
fn agrees(text: &str) -> Result<(), String> {
    let Some(got) = fast(text) else {
        return Ok(());
    };
    let (want, issues) = slow(text);
    if !issues.is_empty() {
        return Err(format!(
            "fast accepted {text:?}, general path found {issues:?}"
        ));
    }
    if got != want {
        return Err(format!("{text:?}: fast {got:?}\n general {want:?}"));
    }
    Ok(())
}

#[test]
fn the_plain_shapes_take_the_fast_path_and_match() {
    for text in [
        format!("[{TRADE}]"),
        format!("[{QUOTE}]"),
        format!("[{BAR}]"),
        format!("[{TRADE},{QUOTE},{BAR}]"),
        format!(" [ {TRADE} ,\n\t{QUOTE} ] \n"),
        "[]".to_string(),
        // Any key order, unknown fields skipped, optional fields absent.
        r#"[{"t":"2026-11-17T15:00:01Z","p":1.5,"s":-3,"i":7,"S":"A","T":"t","zz":[],"q":null,"w":true}]"#.into(),
        r#"[{"T":"d","S":"SPY","o":1,"h":2,"l":0.5,"c":1e2,"v":0,"t":"2026-11-17T05:00:00+05:00"}]"#.into(),
        r#"[{"T":"u","S":"SPY","o":1,"h":2,"l":0.5,"c":1.0,"v":1,"t":"2026-11-17T15:00:00.1Z","c":3}]"#.into(),
        r#"[{"T":"q","S":"X","bp":0,"bs":0,"ap":-0.0,"as":0,"t":"2026-11-17T15:00:00Z","c":[ ]}]"#.into(),
    ] {
        assert!(fast(&text).is_some(), "refused {text}");
        agrees(&text).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn anything_else_goes_to_the_general_path() {
    for text in [
        r#"[{"T":"success","msg":"connected"}]"#,
        r#"[{"T":"s","S":"A","sc":"H","t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"t","S":"A\u0041","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z","sc":"x"}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1.5,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1,"t":"yesterday"}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":01,"s":1,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z",}]"#,
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z","x":{"a":1}}]"#,
        r#"[{"T":"t","S":"Ä","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"b","S":"A","o":1,"h":1,"l":1,"c":["@"],"v":1,"t":"2026-11-17T15:00:00Z"}]"#,
        // A repeated field: the general path refuses the first value.
        r#"[{"T":"t","S":"A","i":1,"p":1,"s":"x","s":1,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"t","T":5,"S":"A","i":1,"p":1,"s":1,"t":"2026-11-17T15:00:00Z"}]"#,
        r#"[{"T":"b","S":"A","o":1,"h":1,"l":1,"c":1,"v":1,"n":-1,"t":"2026-11-17T15:00:00Z"}]"#,
        "[1]",
        "{}",
        "[",
    ] {
        assert!(fast(text).is_none(), "accepted {text}");
    }
}

#[test]
fn decimals_keep_their_digits_and_scale() {
    for n in [
        "0",
        "1",
        "-1",
        "228.135",
        "504.80",
        "0.0001",
        "-12.5",
        "123456789012345678",
        "1234567890123456789",
        "0.1234567890123456789012",
        "1e3",
        "1.5E-2",
        "-0",
        "-0.0",
    ] {
        let want = Decimal::from_str(n)
            .or_else(|_| Decimal::from_scientific(n))
            .ok();
        let got = decimal(n);
        assert_eq!(got, want, "{n}");
        assert_eq!(
            got.map(|d| d.to_string()),
            want.map(|d| d.to_string()),
            "{n}"
        );
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn timestamps_match_chrono(
        y in 1970i64..2200, mo in 1i64..13, d in 1i64..32, h in 0i64..24, mi in 0i64..60,
        s in 0i64..60, frac in proptest::option::of("[0-9]{1,9}"),
    ) {
        let text = format!(
            "{y:04}-{mo:02}-{d:02}T{h:02}:{mi:02}:{s:02}{}Z",
            frac.map(|f| format!(".{f}")).unwrap_or_default()
        );
        prop_assert_eq!(timestamp(&text), Ts::parse_rfc3339(&text), "{}", text);
    }

    #[test]
    fn decimals_match_from_str(int in "-?(0|[1-9][0-9]{0,20})", frac in proptest::option::of("[0-9]{1,20}")) {
        let n = match frac { Some(f) => format!("{int}.{f}"), None => int };
        let want = Decimal::from_str(&n).ok();
        prop_assert_eq!(decimal(&n).map(|d| d.to_string()), want.map(|d| d.to_string()), "{}", n);
    }

    /// Seeds broken byte by byte: whatever the fast path still accepts, the general
    /// path reads the same way.
    #[test]
    fn mutated_frames_agree(
        pick in proptest::collection::vec(0usize..3, 1..4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..4, any::<u8>()), 0..4),
    ) {
        let parts: Vec<&str> = pick.iter().map(|&k| [TRADE, QUOTE, BAR][k]).collect();
        let mut bytes = format!("[{}]", parts.join(",")).into_bytes();
        const INTERESTING: &[u8] = b"\"\\,:{}[]-.e0159 TZtqb\x7f";
        for (at, op, b) in edits {
            let i = at.index(bytes.len());
            let b = INTERESTING[usize::from(b) % INTERESTING.len()];
            match op {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                2 => { bytes.remove(i); }
                _ => { let tail = bytes[i..].to_vec(); bytes.truncate(i); bytes.extend(tail.iter().rev()); }
            }
        }
        if let Ok(text) = std::str::from_utf8(&bytes) {
            prop_assert!(agrees(text).is_ok(), "{}", agrees(text).err().unwrap_or_default());
        }
    }

    /// Well-formed messages with fields in any order and values of every kind.
    #[test]
    fn generated_messages_agree(
        fields in proptest::collection::vec((0usize..24, 0usize..12), 0..14),
    ) {
        const KEYS: [&str; 24] = [
            "T", "S", "i", "x", "p", "s", "c", "t", "z", "bx", "bp", "bs", "ax", "ap", "as",
            "o", "h", "l", "v", "vw", "n", "sc", "zz", "T",
        ];
        const VALUES: [&str; 12] = [
            "\"t\"", "\"q\"", "\"b\"", "\"AAPL\"", "100", "-5", "1.25", "1e2",
            "\"2026-11-17T15:00:01.5Z\"", "[\"@\",\"I\"]", "[]", "null",
        ];
        let body: Vec<String> = fields.iter().map(|&(k, v)| format!("\"{}\":{}", KEYS[k], VALUES[v])).collect();
        let text = format!("[{{{}}}]", body.join(","));
        prop_assert!(agrees(&text).is_ok(), "{}", agrees(&text).err().unwrap_or_default());
    }
}
