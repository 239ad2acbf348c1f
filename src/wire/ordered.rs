//! How the ordered maps ([`Extra`], [`Actions`]) are read: one visitor, and
//! per value type how one value is read.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, MapAccess, Visitor};

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

/// An action's outcome: a known value, or any other text as received; a
/// `null` action is left out.
impl OrderedValue for ActionResult {
    const EXPECTING: &'static str = "an Actions object";
    fn read<'de, A: MapAccess<'de>>(map: &mut A) -> Result<Option<Self>, A::Error> {
        Ok(Some(match map.next_value::<Scalar>()? {
            Scalar::Null => return Ok(None),
            Scalar::Str(s) => ActionResult::from(&*s),
            other => ActionResult::Other(match other.into_text() {
                Ok(text) => text.unwrap_or_default(),
                Err(raw) => raw.to_json().to_owned(),
            }),
        }))
    }
}

/// Reads an object into an [`Ordered`] map, in order, within the budget.
struct OrderedVisitor<V>(PhantomData<V>);

impl<'de, V: OrderedValue> Visitor<'de> for OrderedVisitor<V> {
    type Value = Ordered<V>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(V::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Ordered<V>, A::Error> {
        let mut out = Ordered::default();
        while let Some(Key(key)) = map.next_key()? {
            if let Some(value) = V::read(&mut map)? {
                out.push(key, value)?;
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
