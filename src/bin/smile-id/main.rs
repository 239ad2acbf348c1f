//! `smile-id`: the crate's command line (feature `cli`). See `smile-id --help`.

mod args;
mod help;

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::process::ExitCode;
use std::time::Instant;

use args::Command;
use smile_id::testing::{Scenario, Simulator};
use smile_id::{
    Error, JobStatus, JobStatusOptions, PartnerParams, PollOutcome, PollPolicy, Verdict, WebApi,
};

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

// A closed stdout or stderr (`smile-id status ... | head -c0`) is not a
// panic: what could not be written is dropped and the exit status stands.
macro_rules! out {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! outln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}
macro_rules! errln {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr(), $($arg)*);
    }};
}

fn main() -> ExitCode {
    let args: Result<Vec<String>, _> = std::env::args_os()
        .skip(1)
        .map(|a| a.into_string())
        .collect();
    let command = match args {
        Ok(args) => args::parse(args),
        Err(_) => Err("arguments must be valid Unicode".to_owned()),
    };
    let code = match command {
        Ok(command) => run(command),
        Err(message) => {
            errln!("smile-id: {message}");
            USAGE
        }
    };
    ExitCode::from(code)
}

fn run(command: Command) -> u8 {
    match command {
        Command::Help(text) => {
            out!("{text}");
            APPROVED
        }
        Command::Version => {
            outln!("smile-id {}", env!("CARGO_PKG_VERSION"));
            APPROVED
        }
        Command::Status {
            user_id,
            job_id,
            history,
            image_links,
            json,
        } => with_api(|api| {
            let job = PartnerParams::new(&user_id, &job_id);
            let options = JobStatusOptions {
                return_history: history,
                return_image_links: image_links,
            };
            let status = api.get_job_status(&job, &options)?;
            if json {
                match status_json(&status) {
                    Ok(text) => outln!("{text}"),
                    Err(why) => {
                        errln!("smile-id: the verified answer could not be printed as JSON: {why}");
                        return Ok(REFUSED);
                    }
                }
            } else {
                outln!("{status}");
            }
            Ok(exit_for(status.verdict()))
        }),
        Command::Wait {
            user_id,
            job_id,
            timeout,
            interval,
        } => with_api(|api| {
            let job = PartnerParams::new(&user_id, &job_id);
            let policy = PollPolicy {
                timeout,
                initial_interval: interval,
                ..PollPolicy::default()
            };
            let started = Instant::now();
            let mut polls = 0u32;
            let status = api.wait_for_job_with_progress(
                &job,
                &JobStatusOptions::default(),
                &policy,
                |progress| {
                    polls = progress.attempt;
                    let what = match &progress.outcome {
                        PollOutcome::Pending(status) => status.to_string(),
                        PollOutcome::TransientError(err) => format!("transient error: {err}"),
                        _ => "unknown outcome".to_owned(),
                    };
                    let next = match progress.next_poll_in {
                        Some(next) => format!("; next poll in {:.1} s", next.as_secs_f64()),
                        None => "; no time left for another poll".to_owned(),
                    };
                    errln!(
                        "poll {} at {:.1} s: {what}{next}",
                        progress.attempt,
                        progress.elapsed.as_secs_f64()
                    );
                },
            );
            let status = status.inspect_err(|err| {
                if let Error::WaitTimeout { attempts, .. } = err
                    && *attempts > polls
                {
                    errln!(
                        "poll {attempts} at {:.1} s: not complete",
                        started.elapsed().as_secs_f64()
                    );
                }
            })?;
            errln!(
                "poll {} at {:.1} s: {status}",
                polls.saturating_add(1),
                started.elapsed().as_secs_f64()
            );
            outln!("{status}");
            Ok(exit_for(status.verdict()))
        }),
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
            errln!(
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
    let (code, advice) = match err {
        Error::InvalidInput { .. } => (USAGE, "fix the argument or setting named".to_owned()),
        Error::WaitTimeout { .. } => (
            TRANSIENT,
            "the job is still running: wait longer (--timeout), or try again later".to_owned(),
        ),
        err if err.is_transient() => (
            TRANSIENT,
            format!("could not get an answer from {}: try again later", api.config().server.base_url()),
        ),
        Error::Http { status, .. } => (
            USAGE,
            format!(
                "the server refused the request (http {status}): check SMILE_ID_API_KEY and SMILE_ID_PARTNER_ID \
                 for the server, and that SMILE_ID_SERVER ({}) ends in /v1",
                api.config().server.base_url()
            ),
        ),
        _ => (
            REFUSED,
            "the answer was refused and must not be trusted: check SMILE_ID_SERVER and SMILE_ID_API_KEY, \
             and this machine's clock"
                .to_owned(),
        ),
    };
    errln!("smile-id: {err}\n{advice}");
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

/// The status's JSON without its signature (a credential).
/// The verified status as JSON, every value as received, without its
/// signature (a credential for the length of the tolerance window).
fn status_json(status: &JobStatus) -> Result<String, String> {
    let text = serde_json::to_string(status).map_err(|e| e.to_string())?;
    let raw: std::collections::BTreeMap<String, Box<serde_json::value::RawValue>> =
        serde_json::from_str(&text).map_err(|e| e.to_string())?;
    let kept: std::collections::BTreeMap<_, _> = raw
        .into_iter()
        .filter(|(key, _)| key != "signature")
        .collect();
    serde_json::to_string_pretty(&kept).map_err(|e| e.to_string())
}

fn verify_callback() -> u8 {
    let mut stdin = std::io::stdin().lock();
    if stdin.is_terminal() {
        errln!(
            "smile-id: verify-callback reads a callback body on stdin: pipe it in, e.g. smile-id verify-callback < body.json"
        );
        return USAGE;
    }
    with_api(|api| {
        let mut body = Vec::new();
        // One byte past the cap is enough for verify_callback to refuse it.
        let limit = api.config().max_response_bytes.saturating_add(1);
        if let Err(err) = stdin.by_ref().take(limit).read_to_end(&mut body) {
            errln!("smile-id: cannot read stdin: {err}");
            return Ok(USAGE);
        }
        if body.iter().all(u8::is_ascii_whitespace) {
            errln!(
                "smile-id: stdin was empty: pipe the callback body in, e.g. smile-id verify-callback < body.json"
            );
            return Ok(USAGE);
        }
        let callback = api.verify_callback(&body)?;
        let verdict = callback.verdict();
        outln!("{verdict}: {}", callback.result);
        Ok(exit_for(verdict))
    })
}

fn simulate(addr: std::net::SocketAddr) -> u8 {
    let sim = match Simulator::start_at(addr, SIM_PARTNER_ID, SIM_API_KEY, Scenario::ByJobId) {
        Ok(sim) => sim,
        Err(err) => {
            let why = match std::error::Error::source(&err)
                .and_then(|e| e.downcast_ref::<std::io::Error>())
            {
                Some(io) if io.kind() == std::io::ErrorKind::AddrInUse => {
                    format!(
                        "{addr} is already in use: choose another port with --addr, or port 0 for any free one"
                    )
                }
                Some(io) => format!("cannot listen on {addr}: {io}"),
                None => format!("{err}"),
            };
            errln!("smile-id: {why}");
            return USAGE;
        }
    };
    let mut out = std::io::stdout().lock();
    let printed = writeln!(
        out,
        "SMILE_ID_SERVER={}\nSMILE_ID_PARTNER_ID={SIM_PARTNER_ID}\nSMILE_ID_API_KEY={SIM_API_KEY}",
        sim.base_url()
    )
    .and_then(|()| out.flush());
    drop(out);
    if printed.is_err() {
        return USAGE;
    }
    errln!(
        "smile-id: simulating Smile ID at {} until interrupted (Ctrl-C); job ids choose outcomes \
         (approved, provisional, rejected, failed, pending, pending-N): see smile-id simulate --help",
        sim.base_url()
    );
    loop {
        std::thread::park();
    }
}
