//! [`Extra`]: the fields of an object that the crate does not model.

use std::borrow::Cow;

use serde::Serialize;

use super::ordered::Ordered;
use crate::RawJson;

/// The fields of a JSON object that the crate does not model, in the order
/// received.
///
/// ```
/// use smile_id::{Extra, RawJson};
///
/// let mut extra = Extra::new();
/// extra.insert("FullName", RawJson::string("Jane Doe"));
/// assert_eq!(extra.get_str("FullName").as_deref(), Some("Jane Doe"));
/// assert_eq!(extra.len(), 1);
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Extra(pub(crate) Ordered<RawJson>);

impl Extra {
    /// An empty set of fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&RawJson> {
        self.0.get(key)
    }

    /// The value of `key` when it is a JSON string.
    pub fn get_str(&self, key: &str) -> Option<Cow<'_, str>> {
        self.get(key).and_then(RawJson::as_str)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key`, returning the value it replaces.
    pub fn insert(&mut self, key: impl Into<String>, value: RawJson) -> Option<RawJson> {
        self.0.insert(key.into(), value)
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<RawJson> {
        self.0.remove(key)
    }

    /// The fields, in the order received.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &RawJson)> {
        self.0.iter()
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extra_round_trips_in_order() {
        let extra: Extra = serde_json::from_str(r#"{"b":1,"a":{"x":[1,2]},"c":"s"}"#).unwrap();
        let keys: Vec<_> = extra.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "a", "c"]);
        assert_eq!(
            serde_json::to_string(&extra).unwrap(),
            r#"{"b":1,"a":{"x":[1,2]},"c":"s"}"#
        );
        let mut extra = extra;
        assert_eq!(
            extra
                .insert("b", RawJson::parse("2").unwrap())
                .unwrap()
                .to_json(),
            "1"
        );
        assert_eq!(extra.remove("a").unwrap().to_json(), r#"{"x":[1,2]}"#);
        assert_eq!(extra.len(), 2);
        assert!(!extra.contains_key("a"));
        // A repeated key is kept.
        let twice: Extra = serde_json::from_str(r#"{"a":1,"a":2}"#).unwrap();
        assert_eq!(twice.len(), 2);
    }
}
