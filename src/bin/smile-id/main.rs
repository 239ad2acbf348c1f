//! `smile-id`: the crate's command line (feature `cli`). See `smile-id --help`.

mod args;
mod help;

use std::collections::BTreeMap;
use std::io::{IsTerminal as _, Read as _, Write as _};
use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Instant;

use args::Command;
use serde_json::value::RawValue;
use smile_id::testing::{Scenario, Simulator};
use smile_id::{Error, JobStatus, PartnerParams, PollOutcome, PollPolicy, Verdict, WebApi};

/// The exit statuses, as `--help` documents them.
const APPROVED: u8 = 0;
const REJECTED: u8 = 1;
const USAGE: u8 = 2;
const TRANSIENT: u8 = 3;
const REFUSED: u8 = 4;
const PROVISIONAL: u8 = 5;
const FAILED: u8 = 6;
const PENDING: u8 = 7;

/// The credentials `simulate` signs with: test values, printed on purpose.
const SIM_PARTNER_ID: &str = "002";
const SIM_API_KEY: &str = "smile-id-simulator-test-key";

/// Writes a line to `stdout` or `stderr`. A closed one (`smile-id status ...
/// | head -c0`) is not a panic: what could not be written is dropped and the
/// exit status stands.
macro_rules! say {
    ($stream:ident, $($arg:tt)*) => {{
        let _ = writeln!(std::io::$stream(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    ExitCode::from(match args::parse(std::env::args_os().skip(1)) {
        Ok(command) => run(command),
        Err(message) => {
            say!(stderr, "smile-id: {message}");
            USAGE
        }
    })
}

fn run(command: Command) -> u8 {
    match command {
        Command::Print(text) => {
            let _ = std::io::stdout().write_all(text.as_bytes());
            APPROVED
        }
        Command::Status { job, options, json } => with_api(|api| {
            let status = api.get_job_status(&job, &options)?;
            let text = if json {
                status_json(&status)
            } else {
                Ok(status.to_string())
            };
            match text {
                Ok(text) => say!(stdout, "{text}"),
                Err(why) => {
                    say!(
                        stderr,
                        "smile-id: the verified answer could not be printed as JSON: {why}"
                    );
                    return Ok(REFUSED);
                }
            }
            Ok(exit_for(status.verdict()))
        }),
        Command::Wait { job, policy } => with_api(|api| wait(api, &job, &policy)),
        Command::VerifyCallback => verify_callback(),
        Command::Simulate { addr } => simulate(addr),
    }
}

/// Builds the client from `SMILE_ID_*` and runs `body` with it; any error is
/// printed with what to do, and becomes its exit status.
fn with_api(body: impl FnOnce(&WebApi) -> Result<u8, Error>) -> u8 {
    let api = match WebApi::from_env() {
        Ok(api) => api,
        Err(err) => {
            say!(
                stderr,
                "smile-id: {err}\nSet SMILE_ID_PARTNER_ID and SMILE_ID_API_KEY (and SMILE_ID_SERVER for production \
                 or a simulator: `smile-id simulate` prints a set); see smile-id --help."
            );
            return USAGE;
        }
    };
    body(&api).unwrap_or_else(|err| report(&api, &err))
}

/// Prints `err` with what to do about it, and returns its exit status.
fn report(api: &WebApi, err: &Error) -> u8 {
    let server = api.config().server.base_url();
    let (code, advice) = match err {
        Error::InvalidInput { .. } => (USAGE, "fix the argument or setting named".to_owned()),
        Error::WaitTimeout { .. } => (
            TRANSIENT,
            "the job is still running: wait longer (--timeout), or try again later".to_owned(),
        ),
        err if err.is_transient() => (TRANSIENT, format!("could not get an answer from {server}: try again later")),
        Error::Http { status, .. } => (
            USAGE,
            format!(
                "the server refused the request (http {status}): check SMILE_ID_API_KEY and SMILE_ID_PARTNER_ID \
                 for the server, and that SMILE_ID_SERVER ({server}) ends in /v1"
            ),
        ),
        _ => (
            REFUSED,
            "the answer was refused and must not be trusted: check SMILE_ID_PARTNER_ID and SMILE_ID_API_KEY \
             (and SMILE_ID_SERVER for a lookup), and this machine's clock"
                .to_owned(),
        ),
    };
    say!(stderr, "smile-id: {err}\n{advice}");
    code
}

fn exit_for(verdict: Verdict) -> u8 {
    match verdict {
        Verdict::Approved => APPROVED,
        Verdict::Rejected => REJECTED,
        Verdict::Failed => FAILED,
        Verdict::Pending => PENDING,
        // Provisional, and any verdict a later version adds: not approved.
        _ => PROVISIONAL,
    }
}

/// The verified status as JSON, every value as received, without its
/// signature (a credential for the length of the tolerance window).
fn status_json(status: &JobStatus) -> serde_json::Result<String> {
    let text = serde_json::to_string(status)?;
    let mut fields: BTreeMap<String, Box<RawValue>> = serde_json::from_str(&text)?;
    fields.remove("signature");
    serde_json::to_string_pretty(&fields)
}

/// `wait`: one progress line per poll on stderr (the completing one too),
/// then the summary on stdout. Every poll that does not complete the job
/// (the last one of a timed-out wait too) is reported to the callback.
fn wait(api: &WebApi, job: &PartnerParams, policy: &PollPolicy) -> Result<u8, Error> {
    let started = Instant::now();
    let mut polls = 0u32;
    let status = api.wait_for_job_with_progress(job, &Default::default(), policy, |progress| {
        polls = progress.attempt;
        let what = match &progress.outcome {
            PollOutcome::Pending(status) => status.to_string(),
            PollOutcome::TransientError(err) => format!("transient error: {err}"),
            _ => "unknown outcome".to_owned(),
        };
        let next = match progress.next_poll_in {
            Some(next) => format!("next poll in {:.1} s", next.as_secs_f64()),
            None => "no time left for another poll".to_owned(),
        };
        let elapsed = progress.elapsed.as_secs_f64();
        say!(stderr, "poll {polls} at {elapsed:.1} s: {what}; {next}");
    })?;
    let elapsed = started.elapsed().as_secs_f64();
    say!(
        stderr,
        "poll {} at {elapsed:.1} s: {status}",
        polls.saturating_add(1)
    );
    say!(stdout, "{status}");
    Ok(exit_for(status.verdict()))
}

fn verify_callback() -> u8 {
    const PIPE: &str = "pipe the callback body in, e.g. smile-id verify-callback < body.json";
    let stdin = std::io::stdin().lock();
    if stdin.is_terminal() {
        say!(
            stderr,
            "smile-id: verify-callback reads a callback body on stdin: {PIPE}"
        );
        return USAGE;
    }
    with_api(|api| {
        let mut body = Vec::new();
        // One byte past the cap is enough for verify_callback to refuse it.
        let limit = api.config().max_response_bytes.saturating_add(1);
        if let Err(err) = stdin.take(limit).read_to_end(&mut body) {
            say!(stderr, "smile-id: cannot read stdin: {err}");
            return Ok(USAGE);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            say!(stderr, "smile-id: stdin was empty: {PIPE}");
            return Ok(USAGE);
        }
        let callback = api.verify_callback(&body)?;
        let verdict = callback.verdict();
        say!(stdout, "{verdict}: {}", callback.result);
        Ok(exit_for(verdict))
    })
}

fn simulate(addr: SocketAddr) -> u8 {
    let sim = match Simulator::start_at(addr, SIM_PARTNER_ID, SIM_API_KEY, Scenario::ByJobId) {
        Ok(sim) => sim,
        Err(err) => {
            match std::error::Error::source(&err).and_then(|e| e.downcast_ref::<std::io::Error>()) {
                Some(io) if io.kind() == std::io::ErrorKind::AddrInUse => say!(
                    stderr,
                    "smile-id: {addr} is already in use: choose another port with --addr, or port 0 for any free one"
                ),
                Some(io) => say!(stderr, "smile-id: cannot listen on {addr}: {io}"),
                None => say!(stderr, "smile-id: {err}"),
            }
            return USAGE;
        }
    };
    // Stdout is line-buffered: the settings are out when this returns. When
    // they cannot be written, nobody can use the simulator: do not serve.
    let settings = writeln!(
        std::io::stdout(),
        "SMILE_ID_SERVER={}\nSMILE_ID_PARTNER_ID={SIM_PARTNER_ID}\nSMILE_ID_API_KEY={SIM_API_KEY}",
        sim.base_url()
    );
    if settings.is_err() {
        return USAGE;
    }
    say!(
        stderr,
        "smile-id: simulating Smile ID at {} until interrupted (Ctrl-C); job ids choose outcomes \
         (approved, provisional, rejected, failed, pending, pending-N): see smile-id simulate --help",
        sim.base_url()
    );
    loop {
        std::thread::park();
    }
}
