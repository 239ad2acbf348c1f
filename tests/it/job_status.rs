//! `get_job_status` end to end, against the simulator on 127.0.0.1.

use std::time::Duration;

use crate::common::{API_KEY, PARTNER_ID, fixture, sim_and_api};
use serde_json::Value;
use smile_id::testing::{Scenario, Simulator};
use smile_id::{
    ActionResult, Error, JobStatusOptions, PartnerParams, Server, Signature, SignatureFailure,
    TransportErrorKind, WebApi,
};

fn job() -> PartnerParams {
    PartnerParams::new("user-123", "job-456")
}

const ALL: JobStatusOptions = JobStatusOptions {
    return_history: true,
    return_image_links: true,
};

#[test]
fn complete_job_is_verified_and_typed() {
    let (sim, api) = sim_and_api();
    let status = api.get_job_status(&job(), &ALL).unwrap();
    assert!(status.job_complete);
    assert!(status.job_success);
    assert!(status.is_successful());
    assert_eq!(status.code.as_deref(), Some("2302"));
    let result = status.result.as_ref().unwrap();
    assert_eq!(result.result_code.as_deref(), Some("0810"));
    assert_eq!(result.result_code_meaning(), Some("enrol user: approved"));
    assert_eq!(result.result_text.as_deref(), Some("Enroll User"));
    assert_eq!(result.is_final_result, Some(true));
    assert_eq!(result.confidence_value, Some(99.0));
    let params = result.partner_params.as_ref().unwrap();
    assert_eq!(
        (params.user_id.as_str(), params.job_id.as_str()),
        ("user-123", "job-456")
    );
    assert_eq!(params.job_type.as_ref().and_then(|t| t.as_u64()), Some(4));
    assert_eq!(
        result.actions.get("Liveness_Check"),
        Some(&ActionResult::Passed)
    );
    assert_eq!(status.history.len(), 1);
    let links = status.image_links.as_ref().unwrap();
    assert!(links.selfie_image.as_deref().unwrap().contains("job-456"));
    assert!(
        api.signature()
            .confirm_signature(status.timestamp_str(), &status.signature)
    );
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn the_request_is_what_smile_id_expects() {
    let (sim, api) = sim_and_api();
    api.get_job_status(&job(), &ALL).unwrap();
    api.get_job_status(&job(), &JobStatusOptions::default())
        .unwrap();
    let requests = sim.requests();
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first.method, "POST");
    assert_eq!(first.path, "/v1/job_status");
    assert_eq!(first.header("content-type"), Some("application/json"));
    assert_eq!(first.header("accept"), Some("application/json"));
    assert_eq!(first.header("user-agent"), Some(smile_id::USER_AGENT));
    assert!(smile_id::USER_AGENT.starts_with("smile-id-rust/"));
    assert_eq!(first.header("authorization"), None);

    let body: Value = serde_json::from_slice(&first.body).unwrap();
    assert_eq!(body["partner_id"], "002");
    assert_eq!(body["user_id"], "user-123");
    assert_eq!(body["job_id"], "job-456");
    assert_eq!(body["image_links"], true);
    assert_eq!(body["history"], true);
    assert_eq!(body["source_sdk"], "rust");
    assert_eq!(body["source_sdk_version"], env!("CARGO_PKG_VERSION"));
    let timestamp = body["timestamp"].as_str().unwrap();
    let signature = body["signature"].as_str().unwrap();
    // ISO 8601 UTC with microseconds: Smile ID's answers carry milliseconds,
    // so a genuine answer never repeats a request's timestamp.
    assert_eq!(timestamp.len(), 27, "{timestamp}");
    assert!(timestamp.ends_with('Z'));
    assert!(
        time::OffsetDateTime::parse(timestamp, &time::format_description::well_known::Rfc3339)
            .is_ok()
    );
    let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
    assert!(signer.confirm_signature(timestamp, signature));

    let second: Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(second["image_links"], false);
    assert_eq!(second["history"], false);
    assert_eq!(second.as_object().unwrap().len(), 9);
}

#[test]
fn every_call_is_signed_afresh() {
    let (sim, api) = sim_and_api();
    for _ in 0..3 {
        api.get_job_status(&job(), &JobStatusOptions::default())
            .unwrap();
        std::thread::sleep(Duration::from_millis(2));
    }
    let signatures = crate::common::request_signatures(&sim);
    assert_eq!(signatures.len(), 3);
    assert_ne!(signatures[0], signatures[1]);
    assert_ne!(signatures[1], signatures[2]);
}

#[test]
fn pending_and_string_results() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::Pending);
    let status = api.get_job_status(&job(), &ALL).unwrap();
    assert!(!status.job_complete);
    assert!(status.result.is_none());
    assert!(status.history.is_empty());

    sim.set_scenario(Scenario::StringResult);
    let status = api.get_job_status(&job(), &ALL).unwrap();
    assert!(!status.job_complete);
    assert!(status.result.is_none());
    assert_eq!(
        status.result_message.as_deref(),
        Some("No zip uploaded yet")
    );
}

#[test]
fn http_errors_carry_smile_id_code_and_message() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::ErrorCode {
        status: 401,
        code: "2205".into(),
        message: "unauthorized".into(),
    });
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    let Error::Http {
        status,
        ref code,
        ref message,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status, 401);
    assert_eq!(code.as_deref(), Some("2205"));
    assert_eq!(message, "unauthorized");
    let server = err.http_details().unwrap().message.as_deref();
    assert_eq!(server, Some("unauthorized"));
    assert_eq!(err.smile_id_code(), Some("2205"));
    assert!(!err.is_transient());
}

#[test]
fn a_wrong_key_is_reported_as_the_servers_2205_not_a_signature_problem() {
    let sim = Simulator::start(PARTNER_ID, "the-real-key").unwrap();
    let api = WebApi::new(PARTNER_ID, "", "a-wrong-key", sim.server()).unwrap();
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(matches!(err, Error::Http { status: 401, .. }), "{err:?}");
    assert_eq!(err.smile_id_code(), Some("2205"));
}

#[test]
fn numeric_error_codes_are_read() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(raw(
        400,
        "application/json",
        fixture("error_numeric_code.json").as_bytes(),
    ));
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert_eq!(err.smile_id_code(), Some("2213"));
    // The server's text is kept for logs, out of Display.
    let details = err.http_details().unwrap();
    assert!(
        details
            .message
            .as_deref()
            .unwrap()
            .contains("Missing parameter")
    );
    assert!(!err.to_string().contains("Missing parameter"), "{err}");
}

#[test]
fn tampered_signature_is_rejected() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::TamperedSignature);
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
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
}

#[test]
fn stale_timestamp_is_rejected_after_the_signature_passes() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::StaleTimestamp);
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    let Error::TimestampOutOfTolerance {
        skew, tolerance, ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert!(skew < -time::Duration::minutes(59), "{skew}");
    assert_eq!(tolerance, Duration::from_secs(300));
}

#[test]
fn another_jobs_result_is_rejected() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::OtherJob);
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    let Error::JobMismatch {
        expected_job_id,
        received_job_id,
        ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(expected_job_id, "job-456");
    assert_eq!(received_job_id.as_deref(), Some("job-456-other"));
}

/// A client with a 60 s window and the simulator moving its timestamps.
fn skewed(offset: time::Duration) -> Result<smile_id::JobStatus, Error> {
    let sim =
        Simulator::start_with(PARTNER_ID, API_KEY, Scenario::TimestampOffset(offset)).unwrap();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .timestamp_tolerance(Duration::from_secs(60))
        .build()
        .unwrap();
    api.get_job_status(&job(), &JobStatusOptions::default())
}

#[test]
fn tolerance_minus_one_second_passes_in_both_directions() {
    skewed(time::Duration::seconds(-59)).unwrap();
    skewed(time::Duration::seconds(59)).unwrap();
}

#[test]
fn tolerance_plus_one_second_fails_in_both_directions() {
    for offset in [time::Duration::seconds(-61), time::Duration::seconds(61)] {
        let err = skewed(offset).unwrap_err();
        assert!(
            matches!(err, Error::TimestampOutOfTolerance { .. }),
            "{offset}: {err:?}"
        );
    }
}

fn raw(status: u16, content_type: &str, body: &[u8]) -> Scenario {
    Scenario::Raw {
        status,
        headers: vec![("Content-Type".into(), content_type.into())],
        body: body.to_vec(),
    }
}

#[test]
fn hostile_2xx_bodies_are_decode_errors() {
    let (sim, api) = sim_and_api();
    for (body, ct) in [
        (
            &b"<html><body>502 Bad Gateway</body></html>"[..],
            "text/html",
        ),
        (b"[]", "application/json"),
        (b"null", "application/json"),
        (b"\"\"", "application/json"),
        (b"", "application/json"),
        (b"{\"job_complete\": true, \"timest", "application/json"),
    ] {
        sim.set_scenario(raw(200, ct, body));
        let err = api.get_job_status(&job(), &ALL).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{body:?}: {err:?}");
    }
}

#[test]
fn an_object_missing_every_field_is_unsigned() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(raw(200, "application/json", b"{}"));
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::MissingSignature,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn html_error_pages_keep_the_status() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(raw(502, "text/html", b"<html>Bad Gateway</html>"));
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    let Error::Http {
        status,
        ref code,
        ref message,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!(status, 502);
    assert_eq!(*code, None);
    assert!(message.contains("bad gateway"), "{message}");
    assert!(err.is_transient());
}

#[test]
fn redirects_are_not_followed() {
    let (sim, api) = sim_and_api();
    let elsewhere = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let location = format!("{}/job_status", elsewhere.base_url());
    sim.set_scenario(Scenario::Raw {
        status: 302,
        headers: vec![("Location".into(), location.clone())],
        body: Vec::new(),
    });
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(matches!(err, Error::Http { status: 302, .. }), "{err:?}");
    let got = err.http_details().unwrap().location.as_deref();
    assert_eq!(got, Some(location.as_str()));
    assert_eq!(elsewhere.request_count(), 0);
    assert_eq!(sim.request_count(), 1);
}

#[test]
fn a_response_over_the_cap_is_too_large() {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .max_response_bytes(100)
        .build()
        .unwrap();
    sim.set_scenario(raw(200, "application/json", &[b' '; 101]));
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: 100, .. }),
        "{err:?}"
    );
    // Exactly at the cap is read (and then judged: blank is an empty body).
    sim.set_scenario(raw(200, "application/json", &[b' '; 100]));
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

#[test]
fn nothing_listening_is_a_transport_error() {
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = WebApi::new(
        PARTNER_ID,
        "",
        API_KEY,
        format!("http://127.0.0.1:{port}/v1"),
    )
    .unwrap();
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::ConnectionRefused,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(std::error::Error::source(&err).is_some());
    assert!(err.is_transient());
}

#[test]
fn a_silent_server_times_out_within_the_deadline() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let holder = std::thread::spawn(move || {
        // Accept and say nothing, holding the connection open for a while.
        let (stream, _) = listener.accept().unwrap();
        std::thread::sleep(Duration::from_millis(1500));
        drop(stream);
    });
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&format!("http://127.0.0.1:{port}/v1")).unwrap())
        .timeout(Duration::from_millis(300))
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    let took = started.elapsed();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(took < Duration::from_millis(1200), "took {took:?}");
    holder.join().unwrap();
}

#[test]
fn shared_client_works_across_threads() {
    let (sim, api) = sim_and_api();
    let threads: Vec<_> = (0..4)
        .map(|i| {
            let api = api.clone();
            std::thread::spawn(move || {
                for n in 0..10 {
                    let job = PartnerParams::new(format!("user-{i}"), format!("job-{n}"));
                    let status = api
                        .get_job_status(&job, &JobStatusOptions::default())
                        .unwrap();
                    assert_eq!(
                        status.result.unwrap().partner_params.unwrap().job_id,
                        format!("job-{n}")
                    );
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(sim.request_count(), 40);
}

#[test]
fn an_unresolvable_host_is_a_dns_error() {
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom("https://no-such-host.invalid/v1").unwrap())
        .timeout(Duration::from_secs(5))
        .build()
        .unwrap();
    let err = api.get_job_status(&job(), &ALL).unwrap_err();
    assert!(
        matches!(
            err,
            Error::Transport {
                kind: TransportErrorKind::Dns | TransportErrorKind::Timeout,
                ..
            }
        ),
        "{err:?}"
    );
}
