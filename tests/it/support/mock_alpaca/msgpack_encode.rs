//! JSON text frame → the msgpack frame Alpaca would send for it: same keys in the
//! same order, numbers as msgpack ints (integers) or float64 (anything with a
//! fraction or exponent), and every string under a `t` key as a timestamp
//! extension (-1): the 96-bit form when there are sub-second nanoseconds, else the
//! 64-bit form (96-bit also for instants before 1970 or past 2514).
//!
//! Only the tests, the benches and the mock server encode msgpack, so this lives
//! with the mock and `rmpv` is a dev-dependency. It is self-contained (no
//! `crate::` paths): the library's unit tests and the bench include it by path.

use rmpv::Value;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use std::fmt;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum MsgpackError {
    #[error("cannot convert the JSON frame to msgpack: {reason}")]
    Json { reason: String },
    #[error("cannot write the msgpack frame: {reason}")]
    Write { reason: String },
}

/// Converts one JSON text frame into the equivalent msgpack frame.
pub fn json_frame_to_msgpack(json: &str) -> Result<Vec<u8>, MsgpackError> {
    let mut de = serde_json::Deserializer::from_str(json);
    let value = ToValue { is_t: false }
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| MsgpackError::Json {
            reason: e.to_string(),
        })?;
    let mut out = Vec::with_capacity(json.len());
    rmpv::encode::write_value(&mut out, &value).map_err(|e| MsgpackError::Write {
        reason: e.to_string(),
    })?;
    Ok(out)
}

/// The timestamp extension payload for an instant `nanos_since_epoch`.
fn timestamp_ext(nanos_since_epoch: i64) -> Value {
    const NANOS_PER_SEC: i64 = 1_000_000_000;
    let secs = nanos_since_epoch.div_euclid(NANOS_PER_SEC);
    let nanos = nanos_since_epoch.rem_euclid(NANOS_PER_SEC) as u64;
    let data = if nanos == 0 && (0..1 << 34).contains(&secs) {
        secs.unsigned_abs().to_be_bytes().to_vec()
    } else {
        let mut d = (nanos as u32).to_be_bytes().to_vec();
        d.extend_from_slice(&secs.to_be_bytes());
        d
    };
    Value::Ext(-1, data)
}

/// Builds an order-preserving [`Value`] straight from the JSON tokens.
struct ToValue {
    /// The value sits under a `t` key, so a string there is a timestamp.
    is_t: bool,
}

impl<'de> DeserializeSeed<'de> for ToValue {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for ToValue {
    type Value = Value;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        Ok(Value::Nil)
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Boolean(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Ok(Value::F64(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        if !self.is_t {
            return Ok(Value::from(v));
        }
        chrono::DateTime::parse_from_rfc3339(v)
            .ok()
            .and_then(|t| t.timestamp_nanos_opt())
            .map(timestamp_ext)
            .ok_or_else(|| E::custom(format!("field t: {v:?} is not an RFC 3339 timestamp")))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(v) = seq.next_element_seed(ToValue { is_t: false })? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut entries = Vec::new();
        while let Some(key) = map.next_key::<String>()? {
            let v = map.next_value_seed(ToValue { is_t: key == "t" })?;
            entries.push((Value::from(key), v));
        }
        Ok(Value::Map(entries))
    }
}
