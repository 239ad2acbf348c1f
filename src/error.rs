//! The crate's one error type.

use std::fmt;
use std::time::Duration;

/// A boxed error kept as the [`source`](std::error::Error::source) of an [`Error`].
pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Everything that can go wrong while configuring the client, calling Smile ID,
/// or judging what came back.
///
/// The variants are grouped by what a caller does about them:
///
/// | variant | meaning | retry? |
/// |---|---|---|
/// | [`InvalidInput`](Error::InvalidInput) | a bad argument; nothing was sent | no: fix the input |
/// | [`Transport`](Error::Transport) | the request or response did not make it | yes, later |
/// | [`Http`](Error::Http) | Smile ID (or a gateway) answered a non-2xx status | 5xx, 408, 429: yes |
/// | [`ResponseTooLarge`](Error::ResponseTooLarge) | the body passed the size cap | no |
/// | [`Decode`](Error::Decode) | a 2xx body that is not a job status | no |
/// | [`SignatureMismatch`](Error::SignatureMismatch) | the response is not signed with your key | no: treat as forged |
/// | [`InvalidTimestamp`](Error::InvalidTimestamp) | the signed timestamp cannot be read | no |
/// | [`TimestampOutOfTolerance`](Error::TimestampOutOfTolerance) | authentic but stale or from the future | no: check clocks |
/// | [`JobMismatch`](Error::JobMismatch) | authentic, but about another job | no: treat as a mix-up |
/// | [`WaitTimeout`](Error::WaitTimeout) | a wait for a job ran out of time | later, with a longer wait |
///
/// No variant ever holds the API key or the request signature, and neither
/// appears in `Display` or `Debug` output.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// An argument or configuration value was rejected before anything was sent.
    InvalidInput {
        /// The name of the offending argument, e.g. `"partner_id"`.
        field: &'static str,
        /// Why it was rejected, e.g. `"must not be empty"`.
        reason: String,
    },

    /// The request could not be sent or the response could not be received:
    /// DNS, connection, TLS, timeout, or a broken HTTP exchange.
    Transport {
        /// What kind of failure it was.
        kind: TransportErrorKind,
        /// The host (and port, when not the default) that was being talked
        /// to, e.g. `testapi.smileidentity.com`; never a path, query or body.
        host: Option<String>,
        /// For a timeout, how long the attempt that timed out had run.
        elapsed: Option<Duration>,
        /// The underlying error, for logs.
        source: Box<dyn std::error::Error + Send + Sync + 'static>,
    },

    /// The server answered with a status other than 2xx.
    ///
    /// Smile ID's error bodies look like `{"error": "...", "code": "2205"}`; a
    /// gateway's HTML page or an empty body still yields a readable `message`.
    Http {
        /// The HTTP status code.
        status: u16,
        /// Smile ID's four-digit error code, when the body carried one
        /// (see [`error_code_meaning`](crate::error_code_meaning)).
        code: Option<String>,
        /// The server's error text, or a description of the body when it had none.
        message: String,
        /// The raw body, request id and redirect target, for logs (boxed to
        /// keep `Error` small).
        details: Box<HttpDetails>,
    },

    /// The response body was longer than the configured cap
    /// ([`WebApiBuilder::max_response_bytes`](crate::WebApiBuilder::max_response_bytes)).
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },

    /// A 2xx body (or a callback body) that is not a well-formed job status
    /// or callback: not UTF-8 JSON, not an object, nested too deeply, a
    /// duplicated field that says what the body is about, a field of an
    /// impossible type, or more fields than its size allows.
    Decode {
        /// What was wrong.
        reason: String,
        /// The first bytes of the body, escaped, signatures cut out, for logs.
        excerpt: String,
        /// The parser's error, when there was one.
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
        /// Whether a response or a callback was being decoded.
        subject: Subject,
    },

    /// The `signature` is missing or malformed, was not made with this partner
    /// id and API key over the `timestamp`, or repeats a signature this client
    /// issued for a request.
    ///
    /// Treat the message as forged: nothing in it can be trusted.
    SignatureMismatch {
        /// What exactly failed.
        reason: SignatureFailure,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// The message is authentically signed, but its `timestamp` is not an
    /// RFC 3339 date-time.
    InvalidTimestamp {
        /// The timestamp as received (at most its first 64 characters).
        timestamp: String,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// The message is authentically signed, but its `timestamp` is further
    /// from now than the tolerance allows: a replay, or a badly wrong clock.
    TimestampOutOfTolerance {
        /// The timestamp as received.
        timestamp: String,
        /// The message's timestamp minus now: negative when it lies in the
        /// past. A signed [`time::Duration`].
        skew: time::Duration,
        /// The tolerance that was exceeded.
        tolerance: Duration,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// [`WebApi::wait_for_job`](crate::WebApi::wait_for_job) reached its
    /// deadline before the job was complete.
    WaitTimeout {
        /// How many polls were made.
        attempts: u32,
        /// How long the wait took.
        elapsed: Duration,
        /// The last (verified, incomplete) status received, if any.
        last_status: Option<Box<crate::JobStatus>>,
        /// The transient error of the last poll, when it failed (also the
        /// error's [`source`](std::error::Error::source)).
        last_error: Option<Box<Error>>,
    },

    /// The response is authentically signed and fresh, but its result's
    /// `PartnerParams` name another job than the one asked about.
    JobMismatch {
        /// The `user_id` that was asked about.
        expected_user_id: String,
        /// The `job_id` that was asked about.
        expected_job_id: String,
        /// The `user_id` in the result, if it had one.
        received_user_id: Option<String>,
        /// The `job_id` in the result, if it had one.
        received_job_id: Option<String>,
    },
}

/// What else came with an [`Error::Http`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpDetails {
    /// The start of the raw body (at most 1 KiB), for logs.
    pub body: String,
    /// A request id header (`x-request-id` or similar), when present.
    pub request_id: Option<String>,
    /// The `Location` header of a redirect, which is never followed.
    pub location: Option<String>,
}

/// The kind of a [`Error::Transport`] failure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum TransportErrorKind {
    /// A timeout expired (connect, or the whole call).
    Timeout,
    /// The host name could not be resolved.
    Dns,
    /// The server refused the connection.
    ConnectionRefused,
    /// TLS failed: certificate, handshake, or protocol.
    Tls,
    /// The connection broke or the server sent a malformed or truncated HTTP
    /// response.
    Protocol,
    /// Any other I/O failure.
    Io,
}

/// What was being verified when a check failed: a job status response or a
/// callback. Carried by the verification errors, and named in their messages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Subject {
    /// A job status response (or a stored one being verified again).
    #[default]
    Response,
    /// A callback Smile ID POSTed to your server.
    Callback,
}

impl fmt::Display for Subject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Subject::Response => "response",
            Subject::Callback => "callback",
        })
    }
}

/// Why a signature check failed; carried by [`Error::SignatureMismatch`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum SignatureFailure {
    /// The message had no `signature` string.
    MissingSignature,
    /// The message had no `timestamp` string, so nothing could be verified.
    MissingTimestamp,
    /// The `signature` is not standard base64 of a 32-byte HMAC.
    Malformed,
    /// The `signature` is well formed but does not match.
    Mismatch,
    /// The signature is authentic but is one this client made for its own
    /// request: whoever answered copied the request's `timestamp` and
    /// `signature` (which needs no key) next to a body of its choosing.
    /// Smile ID signs its answers with its own, later timestamp.
    Reflected,
    /// During [`WebApi::wait_for_job`](crate::WebApi::wait_for_job), a poll's
    /// answer carries the same signature as an earlier poll's: Smile ID signs
    /// each answer at its own time, so this is an earlier answer's signature
    /// replayed next to another body.
    Replayed,
}

impl fmt::Display for SignatureFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SignatureFailure::MissingSignature => "no signature",
            SignatureFailure::MissingTimestamp => "no timestamp",
            SignatureFailure::Malformed => "malformed signature",
            SignatureFailure::Mismatch => {
                "signature does not match (the wrong API key or partner id for this server, or forged)"
            }
            SignatureFailure::Reflected => {
                "it repeats the signature of a request this client sent (reflected, not signed by Smile ID)"
            }
            SignatureFailure::Replayed => {
                "it repeats the signature of an earlier answer in the same wait (replayed)"
            }
        })
    }
}

impl fmt::Display for TransportErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            TransportErrorKind::Timeout => "timed out",
            TransportErrorKind::Dns => "host not found",
            TransportErrorKind::ConnectionRefused => "connection refused",
            TransportErrorKind::Tls => "tls failure",
            TransportErrorKind::Protocol => "broken http exchange",
            TransportErrorKind::Io => "i/o failure",
        })
    }
}

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
                    write!(f, " (smile id code {code}")?;
                    if let Some(meaning) = crate::error_code_meaning(code) {
                        write!(f, ": {meaning}")?;
                    }
                    f.write_str(")")?;
                }
                Ok(())
            }
            Error::ResponseTooLarge { limit } => {
                write!(f, "response too large: over the {limit}-byte limit")
            }
            Error::Decode {
                reason,
                excerpt,
                subject,
                ..
            } => write!(
                f,
                "cannot decode {subject}: {reason} (body starts {excerpt})"
            ),
            Error::SignatureMismatch { reason, subject } => {
                write!(f, "{subject} signature rejected: {reason}")
            }
            Error::InvalidTimestamp { timestamp, subject } => {
                write!(f, "invalid {subject} timestamp: {timestamp:?}")
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
                    tolerance.as_secs_f64()
                )
            }
            Error::WaitTimeout {
                attempts, elapsed, ..
            } => write!(
                f,
                "timed out waiting for the job: not complete after {attempts} polls in {:.1} s",
                elapsed.as_secs_f64()
            ),
            Error::JobMismatch {
                expected_user_id,
                expected_job_id,
                received_user_id,
                received_job_id,
            } => write!(
                f,
                "response is about another job: asked for user {expected_user_id:?} job {expected_job_id:?}, got user {} job {}",
                OptDisplay(received_user_id.as_deref()),
                OptDisplay(received_job_id.as_deref()),
            ),
        }
    }
}

struct OptDisplay<'a>(Option<&'a str>);

impl fmt::Display for OptDisplay<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Some(s) => write!(f, "{s:?}"),
            None => f.write_str("(none)"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source.as_ref()),
            Error::Decode {
                source: Some(source),
                ..
            } => Some(source.as_ref()),
            Error::WaitTimeout {
                last_error: Some(err),
                ..
            } => Some(err.as_ref()),
            _ => None,
        }
    }
}

impl From<std::convert::Infallible> for Error {
    fn from(never: std::convert::Infallible) -> Self {
        match never {}
    }
}

impl Error {
    pub(crate) fn invalid_input(field: &'static str, reason: impl Into<String>) -> Self {
        Error::InvalidInput {
            field,
            reason: reason.into(),
        }
    }

    pub(crate) fn decode(reason: impl Into<String>, body: &[u8], source: Option<BoxError>) -> Self {
        Error::Decode {
            // A parser's message may quote a value: cut signatures and URL
            // queries out of it, as out of the excerpt.
            reason: crate::redact::redact(&reason.into()),
            // The parser's error quotes values too: kept as its redacted text.
            source: source
                .map(|err| Box::new(Redacted(crate::redact::redact(&err.to_string()))) as BoxError),
            excerpt: excerpt(body, 80),
            subject: Subject::Response,
        }
    }

    /// The same error, said of `subject` (a callback rather than a response).
    pub(crate) fn about(mut self, of: Subject) -> Self {
        match &mut self {
            Error::Decode { subject, .. }
            | Error::SignatureMismatch { subject, .. }
            | Error::InvalidTimestamp { subject, .. }
            | Error::TimestampOutOfTolerance { subject, .. } => *subject = of,
            _ => {}
        }
        self
    }

    /// Smile ID's error code for an [`Error::Http`], e.g. `"2205"`.
    ///
    /// ```
    /// # let err = smile_id::Error::InvalidInput { field: "x", reason: String::new() };
    /// if err.smile_id_code() == Some("2205") {
    ///     eprintln!("check the API key and the server (sandbox or production)");
    /// }
    /// ```
    pub fn smile_id_code(&self) -> Option<&str> {
        match self {
            Error::Http { code, .. } => code.as_deref(),
            _ => None,
        }
    }

    /// The details of an [`Error::Http`]: the start of the body, a request id,
    /// and a redirect's target.
    pub fn http_details(&self) -> Option<&HttpDetails> {
        match self {
            Error::Http { details, .. } => Some(details),
            _ => None,
        }
    }

    /// Whether the same request may succeed if sent again later: transport
    /// failures other than TLS (a certificate that failed will fail again),
    /// and HTTP 408, 429, 500, 502, 503 and 504.
    ///
    /// This is the one rule: the client's retries and
    /// [`WebApi::wait_for_job`](crate::WebApi::wait_for_job) both use it.
    /// Verification failures are never transient.
    pub fn is_transient(&self) -> bool {
        match self {
            Error::Transport { kind, .. } => *kind != TransportErrorKind::Tls,
            Error::Http { status, .. } => is_transient_status(*status),
            _ => false,
        }
    }
}

/// A parser's error message with signatures and URL queries cut out; the
/// [`source`](std::error::Error::source) of an [`Error::Decode`].
struct Redacted(String);

impl fmt::Display for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for Redacted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.0)
    }
}

impl std::error::Error for Redacted {}

/// HTTP statuses worth sending the same (idempotent) request again for.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
}

/// The first `max` characters of a body, signatures and URL queries cut out,
/// control characters escaped, and an ellipsis when cut; for error messages.
pub(crate) fn excerpt(body: &[u8], max: usize) -> String {
    // Redact a little more than is shown, so that a signature straddling the
    // cut is still recognised.
    let head = body
        .get(..max.saturating_mul(4).saturating_add(64))
        .unwrap_or(body);
    let text = crate::redact::redact(&String::from_utf8_lossy(head));
    let mut out = String::with_capacity(max.min(text.len()) + 8);
    out.push('"');
    for (taken, c) in text.chars().enumerate() {
        if taken == max {
            out.push('…');
            break;
        }
        out.extend(c.escape_debug());
    }
    if text.chars().count() <= max && head.len() < body.len() {
        out.push('…');
    }
    out.push('"');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync_static<T: Send + Sync + 'static>() {}

    #[test]
    fn error_is_send_sync_static() {
        assert_send_sync_static::<Error>();
    }

    #[test]
    fn error_is_small_enough_for_result() {
        // clippy's result_large_err fires at 128 bytes, in users' code too.
        assert!(
            std::mem::size_of::<Error>() < 128,
            "{}",
            std::mem::size_of::<Error>()
        );
    }

    #[test]
    fn display_is_lowercase() {
        let errors = [
            Error::invalid_input("partner_id", "must not be empty"),
            Error::ResponseTooLarge { limit: 10 },
            Error::decode("not json", b"<html>", None),
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
        let timeout = Error::Transport {
            kind: TransportErrorKind::Timeout,
            host: Some("testapi.smileidentity.com".into()),
            elapsed: Some(Duration::from_secs(30)),
            source: "timed out".into(),
        };
        assert_eq!(
            timeout.to_string(),
            "transport error talking to testapi.smileidentity.com: timed out after 30.0 s"
        );
        let refused = Error::Transport {
            kind: TransportErrorKind::ConnectionRefused,
            host: Some("127.0.0.1:9".into()),
            elapsed: Some(Duration::from_secs(1)),
            source: "refused".into(),
        };
        assert_eq!(
            refused.to_string(),
            "transport error talking to 127.0.0.1:9: connection refused"
        );
        let bare = Error::Transport {
            kind: TransportErrorKind::Io,
            host: None,
            elapsed: None,
            source: "x".into(),
        };
        assert_eq!(bare.to_string(), "transport error: i/o failure");
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
            tolerance: Duration::from_secs(300),
            subject: Subject::Response,
        };
        assert!(past.to_string().contains("301.000 s in the past"), "{past}");
        let future = Error::TimestampOutOfTolerance {
            timestamp: "t".into(),
            skew: time::Duration::seconds(301),
            tolerance: Duration::from_secs(300),
            subject: Subject::Response,
        };
        assert!(future.to_string().contains("in the future"), "{future}");
        assert!(
            future
                .about(Subject::Callback)
                .to_string()
                .starts_with("callback timestamp")
        );
    }
}
