//! The signed envelope every verified body carries: its timestamp (parsed
//! and exactly as received) and its signature, with the one redacting
//! `Debug` that [`JobStatus`](crate::JobStatus) and
//! [`Callback`](crate::Callback) share.

use std::fmt;

use time::OffsetDateTime;

/// A body's authenticated timestamp (parsed and raw) and signature: what
/// judging hands to the model once the signature and freshness are checked.
#[derive(Clone, PartialEq)]
pub(crate) struct Signed {
    pub(crate) timestamp: OffsetDateTime,
    pub(crate) raw_timestamp: String,
    pub(crate) signature: String,
}

/// Adds a signed envelope's fields to a `Debug` struct: the timestamp as
/// received, and the signature as `[redacted]` (it is computed like a
/// request signature, so it is a credential).
pub(crate) fn debug_envelope<'s, 'a, 'b: 'a>(
    debug: &'s mut fmt::DebugStruct<'a, 'b>,
    raw_timestamp: &str,
) -> &'s mut fmt::DebugStruct<'a, 'b> {
    debug
        .field("timestamp", &raw_timestamp)
        .field("signature", &format_args!("[redacted]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_envelope_shows_the_timestamp_and_no_signature() {
        struct Envelope;
        impl fmt::Debug for Envelope {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                debug_envelope(&mut f.debug_struct("Envelope"), "1970-01-01T00:00:00Z").finish()
            }
        }
        let debug = format!("{Envelope:?}");
        assert!(debug.contains("1970-01-01T00:00:00Z"), "{debug}");
        assert!(debug.contains(r#"signature: [redacted]"#), "{debug}");
    }
}
