//! Parser tests on real-shaped frames: the Alpaca documentation's own examples for
//! every message type, batching and timestamp precision (bad input: `bad_input_tests`).

use super::*;
use crate::domain::types::Ts;
pub(super) use rust_decimal_macros_free::dec;

/// `Decimal` from a literal string, for readable expectations.
mod rust_decimal_macros_free {
    macro_rules! dec {
        ($s:literal) => {
            <rust_decimal::Decimal as std::str::FromStr>::from_str($s).unwrap()
        };
    }
    pub(crate) use dec;
}

pub(super) fn one(frame: &str) -> Msg {
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    assert!(p.issues.is_empty(), "issues: {:?}", p.issues);
    assert_eq!(p.msgs.len(), 1, "{:?}", p.msgs);
    p.msgs.into_iter().next().unwrap()
}

fn ts(s: &str) -> Ts {
    Ts::parse_rfc3339(s).unwrap()
}

#[test]
fn doc_trade() {
    let m = one(
        r#"[{"T": "t","i": 96921,"S": "AAPL","x": "D","p": 126.55,"s": 1,"t": "2021-02-22T15:51:44.208Z","c": ["@", "I"],"z": "C"}]"#,
    );
    let Msg::Trade(t) = m else { panic!("{m:?}") };
    assert_eq!(t.symbol, "AAPL");
    assert_eq!(t.id, 96921);
    assert_eq!(t.exchange, "D");
    assert_eq!(t.price, dec!("126.55"));
    assert_eq!(t.size, 1);
    assert_eq!(t.conditions, "@,I");
    assert_eq!(t.ts, ts("2021-02-22T15:51:44.208Z"));
    assert_eq!(t.tape, "C");
}

#[test]
fn doc_quote_keeps_nanoseconds() {
    let m = one(
        r#"[{"T": "q","S": "AMD","bx": "U","bp": 87.66,"bs": 1,"ax": "Q","ap": 87.68,"as": 4,"t": "2021-02-22T15:51:45.335689322Z","c": ["R"],"z": "C"}]"#,
    );
    let Msg::Quote(q) = m else { panic!("{m:?}") };
    assert_eq!((q.bid_price, q.ask_price), (dec!("87.66"), dec!("87.68")));
    assert_eq!((q.bid_size, q.ask_size), (1, 4));
    assert_eq!(
        (q.bid_exchange.as_str(), q.ask_exchange.as_str()),
        ("U", "Q")
    );
    assert_eq!(q.ts.as_nanos() % 1_000_000_000, 335_689_322);
    assert_eq!(q.conditions, "R");
}

#[test]
fn doc_bars_of_all_three_kinds() {
    for (tag, kind) in [
        ("b", BarKind::Minute),
        ("d", BarKind::Daily),
        ("u", BarKind::Updated),
    ] {
        let frame = format!(
            r#"[{{"T": "{tag}","S": "SPY","o": 388.985,"h": 389.13,"l": 388.975,"c": 389.12,"v": 49378,"n": 461,"vw": 389.062639,"t": "2021-02-22T19:15:00Z"}}]"#
        );
        let Msg::Bar(b) = one(&frame) else { panic!() };
        assert_eq!(b.kind, kind);
        assert_eq!(b.open, dec!("388.985"));
        assert_eq!(b.close, dec!("389.12"));
        assert_eq!(b.volume, 49378);
        assert_eq!(b.trade_count, Some(461));
        assert_eq!(b.vwap, Some(dec!("389.062639")));
        assert_eq!(b.ts, ts("2021-02-22T19:15:00Z"));
    }
}

#[test]
fn test_feed_bar_with_integer_price_and_late_t() {
    let Msg::Bar(b) = one(
        r#"[{"T":"b","S":"FAKEPACA","o":132.65,"h":136,"l":132.12,"c":134.65,"v":205,"t":"2024-07-24T07:56:00Z","n":16,"vw":133.7}]"#,
    ) else {
        panic!()
    };
    assert_eq!(b.high, dec!("136"));
}

#[test]
fn doc_correction() {
    let Msg::Correction(c) = one(
        r#"[{"T": "c","S": "EEM","x": "M","oi": 52983525033527,"op": 39.1582,"os": 440000,"oc": [" ","7"],"ci": 52983525034326,"cp": 39.1809,"cs": 440000,"cc": [" ","7"],"z": "B","t": "2023-04-06T14:25:06.542305024Z"}]"#,
    ) else {
        panic!()
    };
    assert_eq!(c.orig_id, 52_983_525_033_527);
    assert_eq!(c.corr_price, dec!("39.1809"));
    assert_eq!(c.orig_conditions, " ,7");
    assert_eq!(c.tape, "B");
}

#[test]
fn doc_cancel_error_with_8_digit_fraction() {
    let Msg::CancelError(x) = one(
        r#"[{"T": "x","S": "GOOGL","i": 465,"x": "D","p": 105.31,"s": 300,"a": "C","z": "C","t": "2023-04-06T13:15:42.83540958Z"}]"#,
    ) else {
        panic!()
    };
    assert_eq!((x.id, x.size, x.action.as_str()), (465, 300, "C"));
    assert_eq!(x.ts.as_nanos() % 1_000_000_000, 835_409_580);
}

#[test]
fn doc_luld_where_i_is_a_string() {
    let Msg::Luld(l) = one(
        r#"[{"T": "l","S": "IONM","u": 3.24,"d": 2.65,"i": "B","t": "2023-04-06T13:34:45.565004401Z","z": "C"}]"#,
    ) else {
        panic!()
    };
    assert_eq!((l.limit_up, l.limit_down), (dec!("3.24"), dec!("2.65")));
    assert_eq!(l.indicator, "B");
}

#[test]
fn doc_trading_status() {
    let Msg::Status(s) = one(
        r#"[{"T": "s","S": "AAPL","sc": "H","sm": "Trading Halt","rc": "T12","rm": "Trading Halted; For information requested by NASDAQ","t": "2021-02-22T19:15:00Z","z": "C"}]"#,
    ) else {
        panic!()
    };
    assert_eq!(s.status_code, "H");
    assert_eq!(s.reason_code, "T12");
    assert_eq!(
        s.reason_message,
        "Trading Halted; For information requested by NASDAQ"
    );
}

#[test]
fn doc_imbalance() {
    let Msg::Imbalance(i) = one(
        r#"[{"T": "i","S": "INAQU","p": 9.12,"z": "C","t": "2024-12-13T19:58:09.242138635Z"}]"#,
    ) else {
        panic!()
    };
    assert_eq!(i.price, dec!("9.12"));
}

#[test]
fn control_messages() {
    assert_eq!(
        one(r#"[{"T":"success","msg":"connected"}]"#),
        Msg::Success {
            msg: "connected".into()
        }
    );
    assert_eq!(
        one(r#"[{"T":"success","msg":"authenticated"}]"#),
        Msg::Success {
            msg: "authenticated".into()
        }
    );
    assert_eq!(
        one(r#"[{"T":"error","code":406,"msg":"connection limit exceeded"}]"#),
        Msg::Error {
            code: 406,
            msg: "connection limit exceeded".into()
        }
    );
    let Msg::Subscription(s) = one(
        r#"[{"T":"subscription","trades":["AAPL"],"quotes":["AMD","CLDR"],"bars":["*"],"updatedBars":[],"dailyBars":["VOO"],"statuses":["*"],"lulds":[],"corrections":["AAPL"],"cancelErrors":["AAPL"]}]"#,
    ) else {
        panic!()
    };
    assert_eq!(s.quotes, ["AMD", "CLDR"]);
    assert_eq!(s.daily_bars, ["VOO"]);
    assert_eq!(s.cancel_errors, ["AAPL"]);
    assert_eq!(s.all_symbols(), ["*", "AAPL", "AMD", "CLDR", "VOO"]);
    // The test feed's reply omits most keys.
    let Msg::Subscription(s) =
        one(r#"[{"T":"subscription","trades":[],"quotes":["FAKEPACA"],"bars":["FAKEPACA"]}]"#)
    else {
        panic!()
    };
    assert!(s.updated_bars.is_empty() && s.trades.is_empty());
}

#[test]
fn documented_batch_of_three_trades() {
    let frame = r#"[{"T":"t","S":"AAPL","i":628,"x":"K","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838232225Z"},{"T":"t","S":"AAPL","i":75,"x":"Z","p":162.92,"s":3,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.838562809Z"},{"T":"t","S":"AAPL","i":1465,"x":"P","p":162.91,"s":71,"c":["@","F","T","I"],"z":"C","t":"2023-04-06T11:54:26.83915973Z"}]"#;
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    assert!(p.issues.is_empty());
    let ids: Vec<u64> = p
        .msgs
        .iter()
        .map(|m| match m {
            Msg::Trade(t) => t.id,
            _ => 0,
        })
        .collect();
    assert_eq!(ids, [628, 75, 1465]);
}

#[test]
fn field_order_does_not_matter() {
    // T last, and the ambiguous `c`/`i` before it.
    let Msg::Bar(b) = one(
        r#"[{"S":"SPY","c":389.12,"o":1,"h":2,"l":0.5,"v":1,"t":"2021-02-22T19:15:00Z","T":"b"}]"#,
    ) else {
        panic!()
    };
    assert_eq!(b.close, dec!("389.12"));
    let Msg::Luld(l) =
        one(r#"[{"i":"A","S":"X","u":1,"d":0.5,"t":"2021-02-22T19:15:00Z","T":"l"}]"#)
    else {
        panic!()
    };
    assert_eq!(l.indicator, "A");
}

#[test]
fn timestamps_with_0_to_9_fraction_digits() {
    for (text, nanos) in [
        ("2021-02-22T15:51:44Z", 0),
        ("2021-02-22T15:51:44.2Z", 200_000_000),
        ("2021-02-22T15:51:44.208Z", 208_000_000),
        ("2021-02-22T15:51:44.208123Z", 208_123_000),
        ("2021-02-22T15:51:44.208123456Z", 208_123_456),
        ("2021-02-22T10:51:44.5-05:00", 500_000_000),
    ] {
        let frame = format!(
            r#"[{{"T":"t","S":"A","i":1,"x":"V","p":1,"s":1,"c":[],"t":"{text}","z":"C"}}]"#
        );
        let Msg::Trade(t) = one(&frame) else { panic!() };
        assert_eq!(t.ts.as_nanos().rem_euclid(1_000_000_000), nanos, "{text}");
        assert_eq!(
            t.ts.as_nanos().div_euclid(1_000_000_000),
            1_614_009_104,
            "{text}"
        );
    }
}

#[test]
fn unknown_types_are_counted_and_skipped() {
    let frame = r#"[{"T":"n","headline":"x"},{"T":"t","S":"A","i":1,"x":"V","p":1.5,"s":1,"c":[],"t":"2021-02-22T15:51:44Z","z":"C"},{"T":"o","S":"BTC/USD","b":[]}]"#;
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    assert_eq!(p.msgs.len(), 1);
    assert_eq!(
        p.issues,
        [
            ParseIssue::UnknownType {
                index: 0,
                tag: "n".into()
            },
            ParseIssue::UnknownType {
                index: 2,
                tag: "o".into()
            }
        ]
    );
}

#[test]
fn new_fields_are_ignored() {
    let Msg::Trade(t) = one(
        r#"[{"T":"t","S":"A","i":1,"x":"V","p":1.5,"s":1,"c":[],"t":"2021-02-22T15:51:44Z","z":"C","r":"2021-02-22T15:51:44.1Z","nested":{"a":[1,{"b":null}]}}]"#,
    ) else {
        panic!()
    };
    assert_eq!(t.price, dec!("1.5"));
}
