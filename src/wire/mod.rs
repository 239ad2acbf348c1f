//! Private, lenient decoding of Smile ID's JSON into the model types, in one
//! place: the decoding budget, object keys, the lenient scalar reader, and
//! each type's `Deserialize`.
//!
//! Every reader here is lenient where Smile ID is known to vary (strings for
//! booleans and numbers, numbers for strings, `null` or `[]` for an empty
//! object) and keeps every field it does not model in an
//! [`Extra`](crate::Extra), so a result can be stored and re-serialised
//! without loss.

pub(crate) mod budget;
pub(crate) mod key;
mod scalar;
mod write_json;

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

pub(crate) use key::Key;
pub(crate) use scalar::Scalar;

use crate::{Extra, RawJson};

impl<'de> Deserialize<'de> for RawJson {
    /// Works with `serde_json`'s deserialisers (`from_str`, `from_slice`,
    /// `from_reader`), which can hand over raw text.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        budget::charge(raw.get().len())?;
        Ok(RawJson(raw))
    }
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct ExtraVisitor;
        impl<'de> Visitor<'de> for ExtraVisitor {
            type Value = Extra;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a JSON object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extra, A::Error> {
                let mut extra = Extra::new();
                while let Some(key) = map.next_key::<Key<'de>>()? {
                    extra.0.push(key.0, map.next_value()?)?;
                }
                Ok(extra)
            }
        }
        deserializer.deserialize_map(ExtraVisitor)
    }
}

/// For object-shaped fields: an empty array stands for an empty object (some
/// JSON encoders write `[]` for an empty map); anything else in an array is
/// an error.
pub(crate) fn empty_seq<'de, A, T>(mut seq: A, expected: &dyn de::Expected) -> Result<T, A::Error>
where
    A: SeqAccess<'de>,
    T: Default,
{
    match seq.next_element::<IgnoredAny>()? {
        None => Ok(T::default()),
        Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, expected)),
    }
}
