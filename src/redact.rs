//! Cutting key-shaped text and URL query strings out of the body text kept in
//! the fields documented as sensitive ([`HttpDetails`](crate::HttpDetails),
//! `Error::Decode`'s excerpt, the `Debug` of raw JSON values). No `Display`
//! of an error holds body text at all; this only makes those fields safer to
//! log.
//!
//! A signature is 44 characters of base64. A gateway that echoes a request
//! may write it as is, URL-safe, JSON-escaped (`\/`, `\u002B`),
//! percent-encoded (`%2B`) or as HTML references (`&#43;`): every one of
//! these is a run of the characters [`in_run`] accepts, and a run of
//! [`MIN_RUN`] or more of them is cut whole.

use std::borrow::Cow;
use std::fmt;

/// The shortest run cut out. A kept body is cut to size, which can leave part
/// of a signature at its end, hence 40 rather than 44. Long base64 images go
/// too, which logs do not miss.
const MIN_RUN: usize = 40;

/// The most spaces standing for `+` in one form-decoded signature.
const MAX_SPACES: usize = 3;

/// What replaces a key-shaped run or a query string.
const REDACTED: &str = "[redacted]";

/// Whether `c` can be part of a base64 run in any of the encodings above, or
/// wrapped over lines.
fn in_run(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+/=-_%\\&#;\r\n".contains(c)
}

/// Where a word (a URL, a JSON string's content) ends; not at a line break,
/// which wrapped base64 holds.
fn ends_word(c: char) -> bool {
    matches!(c, ' ' | '\t' | '"' | '\'' | '<' | '>' | '`')
}

/// `text` with every key-shaped run and every URL query string replaced by
/// `[redacted]`.
pub(crate) fn redact(text: &str) -> String {
    let text = &cut_spaced(text);
    let mut out = String::with_capacity(text.len());
    for piece in text.split_inclusive(ends_word) {
        let word = piece.trim_end_matches(ends_word);
        // A URL's query (and fragment) runs to the end of its word.
        let query = ["://", r":\/\/"]
            .iter()
            .find_map(|scheme| word.find(scheme))
            .and_then(|at| Some(at + word.get(at..)?.find(['?', '#'])?));
        let kept = query.and_then(|q| word.get(..q)).unwrap_or(word);
        for part in kept.split_inclusive(|c| !in_run(c)) {
            let run = part.trim_end_matches(|c| !in_run(c));
            out.push_str(if run.len() >= MIN_RUN { REDACTED } else { run });
            out.push_str(part.get(run.len()..).unwrap_or_default());
        }
        if query.is_some() {
            out.push('?');
            out.push_str(REDACTED);
        }
        out.push_str(piece.get(word.len()..).unwrap_or_default());
    }
    out
}

/// `text` with every signature written form-decoded (each `+` as a space)
/// replaced by `[redacted]`: runs shorter than [`MIN_RUN`] joined by at most
/// [`MAX_SPACES`] single spaces into [`MIN_RUN`] + 4 characters or more
/// (prose has many short words between its spaces).
fn cut_spaced(text: &str) -> String {
    // Where each run starts and ends (the characters of a run are ASCII).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    for (at, _) in text.char_indices().filter(|&(_, c)| in_run(c)) {
        match runs.last_mut() {
            Some((_, end)) if *end == at => *end += 1,
            _ => runs.push((at, at + 1)),
        }
    }
    let short = |&(start, end): &(usize, usize)| end - start < MIN_RUN;
    let mut out = String::with_capacity(text.len());
    let (mut done, mut i) = (0, 0);
    while let Some(&(start, first)) = runs.get(i) {
        let (mut prev, mut cut) = (first, None);
        // A run long enough alone is cut whole by itself, not with words.
        for (j, run) in runs.iter().enumerate().skip(i + 1).take(MAX_SPACES) {
            if !short(&(start, first)) || !short(run) || text.get(prev..run.0) != Some(" ") {
                break;
            }
            if run.1 - start >= MIN_RUN + 4 {
                cut = Some((j, run.1));
            }
            prev = run.1;
        }
        if let Some((j, end)) = cut {
            out.push_str(text.get(done..start).unwrap_or_default());
            out.push_str(REDACTED);
            (done, i) = (end, j);
        }
        i += 1;
    }
    out.push_str(text.get(done..).unwrap_or_default());
    out
}

/// A value whose `Debug` is its own with [`redact`] applied: for the
/// server's unauthenticated text in the model's hand-written `Debug`s.
pub(crate) struct Redacted<T>(pub(crate) T);

impl<T: fmt::Debug> fmt::Debug for Redacted<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&redact(&format!("{:?}", self.0)))
    }
}

/// The first `max` characters of `text`, redacted, and whether any were
/// left out. A little more than is shown is redacted, so that a run
/// straddling the cut is still recognised, and no more: a text may be
/// megabytes.
pub(crate) fn redact_head(text: &str, max: usize) -> (String, bool) {
    let head = match text.char_indices().nth(max * 2) {
        Some((at, _)) => text.get(..at).unwrap_or_default(),
        None => text,
    };
    let shown = redact(head);
    let cut = head.len() < text.len() || shown.chars().nth(max).is_some();
    (shown.chars().take(max).collect(), cut)
}

/// A URL without its query string (and fragment): `https://h/p?token=x`
/// becomes `https://h/p?[redacted]`.
pub(crate) fn url_without_query(url: &str) -> Cow<'_, str> {
    match url.find(['?', '#']) {
        Some(at) => Cow::Owned(format!("{}?{REDACTED}", url.get(..at).unwrap_or_default())),
        None => Cow::Borrowed(url),
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
    fn encoded_signatures_are_cut() {
        let encodings = [
            SIG.replace('/', r"\/").replace('+', r"\u002B"),
            SIG.replace('+', "%2B")
                .replace('/', "%2f")
                .replace('=', "%3D"),
            SIG.replace('+', "-").replace('/', "_"),
            SIG.replace('+', "&#43;").replace('/', "&#x2F;"),
            format!("{}\n{}\r\n{}", &SIG[..20], &SIG[20..40], &SIG[40..]),
            SIG.replace('+', " "),
            format!("{} {} {}", &SIG[..20], &SIG[20..40], &SIG[40..]),
        ];
        for encoded in encodings {
            let out = redact(&format!("echo: {encoded}."));
            assert_eq!(out, "echo: [redacted].", "{encoded:?}");
        }
        // A long run is cut by itself: the words beside it stay.
        let beside = format!("word {SIG} word");
        assert_eq!(redact(&beside), "word [redacted] word");
        let prose = "the request could not be processed because the signature was missing";
        assert_eq!(redact(prose), prose);
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
        for text in [
            "",
            "é ü 😀",
            "%41%",
            r"\n\u00e9",
            "a:b",
            "100%",
            "a & b &amp; c",
        ] {
            assert_eq!(redact(text), text);
        }
    }
}
