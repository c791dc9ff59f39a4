//! The msgpack one-pass path agrees with the general reader: whatever it accepts,
//! the general reader parses to the same messages with no issue.

use super::super::fast;
use super::*;
use proptest::prelude::*;

const TRADE: &str = r#"{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":228.135,"s":100,"c":["@","I"],"t":"2026-11-17T15:00:01.493817234Z","z":"C"}"#;
const QUOTE: &str = r#"{"T":"q","S":"NVDA","bx":"V","bp":135.41,"bs":3,"ax":"V","ap":135.43,"as":2,"c":["R"],"z":"C","t":"2026-11-17T15:00:01.49381Z"}"#;
const BAR: &str = r#"{"T":"b","S":"SPY","o":590.11,"h":590.42,"l":589.97,"c":590.3,"v":49378,"t":"2026-11-17T15:00:00Z","n":461,"vw":590.2126}"#;

fn agrees(bytes: &[u8]) -> Result<(), String> {
    let mut got = Vec::new();
    if !fast::frame(bytes, &mut got) {
        return Ok(());
    }
    let (mut want, mut issues) = (Vec::new(), Vec::new());
    let outcome = parse_elems(bytes, &mut want, &mut issues);
    if outcome.is_err() || !issues.is_empty() {
        return Err(format!(
            "fast accepted, general said {outcome:?} {issues:?}"
        ));
    }
    if got != want {
        return Err(format!("fast {got:?}\n general {want:?}"));
    }
    Ok(())
}

#[test]
fn plain_frames_take_the_fast_path_and_match() {
    let mut taken = 0;
    for json in DOC_FRAMES
        .iter()
        .map(|f| f.to_string())
        .chain([format!("[{TRADE},{QUOTE},{BAR}]")])
    {
        let Ok(mp) = json_frame_to_msgpack(&json) else {
            continue;
        };
        let mut out = Vec::new();
        taken += usize::from(fast::frame(&mp, &mut out));
        agrees(&mp).unwrap_or_else(|e| panic!("{json}: {e}"));
        // And the JSON path reads the same messages.
        let parsed = parse_frame(json.as_bytes(), &ParseLimits::default());
        if !out.is_empty() {
            assert_eq!(out, parsed.msgs, "{json}");
        }
    }
    assert!(taken >= 10, "{taken}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    /// Plain frames broken byte by byte.
    #[test]
    fn mutated_frames_agree(
        pick in proptest::collection::vec(0usize..3, 1..4),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0usize..3, any::<u8>()), 0..4),
    ) {
        let parts: Vec<&str> = pick.iter().map(|&k| [TRADE, QUOTE, BAR][k]).collect();
        let Ok(mut bytes) = json_frame_to_msgpack(&format!("[{}]", parts.join(","))) else {
            return Ok(());
        };
        for (at, op, b) in edits {
            let i = at.index(bytes.len());
            match op {
                0 => bytes[i] = b,
                1 => bytes.insert(i, b),
                _ => { bytes.remove(i); }
            }
        }
        prop_assert!(agrees(&bytes).is_ok(), "{}", agrees(&bytes).err().unwrap_or_default());
    }

    /// Messages with fields in any order and values of every kind, as msgpack.
    #[test]
    fn generated_messages_agree(
        fields in proptest::collection::vec((0usize..24, 0usize..13), 0..14),
    ) {
        const KEYS: [&str; 24] = [
            "T", "S", "i", "x", "p", "s", "c", "t", "z", "bx", "bp", "bs", "ax", "ap", "as",
            "o", "h", "l", "v", "vw", "n", "sc", "zz", "T",
        ];
        const VALUES: [&str; 13] = [
            "\"t\"", "\"q\"", "\"b\"", "\"AAPL\"", "100", "-5", "1.25", "1e2",
            "\"2026-11-17T15:00:01.5Z\"", "[\"@\",\"I\"]", "[]", "null", "18446744073709551615",
        ];
        let body: Vec<String> = fields.iter().map(|&(k, v)| format!("\"{}\":{}", KEYS[k], VALUES[v])).collect();
        if let Ok(mp) = json_frame_to_msgpack(&format!("[{{{}}}]", body.join(","))) {
            prop_assert!(agrees(&mp).is_ok(), "{}", agrees(&mp).err().unwrap_or_default());
        }
    }
}

/// A map may repeat a key (JSON objects converted through serde can't): whatever the
/// one pass accepts, the general reader reads the same way.
#[test]
fn repeated_keys_agree_with_the_general_reader() {
    let trade = || -> Vec<(Value, Value)> {
        vec![
            ("T".into(), "t".into()),
            ("S".into(), "AAPL".into()),
            ("i".into(), 7u64.into()),
            ("x".into(), "V".into()),
            ("p".into(), 228.135.into()),
            ("s".into(), 100u64.into()),
            ("t".into(), Value::Ext(-1, vec![0x69, 0x1b, 0x0a, 0x00])),
            ("z".into(), "C".into()),
        ]
    };
    let extras: [(&str, Value); 9] = [
        ("p", 230.5.into()),
        ("p", "x".into()),
        ("s", 5u64.into()),
        ("s", 1.5.into()),
        ("S", "MSFT".into()),
        ("T", "q".into()),
        ("i", (-1i64).into()),
        ("c", Value::Array(vec!["@".into()])),
        ("c", Value::Array(vec![1u64.into()])),
    ];
    let mut taken = 0;
    for (key, value) in extras {
        for at in [0, 4, 8] {
            let mut map = trade();
            map.insert(at, (key.into(), value.clone()));
            let mut bytes = Vec::new();
            rmpv::encode::write_value(&mut bytes, &Value::Array(vec![Value::Map(map)])).unwrap();
            taken += usize::from(fast::frame(&bytes, &mut Vec::new()));
            agrees(&bytes).unwrap_or_else(|e| panic!("{key} at {at}: {e}"));
        }
    }
    assert!(taken > 0);
}
