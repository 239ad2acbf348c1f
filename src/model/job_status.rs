//! [`JobStatus`]: a verified job status, its log line, and its JSON form.

use std::fmt;

use serde::ser::{Serialize, SerializeMap, Serializer};
use time::OffsetDateTime;

use super::log_line::{Escaped, Short};
use super::signed::debug_envelope;
use crate::redact::Redacted;
use crate::{Extra, ImageLinks, JobResult};

/// A verified job status.
///
/// Values of this type come only from
/// [`WebApi::get_job_status`](crate::WebApi::get_job_status) and
/// [`WebApi::verify_job_status`](crate::WebApi::verify_job_status): by the
/// time you hold one, its signature, its timestamp's freshness and its job have
/// been checked. There is deliberately no `Deserialize`.
///
/// It serialises back to Smile ID's JSON shape, unknown fields, timestamp and
/// signature included, for storage or audit. To load a stored status, verify it
/// again as of when it was received:
///
/// ```
/// # use smile_id::testing::{Simulator};
/// # use smile_id::{JobStatusOptions, PartnerParams, WebApi};
/// # let sim = Simulator::start("002", "key")?;
/// # let api = WebApi::new("002", "", "key", sim.server())?;
/// let job = PartnerParams::new("user-1", "job-1");
/// let status = api.get_job_status(&job, &JobStatusOptions::default())?;
/// let stored = serde_json::to_vec(&status).unwrap();
/// let loaded = api.verify_job_status_at(&stored, &job, status.timestamp)?;
/// assert_eq!(loaded, status);
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone, PartialEq)]
#[non_exhaustive]
pub struct JobStatus {
    /// Whether the job has finished. `false` while it is still running.
    pub job_complete: bool,
    /// Whether the job succeeded. Can be `false` with `job_complete` true.
    pub job_success: bool,
    /// Smile ID's status code for the lookup (e.g. `"2302"`), when sent.
    pub code: Option<String>,
    /// The job's result, once there is one. An empty object counts as none.
    pub result: Option<JobResult>,
    /// The text Smile ID sends in place of a result object while the job has
    /// none, e.g. `"No zip uploaded yet"` or `"Zip file failed"`.
    pub result_message: Option<String>,
    /// The job's history, oldest first, when asked for; empty otherwise.
    pub history: Vec<JobResult>,
    /// Links to the job's images, when asked for.
    pub image_links: Option<ImageLinks>,
    /// The response's signature (already verified).
    ///
    /// Treat it as a credential: Smile ID signs responses exactly as requests
    /// are signed, so it would also sign a request with the same timestamp.
    /// `Debug` output shows `[redacted]`; serialising keeps it, so a stored
    /// status can be verified again.
    pub signature: String,
    /// The response's timestamp (already checked for freshness).
    pub timestamp: OffsetDateTime,
    /// Every top-level field not modelled above, and any modelled one whose
    /// value had an unexpected type (a `result` of `0` or `false`, a string
    /// `image_links` or `history`), kept exactly as received.
    pub extra: Extra,
    pub(crate) raw_timestamp: String,
}

impl JobStatus {
    /// The response's timestamp exactly as received (and signed).
    pub fn timestamp_str(&self) -> &str {
        &self.raw_timestamp
    }

    /// Whether the job is complete and succeeded.
    pub fn is_successful(&self) -> bool {
        self.job_complete && self.job_success
    }

    /// The meaning of [`code`](Self::code), when it is a known job status code
    /// (see [`job_status_code_meaning`](crate::job_status_code_meaning)).
    pub fn code_meaning(&self) -> Option<&'static str> {
        self.code
            .as_deref()
            .and_then(crate::job_status_code_meaning)
    }
}

/// `approved: complete, successful; code 2302; result 0810 (enrol user:
/// approved); user "user-1" job "job-1"; smile job "0000000324"`, for logs and
/// CLIs: the [`verdict`](JobStatus::verdict) (with `(by job_success)` when it
/// fell back on it), then the state, the codes and the job.
///
/// ```
/// # use smile_id::testing::Simulator;
/// # use smile_id::{JobStatusOptions, PartnerParams, WebApi};
/// # let sim = Simulator::start("002", "key")?;
/// # let api = WebApi::new("002", "", "key", sim.server())?;
/// let status = api.get_job_status(&PartnerParams::new("user-1", "job-1"), &JobStatusOptions::default())?;
/// assert_eq!(
///     status.to_string(),
///     r#"approved: complete, successful; code 2302; result 0810 (enrol user: approved); user "user-1" job "job-1"; smile job "0000000324""#
/// );
/// # Ok::<(), smile_id::Error>(())
/// ```
impl fmt::Display for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.verdict_basis() {
            crate::VerdictBasis::Fallback => write!(f, "{} (by job_success): ", self.verdict())?,
            _ => write!(f, "{}: ", self.verdict())?,
        }
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

impl fmt::Debug for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut debug = f.debug_struct("JobStatus");
        debug
            .field("job_complete", &self.job_complete)
            .field("job_success", &self.job_success)
            .field("code", &Redacted(&self.code))
            .field("result", &self.result)
            .field("result_message", &Redacted(&self.result_message))
            .field("history", &self.history)
            .field("image_links", &self.image_links)
            .field("extra", &self.extra);
        debug_envelope(&mut debug, &self.raw_timestamp).finish()
    }
}

/// Written by hand, not derived: `result` and `result_message` share the
/// key `result` (an object, or the message in its place), and both fields are
/// public, so a derive could write the key twice.
impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("job_complete", &self.job_complete)?;
        map.serialize_entry("job_success", &self.job_success)?;
        if let Some(code) = &self.code {
            map.serialize_entry("code", code)?;
        }
        match (&self.result, &self.result_message) {
            (Some(result), _) => map.serialize_entry("result", result)?,
            (None, Some(message)) => map.serialize_entry("result", message)?,
            (None, None) => {}
        }
        if !self.history.is_empty() {
            map.serialize_entry("history", &self.history)?;
        }
        if let Some(links) = &self.image_links {
            map.serialize_entry("image_links", links)?;
        }
        map.serialize_entry("timestamp", &self.raw_timestamp)?;
        map.serialize_entry("signature", &self.signature)?;
        for (k, v) in self.extra.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}
