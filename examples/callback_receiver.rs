//! A small blocking endpoint that verifies Smile ID callbacks and prints them.
//!
//! ```text
//! cargo run --example callback_receiver                  # listen on 127.0.0.1:8787
//! cargo run --example callback_receiver -- --send        # from another terminal: send it a signed test callback
//! ```
//!
//! Credentials come from `SMILE_ID_PARTNER_ID` and `SMILE_ID_API_KEY`; without
//! them both sides use the same demo credentials, so `--send` works offline.
//! Options: `--addr HOST:PORT` (default `127.0.0.1:8787`), `--once` (exit after
//! the first callback), `--send [URL]` (POST a freshly signed test callback to
//! URL, default `http://127.0.0.1:8787/callback`, and print the answer).
//!
//! Answers: 200 for a verified callback; 401 for a bad signature; 408 for a
//! stale or future timestamp; 413 past the size cap; 400 for anything else.

#[path = "support/support.rs"]
mod support;

use std::io::Read as _;
use std::process::ExitCode;

use smile_id::testing::{complete_result, sign_callback};
use smile_id::{Error, WebApi};

const DEFAULT_ADDR: &str = "127.0.0.1:8787";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
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

fn client() -> Result<WebApi, Error> {
    match support::credentials() {
        Some((partner_id, api_key)) => WebApi::new(&partner_id, "", &api_key, 0),
        None => WebApi::new(support::DEMO_PARTNER_ID, "", support::DEMO_API_KEY, 0),
    }
}

fn io_error(err: impl std::error::Error + Send + Sync + 'static) -> Error {
    Error::Transport {
        kind: smile_id::TransportErrorKind::Io,
        source: Box::new(err),
    }
}

/// Serves callbacks until killed (or one, with `--once`).
fn listen(args: &[String]) -> Result<(), Error> {
    let addr = args
        .iter()
        .position(|a| a == "--addr")
        .and_then(|at| args.get(at + 1))
        .map_or(DEFAULT_ADDR, String::as_str);
    let once = args.iter().any(|a| a == "--once");
    let api = client()?;
    let server = tiny_http::Server::http(addr).map_err(|e| Error::Transport {
        kind: smile_id::TransportErrorKind::Io,
        source: e,
    })?;
    println!(
        "listening for callbacks on http://{addr}/callback (partner id {})",
        api.partner_id()
    );
    for mut request in server.incoming_requests() {
        // Read at most one byte past the cap, so an oversized body is caught
        // without reading it all.
        let limit = api.max_response_bytes();
        let mut body = Vec::new();
        let read = request.as_reader().take(limit + 1).read_to_end(&mut body);
        let (status, text) = match read {
            Err(e) => (400, format!("cannot read the body: {e}")),
            Ok(_) => match api.verify_callback(&body) {
                Ok(callback) => {
                    println!("verified callback, timestamp {}:", callback.timestamp_str());
                    print_result(&callback.result);
                    (200, "ok".to_owned())
                }
                Err(err) => {
                    let status = match err {
                        Error::SignatureMismatch { .. } => 401,
                        Error::TimestampOutOfTolerance { .. } => 408,
                        Error::ResponseTooLarge { .. } => 413,
                        _ => 400,
                    };
                    eprintln!("rejected a callback ({status}): {err}");
                    (status, err.to_string())
                }
            },
        };
        let _ = request.respond(tiny_http::Response::from_string(text).with_status_code(status));
        if once {
            break;
        }
    }
    Ok(())
}

fn print_result(result: &smile_id::JobResult) {
    if let Some(p) = &result.partner_params {
        println!("  job: user {} job {}", p.user_id, p.job_id);
    }
    if let Some(code) = &result.result_code {
        println!(
            "  result code: {code} - {}",
            result.result_code_meaning().unwrap_or("(unknown code)")
        );
    }
    if let Some(text) = &result.result_text {
        println!("  result text: {text}");
    }
    for (name, outcome) in result.actions.iter() {
        println!("  {name}: {outcome}");
    }
}

/// Signs a test callback and POSTs it to the receiver.
fn send(url: Option<&str>) -> Result<(), Error> {
    let default_url = format!("http://{DEFAULT_ADDR}/callback");
    let url = url.unwrap_or(&default_url);
    let api = client()?;
    let body = sign_callback(api.signature(), &complete_result("test-user", "test-job"))?;
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(url)
        .header("Content-Type", "application/json")
        .send(&body[..])
        .map_err(io_error)?;
    let status = response.status().as_u16();
    let text = response.body_mut().read_to_string().map_err(io_error)?;
    println!("sent a signed test callback to {url}: {status} {text}");
    if status == 200 {
        Ok(())
    } else {
        Err(Error::Http {
            status,
            code: None,
            message: text,
            details: Box::default(),
        })
    }
}
