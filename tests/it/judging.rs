//! The judging order and every fixture, with an exact clock
//! (`WebApi::verify_job_status_at`), and the same fixtures served over HTTP.

use std::time::Duration;

use crate::common::{API_KEY, PARTNER_ID, at, fixture, fixture_json, signed_at, signer};
use serde_json::{Value, json};
use smile_id::testing::{Scenario, Simulator};
use smile_id::{
    ActionResult, Error, JobStatus, JobStatusOptions, JobType, PartnerParams, Signature,
    SignatureFailure, WebApi,
};

const NOW: &str = "2026-11-26T12:32:04.622Z";

fn api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

fn judge(body: &[u8], job: &PartnerParams) -> Result<JobStatus, Error> {
    api().verify_job_status_at(body, job, at(NOW))
}

fn seed_job() -> PartnerParams {
    PartnerParams::new(
        "e54e0e98-8b8c-4215-89f5-7f9ea42bf650",
        "52d0de86-be3b-4219-9e96-8195b0018944",
    )
}

fn seed_signed() -> Vec<u8> {
    signed_at(&signer(), &fixture_json("job_status_complete.json"), NOW)
}

#[test]
fn seed_response_decodes_to_the_right_values() {
    let status = judge(&seed_signed(), &seed_job()).unwrap();
    assert!(status.job_complete && status.job_success);
    assert_eq!(status.code.as_deref(), Some("2302"));
    assert_eq!(status.timestamp_str(), NOW);
    assert_eq!(status.timestamp, at(NOW));
    let r = status.result.as_ref().unwrap();
    assert_eq!(r.result_text.as_deref(), Some("Enroll User"));
    assert_eq!(r.result_type.as_deref(), Some("SAIA"));
    assert_eq!(r.smile_job_id.as_deref(), Some("0000001897"));
    assert_eq!(r.json_version.as_deref(), Some("1.0.0"));
    assert_eq!(r.result_code.as_deref(), Some("0810"));
    assert_eq!(r.is_final_result, Some(true));
    assert_eq!(r.is_machine_result, Some(true));
    assert_eq!(r.confidence_value, Some(99.0));
    assert_eq!(r.source.as_deref(), Some("WebAPI"));
    assert_eq!(r.actions.len(), 8);
    assert_eq!(
        r.actions.get("Register_Selfie"),
        Some(&ActionResult::Approved)
    );
    assert_eq!(
        r.actions.get("Human_Review_Compare"),
        Some(&ActionResult::NotApplicable)
    );
    assert_eq!(
        r.partner_params.as_ref().unwrap().job_type,
        Some(JobType::Number(4))
    );
    assert!(r.extra.is_empty(), "{:?}", r.extra);
    assert_eq!(status.history.len(), 1);
    assert_eq!(
        status.history[0]
            .extra
            .get_str("DateTimeSubmitted")
            .as_deref(),
        Some("2018-03-13T21:04:05.000Z")
    );
    let links = status.image_links.as_ref().unwrap();
    assert!(
        links
            .selfie_image
            .as_deref()
            .unwrap()
            .starts_with("https://")
    );
    assert!(status.extra.is_empty());
}

#[test]
fn pending_fixture() {
    let body = signed_at(&signer(), &fixture_json("job_status_pending.json"), NOW);
    let status = judge(&body, &PartnerParams::new("u", "j")).unwrap();
    assert!(!status.job_complete && !status.job_success);
    assert_eq!(status.result, None);
    assert_eq!(status.result_message, None);
    assert_eq!(status.code.as_deref(), Some("2314"));
}

#[test]
fn string_result_fixture() {
    let body = signed_at(
        &signer(),
        &fixture_json("job_status_string_result.json"),
        NOW,
    );
    let status = judge(&body, &PartnerParams::new("u", "j")).unwrap();
    assert_eq!(status.result, None);
    assert_eq!(
        status.result_message.as_deref(),
        Some("No zip uploaded yet")
    );
    assert!(status.history.is_empty());
}

#[test]
fn numeric_job_type_fixture_keeps_id_data() {
    let body = signed_at(
        &signer(),
        &fixture_json("job_status_numeric_job_type.json"),
        NOW,
    );
    let status = judge(&body, &PartnerParams::new("user-7", "job-7")).unwrap();
    let r = status.result.unwrap();
    let params = r.partner_params.as_ref().unwrap();
    assert_eq!(params.job_type, Some(JobType::Number(5)));
    assert_eq!(r.result_code_meaning(), Some("ID number validated"));
    assert_eq!(r.confidence_value, Some(100.0));
    for key in [
        "Country",
        "IDType",
        "IDNumber",
        "FullName",
        "DOB",
        "Gender",
        "ExpirationDate",
        "PhoneNumber",
        "Photo",
    ] {
        assert!(r.extra.get_str(key).is_some(), "{key}");
    }
    assert_eq!(
        r.extra.get_str("ExpirationDate").as_deref(),
        Some("Not Available")
    );
    let full_data: Value = r.extra.get("FullData").unwrap().deserialize().unwrap();
    assert_eq!(
        full_data,
        json!({"firstname": "Jane", "surname": "Doe", "nationality": "Nigerian"})
    );
    let antifraud: Value = r.extra.get("Antifraud").unwrap().deserialize().unwrap();
    assert_eq!(antifraud["Suspected"], false);
}

#[test]
fn stringified_types_fixture() {
    let body = signed_at(
        &signer(),
        &fixture_json("job_status_stringified_types.json"),
        "2026-11-26T12:32:04.622123+00:00",
    );
    let status = judge(&body, &PartnerParams::new("user-8", "job-8")).unwrap();
    assert!(status.job_complete);
    assert!(!status.job_success);
    assert_eq!(status.code.as_deref(), Some("2302"));
    let r = status.result.unwrap();
    assert_eq!(r.result_code.as_deref(), Some("1022"));
    assert_eq!(r.smile_job_id.as_deref(), Some("57532"));
    assert_eq!(r.is_final_result, Some(true));
    assert_eq!(r.is_machine_result, Some(false));
    assert_eq!(r.confidence_value, Some(97.5));
    let params = r.partner_params.unwrap();
    assert_eq!(params.job_type, Some(JobType::Text("5".into())));
    assert_eq!(params.job_type.unwrap().as_u64(), Some(5));
    assert_eq!(
        params.extra.get_str("optional_info").as_deref(),
        Some("signup-flow")
    );
    assert_eq!(
        r.actions.get("Verify_ID_Number"),
        Some(&ActionResult::NotVerified)
    );
    assert_eq!(
        r.actions.get("Selfie_To_ID_Authority_Compare"),
        Some(&ActionResult::Other("Brand New Outcome".into()))
    );
}

#[test]
fn unknown_fields_fixture_keeps_everything() {
    let ts = "2026-11-26T12:32:04Z";
    let body = signed_at(
        &signer(),
        &fixture_json("job_status_unknown_fields.json"),
        ts,
    );
    let status = judge(&body, &PartnerParams::new("user-9", "job-9")).unwrap();
    assert_eq!(
        status.extra.get_str("request_id").as_deref(),
        Some("b6d2c1f0-0000-4000-8000-000000000000")
    );
    assert_eq!(
        status.extra.get("new_top_level").unwrap().to_json(),
        r#"{"nested":[1,2,{"deep":null}]}"#
    );
    let r = status.result.as_ref().unwrap();
    assert_eq!(r.confidence_value, Some(97.0));
    assert_eq!(r.is_final_result, Some(false));
    assert_eq!(
        r.result_code_meaning(),
        Some("provisional enrol: under review")
    );
    assert_eq!(
        r.actions.get("Liveness_Check"),
        Some(&ActionResult::UnderReview)
    );
    assert_eq!(
        r.actions.get("Human_Review_Liveness_Check"),
        Some(&ActionResult::SentToHumanReview)
    );
    assert_eq!(r.extra.get_str("NewResultField").as_deref(), Some("kept"));
    assert_eq!(
        r.extra
            .get("IDNumberPreviouslyRegistered")
            .unwrap()
            .to_json(),
        "false"
    );
    assert_eq!(
        r.extra
            .get("UserIDsOfPreviousRegistrants")
            .unwrap()
            .to_json(),
        "[]"
    );
    // Heterogeneous history entries.
    assert_eq!(status.history.len(), 3);
    assert_eq!(status.history[1].result_code, None);
    assert_eq!(status.history[1].partner_params, None);
    assert_eq!(status.history[2].confidence_value, Some(99.0));
    let links = status.image_links.as_ref().unwrap();
    assert_eq!(links.error, None);
    assert_eq!(
        links.extra.get_str("id_card_image").as_deref(),
        Some("https://images.example/id.jpg?e=900")
    );

    // Nothing is lost: serialising gives back every key that came in.
    let back: Value = serde_json::to_value(&status).unwrap();
    let original: Value = serde_json::from_slice(&body).unwrap();
    for key in original.as_object().unwrap().keys() {
        assert!(back.get(key).is_some(), "top-level {key} lost");
    }
    for key in original["result"].as_object().unwrap().keys() {
        assert!(back["result"].get(key).is_some(), "result {key} lost");
    }
    assert_eq!(back["timestamp"], ts);
}

#[test]
fn judging_order_signature_before_freshness_before_job() {
    let job = seed_job();
    let s = signer();
    let seed = fixture_json("job_status_complete.json");

    // Wrong key, stale and another job: the signature is reported.
    let mut other_job = seed.clone();
    other_job["result"]["PartnerParams"]["job_id"] = json!("another");
    let wrong_key = Signature::new(PARTNER_ID, "not-the-key").unwrap();
    let body = signed_at(&wrong_key, &other_job, "2020-01-01T00:00:00.000Z");
    assert!(matches!(
        judge(&body, &job),
        Err(Error::SignatureMismatch {
            reason: SignatureFailure::Mismatch,
            ..
        })
    ));

    // Right key, stale and another job: freshness is reported.
    let body = signed_at(&s, &other_job, "2020-01-01T00:00:00.000Z");
    assert!(matches!(
        judge(&body, &job),
        Err(Error::TimestampOutOfTolerance { .. })
    ));

    // Right key, fresh, another job.
    let body = signed_at(&s, &other_job, NOW);
    assert!(matches!(judge(&body, &job), Err(Error::JobMismatch { .. })));

    // Another user is a mismatch too.
    let mut other_user = seed.clone();
    other_user["result"]["PartnerParams"]["user_id"] = json!("someone-else");
    let body = signed_at(&s, &other_user, NOW);
    assert!(matches!(judge(&body, &job), Err(Error::JobMismatch { .. })));

    // PartnerParams present but without ids: a mismatch, not a pass.
    let mut no_ids = seed.clone();
    no_ids["result"]["PartnerParams"] = json!({"job_type": 4});
    let body = signed_at(&s, &no_ids, NOW);
    let err = judge(&body, &job).unwrap_err();
    let Error::JobMismatch {
        received_job_id,
        received_user_id,
        ..
    } = err
    else {
        panic!("{err:?}")
    };
    assert_eq!((received_job_id, received_user_id), (None, None));
}

#[test]
fn typed_decoding_comes_last() {
    let s = signer();
    let mut bad_type = fixture_json("job_status_complete.json");
    bad_type["job_complete"] = json!({"not": "a boolean"});
    // Correctly signed and fresh: the decoding problem is reported.
    let body = signed_at(&s, &bad_type, NOW);
    assert!(matches!(
        judge(&body, &seed_job()),
        Err(Error::Decode { .. })
    ));
    // Not signed by us: the signature is reported, not the decoding problem.
    let body = signed_at(
        &Signature::new(PARTNER_ID, "other").unwrap(),
        &bad_type,
        NOW,
    );
    assert!(matches!(
        judge(&body, &seed_job()),
        Err(Error::SignatureMismatch { .. })
    ));
    // Signed but stale: freshness first.
    let body = signed_at(&s, &bad_type, "2000-01-01T00:00:00Z");
    assert!(matches!(
        judge(&body, &seed_job()),
        Err(Error::TimestampOutOfTolerance { .. })
    ));
    // Signed, fresh, another job, bad type: the job first.
    bad_type["result"]["PartnerParams"]["job_id"] = json!("x");
    let body = signed_at(&s, &bad_type, NOW);
    assert!(matches!(
        judge(&body, &seed_job()),
        Err(Error::JobMismatch { .. })
    ));
}

#[test]
fn signature_failures_have_reasons() {
    let seed = fixture_json("job_status_complete.json");
    let job = seed_job();
    let reason = |body: &Value| match judge(&serde_json::to_vec(body).unwrap(), &job) {
        Err(Error::SignatureMismatch { reason, .. }) => reason,
        other => panic!("{other:?}"),
    };
    let mut signed: Value = serde_json::from_slice(&seed_signed()).unwrap();

    let mut missing_sig = signed.clone();
    missing_sig.as_object_mut().unwrap().remove("signature");
    assert_eq!(reason(&missing_sig), SignatureFailure::MissingSignature);

    let mut missing_ts = signed.clone();
    missing_ts.as_object_mut().unwrap().remove("timestamp");
    assert_eq!(reason(&missing_ts), SignatureFailure::MissingTimestamp);

    let mut not_base64 = signed.clone();
    not_base64["signature"] = json!("this is not base64 at all, not even close!!");
    assert_eq!(reason(&not_base64), SignatureFailure::Malformed);

    // The seed's legacy `sec_key` shape is not accepted.
    assert_eq!(reason(&seed), SignatureFailure::Malformed);

    let mut truncated = signed.clone();
    let sig = signed["signature"].as_str().unwrap().to_owned();
    truncated["signature"] = json!(sig[..40]);
    assert_eq!(reason(&truncated), SignatureFailure::Malformed);

    // The timestamp changed after signing.
    signed["timestamp"] = json!("2026-11-26T12:32:04.623Z");
    assert_eq!(reason(&signed), SignatureFailure::Mismatch);

    let mut ts_number = seed.clone();
    ts_number["timestamp"] = json!(12345);
    ts_number["signature"] = json!(sig);
    assert_eq!(reason(&ts_number), SignatureFailure::Mismatch);
}

#[test]
fn tolerance_edges_are_exact() {
    let tol = Duration::from_secs(300);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .timestamp_tolerance(tol)
        .build()
        .unwrap();
    let now = at("2026-11-26T12:00:00Z");
    let body = |ts: &str| signed_at(&signer(), &fixture_json("job_status_complete.json"), ts);
    let ok = |ts: &str| api.verify_job_status_at(&body(ts), &seed_job(), now);
    assert!(ok("2026-11-26T11:55:01Z").is_ok()); // tolerance - 1 s, past
    assert!(ok("2026-11-26T12:04:59Z").is_ok()); // tolerance - 1 s, future
    assert!(ok("2026-11-26T11:55:00Z").is_ok()); // at tolerance
    assert!(ok("2026-11-26T12:05:00Z").is_ok());
    for ts in ["2026-11-26T11:54:59Z", "2026-11-26T12:05:01Z"] {
        let err = ok(ts).unwrap_err();
        let Error::TimestampOutOfTolerance {
            timestamp,
            skew,
            tolerance,
            ..
        } = err
        else {
            panic!("{err:?}")
        };
        assert_eq!(timestamp, ts);
        assert_eq!(skew.abs(), time::Duration::seconds(301));
        assert_eq!(tolerance, tol);
    }
    let err = ok("26/11/2026 12:00").unwrap_err();
    assert!(matches!(err, Error::InvalidTimestamp { .. }), "{err:?}");
}

#[test]
fn every_fixture_is_served_and_verified_over_http() {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let api = WebApi::new(PARTNER_ID, "", API_KEY, sim.server()).unwrap();
    let cases = [
        ("job_status_complete.json", seed_job()),
        ("job_status_pending.json", PartnerParams::new("u", "j")),
        (
            "job_status_string_result.json",
            PartnerParams::new("u", "j"),
        ),
        (
            "job_status_numeric_job_type.json",
            PartnerParams::new("user-7", "job-7"),
        ),
        (
            "job_status_stringified_types.json",
            PartnerParams::new("user-8", "job-8"),
        ),
        (
            "job_status_unknown_fields.json",
            PartnerParams::new("user-9", "job-9"),
        ),
    ];
    for (name, job) in cases {
        sim.set_scenario(Scenario::SignedJson(fixture(name)));
        let status = api.get_job_status(&job, &JobStatusOptions::default());
        assert!(status.is_ok(), "{name}: {status:?}");
    }
    assert_eq!(sim.request_count(), 6);
}

#[test]
fn a_body_past_the_size_cap_is_refused_unread_like_over_http() {
    let body = seed_signed();
    let limit = u64::try_from(body.len()).unwrap() - 1;
    let capped = WebApi::builder(PARTNER_ID, API_KEY)
        .max_response_bytes(limit)
        .build()
        .unwrap();
    let err = capped
        .verify_job_status_at(&body, &seed_job(), at(NOW))
        .unwrap_err();
    assert!(
        matches!(err, Error::ResponseTooLarge { limit: l, .. } if l == limit),
        "{err:?}"
    );
    let fits = WebApi::builder(PARTNER_ID, API_KEY)
        .max_response_bytes(limit + 1)
        .build()
        .unwrap();
    fits.verify_job_status_at(&body, &seed_job(), at(NOW))
        .unwrap();
}
