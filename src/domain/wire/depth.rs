//! The nesting guard for JSON that comes from outside (Alpaca frames, fixture lines).
//!
//! sonic-rs validates a skipped value (an unknown field, a raw price slice) by
//! recursing once per nesting level, with no limit, so a 20 KB frame of `[[[[…]]]]`
//! overflows the thread's stack and aborts the process. serde_json and toml stop at
//! their own limits (128 and 80); sonic-rs does not, so every text that reaches it
//! passes [`check`] first. Alpaca's deepest message is three levels (the frame's
//! array, a message object, its conditions array); a text nested deeper than
//! [`MAX_JSON_DEPTH`] is refused whole, with the offset where it went too deep.
//!
//! The scan is one pass over the bytes with a 256-entry class table, and most
//! frames never need it: a text with no more openers than the limit cannot be
//! nested deeper than the limit, and counting openers is a SIMD `memchr` pass.

use thiserror::Error;

/// The deepest nesting accepted in a frame or fixture line. Alpaca's messages are at
/// most 3 deep; the headroom is for fields Alpaca may add.
pub const MAX_JSON_DEPTH: usize = 16;

/// A text nested deeper than the limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("nested deeper than {limit} levels (at byte {offset})")]
pub struct TooDeep {
    pub limit: usize,
    /// Byte offset of the opener that went past the limit.
    pub offset: usize,
}

const OTHER: u8 = 0;
const OPEN: u8 = 1;
const CLOSE: u8 = 2;
const QUOTE: u8 = 3;

static CLASS: [u8; 256] = {
    let mut t = [OTHER; 256];
    t[b'[' as usize] = OPEN;
    t[b'{' as usize] = OPEN;
    t[b']' as usize] = CLOSE;
    t[b'}' as usize] = CLOSE;
    t[b'"' as usize] = QUOTE;
    t
};

/// `Err` when `text` nests arrays and objects deeper than `limit`. Brackets inside
/// strings do not count. Malformed JSON (an unterminated string, unbalanced
/// brackets) passes: the parser reports it, and it cannot nest deeper than counted.
pub fn check(text: &[u8], limit: usize) -> Result<(), TooDeep> {
    if count_openers(text, limit + 1) <= limit {
        return Ok(());
    }
    scan(text, limit)
}

/// Openers (`[` and `{`) in `text`, counting no further than `stop`.
fn count_openers(text: &[u8], stop: usize) -> usize {
    memchr::memchr2_iter(b'[', b'{', text).take(stop).count()
}

fn scan(text: &[u8], limit: usize) -> Result<(), TooDeep> {
    let mut depth = 0usize;
    let mut i = 0usize;
    let n = text.len();
    while i < n {
        match CLASS[text[i] as usize] {
            OPEN => {
                depth += 1;
                if depth > limit {
                    return Err(TooDeep { limit, offset: i });
                }
            }
            CLOSE => depth = depth.saturating_sub(1),
            QUOTE => {
                // Skip the string: its brackets are text, and `\"` does not end it.
                i += 1;
                while i < n {
                    match text[i] {
                        b'"' => break,
                        b'\\' => i += 2,
                        _ => i += 1,
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nested(n: usize) -> String {
        format!("{}{}", "[".repeat(n), "]".repeat(n))
    }

    #[test]
    fn table() {
        let cases: &[(&str, usize, Option<usize>)] = &[
            ("[]", 1, None),
            ("[[]]", 1, Some(1)),
            (r#"[{"T":"t","c":["@"]}]"#, 3, None),
            (r#"[{"T":"t","c":["@"]}]"#, 2, Some(14)),
            // Brackets inside strings are text, escaped quotes do not end a string.
            (r#"["[[[[", "\"[[[["]"#, 1, None),
            (r#"["\\", [[]]]"#, 2, Some(8)),
            // Siblings do not add up.
            ("[[],[],[],[]]", 2, None),
            // Malformed input passes; the parser reports it.
            ("[[[", 3, None),
            ("]]]][[", 2, None),
            (r#"["unterminated [[[["#, 1, None),
            ("", 0, None),
        ];
        for (text, limit, want) in cases {
            let got = check(text.as_bytes(), *limit).err().map(|e| e.offset);
            assert_eq!(got, *want, "{text} limit {limit}");
        }
    }

    #[test]
    fn deep_nesting_is_refused_without_recursion() {
        let deep = nested(100_000);
        let err = check(deep.as_bytes(), MAX_JSON_DEPTH).unwrap_err();
        assert_eq!(err.offset, MAX_JSON_DEPTH);
        let objs = format!("{}1{}", r#"{"a":"#.repeat(100_000), "}".repeat(100_000));
        assert!(check(objs.as_bytes(), MAX_JSON_DEPTH).is_err());
        assert!(check(nested(MAX_JSON_DEPTH).as_bytes(), MAX_JSON_DEPTH).is_ok());
    }

    #[test]
    fn many_shallow_messages_pass_the_full_scan() {
        let msg = r#"{"T":"t","S":"AAPL","c":["@","I"]}"#;
        let frame = format!("[{}]", vec![msg; 500].join(","));
        assert!(check(frame.as_bytes(), 3).is_ok());
        assert!(check(frame.as_bytes(), 2).is_err());
    }
}
