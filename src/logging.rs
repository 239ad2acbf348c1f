//! What the crate reports through the [`log`] facade, in one place so that
//! every line is checked for secrets once.
//!
//! | target | level | what |
//! |---|---|---|
//! | `smile_id::transport` | debug | each retry: its reason (a status or a transport error) and the wait |
//! | `smile_id::poll` | debug | each poll of `wait_for_job`: the job, the attempt, what came back |
//! | `smile_id::verify` | warn | each refusal of a response or callback: signature, timestamp or job |
//!
//! No line holds the API key, a signature, or a result's personal data:
//! statuses and errors are shown through their `Display`, which holds none
//! of these (an error's holds no body text).

use std::fmt;
use std::time::Duration;

use crate::transport::Reply;
use crate::{Error, JobStatus};

/// Logs a retry about to be waited for, after `outcome`: a (retryable)
/// status or a transport error (host and kind only).
pub(crate) fn retry(
    attempt: u32,
    max_retries: u32,
    wait: Duration,
    outcome: &Result<Reply, Error>,
) {
    let (what, why): (&str, &dyn fmt::Display) = match outcome {
        Ok(reply) => ("http status ", &reply.status),
        Err(err) => ("", err),
    };
    log::debug!(
        target: "smile_id::transport",
        "retry {attempt} of {max_retries} in {:.3} s after {what}{why}",
        wait.as_secs_f64()
    );
}

/// Logs a request sent again at once because its pooled connection broke
/// before an answer's head was whole (not counted as a retry).
pub(crate) fn resend(err: &Error) {
    log::debug!(
        target: "smile_id::transport",
        "a kept-alive connection broke before an answer ({err}): sending again on a new connection"
    );
}

/// Logs one poll of `wait_for_job` and what it returned.
pub(crate) fn poll(
    job_id: &str,
    attempt: u32,
    elapsed: Duration,
    polled: &Result<JobStatus, Error>,
) {
    let (what, why): (&str, &dyn fmt::Display) = match polled {
        Ok(status) => ("", status),
        Err(err) if err.is_transient() => ("transient, will poll again: ", err),
        Err(err) => ("stopped: ", err),
    };
    log::debug!(
        target: "smile_id::poll",
        "poll {attempt} of job {job_id:?} at {:.3} s: {what}{why}",
        elapsed.as_secs_f64()
    );
}

/// Logs the refusal of a `what` ("response" or "callback") at warn, when
/// `err` is a verification failure (signature, timestamp or job).
pub(crate) fn refusal(what: &str, err: &Error) {
    let variant = match err {
        Error::SignatureMismatch { .. } => "SignatureMismatch",
        Error::InvalidTimestamp { .. } => "InvalidTimestamp",
        Error::TimestampOutOfTolerance { .. } => "TimestampOutOfTolerance",
        Error::JobMismatch { .. } => "JobMismatch",
        _ => return,
    };
    log::warn!(target: "smile_id::verify", "{what} refused ({variant}): {err}");
}
