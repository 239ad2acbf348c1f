//! The typed job status and result objects, and how they are read from (and
//! written back to) Smile ID's loosely typed JSON.
//!
//! Every reader here is lenient where Smile ID is known to vary (strings for
//! booleans and numbers, numbers for strings, `null` or `[]` for an empty
//! object) and keeps every field it does not model in an [`Extra`], so a
//! result can be stored and re-serialised without loss.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, Serializer};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::wire::{Key, Scalar, budget, empty_seq};
use crate::{Extra, RawJson};

/// The job a request is about, and what Smile ID echoes back in results.
///
/// ```
/// use smile_id::PartnerParams;
///
/// let params = PartnerParams::new("user-123", "job-456").with_job_type(5);
/// assert_eq!(params.job_type.as_ref().and_then(|t| t.as_u64()), Some(5));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PartnerParams {
    /// Your id for the user.
    pub user_id: String,
    /// Your id for the job.
    pub job_id: String,
    /// Smile ID's job type (1 biometric KYC, 4 enrolment, 5 enhanced KYC, ...),
    /// when known.
    pub job_type: Option<JobType>,
    /// Any other keys, such as `optional_info`.
    pub extra: Extra,
}

impl PartnerParams {
    /// Names a job by your user id and job id.
    pub fn new(user_id: impl Into<String>, job_id: impl Into<String>) -> Self {
        PartnerParams {
            user_id: user_id.into(),
            job_id: job_id.into(),
            job_type: None,
            extra: Extra::new(),
        }
    }

    /// Sets the job type.
    #[must_use]
    pub fn with_job_type(mut self, job_type: impl Into<JobType>) -> Self {
        self.job_type = Some(job_type.into());
        self
    }
}

/// A job type, which Smile ID sends as a number (`4`) or a string (`"4"`).
///
/// The form received is kept so that re-serialising is faithful; compare with
/// [`as_u64`](Self::as_u64).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum JobType {
    /// Sent as a JSON number.
    Number(u64),
    /// Sent as a JSON string.
    Text(String),
}

impl JobType {
    /// The job type as a number, also when it was sent as a numeric string.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            JobType::Number(n) => Some(*n),
            JobType::Text(s) => s.trim().parse().ok(),
        }
    }
}

impl From<u64> for JobType {
    fn from(n: u64) -> Self {
        JobType::Number(n)
    }
}

impl From<u32> for JobType {
    fn from(n: u32) -> Self {
        JobType::Number(u64::from(n))
    }
}

impl From<i32> for JobType {
    fn from(n: i32) -> Self {
        match u64::try_from(n) {
            Ok(n) => JobType::Number(n),
            Err(_) => JobType::Text(n.to_string()),
        }
    }
}

impl From<&str> for JobType {
    fn from(s: &str) -> Self {
        JobType::Text(s.to_owned())
    }
}

impl fmt::Display for JobType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            JobType::Number(n) => write!(f, "{n}"),
            JobType::Text(s) => f.write_str(s),
        }
    }
}

impl Serialize for JobType {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            JobType::Number(n) => serializer.serialize_u64(*n),
            JobType::Text(s) => serializer.serialize_str(s),
        }
    }
}

/// What to ask for besides the job's current state.
///
/// ```
/// let options = smile_id::JobStatusOptions { return_history: true, ..Default::default() };
/// assert!(!options.return_image_links);
/// ```
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct JobStatusOptions {
    /// Ask for the job's history (`history` in the request). Defaults to false.
    pub return_history: bool,
    /// Ask for expiring links to the job's images (`image_links` in the
    /// request). Defaults to false.
    pub return_image_links: bool,
}

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
    /// Every top-level field not modelled above.
    pub extra: Extra,
    raw_timestamp: String,
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
}

impl fmt::Debug for JobStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("JobStatus")
            .field("job_complete", &self.job_complete)
            .field("job_success", &self.job_success)
            .field("code", &self.code)
            .field("result", &self.result)
            .field("result_message", &self.result_message)
            .field("history", &self.history)
            .field("image_links", &self.image_links)
            .field("signature", &format_args!("[redacted]"))
            .field("timestamp", &self.raw_timestamp)
            .field("extra", &self.extra)
            .finish()
    }
}

impl Serialize for JobStatus {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("job_complete", &self.job_complete)?;
        map.serialize_entry("job_success", &self.job_success)?;
        entry_opt(&mut map, "code", self.code.as_ref())?;
        match (&self.result, &self.result_message) {
            (Some(result), _) => map.serialize_entry("result", result)?,
            (None, Some(message)) => map.serialize_entry("result", message)?,
            (None, None) => {}
        }
        if !self.history.is_empty() {
            map.serialize_entry("history", &self.history)?;
        }
        entry_opt(&mut map, "image_links", self.image_links.as_ref())?;
        map.serialize_entry("timestamp", &self.raw_timestamp)?;
        map.serialize_entry("signature", &self.signature)?;
        for (k, v) in self.extra.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// A job status as read off the wire, once authenticated. Its timestamp and
/// signature were read (and checked) before decoding, from the raw text.
#[derive(Debug, Default)]
pub(crate) struct WireJobStatus {
    pub(crate) job_complete: Option<bool>,
    pub(crate) job_success: Option<bool>,
    pub(crate) code: Option<String>,
    pub(crate) result: Option<JobResult>,
    pub(crate) result_message: Option<String>,
    pub(crate) history: Vec<JobResult>,
    pub(crate) image_links: Option<ImageLinks>,
    pub(crate) extra: Extra,
}

impl WireJobStatus {
    /// Finishes a judged response.
    pub(crate) fn into_status(self, authentic: crate::judging::Authentic) -> JobStatus {
        let crate::judging::Authentic {
            timestamp,
            raw_timestamp,
            signature,
        } = authentic;
        JobStatus {
            job_complete: self.job_complete.unwrap_or(false),
            job_success: self.job_success.unwrap_or(false),
            code: self.code,
            result: self.result,
            result_message: self.result_message,
            history: self.history,
            image_links: self.image_links,
            signature,
            timestamp,
            extra: self.extra,
            raw_timestamp,
        }
    }
}

/// Reads a field that must be a boolean (leniently), failing otherwise.
fn strict_bool<'de, A: MapAccess<'de>>(map: &mut A, key: &str) -> Result<Option<bool>, A::Error> {
    map.next_value::<Scalar>()?.into_bool().map_err(|raw| {
        de::Error::custom(format_args!("`{key}` is not a boolean: {}", raw.to_json()))
    })
}

/// Keeps a lenient field's value, or files what it could not read among the
/// unknown fields under its own key (nothing is lost).
fn keep<T, E: de::Error>(
    extra: &mut Extra,
    key: &str,
    read: Result<Option<T>, RawJson>,
) -> Result<Option<T>, E> {
    match read {
        Ok(v) => Ok(v),
        Err(raw) => {
            extra.0.push(Cow::Borrowed(key), raw)?;
            Ok(None)
        }
    }
}

/// Refuses a key seen before in the same object: for the fields that say
/// which job a result is about, a second value could disagree with the first.
fn once<E: de::Error>(seen: &mut bool, key: &str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(de::Error::custom(format_args!("duplicate `{key}` field")));
    }
    Ok(())
}

impl<'de> Deserialize<'de> for WireJobStatus {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = WireJobStatus;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a job status object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WireJobStatus, A::Error> {
                let mut out = WireJobStatus::default();
                while let Some(Key(key)) = map.next_key()? {
                    match &*key {
                        "job_complete" => out.job_complete = strict_bool(&mut map, &key)?,
                        "job_success" => out.job_success = strict_bool(&mut map, &key)?,
                        "code" => {
                            let read = map.next_value::<Scalar>()?.into_code();
                            out.code = keep(&mut out.extra, &key, read)?;
                        }
                        "result" => match map.next_value::<ResultField>()? {
                            ResultField::None => {}
                            ResultField::Object(r) => out.result = Some(*r),
                            ResultField::Text(t) => out.result_message = Some(t),
                        },
                        "history" => out.history = map.next_value::<History>()?.0,
                        "image_links" => {
                            out.image_links = map.next_value::<NullableObject<ImageLinks>>()?.0
                        }
                        // Read, and checked, before decoding (see `skim`).
                        "timestamp" | "signature" => {
                            map.next_value::<IgnoredAny>()?;
                        }
                        _ => out.extra.0.push(key, map.next_value()?)?,
                    }
                }
                Ok(out)
            }
        }
        deserializer.deserialize_map(V)
    }
}

/// `history`: an array of result objects, or `null`.
struct History(Vec<JobResult>);

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = History;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an array of result objects, or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<History, E> {
                Ok(History(Vec::new()))
            }
            fn visit_none<E: de::Error>(self) -> Result<History, E> {
                Ok(History(Vec::new()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<History, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = seq.next_element::<JobResult>()? {
                    budget::push(&mut entries, entry)?;
                }
                Ok(History(entries))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// `result` is an object, a message string, `{}`, `null`, or absent.
enum ResultField {
    None,
    Object(Box<JobResult>),
    Text(String),
}

impl<'de> Deserialize<'de> for ResultField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ResultField;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a result object, a message string, or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<ResultField, E> {
                Ok(ResultField::None)
            }
            fn visit_none<E: de::Error>(self) -> Result<ResultField, E> {
                Ok(ResultField::None)
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<ResultField, E> {
                Ok(ResultField::Text(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<ResultField, E> {
                Ok(ResultField::Text(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<ResultField, A::Error> {
                empty_seq::<A, ()>(seq, &self).map(|()| ResultField::None)
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<ResultField, A::Error> {
                let result = JobResultVisitor.visit_map(map)?;
                if result.is_empty() {
                    return Ok(ResultField::None);
                }
                budget::charge(size_of::<JobResult>())?;
                Ok(ResultField::Object(Box::new(result)))
            }
        }
        deserializer.deserialize_any(V)
    }
}

/// An object field that may also be `null` or `[]`.
struct NullableObject<T>(Option<T>);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for NullableObject<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V<T>(std::marker::PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for V<T> {
            type Value = NullableObject<T>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object or null")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(NullableObject(None))
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(NullableObject(None))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                empty_seq::<A, ()>(seq, &self).map(|()| NullableObject(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                T::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|t| NullableObject(Some(t)))
            }
        }
        deserializer.deserialize_any(V(std::marker::PhantomData))
    }
}

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
#[derive(Clone, Debug, Default, PartialEq)]
#[non_exhaustive]
pub struct JobResult {
    /// `ResultCode`, a four-digit code (see [`result_code_meaning`](crate::result_code_meaning)).
    pub result_code: Option<String>,
    /// `ResultText`, the code's human-readable text.
    pub result_text: Option<String>,
    /// `ResultType`, e.g. `"SAIA"`, `"DIVA"`, `"ID Verification"`.
    pub result_type: Option<String>,
    /// `SmileJobID`, Smile ID's own job id.
    pub smile_job_id: Option<String>,
    /// `JSONVersion`.
    pub json_version: Option<String>,
    /// `ConfidenceValue`, from a number or a numeric string.
    pub confidence_value: Option<f64>,
    /// `IsFinalResult`, from a boolean or `"true"`/`"false"`.
    pub is_final_result: Option<bool>,
    /// `IsMachineResult`, from a boolean or `"true"`/`"false"`.
    pub is_machine_result: Option<bool>,
    /// `PartnerParams`: the job this result is about.
    pub partner_params: Option<PartnerParams>,
    /// `Actions`: each check and its outcome.
    pub actions: Actions,
    /// `Source`, e.g. `"WebAPI"`.
    pub source: Option<String>,
    /// Every other key, including a modelled key whose value could not be read
    /// as its type (kept here as received).
    pub extra: Extra,
}

impl JobResult {
    /// The meaning of [`result_code`](Self::result_code), when it is a known code.
    pub fn result_code_meaning(&self) -> Option<&'static str> {
        self.result_code
            .as_deref()
            .and_then(crate::result_code_meaning)
    }

    fn is_empty(&self) -> bool {
        *self == JobResult::default()
    }
}

struct JobResultVisitor;

impl<'de> Visitor<'de> for JobResultVisitor {
    type Value = JobResult;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a result object")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<JobResult, A::Error> {
        empty_seq(seq, &self)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<JobResult, A::Error> {
        let mut r = JobResult::default();
        let mut seen_partner_params = false;
        while let Some(Key(key)) = map.next_key()? {
            let text = |map: &mut A| map.next_value::<Scalar>().map(Scalar::into_text);
            match &*key {
                "ResultCode" => {
                    let read = map.next_value::<Scalar>()?.into_code();
                    r.result_code = keep(&mut r.extra, &key, read)?;
                }
                "ResultText" => r.result_text = keep(&mut r.extra, &key, text(&mut map)?)?,
                "ResultType" => r.result_type = keep(&mut r.extra, &key, text(&mut map)?)?,
                "SmileJobID" => r.smile_job_id = keep(&mut r.extra, &key, text(&mut map)?)?,
                "JSONVersion" => r.json_version = keep(&mut r.extra, &key, text(&mut map)?)?,
                "Source" => r.source = keep(&mut r.extra, &key, text(&mut map)?)?,
                "ConfidenceValue" => {
                    let read = map.next_value::<Scalar>()?.into_f64();
                    r.confidence_value = keep(&mut r.extra, &key, read)?;
                }
                "IsFinalResult" => {
                    let read = map.next_value::<Scalar>()?.into_bool();
                    r.is_final_result = keep(&mut r.extra, &key, read)?;
                }
                "IsMachineResult" => {
                    let read = map.next_value::<Scalar>()?.into_bool();
                    r.is_machine_result = keep(&mut r.extra, &key, read)?;
                }
                "PartnerParams" => {
                    once(&mut seen_partner_params, &key)?;
                    r.partner_params = map.next_value::<NullableObject<PartnerParams>>()?.0
                }
                "Actions" => {
                    r.actions = map
                        .next_value::<NullableObject<Actions>>()?
                        .0
                        .unwrap_or_default()
                }
                _ => r.extra.0.push(key, map.next_value()?)?,
            }
        }
        Ok(r)
    }
}

impl<'de> Deserialize<'de> for JobResult {
    /// Reads a result object leniently (see the type's docs). This does not
    /// verify anything: use [`WebApi`](crate::WebApi) for data from the network.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(JobResultVisitor)
    }
}

impl Serialize for JobResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let bool_text = |b: &Option<bool>| b.map(|b| if b { "true" } else { "false" });
        let mut map = serializer.serialize_map(None)?;
        entry_opt(&mut map, "ResultCode", self.result_code.as_ref())?;
        entry_opt(&mut map, "ResultText", self.result_text.as_ref())?;
        entry_opt(&mut map, "ResultType", self.result_type.as_ref())?;
        entry_opt(&mut map, "SmileJobID", self.smile_job_id.as_ref())?;
        entry_opt(&mut map, "JSONVersion", self.json_version.as_ref())?;
        entry_opt(&mut map, "ConfidenceValue", self.confidence_value.as_ref())?;
        entry_opt(&mut map, "IsFinalResult", bool_text(&self.is_final_result))?;
        entry_opt(
            &mut map,
            "IsMachineResult",
            bool_text(&self.is_machine_result),
        )?;
        entry_opt(&mut map, "PartnerParams", self.partner_params.as_ref())?;
        if !self.actions.is_empty() {
            map.serialize_entry("Actions", &self.actions)?;
        }
        entry_opt(&mut map, "Source", self.source.as_ref())?;
        for (k, v) in self.extra.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

impl<'de> Deserialize<'de> for PartnerParams {
    /// Reads `user_id`, `job_id` (strings or numbers), `job_type` (number or
    /// string) and keeps every other key.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PartnerParams;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a PartnerParams object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<PartnerParams, A::Error> {
                let mut p = PartnerParams::default();
                let (mut seen_user, mut seen_job) = (false, false);
                while let Some(Key(key)) = map.next_key()? {
                    match &*key {
                        "user_id" => {
                            once(&mut seen_user, &key)?;
                            let read = map.next_value::<Scalar>()?.into_text();
                            p.user_id = keep(&mut p.extra, &key, read)?.unwrap_or_default();
                        }
                        "job_id" => {
                            once(&mut seen_job, &key)?;
                            let read = map.next_value::<Scalar>()?.into_text();
                            p.job_id = keep(&mut p.extra, &key, read)?.unwrap_or_default();
                        }
                        "job_type" => {
                            p.job_type = match map.next_value::<Scalar>()? {
                                Scalar::Null => None,
                                Scalar::U64(n) => Some(JobType::Number(n)),
                                Scalar::Str(s) => Some(JobType::Text(s.into_owned())),
                                other => {
                                    p.extra.0.push(key, other.into_raw())?;
                                    None
                                }
                            }
                        }
                        _ => p.extra.0.push(key, map.next_value()?)?,
                    }
                }
                Ok(p)
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Serialize for PartnerParams {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        map.serialize_entry("user_id", &self.user_id)?;
        map.serialize_entry("job_id", &self.job_id)?;
        entry_opt(&mut map, "job_type", self.job_type.as_ref())?;
        for (k, v) in self.extra.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// Links to a job's images, returned when
/// [`JobStatusOptions::return_image_links`] is set.
///
/// The links are signed, expiring URLs: their query strings are credentials,
/// so `Debug` shows them as `?[redacted]`.
#[derive(Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct ImageLinks {
    /// An expiring URL of the selfie.
    pub selfie_image: Option<String>,
    /// Why links could not be made, when Smile ID says so.
    pub error: Option<String>,
    /// Every other key (ID card images and the like).
    pub extra: Extra,
}

impl fmt::Debug for ImageLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageLinks")
            .field(
                "selfie_image",
                &self
                    .selfie_image
                    .as_deref()
                    .map(crate::redact::url_without_query),
            )
            .field("error", &self.error)
            .field("extra", &self.extra)
            .finish()
    }
}

impl<'de> Deserialize<'de> for ImageLinks {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = ImageLinks;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an image_links object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<ImageLinks, A::Error> {
                let mut links = ImageLinks::default();
                while let Some(Key(key)) = map.next_key()? {
                    match &*key {
                        "selfie_image" => {
                            let read = map.next_value::<Scalar>()?.into_text();
                            links.selfie_image = keep(&mut links.extra, &key, read)?;
                        }
                        "error" => {
                            let read = map.next_value::<Scalar>()?.into_text();
                            links.error = keep(&mut links.extra, &key, read)?;
                        }
                        _ => links.extra.0.push(key, map.next_value()?)?,
                    }
                }
                Ok(links)
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Serialize for ImageLinks {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        entry_opt(&mut map, "selfie_image", self.selfie_image.as_ref())?;
        entry_opt(&mut map, "error", self.error.as_ref())?;
        for (k, v) in self.extra.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The checks a job ran and their outcomes (`Actions` in a result), in the
/// order received.
///
/// ```
/// use smile_id::{ActionResult, Actions};
///
/// let actions: Actions = serde_json::from_str(
///     r#"{"Liveness_Check":"Passed","Selfie_To_ID_Authority_Compare":"Brand New Value"}"#,
/// )?;
/// assert_eq!(actions.get("Liveness_Check"), Some(&ActionResult::Passed));
/// assert_eq!(
///     actions.get("Selfie_To_ID_Authority_Compare").map(ActionResult::as_str),
///     Some("Brand New Value")
/// );
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Actions {
    entries: Vec<(Cow<'static, str>, ActionResult)>,
}

impl Actions {
    /// The outcome of the action `name` (e.g. `"Liveness_Check"`).
    pub fn get(&self, name: &str) -> Option<&ActionResult> {
        self.entries.iter().find(|(k, _)| k == name).map(|(_, v)| v)
    }

    /// Every action and its outcome.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &ActionResult)> {
        self.entries.iter().map(|(k, v)| (&**k, v))
    }

    /// How many actions there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

impl<'de> Deserialize<'de> for Actions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Actions;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Actions object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Actions, A::Error> {
                let mut actions = Actions::default();
                while let Some(Key(key)) = map.next_key()? {
                    let value = match map.next_value::<Scalar>()? {
                        Scalar::Null => continue,
                        Scalar::Str(s) => ActionResult::from(&*s),
                        other => ActionResult::Other(match other.into_text() {
                            Ok(text) => text.unwrap_or_default(),
                            Err(raw) => raw.to_json().to_owned(),
                        }),
                    };
                    budget::push(&mut actions.entries, (crate::wire::key::intern(key), value))?;
                }
                Ok(actions)
            }
        }
        deserializer.deserialize_map(V)
    }
}

impl Serialize for Actions {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.entries.len()))?;
        for (k, v) in &self.entries {
            map.serialize_entry(k, v.as_str())?;
        }
        map.end()
    }
}

macro_rules! action_results {
    ($($variant:ident => $text:literal,)*) => {
        /// The outcome of one action. Smile ID adds values over time: an
        /// unknown one is kept as [`ActionResult::Other`] with its raw text.
        #[derive(Clone, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ActionResult {
            $(
                #[doc = concat!("`\"", $text, "\"`")]
                $variant,
            )*
            /// A value this version does not know, as received.
            Other(String),
        }

        impl ActionResult {
            /// The value as Smile ID writes it.
            pub fn as_str(&self) -> &str {
                match self {
                    $(ActionResult::$variant => $text,)*
                    ActionResult::Other(s) => s,
                }
            }
        }

        impl From<&str> for ActionResult {
            fn from(s: &str) -> Self {
                match s {
                    $($text => ActionResult::$variant,)*
                    other => ActionResult::Other(other.to_owned()),
                }
            }
        }
    };
}

action_results! {
    Passed => "Passed",
    Completed => "Completed",
    Approved => "Approved",
    Verified => "Verified",
    ProvisionallyApproved => "Provisionally Approved",
    Returned => "Returned",
    NotReturned => "Not Returned",
    Failed => "Failed",
    Rejected => "Rejected",
    UnderReview => "Under Review",
    UnableToDetermine => "Unable To Determine",
    NotApplicable => "Not Applicable",
    NotVerified => "Not Verified",
    NotDone => "Not Done",
    IssuerUnavailable => "Issuer Unavailable",
    IdAuthorityPhotoNotAvailable => "ID Authority Photo Not Available",
    SentToHumanReview => "Sent to Human Review",
}

impl fmt::Display for ActionResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ActionResult {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

/// Serialises an optional field only when present.
fn entry_opt<M: SerializeMap, T: Serialize + ?Sized>(
    map: &mut M,
    key: &str,
    value: Option<&T>,
) -> Result<(), M::Error> {
    match value {
        Some(v) => map.serialize_entry(key, v),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wire(json: &str) -> WireJobStatus {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn result_shapes() {
        assert!(wire(r#"{"result":null}"#).result.is_none());
        assert!(wire(r#"{"result":{}}"#).result.is_none());
        assert!(wire(r#"{"result":[]}"#).result.is_none());
        assert!(wire(r#"{}"#).result.is_none());
        let w = wire(r#"{"result":"No zip uploaded yet"}"#);
        assert!(w.result.is_none());
        assert_eq!(w.result_message.as_deref(), Some("No zip uploaded yet"));
        let w = wire(r#"{"result":{"ResultCode":1012}}"#);
        assert_eq!(w.result.unwrap().result_code.as_deref(), Some("1012"));
        assert!(serde_json::from_str::<WireJobStatus>(r#"{"result":[1]}"#).is_err());
        assert!(serde_json::from_str::<WireJobStatus>(r#"{"result":5}"#).is_err());
    }

    #[test]
    fn top_level_booleans_are_strict_but_lenient_on_strings() {
        let w = wire(r#"{"job_complete":"true","job_success":false}"#);
        assert_eq!(w.job_complete, Some(true));
        assert_eq!(w.job_success, Some(false));
        assert!(serde_json::from_str::<WireJobStatus>(r#"{"job_complete":"yes"}"#).is_err());
        assert!(serde_json::from_str::<WireJobStatus>(r#"{"job_complete":{}}"#).is_err());
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
    fn result_round_trips_through_serialize() {
        let json = r#"{"ResultCode":"0810","ResultText":"Enroll User","ConfidenceValue":99.0,"IsFinalResult":"true","PartnerParams":{"user_id":"u","job_id":"j","job_type":4},"Actions":{"Liveness_Check":"Passed"},"Source":"WebAPI","FullName":"Jane"}"#;
        let r: JobResult = serde_json::from_str(json).unwrap();
        assert_eq!(serde_json::to_string(&r).unwrap(), json);
    }

    #[test]
    fn job_type_from_signed() {
        assert_eq!(JobType::from(4i32), JobType::Number(4));
        assert_eq!(JobType::from(-4i32), JobType::Text("-4".into()));
        assert_eq!(JobType::from("4").to_string(), "4");
    }
}
