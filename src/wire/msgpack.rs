//! (stub, replaced by the mpk branch)
use super::{Msg, ParseIssue, ParseLimits};
pub fn parse_msgpack_frame_into(
    _b: &[u8],
    _l: &ParseLimits,
    _o: &mut Vec<Msg>,
    _i: &mut Vec<ParseIssue>,
) {
}
