//! Looks up a job's status and prints the verified result.
//!
//! ```text
//! cargo run --example job_status
//! ```
//!
//! With no `SMILE_ID_*` variable in the environment at all, it starts the
//! crate's local simulator and queries that, offline; every line showing its
//! answer starts with `[simulated]`. To query Smile ID, set:
//!
//! - `SMILE_ID_PARTNER_ID` and `SMILE_ID_API_KEY`: your credentials;
//! - `SMILE_ID_USER_ID` and `SMILE_ID_JOB_ID`: the job to look up;
//! - optionally `SMILE_ID_SERVER`: `0` / `sandbox` (the default), `1` /
//!   `production`, or a base URL.
//!
//! Exits with status 2 when the variables are incomplete or wrong (naming
//! what is missing: it never falls back to the simulator then), and with
//! status 1 and the error's message when the lookup fails. `--help` (or
//! `-h`) prints this and exits; any other argument is refused (status 2).

#[path = "support/support.rs"]
mod support;

use std::process::ExitCode;

use smile_id::JobStatusOptions;
use smile_id::testing::Scenario;
use support::Failure;

/// What `--help` prints.
const USAGE: &str = "\
Looks up a job's status and prints the verified result.

usage: cargo run --example job_status

With no SMILE_ID_* variable set, queries the crate's local simulator (offline;
answer lines start with [simulated]). To query Smile ID, set:
  SMILE_ID_PARTNER_ID, SMILE_ID_API_KEY   your credentials
  SMILE_ID_USER_ID, SMILE_ID_JOB_ID       the job to look up
  SMILE_ID_SERVER (optional)              0 / sandbox (default), 1 / production, or a base URL

Exit status: 0 verified, 1 the lookup failed, 2 incomplete or wrong variables or arguments.";

fn main() -> ExitCode {
    support::main_without_arguments(USAGE, run)
}

fn run() -> Result<(), Failure> {
    let target = support::target(Scenario::Complete)?;
    let options = JobStatusOptions {
        return_history: true,
        return_image_links: true,
    };
    let status = target.api.get_job_status(&target.job, &options)?;
    support::print(&status, target.label());
    Ok(())
}
