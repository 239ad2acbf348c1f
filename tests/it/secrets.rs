//! Neither the API key nor a request signature may appear in any `Debug` or
//! `Display` output of the crate's types, on success or failure.

use crate::common::{API_KEY, PARTNER_ID};
use serde_json::Value;
use smile_id::testing::{Scenario, Simulator};
use smile_id::{JobStatusOptions, PartnerParams, Signature, WebApi};

fn assert_clean(text: &str, secrets: &[String]) {
    assert!(!text.contains(API_KEY), "API key leaked: {text}");
    for secret in secrets {
        assert!(
            !text.contains(secret.as_str()),
            "request signature leaked: {text}"
        );
    }
}

#[test]
fn no_secret_in_any_output() {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let builder = WebApi::builder(PARTNER_ID, API_KEY).server(sim.server());
    let mut outputs = vec![format!("{builder:?}")];
    let api = builder.build().unwrap();
    outputs.push(format!("{api:?}"));
    outputs.push(format!("{:?}", api.signature()));
    outputs.push(format!(
        "{:?}",
        Signature::new(PARTNER_ID, API_KEY).unwrap()
    ));
    outputs.push(format!("{sim:?}"));

    let job = PartnerParams::new("user-1", "job-1");
    let options = JobStatusOptions {
        return_history: true,
        return_image_links: true,
    };
    let status = api.get_job_status(&job, &options).unwrap();
    outputs.push(format!("{status:?}"));
    // The response signature is computed like a request signature, so it is
    // redacted too (it can coincide with one when both share a millisecond).
    assert!(!format!("{status:?}").contains(&status.signature));

    let echo_body = |sim: &Simulator| {
        // A gateway that echoes the last request body back in its error page.
        sim.requests()
            .last()
            .map(|r| r.body.clone())
            .unwrap_or_default()
    };
    let scenarios = [
        Scenario::TamperedSignature,
        Scenario::StaleTimestamp,
        Scenario::OtherJob,
        Scenario::ErrorCode {
            status: 401,
            code: "2205".into(),
            message: "unauthorized".into(),
        },
        Scenario::Raw {
            status: 200,
            headers: vec![],
            body: b"<html>".to_vec(),
        },
        Scenario::Raw {
            status: 200,
            headers: vec![],
            body: b"{\"job_complete\": {}}".to_vec(),
        },
    ];
    for scenario in scenarios {
        sim.set_scenario(scenario);
        let err = api.get_job_status(&job, &options).unwrap_err();
        outputs.push(format!("{err:?}"));
        outputs.push(err.to_string());
    }
    for status in [400, 500] {
        sim.set_scenario(Scenario::Raw {
            status,
            headers: vec![],
            body: echo_body(&sim),
        });
        let err = api.get_job_status(&job, &options).unwrap_err();
        outputs.push(format!("{err:?}"));
        outputs.push(err.to_string());
    }
    // An authentic answer (the signature covers only the timestamp) naming
    // another job whose ids are the last request's signature.
    let last: Value = serde_json::from_slice(&echo_body(&sim)).unwrap();
    let echoed = last["signature"].as_str().unwrap().to_owned();
    let fresh = api.signature().sign_timestamp(
        &time::OffsetDateTime::now_utc()
            .format(&time::format_description::well_known::Rfc3339)
            .unwrap(),
    );
    let other_job = serde_json::json!({
        "job_complete": true, "job_success": true,
        "result": {"PartnerParams": {"user_id": echoed, "job_id": echoed}},
        "timestamp": fresh.timestamp, "signature": fresh.signature,
    });
    sim.set_scenario(Scenario::Raw {
        status: 200,
        headers: vec![],
        body: other_job.to_string().into_bytes(),
    });
    let err = api.get_job_status(&job, &options).unwrap_err();
    assert!(
        matches!(err, smile_id::Error::JobMismatch { .. }),
        "{err:?}"
    );
    assert!(!format!("{err:?} {err}").contains(&echoed), "{err:?}");
    outputs.push(format!("{err:?} {err}"));
    // The remaining variants: InvalidTimestamp, ResponseTooLarge, Transport.
    let mut odd_time = serde_json::json!({"job_complete": true});
    let signed = api.signature().sign_timestamp("not a time");
    odd_time["timestamp"] = Value::String(signed.timestamp);
    odd_time["signature"] = Value::String(signed.signature);
    sim.set_scenario(Scenario::Raw {
        status: 200,
        headers: vec![],
        body: odd_time.to_string().into_bytes(),
    });
    let err = api.get_job_status(&job, &options).unwrap_err();
    assert!(
        matches!(err, smile_id::Error::InvalidTimestamp { .. }),
        "{err:?}"
    );
    outputs.push(format!("{err:?} {err}"));
    let small = WebApi::builder(PARTNER_ID, API_KEY)
        .server(sim.server())
        .max_response_bytes(8)
        .build()
        .unwrap();
    let err = small.get_job_status(&job, &options).unwrap_err();
    assert!(
        matches!(err, smile_id::Error::ResponseTooLarge { .. }),
        "{err:?}"
    );
    outputs.push(format!("{err:?} {err}"));
    let closed = WebApi::builder(PARTNER_ID, API_KEY)
        .server(smile_id::Server::custom("http://127.0.0.1:9/v1").unwrap())
        .max_retries(0)
        .build()
        .unwrap();
    let err = closed.get_job_status(&job, &options).unwrap_err();
    assert!(matches!(err, smile_id::Error::Transport { .. }), "{err:?}");
    outputs.push(format!("{err:?} {err}"));
    for request in sim.requests() {
        outputs.push(format!("{request:?}"));
    }

    // A verified callback, and a rejected one.
    let body = smile_id::testing::sign_callback(
        api.signature(),
        &smile_id::testing::complete_result("u", "j"),
    )
    .unwrap();
    let callback = api.verify_callback(&body).unwrap();
    assert!(!format!("{callback:?}").contains(&callback.signature));
    outputs.push(format!("{callback:?}"));
    let err = WebApi::new(PARTNER_ID, "", "another-key", 0)
        .unwrap()
        .verify_callback(&body)
        .unwrap_err();
    outputs.push(format!("{err:?} {err}"));

    // Bad input, with the key in the wrong argument by mistake.
    let err = WebApi::new("", "", API_KEY, 0).unwrap_err();
    outputs.push(format!("{err:?} {err}"));

    let secrets = crate::common::request_signatures(&sim);
    assert!(secrets.len() >= 9);
    for output in &outputs {
        assert_clean(output, &secrets);
    }
}

#[test]
fn a_key_pasted_into_a_url_is_not_shown_by_the_builder() {
    // build() refuses these, but a builder may be logged before that.
    let upper = API_KEY.to_uppercase();
    for builder in [
        WebApi::builder(PARTNER_ID, API_KEY).server(format!("https://{API_KEY}.example.com/v1")),
        WebApi::builder(PARTNER_ID, API_KEY).server(format!("https://h.example/{API_KEY}/v1")),
        WebApi::builder(PARTNER_ID, API_KEY)
            .default_callback(format!("https://cb.example/{API_KEY}")),
        WebApi::builder(PARTNER_ID, API_KEY)
            .default_callback(format!("https://cb.example/{upper}")),
    ] {
        let debug = format!("{builder:?}");
        assert!(
            !debug.to_lowercase().contains(&API_KEY.to_lowercase()),
            "{debug}"
        );
        assert!(debug.contains("contains the API key"), "{debug}");
        let err = builder.build().unwrap_err();
        assert_clean(&format!("{err} {err:?}"), &[]);
    }
}

#[test]
fn a_test_servers_response_does_not_show_its_body() {
    let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
    let body = smile_id::testing::sign_callback(
        &signer,
        &smile_id::testing::complete_result("user-1", "job-1"),
    )
    .unwrap();
    let json: Value = serde_json::from_slice(&body).unwrap();
    let signature = json["signature"].as_str().unwrap().to_owned();
    let response = crate::common::http::Response::new(200, body.clone());
    let debug = format!("{response:?}");
    assert_clean(&debug, &[signature, format!("{body:?}")]);
    assert!(
        debug.contains(&format!("[{} bytes]", body.len())),
        "{debug}"
    );
}
