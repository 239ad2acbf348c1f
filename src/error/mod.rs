//! The crate's one error type.

use std::time::Duration;

mod kinds;
mod message;

pub use kinds::{HttpDetails, SignatureFailure, Subject, TransportErrorKind};
use message::excerpt;

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
    #[non_exhaustive]
    InvalidInput {
        /// The name of the offending argument, e.g. `"partner_id"`.
        field: &'static str,
        /// Why it was rejected, e.g. `"must not be empty"`.
        reason: String,
    },

    /// The request could not be sent or the response could not be received:
    /// DNS, connection, TLS, timeout, or a broken HTTP exchange.
    #[non_exhaustive]
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
    /// Smile ID's error bodies look like `{"error": "...", "code": "2205"}`.
    /// `Display` holds the status, the code when it has Smile ID's shape, and
    /// what the code means; never body text. The server's own message is in
    /// [`HttpDetails::message`].
    #[non_exhaustive]
    Http {
        /// The HTTP status code.
        status: u16,
        /// Smile ID's error code, when the body carried one of Smile ID's
        /// shape, at most eight digits (see
        /// [`error_code_meaning`](crate::error_code_meaning)).
        code: Option<String>,
        /// What the status means, and whether the body was empty, held no
        /// error message, or was not JSON: `"unauthorized"`, `"bad gateway
        /// (non-JSON body)"`. The crate's own text, never the server's.
        message: String,
        /// The server's message, the raw body, request id and redirect
        /// target, for logs (boxed to keep `Error` small).
        details: Box<HttpDetails>,
    },

    /// The response body was longer than the configured cap
    /// ([`WebApiBuilder::max_response_bytes`](crate::WebApiBuilder::max_response_bytes)).
    #[non_exhaustive]
    ResponseTooLarge {
        /// The cap, in bytes.
        limit: u64,
    },

    /// A 2xx body (or a callback body) that is not a well-formed job status
    /// or callback: not UTF-8 JSON, not an object, nested too deeply, a
    /// duplicated field that says what the body is about, a field of an
    /// impossible type, or more `history` entries or keys in one object than
    /// the structural limits allow (10,000 each).
    ///
    /// Its `Display` says what was wrong and where (line and column), never
    /// what the body holds.
    #[non_exhaustive]
    Decode {
        /// What was wrong: the crate's own text, and the parser's when it
        /// quotes no value.
        reason: String,
        /// The first bytes of the body, escaped, key-shaped runs and URL
        /// queries cut out. Sensitive: it may hold personal data or echoed
        /// secrets in forms no scrubbing knows, so it is never in `Display`.
        excerpt: String,
        /// The UTF-8 error, for a body that is not UTF-8 (a JSON parser's
        /// error is not kept: its message may quote the body).
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
        /// Whether a response or a callback was being decoded.
        subject: Subject,
    },

    /// The `signature` is missing or malformed, was not made with this partner
    /// id and API key over the `timestamp`, or repeats a signature this client
    /// issued for a request.
    ///
    /// Treat the message as forged: nothing in it can be trusted.
    #[non_exhaustive]
    SignatureMismatch {
        /// What exactly failed.
        reason: SignatureFailure,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// The message is authentically signed, but its `timestamp` is not an
    /// RFC 3339 date-time.
    #[non_exhaustive]
    InvalidTimestamp {
        /// The timestamp as received (at most its first 64 characters).
        timestamp: String,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// The message is authentically signed, but its `timestamp` is further
    /// from now than the tolerance allows: a replay, or a badly wrong clock.
    #[non_exhaustive]
    TimestampOutOfTolerance {
        /// The timestamp as received.
        timestamp: String,
        /// The message's timestamp minus now: negative when it lies in the
        /// past. A signed [`time::Duration`] (re-exported as
        /// `smile_id::time::Duration`), because a skew has a direction; the
        /// settings are `std::time::Duration`, and `skew.unsigned_abs()`
        /// gives one to compare with them.
        skew: time::Duration,
        /// The tolerance that was exceeded (never negative), in the same
        /// type as `skew` so that the two compare directly.
        tolerance: time::Duration,
        /// Whether a response or a callback was being verified.
        subject: Subject,
    },

    /// [`WebApi::wait_for_job`](crate::WebApi::wait_for_job) reached its
    /// deadline before the job was complete.
    ///
    /// Its Display ends with the last poll's error, when that poll failed
    /// (`...; last error: transport error talking to 127.0.0.1:9: connection
    /// refused`), and says "no answer" rather than "not complete" when no
    /// poll was ever answered.
    #[non_exhaustive]
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
    #[non_exhaustive]
    JobMismatch {
        /// The `user_id` that was asked about.
        expected_user_id: String,
        /// The `job_id` that was asked about.
        expected_job_id: String,
        /// The `user_id` in the result, if it had one, with any run of 40 or
        /// more base64-like characters replaced by `[redacted]` (the body is
        /// not authenticated, and a hostile one may echo a signature here).
        received_user_id: Option<String>,
        /// The `job_id` in the result, if it had one, redacted likewise.
        received_job_id: Option<String>,
    },
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Transport { source, .. } => Some(source.as_ref()),
            Error::Decode { source, .. } => source.as_deref().map(|source| source as _),
            Error::WaitTimeout { last_error, .. } => last_error.as_deref().map(|err| err as _),
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

    /// An [`Error::Decode`]: `reason` is the crate's own text. A
    /// `serde_json` error as `source` adds what [`json_reason`] says, and is
    /// not kept: its message may quote the body.
    pub(crate) fn decode(
        reason: impl Into<String>,
        body: &[u8],
        source: Option<Box<dyn std::error::Error + Send + Sync + 'static>>,
        subject: Subject,
    ) -> Self {
        let (reason, source) = match source.map(|err| err.downcast::<serde_json::Error>()) {
            Some(Ok(json)) => (format!("{}: {}", reason.into(), json_reason(&json)), None),
            other => (reason.into(), other.and_then(Result::err)),
        };
        Error::Decode {
            reason,
            source,
            excerpt: excerpt(body, 80),
            subject,
        }
    }

    /// Smile ID's error code for an [`Error::Http`], e.g. `"2205"`.
    ///
    /// ```
    /// # let err = smile_id::WebApi::new("", "", "api-key", 0).unwrap_err();
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

    /// The details of an [`Error::Http`]: the server's message, the start of
    /// the body, a request id, and a redirect's target.
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

/// What a `serde_json` error says, without quoting the body: its message
/// when that names nothing but fields and types (the crate's own readers'
/// messages, and most of serde's), else its category; and where.
fn json_reason(err: &serde_json::Error) -> String {
    let (line, column) = (err.line(), err.column());
    let message = &json_message(err);
    // Field and type names are quoted in backticks; a string value in
    // double quotes (shown only when it is a boolean spelling).
    let quotes_no_value = message.split('`').skip(1).step_by(2).all(|name| {
        (1..=32).contains(&name.len()) && name.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_')
    }) && message
        .split('"')
        .skip(1)
        .step_by(2)
        .all(|value| matches!(value, "true" | "false" | "1" | "0"));
    let what = match err.classify() {
        _ if quotes_no_value => message,
        serde_json::error::Category::Data => "a value of the wrong type or shape",
        _ => "not JSON",
    };
    format!("{what} at line {line} column {column}")
}

/// A `serde_json` error's message without its position.
pub(crate) fn json_message(err: &serde_json::Error) -> String {
    let (line, column) = (err.line(), err.column());
    let full = err.to_string();
    match full.strip_suffix(&format!(" at line {line} column {column}")) {
        Some(message) => message.to_owned(),
        None => full,
    }
}

/// HTTP statuses worth sending the same (idempotent) request again for.
pub(crate) fn is_transient_status(status: u16) -> bool {
    matches!(status, 408 | 429 | 500 | 502 | 503 | 504)
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
    fn tls_failures_are_the_only_transport_failures_not_transient() {
        let transport = |kind| Error::Transport {
            kind,
            host: None,
            elapsed: None,
            source: "x".into(),
        };
        assert!(!transport(TransportErrorKind::Tls).is_transient());
        assert!(transport(TransportErrorKind::Timeout).is_transient());
        assert!(transport(TransportErrorKind::Io).is_transient());
    }

    #[test]
    fn transient_statuses() {
        for s in [408, 429, 500, 502, 503, 504] {
            assert!(is_transient_status(s));
        }
        for s in [200, 301, 400, 401, 403, 404, 501] {
            assert!(!is_transient_status(s));
        }
    }
}
