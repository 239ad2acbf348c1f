//! [`Callback`]: a verified callback body.
//!
//! A callback body is a result object (the keys of [`JobResult`]) plus
//! `timestamp` and `signature`, signed exactly like a job status response,
//! and judged by the same code: the body's size and shape, then the
//! signature in constant time, then freshness, then typed decoding.

use std::fmt;

use time::OffsetDateTime;

use super::signed::{Signed, debug_envelope};
use crate::{JobResult, PartnerParams};

/// A verified callback from Smile ID.
///
/// Made only by [`WebApi::verify_callback`](crate::WebApi::verify_callback):
/// by the time you hold one, its size, signature and freshness have been
/// checked.
///
/// A callback may arrive more than once, and a captured one can be replayed
/// unchanged within the tolerance (the signature covers only its timestamp),
/// so handle it idempotently: key what you do on `SmileJobID` or your job id.
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
    pub(crate) fn new(result: JobResult, signed: Signed) -> Self {
        Callback {
            result,
            timestamp: signed.timestamp,
            signature: signed.signature,
            raw_timestamp: signed.raw_timestamp,
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
        let mut debug = f.debug_struct("Callback");
        debug.field("result", &self.result);
        debug_envelope(&mut debug, &self.raw_timestamp).finish()
    }
}
