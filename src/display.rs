//! One-line, log-safe `Display` for job statuses and results.
//!
//! A line names the state, the codes with their meanings, and the job's ids:
//! never the result's personal data (names, dates of birth, ID numbers,
//! photos or their links), never the signature, and never free text a result
//! may carry (`ResultText` and unknown fields are left out).

use std::fmt;

use crate::{JobResult, JobStatus};

impl JobStatus {
    /// The meaning of [`code`](Self::code), when it is a known job status code
    /// (see [`job_status_code_meaning`](crate::job_status_code_meaning)).
    pub fn code_meaning(&self) -> Option<&'static str> {
        self.code
            .as_deref()
            .and_then(crate::job_status_code_meaning)
    }
}

/// `complete, successful; code 2302; result 0810 (enrol user: approved);
/// user "user-1" job "job-1"; smile job "0000000324"`, for logs and CLIs.
///
/// ```
/// # use smile_id::testing::Simulator;
/// # use smile_id::{JobStatusOptions, PartnerParams, WebApi};
/// # let sim = Simulator::start("002", "key")?;
/// # let api = WebApi::new("002", "", "key", sim.server())?;
/// let status = api.get_job_status(&PartnerParams::new("user-1", "job-1"), &JobStatusOptions::default())?;
/// assert_eq!(
///     status.to_string(),
///     r#"complete, successful; code 2302; result 0810 (enrol user: approved); user "user-1" job "job-1"; smile job "0000000324""#
/// );
/// # Ok::<(), smile_id::Error>(())
/// ```
impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match (self.job_complete, self.job_success) {
            (true, true) => "complete, successful",
            (true, false) => "complete, not successful",
            (false, _) => "not complete",
        })?;
        if let Some(code) = &self.code {
            write!(f, "; code {}", Escaped(code))?;
        }
        match (&self.result, &self.result_message) {
            (Some(result), _) => write!(f, "; {result}"),
            (None, Some(message)) => write!(f, "; message {:?}", Short(message)),
            (None, None) => f.write_str("; no result yet"),
        }
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

/// The longest stretch of server-sent text a line shows.
const MAX_TEXT: usize = 64;

/// Text cut to [`MAX_TEXT`] characters, shown quoted and escaped by `{:?}`,
/// so a hostile value cannot break the line or flood the log.
struct Short<'a>(&'a str);

impl fmt::Debug for Short<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0.char_indices().nth(MAX_TEXT) {
            Some((at, _)) => write!(f, "{:?}…", self.0.get(..at).unwrap_or_default()),
            None => write!(f, "{:?}", self.0),
        }
    }
}

/// A code shown bare when it is short and plain (they are four digits),
/// quoted and cut otherwise.
struct Escaped<'a>(&'a str);

impl fmt::Display for Escaped<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let plain = self.0.len() <= 16 && self.0.chars().all(|c| c.is_ascii_alphanumeric());
        if plain && !self.0.is_empty() {
            f.write_str(self.0)
        } else {
            write!(f, "{:?}", Short(self.0))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let long = "x".repeat(10_000);
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
