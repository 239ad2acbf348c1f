//! [`Scalar`]: one JSON value's raw text read leniently, for fields whose
//! type Smile ID varies (`"true"` for `true`, `"99"` for `99`, numbers for
//! strings). A value a reader cannot use is kept, as received, by the caller.

use std::borrow::Cow;

/// One JSON value, read from its raw text: scalars typed, objects and arrays
/// not (they are never what a scalar field holds).
///
/// Strings borrow from the text when they have no escapes, so a value read
/// only to become a number or a boolean (`"99"`, `"true"`) allocates nothing.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str(Cow<'a, str>),
    Complex,
}

impl<'a> Scalar<'a> {
    /// Reads the raw text of one valid JSON value (as `RawValue` holds it).
    pub(crate) fn of(raw: &'a str) -> Scalar<'a> {
        match raw.as_bytes().first() {
            Some(b'"') => match raw.get(1..raw.len().saturating_sub(1)) {
                Some(inner) if !inner.contains('\\') => Scalar::Str(Cow::Borrowed(inner)),
                _ => serde_json::from_str::<String>(raw)
                    .map_or(Scalar::Complex, |s| Scalar::Str(Cow::Owned(s))),
            },
            Some(b't') => Scalar::Bool(true),
            Some(b'f') => Scalar::Bool(false),
            Some(b'n') => Scalar::Null,
            Some(b'-' | b'0'..=b'9') => Scalar::number(raw).unwrap_or(Scalar::Complex),
            _ => Scalar::Complex,
        }
    }

    /// A JSON number, as `serde_json` reads it.
    fn number(raw: &str) -> Option<Scalar<'a>> {
        let n = serde_json::from_str::<serde_json::Number>(raw).ok()?;
        n.as_u64()
            .map(Scalar::U64)
            .or_else(|| n.as_i64().map(Scalar::I64))
            .or_else(|| n.as_f64().map(Scalar::F64))
    }

    /// The value as text, by the crate's one rule for text (as
    /// `skim::text_of` reads the fields checked before decoding, so that
    /// `1.50` is `"1.5"` on both paths): a string as it is, a number written
    /// out. A boolean,
    /// `null`, an object or an array is not text.
    pub(crate) fn into_text(self) -> Option<String> {
        match self {
            Scalar::Str(s) => Some(s.into_owned()),
            Scalar::I64(n) => Some(n.to_string()),
            Scalar::U64(n) => Some(n.to_string()),
            Scalar::F64(n) => Some(n.to_string()),
            Scalar::Null | Scalar::Bool(_) | Scalar::Complex => None,
        }
    }

    /// Like [`into_text`](Self::into_text), but a non-negative integer is
    /// zero-padded to the four digits Smile ID's codes always have
    /// (`810` becomes `"0810"`).
    pub(crate) fn into_code(self) -> Option<String> {
        match self {
            Scalar::U64(n) => Some(crate::codes::pad(n)),
            other => other.into_text(),
        }
    }

    /// The crate's one set of boolean spellings: `true`/`false`, the strings
    /// `"true"`/`"false"` in any case, `1`/`0` and `"1"`/`"0"`.
    pub(crate) fn into_bool(self) -> Option<bool> {
        match self {
            Scalar::Bool(b) => Some(b),
            Scalar::U64(1) => Some(true),
            Scalar::U64(0) => Some(false),
            Scalar::Str(s) if s.eq_ignore_ascii_case("true") || s == "1" => Some(true),
            Scalar::Str(s) if s.eq_ignore_ascii_case("false") || s == "0" => Some(false),
            _ => None,
        }
    }

    /// A finite number, also from numeric strings such as `"97.000000"`.
    pub(crate) fn into_f64(self) -> Option<f64> {
        let n = match self {
            Scalar::I64(n) => n as f64,
            Scalar::U64(n) => n as f64,
            Scalar::F64(n) => n,
            Scalar::Str(s) => s.trim().parse::<f64>().ok()?,
            Scalar::Null | Scalar::Bool(_) | Scalar::Complex => return None,
        };
        n.is_finite().then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scalar(text: &str) -> Scalar<'_> {
        Scalar::of(text)
    }

    #[test]
    fn lenient_booleans() {
        for (raw, read) in [
            ("true", Some(true)),
            ("false", Some(false)),
            ("\"false\"", Some(false)),
            ("\"TRUE\"", Some(true)),
            ("\"tRuE\"", Some(true)),
            ("1", Some(true)),
            ("0", Some(false)),
            ("\"1\"", Some(true)),
            ("\"0\"", Some(false)),
            ("null", None),
            ("\"maybe\"", None),
            ("\" true\"", None),
            ("2", None),
            ("1.0", None),
            ("-1", None),
            ("[1]", None),
            ("{}", None),
        ] {
            assert_eq!(scalar(raw).into_bool(), read, "{raw}");
        }
    }

    #[test]
    fn lenient_numbers() {
        assert_eq!(scalar("\"99\"").into_f64(), Some(99.0));
        assert_eq!(scalar("\"97.000000\"").into_f64(), Some(97.0));
        assert_eq!(scalar("97.5").into_f64(), Some(97.5));
        assert_eq!(scalar("100").into_f64(), Some(100.0));
        assert_eq!(scalar("\"N/A\"").into_f64(), None);
        assert_eq!(scalar("\"NaN\"").into_f64(), None);
        assert_eq!(scalar("\"inf\"").into_f64(), None);
    }

    #[test]
    fn numbers_read_as_text_alike_before_and_after_decoding() {
        for raw in [
            "7",
            "-7",
            "18446744073709551615",
            "1.50",
            "1e3",
            "-0",
            "0.1",
        ] {
            let typed = scalar(raw).into_text();
            assert_eq!(
                crate::skim::text_of(raw).map(Cow::into_owned),
                typed,
                "{raw}"
            );
        }
        assert!(matches!(
            crate::skim::text_of("1764160324"),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn codes_are_padded_text() {
        assert_eq!(scalar("810").into_code(), Some("0810".into()));
        assert_eq!(scalar("1012").into_code(), Some("1012".into()));
        assert_eq!(scalar("\"0810\"").into_code(), Some("0810".into()));
        assert_eq!(scalar("-1").into_code(), Some("-1".into()));
        assert_eq!(scalar("\"a\\\"b\"").into_text(), Some("a\"b".into()));
        assert_eq!(scalar("null").into_code(), None);
    }
}
