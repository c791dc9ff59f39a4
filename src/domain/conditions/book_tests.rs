//! The print book: what prints count for, and corrections and cancels recomputing
//! Last, high/low and volume, including for prints beyond the ring.

use super::*;
fn d(s: &str) -> Decimal {
    s.parse().unwrap()
}

fn trade(id: u64, price: Decimal, size: i64, secs: i64, conds: &str) -> Trade {
    Trade {
        symbol: "AAPL".into(),
        id,
        exchange: "V".into(),
        price,
        size,
        conditions: conds.into(),
        ts: Ts(secs * 1_000_000_000),
        tape: "C".into(),
    }
}

/// Records like the engine does (conditions, late rule, no breaker).
fn feed(book: &mut PrintBook, view: &mut TapeView, t: &Trade) -> u8 {
    let e = evaluate(&t.tape, &t.conditions);
    let late =
        e.out_of_sequence() || super::super::is_late(t.ts, book.last_set_at(), 5_000_000_000);
    book.record(view, t, e, late, e.last() && !late, true)
}

fn correction(orig: u64, new: u64, price: Decimal, size: i64, conds: &str) -> Correction {
    Correction {
        symbol: "AAPL".into(),
        exchange: "V".into(),
        orig_id: orig,
        orig_price: Decimal::ZERO,
        orig_size: 0,
        orig_conditions: "@".into(),
        corr_id: new,
        corr_price: price,
        corr_size: size,
        corr_conditions: conds.into(),
        ts: Ts(0),
        tape: "C".into(),
    }
}

#[test]
fn prints_count_for_what_their_conditions_and_time_allow() {
    let (mut b, mut v) = (PrintBook::default(), TapeView::default());
    assert_eq!(
        feed(&mut b, &mut v, &trade(1, d("100"), 100, 100, "@")),
        LAST | HL | VOL
    );
    assert_eq!(
        feed(&mut b, &mut v, &trade(2, d("130"), 10, 101, "@,I")),
        VOL
    );
    assert_eq!(
        feed(&mut b, &mut v, &trade(3, d("90"), 100, 102, "@,Z")),
        HL | VOL
    );
    assert_eq!(
        feed(&mut b, &mut v, &trade(4, d("99"), 100, 90, "@")),
        HL | VOL
    );
    assert_eq!(
        feed(&mut b, &mut v, &trade(5, d("101"), 100, 103, "@,J")),
        VOL
    );
    assert_eq!((v.high, v.low), (Some(d("100")), Some(d("90"))));
    assert_eq!((v.late, v.non_eligible, v.unknown_condition), (2, 2, 1));
    assert_eq!(b.last_set_at(), Some(Ts(100_000_000_000)));
    assert_eq!(v.recent.len(), 5);
    assert!(v.recent[0].moved_last && !v.recent[1].moved_last && v.recent[3].late);
}

#[test]
fn cancelling_the_print_that_set_last_and_the_high_recomputes_them() {
    let (mut b, mut v) = (PrintBook::default(), TapeView::default());
    feed(&mut b, &mut v, &trade(1, d("100"), 100, 100, "@"));
    feed(&mut b, &mut v, &trade(2, d("105"), 200, 101, "@"));
    let a = b.cancel(&mut v, 2, "V");
    assert_eq!(a.volume_delta, -200);
    assert_eq!(a.last, LastChange::Set(d("100"), Ts(100_000_000_000)));
    assert_eq!(
        (v.high, v.low, v.cancelled),
        (Some(d("100")), Some(d("100")), 1)
    );
    assert_eq!(v.recent[1].amended, Some(Amended::Cancelled));
    // A second cancel of the same print, and one for an unknown print, change nothing.
    assert_eq!(b.cancel(&mut v, 2, "V"), NO_AMEND);
    assert_eq!(b.cancel(&mut v, 77, "V"), NO_AMEND);
    assert_eq!(v.unmatched_amends, 2);
    // Cancelling the only remaining one leaves no Last and no high/low.
    let a = b.cancel(&mut v, 1, "");
    assert_eq!(a.last, LastChange::Gone);
    assert_eq!((v.high, v.low), (None, None));
}

#[test]
fn cancelling_a_print_that_did_not_set_last_leaves_last_alone() {
    let (mut b, mut v) = (PrintBook::default(), TapeView::default());
    feed(&mut b, &mut v, &trade(1, d("100"), 100, 100, "@"));
    feed(&mut b, &mut v, &trade(2, d("100.5"), 50, 101, "@,I"));
    let a = b.cancel(&mut v, 2, "V");
    assert_eq!(
        a,
        Amend {
            volume_delta: -50,
            last: LastChange::Same
        }
    );
}

#[test]
fn a_correction_replaces_price_size_and_conditions_in_place() {
    let (mut b, mut v) = (PrintBook::default(), TapeView::default());
    feed(&mut b, &mut v, &trade(1, d("100"), 100, 100, "@"));
    feed(&mut b, &mut v, &trade(2, d("102"), 100, 101, "@"));
    let a = b.correct(&mut v, &correction(2, 20, d("101"), 300, "@"));
    assert_eq!(a.volume_delta, 200);
    assert_eq!(a.last, LastChange::Set(d("101"), Ts(101_000_000_000)));
    assert_eq!(
        (v.high, v.low, v.corrected),
        (Some(d("101")), Some(d("100")), 1)
    );
    assert_eq!(
        (v.recent[1].id, v.recent[1].amended),
        (20, Some(Amended::Corrected))
    );
    // Corrected to an odd lot: it no longer sets Last; the earlier print does.
    let a = b.correct(&mut v, &correction(20, 21, d("101"), 30, "@,I"));
    assert_eq!(a.volume_delta, -270);
    assert_eq!(a.last, LastChange::Set(d("100"), Ts(100_000_000_000)));
    assert_eq!((v.high, v.low), (Some(d("100")), Some(d("100"))));
    // A correction cannot promote a print that never set Last.
    let a = b.correct(&mut v, &correction(21, 22, d("99"), 100, "@"));
    assert_eq!(a.last, LastChange::Same);
    assert_eq!(v.low, Some(d("99")));
}

#[test]
fn prints_beyond_the_ring_keep_counting_exactly() {
    let (mut b, mut v) = (PrintBook::default(), TapeView::default());
    // The high and the oldest Last fall out of the ring.
    feed(&mut b, &mut v, &trade(1, d("500"), 100, 1, "@"));
    for i in 0..RING as u64 {
        feed(
            &mut b,
            &mut v,
            &trade(10 + i, d("100"), 100, 2 + i as i64, "@,I"),
        );
    }
    feed(&mut b, &mut v, &trade(9_999, d("400"), 100, 1_000, "@"));
    assert_eq!(v.recent.len(), RECENT_KEPT);
    assert_eq!(b.cancel(&mut v, 1, "V"), NO_AMEND, "evicted: not amendable");
    let a = b.cancel(&mut v, 9_999, "V");
    // Last falls back to the evicted print that set it; the high stays the evicted 500.
    assert_eq!(a.last, LastChange::Set(d("500"), Ts(1_000_000_000)));
    assert_eq!((v.high, v.low), (Some(d("500")), Some(d("500"))));
}
