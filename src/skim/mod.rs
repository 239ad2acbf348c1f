//! The pass that runs before anything in a body is trusted: one scan of the
//! JSON text that finds the few top-level fields the judge needs
//! (`timestamp`, `signature`, ...) and refuses duplicates of them.
//!
//! It allocates nothing of size, whatever the body holds: values are skipped
//! in place, byte by byte, nesting is counted (deeper than 128 levels is
//! refused, as `serde_json` refuses it), and only slices of the input are
//! returned. So a body that fails authentication costs no memory beyond
//! itself. The scan checks the syntax only where it reads (the top-level
//! object and the strings it steps over): an authentic body is then decoded,
//! which checks the rest, and [`validate`] checks the others.

mod scanner;
mod text;

use scanner::{Scanner, key_is};
pub(crate) use text::{text_of, unescape_prefix};

/// The deepest nesting of arrays and objects accepted (as in `serde_json`).
pub(crate) const MAX_DEPTH: u32 = 128;

/// The longest object key, in bytes of JSON text, accepted when it contains
/// escapes. The typed decoder unescapes such keys into a scratch buffer, so
/// this bounds that buffer; keys without escapes are borrowed and may be of
/// any length.
pub(crate) const MAX_ESCAPED_KEY: usize = 1024;

/// Why a body could not be scanned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum SkimError {
    /// Only white space.
    Empty,
    /// Not JSON: what was wrong, and where.
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

/// Scans `text`, which must be one JSON object, and returns the raw JSON text
/// of each of `keys` (plain ASCII names) found at its top level (`None` when
/// absent). Keys are compared with their escapes decoded, as `serde_json`
/// reads them.
pub(crate) fn top_level<'a, const N: usize>(
    text: &'a str,
    keys: [&'static str; N],
    duplicates: Duplicates,
) -> Result<[Option<&'a str>; N], SkimError> {
    let mut found = [None; N];
    let mut s = Scanner::new(text);
    match s.peek() {
        None => return Err(SkimError::Empty),
        Some(b'{') => s.pos += 1,
        Some(first) => {
            validate(text)?;
            return Err(SkimError::NotObject(match first {
                b'[' => "an array",
                b'"' => "a string",
                b't' | b'f' => "a boolean",
                b'n' => "null",
                _ => "a number",
            }));
        }
    }
    s.ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
    } else {
        loop {
            s.ws();
            if s.peek() != Some(b'"') {
                return Err(s.syntax("expected a string key"));
            }
            let key = s.string()?;
            s.eat(b':', "expected `:`")?;
            s.ws();
            let start = s.pos;
            s.value(1)?;
            // Both ends are at ASCII bytes, so on character boundaries.
            let raw = text.get(start..s.pos).unwrap_or_default();
            if let Some((slot, name)) = found.iter_mut().zip(keys).find(|(_, k)| key_is(key, k)) {
                match (slot.is_some(), duplicates) {
                    (true, Duplicates::Refuse) => return Err(SkimError::Duplicate(name)),
                    (true, Duplicates::FirstWins) => {}
                    (false, _) => *slot = Some(raw),
                }
            }
            s.ws();
            if s.peek() != Some(b',') {
                s.eat(b'}', "expected `,` or `}`")?;
                break;
            }
            s.pos += 1;
        }
    }
    s.ws();
    if s.pos < text.len() {
        return Err(s.syntax("trailing characters"));
    }
    Ok(found)
}

/// Checks that `text` is exactly one JSON value, strictly (every token, as
/// `serde_json` reads it), nested at most [`MAX_DEPTH`] deep. [`top_level`]
/// skips nested values without checking what lies between their brackets
/// (the typed decoder checks authentic bodies); this is for the others, so
/// that a body that is not JSON is reported as that whether or not it is
/// signed.
pub(crate) fn validate(text: &str) -> Result<(), SkimError> {
    let mut s = Scanner::new(text);
    if s.peek().is_none() {
        return Err(SkimError::Empty);
    }
    // `serde_json` keeps a byte per open bracket while it skips a value, to
    // any depth: bound the depth first. Up to where it stops, this skip reads
    // the brackets as `serde_json` does.
    if let Err(e @ (SkimError::TooDeep | SkimError::KeyTooLong)) = s.value(0) {
        return Err(e);
    }
    serde_json::from_str::<serde::de::IgnoredAny>(text)
        .map(drop)
        .map_err(|e| SkimError::Syntax(e.to_string()))
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
        // Brackets and escaped quotes inside strings are text, not structure.
        let text = r#"{"a":["\"]}","\\",{"k\"":"}"}],"timestamp":"t\\\""}"#;
        assert_eq!(ts_sig(text), Ok([Some(r#""t\\\"""#), None]));
        assert_eq!(
            ts_sig(r#"{"timestamp":5,"signature":null}"#),
            Ok([Some("5"), Some("null")])
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
                matches!(validate(bad), Err(SkimError::Syntax(..))),
                "{bad:?}: {:?}",
                validate(bad)
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
            assert!(validate(text).is_ok(), "{text}");
            assert!(serde_json::from_str::<serde_json::Value>(text).is_ok());
        }
    }

    #[test]
    fn syntax_errors_say_where() {
        let msg = |text| ts_sig(text).unwrap_err().to_string();
        assert_eq!(msg(r#"{"a" 1}"#), "not JSON: expected `:` at byte 5");
        assert_eq!(msg(r#"{"a":"b"#), "not JSON: unterminated string at byte 7");
        assert_eq!(msg(r#"{"a":[1"#), "not JSON: unexpected end at byte 7");
        assert_eq!(msg("{} {}"), "not JSON: trailing characters at byte 3");
        let strict = validate(r#"{"a":[1,}]}"#).unwrap_err().to_string();
        assert!(
            strict.starts_with("not JSON: ") && strict.contains("column 9"),
            "{strict}"
        );
    }

    #[test]
    fn depth_is_bounded_without_recursion() {
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(127), "]".repeat(127));
        assert!(ts_sig(&ok).is_ok());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(128), "]".repeat(128));
        assert_eq!(ts_sig(&deep), Err(SkimError::TooDeep));
        assert_eq!(validate(&deep), Err(SkimError::TooDeep));
        let huge = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert_eq!(ts_sig(&huge), Err(SkimError::TooDeep));
        // Before `serde_json` skips it (with a byte per level), also when the
        // text is not JSON further on.
        let top = format!("{}\"{}", "[".repeat(129), "]".repeat(129));
        assert_eq!(validate(&top), Err(SkimError::TooDeep));
        assert_eq!(validate(&huge), Err(SkimError::TooDeep));
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
        assert_eq!(validate(text), Ok(()), "{text}");
        true
    }

    /// JSON white space between tokens.
    fn ws() -> impl Strategy<Value = &'static str> {
        prop::sample::select(vec!["", "", " ", "\n\t", "  \r\n"])
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
    fn a_key_is_only_what_serde_json_reads_it_as() {
        // `from_str_radix` takes a sign: `\u+074` is no escape to serde_json.
        assert!(!key_is(br"\u+074", "t"));
        let text = r#"{"\u+074imestamp":"a","timestamp":"b"}"#;
        assert!(serde_json::from_str::<serde_json::Value>(text).is_err());
        assert_eq!(ts_sig(text), Ok([Some(r#""b""#), None]));
        assert!(matches!(validate(text), Err(SkimError::Syntax(_))));
        // Upper-case hex is an escape; `\u0054` is `T`, not `t`.
        assert!(key_is(br"\u0074ime\u0053tamp", "timeStamp"));
        assert!(!key_is(br"\u0054imestamp", "timestamp"));
    }

    #[test]
    fn brackets_in_strings_never_count_as_depth() {
        let text = format!(
            "{{\"a\":\"{}\",\"b\":[\"{}\"]}}",
            "[".repeat(1000),
            "{".repeat(1000)
        );
        assert_eq!(ts_sig(&text), Ok([None, None]));
        assert_eq!(validate(&text), Ok(()));
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
