//! What the client does to every connection it opens: socket timeouts
//! rounded up to coarse steps, so that warm calls set none; and counting the
//! connections each thread opens.

use std::cell::Cell;
use std::fmt;
use std::time::Duration;

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{ConnectionDetails, Connector, NextTimeout, Transport};

thread_local! {
    /// Connections this thread has started to open, through any client.
    static OPENED: Cell<u64> = const { Cell::new(0) };
}

/// How many connections this thread has started to open. `ureq` opens a
/// call's connection on the calling thread, so a call that failed without
/// this changing failed on a pooled connection.
pub(super) fn opened_here() -> u64 {
    OPENED.get()
}

/// The first connector of the chain, which `ureq` runs only to open a new
/// connection (for a CONNECT proxy, again for the proxy's): counts it, before
/// anything (a lookup, a SOCKS or TLS handshake) can fail.
#[derive(Debug, Default)]
pub(super) struct Opening;

impl<In: Transport> Connector<In> for Opening {
    type Out = In;

    fn connect(
        &self,
        _details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<In>, ureq::Error> {
        OPENED.set(OPENED.get().wrapping_add(1));
        Ok(chained)
    }
}

/// A connection as the pool sees it.
///
/// Its socket timeouts are rounded up to a step of whole milliseconds: a power
/// of two, at most 1/256 of the time left (1 ms under half a second, 64 ms for
/// 30 s). `ureq` sets a socket's read and write timeouts (one `setsockopt`
/// each) whenever the time left differs from the value set last. With a
/// deadline that time differs by microseconds on every call, so every call
/// paid three `setsockopt`s. Rounded up (the kernel keeps these timeouts in
/// clock ticks of 1 to 10 ms anyway), a call that starts with the same timeout
/// as the last one sets nothing, also when threads share the processor and a
/// call waits milliseconds between its start and its first read; no deadline
/// is cut short, and one may run at most 1 ms or 1/256 of its time left long.
///
/// `ureq` checks that a pooled connection is still usable (a non-blocking
/// read that must find nothing) both when it goes back to the pool and when
/// the next call takes it. Both checks stay: a server that closes a
/// connection, or sends bytes past its answer, a millisecond after answering
/// is caught only by the second, and skipping it would send the next request
/// on a closed connection or read those bytes as its answer.
pub(super) struct Connection<T> {
    inner: T,
}

impl<T> Connection<T> {
    pub(super) fn new(inner: T) -> Self {
        Connection { inner }
    }
}

/// The longest rounding step: past this, precision no longer matters.
const MAX_STEP_MILLIS: u128 = 1 << 20;

/// `timeout` with its time left rounded up to its step (see [`Connection`]).
fn rounded_up(mut timeout: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(left) = timeout.after {
        timeout.after = UreqDuration::Exact(round_up(left));
    }
    timeout
}

/// `left` rounded up to a multiple of the largest power-of-two number of
/// milliseconds that is at most `left / 256` (at least 1 ms); `left` itself
/// when rounding up would overflow.
fn round_up(left: Duration) -> Duration {
    let fraction = (left.as_millis() / 256).clamp(1, MAX_STEP_MILLIS);
    let step_millis = 1u128 << (u128::BITS - 1 - fraction.leading_zeros());
    let step = step_millis * 1_000_000;
    let partial = left.as_nanos() % step;
    if partial == 0 {
        return left;
    }
    u64::try_from(step - partial)
        .ok()
        .and_then(|up| left.checked_add(Duration::from_nanos(up)))
        .unwrap_or(left)
}

impl<T: Transport> Transport for Connection<T> {
    fn buffers(&mut self) -> &mut dyn ureq::unversioned::transport::Buffers {
        self.inner.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.inner.transmit_output(amount, rounded_up(timeout))
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.maybe_await_input(rounded_up(timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.inner.await_input(rounded_up(timeout))
    }

    fn is_open(&mut self) -> bool {
        self.inner.is_open()
    }

    fn is_tls(&self) -> bool {
        self.inner.is_tls()
    }
}

impl<T: fmt::Debug> fmt::Debug for Connection<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.inner.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::unversioned::transport::{Buffers, LazyBuffers};

    /// A transport that counts its liveness checks.
    #[derive(Debug)]
    struct Counted {
        checks: u32,
        open: bool,
        buffers: LazyBuffers,
    }

    impl Transport for Counted {
        fn buffers(&mut self) -> &mut dyn Buffers {
            &mut self.buffers
        }
        fn transmit_output(&mut self, _: usize, _: NextTimeout) -> Result<(), ureq::Error> {
            Ok(())
        }
        fn await_input(&mut self, _: NextTimeout) -> Result<bool, ureq::Error> {
            Ok(true)
        }
        fn is_open(&mut self) -> bool {
            self.checks += 1;
            self.open
        }
    }

    fn counted(open: bool) -> Connection<Counted> {
        Connection::new(Counted {
            checks: 0,
            open,
            buffers: LazyBuffers::new(64, 64),
        })
    }

    #[test]
    fn every_liveness_check_is_real() {
        let mut c = counted(true);
        // Back to the pool after a response, then taken at once by the next
        // call: checked both times.
        assert!(c.is_open());
        assert!(c.is_open());
        assert_eq!(c.inner.checks, 2);
        let mut closed = counted(false);
        assert!(!closed.is_open());
        assert!(!closed.is_open());
        assert_eq!(closed.inner.checks, 2);
    }

    #[test]
    fn socket_timeouts_round_up_to_coarse_steps() {
        use ureq::unversioned::transport::time::Duration as D;
        let after = |d: D| {
            rounded_up(NextTimeout {
                after: d,
                ..NextTimeout::default()
            })
            .after
        };
        let exact = |d: Duration| after(D::Exact(d));
        let ms = Duration::from_millis;
        // Under half a second: whole milliseconds.
        assert_eq!(exact(ms(300)), D::Exact(ms(300)));
        assert_eq!(exact(Duration::from_nanos(1)), D::Exact(ms(1)));
        assert_eq!(exact(Duration::from_micros(499_001)), D::Exact(ms(500)));
        // 30 s: steps of 64 ms, so calls a few milliseconds apart agree.
        assert_eq!(exact(ms(30_016)), D::Exact(ms(30_016)));
        assert_eq!(exact(ms(30_000)), D::Exact(ms(30_016)));
        assert_eq!(
            exact(Duration::from_micros(29_990_001)),
            D::Exact(ms(30_016))
        );
        assert_eq!(exact(ms(29_952)), D::Exact(ms(29_952)));
        // Never shorter, never more than 1 ms or 1/256 longer.
        for left in [
            1u64,
            999,
            1_000,
            1_001,
            255_999,
            256_000,
            30_000_123,
            86_400_000_321,
        ] {
            let left = Duration::from_micros(left);
            let D::Exact(got) = exact(left) else {
                panic!("not exact")
            };
            assert!(got >= left, "{left:?} -> {got:?}");
            assert!(got - left <= (left / 256).max(ms(1)), "{left:?} -> {got:?}");
        }
        // No overflow at the extremes.
        assert_eq!(exact(Duration::MAX), D::Exact(Duration::MAX));
        assert_eq!(exact(Duration::ZERO), D::Exact(Duration::ZERO));
        assert_eq!(after(D::NotHappening), D::NotHappening);
    }
}
