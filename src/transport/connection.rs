//! Counting the connections each thread opens, for telling a pooled
//! connection's failure from a new one's.

use std::cell::Cell;

use ureq::unversioned::transport::{ConnectionDetails, Connector, Transport};

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
/// anything (a SOCKS or TLS handshake) can fail.
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
