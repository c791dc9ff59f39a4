//! The command palette's commands (`:`), as data: each one's name, arguments and
//! description (the help and the completion list show them), the parser that turns a
//! line into what to run, and completion of command names and arguments from the
//! snapshot (symbols, alert ids, breaker names, themes, pages).

use super::state::Page;
use crate::domain::alerts::{Actor, RULES};
use crate::domain::pace::SPEED_STEPS;
use crate::domain::portfolio::SortKey;
use crate::domain::types::{parse_symbol, Symbol};
use crate::engine::snapshot::Snapshot;
use crate::messages::command::{FailoverAction, ALPACA_REST, ALPACA_STREAM, YAHOO_HTTP};
use crate::messages::replay::ReplayAction;
use crate::messages::Command;

pub struct PaletteCommand {
    pub name: &'static str,
    pub args: &'static str,
    pub desc: &'static str,
}

const fn c(name: &'static str, args: &'static str, desc: &'static str) -> PaletteCommand {
    PaletteCommand { name, args, desc }
}

#[rustfmt::skip]
pub static COMMANDS: [PaletteCommand; 17] = [
    c("add", "SYMBOL…", "add symbols to the watchlist"),
    c("remove", "SYMBOL…", "remove symbols from the watchlist"),
    c("failover", "", "force the Yahoo fallback"),
    c("return", "", "return from a forced fallback to Alpaca"),
    c("reconnect", "", "reconnect Alpaca now"),
    c("reset", "BREAKER", "reset an upstream circuit breaker (yahoo_http, alpaca_stream, alpaca_rest)"),
    c("reset-symbol", "SYMBOL", "accept a symbol's held price (reset its price breaker)"),
    c("ack", "ALERT", "acknowledge a firing alert"),
    c("snooze", "ALERT [MINUTES]", "snooze an alert's notifications (default 30, at most 1440 minutes)"),
    c("theme", "NAME", "switch the colour theme (default, light, mono)"),
    c("sort", "KEY [asc|desc]", "sort the positions by symbol, value, pnl, day or weight"),
    c("speed", "N|max|faster|slower", "change the replay's pace (N: 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 100, 300, 1000)"),
    c("goto", "PAGE", "show a page: market, health, positions, alerts"),
    c("filter", "[TEXT]", "filter the list in view (no text clears it)"),
    c("open", "", "open the selected row in full"),
    c("help", "", "show the keys"),
    c("quit", "", "quit tapewatch"),
];

/// The themes shipped in `themes/` (others load too, by file name).
pub const THEMES: [&str; 3] = ["default", "light", "mono"];
const BREAKERS: [&str; 3] = [YAHOO_HTTP, ALPACA_STREAM, ALPACA_REST];
const PAGES: [(&str, Page); 4] = [
    ("market", Page::Market),
    ("health", Page::Health),
    ("positions", Page::Positions),
    ("alerts", Page::Alerts),
];
const SORT_KEYS: [(&str, SortKey); 6] = [
    ("symbol", SortKey::Symbol),
    ("value", SortKey::MarketValue),
    ("pnl", SortKey::UnrealizedPl),
    ("pl", SortKey::UnrealizedPl),
    ("day", SortKey::DayPl),
    ("weight", SortKey::Weight),
];
const SPEEDS: [&str; 10] = [
    "1", "2", "5", "10", "20", "60", "max", "faster", "slower", "pause",
];
/// `snooze` without minutes, as `z` does.
pub const SNOOZE_DEFAULT_MINUTES: u32 = 30;

/// What a palette line asks for.
#[derive(Debug)]
pub enum Run {
    /// An engine command; its answer goes to the event log (and a refusal to the
    /// status line).
    Send(Command),
    Page(Page),
    Theme(String),
    Sort(SortKey, Option<bool>),
    Filter(String),
    Open,
    Help,
    Quit,
}

fn symbols(args: &[&str], cmd: &str) -> Result<Vec<Symbol>, String> {
    if args.is_empty() {
        return Err(format!("{cmd}: give at least one symbol, e.g. {cmd} NFLX"));
    }
    // Letters are upper-cased (as the add prompt does, on screen); nothing else changes.
    args.iter()
        .map(|a| parse_symbol(&a.to_ascii_uppercase()).map_err(|e| format!("{cmd}: {e}")))
        .collect()
}

fn one<'a>(args: &[&'a str], cmd: &str, what: &str) -> Result<&'a str, String> {
    match args {
        [a] => Ok(a),
        [] => Err(format!("{cmd}: give {what}")),
        _ => Err(format!(
            "{cmd}: takes one argument ({what}), got {}",
            args.len()
        )),
    }
}

fn none(args: &[&str], cmd: &str) -> Result<(), String> {
    if args.is_empty() {
        Ok(())
    } else {
        Err(format!("{cmd}: takes no arguments"))
    }
}

/// Parses one palette line. The error says what is wrong, in words for the prompt line.
pub fn parse(line: &str) -> Result<Run, String> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let Some((&cmd, args)) = words.split_first() else {
        return Err("type a command (Tab lists them)".into());
    };
    let send = |c: Command| Ok(Run::Send(c));
    match cmd {
        "add" => send(Command::ChangeWatchlist {
            add: symbols(args, cmd)?,
            remove: Vec::new(),
        }),
        "remove" | "rm" => send(Command::ChangeWatchlist {
            add: Vec::new(),
            remove: symbols(args, cmd)?,
        }),
        "failover" => none(args, cmd).and(send(Command::Failover(FailoverAction::Force))),
        "return" => none(args, cmd).and(send(Command::Failover(FailoverAction::Return))),
        "reconnect" => none(args, cmd).and(send(Command::ReconnectAlpaca)),
        "reset" => {
            let name = one(
                args,
                cmd,
                "a breaker: yahoo_http, alpaca_stream or alpaca_rest",
            )?;
            send(Command::ResetBreaker(name.to_string()))
        }
        "reset-symbol" => {
            let sym = one(args, cmd, "a symbol")?;
            let mut s = symbols(&[sym], cmd)?;
            send(Command::ResetSymbolBreaker(s.remove(0)))
        }
        "ack" => {
            let id = one(args, cmd, "an alert id, e.g. H1")?;
            send(Command::AckAlert {
                id: id.to_ascii_uppercase(),
                actor: Actor::Tui,
            })
        }
        "snooze" => {
            let (id, minutes) = match args {
                [id] => (*id, SNOOZE_DEFAULT_MINUTES),
                [id, m] => match m.parse::<u32>() {
                    Ok(n) if (1..=1440).contains(&n) => (*id, n),
                    _ => {
                        return Err(format!(
                            "snooze: {m:?} is not a whole number of minutes from 1 to 1440"
                        ))
                    }
                },
                _ => {
                    return Err(
                        "snooze: give an alert id and optionally minutes, e.g. snooze H1 30".into(),
                    )
                }
            };
            send(Command::SnoozeAlert {
                id: id.to_ascii_uppercase(),
                minutes,
                actor: Actor::Tui,
            })
        }
        "theme" => Ok(Run::Theme(
            one(args, cmd, "a theme name: default, light or mono")?.to_string(),
        )),
        "sort" => {
            let (key, order) = match args {
                [k] => (*k, None),
                [k, o] => (*k, Some(*o)),
                _ => {
                    return Err(
                        "sort: give a key and optionally asc or desc, e.g. sort pnl desc".into(),
                    )
                }
            };
            let key = SORT_KEYS
                .iter()
                .find(|(n, _)| n.eq_ignore_ascii_case(key))
                .map(|(_, k)| *k)
                .ok_or_else(|| format!("sort: {key:?} is not a sort key (expected symbol, value, pnl, day or weight)"))?;
            let descending = match order {
                None => None,
                Some(o) if o.eq_ignore_ascii_case("desc") => Some(true),
                Some(o) if o.eq_ignore_ascii_case("asc") => Some(false),
                Some(o) => {
                    return Err(format!(
                        "sort: {o:?} is not an order (expected asc or desc)"
                    ))
                }
            };
            Ok(Run::Sort(key, descending))
        }
        "speed" => {
            let s = one(
                args,
                cmd,
                "a speed: 0.25 to 1000 (times real time), max, faster or slower",
            )?;
            let action = match s.to_ascii_lowercase().as_str() {
                "max" => ReplayAction::SetSpeed(None),
                "faster" | "+" => ReplayAction::Faster,
                "slower" | "-" => ReplayAction::Slower,
                "pause" | "resume" => ReplayAction::TogglePause,
                "restart" => ReplayAction::Restart,
                _ => {
                    let step = s
                        .parse::<f64>()
                        .ok()
                        .and_then(|f| SPEED_STEPS.iter().position(|x| (x - f).abs() < 1e-9));
                    match step.and_then(|i| u8::try_from(i).ok()) {
                        Some(i) => ReplayAction::SetSpeed(Some(i)),
                        None => {
                            let steps: Vec<String> =
                                SPEED_STEPS.iter().map(|x| x.to_string()).collect();
                            return Err(format!(
                                "speed: {s:?} is not a speed (expected one of {}, max, faster or slower)",
                                steps.join(", ")
                            ));
                        }
                    }
                }
            };
            send(Command::Replay(action))
        }
        "goto" | "page" => {
            let p = one(args, cmd, "a page: market, health, positions or alerts")?;
            PAGES
                .iter()
                .find(|(n, pg)| n.starts_with(&p.to_ascii_lowercase()) || p == pg.key().to_string())
                .map(|(_, pg)| Run::Page(*pg))
                .ok_or_else(|| format!("goto: {p:?} is not a page (expected market, health, positions or alerts, or 1-4)"))
        }
        "filter" => Ok(Run::Filter(args.join(" "))),
        "open" => none(args, cmd).map(|()| Run::Open),
        "help" => none(args, cmd).map(|()| Run::Help),
        "quit" | "q" => none(args, cmd).map(|()| Run::Quit),
        other => Err(format!(
            "unknown command {other:?} (Tab lists the commands)"
        )),
    }
}

/// What the word being typed could become: (completion, description).
pub fn candidates(line: &str, snap: &Snapshot) -> Vec<(String, String)> {
    let ends_with_space = line.ends_with(' ') || line.is_empty();
    let words: Vec<&str> = line.split_whitespace().collect();
    let (done, partial) = if ends_with_space {
        (words.as_slice(), "")
    } else {
        let (last, rest) = words.split_last().map_or((&"", &[][..]), |(l, r)| (l, r));
        (rest, *last)
    };
    let lower = partial.to_ascii_lowercase();
    let keep = |v: &str| v.to_ascii_lowercase().starts_with(&lower);
    let Some(cmd) = done.first() else {
        return COMMANDS
            .iter()
            .filter(|c| keep(c.name))
            .map(|c| {
                (
                    c.name.to_string(),
                    format!("{} {}", c.args, c.desc).trim().to_string(),
                )
            })
            .collect();
    };
    let arg_index = done.len() - 1;
    let values: Vec<(String, String)> = match (*cmd, arg_index) {
        ("remove" | "rm" | "reset-symbol", _) => snap
            .watchlist
            .iter()
            .map(|s| (s.symbol.to_string(), held_note(s.held.is_some())))
            .collect(),
        ("reset", 0) => BREAKERS
            .iter()
            .map(|b| (b.to_string(), String::new()))
            .collect(),
        ("ack" | "snooze", 0) => alert_ids(snap),
        ("snooze", 1) => ["15", "30", "60", "240"]
            .iter()
            .map(|m| (m.to_string(), "minutes".into()))
            .collect(),
        ("theme", 0) => THEMES
            .iter()
            .map(|t| (t.to_string(), String::new()))
            .collect(),
        ("sort", 0) => SORT_KEYS
            .iter()
            .filter(|(n, _)| *n != "pl")
            .map(|(n, _)| (n.to_string(), String::new()))
            .collect(),
        ("sort", 1) => [("asc", "ascending"), ("desc", "descending")]
            .iter()
            .map(|(a, d)| (a.to_string(), d.to_string()))
            .collect(),
        ("speed", 0) => SPEEDS
            .iter()
            .map(|s| (s.to_string(), String::new()))
            .collect(),
        ("goto" | "page", 0) => PAGES
            .iter()
            .map(|(n, p)| (n.to_string(), p.label().to_string()))
            .collect(),
        _ => Vec::new(),
    };
    values.into_iter().filter(|(v, _)| keep(v)).collect()
}

fn held_note(held: bool) -> String {
    if held {
        "price held by its breaker".into()
    } else {
        String::new()
    }
}

/// Active alerts first (with their state), then the rest of the catalogue.
fn alert_ids(snap: &Snapshot) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = snap
        .alerts
        .active
        .iter()
        .map(|a| {
            (
                a.id.to_string(),
                format!("{} {} {}", a.severity, a.name, a.state),
            )
        })
        .collect();
    for r in &RULES {
        if !out.iter().any(|(id, _)| id == r.id) {
            out.push((r.id.to_string(), r.name.to_string()));
        }
    }
    out
}

/// Tab: the line with the word being typed completed as far as it is certain (the
/// candidates' common prefix; a space after a unique one).
pub fn complete(line: &str, snap: &Snapshot) -> Option<String> {
    let cands = candidates(line, snap);
    let first = &cands.first()?.0;
    let common = cands.iter().fold(first.clone(), |acc, (c, _)| {
        acc.chars()
            .zip(c.chars())
            .take_while(|(a, b)| a.eq_ignore_ascii_case(b))
            .map(|(a, _)| a)
            .collect()
    });
    let head = match line.rfind(' ') {
        Some(i) => &line[..=i],
        None => "",
    };
    let mut out = format!("{head}{common}");
    if cands.len() == 1 {
        out.push(' ');
    }
    (out != line).then_some(out)
}

#[cfg(test)]
#[path = "palette_tests.rs"]
mod palette_tests;
