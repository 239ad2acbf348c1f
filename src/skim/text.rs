//! Reading a scanned value as text: unescaping (by `serde_json`), and the
//! one rule for what counts as text.

use std::borrow::Cow;

use crate::wire::Scalar;

/// A field's value read as text, the one rule every path uses: a JSON string
/// (unescaped, as the typed decoder reads it, by [`Scalar`]) or a JSON number
/// written out as the typed decoder writes it ([`Scalar::into_text`]),
/// borrowed when that is as written (as every integer in range is), or as
/// written when no decoder can read it (`1e400` is out of range: still a
/// value, so a `timestamp` of `1e400` is a wrong timestamp, not a missing
/// one). Anything else, and a string that is not valid JSON, is not text.
/// Unescaping allocates about the string's length: callers bound it first
/// where the text is not yet authentic.
pub(crate) fn text_of(raw: &str) -> Option<Cow<'_, str>> {
    match Scalar::of(raw) {
        Scalar::Str(s) => Some(s),
        _ if !matches!(raw.as_bytes().first(), Some(b'-' | b'0'..=b'9')) => None,
        // Out of range (`1e400`, no scalar) is a number all the same.
        n => Some(
            n.into_text()
                .filter(|t| t != raw)
                .map_or(Cow::Borrowed(raw), Cow::Owned),
        ),
    }
}

/// The first `max` characters of a JSON string's inside (between its
/// quotes), unescaped; reads and allocates for those only, whatever the
/// string's length. Empty when they are not valid JSON string text.
pub(crate) fn unescape_prefix(inner: &str, max: usize) -> String {
    // Where the first `max` characters end: each is one character of text,
    // one escape, or a surrogate pair's two.
    let mut end = 0;
    for _ in 0..max {
        let rest = inner.get(end..).unwrap_or_default();
        end += match rest.as_bytes() {
            [] => break,
            // A high surrogate's escape (`\uD800` to `\uDBFF`) and the `\u` escape after it.
            [b'\\', b'u', d, x, _, _, b'\\', b'u', ..]
                if b"dD".contains(d) && b"89abAB".contains(x) =>
            {
                12
            }
            [b'\\', b'u', ..] => 6,
            [b'\\', ..] => 2,
            _ => rest.chars().next().map_or(1, char::len_utf8),
        };
    }
    let head = inner.get(..end.min(inner.len())).unwrap_or_default();
    serde_json::from_str(&format!("\"{head}\"")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_a_string_or_a_number() {
        assert_eq!(text_of(r#""abc""#).as_deref(), Some("abc"));
        assert_eq!(text_of(r#""a\/b\n\u00e9""#).as_deref(), Some("a/b\né"));
        assert_eq!(text_of(r#""\ud83d\ude00""#).as_deref(), Some("😀"));
        assert_eq!(text_of("1764160324").as_deref(), Some("1764160324"));
        assert_eq!(text_of("-1.5").as_deref(), Some("-1.5"));
        // Out of any decoder's range: a value all the same, kept as written.
        assert_eq!(text_of("1E400").as_deref(), Some("1E400"));
        assert_eq!(text_of("-1e400").as_deref(), Some("-1e400"));
        // Not text to the typed decoder either (a lone surrogate, a bad escape).
        for none in [
            "true",
            "false",
            "null",
            "{}",
            "[]",
            r#""\ud83d""#,
            r#""\x""#,
        ] {
            assert_eq!(text_of(none), None, "{none}");
        }
    }

    #[test]
    fn prefixes_end_on_whole_characters() {
        let inner = r#"a\u00e9\ud83d\ude00\n\"é"#;
        let whole = "aé😀\n\"é";
        for max in 0..8 {
            let expected: String = whole.chars().take(max).collect();
            assert_eq!(unescape_prefix(inner, max), expected, "{max}");
        }
        // Reads only what it keeps: the bad escape past the prefix is unseen.
        let long = format!("{}\\x", "\\n".repeat(1_000_000));
        assert_eq!(unescape_prefix(&long, 3), "\n\n\n");
        assert_eq!(unescape_prefix(r"\x", 3), "");
    }
}
