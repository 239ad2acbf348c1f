//! What an [`Error`] says: its `Display`, which holds no body text but
//! values of a shape that cannot carry a secret; and the escaped body
//! excerpt kept in [`Error::Decode`] for logs.

use std::fmt;

use super::{Error, TransportErrorKind};

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidInput { field, reason } => write!(f, "invalid input: {field} {reason}"),
            Error::Transport {
                kind,
                host,
                elapsed,
                ..
            } => {
                f.write_str("transport error")?;
                if let Some(host) = host {
                    write!(f, " talking to {host}")?;
                }
                write!(f, ": {kind}")?;
                if let (TransportErrorKind::Timeout, Some(elapsed)) = (kind, elapsed) {
                    write!(f, " after {:.1} s", elapsed.as_secs_f64())?;
                }
                Ok(())
            }
            Error::Http {
                status,
                code,
                message,
                ..
            } => {
                write!(f, "http status {status}: {message}")?;
                if let Some(code) = code {
                    let meaning = crate::error_code_meaning(code).map(|m| format!(": {m}"));
                    write!(f, " (smile id code {code}{})", meaning.unwrap_or_default())?;
                }
                if *status == 404 {
                    f.write_str(
                        "; check the base url: it should end in /v1 and not include /job_status",
                    )?;
                }
                Ok(())
            }
            Error::ResponseTooLarge { limit } => {
                write!(f, "response too large: over the {limit}-byte limit")
            }
            Error::Decode {
                reason, subject, ..
            } => write!(f, "cannot decode {subject}: {reason}"),
            Error::SignatureMismatch { reason, subject } => {
                write!(f, "{subject} signature rejected: {reason}")
            }
            Error::InvalidTimestamp { timestamp, subject } => {
                write!(f, "invalid {subject} timestamp: {}", Shown(Some(timestamp)))
            }
            Error::TimestampOutOfTolerance {
                timestamp,
                skew,
                tolerance,
                subject,
            } => {
                let direction = if skew.is_negative() {
                    "in the past"
                } else {
                    "in the future"
                };
                write!(
                    f,
                    "{subject} timestamp out of tolerance: {timestamp:?} is {:.3} s {direction}, over the {} s tolerance (check this machine's clock; or a replay)",
                    skew.abs().as_seconds_f64(),
                    tolerance.as_seconds_f64()
                )
            }
            Error::WaitTimeout {
                attempts,
                elapsed,
                last_status,
                last_error,
            } => {
                // Without a single answer the job may well be complete: say
                // so, and why (the error's Display is secret-free).
                let state = if last_status.is_none() && last_error.is_some() {
                    "no answer"
                } else {
                    "not complete"
                };
                write!(
                    f,
                    "timed out waiting for the job: {state} after {attempts} {} in {:.1} s",
                    if *attempts == 1 { "poll" } else { "polls" },
                    elapsed.as_secs_f64()
                )?;
                last_error
                    .as_ref()
                    .map_or(Ok(()), |err| write!(f, "; last error: {err}"))
            }
            Error::JobMismatch {
                expected_user_id,
                expected_job_id,
                received_user_id,
                received_job_id,
            } => write!(
                f,
                "response is about another job: asked for user {expected_user_id:?} job {expected_job_id:?}, got user {} job {}",
                Shown(received_user_id.as_deref()),
                Shown(received_job_id.as_deref()),
            ),
        }
    }
}

/// A value from a body, for `Display`: quoted when it is at most 40 plain
/// characters of a plain set (a signature is 43 or 44 in every encoding, so
/// none fits), else only its length.
struct Shown<'a>(Option<&'a str>);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = |c: char| c.is_ascii_alphanumeric() || "-_.:+@ ".contains(c);
        match self.0 {
            Some(s) if s.len() <= 40 && s.chars().all(plain) => write!(f, "{s:?}"),
            Some(s) => write!(f, "({} bytes, not shown)", s.len()),
            None => f.write_str("(none)"),
        }
    }
}

/// The first `max` characters of a body, key-shaped runs and URL queries cut
/// out, control characters escaped, and an ellipsis when cut.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    // Scrub a little more than is shown, so that a run straddling the cut is
    // still recognised.
    let head = body
        .get(..max.saturating_mul(4).saturating_add(64))
        .unwrap_or(body);
    let text = crate::redact::redact(&String::from_utf8_lossy(head));
    let shown: String = text
        .chars()
        .take(max)
        .flat_map(char::escape_debug)
        .collect();
    let cut = text.chars().nth(max).is_some() || head.len() < body.len();
    format!("\"{shown}{}\"", if cut { "…" } else { "" })
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::error::{SignatureFailure, Subject};

    #[test]
    fn display_is_lowercase() {
        let errors = [
            Error::invalid_input("partner_id", "must not be empty"),
            Error::ResponseTooLarge { limit: 10 },
            Error::decode("not json", b"<html>", None, Subject::Response),
            Error::SignatureMismatch {
                reason: SignatureFailure::Mismatch,
                subject: Subject::Response,
            },
            Error::InvalidTimestamp {
                timestamp: "x".into(),
                subject: Subject::Callback,
            },
            Error::Http {
                status: 401,
                code: Some("2205".into()),
                message: "unauthorized".into(),
                details: Box::default(),
            },
        ];
        for e in errors {
            let text = e.to_string();
            let first = text.chars().next().unwrap();
            assert!(first.is_lowercase(), "{text}");
        }
    }

    #[test]
    fn http_display_explains_known_codes() {
        let http = |code: &str| Error::Http {
            status: 401,
            code: Some(code.into()),
            message: "unauthorized".into(),
            details: Box::default(),
        };
        assert_eq!(
            http("2205").to_string(),
            "http status 401: unauthorized (smile id code 2205: not authorised: bad signature, or a key for the other server)"
        );
        assert_eq!(
            http("9999").to_string(),
            "http status 401: unauthorized (smile id code 9999)"
        );
    }

    #[test]
    fn transport_display_names_the_host_and_the_wait() {
        let transport = |kind, host: Option<&str>, secs: Option<u64>| Error::Transport {
            kind,
            host: host.map(str::to_owned),
            elapsed: secs.map(Duration::from_secs),
            source: "x".into(),
        };
        let cases = [
            (
                transport(
                    TransportErrorKind::Timeout,
                    Some("testapi.smileidentity.com"),
                    Some(30),
                ),
                "transport error talking to testapi.smileidentity.com: timed out after 30.0 s",
            ),
            (
                transport(
                    TransportErrorKind::ConnectionRefused,
                    Some("127.0.0.1:9"),
                    Some(1),
                ),
                "transport error talking to 127.0.0.1:9: connection refused",
            ),
            (
                transport(TransportErrorKind::Io, None, None),
                "transport error: i/o failure",
            ),
        ];
        for (err, text) in cases {
            assert_eq!(err.to_string(), text);
        }
    }

    #[test]
    fn display_quotes_no_body_text() {
        let sig = "6h78+Fjw+pN2GZr7q9swjlxDq1UMFtVTyOMpDqJthW4=";
        let body = format!(r#"{{"job_complete": "{sig}"}}"#);
        let serde = serde_json::from_str::<bool>(&format!("{sig:?}")).unwrap_err();
        let err = Error::decode(
            "not a job status",
            body.as_bytes(),
            Some(Box::new(serde)),
            Subject::Response,
        );
        assert_eq!(
            err.to_string(),
            "cannot decode response: not a job status: a value of the wrong type or shape at line 1 column 46"
        );
        assert!(std::error::Error::source(&err).is_none());
        assert!(!format!("{err:?}").contains(sig), "{err:?}");
        let ours = serde_json::from_str::<serde_json::Value>("[").unwrap_err();
        let err = Error::decode(
            "not a callback",
            b"[",
            Some(Box::new(ours)),
            Subject::Callback,
        );
        assert_eq!(
            err.to_string(),
            "cannot decode callback: not a callback: EOF while parsing a list at line 1 column 1"
        );
        let mismatch = Error::JobMismatch {
            expected_user_id: "u".into(),
            expected_job_id: "j".into(),
            received_user_id: Some(sig.into()),
            received_job_id: Some("job-2".into()),
        };
        assert_eq!(
            mismatch.to_string(),
            r#"response is about another job: asked for user "u" job "j", got user (44 bytes, not shown) job "job-2""#
        );
    }

    #[test]
    fn excerpt_escapes_and_cuts() {
        assert_eq!(excerpt(b"ab\ncd", 3), "\"ab\\n…\"");
        assert_eq!(excerpt(b"", 3), "\"\"");
        assert_eq!(excerpt(&[0xff, b'a'], 10), "\"\u{fffd}a\"");
    }

    #[test]
    fn skew_direction_in_display() {
        let past = Error::TimestampOutOfTolerance {
            timestamp: "t".into(),
            skew: time::Duration::seconds(-301),
            tolerance: time::Duration::seconds(300),
            subject: Subject::Response,
        };
        assert!(past.to_string().contains("301.000 s in the past"), "{past}");
        let future = Error::TimestampOutOfTolerance {
            timestamp: "t".into(),
            skew: time::Duration::seconds(301),
            tolerance: time::Duration::seconds(300),
            subject: Subject::Response,
        };
        assert!(future.to_string().contains("in the future"), "{future}");
        let callback = Error::TimestampOutOfTolerance {
            timestamp: "t".into(),
            skew: time::Duration::seconds(301),
            tolerance: time::Duration::seconds(300),
            subject: Subject::Callback,
        };
        assert!(callback.to_string().starts_with("callback timestamp"));
    }
}
