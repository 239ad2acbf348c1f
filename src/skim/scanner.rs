//! The scanner under [`top_level`](super::top_level) and
//! [`validate`](super::validate): bytes in, positions out, nothing allocated.

use super::text::RawKey;
use super::{MAX_DEPTH, MAX_ESCAPED_KEY, SkimError};

pub(super) struct Scanner<'a> {
    pub(super) text: &'a str,
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

/// The offset of the first byte in `bytes` that ends or interrupts a string's
/// plain run: `"` or `\\`, and with `CONTROLS` also a control character (the
/// strict scan refuses those; the quick one steps over them). Eight bytes at
/// a time: in each word, the lowest byte flagged by these bit tricks is an
/// exact match (a false flag can only follow a true one).
pub(crate) fn string_stop<const CONTROLS: bool>(bytes: &[u8]) -> Option<usize> {
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
    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    pub(super) fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    pub(super) fn expect(&mut self, byte: u8) -> Result<(), SkimError> {
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
    pub(super) fn end(&mut self) -> Result<(), SkimError> {
        self.ws();
        match self.peek() {
            None => Ok(()),
            Some(_) => Err(SkimError::Syntax("trailing characters", self.pos)),
        }
    }

    pub(super) fn key(&mut self) -> Result<RawKey<'a>, SkimError> {
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

    /// Where the string being read stops next, from the current position
    /// (see [`string_stop`]).
    #[inline]
    fn string_stop<const CONTROLS: bool>(&self) -> Result<usize, SkimError> {
        let rest = self.bytes.get(self.pos..).unwrap_or_default();
        match string_stop::<CONTROLS>(rest) {
            Some(at) => Ok(self.pos + at),
            None => Err(SkimError::Syntax("unterminated string", self.bytes.len())),
        }
    }

    /// A string starting at `"`; returns the inside's bounds and whether it
    /// has escapes.
    fn string(&mut self) -> Result<(usize, usize, bool), SkimError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.pos = self.string_stop::<true>()?;
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
    pub(super) fn value(&mut self, depth: u32) -> Result<(), SkimError> {
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
    /// [`validate`](super::validate)).
    pub(super) fn skip(&mut self, depth: u32) -> Result<(), SkimError> {
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
        self.pos = super::container::skip_container(self.bytes, self.pos, depth)?;
        Ok(())
    }

    /// Skips a string starting at `"`, finding only its end: escapes are
    /// stepped over, not checked (see [`validate`](super::validate)).
    #[inline]
    fn skip_string(&mut self) -> Result<(), SkimError> {
        self.pos += 1;
        let start = self.pos;
        let mut escaped = false;
        loop {
            self.pos = self.string_stop::<false>()? + 1;
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
}
