//! [`Scalar`]: one JSON value read leniently, for fields whose type Smile ID
//! varies (`"true"` for `true`, `"99"` for `99`, numbers for strings).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

use super::budget;
use super::write_json::complex;
use crate::RawJson;

/// Any JSON value, read leniently: scalars are kept typed, objects and arrays
/// as raw JSON (they are never what a scalar field should hold).
///
/// Strings borrow from the input when they have no escapes, so a value read
/// only to become a number or a boolean (`"99"`, `"true"`) allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'de> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'de, str>),
    Complex(RawJson),
}

/// A JSON number's text by the crate's one rule for text: as Rust writes the
/// value `serde_json` reads from it (what [`Scalar::into_text`] gives), so
/// that the fields read before decoding (`skim::text_of`) read as the typed
/// decoder reads them (`1.50` is `"1.5"` on both paths). Borrowed when the
/// number is already written that way, as every integer in range is.
pub(crate) fn number_text(raw: &str) -> Option<Cow<'_, str>> {
    let text = serde_json::from_str::<Scalar<'_>>(raw)
        .ok()?
        .into_text()
        .ok()??;
    Some(if text == raw {
        Cow::Borrowed(raw)
    } else {
        Cow::Owned(text)
    })
}

impl Scalar<'_> {
    /// The value as text, by the crate's one rule for text (as
    /// `skim::text_of` reads the fields checked before decoding, through
    /// [`number_text`]): a string as it is, a number written out. A boolean,
    /// an object or an array is not text.
    pub(crate) fn into_text(self) -> Result<Option<String>, RawJson> {
        match self {
            Scalar::Null => Ok(None),
            Scalar::Str(s) => Ok(Some(s.into_owned())),
            Scalar::I64(n) => Ok(Some(n.to_string())),
            Scalar::U64(n) => Ok(Some(n.to_string())),
            Scalar::F64(n) => Ok(Some(n.to_string())),
            other @ (Scalar::Bool(_) | Scalar::Complex(_)) => Err(other.into_raw()),
        }
    }

    /// Like [`into_text`](Self::into_text), but a non-negative integer is
    /// zero-padded to the four digits Smile ID's codes always have
    /// (`810` becomes `"0810"`).
    pub(crate) fn into_code(self) -> Result<Option<String>, RawJson> {
        match self {
            Scalar::I64(n) if n >= 0 => Ok(Some(crate::codes::pad(n.unsigned_abs()))),
            Scalar::U64(n) => Ok(Some(crate::codes::pad(n))),
            other => other.into_text(),
        }
    }

    /// `true`/`false`, also from the strings `"true"`/`"false"` (any case) and
    /// the numbers 1/0.
    pub(crate) fn into_bool(self) -> Result<Option<bool>, RawJson> {
        match self {
            Scalar::Null => Ok(None),
            Scalar::Bool(b) => Ok(Some(b)),
            Scalar::Str(ref s) => match s.trim() {
                t if t.eq_ignore_ascii_case("true") => Ok(Some(true)),
                t if t.eq_ignore_ascii_case("false") => Ok(Some(false)),
                _ => Err(self.into_raw()),
            },
            Scalar::I64(1) | Scalar::U64(1) => Ok(Some(true)),
            Scalar::I64(0) | Scalar::U64(0) => Ok(Some(false)),
            other => Err(other.into_raw()),
        }
    }

    /// A finite number, also from numeric strings such as `"97.000000"`.
    pub(crate) fn into_f64(self) -> Result<Option<f64>, RawJson> {
        let n = match self {
            Scalar::Null => return Ok(None),
            Scalar::I64(n) => n as f64,
            Scalar::U64(n) => n as f64,
            Scalar::F64(n) => n,
            Scalar::Str(ref s) => match s.trim().parse::<f64>() {
                Ok(n) => n,
                Err(_) => return Err(self.into_raw()),
            },
            other => return Err(other.into_raw()),
        };
        if n.is_finite() {
            Ok(Some(n))
        } else {
            Err(Scalar::F64(n).into_raw())
        }
    }

    /// The value as JSON again, for keeping it among the unknown fields.
    pub(crate) fn into_raw(self) -> RawJson {
        match self {
            Scalar::Complex(raw) => raw,
            Scalar::Null => RawJson::null(),
            Scalar::Bool(b) => RawJson::from_value(&serde_json::Value::Bool(b)),
            Scalar::I64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::U64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::F64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::Str(s) => RawJson::string(&s),
        }
    }
}

/// What a number written out as text may take.
const NUMBER_TEXT: usize = 24;

impl<'de> Deserialize<'de> for Scalar<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ScalarVisitor;
        impl<'de> Visitor<'de> for ScalarVisitor {
            type Value = Scalar<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("any JSON value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Null)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Scalar<'de>, E> {
                Ok(Scalar::Bool(v))
            }
            // A number may be written out as text later.
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Scalar<'de>, E> {
                budget::charge(NUMBER_TEXT)?;
                Ok(Scalar::I64(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Scalar<'de>, E> {
                budget::charge(NUMBER_TEXT)?;
                Ok(Scalar::U64(v))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Scalar<'de>, E> {
                budget::charge(NUMBER_TEXT)?;
                Ok(Scalar::F64(v))
            }
            // A borrowed string may be copied later, as text or as raw JSON
            // (which is never longer than the original).
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Scalar<'de>, E> {
                budget::charge(v.len())?;
                Ok(Scalar::Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Scalar<'de>, E> {
                budget::copy_unescaped(v).map(|s| Scalar::Str(Cow::Owned(s)))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
                budget::keep_unescaped(v).map(|s| Scalar::Str(Cow::Owned(s)))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Scalar<'de>, A::Error> {
                complex(|out| out.visit_map(map))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Scalar<'de>, A::Error> {
                complex(|out| out.visit_seq(seq))
            }
        }
        deserializer.deserialize_any(ScalarVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Scalar<'_> {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn lenient_booleans() {
        assert_eq!(scalar("true").into_bool(), Ok(Some(true)));
        assert_eq!(scalar("\"false\"").into_bool(), Ok(Some(false)));
        assert_eq!(scalar("\"TRUE\"").into_bool(), Ok(Some(true)));
        assert_eq!(scalar("1").into_bool(), Ok(Some(true)));
        assert_eq!(scalar("null").into_bool(), Ok(None));
        assert_eq!(
            scalar("\"maybe\"").into_bool().unwrap_err().to_json(),
            "\"maybe\""
        );
        assert_eq!(scalar("[1]").into_bool().unwrap_err().to_json(), "[1]");
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(scalar("\"99\"").into_f64(), Ok(Some(99.0)));
        assert_eq!(scalar("\"97.000000\"").into_f64(), Ok(Some(97.0)));
        assert_eq!(scalar("97.5").into_f64(), Ok(Some(97.5)));
        assert_eq!(scalar("100").into_f64(), Ok(Some(100.0)));
        assert_eq!(
            scalar("\"N/A\"").into_f64().unwrap_err().to_json(),
            "\"N/A\""
        );
        assert!(scalar("\"NaN\"").into_f64().is_err());
        assert!(scalar("\"inf\"").into_f64().is_err());
    }

    #[test]
    fn numbers_read_as_text_alike_before_and_after_decoding() {
        for raw in [
            "7",
            "-7",
            "18446744073709551615",
            "1.50",
            "1e3",
            "-0",
            "0.1",
        ] {
            let typed = scalar(raw).into_text().unwrap();
            assert_eq!(number_text(raw).map(Cow::into_owned), typed, "{raw}");
            assert_eq!(
                crate::skim::text_of(raw).map(Cow::into_owned),
                typed,
                "{raw}"
            );
        }
        assert!(matches!(number_text("1764160324"), Some(Cow::Borrowed(_))));
    }

    #[test]
    fn codes_are_padded_text() {
        assert_eq!(scalar("810").into_code(), Ok(Some("0810".into())));
        assert_eq!(scalar("1012").into_code(), Ok(Some("1012".into())));
        assert_eq!(scalar("\"0810\"").into_code(), Ok(Some("0810".into())));
        assert_eq!(scalar("-1").into_code(), Ok(Some("-1".into())));
        assert_eq!(scalar("null").into_code(), Ok(None));
    }
}
