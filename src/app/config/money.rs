//! Decimals from TOML, exactly as written. TOML has no decimal type, so `185.20` arrives
//! as a float; it is read back through its shortest round-trip text ("185.2"), never
//! its binary expansion. Strings ("185.20") are accepted too.

use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer};
use std::str::FromStr;

#[derive(Deserialize)]
#[serde(untagged)]
enum Raw {
    Int(i64),
    Float(f64),
    Text(String),
}

fn to_decimal<E: serde::de::Error>(raw: Raw) -> Result<Decimal, E> {
    let text = match raw {
        Raw::Int(i) => return Ok(Decimal::from(i)),
        Raw::Float(f) if !f.is_finite() => {
            return Err(E::custom(format!("{f} is not a finite number")))
        }
        Raw::Float(f) => f.to_string(),
        Raw::Text(t) => t,
    };
    Decimal::from_str(text.trim())
        .map_err(|e| E::custom(format!("{text:?} is not a decimal number ({e})")))
}

pub fn decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Decimal, D::Error> {
    to_decimal(Raw::deserialize(d)?)
}

pub fn opt_decimal<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Decimal>, D::Error> {
    match Option::<Raw>::deserialize(d)? {
        None => Ok(None),
        Some(r) => to_decimal(r).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        #[serde(deserialize_with = "decimal")]
        v: Decimal,
    }

    #[test]
    fn toml_numbers_read_as_written() {
        for (text, want) in [
            ("v = 185.20", "185.2"),
            ("v = 0.1", "0.1"),
            ("v = \"185.20\"", "185.20"),
            ("v = -25", "-25"),
            ("v = 1e3", "1000"),
        ] {
            let t: T = toml::from_str(text).unwrap();
            assert_eq!(t.v.to_string(), want, "{text}");
        }
        assert!(toml::from_str::<T>("v = \"abc\"").is_err());
        assert!(toml::from_str::<T>("v = nan").is_err());
    }
}
