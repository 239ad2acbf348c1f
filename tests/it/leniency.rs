//! The one leniency rule, case by case, through `WebApi` and the simulator:
//! a field of an unexpected type is kept exactly as received and the answer
//! accepted, except the fields that decide what an answer means
//! (`job_complete`, `job_success`, the result's `PartnerParams`), which read
//! one set of boolean spellings or are refused; `{}` and `[]` read as empty.
//! Also the structural limits, at the limit and one past it.

use serde_json::Value;
use smile_id::testing::{Scenario, Simulator, sign_json};
use smile_id::{Error, JobStatus, JobStatusOptions, PartnerParams, WebApi};

use crate::common::{API_KEY, PARTNER_ID};

fn job() -> PartnerParams {
    PartnerParams::new("user-A", "job-A")
}

const PARAMS: &str = r#"{"user_id":"user-A","job_id":"job-A","job_type":5}"#;

/// Serves `json` (an object, its text kept exactly, a fresh timestamp and
/// signature put in front) and asks for the job.
fn serve(json: &str) -> Result<JobStatus, Error> {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let api = WebApi::new(PARTNER_ID, "", API_KEY, sim.server()).unwrap();
    let stamp = sign_json(sim.signature(), "{}", time::Duration::ZERO).unwrap();
    let rest = json.strip_prefix('{').unwrap();
    let body = format!("{},{rest}", stamp.strip_suffix('}').unwrap());
    sim.set_scenario(Scenario::Raw {
        status: 200,
        headers: vec![("Content-Type".into(), "application/json".into())],
        body: body.into_bytes(),
    });
    api.get_job_status(&job(), &JobStatusOptions::default())
}

fn complete(extra: &str) -> String {
    format!(
        r#"{{"job_complete":true,"job_success":true,"result":{{"ResultCode":"1012","PartnerParams":{PARAMS}}}{extra}}}"#
    )
}

#[track_caller]
fn refused(json: &str, reason: &str) {
    match serve(json) {
        Err(Error::Decode { reason: got, .. }) => assert!(got.contains(reason), "{got}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn every_boolean_spelling_is_read_for_the_deciding_flags() {
    for (raw, read) in [
        ("true", true),
        ("1", true),
        (r#""1""#, true),
        (r#""True""#, true),
        (r#""TRUE""#, true),
        ("false", false),
        ("0", false),
        (r#""0""#, false),
        (r#""False""#, false),
    ] {
        let json = format!(
            r#"{{"job_complete":true,"job_success":{raw},"result":{{"ResultCode":"1012","PartnerParams":{PARAMS}}}}}"#
        );
        let status = serve(&json).unwrap();
        assert_eq!(status.job_success, read, "{raw}");
        let json = format!(r#"{{"job_complete":{raw},"result":{{"PartnerParams":{PARAMS}}}}}"#);
        assert_eq!(serve(&json).unwrap().job_complete, read, "{raw}");
    }
    for raw in [r#""yes""#, "2", "1.0", r#"" true""#, "[]", "{}"] {
        refused(
            &format!(r#"{{"job_complete":{raw}}}"#),
            "`job_complete` is not a boolean",
        );
        refused(
            &format!(r#"{{"job_success":{raw}}}"#),
            "`job_success` is not a boolean",
        );
    }
}

#[test]
fn the_results_partner_params_must_be_an_object() {
    for raw in [r#""user-A""#, "7", "[1]", "true"] {
        let json = format!(r#"{{"job_complete":false,"result":{{"PartnerParams":{raw}}}}}"#);
        refused(&json, "`result`'s `PartnerParams` is not an object");
    }
    // In a history entry it is only kept as received.
    let json = complete(r#","history":[{"ResultCode":"0810","PartnerParams":"user-A"}]"#);
    let status = serve(&json).unwrap();
    assert_eq!(
        status.history[0]
            .extra
            .get("PartnerParams")
            .unwrap()
            .to_json(),
        r#""user-A""#
    );
}

#[test]
fn a_pending_result_of_any_scalar_is_accepted() {
    for raw in ["0", "false", "1", "true", "[1]"] {
        let status = serve(&format!(r#"{{"job_complete":false,"result":{raw}}}"#)).unwrap();
        assert!(status.result.is_none() && status.result_message.is_none());
        assert_eq!(status.extra.get("result").unwrap().to_json(), raw);
    }
    let status = serve(r#"{"job_complete":false,"result":""}"#).unwrap();
    assert_eq!(status.result_message.as_deref(), Some(""));
    for raw in ["{}", "[]", "null"] {
        let status = serve(&format!(r#"{{"job_complete":false,"result":{raw}}}"#)).unwrap();
        assert!(status.result.is_none() && status.extra.is_empty(), "{raw}");
    }
}

#[test]
fn empty_objects_and_lists_read_as_empty_either_way() {
    let status = serve(&complete(r#","history":{},"image_links":[]"#)).unwrap();
    assert!(status.history.is_empty() && status.image_links.is_none());
    assert!(status.extra.is_empty());
    let json = format!(
        r#"{{"job_complete":true,"job_success":true,"result":{{"Actions":[],"PartnerParams":{PARAMS}}}}}"#
    );
    let status = serve(&json).unwrap();
    assert!(status.result.unwrap().extra.is_empty());
}

#[test]
fn fields_of_unexpected_types_are_kept_byte_exact() {
    let json = format!(
        r#"{{"job_complete":true,"job_success":true,"image_links":"https://img.example/s.jpg",
        "history":"not kept as a list",
        "result":{{"ResultCode":"1012","Actions":"Verified","ResultText": {{"a": 1.50, "b" : [1e2]}},
        "ConfidenceValue":"N/A","IsFinalResult":"\u0079es","PartnerParams":{PARAMS}}}}}"#
    );
    let status = serve(&json).unwrap();
    let result = status.result.as_ref().unwrap();
    let kept = |key| result.extra.get(key).unwrap().to_json();
    assert_eq!(kept("Actions"), r#""Verified""#);
    assert_eq!(kept("ResultText"), r#"{"a": 1.50, "b" : [1e2]}"#);
    assert_eq!(kept("ConfidenceValue"), r#""N/A""#);
    assert_eq!(kept("IsFinalResult"), r#""\u0079es""#);
    assert_eq!(
        status.extra.get("image_links").unwrap().to_json(),
        r#""https://img.example/s.jpg""#
    );
    assert_eq!(
        status.extra.get("history").unwrap().to_json(),
        r#""not kept as a list""#
    );
    // Serialised back, each is where it was.
    let back = serde_json::to_value(&status).unwrap();
    assert_eq!(
        back["result"]["ResultText"],
        serde_json::json!({"a": 1.5, "b": [1e2]})
    );
    assert_eq!(
        back["image_links"],
        Value::from("https://img.example/s.jpg")
    );
}

/// The held-out case of the issue: 1,000 short, ordinary results.
#[test]
fn a_history_of_a_thousand_short_results_is_accepted() {
    let entry = r#"{"ResultCode":"1012","ResultText":"ID Number Validated","ResultType":"ID Verification",
 "SmileJobID":"0000000042","IsFinalResult":"true","IsMachineResult":"true",
 "ConfidenceValue":"100","Actions":{"Verify_ID_Number":"Verified"},
 "PartnerParams":{"user_id":"user-A","job_id":"job-A","job_type":5},"FullName":"Jane Doe"}"#;
    let short =
        r#"{"ResultCode":"0810","PartnerParams":{"user_id":"u","job_id":"j","job_type":4,"x":1}}"#;
    for (entry, n) in [(entry, 1_000), (short, 1_000), ("{}", 5_000)] {
        let history = vec![entry; n].join(",");
        let status = serve(&complete(&format!(r#","history":[{history}]"#))).unwrap();
        assert_eq!(status.history.len(), n);
    }
}

#[test]
fn the_limits_hold_at_the_limit_and_refuse_one_past_it() {
    let history = |n: usize| complete(&format!(r#","history":[{}]"#, vec!["{}"; n].join(",")));
    assert_eq!(serve(&history(10_000)).unwrap().history.len(), 10_000);
    refused(&history(10_001), "history has more than 10,000 entries");
    let keys = |n: usize| {
        let keys: Vec<String> = (0..n).map(|i| format!(r#""k{i}":0"#)).collect();
        complete(&format!(r#","note":{{{}}}"#, keys.join(",")))
    };
    // `note` is kept raw, not read key by key: put the keys in a result.
    assert!(serve(&keys(10_001)).is_ok());
    let full = |n: usize| {
        let keys: Vec<String> = (0..n - 2).map(|i| format!(r#""k{i}":0"#)).collect();
        format!(
            r#"{{"job_complete":true,"job_success":true,"result":{{"ResultCode":"1012","PartnerParams":{PARAMS},{}}}}}"#,
            keys.join(",")
        )
    };
    let status = serve(&full(10_000)).unwrap();
    assert_eq!(status.result.unwrap().extra.len(), 9_998);
    refused(&full(10_001), "an object has more than 10,000 keys");
}
