//! Table tests of the pure engine state.

use super::*;

fn state(symbols: &[&str]) -> EngineState {
    EngineState::new(StateConfig {
        mode: Mode::Live,
        feed: "iex".into(),
        watchlist: symbols.iter().map(|s| Symbol::new(s)).collect(),
        started_at: Ts::parse_rfc3339("2026-11-17T15:00:05Z").unwrap(),
        replay_name: None,
        routing: Default::default(),
        validation: Default::default(),
    })
}

fn syms(list: &[&str]) -> Vec<Symbol> {
    list.iter().map(|s| Symbol::new(s)).collect()
}

type Case<'a> = (&'a [&'a str], &'a [&'a str], Result<&'a [&'a str], &'a str>);

#[test]
fn watchlist_changes_keep_state_and_report() {
    // (add, remove, Ok(new list) | Err(fragment of the reason))
    let cases: &[Case] = &[
        (&["NFLX"], &[], Ok(&["AAPL", "MSFT", "NFLX"])),
        (&[], &["MSFT"], Ok(&["AAPL"])),
        (&["AAPL"], &[], Err("unchanged")),
        (&[], &["ZZZZ"], Err("unchanged")),
        (&[], &["AAPL", "MSFT"], Err("empty")),
        (&["TSLA"], &["AAPL"], Ok(&["MSFT", "TSLA"])),
    ];
    for (add, remove, want) in cases {
        let mut st = state(&["AAPL", "MSFT"]);
        let mut fx = Effects::default();
        let got = st.change_watchlist(&syms(add), &syms(remove), &mut fx);
        match want {
            Ok(list) => {
                assert_eq!(
                    got.as_deref().ok(),
                    Some(&syms(list)[..]),
                    "{add:?} {remove:?}"
                );
                assert_eq!(fx.watchlist.as_deref(), Some(&syms(list)[..]));
                let snap = st.snapshot(1, Perf::default(), Vec::new());
                let shown: Vec<&str> = snap.watchlist.iter().map(|v| v.symbol.as_str()).collect();
                assert_eq!(&shown[..], *list);
            }
            Err(frag) => {
                let e = got.expect_err("must refuse");
                assert!(e.contains(frag), "{e}");
                assert!(fx.watchlist.is_none());
            }
        }
        assert_eq!(fx.events.len(), 1, "one event either way");
    }
}

#[test]
fn removing_a_symbol_keeps_the_others_prices_and_routes_new_trades() {
    use crate::wire::{parse_frame, ParseLimits};
    let mut st = state(&["AAPL", "MSFT"]);
    let mut fx = Effects::default();
    let frame = |sym: &str, p: &str| {
        format!(
            r#"[{{"T":"t","S":"{sym}","i":1,"x":"V","p":{p},"s":5,"c":["@"],"t":"2026-11-17T15:00:01Z","z":"C"}}]"#
        )
    };
    let apply = |st: &mut EngineState, f: String, fx: &mut Effects| {
        let p = parse_frame(f.as_bytes(), &ParseLimits::default());
        st.apply_frame(st.now(), &p.msgs, &p.issues, fx);
    };
    apply(&mut st, frame("MSFT", "410.5"), &mut fx);
    st.change_watchlist(&syms(&["NVDA"]), &syms(&["AAPL"]), &mut fx)
        .unwrap();
    apply(&mut st, frame("NVDA", "140.25"), &mut fx);
    apply(&mut st, frame("AAPL", "228"), &mut fx);
    let snap = st.snapshot(1, Perf::default(), Vec::new());
    assert_eq!(snap.watchlist[0].symbol, "MSFT");
    assert_eq!(
        snap.watchlist[0].price.map(|p| p.to_string()).as_deref(),
        Some("410.5")
    );
    assert_eq!(
        snap.watchlist[1].price.map(|p| p.to_string()).as_deref(),
        Some("140.25")
    );
    assert_eq!(snap.counters.unwatched, 1, "AAPL is no longer watched");
}
