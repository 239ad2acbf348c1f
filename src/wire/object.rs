//! The one way an object is read: each key a type models goes to that
//! type's reader ([`LenientObject::read_field`]); every other key is kept in
//! the type's [`Extra`], in order. Also the shared field readers: lenient
//! scalars, the one boolean reading of the fields that decide what an answer
//! means, fields that must appear once, and object fields.
//!
//! The one leniency rule: a modelled field whose value has an unexpected type
//! is kept in the type's `Extra` exactly as received (its raw text) and the
//! field reads as absent. `null`, `{}` and `[]` read as empty.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, MapAccess, Visitor};
use serde_json::value::RawValue;

use super::{MAX_KEYS, Scalar};
use crate::{Extra, RawJson};

/// A type read from a JSON object, leniently, one key at a time.
pub(crate) trait LenientObject: Default {
    /// What the object is, for error messages ("a result object").
    const EXPECTING: &'static str;

    /// Reads the value of `key`: into its field when the type models `key`,
    /// else into the type's [`Extra`], as received.
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        once: &mut Once,
    ) -> Result<(), A::Error>;
}

/// Implements [`LenientObject`] and `Deserialize` for a type from the body
/// of its `read_field`: `|this, key, map, once| body`, where `this` is the
/// object being filled, `key` the key, `map` the map being read and `once`
/// the repeat check. A model type's body is a table of `"Key" => reader`
/// arms, and `_ =>` keeps every other key in its `extra`.
macro_rules! lenient_object {
    (
        $(#[$doc:meta])*
        $ty:ty, $expecting:literal, |$this:ident, $key:ident, $map:ident, $once:tt| $body:expr
    ) => {
        impl $crate::wire::object::LenientObject for $ty {
            const EXPECTING: &'static str = $expecting;

            fn read_field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                $key: &str,
                $map: &mut A,
                $once: &mut $crate::wire::object::Once,
            ) -> Result<(), A::Error> {
                let $this = self;
                $body;
                Ok(())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            $(#[$doc])*
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map($crate::wire::object::ObjectVisitor(::std::marker::PhantomData))
            }
        }
    };
}
pub(crate) use lenient_object;

lenient_object! {
    /// Keeps every key, in order, as received.
    Extra, "a JSON object",
    |this, key, map, _| this.0.push(key, map.next_value()?)
}

/// Reads any [`LenientObject`], within [`MAX_KEYS`].
pub(crate) struct ObjectVisitor<T>(pub(crate) PhantomData<T>);

impl<'de, T: LenientObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut once = Once::default();
        let mut keys = 0;
        while let Some(Key(key)) = map.next_key()? {
            keys += 1;
            if keys > MAX_KEYS {
                return Err(de::Error::custom("an object has more than 10,000 keys"));
            }
            out.read_field(&key, &mut map, &mut once)?;
        }
        Ok(out)
    }
}

/// An object key, borrowed from the input when it has no escapes, so a key
/// read only to be matched against the modelled ones allocates nothing.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// The keys of one object that must not repeat: for the fields that say
/// which job a result is about, a second value could disagree with the first.
/// Each type numbers its own such fields (0 to 7); no allocation.
#[derive(Default)]
pub(crate) struct Once(u8);

impl Once {
    /// Refuses `key`, the type's field number `field`, when it was seen
    /// before in this object.
    pub(crate) fn check<E: de::Error>(&mut self, field: u8, key: &str) -> Result<(), E> {
        let bit = 1u8 << (field & 7);
        if self.0 & bit != 0 {
            return Err(de::Error::custom(format_args!("duplicate `{key}` field")));
        }
        self.0 |= bit;
        Ok(())
    }
}

/// Keeps `raw` as received under `key`.
pub(crate) fn keep(extra: &mut Extra, key: &str, raw: &RawValue) {
    extra.0.push(key, RawJson(raw.to_owned()));
}

/// Reads a lenient field with `read` (one of [`Scalar`]'s readers). `null`
/// is `None`; a value it cannot read is kept as received among the unknown
/// fields under its own key, and the field is `None`.
pub(crate) fn lenient<'de, A, T>(
    map: &mut A,
    extra: &mut Extra,
    key: &str,
    read: impl FnOnce(Scalar<'de>) -> Option<T>,
) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
{
    let raw: &RawValue = map.next_value()?;
    let scalar = Scalar::of(raw.get());
    if scalar == Scalar::Null {
        return Ok(None);
    }
    let value = read(scalar);
    if value.is_none() {
        keep(extra, key, raw);
    }
    Ok(value)
}

/// Reads a field that decides what an answer means (`job_complete`,
/// `job_success`): `null` is `None`, the one set of boolean spellings
/// ([`Scalar::into_bool`]) is read, anything else is an error.
pub(crate) fn strict_bool<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
) -> Result<Option<bool>, A::Error> {
    match Scalar::of(map.next_value::<&RawValue>()?.get()) {
        Scalar::Null => Ok(None),
        scalar => scalar.into_bool().map(Some).ok_or_else(|| {
            de::Error::custom(format_args!(
                "`{key}` is not a boolean (true, false, \"true\" or \"false\" in any case, 1, 0, \"1\" or \"0\")"
            ))
        }),
    }
}

/// Whether `raw` (one JSON value) is an empty array.
pub(crate) fn is_empty_array(raw: &str) -> bool {
    raw.strip_prefix('[')
        .is_some_and(|rest| rest.trim_start().starts_with(']'))
}

/// Reads an object field from its raw text: an object as `T`; `null` and
/// `[]` as `None`; anything else is kept as received in `extra` (and is
/// `None`).
pub(crate) fn object_field<'de, A, T>(
    map: &mut A,
    extra: &mut Extra,
    key: &str,
) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
    T: Deserialize<'de>,
{
    let raw: &RawValue = map.next_value()?;
    let text = raw.get();
    if text.starts_with('{') {
        return serde_json::from_str(text)
            .map(Some)
            .map_err(de::Error::custom);
    }
    if text != "null" && !is_empty_array(text) {
        keep(extra, key, raw);
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_borrowed_unless_escaped() {
        let keys: Vec<Key<'_>> = serde_json::from_str(r#"["plain","esc\"aped"]"#).unwrap();
        assert!(matches!(&keys[0].0, Cow::Borrowed("plain")));
        assert!(matches!(&keys[1].0, Cow::Owned(k) if k == "esc\"aped"));
        let extra: Extra = serde_json::from_str(r#"{"a\u0062":1}"#).unwrap();
        assert_eq!(extra.get("ab").unwrap().to_json(), "1");
    }
}
