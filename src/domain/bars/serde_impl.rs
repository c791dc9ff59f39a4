//! Bars as JSON, for `GET /api/stream` and `tapewatch attach`: a [`MinuteBar`] is one
//! compact row `[minute, "open", "high", "low", "close", volume, "t"]` (prices as exact
//! decimal text; the source `a` Alpaca, `t` trades, `y` Yahoo), a [`Marker`] an object,
//! and a [`BarSeries`] `{"bars": [row, …], "markers": [marker, …]}`, oldest first with
//! the forming bar last. Written against the series' public API only (what `bars()`
//! and `markers()` give, rebuilt with `merge` and `mark`), so its storage may change
//! freely.
//!
//! Rows, not objects: a full day is 960 bars per symbol, and a hundred symbols' whole
//! snapshot would otherwise spend most of its bytes on field names.

use super::{BarSeries, BarSource, Marker, MinuteBar};
use crate::domain::types::Ts;
use rust_decimal::Decimal;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, SerializeTuple, Serializer};
use serde::{Deserialize, Serialize};
use std::fmt;

impl BarSource {
    /// The one-letter code in a bar row.
    pub const fn code(self) -> &'static str {
        match self {
            BarSource::Alpaca => "a",
            BarSource::Trades => "t",
            BarSource::Yahoo => "y",
        }
    }

    pub fn from_code(code: &str) -> Option<BarSource> {
        match code {
            "a" => Some(BarSource::Alpaca),
            "t" => Some(BarSource::Trades),
            "y" => Some(BarSource::Yahoo),
            _ => None,
        }
    }
}

impl Serialize for BarSource {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for BarSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BarSource, D::Error> {
        let code = std::borrow::Cow::<str>::deserialize(d)?;
        BarSource::from_code(&code)
            .ok_or_else(|| de::Error::custom(format!("bar source {code:?} is not a, t or y")))
    }
}

impl Serialize for MinuteBar {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut row = s.serialize_tuple(7)?;
        row.serialize_element(&self.minute)?;
        row.serialize_element(&self.open)?;
        row.serialize_element(&self.high)?;
        row.serialize_element(&self.low)?;
        row.serialize_element(&self.close)?;
        row.serialize_element(&self.volume)?;
        row.serialize_element(&self.source)?;
        row.end()
    }
}

impl<'de> Deserialize<'de> for MinuteBar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<MinuteBar, D::Error> {
        struct Row;
        impl<'de> Visitor<'de> for Row {
            type Value = MinuteBar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a bar row [minute, open, high, low, close, volume, source]")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<MinuteBar, A::Error> {
                fn next<'de, T: Deserialize<'de>, A: SeqAccess<'de>>(
                    seq: &mut A,
                    i: usize,
                ) -> Result<T, A::Error> {
                    seq.next_element()?
                        .ok_or_else(|| de::Error::invalid_length(i, &"7 elements"))
                }
                let bar = MinuteBar {
                    minute: next(&mut seq, 0)?,
                    open: next::<Decimal, _>(&mut seq, 1)?,
                    high: next::<Decimal, _>(&mut seq, 2)?,
                    low: next::<Decimal, _>(&mut seq, 3)?,
                    close: next::<Decimal, _>(&mut seq, 4)?,
                    volume: next(&mut seq, 5)?,
                    source: next(&mut seq, 6)?,
                };
                if seq.next_element::<de::IgnoredAny>()?.is_some() {
                    return Err(de::Error::invalid_length(8, &"7 elements"));
                }
                Ok(bar)
            }
        }
        d.deserialize_tuple(7, Row)
    }
}

/// Field names as the rest of the snapshot spells them (camelCase).
#[derive(Serialize, Deserialize)]
#[serde(remote = "Marker")]
struct MarkerDef {
    at: Ts,
    tripped: bool,
    reason: String,
}

impl Serialize for Marker {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        MarkerDef::serialize(self, s)
    }
}

impl<'de> Deserialize<'de> for Marker {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Marker, D::Error> {
        MarkerDef::deserialize(d)
    }
}

/// The rows of a series, oldest first.
struct Rows<'a>(&'a BarSeries);

impl Serialize for Rows<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for b in self.0.bars() {
            seq.serialize_element(b)?;
        }
        seq.end()
    }
}

impl Serialize for BarSeries {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(2))?;
        m.serialize_entry("bars", &Rows(self))?;
        m.serialize_entry("markers", self.markers())?;
        m.end()
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct SeriesDef {
    #[serde(default)]
    bars: Vec<MinuteBar>,
    #[serde(default)]
    markers: Vec<Marker>,
}

impl<'de> Deserialize<'de> for BarSeries {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<BarSeries, D::Error> {
        let SeriesDef { bars, markers } = SeriesDef::deserialize(d)?;
        Ok(BarSeries::rebuilt(bars, markers))
    }
}

impl BarSeries {
    /// The series that `bars` (oldest first) and `markers` (oldest first) describe,
    /// built the way the engine builds one, so it equals the series they came from.
    pub fn rebuilt(
        bars: impl IntoIterator<Item = MinuteBar>,
        markers: impl IntoIterator<Item = Marker>,
    ) -> BarSeries {
        let mut series = BarSeries::default();
        series.merge(bars);
        for m in markers {
            series.mark(m);
        }
        series
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn series() -> BarSeries {
        let mut s = BarSeries::default();
        let t0 = crate::domain::bars::minute_start(29_000_000);
        for k in 0..2_000i64 {
            let p = Decimal::from_str("100.10").unwrap() + Decimal::new(k % 37, 2);
            s.trade(t0.plus_millis(k * 30_000), p, 100 + k);
        }
        s.bar(MinuteBar {
            open: Decimal::from_str("99.5").unwrap(),
            high: Decimal::from_str("101").unwrap(),
            low: Decimal::from_str("99.25").unwrap(),
            close: Decimal::from_str("100.00").unwrap(),
            volume: 7,
            minute: 29_000_100,
            source: BarSource::Alpaca,
        });
        for i in 0..40 {
            s.mark(Marker {
                at: t0.plus_millis(i * 1_000),
                tripped: i % 3 == 0,
                reason: format!("reason {i}"),
            });
        }
        s
    }

    #[test]
    fn a_series_reads_back_equal_with_its_ring_bound_and_markers() {
        let s = series();
        let json = serde_json::to_string(&s).unwrap();
        let back: BarSeries = serde_json::from_str(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.len(), crate::domain::bars::RING_MINUTES);
        assert_eq!(back.markers().len(), crate::domain::bars::MARKERS_KEPT);
        // Scale survives: "100.00" stays "100.00" on screen.
        assert!(json.contains(r#""100.00""#), "{}", &json[..200]);
    }

    #[test]
    fn a_bar_is_one_compact_row() {
        let b = series().forming().copied().unwrap();
        let row = serde_json::to_value(b).unwrap();
        assert_eq!(row.as_array().map(Vec::len), Some(7));
        assert_eq!(serde_json::from_value::<MinuteBar>(row).unwrap(), b);
        for bad in [
            r#"[1,"1","1","1","1",1]"#,
            r#"[1,"1","1","1","1",1,"t",9]"#,
            r#"[1,"1","1","1","1",1,"x"]"#,
        ] {
            assert!(serde_json::from_str::<MinuteBar>(bad).is_err(), "{bad}");
        }
    }
}
