//! The scanner under [`top_level`](super::top_level): bytes in, positions
//! out, nothing allocated but an error's message.

use super::{MAX_DEPTH, MAX_ESCAPED_KEY, SkimError};

pub(super) struct Scanner<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) pos: usize,
}

impl<'a> Scanner<'a> {
    /// A scanner at the first value of `text` (past white space).
    pub(super) fn new(text: &'a str) -> Self {
        let mut s = Scanner {
            bytes: text.as_bytes(),
            pos: 0,
        };
        s.ws();
        s
    }

    pub(super) fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    /// Steps over JSON white space.
    pub(super) fn ws(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// A syntax error at the current position.
    pub(super) fn syntax(&self, what: &str) -> SkimError {
        SkimError::Syntax(format!("{what} at byte {}", self.pos))
    }

    /// Consumes `byte`, which must come next after white space.
    pub(super) fn eat(&mut self, byte: u8, what: &str) -> Result<(), SkimError> {
        self.ws();
        if self.peek() != Some(byte) {
            return Err(self.syntax(what));
        }
        self.pos += 1;
        Ok(())
    }

    /// Steps over the string at the current `"`, finding only its end (an
    /// escape is a backslash and the byte after it; neither is checked).
    /// Returns the inside. One with escapes longer than [`MAX_ESCAPED_KEY`]
    /// is refused when a `:` follows (a key).
    pub(super) fn string(&mut self) -> Result<&'a [u8], SkimError> {
        let start = self.pos + 1;
        let mut at = start;
        let mut escaped = false;
        loop {
            match self.bytes.get(at) {
                Some(b'"') => break,
                Some(b'\\') => {
                    escaped = true;
                    at += 2;
                }
                Some(_) => at += 1,
                None => {
                    self.pos = self.bytes.len();
                    return Err(self.syntax("unterminated string"));
                }
            }
        }
        self.pos = at + 1;
        // The typed decoder unescapes a key into a scratch buffer.
        if escaped && at - start > MAX_ESCAPED_KEY {
            self.ws();
            if self.peek() == Some(b':') {
                return Err(SkimError::KeyTooLong);
            }
        }
        Ok(self.bytes.get(start..at).unwrap_or_default())
    }

    /// Steps over one value, nested `depth` levels already: a string to its
    /// closing quote, a container to the bracket that closes it (at most
    /// [`MAX_DEPTH`] deep), anything else to the next delimiter. What lies
    /// between is not checked: a valid body is skipped exactly as
    /// `serde_json` reads it, and an invalid one fails to decode once
    /// authentic (or [`validate`](super::validate) calls it not JSON).
    pub(super) fn value(&mut self, depth: u32) -> Result<(), SkimError> {
        let mut level = 0;
        loop {
            match self.peek() {
                Some(b'"') => drop(self.string()?),
                Some(b'{' | b'[') => {
                    level += 1;
                    if depth + level > MAX_DEPTH {
                        return Err(SkimError::TooDeep);
                    }
                    self.pos += 1;
                }
                Some(b'}' | b']') if level > 0 => {
                    level -= 1;
                    self.pos += 1;
                }
                Some(_) if level > 0 => self.pos += 1,
                None if level > 0 => return Err(self.syntax("unexpected end")),
                _ => {
                    let start = self.pos;
                    while !matches!(
                        self.peek(),
                        None | Some(b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
                    ) {
                        self.pos += 1;
                    }
                    if self.pos == start {
                        return Err(self.syntax("expected a value"));
                    }
                }
            }
            if level == 0 {
                return Ok(());
            }
        }
    }
}

/// Whether a key's inside (from [`Scanner::string`]), its escapes decoded,
/// is `name`. Every wanted name is plain ASCII, so only `\u` escapes of
/// ASCII characters can be part of a match; any other escape is not.
pub(super) fn key_is(inside: &[u8], name: &str) -> bool {
    let mut rest = inside;
    let same = name.bytes().all(|want| {
        let (got, len) = match rest {
            [b'\\', b'u', hex @ ..] => {
                // Four hex digits, as JSON has them (`from_str_radix` alone
                // would also take a sign: `\u+074`).
                let hex = hex
                    .get(..4)
                    .filter(|h| h.iter().all(u8::is_ascii_hexdigit))
                    .and_then(|h| std::str::from_utf8(h).ok());
                (hex.and_then(|h| u8::from_str_radix(h, 16).ok()), 6)
            }
            [byte, ..] if *byte != b'\\' => (Some(*byte), 1),
            _ => return false,
        };
        rest = rest.get(len..).unwrap_or_default();
        got == Some(want)
    });
    same && rest.is_empty()
}
