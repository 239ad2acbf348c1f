//! Keeping an object or array found where a scalar was expected: written
//! back out as compact JSON text, within the decoding budget.

use std::fmt;

use serde::Serialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::budget;
use super::key::Key;
use super::scalar::Scalar;
use crate::RawJson;

/// Writes a value it is handed back out as compact JSON, charging the budget
/// as the text grows: how an object or array found where a scalar was
/// expected is kept, without building a tree of it.
pub(super) struct WriteJson<'a>(&'a mut Vec<u8>);

impl WriteJson<'_> {
    fn put<E: de::Error>(&mut self, bytes: &[u8]) -> Result<(), E> {
        // The buffer grows by doubling: up to four bytes allocated per byte.
        budget::charge(bytes.len().saturating_mul(4))?;
        self.0.extend_from_slice(bytes);
        Ok(())
    }

    fn put_json<E: de::Error, T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), E> {
        let before = self.0.len();
        serde_json::to_writer(&mut *self.0, value).map_err(E::custom)?;
        budget::charge(self.0.len().saturating_sub(before).saturating_mul(4))
    }
}

impl<'de> de::DeserializeSeed<'de> for WriteJson<'_> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for WriteJson<'_> {
    type Value = ();
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.put(b"null")
    }
    fn visit_none<E: de::Error>(mut self) -> Result<(), E> {
        self.put(b"null")
    }
    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<(), E> {
        self.put(if v { b"true" } else { b"false" })
    }
    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<(), E> {
        self.put_json(&v)
    }
    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<(), E> {
        self.put_json(&v)
    }
    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<(), E> {
        self.put_json(&v)
    }
    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.put_json(v)
    }
    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.put(b"{")?;
        let mut first = true;
        while let Some(Key(key)) = map.next_key()? {
            if !first {
                self.put(b",")?;
            }
            first = false;
            self.put_json(&*key)?;
            self.put(b":")?;
            map.next_value_seed(WriteJson(&mut *self.0))?;
        }
        self.put(b"}")
    }
    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        self.put(b"[")?;
        let mut first = true;
        loop {
            if !first {
                // Written before knowing whether an element follows; taken
                // back below when none does.
                self.put(b",")?;
            }
            if seq.next_element_seed(WriteJson(&mut *self.0))?.is_none() {
                if !first {
                    self.0.pop();
                }
                break;
            }
            first = false;
        }
        self.put(b"]")
    }
}

/// An object or array, written back out as JSON text.
pub(super) fn complex<'de, E: de::Error>(
    write: impl FnOnce(WriteJson<'_>) -> Result<(), E>,
) -> Result<Scalar<'de>, E> {
    let mut out = Vec::new();
    write(WriteJson(&mut out))?;
    let text = String::from_utf8(out).map_err(E::custom)?;
    budget::charge(text.len())?;
    RawValue::from_string(text)
        .map(|raw| Scalar::Complex(RawJson(raw)))
        .map_err(E::custom)
}
