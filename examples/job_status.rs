//! Looks up a job's status and prints the verified result.
//!
//! ```text
//! cargo run --example job_status
//! ```
//!
//! With no credentials in the environment it starts the crate's local
//! simulator and queries that, offline. To query Smile ID, set:
//!
//! - `SMILE_ID_PARTNER_ID` and `SMILE_ID_API_KEY`: your credentials;
//! - `SMILE_ID_USER_ID` and `SMILE_ID_JOB_ID`: the job to look up;
//! - `SMILE_ID_SERVER`: `0` / `sandbox` (the default), `1` / `production`, or a base URL.
//!
//! Exits with status 1 and the error's message when anything fails.

#[path = "support/summary.rs"]
mod summary;

use std::process::ExitCode;

use smile_id::testing::Simulator;
use smile_id::{Error, JobStatusOptions, PartnerParams, Server, WebApi};

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

fn run() -> Result<(), Error> {
    let options = JobStatusOptions {
        return_history: true,
        return_image_links: true,
    };
    match (var("SMILE_ID_PARTNER_ID"), var("SMILE_ID_API_KEY")) {
        (Some(partner_id), Some(api_key)) => {
            let server: Server = var("SMILE_ID_SERVER").as_deref().unwrap_or("0").parse()?;
            let job =
                PartnerParams::new(required("SMILE_ID_USER_ID")?, required("SMILE_ID_JOB_ID")?);
            let api = WebApi::new(&partner_id, "", &api_key, server)?;
            println!(
                "querying {} for user {} job {}",
                api.base_url(),
                job.user_id,
                job.job_id
            );
            let status = api.get_job_status(&job, &options)?;
            summary::print(&status);
        }
        _ => {
            // Offline: the simulator signs with a demo key, like Smile ID would with yours.
            let (partner_id, api_key) = ("002", "demo-api-key-for-the-local-simulator");
            let sim = Simulator::start(partner_id, api_key)?;
            let api = WebApi::new(partner_id, "", api_key, sim.server())?;
            let job = PartnerParams::new("demo-user", "demo-job");
            println!(
                "no SMILE_ID_PARTNER_ID/SMILE_ID_API_KEY set: querying the local simulator at {}",
                sim.base_url()
            );
            let status = api.get_job_status(&job, &options)?;
            summary::print(&status);
        }
    }
    Ok(())
}
