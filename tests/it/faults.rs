//! Fault injection: every way a network or a broken proxy can misbehave ends
//! in the right typed error, within the deadline (+10 %), with the expected
//! number of attempts.

use std::time::{Duration, Instant};

use crate::common::fault_server::{Behaviour, FaultServer};
use crate::common::{API_KEY, PARTNER_ID, signer};
use serde_json::Value;
use smile_id::testing::{complete_result, sign_json};
use smile_id::{
    Error, JobStatusOptions, PartnerParams, Server, SignatureFailure, TransportErrorKind, WebApi,
};

const TIMEOUT: Duration = Duration::from_millis(1500);

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

/// A client for `url` with a short deadline and short retry waits.
fn client(url: &str) -> WebApi {
    client_with(url, TIMEOUT, Duration::from_millis(50))
}

/// A client for `url` with this deadline and first retry wait.
fn client_with(url: &str, timeout: Duration, retry_base_delay: Duration) -> WebApi {
    WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(url).unwrap())
        .timeout(timeout)
        .retry_base_delay(retry_base_delay)
        .build()
        .unwrap()
}

/// Calls and checks the call ended within `deadline` + 10 %.
fn call_within(api: &WebApi, deadline: Duration) -> (Result<smile_id::JobStatus, Error>, Duration) {
    let started = Instant::now();
    let result = api.get_job_status(&job(), &JobStatusOptions::default());
    let took = started.elapsed();
    assert!(
        took <= deadline + deadline / 10,
        "took {took:?}, deadline {deadline:?}"
    );
    (result, took)
}

/// A correctly signed, complete job status body about `job()`. Signed before
/// the request is sent, so dated a second earlier: an answer signed over the
/// very millisecond of a request would be taken for that request reflected.
fn signed_body() -> Vec<u8> {
    let body = format!(
        r#"{{"job_complete":true,"job_success":true,"code":"2302","result":{}}}"#,
        complete_result("user-1", "job-1")
    );
    sign_json(&signer(), &body, time::Duration::seconds(-1))
        .unwrap()
        .into_bytes()
}

fn transport_kind(result: &Result<smile_id::JobStatus, Error>) -> TransportErrorKind {
    match result {
        Err(Error::Transport { kind, .. }) => *kind,
        other => panic!("expected a transport error, got {other:?}"),
    }
}

#[test]
fn connection_refused() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let api = client(&format!("http://127.0.0.1:{port}/v1"));
    let (result, _) = call_within(&api, TIMEOUT);
    assert_eq!(
        transport_kind(&result),
        TransportErrorKind::ConnectionRefused
    );
}

#[test]
fn accept_then_close_is_retried_then_reported() {
    let server = FaultServer::start(vec![Behaviour::Close]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Protocol);
    assert_eq!(server.connections(), 3);
}

#[test]
fn reset_mid_headers_is_retried_then_reported() {
    let server = FaultServer::start(vec![Behaviour::ResetMidHeaders]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Protocol);
    assert_eq!(server.connections(), 3);
}

#[test]
fn headers_then_silence_times_out() {
    let server = FaultServer::start(vec![Behaviour::HeadersThenSilence]);
    let (result, took) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
    assert!(
        took >= TIMEOUT - Duration::from_millis(50),
        "gave up early: {took:?}"
    );
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn one_byte_per_second_times_out() {
    let server = FaultServer::start(vec![Behaviour::TricklePerSecond]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Timeout);
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn content_length_larger_than_body_is_retried_then_reported() {
    let server = FaultServer::start(vec![Behaviour::ShortBody]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Protocol);
    assert_eq!(server.bodies().len(), 3);
}

#[test]
fn invalid_chunked_encoding_is_retried_then_reported() {
    let server = FaultServer::start(vec![Behaviour::BadChunked]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert_eq!(transport_kind(&result), TransportErrorKind::Protocol);
    assert_eq!(server.bodies().len(), 3);
}

#[test]
fn a_body_over_the_cap_is_refused_and_one_at_the_cap_passes() {
    let body = signed_body();
    let cap = body.len() as u64 + 10;
    let mut at_cap = body.clone();
    at_cap.extend_from_slice(&[b' '; 10]);
    let mut over = at_cap.clone();
    over.push(b' ');
    let server = FaultServer::start(vec![
        Behaviour::json(200, over),
        Behaviour::json(200, at_cap),
    ]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&server.url()).unwrap())
        .max_response_bytes(cap)
        .build()
        .unwrap();
    let err = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit, .. } if limit == cap),
        "{err:?}"
    );
    assert_eq!(server.bodies().len(), 1, "too large is not retried");
    let status = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap();
    assert!(status.job_complete);
}

#[test]
fn a_503_then_200_is_retried_and_re_signed() {
    let server = FaultServer::start(vec![
        Behaviour::json(503, r#"{"error":"busy"}"#),
        Behaviour::json(200, signed_body()),
    ]);
    // The default backoff: at least 500 ms before the retry.
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&server.url()).unwrap())
        .build()
        .unwrap();
    let started = Instant::now();
    let status = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap();
    assert!(status.job_success);
    assert!(started.elapsed() >= Duration::from_millis(500));
    let bodies: Vec<Value> = server
        .bodies()
        .iter()
        .map(|b| serde_json::from_slice(b).unwrap())
        .collect();
    assert_eq!(bodies.len(), 2);
    assert_ne!(bodies[0]["signature"], bodies[1]["signature"]);
    assert_ne!(bodies[0]["timestamp"], bodies[1]["timestamp"]);
    for b in &bodies {
        assert!(signer().confirm_signature(
            b["timestamp"].as_str().unwrap(),
            b["signature"].as_str().unwrap()
        ));
    }
}

#[test]
fn a_429_with_retry_after_is_honoured() {
    let (result, took, attempts) = answered_then_retried(429, "1");
    result.unwrap();
    assert!(
        took >= Duration::from_secs(1),
        "did not wait for Retry-After: {took:?}"
    );
    assert_eq!(attempts, 2);
}

#[test]
fn a_retry_after_past_the_deadline_is_not_waited_for() {
    let server = FaultServer::start(vec![Behaviour::Respond {
        status: 503,
        headers: vec![("Retry-After".into(), "30".into())],
        body: br#"{"error":"maintenance"}"#.to_vec(),
    }]);
    let (result, took) = call_within(&client(&server.url()), TIMEOUT);
    assert!(
        matches!(result, Err(Error::Http { status: 503, .. })),
        "{result:?}"
    );
    assert!(took < Duration::from_millis(500), "{took:?}");
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn three_500s_give_up_after_one_plus_two_attempts() {
    let server = FaultServer::start(vec![Behaviour::json(
        500,
        r#"{"error":"oops","code":"2201"}"#,
    )]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Http { status: 500, .. }), "{err:?}");
    assert_eq!(err.smile_id_code(), Some("2201"));
    assert_eq!(server.bodies().len(), 3);
}

#[test]
fn retries_can_be_turned_off() {
    let server = FaultServer::start(vec![Behaviour::json(503, "")]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&server.url()).unwrap())
        .max_retries(0)
        .build()
        .unwrap();
    let err = api
        .get_job_status(&job(), &JobStatusOptions::default())
        .unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn the_deadline_bounds_all_retries() {
    let server = FaultServer::start(vec![Behaviour::json(503, "")]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&server.url()).unwrap())
        .timeout(Duration::from_millis(800))
        .max_retries(100)
        .retry_base_delay(Duration::from_millis(100))
        .build()
        .unwrap();
    let (result, _) = call_within(&api, Duration::from_millis(800));
    assert!(
        matches!(result, Err(Error::Http { status: 503, .. })),
        "{result:?}"
    );
    let attempts = server.bodies().len();
    assert!((2..=5).contains(&attempts), "{attempts} attempts");
}

#[test]
fn other_4xx_are_never_retried() {
    for status in [400, 401, 403, 404] {
        let server = FaultServer::start(vec![Behaviour::json(
            status,
            r#"{"error":"no","code":"2205"}"#,
        )]);
        let (result, _) = call_within(&client(&server.url()), TIMEOUT);
        assert!(
            matches!(result, Err(Error::Http { status: s, .. }) if s == status),
            "{result:?}"
        );
        assert_eq!(server.bodies().len(), 1, "status {status}");
    }
}

#[test]
fn verification_failures_are_never_retried() {
    let mut tampered: Value = serde_json::from_slice(&signed_body()).unwrap();
    tampered["signature"] = Value::String("A".repeat(43) + "=");
    let server = FaultServer::start(vec![Behaviour::json(
        200,
        serde_json::to_vec(&tampered).unwrap(),
    )]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert!(
        matches!(
            result,
            Err(Error::SignatureMismatch {
                reason: SignatureFailure::Mismatch,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn a_redirect_to_another_port_is_not_followed() {
    let elsewhere = FaultServer::start(vec![Behaviour::json(200, signed_body())]);
    let location = format!("{}/job_status", elsewhere.url());
    let server = FaultServer::start(vec![Behaviour::Respond {
        status: 302,
        headers: vec![("Location".into(), location.clone())],
        body: Vec::new(),
    }]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Http { status: 302, .. }), "{err:?}");
    assert_eq!(
        err.http_details().unwrap().location.as_deref(),
        Some(location.as_str())
    );
    assert_eq!(server.bodies().len(), 1);
    assert_eq!(elsewhere.connections(), 0);
}

#[test]
fn hostile_200_bodies_are_decode_errors_without_retry() {
    for body in [
        &b"<html><body>Welcome to nginx!</body></html>"[..],
        b"null",
        b"[]",
        b"\"\"",
        b"",
    ] {
        let server = FaultServer::start(vec![Behaviour::json(200, body)]);
        let (result, _) = call_within(&client(&server.url()), TIMEOUT);
        assert!(
            matches!(result, Err(Error::Decode { .. })),
            "{body:?}: {result:?}"
        );
        assert_eq!(server.bodies().len(), 1);
    }
}

#[test]
fn a_200_object_missing_every_field_is_unsigned() {
    let server = FaultServer::start(vec![Behaviour::json(200, "{}")]);
    let (result, _) = call_within(&client(&server.url()), TIMEOUT);
    assert!(
        matches!(
            result,
            Err(Error::SignatureMismatch {
                reason: SignatureFailure::MissingSignature,
                ..
            })
        ),
        "{result:?}"
    );
    assert_eq!(server.bodies().len(), 1);
}

#[test]
fn a_retry_cut_short_by_the_deadline_keeps_the_servers_answer() {
    let server = FaultServer::start(vec![
        Behaviour::json(503, r#"{"error":"busy","code":"2201"}"#),
        Behaviour::HeadersThenSilence,
    ]);
    let api = client_with(
        &server.url(),
        Duration::from_millis(600),
        Duration::from_millis(50),
    );
    let (result, _) = call_within(&api, Duration::from_millis(600));
    let err = result.unwrap_err();
    assert!(matches!(err, Error::Http { status: 503, .. }), "{err:?}");
    assert_eq!(err.smile_id_code(), Some("2201"));
    assert_eq!(server.bodies().len(), 2);
}

/// `at` as an HTTP date (IMF-fixdate: `Sun, 06 Nov 1994 08:49:37 GMT`).
fn http_date(at: time::OffsetDateTime) -> String {
    let short = |name: String| name.chars().take(3).collect::<String>();
    format!(
        "{}, {:02} {} {} {:02}:{:02}:{:02} GMT",
        short(at.weekday().to_string()),
        at.day(),
        short(at.month().to_string()),
        at.year(),
        at.hour(),
        at.minute(),
        at.second()
    )
}

/// A transient `status` asking for a wait of `retry_after`, then a good
/// answer; a client with a 5 s deadline and 10 ms retry waits. Returns the
/// call's result, how long it took and how many requests the server saw.
fn answered_then_retried(
    status: u16,
    retry_after: &str,
) -> (Result<smile_id::JobStatus, Error>, Duration, usize) {
    let server = FaultServer::start(vec![
        Behaviour::Respond {
            status,
            headers: vec![("Retry-After".into(), retry_after.into())],
            body: br#"{"error":"maintenance"}"#.to_vec(),
        },
        Behaviour::json(200, signed_body()),
    ]);
    let api = client_with(
        &server.url(),
        Duration::from_secs(5),
        Duration::from_millis(10),
    );
    let (result, took) = call_within(&api, Duration::from_secs(5));
    (result, took, server.bodies().len())
}

#[test]
fn a_retry_after_http_date_is_honoured() {
    let soon = time::OffsetDateTime::now_utc() + time::Duration::seconds(3);
    let (result, took, attempts) = answered_then_retried(503, &http_date(soon));
    result.unwrap();
    assert_eq!(attempts, 2);
    // Whole seconds: the date is at least 2 s away once truncated.
    assert!(took >= Duration::from_secs(1), "did not wait: {took:?}");
}

#[test]
fn a_retry_after_http_date_too_far_ahead_is_not_waited_for() {
    for far in [time::Duration::seconds(61), time::Duration::days(365 * 100)] {
        let at = time::OffsetDateTime::now_utc() + far;
        let (result, took, attempts) = answered_then_retried(503, &http_date(at));
        assert!(
            matches!(result, Err(Error::Http { status: 503, .. })),
            "{far}: {result:?}"
        );
        assert_eq!(attempts, 1, "{far}");
        assert!(took < Duration::from_millis(500), "{far}: {took:?}");
    }
}

#[test]
fn a_retry_after_in_the_past_or_unreadable_falls_back_to_the_backoff() {
    let past = http_date(time::OffsetDateTime::now_utc() - time::Duration::hours(1));
    for value in [
        past.as_str(),
        "0",
        "-5",
        "1.5",
        "soon",
        "99999999999999999999999",
        "Sun, 06 Nov 1994 08:49:37 PST",
        "",
    ] {
        let (result, took, attempts) = answered_then_retried(503, value);
        assert!(result.is_ok(), "{value:?}: {result:?}");
        assert_eq!(attempts, 2, "{value:?}");
        assert!(took < Duration::from_secs(1), "{value:?}: {took:?}");
    }
}
