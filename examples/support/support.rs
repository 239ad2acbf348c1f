#![allow(dead_code)] // Each example uses only part of this module.
//! What the examples share: where to find credentials and the job, and how to
//! print a job status and an error for people.
//!
//! The rule that keeps an example from passing off simulated data as real:
//! the local simulator is used only when no `SMILE_ID_*` variable is set at
//! all. Any other combination must be complete, or the example stops with
//! exit status 2 naming what is missing (the library's `WebApi::from_env`
//! check: every missing variable, likely typos, bad values).

use std::fmt::Write as _;
use std::process::ExitCode;

use smile_id::testing::{Scenario, Simulator};
use smile_id::{Error, JobStatus, PartnerParams, WebApi};

/// The demo credentials the local simulator signs with.
pub const DEMO_PARTNER_ID: &str = "002";
pub const DEMO_API_KEY: &str = "demo-api-key-for-the-local-simulator";

/// The prefix of every line that shows a simulated result.
pub const SIMULATED: &str = "[simulated] ";

/// The variables naming the job to look up.
pub const JOB_VARS: [&str; 2] = ["SMILE_ID_USER_ID", "SMILE_ID_JOB_ID"];

/// Why an example stopped.
pub enum Failure {
    /// The environment is incomplete or wrong: exit status 2.
    Config(String),
    /// The library reported an error: exit status 1.
    Api(Error),
    /// Something else went wrong, with what to do about it: exit status 1.
    Other(String),
}

impl From<Error> for Failure {
    fn from(err: Error) -> Self {
        Failure::Api(err)
    }
}

/// Where the examples' settings come from.
pub enum Mode {
    /// No `SMILE_ID_*` variable at all: the local simulator, demo credentials.
    Simulated,
    /// Every needed variable is set: Smile ID.
    Real,
}

/// Decides between the simulator and Smile ID: once any `SMILE_ID_*`
/// variable is set, `WebApi::from_env` must accept the environment (it names
/// every missing variable and likely typos) and `also_required` must be set.
pub fn mode(also_required: &[&str]) -> Result<Mode, Failure> {
    let any_set =
        std::env::vars_os().any(|(name, _)| name.to_string_lossy().starts_with("SMILE_ID_"));
    if !any_set {
        return Ok(Mode::Simulated);
    }
    let mut problems = Vec::new();
    match WebApi::from_env() {
        Ok(_) => {}
        Err(Error::InvalidInput { field, reason, .. }) => {
            problems.push(format!("{field} {reason}"))
        }
        Err(other) => problems.push(other.to_string()),
    }
    let missing: Vec<&str> = also_required
        .iter()
        .copied()
        .filter(|name| var(name).is_err())
        .collect();
    if !missing.is_empty() {
        let verb = if missing.len() == 1 { "is" } else { "are" };
        let names = missing.join(" and ");
        problems.push(format!("{names} {verb} not set (the job to look up)"));
    }
    if problems.is_empty() {
        return Ok(Mode::Real);
    }
    Err(Failure::Config(format!(
        "a SMILE_ID_* variable is set, so this example queries Smile ID, but {}. \
         Set all of them to query Smile ID, or unset every SMILE_ID_* variable to use the local simulator.",
        problems.join("; ")
    )))
}

/// A client from `WebApi::from_env`, its configuration errors as exit status 2.
pub fn api_from_env() -> Result<WebApi, Failure> {
    WebApi::from_env().map_err(|err| match err {
        Error::InvalidInput { .. } => Failure::Config(err.to_string()),
        other => Failure::Api(other),
    })
}

/// A required, non-empty variable (already checked by [`mode`]).
fn var(name: &str) -> Result<String, Failure> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .ok_or_else(|| Failure::Config(format!("{name} is not set")))
}

/// What an example talks to: Smile ID when credentials are in the
/// environment, else a local simulator (kept alive as long as this is).
pub struct Target {
    pub api: WebApi,
    pub job: PartnerParams,
    pub simulator: Option<Simulator>,
}

impl Target {
    /// The prefix for lines that show a result: `[simulated] ` on the simulator.
    pub fn label(&self) -> &'static str {
        if self.simulator.is_some() {
            SIMULATED
        } else {
            ""
        }
    }
}

/// Smile ID with `SMILE_ID_*` from the environment, or (when no `SMILE_ID_*`
/// variable is set at all) a simulator answering `scenario` with the demo
/// credentials.
pub fn target(scenario: Scenario) -> Result<Target, Failure> {
    match mode(&JOB_VARS)? {
        Mode::Real => {
            let api = api_from_env()?;
            let job = PartnerParams::new(var("SMILE_ID_USER_ID")?, var("SMILE_ID_JOB_ID")?);
            println!(
                "querying {} for user {} job {}",
                api.config().server,
                job.user_id,
                job.job_id
            );
            Ok(Target {
                api,
                job,
                simulator: None,
            })
        }
        Mode::Simulated => {
            let sim = Simulator::start_with(DEMO_PARTNER_ID, DEMO_API_KEY, scenario)?;
            let api = WebApi::new(DEMO_PARTNER_ID, "", DEMO_API_KEY, sim.server())?;
            emit(&format!(
                "{SIMULATED}no SMILE_ID_* variable is set: querying the local simulator at {} \
                 (demo data, not a real job; --help says how to query Smile ID)\n",
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

/// The `main` of an example that takes no argument: `--help` (or `-h`)
/// prints `usage`; any other argument exits with status 2; none runs `run`.
pub fn main_without_arguments(usage: &str, run: impl FnOnce() -> Result<(), Failure>) -> ExitCode {
    match std::env::args().nth(1).as_deref() {
        None => exit(run()),
        Some("-h" | "--help") => {
            println!("{usage}");
            ExitCode::SUCCESS
        }
        Some(other) => {
            eprintln!("unknown argument {other:?}; this example takes none (see --help)");
            ExitCode::from(2)
        }
    }
}

/// The process's exit: 0; 2 after a configuration error; 1 after any other
/// error, printed with its causes.
pub fn exit(result: Result<(), Failure>) -> ExitCode {
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Config(message)) => {
            eprintln!("configuration error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Api(err)) => {
            print_error(&err);
            ExitCode::FAILURE
        }
        Err(Failure::Other(message)) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// Prints a readable summary of a verified job status, each line starting
/// with `label` (`[simulated] ` for the simulator's answers).
pub fn print(status: &JobStatus, label: &str) {
    let mut out = String::new();
    macro_rules! say {
        ($($arg:tt)*) => {
            let _ = write!(out, "{label}");
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
        let meaning = status.code_meaning().unwrap_or("(unknown code)");
        say!("  status code: {code} - {meaning}");
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
    // The link opens a photo of the person for anyone who has it: say that
    // one came, never print it.
    if status
        .image_links
        .as_ref()
        .is_some_and(|links| links.selfie_image.is_some())
    {
        say!("  selfie image: a link was returned (not printed: it opens the person's photo)");
    }
    say!("  one line, for logs: {status}");
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
