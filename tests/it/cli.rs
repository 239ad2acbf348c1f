//! The `smile-id` command line, run as a process: against an in-process
//! simulator and against its own `smile-id simulate`. Every exit status it
//! documents is reached here, and no output carries the API key.

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;
use smile_id::testing::{Scenario, Simulator, complete_result, outcome_result, sign_callback};
use smile_id::{Signature, Verdict};

const BIN: &str = env!("CARGO_BIN_EXE_smile-id");
const PARTNER: &str = "002";
/// Distinctive, so that any leak of it into an output is found.
const KEY: &str = "cli-test-key-9d41c7e2b8";
/// No run may take longer: the child is killed after this.
const GUARD: Duration = Duration::from_secs(20);

/// What one run printed, and its exit status.
#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl Run {
    fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }
}

/// Kills the child when dropped, so a failing assertion leaves nothing running.
struct Guard(Child);

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The binary with an empty environment plus `env`.
fn command(args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(BIN);
    command.args(args).env_clear();
    for (name, value) in env {
        command.env(name, value);
    }
    command
}

/// Runs the binary with `stdin` piped in (`None`: no stdin at all, /dev/null),
/// killing it after [`GUARD`], and checks that nothing it printed contains
/// the API key.
fn run_with(args: &[&str], env: &[(&str, &str)], stdin: Option<&[u8]>) -> Run {
    let mut command = command(args, env);
    command
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = Guard(command.spawn().unwrap());
    if let Some(bytes) = stdin {
        let mut pipe = child.0.stdin.take().unwrap();
        let bytes = bytes.to_vec();
        // In a thread, so that the guard below also covers a child that stops
        // reading without exiting. It may stop reading early (e.g. past the
        // size cap): a broken pipe is not an error here.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&bytes);
        });
    }
    let reader = |mut pipe: Box<dyn std::io::Read + Send>| {
        std::thread::spawn(move || {
            let mut text = Vec::new();
            let _ = pipe.read_to_end(&mut text);
            String::from_utf8_lossy(&text).into_owned()
        })
    };
    let stdout = reader(Box::new(child.0.stdout.take().unwrap()));
    let stderr = reader(Box::new(child.0.stderr.take().unwrap()));
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.0.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < GUARD,
            "smile-id {args:?} still running after {GUARD:?}"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    let run = Run {
        code: status.code(),
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    };
    assert!(!run.all().contains(KEY), "the API key was printed: {run:?}");
    run
}

fn run(args: &[&str], env: &[(&str, &str)]) -> Run {
    run_with(args, env, None)
}

/// The settings for `sim`, as `WebApi::from_env` reads them.
fn env_for(sim: &Simulator) -> [(&'static str, &str); 3] {
    [
        ("SMILE_ID_SERVER", sim.base_url()),
        ("SMILE_ID_PARTNER_ID", PARTNER),
        ("SMILE_ID_API_KEY", KEY),
    ]
}

fn sim() -> Simulator {
    Simulator::start(PARTNER, KEY).unwrap()
}

fn status(sim: &Simulator, job_id: &str) -> Run {
    run(&["status", "user-1", job_id], &env_for(sim))
}

#[track_caller]
fn assert_code(run: &Run, code: i32) {
    assert_eq!(run.code, Some(code), "{run:?}");
}

#[test]
fn status_exit_statuses_follow_the_verdict() {
    let sim = sim();
    for (job_id, code, word) in [
        ("job-approved", 0, "approved"),
        ("job-1", 0, "approved"),
        ("job-rejected", 1, "rejected"),
        ("job-provisional", 5, "provisional"),
        ("job-failed", 6, "failed"),
        ("job-pending", 7, "pending"),
    ] {
        let run = status(&sim, job_id);
        assert_code(&run, code);
        assert!(
            run.stdout.to_lowercase().contains(word),
            "{job_id}: {run:?}"
        );
        // A pending answer has no result to name the job by.
        if code != 7 {
            assert!(run.stdout.contains(job_id), "{job_id}: {run:?}");
        }
        assert!(run.stderr.is_empty(), "{job_id}: {run:?}");
    }
    assert_eq!(sim.request_count(), 6);
}

#[test]
fn status_json_is_valid_json_without_the_signature() {
    let sim = sim();
    let run = run(
        &[
            "status",
            "user-1",
            "job-approved",
            "--json",
            "--history",
            "--image-links",
        ],
        &env_for(&sim),
    );
    assert_code(&run, 0);
    let value: Value = serde_json::from_str(&run.stdout).unwrap();
    fn has_signature(value: &Value) -> bool {
        match value {
            Value::Object(map) => map
                .iter()
                .any(|(k, v)| k.eq_ignore_ascii_case("signature") || has_signature(v)),
            Value::Array(items) => items.iter().any(has_signature),
            _ => false,
        }
    }
    assert!(!has_signature(&value), "{value}");
    assert_eq!(value["job_complete"], Value::Bool(true), "{value}");
    assert!(value.get("history").is_some(), "{value}");
    assert!(value.get("image_links").is_some(), "{value}");
    // The options were sent.
    let request: Value = serde_json::from_slice(&sim.requests()[0].body).unwrap();
    assert_eq!(request["history"], Value::Bool(true), "{request}");
    assert_eq!(request["image_links"], Value::Bool(true), "{request}");
}

#[test]
fn refused_answers_exit_4() {
    for scenario in [
        Scenario::TamperedSignature,
        Scenario::StaleTimestamp,
        Scenario::OtherJob,
        Scenario::Reflected,
    ] {
        let sim = Simulator::start_with(PARTNER, KEY, scenario.clone()).unwrap();
        let run = status(&sim, "job-approved");
        assert_code(&run, 4);
        assert!(run.stdout.is_empty(), "{scenario:?}: {run:?}");
        assert!(run.stderr.contains("refused"), "{scenario:?}: {run:?}");
    }
}

#[test]
fn a_wrong_key_is_a_configuration_error() {
    // The simulator refuses the request (401): the key is wrong for it.
    let other = Simulator::start(PARTNER, "another-key-entirely").unwrap();
    let run = status(&other, "job-approved");
    assert_code(&run, 2);
    assert!(run.stderr.contains("SMILE_ID_API_KEY"), "{run:?}");
}

#[test]
fn server_errors_are_transient_and_client_errors_are_configuration() {
    let error = |status: u16, code: &str| Scenario::ErrorCode {
        status,
        code: code.into(),
        message: "simulated".into(),
    };
    for (scenario, exit) in [
        (error(503, "2201"), 3),
        (error(500, "2201"), 3),
        (error(429, "2201"), 3),
        (error(400, "2213"), 2),
        (error(403, "2205"), 2),
    ] {
        let sim = Simulator::start_with(PARTNER, KEY, scenario.clone()).unwrap();
        let run = status(&sim, "job-1");
        assert_code(&run, exit);
        assert!(run.stdout.is_empty(), "{scenario:?}: {run:?}");
    }
    // A base URL without /v1: the simulator's 404, with advice naming it.
    let sim = sim();
    let base = sim.base_url().trim_end_matches("/v1").to_owned();
    let env = [
        ("SMILE_ID_SERVER", base.as_str()),
        ("SMILE_ID_PARTNER_ID", PARTNER),
        ("SMILE_ID_API_KEY", KEY),
    ];
    let run = run(&["status", "user-1", "job-1"], &env);
    assert_code(&run, 2);
    assert!(run.stderr.contains("/v1"), "{run:?}");
}

#[test]
fn an_unreachable_server_is_transient() {
    let env = [
        ("SMILE_ID_SERVER", "http://127.0.0.1:9/v1"),
        ("SMILE_ID_PARTNER_ID", PARTNER),
        ("SMILE_ID_API_KEY", KEY),
    ];
    let run = run(&["status", "user-1", "job-1"], &env);
    assert_code(&run, 3);
    assert!(run.stderr.contains("try again"), "{run:?}");
}

#[test]
fn missing_or_partial_configuration_exits_2() {
    let sim = sim();
    let run1 = run(&["status", "user-1", "job-1"], &[]);
    assert_code(&run1, 2);
    assert!(run1.stderr.contains("SMILE_ID_PARTNER_ID"), "{run1:?}");
    let run2 = run(
        &["status", "user-1", "job-1"],
        &[
            ("SMILE_ID_SERVER", sim.base_url()),
            ("SMILE_ID_PARTNER_ID", PARTNER),
        ],
    );
    assert_code(&run2, 2);
    assert!(run2.stderr.contains("SMILE_ID_API_KEY"), "{run2:?}");
    let run3 = run(
        &["status", "user-1", "job-1"],
        &[
            ("SMILE_ID_SERVER", "banana"),
            ("SMILE_ID_PARTNER_ID", PARTNER),
            ("SMILE_ID_API_KEY", KEY),
        ],
    );
    assert_code(&run3, 2);
    assert!(run3.stderr.contains("SMILE_ID_SERVER"), "{run3:?}");
    // Plain http to a remote host; a key with a trailing newline (read from
    // a file): refused before any request, and the key is not echoed (run
    // checks every output for KEY).
    let padded = format!("{KEY}\n");
    for (name, value) in [
        ("SMILE_ID_SERVER", "http://example.com/v1"),
        ("SMILE_ID_API_KEY", padded.as_str()),
        ("SMILE_ID_CALLBACK_URL", "not-a-url"),
    ] {
        let mut env = env_for(&sim).to_vec();
        env.retain(|(n, _)| *n != name);
        env.push((name, value));
        let run = run(&["status", "user-1", "job-1"], &env);
        assert_code(&run, 2);
        assert!(run.stderr.contains(name), "{name}: {run:?}");
    }
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn usage_errors_exit_2_with_a_message() {
    let sim = sim();
    let env = env_for(&sim);
    for args in [
        &["frobnicate"][..],
        &["status"],
        &["status", "user-1"],
        &["status", "user-1", "job-1", "extra"],
        &["status", "user-1", "job-1", "--jsn"],
        &["status", "", "job-1"],
        &["wait", "user-1", "job-1", "--timeout"],
        &["wait", "user-1", "job-1", "--timeout", "banana"],
        &["wait", "user-1", "job-1", "--interval", "25h"],
        &["verify-callback", "extra"],
        &["simulate", "--addr", "localhost"],
        // Odd forms a hurried user types (review w23-revh).
        &["--"],
        &["-"],
        &[""],
        &["status", "--"],
        &["status", " ", "job-1"],
        &["status", "user-1", "job-1", "---"],
        &["status", "user-1", "job-1", "--json=1"],
        &["status", "--=x", "user-1", "job-1"],
        &["wait", "user-1", "job-1", "--timeout=NaN"],
        &["wait", "user-1", "job-1", "--timeout=inf"],
        &["wait", "user-1", "job-1", "--timeout=-1s"],
        &["wait", "user-1", "job-1", "--timeout=1e400"],
        &["wait", "user-1", "job-1", "--timeout="],
        &["wait", "user-1", "job-1", "--timeout=+1s"],
        &["wait", "user-1", "job-1", "--timeout=\u{ff11}s"],
        &["wait", "user-1", "job-1", "--timeout=99999999999999999999h"],
        &["wait", "user-1", "job-1", "--timeout=18446744073709551616"],
        &["wait", "user-1", "job-1", "--interval=18446744073709551615"],
        &["wait", "user-1", "job-1", "--timeout=0"],
        &["wait", "--", "user-1", "job-1", "--timeout=1s"],
        &["--help", "status"],
        &["-h", "-h"],
        &["--version", "--version"],
        &["--help=x"],
        &["help", "status"],
    ] {
        let run = run(args, &env);
        assert_code(&run, 2);
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
        assert!(run.stderr.starts_with("smile-id: "), "{args:?}: {run:?}");
    }
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStrExt as _;
        let bad = std::ffi::OsStr::from_bytes(b"job-\xff");
        let mut command = command(&[], &env);
        let output = command
            .args(["status".as_ref(), "user-1".as_ref(), bad])
            .output();
        let output = output.unwrap();
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("Unicode"),
            "{output:?}"
        );
    }
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn help_for_each_command_exits_0_and_lists_exit_statuses() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["help"],
        &["status", "--help"],
        &["wait", "--help"],
        &["verify-callback", "--help"],
        &["simulate", "--help"],
    ] {
        // Help needs no settings.
        let run = run(args, &[]);
        assert_code(&run, 0);
        assert!(run.stdout.contains("Usage"), "{args:?}: {run:?}");
        assert!(run.stdout.contains("Exit status"), "{args:?}: {run:?}");
    }
    let main = run(&["--help"], &[]);
    for line in [
        "0  approved",
        "1  rejected",
        "2  usage",
        "3  transient",
        "4  refused",
        "5  provisional",
        "6  failed",
        "7  pending",
    ] {
        assert!(main.stdout.contains(line), "{line}: {main:?}");
    }
    // Exit status 0 also means "approved": help mixed into a lookup (a job
    // id of `-h`), or no command at all, is a usage error, never a 0.
    for args in [
        &[][..],
        &["status", "user-1", "job-1", "-h"],
        &["status", "user-1", "--help"],
        &["wait", "--help", "user-1", "job-1"],
        &["--help", "status", "user-1", "job-1"],
        &["--version", "user-1"],
    ] {
        let run = run(args, &[]);
        assert_code(&run, 2);
        assert!(run.stdout.is_empty(), "{args:?}: {run:?}");
    }
    let version = run(&["--version"], &[]);
    assert_code(&version, 0);
    assert!(version.stdout.starts_with("smile-id "), "{version:?}");
}

#[test]
fn wait_polls_until_complete() {
    let sim = sim();
    let env = env_for(&sim);
    let run1 = run(
        &[
            "wait",
            "user-1",
            "job-pending-2-rejected",
            "--interval",
            "100ms",
        ],
        &env,
    );
    assert_code(&run1, 1);
    assert!(run1.stdout.contains("rejected"), "{run1:?}");
    assert_eq!(sim.request_count(), 3);
    // One progress line per poll, the completing one too.
    for poll in ["poll 1 ", "poll 2 ", "poll 3 "] {
        assert!(run1.stderr.contains(poll), "{poll}: {run1:?}");
    }
    assert!(!run1.stderr.contains("poll 4 "), "{run1:?}");
    let run2 = run(&["wait", "user-1", "job-approved"], &env);
    assert_code(&run2, 0);
    let run3 = run(&["wait", "user-2", "job-failed", "--timeout=5s"], &env);
    assert_code(&run3, 6);
    let run4 = run(&["wait", "user-2", "job-provisional"], &env);
    assert_code(&run4, 5);
}

#[test]
fn wait_times_out_on_a_pending_job() {
    let sim = sim();
    let started = Instant::now();
    let run = run(
        &[
            "wait",
            "user-1",
            "job-pending",
            "--timeout",
            "1s",
            "--interval",
            "100ms",
        ],
        &env_for(&sim),
    );
    assert_code(&run, 3);
    assert!(run.stderr.contains("--timeout"), "{run:?}");
    assert!(started.elapsed() < Duration::from_secs(15), "{run:?}");
    assert!(sim.request_count() >= 2, "{run:?}");
    // One progress line per poll, the last (timed-out) one too.
    let lines = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("poll "))
        .count();
    assert_eq!(lines, sim.request_count(), "{run:?}");
}

#[test]
fn wait_rides_out_transient_errors() {
    // The client retries a 503 twice within one poll (max_retries 2): three
    // 503s make the first poll a transient error, which the wait outlasts.
    let busy = Scenario::ErrorCode {
        status: 503,
        code: "2201".into(),
        message: "busy".into(),
    };
    let sim = Simulator::start_with(
        PARTNER,
        KEY,
        Scenario::Sequence(vec![busy.clone(), busy.clone(), busy, Scenario::Complete]),
    )
    .unwrap();
    let run = run(
        &["wait", "user-1", "job-1", "--interval", "100ms"],
        &env_for(&sim),
    );
    assert_code(&run, 0);
    assert!(run.stderr.contains("poll 1 at"), "{run:?}");
    assert!(run.stderr.contains("transient error"), "{run:?}");
    assert!(run.stderr.contains("poll 2 at"), "{run:?}");
    assert!(run.stdout.contains("approved"), "{run:?}");
    assert_eq!(sim.request_count(), 4);
}

#[test]
fn wait_stops_at_a_refused_answer() {
    let sim = Simulator::start_with(PARTNER, KEY, Scenario::TamperedSignature).unwrap();
    let run = run(
        &["wait", "user-1", "job-1", "--interval", "100ms"],
        &env_for(&sim),
    );
    assert_code(&run, 4);
    assert_eq!(sim.request_count(), 1, "{run:?}");
}

fn signer() -> Signature {
    Signature::new(PARTNER, KEY).unwrap()
}

fn verify_callback(body: Option<&[u8]>) -> Run {
    let env = [("SMILE_ID_PARTNER_ID", PARTNER), ("SMILE_ID_API_KEY", KEY)];
    run_with(&["verify-callback"], &env, body)
}

#[test]
fn verify_callback_reads_a_signed_body_on_stdin() {
    let body = sign_callback(&signer(), &complete_result("user-1", "job-1")).unwrap();
    let run = verify_callback(Some(&body));
    assert_code(&run, 0);
    assert!(run.stdout.contains("approved"), "{run:?}");
    assert!(run.stdout.contains("0810"), "{run:?}");
    for (verdict, code) in [
        (Verdict::Rejected, 1),
        (Verdict::Provisional, 5),
        (Verdict::Failed, 6),
    ] {
        let result = outcome_result(verdict, "user-1", "job-1");
        let body = sign_callback(&signer(), &result).unwrap();
        assert_code(&verify_callback(Some(&body)), code);
    }
}

#[test]
fn verify_callback_refuses_forged_and_garbage_bodies() {
    let forged = Signature::new(PARTNER, "not-the-key").unwrap();
    let body = sign_callback(&forged, &complete_result("user-1", "job-1")).unwrap();
    for body in [
        &body[..],
        b"garbage",
        b"{}",
        b"[1, 2]",
        b"{\"timestamp\": 1, \"signature\": null}",
    ] {
        let run = verify_callback(Some(body));
        assert_code(&run, 4);
        assert!(run.stdout.is_empty(), "{run:?}");
        assert!(run.stderr.contains("refused"), "{run:?}");
    }
}

#[test]
fn verify_callback_refuses_a_stale_callback() {
    // Correctly signed, but an hour old: a replay.
    let body = smile_id::testing::sign_json(
        &signer(),
        &complete_result("user-1", "job-1"),
        smile_id::time::Duration::hours(-1),
    )
    .unwrap();
    let run = verify_callback(Some(body.as_bytes()));
    assert_code(&run, 4);
    assert!(run.stdout.is_empty(), "{run:?}");
}

#[test]
fn verify_callback_with_empty_stdin_is_a_usage_error() {
    for body in [None, Some(&b""[..]), Some(&b"  \n\t"[..])] {
        let run = verify_callback(body);
        assert_code(&run, 2);
        assert!(run.stderr.contains("stdin"), "{run:?}");
    }
    // And without settings: a configuration error, whatever stdin holds.
    let body = sign_callback(&signer(), &complete_result("user-1", "job-1")).unwrap();
    assert_code(&run_with(&["verify-callback"], &[], Some(&body)), 2);
}

#[test]
fn verify_callback_refuses_a_giant_body_without_hanging() {
    // Far past any real callback: refused, not read forever.
    let mut body = b"{\"a\": \"".to_vec();
    body.resize(64 << 20, b'x');
    let run = verify_callback(Some(&body));
    assert_code(&run, 4);
}

/// `smile-id simulate` started, and the settings it printed.
struct Simulate {
    _child: Guard,
    env: Vec<(String, String)>,
}

fn simulate(addr: &str) -> Simulate {
    let mut child = Guard(
        command(&["simulate", "--addr", addr], &[])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let stdout = child.0.stdout.take().unwrap();
    let (send, lines) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            if send.send(line).is_err() {
                break;
            }
        }
    });
    let mut env = Vec::new();
    for _ in 0..3 {
        let line = lines.recv_timeout(GUARD).unwrap().unwrap();
        let (name, value) = line.split_once('=').unwrap();
        env.push((name.to_owned(), value.to_owned()));
    }
    Simulate { _child: child, env }
}

#[test]
fn simulate_serves_status_and_wait() {
    let sim = simulate("127.0.0.1:0");
    let names: Vec<&str> = sim.env.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(
        names,
        ["SMILE_ID_SERVER", "SMILE_ID_PARTNER_ID", "SMILE_ID_API_KEY"]
    );
    assert!(
        sim.env[0].1.starts_with("http://127.0.0.1:"),
        "{:?}",
        sim.env
    );
    assert!(sim.env[0].1.ends_with("/v1"), "{:?}", sim.env);
    let env: Vec<(&str, &str)> = sim
        .env
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    // Outputs must not contain the simulator's key either (only its own line does).
    let sim_key = &sim.env[2].1;
    for (job_id, code) in [
        ("job-approved", 0),
        ("job-rejected", 1),
        ("job-provisional", 5),
        ("job-failed", 6),
        ("job-pending", 7),
    ] {
        let run = run(&["status", "user-1", job_id], &env);
        assert_code(&run, code);
        assert!(!run.all().contains(sim_key.as_str()), "{run:?}");
    }
    let json = run(&["status", "user-1", "job-approved", "--json"], &env);
    assert_code(&json, 0);
    let value: Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(value.get("signature").is_none(), "{value}");
    let waited = run(
        &[
            "wait",
            "user-1",
            "job-pending-1-approved",
            "--interval",
            "100ms",
        ],
        &env,
    );
    assert_code(&waited, 0);
    // A callback signed with the printed key verifies with the printed settings.
    let signer = Signature::new(&sim.env[1].1, sim_key).unwrap();
    let body = sign_callback(&signer, &complete_result("user-1", "job-1")).unwrap();
    assert_code(&run_with(&["verify-callback"], &env, Some(&body)), 0);
}

#[test]
fn simulate_on_a_port_in_use_exits_2() {
    let taken = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = taken.local_addr().unwrap().to_string();
    let run = run(&["simulate", "--addr", &addr], &[]);
    assert_code(&run, 2);
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("already in use"), "{run:?}");
    assert!(run.stderr.contains(&addr), "{run:?}");
}

#[test]
fn simulate_refuses_a_non_loopback_address() {
    let run = run(&["simulate", "--addr", "0.0.0.0:0"], &[]);
    assert_code(&run, 2);
    assert!(run.stdout.is_empty(), "{run:?}");
    assert!(run.stderr.contains("loopback"), "{run:?}");
}

#[test]
fn a_closed_stdout_is_not_a_panic() {
    let sim = sim();
    for args in [
        &["--help"][..],
        &["--version"],
        &["status", "user-1", "job-1"],
    ] {
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut child = Guard(
            command(args, &env_for(&sim))
                .stdin(Stdio::null())
                .stdout(writer)
                .stderr(Stdio::piped())
                .spawn()
                .unwrap(),
        );
        let mut stderr = String::new();
        child
            .0
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut stderr)
            .unwrap();
        let status = child.0.wait().unwrap();
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
        assert_ne!(status.code(), Some(101), "{args:?}: {stderr}");
    }
}
