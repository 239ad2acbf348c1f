//! [`PartnerParams`]: which job a request or a result is about.

use serde::Serialize;

use crate::redact::Redacted;
use crate::{Extra, JobType};

/// The job a request is about, and what Smile ID echoes back in results.
///
/// ```
/// use smile_id::PartnerParams;
///
/// let params = PartnerParams::new("user-123", "job-456").with_job_type(5);
/// assert_eq!(params.job_type.as_ref().and_then(|t| t.as_u64()), Some(5));
/// ```
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
pub struct PartnerParams {
    /// Your id for the user.
    pub user_id: String,
    /// Your id for the job.
    pub job_id: String,
    /// Smile ID's job type (1 biometric KYC, 4 enrolment, 5 enhanced KYC, ...),
    /// when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub job_type: Option<JobType>,
    /// Any other keys, such as `optional_info`.
    #[serde(flatten)]
    pub extra: Extra,
}

/// Written by hand, not derived: a callback's ids are the server's,
/// unauthenticated, so key-shaped runs are cut out, as in [`Extra`]'s values.
impl std::fmt::Debug for PartnerParams {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PartnerParams")
            .field("user_id", &Redacted(&self.user_id))
            .field("job_id", &Redacted(&self.job_id))
            .field("job_type", &Redacted(&self.job_type))
            .field("extra", &self.extra)
            .finish()
    }
}

impl PartnerParams {
    /// Names a job by your user id and job id.
    pub fn new(user_id: impl Into<String>, job_id: impl Into<String>) -> Self {
        PartnerParams {
            user_id: user_id.into(),
            job_id: job_id.into(),
            ..PartnerParams::default()
        }
    }

    /// Sets the job type.
    #[must_use]
    pub fn with_job_type(mut self, job_type: impl Into<JobType>) -> Self {
        self.job_type = Some(job_type.into());
        self
    }
}
