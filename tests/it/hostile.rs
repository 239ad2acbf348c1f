//! A hostile server, and a hurried user: reflected signatures, answers that
//! name no job, duplicated fields, extreme settings, secrets in output, and
//! inputs that are surely mistakes. Every HTTP exchange goes to a real server
//! on 127.0.0.1.

use std::time::{Duration, Instant};

use crate::common::fault_server::{Behaviour, FaultServer};
use crate::common::{API_KEY, PARTNER_ID, sim_and_api};
use proptest::prelude::*;
use serde_json::{Value, json};
use smile_id::testing::{Scenario, Simulator, complete_result, sign_json};
use smile_id::{
    Error, JobStatusOptions, PartnerParams, PollPolicy, Server, SignatureFailure, Subject, WebApi,
};

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

fn opts() -> JobStatusOptions {
    JobStatusOptions::default()
}

fn offline_api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

/// `json` signed now, as Smile ID would sign it.
fn signed(api: &WebApi, json: &Value) -> Vec<u8> {
    sign_json(api.signature(), &json.to_string(), time::Duration::ZERO)
        .unwrap()
        .into_bytes()
}

fn request_field(body: &[u8], field: &str) -> String {
    let value: Value = serde_json::from_slice(body).unwrap();
    value[field].as_str().unwrap().to_owned()
}

/// A 200 answer with this JSON body, sent as it is.
fn json_answer(body: impl Into<Vec<u8>>) -> Scenario {
    Scenario::Raw {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.into(),
    }
}

#[track_caller]
fn assert_invalid(err: &Error, field: &str) {
    assert!(
        matches!(err, Error::InvalidInput { field: f, .. } if *f == field),
        "{err:?}"
    );
}

#[track_caller]
fn assert_reflected(result: Result<impl std::fmt::Debug, Error>, subject: Subject) {
    match result {
        Err(Error::SignatureMismatch {
            reason: SignatureFailure::Reflected,
            subject: s,
            ..
        }) => assert_eq!(s, subject),
        other => panic!("expected a reflected signature, got {other:?}"),
    }
}

// 1. Reflected signatures.

#[test]
fn a_response_reflecting_the_request_signature_is_refused_and_not_retried() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::Reflected);
    let err = api.get_job_status(&job(), &opts()).unwrap_err();
    assert!(
        err.to_string()
            .contains("repeats the signature of a request"),
        "{err}"
    );
    assert_reflected(Err::<(), _>(err), Subject::Response);
    assert_eq!(sim.request_count(), 1, "a reflection must not be retried");
}

#[test]
fn a_stored_response_reflecting_a_request_is_refused() {
    let api = offline_api();
    let first = api.job_status_request(&job(), &opts()).unwrap();
    let mut body = json!({"job_complete": true, "job_success": true,
        "result": serde_json::from_str::<Value>(&complete_result("user-1", "job-1")).unwrap()});
    body["timestamp"] = Value::String(request_field(&first, "timestamp"));
    body["signature"] = Value::String(request_field(&first, "signature"));
    // Checked as a response received some other way, by the client that
    // signed the request.
    assert_reflected(
        api.verify_job_status(body.to_string().as_bytes(), &job()),
        Subject::Response,
    );
}

#[test]
fn a_callback_carrying_a_request_signature_is_refused() {
    let api = offline_api();
    let request = api.job_status_request(&job(), &opts()).unwrap();
    let mut forged: Value = serde_json::from_str(&complete_result("user-1", "job-1")).unwrap();
    forged["ResultCode"] = json!("1012");
    forged["FullName"] = json!("Mallory");
    forged["timestamp"] = Value::String(request_field(&request, "timestamp"));
    forged["signature"] = Value::String(request_field(&request, "signature"));
    let body = forged.to_string();
    let err = api.verify_callback(body.as_bytes()).unwrap_err();
    assert!(
        err.to_string().starts_with("callback signature rejected"),
        "{err}"
    );
    assert_reflected(Err::<(), _>(err), Subject::Callback);
    // A genuine callback still passes (signed at another millisecond: one
    // signed at the very millisecond of a request is indistinguishable from
    // that request reflected).
    let genuine = sign_json(
        api.signature(),
        &complete_result("u", "j"),
        time::Duration::seconds(-1),
    );
    api.verify_callback(genuine.unwrap().as_bytes()).unwrap();
}

// 3. A complete job must name the job asked about.

#[test]
fn a_complete_answer_that_names_no_job_is_a_job_mismatch() {
    let api = offline_api();
    let result = |params: Value| {
        let mut r: Value = serde_json::from_str(&complete_result("user-1", "job-1")).unwrap();
        match params {
            Value::Null => {
                r.as_object_mut().unwrap().remove("PartnerParams");
            }
            p => r["PartnerParams"] = p,
        }
        r
    };
    let complete = |result: Option<Value>| {
        let mut body = json!({"job_complete": true, "job_success": true, "code": "2302"});
        if let Some(result) = result {
            body["result"] = result;
        }
        body
    };
    let mut misspelled = result(Value::Null);
    misspelled["partnerParams"] = json!({"user_id": "user-1", "job_id": "job-1"});
    for body in [
        complete(Some(result(Value::Null))),
        complete(Some(result(json!(null)))),
        complete(Some(result(json!([])))),
        complete(Some(result(json!({})))),
        complete(Some(result(json!({"user_id": "user-1"})))),
        complete(Some(misspelled)),
        complete(Some(json!("Approved"))),
        complete(Some(json!({}))),
        complete(Some(json!(null))),
        complete(None),
    ] {
        let err = api
            .verify_job_status(&signed(&api, &body), &job())
            .unwrap_err();
        let Error::JobMismatch {
            received_job_id, ..
        } = &err
        else {
            panic!("{body}: {err:?}");
        };
        assert_eq!(received_job_id, &None, "{body}");
    }
    // While the job runs, a message or an empty result is fine.
    for result in [json!("No zip uploaded yet"), json!({}), json!(null)] {
        let body = json!({"job_complete": false, "job_success": false, "result": result});
        api.verify_job_status(&signed(&api, &body), &job()).unwrap();
    }
}

#[test]
fn wait_for_job_does_not_return_an_answer_about_no_job() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::SignedJson(
        json!({"job_complete": true, "job_success": true, "result": "Approved"}).to_string(),
    ));
    let policy = PollPolicy {
        timeout: Duration::from_secs(5),
        ..PollPolicy::default()
    };
    let err = api.wait_for_job(&job(), &opts(), &policy).unwrap_err();
    assert!(matches!(err, Error::JobMismatch { .. }), "{err:?}");
    assert_eq!(sim.request_count(), 1);
}

// 4. One rule for duplicate keys.

#[test]
fn duplicated_fields_that_say_what_a_body_is_are_refused_everywhere() {
    let api = offline_api();
    let result = complete_result("user-1", "job-1");
    let ts = "\"2026-11-26T12:00:00.000Z\"";
    let sig = "\"c2lnbmF0dXJlLXNpZ25hdHVyZS1zaWduYXR1cmUtc2k=\"";
    let status_bodies = [
        format!(r#"{{"timestamp":{ts},"timestamp":{ts},"signature":{sig}}}"#),
        format!(r#"{{"timestamp":{ts},"signature":{sig},"signature":{sig}}}"#),
        format!(r#"{{"result":{result},"result":{result}}}"#),
        r#"{"job_complete":true,"job_complete":false}"#.to_owned(),
        r#"{"job_success":true,"job_success":true}"#.to_owned(),
    ];
    for body in &status_bodies {
        let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { reason, .. } if reason.contains("duplicate")),
            "{body}: {err:?}"
        );
    }
    // Inside the result: only once the body is authentic is it decoded.
    for inner in [
        r#"{"PartnerParams":{"user_id":"user-1","job_id":"job-1"},"PartnerParams":{"user_id":"user-1","job_id":"job-1"}}"#,
        r#"{"PartnerParams":{"user_id":"user-1","user_id":"user-2","job_id":"job-1"}}"#,
        r#"{"PartnerParams":{"user_id":"user-1","job_id":"job-1","job_id":"job-2"}}"#,
    ] {
        let body = format!(r#"{{"job_complete":true,"job_success":true,"result":{inner}}}"#);
        let signed = sign_json(api.signature(), &body, time::Duration::ZERO).unwrap();
        // sign_json parses into a map, which keeps the last duplicate:
        // splice the signature into the raw text instead.
        let envelope: Value = serde_json::from_str(&signed).unwrap();
        let raw = format!(
            r#"{{"timestamp":"{}","signature":"{}",{}"#,
            envelope["timestamp"].as_str().unwrap(),
            envelope["signature"].as_str().unwrap(),
            &body[1..]
        );
        let err = api.verify_job_status(raw.as_bytes(), &job()).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { reason, .. } if reason.contains("duplicate")),
            "{raw}: {err:?}"
        );
        let callback = format!(
            r#"{{"timestamp":"{}","signature":"{}",{}"#,
            envelope["timestamp"].as_str().unwrap(),
            envelope["signature"].as_str().unwrap(),
            &inner[1..]
        );
        let err = api.verify_callback(callback.as_bytes()).unwrap_err();
        assert!(
            matches!(&err, Error::Decode { reason, subject: Subject::Callback, .. } if reason.contains("duplicate")),
            "{callback}: {err:?}"
        );
    }
    // A callback's second, unverified timestamp/signature pair is refused,
    // not kept among its fields.
    let good = smile_id::testing::sign_callback(api.signature(), &result).unwrap();
    let text = String::from_utf8(good).unwrap();
    let doubled = text.replacen('{', &format!(r#"{{"timestamp":{ts},"signature":{sig},"#), 1);
    let err = api.verify_callback(doubled.as_bytes()).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }), "{err:?}");
}

// 5. No panic from any setting.

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn any_duration_in_any_setting(
        timeout in duration(),
        connect in duration(),
        tolerance in duration(),
        callback_tolerance in proptest::option::of(duration()),
        retry in duration(),
        poll in (duration(), duration(), any::<f64>()),
    ) {
        let (sim, _) = sim_and_api();
        let built = WebApi::builder(PARTNER_ID, API_KEY)
            .server(sim.server())
            .timeout(timeout)
            .connect_timeout(connect)
            .timestamp_tolerance(tolerance)
            .callback_tolerance(callback_tolerance)
            .retry_base_delay(retry)
            .build();
        let api = match built {
            Ok(api) => api,
            Err(Error::InvalidInput { .. }) => return Ok(()), // zero timeouts
            Err(other) => panic!("{other:?}"),
        };
        // A tiny timeout may time out; nothing may panic or hang.
        let _ = api.get_job_status(&job(), &opts());
        // Any intervals; the wait itself bounded, since a failing poll (a
        // tiny call timeout) is rightly retried until the wait's deadline.
        let policy = PollPolicy {
            initial_interval: poll.0,
            max_interval: poll.1,
            multiplier: poll.2,
            timeout: timeout.min(Duration::from_secs(2)),
        };
        let _ = api.wait_for_job(&job(), &opts(), &policy);
        let _ = api.verify_callback(b"{}");
    }
}

fn duration() -> impl Strategy<Value = Duration> {
    prop_oneof![
        Just(Duration::ZERO),
        Just(Duration::MAX),
        Just(Duration::from_nanos(1)),
        (0u64..5_000).prop_map(Duration::from_millis),
        any::<u64>().prop_map(Duration::from_secs),
        (any::<u64>(), 0u32..1_000_000_000).prop_map(|(s, n)| Duration::new(s, n)),
    ]
}

#[test]
fn extreme_settings_do_not_panic() {
    let (sim, _) = sim_and_api();
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .timeout(Duration::MAX)
        .connect_timeout(Duration::MAX)
        .timestamp_tolerance(Duration::MAX)
        .callback_tolerance(Some(Duration::MAX))
        .retry_base_delay(Duration::MAX)
        .build()
        .unwrap();
    api.get_job_status(&job(), &opts()).unwrap();
    let policy = PollPolicy {
        timeout: Duration::MAX,
        initial_interval: Duration::MAX,
        max_interval: Duration::MAX,
        multiplier: f64::NAN,
    };
    api.wait_for_job(&job(), &opts(), &policy).unwrap();

    // A huge retry delay on a 503: no overflow, and no wait past the deadline.
    let server = FaultServer::start(vec![Behaviour::json(503, r#"{"error":"busy"}"#)]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.url())
        .timeout(Duration::from_secs(2))
        .retry_base_delay(Duration::MAX)
        .build()
        .unwrap();
    let started = Instant::now();
    let err = api.get_job_status(&job(), &opts()).unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[test]
fn a_zero_poll_interval_is_floored() {
    let sim = Simulator::start_with(PARTNER_ID, API_KEY, Scenario::Pending).unwrap();
    let api = WebApi::new(PARTNER_ID, "", API_KEY, sim.server()).unwrap();
    let policy = PollPolicy {
        initial_interval: Duration::ZERO,
        max_interval: Duration::ZERO,
        multiplier: 1.0,
        timeout: Duration::from_millis(1000),
    };
    let err = api.wait_for_job(&job(), &opts(), &policy).unwrap_err();
    let Error::WaitTimeout { attempts, .. } = err else {
        panic!("{err:?}")
    };
    // 100 ms apart at least: at most 11 polls in a second (526 before).
    assert!(attempts <= 12, "{attempts} polls in one second");
    assert!(attempts >= 2);
}

// 6. No signature and no URL query in any output.

#[test]
fn signatures_in_every_encoding_and_url_queries_are_redacted() {
    let api = offline_api();
    let request = api.job_status_request(&job(), &opts()).unwrap();
    let sig = request_field(&request, "signature");
    let escaped = sig.replace('/', r"\/");
    let percent = sig
        .replace('+', "%2B")
        .replace('/', "%2F")
        .replace('=', "%3D");
    let check = |text: String| {
        for secret in [&sig, &escaped, &percent] {
            assert!(!text.contains(secret.as_str()), "signature leaked: {text}");
        }
        assert!(!text.contains("token=s3cret"), "query leaked: {text}");
    };

    // Error::Decode's excerpt with the signature in its first 80 bytes.
    let body = format!(r#"{{"signature":"{sig}","x":"#);
    let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
    assert!(matches!(err, Error::Decode { .. }));
    check(format!("{err} {err:?}"));
    let err = api.verify_callback(body.as_bytes()).unwrap_err();
    check(format!("{err} {err:?}"));

    // Non-2xx bodies (echoed, escaped, percent-encoded) and Location headers.
    for echoed in [&sig, &escaped, &percent] {
        let server = FaultServer::start(vec![Behaviour::Respond {
            status: 302,
            headers: vec![(
                "Location".into(),
                format!("https://elsewhere.example/cb?token=s3cret&sig={echoed}"),
            )],
            body: format!(r#"{{"error":"bad {echoed}","echo":"{echoed}"}}"#).into_bytes(),
        }]);
        let api = WebApi::builder(PARTNER_ID, API_KEY)
            .server(server.url())
            .build()
            .unwrap();
        let err = api.get_job_status(&job(), &opts()).unwrap_err();
        assert!(matches!(err, Error::Http { status: 302, .. }), "{err:?}");
        check(format!("{err} {err:?}"));
        let location = &err.http_details().unwrap().location;
        assert!(
            location
                .as_deref()
                .unwrap()
                .starts_with("https://elsewhere.example/cb?")
        );
    }

    // SignatureParams.
    let params = api.signature().generate_signature();
    assert!(!format!("{params:?}").contains(&params.signature));

    // The default callback's query.
    let api = WebApi::new(
        PARTNER_ID,
        "https://example.com/cb?token=s3cret",
        API_KEY,
        0,
    )
    .unwrap();
    check(format!("{api:?}"));
    assert_eq!(
        api.config().default_callback.as_deref(),
        Some("https://example.com/cb?token=s3cret")
    );
    check(format!(
        "{:?}",
        WebApi::builder(PARTNER_ID, API_KEY)
            .default_callback("https://example.com/cb?token=s3cret")
    ));

    // Signed image links in a verified status.
    let (sim, api) = sim_and_api();
    let status = api
        .get_job_status(
            &job(),
            &JobStatusOptions {
                return_image_links: true,
                return_history: true,
            },
        )
        .unwrap();
    let debug = format!("{status:?}");
    assert!(!debug.contains("expires=900"), "{debug}");
    drop(sim);
}

// 7. Inputs that are surely mistakes.

#[test]
fn server_strings_that_are_not_servers_are_refused_without_echo() {
    for bad in ["2", "banana", API_KEY, "testapi.smileidentity.com/v1"] {
        let err = WebApi::new(PARTNER_ID, "", API_KEY, bad).unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "sid_server",
                    ..
                }
            ),
            "{bad}"
        );
        assert!(!format!("{err} {err:?}").contains(API_KEY));
        let err = WebApi::builder(PARTNER_ID, API_KEY)
            .server(bad)
            .build()
            .unwrap_err();
        assert!(
            matches!(
                err,
                Error::InvalidInput {
                    field: "sid_server",
                    ..
                }
            ),
            "{bad}"
        );
    }
    for number in [2, -1, 100] {
        assert!(WebApi::new(PARTNER_ID, "", API_KEY, number).is_err());
    }
    // The key inside a URL is noticed, and not repeated.
    for url in [
        format!("https://{API_KEY}"),
        format!("https://h.example/{API_KEY}/v1"),
    ] {
        let err = WebApi::new(PARTNER_ID, "", API_KEY, url.as_str()).unwrap_err();
        assert!(err.to_string().contains("API key"), "{err}");
        assert!(!format!("{err} {err:?}").contains(API_KEY));
    }
    for ok in ["0", "1", "sandbox", "Production", "https://h.example/v1"] {
        WebApi::new(PARTNER_ID, "", API_KEY, ok).unwrap();
        WebApi::builder(PARTNER_ID, API_KEY)
            .server(ok)
            .build()
            .unwrap();
    }
    WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::Production)
        .build()
        .unwrap();
}

#[test]
fn a_key_in_the_callback_argument_is_refused() {
    // The two adjacent &str arguments swapped.
    let err = WebApi::new(PARTNER_ID, API_KEY, "https://example.com/cb", 0).unwrap_err();
    assert_invalid(&err, "default_callback");
    assert!(!format!("{err} {err:?}").contains(API_KEY));
    let err = WebApi::new(PARTNER_ID, "http://example.com/cb", API_KEY, 0).unwrap_err();
    assert_invalid(&err, "default_callback");
    WebApi::new(PARTNER_ID, "http://127.0.0.1:8787/cb", API_KEY, 0).unwrap();
}

#[test]
fn blank_ids_are_refused_before_sending() {
    let server = FaultServer::start(vec![Behaviour::Close]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.url())
        .build()
        .unwrap();
    for (user, job, field) in [
        (" ", "j", "user_id"),
        ("u", "\t\n", "job_id"),
        ("", "j", "user_id"),
    ] {
        let err = api
            .get_job_status(&PartnerParams::new(user, job), &opts())
            .unwrap_err();
        assert!(
            matches!(err, Error::InvalidInput { field: f, .. } if f == field),
            "{err:?}"
        );
    }
    assert_eq!(server.connections(), 0);
}

// 8. One definition of transient, one of text.

// TLS failures are not transient: a unit test in src/error/mod.rs (the
// variant cannot be built outside the crate); a wait that meets a
// certificate failure: tests/it/tls.rs.

#[test]
fn a_boolean_timestamp_is_missing_on_every_path() {
    let api = offline_api();
    for body in [
        r#"{"timestamp":true,"signature":"x"}"#,
        // Undecodable otherwise: the slow path reads it the same way.
        r#"{"timestamp":true,"signature":"x","job_complete":{}}"#,
    ] {
        let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
        let err2 = api.verify_callback(body.as_bytes()).unwrap_err();
        for err in [err, err2] {
            assert!(
                matches!(
                    err,
                    Error::SignatureMismatch {
                        reason: SignatureFailure::Malformed | SignatureFailure::MissingTimestamp,
                        ..
                    }
                ),
                "{body}: {err:?}"
            );
        }
    }
    // With a real signature over "true", the boolean is still not a timestamp.
    let sig = api.signature().sign_timestamp("true").signature;
    let body = format!(r#"{{"timestamp":true,"signature":"{sig}"}}"#);
    let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::MissingTimestamp,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn an_out_of_range_number_is_a_value_not_a_missing_one() {
    let api = offline_api();
    // Signed over the number as written: still no timestamp (it is no date),
    // but a wrong one, not a missing one.
    let sig = api.signature().sign_timestamp("1E400").signature;
    let body = format!(r#"{{"timestamp":1E400,"signature":"{sig}"}}"#);
    let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
    assert!(matches!(err, Error::InvalidTimestamp { .. }), "{err:?}");
    let body = br#"{"timestamp":"2026-11-28T00:00:00.000Z","signature":1E400}"#;
    let err = api.verify_callback(body).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::Malformed,
                ..
            }
        ),
        "{err:?}"
    );
}

// Found in review: attacks across calls and polls, and leaks in messages.

#[test]
fn a_reflection_of_an_earlier_calls_request_is_refused() {
    let (sim, api) = sim_and_api();
    api.get_job_status(&job(), &opts()).unwrap();
    let first = &sim.requests()[0].body;
    let mut forged: Value = json!({"job_complete": true, "job_success": true,
        "result": serde_json::from_str::<Value>(&complete_result("user-1", "job-1")).unwrap()});
    forged["result"]["FullName"] = json!("Mallory");
    forged["timestamp"] = Value::String(request_field(first, "timestamp"));
    forged["signature"] = Value::String(request_field(first, "signature"));
    sim.set_scenario(json_answer(forged.to_string().into_bytes()));
    assert_reflected(api.get_job_status(&job(), &opts()), Subject::Response);
    let policy = PollPolicy {
        timeout: Duration::from_secs(5),
        ..PollPolicy::default()
    };
    assert_reflected(
        api.wait_for_job(&job(), &opts(), &policy),
        Subject::Response,
    );
}

#[test]
fn signatures_made_through_the_signer_are_refused_as_callbacks() {
    let api = offline_api();
    let params = api.signature().generate_signature();
    let body = json!({"timestamp": params.timestamp, "signature": params.signature,
        "ResultCode": "1012", "FullName": "Mallory",
        "PartnerParams": {"user_id": "u", "job_id": "j"}});
    assert_reflected(
        api.verify_callback(body.to_string().as_bytes()),
        Subject::Callback,
    );
    // So does another client for the same credentials (a separate handler).
    assert_reflected(
        offline_api().verify_callback(body.to_string().as_bytes()),
        Subject::Callback,
    );
    // Request timestamps carry microseconds; Smile ID's answers carry
    // milliseconds, so a genuine answer never repeats one.
    assert_eq!(params.timestamp.len(), 27, "{}", params.timestamp);
}

#[test]
fn an_answer_replayed_within_a_wait_is_refused() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::Pending);
    api.get_job_status(&job(), &opts()).unwrap();
    // A man in the middle replays that genuine pending answer's signature.
    let pending = api.get_job_status(&job(), &opts()).unwrap();
    let body = serde_json::to_vec(&pending).unwrap();
    sim.set_scenario(json_answer(body));
    let policy = PollPolicy {
        timeout: Duration::from_secs(5),
        initial_interval: Duration::from_millis(100),
        ..PollPolicy::default()
    };
    let err = api.wait_for_job(&job(), &opts(), &policy).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::Replayed,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn retry_after_zero_does_not_spin() {
    let server = FaultServer::start(vec![Behaviour::Respond {
        status: 503,
        headers: vec![("Retry-After".into(), "0".into())],
        body: br#"{"error":"busy"}"#.to_vec(),
    }]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.url())
        .max_retries(u32::MAX)
        .retry_base_delay(Duration::from_millis(100))
        .timeout(Duration::from_secs(1))
        .build()
        .unwrap();
    let err = api.get_job_status(&job(), &opts()).unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    // 100 ms apart at least: about ten attempts in a second, not hundreds.
    assert!(
        server.connections() <= 12,
        "{} attempts",
        server.connections()
    );
}

#[test]
fn decode_reasons_do_not_quote_signatures_or_queries() {
    let api = offline_api();
    let sig = api.signature().generate_signature().signature;
    for field in ["image_links", "history", "job_complete"] {
        let body = signed(
            &api,
            &json!({ field: format!("{sig} https://h.example/p?token=s3cret") }),
        );
        // A string where an object or list is expected is kept as received;
        // a string that is not a boolean spelling in `job_complete` is refused.
        let text = match api.verify_job_status(&body, &job()) {
            Ok(status) => {
                assert_ne!(field, "job_complete");
                assert!(status.extra.contains_key(field));
                format!("{status} {status:?}")
            }
            Err(err) => {
                assert!(matches!(err, Error::Decode { .. }), "{err:?}");
                assert_eq!(field, "job_complete");
                format!("{err} {err:?}")
            }
        };
        assert!(!text.contains(&sig), "{text}");
        assert!(!text.contains("s3cret"), "{text}");
    }
}

#[test]
fn the_key_is_found_in_any_case_and_in_the_callback() {
    let upper = format!("https://{}/v1", API_KEY.to_uppercase());
    let err = WebApi::new(PARTNER_ID, "", API_KEY, upper.as_str()).unwrap_err();
    assert_invalid(&err, "sid_server");
    let callback = format!("https://cb.example/{API_KEY}/hook");
    let err = WebApi::new(PARTNER_ID, &callback, API_KEY, 0).unwrap_err();
    assert_invalid(&err, "default_callback");
    assert!(!format!("{err} {err:?}").contains(API_KEY));
}

#[test]
fn clients_built_separately_share_what_they_signed() {
    // A poller and a callback handler, each with its own client.
    let poller = offline_api();
    let handler = WebApi::builder(PARTNER_ID, API_KEY).build().unwrap();
    let request = poller.job_status_request(&job(), &opts()).unwrap();
    let mut forged: Value = serde_json::from_str(&complete_result("user-1", "job-1")).unwrap();
    forged["timestamp"] = Value::String(request_field(&request, "timestamp"));
    forged["signature"] = Value::String(request_field(&request, "signature"));
    assert_reflected(
        handler.verify_callback(forged.to_string().as_bytes()),
        Subject::Callback,
    );
}

/// A leading UTF-8 byte-order mark is not part of the JSON and the signature
/// never covers it: a genuine answer or callback that carries one is read as
/// without it. Only one, and only at the very start.
#[test]
fn a_leading_byte_order_mark_is_skipped() {
    const BOM: &[u8] = "\u{feff}".as_bytes();
    let with_bom = |body: &[u8]| [BOM, body].concat();
    let (sim, api) = sim_and_api();
    let answer = json!({
        "job_complete": true,
        "job_success": true,
        "result": serde_json::from_str::<Value>(&complete_result("user-1", "job-1")).unwrap(),
    });
    let body = with_bom(&signed(&api, &answer));
    let status = api.verify_job_status(&body, &job()).unwrap();
    assert_eq!(
        status.result.unwrap().partner_params.unwrap().job_id,
        "job-1"
    );
    sim.set_scenario(json_answer(body.clone()));
    assert!(api.get_job_status(&job(), &opts()).unwrap().job_complete);

    let callback =
        smile_id::testing::sign_callback(api.signature(), &complete_result("user-1", "job-1"))
            .unwrap();
    let callback = api.verify_callback(&with_bom(&callback)).unwrap();
    assert_eq!(callback.result.partner_params.unwrap().user_id, "user-1");

    for misplaced in [
        with_bom(&with_bom(&body[BOM.len()..])),
        [b" ", &body[..]].concat(),
    ] {
        let err = api.verify_job_status(&misplaced, &job()).unwrap_err();
        assert!(matches!(err, Error::Decode { .. }), "{err:?}");
        assert!(api.verify_callback(&misplaced).is_err());
    }
}

// Review of issue 20 (w23-revh): a server that hides a request signature in
// a body field that the log line or Debug shows, and URL forms that slip by.

/// Every text field of an authentic answer set to a request signature of this
/// client: no field may bring it into the status's `Display` (the poll log
/// line and the command's output).
#[test]
fn no_body_field_brings_an_echoed_signature_into_the_status_line() {
    let api = offline_api();
    let echoed = api.signature().generate_signature().signature;
    let result = |field: &str| {
        let mut r = json!({
            "ResultCode": "0810",
            "PartnerParams": {"user_id": "user-1", "job_id": "job-1", "job_type": 1},
        });
        r[field] = Value::String(echoed.clone());
        r
    };
    let bodies = [
        json!({"job_complete": false, "job_success": false, "result": echoed}),
        json!({"job_complete": false, "job_success": false, "code": echoed}),
        json!({"job_complete": true, "job_success": true, "result": result("SmileJobID")}),
        json!({"job_complete": true, "job_success": true, "result": result("ResultCode")}),
    ];
    for body in bodies {
        let status = api.verify_job_status(&signed(&api, &body), &job()).unwrap();
        let line = status.to_string();
        assert!(!line.contains(&echoed), "{body}: {line}");
        let debug = format!("{status:?}");
        assert!(!debug.contains(&echoed), "{body}: {debug}");
    }
}

#[test]
fn plain_http_is_refused_off_loopback_and_odd_urls_are_refused() {
    for url in [
        "http://127.0.0.1.evil.com/v1",
        "http://localhost.evil.com/v1",
        "http://0x7f.1/v1",
        "http://2130706433/v1",
        "http://127.1/v1",
        "http://[::ffff:127.0.0.1]/v1",
        "http://evil.com\\@127.0.0.1/v1",
        "http://127.0.0.1\\.evil.com/v1",
        "https://user:pw@api.example.com/v1",
        "https://api.example.com:+443/v1",
        "https://api.example.com:0/v1",
        "https://api.example.com:65536/v1",
        "https://api.example.com/v1?x",
        "https://api.example.com/v1#f",
        "https://api.example.com\\v1",
        "https://api example.com/v1",
        "https:///v1",
        "https://",
        "",
    ] {
        let err = Server::custom(url).expect_err(url);
        // The refusal never repeats the URL (it may hold a pasted key).
        let shown = format!("{err} {err:?}");
        assert!(url.len() < 12 || !shown.contains(&url[8..]), "{shown}");
    }
    // An upper-case scheme and surrounding white space are normalised; a
    // Unicode host must be given in its ASCII (punycode) form.
    for (odd, base) in [
        ("HTTPS://api.example.com/v1", "https://api.example.com/v1"),
        (" https://api.example.com/v1 ", "https://api.example.com/v1"),
        (
            "https://xn--bcher-kva.example/v1",
            "https://xn--bcher-kva.example/v1",
        ),
    ] {
        assert_eq!(Server::custom(odd).unwrap().to_string(), base);
    }
    assert!(Server::custom("https://bücher.example/v1").is_err());
    for url in [
        "http://127.0.0.1:8080/v1",
        "http://localhost/v1",
        "http://[::1]:1/v1",
        "https://api.example.com/v1/",
    ] {
        assert!(Server::custom(url).is_ok(), "{url:?} was refused");
    }
}

/// Genuine shapes the one-byte skip and the decoder must keep reading:
/// escaped names, `\u0000`, PHP's `\/`, huge and tiny numbers, a long photo.
#[test]
fn genuine_odd_but_valid_answers_are_read() {
    let api = offline_api();
    let photo = "QUJD\\/".repeat(300_000);
    let text = format!(
        r#"{{"job_complete":true,"job_success":true,"result":{{"ResultCode":"1012","ResultText":"ID Validated","FullName":"Ren\u00e9e \u0000 O\u2019Brien \ud83d\ude00","Photo":"{photo}","ConfidenceValue":1e400,"Big":-1e-400,"FullData":{{"a":[[[[[[[[[[[[[[[[[[[[{{"b":null}}]]]]]]]]]]]]]]]]]]]]}},"PartnerParams":{{"user_id":"user-1","job_id":"job-1","job_type":"5"}}}}}}"#
    );
    let now = time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap();
    let stamp = api.signature().sign_timestamp(&now);
    let body = format!(
        r#"{},"timestamp":"{}","signature":"{}"}}"#,
        text.strip_suffix('}').unwrap(),
        stamp.timestamp,
        stamp.signature
    );
    let status = api.verify_job_status(body.as_bytes(), &job()).unwrap();
    let result = status.result.unwrap();
    assert_eq!(
        result.extra.get_str("FullName").as_deref(),
        Some("Renée \u{0} O’Brien 😀")
    );
}

/// The same, for the status's `Debug` (what `{:?}` in a user's log shows).
/// (Still shown raw: a `job_type` sent as a string, `JobType::Text`.)
#[test]
fn no_body_field_brings_an_echoed_signature_into_the_status_debug() {
    let api = offline_api();
    let echoed = api.signature().generate_signature().signature;
    for field in [
        "ResultText",
        "ResultType",
        "SmileJobID",
        "Source",
        "JSONVersion",
        "FullName",
    ] {
        let mut r = json!({
            "ResultCode": "0810",
            "PartnerParams": {"user_id": "user-1", "job_id": "job-1", "job_type": 1},
        });
        r[field] = Value::String(echoed.clone());
        let body = json!({"job_complete": true, "job_success": true, "result": r, "history": [r]});
        let status = api.verify_job_status(&signed(&api, &body), &job()).unwrap();
        let debug = format!("{status:?}");
        assert!(!debug.contains(&echoed), "{field}: {debug}");
        let callback = smile_id::testing::sign_callback(api.signature(), &r.to_string()).unwrap();
        let callback = api.verify_callback(&callback).unwrap();
        let debug = format!("{callback:?}");
        assert!(!debug.contains(&echoed), "{field}: {debug}");
    }
    let mut r =
        json!({"PartnerParams": {"user_id": "user-1", "job_id": "job-1", "job_type": echoed}});
    r["Actions"] = json!({"Liveness_Check": echoed});
    r[echoed.as_str()] = json!(1);
    r["Actions"][echoed.as_str()] = json!("Passed");
    let body = json!({"job_complete": true, "job_success": true, "result": r});
    let status = api.verify_job_status(&signed(&api, &body), &job()).unwrap();
    let debug = format!("{status:?}");
    assert!(!debug.contains(&echoed), "keys and actions: {debug}");
    let links = json!({"selfie_image": format!("https://h.example/{echoed}"), "error": echoed});
    let body = json!({"job_complete": false, "job_success": false, "image_links": links});
    let status = api.verify_job_status(&signed(&api, &body), &job()).unwrap();
    let debug = format!("{status:?}");
    assert!(!debug.contains(&echoed), "image_links: {debug}");
    // A callback's ids are not checked against a job asked about.
    for field in ["user_id", "job_id"] {
        let mut r = json!({"PartnerParams": {"user_id": "u", "job_id": "j"}});
        r["PartnerParams"][field] = Value::String(echoed.clone());
        let callback = smile_id::testing::sign_callback(api.signature(), &r.to_string()).unwrap();
        let callback = api.verify_callback(&callback).unwrap();
        let shown = format!("{callback:?} {}", callback.result);
        assert!(!shown.contains(&echoed), "{field}: {shown}");
    }
}

/// A form-decoded echo writes each `+` of a signature as a space; the
/// redactor before issue 20 cut that form too (up to three spaces).
#[test]
fn a_form_decoded_signature_is_not_in_an_errors_debug() {
    let api = offline_api();
    let mut echoed = api.signature().generate_signature().signature;
    while !echoed.contains('+') {
        echoed = api.signature().generate_signature().signature;
    }
    let spaced = echoed.replace('+', " ");
    let body = format!("<html>signature={spaced}</html>");
    let err = api.verify_job_status(body.as_bytes(), &job()).unwrap_err();
    let debug = format!("{err:?}");
    assert!(!debug.contains(&spaced), "{debug}");
}

/// Bodies at a 16 MiB cap made to cost the pre-authentication scan: each is
/// refused as what it is, quickly, without a stack overflow.
#[test]
fn giant_hostile_bodies_are_refused_cheaply() {
    const SIZE: usize = 16 << 20;
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .max_response_bytes(SIZE as u64 * 2)
        .build()
        .unwrap();
    let sig = api.signature().sign_timestamp("2026-01-01T00:00:00Z");
    let tail = format!(
        r#""timestamp":"{}","signature":"{}"}}"#,
        sig.timestamp, sig.signature
    );
    let bodies: Vec<(Vec<u8>, &str)> = vec![
        ("[".repeat(SIZE).into_bytes(), "nested deeper"),
        (
            format!(r#"{{"a":{}"#, "{\"a\":".repeat(SIZE / 5)).into_bytes(),
            "nested deeper",
        ),
        (
            format!(r#"{{"{}":1,{tail}"#, "\\u0061".repeat(SIZE / 6)).into_bytes(),
            "key with escapes",
        ),
        (
            format!(r#"{{"a":"{}",{tail}"#, "\\\"".repeat(SIZE / 2)).into_bytes(),
            "out of tolerance",
        ),
        (
            format!(r#"{{"a":[{}],{tail}"#, "\"}\",".repeat(SIZE / 4)).into_bytes(),
            "not JSON",
        ),
        (
            format!(r#"{{{}{tail}"#, "\"a\":1,".repeat(SIZE / 6)).into_bytes(),
            "out of tolerance",
        ),
    ];
    for (body, what) in bodies {
        let started = Instant::now();
        let err = api.verify_job_status(&body, &job()).unwrap_err();
        let text = err.to_string();
        assert!(text.contains(what), "{what}: {text}");
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "{what}: {:?}",
            started.elapsed()
        );
    }
}
