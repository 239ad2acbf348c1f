//! The client and every one of its methods: the job status call, judging
//! bodies received some other way, callbacks, waiting for a job, and the
//! settings it was built with (see [`crate::config`]). Both ways of judging
//! a body (job status and callback) start here.

use std::fmt;
use std::sync::Arc;
use std::time::Instant;

use time::OffsetDateTime;

use crate::config::Config;
use crate::judging::Judge;
use crate::transport::{Endpoint, Settings, Transport, deadline_after};
use crate::{
    Callback, Error, JobStatus, JobStatusOptions, PartnerParams, PollPolicy, PollProgress, Server,
    Signature, WebApiBuilder,
};

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

/// What every clone of a client shares.
struct Inner {
    signature: Signature,
    config: Config,
    job_status_url: Endpoint,
    transport: Transport,
}

impl WebApi {
    /// A client with the default settings, mirroring the official SDKs'
    /// constructor.
    ///
    /// `sid_server` is a [`Server`], `0`/`1`, `"0"`/`"1"`,
    /// `"sandbox"`/`"production"`, or a base URL string. An empty
    /// `default_callback` means none.
    ///
    /// ```
    /// let api = smile_id::WebApi::new("002", "", "api-key", 0)?;
    /// assert_eq!(api.config().server.base_url(), "https://testapi.smileidentity.com/v1");
    /// assert_eq!(api.config().default_callback, None);
    ///
    /// // The key in the callback's place: the message names the argument order.
    /// let err = smile_id::WebApi::new("002", "api-key", "", 0).unwrap_err();
    /// assert!(err.to_string().contains("third argument of WebApi::new(partner_id, default_callback, api_key, sid_server)"));
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty partner id or API key, a server
    /// that is not 0, 1, `"sandbox"`, `"production"` or an acceptable URL
    /// (https, or http on loopback only), or a `default_callback` that is
    /// neither empty nor such a URL (see [`WebApiBuilder::build`]). The
    /// message says which argument of the four it is, and when the callback
    /// and the key look swapped.
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
        // A callback that is no URL, next to a key that is missing or is one.
        let swapped = !default_callback.is_empty()
            && !default_callback.contains("://")
            && (api_key.is_empty() || api_key.contains("://"));
        WebApi::builder(partner_id, api_key)
            .server(sid_server)
            .default_callback(default_callback)
            .build()
            .map_err(|err| {
                let Error::InvalidInput { field, reason } = err else {
                    return err;
                };
                let nth = match field {
                    "partner_id" => "first",
                    "default_callback" => "second",
                    "api_key" => "third",
                    _ => "fourth",
                };
                let hint = if swapped {
                    " (the second argument looks like an API key: are api_key and default_callback swapped?)"
                } else {
                    ""
                };
                Error::invalid_input(
                    field,
                    format!("(the {nth} argument of WebApi::new(partner_id, default_callback, api_key, sid_server)) {reason}{hint}"),
                )
            })
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
    /// assert_eq!(api.config().timestamp_tolerance, Duration::from_secs(120));
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    pub fn builder(partner_id: &str, api_key: &str) -> WebApiBuilder {
        WebApiBuilder::new(partner_id, api_key)
    }

    /// A client with the default settings, configured from the environment
    /// (see [`WebApiBuilder::from_env`] for the variables).
    ///
    /// ```no_run
    /// // SMILE_ID_PARTNER_ID=002 SMILE_ID_API_KEY=... SMILE_ID_SERVER=sandbox
    /// let api = smile_id::WebApi::from_env()?;
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] as for [`WebApiBuilder::from_env`] and
    /// [`WebApiBuilder::build`].
    pub fn from_env() -> Result<WebApi, Error> {
        WebApiBuilder::from_env()?.build()
    }

    /// The client for settings the builder checked.
    pub(crate) fn with_config(
        signature: Signature,
        config: Config,
        root_certificates: Option<Vec<ureq::tls::Certificate<'static>>>,
    ) -> Self {
        let base_url = config.server.base_url();
        WebApi {
            inner: Arc::new(Inner {
                job_status_url: Endpoint::new(format!("{base_url}/job_status")),
                transport: Transport::new(Settings {
                    https: base_url.starts_with("https://"),
                    loopback: crate::server::is_loopback_url(base_url),
                    connect_timeout: config.connect_timeout,
                    max_response_bytes: config.max_response_bytes,
                    max_retries: config.max_retries,
                    retry_base_delay: config.retry_base_delay,
                    root_certificates,
                }),
                signature,
                config,
            }),
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
    /// 1. a non-2xx status is [`Error::Http`] (with Smile ID's code; the
    ///    server's message is in [`Error::http_details`]);
    /// 2. a body that is not a JSON object, or that repeats `timestamp`,
    ///    `signature`, `result`, `job_complete` or `job_success`, is
    ///    [`Error::Decode`] (found by a scan that allocates nothing);
    /// 3. a missing, malformed or wrong signature is [`Error::SignatureMismatch`],
    ///    and so is one signed over the timestamp of one of this call's own
    ///    requests ([`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected):
    ///    whoever answered copied the request);
    /// 4. a timestamp further than the tolerance from now is
    ///    [`Error::TimestampOutOfTolerance`] ([`Error::InvalidTimestamp`] if unreadable);
    /// 5. a field of an impossible type, or more than 10,000 `history`
    ///    entries or keys in one object, is [`Error::Decode`];
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
        let deadline = deadline_after(Instant::now(), self.inner.config.timeout);
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
        let deadline = deadline.min(deadline_after(Instant::now(), inner.config.timeout));
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
        crate::request::job_status_body(&self.inner.signature, partner_params, options)
    }

    /// Judges a job status body received some other way, exactly as
    /// [`get_job_status`](Self::get_job_status) judges a 2xx response (steps 2 to 6).
    ///
    /// # Errors
    ///
    /// [`Error::ResponseTooLarge`] for a body longer than
    /// [`max_response_bytes`](WebApiBuilder::max_response_bytes) (the same cap
    /// as for answers read over HTTP), [`Error::Decode`],
    /// [`Error::SignatureMismatch`], [`Error::InvalidTimestamp`],
    /// [`Error::TimestampOutOfTolerance`] or [`Error::JobMismatch`].
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
        self.judge(body, Some(self.inner.config.timestamp_tolerance), now)
            .and_then(|judge| judge.job_status(body, partner_params))
            .inspect_err(|err| crate::logging::refusal("response", err))
    }

    /// Verifies a callback body Smile ID POSTed to your callback URL: its size
    /// (at most [`max_response_bytes`](WebApiBuilder::max_response_bytes)), its
    /// signature in constant time, its timestamp within the
    /// [`callback_tolerance`](WebApiBuilder::callback_tolerance), and decodes it.
    ///
    /// (The example signs a test body with the `testing` feature's
    /// `sign_callback`; in your handler, `body` is the raw POST body.)
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
    /// the last 4,096 made in this process with these credentials) is
    /// refused as [`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected):
    /// request bodies hold valid signatures, so anyone who saw one could
    /// otherwise forge callbacks. Request timestamps carry microseconds and
    /// Smile ID's carry milliseconds, so a genuine callback never matches. A
    /// request made by another process is not known here. For jobs whose
    /// callback never verified, fall back to
    /// [`get_job_status`](Self::get_job_status).
    ///
    /// A callback may arrive more than once, and a captured one can be replayed
    /// unchanged (it still verifies) until its timestamp leaves the tolerance
    /// window. Make the handler idempotent: key what it does on `SmileJobID`
    /// or your own job id, and treat a repeat as a no-op.
    pub fn verify_callback(&self, body: &[u8]) -> Result<Callback, Error> {
        self.verify_callback_at(body, OffsetDateTime::now_utc())
    }

    /// [`verify_callback`](Self::verify_callback) with an explicit "now".
    ///
    /// # Errors
    ///
    /// As for [`verify_callback`](Self::verify_callback).
    pub fn verify_callback_at(&self, body: &[u8], now: OffsetDateTime) -> Result<Callback, Error> {
        self.judge(body, self.inner.config.callback_tolerance, now)
            .and_then(|judge| judge.callback(body))
            .inspect_err(|err| crate::logging::refusal("callback", err))
    }

    /// What `body` is judged against, once its size is within the cap: this
    /// client's signer, `tolerance` (`None` skips the age check), and `now`.
    fn judge(
        &self,
        body: &[u8],
        tolerance: Option<std::time::Duration>,
        now: OffsetDateTime,
    ) -> Result<Judge<'_>, Error> {
        let limit = self.inner.config.max_response_bytes;
        if u64::try_from(body.len()).unwrap_or(u64::MAX) > limit {
            return Err(Error::ResponseTooLarge { limit });
        }
        Ok(Judge {
            signature: &self.inner.signature,
            tolerance,
            now,
        })
    }

    /// Polls job status until the job is complete, and returns that status
    /// (whether or not the job succeeded).
    ///
    /// Every poll is a fresh, signed and fully verified
    /// [`get_job_status`](Self::get_job_status). Transient failures (those the
    /// client retries: connection failures, timeouts, 408, 429, 500, 502-504) are
    /// tolerated until the deadline. Anything else ends the wait at once with
    /// that error: a forged signature, a stale timestamp, another job's
    /// result, another 4xx, or an answer that repeats an earlier poll's
    /// signature ([`SignatureFailure::Replayed`](crate::SignatureFailure::Replayed)). No sleep runs past the
    /// deadline: when the next interval would, the last poll is moved earlier,
    /// leaving it half the time left (at most 2 s) to complete, so a wait may
    /// end up to 2 s before its timeout.
    ///
    /// ```no_run
    /// use smile_id::{JobStatusOptions, PartnerParams, PollPolicy, WebApi};
    ///
    /// let api = WebApi::new("002", "", "api-key", 0)?;
    /// let job = PartnerParams::new("user-1", "job-1");
    /// let status = api.wait_for_job(&job, &JobStatusOptions::default(), &PollPolicy::default())?;
    /// assert!(status.job_complete);
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when `policy.timeout` is zero; [`Error::WaitTimeout`]
    /// when the deadline passes first, carrying the last incomplete status and
    /// the last transient error; otherwise the first non-transient error of any poll.
    pub fn wait_for_job(
        &self,
        partner_params: &PartnerParams,
        options: &JobStatusOptions,
        policy: &PollPolicy,
    ) -> Result<JobStatus, Error> {
        self.wait_for_job_with_progress(partner_params, options, policy, |_| {})
    }

    /// [`wait_for_job`](Self::wait_for_job), calling `progress` after every
    /// poll that does not end the wait, e.g. to print a progress line.
    ///
    /// # Errors
    ///
    /// As for [`wait_for_job`](Self::wait_for_job).
    pub fn wait_for_job_with_progress(
        &self,
        partner_params: &PartnerParams,
        options: &JobStatusOptions,
        policy: &PollPolicy,
        progress: impl FnMut(&PollProgress<'_>),
    ) -> Result<JobStatus, Error> {
        crate::polling::wait(self, partner_params, options, policy, progress)
    }

    /// The settings this client was built with (never the API key).
    pub fn config(&self) -> &Config {
        &self.inner.config
    }

    /// The signer, for checking signatures by hand.
    pub fn signature(&self) -> &Signature {
        &self.inner.signature
    }
}

impl fmt::Debug for WebApi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebApi")
            .field("signature", &self.inner.signature)
            .field("config", &self.inner.config)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn web_api_is_send_sync_clone() {
        fn shareable<T: Send + Sync + Clone + 'static>() {}
        shareable::<WebApi>();
    }

    #[test]
    fn constructor_accepts_the_official_sdk_forms() {
        assert_eq!(
            WebApi::new("1", "", "k", 1u8).unwrap().config().server,
            Server::Production
        );
        let api = WebApi::new("1", "https://cb.example/x", "k", "https://h.example/v1/").unwrap();
        assert_eq!(api.config().server.base_url(), "https://h.example/v1");
        assert_eq!(
            api.config().default_callback.as_deref(),
            Some("https://cb.example/x")
        );
    }

    #[test]
    fn constructor_errors_name_the_argument_order() {
        let key = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
        let order = "WebApi::new(partner_id, default_callback, api_key, sid_server)";
        let said = |r: Result<WebApi, Error>| r.unwrap_err().to_string();
        let swapped = said(WebApi::new("002", key, "", 0));
        assert!(
            swapped.contains(&format!(
                "api_key (the third argument of {order}) must not be empty"
            )),
            "{swapped}"
        );
        assert!(swapped.contains("swapped?"), "{swapped}");
        assert!(!swapped.contains(key), "{swapped}");
        let swapped = said(WebApi::new("002", key, "https://cb.example/x", 0));
        assert!(
            swapped.contains("default_callback (the second argument"),
            "{swapped}"
        );
        assert!(swapped.contains("swapped?"), "{swapped}");
        let plain = said(WebApi::new("", "", key, 0));
        assert!(plain.contains("partner_id (the first argument"), "{plain}");
        assert!(!plain.contains("swapped"), "{plain}");
        assert!(said(WebApi::new("1", "", key, 7)).contains("sid_server (the fourth argument"));
    }
}
