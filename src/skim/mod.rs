//! The pass that runs before anything in a body is trusted: `serde_json`
//! reads the body once, checking all of it, and keeps only the raw text of
//! the few top-level fields the judge needs (`timestamp`, `signature`, ...),
//! refusing duplicates of them.
//!
//! What it costs is bounded whatever the body holds: the fields are borrowed
//! slices of the input and every other value is skipped in place. The two
//! things `serde_json` allocates for while skipping, one byte per open
//! bracket and a scratch copy of a key with escapes, are bounded first by
//! [`guard`]. So a body that fails authentication costs no memory beyond
//! itself.

mod text;

use serde::de::{self, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde_json::value::RawValue;

pub(crate) use text::{text_of, unescape_prefix};

/// The deepest nesting of arrays and objects accepted (as in `serde_json`).
pub(crate) const MAX_DEPTH: u32 = 128;

/// The longest object key, in bytes of JSON text, accepted when it contains
/// escapes. `serde_json` unescapes such keys into a scratch buffer, so this
/// bounds that buffer; keys without escapes are borrowed and may be of any
/// length.
pub(crate) const MAX_ESCAPED_KEY: usize = 1024;

/// Why a body could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SkimError {
    /// Only white space.
    Empty,
    /// Not JSON: what `serde_json` said was wrong, and where.
    Syntax(String),
    /// Valid JSON, but not an object: what it is instead ("an array").
    NotObject(&'static str),
    /// A field that must appear at most once appeared twice.
    Duplicate(&'static str),
    /// Nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A key with escapes longer than [`MAX_ESCAPED_KEY`].
    KeyTooLong,
}

impl std::fmt::Display for SkimError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SkimError::Empty => f.write_str("empty body"),
            SkimError::Syntax(what) => write!(f, "not JSON: {what}"),
            SkimError::NotObject(kind) => write!(f, "expected a JSON object, got {kind}"),
            SkimError::Duplicate(key) => write!(f, "duplicate `{key}` field"),
            SkimError::TooDeep => write!(f, "nested deeper than {MAX_DEPTH} levels"),
            SkimError::KeyTooLong => write!(
                f,
                "an object key with escapes is longer than {MAX_ESCAPED_KEY} bytes"
            ),
        }
    }
}

/// Whether a repeated wanted key is an error or the first one wins.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Duplicates {
    Refuse,
    FirstWins,
}

/// Reads `text`, which must be one JSON object, and returns the raw JSON text
/// of each of `keys` found at its top level (`None` when absent). All of
/// `text` is checked to be JSON.
pub(crate) fn top_level<'a, const N: usize>(
    text: &'a str,
    keys: [&'static str; N],
    duplicates: Duplicates,
) -> Result<[Option<&'a str>; N], SkimError> {
    guard(text.as_bytes())?;
    let kind = match text.trim_start_matches([' ', '\t', '\n', '\r']).as_bytes() {
        [] => return Err(SkimError::Empty),
        [b'{', ..] => None,
        [b'[', ..] => Some("an array"),
        [b'"', ..] => Some("a string"),
        [b't' | b'f', ..] => Some("a boolean"),
        [b'n', ..] => Some("null"),
        _ => Some("a number"),
    };
    let syntax = |e: serde_json::Error| SkimError::Syntax(e.to_string());
    if let Some(kind) = kind {
        serde_json::from_str::<IgnoredAny>(text).map_err(syntax)?;
        return Err(SkimError::NotObject(kind));
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let found =
        de::Deserializer::deserialize_map(&mut de, Members { keys, duplicates }).map_err(syntax)?;
    de.end().map_err(syntax)?;
    found
}

/// Bounds what `serde_json` allocates while it skips values, which it does
/// without a depth limit: refuses nesting deeper than [`MAX_DEPTH`] and
/// escaped keys longer than [`MAX_ESCAPED_KEY`] anywhere, in one pass that
/// allocates nothing. Brackets are counted, not matched, and nothing else is
/// checked: `serde_json` does that next, and on any prefix of the body it
/// accepts, the count is its depth.
fn guard(bytes: &[u8]) -> Result<(), SkimError> {
    let mut depth = 0u32;
    let mut at = 0;
    while let Some(&byte) = bytes.get(at) {
        at += 1;
        match byte {
            b'"' => {
                let start = at;
                let mut escaped = false;
                // Stepped over to its closing quote; a string left open ends
                // the scan (`serde_json` reports it).
                loop {
                    let rest = bytes.get(at..).unwrap_or_default();
                    let Some(i) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
                        return Ok(());
                    };
                    at += i + 1;
                    if rest.get(i) == Some(&b'"') {
                        break;
                    }
                    escaped = true;
                    at += 1;
                }
                let after = bytes.get(at..).unwrap_or_default();
                let colon = after.iter().find(|b| !b.is_ascii_whitespace()) == Some(&b':');
                if escaped && at - 1 - start > MAX_ESCAPED_KEY && colon {
                    return Err(SkimError::KeyTooLong);
                }
            }
            b'{' | b'[' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(SkimError::TooDeep);
                }
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    Ok(())
}

/// The visitor that reads the top-level object: wanted keys' values as raw
/// text, others skipped. A duplicate is reported once the whole body has
/// been read, so that a body that is not JSON is called that first.
struct Members<const N: usize> {
    keys: [&'static str; N],
    duplicates: Duplicates,
}

impl<'de, const N: usize> Visitor<'de> for Members<N> {
    type Value = Result<[Option<&'de str>; N], SkimError>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut found = [None; N];
        let mut duplicate = None;
        while let Some(wanted) = map.next_key_seed(Wanted(&self.keys))? {
            let Some((slot, name)) = wanted.and_then(|at| found.get_mut(at).zip(self.keys.get(at)))
            else {
                map.next_value::<IgnoredAny>()?;
                continue;
            };
            let raw: &'de RawValue = map.next_value()?;
            match (slot.is_some(), self.duplicates) {
                (false, _) => *slot = Some(raw.get()),
                (true, Duplicates::Refuse) => duplicate = duplicate.or(Some(*name)),
                (true, Duplicates::FirstWins) => {}
            }
        }
        Ok(match duplicate {
            Some(name) => Err(SkimError::Duplicate(name)),
            None => Ok(found),
        })
    }
}

/// A key, read as which of the wanted keys it is (unescaped, compared, and
/// not kept).
struct Wanted<'k>(&'k [&'static str]);

impl<'de> DeserializeSeed<'de> for Wanted<'_> {
    type Value = Option<usize>;

    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Option<usize>, D::Error> {
        d.deserialize_str(self)
    }
}

impl Visitor<'_> for Wanted<'_> {
    type Value = Option<usize>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a key")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<Option<usize>, E> {
        Ok(self.0.iter().position(|k| *k == key))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts_sig(text: &str) -> Result<[Option<&str>; 2], SkimError> {
        top_level(text, ["timestamp", "signature"], Duplicates::Refuse)
    }

    #[test]
    fn finds_top_level_fields_only() {
        let text = r#" {"a":{"timestamp":"inner"},"timestamp":"t","b":[1,{"signature":2}],"signature":"s"} "#;
        assert_eq!(ts_sig(text), Ok([Some(r#""t""#), Some(r#""s""#)]));
        assert_eq!(ts_sig("{}"), Ok([None, None]));
        assert_eq!(
            ts_sig(r#"{"timestamp":5,"signature":null}"#),
            Ok([Some("5"), Some("null")])
        );
        // A `null` is a value like any other: its repetition is a duplicate.
        assert_eq!(
            ts_sig(r#"{"signature":null,"timestamp":1,"signature":"s"}"#),
            Err(SkimError::Duplicate("signature"))
        );
    }

    #[test]
    fn escaped_keys_match_their_meaning() {
        let text = r#"{"\u0074imestamp":"t","sig\u006eature":"s"}"#;
        assert_eq!(ts_sig(text), Ok([Some(r#""t""#), Some(r#""s""#)]));
        let dup = r#"{"timestamp":"a","time\u0073tamp":"b"}"#;
        assert_eq!(ts_sig(dup), Err(SkimError::Duplicate("timestamp")));
        assert_eq!(
            top_level(dup, ["timestamp"], Duplicates::FirstWins),
            Ok([Some(r#""a""#)])
        );
    }

    #[test]
    fn says_what_a_non_object_is() {
        assert_eq!(ts_sig(""), Err(SkimError::Empty));
        assert_eq!(ts_sig(" \n"), Err(SkimError::Empty));
        assert_eq!(ts_sig("[]"), Err(SkimError::NotObject("an array")));
        assert_eq!(ts_sig("null"), Err(SkimError::NotObject("null")));
        assert_eq!(ts_sig("\"x\""), Err(SkimError::NotObject("a string")));
        assert_eq!(ts_sig("-1.5e3"), Err(SkimError::NotObject("a number")));
        for bad in [
            "<html>",
            "{",
            "{\"a\":",
            "{\"a\":1,}",
            "{\"a\" 1}",
            "{a:1}",
            "{\"a\":tru}",
            "{\"a\":01}",
            "{\"a\":1.}",
            "{\"a\":[1,]}",
            "{\"a\":[1}",
            "{\"a\":{\"b\"]}",
            "{\"a\":\"\\x\"}",
            "{\"a\":\"\u{1}\"}",
            "{} {}",
            "[",
        ] {
            assert!(
                matches!(ts_sig(bad), Err(SkimError::Syntax(..))),
                "{bad:?}: {:?}",
                ts_sig(bad)
            );
        }
    }

    #[test]
    fn agrees_with_serde_json_on_validity() {
        for text in [
            r#"{"a":[{"b":[]},{},[[]],"x\"y",-0,0.5e-3,true,false,null]}"#,
            r#"{"a":"\ud83d\ude00","b":"\u00e9"}"#,
            "{\"a\" : [ 1 , 2 ] }",
            "{\"a\":1e5}",
            "{\"a\":1E+5}",
        ] {
            assert!(ts_sig(text).is_ok(), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(127), "]".repeat(127));
        assert!(ts_sig(&ok).is_ok());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(128), "]".repeat(128));
        assert_eq!(ts_sig(&deep), Err(SkimError::TooDeep));
        let deep_array = format!("{}{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(ts_sig(&deep_array), Err(SkimError::TooDeep));
        // Brackets inside strings are not nesting.
        let quoted = format!("{{\"a\":[\"{}\\\"{}\"]}}", "[".repeat(200), "{".repeat(200));
        assert!(ts_sig(&quoted).is_ok());
        let huge = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert_eq!(ts_sig(&huge), Err(SkimError::TooDeep));
    }

    /// The top-level members as `serde_json` reads them, in order: each key
    /// unescaped and its value's exact text.
    struct Members(Vec<(String, Box<serde_json::value::RawValue>)>);

    impl<'de> serde::Deserialize<'de> for Members {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            struct InOrder;
            impl<'de> serde::de::Visitor<'de> for InOrder {
                type Value = Members;
                fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                    f.write_str("an object")
                }
                fn visit_map<A: serde::de::MapAccess<'de>>(
                    self,
                    mut map: A,
                ) -> Result<Members, A::Error> {
                    let mut members = Vec::new();
                    while let Some(member) = map.next_entry()? {
                        members.push(member);
                    }
                    Ok(Members(members))
                }
            }
            d.deserialize_map(InOrder)
        }
    }

    const WANTED: [&str; 5] = [
        "timestamp",
        "signature",
        "result",
        "job_complete",
        "job_success",
    ];

    /// What [`top_level`] must answer, from `serde_json`'s reading of `text`.
    fn serde_view(
        text: &str,
        duplicates: Duplicates,
    ) -> Option<Result<[Option<String>; 5], SkimError>> {
        let Members(members) = serde_json::from_str(text).ok()?;
        let mut found: [Option<String>; 5] = Default::default();
        for (key, value) in members {
            if let Some(at) = WANTED.iter().position(|k| *k == key) {
                match (&found[at], duplicates) {
                    (Some(_), Duplicates::Refuse) => {
                        return Some(Err(SkimError::Duplicate(WANTED[at])));
                    }
                    (Some(_), Duplicates::FirstWins) => {}
                    (None, _) => found[at] = Some(value.get().to_owned()),
                }
            }
        }
        Some(Ok(found))
    }

    /// Checks the skim against `serde_json` on `text` whenever `serde_json`
    /// reads it as an object; returns whether it did.
    fn agrees_with_serde(text: &str) -> bool {
        for duplicates in [Duplicates::Refuse, Duplicates::FirstWins] {
            let Some(expected) = serde_view(text, duplicates) else {
                return false;
            };
            let skimmed = top_level(text, WANTED, duplicates)
                .map(|found| found.map(|raw| raw.map(str::to_owned)));
            assert_eq!(skimmed, expected, "{text}");
        }
        true
    }

    /// Raw JSON text: white space between tokens of every length up to a
    /// word and past it, so that escapes and quotes fall at every offset.
    fn ws() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", " ", "  ", "\n", "   ", "       ", "         "])
    }

    /// A JSON string literal made of pieces rich in escapes (at every offset,
    /// thanks to the varying lengths), quotes, brackets and key names.
    fn string_literal() -> impl Strategy<Value = String> {
        let piece = prop::sample::select(vec![
            "a",
            "abcdefg",
            "\\\"",
            "\\\\",
            "\\\\\\\"",
            "\\/",
            "\\u0022",
            "\\u005c",
            "\\u005C\\\"",
            "{",
            "}",
            "[",
            "]",
            "Y_y\u{7f}",
            "é",
            "\\n",
            ",\\\"timestamp\\\":\\\"",
            "\\\"}, \\\"signature\\\": [",
        ]);
        proptest::collection::vec(piece, 0..12).prop_map(|p| format!("\"{}\"", p.concat()))
    }

    fn key_literal() -> impl Strategy<Value = String> {
        prop_oneof![
            prop::sample::select(vec![
                r#""timestamp""#,
                r#""time\u0073tamp""#,
                r#""\u0074imestamp""#,
                r#""signature""#,
                r#""sig\u006eature""#,
                r#""result""#,
                r#""res\u0075lt""#,
                r#""job_complete""#,
                r#""job_success""#,
                r#""timestamp ""#,
                r#""\\timestamp""#,
                r#""\"timestamp""#,
                r#""a""#,
            ])
            .prop_map(str::to_owned),
            string_literal(),
        ]
    }

    /// A JSON value as text, nested, with the wanted keys inside too.
    fn value_text() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![
            string_literal(),
            prop::sample::select(vec!["0", "-12.5e3", "true", "false", "null", "[]", "{}"])
                .prop_map(str::to_owned),
        ];
        leaf.prop_recursive(4, 48, 6, |inner| {
            prop_oneof![
                proptest::collection::vec((ws(), inner.clone(), ws()), 0..6).prop_map(|items| {
                    let items: Vec<String> =
                        items.iter().map(|(a, v, b)| format!("{a}{v}{b}")).collect();
                    format!("[{}]", items.join(","))
                }),
                proptest::collection::vec((ws(), key_literal(), ws(), inner), 0..6).prop_map(
                    |members| {
                        let members: Vec<String> = members
                            .iter()
                            .map(|(a, k, b, v)| format!("{a}{k}{b}:{b}{v}{a}"))
                            .collect();
                        format!("{{{}}}", members.join(","))
                    }
                ),
            ]
        })
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(1500))]
        /// The security property: the skim sees the same top-level members
        /// as the typed decoder, so no wanted key hides from it in a nested
        /// value and no nested one passes for a top-level one, and duplicates
        /// are refused alike, also when cut or changed (whenever `serde_json`
        /// still reads the body).
        #[test]
        fn top_level_agrees_with_serde_json(
            members in proptest::collection::vec((ws(), key_literal(), ws(), value_text()), 0..7),
            cut in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"\"\\{}[]:, a".to_vec()),
        ) {
            let members: Vec<String> = members
                .iter()
                .map(|(a, k, b, v)| format!("{a}{k}{b}:{a}{v}{b}"))
                .collect();
            let text = format!("{{{}}}", members.join(","));
            prop_assert!(agrees_with_serde(&text), "serde_json refused {}", text);
            let mut changed = text.clone().into_bytes();
            changed[cut.index(text.len())] = byte;
            if let Ok(changed) = String::from_utf8(changed) {
                agrees_with_serde(&changed);
            }
        }
    }

    #[test]
    fn long_escaped_keys_are_refused() {
        let key = "\\n".repeat(MAX_ESCAPED_KEY);
        assert_eq!(
            ts_sig(&format!("{{\"{key}\":1}}")),
            Err(SkimError::KeyTooLong)
        );
        assert_eq!(
            ts_sig(&format!("{{\"a\":[{{\"{key}\" : 1}}]}}")),
            Err(SkimError::KeyTooLong)
        );
        assert!(ts_sig(&format!("{{\"a\":[\"{key}\"]}}")).is_ok());
        let plain = "k".repeat(10 * MAX_ESCAPED_KEY);
        assert!(ts_sig(&format!("{{\"{plain}\":1}}")).is_ok());
    }
}
