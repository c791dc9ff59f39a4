//! msgpack decoder tests: every documented example frame, converted with
//! `json_frame_to_msgpack`, parses into exactly the messages the JSON parser gives;
//! then each timestamp width, and every kind of bad input.

use super::encode::json_frame_to_msgpack;
use super::*;
use crate::domain::types::Ts;
use crate::domain::wire::parse_frame;
use rmpv::Value;

mod bad;
mod fast;

/// The documented frames (alpaca_examples.md §1–4), one line each.
const DOC_FRAMES: &[&str] = &[
    r#"[{"T":"success","msg":"connected"}]"#,
    r#"[{"T":"success","msg":"authenticated"}]"#,
    r#"[{"T":"error","code":406,"msg":"connection limit exceeded"}]"#,
    r#"[{"T":"error","code":405,"msg":"symbol limit exceeded"}]"#,
    r#"[{"T":"subscription","trades":[],"quotes":["FAKEPACA"],"bars":["FAKEPACA"]}]"#,
    r#"[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"],"updatedBars":[],"dailyBars":["VOO"],"statuses":["*"],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]"#,
    r#"[{"T":"subscription","trades":["AAPL"],"quotes":[],"bars":[],"updatedBars":[],"dailyBars":[],"statuses":[],"lulds":[],
"corrections":["AAPL"],"cancelErrors":["AAPL"]}]"#,
    r#"[{"T":"q","S":"FAKEPACA","bx":"O","bp":133.85,"bs":4,"ax":"R","ap":135.77,"as":5,"c":["R"],"z":"A","t":"2024-07-24T07:56:53.639713735Z"}]"#,
    r#"[{"T":"b","S":"FAKEPACA","o":132.65,"h":136,"l":132.12,"c":134.65,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":133.7}]"#,
    r#"[{"T": "t","i": 96921,"S": "AAPL","x": "D","p": 126.55,"s": 1,"t": "2021-02-22T15:51:44.208Z","c": ["@", "I"],"z": "C"}]"#,
    r#"[{"T": "q","S": "AMD","bx": "U","bp": 87.66,"bs": 1,"ax": "Q","ap": 87.68,"as": 4,"t": "2021-02-22T15:51:45.335689322Z","c": ["R"],"z": "C"}]"#,
    r#"[{"T": "b","S": "SPY","o": 388.985,"h": 389.13,"l": 388.975,"c": 389.12,"v": 49378,"n": 461,"vw": 389.062639,"t": "2021-02-22T19:15:00Z"}]"#,
    r#"[{"T": "d","S": "SPY","o": 388.985,"h": 389.13,"l": 388.975,"c": 389.12,"v": 49378,"n": 461,"vw": 389.062639,"t": "2021-02-22T19:15:00Z"}]"#,
    r#"[{"T": "u","S": "SPY","o": 388.985,"h": 389.13,"l": 388.975,"c": 389.12,"v": 49378,"t": "2021-02-22T19:15:00Z"}]"#,
    r#"[{"T": "c","S": "EEM","x": "M","oi": 52983525033527,"op": 39.1582,"os": 440000,"oc": [" ","7"],"ci": 52983525034326,"cp": 39.1809,"cs": 440000,"cc": [" ","7"],"z": "B","t": "2023-04-06T14:25:06.542305024Z"}]"#,
    r#"[{"T": "x","S": "GOOGL","i": 465,"x": "D","p": 105.31,"s": 300,"a": "C","z": "C","t": "2023-04-06T13:15:42.83540958Z"}]"#,
    r#"[{"T": "l","S": "IONM","u": 3.24,"d": 2.65,"i": "B","t": "2023-04-06T13:34:45.565004401Z","z": "C"}]"#,
    r#"[{"T": "s","S": "AAPL","sc": "H","sm": "Trading Halt","rc": "T12","rm": "Trading Halted; For information requested by NASDAQ","t": "2021-02-22T19:15:00Z","z": "C"}]"#,
    r#"[{"T": "i","S": "INAQU","p": 9.12,"z": "C","t": "2024-12-13T19:58:09.242138635Z"}]"#,
    r#"[{"T":"q","S":"AMD","bx":"K","bp":91.95,"bs":2,"ax":"Q","ap":91.98,"as":1,"c":["R"],"z":"C","t":"2023-04-06T11:54:21.670905508Z"}]"#,
    r#"[{"T":"t","S":"AAPL","i":628,"x":"K","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"},{"T":"t","S":"AAPL","i":75,"x":"Z","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838562809Z"},{"T":"t","S":"AAPL","i":1465,"x":"P","p":162.91,"s":71,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.83915973Z"}]"#,
    r#"[{"T":"q","S":"AMD","bx":"P","bp":91.9,"bs":1,"ax":"Q","ap":91.98,"as":1,"c":["R"],"z":"C","t":"2023-04-06T11:54:27.924933876Z"}]"#,
    // The bench's trade: the price that once exposed float-rounding bugs.
    r#"[{"T":"t","S":"AAPL","i":52983525029461,"x":"V","p":228.135,"s":100,"c":["@"],"t":"2026-11-17T15:00:01.493817234Z","z":"C"}]"#,
];

fn mp(json: &str) -> Vec<u8> {
    json_frame_to_msgpack(json).unwrap()
}

fn parse(bytes: &[u8]) -> ParsedFrame {
    parse_msgpack_frame(bytes, &ParseLimits::default())
}

/// Same messages as JSON, including each decimal's scale (`Debug` shows it).
fn assert_same_as_json(json: &str) {
    let want = parse_frame(json.as_bytes(), &ParseLimits::default());
    assert!(want.issues.is_empty(), "{json}: {:?}", want.issues);
    let got = parse(&mp(json));
    assert_eq!(format!("{got:?}"), format!("{want:?}"), "{json}");
}

#[test]
fn every_documented_frame_matches_json() {
    for json in DOC_FRAMES {
        assert_same_as_json(json);
    }
}

#[test]
fn batched_frames_match_json() {
    let elems: Vec<&str> = DOC_FRAMES
        .iter()
        .map(|f| &f[1..f.len() - 1])
        .filter(|e| !e.contains("},{"))
        .collect();
    assert_same_as_json(&format!("[{}]", elems.join(",")));
    let mut rev = elems.clone();
    rev.reverse();
    assert_same_as_json(&format!("[{}]", rev.join(",")));
    assert_same_as_json("[]");
}

fn frame(elems: Vec<Vec<(&str, Value)>>) -> Vec<u8> {
    let v = Value::Array(
        elems
            .into_iter()
            .map(|kv| Value::Map(kv.into_iter().map(|(k, v)| (k.into(), v)).collect()))
            .collect(),
    );
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, &v).unwrap();
    out
}

fn imbalance(t: Value, p: Value) -> Vec<(&'static str, Value)> {
    vec![
        ("T", "i".into()),
        ("S", "INAQU".into()),
        ("p", p),
        ("z", "C".into()),
        ("t", t),
    ]
}

fn ts_of(bytes: &[u8]) -> Result<Ts, String> {
    let p = parse(bytes);
    match (p.msgs.as_slice(), p.issues.as_slice()) {
        ([Msg::Imbalance(i)], []) => Ok(i.ts),
        ([], [ParseIssue::Message { reason, .. }]) => Err(reason.clone()),
        _ => panic!("{p:?}"),
    }
}

#[test]
fn timestamps_of_every_width() {
    let secs: u32 = 1_734_119_889; // 2024-12-13T19:58:09Z
    let nanos: u32 = 242_138_635;
    let full = Ts(i64::from(secs) * 1_000_000_000 + i64::from(nanos));
    let ts64 = (u64::from(nanos) << 34) | u64::from(secs);
    let mut ts96 = nanos.to_be_bytes().to_vec();
    ts96.extend_from_slice(&i64::from(secs).to_be_bytes());
    let mut pre_epoch = 5u32.to_be_bytes().to_vec();
    pre_epoch.extend_from_slice(&(-2i64).to_be_bytes());
    let p = || Value::F64(9.12);
    let cases: Vec<(&str, Value, Result<Ts, &str>)> = vec![
        (
            "ts32",
            Value::Ext(-1, secs.to_be_bytes().to_vec()),
            Ok(Ts::from_secs(secs.into())),
        ),
        (
            "ts64",
            Value::Ext(-1, ts64.to_be_bytes().to_vec()),
            Ok(full),
        ),
        ("ts96", Value::Ext(-1, ts96), Ok(full)),
        (
            "ts96 before 1970",
            Value::Ext(-1, pre_epoch),
            Ok(Ts(-1_999_999_995)),
        ),
        (
            "rfc3339 string",
            "2024-12-13T19:58:09.242138635Z".into(),
            Ok(full),
        ),
        (
            "bad string",
            "yesterday".into(),
            Err("T=i: field t is not an RFC 3339 timestamp"),
        ),
        (
            "ext 5 bytes",
            Value::Ext(-1, vec![0; 5]),
            Err("T=i: field t is not a valid msgpack timestamp"),
        ),
        (
            "ts64 nanos >= 1e9",
            Value::Ext(-1, ((1_000_000_000u64 << 34) | 1).to_be_bytes().to_vec()),
            Err("T=i: field t is not a valid msgpack timestamp"),
        ),
        (
            "other ext type",
            Value::Ext(5, vec![0; 4]),
            Err("field t: expected a timestamp, got extension"),
        ),
        (
            "int",
            Value::from(5),
            Err("field t: expected a timestamp, got int"),
        ),
    ];
    for (name, t, want) in cases {
        let got = ts_of(&frame(vec![imbalance(t, p())]));
        assert_eq!(got, want.map_err(String::from), "{name}");
    }
}

#[test]
fn encoder_picks_timestamp_widths() {
    for (json_t, len) in [
        ("2021-02-22T19:15:00Z", 8),
        ("2021-02-22T15:51:44.208Z", 12),
        ("1960-01-01T00:00:00Z", 12),
    ] {
        let bytes = mp(&format!(r#"[{{"t":"{json_t}"}}]"#));
        let v = rmpv::decode::read_value(&mut bytes.as_slice()).unwrap();
        let Value::Ext(-1, data) = &v[0]["t"] else {
            panic!("{v:?}")
        };
        assert_eq!(data.len(), len, "{json_t}");
        assert_eq!(elem::ext_timestamp(data), Ts::parse_rfc3339(json_t));
    }
    assert!(json_frame_to_msgpack(r#"[{"t":"soon"}]"#).is_err());
    assert!(json_frame_to_msgpack("[").is_err());
}

#[test]
fn numbers_of_every_width() {
    let price = |p: Value| -> Result<String, String> {
        let t = Value::Ext(-1, 1u32.to_be_bytes().to_vec());
        let p = parse(&frame(vec![imbalance(t, p)]));
        match (p.msgs.as_slice(), p.issues.as_slice()) {
            ([Msg::Imbalance(i)], []) => Ok(i.price.to_string()),
            ([], [ParseIssue::Message { reason, .. }]) => Err(reason.clone()),
            // NaN/inf is a validation failure (rule non_finite), reported apart.
            ([], [ParseIssue::NonFinite { field, .. }]) => Err(format!("non-finite {field}")),
            _ => panic!("{p:?}"),
        }
    };
    let cases: Vec<(Value, Result<&str, &str>)> = vec![
        (Value::F64(228.135), Ok("228.135")),
        (Value::F32(87.66), Ok("87.66")),
        (Value::from(136u8), Ok("136")),
        (Value::from(70_000u32), Ok("70000")),
        (Value::from(-3i8), Ok("-3")),
        (Value::from(u64::MAX), Ok("18446744073709551615")),
        (Value::F64(f64::NAN), Err("non-finite price")),
        (Value::F64(f64::INFINITY), Err("non-finite price")),
        (Value::F32(f32::NEG_INFINITY), Err("non-finite price")),
        (
            Value::F64(1e300),
            Err("field p: not a representable decimal"),
        ),
        ("9.12".into(), Err("field p: expected a number, got string")),
        (Value::Nil, Err("field p: expected a number, got nil")),
        (
            Value::Map(vec![]),
            Err("field p: expected a number, got map"),
        ),
    ];
    for (v, want) in cases {
        let label = format!("{v:?}");
        assert_eq!(
            price(v),
            want.map(String::from).map_err(String::from),
            "{label}"
        );
    }
}

mod shortest {
    use super::super::elem::shortest_decimal;
    use proptest::prelude::*;

    /// The digits JSON would carry for `v` (serde_json writes doubles with ryu).
    fn json_digits(v: f64) -> String {
        let t = serde_json::to_string(&v).unwrap_or_default();
        t.strip_suffix(".0").map(str::to_string).unwrap_or(t)
    }

    #[test]
    fn prices_read_as_their_json_digits() {
        for (v, want) in [
            (228.135, "228.135"),
            (100.0, "100"),
            (504.8, "504.8"),
            (0.1, "0.1"),
            (4452883.713, "4452883.713"),
            (-12.5, "-12.5"),
            (1e-7, "0.0000001"),
            (0.30000000000000004, "0.30000000000000004"),
        ] {
            assert_eq!(
                shortest_decimal(v).map(|d| d.to_string()).as_deref(),
                Some(want),
                "{v}"
            );
        }
        assert_eq!(shortest_decimal(f64::NAN), None);
        assert_eq!(shortest_decimal(f64::INFINITY), None);
        assert!(shortest_decimal(-0.0).is_some_and(|d| d.is_zero()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(5000))]
        #[test]
        fn prices_match_the_json_digits(cents in -10_000_000_000i64..10_000_000_000, places in 0u32..7) {
            let v = cents as f64 / 10f64.powi(places as i32);
            prop_assert_eq!(shortest_decimal(v).map(|d| d.to_string()), Some(json_digits(v)));
        }
        /// The fast few-places path gives ryu's digits for any double JSON would
        /// write without an exponent.
        #[test]
        fn any_plain_double_matches_the_json_digits(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            let want = json_digits(v);
            if v.is_finite() && !want.contains('e') && v != 0.0 {
                prop_assert_eq!(shortest_decimal(v).map(|d| d.to_string()), Some(want));
            }
        }
        /// Whatever double comes, a representable one reads back as itself.
        #[test]
        fn any_double_round_trips(bits in any::<u64>()) {
            let v = f64::from_bits(bits);
            if let Some(d) = shortest_decimal(v) {
                if (1e-9..1e15).contains(&v.abs()) {
                    prop_assert_eq!(d.to_string().parse::<f64>().ok(), Some(v), "{}", v);
                }
            }
        }
    }
}
