//! The event ring the engine keeps for the event log panel and the API: the last few
//! thousand events, shared with every snapshot without copying them.
//!
//! Events are stored in chunks of [`EVENT_CHUNK`]. Full chunks are frozen into
//! `Arc<[Event]>` and shared by every snapshot that holds them; only the open chunk is
//! copied, and only when an event arrived since the last snapshot (copy on write). So a
//! snapshot costs [`EVENT_CHUNKS`] + 1 pointer copies, however long the ring.
//!
//! Bound: at least the last [`EVENT_RING`] events are kept and at most
//! `EVENT_RING + EVENT_CHUNK - 1`. An event is about 100 bytes plus its one-sentence
//! message, so the ring stays around 1-2 MB.

use crate::domain::event::Event;
use serde::ser::{Serialize, SerializeSeq, Serializer};
use serde::{Deserialize, Deserializer};
use std::collections::VecDeque;
use std::fmt;
use std::sync::Arc;

/// Events per frozen chunk.
pub const EVENT_CHUNK: usize = 256;
/// Frozen chunks kept; the oldest chunk goes when one more fills up.
pub const EVENT_CHUNKS: usize = 16;
/// Events kept at least (the newest ones).
pub const EVENT_RING: usize = EVENT_CHUNK * EVENT_CHUNKS;

/// The ring, oldest first. Each event has a sequence number (0 for the first event
/// ever pushed), so a view can hold on to one while newer events arrive.
#[derive(Clone, Default)]
pub struct EventLog {
    sealed: VecDeque<Arc<[Event]>>,
    open: Arc<Vec<Event>>,
    /// Sequence number of the oldest event kept.
    first_seq: u64,
    len: usize,
}

impl EventLog {
    pub fn new() -> EventLog {
        EventLog::default()
    }

    pub fn push(&mut self, ev: Event) {
        Arc::make_mut(&mut self.open).push(ev);
        self.len += 1;
        if self.open.len() < EVENT_CHUNK {
            return;
        }
        let full = std::mem::take(&mut self.open);
        // Unshared (no snapshot took it yet) moves; shared copies once.
        let chunk: Arc<[Event]> = match Arc::try_unwrap(full) {
            Ok(v) => v.into(),
            Err(shared) => shared.as_slice().into(),
        };
        self.sealed.push_back(chunk);
        if self.sealed.len() > EVENT_CHUNKS {
            if let Some(old) = self.sealed.pop_front() {
                self.len -= old.len();
                self.first_seq += old.len() as u64;
            }
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Sequence number of the oldest event kept.
    pub fn first_seq(&self) -> u64 {
        self.first_seq
    }

    /// One past the newest event's sequence number.
    pub fn end_seq(&self) -> u64 {
        self.first_seq + self.len as u64
    }

    /// Oldest first; `.rev()` for newest first.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Event> + '_ {
        self.sealed
            .iter()
            .flat_map(|c| c.iter())
            .chain(self.open.iter())
    }

    /// Oldest first, each with its sequence number.
    pub fn iter_seq(&self) -> impl DoubleEndedIterator<Item = (u64, &Event)> + '_ {
        let mut start = self.first_seq;
        let chunks: Vec<(u64, &[Event])> = self
            .sealed
            .iter()
            .map(|c| &c[..])
            .chain(std::iter::once(self.open.as_slice()))
            .map(|c| {
                let at = start;
                start += c.len() as u64;
                (at, c)
            })
            .collect();
        chunks
            .into_iter()
            .flat_map(|(at, c)| c.iter().enumerate().map(move |(i, e)| (at + i as u64, e)))
    }

    /// The event with this sequence number, while it is kept.
    pub fn get(&self, seq: u64) -> Option<&Event> {
        let mut i = usize::try_from(seq.checked_sub(self.first_seq)?).ok()?;
        for c in &self.sealed {
            if i < c.len() {
                return c.get(i);
            }
            i -= c.len();
        }
        self.open.get(i)
    }

    pub fn last(&self) -> Option<&Event> {
        self.iter().next_back()
    }

    /// Drops every event (tests build pictures without them).
    pub fn clear(&mut self) {
        self.first_seq = self.end_seq();
        self.sealed.clear();
        self.open = Arc::default();
        self.len = 0;
    }
}

impl From<Vec<Event>> for EventLog {
    fn from(events: Vec<Event>) -> EventLog {
        let mut log = EventLog::new();
        for e in events {
            log.push(e);
        }
        log
    }
}

impl<'a> IntoIterator for &'a EventLog {
    type Item = &'a Event;
    type IntoIter = Box<dyn DoubleEndedIterator<Item = &'a Event> + 'a>;
    fn into_iter(self) -> Self::IntoIter {
        Box::new(self.iter())
    }
}

impl IntoIterator for EventLog {
    type Item = Event;
    type IntoIter = std::vec::IntoIter<Event>;
    fn into_iter(self) -> Self::IntoIter {
        self.iter().cloned().collect::<Vec<_>>().into_iter()
    }
}

impl PartialEq for EventLog {
    fn eq(&self, other: &EventLog) -> bool {
        self.first_seq == other.first_seq && self.len == other.len && self.iter().eq(other.iter())
    }
}

impl fmt::Debug for EventLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl Serialize for EventLog {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.len))?;
        for e in self.iter() {
            seq.serialize_element(e)?;
        }
        seq.end()
    }
}

/// The events oldest first, numbered from 0; a remote copy sets the numbering with
/// [`EventLog::numbered_from`] (the array does not carry it).
impl<'de> Deserialize<'de> for EventLog {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<EventLog, D::Error> {
        Vec::<Event>::deserialize(d).map(EventLog::from)
    }
}

impl EventLog {
    /// The same events, the oldest numbered `first_seq`: a copy read back from JSON
    /// keeps the engine's numbers, so a selection made on one frame holds on the next.
    pub fn numbered_from(mut self, first_seq: u64) -> EventLog {
        self.first_seq = first_seq;
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::event::{EventKind, Level};
    use crate::domain::types::Ts;

    fn ev(i: u64) -> Event {
        Event::new(
            Ts::from_millis(i as i64),
            Level::Info,
            EventKind::Command,
            format!("event {i}"),
        )
    }

    #[test]
    fn keeps_at_least_the_ring_and_numbers_events() {
        let mut log = EventLog::new();
        let total = (EVENT_RING + 3 * EVENT_CHUNK + 17) as u64;
        for i in 0..total {
            log.push(ev(i));
        }
        assert!(log.len() >= EVENT_RING && log.len() < EVENT_RING + EVENT_CHUNK);
        assert_eq!(log.end_seq(), total);
        assert_eq!(
            log.last().map(|e| e.message.clone()),
            Some(format!("event {}", total - 1))
        );
        let first = log.first_seq();
        assert_eq!(
            log.get(first).map(|e| e.message.clone()),
            Some(format!("event {first}"))
        );
        assert!(log.get(first.wrapping_sub(1)).is_none());
        assert!(log.get(total).is_none());
        // Sequence numbers and events agree over the whole ring, both ways.
        for (seq, e) in log.iter_seq().rev().take(300) {
            assert_eq!(e.message, format!("event {seq}"));
        }
        assert_eq!(log.iter().count(), log.len());
    }

    #[test]
    fn a_snapshot_keeps_its_events_while_the_ring_moves_on() {
        let mut log = EventLog::new();
        for i in 0..10 {
            log.push(ev(i));
        }
        let snap = log.clone();
        for i in 10..(EVENT_RING as u64 * 2) {
            log.push(ev(i));
        }
        assert_eq!(snap.len(), 10);
        assert_eq!(snap.get(9).map(|e| e.message.as_str()), Some("event 9"));
        assert_ne!(snap, log);
        let mut cleared = log.clone();
        cleared.clear();
        assert!(cleared.is_empty() && cleared.get(log.first_seq()).is_none());
    }
}
