//! Waits for a job to complete, printing one line per poll, then the result.
//!
//! ```text
//! cargo run --example wait_for_job
//! ```
//!
//! With no credentials in the environment it waits on the crate's local
//! simulator, where the job completes after a few polls. To wait on Smile ID,
//! set `SMILE_ID_PARTNER_ID`, `SMILE_ID_API_KEY`, `SMILE_ID_USER_ID`,
//! `SMILE_ID_JOB_ID` and optionally `SMILE_ID_SERVER` (as for `job_status`).

#[path = "support/summary.rs"]
mod summary;

use std::process::ExitCode;
use std::time::Duration;

use smile_id::testing::{Scenario, Simulator};
use smile_id::{
    Error, JobStatusOptions, PartnerParams, PollOutcome, PollPolicy, PollProgress, Server, WebApi,
};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            summary::print_error(&err);
            ExitCode::FAILURE
        }
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str) -> Result<String, Error> {
    var(name).ok_or_else(|| Error::InvalidInput {
        field: "environment",
        reason: format!("{name} must be set when SMILE_ID_PARTNER_ID and SMILE_ID_API_KEY are"),
    })
}

fn print_progress(p: &PollProgress<'_>) {
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
    println!(
        "poll {:>2} at {:>5.1} s: {what}; {next}",
        p.attempt,
        p.elapsed.as_secs_f64()
    );
}

fn run() -> Result<(), Error> {
    let options = JobStatusOptions {
        return_history: true,
        return_image_links: false,
    };
    let status = match (var("SMILE_ID_PARTNER_ID"), var("SMILE_ID_API_KEY")) {
        (Some(partner_id), Some(api_key)) => {
            let server: Server = var("SMILE_ID_SERVER").as_deref().unwrap_or("0").parse()?;
            let job =
                PartnerParams::new(required("SMILE_ID_USER_ID")?, required("SMILE_ID_JOB_ID")?);
            let api = WebApi::new(&partner_id, "", &api_key, server)?;
            println!(
                "waiting on {} for user {} job {}",
                api.base_url(),
                job.user_id,
                job.job_id
            );
            api.wait_for_job_with_progress(&job, &options, &PollPolicy::default(), print_progress)?
        }
        _ => {
            let (partner_id, api_key) = ("002", "demo-api-key-for-the-local-simulator");
            let sim =
                Simulator::start_with(partner_id, api_key, Scenario::CompleteAfter { polls: 3 })?;
            let api = WebApi::new(partner_id, "", api_key, sim.server())?;
            println!(
                "no SMILE_ID_PARTNER_ID/SMILE_ID_API_KEY set: waiting on the local simulator at {}",
                sim.base_url()
            );
            // A quicker schedule than the default, for the demonstration.
            let policy = PollPolicy {
                initial_interval: Duration::from_millis(300),
                max_interval: Duration::from_secs(1),
                timeout: Duration::from_secs(20),
                ..PollPolicy::default()
            };
            let job = PartnerParams::new("demo-user", "demo-job");
            api.wait_for_job_with_progress(&job, &options, &policy, print_progress)?
        }
    };
    summary::print(&status);
    Ok(())
}
