//! The examples' rule for choosing the simulator: only when no `SMILE_ID_*`
//! variable is set at all; any partial set is an error naming what is missing.
//! (The tests are in the shared module itself, compiled here so they run.)
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

#[path = "../examples/support/support.rs"]
mod support;
