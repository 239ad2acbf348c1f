//! Verifying the callbacks Smile ID POSTs to your server.
//!
//! A callback body is a result object (the keys of [`JobResult`]) plus
//! `timestamp` and `signature`, signed exactly like a job status response.
//! It is judged by the same code as responses (`judging.rs`): the body's
//! size and shape, then the signature in constant time, then freshness, then
//! typed decoding.

use std::fmt;

use time::OffsetDateTime;

use crate::judging::Authentic;
use crate::{JobResult, PartnerParams};

/// A verified callback from Smile ID.
///
/// Made by [`WebApi::verify_callback`](crate::WebApi::verify_callback) or
/// [`Signature::verify_callback`](crate::Signature::verify_callback): by the time you hold one, its signature
/// and freshness have been checked.
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct Callback {
    /// The job's result, every unknown field kept.
    pub result: JobResult,
    /// The callback's timestamp (already checked for freshness, unless the
    /// tolerance was `None`).
    pub timestamp: OffsetDateTime,
    /// The callback's signature (already verified). `Debug` shows
    /// `[redacted]`: it is computed like a request signature.
    pub signature: String,
    raw_timestamp: String,
}

impl Callback {
    pub(crate) fn new(result: JobResult, authentic: Authentic) -> Self {
        Callback {
            result,
            timestamp: authentic.timestamp,
            signature: authentic.signature,
            raw_timestamp: authentic.raw_timestamp,
        }
    }

    /// The callback's timestamp exactly as received (and signed).
    pub fn timestamp_str(&self) -> &str {
        &self.raw_timestamp
    }

    /// The job the callback is about, from the result's `PartnerParams`.
    pub fn partner_params(&self) -> Option<&PartnerParams> {
        self.result.partner_params.as_ref()
    }
}

impl fmt::Debug for Callback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Callback")
            .field("result", &self.result)
            .field("timestamp", &self.raw_timestamp)
            .field("signature", &format_args!("[redacted]"))
            .finish()
    }
}
