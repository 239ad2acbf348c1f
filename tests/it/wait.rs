//! Waiting for a job: `wait_for_job` against the simulator.

use std::time::{Duration, Instant};

use crate::common::{API_KEY, PARTNER_ID};
use smile_id::testing::{Scenario, Simulator};
use smile_id::{
    Error, JobStatusOptions, PartnerParams, PollOutcome, PollPolicy, SignatureFailure, WebApi,
};

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

fn fast_policy(timeout: Duration) -> PollPolicy {
    PollPolicy {
        initial_interval: Duration::from_millis(40),
        multiplier: 1.5,
        max_interval: Duration::from_millis(150),
        timeout,
    }
}

/// Waits for `job()` with the fast policy and the given timeout.
fn wait(api: &WebApi, timeout: Duration) -> Result<smile_id::JobStatus, Error> {
    api.wait_for_job(&job(), &JobStatusOptions::default(), &fast_policy(timeout))
}

fn setup(scenario: Scenario) -> (Simulator, WebApi) {
    let sim = Simulator::start_with(PARTNER_ID, API_KEY, scenario).unwrap();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .max_retries(0)
        .build()
        .unwrap();
    (sim, api)
}

#[test]
fn completes_after_several_polls_each_signed_afresh() {
    let (sim, api) = setup(Scenario::CompleteAfter { polls: 3 });
    let mut seen = Vec::new();
    let status = api
        .wait_for_job_with_progress(
            &job(),
            &JobStatusOptions::default(),
            &fast_policy(Duration::from_secs(10)),
            |p| {
                assert!(matches!(p.outcome, PollOutcome::Pending(s) if !s.job_complete));
                seen.push(p.attempt);
            },
        )
        .unwrap();
    assert!(status.job_complete && status.job_success);
    assert_eq!(seen, [1, 2, 3]);
    let requests = sim.requests();
    assert_eq!(requests.len(), 4);
    let signatures: std::collections::HashSet<String> = crate::common::request_signatures(&sim)
        .into_iter()
        .collect();
    assert_eq!(signatures.len(), 4, "every poll must be signed afresh");
}

#[test]
fn gives_up_at_the_deadline_with_the_last_status() {
    let (sim, api) = setup(Scenario::Pending);
    let timeout = Duration::from_millis(700);
    let started = Instant::now();
    let mut slept = Duration::ZERO;
    let err = api
        .wait_for_job_with_progress(
            &job(),
            &JobStatusOptions::default(),
            &fast_policy(timeout),
            |p| {
                slept += p.next_poll_in.unwrap_or_default();
            },
        )
        .unwrap_err();
    let took = started.elapsed();
    let Error::WaitTimeout {
        attempts,
        ref last_status,
        ref last_error,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert!(attempts >= 3, "{attempts}");
    assert_eq!(attempts as usize, sim.request_count());
    let last = last_status.as_ref().unwrap();
    assert!(!last.job_complete);
    assert!(last_error.is_none());
    assert!(slept < timeout, "slept {slept:?}");
    assert!(took <= timeout + timeout / 10, "took {took:?}");
    assert!(took >= timeout / 2, "gave up early: {took:?}");
    assert!(err.to_string().contains("timed out waiting"), "{err}");
}

#[test]
fn never_returns_an_incomplete_status_as_ok() {
    let (_sim, api) = setup(Scenario::StringResult);
    let err = wait(&api, Duration::from_millis(200)).unwrap_err();
    let Error::WaitTimeout { last_status, .. } = err else {
        panic!("{err:?}")
    };
    assert_eq!(
        last_status.unwrap().result_message.as_deref(),
        Some("No zip uploaded yet")
    );
}

#[test]
fn a_tampered_signature_mid_wait_stops_at_once() {
    let (sim, api) = setup(Scenario::Sequence(vec![
        Scenario::Pending,
        Scenario::Pending,
        Scenario::TamperedSignature,
        Scenario::Complete,
    ]));
    let started = Instant::now();
    let err = wait(&api, Duration::from_secs(10)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(sim.request_count(), 3);
    assert!(started.elapsed() < Duration::from_secs(2));
}

#[test]
fn other_jobs_and_stale_answers_stop_the_wait() {
    for (bad, expect) in [
        (Scenario::OtherJob, "JobMismatch"),
        (Scenario::StaleTimestamp, "TimestampOutOfTolerance"),
    ] {
        let (sim, api) = setup(Scenario::Sequence(vec![Scenario::Pending, bad]));
        let err = wait(&api, Duration::from_secs(10)).unwrap_err();
        assert!(format!("{err:?}").starts_with(expect), "{err:?}");
        assert_eq!(sim.request_count(), 2);
    }
}

#[test]
fn survives_a_503_in_the_middle() {
    let (sim, api) = setup(Scenario::Sequence(vec![
        Scenario::Pending,
        Scenario::ErrorCode {
            status: 503,
            code: "2201".into(),
            message: "busy".into(),
        },
        Scenario::Complete,
    ]));
    let mut outcomes = Vec::new();
    let status = api
        .wait_for_job_with_progress(
            &job(),
            &JobStatusOptions::default(),
            &fast_policy(Duration::from_secs(10)),
            |p| {
                outcomes.push(matches!(
                    p.outcome,
                    PollOutcome::TransientError(Error::Http { status: 503, .. })
                ));
            },
        )
        .unwrap();
    assert!(status.job_complete);
    assert_eq!(outcomes, [false, true]);
    assert_eq!(sim.request_count(), 3);
}

#[test]
fn a_4xx_stops_the_wait() {
    let (sim, api) = setup(Scenario::Sequence(vec![
        Scenario::Pending,
        Scenario::ErrorCode {
            status: 401,
            code: "2205".into(),
            message: "unauthorized".into(),
        },
    ]));
    let err = wait(&api, Duration::from_secs(10)).unwrap_err();
    assert!(matches!(err, Error::Http { status: 401, .. }), "{err:?}");
    assert_eq!(sim.request_count(), 2);
}

#[test]
fn transient_failures_until_the_deadline_are_reported_with_the_timeout() {
    let (_sim, api) = setup(Scenario::ErrorCode {
        status: 502,
        code: String::new(),
        message: "bad gateway".into(),
    });
    let err = wait(&api, Duration::from_millis(300)).unwrap_err();
    let Error::WaitTimeout {
        last_status,
        last_error,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(last_status.is_none());
    assert!(matches!(
        last_error.as_deref(),
        Some(Error::Http { status: 502, .. })
    ));
    assert!(std::error::Error::source(&err).is_some());
}

#[test]
fn a_zero_timeout_is_refused_before_any_poll() {
    let (sim, api) = setup(Scenario::Complete);
    let err = wait(&api, Duration::ZERO).unwrap_err();
    assert!(
        matches!(
            err,
            Error::InvalidInput {
                field: "timeout",
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(
        err.to_string(),
        "invalid input: timeout must be more than zero"
    );
    assert_eq!(sim.request_count(), 0);
}

#[test]
fn an_already_complete_job_returns_after_one_poll() {
    let (sim, api) = setup(Scenario::Complete);
    let mut progress_calls = 0;
    let status = api
        .wait_for_job_with_progress(
            &job(),
            &JobStatusOptions::default(),
            &PollPolicy::default(),
            |_| progress_calls += 1,
        )
        .unwrap();
    assert!(status.job_complete);
    assert_eq!(sim.request_count(), 1);
    assert_eq!(progress_calls, 0);
}

#[test]
fn a_wait_that_never_connects_says_why_in_its_message() {
    // Nothing listens on the port of a dropped listener.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(smile_id::Server::custom(&format!("http://127.0.0.1:{port}/v1")).unwrap())
        .max_retries(0)
        .build()
        .unwrap();
    let err = wait(&api, Duration::from_millis(300)).unwrap_err();
    let Error::WaitTimeout {
        attempts,
        last_status,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert!(last_status.is_none());
    let text = err.to_string();
    let expected = format!("timed out waiting for the job: no answer after {attempts} polls in ");
    assert!(text.starts_with(&expected), "{text}");
    assert!(
        text.ends_with(&format!(
            " s; last error: transport error talking to 127.0.0.1:{port}: connection refused"
        )),
        "{text}"
    );
    assert!(!text.contains(API_KEY), "{text}");
}

#[test]
fn a_server_that_starts_listening_mid_wait_is_waited_for() {
    // Refused connections do not end a wait early: a server being restarted
    // refuses for a while, then answers.
    let addr = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let late = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(400));
        Simulator::start_at(addr, PARTNER_ID, API_KEY, Scenario::Complete).unwrap()
    });
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(smile_id::Server::custom(&format!("http://{addr}/v1")).unwrap())
        .max_retries(0)
        .build()
        .unwrap();
    let mut refused = 0;
    let status = api
        .wait_for_job_with_progress(
            &job(),
            &JobStatusOptions::default(),
            &fast_policy(Duration::from_secs(10)),
            |p| {
                if let PollOutcome::TransientError(Error::Transport { kind, .. }) = p.outcome {
                    assert_eq!(*kind, smile_id::TransportErrorKind::ConnectionRefused);
                    refused += 1;
                }
            },
        )
        .unwrap();
    let sim = late.join().unwrap();
    assert!(status.job_complete);
    assert!(refused >= 2, "{refused}");
    assert_eq!(sim.request_count(), 1);
}
