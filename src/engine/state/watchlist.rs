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
        let held = remove
            .iter()
            .filter(|s| self.index.contains_key(*s))
            .find_map(|s| Some((s, self.position_qty(s)?)));
        let text = if let Some((sym, qty)) = held {
            Err(format!(
                "Watchlist change refused: {sym} has a position ({} shares); a symbol with a position is always watched, so its P&L stays priced",
                qty.normalize()
            ))
        } else if added.is_empty() && removed.is_empty() {
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
            self.remember_departed(remove);
            let mut next = next;
            for v in next.iter_mut().filter(|v| v.price.is_none()) {
                self.restore_departed(v);
            }
            fx.backfill.extend(added.iter().map(|s| Symbol::from(*s)));
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
            // A remembered previous close is the breaker's reference again.
            for (i, v) in self.watchlist.iter().enumerate() {
                if let (Some(prev), None) = (v.prev_close, v.price) {
                    self.validator.set_reference(i, prev);
                }
            }
            fx.watchlist = Some(list.clone());
            Ok((list, text.clone()))
        } else {
            Err(text.clone())
        };
        let ev = Event::new(self.now, level, EventKind::Command, text);
        self.emit(fx, ev);
        result
    }

    /// Keeps what a removed symbol knew that does not come back by itself soon: its
    /// previous close (Yahoo sends it once a minute at best) and its bars.
    fn remember_departed(&mut self, remove: &[Symbol]) {
        for sym in remove {
            let Some(&i) = self.index.get(sym) else {
                continue;
            };
            let v = &self.watchlist[i];
            self.departed.retain(|(s, _, _)| s != sym);
            if self.departed.len() == super::DEPARTED_KEPT {
                self.departed.pop_front();
            }
            self.departed
                .push_back((sym.clone(), v.prev_close, v.bars.clone()));
        }
    }

    fn restore_departed(&mut self, v: &mut SymbolView) {
        if let Some(k) = self.departed.iter().position(|(s, _, _)| *s == v.symbol) {
            if let Some((_, prev, bars)) = self.departed.remove(k) {
                v.prev_close = v.prev_close.or(prev);
                v.bars = bars;
            }
        }
    }

    /// Adds the symbols of positions the watchlist lacks: a position is always priced.
    pub(super) fn watch_positions(&mut self, fx: &mut Effects) {
        let missing = self.unwatched_positions();
        if missing.is_empty() {
            return;
        }
        let names: Vec<&str> = missing.iter().map(|s| s.as_str()).collect();
        let text = format!(
            "Watching {}: a position is held, so it is always priced",
            names.join(", ")
        );
        let ev = Event::new(self.now, Level::Info, EventKind::Command, text);
        self.emit(fx, ev);
        let _ = self.apply_watchlist_change(&missing, &[], fx);
    }
}
