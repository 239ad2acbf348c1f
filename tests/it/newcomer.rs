//! What a newcomer trips on: errors that say what to do, log-safe one-line
//! statuses, and a simulator that behaves like Smile ID, against real servers
//! on 127.0.0.1.

use std::io::Read as _;
use std::time::Duration;

use crate::common::fault_server::{Behaviour, FaultServer};
use crate::common::{API_KEY, PARTNER_ID, sim_and_api};
use smile_id::testing::{Scenario, Simulator, complete_result, sign_json};
use smile_id::{Error, JobStatusOptions, PartnerParams, Server, TransportErrorKind, WebApi};

fn job() -> PartnerParams {
    PartnerParams::new("user-123", "job-456")
}

const NONE: JobStatusOptions = JobStatusOptions {
    return_history: false,
    return_image_links: false,
};

#[test]
fn http_errors_explain_the_code() {
    let (sim, api) = sim_and_api();
    sim.set_scenario(Scenario::ErrorCode {
        status: 401,
        code: "2205".into(),
        message: "unauthorized".into(),
    });
    let err = api.get_job_status(&job(), &NONE).unwrap_err();
    assert_eq!(
        err.to_string(),
        "http status 401: unauthorized (smile id code 2205: not authorised: bad signature, or a key for the other server)"
    );
}

#[test]
fn a_refused_connection_names_the_host_only() {
    // Nothing listens on the port of a dropped listener.
    let port = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap().port()
    };
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&format!("http://127.0.0.1:{port}/v1")).unwrap())
        .max_retries(0)
        .build()
        .unwrap();
    let err = api.get_job_status(&job(), &NONE).unwrap_err();
    let Error::Transport {
        kind,
        host,
        elapsed,
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert_eq!(*kind, TransportErrorKind::ConnectionRefused);
    assert_eq!(host.as_deref(), Some(format!("127.0.0.1:{port}").as_str()));
    assert_eq!(*elapsed, None);
    let text = err.to_string();
    assert_eq!(
        text,
        format!("transport error talking to 127.0.0.1:{port}: connection refused")
    );
    assert!(
        !text.contains("/v1") && !text.contains("job_status"),
        "{text}"
    );
}

#[test]
fn a_timeout_says_how_long_it_waited() {
    let server = FaultServer::start(vec![Behaviour::HeadersThenSilence]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(Server::custom(&format!("http://127.0.0.1:{}/v1", server.port)).unwrap())
        .timeout(Duration::from_millis(400))
        .max_retries(0)
        .build()
        .unwrap();
    let err = api.get_job_status(&job(), &NONE).unwrap_err();
    let Error::Transport {
        kind: TransportErrorKind::Timeout,
        elapsed: Some(elapsed),
        ..
    } = &err
    else {
        panic!("{err:?}");
    };
    assert!(*elapsed >= Duration::from_millis(300), "{elapsed:?}");
    let text = err.to_string();
    let prefix = format!(
        "transport error talking to 127.0.0.1:{}: timed out after 0.",
        server.port
    );
    assert!(text.starts_with(&prefix), "{text}");
    assert!(text.ends_with(" s"), "{text}");
}

#[test]
fn a_status_line_shows_state_codes_and_job_but_no_personal_data() {
    let (sim, api) = sim_and_api();
    let status = api.get_job_status(&job(), &NONE).unwrap();
    assert_eq!(
        status.to_string(),
        r#"approved: complete, successful; code 2302; result 0810 (enrol user: approved); user "user-123" job "job-456"; smile job "0000000324""#
    );
    assert!(status.code_meaning().is_some());

    // A result carrying ID data, as ID verification results do.
    let mut result: serde_json::Value =
        serde_json::from_str(&complete_result("user-123", "job-456")).unwrap();
    result["FullName"] = "Adaeze Okonkwo".into();
    result["DOB"] = "1990-01-01".into();
    result["IDNumber"] = "12345678901".into();
    result["Photo"] = "/9j/4AAQSkZJRgABAQ".into();
    let body = serde_json::json!({"job_complete": true, "job_success": true, "code": "2302", "result": result});
    sim.set_scenario(Scenario::SignedJson(body.to_string()));
    let status = api.get_job_status(&job(), &NONE).unwrap();
    let line = status.to_string();
    for private in [
        "Adaeze",
        "1990",
        "12345678901",
        "/9j/",
        status.signature.as_str(),
    ] {
        assert!(!line.contains(private), "{private:?} in {line}");
    }

    sim.set_scenario(Scenario::StringResult);
    let pending = api.get_job_status(&job(), &NONE).unwrap();
    assert_eq!(
        pending.to_string(),
        r#"pending: not complete; code 2302; message "No zip uploaded yet""#
    );
}

#[test]
fn complete_after_counts_from_when_it_is_set() {
    let (sim, api) = sim_and_api();
    for _ in 0..3 {
        assert!(api.get_job_status(&job(), &NONE).unwrap().job_complete);
    }
    sim.set_scenario(Scenario::CompleteAfter { polls: 2 });
    let complete: Vec<bool> = (0..3)
        .map(|_| api.get_job_status(&job(), &NONE).unwrap().job_complete)
        .collect();
    assert_eq!(complete, [false, false, true]);
}

#[test]
fn a_sequence_starts_from_when_it_is_set() {
    let (sim, api) = sim_and_api();
    api.get_job_status(&job(), &NONE).unwrap();
    api.get_job_status(&job(), &NONE).unwrap();
    sim.set_scenario(Scenario::Sequence(vec![
        Scenario::Pending,
        Scenario::StringResult,
        Scenario::Complete,
    ]));
    let a = api.get_job_status(&job(), &NONE).unwrap();
    let b = api.get_job_status(&job(), &NONE).unwrap();
    let c = api.get_job_status(&job(), &NONE).unwrap();
    assert!(!a.job_complete && a.result_message.is_none());
    assert_eq!(b.result_message.as_deref(), Some("No zip uploaded yet"));
    assert!(c.job_complete);
}

#[test]
fn the_simulator_answers_only_at_v1_job_status() {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    assert!(sim.base_url().ends_with("/v1"), "{}", sim.base_url());
    let without_v1 = sim.base_url().trim_end_matches("/v1").to_owned();
    for base in [without_v1.clone(), format!("{without_v1}/v2")] {
        let api = WebApi::new(PARTNER_ID, "", API_KEY, base.as_str()).unwrap();
        let err = api.get_job_status(&job(), &NONE).unwrap_err();
        assert!(
            matches!(err, Error::Http { status: 404, .. }),
            "{base}: {err:?}"
        );
        // The 404 says where to look.
        let text = err.to_string();
        assert!(
            text.contains("should end in /v1 and not include /job_status"),
            "{text}"
        );
    }
    // A base URL that already holds the endpoint is refused before any call.
    let with_endpoint = format!("{}/job_status", sim.base_url());
    let err = WebApi::new(PARTNER_ID, "", API_KEY, with_endpoint.as_str()).unwrap_err();
    assert!(err.to_string().contains("should end in /v1"), "{err}");
    let api = WebApi::new(PARTNER_ID, "", API_KEY, sim.server()).unwrap();
    assert!(api.get_job_status(&job(), &NONE).is_ok());
}

/// POSTs `body` to the simulator's job status URL; the status and the body.
fn post(sim: &Simulator, body: &str) -> (u16, serde_json::Value) {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    let mut response = agent
        .post(&format!("{}/job_status", sim.base_url()))
        .header("Content-Type", "application/json")
        .send(body)
        .unwrap();
    let mut text = String::new();
    response
        .body_mut()
        .as_reader()
        .read_to_string(&mut text)
        .unwrap();
    (
        response.status().as_u16(),
        serde_json::from_str(&text).unwrap(),
    )
}

#[test]
fn a_numeric_partner_id_is_the_wrong_type() {
    let sim = Simulator::start("2", API_KEY).unwrap();
    let request = r#"{"partner_id": 2, "user_id": "u", "job_id": "j"}"#;
    let signed = sign_json(sim.signature(), request, time::Duration::ZERO).unwrap();
    let (status, body) = post(&sim, &signed);
    assert_eq!(status, 400);
    assert_eq!(body["code"], "2204", "{body}");
    // The same request with the id as a string is answered.
    let request = r#"{"partner_id": "2", "user_id": "u", "job_id": "j"}"#;
    let signed = sign_json(sim.signature(), request, time::Duration::ZERO).unwrap();
    let (status, body) = post(&sim, &signed);
    assert_eq!(status, 200, "{body}");
}
