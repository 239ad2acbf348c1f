//! A client's settings: the one [`Config`] that [`WebApiBuilder`] fills in
//! and [`WebApi`] keeps, their defaults, their checks and their one redacting
//! `Debug`.

use std::fmt;
use std::time::Duration;

use crate::transport::NO_PRACTICAL_LIMIT;
use crate::{Error, Server, Signature, WebApi};

/// The settings a client was built with, as [`WebApi::config`] returns
/// them; each field's default is documented on the [`WebApiBuilder`] setter
/// of the same name. It never holds the API key, and its `Debug` shows the
/// callback URL without its query (which may carry a token).
///
/// ```
/// use std::time::Duration;
///
/// let api = smile_id::WebApi::builder("002", "api-key").max_retries(1).build()?;
/// let config = api.config();
/// assert_eq!(config.max_retries, 1);
/// assert_eq!(config.timeout, Duration::from_secs(30));
/// assert_eq!(config.server.base_url(), "https://testapi.smileidentity.com/v1");
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone)]
#[non_exhaustive]
pub struct Config {
    /// See [`WebApiBuilder::server`].
    pub server: Server,
    /// See [`WebApiBuilder::default_callback`].
    pub default_callback: Option<String>,
    /// See [`WebApiBuilder::timeout`].
    pub timeout: Duration,
    /// See [`WebApiBuilder::connect_timeout`].
    pub connect_timeout: Duration,
    /// See [`WebApiBuilder::timestamp_tolerance`].
    pub timestamp_tolerance: Duration,
    /// See [`WebApiBuilder::callback_tolerance`].
    pub callback_tolerance: Option<Duration>,
    /// See [`WebApiBuilder::max_response_bytes`].
    pub max_response_bytes: u64,
    /// See [`WebApiBuilder::max_retries`].
    pub max_retries: u32,
    /// See [`WebApiBuilder::retry_base_delay`].
    pub retry_base_delay: Duration,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            server: Server::Sandbox,
            default_callback: None,
            timeout: Duration::from_secs(30),
            connect_timeout: Duration::from_secs(10),
            timestamp_tolerance: Duration::from_secs(5 * 60),
            callback_tolerance: Some(Duration::from_secs(5 * 60)),
            max_response_bytes: 16 * 1024 * 1024,
            max_retries: 2,
            retry_base_delay: Duration::from_millis(500),
        }
    }
}

impl Config {
    /// The settings checked and brought into range: zero timeouts and caps
    /// refused, a timeout over a century taken as a century, the connect
    /// timeout within the timeout, the retry delay at least 1 ms.
    fn checked(mut self) -> Result<Self, Error> {
        for (field, zero) in [
            ("timeout", self.timeout.is_zero()),
            ("connect_timeout", self.connect_timeout.is_zero()),
            ("max_response_bytes", self.max_response_bytes == 0),
        ] {
            if zero {
                return Err(Error::invalid_input(field, "must be more than zero"));
            }
        }
        self.timeout = self.timeout.min(NO_PRACTICAL_LIMIT);
        self.connect_timeout = self.connect_timeout.min(self.timeout);
        // At least 1 ms, so that retries never spin.
        self.retry_base_delay = self
            .retry_base_delay
            .clamp(Duration::from_millis(1), NO_PRACTICAL_LIMIT);
        Ok(self)
    }
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // A callback URL's query may carry a token.
        let callback = self
            .default_callback
            .as_deref()
            .map(crate::redact::url_without_query);
        f.debug_struct("Config")
            .field("server", &self.server)
            .field("default_callback", &callback)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("timestamp_tolerance", &self.timestamp_tolerance)
            .field("callback_tolerance", &self.callback_tolerance)
            .field("max_response_bytes", &self.max_response_bytes)
            .field("max_retries", &self.max_retries)
            .field("retry_base_delay", &self.retry_base_delay)
            .finish()
    }
}

/// The builder's plain setters: each documented, each writing its value
/// into the [`Config`] and returning the builder.
macro_rules! setters {
    ($($(#[$doc:meta])* $name:ident: $type:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $name: $type) -> Self {
                self.config.$name = $name;
                self
            }
        )*
    };
}

/// Configures a [`WebApi`]; made by [`WebApi::builder`].
///
/// Every setting has a documented default, and [`build`](Self::build) checks
/// them all at once.
#[must_use = "a builder does nothing until .build() is called"]
pub struct WebApiBuilder {
    signature: Result<Signature, Error>,
    key_fingerprint: KeyFingerprint,
    /// Never holds a URL that holds the API key: the setters refuse it.
    config: Config,
    /// Why the last [`server`](Self::server) given was refused, reported by
    /// [`build`](Self::build).
    server_error: Option<Error>,
    /// Why the last [`default_callback`](Self::default_callback) given was
    /// refused, reported by [`build`](Self::build).
    callback_error: Option<Error>,
    root_certificates: Option<Result<Vec<ureq::tls::Certificate<'static>>, Error>>,
}

impl WebApiBuilder {
    /// A builder with the default settings; see [`WebApi::builder`].
    pub(crate) fn new(partner_id: &str, api_key: &str) -> Self {
        WebApiBuilder {
            signature: Signature::new(partner_id, api_key),
            key_fingerprint: KeyFingerprint::of(api_key),
            config: Config::default(),
            server_error: None,
            callback_error: None,
            root_certificates: None,
        }
    }

    /// A builder configured from the environment, to change further settings
    /// before [`build`](Self::build):
    ///
    /// | variable | | meaning |
    /// |---|---|---|
    /// | `SMILE_ID_PARTNER_ID` | required | your partner id, exactly (`"002"` is not `"2"`) |
    /// | `SMILE_ID_API_KEY` | required | the API key for that server (sandbox and production keys differ) |
    /// | `SMILE_ID_SERVER` | optional | what [`WebApi::new`]'s `sid_server` takes: `0`/`sandbox` (the default), `1`/`production`, or a base URL |
    /// | `SMILE_ID_CALLBACK_URL` | optional | the [`default_callback`](Self::default_callback) |
    ///
    /// An empty `SMILE_ID_CALLBACK_URL` counts as unset; an empty
    /// `SMILE_ID_SERVER` is an error (unset it for the sandbox).
    ///
    /// ```no_run
    /// use std::time::Duration;
    ///
    /// let api = smile_id::WebApiBuilder::from_env()?
    ///     .timeout(Duration::from_secs(10))
    ///     .build()?;
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] naming every problem at once (its `field` is
    /// the first one's variable): a required variable missing, empty or not
    /// Unicode, a key with surrounding white space, a `SMILE_ID_SERVER` that
    /// is empty or not a server, a bad `SMILE_ID_CALLBACK_URL`, or an unknown
    /// `SMILE_ID_*` variable that looks like a typo of a known one
    /// (`SMILE_ID_APIKEY`). The API key's value is never part of a message.
    pub fn from_env() -> Result<WebApiBuilder, Error> {
        crate::env::from_source(
            |name| std::env::var_os(name),
            std::env::vars_os().map(|(name, _)| name),
        )
    }

    /// The server to call: what [`WebApi::new`]'s `sid_server` takes, a
    /// [`Server`], `0`/`1`, `"sandbox"`/`"production"`, or a base URL with
    /// its scheme. Defaults to [`Server::Sandbox`]. A value that is none of
    /// these is reported by [`build`](Self::build).
    ///
    /// ```
    /// let api = smile_id::WebApi::builder("002", "api-key").server(1).build()?;
    /// assert_eq!(api.config().server, smile_id::Server::Production);
    /// assert!(smile_id::WebApi::builder("002", "api-key").server("banana").build().is_err());
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    pub fn server<S>(mut self, server: S) -> Self
    where
        S: TryInto<Server>,
        Error: From<S::Error>,
    {
        let checked = server.try_into().map_err(Error::from).and_then(|server| {
            self.refuse_key(
                "sid_server",
                server.base_url(),
                "pass the key as `api_key` and a server (0, 1 or an https URL) as `sid_server`",
            )
            .map(|()| server)
        });
        keep(checked, &mut self.config.server, &mut self.server_error);
        self
    }

    /// The callback URL to keep as the default: `https` (plain `http` only on
    /// loopback), or an empty string for none. Defaults to none. Anything
    /// else (an API key passed in the wrong argument, say) is reported by
    /// [`build`](Self::build), without repeating the value.
    pub fn default_callback(mut self, url: impl Into<String>) -> Self {
        let url = url.into();
        let checked = if url.is_empty() {
            Ok(None)
        } else {
            crate::server::check_callback_url(&url)
                .and_then(|()| {
                    self.refuse_key(
                        "default_callback",
                        &url,
                        "a callback URL is sent to Smile ID and shown in logs",
                    )
                })
                .map(|()| Some(url))
        };
        let slot = &mut self.config.default_callback;
        keep(checked, slot, &mut self.callback_error);
        self
    }

    /// Refuses a `url` given as `field` that holds the API key, saying `why`
    /// it does not belong there (without repeating it).
    fn refuse_key(&self, field: &'static str, url: &str, why: &str) -> Result<(), Error> {
        if self.key_fingerprint.is_in(url) {
            return Err(Error::invalid_input(
                field,
                format!("contains the API key: {why}"),
            ));
        }
        Ok(())
    }

    setters! {
        /// The most one call may take, from the first connection attempt to the
        /// last byte, retries and the waits between them included; socket
        /// timeouts are rounded up, so a call may end late by 1/256 of the time
        /// it had left or 1 ms, whichever is more. Defaults to 30 s. Zero is
        /// refused by [`build`](Self::build);
        /// anything over a century (`Duration::MAX`, say) is taken as a century,
        /// i.e. no practical limit.
        timeout: Duration;

        /// The most one connection (DNS, TCP and TLS) may take. Defaults to 10 s. Zero is refused; it never exceeds the
        /// call's [`timeout`](Self::timeout).
        connect_timeout: Duration;

        /// How far a response's timestamp may be from this machine's clock, in
        /// either direction, before the response is rejected as stale (a replay) or
        /// from the future. A timestamp exactly at the tolerance passes. Defaults
        /// to 5 minutes.
        timestamp_tolerance: Duration;

        /// How far a callback's timestamp may be from this machine's clock, in
        /// either direction. Defaults to 5 minutes.
        ///
        /// `None` turns the age check off, which is **replay-unsafe**: anyone who
        /// captured one genuine callback could deliver it again at any time. Use it
        /// only to re-verify stored callbacks.
        callback_tolerance: Option<Duration>;

        /// The largest response body read, in bytes; a longer one is
        /// [`Error::ResponseTooLarge`], and nothing past the cap is read or
        /// allocated. Defaults to 16 MiB, room for results that
        /// carry base64 photos.
        ///
        /// # Limits on what a body holds
        ///
        /// Before its signature is checked, a body is only scanned: at most
        /// 64 KiB beyond the body itself, whatever it holds. Once authentic
        /// (the signature covers only the timestamp, not the body), it is
        /// decoded within limits far beyond anything Smile ID sends, each
        /// refused as [`Error::Decode`] naming the limit:
        ///
        /// - a `history` of at most 10,000 entries ("history has more than
        ///   10,000 entries");
        /// - at most 10,000 keys in any one object ("an object has more than
        ///   10,000 keys");
        /// - nesting at most 128 deep (refused before authentication);
        /// - and this size cap.
        ///
        /// Decoding a body of `n` bytes then holds at most
        /// `17 × n + 10,000 × 5 KiB` (17 bytes per byte of JSON when it is
        /// all one-character keys; 5 KiB for the fixed part of a history
        /// entry whose every text field is a number such as `1e308`, written
        /// out): about 321 MiB at the default cap (17 × 16 MiB + 49 MiB). A
        /// real 1,000-entry history of 785 KB holds about 1.6 MB. Lower the
        /// cap where memory is tighter.
        max_response_bytes: u64;

        /// How many times a failed attempt is retried: after a connection failure,
        /// a timeout, a broken or truncated response, or HTTP 408, 429, 500, 502,
        /// 503 or 504. `0` turns retries off. Defaults to 2.
        ///
        /// Waits grow as `retry_base_delay × 2^n` plus up to 25 % jitter; a
        /// `Retry-After` header of up to 60 s is honoured instead. No wait runs past
        /// the call's [`timeout`](Self::timeout). Other 4xx statuses and every
        /// verification failure are never retried.
        max_retries: u32;

        /// The first wait before a retry; it doubles for each further retry.
        /// Defaults to 500 ms; at least 1 ms, so that retries never spin. No wait runs
        /// past the call's deadline, however long.
        retry_base_delay: Duration;

    }

    /// Trusts exactly the certificates in this PEM text as roots, instead of
    /// the bundled Mozilla roots: for a private CA or a TLS-intercepting proxy.
    ///
    /// Proxies are taken from the standard environment variables
    /// (`HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, and their lower-case forms):
    /// HTTP CONNECT proxies and SOCKS4, 4a, 5 and 5h.
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
        if let Some(err) = self.server_error.or(self.callback_error) {
            return Err(err);
        }
        let config = self.config.checked()?;
        let root_certificates = self.root_certificates.transpose()?;
        Ok(WebApi::with_config(signature, config, root_certificates))
    }
}

impl fmt::Debug for WebApiBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WebApiBuilder")
            .field("signature", &self.signature)
            .field("config", &self.config)
            .field("server_error", &self.server_error)
            .field("callback_error", &self.callback_error)
            .finish_non_exhaustive()
    }
}

/// `checked`'s value in `slot`, clearing `error`; or why it was refused in
/// `error`, for [`WebApiBuilder::build`] to report.
fn keep<T>(checked: Result<T, Error>, slot: &mut T, error: &mut Option<Error>) {
    match checked {
        Ok(value) => {
            *slot = value;
            *error = None;
        }
        Err(err) => *error = Some(err),
    }
}

fn parse_root_certificates(pem: &[u8]) -> Result<Vec<ureq::tls::Certificate<'static>>, Error> {
    let refused = |reason: String| Error::invalid_input("root_certificates_pem", reason);
    let mut certs = Vec::new();
    for item in ureq::tls::parse_pem(pem) {
        let item = item.map_err(|e| refused(format!("is not valid PEM: {e}")))?;
        if let ureq::tls::PemItem::Certificate(cert) = item {
            certs.push(cert);
        }
    }
    if certs.is_empty() {
        return Err(refused("holds no certificate".to_owned()));
    }
    Ok(certs)
}

/// A digest of the API key in lower case, to notice the key where it does
/// not belong (a server or callback URL, whose host ignores case) without
/// keeping the key itself.
struct KeyFingerprint {
    len: usize,
    digest: ring::digest::Digest,
}

impl KeyFingerprint {
    fn of(api_key: &str) -> Self {
        KeyFingerprint {
            len: api_key.len(),
            digest: Self::digest(api_key.as_bytes()),
        }
    }

    fn digest(bytes: &[u8]) -> ring::digest::Digest {
        ring::digest::digest(&ring::digest::SHA256, &bytes.to_ascii_lowercase())
    }

    /// Whether `text` contains the key, in any case.
    fn is_in(&self, text: &str) -> bool {
        // Keys shorter than 8 bytes are not looked for: short strings turn
        // up in URLs by chance, and real keys are far longer.
        self.len >= 8
            && text
                .as_bytes()
                .windows(self.len)
                .any(|window| Self::digest(window).as_ref() == self.digest.as_ref())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let config = api.config();
        assert_eq!(config.timeout, Duration::from_secs(30));
        assert_eq!(config.connect_timeout, Duration::from_secs(10));
        assert_eq!(config.timestamp_tolerance, Duration::from_secs(300));
        assert_eq!(config.callback_tolerance, Some(Duration::from_secs(300)));
        assert_eq!(config.max_response_bytes, 16 * 1024 * 1024);
        assert_eq!(config.max_retries, 2);
        assert_eq!(config.retry_base_delay, Duration::from_millis(500));
        assert_eq!(config.server, Server::Sandbox);
        assert_eq!(config.default_callback, None);
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
