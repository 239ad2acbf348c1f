//! A small blocking endpoint that verifies Smile ID callbacks and prints them.
//!
//! ```text
//! cargo run --example callback_receiver                  # listen on 127.0.0.1:8787
//! cargo run --example callback_receiver -- --send        # from another terminal: send it a signed test callback
//! ```
//!
//! Credentials come from `SMILE_ID_PARTNER_ID` and `SMILE_ID_API_KEY` (and
//! optionally `SMILE_ID_SERVER`, `SMILE_ID_CALLBACK_URL`). With no `SMILE_ID_*`
//! variable set at all, both sides use the same demo credentials, so `--send`
//! works offline, and every line showing a received result starts with
//! `[simulated]`. A partial set exits with status 2, naming what is missing.
//! Options: `--addr HOST:PORT` (default `127.0.0.1:8787`), `--once` (exit after
//! the first callback), `--send [URL]` (POST a freshly signed test callback to
//! URL, default `http://127.0.0.1:8787/callback`, and print the answer).
//!
//! Answers: 200 for a verified callback; 401 for a bad signature; 413 past
//! the size cap; 400 for anything else, a stale or future timestamp (a
//! replay, or a clock off) included.

#[path = "support/support.rs"]
mod support;

use std::io::Read as _;
use std::process::ExitCode;

use smile_id::testing::{complete_result, sign_callback};
use smile_id::{Error, WebApi};
use support::{Failure, Mode};

const DEFAULT_ADDR: &str = "127.0.0.1:8787";

/// How to run it, printed for `--help` and for arguments it does not know.
const USAGE: &str = "usage: callback_receiver [--addr HOST:PORT] [--once] | --send [URL]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if let Err(message) = check_args(&args) {
        return support::exit(Err(Failure::Config(format!("{message}\n{USAGE}"))));
    }
    let result = match args.iter().position(|a| a == "--send") {
        Some(at) => send(
            args.get(at + 1)
                .filter(|a| !a.starts_with("--"))
                .map(String::as_str),
        ),
        None => listen(&args),
    };
    support::exit(result)
}

/// Refuses unknown flags and a flag missing its value, rather than silently
/// listening on the default address.
fn check_args(args: &[String]) -> Result<(), String> {
    let mut rest = args.iter().peekable();
    while let Some(arg) = rest.next() {
        match arg.as_str() {
            "--once" => {}
            "--addr" => {
                if rest.next_if(|v| !v.starts_with("--")).is_none() {
                    return Err("--addr needs a HOST:PORT".to_owned());
                }
            }
            "--send" => {
                rest.next_if(|v| !v.starts_with("--"));
            }
            other => return Err(format!("unknown argument {other:?}")),
        }
    }
    Ok(())
}

/// The client whose credentials sign and verify callbacks, and the label for
/// lines that show a result (`[simulated] ` with the demo credentials).
fn client() -> Result<(WebApi, &'static str), Failure> {
    match support::mode(&[])? {
        Mode::Real => Ok((support::api_from_env()?, "")),
        Mode::Simulated => Ok((
            WebApi::new(support::DEMO_PARTNER_ID, "", support::DEMO_API_KEY, 0)?,
            support::SIMULATED,
        )),
    }
}

/// Serves callbacks until killed (or one, with `--once`).
fn listen(args: &[String]) -> Result<(), Failure> {
    let addr = args
        .iter()
        .position(|a| a == "--addr")
        .and_then(|at| args.get(at + 1))
        .map_or(DEFAULT_ADDR, String::as_str);
    let once = args.iter().any(|a| a == "--once");
    let (api, label) = client()?;
    let server = tiny_http::Server::http(addr).map_err(|err| {
        let in_use = err
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::AddrInUse);
        if in_use {
            Failure::Other(format!(
                "cannot listen on {addr}: the address is already in use (another \
                 callback_receiver?). Stop that process, or pick another address with \
                 --addr, e.g. `--addr 127.0.0.1:8788`, and send to it with \
                 `--send http://127.0.0.1:8788/callback`"
            ))
        } else {
            Failure::Other(format!(
                "cannot listen on {addr}: {err}. Pick another address with --addr HOST:PORT"
            ))
        }
    })?;
    println!(
        "{label}listening for callbacks on http://{addr}/callback (partner id {}); \
         send a signed test callback from another terminal with \
         `cargo run --example callback_receiver -- --send`",
        api.signature().partner_id()
    );
    for mut request in server.incoming_requests() {
        // Read at most one byte past the cap, so an oversized body is caught
        // without reading it all.
        let limit = api.config().max_response_bytes;
        let mut body = Vec::new();
        let read = request.as_reader().take(limit + 1).read_to_end(&mut body);
        let path = request.url().split('?').next().unwrap_or_default();
        let (status, text) = match read {
            _ if *request.method() != tiny_http::Method::Post || path != "/callback" => {
                (404, "callbacks are received at POST /callback".to_owned())
            }
            Err(e) => (400, format!("cannot read the body: {e}")),
            Ok(_) => match api.verify_callback(&body) {
                Ok(callback) => {
                    println!(
                        "{label}verified callback, timestamp {}: {}",
                        callback.timestamp_str(),
                        callback.result
                    );
                    print_result(&callback.result, label);
                    (200, "ok".to_owned())
                }
                Err(err) => {
                    let status = match err {
                        Error::SignatureMismatch { .. } => 401,
                        Error::ResponseTooLarge { .. } => 413,
                        _ => 400,
                    };
                    eprintln!("rejected a callback ({status}): {err}");
                    (status, err.to_string())
                }
            },
        };
        let _ = request.respond(tiny_http::Response::from_string(text).with_status_code(status));
        // `--once`: the first callback, not a stray request elsewhere.
        if once && status != 404 {
            break;
        }
    }
    Ok(())
}

fn print_result(result: &smile_id::JobResult, label: &str) {
    if let Some(p) = &result.partner_params {
        println!("{label}  job: user {} job {}", p.user_id, p.job_id);
    }
    if let Some(code) = &result.result_code {
        println!(
            "{label}  result code: {code} - {}",
            result.result_code_meaning().unwrap_or("(unknown code)")
        );
    }
    if let Some(text) = &result.result_text {
        println!("{label}  result text: {text}");
    }
    for (name, outcome) in result.actions.iter() {
        println!("{label}  {name}: {outcome}");
    }
}

/// Signs a test callback and POSTs it to the receiver.
fn send(url: Option<&str>) -> Result<(), Failure> {
    let default_url = format!("http://{DEFAULT_ADDR}/callback");
    let url = url.unwrap_or(&default_url);
    let (api, _) = client()?;
    let body = sign_callback(api.signature(), &complete_result("test-user", "test-job"))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map_err(|err| send_error(url, &err))?;
    let status = response.status().as_u16();
    let text = response
        .body_mut()
        .read_to_string()
        .map_err(|err| send_error(url, &err))?;
    println!("sent a signed test callback to {url}: {status} {text}");
    if status == 200 {
        Ok(())
    } else {
        Err(Failure::Other(format!(
            "the receiver at {url} refused the test callback with status {status}: {text}"
        )))
    }
}

/// What to do when the test callback could not be delivered.
fn send_error(url: &str, err: &ureq::Error) -> Failure {
    let refused =
        matches!(err, ureq::Error::Io(io) if io.kind() == std::io::ErrorKind::ConnectionRefused);
    if refused {
        Failure::Other(format!(
            "nothing is listening at {url}: start the receiver first, in another terminal \
             (`cargo run --example callback_receiver`, with `-- --addr HOST:PORT` for another \
             address), then send again"
        ))
    } else {
        Failure::Other(format!("cannot send the test callback to {url}: {err}"))
    }
}
