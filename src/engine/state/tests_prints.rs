//! The engine under the condition tables: what moves Last, volume and high/low,
//! late prints, corrections and cancels, non-firm quotes, and the all-late warning.

use super::super::*;
use crate::domain::wire::{parse_frame, ParseLimits};
use rust_decimal::Decimal;

const T0: &str = "2026-11-17T15:00:05Z";

fn state() -> EngineState {
    EngineState::new(StateConfig {
        mode: Mode::Replay,
        feed: "sip".into(),
        watchlist: vec![Symbol::new("AAPL")],
        started_at: Ts::parse_rfc3339(T0).unwrap(),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    })
}

fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

/// A trade `secs` after T0, received `recv_secs` after T0.
/// (id, price, size, conditions)
type Print<'a> = (u64, &'a str, i64, &'a str);

fn trade(st: &mut EngineState, fx: &mut Effects, print: Print, secs: i64, recv_secs: i64) {
    let (id, p, s, c) = print;
    let t0 = Ts::parse_rfc3339(T0).unwrap();
    let ts = t0.plus_millis(secs * 1_000);
    let f = format!(
        r#"[{{"T":"t","S":"AAPL","i":{id},"x":"V","p":{p},"s":{s},"c":[{c}],"t":"{}","z":"C"}}]"#,
        ts.to_rfc3339()
    );
    raw(st, fx, &f, recv_secs);
}

fn raw(st: &mut EngineState, fx: &mut Effects, frame: &str, recv_secs: i64) {
    let p = parse_frame(frame.as_bytes(), &ParseLimits::default());
    assert!(p.issues.is_empty(), "{:?}", p.issues);
    let at = Ts::parse_rfc3339(T0)
        .unwrap()
        .plus_millis(recv_secs * 1_000);
    st.apply_frame(at, &p.msgs, &p.issues, fx);
}

fn view(st: &EngineState) -> (Option<Decimal>, i64, Option<Decimal>, Option<Decimal>) {
    let v = &st.watchlist[0];
    (v.price, v.volume, v.tape.high, v.tape.low)
}

#[test]
fn only_prints_the_tape_counts_move_last() {
    let (mut st, mut fx) = (state(), Effects::default());
    trade(&mut st, &mut fx, (1, "100", 100, r#""@""#), 0, 0);
    // (id, price, size, conditions, stamped, then Last, volume, high, low)
    type Step<'a> = (
        u64,
        &'a str,
        i64,
        &'a str,
        i64,
        &'a str,
        i64,
        &'a str,
        &'a str,
    );
    let cases: &[Step] = &[
        (2, "101", 10, r#""@","I""#, 1, "100", 110, "100", "100"),
        (3, "99", 100, r#""@","T""#, 2, "100", 210, "100", "100"),
        (4, "102", 100, r#""@","Z""#, 3, "100", 310, "102", "100"),
        (5, "103", 100, r#""@","4""#, 4, "100", 410, "103", "100"),
        (6, "98", 100, r#""@","J""#, 5, "100", 510, "103", "100"),
        (7, "97", 100, r#""@","M""#, 6, "100", 510, "103", "100"),
        (8, "101.5", 100, r#""@","F""#, 7, "101.5", 610, "103", "100"),
        // Stamped 6 s before the print that set Last: late.
        (9, "95", 100, r#""@""#, 1, "101.5", 710, "103", "95"),
        (10, "102", 100, r#""@""#, 8, "102", 810, "103", "95"),
    ];
    for &(id, p, s, c, secs, last, vol, hi, lo) in cases {
        trade(&mut st, &mut fx, (id, p, s, c), secs, secs.max(8));
        assert_eq!(
            view(&st),
            (Some(d(last)), vol, Some(d(hi)), Some(d(lo))),
            "print {id}"
        );
    }
    let t = &st.watchlist[0].tape;
    assert_eq!((t.late, t.non_eligible, t.unknown_condition), (2, 5, 1));
    assert_eq!(st.watchlist[0].trades, 10);
    let v = st.validator.view(st.now);
    assert_eq!(
        v.rejected, 0,
        "late and non-eligible prints are not failures"
    );
}

#[test]
fn an_off_market_average_price_print_neither_trips_the_breaker_nor_moves_high() {
    let (mut st, mut fx) = (state(), Effects::default());
    trade(&mut st, &mut fx, (1, "100", 100, r#""@""#), 0, 0);
    trade(&mut st, &mut fx, (2, "150", 5000, r#""W""#), 1, 1);
    trade(&mut st, &mut fx, (3, "150", 5000, r#""@","4""#), 2, 2);
    assert_eq!(
        view(&st),
        (Some(d("100")), 10_100, Some(d("100")), Some(d("100")))
    );
    assert!(st.watchlist[0].held.is_none());
    assert!(!st.validator.is_tripped(0));
}

#[test]
fn cancels_and_corrections_recompute_last_high_low_and_volume() {
    let (mut st, mut fx) = (state(), Effects::default());
    trade(&mut st, &mut fx, (1, "100", 100, r#""@""#), 0, 0);
    trade(&mut st, &mut fx, (2, "104", 200, r#""@""#), 1, 1);
    assert_eq!(
        view(&st),
        (Some(d("104")), 300, Some(d("104")), Some(d("100")))
    );
    let x = r#"[{"T":"x","S":"AAPL","i":2,"x":"V","p":104,"s":200,"a":"C","t":"2026-11-17T15:00:07Z","z":"C"}]"#;
    raw(&mut st, &mut fx, x, 2);
    assert_eq!(
        view(&st),
        (Some(d("100")), 100, Some(d("100")), Some(d("100")))
    );
    assert!(fx
        .events
        .iter()
        .any(|e| e.message.contains("Last is now 100")));
    let c = r#"[{"T":"c","S":"AAPL","x":"V","oi":1,"op":100,"os":100,"oc":["@"],"ci":11,"cp":100.5,"cs":150,"cc":["@"],"t":"2026-11-17T15:00:08Z","z":"C"}]"#;
    raw(&mut st, &mut fx, c, 3);
    assert_eq!(
        view(&st),
        (Some(d("100.5")), 150, Some(d("100.5")), Some(d("100.5")))
    );
    let t = &st.watchlist[0].tape;
    assert_eq!((t.cancelled, t.corrected, t.unmatched_amends), (1, 1, 0));
    // The breaker now measures from the corrected Last.
    assert_eq!(st.validator.reference(0), Some(d("100.5")));
}

#[test]
fn non_firm_quotes_do_not_set_the_bid_and_ask() {
    let (mut st, mut fx) = (state(), Effects::default());
    let q = |bp: &str, c: &str| {
        format!(
            r#"[{{"T":"q","S":"AAPL","bx":"V","bp":{bp},"bs":1,"ax":"V","ap":101,"as":1,"c":[{c}],"t":"2026-11-17T15:00:05Z","z":"C"}}]"#
        )
    };
    raw(&mut st, &mut fx, &q("100", r#""R""#), 0);
    raw(&mut st, &mut fx, &q("99", r#""N""#), 0);
    raw(&mut st, &mut fx, &q("98", r#""R","F""#), 0);
    assert_eq!(st.watchlist[0].bid, Some(d("100")));
    assert_eq!(st.watchlist[0].tape.non_firm_quotes, 2);
}

#[test]
fn a_stream_of_old_prints_warns_once_with_the_typical_lag() {
    let (mut st, mut fx) = (state(), Effects::default());
    let two_days = 2 * 86_400;
    for i in 0..120 {
        let (secs, recv) = (i as i64, two_days + i as i64);
        trade(&mut st, &mut fx, (i + 1, "100", 100, r#""@""#), secs, recv);
    }
    let warns: Vec<_> = fx
        .events
        .iter()
        .filter(|e| e.kind == EventKind::Tape)
        .collect();
    assert_eq!(warns.len(), 1, "{warns:?}");
    assert!(
        warns[0].message.contains("typical lag 2d 0h"),
        "{}",
        warns[0].message
    );
    // Shown, with its age: the warning does not hide the price.
    assert_eq!(st.watchlist[0].price, Some(d("100")));
    assert_eq!(prints::lag_text(7_000_000_000), "7s");
    assert_eq!(prints::lag_text(250_000_000_000), "4m 10s");
}
