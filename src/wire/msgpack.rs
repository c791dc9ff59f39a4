//! Alpaca's msgpack stream encoding (`Content-Type: application/msgpack`): turns a
//! JSON frame into the bytes the server sends in that mode. Same keys and key order
//! as the JSON, every `t` string becomes a msgpack timestamp (ext type -1).
//!
//! (stand-in for the mock server's tests; the lead replaces this file with the real
//! encoder/decoder when merging, keeping [`json_frame_to_msgpack`]'s signature.)

use rmpv::Value;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

/// msgpack's reserved extension type for timestamps.
const TIMESTAMP_EXT: i8 = -1;

#[derive(Debug, thiserror::Error)]
pub enum MsgpackError {
    #[error("frame is not valid JSON (or has a bad \"t\" timestamp): {0}")]
    Json(#[from] serde_json::Error),
    #[error("msgpack encoding failed: {0}")]
    Encode(String),
}

/// Encodes one JSON frame (normally an array of message objects) as msgpack.
pub fn json_frame_to_msgpack(frame: &str) -> Result<Vec<u8>, MsgpackError> {
    let OrderedValue(value) = serde_json::from_str(frame)?;
    let mut out = Vec::with_capacity(frame.len());
    rmpv::encode::write_value(&mut out, &value).map_err(|e| MsgpackError::Encode(e.to_string()))?;
    Ok(out)
}

/// timestamp 96: u32 nanoseconds then i64 seconds, big-endian. Always the 96-bit form
/// so pre-1970 and far-future times need no special case.
fn timestamp96(text: &str) -> Option<Value> {
    let dt = chrono::DateTime::parse_from_rfc3339(text).ok()?;
    let mut data = Vec::with_capacity(12);
    data.extend_from_slice(&dt.timestamp_subsec_nanos().to_be_bytes());
    data.extend_from_slice(&dt.timestamp().to_be_bytes());
    Some(Value::Ext(TIMESTAMP_EXT, data))
}

/// Built straight from the JSON tokens so map keys keep their order (`T` first, as
/// the Go SDK requires) whatever serde_json features the build enables.
struct OrderedValue(Value);

impl<'de> Deserialize<'de> for OrderedValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ValueVisitor).map(OrderedValue)
    }
}

struct ValueVisitor;

impl<'de> Visitor<'de> for ValueVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(OrderedValue(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let OrderedValue(mut v) = map.next_value()?;
            if key == "t" {
                if let Some(text) = v.as_str() {
                    v = timestamp96(text).ok_or_else(|| {
                        de::Error::custom(format!("field \"t\" is not RFC 3339: {text:?}"))
                    })?;
                }
            }
            entries.push((Value::from(key), v));
        }
        Ok(Value::Map(entries))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_key_order_and_encodes_t_as_timestamp96() {
        let bytes = json_frame_to_msgpack(
            r#"[{"T":"t","S":"AAPL","i":96921,"p":126.55,"s":1,"t":"2021-02-22T15:51:44.208Z","c":["@","I"]}]"#,
        )
        .unwrap();
        let v = rmpv::decode::read_value(&mut bytes.as_slice()).unwrap();
        let msg = v.as_array().unwrap()[0].as_map().unwrap();
        let keys: Vec<&str> = msg.iter().map(|(k, _)| k.as_str().unwrap()).collect();
        assert_eq!(keys, ["T", "S", "i", "p", "s", "t", "c"]);
        assert_eq!(msg[2].1.as_u64(), Some(96921));
        assert_eq!(msg[3].1.as_f64(), Some(126.55));
        let Value::Ext(ty, data) = &msg[5].1 else {
            panic!("t is {:?}", msg[5].1)
        };
        assert_eq!(*ty, -1);
        assert_eq!(data[..4], 208_000_000u32.to_be_bytes());
        assert_eq!(data[4..], 1_614_009_104i64.to_be_bytes());
    }

    #[test]
    fn rejects_bad_json_and_bad_timestamps() {
        assert!(json_frame_to_msgpack("[{").is_err());
        assert!(json_frame_to_msgpack(r#"[{"T":"t","t":"yesterday"}]"#).is_err());
    }
}

/// (stand-in until the decoder lands) Binary frames are counted as unparsed.
pub fn parse_msgpack_frame_into(
    bytes: &[u8],
    _limits: &super::ParseLimits,
    _out: &mut Vec<super::Msg>,
    issues: &mut Vec<super::ParseIssue>,
) {
    issues.push(super::ParseIssue::Frame(super::FrameError::Syntax {
        reason: format!("msgpack decoding is not available yet ({} bytes)", bytes.len()),
    }));
}
