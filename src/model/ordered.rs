//! The one ordered map behind [`Extra`](crate::Extra) and
//! [`Actions`](crate::Actions): keys in the order received, repeated keys
//! kept.
//!
//! A `Vec` rather than a hash map: objects are small, order matters for
//! faithful re-serialising, and a lookup by linear scan is cheaper than
//! hashing at these sizes.

use std::fmt;

use serde::ser::{Serialize, Serializer};

use crate::redact::Redacted;

/// Keys and values in the order received.
#[derive(Clone, PartialEq, Eq)]
pub(crate) struct Ordered<V> {
    entries: Vec<(String, V)>,
}

impl<V> Default for Ordered<V> {
    fn default() -> Self {
        Ordered {
            entries: Vec::new(),
        }
    }
}

impl<V> Ordered<V> {
    /// The value of the first `key`, if present.
    pub(crate) fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// Sets `key`, returning the value it replaces.
    pub(crate) fn insert(&mut self, key: String, value: V) -> Option<V> {
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((key, value));
                None
            }
        }
    }

    /// Removes the first `key`, returning its value.
    pub(crate) fn remove(&mut self, key: &str) -> Option<V> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The entries, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    pub(crate) fn len(&self) -> usize {
        self.entries.len()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends while decoding. A repeated key is kept rather than lost.
    pub(crate) fn push(&mut self, key: &str, value: V) {
        self.entries.push((key.to_owned(), value));
    }
}

/// Keys and values are the server's, unauthenticated: key-shaped runs are cut
/// out of both (an unknown action's value is kept as received).
impl<V: fmt::Debug> fmt::Debug for Ordered<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map()
            .entries(self.iter().map(|(k, v)| (Redacted(k), Redacted(v))))
            .finish()
    }
}

/// A JSON object, entries in order (also when flattened into a struct).
impl<V: Serialize> Serialize for Ordered<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_map(self.iter())
    }
}
