//! Alpaca's own trade-condition lists, fetched at a live start, against the built-in
//! tables: a code the table does not know is named in the event log (prints carrying
//! it update volume only), so a plan change shows up on the first day.

use super::{Effects, EngineState};
use crate::domain::conditions::TableCheck;
use crate::domain::event::{Event, EventKind, Level};
use crate::domain::types::Source;

impl EngineState {
    pub fn condition_lists(
        &mut self,
        lists: &[(char, Result<TableCheck, String>)],
        fx: &mut Effects,
    ) {
        for (tape, result) in lists {
            let (level, text) = match result {
                Ok(c) if c.unknown.is_empty() => (
                    Level::Info,
                    format!(
                        "Alpaca's trade conditions for tape {tape}: all {} codes are in the table",
                        c.known
                    ),
                ),
                Ok(c) => {
                    let list: Vec<String> = c
                        .unknown
                        .iter()
                        .map(|(code, desc)| format!("{code:?} ({desc})"))
                        .collect();
                    (
                        Level::Warn,
                        format!(
                            "Alpaca lists {} trade condition(s) for tape {tape} that the table does \
                             not know: {}; prints carrying them update volume, not Last",
                            c.unknown.len(),
                            list.join(", ")
                        ),
                    )
                }
                Err(e) => (
                    Level::Warn,
                    format!(
                        "Alpaca's trade conditions for tape {tape} could not be checked: {e}; \
                         the built-in table applies"
                    ),
                ),
            };
            let ev = Event::new(self.now, level, EventKind::Tape, text).with_source(Source::Alpaca);
            self.emit(fx, ev);
        }
    }
}
