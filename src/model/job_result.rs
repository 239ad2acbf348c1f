//! [`JobResult`]: one result object, its meaning and its log line.

use std::fmt;

use serde::{Serialize, Serializer};

use super::log_line::{Escaped, Short};
use crate::redact::Redacted;
use crate::{Actions, Extra, PartnerParams};

/// One result object: the `result` of a job status, an entry of its
/// `history`, or the body of a callback.
///
/// Only the keys every product shares are modelled; everything else (ID data
/// such as `FullName` and `DOB`, `FullData`, `Antifraud`, base64 `Photo`s) is
/// kept in [`extra`](Self::extra). All modelled fields are optional because
/// history entries and products differ.
///
/// ```
/// # let json = r#"{"ResultCode":"1012","IsFinalResult":"true","ConfidenceValue":"99",
/// #   "Actions":{"Verify_ID_Number":"Verified"},"FullName":"Jane Doe"}"#;
/// let result: smile_id::JobResult = serde_json::from_str(json)?;
/// assert_eq!(result.result_code.as_deref(), Some("1012"));
/// assert_eq!(result.result_code_meaning(), Some("ID number validated"));
/// assert_eq!(result.is_final_result, Some(true));
/// assert_eq!(result.confidence_value, Some(99.0));
/// assert_eq!(result.actions.get("Verify_ID_Number"), Some(&smile_id::ActionResult::Verified));
/// assert_eq!(result.extra.get_str("FullName").as_deref(), Some("Jane Doe"));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "PascalCase")]
#[non_exhaustive]
pub struct JobResult {
    /// `ResultCode`, a four-digit code (see [`result_code_meaning`](crate::result_code_meaning)).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_code: Option<String>,
    /// `ResultText`, the code's human-readable text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_text: Option<String>,
    /// `ResultType`, e.g. `"SAIA"`, `"DIVA"`, `"ID Verification"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub result_type: Option<String>,
    /// `SmileJobID`, Smile ID's own job id.
    #[serde(rename = "SmileJobID", skip_serializing_if = "Option::is_none")]
    pub smile_job_id: Option<String>,
    /// `JSONVersion`.
    #[serde(rename = "JSONVersion", skip_serializing_if = "Option::is_none")]
    pub json_version: Option<String>,
    /// `ConfidenceValue`, from a number or a numeric string.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence_value: Option<f64>,
    /// `IsFinalResult`, from a boolean or `"true"`/`"false"`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "bool_as_text"
    )]
    pub is_final_result: Option<bool>,
    /// `IsMachineResult`, from a boolean or `"true"`/`"false"`.
    #[serde(
        skip_serializing_if = "Option::is_none",
        serialize_with = "bool_as_text"
    )]
    pub is_machine_result: Option<bool>,
    /// `PartnerParams`: the job this result is about.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub partner_params: Option<PartnerParams>,
    /// `Actions`: each check and its outcome.
    #[serde(skip_serializing_if = "Actions::is_empty")]
    pub actions: Actions,
    /// `Source`, e.g. `"WebAPI"`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// Every other key, including a modelled key whose value could not be read
    /// as its type (kept here as received).
    #[serde(flatten)]
    pub extra: Extra,
}

impl JobResult {
    /// The meaning of [`result_code`](Self::result_code), when it is a known code.
    pub fn result_code_meaning(&self) -> Option<&'static str> {
        self.result_code
            .as_deref()
            .and_then(crate::result_code_meaning)
    }

    /// Whether nothing was read (`{}` stands for no result).
    pub(crate) fn is_empty(&self) -> bool {
        *self == JobResult::default()
    }
}

/// Written by hand, not derived: the strings are the server's, unauthenticated
/// (the signature covers only the timestamp), so key-shaped runs are cut out,
/// as in [`Extra`]'s values.
impl fmt::Debug for JobResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobResult")
            .field("result_code", &Redacted(&self.result_code))
            .field("result_text", &Redacted(&self.result_text))
            .field("result_type", &Redacted(&self.result_type))
            .field("smile_job_id", &Redacted(&self.smile_job_id))
            .field("json_version", &Redacted(&self.json_version))
            .field("confidence_value", &self.confidence_value)
            .field("is_final_result", &self.is_final_result)
            .field("is_machine_result", &self.is_machine_result)
            .field("partner_params", &self.partner_params)
            .field("actions", &self.actions)
            .field("source", &Redacted(&self.source))
            .field("extra", &self.extra)
            .finish()
    }
}

/// `IsFinalResult` and `IsMachineResult` are written as Smile ID writes
/// them: the strings `"true"` and `"false"`.
fn bool_as_text<S: Serializer>(value: &Option<bool>, serializer: S) -> Result<S::Ok, S::Error> {
    match value {
        Some(true) => serializer.serialize_str("true"),
        Some(false) => serializer.serialize_str("false"),
        None => serializer.serialize_none(),
    }
}

/// `result 0810 (enrol user: approved); user "user-1" job "job-1"; smile job
/// "0000000324"`, for logs and CLIs.
///
/// ```
/// let result: smile_id::JobResult = serde_json::from_str(
///     r#"{"ResultCode": "1012", "FullName": "Jane Doe", "PartnerParams": {"user_id": "u1", "job_id": "j1"}}"#,
/// ).unwrap();
/// assert_eq!(result.to_string(), r#"result 1012 (ID number validated); user "u1" job "j1""#);
/// ```
impl fmt::Display for JobResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.result_code {
            Some(code) => {
                write!(f, "result {}", Escaped(code))?;
                if let Some(meaning) = self.result_code_meaning() {
                    write!(f, " ({meaning})")?;
                }
            }
            None => f.write_str("result without a code")?,
        }
        if let Some(params) = &self.partner_params {
            write!(
                f,
                "; user {:?} job {:?}",
                Short(&params.user_id),
                Short(&params.job_id)
            )?;
        }
        if let Some(id) = &self.smile_job_id {
            write!(f, "; smile job {:?}", Short(id))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn result_round_trips_through_serialize() {
        let json = r#"{"ResultCode":"0810","ResultText":"Enroll User","ConfidenceValue":99.0,"IsFinalResult":"true","PartnerParams":{"user_id":"u","job_id":"j","job_type":4},"Actions":{"Liveness_Check":"Passed"},"Source":"WebAPI","FullName":"Jane"}"#;
        let r: JobResult = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
    }

    fn result(json: &str) -> JobResult {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn result_line_has_no_personal_data() {
        let r = result(
            r#"{"ResultCode":"1012","ResultText":"Jane Doe validated","FullName":"Jane Doe",
            "DOB":"1990-01-01","IDNumber":"12345678901","Photo":"aGVsbG8=",
            "SmileJobID":"0000000324","PartnerParams":{"user_id":"u-1","job_id":"j-1"},
            "Actions":{"Verify_ID_Number":"Verified"}}"#,
        );
        let line = r.to_string();
        assert_eq!(
            line,
            r#"result 1012 (ID number validated); user "u-1" job "j-1"; smile job "0000000324""#
        );
        for private in ["Jane", "1990", "12345678901", "aGVsbG8"] {
            assert!(!line.contains(private), "{line}");
        }
    }

    #[test]
    fn odd_values_stay_on_one_short_line() {
        // (Words: a run of 40 or more key-shaped characters is cut whole.)
        let long = "xxx ".repeat(2_500);
        let r = result(&format!(
            r#"{{"ResultCode":"12\n34","PartnerParams":{{"user_id":"a\nb","job_id":"{long}"}}}}"#
        ));
        let line = r.to_string();
        assert!(!line.contains('\n'), "{line}");
        assert!(line.len() < 200, "{}", line.len());
        assert!(
            line.starts_with(r#"result "12\n34"; user "a\nb" job "xxx"#),
            "{line}"
        );
        assert_eq!(result("{}").to_string(), "result without a code");
        assert_eq!(
            result(r#"{"ResultCode":"9999"}"#).to_string(),
            "result 9999"
        );
    }
}
