//! TLS for new connections: `ureq`'s rustls connector, built once per client
//! and shared by every connection, so that sessions are resumed.
//!
//! Every call sets its own deadline (`timeout_global`), which makes its
//! `ureq` configuration "request level"; for a request-level configuration
//! `ureq`'s rustls connector builds a fresh rustls `ClientConfig` (root store
//! and all) for each new connection and never keeps it, so no session was
//! ever resumed and each new connection paid for a full handshake and a
//! config build. Only the deadline differs per call: the TLS settings (roots,
//! versions) are the client's, fixed when it is built, so the connector is
//! told the configuration is the agent's, and it keeps the one it builds
//! first, with its session cache.

use ureq::unversioned::transport::{ConnectionDetails, Connector, RustlsConnector, Transport};

/// `ureq`'s rustls connector, given the client's one TLS configuration.
#[derive(Debug, Default)]
pub(crate) struct SharedTls(RustlsConnector);

impl<In: Transport> Connector<In> for SharedTls {
    type Out = <RustlsConnector as Connector<In>>::Out;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<In>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        // ureq's connector panics without a transport to wrap; the connectors
        // before it always give one, and none is passed on as none.
        if chained.is_none() {
            return Ok(None);
        }
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
        self.0.connect(&shared, chained)
    }
}
