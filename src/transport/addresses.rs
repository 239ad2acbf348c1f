//! Looked-up addresses per host and port, kept for a bounded time, and the
//! lookup itself, which ends within a timeout.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long looked-up addresses are used for new connections before the host
/// is looked up again.
pub(crate) const ADDRESS_TTL: Duration = Duration::from_secs(60);

/// Host names remembered at most; a client talks to one or two hosts.
const MAX_CACHED_HOSTS: usize = 16;

/// Lookups running at once at most, each for a different host and port.
const MAX_LOOKUPS_IN_FLIGHT: usize = 16;

/// How a host name becomes addresses; the system resolver outside tests.
type Lookup = dyn Fn(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + Sync;

/// Looked-up addresses per host and port, each kept for a bounded time.
///
/// A lookup runs on a helper thread, because `getaddrinfo` cannot be
/// interrupted and a call must end within its connect timeout. There is at
/// most one such thread per host and port: a call that needs the addresses
/// while a lookup for them runs waits for that lookup, within its own timeout,
/// rather than starting another. A lookup that hangs (a dead DNS server can
/// take tens of seconds) therefore holds one thread, however many calls time
/// out waiting for it, and when it ends its addresses are cached for the next
/// call.
pub(crate) struct AddressCache {
    ttl: Duration,
    lookup: Arc<Lookup>,
    entries: Arc<Mutex<Vec<Entry>>>,
    in_flight: Arc<Mutex<Vec<InFlight>>>,
    lookups: AtomicU64,
}

struct Entry {
    host: String,
    port: u16,
    at: Instant,
    addrs: Vec<SocketAddr>,
}

/// A lookup running on its helper thread, and where its outcome will be.
struct InFlight {
    host: String,
    port: u16,
    outcome: Arc<Outcome>,
}

/// A finished lookup: the addresses, or the failure's kind and message (an
/// `io::Error` cannot be shared).
type Looked = Result<Vec<SocketAddr>, (io::ErrorKind, String)>;

/// A lookup's outcome, for every call waiting on it.
#[derive(Default)]
struct Outcome {
    result: Mutex<Option<Looked>>,
    done: Condvar,
}

impl AddressCache {
    /// The system resolver, with [`ADDRESS_TTL`].
    pub(crate) fn system() -> Self {
        AddressCache::with_lookup(ADDRESS_TTL, |host, port| {
            (host, port).to_socket_addrs().map(Iterator::collect)
        })
    }

    pub(crate) fn with_lookup(
        ttl: Duration,
        lookup: impl Fn(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + Sync + 'static,
    ) -> Self {
        AddressCache {
            ttl,
            lookup: Arc::new(lookup),
            entries: Arc::new(Mutex::new(Vec::new())),
            in_flight: Arc::new(Mutex::new(Vec::new())),
            lookups: AtomicU64::new(0),
        }
    }

    /// How many host name lookups were started.
    #[cfg(test)]
    pub(crate) fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// The addresses of `host`, from the cache when fresh, else looked up
    /// within `timeout` (`None`: no limit).
    pub(super) fn addresses(
        &self,
        host: &str,
        port: u16,
        timeout: Option<Duration>,
    ) -> Result<Vec<SocketAddr>, LookupError> {
        if let Some(addrs) = self.cached(host, port) {
            return Ok(addrs);
        }
        let Some(timeout) = timeout else {
            // No time limit: no reason for a helper thread.
            self.lookups.fetch_add(1, Ordering::Relaxed);
            let addrs = (self.lookup)(host, port).map_err(LookupError::Io)?;
            if addrs.is_empty() {
                return Err(LookupError::NotFound);
            }
            store(&self.entries, self.ttl, host, port, &addrs);
            return Ok(addrs);
        };
        let outcome = self.join_or_start(host, port)?;
        let poisoned = || LookupError::Io(io::Error::other("host name lookup failed"));
        let result = outcome.result.lock().map_err(|_| poisoned())?;
        let (result, _) = outcome
            .done
            .wait_timeout_while(result, timeout, |r| r.is_none())
            .map_err(|_| poisoned())?;
        match result.as_ref() {
            None => Err(LookupError::Timeout),
            Some(Ok(addrs)) if addrs.is_empty() => Err(LookupError::NotFound),
            Some(Ok(addrs)) => Ok(addrs.clone()),
            Some(Err((kind, message))) => {
                Err(LookupError::Io(io::Error::new(*kind, message.as_str())))
            }
        }
    }

    /// The lookup of `host` and `port` already running, or a new one on a
    /// helper thread.
    fn join_or_start(&self, host: &str, port: u16) -> Result<Arc<Outcome>, LookupError> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(running) = in_flight.iter().find(|f| f.port == port && f.host == host) {
            return Ok(Arc::clone(&running.outcome));
        }
        if in_flight.len() >= MAX_LOOKUPS_IN_FLIGHT {
            return Err(LookupError::Io(io::Error::other(
                "too many host name lookups in flight",
            )));
        }
        let outcome = Arc::new(Outcome::default());
        let lookup = Arc::clone(&self.lookup);
        let entries = Arc::clone(&self.entries);
        let registry = Arc::clone(&self.in_flight);
        let published = Arc::clone(&outcome);
        let (ttl, owned) = (self.ttl, host.to_owned());
        std::thread::Builder::new()
            .name("smile-id-resolve".into())
            .spawn(move || {
                // Published however the lookup ends, a panic included, so
                // that no call waits on a lookup that is gone.
                let mut publish = Publish {
                    registry,
                    outcome: published,
                    result: Err((io::ErrorKind::Other, "host name lookup failed".to_owned())),
                };
                let result = lookup(&owned, port);
                if let Ok(addrs) = &result {
                    if !addrs.is_empty() {
                        store(&entries, ttl, &owned, port, addrs);
                    }
                }
                publish.result = result.map_err(|e| (e.kind(), e.to_string()));
            })
            .map_err(LookupError::Io)?;
        self.lookups.fetch_add(1, Ordering::Relaxed);
        in_flight.push(InFlight {
            host: host.to_owned(),
            port,
            outcome: Arc::clone(&outcome),
        });
        Ok(outcome)
    }

    /// Drops the addresses kept for `host` and `port`: none of them took a
    /// connection.
    pub(super) fn forget(&self, host: &str, port: u16) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|e| !(e.port == port && e.host == host));
        }
    }

    fn cached(&self, host: &str, port: u16) -> Option<Vec<SocketAddr>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|e| e.port == port && e.host == host && e.at.elapsed() < self.ttl)
            .map(|e| e.addrs.clone())
    }
}

/// Ends a lookup when dropped: no longer in flight, its result for every
/// call waiting on it.
struct Publish {
    registry: Arc<Mutex<Vec<InFlight>>>,
    outcome: Arc<Outcome>,
    result: Looked,
}

impl Drop for Publish {
    fn drop(&mut self) {
        // Cached first (by the lookup), then no longer in flight: a call
        // arriving in between finds one or the other.
        let mut list = self.registry.lock().unwrap_or_else(PoisonError::into_inner);
        list.retain(|f| !Arc::ptr_eq(&f.outcome, &self.outcome));
        drop(list);
        let result = std::mem::replace(&mut self.result, Ok(Vec::new()));
        let mut slot = self
            .outcome
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *slot = Some(result);
        drop(slot);
        self.outcome.done.notify_all();
    }
}

/// Remembers `addrs` for `host` and `port`, replacing what was there.
fn store(entries: &Mutex<Vec<Entry>>, ttl: Duration, host: &str, port: u16, addrs: &[SocketAddr]) {
    let Ok(mut entries) = entries.lock() else {
        return;
    };
    entries.retain(|e| !(e.port == port && e.host == host) && e.at.elapsed() < ttl);
    if entries.len() >= MAX_CACHED_HOSTS {
        // Oldest first: drop the oldest.
        entries.remove(0);
    }
    entries.push(Entry {
        host: host.to_owned(),
        port,
        at: Instant::now(),
        addrs: addrs.to_vec(),
    });
}

impl fmt::Debug for AddressCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

/// Why a lookup gave no address.
pub(super) enum LookupError {
    Io(io::Error),
    NotFound,
    Timeout,
}
