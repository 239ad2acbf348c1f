//! The examples' rule for choosing the simulator: only when no `SMILE_ID_*`
//! variable is set at all; any partial set is an error naming what is missing.
//! (The tests are in the shared module itself, compiled here so they run.)
#![cfg(test)] // so clippy.toml's allow-*-in-tests cover the helpers too

#[path = "../examples/support/support.rs"]
mod support;
