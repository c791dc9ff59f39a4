//! The JSON frame parser: one text frame (always a JSON array, possibly batched) into
//! typed [`Msg`]s, in one pass and without allocating for symbols, codes or prices.
//!
//! Failure is local wherever JSON allows it: an unknown `T` or a message missing a
//! field costs that message only. A wrong field type aborts serde mid-object, so
//! the frame is then re-split into raw elements and each is parsed on its own
//! (the slow path, taken only for bad frames). Only broken JSON loses a whole frame.

use super::fields::Acc;
use super::Msg;
use serde::de::{DeserializeSeed, SeqAccess, Visitor};
use serde::Deserializer;
use std::fmt;
use thiserror::Error;

/// Limits on what the parser accepts.
#[derive(Clone, Debug)]
pub struct ParseLimits {
    /// Larger frames are refused unread. Alpaca's own SDKs cap reads at 1 MiB.
    pub max_frame_bytes: usize,
}

impl ParseLimits {
    /// The issue for a frame too large to read, if it is.
    pub(crate) fn refuse(&self, len_bytes: usize) -> Option<ParseIssue> {
        (len_bytes > self.max_frame_bytes).then_some(ParseIssue::Frame(FrameError::TooLarge {
            len_bytes,
            max_bytes: self.max_frame_bytes,
        }))
    }
}

impl Default for ParseLimits {
    fn default() -> Self {
        ParseLimits {
            max_frame_bytes: 4 * 1024 * 1024,
        }
    }
}

/// Why a whole frame was lost.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum FrameError {
    #[error("frame of {len_bytes} bytes exceeds the {max_bytes}-byte limit")]
    TooLarge { len_bytes: usize, max_bytes: usize },
    #[error("frame is not valid UTF-8 (first bad byte at offset {valid_up_to})")]
    NotUtf8 { valid_up_to: usize },
    #[error("frame is not a JSON array of messages: {reason}")]
    NotArray { reason: String },
    #[error("malformed JSON: {reason}")]
    Syntax { reason: String },
    /// A binary (msgpack) frame that is not a well-formed array of messages.
    #[error("malformed msgpack frame: {reason}")]
    Msgpack { reason: String },
    /// Deeper than [`super::depth::MAX_JSON_DEPTH`]: refused unparsed, because the
    /// parser would recurse once per level.
    #[error("frame is {0}")]
    TooDeep(super::depth::TooDeep),
}

/// Something in a frame that did not become a message.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
pub enum ParseIssue {
    #[error("{0}")]
    Frame(FrameError),
    #[error("message {index}: {reason}")]
    Message { index: usize, reason: String },
    #[error("message {index}: unknown type T={tag:?}")]
    UnknownType {
        index: usize,
        tag: compact_str::CompactString,
    },
    /// A NaN or infinite price or size: a validation failure (rule `non_finite`),
    /// reported apart so the engine counts it against the symbol.
    #[error("message {index}: {field} is not a finite number")]
    NonFinite {
        index: usize,
        symbol: Option<crate::domain::types::Symbol>,
        field: &'static str,
    },
    /// Issues past [`MAX_ISSUES_PER_FRAME`] in one frame, counted but not itemised.
    #[error("{count} more bad messages in this frame, not itemised")]
    Suppressed { count: usize },
}

/// Issues itemised per frame. Past it they are only counted, in one closing
/// [`ParseIssue::Suppressed`], so a frame of many tiny bad elements (`[1,1,1,…]`)
/// costs memory in proportion to its good messages, not to its bad ones.
pub const MAX_ISSUES_PER_FRAME: usize = 32;

/// Appends `issue`, or counts it once this frame's issues (those after `mark`) are
/// at the cap.
pub(super) fn push_issue(issues: &mut Vec<ParseIssue>, mark: usize, issue: ParseIssue) {
    if issues.len() - mark < MAX_ISSUES_PER_FRAME {
        issues.push(issue);
    } else if let Some(ParseIssue::Suppressed { count }) = issues.last_mut() {
        *count += 1;
    } else {
        issues.push(ParseIssue::Suppressed { count: 1 });
    }
}

impl ParseIssue {
    pub fn is_unknown_type(&self) -> bool {
        matches!(self, ParseIssue::UnknownType { .. })
    }
}

/// The outcome of parsing one frame, for tests and simple callers.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ParsedFrame {
    pub msgs: Vec<Msg>,
    pub issues: Vec<ParseIssue>,
}

pub fn parse_frame(bytes: &[u8], limits: &ParseLimits) -> ParsedFrame {
    let mut out = ParsedFrame::default();
    parse_frame_into(bytes, limits, &mut out.msgs, &mut out.issues);
    out
}

/// The fast path alone (see `scan`): the frame parsed when it holds only plain
/// trades, quotes and bars, else `None` for [`parse_frame_into`] to read. Replay uses
/// it while it splits lines, so those frames reach the engine parsed.
pub fn parse_plain(text: &str, limits: &ParseLimits) -> Option<ParsedFrame> {
    if limits.refuse(text.len()).is_some() {
        return None;
    }
    let mut out = ParsedFrame::default();
    super::scan::frame(text, &mut out.msgs).then_some(out)
}

/// Parses `bytes` and appends messages to `out` and problems to `issues`, so a caller
/// can gather many frames into one batch without a vector per frame.
pub fn parse_frame_into(
    bytes: &[u8],
    limits: &ParseLimits,
    out: &mut Vec<Msg>,
    issues: &mut Vec<ParseIssue>,
) {
    if let Some(refused) = limits.refuse(bytes.len()) {
        issues.push(refused);
        return;
    }
    // Plain trades, quotes and bars, the bulk of the stream, in one pass; anything
    // else (and any bad frame) through sonic-rs below.
    if let Ok(text) = std::str::from_utf8(bytes) {
        if super::scan::frame(text, out) {
            return;
        }
    }
    if let Err(deep) = super::depth::check(bytes, super::depth::MAX_JSON_DEPTH) {
        issues.push(ParseIssue::Frame(FrameError::TooDeep(deep)));
        return;
    }
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            issues.push(ParseIssue::Frame(FrameError::NotUtf8 {
                valid_up_to: e.valid_up_to(),
            }));
            return;
        }
    };
    parse_text_into(text, out, issues);
}

pub(super) fn parse_text_into(text: &str, out: &mut Vec<Msg>, issues: &mut Vec<ParseIssue>) {
    let mark_out = out.len();
    let mark_issues = issues.len();
    let mut de = sonic_rs::Deserializer::from_str(text);
    let fast = FrameSeed {
        out: &mut *out,
        issues: &mut *issues,
        mark: mark_issues,
    }
    .deserialize(&mut de)
    .and_then(|()| de.end());
    if fast.is_ok() {
        return;
    }
    // Undo the partial fast pass and parse element by element.
    out.truncate(mark_out);
    issues.truncate(mark_issues);
    // Validate the whole frame first: a syntax error anywhere loses the frame, as
    // before; then walk the elements without collecting them.
    if let Err(e) = sonic_rs::from_str::<serde::de::IgnoredAny>(text) {
        let reason = e.to_string();
        issues.push(ParseIssue::Frame(FrameError::Syntax { reason }));
        return;
    }
    if !text.trim_start().starts_with('[') {
        let reason = format!("it starts with {:?}", text.trim_start().chars().next());
        issues.push(ParseIssue::Frame(FrameError::NotArray { reason }));
        return;
    }
    for (index, raw) in sonic_rs::to_array_iter(text).enumerate() {
        let outcome = raw.map_err(|e| e.to_string()).and_then(|raw| {
            let mut de = sonic_rs::Deserializer::from_str(raw.as_raw_str());
            ElemSeed.deserialize(&mut de).map_err(|e| e.to_string())
        });
        match outcome {
            Ok(outcome) => push_outcome(outcome, index, out, issues, mark_issues),
            Err(reason) => push_issue(issues, mark_issues, ParseIssue::Message { index, reason }),
        }
    }
}

pub(super) fn push_outcome(
    outcome: Result<Msg, ElemIssue>,
    index: usize,
    out: &mut Vec<Msg>,
    issues: &mut Vec<ParseIssue>,
    mark: usize,
) {
    let issue = match outcome {
        Ok(m) => return out.push(m),
        Err(ElemIssue::Unknown(tag)) => ParseIssue::UnknownType { index, tag },
        Err(ElemIssue::Invalid(reason)) => ParseIssue::Message { index, reason },
        Err(ElemIssue::NonFinite { symbol, field }) => ParseIssue::NonFinite {
            index,
            symbol,
            field,
        },
    };
    push_issue(issues, mark, issue);
}

/// Why one element did not become a message, without failing the frame.
pub(crate) enum ElemIssue {
    Unknown(compact_str::CompactString),
    Invalid(String),
    NonFinite {
        symbol: Option<crate::domain::types::Symbol>,
        field: &'static str,
    },
}

struct FrameSeed<'o> {
    out: &'o mut Vec<Msg>,
    issues: &'o mut Vec<ParseIssue>,
    /// Where this frame's issues start in `issues`.
    mark: usize,
}

impl<'de> DeserializeSeed<'de> for FrameSeed<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FrameSeed<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON array of Alpaca messages")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut index = 0;
        while let Some(outcome) = seq.next_element_seed(ElemSeed)? {
            push_outcome(outcome, index, self.out, self.issues, self.mark);
            index += 1;
        }
        Ok(())
    }
}

/// Parses one message object.
struct ElemSeed;

impl<'de> DeserializeSeed<'de> for ElemSeed {
    type Value = Result<Msg, ElemIssue>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(ElemVisitor)
    }
}

struct ElemVisitor;

impl<'de> Visitor<'de> for ElemVisitor {
    type Value = Result<Msg, ElemIssue>;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a message object with a \"T\" field")
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        Ok(Acc::read(map)?.build())
    }
}
