#![doc = include_str!("../README.md")]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]
#![cfg_attr(
    test,
    allow(
        clippy::unwrap_used,
        clippy::expect_used,
        clippy::panic,
        clippy::indexing_slicing
    )
)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod callback;
mod client;
mod codes;
mod display;
mod env;
mod error;
mod json;
mod logging;
mod poll;
mod response;
mod server;
mod signature;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod transport;
mod verify;

pub use callback::Callback;
pub use client::{
    DEFAULT_CALLBACK_TOLERANCE, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES, DEFAULT_RETRY_BASE_DELAY, DEFAULT_TIMEOUT, DEFAULT_TIMESTAMP_TOLERANCE,
    WebApi, WebApiBuilder,
};
pub use codes::{error_code_meaning, job_status_code_meaning, result_code_meaning};
pub use error::{Error, HttpDetails, SignatureFailure, TransportErrorKind};
pub use json::{Extra, RawJson};
pub use poll::{PollOutcome, PollPolicy, PollProgress};
pub use response::{
    ActionResult, Actions, ImageLinks, JobResult, JobStatus, JobStatusOptions, JobType,
    PartnerParams,
};
pub use server::Server;
pub use signature::{Signature, SignatureParams};
pub use transport::USER_AGENT;
