//! Bad msgpack input: a bad message costs only itself, a broken frame is lost
//! whole, oversized frames are refused, and no byte sequence panics.

use super::*;
use proptest::prelude::*;

type Fields = Vec<(&'static str, Value)>;

fn trade(edit: impl FnOnce(&mut Fields)) -> Fields {
    let mut m = vec![
        ("T", "t".into()),
        ("S", "AAPL".into()),
        ("i", Value::from(628)),
        ("x", "K".into()),
        ("p", Value::F64(162.92)),
        ("s", Value::from(3)),
        ("c", Value::Array(vec!["@".into(), "I".into()])),
        ("z", "C".into()),
        ("t", Value::Ext(-1, 1u32.to_be_bytes().to_vec())),
    ];
    edit(&mut m);
    m
}

fn set(m: &mut Fields, key: &'static str, v: Value) {
    match m.iter_mut().find(|(k, _)| *k == key) {
        Some(slot) => slot.1 = v,
        None => m.push((key, v)),
    }
}

/// A bad element between two good ones costs only itself, with this reason.
#[test]
fn bad_messages_lose_only_themselves() {
    let cases: Vec<(&str, Fields, &str)> = vec![
        (
            "missing p",
            trade(|m| m.retain(|(k, _)| *k != "p")),
            "T=t: missing field p",
        ),
        (
            "missing T",
            trade(|m| m.retain(|(k, _)| *k != "T")),
            "missing field T",
        ),
        (
            "T is an int",
            trade(|m| set(m, "T", Value::from(1))),
            "field T: expected a string, got int",
        ),
        (
            "S is an int",
            trade(|m| set(m, "S", Value::from(1))),
            "field S: expected a string, got int",
        ),
        (
            "S not UTF-8",
            trade(|m| set(m, "S", "~~~".into())),
            "field S: string is not valid UTF-8",
        ),
        (
            "p is a string",
            trade(|m| set(m, "p", "1".into())),
            "field p: expected a number, got string",
        ),
        (
            "c is a number",
            trade(|m| set(m, "c", Value::F64(1.5))),
            "field c: expected an array of condition codes, got float",
        ),
        (
            "c holds an int",
            trade(|m| set(m, "c", Value::Array(vec![Value::from(1)]))),
            "field c: expected an array of strings, found int in it",
        ),
        (
            "i negative",
            trade(|m| set(m, "i", Value::from(-1))),
            "field i: expected an unsigned integer id, got -1",
        ),
        (
            "i a string",
            trade(|m| set(m, "i", "B".into())),
            "field i: expected an unsigned integer id, got string",
        ),
        (
            "s fractional",
            trade(|m| set(m, "s", Value::F64(1.5))),
            "field s: 1.5 is not a whole number of shares",
        ),
        (
            "s too big",
            trade(|m| set(m, "s", Value::from(u64::MAX))),
            "field s: 18446744073709551615 is out of range",
        ),
        (
            "s a bool",
            trade(|m| set(m, "s", Value::Boolean(true))),
            "field s: expected an integer, got bool",
        ),
        (
            "t missing",
            trade(|m| m.retain(|(k, _)| *k != "t")),
            "T=t: missing field t",
        ),
        (
            "error code too big",
            vec![("T", "error".into()), ("code", Value::from(70_000))],
            "field code: 70000 is out of range",
        ),
        (
            "luld i an int",
            vec![
                ("T", "l".into()),
                ("S", "X".into()),
                ("u", Value::F64(1.0)),
                ("d", Value::F64(1.0)),
                ("i", Value::from(1)),
                ("t", Value::Ext(-1, vec![0; 4])),
            ],
            "field i: expected an indicator string, got int",
        ),
        (
            "bar c an array",
            vec![
                ("T", "b".into()),
                ("S", "X".into()),
                ("o", 1.into()),
                ("h", 1.into()),
                ("l", 1.into()),
                ("c", Value::Array(vec![])),
                ("v", 1.into()),
                ("t", Value::Ext(-1, vec![0; 4])),
            ],
            "field c: expected a number, got array",
        ),
        (
            "subscription list of ints",
            vec![
                ("T", "subscription".into()),
                ("trades", Value::Array(vec![1.into()])),
            ],
            "field trades: expected an array of strings, found int in it",
        ),
    ];
    for (name, bad, reason) in cases {
        let mut bytes = frame(vec![trade(|_| ()), bad, trade(|_| ())]);
        // rmpv cannot hold invalid UTF-8, so "~~~" stands in for it.
        if let Some(at) = bytes.windows(4).position(|w| w == [0xa3, b'~', b'~', b'~']) {
            bytes[at + 1] = 0xff;
        }
        let p = parse(&bytes);
        assert_eq!(p.msgs.len(), 2, "{name}: {p:?}");
        assert_eq!(
            p.issues,
            [ParseIssue::Message {
                index: 1,
                reason: reason.into()
            }],
            "{name}"
        );
    }
}

#[test]
fn non_map_elements_unknown_types_and_extra_keys() {
    let mut bytes = vec![0x94]; // array of 4
    bytes.extend_from_slice(&frame(vec![trade(|_| ())])[1..]);
    bytes.push(0x2a); // the int 42 as a message
    bytes.extend_from_slice(&frame(vec![vec![("T", "o".into()), ("S", "X".into())]])[1..]);
    bytes.extend_from_slice(
        &frame(vec![trade(|m| {
            set(
                m,
                "future",
                Value::Map(vec![(1.into(), Value::Array(vec![Value::Nil]))]),
            )
        })])[1..],
    );
    let p = parse(&bytes);
    assert_eq!(p.msgs.len(), 2, "{p:?}");
    assert_eq!(
        p.issues,
        [
            ParseIssue::Message {
                index: 1,
                reason: "expected a message map, got int".into()
            },
            ParseIssue::UnknownType {
                index: 2,
                tag: "o".into()
            },
        ]
    );
}

fn frame_error(bytes: &[u8]) -> String {
    let p = parse(bytes);
    assert!(p.msgs.is_empty(), "{p:?}");
    match p.issues.as_slice() {
        [ParseIssue::Frame(e)] => e.to_string(),
        _ => panic!("{p:?}"),
    }
}

#[test]
fn broken_frames_are_lost_whole() {
    let good = mp(DOC_FRAMES[20]);
    let mut trailing = good.clone();
    trailing.push(0xc0);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        (
            "empty",
            vec![],
            "malformed msgpack frame: truncated at byte 0",
        ),
        (
            "map, not array",
            mp(r#"{"T":"success"}"#),
            "expected an array of messages, got map",
        ),
        (
            "string, not array",
            mp(r#""hi""#),
            "expected an array of messages, got string",
        ),
        (
            "JSON text",
            DOC_FRAMES[0].as_bytes().to_vec(),
            // '[' is 0x5b, a positive fixint.
            "expected an array of messages, got int",
        ),
        (
            "reserved marker",
            vec![0x91, 0xc1],
            "reserved marker 0xc1 at byte 1",
        ),
        (
            "lying length",
            vec![0xdd, 0xff, 0xff, 0xff, 0xff, 0x80],
            "truncated at byte 6",
        ),
        (
            "trailing bytes",
            trailing,
            "1 bytes after the message array",
        ),
    ];
    for (name, bytes, want) in cases {
        let got = frame_error(&bytes);
        assert!(got.contains(want), "{name}: {got}");
    }
    // Every strict prefix of a good frame is truncated, and loses even the
    // messages that were complete.
    for len in 0..good.len() {
        assert!(
            frame_error(&good[..len]).contains("truncated"),
            "prefix {len}"
        );
    }
}

#[test]
fn oversized_frames_are_refused_unread() {
    let bytes = mp(DOC_FRAMES[20]);
    let limits = ParseLimits {
        max_frame_bytes: bytes.len() - 1,
    };
    let p = parse_msgpack_frame(&bytes, &limits);
    assert_eq!(
        p.issues,
        [ParseIssue::Frame(FrameError::TooLarge {
            len_bytes: bytes.len(),
            max_bytes: bytes.len() - 1
        })]
    );
    let limits = ParseLimits {
        max_frame_bytes: bytes.len(),
    };
    assert_eq!(parse_msgpack_frame(&bytes, &limits).msgs.len(), 3);
}

#[test]
fn appends_after_what_is_already_there() {
    let mut out = Vec::new();
    let mut issues = Vec::new();
    let limits = ParseLimits::default();
    parse_msgpack_frame_into(&mp(DOC_FRAMES[20]), &limits, &mut out, &mut issues);
    parse_msgpack_frame_into(&[0x91], &limits, &mut out, &mut issues);
    assert_eq!((out.len(), issues.len()), (3, 1));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        let p = parse(&bytes);
        prop_assert!(p.msgs.len() + p.issues.len() <= bytes.len() + 1);
    }

    #[test]
    fn mutated_frames_never_panic(
        edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
        which in 0..DOC_FRAMES.len(),
    ) {
        let mut bytes = mp(DOC_FRAMES[which]);
        for (at, b) in edits {
            let at = at % bytes.len();
            bytes[at] = b;
        }
        let _ = parse(&bytes);
    }
}

#[test]
fn non_finite_prices_and_sizes_are_validation_issues_of_their_symbol() {
    // (case, field, value, reported field)
    let cases = [
        ("p NaN", "p", Value::F64(f64::NAN), "price"),
        ("p +inf", "p", Value::F64(f64::INFINITY), "price"),
        ("p -inf f32", "p", Value::F32(f32::NEG_INFINITY), "price"),
        ("s NaN", "s", Value::F64(f64::NAN), "size"),
        ("s inf", "s", Value::F64(f64::INFINITY), "size"),
    ];
    for (name, field, value, want) in cases {
        let bad = trade(|m| set(m, field, value.clone()));
        let p = parse(&frame(vec![trade(|_| ()), bad, trade(|_| ())]));
        assert_eq!(p.msgs.len(), 2, "{name}: {p:?}");
        assert_eq!(
            p.issues,
            [ParseIssue::NonFinite {
                index: 1,
                symbol: Some("AAPL".into()),
                field: want,
            }],
            "{name}"
        );
    }
}
