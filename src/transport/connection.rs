//! New connections: `ureq`'s own connectors (CONNECT proxy, SOCKS, TCP,
//! rustls), in `ureq`'s order, and three things `ureq` does not do:
//!
//! - each thread counts the connections it opens, for telling a pooled
//!   connection's failure from a new one's (see `Transport::post`);
//! - cached addresses that took no connection are forgotten (a DNS
//!   failover), so the next call looks the host up again;
//! - every connection shares one rustls configuration, so that sessions are
//!   resumed. Every call sets its own deadline (`timeout_global`), which makes
//!   its `ureq` configuration "request level", and for those `ureq`'s rustls
//!   connector builds a fresh rustls `ClientConfig` (root store and all) for
//!   each new connection and never keeps it: no session is resumed, and each
//!   new connection pays for a full handshake (a round trip more with TLS
//!   1.2). Only the deadline differs per call: the TLS settings are the
//!   client's, so the connector is told the configuration is the agent's;
//! - socket timeouts are rounded up ([`Rounded`]), so that a warm call
//!   changes none of them.

use std::cell::Cell;
use std::sync::Arc;
use std::time::Duration;

use ureq::unversioned::transport::time::Duration as Left;
use ureq::unversioned::transport::{
    Buffers, ConnectProxyConnector, ConnectionDetails, Connector, NextTimeout, RustlsConnector,
    SocksConnector, TcpConnector, Transport,
};

use super::addresses::AddressCache;
use super::resolve::key;

thread_local! {
    /// How many connections this thread has started to open, through any
    /// client. `ureq` opens a call's connection on the calling thread, so a
    /// call that failed without this changing failed on a pooled connection.
    pub(super) static OPENED: Cell<u64> = const { Cell::new(0) };
}

/// The connector `ureq` runs to open a new connection (for a CONNECT proxy,
/// again for the proxy's).
#[derive(Debug)]
pub(super) struct Connect {
    pub(super) addresses: Arc<AddressCache>,
    pub(super) tls: RustlsConnector,
}

impl Connector for Connect {
    type Out = <RustlsConnector as Connector<Box<dyn Transport>>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        _: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        // Counted before anything (a SOCKS or TLS handshake) can fail.
        OPENED.set(OPENED.get().wrapping_add(1));
        let plain =
            ().chain(ConnectProxyConnector::default())
                .chain(SocksConnector::default())
                .chain(TcpConnector::default())
                .connect(details, None)
                .inspect_err(|_| {
                    if let Ok(key) = key(details.uri) {
                        self.addresses.forget(&key);
                    }
                })?;
        let Some(plain) = plain else {
            return Ok(None);
        };
        // `ureq`'s type is not `Clone`.
        let shared = ConnectionDetails {
            uri: details.uri,
            addrs: details.addrs.clone(),
            config: details.config,
            // The TLS part of every call's configuration is the client's.
            request_level: false,
            resolver: details.resolver,
            now: details.now,
            timeout: details.timeout,
            current_time: details.current_time.clone(),
            run_connector: details.run_connector.clone(),
            register_shutdown: details.register_shutdown.clone(),
        };
        // Rounded under TLS too: rustls hands the socket what is left of the
        // time at each read and write.
        self.tls.connect(&shared, Some(Rounded(plain).boxed()))
    }
}

/// A connection whose socket timeouts are rounded up to a step of whole
/// milliseconds: a power of two, at most 1/256 of the time left but at least
/// 1 ms (1 ms under half a second, 64 ms for 30 s).
///
/// `ureq` sets a socket's read and write timeouts (a `setsockopt` each)
/// whenever the time left differs from the value it set last, and with a
/// deadline it differs by microseconds on every call: three `setsockopt` per
/// warm call, 12 syscalls where bare `ureq` makes 9. Rounded, a warm call
/// sets none. Measured (`benches/README.md`): on `localhost` that is a few
/// hundredths of bare `ureq`'s calls per second. A call may run over its
/// deadline by at most 1/256 of its time left, or by under 1 ms when that is
/// less; none is cut short.
#[derive(Debug)]
pub(super) struct Rounded<T>(T);

impl<T: Transport> Transport for Rounded<T> {
    fn buffers(&mut self) -> &mut dyn Buffers {
        self.0.buffers()
    }
    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.0.transmit_output(amount, round_up(timeout))
    }
    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.await_input(round_up(timeout))
    }
    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }
    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

/// `timeout` with its time left rounded up to its step (see [`Rounded`]).
fn round_up(mut timeout: NextTimeout) -> NextTimeout {
    if let Left::Exact(left) = timeout.after {
        let step: u128 = 1_000_000 << (left.as_millis() / 256).clamp(1, 1 << 20).ilog2();
        let up = u64::try_from((step - left.as_nanos() % step) % step).unwrap_or(0);
        timeout.after = Left::Exact(left.saturating_add(Duration::from_nanos(up)));
    }
    timeout
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;
    use std::net::{IpAddr, SocketAddr, TcpListener, TcpStream};
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::time::{Duration, Instant};

    use super::*;
    use crate::error::TransportErrorKind;
    use crate::transport::addresses::ADDRESS_TTL;
    use crate::transport::resolve::tests::{
        Server, assert_timed_out, call, counting, post_until, silent_listener, through, transport,
        transport_kind, via,
    };

    fn rounded(left: Duration) -> Duration {
        let timeout = NextTimeout {
            after: Left::Exact(left),
            ..NextTimeout::default()
        };
        match round_up(timeout).after {
            Left::Exact(rounded) => rounded,
            Left::NotHappening => panic!("{left:?} became no timeout"),
        }
    }

    /// Warm calls a few microseconds apart set the same socket timeouts;
    /// none is shortened, or lengthened by more than 1/256 of it (1 ms at
    /// least); the extremes neither panic nor overflow.
    #[test]
    fn socket_timeouts_round_up_to_a_coarse_step() {
        // 30 s: a step of 64 ms, up to 469 of them.
        let up = Duration::from_millis(30_016);
        for micros_gone in [1, 40, 90, 900] {
            assert_eq!(
                rounded(Duration::from_secs(30) - Duration::from_micros(micros_gone)),
                up
            );
        }
        assert_eq!(rounded(up), up);
        assert_eq!(rounded(Duration::from_nanos(1)), Duration::from_millis(1));
        for left in [
            Duration::from_micros(1_500),
            Duration::from_millis(499),
            Duration::from_millis(12_345),
            Duration::from_secs(86_400) + Duration::from_nanos(7),
        ] {
            let up = rounded(left);
            assert!(up >= left && up - left <= (left / 256).max(Duration::from_millis(1)));
            assert_eq!(up.subsec_nanos() % 1_000_000, 0, "{up:?}");
        }
        assert_eq!(rounded(Duration::MAX), Duration::MAX);
        assert!(matches!(
            round_up(NextTimeout::default()).after,
            Left::NotHappening
        ));
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
        assert_eq!(server.connections(), 1);
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
        assert_eq!(server.connections(), 1);
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

    /// A SOCKS proxy that accepts and says nothing: the call ends at its
    /// deadline.
    #[test]
    fn a_silent_socks_proxy_ends_at_the_deadline() {
        let port = silent_listener().port();
        let (cache, _) = counting(ADDRESS_TTL);
        for scheme in ["socks5h", "socks4", "socks5"] {
            let t = through(&format!("{scheme}://127.0.0.1:{port}"), &cache);
            let started = Instant::now();
            let deadline = started + Duration::from_millis(400);
            let result = post_until(&t, "https://127.0.0.1:9/v1/x", deadline);
            assert_timed_out(result, started, Duration::from_secs(2));
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

    /// The port of a `host:port` key.
    fn port_of(key: &str) -> u16 {
        key.rsplit_once(':').unwrap().1.parse().unwrap()
    }
}
