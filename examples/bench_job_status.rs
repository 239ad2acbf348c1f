//! Sequential `get_job_status` calls, timed, next to a bare `ureq` baseline.
//!
//! ```text
//! cargo run --release --example bench_job_status                 # both, on the local simulator, and their ratio
//! cargo run --release --example bench_job_status -- --history    # the same with a 1,000-entry history
//! cargo run --release --example bench_job_status -- --url https://127.0.0.1:8443/v1 --ca ca.pem [--baseline]
//! cargo run --release --example bench_job_status -- --emit-response body.json [--history]
//! cargo run --release --example bench_job_status -- --judge-only --history --n 5 [--baseline]
//! cargo run --release --example bench_job_status -- --threads 8   # 8 threads sharing one client (one agent for bare ureq)
//! cargo run --release --example bench_job_status -- --url http://127.0.0.1:8080/v1 --interleave 250   # both, taking turns
//! ```
//!
//! Options: `--url URL` (a base URL; without it the simulator is used and both
//! clients run), `--n N` calls (default 2000), `--warmup N` (default 200),
//! `--ca PEM` (trust this root), `--history` (ask for history; on the
//! simulator, serve 1,000 entries, about 780 KB), `--image-links`,
//! `--baseline` (run the bare `ureq` loop instead of this crate),
//! `--threads N` (N threads share one client, or one agent for the baseline,
//! each making `--n`/N calls after `--warmup`/N; default 1, on the calling
//! thread),
//! `--interleave BLOCK` (with `--url`: both clients in this one process,
//! taking turns of BLOCK calls each (per thread with `--threads`); prints both
//! runs and the ratio, which separate processes measure less steadily on a
//! busy machine),
//! `--emit-response FILE` (write a freshly signed response body for a static
//! server and exit), `--judge-only` (no HTTP: judge and decode a freshly
//! signed response body `--n` times in memory, or with `--baseline` parse it
//! into a `serde_json::Value`; for counting instructions with
//! `valgrind --tool=callgrind --toggle-collect='*judge_once*'` or
//! `'*parse_once*'`), `--timestamp-tolerance SECS` (for long runs against a
//! static body signed once). Credentials: `SMILE_ID_PARTNER_ID`,
//! `SMILE_ID_API_KEY` (demo values by default). The job: `--user-id`/`--job-id`
//! or `SMILE_ID_USER_ID`/`SMILE_ID_JOB_ID`; with `--url` and neither, the job
//! the server's first answer is about (so a static body works as it is), else
//! `bench-user`/`bench-job`.
//!
//! Prints one JSON line per run:
//! `{"client", "n", "ok", "calls_per_s", "mean_us", "p50_us", "p99_us", "peak_rss_kb"}`.
//! Every call's result is checked; a failed call is counted, not hidden.

use std::process::ExitCode;
use std::time::{Duration, Instant};

use smile_id::testing::{Scenario, Simulator, job_status_json, sign_json};
use smile_id::{JobStatusOptions, PartnerParams, WebApi};

struct Args {
    url: Option<String>,
    n: usize,
    warmup: usize,
    ca: Option<Vec<u8>>,
    history: bool,
    image_links: bool,
    baseline: bool,
    emit: Option<String>,
    user_id: Option<String>,
    job_id: Option<String>,
    tolerance: Option<Duration>,
    threads: usize,
    interleave: Option<usize>,
    judge_only: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut args = Args {
        url: None,
        n: 2000,
        warmup: 200,
        ca: None,
        history: false,
        image_links: false,
        baseline: false,
        emit: None,
        user_id: None,
        job_id: None,
        tolerance: None,
        threads: 1,
        interleave: None,
        judge_only: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        let mut value = || it.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--url" => args.url = Some(value()?),
            "--n" => args.n = value()?.parse().map_err(|e| format!("--n: {e}"))?,
            "--warmup" => args.warmup = value()?.parse().map_err(|e| format!("--warmup: {e}"))?,
            "--ca" => {
                let path = value()?;
                args.ca = Some(std::fs::read(&path).map_err(|e| format!("--ca {path}: {e}"))?);
            }
            "--threads" => {
                args.threads = value()?
                    .parse::<usize>()
                    .map_err(|e| format!("--threads: {e}"))?
                    .max(1);
            }
            "--interleave" => {
                args.interleave = Some(value()?.parse().map_err(|e| format!("--interleave: {e}"))?);
            }
            "--history" => args.history = true,
            "--image-links" => args.image_links = true,
            "--baseline" => args.baseline = true,
            "--emit-response" => args.emit = Some(value()?),
            "--judge-only" => args.judge_only = true,
            "--user-id" => args.user_id = Some(value()?),
            "--job-id" => args.job_id = Some(value()?),
            "--timestamp-tolerance" => {
                let secs = value()?
                    .parse()
                    .map_err(|e| format!("--timestamp-tolerance: {e}"))?;
                args.tolerance = Some(Duration::from_secs(secs));
            }
            "-h" | "--help" => {
                println!("{}", USAGE.trim());
                std::process::exit(0);
            }
            other => return Err(format!("unknown option {other} (see --help)")),
        }
    }
    Ok(args)
}

fn env_or(name: &str, default: &str) -> String {
    std::env::var(name)
        .ok()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| default.to_owned())
}

struct Creds {
    partner_id: String,
    api_key: String,
    job: PartnerParams,
}

/// Credentials from the environment, and the job from the flags or the
/// environment when given there (`None` otherwise).
fn creds(args: &Args) -> (Creds, bool) {
    let given = |flag: &Option<String>, name: &str| {
        flag.clone()
            .or_else(|| std::env::var(name).ok().filter(|v| !v.is_empty()))
    };
    let user = given(&args.user_id, "SMILE_ID_USER_ID");
    let job = given(&args.job_id, "SMILE_ID_JOB_ID");
    let known = user.is_some() && job.is_some();
    let creds = Creds {
        partner_id: env_or("SMILE_ID_PARTNER_ID", "002"),
        api_key: env_or("SMILE_ID_API_KEY", "demo-api-key-for-benchmarks"),
        job: PartnerParams::new(
            user.unwrap_or_else(|| "bench-user".into()),
            job.unwrap_or_else(|| "bench-job".into()),
        ),
    };
    (creds, known)
}

/// Asks the server once and returns the job its answer is about, if it names one.
fn probe_job(url: &str, args: &Args, c: &Creds) -> Option<PartnerParams> {
    let endpoint = format!("{}/job_status", url.trim_end_matches('/'));
    let mut response = bare_agent(args)
        .post(&endpoint)
        .header("Content-Type", "application/json")
        .send(request_body(args, c).ok()?.as_bytes())
        .ok()?;
    let bytes = response
        .body_mut()
        .with_config()
        .limit(16 << 20)
        .read_to_vec()
        .ok()?;
    let body: serde_json::Value = serde_json::from_slice(&bytes).ok()?;
    let params = body.get("result")?.get("PartnerParams")?;
    let text = |key: &str| match params.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    };
    Some(PartnerParams::new(text("user_id")?, text("job_id")?))
}

/// The entries a `--history` response carries on the simulator and in
/// `--emit-response` bodies.
const HISTORY_ENTRIES: usize = 1000;

fn response_body(c: &Creds, history: bool) -> String {
    job_status_json(
        &c.job.user_id,
        &c.job.job_id,
        if history { HISTORY_ENTRIES } else { 0 },
    )
}

struct Stats {
    client: &'static str,
    ok: usize,
    latencies: Vec<Duration>,
    total: Duration,
}

impl Stats {
    fn json(&self) -> String {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        let pct = |p: f64| {
            let at = ((sorted.len() as f64 - 1.0) * p).round() as usize;
            sorted.get(at).map_or(0.0, |d| d.as_secs_f64() * 1e6)
        };
        let n = self.latencies.len();
        format!(
            r#"{{"client":"{}","n":{},"ok":{},"calls_per_s":{:.1},"mean_us":{:.1},"p50_us":{:.1},"p99_us":{:.1},"peak_rss_kb":{}}}"#,
            self.client,
            n,
            self.ok,
            n as f64 / self.total.as_secs_f64(),
            self.total.as_secs_f64() * 1e6 / n.max(1) as f64,
            pct(0.5),
            pct(0.99),
            peak_rss_kb()
        )
    }

    fn calls_per_s(&self) -> f64 {
        self.latencies.len() as f64 / self.total.as_secs_f64()
    }
}

/// The process's peak resident set (VmHWM), in KiB; 0 where unknown.
fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}

/// One call: whether it succeeded, and why not.
type Call<'a> = Box<dyn Fn() -> Result<(), String> + Sync + 'a>;

/// Remembers the first failure of a run, to print it once.
#[derive(Default)]
struct FirstError(std::sync::Mutex<Option<String>>);

impl FirstError {
    fn ok(&self, result: Result<(), String>) -> bool {
        match result {
            Ok(()) => true,
            Err(message) => {
                if let Ok(mut first) = self.0.lock() {
                    first.get_or_insert(message);
                }
                false
            }
        }
    }

    fn report(self, client: &str) {
        if let Some(err) = self.0.into_inner().ok().flatten() {
            eprintln!("{client}: first failure: {err}");
        }
    }
}

/// `n` timed calls after `warmup` untimed ones, on the calling thread, or
/// split over `threads` threads that all start together; the first failure is
/// printed.
fn timed(client: &'static str, threads: usize, n: usize, warmup: usize, call: &Call<'_>) -> Stats {
    let failures = FirstError::default();
    let stats = timed_with(client, threads, n, warmup, call, &failures);
    failures.report(client);
    stats
}

/// [`timed`], its failures kept in `failures` (not printed).
fn timed_with(
    client: &'static str,
    threads: usize,
    n: usize,
    warmup: usize,
    call: &Call<'_>,
    failures: &FirstError,
) -> Stats {
    let run = |n: usize| {
        let mut latencies = Vec::with_capacity(n);
        let mut ok = 0;
        for _ in 0..n {
            let t = Instant::now();
            if failures.ok(call()) {
                ok += 1;
            }
            latencies.push(t.elapsed());
        }
        (ok, latencies)
    };
    if threads <= 1 {
        for _ in 0..warmup {
            let _ = call();
        }
        let started = Instant::now();
        let (ok, latencies) = run(n);
        Stats {
            client,
            ok,
            latencies,
            total: started.elapsed(),
        }
    } else {
        // Every thread warms up (opening its own pooled connection), then all
        // start the timed calls at once; the time is until the last one ends.
        let barrier = std::sync::Barrier::new(threads + 1);
        let (results, total) = std::thread::scope(|scope| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (barrier, run) = (&barrier, &run);
                    scope.spawn(move || {
                        for _ in 0..warmup / threads {
                            let _ = call();
                        }
                        barrier.wait();
                        run(n / threads)
                    })
                })
                .collect();
            barrier.wait();
            let started = Instant::now();
            let results: Vec<_> = workers.into_iter().filter_map(|w| w.join().ok()).collect();
            (results, started.elapsed())
        });
        let mut stats = Stats {
            client,
            ok: 0,
            latencies: Vec::with_capacity(n),
            total,
        };
        for (ok, latencies) in results {
            stats.ok += ok;
            stats.latencies.extend(latencies);
        }
        stats
    }
}

/// Both clients in one process, taking turns: `threads` threads (1: the
/// calling thread) of the baseline make `block` calls each, then as many of
/// this crate, and so on until each made `n`. Load on a shared machine then
/// falls on both alike, which separate processes run one after the other
/// cannot promise. Pooled connections carry over from turn to turn; only the
/// first turn warms up. Returns both runs and the median of the per-turn ratios
/// (this crate's calls/s over the baseline's).
fn interleaved(
    threads: usize,
    n: usize,
    warmup: usize,
    block: usize,
    base: &Call<'_>,
    ours: &Call<'_>,
) -> (Stats, Stats, f64) {
    let per_turn = block.max(1).saturating_mul(threads.max(1));
    let failures = [FirstError::default(), FirstError::default()];
    let mut totals = ["bare-ureq", "smile-id"].map(|client| Stats {
        client,
        ok: 0,
        latencies: Vec::with_capacity(n),
        total: Duration::ZERO,
    });
    let mut ratios = Vec::new();
    let (mut done, mut warm) = (0, warmup);
    while done < n {
        let calls = per_turn.min(n - done);
        let mut took = [Duration::ZERO; 2];
        let turns = [base, ours].into_iter().zip(&failures);
        for (((call, failures), total), took) in turns.zip(&mut totals).zip(&mut took) {
            let turn = timed_with(total.client, threads, calls, warm, call, failures);
            *took = turn.total;
            total.ok += turn.ok;
            total.total += turn.total;
            total.latencies.extend(turn.latencies);
        }
        ratios.push(took[0].as_secs_f64() / took[1].as_secs_f64());
        done += calls;
        warm = 0;
    }
    for (failures, total) in failures.into_iter().zip(&totals) {
        failures.report(total.client);
    }
    ratios.sort_by(f64::total_cmp);
    let median = ratios.get(ratios.len() / 2).copied().unwrap_or(0.0);
    let [base_stats, our_stats] = totals;
    (base_stats, our_stats, median)
}

/// A call of this crate's client: `get_job_status`, its result checked.
fn crate_call<'a>(url: &str, args: &'a Args, c: &'a Creds) -> Result<Call<'a>, String> {
    let mut builder = WebApi::builder(&c.partner_id, &c.api_key).server(url);
    if let Some(ca) = &args.ca {
        builder = builder.root_certificates_pem(ca);
    }
    if let Some(tolerance) = args.tolerance {
        builder = builder.timestamp_tolerance(tolerance);
    }
    let api = builder.build().map_err(|e| e.to_string())?;
    let options = JobStatusOptions {
        return_history: args.history,
        return_image_links: args.image_links,
    };
    Ok(Box::new(move || {
        let status = api
            .get_job_status(&c.job, &options)
            .map_err(|e| e.to_string())?;
        if status.job_complete && (!args.history || !status.history.is_empty()) {
            Ok(())
        } else {
            Err("incomplete job status".into())
        }
    }))
}

/// The baseline's agent: the same TLS roots, redirects off, statuses as values,
/// enough idle connections for every thread, and no timeout, which is the
/// fastest `ureq` can be: with one, its default resolver looks the host up on a
/// new thread for every call.
fn bare_agent(args: &Args) -> ureq::Agent {
    let mut tls = ureq::tls::TlsConfig::builder();
    if let Some(ca) = &args.ca {
        let certs: Vec<_> = ureq::tls::parse_pem(ca)
            .filter_map(|item| match item {
                Ok(ureq::tls::PemItem::Certificate(cert)) => Some(cert),
                _ => None,
            })
            .collect();
        tls = tls.root_certs(ureq::tls::RootCerts::new_with_certs(&certs));
    }
    ureq::Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .tls_config(tls.build())
        .max_idle_connections(64)
        .max_idle_connections_per_host(64)
        .build()
        .into()
}

/// A signed job status request, built once for the baseline.
fn request_body(args: &Args, c: &Creds) -> Result<String, String> {
    let signer = smile_id::Signature::new(&c.partner_id, &c.api_key).map_err(|e| e.to_string())?;
    let signed = signer.generate_signature();
    Ok(format!(
        r#"{{"partner_id":"{}","user_id":"{}","job_id":"{}","timestamp":"{}","signature":"{}","image_links":{},"history":{},"source_sdk":"rust","source_sdk_version":"bench"}}"#,
        c.partner_id,
        c.job.user_id,
        c.job.job_id,
        signed.timestamp,
        signed.signature,
        args.image_links,
        args.history
    ))
}

/// The limit of this stack: `ureq` posting a prebuilt body, reading the answer
/// into memory; no signing, no serialising, no parsing, no verifying.
fn baseline_call<'a>(url: &str, args: &Args, c: &Creds) -> Result<Call<'a>, String> {
    let agent = bare_agent(args);
    let body = request_body(args, c)?;
    let endpoint = format!("{}/job_status", url.trim_end_matches('/'));
    Ok(Box::new(move || {
        let mut response = agent
            .post(&endpoint)
            .header("Content-Type", "application/json")
            .header("Accept", "application/json")
            .send(body.as_bytes())
            .map_err(|e| e.to_string())?;
        let status = response.status().as_u16();
        let bytes = response
            .body_mut()
            .with_config()
            .limit(16 << 20)
            .read_to_vec()
            .map_err(|e| e.to_string())?;
        match status {
            200 if !bytes.is_empty() => Ok(()),
            200 => Err("empty body".into()),
            status => Err(format!("status {status}")),
        }
    }))
}

fn run() -> Result<bool, String> {
    let args = parse_args()?;
    let (mut c, job_given) = creds(&args);
    if let Some(path) = &args.emit {
        let signer =
            smile_id::Signature::new(&c.partner_id, &c.api_key).map_err(|e| e.to_string())?;
        let body = sign_json(
            &signer,
            &response_body(&c, args.history),
            time::Duration::ZERO,
        )
        .map_err(|e| e.to_string())?;
        std::fs::write(path, body.as_bytes()).map_err(|e| format!("{path}: {e}"))?;
        eprintln!(
            "wrote a response signed now ({} bytes) to {path}; it verifies for 5 minutes",
            body.len()
        );
        return Ok(true);
    }
    if args.judge_only {
        return judge_only(&args, &c);
    }
    match &args.url {
        Some(url) => {
            if !job_given && let Some(job) = probe_job(url, &args, &c) {
                eprintln!(
                    "benchmarking the job the server answers about: user {} job {}",
                    job.user_id, job.job_id
                );
                c.job = job;
            }
            if let Some(block) = args.interleave {
                let base = baseline_call(url, &args, &c)?;
                let ours = crate_call(url, &args, &c)?;
                let (base, ours, median) =
                    interleaved(args.threads, args.n, args.warmup, block, &base, &ours);
                println!("{}", base.json());
                println!("{}", ours.json());
                println!(
                    r#"{{"ratio_smile_id_to_bare_ureq":{:.3},"median_turn_ratio":{median:.3}}}"#,
                    ours.calls_per_s() / base.calls_per_s()
                );
                return Ok(ours.ok == ours.latencies.len() && base.ok == base.latencies.len());
            }
            let stats = if args.baseline {
                timed(
                    "bare-ureq",
                    args.threads,
                    args.n,
                    args.warmup,
                    &baseline_call(url, &args, &c)?,
                )
            } else {
                timed(
                    "smile-id",
                    args.threads,
                    args.n,
                    args.warmup,
                    &crate_call(url, &args, &c)?,
                )
            };
            println!("{}", stats.json());
            Ok(stats.ok == stats.latencies.len())
        }
        None => {
            let scenario = if args.history {
                Scenario::SignedJson(response_body(&c, true))
            } else {
                Scenario::Complete
            };
            let sim = Simulator::start_with(&c.partner_id, &c.api_key, scenario)
                .map_err(|e| e.to_string())?;
            let baseline = timed(
                "bare-ureq",
                args.threads,
                args.n,
                args.warmup,
                &baseline_call(sim.base_url(), &args, &c)?,
            );
            let ours = timed(
                "smile-id",
                args.threads,
                args.n,
                args.warmup,
                &crate_call(sim.base_url(), &args, &c)?,
            );
            println!("{}", baseline.json());
            println!("{}", ours.json());
            println!(
                r#"{{"ratio_smile_id_to_bare_ureq":{:.3}}}"#,
                ours.calls_per_s() / baseline.calls_per_s()
            );
            Ok(ours.ok == ours.latencies.len() && baseline.ok == baseline.latencies.len())
        }
    }
}

/// `--judge-only`: the response work alone, in memory, `--n` times; every
/// result dropped before the next (drops included in a whole-process count,
/// excluded when only `judge_once` or `parse_once` is counted).
fn judge_only(args: &Args, c: &Creds) -> Result<bool, String> {
    let api = WebApi::new(&c.partner_id, "", &c.api_key, 0).map_err(|e| e.to_string())?;
    let body = sign_json(
        api.signature(),
        &response_body(c, args.history),
        time::Duration::ZERO,
    )
    .map_err(|e| e.to_string())?
    .into_bytes();
    let start = Instant::now();
    for _ in 0..args.n {
        if args.baseline {
            std::hint::black_box(parse_once(&body)?);
        } else {
            std::hint::black_box(judge_once(&api, &body, &c.job)?);
        }
    }
    let per_call = start.elapsed().as_secs_f64() * 1e6 / args.n.max(1) as f64;
    println!(
        r#"{{"client":"{}","n":{},"body_bytes":{},"mean_us":{per_call:.1}}}"#,
        if args.baseline {
            "serde_json-value"
        } else {
            "smile-id-judge"
        },
        args.n,
        body.len()
    );
    Ok(true)
}

#[inline(never)]
fn judge_once(
    api: &WebApi,
    body: &[u8],
    job: &PartnerParams,
) -> Result<smile_id::JobStatus, String> {
    api.verify_job_status(std::hint::black_box(body), job)
        .map_err(|e| e.to_string())
}

#[inline(never)]
fn parse_once(body: &[u8]) -> Result<serde_json::Value, String> {
    serde_json::from_slice(std::hint::black_box(body)).map_err(|e| e.to_string())
}

/// What `--help` prints: the options, as the module docs give them.
const USAGE: &str = "
usage: cargo run --release --example bench_job_status -- [options]

  (no --url)            both clients against the crate's local simulator, and their ratio
  --url URL             a base URL of your own server (e.g. http://127.0.0.1:8080/v1)
  --baseline            the bare ureq loop instead of this crate
  --interleave BLOCK    with --url: both clients in this process, in turns of BLOCK calls
  --threads N           N threads sharing one client (one agent for --baseline)
  --n N, --warmup N     calls measured (2000) and before measuring (200)
  --ca PEM              trust this root certificate
  --history             ask for history (the simulator serves 1,000 entries)
  --image-links         ask for image links
  --emit-response FILE  write a freshly signed response body and exit
  --judge-only          no HTTP: judge a signed body --n times in memory (--baseline: parse into a Value)
  --timestamp-tolerance SECS, --user-id ID, --job-id ID

Credentials: SMILE_ID_PARTNER_ID, SMILE_ID_API_KEY (demo values by default).
Prints one JSON line per run. See the source's module docs for details.";

fn main() -> ExitCode {
    match run() {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}
