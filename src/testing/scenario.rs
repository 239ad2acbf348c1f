//! What the simulator answers: the [`Scenario`], and the simulator's state
//! that answers each request by it.

use std::sync::Mutex;

use serde_json::{Value, json};

use super::fixtures::{complete_result_value, sign_value};
use super::http::{Connection, ReceivedRequest, Response, lock};
use crate::Signature;

/// What the simulator answers.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Scenario {
    /// A completed, successful enrolment (`ResultCode` 0810) about the job
    /// asked for, with history and image links when asked for. The default.
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
    /// much from the simulator's clock (negative: into the past). A signed
    /// [`time::Duration`], e.g.
    /// `smile_id::time::Duration::minutes(-10)`.
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
        let complete = || {
            let result = complete_result_value(&user_id, &job_id);
            let mut body = serde_json::Map::new();
            body.insert("job_complete".into(), Value::Bool(true));
            body.insert("job_success".into(), Value::Bool(true));
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
        let pending =
            || json!({"job_complete": false, "job_success": false, "code": "2302", "result": {}});
        let signed = |mut body: Value, offset: time::Duration| {
            sign_value(&self.signature, &mut body, offset);
            json_reply(200, &body)
        };
        match scenario {
            // A `Sequence` was resolved to one of its steps above.
            Scenario::Complete | Scenario::Sequence(_) => signed(complete(), time::Duration::ZERO),
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

/// Changes the first character of a base64 signature to another valid one.
fn tamper(signature: &str) -> String {
    let mut chars: Vec<char> = signature.chars().collect();
    if let Some(first) = chars.first_mut() {
        *first = if *first == 'A' { 'B' } else { 'A' };
    }
    chars.into_iter().collect()
}
