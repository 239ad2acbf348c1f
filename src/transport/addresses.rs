//! Looked-up addresses per `host:port`, kept for a bounded time, and the
//! lookup itself, which ends within a timeout.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long looked-up addresses are used before the host is looked up again.
pub(crate) const ADDRESS_TTL: Duration = Duration::from_secs(60);

/// Host names remembered at most; a client talks to one or two hosts.
const MAX_CACHED_HOSTS: usize = 16;

/// Lookups running at once at most (per client).
const MAX_LOOKUPS_IN_FLIGHT: usize = 16;

/// How `host:port` becomes addresses; the system resolver outside tests.
type Lookup = dyn Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync;

/// Looked-up addresses per `host:port`, each kept for [`ADDRESS_TTL`].
///
/// A lookup with a timeout runs on a helper thread, as `ureq`'s own resolver
/// does, because `getaddrinfo` cannot be interrupted. A lookup that hangs (a
/// dead DNS server can take tens of seconds) holds its thread until it ends,
/// and then caches what it found; at most [`MAX_LOOKUPS_IN_FLIGHT`] such
/// threads run at once, and a call that finds them all busy fails at once.
/// Calls do not wait on each other's lookups: a script or a command-line
/// tool makes one lookup a minute whatever, and a service whose DNS hangs
/// gains nothing from sharing a lookup that will not end in time.
pub(crate) struct AddressCache {
    ttl: Duration,
    lookup: Arc<Lookup>,
    entries: Arc<Mutex<Vec<Entry>>>,
    in_flight: Arc<AtomicUsize>,
    lookups: AtomicU64,
}

struct Entry {
    key: String,
    at: Instant,
    addrs: Vec<SocketAddr>,
}

impl AddressCache {
    /// The system resolver, with [`ADDRESS_TTL`].
    pub(crate) fn system() -> Self {
        AddressCache::with_lookup(ADDRESS_TTL, |key| {
            key.to_socket_addrs().map(Iterator::collect)
        })
    }

    pub(crate) fn with_lookup(
        ttl: Duration,
        lookup: impl Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync + 'static,
    ) -> Self {
        AddressCache {
            ttl,
            lookup: Arc::new(lookup),
            entries: Arc::new(Mutex::new(Vec::new())),
            in_flight: Arc::new(AtomicUsize::new(0)),
            lookups: AtomicU64::new(0),
        }
    }

    /// How many host name lookups were started.
    #[cfg(test)]
    pub(crate) fn lookups(&self) -> u64 {
        self.lookups.load(Ordering::Relaxed)
    }

    /// How many lookup threads are running.
    #[cfg(test)]
    pub(crate) fn in_flight(&self) -> usize {
        self.in_flight.load(Ordering::SeqCst)
    }

    /// The addresses of `key` (`host:port`), from the cache when fresh, else
    /// looked up within `timeout` (`None`: no limit). `Ok(None)`: the time
    /// ran out.
    pub(super) fn addresses(
        &self,
        key: &str,
        timeout: Option<Duration>,
    ) -> io::Result<Option<Vec<SocketAddr>>> {
        if let Some(e) = self.entries.lock().ok().and_then(|entries| {
            let fresh = entries
                .iter()
                .find(|e| e.key == key && e.at.elapsed() < self.ttl);
            fresh.map(|e| e.addrs.clone())
        }) {
            return Ok(Some(e));
        }
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let Some(timeout) = timeout else {
            let addrs = (self.lookup)(key)?;
            store(&self.entries, key, &addrs);
            return Ok(Some(addrs));
        };
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_LOOKUPS_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(io::Error::other("too many host name lookups in flight"));
        }
        let running = Running(Arc::clone(&self.in_flight));
        let (lookup, entries, owned) = (
            Arc::clone(&self.lookup),
            Arc::clone(&self.entries),
            key.to_owned(),
        );
        let (tx, rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("smile-id-resolve".into())
            .spawn(move || {
                let _running = running;
                let result = lookup(&owned);
                if let Ok(addrs) = &result {
                    store(&entries, &owned, addrs);
                }
                let _ = tx.send(result);
            })?;
        match rx.recv_timeout(timeout) {
            Ok(result) => result.map(Some),
            Err(mpsc::RecvTimeoutError::Timeout) => Ok(None),
            // The lookup panicked.
            Err(mpsc::RecvTimeoutError::Disconnected) => {
                Err(io::Error::other("host name lookup failed"))
            }
        }
    }

    /// Drops the addresses kept for `key`: none of them took a connection.
    pub(super) fn forget(&self, key: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|e| e.key != key);
        }
    }
}

/// A lookup thread running, until dropped (a panic included).
struct Running(Arc<AtomicUsize>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Remembers `addrs` for `key`, replacing what was there; nothing for none.
fn store(entries: &Mutex<Vec<Entry>>, key: &str, addrs: &[SocketAddr]) {
    let Ok(mut entries) = entries.lock() else {
        return;
    };
    if addrs.is_empty() {
        return;
    }
    entries.retain(|e| e.key != key);
    if entries.len() >= MAX_CACHED_HOSTS {
        // Oldest first: drop the oldest.
        entries.remove(0);
    }
    entries.push(Entry {
        key: key.to_owned(),
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
