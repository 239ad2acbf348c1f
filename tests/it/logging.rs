//! What the crate reports through the `log` facade: retries and polls at
//! debug, verification refusals at warn, under `smile_id` targets, and never a
//! key, a signature or personal data.

use std::sync::Mutex;
use std::thread::ThreadId;
use std::time::Duration;

use crate::common::{API_KEY, PARTNER_ID, sim_and_api};
use smile_id::testing::{Scenario, Simulator, complete_result, sign_callback};
use smile_id::{JobStatusOptions, PartnerParams, PollPolicy, WebApi};

/// Every record of this crate, with the thread that made it: tests run in
/// parallel (the whole test binary's, once this logger is installed), and each
/// looks only at its own thread's records (the crate logs on the caller's thread).
struct Capture(Mutex<Vec<(ThreadId, log::Level, String, String)>>);

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata<'_>) -> bool {
        true
    }
    fn log(&self, record: &log::Record<'_>) {
        // Other crates' records (ureq's, the test servers') are never looked at:
        // not keeping them spares the other tests in this binary the cost.
        if !record.target().starts_with("smile_id") {
            return;
        }
        self.0.lock().unwrap().push((
            std::thread::current().id(),
            record.level(),
            record.target().to_owned(),
            record.args().to_string(),
        ));
    }
    fn flush(&self) {}
}

static CAPTURE: Capture = Capture(Mutex::new(Vec::new()));

/// This thread's records from this crate (ureq logs too):
/// (level, target, message).
fn records() -> Vec<(log::Level, String, String)> {
    let _ = log::set_logger(&CAPTURE);
    log::set_max_level(log::LevelFilter::Trace);
    let me = std::thread::current().id();
    CAPTURE
        .0
        .lock()
        .unwrap()
        .iter()
        .filter(|r| r.0 == me && r.2.starts_with("smile_id"))
        .map(|r| (r.1, r.2.clone(), r.3.clone()))
        .collect()
}

fn install() {
    records();
}

fn job() -> PartnerParams {
    PartnerParams::new("user-123", "job-456")
}

/// No record holds the key, a signature the simulator saw or sent, or ID data.
fn assert_clean(records: &[(log::Level, String, String)], secrets: &[&str]) {
    for (_, target, message) in records {
        assert!(target.starts_with("smile_id::"), "{target}");
        for secret in secrets.iter().chain(&[API_KEY]) {
            assert!(!message.contains(secret), "{secret:?} in {message}");
        }
    }
}

/// [`assert_clean`] against every request signature `sim` received.
fn assert_clean_of(records: &[(log::Level, String, String)], sim: &Simulator) {
    let signatures = crate::common::request_signatures(sim);
    assert_clean(
        records,
        &signatures.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}

#[test]
fn each_retry_is_logged_with_reason_and_wait() {
    install();
    let (sim, _) = sim_and_api();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .retry_base_delay(Duration::from_millis(10))
        .build()
        .unwrap();
    sim.set_scenario(Scenario::Sequence(vec![
        Scenario::ErrorCode {
            status: 503,
            code: "2201".into(),
            message: "busy".into(),
        },
        Scenario::Complete,
    ]));
    api.get_job_status(&job(), &JobStatusOptions::default())
        .unwrap();
    let records = records();
    let retries: Vec<_> = records
        .iter()
        .filter(|r| r.1 == "smile_id::transport")
        .collect();
    assert_eq!(retries.len(), 1, "{records:?}");
    let (level, _, message) = retries[0];
    assert_eq!(*level, log::Level::Debug);
    assert!(
        message.starts_with("retry 1 of 2 in 0.0") && message.ends_with("s after http status 503"),
        "{message}"
    );
    assert_clean_of(&records, &sim);
}

#[test]
fn a_transport_retry_names_the_error() {
    install();
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(smile_id::Server::custom(&format!("http://127.0.0.1:{port}/v1")).unwrap())
        .retry_base_delay(Duration::from_millis(5))
        .max_retries(1)
        .build()
        .unwrap();
    assert!(
        api.get_job_status(&job(), &JobStatusOptions::default())
            .is_err()
    );
    let records = records();
    let messages: Vec<&str> = records
        .iter()
        .filter(|r| r.1 == "smile_id::transport")
        .map(|r| r.2.as_str())
        .collect();
    assert_eq!(messages.len(), 1, "{records:?}");
    assert!(
        messages[0].ends_with(&format!(
            "after transport error talking to 127.0.0.1:{port}: connection refused"
        )),
        "{}",
        messages[0]
    );
}

#[test]
fn each_poll_is_logged() {
    install();
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::CompleteAfter { polls: 2 });
    let policy = PollPolicy {
        initial_interval: Duration::from_millis(10),
        max_interval: Duration::from_millis(10),
        ..PollPolicy::default()
    };
    api.wait_for_job(&job(), &JobStatusOptions::default(), &policy)
        .unwrap();
    let records = records();
    let polls: Vec<&str> = records
        .iter()
        .filter(|r| r.1 == "smile_id::poll" && r.0 == log::Level::Debug)
        .map(|r| r.2.as_str())
        .collect();
    assert_eq!(polls.len(), 3, "{records:?}");
    assert!(
        polls[0].starts_with(r#"poll 1 of job "job-456" at "#)
            && polls[0].ends_with("s: pending: not complete; code 2302; no result yet"),
        "{}",
        polls[0]
    );
    assert!(polls[2].starts_with("poll 3 of job"), "{}", polls[2]);
    assert!(polls[2].contains("complete, successful"), "{}", polls[2]);
    assert_clean_of(&records, &sim);
}

#[test]
fn each_refusal_is_logged_at_warn_with_its_variant() {
    install();
    let (sim, api) = sim_and_api();
    for (scenario, variant) in [
        (Scenario::TamperedSignature, "SignatureMismatch"),
        (Scenario::StaleTimestamp, "TimestampOutOfTolerance"),
        (Scenario::OtherJob, "JobMismatch"),
        (Scenario::Complete, ""),
    ] {
        sim.set_scenario(scenario);
        let _ = api.get_job_status(&job(), &JobStatusOptions::default());
        let records = records();
        let warnings: Vec<&str> = records
            .iter()
            .filter(|r| r.1 == "smile_id::verify")
            .map(|r| r.2.as_str())
            .collect();
        if variant.is_empty() {
            // Accepted: no new warning.
            assert_eq!(warnings.len(), 3, "{warnings:?}");
            continue;
        }
        let last = warnings.last().unwrap();
        assert!(
            last.starts_with(&format!("response refused ({variant}): ")),
            "{last}"
        );
        assert!(
            records
                .iter()
                .filter(|r| r.1 == "smile_id::verify")
                .all(|r| r.0 == log::Level::Warn)
        );
    }

    // Callbacks too, and never with the signature that was refused.
    let body = sign_callback(api.signature(), &complete_result("u", "j")).unwrap();
    let mut value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    let signature = value["signature"].as_str().unwrap().to_owned();
    value["timestamp"] = "2020-01-01T00:00:00.000Z".into();
    let forged = serde_json::to_vec(&value).unwrap();
    assert!(api.verify_callback(&forged).is_err());
    let records = records();
    let last = &records.last().unwrap().2;
    assert!(
        last.starts_with("callback refused (SignatureMismatch): "),
        "{last}"
    );
    let mut secrets = crate::common::request_signatures(&sim);
    secrets.push(signature);
    assert_clean(
        &records,
        &secrets.iter().map(String::as_str).collect::<Vec<_>>(),
    );
}
