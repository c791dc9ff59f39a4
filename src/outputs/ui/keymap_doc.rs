//! The keymap read back for people: grouped for the `?` help, as the status line's
//! hints for where the user is, and as the README's keys section (Markdown), all from
//! the one table in [`super::keymap`].

use super::actions::Action;
use super::keymap::{Context, Keymap};
use super::keymap_table::MOUSE;
use super::palette::COMMANDS;

/// One help entry: the keys (joined) that do one thing in one context.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Entry {
    pub keys: String,
    pub desc: &'static str,
}

/// The table by context, in [`Context::ALL`] order; one entry per (action,
/// description), its keys in table order.
pub fn groups(map: &Keymap) -> Vec<(Context, Vec<Entry>)> {
    let mut out: Vec<(Context, Vec<Entry>)> = Vec::new();
    for ctx in Context::ALL {
        let mut entries: Vec<(Action, Entry)> = Vec::new();
        for b in map.rows().iter().filter(|b| b.context == ctx) {
            match entries
                .iter_mut()
                .find(|(a, e)| *a == b.action && e.desc == b.desc)
            {
                Some((_, e)) => {
                    e.keys.push_str(" / ");
                    e.keys.push_str(&b.key.to_string());
                }
                None => entries.push((
                    b.action,
                    Entry {
                        keys: b.key.to_string(),
                        desc: b.desc,
                    },
                )),
            }
        }
        if !entries.is_empty() {
            out.push((ctx, entries.into_iter().map(|(_, e)| e).collect()));
        }
    }
    out
}

/// A status-line hint: keys and a short label, with its priority (1 first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hint {
    pub keys: String,
    pub label: &'static str,
    pub priority: u8,
}

/// The hints for where the user is (`innermost`'s chain, inner contexts first). Hints
/// with one label in a row merge their keys (`↑` and `↓` show as `↑↓ move`); an action
/// shows once, with its first key.
pub fn hints(map: &Keymap, innermost: Context) -> Vec<Hint> {
    let mut seen: Vec<Action> = Vec::new();
    let mut out: Vec<Hint> = Vec::new();
    for ctx in innermost.chain() {
        for b in map
            .rows()
            .iter()
            .filter(|b| b.context == *ctx && b.hint > 0)
        {
            if seen.contains(&b.action) {
                continue;
            }
            seen.push(b.action);
            let label = b.action.short();
            match out.last_mut() {
                Some(h) if h.label == label => h.keys.push_str(&b.key.to_string()),
                _ => out.push(Hint {
                    keys: b.key.to_string(),
                    label,
                    priority: b.hint,
                }),
            }
        }
    }
    out
}

/// An overlay's own keys for its border (` ↑↓ command · y copy · Esc close `): each
/// action's first key where `ctx` is, with the words given; actions left unbound
/// (by the config) are left out.
pub fn footer(map: &Keymap, ctx: Context, items: &[(&[Action], &str)]) -> String {
    let parts: Vec<String> = items
        .iter()
        .filter_map(|(actions, words)| {
            let keys: Vec<String> = actions
                .iter()
                .filter_map(|a| map.keys_for(ctx, *a).first().map(ToString::to_string))
                .collect();
            // Arrows read as a pair (↑↓); named keys need a space (↑↓ PgUp PgDn).
            let mut joined = String::new();
            for (i, k) in keys.iter().enumerate() {
                let single = |s: &str| s.chars().count() == 1;
                if i > 0 && !(single(k) && single(&keys[i - 1])) {
                    joined.push(' ');
                }
                joined.push_str(k);
            }
            let keys = joined;
            (!keys.is_empty()).then(|| format!("{keys} {words}").trim_end().to_string())
        })
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" {} ", parts.join(" · "))
    }
}

fn cell(text: &str) -> String {
    text.replace('|', "\\|")
}

/// The README's keys section, between its marker comments.
pub fn markdown(map: &Keymap) -> String {
    let mut md = String::from("| where | keys | what |\n|---|---|---|\n");
    for (ctx, entries) in groups(map) {
        for e in entries {
            let keys: Vec<String> = e.keys.split(" / ").map(|k| format!("`{k}`")).collect();
            md.push_str(&format!(
                "| {} | {} | {} |\n",
                cell(ctx.title()),
                cell(&keys.join(" ")),
                cell(e.desc)
            ));
        }
    }
    md.push_str("\nMouse (on unless `ui.mouse = false`):\n\n");
    for (what, does) in MOUSE {
        md.push_str(&format!("* {what}: {does}\n"));
    }
    md.push_str("\nCommand palette (`:`; Tab completes, ↑/↓ recall earlier lines):\n\n");
    md.push_str("| command | does |\n|---|---|\n");
    for c in &COMMANDS {
        let usage = format!("{} {}", c.name, c.args);
        md.push_str(&format!(
            "| `{}` | {} |\n",
            cell(usage.trim()),
            cell(c.desc)
        ));
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_follow_the_context() {
        let map = Keymap::default();
        let show = |ctx| {
            hints(&map, ctx)
                .iter()
                .map(|h| format!("{} {}", h.keys, h.label))
                .collect::<Vec<_>>()
        };
        let market = show(Context::Market);
        for want in [
            "a add",
            "d remove",
            "b accept held",
            "←→ panel",
            "? help",
            "q quit",
        ] {
            assert!(market.contains(&want.to_string()), "{want}: {market:?}");
        }
        let positions = show(Context::Positions);
        assert!(positions.contains(&"s sort".to_string()), "{positions:?}");
        assert!(positions.contains(&"S order".to_string()), "{positions:?}");
        let alerts = show(Context::Alerts);
        assert!(alerts.contains(&"a ack".to_string()) && alerts.contains(&"z snooze".to_string()));
        let palette = show(Context::Palette);
        assert!(palette.contains(&"Tab complete".to_string()), "{palette:?}");
        assert!(palette.contains(&"Esc cancel".to_string()), "{palette:?}");
        assert!(!palette.iter().any(|h| h.ends_with(" quit")), "{palette:?}");
    }
}
