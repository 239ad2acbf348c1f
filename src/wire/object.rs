//! The one way an object is read: each key a type models goes to that
//! type's reader ([`LenientObject::read_field`]); every other key is kept in
//! the type's [`Extra`], in order. Also the shared field readers: lenient
//! scalars, strict booleans, fields that must appear once, and object fields
//! that may be `null` or `[]`.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::{Key, Scalar};
use crate::{Extra, RawJson};

/// A model type read from a JSON object, leniently.
pub(crate) trait LenientObject: Default {
    /// What the object is, for error messages ("a result object").
    const EXPECTING: &'static str;

    /// Where the keys the type does not model go.
    fn extra(&mut self) -> &mut Extra;

    /// Reads the value of `key` when the type models `key`, and says whether
    /// it did (`false` leaves the value unread, for [`extra`](Self::extra)).
    fn read_field<'de, A: MapAccess<'de>>(
        &mut self,
        key: &str,
        map: &mut A,
        once: &mut Once,
    ) -> Result<bool, A::Error>;
}

/// Implements [`LenientObject`] and `Deserialize` for a model type from its
/// table of modelled keys: `"Key" => this.field = reader,` arms, where
/// `this` is the object being filled, `extra` its unknown fields, `map` the
/// map being read, `key` the key and `once` the repeat check.
macro_rules! lenient_object {
    (
        $(#[$doc:meta])*
        $ty:ty, $expecting:literal,
        |$this:ident, $key:ident, $map:ident, $extra:ident, $once:ident| { $($arms:tt)* }
    ) => {
        impl $crate::wire::object::LenientObject for $ty {
            const EXPECTING: &'static str = $expecting;

            fn extra(&mut self) -> &mut $crate::Extra {
                &mut self.extra
            }

            #[inline(always)]
            fn read_field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                $key: &str,
                $map: &mut A,
                $once: &mut $crate::wire::object::Once,
            ) -> Result<bool, A::Error> {
                let $this = self;
                let $extra = &mut $this.extra;
                match $key {
                    $($arms)*
                    _ => return Ok(false),
                }
                Ok(true)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            $(#[$doc])*
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::wire::object::read_object(deserializer)
            }
        }
    };
}
pub(crate) use lenient_object;

/// Reads any [`LenientObject`]; an empty array stands for an empty object.
pub(crate) struct ObjectVisitor<T>(PhantomData<T>);

impl<T> ObjectVisitor<T> {
    pub(crate) fn new() -> Self {
        ObjectVisitor(PhantomData)
    }
}

impl<'de, T: LenientObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        empty_seq(seq, &self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut once = Once::default();
        while let Some(Key(key)) = map.next_key()? {
            if !out.read_field(&key, &mut map, &mut once)? {
                out.extra().0.push(key, map.next_value()?)?;
            }
        }
        Ok(out)
    }
}

/// Reads an object as `T`.
pub(crate) fn read_object<'de, D: Deserializer<'de>, T: LenientObject>(
    deserializer: D,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor::new())
}

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

/// Reads a lenient field with `read` (one of [`Scalar`]'s readers). A value
/// it cannot read is filed among the unknown fields under its own key, so
/// nothing is lost, and the field is `None`.
#[inline(always)]
pub(crate) fn lenient<'de, A, T>(
    map: &mut A,
    extra: &mut Extra,
    key: &str,
    read: impl FnOnce(Scalar<'de>) -> Result<Option<T>, RawJson>,
) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
{
    match read(map.next_value()?) {
        Ok(value) => Ok(value),
        Err(raw) => {
            extra.0.push(Cow::Borrowed(key), raw)?;
            Ok(None)
        }
    }
}

/// Reads a field that must be a boolean (leniently), failing otherwise.
pub(crate) fn strict_bool<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
) -> Result<Option<bool>, A::Error> {
    map.next_value::<Scalar>()?.into_bool().map_err(|raw| {
        de::Error::custom(format_args!("`{key}` is not a boolean: {}", raw.to_json()))
    })
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

/// An object field that may also be `null` or `[]` (both `None`).
pub(crate) struct NullableObject<T>(pub(crate) Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NullableObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(NullableObjectVisitor(PhantomData))
    }
}

struct NullableObjectVisitor<T>(PhantomData<T>);

impl<'de, T: Deserialize<'de>> Visitor<'de> for NullableObjectVisitor<T> {
    type Value = NullableObject<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object or null")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(NullableObject(None))
    }
    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        empty_seq::<A, ()>(seq, &self).map(|()| NullableObject(None))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(de::value::MapAccessDeserializer::new(map)).map(|t| NullableObject(Some(t)))
    }
}
