//! Looked-up addresses per host and port, kept for a bounded time, and the
//! lookup itself, which ends within a timeout.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long looked-up addresses are used for new connections before the host
/// is looked up again.
pub(crate) const ADDRESS_TTL: Duration = Duration::from_secs(60);

/// Host names remembered at most; a client talks to one or two hosts.
const MAX_CACHED_HOSTS: usize = 16;

/// How a host name becomes addresses; the system resolver outside tests.
type Lookup = dyn Fn(&str, u16) -> io::Result<Vec<SocketAddr>> + Send + Sync;

/// Looked-up addresses per host and port, each kept for a bounded time.
pub(crate) struct AddressCache {
    ttl: Duration,
    lookup: Arc<Lookup>,
    entries: Mutex<Vec<Entry>>,
    lookups: AtomicU64,
}

struct Entry {
    host: String,
    port: u16,
    at: Instant,
    addrs: Vec<SocketAddr>,
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
            entries: Mutex::new(Vec::new()),
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
        self.lookups.fetch_add(1, Ordering::Relaxed);
        let addrs = match timeout {
            None => (self.lookup)(host, port).map_err(LookupError::Io)?,
            Some(timeout) => {
                // getaddrinfo cannot be interrupted: it runs on a helper thread,
                // which is left to finish on its own if the time runs out.
                let (tx, rx) = mpsc::sync_channel(1);
                let lookup = Arc::clone(&self.lookup);
                let owned = host.to_owned();
                std::thread::Builder::new()
                    .name("smile-id-resolve".into())
                    .spawn(move || {
                        let _ = tx.send(lookup(&owned, port));
                    })
                    .map_err(LookupError::Io)?;
                match rx.recv_timeout(timeout) {
                    Ok(result) => result.map_err(LookupError::Io)?,
                    Err(mpsc::RecvTimeoutError::Timeout) => return Err(LookupError::Timeout),
                    Err(mpsc::RecvTimeoutError::Disconnected) => {
                        return Err(LookupError::Io(io::Error::other("lookup thread failed")));
                    }
                }
            }
        };
        if addrs.is_empty() {
            return Err(LookupError::NotFound);
        }
        self.store(host, port, &addrs);
        Ok(addrs)
    }

    fn cached(&self, host: &str, port: u16) -> Option<Vec<SocketAddr>> {
        let entries = self.entries.lock().ok()?;
        entries
            .iter()
            .find(|e| e.port == port && e.host == host && e.at.elapsed() < self.ttl)
            .map(|e| e.addrs.clone())
    }

    fn store(&self, host: &str, port: u16, addrs: &[SocketAddr]) {
        let Ok(mut entries) = self.entries.lock() else {
            return;
        };
        let ttl = self.ttl;
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
