//! Name resolution, with a short cache: `ureq`'s resolver slot, filled in.
//!
//! `ureq` asks its resolver for the host's addresses before it looks in its
//! connection pool, so every call resolves. [`Cached`] makes that cheap:
//!
//! - IP literals are used as they are, never through a resolver;
//! - host names are looked up with the system resolver (`ToSocketAddrs`), on a
//!   helper thread so that the lookup ends within its timeout (half the
//!   connect timeout, see `Transport::with_parts`), and the addresses are
//!   cached for [`ADDRESS_TTL`](super::addresses::ADDRESS_TTL): a warm call
//!   looks its host up at most once a minute;
//! - the connector forgets the cached addresses when none of them takes a
//!   connection (see [`connection`](super::connection));
//! - `ureq`'s SOCKS connector looks up the proxy (and, for `socks4`/`socks5`,
//!   `ureq` the server) through the same resolver; `socks5h` leaves the
//!   server's name to the proxy.
//!
//! This uses `ureq::unversioned`, which may change in a minor `ureq` release:
//! Cargo.toml pins `ureq`'s minor version.

use std::net::SocketAddr;
use std::sync::Arc;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::NextTimeout;

use super::addresses::AddressCache;

/// The resolver `ureq` calls before every request: IP literals as they are,
/// host names through the cache.
#[derive(Debug)]
pub(crate) struct Cached(pub(crate) Arc<AddressCache>);

impl Resolver for Cached {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        let key = key(uri)?;
        let addrs = match key.parse::<SocketAddr>() {
            Ok(literal) => vec![literal],
            Err(_) => self
                .0
                .addresses(&key, *timeout.after)?
                .ok_or(ureq::Error::Timeout(timeout.reason))?,
        };
        let mut out = self.empty();
        // ureq keeps at most 16; the rest are dropped, as ureq does.
        for addr in config.ip_family().keep_wanted(addrs.into_iter()) {
            let _full = out.try_push(addr);
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}

/// `host:port` of `uri` (the scheme's port if none), as `ureq` spells it.
pub(super) fn key(uri: &Uri) -> Result<String, ureq::Error> {
    uri.scheme()
        .zip(uri.authority())
        .and_then(|(scheme, authority)| DefaultResolver::host_and_port(scheme, authority))
        .ok_or_else(|| ureq::Error::BadUri(format!("{uri}: no host or port")))
}

/// Name resolution end to end: real servers on loopback, host names looked
/// up through a cache whose lookup the test chooses. The helpers serve the
/// connector's tests too.
#[cfg(test)]
pub(crate) mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::{TcpListener, TcpStream, ToSocketAddrs};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;
    use crate::Error;
    use crate::error::TransportErrorKind;
    use crate::transport::addresses::ADDRESS_TTL;
    use crate::transport::{Settings, Transport};

    /// A real HTTP/1.1 server on 127.0.0.1 that answers every POST with `{}`
    /// and counts the connections it accepted.
    pub(crate) struct Server {
        pub(crate) port: u16,
        connections: Arc<AtomicUsize>,
    }

    impl Server {
        pub(crate) fn start(keep_alive: bool) -> Server {
            let listener = TcpListener::bind("127.0.0.1:0").unwrap();
            let port = listener.local_addr().unwrap().port();
            let connections = Arc::new(AtomicUsize::new(0));
            let counted = Arc::clone(&connections);
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    let Ok(stream) = stream else { return };
                    counted.fetch_add(1, Ordering::SeqCst);
                    std::thread::spawn(move || serve(stream, keep_alive));
                }
            });
            Server { port, connections }
        }

        pub(crate) fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }
    }

    pub(crate) fn serve(stream: TcpStream, keep_alive: bool) {
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut writer = stream;
        loop {
            let mut length = 0usize;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    return;
                }
                if line == "\r\n" {
                    break;
                }
                if let Some((name, value)) = line.split_once(':')
                    && name.eq_ignore_ascii_case("content-length")
                {
                    length = value.trim().parse().unwrap();
                }
            }
            let mut body = vec![0; length];
            std::io::Read::read_exact(&mut reader, &mut body).unwrap();
            let connection = if keep_alive { "keep-alive" } else { "close" };
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: {connection}\r\n\r\n{{}}"
            );
            if writer.write_all(reply.as_bytes()).is_err() || !keep_alive {
                return;
            }
        }
    }

    /// No retries; a proxy only when the test names one (`loopback: false`).
    fn settings(https: bool, loopback: bool, connect_timeout: Duration) -> Settings {
        Settings {
            https,
            loopback,
            connect_timeout,
            max_response_bytes: 1 << 20,
            max_retries: 0,
            retry_base_delay: Duration::from_millis(1),
            root_certificates: None,
        }
    }

    pub(crate) fn transport(cache: &Arc<AddressCache>, connect_timeout: Duration) -> Transport {
        Transport::with_parts(
            settings(false, true, connect_timeout),
            Arc::clone(cache),
            None,
        )
    }

    /// A transport through `proxy`, looking names up through `cache`.
    pub(crate) fn via(proxy: ureq::Proxy, cache: &Arc<AddressCache>) -> Transport {
        Transport::with_parts(
            settings(false, false, Duration::from_secs(5)),
            Arc::clone(cache),
            Some(proxy),
        )
    }

    pub(crate) fn through(proxy: &str, cache: &Arc<AddressCache>) -> Transport {
        via(ureq::Proxy::new(proxy).unwrap(), cache)
    }

    /// One post of `{}` to `url`, within `deadline`: the answer's status.
    pub(crate) fn post_until(t: &Transport, url: &str, deadline: Instant) -> Result<u16, Error> {
        t.post(
            &crate::transport::Endpoint::new(url.to_owned()),
            deadline,
            || Ok(b"{}".to_vec()),
        )
        .map(|reply| reply.status)
    }

    pub(crate) fn call(t: &Transport, url: &str) -> Result<u16, Error> {
        post_until(t, url, Instant::now() + Duration::from_secs(10))
    }

    /// A listener on 127.0.0.1 that accepts every connection and never says
    /// a word on any.
    pub(crate) fn silent_listener() -> SocketAddr {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        std::thread::spawn(move || {
            let mut held = Vec::new();
            for s in listener.incoming() {
                held.push(s);
            }
        });
        addr
    }

    pub(crate) fn transport_kind(err: &Error) -> Option<TransportErrorKind> {
        match err {
            Error::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// `result` is a timeout, which came within `within` of `started`.
    pub(crate) fn assert_timed_out(result: Result<u16, Error>, started: Instant, within: Duration) {
        let took = started.elapsed();
        let err = result.unwrap_err();
        let kind = transport_kind(&err);
        assert_eq!(kind, Some(TransportErrorKind::Timeout), "{err:?}");
        assert!(took < within, "{took:?}");
    }

    /// The system resolver, counting the lookups it is asked for.
    pub(crate) fn counting(ttl: Duration) -> (Arc<AddressCache>, Arc<AtomicUsize>) {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let cache = AddressCache::with_lookup(ttl, move |key| {
            counter.fetch_add(1, Ordering::SeqCst);
            key.to_socket_addrs().map(Iterator::collect)
        });
        (Arc::new(cache), asked)
    }

    /// `n` calls to a new server at `host` (keeping connections alive or
    /// closing each), looking names up through a cache that keeps addresses
    /// for `ttl`: how many connections the server accepted, and how many
    /// lookups were made.
    fn calls(keep_alive: bool, host: &str, ttl: Duration, n: usize) -> (usize, usize) {
        let server = Server::start(keep_alive);
        let (cache, asked) = counting(ttl);
        let t = transport(&cache, Duration::from_secs(5));
        let url = format!("http://{host}:{}/v1/job_status", server.port);
        for _ in 0..n {
            assert_eq!(call(&t, &url).unwrap(), 200);
        }
        (server.connections(), asked.load(Ordering::SeqCst))
    }

    #[test]
    fn warm_calls_to_a_host_name_resolve_nothing() {
        let (connections, lookups) = calls(true, "localhost", ADDRESS_TTL, 5);
        assert_eq!(connections, 1, "one pooled connection");
        assert_eq!(lookups, 1, "looked up once");
    }

    /// Past the cache's lifetime a warm call looks its host up again (once
    /// a minute with the real lifetime), and still reuses its connection.
    #[test]
    fn warm_calls_look_the_host_up_again_once_the_cache_expired() {
        assert_eq!(calls(true, "localhost", Duration::ZERO, 5), (1, 5));
    }

    #[test]
    fn new_connections_use_cached_addresses_until_they_expire() {
        let (connections, lookups) = calls(false, "localhost", ADDRESS_TTL, 3);
        assert_eq!(connections, 3, "the server closes each connection");
        assert_eq!(lookups, 1, "cached for the next ones");
        let (_, lookups) = calls(false, "localhost", Duration::ZERO, 3);
        assert_eq!(lookups, 3, "expired: looked up again");
    }

    #[test]
    fn ip_literals_are_never_looked_up() {
        assert_eq!(calls(true, "127.0.0.1", ADDRESS_TTL, 3).1, 0);
    }

    #[test]
    fn a_host_without_addresses_is_a_dns_error() {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(vec![])
        }));
        let t = transport(&cache, Duration::from_secs(5));
        let err = call(&t, "http://nowhere.invalid:9/v1/job_status").unwrap_err();
        assert_eq!(
            transport_kind(&err),
            Some(TransportErrorKind::Dns),
            "{err:?}"
        );
        // Failures are not cached.
        assert!(call(&t, "http://nowhere.invalid:9/v1/job_status").is_err());
        assert_eq!(asked.load(Ordering::SeqCst), 2);
    }

    #[test]
    fn a_slow_lookup_ends_within_the_connect_timeout() {
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        }));
        let t = transport(&cache, Duration::from_millis(200));
        let started = Instant::now();
        let result = call(&t, "http://slow.invalid:9/v1/job_status");
        assert_timed_out(result, started, Duration::from_secs(2));
    }

    /// Lookups that hang (a dead DNS server: glibc waits timeout x attempts
    /// x name servers x search domains) hold at most 16 helper threads,
    /// however many calls time out; past that, calls fail at once, and a
    /// lookup that ends caches its addresses.
    #[test]
    fn hung_lookups_are_bounded() {
        let release = Arc::new(std::sync::Mutex::new(()));
        let held = release.lock().unwrap();
        let gate = Arc::clone(&release);
        let (started, ended) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicUsize::new(0)));
        let (start, end) = (Arc::clone(&started), Arc::clone(&ended));
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            start.fetch_add(1, Ordering::SeqCst);
            drop(gate.lock());
            end.fetch_add(1, Ordering::SeqCst);
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        }));
        let t = transport(&cache, Duration::from_millis(20));
        for n in 0..30 {
            let err = call(&t, "http://hung.invalid:9/v1/job_status").unwrap_err();
            let expected = if n < 16 {
                TransportErrorKind::Timeout
            } else {
                TransportErrorKind::Io
            };
            assert_eq!(transport_kind(&err), Some(expected), "{n}: {err:?}");
        }
        drop(held);
        // The threads end, and the addresses are cached: no new lookup.
        let waiting = Instant::now();
        while ended.load(Ordering::SeqCst) < 16 && waiting.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        let looked = cache.addresses("hung.invalid:9", Duration::from_secs(5));
        assert_eq!(
            looked.unwrap(),
            Some(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        );
        assert_eq!(started.load(Ordering::SeqCst), 16);
        // The threads no longer count: another host's lookup runs.
        assert!(matches!(
            cache.addresses("other.invalid:9", Duration::from_secs(5)),
            Ok(Some(_))
        ));
    }

    /// A slow lookup, then a TLS server that accepts and says nothing: the
    /// call still ends at its deadline.
    #[test]
    fn slow_lookup_then_silent_tls_ends_at_the_deadline() {
        let addr = silent_listener();
        // Within the lookup's half of the connect timeout.
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            std::thread::sleep(Duration::from_millis(150));
            Ok(vec![addr])
        }));
        let t = Transport::with_parts(
            settings(true, true, Duration::from_millis(500)),
            Arc::clone(&cache),
            None,
        );
        let started = Instant::now();
        let url = format!("https://slow.example:{}/v1/job_status", addr.port());
        let result = post_until(&t, &url, started + Duration::from_millis(500));
        // The server never answers: only the deadline ends the call (a wide
        // margin, for a loaded machine).
        assert_timed_out(result, started, Duration::from_secs(3));
    }

    /// An IPv6 literal host is connected to as is, never looked up.
    #[test]
    fn an_ipv6_literal_is_connected_to_without_lookup() {
        let Ok(listener) = TcpListener::bind("[::1]:0") else {
            return;
        };
        let port = listener.local_addr().unwrap().port();
        std::thread::spawn(move || {
            for s in listener.incoming() {
                let Ok(s) = s else { return };
                std::thread::spawn(move || serve(s, true));
            }
        });
        let (cache, asked) = counting(ADDRESS_TTL);
        let t = transport(&cache, Duration::from_secs(5));
        let url = format!("http://[::1]:{port}/v1/job_status");
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(asked.load(Ordering::SeqCst), 0);
    }
}
