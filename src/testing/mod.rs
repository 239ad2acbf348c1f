//! A local job status simulator, for testing code that uses this crate
//! without network access or credentials (feature `testing`).
//!
//! The simulator listens on `127.0.0.1` on an ephemeral port and answers
//! `POST /v1/job_status` the way Smile ID does: it checks the request's
//! signature (a bad one gets a 401 with code 2205, a field of the wrong type
//! such as a numeric `partner_id` a 400 with code 2204) and answers with a
//! response signed for the same partner id and API key. Any other path is a
//! 404, as at Smile ID, so a base URL without `/v1` fails in your tests too.
//! A [`Scenario`] chooses what it answers, including the failures a client
//! must catch. It stops when dropped.
//!
//! ```
//! use smile_id::testing::{Scenario, Simulator};
//! use smile_id::{JobStatusOptions, PartnerParams, WebApi};
//!
//! let sim = Simulator::start("002", "test-api-key")?;
//! let api = WebApi::new("002", "", "test-api-key", sim.server())?;
//! let job = PartnerParams::new("user-1", "job-1");
//!
//! let status = api.get_job_status(&job, &JobStatusOptions::default())?;
//! assert!(status.job_complete && status.job_success);
//!
//! sim.set_scenario(Scenario::TamperedSignature);
//! assert!(matches!(
//!     api.get_job_status(&job, &JobStatusOptions::default()),
//!     Err(smile_id::Error::SignatureMismatch { .. })
//! ));
//! assert_eq!(sim.request_count(), 2);
//! # Ok::<(), smile_id::Error>(())
//! ```

mod fixtures;
mod http;
mod scenario;

use std::collections::HashMap;
use std::fmt;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use crate::error::TransportErrorKind;
use crate::{Error, Server, Signature};

pub use fixtures::{complete_result, job_status_json, outcome_result, sign_callback, sign_json};
pub use http::ReceivedRequest;
use http::{HttpServer, lock};
pub use scenario::Scenario;
use scenario::Shared;

/// A job status simulator on `127.0.0.1`; see the [module docs](self).
pub struct Simulator {
    base_url: String,
    shared: Arc<Shared>,
    /// Stops (and with it every connection) when the simulator is dropped.
    _http: HttpServer,
}

impl Simulator {
    /// Starts a simulator that signs for `partner_id` and `api_key`, answering
    /// [`Scenario::ByJobId`]: approved, unless the job id asks for another
    /// outcome.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty partner id or key, and
    /// [`Error::Transport`] when no port can be opened on 127.0.0.1.
    pub fn start(partner_id: &str, api_key: &str) -> Result<Self, Error> {
        Self::start_with(partner_id, api_key, Scenario::ByJobId)
    }

    /// Starts a simulator answering `scenario`.
    ///
    /// # Errors
    ///
    /// As for [`start`](Self::start).
    pub fn start_with(partner_id: &str, api_key: &str, scenario: Scenario) -> Result<Self, Error> {
        Self::start_at(
            SocketAddr::from(([127, 0, 0, 1], 0)),
            partner_id,
            api_key,
            scenario,
        )
    }

    /// Starts a simulator answering `scenario` on `addr`, a loopback address
    /// (port 0 for any free port), e.g. to serve other processes from a
    /// known port as `smile-id simulate --addr` does.
    ///
    /// # Errors
    ///
    /// As for [`start`](Self::start); [`Error::InvalidInput`] for an address
    /// that is not loopback (plain http is only for loopback); and
    /// [`Error::Transport`] whose [`source`](std::error::Error::source) is the
    /// [`std::io::Error`] when `addr` cannot be bound (e.g. its port is in use).
    pub fn start_at(
        addr: SocketAddr,
        partner_id: &str,
        api_key: &str,
        scenario: Scenario,
    ) -> Result<Self, Error> {
        let signature = Signature::new(partner_id, api_key)?;
        if !addr.ip().is_loopback() {
            return Err(Error::invalid_input(
                "addr",
                "must be a loopback address, e.g. 127.0.0.1:8787",
            ));
        }
        let shared = Arc::new(Shared {
            signature,
            scenario: Mutex::new((scenario, 0)),
            requests: Mutex::new(Vec::new()),
            polls: Mutex::new(HashMap::new()),
        });
        let http = {
            let shared = Arc::clone(&shared);
            HttpServer::start_at(addr, move |connection| shared.serve(connection))
        }
        .map_err(|err| Error::Transport {
            kind: TransportErrorKind::Io,
            host: Some(addr.to_string()),
            elapsed: None,
            source: Box::new(err),
        })?;
        Ok(Simulator {
            base_url: format!("http://{}/v1", http.local_addr()),
            shared,
            _http: http,
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The simulator as a [`Server`] to build a client with.
    pub fn server(&self) -> Server {
        Server::Custom(crate::server::BaseUrl(self.base_url.clone()))
    }

    /// Changes what the simulator answers from the next request on.
    ///
    /// [`Scenario::CompleteAfter`] and [`Scenario::Sequence`] count requests
    /// from this call, not from the simulator's start ([`Scenario::ByJobId`]'s
    /// `pending-N` ids count from the start).
    pub fn set_scenario(&self, scenario: Scenario) {
        let mut current = lock(&self.shared.scenario);
        *current = (scenario, lock(&self.shared.requests).len());
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests have been received.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// The signer the simulator uses, e.g. to sign callback bodies.
    pub fn signature(&self) -> &Signature {
        &self.shared.signature
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .field("signature", &self.shared.signature)
            .field("scenario", &lock(&self.shared.scenario).0)
            .finish()
    }
}
