//! [`RawJson`]: one JSON value kept exactly as received, for what the crate
//! does not model.

use std::borrow::Cow;
use std::fmt;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::Error;
use crate::wire::Scalar;

/// One JSON value kept exactly as it was received (or as it was built).
///
/// Fields the crate does not model are kept as `RawJson` in an [`Extra`](crate::Extra), so
/// nothing in a response is lost and nothing is parsed more than once.
/// It deserialises from any of `serde_json`'s deserialisers (`from_str`,
/// `from_slice`, `from_reader`), which can hand over raw text.
///
/// ```
/// use smile_id::RawJson;
///
/// let v = RawJson::parse(r#""Not Available""#)?;
/// assert_eq!(v.as_str().as_deref(), Some("Not Available"));
/// assert_eq!(v.to_json(), r#""Not Available""#);
/// let n: u32 = RawJson::parse("42")?.deserialize()?;
/// assert_eq!(n, 42);
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone, Serialize, Deserialize)]
#[serde(transparent)]
pub struct RawJson(pub(crate) Box<RawValue>);

impl RawJson {
    /// Checks that `text` is one JSON value and keeps it as is.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `text` is not valid JSON.
    pub fn parse(text: &str) -> Result<Self, Error> {
        RawValue::from_string(text.to_owned())
            .map(RawJson)
            .map_err(|e| Error::invalid_input("json", e.to_string()))
    }

    /// Serialises `value` to JSON.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `value` cannot be represented in JSON
    /// (a map with non-string keys, say).
    pub fn from_serialize<T: Serialize + ?Sized>(value: &T) -> Result<Self, Error> {
        serde_json::value::to_raw_value(value)
            .map(RawJson)
            .map_err(|e| Error::invalid_input("json", e.to_string()))
    }

    /// A JSON string holding `text`.
    #[allow(clippy::expect_used)] // Serialising a `str` to JSON cannot fail.
    pub fn string(text: &str) -> Self {
        RawJson(serde_json::value::to_raw_value(text).expect("a str is valid JSON"))
    }

    /// The JSON text, exactly as received.
    pub fn to_json(&self) -> &str {
        self.0.get()
    }

    /// The value when it is a JSON string, unescaped; `None` for any other type.
    ///
    /// Borrows from the raw text when the string has no escapes.
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        match Scalar::of(self.0.get()) {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }

    /// Whether the value is JSON `null`.
    pub fn is_null(&self) -> bool {
        self.0.get() == "null"
    }

    /// Decodes the value into any deserialisable type.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the value does not fit `T`.
    pub fn deserialize<T: DeserializeOwned>(&self) -> Result<T, Error> {
        serde_json::from_str(self.0.get()).map_err(|e| {
            Error::decode(
                "value does not fit the requested type",
                self.0.get().as_bytes(),
                Some(Box::new(e)),
                crate::Subject::Response,
            )
        })
    }
}

impl PartialEq for RawJson {
    fn eq(&self, other: &Self) -> bool {
        self.0.get() == other.0.get()
    }
}

impl Eq for RawJson {}

impl fmt::Debug for RawJson {
    /// Shows the JSON text, shortened when it is long (base64 photos can be
    /// megabytes; logs do not need them), with signature-shaped runs and URL
    /// query strings cut out.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (head, cut) = crate::redact::redact_head(self.0.get(), 120);
        if !cut {
            return f.write_str(&head);
        }
        write!(f, "{head}… ({} bytes)", self.0.get().len())
    }
}

impl fmt::Display for RawJson {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_json_keeps_text_and_reads_strings() {
        let raw: RawJson = serde_json::from_str(r#"  {"a" : 1}"#).unwrap();
        assert_eq!(raw.to_json(), r#"{"a" : 1}"#);
        assert_eq!(raw.as_str(), None);
        let s = RawJson::parse(r#""a\"b""#).unwrap();
        assert_eq!(s.as_str().as_deref(), Some("a\"b"));
        assert!(RawJson::parse("{").is_err());
        let escaped = RawJson::string("a\"b\n\u{1}");
        assert_eq!(escaped.to_json(), r#""a\"b\n\u0001""#);
        assert_eq!(escaped.as_str().as_deref(), Some("a\"b\n\u{1}"));
        assert!(RawJson::parse("null").unwrap().is_null());
        let long = RawJson::string(&"x".repeat(1000));
        let debug = format!("{long:?}");
        assert!(debug.len() < 200, "{debug}");
        assert!(debug.contains("1002 bytes"));
    }
}
