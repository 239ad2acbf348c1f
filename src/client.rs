//! The client: configuration, the one HTTP agent, and the job status call.

use std::fmt;
use std::io::Read as _;
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;

use crate::error::TransportErrorKind;
use crate::verify::{self, Judge};
use crate::{Error, JobStatus, JobStatusOptions, PartnerParams, Server, Signature};

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("smile-id-rust/", env!("CARGO_PKG_VERSION"));

/// Default for [`WebApiBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`WebApiBuilder::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`WebApiBuilder::timestamp_tolerance`].
pub const DEFAULT_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Default for [`WebApiBuilder::max_response_bytes`]: 16 MiB, room for results
/// that carry base64 photos.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;

/// Response headers that may carry a request id, in order of preference.
const REQUEST_ID_HEADERS: [&str; 4] = [
    "x-request-id",
    "x-amzn-requestid",
    "request-id",
    "x-amz-cf-id",
];

/// A Smile ID web API client.
///
/// Build it once and share it: it is `Send + Sync`, cloning it is cheap (one
/// reference count), and all clones share one connection pool.
///
/// ```no_run
/// use smile_id::{JobStatusOptions, PartnerParams, Server, WebApi};
///
/// let api = WebApi::new("002", "https://example.com/callback", "api-key", Server::Sandbox)?;
/// let status = api.get_job_status(
///     &PartnerParams::new("user-123", "job-456"),
///     &JobStatusOptions { return_history: true, return_image_links: false },
/// )?;
/// if status.job_complete && status.job_success {
///     println!("{:?}", status.result.and_then(|r| r.result_text));
/// }
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone)]
pub struct WebApi {
    inner: Arc<Inner>,
}

struct Inner {
    signature: Signature,
    server: Server,
    base_url: String,
    job_status_url: String,
    default_callback: Option<String>,
    agent: ureq::Agent,
    timeout: Duration,
    connect_timeout: Duration,
    timestamp_tolerance: Duration,
    max_response_bytes: u64,
}

impl WebApi {
    /// A client with the default settings, mirroring the official SDKs'
    /// constructor.
    ///
    /// `sid_server` is a [`Server`], `0`/`1`, `"0"`/`"1"`, or a base URL string.
    /// An empty `default_callback` means none.
    ///
    /// ```
    /// let api = smile_id::WebApi::new("002", "", "api-key", 0)?;
    /// assert_eq!(api.base_url(), "https://testapi.smileidentity.com/v1");
    /// assert_eq!(api.default_callback(), None);
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty partner id or API key, or a server
    /// that is not 0, 1 or an acceptable URL (https, or http on loopback only).
    pub fn new<S>(
        partner_id: &str,
        default_callback: &str,
        api_key: &str,
        sid_server: S,
    ) -> Result<Self, Error>
    where
        S: TryInto<Server>,
        Error: From<S::Error>,
    {
        WebApi::builder(partner_id, api_key)
            .server(sid_server.try_into()?)
            .default_callback(default_callback)
            .build()
    }

    /// A builder for a client with other settings.
    ///
    /// The API key is turned into an HMAC key at once; the string is not kept.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// let api = smile_id::WebApi::builder("002", "api-key")
    ///     .server(smile_id::Server::Production)
    ///     .timeout(Duration::from_secs(10))
    ///     .timestamp_tolerance(Duration::from_secs(120))
    ///     .build()?;
    /// assert_eq!(api.timestamp_tolerance(), Duration::from_secs(120));
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    pub fn builder(partner_id: &str, api_key: &str) -> WebApiBuilder {
        WebApiBuilder {
            signature: Signature::new(partner_id, api_key),
            server: Server::Sandbox,
            default_callback: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timestamp_tolerance: DEFAULT_TIMESTAMP_TOLERANCE,
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
        }
    }

    /// Asks Smile ID for the status of a job and returns it verified.
    ///
    /// Each call signs a fresh timestamp. The response is judged in this order,
    /// and the first failure is returned:
    ///
    /// 1. a non-2xx status is [`Error::Http`] (with Smile ID's code and message);
    /// 2. a body that is not a JSON object is [`Error::Decode`];
    /// 3. a missing, malformed or wrong signature is [`Error::SignatureMismatch`];
    /// 4. a timestamp further than the tolerance from now is
    ///    [`Error::TimestampOutOfTolerance`] ([`Error::InvalidTimestamp`] if unreadable);
    /// 5. a result whose `PartnerParams` name another job is [`Error::JobMismatch`];
    /// 6. a field of an impossible type is [`Error::Decode`].
    ///
    /// # Errors
    ///
    /// The above, plus [`Error::InvalidInput`] for an empty `user_id` or
    /// `job_id` (nothing is sent), [`Error::Transport`] when the exchange
    /// fails or times out, and [`Error::ResponseTooLarge`] past the size cap.
    pub fn get_job_status(
        &self,
        partner_params: &PartnerParams,
        options: &JobStatusOptions,
    ) -> Result<JobStatus, Error> {
        let inner = &*self.inner;
        if partner_params.user_id.is_empty() {
            return Err(Error::invalid_input("user_id", "must not be empty"));
        }
        if partner_params.job_id.is_empty() {
            return Err(Error::invalid_input("job_id", "must not be empty"));
        }
        let signed = inner.signature.generate_signature(None);
        let request = JobStatusRequest {
            partner_id: inner.signature.partner_id(),
            user_id: &partner_params.user_id,
            job_id: &partner_params.job_id,
            timestamp: &signed.timestamp,
            signature: &signed.signature,
            image_links: options.return_image_links,
            history: options.return_history,
            source_sdk: "rust",
            source_sdk_version: env!("CARGO_PKG_VERSION"),
        };
        let body = serde_json::to_vec(&request).map_err(|e| {
            Error::invalid_input("partner_params", format!("cannot be serialised: {e}"))
        })?;
        let reply = self.post(&inner.job_status_url, &body)?;
        if !(200..300).contains(&reply.status) {
            return Err(verify::http_error(
                reply.status,
                &reply.body,
                reply.request_id,
                reply.location,
            ));
        }
        self.judge(OffsetDateTime::now_utc())
            .job_status(&reply.body, partner_params)
    }

    /// Judges a job status body received some other way, exactly as
    /// [`get_job_status`](Self::get_job_status) judges a 2xx response (steps 2 to 6).
    ///
    /// # Errors
    ///
    /// [`Error::Decode`], [`Error::SignatureMismatch`],
    /// [`Error::InvalidTimestamp`], [`Error::TimestampOutOfTolerance`] or
    /// [`Error::JobMismatch`].
    pub fn verify_job_status(
        &self,
        body: &[u8],
        partner_params: &PartnerParams,
    ) -> Result<JobStatus, Error> {
        self.verify_job_status_at(body, partner_params, OffsetDateTime::now_utc())
    }

    /// [`verify_job_status`](Self::verify_job_status) with an explicit "now",
    /// for exact tests and for re-checking stored responses.
    ///
    /// # Errors
    ///
    /// As for [`verify_job_status`](Self::verify_job_status).
    pub fn verify_job_status_at(
        &self,
        body: &[u8],
        partner_params: &PartnerParams,
        now: OffsetDateTime,
    ) -> Result<JobStatus, Error> {
        self.judge(now).job_status(body, partner_params)
    }

    fn judge(&self, now: OffsetDateTime) -> Judge<'_> {
        Judge {
            signature: &self.inner.signature,
            tolerance: Some(self.inner.timestamp_tolerance),
            now,
        }
    }

    /// Posts a JSON body and reads the reply within the size cap.
    fn post(&self, url: &str, body: &[u8]) -> Result<Reply, Error> {
        let inner = &*self.inner;
        let mut response = inner
            .agent
            .post(url)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(body)
            .map_err(|e| transport_error(e, inner.max_response_bytes))?;
        let status = response.status().as_u16();
        let header = |name: &str| {
            response
                .headers()
                .get(name)
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned)
        };
        let request_id = REQUEST_ID_HEADERS.iter().find_map(|name| header(name));
        let location = header("location");
        let limit = inner.max_response_bytes;
        // Size the buffer from Content-Length, but never trust it past the cap or
        // a modest first allocation: the buffer grows as real bytes arrive.
        let hint = response
            .body()
            .content_length()
            .unwrap_or(0)
            .min(limit)
            .min(1 << 20);
        let mut bytes = Vec::with_capacity(usize::try_from(hint).unwrap_or(0));
        response
            .body_mut()
            .with_config()
            .limit(limit)
            .reader()
            .read_to_end(&mut bytes)
            .map_err(|e| transport_error(ureq::Error::from(e), limit))?;
        Ok(Reply {
            status,
            body: bytes,
            request_id,
            location,
        })
    }

    /// The partner id requests are signed for.
    pub fn partner_id(&self) -> &str {
        self.inner.signature.partner_id()
    }

    /// The default callback URL, if one was given.
    pub fn default_callback(&self) -> Option<&str> {
        self.inner.default_callback.as_deref()
    }

    /// The server this client calls.
    pub fn server(&self) -> &Server {
        &self.inner.server
    }

    /// The normalised base URL (no trailing `/`).
    pub fn base_url(&self) -> &str {
        &self.inner.base_url
    }

    /// The signer, for checking signatures by hand.
    pub fn signature(&self) -> &Signature {
        &self.inner.signature
    }

    /// The whole-call timeout.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The freshness window for response timestamps.
    pub fn timestamp_tolerance(&self) -> Duration {
        self.inner.timestamp_tolerance
    }

    /// The response size cap, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.max_response_bytes
    }
}

impl fmt::Debug for WebApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("WebApi")
            .field("partner_id", &inner.signature.partner_id())
            .field("api_key", &format_args!("[redacted]"))
            .field("base_url", &inner.base_url)
            .field("default_callback", &inner.default_callback)
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("timestamp_tolerance", &inner.timestamp_tolerance)
            .field("max_response_bytes", &inner.max_response_bytes)
            .finish()
    }
}

/// Configures a [`WebApi`]; made by [`WebApi::builder`].
///
/// Every setting has a documented default, and [`build`](Self::build) checks
/// them all at once.
#[must_use = "a builder does nothing until .build() is called"]
pub struct WebApiBuilder {
    signature: Result<Signature, Error>,
    server: Server,
    default_callback: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
    timestamp_tolerance: Duration,
    max_response_bytes: u64,
}

impl WebApiBuilder {
    /// The server to call. Defaults to [`Server::Sandbox`].
    pub fn server(mut self, server: Server) -> Self {
        self.server = server;
        self
    }

    /// The callback URL to keep as the default; an empty string means none.
    /// Defaults to none.
    pub fn default_callback(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.default_callback = if url.is_empty() { None } else { Some(url) };
        self
    }

    /// The most one call may take, from connecting to reading the last byte.
    /// Defaults to 30 s ([`DEFAULT_TIMEOUT`]).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most connecting (DNS, TCP and TLS) may take. Defaults to 10 s
    /// ([`DEFAULT_CONNECT_TIMEOUT`]).
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    /// How far a response's timestamp may be from this machine's clock, in
    /// either direction, before the response is rejected as stale (a replay) or
    /// from the future. A timestamp exactly at the tolerance passes. Defaults
    /// to 5 minutes ([`DEFAULT_TIMESTAMP_TOLERANCE`]).
    pub fn timestamp_tolerance(mut self, tolerance: Duration) -> Self {
        self.timestamp_tolerance = tolerance;
        self
    }

    /// The largest response body read, in bytes; a longer one is
    /// [`Error::ResponseTooLarge`]. Defaults to 16 MiB
    /// ([`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty or malformed partner id, an empty
    /// API key, an unacceptable server URL, a zero timeout, or a zero size cap.
    pub fn build(self) -> Result<WebApi, Error> {
        let signature = self.signature?;
        let base_url = self.server.base_url()?;
        if self.timeout.is_zero() {
            return Err(Error::invalid_input("timeout", "must be more than zero"));
        }
        if self.connect_timeout.is_zero() {
            return Err(Error::invalid_input(
                "connect_timeout",
                "must be more than zero",
            ));
        }
        if self.max_response_bytes == 0 {
            return Err(Error::invalid_input(
                "max_response_bytes",
                "must be more than zero",
            ));
        }
        let config = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .max_redirects(0)
            .https_only(base_url.starts_with("https://"))
            .user_agent(USER_AGENT)
            .timeout_global(Some(self.timeout))
            .timeout_connect(Some(self.connect_timeout.min(self.timeout)))
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .build();
        let server = match self.server {
            Server::Custom(_) => Server::Custom(base_url.clone()),
            known => known,
        };
        Ok(WebApi {
            inner: Arc::new(Inner {
                signature,
                job_status_url: format!("{base_url}/job_status"),
                base_url,
                server,
                default_callback: self.default_callback,
                agent: ureq::Agent::new_with_config(config),
                timeout: self.timeout,
                connect_timeout: self.connect_timeout,
                timestamp_tolerance: self.timestamp_tolerance,
                max_response_bytes: self.max_response_bytes,
            }),
        })
    }
}

impl fmt::Debug for WebApiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebApiBuilder")
            .field("signature", &self.signature.as_ref().ok())
            .field("server", &self.server)
            .field("default_callback", &self.default_callback)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("timestamp_tolerance", &self.timestamp_tolerance)
            .field("max_response_bytes", &self.max_response_bytes)
            .finish()
    }
}

/// The job status request body.
#[derive(Serialize)]
struct JobStatusRequest<'a> {
    partner_id: &'a str,
    user_id: &'a str,
    job_id: &'a str,
    timestamp: &'a str,
    signature: &'a str,
    image_links: bool,
    history: bool,
    source_sdk: &'static str,
    source_sdk_version: &'static str,
}

/// What came back over HTTP, before judging.
struct Reply {
    status: u16,
    body: Vec<u8>,
    request_id: Option<String>,
    location: Option<String>,
}

/// Maps a `ureq` failure to the crate's error, keeping it as the source.
fn transport_error(err: ureq::Error, limit: u64) -> Error {
    use std::io::ErrorKind as Io;
    let kind = match &err {
        ureq::Error::BodyExceedsLimit(_) => return Error::ResponseTooLarge { limit },
        ureq::Error::Timeout(_) => TransportErrorKind::Timeout,
        ureq::Error::HostNotFound => TransportErrorKind::Dns,
        ureq::Error::Tls(_)
        | ureq::Error::Rustls(_)
        | ureq::Error::Pem(_)
        | ureq::Error::RequireHttpsOnly(_) => TransportErrorKind::Tls,
        ureq::Error::Protocol(_) | ureq::Error::LargeResponseHeader(..) => {
            TransportErrorKind::Protocol
        }
        ureq::Error::Io(io) => match io.kind() {
            Io::ConnectionRefused => TransportErrorKind::ConnectionRefused,
            Io::TimedOut | Io::WouldBlock => TransportErrorKind::Timeout,
            // std reports getaddrinfo failures only through the message.
            _ if io.to_string().contains("failed to lookup address") => TransportErrorKind::Dns,
            Io::UnexpectedEof
            | Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::BrokenPipe
            | Io::InvalidData => TransportErrorKind::Protocol,
            _ => TransportErrorKind::Io,
        },
        _ => TransportErrorKind::Io,
    };
    Error::Transport {
        kind,
        source: Box::new(err),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync + Clone + 'static>() {}

    #[test]
    fn web_api_is_send_sync_clone() {
        assert_send_sync::<WebApi>();
    }

    #[test]
    fn constructor_accepts_the_official_sdk_forms() {
        let key = "k";
        assert_eq!(
            WebApi::new("1", "", key, 0).unwrap().server(),
            &Server::Sandbox
        );
        assert_eq!(
            WebApi::new("1", "", key, 1u8).unwrap().server(),
            &Server::Production
        );
        assert_eq!(
            WebApi::new("1", "", key, "1").unwrap().server(),
            &Server::Production
        );
        let api = WebApi::new("1", "https://cb.example/x", key, "https://h.example/v1/").unwrap();
        assert_eq!(api.base_url(), "https://h.example/v1");
        assert_eq!(api.server(), &Server::Custom("https://h.example/v1".into()));
        assert_eq!(api.default_callback(), Some("https://cb.example/x"));
        assert!(WebApi::new("1", "", key, 2).is_err());
        assert!(WebApi::new("1", "", key, "http://h.example/v1").is_err());
        assert!(WebApi::new("1", "", key, Server::Custom("http://h.example".into())).is_err());
    }

    #[test]
    fn builder_rejects_bad_settings() {
        let field = |b: WebApiBuilder| match b.build() {
            Err(Error::InvalidInput { field, .. }) => field,
            other => panic!("{other:?}"),
        };
        assert_eq!(field(WebApi::builder("", "k")), "partner_id");
        assert_eq!(field(WebApi::builder("1", "")), "api_key");
        assert_eq!(
            field(WebApi::builder("1", "k").timeout(Duration::ZERO)),
            "timeout"
        );
        assert_eq!(
            field(WebApi::builder("1", "k").connect_timeout(Duration::ZERO)),
            "connect_timeout"
        );
        assert_eq!(
            field(WebApi::builder("1", "k").max_response_bytes(0)),
            "max_response_bytes"
        );
    }

    #[test]
    fn defaults_are_documented_values() {
        let api = WebApi::builder("1", "k").build().unwrap();
        assert_eq!(api.timeout(), Duration::from_secs(30));
        assert_eq!(api.timestamp_tolerance(), Duration::from_secs(300));
        assert_eq!(api.max_response_bytes(), 16 * 1024 * 1024);
        assert_eq!(api.server(), &Server::Sandbox);
    }

    #[test]
    fn empty_ids_fail_before_sending() {
        // Port 9 on loopback: nothing listens, so reaching the network would be a
        // transport error, not InvalidInput.
        let api = WebApi::new("1", "", "k", "http://127.0.0.1:9/v1").unwrap();
        let opts = JobStatusOptions::default();
        assert!(matches!(
            api.get_job_status(&PartnerParams::new("", "j"), &opts),
            Err(Error::InvalidInput {
                field: "user_id",
                ..
            })
        ));
        assert!(matches!(
            api.get_job_status(&PartnerParams::new("u", ""), &opts),
            Err(Error::InvalidInput {
                field: "job_id",
                ..
            })
        ));
    }

    #[test]
    fn debug_never_shows_the_key() {
        let key = "very-secret-api-key-123";
        let builder = WebApi::builder("002", key);
        assert!(!format!("{builder:?}").contains(key));
        let api = builder.build().unwrap();
        let debug = format!("{api:?}");
        assert!(!debug.contains(key), "{debug}");
        assert!(debug.contains("[redacted]"));
    }
}
