//! The generated fixtures: the demo is deterministic, matches the committed file,
//! parses end to end, and carries its scripted incidents; the bench is exact.

use rust_decimal::Decimal;
use std::collections::BTreeMap;
use std::str::FromStr;
use tapewatch::domain::chart::parse_chart;
use tapewatch::domain::types::Ts;
use tapewatch::domain::wire::{parse_frame, Msg, ParseLimits, Trade};
use tapewatch::sources::fixture::gen::{
    self, incidents as inc, DEMO_DURATION_MS, DEMO_START_EPOCH_S, DEMO_SYMBOLS,
};
use tapewatch::sources::fixture::{Header, Record};

const REGEN: &str = "cargo run --release --example gen_fixture -- demo > fixtures/demo.jsonl";

fn start() -> Ts {
    Ts::from_secs(DEMO_START_EPOCH_S)
}

/// Every line of the demo, decoded.
struct Parsed {
    /// (t_ms, trade) for every trade in every ws frame.
    trades: Vec<(i64, Trade)>,
    /// (t_ms, message) for everything Alpaca sent.
    msgs: Vec<(i64, Msg)>,
    /// (t_ms, symbol, price) for every Yahoo response.
    yahoo: Vec<(i64, String, Decimal)>,
    faults: Vec<(i64, String)>,
    alpaca_record_ms: Vec<i64>,
}

fn parse_demo(text: &str) -> Parsed {
    let mut lines = text.lines();
    let header: Header = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header.name, "demo");
    assert_eq!(header.start, gen::DEMO_START);
    assert_eq!(header.symbols, DEMO_SYMBOLS);
    let mut p = Parsed {
        trades: vec![],
        msgs: vec![],
        yahoo: vec![],
        faults: vec![],
        alpaca_record_ms: vec![],
    };
    let mut last_ms = 0;
    for (n, line) in lines.enumerate() {
        let r: Record = tapewatch::sources::fixture::parse_record(line)
            .unwrap_or_else(|e| panic!("line {}: {e}", n + 2));
        assert!(r.t_ms >= last_ms, "t_ms decreases at line {}", n + 2);
        assert!((0..=DEMO_DURATION_MS).contains(&r.t_ms));
        last_ms = r.t_ms;
        let set = [r.ws.is_some(), r.http.is_some(), r.fault.is_some()];
        assert_eq!(set.iter().filter(|b| **b).count(), 1, "line {}", n + 2);
        if let Some(ws) = &r.ws {
            p.alpaca_record_ms.push(r.t_ms);
            assert!(serde_json::from_str::<serde_json::Value>(ws)
                .unwrap()
                .is_array());
            let parsed = parse_frame(ws.as_bytes(), &ParseLimits::default());
            assert!(
                parsed.issues.is_empty(),
                "line {}: {:?}",
                n + 2,
                parsed.issues
            );
            assert!(!parsed.msgs.is_empty());
            let control = parsed.msgs.iter().any(|m| !m.msg_type().is_data());
            assert!(
                !control || parsed.msgs.len() == 1,
                "control message not alone: line {}",
                n + 2
            );
            for m in parsed.msgs {
                if let Msg::Trade(t) = &m {
                    p.trades.push((r.t_ms, t.clone()));
                }
                p.msgs.push((r.t_ms, m));
            }
        } else if let Some(http) = &r.http {
            assert_eq!(http.status, 200);
            let q = parse_chart(http.status, &http.body)
                .unwrap_or_else(|e| panic!("line {}: {e}", n + 2));
            assert_eq!(
                http.url,
                gen::chart_url(&q.symbol),
                "url names the body's symbol"
            );
            assert!(q.last_bar.is_some() && q.previous_close.is_some());
            p.yahoo.push((r.t_ms, q.symbol.to_string(), q.price));
        } else if let Some(f) = &r.fault {
            p.faults.push((r.t_ms, f.to_string()));
        }
    }
    p
}

fn demo_parsed() -> &'static (String, Parsed) {
    static CELL: std::sync::OnceLock<(String, Parsed)> = std::sync::OnceLock::new();
    CELL.get_or_init(|| {
        let text = gen::demo();
        let parsed = parse_demo(&text);
        (text, parsed)
    })
}

fn in_burst(t_ms: i64) -> bool {
    (inc::BAD_BURST_MS..=inc::BAD_BURST_MS + inc::BAD_BURST_WINDOW_MS).contains(&t_ms)
}

fn is_bad(t_ms: i64, t: &Trade) -> bool {
    t.price.is_zero()
        || t.size <= 0
        || t.ts.millis_since(start().plus_millis(t_ms)) > 0
        || (in_burst(t_ms) && t.symbol == inc::SPIKE_SYMBOL && t.price > Decimal::from(400))
}

#[test]
fn demo_is_deterministic_and_committed() {
    let (text, _) = demo_parsed();
    assert!(*text == gen::demo(), "two demo() runs differ");
    assert!(text.ends_with('\n'));
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/demo.jsonl"))
            .unwrap();
    assert!(
        *text == committed,
        "fixtures/demo.jsonl is stale; regenerate with `{REGEN}`"
    );
    assert!(text.len() < 4_000_000, "demo is {} bytes", text.len());
}

#[test]
fn demo_stream_is_realistic() {
    let (_, p) = demo_parsed();
    let data = p
        .msgs
        .iter()
        .filter(|(_, m)| m.msg_type().is_data())
        .count();
    let live_secs = (DEMO_DURATION_MS - (inc::OUTAGE_END_MS - inc::OUTAGE_START_MS)) / 1000;
    let rate = data as i64 / live_secs;
    assert!((25..=55).contains(&rate), "{rate} data messages per second");
    let mut digits = [0usize; 10];
    for (t_ms, m) in &p.msgs {
        let ts = match m {
            Msg::Trade(t) if !is_bad(*t_ms, t) => t.ts,
            Msg::Quote(q) => q.ts,
            _ => continue,
        };
        let ahead_ms = start().plus_millis(*t_ms).as_nanos() - ts.as_nanos();
        assert!(
            (1_000_000..=25_000_000).contains(&ahead_ms),
            "t {ts} vs t_ms {t_ms}"
        );
        let frac = ts.as_nanos().rem_euclid(1_000_000_000);
        let n = if frac == 0 {
            0
        } else {
            format!("{frac:09}").trim_end_matches('0').len()
        };
        digits[n] += 1;
    }
    assert!(
        digits.iter().all(|d| *d > 0),
        "fraction digit counts {digits:?}"
    );
    for (_, t) in p.trades.iter().filter(|(ms, t)| !is_bad(*ms, t)) {
        assert_eq!(t.exchange, "V");
        let odd = t.size < 100;
        assert_eq!(t.conditions, if odd { "@,I" } else { "@" }, "{t:?}");
    }
    // Per-symbol trade ids increase.
    let mut last_id: BTreeMap<&str, u64> = BTreeMap::new();
    for (_, t) in &p.trades {
        let prev = last_id.insert(t.symbol.as_str(), t.id).unwrap_or(0);
        assert!(t.id > prev, "{t:?}");
    }
}

#[test]
fn minute_bars_match_the_trades() {
    let (_, p) = demo_parsed();
    let bars: Vec<_> = p
        .msgs
        .iter()
        .filter_map(|(ms, m)| match m {
            Msg::Bar(b) => Some((*ms, b)),
            _ => None,
        })
        .collect();
    assert!(bars.len() >= 12 * 6);
    for (t_ms, b) in &bars {
        assert!(
            (100..=600).contains(&(t_ms % 60_000)),
            "bar frame at {t_ms}"
        );
        let minute = b.ts.millis_since(start()) / 60_000;
        assert_eq!(minute, t_ms / 60_000 - 1);
        // Minutes wholly seen on the wire: the bar is exactly their good trades.
        if ![1, 2, 6, 7, 8].contains(&minute) {
            continue;
        }
        let ts: Vec<&Trade> = p
            .trades
            .iter()
            .filter(|(ms, t)| {
                t.symbol == b.symbol
                    && !is_bad(*ms, t)
                    && t.ts.millis_since(start()) / 60_000 == minute
            })
            .map(|(_, t)| t)
            .collect();
        assert_eq!(b.trade_count, Some(ts.len() as u64), "{b:?}");
        assert_eq!(b.open, ts[0].price);
        assert_eq!(b.close, ts[ts.len() - 1].price);
        assert_eq!(b.high, ts.iter().map(|t| t.price).max().unwrap());
        assert_eq!(b.low, ts.iter().map(|t| t.price).min().unwrap());
        let volume: i64 = ts.iter().map(|t| t.size).sum();
        assert_eq!(b.volume, volume);
        let notional: Decimal = ts.iter().map(|t| t.price * Decimal::from(t.size)).sum();
        let vwap = (notional / Decimal::from(volume)).round_dp(6);
        assert!(
            (b.vwap.unwrap() - vwap).abs() <= Decimal::from_str("0.000001").unwrap(),
            "{b:?} vs {vwap}"
        );
    }
}

#[test]
fn demo_incidents_are_present() {
    let (_, p) = demo_parsed();
    let burst: Vec<&(i64, Trade)> = p.trades.iter().filter(|(ms, _)| in_burst(*ms)).collect();
    let find = |sym: &str, f: &dyn Fn(i64, &Trade) -> bool| {
        burst
            .iter()
            .filter(|(ms, t)| t.symbol == sym && f(*ms, t))
            .count()
    };
    assert_eq!(find(inc::ZERO_PRICE_SYMBOL, &|_, t| t.price.is_zero()), 1);
    assert_eq!(
        find(inc::NEGATIVE_SIZE_SYMBOL, &|_, t| t.size
            == inc::NEGATIVE_SIZE),
        1
    );
    let future = |ms: i64, t: &Trade| {
        let ahead = t.ts.millis_since(start().plus_millis(ms));
        (inc::FUTURE_TS_AHEAD_MS - 30..=inc::FUTURE_TS_AHEAD_MS).contains(&ahead)
    };
    assert_eq!(find(inc::FUTURE_TS_SYMBOL, &future), 1);
    // The spike: one TSLA print 25% above its neighbours, which stay near the old level.
    let tsla: Vec<&(i64, Trade)> = p
        .trades
        .iter()
        .filter(|(ms, t)| {
            t.symbol == inc::SPIKE_SYMBOL
                && (inc::BAD_BURST_MS - 5_000..inc::BAD_BURST_MS + 10_000).contains(ms)
        })
        .collect();
    let mut prices: Vec<Decimal> = tsla.iter().map(|(_, t)| t.price).collect();
    prices.sort();
    let median = prices[prices.len() / 2];
    let spikes: Vec<_> = tsla
        .iter()
        .filter(|(_, t)| t.price > median * Decimal::from_str("1.2").unwrap())
        .collect();
    assert_eq!(spikes.len(), 1);
    assert!(in_burst(spikes[0].0));
    let ratio = spikes[0].1.price / median;
    assert!(
        (Decimal::from_str("1.23").unwrap()..=Decimal::from_str("1.27").unwrap()).contains(&ratio),
        "{ratio}"
    );
    assert!(tsla
        .iter()
        .filter(|(ms, _)| *ms > spikes[0].0)
        .all(|(_, t)| t.price < median * Decimal::from_str("1.02").unwrap()));

    // The outage: disconnect, silence, recover, a fresh handshake, then data.
    assert_eq!(
        p.faults,
        vec![
            (inc::OUTAGE_START_MS, "disconnect".into()),
            (inc::OUTAGE_END_MS, "recover".into())
        ]
    );
    assert!(!p
        .alpaca_record_ms
        .iter()
        .any(|ms| (inc::OUTAGE_START_MS..=inc::OUTAGE_END_MS).contains(ms)));
    let after: Vec<&(i64, Msg)> = p
        .msgs
        .iter()
        .filter(|(ms, _)| *ms > inc::OUTAGE_END_MS)
        .take(4)
        .collect();
    assert!(matches!(&after[0].1, Msg::Success { msg } if msg == "connected"));
    assert!(matches!(&after[1].1, Msg::Success { msg } if msg == "authenticated"));
    assert!(
        matches!(&after[2].1, Msg::Subscription(s) if s.trades.len() == 12 && s.quotes.len() == 12 && s.bars.len() == 12)
    );
    assert!(after[3].1.msg_type().is_data());
    assert!(after[2].0 - inc::OUTAGE_END_MS < 200);

    // Yahoo rounds: one response per symbol, in order, 40-80 ms apart.
    assert_eq!(p.yahoo.len(), 12 * inc::YAHOO_ROUNDS_MS.len());
    for (round, chunk) in inc::YAHOO_ROUNDS_MS.iter().zip(p.yahoo.chunks(12)) {
        assert_eq!(chunk[0].0, *round);
        let syms: Vec<&str> = chunk.iter().map(|y| y.1.as_str()).collect();
        assert_eq!(syms, DEMO_SYMBOLS);
        assert!(chunk
            .windows(2)
            .all(|w| (40..=80).contains(&(w[1].0 - w[0].0))));
    }
    // Yahoo agrees with Alpaca's last trade, except NFLX in the disagreement round.
    for (t_ms, sym, price) in p
        .yahoo
        .iter()
        .filter(|y| y.0 > inc::OUTAGE_END_MS || y.0 < inc::OUTAGE_START_MS)
    {
        let Some((_, last)) = p
            .trades
            .iter()
            .rfind(|(ms, t)| ms < t_ms && t.symbol == sym.as_str() && !is_bad(*ms, t))
        else {
            continue;
        };
        let diff_bp = (*price / last.price - Decimal::ONE) * Decimal::from(10_000);
        if *t_ms >= inc::DISAGREE_ROUND_MS && sym == inc::DISAGREE_SYMBOL {
            assert!(
                (diff_bp - Decimal::from(inc::DISAGREE_BP)).abs() < Decimal::from(10),
                "{sym} {diff_bp}bp"
            );
        } else {
            assert!(
                diff_bp.abs() < Decimal::from(50),
                "{sym} at {t_ms}: {diff_bp}bp"
            );
        }
    }
}

#[test]
fn bench_writes_exactly_the_requested_messages() {
    let mut out = Vec::new();
    gen::bench(10_000, &mut out).unwrap();
    let text = String::from_utf8(out).unwrap();
    let mut lines = text.lines();
    let header: Header = serde_json::from_str(lines.next().unwrap()).unwrap();
    assert_eq!(header.symbols.len(), 24);
    let (mut data, mut control, mut frames, mut last_ms) = (0, 0, 0, 0);
    let mut kinds = BTreeMap::new();
    for line in lines {
        let r: Record = tapewatch::sources::fixture::parse_record(line).unwrap();
        assert!(r.t_ms >= last_ms);
        last_ms = r.t_ms;
        let parsed = parse_frame(r.ws.unwrap().as_bytes(), &ParseLimits::default());
        assert!(parsed.issues.is_empty(), "{:?}", parsed.issues);
        if parsed.msgs.iter().all(|m| m.msg_type().is_data()) {
            frames += 1;
            assert!((1..=16).contains(&parsed.msgs.len()));
        } else {
            assert_eq!(data, 0, "control messages come first");
        }
        for m in parsed.msgs {
            if m.msg_type().is_data() {
                data += 1;
                *kinds.entry(m.msg_type().wire_tag()).or_insert(0) += 1;
            } else {
                control += 1;
            }
        }
    }
    assert_eq!(data, 10_000);
    assert_eq!(control, 3);
    assert!((1_000..=1_500).contains(&frames), "{frames} frames");
    // 50k messages per second: 10k messages span about 200 ms after data starts at 200.
    assert!((350..=450).contains(&last_ms), "last t_ms {last_ms}");
    assert!(
        (4_200..=4_800).contains(&kinds["t"]) && (4_700..=5_300).contains(&kinds["q"]),
        "{kinds:?}"
    );
    let mut again = Vec::new();
    gen::bench(10_000, &mut again).unwrap();
    assert!(again == text.as_bytes());
}
