//! Lossless and lenient JSON pieces: [`RawJson`] and [`Extra`] keep what the
//! crate does not model, and `Scalar` reads the loosely typed values Smile ID
//! sends (`"true"` for `true`, `"99"` for `99`, numbers for strings).

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, DeserializeOwned, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;

use crate::Error;

/// One JSON value kept exactly as it was received (or as it was built).
///
/// Fields the crate does not model are kept as `RawJson` in an [`Extra`], so
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
#[derive(Clone)]
pub struct RawJson(Box<RawValue>);

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
                format!("value does not fit the requested type: {e}"),
                self.0.get().as_bytes(),
                Some(Box::new(e)),
            )
        })
    }

    fn from_value(value: &serde_json::Value) -> Self {
        serde_json::value::to_raw_value(value)
            .map(RawJson)
            .unwrap_or_else(|_| RawJson(null_raw()))
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

impl Serialize for RawJson {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(serializer)
    }
}

impl<'de> Deserialize<'de> for RawJson {
    /// Works with `serde_json`'s deserialisers (`from_str`, `from_slice`,
    /// `from_reader`), which can hand over raw text.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        budget::charge(raw.get().len())?;
        Ok(RawJson(raw))
    }
}

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
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Extra {
    entries: Vec<(Cow<'static, str>, RawJson)>,
}

impl Extra {
    /// An empty set of fields.
    pub fn new() -> Self {
        Self::default()
    }

    /// The value of `key`, if present.
    pub fn get(&self, key: &str) -> Option<&RawJson> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
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
        let key = key.into();
        match self.entries.iter_mut().find(|(k, _)| *k == key) {
            Some((_, slot)) => Some(std::mem::replace(slot, value)),
            None => {
                self.entries.push((Cow::Owned(key), value));
                None
            }
        }
    }

    /// Removes `key`, returning its value.
    pub fn remove(&mut self, key: &str) -> Option<RawJson> {
        let at = self.entries.iter().position(|(k, _)| k == key)?;
        Some(self.entries.remove(at).1)
    }

    /// The fields, in the order received.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &RawJson)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// How many fields there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Appends while decoding, within the decoding budget. A repeated unknown
    /// key is kept rather than lost.
    pub(crate) fn push<E: de::Error>(
        &mut self,
        key: Cow<'_, str>,
        value: RawJson,
    ) -> Result<(), E> {
        budget::push(&mut self.entries, (intern(key), value))
    }

    /// Writes the fields into a map being serialised.
    pub(crate) fn serialize_into<M: SerializeMap>(&self, map: &mut M) -> Result<(), M::Error> {
        for (k, v) in &self.entries {
            map.serialize_entry(k, v)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Extra {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl Serialize for Extra {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        self.serialize_into(&mut map)?;
        map.end()
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
                    extra.push(key.0, map.next_value()?)?;
                }
                Ok(extra)
            }
        }
        deserializer.deserialize_map(ExtraVisitor)
    }
}

/// The keys Smile ID sends that are kept as they are: action names and the
/// result fields not modelled as struct fields. Keeping them as static strings
/// saves an allocation per key per result (a 1,000-entry history has tens of
/// thousands).
macro_rules! known_keys {
    ($($key:literal),* $(,)?) => {
        /// A key as a `'static` string when it is a known one, else owned.
        pub(crate) fn intern(key: Cow<'_, str>) -> Cow<'static, str> {
            match &*key {
                $($key => Cow::Borrowed($key),)*
                _ => Cow::Owned(key.into_owned()),
            }
        }
    };
}

known_keys! {
    // Actions
    "Document_Check",
    "Human_Review_Compare",
    "Human_Review_Document_Check",
    "Human_Review_Liveness_Check",
    "Human_Review_Selfie_Check",
    "Human_Review_Update_Selfie",
    "Liveness_Check",
    "Register_Selfie",
    "Return_Personal_Info",
    "Selfie_Check",
    "Selfie_Provided",
    "Selfie_To_ID_Authority_Compare",
    "Selfie_To_ID_Card_Compare",
    "Selfie_To_Registered_Selfie_Compare",
    "Update_Registered_Selfie_On_File",
    "Verify_Document",
    "Verify_ID_Number",
    // Result fields kept in `extra`
    "Address",
    "Antifraud",
    "Country",
    "DOB",
    "DateTimeSubmitted",
    "Document",
    "ExpirationDate",
    "FullData",
    "FullName",
    "Gender",
    "IDNumber",
    "IDNumberPreviouslyRegistered",
    "IDType",
    "PhoneNumber",
    "PhoneNumber2",
    "Photo",
    "Secondary_ID_Number",
    "UserIDsOfPreviousRegistrants",
    "optional_info",
}

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            // Charged when kept (`Extra::push`): most keys are known ones,
            // kept as static strings.
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                budget::charge_unescaped(v.len())?;
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                budget::charge_unescaped(v.len())?;
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

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

impl Scalar<'_> {
    /// The value as text, by the crate's one rule for text (as
    /// `skim::text_of` reads the fields checked before decoding): a string as
    /// it is, a number written out. A boolean, an object or an array is not
    /// text.
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
            Scalar::I64(n) if n >= 0 => Ok(Some(format!("{n:04}"))),
            Scalar::U64(n) => Ok(Some(format!("{n:04}"))),
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
            Scalar::Null => RawJson(null_raw()),
            Scalar::Bool(b) => RawJson::from_value(&serde_json::Value::Bool(b)),
            Scalar::I64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::U64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::F64(n) => RawJson::from_value(&serde_json::Value::from(n)),
            Scalar::Str(s) => RawJson::string(&s),
        }
    }
}

/// The decoding budget: how much memory decoding one verified body may take.
///
/// A small JSON text can stand for a large structure (`{}` is 2 bytes, a
/// decoded result several hundred), so decoding charges what it allocates
/// against a budget set from the body's length, and stops with an error once
/// it is spent. Only the crate's own judging sets a budget (one per body, on
/// the decoding thread); the public `Deserialize` impls decode without one.
pub(crate) mod budget {
    use std::cell::Cell;

    use serde::de;

    thread_local! {
        static LEFT: Cell<Option<usize>> = const { Cell::new(None) };
    }

    /// The budget for a body of `len` bytes: the structures, strings and raw
    /// values decoded from it may take three and a half times its length,
    /// plus 48 KiB. Smile ID's own bodies take less than three (a 1,000-entry
    /// history about 2.8); the rest is headroom, and what is not charged
    /// (parser buffers, the fixed part of the result) stays within four.
    pub(crate) fn for_body(len: usize) -> usize {
        len.saturating_mul(7).div_ceil(2).saturating_add(48 * 1024)
    }

    /// Runs `decode` with `bytes` of budget on this thread.
    pub(crate) fn with<T>(bytes: usize, decode: impl FnOnce() -> T) -> T {
        struct Restore(Option<usize>);
        impl Drop for Restore {
            fn drop(&mut self) {
                LEFT.set(self.0);
            }
        }
        let _restore = Restore(LEFT.replace(Some(bytes)));
        decode()
    }

    /// Takes `bytes` from the budget, or fails once it is spent.
    pub(crate) fn charge<E: de::Error>(bytes: usize) -> Result<(), E> {
        match LEFT.get() {
            None => Ok(()),
            Some(left) => match left.checked_sub(bytes) {
                Some(rest) => {
                    LEFT.set(Some(rest));
                    Ok(())
                }
                None => {
                    LEFT.set(Some(0));
                    Err(E::custom(
                        "the body would take more than 3.5 times its length in memory to decode (too many fields or entries for its size)",
                    ))
                }
            },
        }
    }

    /// For a string the parser had to unescape: its scratch buffer (which
    /// grows by doubling) and the copy.
    pub(crate) fn charge_unescaped<E: de::Error>(len: usize) -> Result<(), E> {
        charge(len.saturating_mul(5))
    }

    /// Pushes onto a vector, charging each growth of its capacity (doubling,
    /// from 8) before it happens.
    pub(crate) fn push<T, E: de::Error>(items: &mut Vec<T>, item: T) -> Result<(), E> {
        if items.len() == items.capacity() {
            let grown = items.capacity().saturating_mul(2).max(8);
            charge(grown.saturating_mul(size_of::<T>()))?;
            items.reserve_exact(grown - items.len());
        }
        items.push(item);
        Ok(())
    }
}

/// Writes a value it is handed back out as compact JSON, charging the budget
/// as the text grows: how an object or array found where a scalar was
/// expected is kept, without building a tree of it.
struct WriteJson<'a>(&'a mut Vec<u8>);

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
fn complex<'de, E: de::Error>(
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
                budget::charge_unescaped(v.len())?;
                Ok(Scalar::Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Scalar<'de>, E> {
                budget::charge_unescaped(v.len())?;
                Ok(Scalar::Str(Cow::Owned(v)))
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

/// Serialises an optional field only when present.
pub(crate) fn entry_opt<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: Option<&T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
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
    fn codes_are_padded_text() {
        assert_eq!(scalar("810").into_code(), Ok(Some("0810".into())));
        assert_eq!(scalar("1012").into_code(), Ok(Some("1012".into())));
        assert_eq!(scalar("\"0810\"").into_code(), Ok(Some("0810".into())));
        assert_eq!(scalar("-1").into_code(), Ok(Some("-1".into())));
        assert_eq!(scalar("null").into_code(), Ok(None));
    }

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
    }
}
