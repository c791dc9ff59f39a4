//! The keymap table: the defaults have no clash, lookups follow the context chain,
//! and `[keys]` overrides apply or fail naming the key.

use super::*;
use crossterm::event::KeyCode;

fn over(pairs: &[(&str, &[&str])]) -> Result<Keymap, KeymapError> {
    let entries: Vec<(String, Vec<String>)> = pairs
        .iter()
        .map(|(a, ks)| (a.to_string(), ks.iter().map(|k| k.to_string()).collect()))
        .collect();
    Keymap::with_overrides(&entries)
}

#[test]
fn the_defaults_have_no_clash_and_no_text_keys_in_prompts() {
    let map = Keymap::default();
    assert_eq!(map.check_clashes(&[]), Ok(()));
    for b in map.rows() {
        assert!(
            !(b.context.takes_text() && b.key.is_printable()),
            "{:?} {} would eat typing",
            b.context,
            b.key
        );
    }
    assert_eq!(Keymap::with_overrides(&[]), Ok(Keymap::default()));
}

#[test]
fn lookup_follows_the_context_chain() {
    let map = Keymap::default();
    // (where, key, action)
    let cases = [
        (Context::Market, KeySpec::ch('a'), Some(Action::AddSymbol)),
        (Context::Alerts, KeySpec::ch('a'), Some(Action::Ack)),
        (Context::Health, KeySpec::ch('a'), None),
        (Context::Market, KeySpec::ch('q'), Some(Action::Quit)),
        (Context::Help, KeySpec::ch('q'), Some(Action::Close)),
        (Context::Detail, KeySpec::ch('q'), Some(Action::Close)),
        (
            Context::Market,
            KeySpec::code(KeyCode::Esc),
            Some(Action::Back),
        ),
        (
            Context::Palette,
            KeySpec::code(KeyCode::Esc),
            Some(Action::Cancel),
        ),
        (Context::Palette, KeySpec::ch('q'), None),
        (
            Context::Palette,
            KeySpec::ctrl('c'),
            Some(Action::Interrupt),
        ),
        (Context::Detail, KeySpec::ch('y'), Some(Action::Copy)),
        (Context::Positions, KeySpec::ch('S'), Some(Action::SortFlip)),
        (Context::Market, KeySpec::ch('S'), None),
        (Context::Symbol, KeySpec::ch('?'), Some(Action::Help)),
    ];
    for (ctx, key, want) in cases {
        assert_eq!(map.lookup(ctx, key), want, "{ctx:?} {key}");
    }
    let b = map
        .elsewhere(Context::Health, KeySpec::ch('b'), |_| true)
        .unwrap();
    assert_eq!(b.context, Context::Market);
}

#[test]
fn overrides_rebind_every_context_of_the_action() {
    let map = over(&[("failover", &["F"]), ("close", &["x", "Esc"])]).unwrap();
    assert_eq!(
        map.lookup(Context::Market, KeySpec::ch('F')),
        Some(Action::Failover)
    );
    assert_eq!(map.lookup(Context::Market, KeySpec::ch('f')), None);
    assert_eq!(
        map.lookup(Context::Help, KeySpec::ch('x')),
        Some(Action::Close)
    );
    assert_eq!(
        map.lookup(Context::Detail, KeySpec::ch('x')),
        Some(Action::Close)
    );
    assert_eq!(map.lookup(Context::Detail, KeySpec::ch('q')), None);
    assert_eq!(
        map.keys_for(Context::Market, Action::Failover),
        [KeySpec::ch('F')]
    );
    // Descriptions stay; the help and the hints show the new key.
    let hints = super::super::keymap_doc::hints(&map, Context::Market);
    assert!(hints.iter().any(|h| h.keys == "F" && h.label == "failover"));
}

/// `[keys]` entries: (action, keys).
type Entries<'a> = Vec<(&'a str, &'a [&'a str])>;

#[test]
fn override_errors_name_the_key() {
    // (entries, fragments the error must contain)
    let cases: Vec<(Entries, &[&str])> = vec![
        (
            vec![("falover", &["F"])],
            &["keys.falover", "unknown action", "failover"],
        ),
        (
            vec![("failover", &["Ctrl-"])],
            &["keys.failover", "\"Ctrl-\"", "not a key"],
        ),
        (vec![("failover", &[])], &["keys.failover", "no keys"]),
        (
            vec![("failover", &["s"])],
            &["keys.failover", "\"s\"", "sort_next", "Positions page"],
        ),
        (
            vec![("quit", &["a"])],
            &["keys.quit", "\"a\"", "Market page"],
        ),
        (
            vec![("submit", &["x"])],
            &["keys.submit", "types text", "prompt"],
        ),
        (
            vec![("help", &["?"]), ("palette", &["?"])],
            &["keys.", "\"?\""],
        ),
    ];
    for (entries, want) in cases {
        let err = over(&entries).unwrap_err().to_string();
        for w in want {
            assert!(err.contains(w), "{entries:?}: {err:?} lacks {w:?}");
        }
    }
    // Swapping two keys is fine when both are rebound.
    let map = over(&[("sort_next", &["S"]), ("sort_flip", &["s"])]).unwrap();
    assert_eq!(
        map.lookup(Context::Positions, KeySpec::ch('S')),
        Some(Action::SortNext)
    );
}
