//! The screen's key actions from issue 14, one named function each, called from
//! [`super::perform`] for the keymap's rows: the symbol view (Enter opens it on the selected row, Esc backs out, `c`
//! candles, `t` time frame, `←`/`→` validation marks), the replay controls (Space,
//! `+`, `-`, `R`), and the questions asked before a key does something that cannot
//! be taken back (`b` accepting a held price: y or Enter yes, n or Esc no).

use super::chart::ChartOpts;
use super::dispatch::Effect;
use super::state::{Page, UiState};
use crate::domain::types::Symbol;
use crate::engine::snapshot::Snapshot;
use crate::messages::replay::ReplayAction;
use crate::messages::Command;
use crossterm::event::KeyCode;

/// The symbol view's own state; the symbol is the watchlist's selected row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SymbolViewState {
    pub chart: ChartOpts,
}

/// A question on the status line, and what a yes does.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Confirm {
    pub question: String,
    /// Yes accepts this symbol's held price.
    pub symbol: Symbol,
}

impl UiState {
    /// Enter on the Market page: the selected symbol's chart.
    pub fn open_symbol_view(&mut self, snap: &Snapshot) -> Option<Effect> {
        super::lists::selected_symbol(snap, self)?;
        self.symbol_view = Some(SymbolViewState {
            chart: ChartOpts {
                full: true,
                ..ChartOpts::default()
            },
        });
        Some(Effect::Ui)
    }

    /// Esc in the symbol view: back to the watchlist.
    pub fn close_symbol_view(&mut self) -> Option<Effect> {
        self.symbol_view = None;
        Some(Effect::Ui)
    }

    /// `c`: candlesticks or the line.
    pub fn toggle_candles(&mut self) -> Option<Effect> {
        let v = self.symbol_view.as_mut()?;
        v.chart.candles = !v.chart.candles;
        Some(Effect::Ui)
    }

    /// `t`: 1 → 5 → 15 minutes a bar.
    pub fn next_time_frame(&mut self) -> Option<Effect> {
        let v = self.symbol_view.as_mut()?;
        v.chart.frame = v.chart.frame.next();
        Some(Effect::Ui)
    }

    /// `←`/`→`: the previous or next validation mark of the symbol (newest last).
    pub fn select_mark(&mut self, snap: &Snapshot, forward: bool) -> Option<Effect> {
        let row = super::lists::selected_symbol(snap, self)?;
        let n = row.bars.markers().len();
        let v = self.symbol_view.as_mut()?;
        if n == 0 {
            self.notice = Some(format!(
                "{}: no rejections or breaker trips to select",
                row.symbol
            ));
            return None;
        }
        v.chart.mark = Some(match (v.chart.mark, forward) {
            (None, _) => n - 1,
            (Some(m), true) => (m + 1).min(n - 1),
            (Some(m), false) => m.saturating_sub(1),
        });
        Some(Effect::Ui)
    }

    /// Space, `+`, `-`, `R`: the engine decides (a live session refuses).
    pub fn replay_control(&mut self, action: ReplayAction) -> Option<Effect> {
        Some(Effect::Send(Command::Replay(action)))
    }

    /// `b`: asks before accepting a held print, showing the move it makes.
    pub fn ask_reset_breaker(&mut self, snap: &Snapshot) -> Option<Effect> {
        // The selection is only visible on the Market page; acting on an unseen row
        // would reset a breaker the operator did not look at.
        if self.page != Page::Market {
            self.notice = Some(
                "b accepts the selected symbol's held price: press 1 for the Market page first"
                    .into(),
            );
            return None;
        }
        let row = super::lists::selected_symbol(snap, self)?;
        let sym = row.symbol.clone();
        let Some(t) = snap.validation.tripped.iter().find(|t| t.symbol == sym) else {
            // Sent anyway: the engine answers why not, in the API's words.
            return Some(Effect::Send(Command::ResetSymbolBreaker(sym)));
        };
        let moved = if t.reference.is_zero() {
            String::new()
        } else {
            let pct =
                (t.held_price - t.reference) * rust_decimal::Decimal::ONE_HUNDRED / t.reference;
            format!(
                " ({} from {})",
                super::format::pct(pct.round_dp(2)),
                super::format::price(t.reference)
            )
        };
        self.confirm = Some(Confirm {
            question: format!(
                "Accept {sym} at the held {}{moved}? y yes · n no",
                super::format::price(t.held_price)
            ),
            symbol: sym,
        });
        Some(Effect::Ui)
    }

    /// A key while a question is open: y or Enter does it, anything else cancels.
    pub fn answer_confirm(&mut self, code: KeyCode) -> Option<Effect> {
        let c = self.confirm.take()?;
        match code {
            KeyCode::Char('y') | KeyCode::Char('Y') | KeyCode::Enter => {
                Some(Effect::Send(Command::ResetSymbolBreaker(c.symbol)))
            }
            _ => {
                self.notice = Some("cancelled: nothing was changed".into());
                Some(Effect::Ui)
            }
        }
    }
}

/// Why `d` cannot remove `sym`: it has a position (the engine refuses too).
pub fn removal_refusal(snap: &Snapshot, sym: &Symbol) -> Option<String> {
    let p = snap.portfolio.positions.iter().find(|p| p.symbol == *sym)?;
    (!p.qty.is_zero()).then(|| {
        format!(
            "{sym} has a position ({} shares): a symbol with a position is always watched",
            p.qty.normalize()
        )
    })
}
