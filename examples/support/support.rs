#![allow(dead_code)] // Each example uses only part of this module.
//! What the examples share: where to find credentials and the job, and how to
//! print a job status and an error for people.

use std::fmt::Write as _;
use std::process::ExitCode;

use smile_id::testing::{Scenario, Simulator};
use smile_id::{Error, JobStatus, PartnerParams, Server, WebApi};

/// The demo credentials the local simulator signs with.
pub const DEMO_PARTNER_ID: &str = "002";
pub const DEMO_API_KEY: &str = "demo-api-key-for-the-local-simulator";

/// A non-empty environment variable.
pub fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// `SMILE_ID_PARTNER_ID` and `SMILE_ID_API_KEY`, when both are set.
pub fn credentials() -> Option<(String, String)> {
    Some((var("SMILE_ID_PARTNER_ID")?, var("SMILE_ID_API_KEY")?))
}

/// What an example talks to: Smile ID when credentials are in the
/// environment, else a local simulator (kept alive as long as this is).
pub struct Target {
    pub api: WebApi,
    pub job: PartnerParams,
    pub simulator: Option<Simulator>,
}

/// Smile ID with `SMILE_ID_*` from the environment, or a simulator answering
/// `scenario` with the demo credentials.
pub fn target(scenario: Scenario) -> Result<Target, Error> {
    match credentials() {
        Some((partner_id, api_key)) => {
            let required = |name: &str| {
                var(name).ok_or_else(|| Error::InvalidInput {
                    field: "environment",
                    reason: format!(
                        "{name} must be set when SMILE_ID_PARTNER_ID and SMILE_ID_API_KEY are"
                    ),
                })
            };
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
            Ok(Target {
                api,
                job,
                simulator: None,
            })
        }
        None => {
            let sim = Simulator::start_with(DEMO_PARTNER_ID, DEMO_API_KEY, scenario)?;
            let api = WebApi::new(DEMO_PARTNER_ID, "", DEMO_API_KEY, sim.server())?;
            emit(&format!(
                "no SMILE_ID_PARTNER_ID/SMILE_ID_API_KEY set: querying the local simulator at {}\n",
                sim.base_url()
            ));
            Ok(Target {
                api,
                job: PartnerParams::new("demo-user", "demo-job"),
                simulator: Some(sim),
            })
        }
    }
}

/// The process's exit: 0, or 1 after printing the error and its causes.
pub fn exit(result: Result<(), Error>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            print_error(&err);
            ExitCode::FAILURE
        }
    }
}

/// Prints a readable summary of a verified job status.
pub fn print(status: &JobStatus) {
    let mut out = String::new();
    macro_rules! say {
        ($($arg:tt)*) => {
            let _ = writeln!(out, $($arg)*);
        };
    }
    let state = match (status.job_complete, status.job_success) {
        (true, true) => "complete, successful",
        (true, false) => "complete, NOT successful",
        (false, _) => "still running",
    };
    say!("job status: {state}");
    say!(
        "  verified: signature ok, timestamp {} within tolerance",
        status.timestamp_str()
    );
    if let Some(code) = &status.code {
        say!("  status code: {code}");
    }
    if let Some(message) = &status.result_message {
        say!("  result: {message}");
    }
    if let Some(result) = &status.result {
        if let Some(code) = &result.result_code {
            let meaning = result.result_code_meaning().unwrap_or("(unknown code)");
            say!("  result code: {code} - {meaning}");
        }
        if let Some(text) = &result.result_text {
            say!("  result text: {text}");
        }
        if let Some(kind) = &result.result_type {
            say!("  result type: {kind}");
        }
        if let Some(id) = &result.smile_job_id {
            say!("  smile job id: {id}");
        }
        if let Some(confidence) = result.confidence_value {
            say!("  confidence: {confidence}");
        }
        if !result.actions.is_empty() {
            say!("  actions:");
            for (name, outcome) in result.actions.iter() {
                say!("    {name}: {outcome}");
            }
        }
        if !result.extra.is_empty() {
            let keys: Vec<&str> = result.extra.iter().map(|(k, _)| k).collect();
            say!("  other result fields: {}", keys.join(", "));
        }
    }
    say!("  history entries: {}", status.history.len());
    if let Some(links) = &status.image_links {
        if let Some(selfie) = &links.selfie_image {
            say!("  selfie image: {selfie}");
        }
    }
    emit(&out);
}

/// Writes to stdout, ignoring a closed pipe (`| head`) instead of panicking.
pub fn emit(text: &str) {
    use std::io::Write as _;
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// Prints an error and its chain of causes to stderr.
pub fn print_error(err: &smile_id::Error) {
    eprintln!("error: {err}");
    let mut source = std::error::Error::source(err);
    while let Some(cause) = source {
        eprintln!("  caused by: {cause}");
        source = cause.source();
    }
}
