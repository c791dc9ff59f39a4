//! The keymap as data: one table of (key, context, action, description) that drives
//! dispatch ([`super::dispatch`]), the `?` help ([`super::help`]), the status line's
//! hints and the README's keys section ([`super::keymap_doc`]). Nothing about keys is
//! written anywhere else. The config's `[keys]` section rebinds actions
//! ([`Keymap::with_overrides`]), checked at start: an unknown action, a key that is not
//! one, or two actions on one key where both could fire is an error naming the key.

use super::actions::Action;
use super::keymap_table::DEFAULTS;
use super::keyspec::KeySpec;
use super::state::Page;

/// Where a binding applies. A key is looked up along a chain of contexts, innermost
/// first ([`Context::chain`]): a prompt sees only prompt keys, an overlay only its own,
/// a page its own and then the keys of every page.
#[derive(Copy, Clone, Debug, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere, prompts included.
    Always,
    /// Every page, when no overlay or prompt is open.
    Global,
    Market,
    Health,
    Positions,
    Alerts,
    /// A symbol's own view (Enter on a watchlist row; its keys come with the view).
    Symbol,
    Help,
    Detail,
    /// Editing keys shared by every prompt.
    Prompt,
    Palette,
    Filter,
    AddSymbol,
}

impl Context {
    pub const ALL: [Context; 13] = [
        Context::Always,
        Context::Global,
        Context::Market,
        Context::Health,
        Context::Positions,
        Context::Alerts,
        Context::Symbol,
        Context::Help,
        Context::Detail,
        Context::Prompt,
        Context::Palette,
        Context::Filter,
        Context::AddSymbol,
    ];

    /// How the help and the README head the context's keys.
    pub const fn title(self) -> &'static str {
        match self {
            Context::Always => "Everywhere",
            Context::Global => "Any page",
            Context::Market => "Market page (1)",
            Context::Health => "Health page (2)",
            Context::Positions => "Positions page (3)",
            Context::Alerts => "Alerts page (4)",
            Context::Symbol => "Symbol view",
            Context::Help => "This help",
            Context::Detail => {
                "Detail view (Enter on an event, alert, transition, breaker, rejection)"
            }
            Context::Prompt => "Any prompt (:, /, add symbol)",
            Context::Palette => "Command palette (:)",
            Context::Filter => "Filter prompt (/)",
            Context::AddSymbol => "Add-symbol prompt (a)",
        }
    }

    /// How an error message says where ("on the Positions page").
    pub const fn place(self) -> &'static str {
        match self {
            Context::Always => "everywhere",
            Context::Global => "on every page",
            Context::Market => "on the Market page",
            Context::Health => "on the Health page",
            Context::Positions => "on the Positions page",
            Context::Alerts => "on the Alerts page",
            Context::Symbol => "in the symbol view",
            Context::Help => "in the help",
            Context::Detail => "in a detail view",
            Context::Prompt => "in every prompt",
            Context::Palette => "in the command palette",
            Context::Filter => "in the filter prompt",
            Context::AddSymbol => "in the add-symbol prompt",
        }
    }

    pub const fn of_page(page: Page) -> Context {
        match page {
            Page::Market => Context::Market,
            Page::Health => Context::Health,
            Page::Positions => Context::Positions,
            Page::Alerts => Context::Alerts,
        }
    }

    /// The lookup order when `self` is the innermost context.
    pub const fn chain(self) -> &'static [Context] {
        match self {
            Context::Always => &[Context::Always],
            Context::Global => &[Context::Global, Context::Always],
            Context::Market => &[Context::Market, Context::Global, Context::Always],
            Context::Health => &[Context::Health, Context::Global, Context::Always],
            Context::Positions => &[Context::Positions, Context::Global, Context::Always],
            Context::Alerts => &[Context::Alerts, Context::Global, Context::Always],
            Context::Symbol => &[Context::Symbol, Context::Global, Context::Always],
            Context::Help => &[Context::Help, Context::Always],
            Context::Detail => &[Context::Detail, Context::Always],
            Context::Prompt => &[Context::Prompt, Context::Always],
            Context::Palette => &[Context::Palette, Context::Prompt, Context::Always],
            Context::Filter => &[Context::Filter, Context::Prompt, Context::Always],
            Context::AddSymbol => &[Context::AddSymbol, Context::Prompt, Context::Always],
        }
    }

    /// Whether a key typed here could be text (prompts take printable keys as text).
    const fn takes_text(self) -> bool {
        matches!(
            self,
            Context::Prompt | Context::Palette | Context::Filter | Context::AddSymbol
        )
    }

    /// Two bindings of one key clash when some lookup chain holds both contexts.
    fn overlaps(self, other: Context) -> bool {
        Context::ALL.iter().any(|inner| {
            let chain = inner.chain();
            chain.contains(&self) && chain.contains(&other)
        })
    }
}

/// One row of the table. `hint` > 0 puts the key in the status line (1 first).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    pub key: KeySpec,
    pub context: Context,
    pub action: Action,
    pub desc: &'static str,
    pub hint: u8,
}

/// The table in use: the defaults with the config's `[keys]` applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Keymap {
    rows: Vec<Binding>,
}

impl Default for Keymap {
    fn default() -> Keymap {
        let rows = DEFAULTS
            .iter()
            .map(|&(key, context, action, desc, hint)| Binding {
                key,
                context,
                action,
                desc,
                hint,
            })
            .collect();
        Keymap { rows }
    }
}

/// A `[keys]` entry that cannot be applied; `key` is the config key (`keys.failover`).
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{key}: {message}")]
pub struct KeymapError {
    pub key: String,
    pub message: String,
}

impl Keymap {
    pub fn rows(&self) -> &[Binding] {
        &self.rows
    }

    /// The action `key` does when `innermost` is where the user is.
    pub fn lookup(&self, innermost: Context, key: KeySpec) -> Option<Action> {
        innermost.chain().iter().find_map(|ctx| {
            self.rows
                .iter()
                .find(|b| b.context == *ctx && b.key == key)
                .map(|b| b.action)
        })
    }

    /// A binding of `key` in a context outside `innermost`'s chain (for "that key
    /// works on the Market page" notices).
    pub fn elsewhere(
        &self,
        innermost: Context,
        key: KeySpec,
        wanted: fn(Context) -> bool,
    ) -> Option<&Binding> {
        self.rows
            .iter()
            .find(|b| b.key == key && wanted(b.context) && !innermost.chain().contains(&b.context))
    }

    /// The keys bound to `action` where `innermost` is (its chain), first one first.
    pub fn keys_for(&self, innermost: Context, action: Action) -> Vec<KeySpec> {
        let chain = innermost.chain();
        self.rows
            .iter()
            .filter(|b| b.action == action && chain.contains(&b.context))
            .map(|b| b.key)
            .collect()
    }

    /// Applies `[keys]` entries (action name, its new keys): each action's keys are
    /// replaced in every context it is bound in. Then no two actions may share a key
    /// where both could fire, and no prompt key may be a printable character.
    pub fn with_overrides(entries: &[(String, Vec<String>)]) -> Result<Keymap, KeymapError> {
        let mut map = Keymap::default();
        for (name, keys) in entries {
            let err = |message: String| KeymapError {
                key: format!("keys.{name}"),
                message,
            };
            let action = Action::from_name(name).ok_or_else(|| {
                let names: Vec<&str> = Action::ALL.iter().map(|a| a.name()).collect();
                err(format!(
                    "unknown action (expected one of {})",
                    names.join(", ")
                ))
            })?;
            if keys.is_empty() {
                return Err(err(
                    "no keys given (expected a key or a list of keys)".into()
                ));
            }
            let specs = keys
                .iter()
                .map(|k| KeySpec::parse(k))
                .collect::<Result<Vec<_>, _>>()
                .map_err(err)?;
            // One row per (context, key), with the context's first description.
            let mut contexts: Vec<(Context, &'static str, u8)> = Vec::new();
            for b in map.rows.iter().filter(|b| b.action == action) {
                if !contexts.iter().any(|(c, _, _)| *c == b.context) {
                    contexts.push((b.context, b.desc, b.hint));
                }
            }
            map.rows.retain(|b| b.action != action);
            for (context, desc, hint) in contexts {
                for (i, key) in specs.iter().enumerate() {
                    if context.takes_text() && key.is_printable() {
                        return Err(err(format!(
                            "{:?} types text {}; bind a key that does not (e.g. \"Ctrl-{}\")",
                            keys[i],
                            context.place(),
                            keys[i].to_ascii_lowercase()
                        )));
                    }
                    let hint = if i == 0 { hint } else { 0 };
                    map.rows.push(Binding {
                        key: *key,
                        context,
                        action,
                        desc,
                        hint,
                    });
                }
            }
        }
        map.check_clashes(entries)?;
        Ok(map)
    }

    /// Two different actions on one key in overlapping contexts. The error is
    /// reported on the rebound action (the one the user wrote).
    fn check_clashes(&self, entries: &[(String, Vec<String>)]) -> Result<(), KeymapError> {
        for (i, a) in self.rows.iter().enumerate() {
            for b in &self.rows[i + 1..] {
                if a.key != b.key || a.action == b.action || !a.context.overlaps(b.context) {
                    continue;
                }
                let written = |x: &Binding| entries.iter().any(|(n, _)| n == x.action.name());
                // The defaults let an inner context shadow an outer one on purpose (←
                // picks a chart mark in the symbol view, a panel elsewhere); a key the
                // config binds may not, and one context never holds a key twice.
                if a.context != b.context && !written(a) && !written(b) {
                    continue;
                }
                let (mine, theirs) = if written(b) && !written(a) {
                    (b, a)
                } else {
                    (a, b)
                };
                return Err(KeymapError {
                    key: format!("keys.{}", mine.action.name()),
                    message: format!(
                        "\"{}\" is already bound to {} {} ({}); rebind that too or pick another key",
                        mine.key,
                        theirs.action.name(),
                        theirs.context.place(),
                        theirs.desc
                    ),
                });
            }
        }
        Ok(())
    }
}

#[cfg(test)]
#[path = "keymap_tests.rs"]
mod keymap_tests;
