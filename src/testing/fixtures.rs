//! Signed bodies and example results, for the simulator and for your tests.

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::signature::format_timestamp;
use crate::{Error, Signature, Verdict};

/// Sets a fresh `timestamp` (now + `offset`, a signed
/// [`time::Duration`]) and its `signature` in a JSON
/// object, as Smile ID signs job status responses and callbacks, and returns
/// the object's JSON text.
///
/// ```
/// let signer = smile_id::Signature::new("002", "key")?;
/// let body = smile_id::testing::sign_json(&signer, r#"{"job_complete": true}"#, time::Duration::ZERO)?;
/// let value: serde_json::Value = serde_json::from_str(&body).unwrap();
/// assert!(signer.confirm_signature(
///     value["timestamp"].as_str().unwrap(),
///     value["signature"].as_str().unwrap(),
/// ));
/// # Ok::<(), smile_id::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidInput`] when `json_object` is not a JSON object.
pub fn sign_json(
    signature: &Signature,
    json_object: &str,
    offset: time::Duration,
) -> Result<String, Error> {
    let mut body = match serde_json::from_str::<Value>(json_object) {
        Ok(body @ Value::Object(_)) => body,
        _ => return Err(Error::invalid_input("json_object", "must be a JSON object")),
    };
    sign_value(signature, &mut body, offset);
    Ok(body.to_string())
}

/// A signed callback body for `result_json` (a result object such as
/// [`complete_result`] gives), as Smile ID would POST it to your callback URL:
/// for testing your own callback handler.
///
/// ```
/// use smile_id::testing::{complete_result, sign_callback};
///
/// let api = smile_id::WebApi::new("002", "", "key", 0)?;
/// let body = sign_callback(api.signature(), &complete_result("user-1", "job-1"))?;
/// let callback = api.verify_callback(&body)?;
/// assert_eq!(callback.result.result_code.as_deref(), Some("0810"));
/// # Ok::<(), smile_id::Error>(())
/// ```
///
/// # Errors
///
/// [`Error::InvalidInput`] when `result_json` is not a JSON object.
pub fn sign_callback(signature: &Signature, result_json: &str) -> Result<Vec<u8>, Error> {
    sign_json(signature, result_json, time::Duration::ZERO).map(String::into_bytes)
}

/// Signs `body` with a fresh timestamp (now + `offset`), in Smile ID's format
/// (milliseconds), which a client's microsecond request timestamps never equal.
pub(super) fn sign_value(signature: &Signature, body: &mut Value, offset: time::Duration) {
    let timestamp = format_timestamp(OffsetDateTime::now_utc().saturating_add(offset));
    let signed = signature.sign_timestamp(&timestamp);
    if let Some(object) = body.as_object_mut() {
        object.insert("timestamp".into(), Value::String(signed.timestamp));
        object.insert("signature".into(), Value::String(signed.signature));
    }
}

/// The JSON text of a completed, successful enrolment result (`ResultCode`
/// 0810) about `user_id` and `job_id`.
pub fn complete_result(user_id: &str, job_id: &str) -> String {
    complete_result_value(user_id, job_id).to_string()
}

/// The JSON text of a realistic result with `verdict` about `user_id` and
/// `job_id`, as the simulator answers it (see [`Scenario::Outcome`](super::Scenario::Outcome)),
/// e.g. for [`sign_callback`]:
///
/// | verdict | `ResultCode` | `ResultText` | telling `Actions` |
/// |---|---|---|---|
/// | approved | `0810` | Enroll User | all passed |
/// | provisional | `0814` | Provisional Enroll - Under Review | `Human_Review_Compare`: Under Review |
/// | rejected | `1022` | No Match | `Verify_ID_Number`: Not Verified |
/// | failed | `1015` | Error - Queried Database Unavailable | `Verify_ID_Number`: Issuer Unavailable |
/// | pending | none: `{}` | | |
///
/// ```
/// use smile_id::testing::{outcome_result, sign_callback};
/// use smile_id::Verdict;
///
/// let api = smile_id::WebApi::new("002", "", "key", 0)?;
/// let body = sign_callback(api.signature(), &outcome_result(Verdict::Rejected, "user-1", "job-1"))?;
/// assert_eq!(api.verify_callback(&body)?.verdict(), Verdict::Rejected);
/// # Ok::<(), smile_id::Error>(())
/// ```
pub fn outcome_result(verdict: Verdict, user_id: &str, job_id: &str) -> String {
    outcome_value(verdict, user_id, job_id).0.to_string()
}

/// The result object for `verdict` and the `job_success` that goes with it.
pub(super) fn outcome_value(verdict: Verdict, user_id: &str, job_id: &str) -> (Value, bool) {
    let params = |job_type: u8| json!({"job_id": job_id, "user_id": user_id, "job_type": job_type});
    let id_check = |code: &str, text: &str, verify: &str| {
        json!({
            "Source": "WebAPI",
            "Actions": {"Verify_ID_Number": verify, "Return_Personal_Info": "Not Returned"},
            "ResultCode": code,
            "ResultText": text,
            "ResultType": "ID Verification",
            "SmileJobID": "0000000325",
            "JSONVersion": "1.0.0",
            "IsFinalResult": "true",
            "PartnerParams": params(5),
            "Country": "NG",
            "IDType": "NIN"
        })
    };
    match verdict {
        Verdict::Approved => (complete_result_value(user_id, job_id), true),
        Verdict::Pending => (json!({}), false),
        Verdict::Provisional => {
            // The approved enrolment, with its comparison sent to human review.
            let mut result = complete_result_value(user_id, job_id);
            if let Some(object) = result.as_object_mut() {
                for (key, value) in [
                    ("ResultCode", json!("0814")),
                    ("ResultText", json!("Provisional Enroll - Under Review")),
                    ("SmileJobID", json!("0000000326")),
                    ("IsFinalResult", json!("false")),
                    ("PartnerParams", params(1)),
                    ("ConfidenceValue", json!("0")),
                ] {
                    object.insert(key.into(), value);
                }
                if let Some(actions) = object.get_mut("Actions").and_then(Value::as_object_mut) {
                    for action in ["Human_Review_Compare", "Selfie_To_ID_Authority_Compare"] {
                        actions.insert(action.into(), json!("Under Review"));
                    }
                }
            }
            (result, false)
        }
        Verdict::Rejected => (id_check("1022", "No Match", "Not Verified"), false),
        Verdict::Failed => (
            id_check(
                "1015",
                "Error - Queried Database Unavailable",
                "Issuer Unavailable",
            ),
            false,
        ),
    }
}

/// The JSON text of an unsigned job status response about `user_id` and
/// `job_id`: complete and successful, with `history_entries` history entries
/// of about 780 bytes each (ID data included, as ID verification results
/// carry). For benchmarks and size tests: 1,000 entries make about 780 KB.
///
/// Sign it with [`sign_json`] before serving it.
pub fn job_status_json(user_id: &str, job_id: &str, history_entries: usize) -> String {
    let result = complete_result_value(user_id, job_id);
    let history: Vec<Value> = (0..history_entries)
        .map(|i| {
            let mut entry = result.clone();
            if let Some(object) = entry.as_object_mut() {
                object.insert("SmileJobID".into(), json!(format!("{:010}", 1000 + i)));
                object.insert("Country".into(), json!("NG"));
                object.insert("IDType".into(), json!("NIN"));
                object.insert("IDNumber".into(), json!(format!("{:011}", 12_345_678_900u64 + i as u64)));
                object.insert("FullName".into(), json!("Adaeze Chiamaka Okonkwo-Balogun"));
                object.insert("DOB".into(), json!("1990-01-01"));
                object.insert("Gender".into(), json!("F"));
                object.insert("ExpirationDate".into(), json!("Not Available"));
                object.insert("PhoneNumber".into(), json!("+2348000000000"));
                object.insert("FullData".into(), json!({"firstname": "Adaeze", "surname": "Okonkwo-Balogun", "nationality": "NGA"}));
            }
            entry
        })
        .collect();
    json!({
        "job_complete": true,
        "job_success": true,
        "code": "2302",
        "result": result,
        "history": history,
        "image_links": {"selfie_image": format!("https://smile-images.example/{job_id}/selfie.jpg?expires=900")}
    })
    .to_string()
}

pub(super) fn complete_result_value(user_id: &str, job_id: &str) -> Value {
    json!({
        "Source": "WebAPI",
        "Actions": {
            "Liveness_Check": "Passed",
            "Register_Selfie": "Approved",
            "Verify_ID_Number": "Verified",
            "Return_Personal_Info": "Returned",
            "Selfie_Provided": "Passed",
            "Human_Review_Compare": "Not Applicable",
            "Selfie_To_ID_Authority_Compare": "Completed"
        },
        "ResultCode": "0810",
        "ResultText": "Enroll User",
        "ResultType": "SAIA",
        "SmileJobID": "0000000324",
        "JSONVersion": "1.0.0",
        "IsFinalResult": "true",
        "PartnerParams": {"job_id": job_id, "user_id": user_id, "job_type": 4},
        "ConfidenceValue": "99",
        "IsMachineResult": "true"
    })
}
