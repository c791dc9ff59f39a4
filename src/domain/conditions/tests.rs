//! Every row of both condition tables, written out a second time by hand from the
//! specifications' matrices (so a typo in one copy fails), plus the combination,
//! unknown-code, late and quote rules.

use super::*;

/// (tape, code, updates Last, updates high/low, updates volume, out of sequence)
#[rustfmt::skip]
const EXPECTED: &[(&str, &str, bool, bool, bool, bool)] = &[
    // CTA, tapes A and B
    ("A", " ", true, true, true, false),   ("A", "@", true, true, true, false),
    ("A", "B", false, false, true, false), ("A", "C", false, false, true, false),
    ("A", "E", true, true, true, false),   ("A", "F", true, true, true, false),
    ("A", "H", false, false, true, false), ("A", "I", false, false, true, false),
    ("A", "K", true, true, true, false),   ("A", "L", true, true, true, false),
    ("A", "M", false, false, false, false),("A", "N", false, false, true, false),
    ("A", "O", true, true, true, false),   ("A", "P", false, true, true, false),
    ("A", "Q", false, false, false, false),("A", "R", false, false, true, false),
    ("A", "T", false, false, true, false), ("A", "U", false, false, true, true),
    ("A", "V", false, false, true, false), ("A", "X", true, true, true, false),
    ("A", "Z", false, true, true, true),   ("A", "4", false, true, true, false),
    ("A", "5", true, true, true, false),   ("A", "6", true, true, true, false),
    ("A", "7", false, false, true, false), ("A", "9", true, true, false, false),
    // UTP, tape C
    ("C", "@", true, true, true, false),   ("C", "A", true, true, true, false),
    ("C", "B", true, true, true, false),   ("C", "C", false, false, true, false),
    ("C", "D", true, true, true, false),   ("C", "E", false, false, true, false),
    ("C", "F", true, true, true, false),   ("C", "G", false, true, true, true),
    ("C", "H", false, false, true, false), ("C", "I", false, false, true, false),
    ("C", "K", true, true, true, false),   ("C", "L", true, true, true, false),
    ("C", "M", false, false, false, false),("C", "N", false, false, true, false),
    ("C", "O", true, true, true, false),   ("C", "P", false, true, true, false),
    ("C", "Q", false, false, false, false),("C", "R", false, false, true, false),
    ("C", "S", true, true, true, false),   ("C", "T", false, false, true, false),
    ("C", "U", false, false, true, true),  ("C", "V", false, false, true, false),
    ("C", "W", false, false, true, false), ("C", "X", true, true, true, false),
    ("C", "Y", true, true, true, false),   ("C", "Z", false, true, true, true),
    ("C", "1", true, true, true, false),   ("C", "4", false, true, true, false),
    ("C", "5", true, true, true, false),   ("C", "6", true, true, true, false),
    ("C", "7", false, false, true, false), ("C", "8", true, true, true, false),
    ("C", "9", true, true, false, false),
];

#[test]
fn every_row_of_both_tables_evaluates_as_the_specification_says() {
    for &(tape, code, last, hl, vol, oos) in EXPECTED {
        let tapes: &[&str] = if tape == "A" { &["A", "B"] } else { &["C"] };
        for t in tapes {
            let e = evaluate(t, code);
            assert!(!e.unknown, "{t} {code:?} unknown");
            assert_eq!(
                (e.last(), e.high_low(), e.volume(), e.out_of_sequence()),
                (last, hl, vol, oos),
                "tape {t} code {code:?}"
            );
            assert!(
                describe(t, code).is_some(),
                "tape {t} code {code:?} has no name"
            );
        }
    }
    // Both ways: no row in the tables that the expectations above do not cover.
    let count = |tape: &str| EXPECTED.iter().filter(|e| e.0 == tape).count();
    assert_eq!(cta::TRADE.len(), count("A"));
    assert_eq!(utp::TRADE.len(), count("C"));
    for (rows, tape) in [(cta::TRADE, "A"), (utp::TRADE, "C")] {
        for r in rows {
            assert!(
                EXPECTED.iter().any(|e| e.0 == tape && e.1 == r.code),
                "{tape} {:?}",
                r.code
            );
            assert_eq!(r.code.len(), 1, "codes are one character: {:?}", r.code);
        }
    }
}

#[test]
fn combinations_unknown_codes_and_tapes() {
    let cases: &[(&str, &str, u8, bool)] = &[
        ("C", "", LAST | HL | VOL, false),
        ("C", "@,F", LAST | HL | VOL, false),
        ("C", "@,I", VOL, false),
        ("C", "F,I", VOL, false),
        ("C", "@,F,T", VOL, false),
        ("C", "@,Z", HL | VOL | OOS, false),
        ("C", "@,4", HL | VOL, false),
        ("A", " ,7", VOL, false),
        ("A", "@,I", VOL, false),
        // Unknown codes: volume only.
        ("C", "@,J", VOL, true),
        ("C", "@,XX", VOL, true),
        ("A", "G", VOL, true),
        ("C", "é", VOL, true),
        ("C", "@,", VOL, true),
        ("C", "M,J", 0, true),
        // Unknown tape: known to both tables, and both must allow it.
        ("", "@", LAST | HL | VOL, false),
        ("", "I", VOL, false),
        ("", "G", VOL, true),
        ("Q", "Z", HL | VOL | OOS, false),
    ];
    for &(tape, conds, flags, unknown) in cases {
        let e = evaluate(tape, conds);
        assert_eq!((e.flags, e.unknown), (flags, unknown), "{tape:?} {conds:?}");
    }
}

#[test]
fn late_is_measured_from_the_print_that_set_last() {
    let s = |x: i64| Ts(x * 1_000_000_000);
    let tol = 5_000_000_000;
    assert!(!is_late(s(100), None, tol));
    assert!(!is_late(s(95), Some(s(100)), tol));
    assert!(is_late(s(94), Some(s(100)), tol));
    assert!(!is_late(s(200), Some(s(100)), tol));
    assert!(!is_late(Ts(i64::MIN), Some(Ts(i64::MIN)), tol));
}

#[test]
fn quote_conditions_keep_non_firm_quotes_off_the_nbbo() {
    for (rows, tape) in [(cta::QUOTE, "A"), (utp::QUOTE, "C")] {
        for r in rows {
            assert_eq!(
                quote_sets_nbbo(tape, r.code),
                r.nbbo_eligible,
                "{tape} {}",
                r.code
            );
            assert_eq!(describe_quote(tape, r.code), Some(r.name));
        }
    }
    assert!(quote_sets_nbbo("C", ""));
    assert!(quote_sets_nbbo("C", "R"));
    assert!(!quote_sets_nbbo("C", "N"));
    assert!(!quote_sets_nbbo("A", "R,N"));
    // Unknown quote codes are let through.
    assert!(quote_sets_nbbo("C", "?"));
}

#[test]
fn alpaca_lists_are_compared_with_the_table() {
    let list: BTreeMap<String, String> =
        [("@", "Regular Sale"), ("I", "Odd Lot Trade"), ("J", "New")]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
    let c = compare('C', &list);
    assert_eq!(c.known, 2);
    assert_eq!(c.unknown, vec![("J".to_string(), "New".to_string())]);
    assert_eq!(c.table_only.len(), utp::TRADE.len() - 2);
    assert_eq!(
        spell("C", "@,J"),
        vec![
            ("@".to_string(), Some("Regular Sale")),
            ("J".to_string(), None)
        ]
    );
    assert!(spell("C", "").is_empty());
}
