//! Reading a scanned value as text: unescaping, and the one rule for what
//! counts as text.

use std::borrow::Cow;

/// A field's value read as text, the one rule every path uses: a JSON string
/// (unescaped) or a JSON number written out as the typed decoder writes it
/// ([`number_text`](crate::wire::number_text): as written for an integer),
/// or as written when no decoder can read it (`1e400` is out of range: still
/// a value, so a `timestamp` of `1e400` is a wrong timestamp, not a missing
/// one). Anything else is not text.
pub(crate) fn text_of(raw: &str) -> Option<Cow<'_, str>> {
    match raw.as_bytes().first()? {
        b'"' => unescape(raw.get(1..raw.len().checked_sub(1)?)?),
        b'-' | b'0'..=b'9' => crate::wire::number_text(raw).or(Some(Cow::Borrowed(raw))),
        _ => None,
    }
}

/// The inside of a JSON string (between its quotes, already validated)
/// unescaped; borrowed when it has no escapes. Lone surrogates become U+FFFD.
pub(crate) fn unescape(inner: &str) -> Option<Cow<'_, str>> {
    if !inner.contains('\\') {
        return Some(Cow::Borrowed(inner));
    }
    let mut out = String::with_capacity(inner.len());
    for c in Unescape::new(inner) {
        out.push(c?);
    }
    Some(Cow::Owned(out))
}

/// The first `max` characters of a validated JSON string's inside,
/// unescaped; allocates for those only.
pub(crate) fn unescape_prefix(inner: &str, max: usize) -> String {
    Unescape::new(inner).take(max).map_while(|c| c).collect()
}

/// The characters of a validated JSON string's inside, escapes decoded.
struct Unescape<'a> {
    chars: std::str::Chars<'a>,
}

impl<'a> Unescape<'a> {
    fn new(inner: &'a str) -> Self {
        Unescape {
            chars: inner.chars(),
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut n = 0;
        for _ in 0..4 {
            n = n * 16 + self.chars.next()?.to_digit(16)?;
        }
        Some(n)
    }
}

impl Iterator for Unescape<'_> {
    /// `None` inside: a malformed escape (cannot happen after a scan).
    type Item = Option<char>;

    fn next(&mut self) -> Option<Option<char>> {
        let c = self.chars.next()?;
        if c != '\\' {
            return Some(Some(c));
        }
        Some(match self.chars.next() {
            Some('"') => Some('"'),
            Some('\\') => Some('\\'),
            Some('/') => Some('/'),
            Some('b') => Some('\u{8}'),
            Some('f') => Some('\u{c}'),
            Some('n') => Some('\n'),
            Some('r') => Some('\r'),
            Some('t') => Some('\t'),
            Some('u') => match self.hex4() {
                Some(high @ 0xD800..=0xDBFF) => {
                    let rest = self.chars.as_str();
                    let low = rest
                        .strip_prefix("\\u")
                        .and_then(|r| r.get(..4))
                        .and_then(|h| u32::from_str_radix(h, 16).ok())
                        .filter(|low| (0xDC00..=0xDFFF).contains(low));
                    match low {
                        Some(low) => {
                            self.chars = rest.get(6..).unwrap_or_default().chars();
                            char::from_u32(0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00))
                        }
                        None => Some(char::REPLACEMENT_CHARACTER),
                    }
                }
                Some(code) => Some(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER)),
                None => None,
            },
            _ => None,
        })
    }
}

/// An object key as found in the text.
pub(super) struct RawKey<'a> {
    pub(super) inner: &'a str,
    pub(super) escaped: bool,
}

impl RawKey<'_> {
    /// Whether the key, unescaped, is `name`.
    pub(super) fn is(&self, name: &str) -> bool {
        if !self.escaped {
            return self.inner == name;
        }
        let mut expected = name.chars();
        for c in Unescape::new(self.inner) {
            if c != expected.next() {
                return false;
            }
        }
        expected.next().is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_a_string_or_a_number() {
        assert_eq!(text_of(r#""abc""#).as_deref(), Some("abc"));
        assert_eq!(text_of(r#""a\/b\n\u00e9""#).as_deref(), Some("a/b\né"));
        assert_eq!(text_of(r#""\ud83d\ude00""#).as_deref(), Some("😀"));
        assert_eq!(text_of(r#""\ud83d""#).as_deref(), Some("\u{fffd}"));
        assert_eq!(text_of("1764160324").as_deref(), Some("1764160324"));
        assert_eq!(text_of("-1.5").as_deref(), Some("-1.5"));
        // Out of any decoder's range: a value all the same, kept as written.
        assert_eq!(text_of("1E400").as_deref(), Some("1E400"));
        assert_eq!(text_of("-1e400").as_deref(), Some("-1e400"));
        for none in ["true", "false", "null", "{}", "[]"] {
            assert_eq!(text_of(none), None, "{none}");
        }
    }
}
