//! [`Verdict`] and [`VerdictBasis`]: what a verified result means for the
//! person it is about, and what that reading rests on. The rules are in
//! `src/verdict.rs`, beside the methods that apply them.

use std::fmt;

/// What a job's result means: approve, reject, wait, or look again.
///
/// From [`JobStatus::verdict`](crate::JobStatus::verdict),
/// [`JobResult::verdict`](crate::JobResult::verdict) and
/// [`Callback::verdict`](crate::Callback::verdict), which document the rules
/// rule by rule. Decided conservatively: never [`Approved`](Verdict::Approved)
/// when `job_success` is false or a human review is still open. Check
/// [`verdict_basis`](crate::JobStatus::verdict_basis) to know whether a
/// documented result code decided it or the fallback did.
///
/// `Display` writes the lowercase name (`approved`, `provisional`, ...).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Verdict {
    /// The job is not complete yet: ask again later (or wait for the callback).
    Pending,
    /// Every applicable check passed.
    Approved,
    /// Awaiting or inconclusive human review, or part of the job passed and
    /// another part could not be completed: do not approve yet; wait for the
    /// final result (a later status or callback) or review it yourself.
    Provisional,
    /// One or more applicable checks failed.
    Rejected,
    /// The job could not be completed (unsupported ID number format, ID
    /// authority unavailable, product not activated): nothing was decided
    /// about the person; fix the cause or try again later.
    Failed,
}

/// What a [`Verdict`] rests on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum VerdictBasis {
    /// `job_complete` was false.
    Incomplete,
    /// A result code whose category Smile ID documents (e.g. `1012`, `1022`).
    DocumentedCode,
    /// A result code seen only in Smile ID's official examples and fixtures
    /// (e.g. `0810`, `0814`), categorised by its text there.
    ObservedCode,
    /// No result code, or one without a known category: the verdict fell
    /// back on `job_success` (and on nothing at all for a lone result, which
    /// has none, so it is [`Verdict::Provisional`]). Treat it with care, and
    /// look at the code yourself.
    Fallback,
}

impl Verdict {
    /// The lowercase name, as `Display` writes it.
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Pending => "pending",
            Verdict::Approved => "approved",
            Verdict::Provisional => "provisional",
            Verdict::Rejected => "rejected",
            Verdict::Failed => "failed",
        }
    }
}

impl fmt::Display for Verdict {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Display for VerdictBasis {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VerdictBasis::Incomplete => "job not complete",
            VerdictBasis::DocumentedCode => "documented result code",
            VerdictBasis::ObservedCode => "result code seen in Smile ID's examples",
            VerdictBasis::Fallback => "no known code category, fell back on job_success",
        })
    }
}
