//! Operator commands on the engine state: force or return the failover, reset an
//! upstream or a symbol's price breaker, and a manual reconnect. Each returns the
//! engine's decision as a [`CommandReply`], which the shell sends back to whoever
//! asked: the API answers with it and the TUI shows a refusal's reason.

use super::routing::show;
use super::{Effects, EngineState};
use crate::domain::router::{RouterInput, RouterState};
use crate::domain::types::Symbol;
use crate::engine::snapshot::PricePoint;
use crate::messages::command::{
    CommandReply, FailoverAction, ALPACA_REST, ALPACA_STREAM, YAHOO_HTTP,
};

impl EngineState {
    /// Operator: force the fallback, return to the primary, or toggle (`f`). Forcing
    /// a forced fallback, or returning from one that is not forced, changes nothing
    /// and is refused, saying why.
    pub fn failover_command(&mut self, action: FailoverAction, fx: &mut Effects) -> CommandReply {
        let before = self.router.state();
        let manual = RouterState::ManualFallback;
        let refusal = match action {
            FailoverAction::Force if before == manual => Some(format!(
                "Failover (force) refused: the fallback is already forced ({manual}); \
                 return it first (f, or POST /api/health/failover?action=return)"
            )),
            FailoverAction::Return if before != manual => Some(format!(
                "Failover (return) refused: the router is {before}, not {manual}; \
                 only a forced fallback can be returned"
            )),
            _ => None,
        };
        if let Some(text) = refusal {
            self.command_event(text.clone(), fx);
            return CommandReply::refused(text);
        }
        let transitions = match action {
            FailoverAction::Force => self.router.handle(self.now, RouterInput::ForceFallback),
            FailoverAction::Return => self.router.handle(self.now, RouterInput::ReturnToPrimary),
            FailoverAction::Toggle => self.router.toggle_manual(self.now),
        };
        for t in transitions {
            self.on_transition(t, fx);
        }
        let after = self.router.state();
        let reply = if before == after {
            CommandReply::refused(format!(
                "Failover command ({}) changed nothing: router stays {after}",
                action.as_str()
            ))
        } else {
            CommandReply::done(format!(
                "Failover command ({}): router {before} → {after}",
                action.as_str()
            ))
        };
        self.command_event(reply.message.clone(), fx);
        reply
    }

    /// Operator: reset an upstream breaker by name. A closed breaker's reset still
    /// clears its window of recent calls, so it is done, not refused.
    pub fn reset_breaker(&mut self, name: &str, fx: &mut Effects) -> CommandReply {
        let now = self.now;
        let Some(b) = self.upstreams.get_mut(name) else {
            let text = format!(
                "Breaker reset refused: no upstream breaker named {name:?} (expected {YAHOO_HTTP}, {ALPACA_STREAM} or {ALPACA_REST})"
            );
            self.command_event(text.clone(), fx);
            return CommandReply::not_found(text);
        };
        let t = b.reset(now);
        let was = t.as_ref().map(|t| t.from);
        self.breaker_changed(t, fx);
        if name == ALPACA_STREAM {
            fx.stream_hold = Some(None);
        }
        if name == YAHOO_HTTP {
            self.update_fallback_health(fx);
        }
        let text = match was {
            Some(from) => format!("Circuit breaker {name} reset by the operator: {from} → CLOSED"),
            None => format!(
                "Circuit breaker {name} reset by the operator: it was CLOSED; its recent calls are cleared"
            ),
        };
        self.command_event(text.clone(), fx);
        CommandReply::done(text)
    }

    /// Operator: reset a symbol's price breaker; the held price becomes the price.
    pub fn reset_symbol_breaker(&mut self, sym: &Symbol, fx: &mut Effects) -> CommandReply {
        let Some(&i) = self.index.get(sym) else {
            let text = format!("Breaker reset refused: {sym} is not in the watchlist");
            self.command_event(text.clone(), fx);
            return CommandReply::not_found(text);
        };
        let mut out = std::mem::take(&mut self.validation_out);
        let reset = self.validator.reset_breaker(self.now, i, &mut out);
        self.validation_out = out;
        let route = self.route;
        let v = &mut self.watchlist[i];
        v.held = None;
        let reply = match (reset.alpaca, reset.yahoo) {
            (Some(p), _) => {
                let as_of = v.alpaca.map_or(self.now, |a| a.as_of);
                v.alpaca = Some(PricePoint { price: p, as_of });
                show(v, route);
                CommandReply::done(format!(
                    "Price breaker for {sym} reset by the operator: {p} accepted"
                ))
            }
            (None, Some(p)) => CommandReply::done(format!(
                "Price breaker for {sym} reset by the operator: Yahoo's {p} accepted"
            )),
            (None, None) => CommandReply::refused(format!(
                "Price breaker for {sym} was not tripped; nothing to reset"
            )),
        };
        self.drain_validation(fx);
        self.command_event(reply.message.clone(), fx);
        reply
    }

    /// A manual reconnect is the operator acting: the stream breaker closes too.
    pub fn manual_reconnect(&mut self, fx: &mut Effects) {
        let t = self.upstreams.alpaca_stream.reset(self.now);
        self.breaker_changed(t, fx);
        fx.stream_hold = Some(None);
    }
}
