//! How a result object and the objects inside it ([`PartnerParams`],
//! [`ImageLinks`]) are read: each modelled key and its reader.
//!
//! To model a new field: add it to the type (in `model/`, with its serde
//! attributes for writing), and one line here for reading it.

use super::Scalar;
use serde_json::value::RawValue;

use super::object::{lenient, lenient_object, shaped};
use crate::{ActionResult, Actions, ImageLinks, JobResult, JobType, PartnerParams};

lenient_object! {
    /// Reads a result object leniently (see the type's docs), from a
    /// deserialiser that can lend its text (`serde_json::from_str` or
    /// `from_slice`): values are kept as received. This does not verify
    /// anything: use [`WebApi`](crate::WebApi) for data from the network.
    JobResult, "a result object",
    |this, key, map, reading| {
        let extra = &mut this.extra;
        match key {
            "ResultCode" => this.result_code = lenient(map, extra, key, Scalar::into_code)?,
            "ResultText" => this.result_text = lenient(map, extra, key, Scalar::into_text)?,
            "ResultType" => this.result_type = lenient(map, extra, key, Scalar::into_text)?,
            "SmileJobID" => this.smile_job_id = lenient(map, extra, key, Scalar::into_text)?,
            "JSONVersion" => this.json_version = lenient(map, extra, key, Scalar::into_text)?,
            "Source" => this.source = lenient(map, extra, key, Scalar::into_text)?,
            "ConfidenceValue" => this.confidence_value = lenient(map, extra, key, Scalar::into_f64)?,
            "IsFinalResult" => this.is_final_result = lenient(map, extra, key, Scalar::into_bool)?,
            "IsMachineResult" => this.is_machine_result = lenient(map, extra, key, Scalar::into_bool)?,
            "PartnerParams" => {
                reading.once(0, key)?;
                this.partner_params = shaped(map, extra, key, reading)?.flatten();
            }
            "Actions" => this.actions = shaped(map, extra, key, reading)?.flatten().unwrap_or_default(),
            _ => extra.0.push(key, map.next_value()?),
        }
    }
}

lenient_object! {
    /// Reads `user_id`, `job_id` (strings or numbers), `job_type` (number or
    /// string) and keeps every other key.
    PartnerParams, "a PartnerParams object",
    |this, key, map, reading| {
        let extra = &mut this.extra;
        match key {
            "user_id" => {
                reading.once(0, key)?;
                this.user_id = lenient(map, extra, key, Scalar::into_text)?.unwrap_or_default();
            }
            "job_id" => {
                reading.once(1, key)?;
                this.job_id = lenient(map, extra, key, Scalar::into_text)?.unwrap_or_default();
            }
            "job_type" => this.job_type = lenient(map, extra, key, job_type)?,
            _ => extra.0.push(key, map.next_value()?),
        }
    }
}

/// A job type: a non-negative integer or a string, in the form received.
fn job_type(value: Scalar<'_>) -> Option<JobType> {
    match value {
        Scalar::U64(n) => Some(JobType::Number(n)),
        Scalar::Str(s) => Some(JobType::Text(s.into_owned())),
        _ => None,
    }
}

lenient_object! {
    ImageLinks, "an image_links object",
    |this, key, map, _| {
        let extra = &mut this.extra;
        match key {
            "selfie_image" => this.selfie_image = lenient(map, extra, key, Scalar::into_text)?,
            "error" => this.error = lenient(map, extra, key, Scalar::into_text)?,
            _ => extra.0.push(key, map.next_value()?),
        }
    }
}

lenient_object! {
    /// Reads each action's outcome: a known value, any other string as
    /// received, or any other value's JSON text as received; a `null`
    /// action is left out.
    Actions, "an Actions object",
    |this, key, map, _| {
        let raw = map.next_value::<&RawValue>()?.get();
        match Scalar::of(raw) {
            Scalar::Null => {}
            Scalar::Str(s) => this.0.push(key, ActionResult::from(&*s)),
            _ => this.0.push(key, ActionResult::Other(raw.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::{ActionResult, Actions, JobResult, JobType, PartnerParams};

    #[test]
    fn actions_keep_unknown_values() {
        let a: Actions = serde_json::from_str(
            r#"{"A":"Passed","B":"Sent to Human Review","C":"New","D":3,"E":null}"#,
        )
        .unwrap();
        assert_eq!(a.get("A"), Some(&ActionResult::Passed));
        assert_eq!(a.get("B"), Some(&ActionResult::SentToHumanReview));
        assert_eq!(a.get("C"), Some(&ActionResult::Other("New".into())));
        assert_eq!(a.get("D"), Some(&ActionResult::Other("3".into())));
        assert_eq!(a.get("E"), None);
        assert_eq!(a.len(), 4);
    }

    #[test]
    fn duplicated_job_fields_are_refused() {
        let dup = |json: &str| {
            serde_json::from_str::<JobResult>(json)
                .unwrap_err()
                .to_string()
        };
        assert!(
            dup(r#"{"PartnerParams":{"user_id":"u"},"PartnerParams":{}}"#)
                .contains("duplicate `PartnerParams`")
        );
        assert!(
            dup(r#"{"PartnerParams":{"user_id":"u","user_id":"v"}}"#)
                .contains("duplicate `user_id`")
        );
        assert!(
            dup(r#"{"PartnerParams":{"job_id":"j","job_id":"j"}}"#).contains("duplicate `job_id`")
        );
        // Other repeated keys are kept, in order.
        let r: JobResult = serde_json::from_str(r#"{"FullName":"a","FullName":"b"}"#).unwrap();
        assert_eq!(r.extra.len(), 2);
    }

    #[test]
    fn booleans_are_not_text() {
        let r: JobResult = serde_json::from_str(r#"{"ResultText":true,"SmileJobID":7}"#).unwrap();
        assert_eq!(r.result_text, None);
        assert_eq!(r.extra.get("ResultText").unwrap().to_json(), "true");
        assert_eq!(r.smile_job_id.as_deref(), Some("7"));
    }

    #[test]
    fn unreadable_modelled_fields_are_kept_in_extra() {
        let r: JobResult = serde_json::from_str(
            r#"{"ConfidenceValue":"N/A","IsFinalResult":"maybe","ResultText":{"a":1}}"#,
        )
        .unwrap();
        assert_eq!(r.confidence_value, None);
        assert_eq!(r.is_final_result, None);
        assert_eq!(r.result_text, None);
        assert_eq!(r.extra.get("ConfidenceValue").unwrap().to_json(), "\"N/A\"");
        assert_eq!(r.extra.get("IsFinalResult").unwrap().to_json(), "\"maybe\"");
        assert_eq!(r.extra.get("ResultText").unwrap().to_json(), r#"{"a":1}"#);
    }

    #[test]
    fn unexpected_types_are_kept_byte_exact() {
        let json = r#"{"ResultText": {"a": 1.50, "b" : [1e2]},"ConfidenceValue":1e400,"Actions":"none","PartnerParams":7,"ResultCode":"0810","IsFinalResult":"yes"}"#;
        let r: JobResult = serde_json::from_str(json).unwrap();
        assert_eq!(r.result_code.as_deref(), Some("0810"));
        assert!(r.actions.is_empty() && r.partner_params.is_none());
        let kept: Vec<_> = r.extra.iter().map(|(k, v)| (k, v.to_json())).collect();
        assert_eq!(
            kept,
            [
                ("ResultText", r#"{"a": 1.50, "b" : [1e2]}"#),
                ("ConfidenceValue", "1e400"),
                ("Actions", r#""none""#),
                ("PartnerParams", "7"),
                ("IsFinalResult", r#""yes""#),
            ]
        );
        let r: JobResult = serde_json::from_str(r#"{"Actions":[],"PartnerParams":[]}"#).unwrap();
        assert!(r.extra.is_empty() && r.actions.is_empty());
        let r: JobResult = serde_json::from_str(r#"{"Actions":{"A":{"x" : 1.50}}}"#).unwrap();
        assert_eq!(r.actions.get("A").unwrap().as_str(), r#"{"x" : 1.50}"#);
    }

    #[test]
    fn partner_params_job_type_forms() {
        let p: PartnerParams =
            serde_json::from_str(r#"{"user_id":"u","job_id":7,"job_type":4,"optional_info":"x"}"#)
                .unwrap();
        assert_eq!(p.job_id, "7");
        assert_eq!(p.job_type, Some(JobType::Number(4)));
        assert_eq!(p.extra.get_str("optional_info").as_deref(), Some("x"));
        let p: PartnerParams = serde_json::from_str(r#"{"job_type":"4"}"#).unwrap();
        assert_eq!(p.job_type.unwrap().as_u64(), Some(4));
        let p: PartnerParams = serde_json::from_str(r#"{"job_type":-1}"#).unwrap();
        assert_eq!(p.job_type, None);
        assert_eq!(p.extra.get("job_type").unwrap().to_json(), "-1");
    }
}
