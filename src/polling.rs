//! Waiting for a job to complete: polling job status on a growing interval
//! until the job is complete or a deadline passes.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use crate::{Error, JobStatus, JobStatusOptions, PartnerParams, SignatureFailure, Subject, WebApi};

/// The shortest wait between polls: a shorter interval (zero, say) is taken
/// as this, so that a wait never hammers the server.
pub(crate) const MIN_POLL_INTERVAL: Duration = Duration::from_millis(100);

/// How often, and for how long, [`WebApi::wait_for_job`] polls.
///
/// The first poll is immediate; the wait before poll `n + 1` is
/// `initial_interval × multiplier^(n - 1)`, at most `max_interval`, and at
/// least 100 ms. Any value is accepted: a `timeout`
/// over a century (`Duration::MAX`) is taken as a century.
///
/// The `timeout` is the only limit on transient failures, even when every
/// poll is refused and none was ever answered: a server, proxy or sidecar
/// being restarted or deployed refuses connections for a while, and a wait
/// begun then still gets its answer once the server is back. To learn of a
/// wrong address sooner, make one [`WebApi::get_job_status`] call first (it
/// fails at once) or use a shorter `timeout`; each refusal is also reported
/// at once to the progress callback of
/// [`WebApi::wait_for_job_with_progress`], and the [`Error::WaitTimeout`]
/// says `no answer after 14 polls in 119.6 s; last error: ... connection
/// refused`.
///
/// ```
/// use std::time::Duration;
///
/// let policy = smile_id::PollPolicy { timeout: Duration::from_secs(60), ..Default::default() };
/// assert_eq!(policy.initial_interval, Duration::from_secs(2));
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct PollPolicy {
    /// The wait after the first poll. Defaults to 2 s.
    pub initial_interval: Duration,
    /// How much each wait grows over the previous one. Defaults to 1.5;
    /// values below 1 (or not finite) are taken as 1.
    pub multiplier: f64,
    /// The longest wait between polls. Defaults to 10 s.
    pub max_interval: Duration,
    /// How long to wait in all, polls included. Defaults to 120 s.
    pub timeout: Duration,
}

impl Default for PollPolicy {
    fn default() -> Self {
        PollPolicy {
            initial_interval: Duration::from_secs(2),
            multiplier: 1.5,
            max_interval: Duration::from_secs(10),
            timeout: Duration::from_secs(120),
        }
    }
}

impl PollPolicy {
    /// The wait after poll number `attempt` (1-based), before deadlines.
    fn interval(&self, attempt: u32) -> Duration {
        let multiplier = if self.multiplier.is_finite() && self.multiplier >= 1.0 {
            self.multiplier
        } else {
            1.0
        };
        let exponent = i32::try_from(attempt.saturating_sub(1)).unwrap_or(i32::MAX);
        let seconds = self.initial_interval.as_secs_f64() * multiplier.powi(exponent);
        let max = self.max_interval.max(self.initial_interval);
        Duration::try_from_secs_f64(seconds)
            .map_or(max, |d| d.min(max))
            .max(MIN_POLL_INTERVAL)
    }
}

/// Where a wait stands, reported after every poll by
/// [`WebApi::wait_for_job_with_progress`].
#[derive(Debug)]
#[non_exhaustive]
pub struct PollProgress<'a> {
    /// The poll just made, from 1.
    pub attempt: u32,
    /// Time since the wait began.
    pub elapsed: Duration,
    /// What the poll returned: an incomplete status, or a transient error that
    /// the wait tolerates. (A complete status or a fatal error ends the wait
    /// without a progress report.)
    pub outcome: PollOutcome<'a>,
    /// How long until the next poll; `None` when the deadline leaves no room
    /// for another.
    pub next_poll_in: Option<Duration>,
}

/// The outcome of one poll in a [`PollProgress`].
#[derive(Debug)]
#[non_exhaustive]
pub enum PollOutcome<'a> {
    /// The job is not complete yet.
    Pending(&'a JobStatus),
    /// A failure worth trying again (see [`Error::is_transient`]).
    TransientError(&'a Error),
}

/// The loop behind [`WebApi::wait_for_job_with_progress`]: polls `api`
/// until the job is complete, a poll fails for good, or the policy's
/// deadline leaves no room for another poll.
pub(crate) fn wait(
    api: &WebApi,
    partner_params: &PartnerParams,
    options: &JobStatusOptions,
    policy: &PollPolicy,
    mut progress: impl FnMut(&PollProgress<'_>),
) -> Result<JobStatus, Error> {
    // Not a wait that timed out: there was never time for one poll.
    if policy.timeout.is_zero() {
        return Err(Error::invalid_input("timeout", "must be more than zero"));
    }
    let started = Instant::now();
    let deadline = crate::transport::deadline_after(started, policy.timeout);
    let mut attempt = 0u32;
    let mut last_status: Option<JobStatus> = None;
    // Set by every poll: `Some` when it failed.
    let mut last_error: Option<Error> = None;
    let mut final_poll = false;
    // The signatures of this wait's answers (the most recent few): each
    // genuine answer is signed at its own time, so a repeat is a replay.
    let mut answered: VecDeque<String> = VecDeque::new();
    loop {
        attempt = attempt.saturating_add(1);
        let polled = api
            .get_job_status_until(partner_params, options, deadline)
            .and_then(|status| {
                if answered.contains(&status.signature) {
                    return Err(Error::SignatureMismatch {
                        reason: SignatureFailure::Replayed,
                        subject: Subject::Response,
                    });
                }
                // At most 256 kept: memory stays bounded however long the wait.
                if answered.len() == 256 {
                    answered.pop_front();
                }
                answered.push_back(status.signature.clone());
                Ok(status)
            });
        crate::logging::poll(&partner_params.job_id, attempt, started.elapsed(), &polled);
        let outcome = match polled {
            Ok(status) if status.job_complete => return Ok(status),
            Ok(status) => {
                last_error = None;
                PollOutcome::Pending(last_status.insert(status))
            }
            Err(err) if err.is_transient() => PollOutcome::TransientError(last_error.insert(err)),
            Err(err) => return Err(err),
        };
        let interval = policy.interval(attempt);
        let left = deadline.saturating_duration_since(Instant::now());
        let next = next_wait(interval, left).filter(|_| !final_poll);
        final_poll = next.is_some_and(|wait| wait < interval);
        progress(&PollProgress {
            attempt,
            elapsed: started.elapsed(),
            outcome,
            next_poll_in: next,
        });
        let Some(wait) = next else {
            return Err(Error::WaitTimeout {
                attempts: attempt,
                elapsed: started.elapsed(),
                last_status: last_status.map(Box::new),
                last_error: last_error.map(Box::new),
            });
        };
        std::thread::sleep(wait);
    }
}

/// How long to sleep before the next poll, given the interval due and the time
/// `left` before the deadline; `None` when no poll fits any more. A poll that
/// would start too late is moved earlier, leaving it half the time left (at
/// most 2 s) to complete.
fn next_wait(interval: Duration, left: Duration) -> Option<Duration> {
    // Less than 50 ms is not worth one more poll.
    if left < Duration::from_millis(50) {
        return None;
    }
    let reserve = (left / 2).min(Duration::from_secs(2));
    Some(interval.min(left.saturating_sub(reserve)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_grow_and_cap() {
        let p = PollPolicy::default();
        let secs: Vec<f64> = (1..=7).map(|a| p.interval(a).as_secs_f64()).collect();
        assert_eq!(secs, [2.0, 3.0, 4.5, 6.75, 10.0, 10.0, 10.0]);
        let odd = PollPolicy {
            multiplier: f64::NAN,
            ..PollPolicy::default()
        };
        assert_eq!(odd.interval(5), Duration::from_secs(2));
        let shrinking = PollPolicy {
            multiplier: 0.5,
            ..PollPolicy::default()
        };
        assert_eq!(shrinking.interval(3), Duration::from_secs(2));
        assert_eq!(p.interval(u32::MAX), Duration::from_secs(10));
        let zero = PollPolicy {
            initial_interval: Duration::ZERO,
            max_interval: Duration::ZERO,
            ..PollPolicy::default()
        };
        assert_eq!(zero.interval(1), MIN_POLL_INTERVAL);
        let huge = PollPolicy {
            initial_interval: Duration::MAX,
            max_interval: Duration::MAX,
            multiplier: f64::MAX,
            timeout: Duration::MAX,
        };
        assert_eq!(huge.interval(3), Duration::MAX);
    }

    #[test]
    fn waits_never_reach_the_deadline() {
        let s = Duration::from_secs;
        assert_eq!(next_wait(s(2), s(100)), Some(s(2)));
        // Not enough room for the interval: the final poll is moved earlier.
        assert_eq!(next_wait(s(10), s(6)), Some(s(4)));
        assert_eq!(next_wait(s(10), s(1)), Some(Duration::from_millis(500)));
        assert_eq!(next_wait(s(10), Duration::from_millis(10)), None);
        for left_ms in [60u64, 100, 999, 5_000, 100_000] {
            let left = Duration::from_millis(left_ms);
            let wait = next_wait(s(3), left).unwrap();
            assert!(wait < left, "{wait:?} {left:?}");
        }
    }
}
