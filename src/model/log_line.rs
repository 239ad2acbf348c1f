//! Pieces of the one-line, log-safe `Display` of job statuses and results.
//!
//! A line names the state, the codes with their meanings, and the job's ids:
//! never the result's personal data (names, dates of birth, ID numbers,
//! photos or their links), never the signature, and never free text a result
//! may carry (`ResultText` and unknown fields are left out).

use std::fmt;

/// The longest stretch of server-sent text a line shows.
const MAX_TEXT: usize = 64;

/// Text cut to [`MAX_TEXT`] characters, shown quoted and escaped by `{:?}`,
/// so a hostile value cannot break the line or flood the log; key-shaped runs
/// cut out first, since an unauthenticated body may put a request signature
/// in any field (a `result` message, a `code`, `SmileJobID`).
pub(super) struct Short<'a>(pub(super) &'a str);

impl fmt::Debug for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (text, cut) = crate::redact::redact_head(self.0, MAX_TEXT);
        write!(f, "{text:?}{}", if cut { "…" } else { "" })
    }
}

/// A code shown bare when it is short and plain (they are four digits),
/// quoted and cut otherwise.
pub(super) struct Escaped<'a>(pub(super) &'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.0.len() <= 16 && self.0.chars().all(|c| c.is_ascii_alphanumeric());
        if plain && !self.0.is_empty() {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", Short(self.0))
        }
    }
}
