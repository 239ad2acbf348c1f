//! Cutting secrets out of text that may reach logs: signatures (in every
//! encoding a body or URL may carry them) and URL query strings (which hold
//! tokens: signed image links, callback secrets).
//!
//! Every request, response and callback signature is 44 characters of
//! standard base64. A gateway that echoes a request may write it as is,
//! JSON-escaped (`\/` for `/`, `\u002B` for `+`) or percent-encoded (`%2B`,
//! `%2F`, `%3D`); all of these count as one base64 character here.

use std::borrow::Cow;

/// The shortest run of base64 characters cut out. A kept body is cut to size,
/// which can leave part of a signature at its end, hence 40 rather than 44.
/// Long base64 images go too, which logs do not miss.
const MIN_RUN: usize = 40;

/// The most spaces standing for `+` inside one signature-shaped run.
const MAX_SPACES: usize = 3;

/// What replaces a signature-shaped run or a query string.
const REDACTED: &str = "[redacted]";

/// `text` with every signature-shaped run and every URL query string
/// replaced by `[redacted]`.
pub(crate) fn redact(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut in_url = false;
    while at < bytes.len() {
        // A run of base64 characters, in any of their encodings.
        let (end, units) = b64_run(bytes, at);
        if units > 0 {
            // The same run with `+` written as a space (a form-decoded echo):
            // pieces joined by single spaces, a few at most, since prose has
            // many short words between its spaces.
            let (mut spaced_end, mut spaced_units, mut spaces) = (end, units, 0);
            while spaces < MAX_SPACES
                && bytes.get(spaced_end) == Some(&b' ')
                && bytes.get(spaced_end + 1..).and_then(b64_unit).is_some()
            {
                let (next_end, next_units) = b64_run(bytes, spaced_end + 1);
                spaced_units += 1 + next_units;
                spaced_end = next_end;
                spaces += 1;
            }
            let (end, redacted) = if units >= MIN_RUN {
                (end, true)
            } else if spaced_units >= MIN_RUN + 4 && spaces > 0 {
                (spaced_end, true)
            } else {
                (end, false)
            };
            let run = text.get(at..end).unwrap_or_default();
            out.push_str(if redacted { REDACTED } else { run });
            at = end;
            continue;
        }
        let rest = text.get(at..).unwrap_or_default();
        let Some(c) = rest.chars().next() else {
            break;
        };
        if rest.starts_with("://") || rest.starts_with(r":\/\/") {
            in_url = true;
        } else if c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`') {
            in_url = false;
        } else if c == '?' && in_url {
            // The query runs to the end of the URL.
            let len = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '`'))
                .unwrap_or(rest.len());
            out.push('?');
            out.push_str(REDACTED);
            at += len;
            in_url = false;
            continue;
        }
        out.push(c);
        at += c.len_utf8();
    }
    out
}

/// A URL without its query string (and fragment): `https://h/p?token=x`
/// becomes `https://h/p?[redacted]`.
pub(crate) fn url_without_query(url: &str) -> Cow<'_, str> {
    match url.find(['?', '#']) {
        Some(at) => Cow::Owned(format!("{}?{REDACTED}", url.get(..at).unwrap_or_default())),
        None => Cow::Borrowed(url),
    }
}

/// The end of the run of base64 characters starting at `at`, and how many.
fn b64_run(bytes: &[u8], at: usize) -> (usize, usize) {
    let mut end = at;
    let mut units = 0;
    while let Some(len) = b64_unit(bytes.get(end..).unwrap_or_default()) {
        end += len;
        units += 1;
    }
    (end, units)
}

/// The length of the base64 character at the start of `bytes`, in any of the
/// encodings above, or `None` when it does not start with one. URL-safe
/// base64's `-` and `_`, and line breaks (wrapped base64), count too, as do
/// HTML character references (`&#43;`, `&#x2F;`).
fn b64_unit(bytes: &[u8]) -> Option<usize> {
    let lower = |i: usize| bytes.get(i).map(u8::to_ascii_lowercase);
    match *bytes.first()? {
        b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'+' | b'/' | b'=' | b'-' | b'_' => Some(1),
        b'\n' | b'\r' => Some(1),
        b'&' => {
            let end = bytes.iter().take(8).position(|&b| b == b';')?;
            let entity = bytes.get(1..end)?;
            let code = match entity {
                [b'#', b'x' | b'X', hex @ ..] => {
                    u32::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?
                }
                [b'#', dec @ ..] => std::str::from_utf8(dec).ok()?.parse().ok()?,
                _ => return None,
            };
            matches!(code, 0x2b | 0x2f | 0x3d).then_some(end + 1)
        }
        b'%' => match (bytes.get(1), lower(2)) {
            (Some(b'2'), Some(b'b' | b'f')) | (Some(b'3'), Some(b'd')) => Some(3),
            _ => None,
        },
        b'\\' => match bytes.get(1)? {
            b'/' => Some(2),
            b'u' | b'U' => match (bytes.get(2..4), lower(4), lower(5)) {
                (Some(b"00"), Some(b'2'), Some(b'b' | b'f'))
                | (Some(b"00"), Some(b'3'), Some(b'd')) => Some(6),
                _ => None,
            },
            _ => None,
        },
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SIG: &str = "6h78+Fjw+pN2GZr7q9swjlxDq1UMFtVTyOMpDqJthW4=";

    #[test]
    fn plain_signatures_are_cut() {
        let text = format!(r#"{{"signature":"{SIG}","code":"2205","id":"abc-123"}}"#);
        assert_eq!(
            redact(&text),
            r#"{"signature":"[redacted]","code":"2205","id":"abc-123"}"#
        );
        assert_eq!(redact(&format!("x {}", &SIG[..41])), "x [redacted]");
        assert_eq!(redact("short words stay"), "short words stay");
    }

    #[test]
    fn escaped_and_percent_encoded_signatures_are_cut() {
        let json_escaped = SIG.replace('/', r"\/").replace('+', r"\u002B");
        let percent = SIG
            .replace('+', "%2B")
            .replace('/', "%2f")
            .replace('=', "%3D");
        for encoded in [json_escaped, percent] {
            let out = redact(&format!("echo: {encoded}."));
            assert_eq!(out, "echo: [redacted].", "{encoded}");
        }
    }

    #[test]
    fn other_encodings_are_cut() {
        let url_safe = SIG.replace('+', "-").replace('/', "_");
        let spaced = SIG.replace('+', " ");
        let wrapped = format!("{}\n{}\n{}", &SIG[..20], &SIG[20..40], &SIG[40..]);
        let entities = SIG.replace('+', "&#43;").replace('/', "&#x2F;");
        for encoded in [url_safe, spaced, wrapped, entities] {
            let out = redact(&format!("echo: {encoded}."));
            assert_eq!(out, "echo: [redacted].", "{encoded:?}");
        }
        // Prose keeps its spaces and words.
        let prose = "the request could not be processed because the signature was missing";
        assert_eq!(redact(prose), prose);
        assert_eq!(redact("a & b &amp; c"), "a & b &amp; c");
    }

    #[test]
    fn url_queries_are_cut() {
        assert_eq!(
            redact("see https://h.example/a/b?X-Amz-Signature=abc&t=1 now"),
            "see https://h.example/a/b?[redacted] now"
        );
        assert_eq!(
            redact(r#"{"u":"https:\/\/h\/p?token=x","q":"why?"}"#),
            r#"{"u":"https:\/\/h\/p?[redacted]","q":"why?"}"#
        );
        assert_eq!(
            url_without_query("https://h/p?t=1#f"),
            "https://h/p?[redacted]"
        );
        assert_eq!(url_without_query("https://h/p"), "https://h/p");
    }

    #[test]
    fn other_text_is_kept() {
        for text in ["", "é ü 😀", "%41%", r"\n\u00e9", "a:b", "100%"] {
            assert_eq!(redact(text), text);
        }
    }
}
