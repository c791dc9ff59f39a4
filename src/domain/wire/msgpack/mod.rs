//! The msgpack wire format (`encoding = "msgpack"`): Alpaca then sends BINARY frames,
//! each a msgpack array of maps with the JSON keys, every `t` a timestamp extension
//! (type -1) and numbers as msgpack ints or floats of any width. This module owns
//! the binary frame decoder ([`parse_msgpack_frame_into`], same contract as the JSON
//! [`parse_frame_into`](super::parse_frame_into)). The JSON→msgpack converter the
//! tests use lives with the mock server (`tests/it/support/mock_alpaca`).
//!
//! Messages are built by the JSON parser's own accumulator (`fields::Acc`), so both
//! encodings give identical [`Msg`]s for the same content.

mod elem;
mod fast;
pub(super) use fast::price;
mod read;

use super::parse::{push_issue, push_outcome, FrameError, ParseIssue, ParseLimits, ParsedFrame};
use super::Msg;
use elem::{read_elem, Fault};
use read::{Bad, Rd, Tok};

/// The tests' JSON→msgpack converter (a dev-dependency on `rmpv`), included by path.
#[cfg(test)]
#[path = "../../../../tests/it/support/mock_alpaca/msgpack_encode.rs"]
pub(crate) mod encode;

/// [`parse_msgpack_frame_into`] into a fresh [`ParsedFrame`], for tests and simple callers.
pub fn parse_msgpack_frame(bytes: &[u8], limits: &ParseLimits) -> ParsedFrame {
    let mut out = ParsedFrame::default();
    parse_msgpack_frame_into(bytes, limits, &mut out.msgs, &mut out.issues);
    out
}

/// Parses one binary frame, appending messages to `out` and problems to `issues`.
/// A bad message costs only itself; a frame that is not a well-formed msgpack array
/// (truncated, trailing bytes, reserved marker, oversized) is lost as a whole, with
/// nothing appended but one [`ParseIssue::Frame`].
pub fn parse_msgpack_frame_into(
    bytes: &[u8],
    limits: &ParseLimits,
    out: &mut Vec<Msg>,
    issues: &mut Vec<ParseIssue>,
) {
    if let Some(refused) = limits.refuse(bytes.len()) {
        issues.push(refused);
        return;
    }
    // Plain trades, quotes and bars in one pass; anything else below.
    if fast::frame(bytes, out) {
        return;
    }
    let (mark_out, mark_issues) = (out.len(), issues.len());
    if let Err(reason) = parse_elems(bytes, out, issues) {
        out.truncate(mark_out);
        issues.truncate(mark_issues);
        issues.push(ParseIssue::Frame(FrameError::Msgpack { reason }));
    }
}

fn parse_elems(
    bytes: &[u8],
    out: &mut Vec<Msg>,
    issues: &mut Vec<ParseIssue>,
) -> Result<(), String> {
    let mark = issues.len();
    let mut rd = Rd::new(bytes);
    let n = match rd.next() {
        Ok(Tok::Array(n)) => n,
        Ok(other) => {
            return Err(format!(
                "expected an array of messages, got {}",
                other.kind()
            ))
        }
        Err(bad) => return Err(bad.to_string()),
    };
    for index in 0..n as usize {
        let start = rd.pos;
        match read_elem(&mut rd) {
            Ok(outcome) => push_outcome(outcome, index, out, issues, mark),
            Err(Fault::Msg(reason)) => {
                // Rewind and skip the element whole, so the next one starts clean.
                rd.pos = start;
                rd.skip_value().map_err(|bad: Bad| bad.to_string())?;
                push_issue(issues, mark, ParseIssue::Message { index, reason });
            }
            Err(Fault::Frame(bad)) => return Err(bad.to_string()),
        }
    }
    match rd.remaining() {
        0 => Ok(()),
        extra => Err(format!("{extra} bytes after the message array")),
    }
}

#[cfg(test)]
mod tests;
