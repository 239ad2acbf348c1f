//! Waits for a job to complete, printing one line per poll, then the result.
//!
//! ```text
//! cargo run --example wait_for_job
//! ```
//!
//! With no `SMILE_ID_*` variable in the environment at all, it waits on the
//! crate's local simulator, where the job completes after a few polls; every
//! line showing its answers starts with `[simulated]`. To wait on Smile ID,
//! set `SMILE_ID_PARTNER_ID`, `SMILE_ID_API_KEY`, `SMILE_ID_USER_ID`,
//! `SMILE_ID_JOB_ID` and optionally `SMILE_ID_SERVER` (as for `job_status`);
//! an incomplete set exits with status 2, naming what is missing. `--help`
//! prints this; any other argument exits with status 2.

#[path = "support/support.rs"]
mod support;

use std::process::ExitCode;
use std::time::Duration;

use smile_id::testing::Scenario;
use smile_id::{JobStatusOptions, PollOutcome, PollPolicy, PollProgress};
use support::Failure;

/// What `--help` prints.
const USAGE: &str = "\
Waits for a job to complete, printing one line per poll, then the verified result.

usage: cargo run --example wait_for_job

With no SMILE_ID_* variable set, waits on the crate's local simulator (offline;
answer lines start with [simulated]), where the job completes after three polls.
To wait on Smile ID, set:
  SMILE_ID_PARTNER_ID, SMILE_ID_API_KEY   your credentials
  SMILE_ID_USER_ID, SMILE_ID_JOB_ID       the job to wait for
  SMILE_ID_SERVER (optional)              0 / sandbox (default), 1 / production, or a base URL

Exit status: 0 complete and verified, 1 the wait failed, 2 incomplete or wrong variables or arguments.";

fn main() -> ExitCode {
    support::main_without_arguments(USAGE, run)
}

fn print_progress(label: &str, p: &PollProgress<'_>) {
    let what = match &p.outcome {
        PollOutcome::Pending(status) => match &status.result_message {
            Some(message) => format!("not complete ({message})"),
            None => "not complete".to_owned(),
        },
        PollOutcome::TransientError(err) => format!("transient error: {err}"),
        _ => "unknown".to_owned(),
    };
    let next = match p.next_poll_in {
        Some(wait) => format!("next poll in {:.1} s", wait.as_secs_f64()),
        None => "no time left".to_owned(),
    };
    support::emit(&format!(
        "{label}poll {:>2} at {:>5.1} s: {what}; {next}\n",
        p.attempt,
        p.elapsed.as_secs_f64()
    ));
}

fn run() -> Result<(), Failure> {
    // On the simulator, the job completes after three polls.
    let target = support::target(Scenario::CompleteAfter { polls: 3 })?;
    let policy = match target.simulator {
        // A quicker schedule than the default, for the demonstration.
        Some(_) => PollPolicy {
            initial_interval: Duration::from_millis(300),
            max_interval: Duration::from_secs(1),
            timeout: Duration::from_secs(20),
            ..PollPolicy::default()
        },
        None => PollPolicy::default(),
    };
    let options = JobStatusOptions {
        return_history: true,
        return_image_links: false,
    };
    let label = target.label();
    let status = target
        .api
        .wait_for_job_with_progress(&target.job, &options, &policy, |p| print_progress(label, p))?;
    support::print(&status, label);
    Ok(())
}
