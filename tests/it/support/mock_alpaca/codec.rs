//! Frame encoding for the mock: server frames as text or (msgpack mode) binary, and
//! client messages decoded from JSON text or msgpack into `serde_json::Value`.

use serde_json::{Map, Number, Value};
use tokio_tungstenite::tungstenite::Message;

/// The frame to send for `json`: text, or binary msgpack in msgpack mode. A frame
/// the encoder rejects goes out as text, so tests still see what was pushed.
pub fn server_frame(json: &str, msgpack: bool) -> Message {
    if msgpack {
        if let Ok(bytes) = super::msgpack_encode::json_frame_to_msgpack(json) {
            return Message::binary(bytes);
        }
    }
    Message::text(json)
}

/// A client's message: `Ok` with the decoded value, or `Err` with what to record
/// for a message that does not decode (Alpaca answers those with 400).
pub fn decode_text(text: &str) -> Result<Value, Value> {
    serde_json::from_str(text).map_err(|_| Value::String(text.to_owned()))
}

/// Binary client messages are msgpack (the SDKs send auth and subscribe that way);
/// JSON in a binary frame is accepted too.
pub fn decode_binary(bytes: &[u8]) -> Result<Value, Value> {
    let mut rd = bytes;
    match rmpv::decode::read_value(&mut rd) {
        Ok(v) if rd.is_empty() => Ok(msgpack_to_json(&v)),
        _ => serde_json::from_slice(bytes)
            .map_err(|_| Value::String(format!("<binary {} bytes>", bytes.len()))),
    }
}

fn msgpack_to_json(v: &rmpv::Value) -> Value {
    use rmpv::Value as M;
    match v {
        M::Nil => Value::Null,
        M::Boolean(b) => Value::Bool(*b),
        M::Integer(i) => match (i.as_u64(), i.as_i64()) {
            (Some(u), _) => Value::from(u),
            (None, Some(s)) => Value::from(s),
            (None, None) => Value::Null,
        },
        M::F32(f) => Number::from_f64(f64::from(*f)).map_or(Value::Null, Value::Number),
        M::F64(f) => Number::from_f64(*f).map_or(Value::Null, Value::Number),
        M::String(s) => Value::String(String::from_utf8_lossy(s.as_bytes()).into_owned()),
        M::Binary(b) => Value::String(String::from_utf8_lossy(b).into_owned()),
        M::Array(items) => Value::Array(items.iter().map(msgpack_to_json).collect()),
        M::Map(entries) => {
            let mut map = Map::new();
            for (k, v) in entries {
                let key = match k.as_str() {
                    Some(s) => s.to_owned(),
                    None => k.to_string(),
                };
                map.insert(key, msgpack_to_json(v));
            }
            Value::Object(map)
        }
        M::Ext(ty, data) => Value::String(format!("<ext {ty} {} bytes>", data.len())),
    }
}
