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

impl fmt::Debug for Signed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        debug_envelope(&mut f.debug_struct("Signed"), &self.raw_timestamp).finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_signature() {
        let signed = Signed {
            timestamp: OffsetDateTime::UNIX_EPOCH,
            raw_timestamp: "1970-01-01T00:00:00Z".into(),
            signature: "c2VjcmV0".into(),
        };
        let debug = format!("{signed:?}");
        assert!(debug.contains("1970-01-01T00:00:00Z"), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(!debug.contains("c2VjcmV0"), "{debug}");
    }
}
