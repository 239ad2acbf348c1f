//! The integration tests: one binary, so `cargo test` compiles `common` and
//! links against the crate once. Each module was its own test binary before;
//! its tests keep their names under the module's.
//!
//! `tests/memory.rs` stays a binary of its own: its counting global allocator
//! would count every other test's allocations too.
#![cfg(test)] // so clippy.toml's allow-*-in-tests cover the helpers too

mod common;

mod callbacks;
mod cli;
mod concurrency;
/// The examples' rule for choosing the simulator: only when no `SMILE_ID_*`
/// variable is set at all; any partial set is an error naming what is missing.
/// (Compiled here too, so it builds under the test lints; the checks it
/// relies on are `WebApi::from_env`'s, tested in `src/env.rs`.)
#[path = "../../examples/support/support.rs"]
mod examples_support;
mod faults;
mod hostile;
mod http_server;
mod job_status;
mod judging;
mod leniency;
mod logging;
mod newcomer;
mod pooling;
mod properties;
mod secrets;
mod tls;
mod wait;
