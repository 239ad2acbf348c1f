//! The client: configuration, the one HTTP agent, and the job status call.

use std::fmt;
use std::sync::Arc;
use std::time::{Duration, Instant};

use time::OffsetDateTime;

use crate::transport::{NO_PRACTICAL_LIMIT, Settings, Transport, deadline_after};
use crate::verify::Judge;
use crate::{Callback, Error, JobStatus, JobStatusOptions, PartnerParams, Server, Signature};

/// Default for [`WebApiBuilder::timeout`].
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
/// Default for [`WebApiBuilder::connect_timeout`].
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Default for [`WebApiBuilder::timestamp_tolerance`].
pub const DEFAULT_TIMESTAMP_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Default for [`WebApiBuilder::max_response_bytes`]: 16 MiB, room for results
/// that carry base64 photos.
pub const DEFAULT_MAX_RESPONSE_BYTES: u64 = 16 * 1024 * 1024;
/// Default for [`WebApiBuilder::callback_tolerance`].
pub const DEFAULT_CALLBACK_TOLERANCE: Duration = Duration::from_secs(5 * 60);
/// Default for [`WebApiBuilder::max_retries`].
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// Default for [`WebApiBuilder::retry_base_delay`].
pub const DEFAULT_RETRY_BASE_DELAY: Duration = Duration::from_millis(500);
/// The shortest [`WebApiBuilder::retry_base_delay`]: a shorter one is taken as
/// this, so that retries never spin.
pub const MIN_RETRY_BASE_DELAY: Duration = Duration::from_millis(1);

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
    transport: Transport,
    timeout: Duration,
    connect_timeout: Duration,
    timestamp_tolerance: Duration,
    callback_tolerance: Option<Duration>,
    max_response_bytes: u64,
    max_retries: u32,
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
            .server(sid_server)
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
            key_fingerprint: KeyFingerprint::of(api_key),
            server: Ok(Server::Sandbox),
            default_callback: Ok(None),
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
            timestamp_tolerance: DEFAULT_TIMESTAMP_TOLERANCE,
            callback_tolerance: Some(DEFAULT_CALLBACK_TOLERANCE),
            max_response_bytes: DEFAULT_MAX_RESPONSE_BYTES,
            max_retries: DEFAULT_MAX_RETRIES,
            retry_base_delay: DEFAULT_RETRY_BASE_DELAY,
            root_certificates: None,
        }
    }

    /// Asks Smile ID for the status of a job and returns it verified.
    ///
    /// Each attempt signs a fresh timestamp. Connection failures, timeouts,
    /// broken responses and HTTP 408, 429, 500, 502, 503 and 504 are retried
    /// (see [`WebApiBuilder::max_retries`]) within the call's
    /// [`timeout`](WebApiBuilder::timeout). The response is then judged in
    /// this order, and the first failure is returned:
    ///
    /// 1. a non-2xx status is [`Error::Http`] (with Smile ID's code and message);
    /// 2. a body that is not a JSON object, or that repeats `timestamp`,
    ///    `signature`, `result`, `job_complete` or `job_success`, is
    ///    [`Error::Decode`] (found by a scan that allocates nothing);
    /// 3. a missing, malformed or wrong signature is [`Error::SignatureMismatch`],
    ///    and so is one signed over the timestamp of one of this call's own
    ///    requests ([`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected):
    ///    whoever answered copied the request);
    /// 4. a timestamp further than the tolerance from now is
    ///    [`Error::TimestampOutOfTolerance`] ([`Error::InvalidTimestamp`] if unreadable);
    /// 5. a field of an impossible type, or more fields than the body's size
    ///    allows (decoding may take 3.5 times its length), is [`Error::Decode`];
    /// 6. a result whose `PartnerParams` name another job, or a complete job
    ///    whose result names none, is [`Error::JobMismatch`].
    ///
    /// Verification failures are never retried: they are reported at once.
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
        let deadline = deadline_after(Instant::now(), self.inner.timeout);
        self.get_job_status_until(partner_params, options, deadline)
    }

    /// [`get_job_status`](Self::get_job_status) with a deadline instead of the
    /// configured timeout (the earlier of the two applies).
    pub(crate) fn get_job_status_until(
        &self,
        partner_params: &PartnerParams,
        options: &JobStatusOptions,
        deadline: Instant,
    ) -> Result<JobStatus, Error> {
        let inner = &*self.inner;
        let deadline = deadline.min(deadline_after(Instant::now(), inner.timeout));
        // Called before every attempt: a fresh signature each time, and input
        // errors surface before anything is sent.
        let sign_request = || self.job_status_request(partner_params, options);
        let body = inner
            .transport
            .post(&inner.job_status_url, deadline, sign_request)?
            .into_success_body()?;
        self.verify_job_status_at(&body, partner_params, OffsetDateTime::now_utc())
    }

    /// The signed JSON body [`get_job_status`](Self::get_job_status) POSTs to
    /// `{base_url}/job_status`, with a fresh timestamp and signature.
    ///
    /// For sending the request with another HTTP client: send it with
    /// `Content-Type: application/json`, then judge a 2xx answer with
    /// [`verify_job_status`](Self::verify_job_status). The body contains a
    /// signature, which is a credential for its timestamp: do not log it.
    ///
    /// ```
    /// let api = smile_id::WebApi::new("002", "", "api-key", 0)?;
    /// let body = api.job_status_request(
    ///     &smile_id::PartnerParams::new("user-1", "job-1"),
    ///     &smile_id::JobStatusOptions::default(),
    /// )?;
    /// assert!(body.starts_with(br#"{"partner_id":"002","user_id":"user-1""#));
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty `user_id` or `job_id`.
    pub fn job_status_request(
        &self,
        partner_params: &PartnerParams,
        options: &JobStatusOptions,
    ) -> Result<Vec<u8>, Error> {
        if partner_params.user_id.trim().is_empty() {
            return Err(Error::invalid_input(
                "user_id",
                "must not be empty or blank",
            ));
        }
        if partner_params.job_id.trim().is_empty() {
            return Err(Error::invalid_input("job_id", "must not be empty or blank"));
        }
        let signature = &self.inner.signature;
        // Remembered by the signer, so that it is refused if it ever comes
        // back as a response's or a callback's signature.
        let signed = signature.generate_signature(None);
        Ok(JobStatusRequest {
            partner_id: signature.partner_id(),
            user_id: &partner_params.user_id,
            job_id: &partner_params.job_id,
            timestamp: &signed.timestamp,
            signature: &signed.signature,
            image_links: options.return_image_links,
            history: options.return_history,
            source_sdk: "rust",
            source_sdk_version: env!("CARGO_PKG_VERSION"),
        }
        .to_json())
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
        Judge {
            signature: &self.inner.signature,
            tolerance: Some(self.inner.timestamp_tolerance),
            now,
        }
        .job_status(body, partner_params)
        .inspect_err(|err| crate::logging::refusal("response", err))
    }

    /// Verifies a callback body Smile ID POSTed to your callback URL: its size
    /// (at most [`max_response_bytes`](WebApiBuilder::max_response_bytes)), its
    /// signature in constant time, its timestamp within the
    /// [`callback_tolerance`](WebApiBuilder::callback_tolerance), and decodes it.
    ///
    /// ```
    /// use smile_id::testing::{complete_result, sign_callback};
    ///
    /// let api = smile_id::WebApi::new("002", "", "key", 0)?;
    /// let body = sign_callback(api.signature(), &complete_result("user-1", "job-1"))?;
    /// let callback = api.verify_callback(&body)?;
    /// assert_eq!(callback.partner_params().map(|p| p.job_id.as_str()), Some("job-1"));
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::ResponseTooLarge`], [`Error::Decode`] (not JSON, not an
    /// object, a repeated `timestamp` or `signature`), [`Error::SignatureMismatch`],
    /// [`Error::InvalidTimestamp`] or [`Error::TimestampOutOfTolerance`], each
    /// saying "callback".
    ///
    /// A callback carrying the signature of a request this client made (one of
    /// the last [`ISSUED_SIGNATURES_KEPT`](crate::ISSUED_SIGNATURES_KEPT)) is
    /// refused as [`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected):
    /// request bodies hold valid signatures, so anyone who saw one could
    /// otherwise forge callbacks. Request timestamps carry microseconds and
    /// Smile ID's carry milliseconds, so a genuine callback never matches. A
    /// request made by another process is not known here. For jobs whose
    /// callback never verified, fall back to
    /// [`get_job_status`](Self::get_job_status).
    pub fn verify_callback(&self, body: &[u8]) -> Result<Callback, Error> {
        self.verify_callback_at(body, OffsetDateTime::now_utc())
    }

    /// [`verify_callback`](Self::verify_callback) with an explicit "now".
    ///
    /// # Errors
    ///
    /// As for [`verify_callback`](Self::verify_callback).
    pub fn verify_callback_at(&self, body: &[u8], now: OffsetDateTime) -> Result<Callback, Error> {
        let limit = self.inner.max_response_bytes;
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        self.inner
            .signature
            .verify_callback_at(body, self.inner.callback_tolerance, now)
            .inspect_err(|err| crate::logging::refusal("callback", err))
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

    /// The whole-call timeout, retries included.
    pub fn timeout(&self) -> Duration {
        self.inner.timeout
    }

    /// The connect timeout.
    pub fn connect_timeout(&self) -> Duration {
        self.inner.connect_timeout
    }

    /// The freshness window for response timestamps.
    pub fn timestamp_tolerance(&self) -> Duration {
        self.inner.timestamp_tolerance
    }

    /// The freshness window for callbacks; `None` when the age check is off.
    pub fn callback_tolerance(&self) -> Option<Duration> {
        self.inner.callback_tolerance
    }

    /// The response size cap, in bytes.
    pub fn max_response_bytes(&self) -> u64 {
        self.inner.max_response_bytes
    }

    /// How many times a failed attempt is retried.
    pub fn max_retries(&self) -> u32 {
        self.inner.max_retries
    }
}

impl fmt::Debug for WebApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let inner = &*self.inner;
        f.debug_struct("WebApi")
            .field("partner_id", &inner.signature.partner_id())
            .field("api_key", &format_args!("[redacted]"))
            .field("base_url", &inner.base_url)
            .field(
                "default_callback",
                &inner
                    .default_callback
                    .as_deref()
                    .map(crate::redact::url_without_query),
            )
            .field("timeout", &inner.timeout)
            .field("connect_timeout", &inner.connect_timeout)
            .field("timestamp_tolerance", &inner.timestamp_tolerance)
            .field("callback_tolerance", &inner.callback_tolerance)
            .field("max_response_bytes", &inner.max_response_bytes)
            .field("max_retries", &inner.max_retries)
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
    key_fingerprint: KeyFingerprint,
    server: Result<Server, Error>,
    default_callback: Result<Option<String>, Error>,
    timeout: Duration,
    connect_timeout: Duration,
    timestamp_tolerance: Duration,
    callback_tolerance: Option<Duration>,
    max_response_bytes: u64,
    max_retries: u32,
    retry_base_delay: Duration,
    root_certificates: Option<Result<Vec<ureq::tls::Certificate<'static>>, Error>>,
}

impl WebApiBuilder {
    /// The server to call: what [`WebApi::new`]'s `sid_server` takes, a
    /// [`Server`], `0`/`1`, `"sandbox"`/`"production"`, or a base URL with
    /// its scheme. Defaults to [`Server::Sandbox`]. A value that is none of
    /// these is reported by [`build`](Self::build).
    ///
    /// ```
    /// let api = smile_id::WebApi::builder("002", "api-key").server(1).build()?;
    /// assert_eq!(api.base_url(), "https://api.smileidentity.com/v1");
    /// assert!(smile_id::WebApi::builder("002", "api-key").server("banana").build().is_err());
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    pub fn server<S>(mut self, server: S) -> Self
    where
        S: TryInto<Server>,
        Error: From<S::Error>,
    {
        self.server = server.try_into().map_err(Error::from);
        self
    }

    /// The callback URL to keep as the default: `https` (plain `http` only on
    /// loopback), or an empty string for none. Defaults to none. Anything
    /// else (an API key passed in the wrong argument, say) is reported by
    /// [`build`](Self::build), without repeating the value.
    pub fn default_callback(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        self.default_callback = if url.is_empty() {
            Ok(None)
        } else {
            crate::server::check_callback_url(&url).map(|()| Some(url))
        };
        self
    }

    /// The most one call may take, from the first connection attempt to the
    /// last byte, retries and the waits between them included. Defaults to
    /// 30 s ([`DEFAULT_TIMEOUT`]). Zero is refused by [`build`](Self::build);
    /// anything over a century (`Duration::MAX`, say) is taken as a century,
    /// i.e. no practical limit.
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// The most one connection (DNS, TCP and TLS) may take. Defaults to 10 s
    /// ([`DEFAULT_CONNECT_TIMEOUT`]). Zero is refused; it never exceeds the
    /// call's [`timeout`](Self::timeout).
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

    /// How far a callback's timestamp may be from this machine's clock, in
    /// either direction. Defaults to 5 minutes
    /// ([`DEFAULT_CALLBACK_TOLERANCE`]).
    ///
    /// `None` turns the age check off, which is **replay-unsafe**: anyone who
    /// captured one genuine callback could deliver it again at any time. Use it
    /// only to re-verify stored callbacks.
    pub fn callback_tolerance(mut self, tolerance: Option<Duration>) -> Self {
        self.callback_tolerance = tolerance;
        self
    }

    /// The largest response body read, in bytes; a longer one is
    /// [`Error::ResponseTooLarge`], and nothing past the cap is read or
    /// allocated. Defaults to 16 MiB ([`DEFAULT_MAX_RESPONSE_BYTES`]).
    pub fn max_response_bytes(mut self, limit: u64) -> Self {
        self.max_response_bytes = limit;
        self
    }

    /// How many times a failed attempt is retried: after a connection failure,
    /// a timeout, a broken or truncated response, or HTTP 408, 429, 500, 502,
    /// 503 or 504. `0` turns retries off. Defaults to 2
    /// ([`DEFAULT_MAX_RETRIES`]).
    ///
    /// Waits grow as `retry_base_delay × 2^n` plus up to 25 % jitter; a
    /// `Retry-After` header of up to 60 s is honoured instead. No wait runs past
    /// the call's [`timeout`](Self::timeout). Other 4xx statuses and every
    /// verification failure are never retried.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = retries;
        self
    }

    /// The first wait before a retry; it doubles for each further retry.
    /// Defaults to 500 ms ([`DEFAULT_RETRY_BASE_DELAY`]); at least 1 ms
    /// ([`MIN_RETRY_BASE_DELAY`]), so that retries never spin. No wait runs
    /// past the call's deadline, however long.
    pub fn retry_base_delay(mut self, delay: Duration) -> Self {
        self.retry_base_delay = delay;
        self
    }

    /// Trusts exactly the certificates in this PEM text as roots, instead of
    /// the bundled Mozilla roots: for a private CA or a TLS-intercepting proxy.
    ///
    /// Proxies are taken from the standard environment variables
    /// (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, and their lower-case forms).
    pub fn root_certificates_pem(mut self, pem: &[u8]) -> Self {
        self.root_certificates = Some(parse_root_certificates(pem));
        self
    }

    /// Checks the settings and builds the client.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty or malformed partner id, an empty
    /// API key, a server that is not one `sid_server` accepts (or that holds
    /// the API key), a callback URL that is not https, a zero timeout, a zero
    /// size cap, or root certificates that are not PEM certificates.
    pub fn build(self) -> Result<WebApi, Error> {
        let signature = self.signature?;
        let server = self.server?;
        if let Server::Custom(url) = &server {
            if self.key_fingerprint.is_in(url) {
                return Err(Error::invalid_input(
                    "sid_server",
                    "contains the API key: pass the key as `api_key` and a server (0, 1 or an https URL) as `sid_server`",
                ));
            }
        }
        let base_url = server.base_url()?;
        let default_callback = self.default_callback?;
        if default_callback
            .as_deref()
            .is_some_and(|url| self.key_fingerprint.is_in(url))
        {
            return Err(Error::invalid_input(
                "default_callback",
                "contains the API key: a callback URL is sent to Smile ID and shown in logs",
            ));
        }
        let timeout = self.timeout.min(NO_PRACTICAL_LIMIT);
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
        let root_certificates = self.root_certificates.transpose()?;
        let connect_timeout = self.connect_timeout.min(timeout);
        let transport = Transport::new(Settings {
            https: base_url.starts_with("https://"),
            loopback: crate::server::is_loopback_url(&base_url),
            connect_timeout,
            max_response_bytes: self.max_response_bytes,
            max_retries: self.max_retries,
            retry_base_delay: self
                .retry_base_delay
                .clamp(MIN_RETRY_BASE_DELAY, NO_PRACTICAL_LIMIT),
            root_certificates,
        });
        let server = match server {
            Server::Custom(_) => Server::Custom(base_url.clone()),
            known => known,
        };
        Ok(WebApi {
            inner: Arc::new(Inner {
                signature,
                job_status_url: format!("{base_url}/job_status"),
                base_url,
                server,
                default_callback,
                transport,
                timeout,
                connect_timeout,
                timestamp_tolerance: self.timestamp_tolerance,
                callback_tolerance: self.callback_tolerance,
                max_response_bytes: self.max_response_bytes,
                max_retries: self.max_retries,
            }),
        })
    }
}

fn parse_root_certificates(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>, Error> {
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        match item {
            Ok(ureq::tls::PemItem::Certificate(cert)) => certs.push(cert),
            Ok(_) => {}
            Err(e) => {
                return Err(Error::invalid_input(
                    "root_certificates_pem",
                    format!("is not valid PEM: {e}"),
                ));
            }
        }
    }
    if certs.is_empty() {
        return Err(Error::invalid_input(
            "root_certificates_pem",
            "holds no certificate",
        ));
    }
    Ok(certs)
}

impl fmt::Debug for WebApiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebApiBuilder")
            .field("signature", &self.signature.as_ref().ok())
            .field("server", &self.server.as_ref().ok())
            .field(
                "default_callback",
                &self
                    .default_callback
                    .as_ref()
                    .ok()
                    .and_then(Option::as_deref)
                    .map(crate::redact::url_without_query),
            )
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("timestamp_tolerance", &self.timestamp_tolerance)
            .field("callback_tolerance", &self.callback_tolerance)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .field(
                "root_certificates",
                &self
                    .root_certificates
                    .as_ref()
                    .map(|r| r.as_ref().map(Vec::len).ok()),
            )
            .finish()
    }
}

/// A digest of the API key, to notice the key where it does not belong (a
/// server URL) without keeping the key itself.
struct KeyFingerprint {
    len: usize,
    digest: ring::digest::Digest,
}

impl KeyFingerprint {
    /// Keys shorter than this are not looked for: short strings turn up in
    /// URLs by chance, and real keys are far longer.
    const MIN_LEN: usize = 8;

    fn of(api_key: &str) -> Self {
        KeyFingerprint {
            len: api_key.len(),
            digest: Self::digest(api_key.as_bytes()),
        }
    }

    /// Host names are case-insensitive, so case is ignored.
    fn digest(bytes: &[u8]) -> ring::digest::Digest {
        let mut context = ring::digest::Context::new(&ring::digest::SHA256);
        for chunk in bytes.chunks(64) {
            let mut lower = [0u8; 64];
            for (out, b) in lower.iter_mut().zip(chunk) {
                *out = b.to_ascii_lowercase();
            }
            context.update(lower.get(..chunk.len()).unwrap_or_default());
        }
        context.finish()
    }

    /// Whether `text` contains the key, in any case.
    fn is_in(&self, text: &str) -> bool {
        if self.len < Self::MIN_LEN {
            return false;
        }
        text.as_bytes()
            .windows(self.len)
            .any(|window| Self::digest(window).as_ref() == self.digest.as_ref())
    }
}

/// The job status request body.
#[cfg_attr(test, derive(serde::Serialize))]
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

impl JobStatusRequest<'_> {
    /// Exactly the bytes `serde_json::to_vec` writes for this struct, built
    /// once per call: the keys and the constant tail are written as they are,
    /// and only the values are escaped (by `serde_json`).
    fn to_json(&self) -> Vec<u8> {
        fn string(out: &mut Vec<u8>, value: &str) {
            // Writing a string into a Vec cannot fail.
            let _ = serde_json::to_writer(&mut *out, value);
        }
        let JobStatusRequest {
            partner_id,
            user_id,
            job_id,
            timestamp,
            signature,
            image_links,
            history,
            source_sdk,
            source_sdk_version,
        } = self;
        let mut out = Vec::with_capacity(
            200 + partner_id.len() + user_id.len() + job_id.len() + timestamp.len(),
        );
        let bool = |b: bool| if b { "true" } else { "false" };
        out.extend_from_slice(br#"{"partner_id":"#);
        string(&mut out, partner_id);
        out.extend_from_slice(br#","user_id":"#);
        string(&mut out, user_id);
        out.extend_from_slice(br#","job_id":"#);
        string(&mut out, job_id);
        out.extend_from_slice(br#","timestamp":"#);
        string(&mut out, timestamp);
        out.extend_from_slice(br#","signature":"#);
        string(&mut out, signature);
        out.extend_from_slice(br#","image_links":"#);
        out.extend_from_slice(bool(*image_links).as_bytes());
        out.extend_from_slice(br#","history":"#);
        out.extend_from_slice(bool(*history).as_bytes());
        out.extend_from_slice(br#","source_sdk":"#);
        string(&mut out, source_sdk);
        out.extend_from_slice(br#","source_sdk_version":"#);
        string(&mut out, source_sdk_version);
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn request_body_is_what_serde_json_writes(
            partner_id in ".*",
            user_id in ".*",
            job_id in "\\PC*",
            timestamp in ".*",
            image_links: bool,
            history: bool,
        ) {
            let request = JobStatusRequest {
                partner_id: &partner_id,
                user_id: &user_id,
                job_id: &job_id,
                timestamp: &timestamp,
                signature: "Q5IIffa8EPKwev8tq4+BaJosyG+KKeoMQIdFHP/yBqQ=",
                image_links,
                history,
                source_sdk: "rust",
                source_sdk_version: env!("CARGO_PKG_VERSION"),
            };
            proptest::prop_assert_eq!(request.to_json(), serde_json::to_vec(&request).unwrap());
        }
    }

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
