//! Skipping a nested container (an array or object value the judge does not
//! need, such as a long `history`) by its brackets, eight bytes at a time.
//!
//! A word without backslashes is read as flags, the high bit of each byte:
//! its quotes and its brackets. The bytes inside strings are the running
//! parity of the quotes (a prefix XOR, carried from word to word), and only
//! the brackets outside strings are looked at one by one. From a word with a
//! backslash, bytes are read one at a time until the string holding the
//! escapes has closed. Either way, the result is exactly what the byte-by-byte
//! skip gives, error positions included (a property test holds the two
//! together).

use super::{MAX_DEPTH, MAX_ESCAPED_KEY, SkimError};

/// Bytes per word.
const WORD: usize = 8;
const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;
const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;

/// The high bit of each zero byte of `w`, exactly (no false flags).
#[inline(always)]
fn zero_bytes(w: u64) -> u64 {
    !((w & LOW7).wrapping_add(LOW7) | w | LOW7)
}

/// Each byte's high bit set to the parity of the high bits up to and
/// including its own: with the quotes as input, set from each opening quote
/// up to, not including, its closing quote.
#[inline(always)]
fn prefix_xor(mut x: u64) -> u64 {
    x ^= x << 8;
    x ^= x << 16;
    x ^= x << 32;
    x
}

/// The open containers.
struct Stack {
    /// One bit per open container, innermost lowest: 1 for an object.
    open: u128,
    /// How many are open.
    level: u32,
    /// How deep the container being skipped is nested already.
    depth: u32,
}

impl Stack {
    /// `byte` at `at`, outside strings: a bracket opens or closes, anything
    /// else is passed over. Returns whether the skipped container closed.
    #[inline(always)]
    fn byte(&mut self, byte: u8, at: usize) -> Result<bool, SkimError> {
        let is_object = match byte {
            b'{' | b'[' => {
                if self.depth + self.level + 1 > MAX_DEPTH {
                    return Err(SkimError::TooDeep);
                }
                self.open = (self.open << 1) | u128::from(byte == b'{');
                self.level += 1;
                return Ok(false);
            }
            b'}' => true,
            b']' => false,
            _ => return Ok(false),
        };
        if is_object != (self.open & 1 == 1) {
            return Err(SkimError::Syntax("mismatched bracket", at));
        }
        self.open >>= 1;
        self.level = self.level.saturating_sub(1);
        Ok(self.level == 0)
    }

    /// The flagged bytes of a word at `base`, in order. Returns where the
    /// skipped container ends when it closes among them.
    #[cold]
    fn flagged(
        &mut self,
        word: &[u8; WORD],
        mut flags: u64,
        base: usize,
    ) -> Result<Option<usize>, SkimError> {
        while flags != 0 {
            let i = flags.trailing_zeros() as usize / 8;
            flags &= flags - 1;
            if self.byte(word.get(i).copied().unwrap_or_default(), base + i)? {
                return Ok(Some(base + i + 1));
            }
        }
        Ok(None)
    }
}

/// Skips the container whose opening bracket is at `start`, nested `depth`
/// levels already, and returns the position just after its closing bracket.
/// Strings are stepped over exactly; escapes are not checked, and neither is
/// anything between the brackets (see [`validate`](super::validate)). An
/// escaped string longer than [`MAX_ESCAPED_KEY`] that is followed by `:` is
/// refused, as a key the decoder would have to unescape.
pub(super) fn skip_container(bytes: &[u8], start: usize, depth: u32) -> Result<usize, SkimError> {
    let mut stack = Stack {
        open: 0,
        level: 0,
        depth,
    };
    let mut at = start;
    // HIGH inside a string, 0 outside.
    let mut carry = 0u64;
    loop {
        while let Some(word) = bytes.get(at..).and_then(<[u8]>::first_chunk::<WORD>) {
            let w = u64::from_le_bytes(*word);
            if zero_bytes(w ^ (ONES * u64::from(b'\\'))) != 0 {
                break;
            }
            let inside = prefix_xor(zero_bytes(w ^ (ONES * u64::from(b'"')))) ^ carry;
            // `[`, `]`, `{` and `}` are the bytes equal to `[` under the mask
            // 0xd9, along with `Y`, `_`, `y` and DEL, which `Stack::byte`
            // passes over.
            let flags = zero_bytes((w & (ONES * 0xd9)) ^ (ONES * u64::from(b'[' & 0xd9))) & !inside;
            carry = if inside >> 63 == 1 { HIGH } else { 0 };
            if flags != 0
                && let Some(end) = stack.flagged(word, flags, at)?
            {
                return Ok(end);
            }
            at += WORD;
        }
        let mut in_string = carry != 0;
        match bytewise(&mut stack, bytes, at, &mut in_string)? {
            Bytewise::Closed(end) => return Ok(end),
            Bytewise::Resume(next) => at = next,
        }
        carry = if in_string { HIGH } else { 0 };
    }
}

/// How [`bytewise`] stopped.
enum Bytewise {
    /// The skipped container ends here.
    Closed(usize),
    /// Words can be read again from here.
    Resume(usize),
}

/// Reads bytes one at a time from `at`, for at least a word and until no
/// string with escapes is open. Only an escaped string's length matters (for
/// [`MAX_ESCAPED_KEY`]), so its start is found when its first escape is.
fn bytewise(
    stack: &mut Stack,
    bytes: &[u8],
    mut at: usize,
    in_string: &mut bool,
) -> Result<Bytewise, SkimError> {
    let word_end = at + WORD;
    let mut escape_next = false;
    // The first byte inside the string being read, once it has an escape.
    let mut escaped_start: Option<usize> = None;
    loop {
        if at >= word_end && !escape_next && escaped_start.is_none() {
            return Ok(Bytewise::Resume(at));
        }
        let Some(&byte) = bytes.get(at) else {
            let what = if *in_string {
                "unterminated string"
            } else {
                "unexpected end"
            };
            return Err(SkimError::Syntax(what, bytes.len()));
        };
        if escape_next {
            escape_next = false;
        } else if *in_string {
            match byte {
                b'"' => {
                    *in_string = false;
                    if let Some(start) = escaped_start.take()
                        && at - start > MAX_ESCAPED_KEY
                        && colon_follows(bytes, at + 1)
                    {
                        return Err(SkimError::KeyTooLong);
                    }
                }
                b'\\' => {
                    escape_next = true;
                    if escaped_start.is_none() {
                        // The string has no quote before its first escape: the
                        // last quote before here opened it.
                        let open = bytes.get(..at).unwrap_or_default();
                        escaped_start =
                            Some(open.iter().rposition(|&b| b == b'"').map_or(0, |q| q + 1));
                    }
                }
                _ => {}
            }
        } else if byte == b'"' {
            *in_string = true;
        } else if stack.byte(byte, at)? {
            return Ok(Bytewise::Closed(at + 1));
        }
        at += 1;
    }
}

/// Whether the next byte from `at` after white space is `:`.
fn colon_follows(bytes: &[u8], at: usize) -> bool {
    bytes
        .get(at..)
        .unwrap_or_default()
        .iter()
        .find(|b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r'))
        == Some(&b':')
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// The byte-by-byte skip this module replaced, kept as the reference:
    /// brackets found one byte at a time, strings stepped over to their
    /// closing quote.
    fn reference(bytes: &[u8], start: usize, depth: u32) -> Result<usize, SkimError> {
        let end_err = |what| Err(SkimError::Syntax(what, bytes.len()));
        let (mut at, mut open, mut level) = (start, 0u128, 0u32);
        loop {
            let byte = loop {
                match bytes.get(at) {
                    Some(&b) if b"\"{}[]".contains(&b) => break b,
                    Some(_) => at += 1,
                    None => return end_err("unexpected end"),
                }
            };
            at += 1;
            match byte {
                b'"' => {
                    let start = at;
                    let mut escaped = false;
                    loop {
                        let rest = bytes.get(at..).unwrap_or_default();
                        let Some(i) = rest.iter().position(|&b| b == b'"' || b == b'\\') else {
                            return end_err("unterminated string");
                        };
                        at += i + 1;
                        if bytes[at - 1] == b'"' {
                            break;
                        }
                        escaped = true;
                        at += 1;
                    }
                    if escaped && at - 1 - start > MAX_ESCAPED_KEY && colon_follows(bytes, at) {
                        return Err(SkimError::KeyTooLong);
                    }
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
                        return Ok(at);
                    }
                }
            }
        }
    }

    fn both(text: &[u8], depth: u32) -> Result<usize, SkimError> {
        let fast = skip_container(text, 0, depth);
        assert_eq!(
            fast,
            reference(text, 0, depth),
            "{:?}",
            String::from_utf8_lossy(text)
        );
        fast
    }

    #[test]
    fn skips_what_the_reference_skips() {
        assert_eq!(both(br#"{"a":[1,{"b":"}"}],"c":"\"]"}tail"#, 1), Ok(29));
        assert_eq!(both(b"[]", 1), Ok(2));
        assert_eq!(both(br#"["Y_y\x7f",Yes_y]"#, 1), Ok(17));
        assert_eq!(both(b"{\"abcdefg\\\"}\"}", 1), Ok(14));
        assert_eq!(
            both(b"[0123456}", 1),
            Err(SkimError::Syntax("mismatched bracket", 8))
        );
        assert_eq!(
            both(b"[\"0123456789abcdef", 1),
            Err(SkimError::Syntax("unterminated string", 18))
        );
        assert_eq!(
            both(b"[\"0123456\\", 1),
            Err(SkimError::Syntax("unterminated string", 10))
        );
        assert_eq!(
            both(b"[[[[[[[[[[[[[[[[", 1),
            Err(SkimError::Syntax("unexpected end", 16))
        );
        assert_eq!(both(b"[[[]]]", MAX_DEPTH - 2), Err(SkimError::TooDeep));
        assert_eq!(both(b"[[[]]]", MAX_DEPTH - 3), Ok(6));
    }

    #[test]
    fn long_escaped_keys_are_refused_at_every_offset() {
        for pad in 0..9 {
            for key_len in [MAX_ESCAPED_KEY - 1, MAX_ESCAPED_KEY, MAX_ESCAPED_KEY + 1] {
                for escape_at in [0, 5, key_len - 2] {
                    let mut key = vec![b'k'; key_len];
                    key[escape_at] = b'\\';
                    let text = format!(
                        "{{{}\"{}\" :1}}",
                        " ".repeat(pad),
                        String::from_utf8(key).unwrap()
                    );
                    let result = both(text.as_bytes(), 1);
                    assert_eq!(result.is_err(), key_len > MAX_ESCAPED_KEY, "{result:?}");
                    // Not a key: no colon follows.
                    let value = text.replace(" :1}", "]").replacen('{', "[", 1);
                    assert!(both(value.as_bytes(), 1).is_ok());
                }
            }
        }
    }

    #[test]
    fn escapes_and_quotes_at_every_offset() {
        // Each pattern inside a string, at every offset of two words, with
        // a bracket and a quote right after the string that a misread escape
        // would take for structure.
        for pattern in [
            "\\\"",
            "\\\\",
            "\\\\\\\"",
            "\\\\\\\\\"",
            "\\",
            "\"",
            "\\u0022",
            "é\\\"",
        ] {
            for pad in 0..17 {
                for tail in 0..9 {
                    let text = format!(
                        "[{}\"{pattern}{}\"]{}\"]",
                        " ".repeat(pad),
                        "a".repeat(tail),
                        "Y".repeat(tail)
                    );
                    let _ = both(text.as_bytes(), 1);
                    let _ = both(text.replace('[', "{\"k\":").as_bytes(), 1);
                }
            }
        }
    }

    #[test]
    fn nesting_at_the_limit_at_every_offset() {
        for pad in 0..9 {
            for depth in [1, 2, 64] {
                let open = (MAX_DEPTH - depth + 1) as usize;
                let fits = format!(
                    "{}{}\"]\"{}",
                    "[".repeat(open - 1),
                    " ".repeat(pad),
                    "]".repeat(open - 1)
                );
                assert_eq!(both(fits.as_bytes(), depth), Ok(fits.len()));
                let over = format!("[{fits}]");
                assert_eq!(both(over.as_bytes(), depth), Err(SkimError::TooDeep));
            }
        }
    }

    /// Big bodies made to make the escaped-string bookkeeping work hard: long
    /// plain runs before each first escape (the search back for the string's
    /// start), one string escaped all through, many short escaped strings,
    /// and long escaped strings followed by long white space (the look for a
    /// colon). Linear cost keeps this quick; anything quadratic would not end.
    #[test]
    fn big_escaped_bodies_stay_linear() {
        let long = format!("\"{}\\n\"", "a".repeat(4000));
        let past_key = format!("\"\\n{}\"{}", "a".repeat(MAX_ESCAPED_KEY), " ".repeat(4000));
        for item in [long.as_str(), "\"\\n\"", past_key.as_str()] {
            let text = format!("[{}]", vec![item; 300_000 / item.len()].join(","));
            assert_eq!(skip_container(text.as_bytes(), 0, 1), Ok(text.len()));
        }
        let one = format!("[\"{}\"]", "\\n".repeat(200_000));
        assert_eq!(skip_container(one.as_bytes(), 0, 1), Ok(one.len()));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]
        #[test]
        fn agrees_with_the_reference(
            body in proptest::collection::vec(
                prop::sample::select(b"\"\"\"\\\\{}[]{}[]:, aY_y\x7f\xc3\xa9\n".to_vec()), 0..160),
            opening in prop::sample::select(b"{[".to_vec()),
            depth in prop::sample::select(vec![1u32, 100, MAX_DEPTH - 2, MAX_DEPTH]),
        ) {
            let mut text = vec![opening];
            text.extend(body);
            let _ = both(&text, depth);
        }

        #[test]
        fn skips_json_whole_and_agrees_on_it_cut_or_changed(
            value in json_value(),
            cut in any::<prop::sample::Index>(),
            byte in prop::sample::select(b"\"\\{}[]:a".to_vec()),
        ) {
            let text = format!("[{value}]").into_bytes();
            prop_assert_eq!(both(&text, 1), Ok(text.len()));
            let at = cut.index(text.len());
            let _ = both(&text[..at], 1);
            // The opening bracket stays: skip_container starts at one.
            let mut changed = text.clone();
            changed[1 + cut.index(text.len() - 1)] = byte;
            let _ = both(&changed, 1);
        }
    }

    /// JSON values whose strings are rich in quotes, backslashes and brackets.
    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        let text = proptest::collection::vec(
            prop::sample::select(vec![
                '"', '\\', '{', '}', '[', ']', 'a', 'Y', '_', 'é', '\n',
            ]),
            0..20,
        )
        .prop_map(String::from_iter);
        let leaf = prop_oneof![
            text.clone().prop_map(serde_json::Value::from),
            any::<i32>().prop_map(serde_json::Value::from),
            Just(serde_json::Value::Null),
        ];
        leaf.prop_recursive(4, 64, 8, move |inner| {
            prop_oneof![
                proptest::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
                proptest::collection::vec((text.clone(), inner), 0..8)
                    .prop_map(|members| serde_json::Value::Object(members.into_iter().collect())),
            ]
        })
    }
}
