//! A job status body as read off the wire ([`WireJobStatus`]), once
//! authenticated, and how it becomes a [`JobStatus`].

use std::fmt;

use serde::de::{self, Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::object::{
    NullableObject, ObjectVisitor, empty_seq, lenient, lenient_object, strict_bool,
};
use super::{Scalar, budget};
use crate::model::Signed;
use crate::{Extra, ImageLinks, JobResult, JobStatus};

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
    pub(crate) fn into_status(self, signed: Signed) -> JobStatus {
        JobStatus {
            job_complete: self.job_complete.unwrap_or(false),
            job_success: self.job_success.unwrap_or(false),
            code: self.code,
            result: self.result,
            result_message: self.result_message,
            history: self.history,
            image_links: self.image_links,
            signature: signed.signature,
            timestamp: signed.timestamp,
            extra: self.extra,
            raw_timestamp: signed.raw_timestamp,
        }
    }
}

lenient_object! {
    WireJobStatus, "a job status object",
    |this, key, map, extra, _once| {
        "job_complete" => this.job_complete = strict_bool(map, key)?,
        "job_success" => this.job_success = strict_bool(map, key)?,
        "code" => this.code = lenient(map, extra, key, Scalar::into_code)?,
        "result" => match map.next_value::<Option<ResultField>>()? {
            None | Some(ResultField::None) => {}
            Some(ResultField::Object(r)) => this.result = Some(*r),
            Some(ResultField::Text(t)) => this.result_message = Some(t),
        },
        "history" => this.history = map.next_value::<Option<History>>()?.unwrap_or_default().0,
        "image_links" => this.image_links = map.next_value::<NullableObject<ImageLinks>>()?.0,
        // Read, and checked, before decoding (see `skim`).
        "timestamp" | "signature" => {
            map.next_value::<IgnoredAny>()?;
        }
    }
}

/// `history`: an array of result objects (`null`, read as an `Option`, is
/// none).
#[derive(Default)]
struct History(Vec<JobResult>);

impl<'de> Deserialize<'de> for History {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(HistoryVisitor)
    }
}

struct HistoryVisitor;

impl<'de> Visitor<'de> for HistoryVisitor {
    type Value = History;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of result objects, or null")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<History, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) = seq.next_element::<JobResult>()? {
            budget::push(&mut entries, entry)?;
        }
        Ok(History(entries))
    }
}

/// `result` is an object, a message string, `{}` or `[]` (`null`, read as an
/// `Option`, and absence are none too).
enum ResultField {
    None,
    Object(Box<JobResult>),
    Text(String),
}

impl<'de> Deserialize<'de> for ResultField {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ResultFieldVisitor)
    }
}

struct ResultFieldVisitor;

impl<'de> Visitor<'de> for ResultFieldVisitor {
    type Value = ResultField;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a result object, a message string, or null")
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
        let result: JobResult = ObjectVisitor::new().visit_map(map)?;
        if result.is_empty() {
            return Ok(ResultField::None);
        }
        budget::charge(size_of::<JobResult>())?;
        Ok(ResultField::Object(Box::new(result)))
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
}
