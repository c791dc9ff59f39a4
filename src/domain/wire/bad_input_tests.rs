//! Frames that are wrong in every way the parser must survive: each costs only the
//! message (or, for broken JSON, the frame) and says why.

use super::tests::{dec, one};
use super::*;

/// Bad input table: (name, frame bytes, messages kept, expected issue text fragment).
#[test]
fn bad_input_table() {
    let good = r#"{"T":"t","S":"A","i":1,"x":"V","p":1.5,"s":1,"c":[],"t":"2021-02-22T15:51:44Z","z":"C"}"#;
    let cases: Vec<(&str, Vec<u8>, usize, &str)> = vec![
        (
            "truncated",
            br#"[{"T":"t","S":"AAPL","p":12"#.to_vec(),
            0,
            "malformed JSON",
        ),
        ("empty", b"".to_vec(), 0, "malformed JSON"),
        (
            "object not array",
            br#"{"T":"success","msg":"connected"}"#.to_vec(),
            0,
            "not a JSON array",
        ),
        (
            "trailing garbage",
            format!("[{good}] x").into_bytes(),
            0,
            "malformed JSON",
        ),
        (
            "non-utf8",
            b"[{\"T\":\"t\",\"S\":\"\xff\xfe\"}]".to_vec(),
            0,
            "not valid UTF-8",
        ),
        (
            "price as string",
            format!(r#"[{good},{}]"#, good.replace("1.5", "\"1.5\"")).into_bytes(),
            1,
            "field p: expected a number",
        ),
        (
            "size as string",
            format!(r#"[{good},{}]"#, good.replace("\"s\":1", "\"s\":\"big\"")).into_bytes(),
            1,
            "message 1: invalid type",
        ),
        (
            "symbol as number",
            format!(r#"[{}, {good}]"#, good.replace("\"A\"", "7")).into_bytes(),
            1,
            "message 0: invalid type",
        ),
        (
            "missing price",
            format!(r#"[{}]"#, good.replace("\"p\":1.5,", "")).into_bytes(),
            0,
            "T=t: missing field p",
        ),
        (
            "missing T",
            br#"[{"S":"AAPL","p":1}]"#.to_vec(),
            0,
            "missing field T",
        ),
        (
            "bad timestamp",
            format!(r#"[{}]"#, good.replace("2021-02-22T15:51:44Z", "yesterday")).into_bytes(),
            0,
            "not an RFC 3339",
        ),
        (
            "element not object",
            format!(r#"[{good}, 42]"#).into_bytes(),
            1,
            "message 1: invalid type",
        ),
        (
            "negative id",
            format!(r#"[{}]"#, good.replace("\"i\":1", "\"i\":-1")).into_bytes(),
            0,
            "expected an unsigned integer id",
        ),
        (
            "conditions not array",
            format!(r#"[{}]"#, good.replace("\"c\":[]", "\"c\":\"@\"")).into_bytes(),
            0,
            "field c: expected an array",
        ),
        (
            "huge exponent",
            format!(r#"[{}]"#, good.replace("1.5", "1e400")).into_bytes(),
            0,
            "field p",
        ),
    ];
    for (name, bytes, kept, fragment) in cases {
        let p = parse_frame(&bytes, &ParseLimits::default());
        assert_eq!(p.msgs.len(), kept, "{name}: {:?}", p.msgs);
        assert_eq!(p.issues.len(), 1, "{name}: {:?}", p.issues);
        let text = p.issues[0].to_string();
        assert!(
            text.contains(fragment),
            "{name}: {text:?} lacks {fragment:?}"
        );
    }
}

#[test]
fn negative_size_and_zero_price_parse_for_validation_to_judge() {
    let Msg::Trade(t) = one(
        r#"[{"T":"t","S":"NFLX","i":9,"x":"V","p":0,"s":-100,"c":["@"],"t":"2021-02-22T15:51:44Z","z":"C"}]"#,
    ) else {
        panic!()
    };
    assert_eq!((t.price, t.size), (dec!("0"), -100));
}

#[test]
fn oversized_frames_are_refused_unread() {
    let limits = ParseLimits {
        max_frame_bytes: 64,
    };
    let big = format!(
        "[{}]",
        [r#"{"T":"success","msg":"connected"}"#; 4].join(",")
    );
    let p = parse_frame(big.as_bytes(), &limits);
    assert!(p.msgs.is_empty());
    assert!(matches!(
        p.issues[..],
        [ParseIssue::Frame(FrameError::TooLarge {
            max_bytes: 64,
            ..
        })]
    ));
}

#[test]
fn empty_array_is_fine() {
    let p = parse_frame(b"[]", &ParseLimits::default());
    assert!(p.msgs.is_empty() && p.issues.is_empty());
}

#[test]
fn parse_into_appends() {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let f = br#"[{"T":"success","msg":"connected"}]"#;
    parse_frame_into(f, &ParseLimits::default(), &mut out, &mut issues);
    parse_frame_into(b"[", &ParseLimits::default(), &mut out, &mut issues);
    parse_frame_into(f, &ParseLimits::default(), &mut out, &mut issues);
    assert_eq!(out.len(), 2);
    assert_eq!(issues.len(), 1);
}
