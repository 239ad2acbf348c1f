//! How a response or callback is judged, in one place and in this order:
//! the HTTP status; a scan of the raw body (syntax, shape, duplicated
//! fields) that allocates nothing; the signature; that it is not a signature
//! this client issued; the timestamp's freshness; typed decoding within the
//! structural limits (see `wire`); and, for job status, the job.
//!
//! Nothing in a body is decoded into memory before its signature is checked.

use std::borrow::Cow;
use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::Subject;
use crate::model::Signed;
use crate::skim::{self, Duplicates, SkimError};
use crate::wire::{WireJobStatus, decode};
use crate::{Callback, Error, JobResult, JobStatus, PartnerParams, Signature, SignatureFailure};

/// The top-level keys of a job status the scan reads and refuses repeated:
/// the signed fields, and those that decide what the answer means.
const STATUS_KEYS: [&str; 5] = [
    "timestamp",
    "signature",
    "result",
    "job_complete",
    "job_success",
];

/// What a body is checked against.
pub(crate) struct Judge<'a> {
    pub(crate) signature: &'a Signature,
    /// `None` disables the freshness check (never for job status).
    pub(crate) tolerance: Option<Duration>,
    pub(crate) now: OffsetDateTime,
}

impl Judge<'_> {
    /// A 2xx job status body: scan, signature, reflection, freshness,
    /// decoding, job.
    pub(crate) fn job_status(
        &self,
        body: &[u8],
        expected: &PartnerParams,
    ) -> Result<JobStatus, Error> {
        let subject = Subject::Response;
        let text = utf8(body, subject)?;
        let [timestamp, signature, result, _, _] =
            skim::top_level(text, STATUS_KEYS, Duplicates::Refuse)
                .map_err(|e| skim_error(e, body, subject))?;
        let authentic = self
            .authenticate(timestamp, signature, subject)
            .map_err(|err| not_json_first(text, body, err, subject))?;
        let wire = decode::<WireJobStatus>(text).map_err(|typed_err| {
            // The job can still be judged from the raw result, so that
            // another job's answer is called that rather than undecodable.
            if let Err(mismatch) = check_raw_job(expected, result) {
                return mismatch;
            }
            Error::decode("not a job status", body, Some(Box::new(typed_err)), subject)
        })?;
        match wire.result.as_ref().and_then(|r| r.partner_params.as_ref()) {
            Some(p) => check_job(expected, Some(&p.user_id), Some(&p.job_id))?,
            // A complete job's answer must say which job it is about: a body
            // that names none could be about any job.
            None if wire.job_complete == Some(true) => check_job(expected, None, None)?,
            None => {}
        }
        Ok(wire.into_status(authentic))
    }

    /// A callback body: scan, signature, reflection, freshness, decoding.
    pub(crate) fn callback(&self, body: &[u8]) -> Result<Callback, Error> {
        let subject = Subject::Callback;
        let text = utf8(body, subject)?;
        let [timestamp, signature] =
            skim::top_level(text, ["timestamp", "signature"], Duplicates::Refuse)
                .map_err(|e| skim_error(e, body, subject))?;
        let authentic = self
            .authenticate(timestamp, signature, subject)
            .map_err(|err| not_json_first(text, body, err, subject))?;
        // Straight into the typed value, within the structural limits (see `wire`).
        let mut result = decode::<JobResult>(text).map_err(|typed_err| {
            Error::decode("not a callback", body, Some(Box::new(typed_err)), subject)
        })?;
        result.extra.remove("timestamp");
        result.extra.remove("signature");
        Ok(Callback::new(result, authentic))
    }

    /// The signature over the raw timestamp (in constant time), that it is
    /// not one this client issued, then freshness. Takes the fields' raw JSON.
    fn authenticate(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
        subject: Subject,
    ) -> Result<Signed, Error> {
        let refuse = |reason| Error::SignatureMismatch { reason, subject };
        let signature = field_text(signature, subject)?
            .ok_or_else(|| refuse(SignatureFailure::MissingSignature))?;
        let timestamp = field_text(timestamp, subject)?
            .ok_or_else(|| refuse(SignatureFailure::MissingTimestamp))?;
        self.signature
            .check_answer(&timestamp, &signature)
            .map_err(refuse)?;
        let parsed = check_freshness(&timestamp, self.now, self.tolerance, subject)?;
        Ok(Signed {
            timestamp: parsed,
            raw_timestamp: timestamp.into_owned(),
            signature: signature.into_owned(),
        })
    }
}

/// The body as text: JSON is UTF-8. A leading byte-order mark is skipped
/// (RFC 8259 allows a reader to; the signature never covers it).
fn utf8(body: &[u8], subject: Subject) -> Result<&str, Error> {
    let text = body.strip_prefix("\u{feff}".as_bytes()).unwrap_or(body);
    std::str::from_utf8(text).map_err(|e| {
        Error::decode(
            format!("not JSON: not UTF-8 ({e})"),
            body,
            Some(Box::new(e)),
            subject,
        )
    })
}

/// A body that failed authentication is reported as not JSON when it is not
/// (the first scan skips what nested values hold; this checks every token).
fn not_json_first(text: &str, body: &[u8], err: Error, subject: Subject) -> Error {
    match skim::validate(text) {
        Ok(()) => err,
        Err(not_json) => skim_error(not_json, body, subject),
    }
}

fn skim_error(err: SkimError, body: &[u8], subject: Subject) -> Error {
    Error::decode(err.to_string(), body, None, subject)
}

/// `timestamp` or `signature` read as text by the one rule ([`skim::text_of`]);
/// `None` when absent or not text.
fn field_text(raw: Option<&str>, subject: Subject) -> Result<Option<Cow<'_, str>>, Error> {
    // At most 4 KiB of an escaped field is unescaped before it is
    // authenticated; a longer one is refused as malformed (a real timestamp
    // is 24 characters, a real signature 44).
    if raw.is_some_and(|raw| raw.len() > 4096 && raw.contains('\\')) {
        return Err(Error::SignatureMismatch {
            reason: SignatureFailure::Malformed,
            subject,
        });
    }
    Ok(raw.and_then(skim::text_of))
}

/// The job named by a raw result object, if any, for bodies that did not
/// decode.
fn check_raw_job(expected: &PartnerParams, result: Option<&str>) -> Result<(), Error> {
    if let Some(result) = result
        && let Ok([Some(params)]) =
            skim::top_level(result, ["PartnerParams"], Duplicates::FirstWins)
        && let Ok([user, job]) =
            skim::top_level(params, ["user_id", "job_id"], Duplicates::FirstWins)
    {
        let user = user.and_then(skim::text_of);
        let job = job.and_then(skim::text_of);
        return check_job(expected, user.as_deref(), job.as_deref());
    }
    Ok(())
}

/// `raw` must be an RFC 3339 date-time within `tolerance` of `now`, in
/// either direction. At exactly the tolerance it passes.
fn check_freshness(
    raw: &str,
    now: OffsetDateTime,
    tolerance: Option<Duration>,
    subject: Subject,
) -> Result<OffsetDateTime, Error> {
    let parsed = OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| Error::InvalidTimestamp {
        // Enough of an unreadable timestamp to see what it was.
        timestamp: raw.chars().take(64).collect(),
        subject,
    })?;
    let Some(tolerance) = tolerance else {
        return Ok(parsed);
    };
    // `time::Duration` spans far more than any two representable dates differ by,
    // so the subtraction cannot overflow; a tolerance beyond its range saturates.
    let skew = parsed - now;
    let tolerance = time::Duration::try_from(tolerance).unwrap_or(time::Duration::MAX);
    if skew.abs() > tolerance {
        return Err(Error::TimestampOutOfTolerance {
            timestamp: raw.to_owned(),
            skew,
            tolerance,
            subject,
        });
    }
    Ok(parsed)
}

/// A result's `PartnerParams` must name the job asked about.
fn check_job(
    expected: &PartnerParams,
    user_id: Option<&str>,
    job_id: Option<&str>,
) -> Result<(), Error> {
    if user_id == Some(expected.user_id.as_str()) && job_id == Some(expected.job_id.as_str()) {
        return Ok(());
    }
    // Kept for `Debug` too: a hostile body may hold an echoed signature here.
    let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(crate::redact::redact);
    Err(Error::JobMismatch {
        expected_user_id: expected.user_id.clone(),
        expected_job_id: expected.job_id.clone(),
        received_user_id: nonempty(user_id),
        received_job_id: nonempty(job_id),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> OffsetDateTime {
        OffsetDateTime::parse(raw, &Rfc3339).unwrap()
    }

    /// How `check_freshness` judges `raw` at `now` with a 300 s tolerance:
    /// `"fresh"`, `"stale"` or `"unreadable"`.
    fn judged(raw: &str, now: &str) -> &'static str {
        match check_freshness(
            raw,
            at(now),
            Some(Duration::from_secs(300)),
            Subject::Response,
        ) {
            Ok(_) => "fresh",
            Err(Error::TimestampOutOfTolerance { .. }) => "stale",
            Err(Error::InvalidTimestamp { .. }) => "unreadable",
            Err(other) => panic!("{other:?}"),
        }
    }

    #[test]
    fn freshness_window_is_symmetric_and_inclusive_and_formats_vary() {
        let (noon, later) = ("2026-11-26T12:00:00Z", "2026-11-26T12:32:04Z");
        for (raw, now, expected) in [
            ("2026-11-26T12:05:00Z", noon, "fresh"),
            ("2026-11-26T11:55:00Z", noon, "fresh"),
            ("2026-11-26T12:04:59Z", noon, "fresh"),
            ("2026-11-26T11:55:01Z", noon, "fresh"),
            ("2026-11-26T13:04:59+01:00", noon, "fresh"),
            ("2026-11-26T12:05:01Z", noon, "stale"),
            ("2026-11-26T11:54:59Z", noon, "stale"),
            ("2026-11-26T12:05:00.001Z", noon, "stale"),
            ("2026-11-26T12:32:04.622Z", later, "fresh"),
            ("2026-11-26T12:32:04.622123+00:00", later, "fresh"),
            ("2026-11-26T12:32:04+00:00", later, "fresh"),
            ("2026-11-26T12:32:04.123456789Z", later, "fresh"),
            ("2026-11-26T14:32:04.6+02:00", later, "fresh"),
            ("", later, "unreadable"),
            ("yesterday", later, "unreadable"),
            ("2026-11-26 12:32:04", later, "unreadable"),
            ("1764160324", later, "unreadable"),
            ("2026-11-26T12:32:04", later, "unreadable"),
        ] {
            assert_eq!(judged(raw, now), expected, "{raw:?} at {now}");
        }
        let Err(Error::TimestampOutOfTolerance { skew, .. }) = check_freshness(
            "2026-11-26T11:54:59Z",
            at(noon),
            Some(Duration::from_secs(300)),
            Subject::Callback,
        ) else {
            panic!()
        };
        assert_eq!(skew, time::Duration::seconds(-301));
    }

    #[test]
    fn no_tolerance_skips_the_age_check_and_huge_ones_saturate() {
        let now = at("2026-11-26T12:00:00Z");
        assert!(check_freshness("2000-01-01T00:00:00Z", now, None, Subject::Response).is_ok());
        assert!(
            check_freshness(
                "2000-01-01T00:00:00Z",
                now,
                Some(Duration::MAX),
                Subject::Response
            )
            .is_ok()
        );
        assert!(
            check_freshness(
                "9999-12-31T23:59:59Z",
                at("0000-01-01T00:00:00Z"),
                Some(Duration::from_secs(1)),
                Subject::Response,
            )
            .is_err()
        );
    }
}
