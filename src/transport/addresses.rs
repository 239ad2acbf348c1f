//! Looked-up addresses per `host:port`, kept for a bounded time, and the
//! lookup itself, which ends within a timeout.

use std::collections::HashMap;
use std::fmt;
use std::io;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// How long looked-up addresses are used before the host is looked up again.
pub(crate) const ADDRESS_TTL: Duration = Duration::from_secs(60);

/// Lookups running at once at most (per client).
const MAX_LOOKUPS_IN_FLIGHT: usize = 16;

/// How `host:port` becomes addresses; the system resolver outside tests.
type Lookup = dyn Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync;

/// When each `host:port` was looked up, and its addresses.
type Entries = Mutex<HashMap<String, (Instant, Vec<SocketAddr>)>>;

/// Looked-up addresses per `host:port`, each kept for [`ADDRESS_TTL`]. The
/// keys are the client's server and proxy (redirects are not followed): a
/// handful at most.
///
/// A lookup runs on a helper thread, as `ureq`'s own resolver does, because
/// `getaddrinfo` cannot be interrupted. A lookup that hangs (a dead DNS
/// server can take tens of seconds) holds its thread until it ends, and then
/// caches what it found; at most [`MAX_LOOKUPS_IN_FLIGHT`] such threads run
/// at once, and a call that finds them all busy fails at once. Calls do not
/// wait on each other's lookups: a script or a command-line tool makes one
/// lookup a minute whatever, and a service whose DNS hangs gains nothing from
/// sharing a lookup that will not end in time.
pub(crate) struct AddressCache {
    ttl: Duration,
    lookup: Arc<Lookup>,
    entries: Arc<Entries>,
    in_flight: Arc<AtomicUsize>,
}

impl AddressCache {
    pub(crate) fn with_lookup(
        ttl: Duration,
        lookup: impl Fn(&str) -> io::Result<Vec<SocketAddr>> + Send + Sync + 'static,
    ) -> Self {
        AddressCache {
            ttl,
            lookup: Arc::new(lookup),
            entries: Arc::default(),
            in_flight: Arc::default(),
        }
    }

    /// The addresses of `key` (`host:port`), from the cache when fresh, else
    /// looked up within `timeout`. `Ok(None)`: the time ran out.
    pub(super) fn addresses(
        &self,
        key: &str,
        timeout: Duration,
    ) -> io::Result<Option<Vec<SocketAddr>>> {
        let fresh = self.entries.lock().ok().and_then(|entries| {
            let (at, addrs) = entries.get(key)?;
            (at.elapsed() < self.ttl).then(|| addrs.clone())
        });
        if fresh.is_some() {
            return Ok(fresh);
        }
        if self.in_flight.fetch_add(1, Ordering::SeqCst) >= MAX_LOOKUPS_IN_FLIGHT {
            self.in_flight.fetch_sub(1, Ordering::SeqCst);
            return Err(io::Error::other("too many host name lookups in flight"));
        }
        let running = Running(Arc::clone(&self.in_flight));
        let (lookup, entries, key) = (
            Arc::clone(&self.lookup),
            Arc::clone(&self.entries),
            key.to_owned(),
        );
        let (tx, rx) = mpsc::sync_channel(1);
        std::thread::Builder::new()
            .name("smile-id-resolve".into())
            .spawn(move || {
                let _running = running;
                let result = lookup(&key);
                // Failures and empty answers are not kept.
                if let (Ok(addrs), Ok(mut entries)) = (&result, entries.lock())
                    && !addrs.is_empty()
                {
                    entries.insert(key, (Instant::now(), addrs.clone()));
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
            entries.remove(key);
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

impl fmt::Debug for AddressCache {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AddressCache")
            .field("ttl", &self.ttl)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A failed lookup is reported, and not cached.
    #[test]
    fn failed_lookups_are_not_cached() {
        let asked = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&asked);
        let failing = AddressCache::with_lookup(ADDRESS_TTL, move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
            Err(std::io::Error::other(
                "failed to lookup address information",
            ))
        });
        for expected in 1..=2 {
            let e = failing
                .addresses("nowhere.invalid:443", Duration::from_secs(5))
                .unwrap_err();
            assert!(e.to_string().contains("failed to lookup"));
            assert_eq!(asked.load(Ordering::SeqCst), expected);
        }
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
            let r = cache.addresses("flaky.invalid:9", Duration::from_secs(30));
            assert!(r.is_err());
        }
        let r = cache.addresses("flaky.invalid:9", Duration::from_secs(30));
        assert!(matches!(r, Ok(Some(_))), "{r:?}");
    }

    /// A huge wait (`Duration::MAX`, or what `ureq` gives for "no timeout") on
    /// a running lookup neither panics nor misses the lookup's end.
    #[test]
    fn a_huge_wait_on_a_lookup_ends_with_it() {
        let cache = AddressCache::with_lookup(ADDRESS_TTL, |_| {
            std::thread::sleep(Duration::from_millis(100));
            Ok(vec![SocketAddr::from(([127, 0, 0, 1], 9))])
        });
        for t in [Duration::MAX, Duration::from_secs(u64::MAX)] {
            cache.forget("slow.invalid:9");
            assert!(matches!(cache.addresses("slow.invalid:9", t), Ok(Some(_))));
        }
    }
}
