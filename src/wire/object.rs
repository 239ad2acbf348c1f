//! The one way an object is read: each key a type models goes to that
//! type's reader ([`LenientObject::read_field`]); every other key is kept in
//! the type's [`Extra`], in order. Also the shared field readers: lenient
//! scalars, the one boolean reading of the fields that decide what an answer
//! means, fields that must appear once, and fields read by shape ([`Shape`]:
//! objects inside objects, `history`, `result`).
//!
//! The one leniency rule: a modelled field whose value has an unexpected type
//! is kept in the type's `Extra` exactly as received (its raw text) and the
//! field reads as absent. `null`, `{}` and `[]` read as empty.
//!
//! A body is read in one pass ([`decode`]), each byte once, which keeps no
//! text of the fields read by shape; the rare body where such a field has
//! another shape is read again, capturing each of those fields' text before
//! reading it, as a model type's `Deserialize` always does.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;

use super::{MAX_KEYS, Scalar};
use crate::error::json_message;
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
        reading: &mut Reading,
    ) -> Result<(), A::Error>;
}

/// Implements [`LenientObject`] and `Deserialize` for a type from the body
/// of its `read_field`: `|this, key, map, reading| body`, where `this` is the
/// object being filled, `key` the key, `map` the map being read and
/// `reading` the [`Reading`] of this object. A model type's body is a table
/// of `"Key" => reader` arms, and `_ =>` keeps every other key in its `extra`.
macro_rules! lenient_object {
    (
        $(#[$doc:meta])*
        $ty:ty, $expecting:literal, |$this:ident, $key:ident, $map:ident, $reading:tt| $body:expr
    ) => {
        impl $crate::wire::object::LenientObject for $ty {
            const EXPECTING: &'static str = $expecting;

            fn read_field<'de, A: ::serde::de::MapAccess<'de>>(
                &mut self,
                $key: &str,
                $map: &mut A,
                $reading: &mut $crate::wire::object::Reading,
            ) -> Result<(), A::Error> {
                let $this = self;
                $body;
                Ok(())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            $(#[$doc])*
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                deserializer.deserialize_map($crate::wire::object::ObjectVisitor(false, ::std::marker::PhantomData))
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

/// Reads `text` as `T`: first in one pass, each nested object read where
/// it stands; when a nested object field holds anything else (or the pass
/// fails), again with each such value captured first, so that it can be kept
/// as received. Smile ID's answers take the one pass. An error both readings
/// meet is placed where the one pass met it, in `text` (the other places a
/// nested value's error within that value).
pub(crate) fn decode<T: LenientObject>(text: &str) -> Result<T, serde_json::Error> {
    read(text, true).or_else(|fast| {
        read(text, false).map_err(|exact| {
            // Not a syntax error (`1e400`): where the one pass fails on one,
            // the other reading may keep the value and fail further on.
            let same = fast.is_data() && json_message(&fast) == json_message(&exact);
            if same { fast } else { exact }
        })
    })
}

/// Reads `text` as `T`, in one pass or not (see [`decode`]); not in one
/// pass is how `T`'s `Deserialize` reads it.
fn read<T: LenientObject>(text: &str, one_pass: bool) -> Result<T, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = de::Deserializer::deserialize_map(&mut de, ObjectVisitor(one_pass, PhantomData))?;
    de.end().map(|()| value)
}

/// Reads any [`LenientObject`], within [`MAX_KEYS`], in one pass or not
/// (see [`decode`]).
pub(crate) struct ObjectVisitor<T>(pub(crate) bool, pub(crate) PhantomData<T>);

impl<'de, T: LenientObject> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<T, A::Error> {
        let mut out = T::default();
        let mut reading = Reading {
            one_pass: self.0,
            seen: 0,
        };
        let mut keys = 0;
        while let Some(Key(key)) = map.next_key()? {
            keys += 1;
            if keys > MAX_KEYS {
                return Err(de::Error::custom("an object has more than 10,000 keys"));
            }
            out.read_field(&key, &mut map, &mut reading)?;
        }
        Ok(out)
    }
}

/// An object key, borrowed from the input when it has no escapes, so a key
/// read only to be matched against the modelled ones allocates nothing.
#[derive(serde::Deserialize)]
#[serde(transparent)]
struct Key<'a>(#[serde(borrow)] Cow<'a, str>);

/// How one object is being read: in one pass or not (see [`decode`]), and
/// which of its keys that must not repeat were seen. For the fields that say
/// which job a result is about, a second value could disagree with the first;
/// each type numbers its own such fields (0 to 7).
pub(crate) struct Reading {
    one_pass: bool,
    seen: u8,
}

impl Reading {
    /// Refuses `key`, the type's field number `field`, when it was seen
    /// before in this object.
    pub(crate) fn once<E: de::Error>(&mut self, field: u8, key: &str) -> Result<(), E> {
        let bit = 1u8 << (field & 7);
        if self.seen & bit != 0 {
            return Err(de::Error::custom(format_args!("duplicate `{key}` field")));
        }
        self.seen |= bit;
        Ok(())
    }
}

/// `value`; when it is `None`, `raw` is kept as received under `key`.
fn kept<T>(value: Option<T>, extra: &mut Extra, key: &str, raw: &RawValue) -> Option<T> {
    if value.is_none() {
        extra.0.push(key, RawJson(raw.to_owned()));
    }
    value
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
    let value = match Scalar::of(raw.get()) {
        Scalar::Null => return Ok(None),
        scalar => read(scalar),
    };
    Ok(kept(value, extra, key, raw))
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

/// Reads the value of `key` by its [`Shape`] `T`. `None` when it has
/// another shape: it is then kept in `extra` as received, which in one pass it
/// cannot be, so the pass fails (see [`decode`]).
pub(crate) fn shaped<'de, A, T>(
    map: &mut A,
    extra: &mut Extra,
    key: &str,
    reading: &Reading,
) -> Result<Option<T>, A::Error>
where
    A: MapAccess<'de>,
    T: Shape,
{
    if reading.one_pass {
        let value = map.next_value_seed(Lenient(true, PhantomData))?;
        return value
            .map(Some)
            .ok_or_else(|| de::Error::custom(format_args!("`{key}` is kept as received")));
    }
    let raw: &RawValue = map.next_value()?;
    let text = raw.get();
    let read =
        Lenient(false, PhantomData).deserialize(&mut serde_json::Deserializer::from_str(text));
    // A scalar `serde_json` cannot read (`1e400`, a lone surrogate) is kept too.
    let value = match read {
        Err(err) if text.starts_with(['{', '[']) => return Err(de::Error::custom(err)),
        read => read.ok().flatten(),
    };
    Ok(kept(value, extra, key, raw))
}

/// A value read by shape, in one pass or not (see [`decode`]): the shape
/// expected (a list, an object, or text where it is allowed); `null` and an
/// empty container of the other kind read as empty; any other value reads as
/// `None`, and is kept as received (see [`shaped`]).
pub(crate) trait Shape: Default {
    fn read_map<'de, A: MapAccess<'de>>(mut map: A, _: bool) -> Result<Option<Self>, A::Error> {
        let empty = map.next_entry::<IgnoredAny, IgnoredAny>()?.is_none();
        IgnoredAny.visit_map(map)?;
        Ok(empty.then(Self::default))
    }
    fn read_seq<'de, A: SeqAccess<'de>>(mut seq: A, _: bool) -> Result<Option<Self>, A::Error> {
        let empty = seq.next_element::<IgnoredAny>()?.is_none();
        IgnoredAny.visit_seq(seq)?;
        Ok(empty.then(Self::default))
    }
    fn read_str(_: &str) -> Option<Self> {
        None
    }
}

/// An object field: `None` when `null` or `[]` (and then `{}` is not).
impl<T: LenientObject> Shape for Option<T> {
    fn read_map<'de, A: MapAccess<'de>>(map: A, one_pass: bool) -> Result<Option<Self>, A::Error> {
        ObjectVisitor(one_pass, PhantomData)
            .visit_map(map)
            .map(|v| Some(Some(v)))
    }
}

/// Reads a value by its [`Shape`], in one pass or not.
pub(crate) struct Lenient<T>(pub(crate) bool, pub(crate) PhantomData<T>);

impl<'de, T: Shape> DeserializeSeed<'de> for Lenient<T> {
    type Value = Option<T>;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de, T: Shape> Visitor<'de> for Lenient<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_str<E: de::Error>(self, text: &str) -> Result<Option<T>, E> {
        Ok(T::read_str(text))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(Some(T::default()))
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<T>, A::Error> {
        T::read_map(map, self.0)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<T>, A::Error> {
        T::read_seq(seq, self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::super::job_status::WireJobStatus;
    use super::*;
    use crate::JobResult;

    /// Every shape a nested object field can take, inside `result` and
    /// inside a history entry.
    fn bodies() -> Vec<String> {
        let mut bodies = Vec::new();
        for fixture in std::fs::read_dir("fixtures").unwrap() {
            let path = fixture.unwrap().path();
            if path.extension().is_some_and(|e| e == "json") {
                bodies.push(std::fs::read_to_string(path).unwrap());
            }
        }
        for odd in [
            "null",
            "[]",
            "[ ]",
            "{}",
            "[1]",
            "\"x\"",
            "\"\\u0041\"",
            "7",
            "1.50",
            "-0",
            "true",
            "{\"a\" : 1.50}",
            "1e400",
            "\"\\ud800\"",
        ] {
            for field in ["Actions", "PartnerParams"] {
                bodies.push(format!(
                    r#"{{"result":{{"{field}":{odd}}},"history":[{{"{field}": {odd}}}]}}"#
                ));
            }
            for field in ["result", "history", "image_links"] {
                bodies.push(format!(r#"{{"{field}" : {odd}, "code":"2302"}}"#));
            }
            bodies.push(format!(r#"{{"history":[{odd},{{"ResultCode":"0810"}}]}}"#));
        }
        bodies
    }

    #[test]
    fn one_pass_reads_as_the_exact_reading_does() {
        let mut one_pass = 0;
        for body in bodies() {
            let exact = read::<WireJobStatus>(&body, false);
            let decoded = decode::<WireJobStatus>(&body);
            let message =
                |e: &serde_json::Error| e.to_string().split(" at line ").next().map(str::to_owned);
            assert_eq!(
                decoded.as_ref().map_err(message),
                exact.as_ref().map_err(message),
                "{body}"
            );
            if let Ok(fast) = read::<WireJobStatus>(&body, true) {
                one_pass += 1;
                assert_eq!(Ok(&fast), exact.as_ref().map_err(drop), "{body}");
            }
        }
        // Smile ID's shapes (the fixtures, null, [], {}, text in `result`) take the one pass.
        assert!(one_pass >= 8 + 4 * 7, "{one_pass}");
        // An error is placed in the body, not within the nested value holding it.
        let body = r#"{"code":"2302", "history":[{}, {"PartnerParams":{}, "PartnerParams":{}}]}"#;
        let at = |e: serde_json::Error| (e.line(), e.column());
        assert_eq!(
            decode::<WireJobStatus>(body).map_err(at).unwrap_err(),
            (1, 67)
        );
        assert_eq!(
            read::<WireJobStatus>(body, false).map_err(at).unwrap_err(),
            (1, 41)
        );
    }

    #[test]
    fn odd_shapes_are_kept_byte_exact_when_decoded() {
        let body = r#"{"result":{"Actions":"none","PartnerParams":{"user_id":"u"}},"history":[{"PartnerParams" : 1.50}],"image_links":[1]}"#;
        let wire: WireJobStatus = decode(body).unwrap();
        let result = wire.result.unwrap();
        assert_eq!(result.extra.get("Actions").unwrap().to_json(), r#""none""#);
        assert_eq!(result.partner_params.unwrap().user_id, "u");
        assert_eq!(
            wire.history[0]
                .extra
                .get("PartnerParams")
                .unwrap()
                .to_json(),
            "1.50"
        );
        assert_eq!(wire.extra.get("image_links").unwrap().to_json(), "[1]");
        let wire: WireJobStatus = decode(r#"{"history": {"a" : 1}}"#).unwrap();
        assert!(wire.history.is_empty());
        assert_eq!(wire.extra.get("history").unwrap().to_json(), r#"{"a" : 1}"#);
        // So are scalars `serde_json` cannot read, as in any other field.
        let body = r#"{"result":{"Actions":1e400},"history":[{"PartnerParams":"\ud800"}],"image_links":-1e400}"#;
        let wire: WireJobStatus = decode(body).unwrap();
        let kept = |extra: &Extra, key: &str| extra.get(key).unwrap().to_json().to_owned();
        assert_eq!(kept(&wire.result.unwrap().extra, "Actions"), "1e400");
        assert_eq!(kept(&wire.history[0].extra, "PartnerParams"), r#""\ud800""#);
        assert_eq!(kept(&wire.extra, "image_links"), "-1e400");
        let wire: WireJobStatus = decode(r#"{"result":"\ud800"}"#).unwrap();
        assert_eq!(kept(&wire.extra, "result"), r#""\ud800""#);
        let result: JobResult = serde_json::from_str(r#"{"PartnerParams":1e400}"#).unwrap();
        assert_eq!(kept(&result.extra, "PartnerParams"), "1e400");
    }

    #[test]
    fn keys_are_borrowed_unless_escaped() {
        let keys: Vec<Key<'_>> = serde_json::from_str(r#"["plain","esc\"aped"]"#).unwrap();
        assert!(matches!(&keys[0].0, Cow::Borrowed("plain")));
        assert!(matches!(&keys[1].0, Cow::Owned(k) if k == "esc\"aped"));
        let extra: Extra = serde_json::from_str(r#"{"a\u0062":1}"#).unwrap();
        assert_eq!(extra.get("ab").unwrap().to_json(), "1");
    }
}
