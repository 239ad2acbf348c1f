//! Name resolution, with a short cache: `ureq`'s resolver and TCP connector
//! slots, filled in.
//!
//! `ureq` asks its resolver for the host's addresses before it looks in its
//! connection pool, so every call resolves. [`Cached`] makes that cheap:
//!
//! - IP literals are used as they are, never through a resolver;
//! - host names are looked up with the system resolver (`ToSocketAddrs`), on a
//!   helper thread so that the lookup ends within its timeout (half the
//!   connect timeout, see `Transport::with_proxy`), and the addresses are
//!   cached for [`ADDRESS_TTL`](super::addresses::ADDRESS_TTL): a warm call
//!   looks its host up at most once a minute;
//! - [`Tcp`] forgets the cached addresses when none of them takes a
//!   connection (a DNS failover), so the next call looks the host up again;
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
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, NextTimeout, TcpConnector, Transport,
};

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
            Err(_) => {
                let limit = (!timeout.after.is_not_happening()).then(|| *timeout.after);
                self.0
                    .addresses(&key, limit)?
                    .ok_or(ureq::Error::Timeout(timeout.reason))?
            }
        };
        let mut out = self.empty();
        // ureq keeps at most 16; the rest are dropped, as ureq does.
        for addr in config.ip_family().keep_wanted(addrs.into_iter()) {
            if out.try_push(addr).is_err() {
                break;
            }
        }
        if out.is_empty() {
            return Err(ureq::Error::HostNotFound);
        }
        Ok(out)
    }
}

/// `host:port` of `uri` (the scheme's port if none), as `ureq` spells it.
fn key(uri: &Uri) -> Result<String, ureq::Error> {
    uri.scheme()
        .zip(uri.authority())
        .and_then(|(scheme, authority)| DefaultResolver::host_and_port(scheme, authority))
        .ok_or_else(|| ureq::Error::BadUri(format!("{uri}: no host or port")))
}

/// `ureq`'s TCP connector, forgetting the cached addresses that took no
/// connection.
#[derive(Debug)]
pub(crate) struct Tcp(pub(crate) Arc<AddressCache>);

impl<In: Transport> Connector<In> for Tcp {
    type Out = <TcpConnector as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        let connected = TcpConnector::default().connect(details, chained);
        if connected.is_err()
            && let Ok(key) = key(details.uri)
        {
            self.0.forget(&key);
        }
        connected
    }
}

#[cfg(test)]
mod tests {
    use std::io::{BufRead as _, BufReader, Write as _};
    use std::net::{IpAddr, TcpListener, TcpStream, ToSocketAddrs};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;
    use crate::Error;
    use crate::error::TransportErrorKind;
    use crate::transport::addresses::ADDRESS_TTL;
    use crate::transport::{Settings, Transport};

    /// A real HTTP/1.1 server on 127.0.0.1 that answers every POST with `{}`
    /// and counts the connections it accepted.
    struct Server {
        port: u16,
        connections: Arc<AtomicUsize>,
    }

    impl Server {
        fn start(keep_alive: bool) -> Server {
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

        fn connections(&self) -> usize {
            self.connections.load(Ordering::SeqCst)
        }
    }

    fn serve(stream: TcpStream, keep_alive: bool) {
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

    fn transport(cache: &Arc<AddressCache>, connect_timeout: Duration) -> Transport {
        Transport::with_addresses(settings(false, true, connect_timeout), Arc::clone(cache))
    }

    /// A transport through `proxy`, looking names up through `cache`.
    fn via(proxy: ureq::Proxy, cache: &Arc<AddressCache>) -> Transport {
        Transport::with_proxy(
            settings(false, false, Duration::from_secs(5)),
            Arc::clone(cache),
            Some(proxy),
        )
    }

    fn through(proxy: &str, cache: &Arc<AddressCache>) -> Transport {
        via(ureq::Proxy::new(proxy).unwrap(), cache)
    }

    /// One post of `{}` to `url`, within `deadline`: the answer's status.
    fn post_until(t: &Transport, url: &str, deadline: Instant) -> Result<u16, Error> {
        t.post(
            &crate::transport::Endpoint::new(url.to_owned()),
            deadline,
            || Ok(b"{}".to_vec()),
        )
        .map(|reply| reply.status)
    }

    fn call(t: &Transport, url: &str) -> Result<u16, Error> {
        post_until(t, url, Instant::now() + Duration::from_secs(10))
    }

    /// A listener on 127.0.0.1 that accepts every connection and never says
    /// a word on any.
    fn silent_listener() -> SocketAddr {
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

    fn transport_kind(err: &Error) -> Option<TransportErrorKind> {
        match err {
            Error::Transport { kind, .. } => Some(*kind),
            _ => None,
        }
    }

    /// The system resolver, counting the lookups it is asked for.
    fn counting(ttl: Duration) -> (Arc<AddressCache>, Arc<AtomicUsize>) {
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
        let asked = asked.load(Ordering::SeqCst);
        assert_eq!(cache.lookups(), asked as u64);
        (server.connections(), asked)
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

    /// Addresses that refuse a new connection are forgotten: after a DNS
    /// failover, the next new connection looks the host up again.
    #[test]
    fn addresses_that_refuse_are_looked_up_again() {
        let server = Server::start(true);
        let dead = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        let live = SocketAddr::from(([127, 0, 0, 1], server.port));
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            // The listener behind `dead` is gone: the first answer refuses.
            let n = counter.fetch_add(1, Ordering::SeqCst);
            Ok(vec![if n == 0 { dead } else { live }])
        }));
        let t = transport(&cache, Duration::from_secs(5));
        let url = format!("http://moved.example.invalid:{}/v1/job_status", server.port);
        let err = call(&t, &url).unwrap_err();
        assert_eq!(
            transport_kind(&err),
            Some(TransportErrorKind::ConnectionRefused),
            "{err:?}"
        );
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(
            asked.load(Ordering::SeqCst),
            2,
            "looked up again once, then pooled"
        );
    }

    #[test]
    fn ip_literals_are_never_looked_up() {
        assert_eq!(calls(true, "127.0.0.1", ADDRESS_TTL, 3).1, 0);
    }

    #[test]
    fn a_host_without_addresses_is_a_dns_error() {
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, |_| Ok(vec![])));
        let t = transport(&cache, Duration::from_secs(5));
        let err = call(&t, "http://nowhere.invalid:9/v1/job_status").unwrap_err();
        assert_eq!(
            transport_kind(&err),
            Some(TransportErrorKind::Dns),
            "{err:?}"
        );
        // Failures are not cached.
        assert!(call(&t, "http://nowhere.invalid:9/v1/job_status").is_err());
        assert_eq!(cache.lookups(), 2);
    }

    #[test]
    fn a_slow_lookup_ends_within_the_connect_timeout() {
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, |_| {
            std::thread::sleep(Duration::from_secs(3));
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        }));
        let t = transport(&cache, Duration::from_millis(200));
        let started = Instant::now();
        let err = call(&t, "http://slow.invalid:9/v1/job_status").unwrap_err();
        assert_eq!(
            transport_kind(&err),
            Some(TransportErrorKind::Timeout),
            "{err:?}"
        );
        assert!(
            started.elapsed() < Duration::from_secs(2),
            "{:?}",
            started.elapsed()
        );
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
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            drop(gate.lock());
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
        assert_eq!(cache.lookups(), 30);
        drop(held);
        // The threads end, and the addresses are cached: no new lookup.
        let started = Instant::now();
        while cache.in_flight() > 0 && started.elapsed() < Duration::from_secs(10) {
            std::thread::sleep(Duration::from_millis(10));
        }
        assert_eq!(cache.in_flight(), 0);
        let looked = cache.addresses("hung.invalid:9", Some(Duration::from_secs(5)));
        assert_eq!(
            looked.unwrap(),
            Some(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        );
        assert_eq!(cache.lookups(), 30);
        // A failed lookup is not cached, and is reported.
        let failing = AddressCache::with_lookup(ADDRESS_TTL, |_| {
            Err(std::io::Error::other(
                "failed to lookup address information",
            ))
        });
        for expected in 1..=2 {
            let e = failing
                .addresses("nowhere.invalid:443", Some(Duration::from_secs(5)))
                .unwrap_err();
            assert!(e.to_string().contains("failed to lookup"));
            assert_eq!(failing.lookups(), expected);
        }
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
        let t = Transport::with_addresses(
            settings(true, true, Duration::from_millis(500)),
            Arc::clone(&cache),
        );
        let started = Instant::now();
        let url = format!("https://slow.example:{}/v1/job_status", addr.port());
        let err = post_until(&t, &url, started + Duration::from_millis(500)).unwrap_err();
        let took = started.elapsed();
        assert_eq!(
            transport_kind(&err),
            Some(TransportErrorKind::Timeout),
            "{err:?}"
        );
        // The server never answers: only the deadline ends the call (a wide
        // margin, for a loaded machine).
        assert!(took < Duration::from_secs(3), "{took:?}");
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

    /// A SOCKS5 proxy on 127.0.0.1 (no authentication, CONNECT only) that
    /// sends every domain name to `127.0.0.1` and records what it was asked
    /// to reach: `"name:port"` or `"ip:port"`.
    fn socks5_proxy() -> (u16, Arc<std::sync::Mutex<Vec<String>>>) {
        use std::io::Read as _;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let asked = Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = Arc::clone(&asked);
        std::thread::spawn(move || {
            for client in listener.incoming() {
                let Ok(mut client) = client else { return };
                let seen = Arc::clone(&seen);
                std::thread::spawn(move || {
                    let mut b = [0u8; 262];
                    client.read_exact(&mut b[..2]).unwrap();
                    let methods = usize::from(b[1]);
                    client.read_exact(&mut b[..methods]).unwrap();
                    client.write_all(&[5, 0]).unwrap();
                    client.read_exact(&mut b[..4]).unwrap();
                    assert_eq!(&b[..3], &[5, 1, 0], "a CONNECT request");
                    let (target, name) = match b[3] {
                        1 => {
                            client.read_exact(&mut b[..6]).unwrap();
                            let ip = IpAddr::from([b[0], b[1], b[2], b[3]]);
                            (SocketAddr::new(ip, u16::from_be_bytes([b[4], b[5]])), None)
                        }
                        3 => {
                            client.read_exact(&mut b[..1]).unwrap();
                            let len = usize::from(b[0]);
                            client.read_exact(&mut b[..len + 2]).unwrap();
                            let name = String::from_utf8(b[..len].to_vec()).unwrap();
                            let port = u16::from_be_bytes([b[len], b[len + 1]]);
                            (SocketAddr::from(([127, 0, 0, 1], port)), Some(name))
                        }
                        4 => {
                            client.read_exact(&mut b[..18]).unwrap();
                            let mut ip = [0u8; 16];
                            ip.copy_from_slice(&b[..16]);
                            let port = u16::from_be_bytes([b[16], b[17]]);
                            (SocketAddr::new(IpAddr::from(ip), port), None)
                        }
                        other => panic!("address type {other}"),
                    };
                    let shown = match name {
                        Some(name) => format!("{name}:{}", target.port()),
                        None => target.to_string(),
                    };
                    seen.lock().unwrap().push(shown);
                    let Ok(server) = TcpStream::connect(target) else {
                        let _ = client.write_all(&[5, 5, 0, 1, 0, 0, 0, 0, 0, 0]);
                        return;
                    };
                    client.write_all(&[5, 0, 0, 1, 0, 0, 0, 0, 0, 0]).unwrap();
                    let (mut up_from, mut up_to) =
                        (client.try_clone().unwrap(), server.try_clone().unwrap());
                    std::thread::spawn(move || std::io::copy(&mut up_from, &mut up_to));
                    let (mut down_from, mut down_to) = (server, client);
                    let _ = std::io::copy(&mut down_from, &mut down_to);
                });
            }
        });
        (port, asked)
    }

    /// `socks5h`: the proxy looks the server's name up; nothing is looked up
    /// here, and the proxy is reached, never bypassed.
    #[test]
    fn a_socks5h_proxy_is_used_and_given_the_name() {
        let server = Server::start(true);
        let (proxy, asked) = socks5_proxy();
        let (cache, lookups) = counting(ADDRESS_TTL);
        let t = through(&format!("socks5h://127.0.0.1:{proxy}"), &cache);
        let url = format!("http://api.example.invalid:{}/v1/job_status", server.port);
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(call(&t, &url).unwrap(), 200);
        let asked = asked.lock().unwrap().clone();
        assert_eq!(asked, [format!("api.example.invalid:{}", server.port)]);
        assert_eq!(lookups.load(Ordering::SeqCst), 0);
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    }

    /// `socks5`: the proxy, named by host name, and the server are looked up
    /// here (through the cache), and the
    /// proxy is given the server's address.
    #[test]
    fn a_socks5_proxy_is_looked_up_and_given_the_address() {
        let server = Server::start(true);
        let (proxy, asked) = socks5_proxy();
        let names = Arc::new(std::sync::Mutex::new(Vec::new()));
        let looked_up = Arc::clone(&names);
        let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |key| {
            looked_up.lock().unwrap().push(key.to_owned());
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], port_of(key)))])
        }));
        let t = through(&format!("socks5://proxy.example.invalid:{proxy}"), &cache);
        let url = format!("http://api.example.invalid:{}/v1/job_status", server.port);
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(call(&t, &url).unwrap(), 200);
        assert_eq!(
            *asked.lock().unwrap(),
            [format!("127.0.0.1:{}", server.port)]
        );
        let mut names = names.lock().unwrap().clone();
        names.sort();
        assert_eq!(
            names,
            [
                format!("api.example.invalid:{}", server.port),
                format!("proxy.example.invalid:{proxy}"),
            ]
        );
        assert_eq!(server.connections.load(Ordering::SeqCst), 1);
    }

    /// A SOCKS proxy spelt as `ureq` accepts it (`socks://` for SOCKS5, any
    /// case) and without a port (1080) is reached.
    #[test]
    fn socks_proxies_in_any_spelling_and_without_a_port() {
        let server = Server::start(true);
        let (proxy, asked) = socks5_proxy();
        let mut failed = Vec::new();
        for spelled in ["socks", "SOCKS5", "Socks5h"] {
            // The lookup answers the proxy's address whatever port it is asked.
            let cache = Arc::new(AddressCache::with_lookup(ADDRESS_TTL, move |key| {
                let port = if key.starts_with("proxy") {
                    proxy
                } else {
                    port_of(key)
                };
                Ok(vec![SocketAddr::from(([127, 0, 0, 1], port))])
            }));
            let t = through(&format!("{spelled}://proxy.example.invalid"), &cache);
            let url = format!("http://api.example.invalid:{}/v1/job_status", server.port);
            if let Err(e) = call(&t, &url) {
                failed.push(format!("{spelled}: {e:?}"));
            }
        }
        assert!(failed.is_empty(), "{failed:#?}");
        assert_eq!(asked.lock().unwrap().len(), 3);
    }

    /// A lookup that panics on its helper thread still ends: its caller gets
    /// an error, its thread is no longer counted, and the next call looks up.
    #[test]
    fn a_panicking_lookup_does_not_wedge_the_host() {
        let first = Arc::new(AtomicUsize::new(0));
        let n = Arc::clone(&first);
        let cache = AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            if n.fetch_add(1, Ordering::SeqCst) < 16 {
                panic!("resolver bug");
            }
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        });
        for _ in 0..16 {
            let r = cache.addresses("flaky.invalid:9", Some(Duration::from_secs(30)));
            assert!(r.is_err());
        }
        let r = cache.addresses("flaky.invalid:9", Some(Duration::from_secs(30)));
        assert!(matches!(r, Ok(Some(_))), "{r:?}");
    }

    /// A SOCKS proxy that accepts and says nothing: the call ends at its
    /// deadline.
    #[test]
    fn a_silent_socks_proxy_ends_at_the_deadline() {
        let port = silent_listener().port();
        let (cache, _) = counting(ADDRESS_TTL);
        for scheme in ["socks5h", "socks4", "socks5"] {
            let t = through(&format!("{scheme}://127.0.0.1:{port}"), &cache);
            let started = Instant::now();
            let err = post_until(
                &t,
                "https://127.0.0.1:9/v1/x",
                started + Duration::from_millis(400),
            )
            .unwrap_err();
            assert_eq!(
                transport_kind(&err),
                Some(TransportErrorKind::Timeout),
                "{err:?}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(2),
                "{:?}",
                started.elapsed()
            );
        }
    }

    /// A `NO_PROXY` host is reached directly, never through the SOCKS proxy.
    #[test]
    fn no_proxy_hosts_go_direct_past_a_socks_proxy() {
        let server = Server::start(true);
        let (proxy, asked) = socks5_proxy();
        let (cache, lookups) = counting(ADDRESS_TTL);
        for protocol in [
            ureq::ProxyProtocol::Socks5,
            ureq::ProxyProtocol::Socks5h,
            ureq::ProxyProtocol::Socks4,
        ] {
            let p = ureq::Proxy::builder(protocol)
                .host("127.0.0.1")
                .port(proxy)
                .no_proxy("localhost")
                .build()
                .unwrap();
            let t = via(p, &cache);
            let url = format!("http://localhost:{}/v1/job_status", server.port);
            assert_eq!(call(&t, &url).unwrap(), 200);
        }
        assert!(asked.lock().unwrap().is_empty());
        // Looked up once, for the first direct connection, then pooled per
        // proxy setting.
        assert!(lookups.load(Ordering::SeqCst) >= 1);
    }

    /// A SOCKS proxy's connection is opened by `ureq`'s SOCKS connector, not
    /// by [`Tcp`]; it is still a new connection: a proxy closing it during
    /// its handshake is a failure, not a pooled connection to send again on.
    #[test]
    fn a_socks_proxy_closing_a_new_connection_is_not_resent() {
        use std::io::Read as _;
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let accepted = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&accepted);
        std::thread::spawn(move || {
            for s in listener.incoming() {
                let Ok(mut s) = s else { return };
                counted.fetch_add(1, Ordering::SeqCst);
                // Reads the greeting, then closes without a word.
                let mut b = [0u8; 3];
                let _ = s.read_exact(&mut b);
            }
        });
        let (cache, _) = counting(ADDRESS_TTL);
        let t = through(&format!("socks5h://127.0.0.1:{port}"), &cache);
        let err = call(&t, "http://api.example.invalid:9/v1/job_status").unwrap_err();
        std::thread::sleep(Duration::from_millis(100));
        assert_eq!(accepted.load(Ordering::SeqCst), 1, "{err:?}");
    }

    /// Every proxy URI `ureq` accepts has the port `ureq` gives it.
    #[test]
    fn proxy_uris_have_ureq_s_ports() {
        for spelled in [
            "HTTP://p.example",
            "Https://p.example",
            "p.example",
            "socks://p.example",
            "SOCKS4A://p.example",
            "socks5://p.example",
            "socks5://[::1]",
        ] {
            let proxy = ureq::Proxy::new(spelled).unwrap();
            let key = key(proxy.uri()).unwrap();
            assert_eq!(port_of(&key), proxy.port(), "{spelled}: {key}");
        }
    }

    /// A huge wait (`Duration::MAX`) on a running lookup neither panics nor
    /// misses the lookup's end.
    #[test]
    fn a_huge_wait_on_a_lookup_ends_with_it() {
        let cache = AddressCache::with_lookup(ADDRESS_TTL, |_| {
            std::thread::sleep(Duration::from_millis(100));
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        });
        for t in [Duration::MAX, crate::transport::NO_PRACTICAL_LIMIT] {
            cache.forget("slow.invalid:9");
            assert!(matches!(
                cache.addresses("slow.invalid:9", Some(t)),
                Ok(Some(_))
            ));
        }
        assert_eq!(cache.lookups(), 2);
    }

    /// The port of a `host:port` key.
    fn port_of(key: &str) -> u16 {
        key.rsplit_once(':').unwrap().1.parse().unwrap()
    }
}
