//! [`RawJson`]: one JSON value kept exactly as received, for what the crate
//! does not model.

use std::borrow::Cow;
use std::fmt;

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::value::RawValue;

use crate::Error;

/// One JSON value kept exactly as it was received (or as it was built).
///
/// Fields the crate does not model are kept as `RawJson` in an [`Extra`](crate::Extra), so
/// nothing in a response is lost and nothing is parsed more than once.
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
#[derive(Clone, Serialize)]
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
    pub fn string(text: &str) -> Self {
        // Written into a buffer of exactly the escaped length, so that keeping
        // a string costs no more than its JSON text. Serialising a `str`
        // cannot fail; the fallback is unreachable but keeps library code free
        // of panics.
        let mut out = Vec::with_capacity(escaped_len(text));
        let raw = serde_json::to_writer(&mut out, text)
            .ok()
            .and_then(|()| String::from_utf8(out).ok())
            .and_then(|json| RawValue::from_string(json).ok());
        RawJson(raw.unwrap_or_else(null_raw))
    }

    /// The JSON text, exactly as received.
    pub fn to_json(&self) -> &str {
        self.0.get()
    }

    /// The value when it is a JSON string, unescaped; `None` for any other type.
    ///
    /// Borrows from the raw text when the string has no escapes.
    pub fn as_str(&self) -> Option<Cow<'_, str>> {
        let text = self.0.get();
        if !text.starts_with('"') {
            return None;
        }
        match text.get(1..text.len().saturating_sub(1)) {
            Some(inner) if !inner.contains('\\') => Some(Cow::Borrowed(inner)),
            _ => serde_json::from_str::<String>(text).ok().map(Cow::Owned),
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

/// The length of `text` as a JSON string, as `serde_json` escapes it.
fn escaped_len(text: &str) -> usize {
    let escapes: usize = text
        .bytes()
        .map(|b| match b {
            b'"' | b'\\' | 0x08 | 0x0c | b'\n' | b'\r' | b'\t' => 1,
            0..0x20 => 5,
            _ => 0,
        })
        .sum();
    text.len() + escapes + 2
}

fn null_raw() -> Box<RawValue> {
    RawValue::NULL.to_owned()
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
        const MAX: usize = 120;
        let text = self.0.get();
        let mut cut = text.len().min(MAX * 4);
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        let shown = crate::redact::redact(text.get(..cut).unwrap_or_default());
        if shown.chars().count() <= MAX && cut == text.len() {
            return f.write_str(&shown);
        }
        let head: String = shown.chars().take(MAX).collect();
        write!(f, "{head}… ({} bytes)", text.len())
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
        assert!(RawJson::parse("null").unwrap().is_null());
        let long = RawJson::string(&"x".repeat(1000));
        let debug = format!("{long:?}");
        assert!(debug.len() < 200, "{debug}");
        assert!(debug.contains("1002 bytes"));
    }
}
