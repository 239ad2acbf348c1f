//! How a response is judged, in one place: the HTTP status, then the body's
//! shape, the signature, the timestamp's freshness, the job, and last the
//! typed decoding. Callbacks reuse the signature and freshness checks.

use std::time::Duration;

use serde_json::Value;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::error::HttpDetails;
use crate::response::WireJobStatus;
use crate::{Error, JobStatus, PartnerParams, Signature, SignatureFailure};

/// The most of a non-2xx body kept in [`Error::Http`].
const MAX_ERROR_BODY: usize = 1024;

/// What a response is checked against.
pub(crate) struct Judge<'a> {
    pub(crate) signature: &'a Signature,
    /// `None` disables the freshness check (never for job status).
    pub(crate) tolerance: Option<Duration>,
    pub(crate) now: OffsetDateTime,
}

impl Judge<'_> {
    /// Steps 2 to 6 for a 2xx job status body.
    pub(crate) fn job_status(
        &self,
        body: &[u8],
        expected: &PartnerParams,
    ) -> Result<JobStatus, Error> {
        // The fast path reads the body once, straight into the typed structs.
        // Only a body that fails to decode is read again, as a generic tree, so
        // that the signature, freshness and job are still judged before the
        // decoding error is reported.
        let wire = match decode_typed::<WireJobStatus>(body) {
            Ok(wire) => wire,
            Err(typed_err) => return Err(self.judge_undecodable(body, expected, typed_err)),
        };
        let (timestamp, raw_timestamp, signature) =
            self.authenticate(wire.timestamp.as_deref(), wire.signature.as_deref())?;
        let received = wire.result.as_ref().and_then(|r| r.partner_params.as_ref());
        if let Some(received) = received {
            check_job(expected, Some(&received.user_id), Some(&received.job_id))?;
        }
        Ok(wire.into_status(timestamp, raw_timestamp, signature))
    }

    /// Steps 3 and 4: the signature over the raw timestamp, then freshness. Returns
    /// the parsed timestamp and the raw timestamp and signature.
    pub(crate) fn authenticate(
        &self,
        timestamp: Option<&str>,
        signature: Option<&str>,
    ) -> Result<(OffsetDateTime, String, String), Error> {
        let signature = signature.ok_or(Error::SignatureMismatch {
            reason: SignatureFailure::MissingSignature,
        })?;
        let timestamp = timestamp.ok_or(Error::SignatureMismatch {
            reason: SignatureFailure::MissingTimestamp,
        })?;
        self.signature
            .check(timestamp, signature)
            .map_err(|reason| Error::SignatureMismatch { reason })?;
        let parsed = check_freshness(timestamp, self.now, self.tolerance)?;
        Ok((parsed, timestamp.to_owned(), signature.to_owned()))
    }

    /// Steps 3 and 4 for a body read as a generic tree (the slow paths).
    pub(crate) fn authenticate_tree(&self, value: &Value) -> Result<(), Error> {
        self.authenticate(
            field_text(value, "timestamp").as_deref(),
            field_text(value, "signature").as_deref(),
        )
        .map(drop)
    }

    /// The slow path for a body the typed decoder rejected: says why, after
    /// judging whatever can be judged.
    fn judge_undecodable(
        &self,
        body: &[u8],
        expected: &PartnerParams,
        typed_err: serde_json::Error,
    ) -> Error {
        let value = match json_object(body) {
            Ok(value) => value,
            Err(err) => return err,
        };
        if let Err(err) = self.authenticate_tree(&value) {
            return err;
        }
        if let Some(params) = value.get("result").and_then(|r| r.get("PartnerParams")) {
            if params.is_object() {
                let user = field_text(params, "user_id");
                let job = field_text(params, "job_id");
                if let Err(err) = check_job(expected, user.as_deref(), job.as_deref()) {
                    return err;
                }
            }
        }
        Error::decode(
            format!("not a job status: {typed_err}"),
            body,
            Some(Box::new(typed_err)),
        )
    }
}

/// Reads a body straight into a typed value, in one pass. Validating UTF-8
/// once up front lets the parser work on `str`, skipping a check per string
/// and per unknown field; invalid UTF-8 is left to the byte parser to report.
pub(crate) fn decode_typed<'a, T: serde::Deserialize<'a>>(
    body: &'a [u8],
) -> Result<T, serde_json::Error> {
    match std::str::from_utf8(body) {
        Ok(text) => serde_json::from_str(text),
        Err(_) => serde_json::from_slice(body),
    }
}

/// A field read as text, as the typed readers do: a JSON string, or a
/// number written out.
fn field_text(value: &Value, key: &str) -> Option<String> {
    match value.get(key)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// Step 2: the body must be one JSON object. Returns it parsed, or the
/// [`Error::Decode`] that says what it is instead.
pub(crate) fn json_object(body: &[u8]) -> Result<Value, Error> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(Error::decode("empty body", body, None));
    }
    let value = serde_json::from_slice::<Value>(body)
        .map_err(|e| Error::decode(format!("not JSON: {e}"), body, Some(Box::new(e))))?;
    let kind = match &value {
        Value::Object(_) => return Ok(value),
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
    };
    Err(Error::decode(
        format!("expected a JSON object, got {kind}"),
        body,
        None,
    ))
}

/// Step 4: `raw` must be an RFC 3339 date-time within `tolerance` of `now`, in
/// either direction. At exactly the tolerance it passes.
pub(crate) fn check_freshness(
    raw: &str,
    now: OffsetDateTime,
    tolerance: Option<Duration>,
) -> Result<OffsetDateTime, Error> {
    let parsed = OffsetDateTime::parse(raw, &Rfc3339).map_err(|_| Error::InvalidTimestamp {
        timestamp: raw.to_owned(),
    })?;
    let Some(tolerance) = tolerance else {
        return Ok(parsed);
    };
    // `time::Duration` spans far more than any two representable dates differ by,
    // so the subtraction cannot overflow; a tolerance beyond its range saturates.
    let skew = parsed - now;
    let limit = time::Duration::try_from(tolerance).unwrap_or(time::Duration::MAX);
    if skew.abs() > limit {
        return Err(Error::TimestampOutOfTolerance {
            timestamp: raw.to_owned(),
            skew,
            tolerance,
        });
    }
    Ok(parsed)
}

/// Step 5: a result's `PartnerParams` must name the job asked about.
fn check_job(
    expected: &PartnerParams,
    user_id: Option<&str>,
    job_id: Option<&str>,
) -> Result<(), Error> {
    if user_id == Some(expected.user_id.as_str()) && job_id == Some(expected.job_id.as_str()) {
        return Ok(());
    }
    let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    Err(Error::JobMismatch {
        expected_user_id: expected.user_id.clone(),
        expected_job_id: expected.job_id.clone(),
        received_user_id: nonempty(user_id),
        received_job_id: nonempty(job_id),
    })
}

/// Step 1: a non-2xx answer, read from Smile ID's `{"error", "code"}` body
/// when there is one. Anything shaped like a signature is cut out of what is
/// kept for logs, in case a gateway echoed the request.
pub(crate) fn http_error(
    status: u16,
    body: &[u8],
    request_id: Option<String>,
    location: Option<String>,
) -> Error {
    let parsed = serde_json::from_slice::<Value>(body).ok();
    let object = parsed.as_ref().and_then(Value::as_object);
    let code = object.and_then(|o| o.get("code")).and_then(|c| match c {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(match n.as_u64() {
            Some(n) => format!("{n:04}"),
            None => n.to_string(),
        }),
        _ => None,
    });
    let error_text = object
        .and_then(|o| o.get("error").or_else(|| o.get("message")))
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty());
    let message = match (error_text, body.iter().all(u8::is_ascii_whitespace)) {
        (Some(text), _) => text.to_owned(),
        (None, true) => format!("{} (empty body)", reason_phrase(status)),
        (None, false) if parsed.is_some() => {
            format!("{} (no error message)", reason_phrase(status))
        }
        (None, false) => format!(
            "{} (non-JSON body {})",
            reason_phrase(status),
            crate::error::excerpt(body, 60)
        ),
    };
    let cut = body.get(..MAX_ERROR_BODY).unwrap_or(body);
    Error::Http {
        status,
        code,
        message: redact_signatures(&message),
        details: Box::new(HttpDetails {
            body: redact_signatures(&String::from_utf8_lossy(cut)),
            request_id,
            location,
        }),
    }
}

/// Replaces every run of 40 or more base64 characters with `[redacted]`.
///
/// A gateway may echo the request, whose `signature` (44 base64 characters)
/// is a credential for its timestamp. Cutting the body to size can leave part of
/// one at the end, hence 40 rather than 44. Long base64 images are cut out too,
/// which error logs do not miss.
fn redact_signatures(text: &str) -> String {
    const MIN_RUN: usize = 40;
    let is_b64 = |c: char| c.is_ascii_alphanumeric() || matches!(c, '+' | '/' | '=');
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    let flush = |run: &mut String, out: &mut String| {
        if run.len() >= MIN_RUN {
            out.push_str("[redacted]");
        } else {
            out.push_str(run);
        }
        run.clear();
    };
    for c in text.chars() {
        if is_b64(c) {
            run.push(c);
        } else {
            flush(&mut run, &mut out);
            out.push(c);
        }
    }
    flush(&mut run, &mut out);
    out
}

fn reason_phrase(status: u16) -> &'static str {
    match status {
        400 => "bad request",
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not found",
        408 => "request timeout",
        413 => "payload too large",
        429 => "too many requests",
        500 => "internal server error",
        502 => "bad gateway",
        503 => "service unavailable",
        504 => "gateway timeout",
        _ => match status / 100 {
            3 => "redirect (not followed)",
            4 => "client error",
            5 => "server error",
            _ => "unexpected status",
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(raw: &str) -> OffsetDateTime {
        OffsetDateTime::parse(raw, &Rfc3339).unwrap()
    }

    #[test]
    fn freshness_window_is_symmetric_and_inclusive() {
        let now = at("2026-11-26T12:00:00Z");
        let tol = Some(Duration::from_secs(300));
        for ok in [
            "2026-11-26T12:05:00Z",
            "2026-11-26T11:55:00Z",
            "2026-11-26T12:04:59Z",
            "2026-11-26T11:55:01Z",
            "2026-11-26T13:04:59+01:00",
        ] {
            assert!(check_freshness(ok, now, tol).is_ok(), "{ok}");
        }
        for bad in [
            "2026-11-26T12:05:01Z",
            "2026-11-26T11:54:59Z",
            "2026-11-26T12:05:00.001Z",
        ] {
            assert!(
                matches!(
                    check_freshness(bad, now, tol),
                    Err(Error::TimestampOutOfTolerance { .. })
                ),
                "{bad}"
            );
        }
        let Err(Error::TimestampOutOfTolerance { skew, .. }) =
            check_freshness("2026-11-26T11:54:59Z", now, tol)
        else {
            panic!()
        };
        assert_eq!(skew, time::Duration::seconds(-301));
    }

    #[test]
    fn timestamp_formats_accepted() {
        let now = at("2026-11-26T12:32:04Z");
        let tol = Some(Duration::from_secs(300));
        for ok in [
            "2026-11-26T12:32:04.622Z",
            "2026-11-26T12:32:04.622123+00:00",
            "2026-11-26T12:32:04+00:00",
            "2026-11-26T12:32:04.123456789Z",
            "2026-11-26T14:32:04.6+02:00",
        ] {
            assert!(check_freshness(ok, now, tol).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "yesterday",
            "2026-11-26 12:32:04",
            "1764160324",
            "2026-11-26T12:32:04",
        ] {
            assert!(
                matches!(
                    check_freshness(bad, now, tol),
                    Err(Error::InvalidTimestamp { .. })
                ),
                "{bad}"
            );
        }
    }

    #[test]
    fn no_tolerance_skips_the_age_check_and_huge_ones_saturate() {
        let now = at("2026-11-26T12:00:00Z");
        assert!(check_freshness("2000-01-01T00:00:00Z", now, None).is_ok());
        assert!(check_freshness("2000-01-01T00:00:00Z", now, Some(Duration::MAX)).is_ok());
        assert!(
            check_freshness(
                "9999-12-31T23:59:59Z",
                at("0000-01-01T00:00:00Z"),
                Some(Duration::from_secs(1))
            )
            .is_err()
        );
    }

    #[test]
    fn http_error_reads_smile_id_bodies() {
        let e = http_error(
            401,
            br#"{"error":"unauthorized","code":"2205"}"#,
            None,
            None,
        );
        let Error::Http {
            status,
            code,
            message,
            ..
        } = e
        else {
            panic!()
        };
        assert_eq!(
            (status, code.as_deref(), message.as_str()),
            (401, Some("2205"), "unauthorized")
        );

        let e = http_error(
            400,
            br#"{"error":"missing parameter","code":2213}"#,
            None,
            None,
        );
        assert_eq!(e.smile_id_code(), Some("2213"));

        let e = http_error(
            502,
            b"<html><body>Bad Gateway</body></html>",
            Some("r-1".into()),
            None,
        );
        assert_eq!(e.http_details().unwrap().request_id.as_deref(), Some("r-1"));
        let Error::Http { message, .. } = e else {
            panic!()
        };
        assert!(
            message.contains("bad gateway") && message.contains("<html>"),
            "{message}"
        );

        let e = http_error(503, b"", None, None);
        assert!(e.to_string().contains("empty body"), "{e}");
    }

    #[test]
    fn http_error_redacts_an_echoed_request_signature() {
        let secret = "c2VjcmV0LXNpZ25hdHVyZS1zZWNyZXQtc2lnbmF0dXI=";
        let body = format!(r#"{{"error":"bad request {secret}","echo":"{secret}"}}"#);
        let e = http_error(400, body.as_bytes(), None, None);
        assert!(!format!("{e:?}").contains(secret));
        assert!(!e.to_string().contains(secret));
    }

    #[test]
    fn redaction_cuts_signature_shaped_runs_only() {
        let sig = "6h78+Fjw+pN2GZr7q9swjlxDq1UMFtVTyOMpDqJthW4=";
        let text = format!(r#"{{"signature":"{sig}","code":"2205","id":"abc-123"}}"#);
        assert_eq!(
            redact_signatures(&text),
            r#"{"signature":"[redacted]","code":"2205","id":"abc-123"}"#
        );
        // A signature cut short at the end of the kept body.
        assert_eq!(
            redact_signatures(&format!("x {}", &sig[..41])),
            "x [redacted]"
        );
        assert_eq!(redact_signatures("short words stay"), "short words stay");
    }

    #[test]
    fn http_error_keeps_a_capped_body() {
        let body = b"x ".repeat(5_000);
        let e = http_error(500, &body, None, None);
        assert_eq!(e.http_details().unwrap().body.len(), MAX_ERROR_BODY);
    }

    #[test]
    fn json_object_says_what_it_is() {
        for (body, word) in [
            (&b""[..], "empty"),
            (b"  \n", "empty"),
            (b"<html>", "not JSON"),
            (b"[]", "an array"),
            (b"null", "null"),
            (b"\"\"", "a string"),
            (b"{\"a\":", "not JSON"),
        ] {
            let err = json_object(body).unwrap_err();
            assert!(err.to_string().contains(word), "{err}");
        }
        assert!(json_object(b"{}").is_ok());
    }
}
