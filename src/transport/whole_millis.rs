//! Socket timeouts in whole milliseconds, so that warm calls set none.

use std::fmt;
use std::time::Duration;

use ureq::unversioned::transport::time::Duration as UreqDuration;
use ureq::unversioned::transport::{NextTimeout, Transport};

/// A connection whose socket timeouts are whole milliseconds, rounded up.
///
/// `ureq` sets a socket's read and write timeouts (one `setsockopt` each)
/// whenever the time left differs from the value set last. With a deadline
/// that time differs by microseconds on every call, so every call paid three
/// `setsockopt`s. Rounded up to the millisecond (the kernel keeps these
/// timeouts in clock ticks of 1 to 10 ms anyway), a call that starts with the
/// same timeout as the last one sets nothing, and no deadline is cut short;
/// one may run at most 1 ms long.
pub(super) struct WholeMillis<T>(T);

impl<T> WholeMillis<T> {
    pub(super) fn new(connection: T) -> Self {
        WholeMillis(connection)
    }
}

/// `timeout` with its time left rounded up to a whole millisecond.
fn whole_millis(mut timeout: NextTimeout) -> NextTimeout {
    if let UreqDuration::Exact(left) = timeout.after {
        let partial = left.subsec_nanos() % 1_000_000;
        if partial != 0 {
            if let Some(up) = left.checked_add(Duration::from_nanos(u64::from(1_000_000 - partial)))
            {
                timeout.after = UreqDuration::Exact(up);
            }
        }
    }
    timeout
}

impl<T: Transport> Transport for WholeMillis<T> {
    fn buffers(&mut self) -> &mut dyn ureq::unversioned::transport::Buffers {
        self.0.buffers()
    }

    fn transmit_output(&mut self, amount: usize, timeout: NextTimeout) -> Result<(), ureq::Error> {
        self.0.transmit_output(amount, whole_millis(timeout))
    }

    fn maybe_await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.maybe_await_input(whole_millis(timeout))
    }

    fn await_input(&mut self, timeout: NextTimeout) -> Result<bool, ureq::Error> {
        self.0.await_input(whole_millis(timeout))
    }

    fn is_open(&mut self) -> bool {
        self.0.is_open()
    }

    fn is_tls(&self) -> bool {
        self.0.is_tls()
    }
}

impl<T: fmt::Debug> fmt::Debug for WholeMillis<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn socket_timeouts_round_up_to_whole_milliseconds() {
        use ureq::unversioned::transport::time::Duration as D;
        let after = |d: D| {
            whole_millis(NextTimeout {
                after: d,
                ..NextTimeout::default()
            })
            .after
        };
        let exact = |d: Duration| after(D::Exact(d));
        assert_eq!(
            exact(Duration::from_millis(30_000)),
            D::Exact(Duration::from_millis(30_000))
        );
        assert_eq!(
            exact(Duration::from_nanos(1)),
            D::Exact(Duration::from_millis(1))
        );
        assert_eq!(
            exact(Duration::from_micros(29_999_870)),
            D::Exact(Duration::from_millis(30_000))
        );
        // Never shorter, and no overflow at the extreme.
        assert_eq!(exact(Duration::MAX), D::Exact(Duration::MAX));
        assert_eq!(exact(Duration::ZERO), D::Exact(Duration::ZERO));
        assert_eq!(after(D::NotHappening), D::NotHappening);
    }
}
