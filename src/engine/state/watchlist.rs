//! Run-time watchlist changes: the operator adds and removes symbols; every remaining
//! symbol keeps its state, and the live stream is told the new set. A removed
//! symbol's messages still in flight are dropped quietly by validation (see
//! `validate::in_flight`), never counted as failures.

use super::{Effects, EngineState, MAX_WATCHLIST};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::{Symbol, Ts};
use crate::domain::validate::UNSUBSCRIBED_IN_FLIGHT_SECS;
use crate::engine::snapshot::{Mode, SymbolView};
use crate::messages::{CommandReply, Outcome};

impl EngineState {
    /// Adds and removes symbols (an operator's request), keeping every remaining
    /// symbol's state. Returns the new list, or why nothing changed.
    pub fn change_watchlist(
        &mut self,
        add: &[Symbol],
        remove: &[Symbol],
        fx: &mut Effects,
    ) -> Result<Vec<Symbol>, String> {
        self.apply_watchlist_change(add, remove, fx)
            .map(|(list, _)| list)
    }

    /// The watchlist change as an operator's command. A live run's stream still has
    /// to subscribe to match, so there the change is accepted rather than done.
    pub fn watchlist_command(
        &mut self,
        add: &[Symbol],
        remove: &[Symbol],
        fx: &mut Effects,
    ) -> CommandReply {
        match self.apply_watchlist_change(add, remove, fx) {
            Ok((_, text)) if self.mode == Mode::Live => CommandReply::new(
                Outcome::Accepted,
                format!("{text}; the Alpaca stream subscribes to match"),
            ),
            Ok((_, text)) => CommandReply::done(text),
            Err(text) => CommandReply::refused(text),
        }
    }

    fn apply_watchlist_change(
        &mut self,
        add: &[Symbol],
        remove: &[Symbol],
        fx: &mut Effects,
    ) -> Result<(Vec<Symbol>, String), String> {
        let mut next: Vec<SymbolView> = self
            .watchlist
            .iter()
            .filter(|v| !remove.contains(&v.symbol))
            .cloned()
            .collect();
        let mut added = Vec::new();
        for sym in add {
            if !next.iter().any(|v| v.symbol == *sym) {
                next.push(SymbolView::new(sym.clone()));
                added.push(sym.as_str());
            }
        }
        let removed: Vec<&str> = remove
            .iter()
            .filter(|s| self.index.contains_key(*s))
            .map(|s| s.as_str())
            .collect();
        let text = if added.is_empty() && removed.is_empty() {
            Err("Watchlist unchanged: nothing to add or remove".to_string())
        } else if next.is_empty() {
            Err("Watchlist change refused: it would leave the watchlist empty".to_string())
        } else if next.len() > MAX_WATCHLIST {
            Err(format!(
                "Watchlist change refused: {} symbols exceeds the limit of {MAX_WATCHLIST}",
                next.len()
            ))
        } else {
            Ok(format!(
                "Watchlist changed: added [{}], removed [{}]; {} symbols",
                added.join(", "),
                removed.join(", "),
                next.len()
            ))
        };
        let (level, text, ok) = match text {
            Ok(t) => (Level::Info, t, true),
            Err(t) => (Level::Warn, t, false),
        };
        let result = if ok {
            // Live, the server stops sending once it has the unsubscribe. A
            // recording cannot be unsubscribed: it sends the symbol to the end, so
            // in a replay its messages stay in flight for the rest of the run.
            let in_flight_until = match self.mode {
                Mode::Live => self.now.plus_millis(UNSUBSCRIBED_IN_FLIGHT_SECS * 1_000),
                Mode::Replay | Mode::Demo => Ts(i64::MAX),
            };
            for sym in remove.iter().filter(|s| self.index.contains_key(*s)) {
                self.validator.unsubscribed(sym.clone(), in_flight_until);
            }
            self.watchlist = next;
            self.index = self
                .watchlist
                .iter()
                .enumerate()
                .map(|(i, v)| (v.symbol.clone(), i))
                .collect();
            let list: Vec<Symbol> = self.watchlist.iter().map(|v| v.symbol.clone()).collect();
            self.validator.sync_symbols(&list);
            self.prints.sync_symbols(&list);
            fx.watchlist = Some(list.clone());
            Ok((list, text.clone()))
        } else {
            Err(text.clone())
        };
        let ev = Event::new(self.now, level, EventKind::Command, text);
        self.emit(fx, ev);
        result
    }
}
