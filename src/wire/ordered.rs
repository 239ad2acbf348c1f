//! How the ordered maps ([`Extra`], [`Actions`]) are read: one visitor, and
//! per value type how one value is read.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

use super::object::{KeyCount, next_raw};
use super::{Key, Scalar};
use crate::model::ordered::Ordered;
use crate::{ActionResult, Actions, Extra, RawJson};

/// A value type of an ordered map.
trait OrderedValue: Sized {
    /// What the map is, for error messages.
    const EXPECTING: &'static str;
    /// Reads one value; `None` leaves the entry out.
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error>;
}

/// An unknown field: kept as received.
impl OrderedValue for RawJson {
    const EXPECTING: &'static str = "a JSON object";
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error> {
        map.next_value().map(Some)
    }
}

/// An action's outcome: a known value, or any other string as received, or
/// any other value's JSON text as received; a `null` action is left out.
impl OrderedValue for ActionResult {
    const EXPECTING: &'static str = "an Actions object";
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error> {
        let raw = next_raw(map)?.get();
        Ok(match Scalar::of(raw) {
            Scalar::Null => None,
            Scalar::Str(s) => Some(ActionResult::from(&*s)),
            _ => Some(ActionResult::Other(raw.to_owned())),
        })
    }
}

/// Reads an object into an [`Ordered`] map, in order, within [`MAX_KEYS`](super::MAX_KEYS).
struct OrderedVisitor<V>(PhantomData<V>);

impl<'de, V: OrderedValue> Visitor<'de> for OrderedVisitor<V> {
    type Value = Ordered<V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(V::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<V>, A::Error> {
        let mut out = Ordered::default();
        let mut keys = KeyCount::default();
        while let Some(Key(key)) = map.next_key()? {
            keys.count()?;
            if let Some(value) = V::read(&mut map)? {
                out.push(&key, value);
            }
        }
        Ok(out)
    }
}

fn read_ordered<'de, D: Deserializer<'de>, V: OrderedValue>(
    deserializer: D,
) -> Result<Ordered<V>, D::Error> {
    deserializer.deserialize_map(OrderedVisitor(PhantomData))
}

impl<'de> Deserialize<'de> for Extra {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_ordered(deserializer).map(Extra)
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        read_ordered(deserializer).map(Actions)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_keep_unknown_values() {
        let a: Actions = serde_json::from_str(
            r#"{"A":"Passed","B":"Sent to Human Review","C":"New","D":3,"E":null}"#,
        )
        .unwrap();
        assert_eq!(a.get("A"), Some(&ActionResult::Passed));
        assert_eq!(a.get("B"), Some(&ActionResult::SentToHumanReview));
        assert_eq!(a.get("C"), Some(&ActionResult::Other("New".into())));
        assert_eq!(a.get("D"), Some(&ActionResult::Other("3".into())));
        assert_eq!(a.get("E"), None);
        assert_eq!(a.len(), 4);
    }
}
