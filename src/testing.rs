//! A local job status simulator, for testing code that uses this crate
//! without network access or credentials (feature `testing`).
//!
//! The simulator listens on `127.0.0.1` on an ephemeral port and answers
//! `POST /v1/job_status` the way Smile ID does: it checks the request's
//! signature (a bad one gets a 401 with code 2205, a field of the wrong type
//! such as a numeric `partner_id` a 400 with code 2204) and answers with a
//! response signed for the same partner id and API key. Any other path is a
//! 404, as at Smile ID, so a base URL without `/v1` fails in your tests too.
//! A [`Scenario`] chooses what it answers, including the failures a client
//! must catch. It stops when dropped.
//!
//! ```
//! use smile_id::testing::{Scenario, Simulator};
//! use smile_id::{JobStatusOptions, PartnerParams, WebApi};
//!
//! let sim = Simulator::start("002", "test-api-key")?;
//! let api = WebApi::new("002", "", "test-api-key", sim.server())?;
//! let job = PartnerParams::new("user-1", "job-1");
//!
//! let status = api.get_job_status(&job, &JobStatusOptions::default())?;
//! assert!(status.job_complete && status.job_success);
//!
//! sim.set_scenario(Scenario::TamperedSignature);
//! assert!(matches!(
//!     api.get_job_status(&job, &JobStatusOptions::default()),
//!     Err(smile_id::Error::SignatureMismatch { .. })
//! ));
//! assert_eq!(sim.request_count(), 2);
//! # Ok::<(), smile_id::Error>(())
//! ```

use std::fmt;
use std::io::{Read as _, Write as _};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use serde_json::{Value, json};
use time::OffsetDateTime;

use crate::error::TransportErrorKind;
use crate::signature::format_timestamp;
use crate::{Error, Server, Signature};

/// How many threads answer requests.
const WORKERS: usize = 4;

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

/// A request the simulator received.
///
/// Its body holds the request's signature, so `Debug` shows only the body's
/// length.
#[derive(Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ReceivedRequest {
    /// The method, e.g. `"POST"`.
    pub method: String,
    /// The path, e.g. `"/v1/job_status"`.
    pub path: String,
    /// The headers, names in lower case.
    pub headers: Vec<(String, String)>,
    /// The body.
    pub body: Vec<u8>,
}

impl fmt::Debug for ReceivedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ReceivedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("headers", &self.headers)
            .field("body", &format_args!("[{} bytes]", self.body.len()))
            .finish()
    }
}

impl ReceivedRequest {
    /// The first value of header `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

/// A job status simulator on `127.0.0.1`; see the [module docs](self).
pub struct Simulator {
    base_url: String,
    shared: Arc<Shared>,
    stop: Arc<AtomicBool>,
    workers: Vec<JoinHandle<()>>,
    /// Idle keep-alive connections that hold tiny_http's spare pool threads;
    /// see [`occupy_spare_threads`].
    occupiers: Vec<TcpStream>,
}

/// The path of the simulator's own warm-up requests, never recorded.
const WARM_UP_PATH: &str = "/__simulator_warm_up";

/// How many warm-up connections to hold: more than tiny_http's 4 spare threads.
const OCCUPIERS: usize = 8;

/// Works around a race in tiny_http 0.12's thread pool: a connection accepted
/// while a pool thread looks idle is queued for it, and when several arrive at
/// once only one is served; the others wait until some connection closes, which
/// with keep-alive can be never. Holding the spare threads with idle keep-alive
/// connections (each proven served by a full request and response, one at a
/// time) makes the pool start a new thread for every later connection.
fn occupy_spare_threads(port: u16) -> Vec<TcpStream> {
    (0..OCCUPIERS)
        .filter_map(|_| {
            let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
            stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
            let request = format!("GET {WARM_UP_PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
            stream.write_all(request.as_bytes()).ok()?;
            // The answer is a small 404 with a JSON body ending in `}`.
            let mut answer = Vec::new();
            let mut chunk = [0u8; 512];
            while !answer.ends_with(b"}") {
                let n = stream.read(&mut chunk).ok()?;
                answer.extend_from_slice(chunk.get(..n)?);
                if n == 0 {
                    return None;
                }
            }
            Some(stream)
        })
        .collect()
}

struct Shared {
    signature: Signature,
    /// The scenario, and how many requests had been received when it was set
    /// (where `CompleteAfter` and `Sequence` start counting).
    scenario: Mutex<(Scenario, usize)>,
    requests: Mutex<Vec<ReceivedRequest>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Simulator {
    /// Starts a simulator that signs for `partner_id` and `api_key`, answering
    /// [`Scenario::Complete`].
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for an empty partner id or key, and
    /// [`Error::Transport`] when no port can be opened on 127.0.0.1.
    pub fn start(partner_id: &str, api_key: &str) -> Result<Self, Error> {
        Self::start_with(partner_id, api_key, Scenario::Complete)
    }

    /// Starts a simulator answering `scenario`.
    ///
    /// # Errors
    ///
    /// As for [`start`](Self::start).
    pub fn start_with(partner_id: &str, api_key: &str, scenario: Scenario) -> Result<Self, Error> {
        let signature = Signature::new(partner_id, api_key)?;
        let http = tiny_http::Server::http("127.0.0.1:0").map_err(|source| Error::Transport {
            kind: TransportErrorKind::Io,
            host: Some("127.0.0.1".to_owned()),
            elapsed: None,
            source,
        })?;
        let port = http.server_addr().to_ip().map(|a| a.port()).unwrap_or(0);
        let http = Arc::new(http);
        let shared = Arc::new(Shared {
            signature,
            scenario: Mutex::new((scenario, 0)),
            requests: Mutex::new(Vec::new()),
        });
        let stop = Arc::new(AtomicBool::new(false));
        let workers = (0..WORKERS)
            .map(|_| {
                let (http, shared, stop) =
                    (Arc::clone(&http), Arc::clone(&shared), Arc::clone(&stop));
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        match http.recv_timeout(Duration::from_millis(20)) {
                            Ok(Some(request)) => shared.answer(request),
                            Ok(None) => {}
                            Err(_) => break,
                        }
                    }
                })
            })
            .collect();
        Ok(Simulator {
            base_url: format!("http://127.0.0.1:{port}/v1"),
            shared,
            stop,
            workers,
            occupiers: occupy_spare_threads(port),
        })
    }

    /// The base URL, e.g. `http://127.0.0.1:40123/v1`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// The simulator as a [`Server`] to build a client with.
    pub fn server(&self) -> Server {
        Server::Custom(self.base_url.clone())
    }

    /// Changes what the simulator answers from the next request on.
    ///
    /// [`Scenario::CompleteAfter`] and [`Scenario::Sequence`] count requests
    /// from this call, not from the simulator's start.
    pub fn set_scenario(&self, scenario: Scenario) {
        let mut current = lock(&self.shared.scenario);
        *current = (scenario, lock(&self.shared.requests).len());
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<ReceivedRequest> {
        lock(&self.shared.requests).clone()
    }

    /// How many requests have been received.
    pub fn request_count(&self) -> usize {
        lock(&self.shared.requests).len()
    }

    /// The signer the simulator uses, e.g. to sign callback bodies.
    pub fn signature(&self) -> &Signature {
        &self.shared.signature
    }
}

impl fmt::Debug for Simulator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Simulator")
            .field("base_url", &self.base_url)
            .field("signature", &self.shared.signature)
            .field("scenario", &lock(&self.shared.scenario).0)
            .finish()
    }
}

impl Drop for Simulator {
    fn drop(&mut self) {
        self.occupiers.clear();
        self.stop.store(true, Ordering::Relaxed);
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

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
fn sign_value(signature: &Signature, body: &mut Value, offset: time::Duration) {
    let timestamp = format_timestamp(OffsetDateTime::now_utc().saturating_add(offset));
    let signed = signature.generate_signature(Some(&timestamp));
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

fn complete_result_value(user_id: &str, job_id: &str) -> Value {
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

impl Shared {
    fn answer(&self, mut request: tiny_http::Request) {
        let mut body = Vec::new();
        let _ = request.as_reader().read_to_end(&mut body);
        let received = ReceivedRequest {
            method: request.method().as_str().to_owned(),
            path: request.url().to_owned(),
            headers: request
                .headers()
                .iter()
                .map(|h| {
                    (
                        h.field.as_str().as_str().to_ascii_lowercase(),
                        h.value.as_str().to_owned(),
                    )
                })
                .collect(),
            body,
        };
        let (status, headers, reply) = self.reply(&received);
        if received.path != WARM_UP_PATH {
            lock(&self.requests).push(received);
        }
        let mut response = tiny_http::Response::from_data(reply).with_status_code(status);
        for (name, value) in headers {
            if let Ok(header) = tiny_http::Header::from_bytes(name.as_bytes(), value.as_bytes()) {
                response.add_header(header);
            }
        }
        let _ = request.respond(response);
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
