//! A blocking client for [Smile ID](https://usesmileid.com)'s job status API
//! that verifies every answer before you see it: its signature (in constant
//! time), its timestamp's freshness, and that it is about the job you asked for.
//!
//! [`WebApi::new`]`(partner_id, default_callback, api_key, sid_server)` and
//! [`WebApi::get_job_status`] work as in Smile ID's official SDKs. Results are
//! typed ([`JobStatus`], [`JobResult`]) and keep every field they do not model;
//! failures are one typed [`Error`]. The API key never appears in any message,
//! `Debug` output included. No async runtime: it suits scripts, command-line
//! tools and threaded services.
//!
//! # Quick start
//!
//! ```no_run
//! use smile_id::{JobStatusOptions, PartnerParams, Verdict, WebApi};
//!
//! // SMILE_ID_PARTNER_ID, SMILE_ID_API_KEY and optionally SMILE_ID_SERVER.
//! let api = WebApi::from_env()?;
//! let status = api.get_job_status(
//!     &PartnerParams::new("user-123", "job-456"),
//!     &JobStatusOptions { return_history: true, return_image_links: false },
//! )?;
//! // Already verified: signed with your key, fresh, and about job-456.
//! println!("{status}"); // approved: complete, successful; code 2302; result 0810 (enrol user: approved); ...
//! match status.verdict() {
//!     Verdict::Approved => { /* onboard the user */ }
//!     Verdict::Rejected => { /* refuse, or ask for another document */ }
//!     Verdict::Provisional => { /* under human review: wait for the final result */ }
//!     Verdict::Failed => { /* nothing was decided: fix the cause or retry later */ }
//!     _ => { /* Pending: ask again later, or wait for the callback */ }
//! }
//! # Ok::<(), smile_id::Error>(())
//! ```
//!
//! # Configuration
//!
//! [`WebApi::new`] takes the official SDKs' arguments; `sid_server` is a
//! [`Server`], `0`/`1`, `"0"`/`"1"`, `"sandbox"`/`"production"`, or a base URL
//! (https; plain http only on loopback). [`WebApi::builder`] changes the
//! defaults (each setter documents its own), and [`WebApi::from_env`] /
//! [`WebApiBuilder::from_env`] read:
//!
//! | variable | | meaning |
//! |---|---|---|
//! | `SMILE_ID_PARTNER_ID` | required | your partner id, exactly (`"002"` is not `"2"`) |
//! | `SMILE_ID_API_KEY` | required | the API key for that server |
//! | `SMILE_ID_SERVER` | optional | `0`/`sandbox` (the default), `1`/`production`, or a base URL |
//! | `SMILE_ID_CALLBACK_URL` | optional | the default callback URL |
//!
//! ```
//! use std::time::Duration;
//! use smile_id::{Server, WebApi};
//!
//! let api = WebApi::builder("002", "api-key")
//!     .server(Server::Production)
//!     .timeout(Duration::from_secs(15))
//!     .max_retries(1)
//!     .build()?;
//! assert_eq!(api.config().server.base_url(), "https://api.smileidentity.com/v1");
//! # Ok::<(), smile_id::Error>(())
//! ```
//!
//! Build the client once and share it: it is `Send + Sync` and cheap to clone.
//!
//! # Errors
//!
//! Every fallible function returns [`Error`], one `#[non_exhaustive]` enum
//! whose variants say what to do (its documentation has the full table):
//! [`InvalidInput`](Error::InvalidInput) (fix the input; nothing was sent),
//! [`Transport`](Error::Transport) and [`Http`](Error::Http) 408, 429, 500,
//! 502-504 (retry later: [`Error::is_transient`]), other [`Http`](Error::Http) (fix the
//! request; [`error_code_meaning`] explains Smile ID's code),
//! [`ResponseTooLarge`](Error::ResponseTooLarge) and [`Decode`](Error::Decode)
//! (investigate), [`SignatureMismatch`](Error::SignatureMismatch) (treat as
//! forged), [`InvalidTimestamp`](Error::InvalidTimestamp) and
//! [`TimestampOutOfTolerance`](Error::TimestampOutOfTolerance) (check clocks;
//! treat as a replay), [`JobMismatch`](Error::JobMismatch) (treat as a mix-up),
//! and [`WaitTimeout`](Error::WaitTimeout) (wait longer, later).
//!
//! Retries of transient failures happen inside each call, within its timeout;
//! verification failures are never retried.
//!
//! # Waiting for a job
//!
//! [`WebApi::wait_for_job`] polls on a growing interval ([`PollPolicy`]) until
//! the job is complete, and never hands back an incomplete status as the
//! answer: running out of time is [`Error::WaitTimeout`], carrying the last
//! status. [`WebApi::wait_for_job_with_progress`] reports each poll that does
//! not end the wait.
//!
//! ```no_run
//! use std::time::Duration;
//! use smile_id::{Error, JobStatusOptions, PartnerParams, PollPolicy, WebApi};
//!
//! let api = WebApi::from_env()?;
//! let job = PartnerParams::new("user-123", "job-456");
//! let policy = PollPolicy { timeout: Duration::from_secs(90), ..PollPolicy::default() };
//! match api.wait_for_job(&job, &JobStatusOptions::default(), &policy) {
//!     Ok(status) => println!("{status}"),
//!     Err(Error::WaitTimeout { attempts, .. }) => eprintln!("still running after {attempts} polls"),
//!     Err(other) => return Err(other), // forged, stale, another job, 4xx: stop at once
//! }
//! # Ok::<(), smile_id::Error>(())
//! ```
//!
//! # Callbacks
//!
//! [`WebApi::verify_callback`] checks a callback body's size, signature and
//! timestamp, and returns a [`Callback`] holding the same [`JobResult`] type:
//!
//! ```
//! # let api = smile_id::WebApi::new("002", "", "api-key", 0)?;
//! # let body = smile_id::testing::sign_callback(api.signature(), &smile_id::testing::complete_result("u", "j"))?;
//! match api.verify_callback(&body) {
//!     Ok(callback) => println!("{}", callback.result), // result 0810 (enrol user: approved); ...
//!     Err(err) => eprintln!("refused: {err}"),         // answer 401 or 400
//! }
//! # Ok::<(), smile_id::Error>(())
//! ```
//!
//! # Logging
//!
//! The crate reports through the [`log`](https://docs.rs/log) facade; nothing
//! is printed unless your program installs a logger. No line holds the API
//! key, a signature or personal data.
//!
//! | target | level | what |
//! |---|---|---|
//! | `smile_id::transport` | debug | each retry, with its reason (a status or a transport error) and the wait |
//! | `smile_id::poll` | debug | each poll of `wait_for_job`: job id, attempt, what came back |
//! | `smile_id::verify` | warn | each refused response or callback, with the `Error` variant |
//!
//! # Testing with the simulator
//!
//! The `testing` feature adds [`testing::Simulator`](https://docs.rs/smile-id/latest/smile_id/testing/struct.Simulator.html),
//! a job status server on 127.0.0.1 that checks your requests' signatures and
//! answers signed responses, with a [`Scenario`](https://docs.rs/smile-id/latest/smile_id/testing/enum.Scenario.html)
//! for each failure your code must handle, and
//! [`sign_callback`](https://docs.rs/smile-id/latest/smile_id/testing/fn.sign_callback.html) for your callback
//! handler's tests.
//!
//! ```toml
//! [dev-dependencies]
//! smile-id = { path = "../smile-id", features = ["testing"] } # not yet on crates.io
//! ```
//!
//! # Features
//!
//! - `testing` (off by default): the [`testing`](https://docs.rs/smile-id/latest/smile_id/testing/index.html) module;
//!   no further dependency (its HTTP server is std only).
//!
//! The README has the runnable examples; `SECURITY.md` the threat model,
//! `benches/README.md` the benchmarks and `CONTRIBUTING.md` the fuzzing set-up.
// The other lints (missing docs, no unwrap/expect/panic/indexing outside
// tests) are set in Cargo.toml's [lints] for every target.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]

mod client;
mod codes;
mod config;
mod env;
mod error;
mod judging;
mod logging;
mod model;
mod polling;
mod redact;
mod request;
mod server;
mod signature;
mod skim;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod transport;
mod verdict;
mod wire;

pub use client::WebApi;
pub use codes::{error_code_meaning, job_status_code_meaning, result_code_meaning};
pub use config::{Config, WebApiBuilder};
pub use error::{Error, HttpDetails, SignatureFailure, Subject, TransportErrorKind};
pub use model::{
    ActionResult, Actions, Callback, Extra, ImageLinks, JobResult, JobStatus, JobStatusOptions,
    JobType, PartnerParams, RawJson,
};
pub use model::{Verdict, VerdictBasis};
pub use polling::{PollOutcome, PollPolicy, PollProgress};
pub use server::{BaseUrl, Server};
pub use signature::{Signature, SignatureParams};
pub use transport::USER_AGENT;

/// The [`time`](https://docs.rs/time) crate, re-exported: its
/// `OffsetDateTime` (a response's timestamp) and its *signed* `Duration`
/// ([`Error::TimestampOutOfTolerance`]'s `skew` and `tolerance`, the
/// simulator's timestamp offsets) appear in this crate's API, so
/// `smile_id::time::Duration` saves adding the dependency yourself. The
/// settings (tolerances, timeouts) are `std::time::Duration`.
pub use time;

/// The README's code blocks, compiled and run as doc-tests (not part of the
/// documented API).
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
