//! Operator commands on the engine state: force or return the failover, reset an
//! upstream or a symbol's price breaker, and a manual reconnect.

use super::routing::{show, ALPACA_REST, ALPACA_STREAM, YAHOO_HTTP};
use super::{Effects, EngineState};
use crate::engine::snapshot::PricePoint;
use crate::router::RouterInput;
use crate::types::Symbol;

impl EngineState {
    /// Operator: force the fallback, return to the primary, or toggle (`f`).
    pub fn failover_command(&mut self, action: FailoverAction, fx: &mut Effects) -> String {
        let before = self.router.state();
        let transitions = match action {
            FailoverAction::Force => self.router.handle(self.now, RouterInput::ForceFallback),
            FailoverAction::Return => self.router.handle(self.now, RouterInput::ReturnToPrimary),
            FailoverAction::Toggle => self.router.toggle_manual(self.now),
        };
        for t in transitions {
            self.on_transition(t, fx);
        }
        let after = self.router.state();
        let text = if before == after {
            format!(
                "Failover command ({}) changed nothing: router stays {after}",
                action.as_str()
            )
        } else {
            format!(
                "Failover command ({}): router {before} → {after}",
                action.as_str()
            )
        };
        self.command_event(text.clone(), fx);
        text
    }

    /// Operator: reset an upstream breaker by name.
    pub fn reset_breaker(&mut self, name: &str, fx: &mut Effects) -> Result<String, String> {
        let now = self.now;
        let Some(b) = self.upstreams.get_mut(name) else {
            return Err(format!(
                "no upstream breaker named {name:?} (expected {YAHOO_HTTP}, {ALPACA_STREAM} or {ALPACA_REST})"
            ));
        };
        let t = b.reset(now);
        self.breaker_changed(t, fx);
        if name == ALPACA_STREAM {
            fx.stream_hold = Some(None);
        }
        if name == YAHOO_HTTP {
            self.update_fallback_health(fx);
        }
        let text = format!("Circuit breaker {name} reset by the operator");
        self.command_event(text.clone(), fx);
        Ok(text)
    }

    /// Operator: reset a symbol's price breaker; the held price becomes the price.
    pub fn reset_symbol_breaker(&mut self, sym: &Symbol, fx: &mut Effects) {
        let Some(&i) = self.index.get(sym) else {
            self.command_event(
                format!("Breaker reset ignored: {sym} is not in the watchlist"),
                fx,
            );
            return;
        };
        let mut out = std::mem::take(&mut self.validation_out);
        let accepted = self.validator.reset_breaker(self.now, i, &mut out);
        self.validation_out = out;
        let route = self.route;
        let v = &mut self.watchlist[i];
        v.held = None;
        let text = match accepted {
            Some(p) => {
                let as_of = v.alpaca.map_or(self.now, |a| a.as_of);
                v.alpaca = Some(PricePoint { price: p, as_of });
                show(v, route);
                format!("Price breaker for {sym} reset by the operator: {p} accepted")
            }
            None => format!("Price breaker for {sym} was not tripped; nothing to reset"),
        };
        self.drain_validation(fx);
        self.command_event(text, fx);
    }

    /// A manual reconnect is the operator acting: the stream breaker closes too.
    pub fn manual_reconnect(&mut self, fx: &mut Effects) {
        let t = self.upstreams.alpaca_stream.reset(self.now);
        self.breaker_changed(t, fx);
        fx.stream_hold = Some(None);
    }
}

#[derive(Copy, Clone, Debug, PartialEq, Eq)]
pub enum FailoverAction {
    Force,
    Return,
    Toggle,
}

impl FailoverAction {
    pub const fn as_str(self) -> &'static str {
        match self {
            FailoverAction::Force => "force",
            FailoverAction::Return => "return",
            FailoverAction::Toggle => "toggle",
        }
    }
    pub fn parse(s: &str) -> Option<FailoverAction> {
        match s {
            "force" => Some(FailoverAction::Force),
            "return" => Some(FailoverAction::Return),
            "toggle" => Some(FailoverAction::Toggle),
            _ => None,
        }
    }
}
