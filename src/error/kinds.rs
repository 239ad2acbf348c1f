//! The small types an [`Error`](super::Error) carries: what kind of transport
//! failure, what was being verified, why a signature failed, an HTTP error's
//! details.

use std::fmt;

/// What else came with an [`Error::Http`](super::Error::Http): what the
/// server said, for logs.
///
/// Sensitive: `message` and `body` are the server's text, which may hold
/// personal data or secrets echoed in forms no scrubbing knows (key-shaped
/// runs and URL queries are cut out). `Debug` shows only their sizes.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct HttpDetails {
    /// The `error` (or else `message`) string of a JSON body, unescaped, at
    /// most 1,024 characters, when it had one.
    pub message: Option<String>,
    /// The start of the raw body (at most 1 KiB).
    pub body: String,
    /// A request id header (`x-request-id` or similar), when present.
    pub request_id: Option<String>,
    /// The `Location` header of a redirect (never followed), without its
    /// query.
    pub location: Option<String>,
}

impl fmt::Debug for HttpDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let size = |text: &str| format!("[{} bytes]", text.len());
        f.debug_struct("HttpDetails")
            .field("message", &self.message.as_deref().map(size))
            .field("body", &format_args!("{}", size(&self.body)))
            .field(
                "request_id",
                &self.request_id.as_deref().map(crate::redact::redact),
            )
            .field("location", &self.location)
            .finish()
    }
}

/// The kind of a [`Error::Transport`](super::Error::Transport) failure.
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

/// Why a signature check failed; carried by [`Error::SignatureMismatch`](super::Error::SignatureMismatch).
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
