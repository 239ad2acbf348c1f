//! The only HTTP layer: one `ureq` agent, deadlines, the retry loop, the size
//! cap, and the mapping of `ureq` failures (here) and of non-2xx answers
//! ([`reply`]) to [`Error`]. Name lookups are cached ([`resolve`]).

use std::net::ToSocketAddrs as _;
use std::sync::Arc;
use std::time::{Duration, Instant};

use ring::rand::{SecureRandom as _, SystemRandom};

use crate::Error;
use crate::error::{TransportErrorKind, is_transient_status};

mod addresses;
mod connection;
mod reply;
mod resolve;

use addresses::{ADDRESS_TTL, AddressCache};
use connection::Connect;
pub(crate) use reply::Reply;
use resolve::Cached;

/// The `User-Agent` of every request.
pub const USER_AGENT: &str = concat!("smile-id-rust/", env!("CARGO_PKG_VERSION"));

/// Durations past this are taken as "no practical limit": a century. Every
/// deadline stays representable (`Instant` arithmetic panics on overflow).
pub(crate) const NO_PRACTICAL_LIMIT: Duration = Duration::from_secs(100 * 365 * 24 * 60 * 60);

/// `start + after`, saturating at a century.
pub(crate) fn deadline_after(start: Instant, after: Duration) -> Instant {
    start
        .checked_add(after.min(NO_PRACTICAL_LIMIT))
        .or_else(|| start.checked_add(Duration::from_secs(24 * 60 * 60)))
        .unwrap_or(start)
}

/// Where requests go: the URL, and its host for error messages.
pub(crate) struct Endpoint {
    url: String,
    host: String,
}

impl Endpoint {
    pub(crate) fn new(url: String) -> Self {
        let host = host_of(&url).to_owned();
        Endpoint { url, host }
    }
}

/// What the transport is built from; checked by the builder.
pub(crate) struct Settings {
    pub(crate) https: bool,
    /// The server is on this machine: no proxy could reach it, so none is used.
    pub(crate) loopback: bool,
    pub(crate) connect_timeout: Duration,
    pub(crate) max_response_bytes: u64,
    pub(crate) max_retries: u32,
    pub(crate) retry_base_delay: Duration,
    pub(crate) root_certificates: Option<Vec<ureq::tls::Certificate<'static>>>,
}

/// Sends requests; shared by every clone of a client.
pub(crate) struct Transport {
    agent: ureq::Agent,
    settings: Settings,
}

impl Transport {
    /// A transport through the proxy the environment names (`HTTPS_PROXY`,
    /// `ALL_PROXY`, ...), except for a loopback server, which no proxy could
    /// reach.
    pub(crate) fn new(settings: Settings) -> Self {
        let proxy = ureq::Proxy::try_from_env().filter(|_| !settings.loopback);
        // The system resolver (`getaddrinfo`), through the cache.
        let addresses = AddressCache::with_lookup(ADDRESS_TTL, |key| {
            key.to_socket_addrs().map(Iterator::collect)
        });
        Transport::with_parts(settings, Arc::new(addresses), proxy)
    }

    /// A transport that looks host names up through `addresses` (see
    /// [`resolve`]), through `proxy` (`None`: none).
    fn with_parts(
        settings: Settings,
        addresses: Arc<AddressCache>,
        proxy: Option<ureq::Proxy>,
    ) -> Self {
        let mut tls = ureq::tls::TlsConfig::builder();
        if let Some(roots) = &settings.root_certificates {
            tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(roots));
        }
        let config = ureq::Agent::config_builder()
            .proxy(proxy)
            .http_status_as_error(false)
            .max_redirects(0)
            .https_only(settings.https)
            .user_agent(USER_AGENT)
            .tls_config(tls.build())
            // ureq gives the lookup and the connection (TCP, proxy, TLS) a
            // budget each, the second starting when the first ends: half
            // each keeps the two within `connect_timeout`.
            .timeout_resolve(Some(settings.connect_timeout / 2))
            .timeout_connect(Some(
                settings.connect_timeout - settings.connect_timeout / 2,
            ))
            .max_idle_connections(64)
            .max_idle_connections_per_host(64)
            .build();
        // ureq's connectors (see `connection`) and cached lookups (see
        // `resolve`).
        let connector = Connect {
            addresses: Arc::clone(&addresses),
            tls: ureq::unversioned::transport::RustlsConnector::default(),
        };
        Transport {
            agent: ureq::Agent::with_parts(config, connector, Cached(addresses)),
            settings,
        }
    }

    /// Posts a JSON body, retrying what is safe to retry until `deadline`.
    ///
    /// `make_body` is called for every attempt, so each is signed afresh. The
    /// last reply is returned whatever its status; transport failures are
    /// returned once no retry is left or no time is.
    pub(crate) fn post(
        &self,
        endpoint: &Endpoint,
        deadline: Instant,
        mut make_body: impl FnMut() -> Result<Vec<u8>, Error>,
    ) -> Result<Reply, Error> {
        let mut retry = 0u32;
        // The server's last answer, kept so that a retry cut short by the
        // deadline does not replace a real status (a 503, say) with a timeout.
        let mut answered: Option<Reply> = None;
        // Once per call, not counted as a retry (see `attempt`).
        let mut resend_left = true;
        loop {
            let body = make_body()?;
            let outcome = self.attempt(endpoint, &body, deadline, &mut resend_left);
            if let (Err(Error::Transport { kind, .. }), Some(reply)) = (&outcome, answered.take())
                && *kind == TransportErrorKind::Timeout
                && Instant::now() >= deadline
            {
                return Ok(reply);
            }
            let wait = match &outcome {
                Ok(reply) if is_transient_status(reply.status) => match reply.retry_after {
                    // The longest wait honoured: a longer one is not waited for.
                    Some(after) if after > Duration::from_secs(60) => return outcome,
                    // A shorter wait than the backoff's first (`Retry-After: 0`,
                    // say) is not honoured: retries must never spin.
                    Some(after) => after.max(self.settings.retry_base_delay),
                    None => self.backoff(retry),
                },
                Err(err) if err.is_transient() => self.backoff(retry),
                _ => return outcome,
            };
            if retry >= self.settings.max_retries {
                return outcome;
            }
            // Never sleep past the deadline: when the wait would reach it, the
            // last outcome is the answer.
            match deadline.checked_duration_since(Instant::now()) {
                Some(left) if left > wait => {
                    crate::logging::retry(retry + 1, self.settings.max_retries, wait, &outcome);
                    std::thread::sleep(wait)
                }
                _ => return outcome,
            }
            answered = outcome.ok();
            retry += 1;
        }
    }

    /// One request and its response, read within the size cap, all before
    /// `deadline`.
    ///
    /// A kept-alive connection the server closed just as it was reused (its
    /// check before reuse passed) breaks before an answer's head is whole
    /// (`ureq` cannot tell a head cut short from none): while `resend_left`,
    /// the request, a read, is sent again at once on a new connection, as
    /// browsers and curl do. From then on, the call's requests take new
    /// connections, and the others kept for this host are dropped: they went
    /// idle with the one that broke.
    fn attempt(
        &self,
        endpoint: &Endpoint,
        body: &[u8],
        deadline: Instant,
        resend_left: &mut bool,
    ) -> Result<Reply, Error> {
        let host = endpoint.host.as_str();
        loop {
            let started = Instant::now();
            let left = deadline
                .checked_duration_since(started)
                .filter(|d| !d.is_zero())
                .ok_or_else(|| Error::Transport {
                    kind: TransportErrorKind::Timeout,
                    host: Some(host.to_owned()),
                    elapsed: None,
                    source: "the call's deadline passed before the request could be sent".into(),
                })?;
            let mut config = self
                .agent
                .post(&endpoint.url)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .config()
                .timeout_global(Some(left));
            if !*resend_left {
                // No idle connection is young enough: the pool drops each it
                // looks at for this host, and a new one is opened.
                config = config.max_idle_age(Duration::ZERO);
            }
            let fail = |e| transport_error(e, &self.settings, host, started);
            let opened = connection::OPENED.get();
            let mut response = match config.build().send(body) {
                Ok(response) => response,
                // Broken before a whole answer head arrived, on a connection
                // this call did not open.
                Err(e)
                    if *resend_left
                        && broken_exchange(&e)
                        && connection::OPENED.get() == opened =>
                {
                    *resend_left = false;
                    crate::logging::resend(&fail(e));
                    continue;
                }
                Err(e) => return Err(fail(e)),
            };
            let mut reply = Reply::head(response.status().as_u16(), response.headers());
            reply.body = response
                .body_mut()
                .with_config()
                .limit(self.settings.max_response_bytes)
                .read_to_vec()
                .map_err(fail)?;
            return Ok(reply);
        }
    }

    /// `base × 2^retry`, plus up to a quarter more at random so that many
    /// clients failing together do not retry together.
    fn backoff(&self, retry: u32) -> Duration {
        let base = self
            .settings
            .retry_base_delay
            .saturating_mul(1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX));
        let mut byte = [0u8];
        // Without randomness (it never fails on supported systems), no jitter.
        let _ = SystemRandom::new().fill(&mut byte);
        base.saturating_add((base / 4 / 255).saturating_mul(u32::from(byte[0])))
    }
}

/// Maps a `ureq` failure to the crate's error, keeping it as the source.
///
/// rustls reports its failures (an unknown issuer, a bad record) as I/O errors
/// of kind `InvalidData` carrying the rustls error; over https those are TLS
/// failures, which retrying does not fix.
///
/// The error names `host` and, for a timeout, how long since the attempt
/// `started`: never the URL's path or query, nor any body.
fn transport_error(err: ureq::Error, settings: &Settings, host: &str, started: Instant) -> Error {
    use std::io::ErrorKind as Io;
    let (limit, https) = (settings.max_response_bytes, settings.https);
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
            Io::InvalidData if https && io.get_ref().is_some() => TransportErrorKind::Tls,
            Io::UnexpectedEof
            | Io::ConnectionReset
            | Io::ConnectionAborted
            | Io::BrokenPipe
            | Io::InvalidData
            | Io::InvalidInput => TransportErrorKind::Protocol,
            _ => TransportErrorKind::Io,
        },
        _ => TransportErrorKind::Io,
    };
    Error::Transport {
        kind,
        host: Some(host.to_owned()),
        elapsed: (kind == TransportErrorKind::Timeout).then(|| started.elapsed()),
        source: Box::new(err),
    }
}

/// Whether the connection broke under the exchange (closed or reset by the
/// other side), as a kept-alive connection the server has just closed does.
fn broken_exchange(err: &ureq::Error) -> bool {
    use std::io::ErrorKind as Io;
    matches!(err, ureq::Error::Io(io) if matches!(
        io.kind(),
        Io::UnexpectedEof | Io::ConnectionReset | Io::ConnectionAborted | Io::BrokenPipe
    ))
}

/// The `host[:port]` of a base URL the builder checked (so it has no user
/// info), for error messages.
fn host_of(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    rest.split(['/', '?', '#']).next().unwrap_or(rest)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A transport for a loopback server, retrying from `retry_base_delay`.
    fn loopback_transport(retry_base_delay: Duration) -> Transport {
        Transport::new(Settings {
            https: false,
            loopback: true,
            connect_timeout: Duration::from_secs(1),
            max_response_bytes: 1,
            max_retries: 2,
            retry_base_delay,
            root_certificates: None,
        })
    }

    #[test]
    fn backoff_doubles_with_bounded_jitter() {
        let t = loopback_transport(Duration::from_millis(500));
        for (retry, base) in [(0, 500u64), (1, 1000), (2, 2000)] {
            let d = t.backoff(retry);
            assert!(d >= Duration::from_millis(base), "{d:?}");
            assert!(d <= Duration::from_millis(base * 5 / 4), "{d:?}");
        }
        // Huge retry counts saturate instead of overflowing.
        assert!(t.backoff(u32::MAX) >= Duration::from_millis(500));
    }

    #[test]
    fn host_of_keeps_only_host_and_port() {
        assert_eq!(
            host_of("https://testapi.smileidentity.com/v1/job_status"),
            "testapi.smileidentity.com"
        );
        assert_eq!(
            host_of("http://127.0.0.1:8080/v1/job_status"),
            "127.0.0.1:8080"
        );
        assert_eq!(host_of("http://[::1]:80/x?q=secret"), "[::1]:80");
        assert_eq!(host_of("https://h.example?q=1"), "h.example");
    }

    #[test]
    fn huge_delays_and_deadlines_saturate() {
        let t = loopback_transport(Duration::MAX);
        assert!(t.backoff(5) >= NO_PRACTICAL_LIMIT);
        let now = Instant::now();
        assert!(deadline_after(now, Duration::MAX) > now + Duration::from_secs(1_000_000));
        assert_eq!(deadline_after(now, Duration::ZERO), now);
    }
}
