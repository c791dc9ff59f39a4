//! The hot path inside the engine state: one parsed Alpaca frame's messages are
//! validated, then applied (prices, quotes, the link's handshake states, server errors,
//! the subscription set), with feed latency recorded and parse problems rate-limited.

use super::{Effects, EngineState, FRESH_LATENCY_CAP, PARSE_EVENTS_PER_SEC};
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::{Source, Ts};
use crate::domain::validate::{ValidationEventKind, Verdict};
use crate::domain::wire::{Bar, BarKind, Msg, ParseIssue};
use crate::messages::LinkState;

impl EngineState {
    /// One Alpaca frame, already parsed, received at `at`.
    pub fn apply_frame(&mut self, at: Ts, msgs: &[Msg], issues: &[ParseIssue], fx: &mut Effects) {
        self.advance(at);
        self.on_time(fx);
        self.counters.frames += 1;
        if !msgs.is_empty() {
            self.alpaca.last_message_at = Some(at);
            // A message on a subscribed link is a sign of life (one router input per
            // frame is enough). A reconnect's handshake (welcome, auth) is not: it
            // would restart the failover delay of a primary that is still failing,
            // and the subscription confirmation reports PrimaryUp itself.
            if self.alpaca.state == LinkState::Subscribed {
                self.route_input(crate::domain::router::RouterInput::PrimaryMessage, fx);
            }
        }
        for m in msgs {
            self.apply_msg(m, fx);
        }
        for issue in issues {
            self.apply_issue(issue, fx);
        }
        if !self.validation_out.is_empty() {
            self.drain_validation(fx);
        }
    }

    /// Turns the validator's notes into events (the runbook's log lines).
    pub(super) fn drain_validation(&mut self, fx: &mut Effects) {
        let out = std::mem::take(&mut self.validation_out);
        for ve in &out {
            if let Some(&i) = self.index.get(&ve.symbol) {
                let v = &mut self.watchlist[i];
                match ve.kind {
                    ValidationEventKind::BreakerTripped => {
                        // A trip confirmed within the same second would otherwise
                        // never be seen by the once-a-second alert evaluation (X4).
                        let trips = &mut self.alerting.pending_trips;
                        if !trips.contains(&ve.symbol) && trips.len() < 64 {
                            trips.push(ve.symbol.clone());
                        }
                    }
                    ValidationEventKind::BreakerClosed => v.held = None,
                    _ => {}
                }
                // Rejections and trips are marked on the symbol's chart.
                if matches!(
                    ve.kind,
                    ValidationEventKind::Rejected | ValidationEventKind::BreakerTripped
                ) {
                    v.bars.mark(crate::domain::bars::Marker {
                        at: ve.at,
                        tripped: ve.kind == ValidationEventKind::BreakerTripped,
                        reason: ve.text.clone(),
                    });
                }
            }
            let ev = Event::new(ve.at, ve.level, EventKind::Validation, ve.text.clone())
                .with_symbol(ve.symbol.clone());
            self.emit(fx, ev);
        }
        let mut out = out;
        out.clear();
        self.validation_out = out;
    }

    fn apply_msg(&mut self, m: &Msg, fx: &mut Effects) {
        let ty = m.msg_type();
        self.by_type[ty.index()] += 1;
        if ty.is_data() {
            self.counters.messages += 1;
        } else {
            self.counters.control_messages += 1;
        }
        match m {
            Msg::Trade(t) => self.apply_trade(t, fx),
            Msg::Quote(q) => {
                self.record_feed_latency(q.ts);
                let idx = self.index.get(&q.symbol).copied();
                let verdict =
                    self.validator
                        .check_quote(self.now, idx, q, &mut self.validation_out);
                let Some(i) = idx else {
                    self.counters.unwatched += 1;
                    return;
                };
                if verdict != Verdict::Accept || !self.quote_sets_nbbo(i, q) {
                    return;
                }
                let v = &mut self.watchlist[i];
                v.bid = Some(q.bid_price);
                v.ask = Some(q.ask_price);
                v.quote_at = Some(q.ts);
            }
            Msg::Bar(b) => {
                let idx = self.index.get(&b.symbol).copied();
                let verdict = self
                    .validator
                    .check_bar(self.now, idx, b, &mut self.validation_out);
                match (verdict, b.kind, idx) {
                    (Verdict::Accept, BarKind::Daily, Some(i)) => self.daily_bar_reference(i, b),
                    (Verdict::Accept, BarKind::Minute | BarKind::Updated, Some(i)) => {
                        if let Some(minute) = crate::domain::bars::minute_of(b.ts) {
                            self.watchlist[i].bars.bar(crate::domain::bars::MinuteBar {
                                open: b.open,
                                high: b.high,
                                low: b.low,
                                close: b.close,
                                volume: b.volume,
                                minute,
                                source: crate::domain::bars::BarSource::Alpaca,
                            });
                        }
                    }
                    _ => {}
                }
            }
            Msg::Correction(c) => self.apply_correction(c, fx),
            Msg::CancelError(x) => self.apply_cancel(x, fx),
            Msg::Status(_) | Msg::Luld(_) | Msg::Imbalance(_) => {}
            Msg::Success { msg } => match msg.as_str() {
                "connected" => self.set_link(
                    LinkState::Connected,
                    fx,
                    "Successfully connected to Alpaca WebSocket",
                ),
                "authenticated" => {
                    self.alerting.auth_failures = 0;
                    self.set_link(
                        LinkState::Authenticated,
                        fx,
                        "Alpaca authentication successful",
                    )
                }
                other => {
                    let ev = Event::new(
                        self.now,
                        Level::Info,
                        EventKind::Connection,
                        format!("Alpaca success: {other}"),
                    )
                    .with_source(Source::Alpaca);
                    self.emit(fx, ev);
                }
            },
            Msg::Error { code, msg } => {
                if *code == 402 {
                    self.alerting.auth_failures = self.alerting.auth_failures.saturating_add(1);
                }
                let text = format!("{code} {msg}");
                // The live stream task may already have set a fuller explanation.
                if !self
                    .alpaca
                    .last_error
                    .as_deref()
                    .is_some_and(|e| e.contains(&text))
                {
                    self.alpaca.last_error = Some(text.clone());
                }
                let ev = Event::new(
                    self.now,
                    Level::Error,
                    EventKind::ServerError,
                    format!("Alpaca error {text}"),
                )
                .with_source(Source::Alpaca);
                self.emit(fx, ev);
            }
            Msg::Subscription(s) => {
                let symbols = s.all_symbols();
                let changed = symbols != self.alpaca.subscribed_symbols;
                self.alpaca.subscribed_symbols = symbols;
                self.set_link(LinkState::Subscribed, fx, "subscription confirmed");
                if changed {
                    self.alerting.pending_subscription = Some(format!(
                        "{} symbols subscribed",
                        self.alpaca.subscribed_symbols.len()
                    ));
                    let ev = Event::new(
                        self.now,
                        Level::Info,
                        EventKind::Subscription,
                        format!(
                            "Subscription confirmed: {} symbols",
                            self.alpaca.subscribed_symbols.len()
                        ),
                    )
                    .with_source(Source::Alpaca);
                    self.emit(fx, ev);
                }
            }
        }
    }

    /// A daily bar (`d`) gives the breaker a reference for a symbol with no
    /// accepted print yet: its close. Its stamp is the start of its day, so a bar
    /// stamped a day or more ago is a finished day: its close is the previous close.
    #[cold]
    fn daily_bar_reference(&mut self, i: usize, b: &Bar) {
        if b.close <= rust_decimal::Decimal::ZERO {
            return;
        }
        self.validator.set_reference(i, b.close);
        const DAY_MS: i64 = 24 * 3_600 * 1_000;
        if self.now.millis_since(b.ts) >= DAY_MS {
            self.watchlist[i].prev_close = Some(b.close);
        }
    }

    pub(super) fn record_feed_latency(&mut self, stamped: Ts) {
        let ns = self.now.as_nanos().saturating_sub(stamped.as_nanos());
        if ns < 0 {
            self.latency.future_stamped += 1;
        } else {
            let us = u64::try_from(ns / 1_000).unwrap_or(u64::MAX);
            self.alpaca_feed_latency.record_n(self.now, us, 1);
            self.reliability.count_latency(us);
            // Bounded: with nobody draining (tests, benches) the queue stops growing.
            if self.fresh_latency_us.len() < FRESH_LATENCY_CAP {
                self.fresh_latency_us.push(us);
            }
        }
    }

    /// Hands the queued message latencies (µs) to `f`, oldest first.
    pub fn drain_latencies(&mut self, mut f: impl FnMut(u64)) {
        for us in self.fresh_latency_us.drain(..) {
            f(us);
        }
    }

    /// Recomputes the latency windows when engine time has moved to a new second (or
    /// always, with `force`, for a final snapshot).
    pub fn refresh_latency(&mut self, force: bool) {
        let sec = self.now.as_nanos().div_euclid(1_000_000_000);
        if !force && sec == self.latency_refreshed_sec {
            return;
        }
        self.latency_refreshed_sec = sec;
        self.latency.alpaca_feed_us = self.alpaca_feed_latency.view(self.now);
        self.latency.yahoo_feed_us = self.yahoo_feed_latency.view(self.now);
    }

    fn apply_issue(&mut self, issue: &ParseIssue, fx: &mut Effects) {
        if let ParseIssue::NonFinite { symbol, field, .. } = issue {
            // Counted and logged by validation (rule non_finite); nothing is shown.
            let symbol = symbol.clone().unwrap_or_else(|| "?".into());
            let idx = self.index.get(&symbol).copied();
            self.validator.record_non_finite(
                self.now,
                idx,
                &symbol,
                field,
                &mut self.validation_out,
            );
            return;
        }
        if let ParseIssue::UnknownType { tag, .. } = issue {
            self.counters.unknown_types += 1;
            // One event per new type is enough to notice a protocol change.
            if self.unknown_seen.len() < 64 && !self.unknown_seen.contains(tag) {
                self.unknown_seen.push(tag.clone());
                let ev = Event::new(
                    self.now,
                    Level::Warn,
                    EventKind::UnknownType,
                    format!("unknown message type T={tag:?} skipped"),
                )
                .with_source(Source::Alpaca);
                self.emit(fx, ev);
            }
            return;
        }
        self.counters.parse_errors += match issue {
            ParseIssue::Suppressed { count } => *count as u64,
            _ => 1,
        };
        let second = self.now.as_nanos().div_euclid(1_000_000_000);
        if second != self.parse_events_second {
            self.parse_events_second = second;
            self.parse_events_in_second = 0;
        }
        if self.parse_events_in_second >= PARSE_EVENTS_PER_SEC {
            self.parse_events_suppressed += 1;
            return;
        }
        self.parse_events_in_second += 1;
        let mut text = format!("Parse error: {issue}");
        if self.parse_events_suppressed > 0 {
            text.push_str(&format!(
                " (+{} more not logged)",
                self.parse_events_suppressed
            ));
            self.parse_events_suppressed = 0;
        }
        let ev = Event::new(self.now, Level::Warn, EventKind::ParseError, text)
            .with_source(Source::Alpaca);
        self.emit(fx, ev);
    }
}
