//! What the simulator answers: the [`Scenario`], and the simulator's state
//! that answers each request by it.

use std::collections::HashMap;
use std::sync::Mutex;

use serde_json::{Value, json};

use super::fixtures::{outcome_value, sign_value};
use super::http::{Connection, ReceivedRequest, Response, lock};
use crate::{Signature, Verdict};

/// What the simulator answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scenario {
    /// The outcome the job id asks for, so that one simulator serves a whole
    /// test suite: the default. Matching ignores case:
    ///
    /// 1. a job id containing `pending` is still running; one containing
    ///    `pending-N` (`N` digits, e.g. `job-7-pending-2-rejected`) is so
    ///    only for its first `N` requests (counted per user and job id), then
    ///    completes as the rest of the id says;
    /// 2. otherwise the first of `approved`, `provisional`, `rejected` and
    ///    `failed` in the id chooses [`Scenario::Outcome`] with that verdict
    ///    (`job-rejected-1` is rejected);
    /// 3. any other id is approved, as [`Scenario::Complete`] answers.
    ///
    /// ```
    /// use smile_id::testing::Simulator;
    /// use smile_id::{JobStatusOptions, PartnerParams, Verdict, WebApi};
    ///
    /// let sim = Simulator::start("002", "test-api-key")?;
    /// let api = WebApi::new("002", "", "test-api-key", sim.server())?;
    /// let verdict = |job_id: &str| -> Result<Verdict, smile_id::Error> {
    ///     let job = PartnerParams::new("user-1", job_id);
    ///     Ok(api.get_job_status(&job, &JobStatusOptions::default())?.verdict())
    /// };
    /// assert_eq!(verdict("job-1")?, Verdict::Approved);
    /// assert_eq!(verdict("job-rejected-1")?, Verdict::Rejected);
    /// assert_eq!(verdict("provisional-job")?, Verdict::Provisional);
    /// assert_eq!(verdict("Failed-2")?, Verdict::Failed);
    /// assert_eq!(verdict("job-pending")?, Verdict::Pending);
    /// assert_eq!(verdict("job-pending-1-failed")?, Verdict::Pending);
    /// assert_eq!(verdict("job-pending-1-failed")?, Verdict::Failed);
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    ByJobId,
    /// A complete job with a realistic result for this verdict (see
    /// [`outcome_result`](super::outcome_result) for the codes, texts and
    /// actions), with history and image links when asked for;
    /// [`Verdict::Pending`] answers as [`Scenario::Pending`].
    Outcome(Verdict),
    /// A completed, successful enrolment (`ResultCode` 0810) about the job
    /// asked for, with history and image links when asked for, whatever the
    /// job id.
    Complete,
    /// A job still running: `job_complete` false and an empty result.
    Pending,
    /// Pending for the first `polls` requests after the scenario is set, then
    /// [`Scenario::Complete`].
    CompleteAfter {
        /// How many requests are answered as pending first.
        polls: u32,
    },
    /// A job with no result yet: `"result": "No zip uploaded yet"`.
    StringResult,
    /// A non-2xx answer with Smile ID's `{"error", "code"}` body.
    ErrorCode {
        /// The HTTP status, e.g. 400.
        status: u16,
        /// Smile ID's code, e.g. `"2213"`.
        code: String,
        /// The error text.
        message: String,
    },
    /// A complete response whose signature was altered after signing.
    TamperedSignature,
    /// A complete response, correctly signed, with a timestamp an hour old.
    StaleTimestamp,
    /// A complete response, correctly signed, with its timestamp moved by this
    /// much from the simulator's clock (negative: into the past), e.g.
    /// `smile_id::time::Duration::minutes(-10)`.
    ///
    /// A signed [`time::Duration`], not a `std::time::Duration` like the
    /// client's settings: an offset has a direction, and it is what
    /// [`Error::TimestampOutOfTolerance`](crate::Error::TimestampOutOfTolerance)'s
    /// `skew` then reports, in the same type (`smile_id::time` saves a
    /// dependency).
    TimestampOffset(time::Duration),
    /// A complete response, correctly signed, about another job.
    OtherJob,
    /// A complete response carrying the request's own `timestamp` and
    /// `signature`: what anything that sees a request can send back without
    /// the API key (a forging proxy, a mistyped base URL). The client refuses
    /// it with [`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected).
    Reflected,
    /// These scenarios in turn, one request each from when the scenario is
    /// set, the last one repeating: e.g. pending, then a 503, then complete.
    Sequence(Vec<Scenario>),
    /// This JSON object, with a fresh `timestamp` and `signature` set in it
    /// (fixtures are re-signed at the time of the request).
    SignedJson(String),
    /// This exact answer, unsigned and unchanged.
    Raw {
        /// The HTTP status.
        status: u16,
        /// Headers to send, e.g. `("Content-Type", "text/html")` or
        /// `("Location", "...")`.
        headers: Vec<(String, String)>,
        /// The body.
        body: Vec<u8>,
    },
}

/// What the simulator knows: its signer, its scenario and what it received.
pub(super) struct Shared {
    pub(super) signature: Signature,
    /// The scenario, and how many requests had been received when it was set
    /// (where `CompleteAfter` and `Sequence` start counting).
    pub(super) scenario: Mutex<(Scenario, usize)>,
    pub(super) requests: Mutex<Vec<ReceivedRequest>>,
    /// For [`Scenario::ByJobId`]'s `pending-N` ids: requests per user and job.
    pub(super) polls: Mutex<HashMap<(String, String), u32>>,
}

impl Shared {
    /// Answers the requests on one connection until it closes (or asks to).
    pub(super) fn serve(&self, mut connection: Connection) {
        while let Ok(Some(request)) = connection.read_request() {
            let (status, headers, body) = self.reply(&request);
            let close = request
                .header("connection")
                .is_some_and(|v| v.eq_ignore_ascii_case("close"));
            lock(&self.requests).push(request);
            let response = Response {
                status,
                headers,
                body,
                close,
            };
            if connection.respond(&response).is_err() || close {
                break;
            }
        }
    }

    fn reply(&self, request: &ReceivedRequest) -> (u16, Vec<(String, String)>, Vec<u8>) {
        let json_headers = || vec![("Content-Type".to_owned(), "application/json".to_owned())];
        let json_reply =
            |status: u16, value: &Value| (status, json_headers(), value.to_string().into_bytes());
        let smile_error = |status: u16, code: &str, message: &str| {
            json_reply(status, &json!({"error": message, "code": code}))
        };
        let path = request.path.split('?').next().unwrap_or_default();
        if request.method != "POST" || path != "/v1/job_status" {
            return smile_error(404, "2201", "not found");
        }
        let Ok(Value::Object(fields)) = serde_json::from_slice::<Value>(&request.body) else {
            return smile_error(400, "2203", "invalid JSON");
        };
        let text_fields = ["partner_id", "timestamp", "signature", "user_id", "job_id"];
        if let Some(key) = text_fields.iter().find(|key| {
            fields
                .get(**key)
                .is_some_and(|v| !v.is_string() && !v.is_null())
        }) {
            return smile_error(
                400,
                "2204",
                &format!("A parameter is of the wrong data type: {key} must be a string"),
            );
        }
        let text = |key: &str| {
            fields
                .get(key)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_owned()
        };
        let (timestamp, signature) = (text("timestamp"), text("signature"));
        let (user_id, job_id) = (text("user_id"), text("job_id"));
        if [&timestamp, &signature, &user_id, &job_id]
            .iter()
            .any(|s| s.is_empty())
        {
            return smile_error(400, "2213", "missing parameter");
        }
        if text("partner_id") != self.signature.partner_id()
            || !self.signature.confirm_signature(&timestamp, &signature)
        {
            return smile_error(401, "2205", "unauthorized");
        }
        let want = |key: &str| fields.get(key).and_then(Value::as_bool).unwrap_or(false);
        let (history, image_links) = (want("history"), want("image_links"));

        let (mut scenario, since) = lock(&self.scenario).clone();
        // Requests answered since the scenario was set, this one excluded.
        let seen = lock(&self.requests).len().saturating_sub(since);
        while let Scenario::Sequence(steps) = scenario {
            scenario = steps
                .get(seen)
                .or(steps.last())
                .cloned()
                .unwrap_or(Scenario::Complete);
        }
        let pending =
            || json!({"job_complete": false, "job_success": false, "code": "2302", "result": {}});
        let answer = |verdict: Verdict| {
            let (result, job_success) = outcome_value(verdict, &user_id, &job_id);
            if verdict == Verdict::Pending {
                return pending();
            }
            let mut body = serde_json::Map::new();
            body.insert("job_complete".into(), Value::Bool(true));
            body.insert("job_success".into(), Value::Bool(job_success));
            body.insert("code".into(), json!("2302"));
            if history {
                body.insert("history".into(), json!([result]));
            }
            body.insert("result".into(), result);
            if image_links {
                let url = format!("https://smile-images.example/{job_id}/selfie.jpg?expires=900");
                body.insert("image_links".into(), json!({ "selfie_image": url }));
            }
            Value::Object(body)
        };
        let complete = || answer(Verdict::Approved);
        let signed = |mut body: Value, offset: time::Duration| {
            sign_value(&self.signature, &mut body, offset);
            json_reply(200, &body)
        };
        match scenario {
            // A `Sequence` was resolved to one of its steps above.
            Scenario::Complete | Scenario::Sequence(_) => signed(complete(), time::Duration::ZERO),
            Scenario::Outcome(verdict) => signed(answer(verdict), time::Duration::ZERO),
            Scenario::ByJobId => {
                let (pending_polls, verdict) = by_job_id(&job_id);
                let still_pending = match pending_polls {
                    None => false,
                    Some(None) => true,
                    Some(Some(polls)) => {
                        let mut counts = lock(&self.polls);
                        let seen = counts.entry((user_id.clone(), job_id.clone())).or_insert(0);
                        *seen = seen.saturating_add(1);
                        *seen <= polls
                    }
                };
                let verdict = if still_pending {
                    Verdict::Pending
                } else {
                    verdict
                };
                signed(answer(verdict), time::Duration::ZERO)
            }
            Scenario::Pending => signed(pending(), time::Duration::ZERO),
            Scenario::CompleteAfter { polls } => {
                if u32::try_from(seen).unwrap_or(u32::MAX) < polls {
                    signed(pending(), time::Duration::ZERO)
                } else {
                    signed(complete(), time::Duration::ZERO)
                }
            }
            Scenario::StringResult => signed(
                json!({"job_complete": false, "job_success": false, "code": "2302", "result": "No zip uploaded yet"}),
                time::Duration::ZERO,
            ),
            Scenario::ErrorCode {
                status,
                code,
                message,
            } => smile_error(status, &code, &message),
            Scenario::TamperedSignature => {
                let mut body = complete();
                sign_value(&self.signature, &mut body, time::Duration::ZERO);
                if let Some(Value::String(signature)) = body.get_mut("signature") {
                    *signature = tamper(signature);
                }
                json_reply(200, &body)
            }
            Scenario::StaleTimestamp => signed(complete(), time::Duration::hours(-1)),
            Scenario::TimestampOffset(offset) => signed(complete(), offset),
            Scenario::Reflected => {
                let mut body = complete();
                if let Some(object) = body.as_object_mut() {
                    object.insert("timestamp".into(), Value::String(timestamp.clone()));
                    object.insert("signature".into(), Value::String(signature.clone()));
                }
                json_reply(200, &body)
            }
            Scenario::OtherJob => {
                let mut body = complete();
                if let Some(id) = body.pointer_mut("/result/PartnerParams/job_id") {
                    *id = Value::String(format!("{job_id}-other"));
                }
                signed(body, time::Duration::ZERO)
            }
            Scenario::SignedJson(text) => match serde_json::from_str::<Value>(&text) {
                Ok(body) => signed(body, time::Duration::ZERO),
                Err(_) => (200, json_headers(), text.into_bytes()),
            },
            Scenario::Raw {
                status,
                headers,
                body,
            } => (status, headers, body),
        }
    }
}

/// What [`Scenario::ByJobId`] reads in `job_id`: whether it is pending
/// (`Some(None)`: always; `Some(Some(n))`: for its first `n` requests), and
/// the verdict it completes with.
fn by_job_id(job_id: &str) -> (Option<Option<u32>>, Verdict) {
    let id = job_id.to_ascii_lowercase();
    let pending = id.find("pending").map(|at| {
        let rest = id.get(at + "pending".len()..).unwrap_or_default();
        let digits: String = rest
            .strip_prefix('-')
            .unwrap_or_default()
            .chars()
            .take_while(char::is_ascii_digit)
            .collect();
        digits.parse::<u32>().ok()
    });
    let verdict = [
        ("approved", Verdict::Approved),
        ("provisional", Verdict::Provisional),
        ("rejected", Verdict::Rejected),
        ("failed", Verdict::Failed),
    ]
    .into_iter()
    .filter_map(|(word, verdict)| id.find(word).map(|at| (at, verdict)))
    .min_by_key(|(at, _)| *at)
    .map_or(Verdict::Approved, |(_, verdict)| verdict);
    (pending, verdict)
}

/// Changes the first character of a base64 signature to another valid one.
fn tamper(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_ids_choose_outcomes() {
        let cases = [
            ("job-1", None, Verdict::Approved),
            ("APPROVED", None, Verdict::Approved),
            ("job-rejected-1", None, Verdict::Rejected),
            ("provisional", None, Verdict::Provisional),
            ("x-Failed", None, Verdict::Failed),
            ("failed-not-approved", None, Verdict::Failed),
            ("job-pending", Some(None), Verdict::Approved),
            ("pending-", Some(None), Verdict::Approved),
            ("pending-3-rejected", Some(Some(3)), Verdict::Rejected),
            ("pending-99999999999", Some(None), Verdict::Approved),
            ("", None, Verdict::Approved),
        ];
        for (id, pending, verdict) in cases {
            assert_eq!(by_job_id(id), (pending, verdict), "{id}");
        }
    }
}
