//! The pass that runs before anything in a body is trusted: one scan of the
//! JSON text that checks its syntax, finds the few top-level fields the judge
//! needs (`timestamp`, `signature`, ...), and refuses duplicates of them.
//!
//! It allocates nothing, whatever the body holds: values are skipped in place,
//! nesting is tracked in a 128-bit stack (deeper nesting is refused, as
//! `serde_json` refuses it), and only slices of the input are returned. So a
//! body that fails authentication costs no memory beyond itself.

use std::borrow::Cow;

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
    /// Not JSON: what was wrong, and at which byte.
    Syntax(&'static str, usize),
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
            SkimError::Syntax(what, at) => write!(f, "not JSON: {what} at byte {at}"),
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
/// of each of `keys` found at its top level (`None` when absent).
pub(crate) fn top_level<'a, const N: usize>(
    text: &'a str,
    keys: [&'static str; N],
    duplicates: Duplicates,
) -> Result<[Option<&'a str>; N], SkimError> {
    let mut found = [None; N];
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    s.ws();
    match s.peek() {
        None => return Err(SkimError::Empty),
        Some(b'{') => {}
        Some(first) => {
            s.value(0)?;
            s.end()?;
            return Err(SkimError::NotObject(match first {
                b'[' => "an array",
                b'"' => "a string",
                b't' | b'f' => "a boolean",
                b'n' => "null",
                _ => "a number",
            }));
        }
    }
    s.pos += 1;
    s.ws();
    if s.peek() == Some(b'}') {
        s.pos += 1;
        s.end()?;
        return Ok(found);
    }
    loop {
        s.ws();
        let key = s.key()?;
        s.ws();
        s.expect(b':')?;
        s.ws();
        let start = s.pos;
        s.skip(1)?;
        let raw = text
            .get(start..s.pos)
            .ok_or(SkimError::Syntax("bad value", start))?;
        if let Some(at) = keys.iter().position(|k| key.is(k)) {
            if let (Some(slot), Some(name)) = (found.get_mut(at), keys.get(at)) {
                match (slot.is_some(), duplicates) {
                    (true, Duplicates::Refuse) => return Err(SkimError::Duplicate(name)),
                    (true, Duplicates::FirstWins) => {}
                    (false, _) => *slot = Some(raw),
                }
            }
        }
        s.ws();
        match s.next() {
            Some(b',') => continue,
            Some(b'}') => break,
            _ => return Err(SkimError::Syntax("expected `,` or `}`", s.pos)),
        }
    }
    s.end()?;
    Ok(found)
}

/// Checks that `text` is exactly one JSON value, strictly: every token, and
/// nesting at most [`MAX_DEPTH`] deep. Allocates nothing. [`top_level`] skips
/// nested values without checking what lies between their brackets (the
/// typed decoder checks authentic bodies); this is for the others, so that a
/// body that is not JSON is reported as that whether or not it is signed.
pub(crate) fn validate(text: &str) -> Result<(), SkimError> {
    let mut s = Scanner {
        text,
        bytes: text.as_bytes(),
        pos: 0,
    };
    s.ws();
    if s.peek().is_none() {
        return Err(SkimError::Empty);
    }
    s.value(0)?;
    s.end()
}

/// The bytes that matter when skipping a container: quotes and brackets.
// Indexing in a constant is checked when compiling: it cannot panic at run time.
#[allow(clippy::indexing_slicing)]
const STRUCTURAL: [bool; 256] = {
    let mut table = [false; 256];
    table[b'"' as usize] = true;
    table[b'{' as usize] = true;
    table[b'}' as usize] = true;
    table[b'[' as usize] = true;
    table[b']' as usize] = true;
    table
};

/// A field's value read as text, the one rule every path uses: a JSON string
/// (unescaped) or a JSON number as written. Anything else is not text.
pub(crate) fn text_of(raw: &str) -> Option<Cow<'_, str>> {
    match raw.as_bytes().first()? {
        b'"' => unescape(raw.get(1..raw.len().checked_sub(1)?)?),
        b'-' | b'0'..=b'9' => Some(Cow::Borrowed(raw)),
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
struct RawKey<'a> {
    inner: &'a str,
    escaped: bool,
}

impl RawKey<'_> {
    /// Whether the key, unescaped, is `name`.
    fn is(&self, name: &str) -> bool {
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

struct Scanner<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

/// The offset of the first byte in `bytes` that ends or interrupts a string's
/// plain run: `"` or `\\`, and with `CONTROLS` also a control character (the
/// strict scan refuses those; the quick one steps over them). Eight bytes at
/// a time: in each word, the lowest byte flagged by these bit tricks is an
/// exact match (a false flag can only follow a true one).
fn string_stop<const CONTROLS: bool>(bytes: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut at = 0;
    while let Some(Ok(word)) = bytes.get(at..at + 8).map(<[u8; 8]>::try_from) {
        let w = u64::from_le_bytes(word);
        let quote = w ^ (ONES * u64::from(b'"'));
        let backslash = w ^ (ONES * u64::from(b'\\'));
        let mut flagged =
            (quote.wrapping_sub(ONES) & !quote) | (backslash.wrapping_sub(ONES) & !backslash);
        if CONTROLS {
            flagged |= w.wrapping_sub(ONES * 0x20) & !w;
        }
        let flagged = flagged & HIGH;
        if flagged != 0 {
            return Some(at + flagged.trailing_zeros() as usize / 8);
        }
        at += 8;
    }
    bytes
        .get(at..)?
        .iter()
        .position(|&b| b == b'"' || b == b'\\' || (CONTROLS && b < 0x20))
        .map(|i| at + i)
}

impl<'a> Scanner<'a> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    fn expect(&mut self, byte: u8) -> Result<(), SkimError> {
        if self.next() == Some(byte) {
            Ok(())
        } else {
            Err(SkimError::Syntax(
                match byte {
                    b':' => "expected `:`",
                    _ => "unexpected character",
                },
                self.pos.saturating_sub(1),
            ))
        }
    }

    /// Only white space may follow the value.
    fn end(&mut self) -> Result<(), SkimError> {
        self.ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(SkimError::Syntax("trailing characters", self.pos)),
        }
    }

    fn key(&mut self) -> Result<RawKey<'a>, SkimError> {
        if self.peek() != Some(b'"') {
            return Err(SkimError::Syntax("expected a string key", self.pos));
        }
        let (start, end, escaped) = self.string()?;
        if escaped && end - start > MAX_ESCAPED_KEY {
            return Err(SkimError::KeyTooLong);
        }
        // Both ends are at ASCII quotes, so on character boundaries.
        let inner = self
            .text
            .get(start..end)
            .ok_or(SkimError::Syntax("bad key", start))?;
        Ok(RawKey { inner, escaped })
    }

    /// A string starting at `"`; returns the inside's bounds and whether it
    /// has escapes.
    fn string(&mut self) -> Result<(usize, usize, bool), SkimError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            let Some(at) = string_stop::<true>(rest) else {
                return Err(SkimError::Syntax("unterminated string", self.bytes.len()));
            };
            self.pos += at;
            match self.next() {
                Some(b'"') => return Ok((start, self.pos - 1, escaped)),
                Some(b'\\') => {
                    escaped = true;
                    match self.next() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => {}
                        Some(b'u') => {
                            for _ in 0..4 {
                                if !self.next().is_some_and(|b| b.is_ascii_hexdigit()) {
                                    return Err(SkimError::Syntax("bad \\u escape", self.pos));
                                }
                            }
                        }
                        _ => return Err(SkimError::Syntax("bad escape", self.pos)),
                    }
                }
                _ => {
                    return Err(SkimError::Syntax(
                        "control character in string",
                        self.pos - 1,
                    ));
                }
            }
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<(), SkimError> {
        let start = self.pos;
        let bad = || SkimError::Syntax("bad number", start);
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        match self.peek() {
            Some(b'0') => self.pos += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(bad()),
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(bad());
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(bad());
            }
        }
        Ok(())
    }

    fn literal(&mut self, word: &'static [u8]) -> Result<(), SkimError> {
        let end = self.pos + word.len();
        if self.bytes.get(self.pos..end) == Some(word) {
            self.pos = end;
            Ok(())
        } else {
            Err(SkimError::Syntax("unexpected character", self.pos))
        }
    }

    /// Skips one value, nested `depth` levels already. Iterative: the open
    /// containers are bits of a `u128` (1 for an object), so nothing is
    /// allocated and the call stack does not grow with the input.
    fn value(&mut self, depth: u32) -> Result<(), SkimError> {
        let mut open: u128 = 0;
        let mut level: u32 = 0;
        loop {
            // A value is due.
            self.ws();
            let opened = match self.peek() {
                Some(b'{') => Some(true),
                Some(b'[') => Some(false),
                Some(b'"') => {
                    self.string()?;
                    None
                }
                Some(b't') => self.literal(b"true").map(|()| None)?,
                Some(b'f') => self.literal(b"false").map(|()| None)?,
                Some(b'n') => self.literal(b"null").map(|()| None)?,
                Some(b'-' | b'0'..=b'9') => self.number().map(|()| None)?,
                Some(_) => return Err(SkimError::Syntax("expected a value", self.pos)),
                None => return Err(SkimError::Syntax("unexpected end", self.pos)),
            };
            if let Some(is_object) = opened {
                self.pos += 1;
                if depth + level + 1 > MAX_DEPTH {
                    return Err(SkimError::TooDeep);
                }
                open = (open << 1) | u128::from(is_object);
                level += 1;
                self.ws();
                let close = if is_object { b'}' } else { b']' };
                if self.peek() != Some(close) {
                    if is_object {
                        self.member_key()?;
                    }
                    continue;
                }
                self.pos += 1;
                open >>= 1;
                level -= 1;
            }
            // A value ended: close containers until one continues.
            loop {
                if level == 0 {
                    return Ok(());
                }
                let in_object = open & 1 == 1;
                self.ws();
                match self.next() {
                    Some(b',') => {
                        if in_object {
                            self.ws();
                            self.member_key()?;
                        }
                        break;
                    }
                    Some(b'}') if in_object => {}
                    Some(b']') if !in_object => {}
                    _ => {
                        return Err(SkimError::Syntax(
                            "expected `,` or a closing bracket",
                            self.pos.saturating_sub(1),
                        ));
                    }
                }
                open >>= 1;
                level -= 1;
            }
        }
    }

    /// Skips one value quickly: strings exactly, containers by their
    /// brackets (matched, and at most [`MAX_DEPTH`] deep), and anything else
    /// up to the next delimiter. What lies between is not checked here (see
    /// [`validate`]).
    fn skip(&mut self, depth: u32) -> Result<(), SkimError> {
        match self.peek() {
            Some(b'"') => return self.skip_string(),
            Some(b'{' | b'[') => {}
            Some(_) => {
                let rest = self.bytes.get(self.pos..).unwrap_or_default();
                let len = rest
                    .iter()
                    .position(|b| matches!(b, b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r'))
                    .unwrap_or(rest.len());
                if len == 0 {
                    return Err(SkimError::Syntax("expected a value", self.pos));
                }
                self.pos += len;
                return Ok(());
            }
            None => return Err(SkimError::Syntax("unexpected end", self.pos)),
        }
        // One tight loop over the container, hot for large bodies (a long
        // history): outside strings it looks for quotes and brackets, inside
        // them for the closing quote, eight bytes at a time.
        let bytes = self.bytes;
        let mut at = self.pos;
        let mut open: u128 = 0;
        let mut level: u32 = 0;
        loop {
            let byte = loop {
                match bytes.get(at) {
                    Some(&b) if STRUCTURAL.get(usize::from(b)) == Some(&true) => break b,
                    Some(_) => at += 1,
                    None => return Err(SkimError::Syntax("unexpected end", bytes.len())),
                }
            };
            at += 1;
            match byte {
                b'"' => {
                    self.pos = at - 1;
                    self.skip_string()?;
                    at = self.pos;
                }
                b'{' | b'[' => {
                    if depth + level + 1 > MAX_DEPTH {
                        return Err(SkimError::TooDeep);
                    }
                    open = (open << 1) | u128::from(byte == b'{');
                    level += 1;
                }
                _ => {
                    if (byte == b'}') != (open & 1 == 1) {
                        return Err(SkimError::Syntax("mismatched bracket", at - 1));
                    }
                    open >>= 1;
                    level -= 1;
                    if level == 0 {
                        self.pos = at;
                        return Ok(());
                    }
                }
            }
        }
    }

    /// Skips a string starting at `"`, finding only its end: escapes are
    /// stepped over, not checked (see [`validate`]).
    #[inline]
    fn skip_string(&mut self) -> Result<(), SkimError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            let rest = self.bytes.get(self.pos..).unwrap_or_default();
            let Some(at) = string_stop::<false>(rest) else {
                return Err(SkimError::Syntax("unterminated string", self.bytes.len()));
            };
            self.pos += at + 1;
            if self.bytes.get(self.pos - 1) == Some(&b'"') {
                break;
            }
            escaped = true;
            self.pos += 1;
        }
        // Only a key is unescaped into the parser's scratch buffer.
        if escaped && self.pos - 1 - start > MAX_ESCAPED_KEY && self.next_is(b':') {
            return Err(SkimError::KeyTooLong);
        }
        Ok(())
    }

    /// Whether the next byte after white space is `byte` (consumes nothing).
    fn next_is(&self, byte: u8) -> bool {
        self.bytes
            .get(self.pos..)
            .unwrap_or_default()
            .iter()
            .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
            == Some(&byte)
    }

    /// A key and its colon inside a skipped object.
    fn member_key(&mut self) -> Result<(), SkimError> {
        self.key()?;
        self.ws();
        self.expect(b':')
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
    fn depth_is_bounded_without_recursion() {
        let ok = format!("{{\"a\":{}{}}}", "[".repeat(127), "]".repeat(127));
        assert!(ts_sig(&ok).is_ok());
        let deep = format!("{{\"a\":{}{}}}", "[".repeat(128), "]".repeat(128));
        assert_eq!(ts_sig(&deep), Err(SkimError::TooDeep));
        assert_eq!(validate(&deep), Err(SkimError::TooDeep));
        let huge = format!("{{\"a\":{}", "[".repeat(1_000_000));
        assert_eq!(ts_sig(&huge), Err(SkimError::TooDeep));
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

    #[test]
    fn string_stops_are_exact() {
        for (text, stop) in [
            ("", None),
            ("abc", None),
            ("abcdefgh", None),
            ("abcdefghi\"", Some(9)),
            ("\"", Some(0)),
            ("ab\\cdefgh\"", Some(2)),
            ("abcdefg\n", Some(7)),
            ("éééééééé\u{1}", Some(16)),
            ("\u{7f}\u{80}\u{ff}ÿÿÿÿÿÿÿ\"", Some(19)),
            ("!#$%&'()*+,-./[]^_`{|}~ \"", Some(24)),
        ] {
            assert_eq!(string_stop::<true>(text.as_bytes()), stop, "{text:?}");
            if !text.contains(['\n', '\u{1}']) {
                assert_eq!(string_stop::<false>(text.as_bytes()), stop, "{text:?}");
            }
        }
        // Every single stop byte at every position of a 17-byte window.
        for at in 0..17 {
            for stop in [b'"', b'\\', 0, 0x1f] {
                let mut bytes = vec![b'a'; 17];
                bytes[at] = stop;
                assert_eq!(string_stop::<true>(&bytes), Some(at));
            }
        }
    }

    #[test]
    fn text_is_a_string_or_a_number() {
        assert_eq!(text_of(r#""abc""#).as_deref(), Some("abc"));
        assert_eq!(text_of(r#""a\/b\n\u00e9""#).as_deref(), Some("a/b\né"));
        assert_eq!(text_of(r#""\ud83d\ude00""#).as_deref(), Some("😀"));
        assert_eq!(text_of(r#""\ud83d""#).as_deref(), Some("\u{fffd}"));
        assert_eq!(text_of("1764160324").as_deref(), Some("1764160324"));
        assert_eq!(text_of("-1.5").as_deref(), Some("-1.5"));
        for none in ["true", "false", "null", "{}", "[]"] {
            assert_eq!(text_of(none), None, "{none}");
        }
    }
}
