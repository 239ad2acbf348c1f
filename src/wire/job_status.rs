//! A job status body as read off the wire ([`WireJobStatus`]), once
//! authenticated, and how it becomes a [`JobStatus`].

use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};

use super::object::{Lenient, ObjectVisitor, Shape, lenient, lenient_object, shaped, strict_bool};
use super::{MAX_HISTORY, Scalar};
use crate::model::Signed;
use crate::{Extra, ImageLinks, JobResult, JobStatus};

/// A job status as read off the wire, once authenticated. Its timestamp and
/// signature were read (and checked) before decoding, from the raw text.
#[derive(Debug, Default)]
#[cfg_attr(test, derive(PartialEq))]
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
    |this, key, map, reading| {
        let extra = &mut this.extra;
        match key {
            "job_complete" => this.job_complete = strict_bool(map, key)?,
            "job_success" => this.job_success = strict_bool(map, key)?,
            "code" => this.code = lenient(map, extra, key, Scalar::into_code)?,
            "result" => {
                let (result, message) = shaped(map, extra, key, reading)?.unwrap_or_default();
                // It decides which job the answer is about.
                if result.as_ref().is_some_and(|r: &JobResult| r.extra.contains_key("PartnerParams")) {
                    return Err(de::Error::custom("`result`'s `PartnerParams` is not an object"));
                }
                this.result = result.filter(|r| !r.is_empty());
                this.result_message = message;
            }
            "history" => this.history = shaped(map, extra, key, reading)?.unwrap_or_default(),
            "image_links" => this.image_links = shaped(map, extra, key, reading)?.flatten(),
            // Read, and checked, before decoding (see `skim`).
            "timestamp" | "signature" => drop(map.next_value::<IgnoredAny>()?),
            _ => extra.0.push(key, map.next_value()?),
        }
    }
}

impl Shape for Vec<JobResult> {
    fn read_seq<'de, A: SeqAccess<'de>>(
        mut seq: A,
        one_pass: bool,
    ) -> Result<Option<Self>, A::Error> {
        let mut entries = Vec::new();
        while let Some(entry) =
            seq.next_element_seed(Lenient::<Option<JobResult>>(one_pass, PhantomData))?
        {
            // A `null` entry reads as empty.
            let Some(entry) = entry.map(Option::unwrap_or_default) else {
                IgnoredAny.visit_seq(seq)?;
                return Ok(None);
            };
            if entries.len() == MAX_HISTORY {
                return Err(de::Error::custom("history has more than 10,000 entries"));
            }
            entries.push(entry);
        }
        Ok(Some(entries))
    }
}

/// `result`: an object once the job has one, else a message string (`{}`,
/// `[]` and `null` are neither). Any other value (`0`, `false`, seen while a
/// job is pending) is kept as received.
impl Shape for (Option<JobResult>, Option<String>) {
    fn read_map<'de, A: MapAccess<'de>>(map: A, one_pass: bool) -> Result<Option<Self>, A::Error> {
        let result = ObjectVisitor(one_pass, PhantomData).visit_map(map)?;
        Ok(Some((Some(result), None)))
    }
    fn read_str(text: &str) -> Option<Self> {
        Some((None, Some(text.to_owned())))
    }
}

#[cfg(test)]
mod tests {
    use super::super::decode;
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
        // Other values are kept as received.
        for raw in ["[1]", "5", "0", "false", "true"] {
            let w = wire(&format!(r#"{{"result":{raw}}}"#));
            assert!(w.result.is_none() && w.result_message.is_none());
            assert_eq!(w.extra.get("result").unwrap().to_json(), raw);
        }
        assert_eq!(wire(r#"{"result":""}"#).result_message.as_deref(), Some(""));
        let err = decode::<WireJobStatus>(r#"{"result":{"PartnerParams":"u"}}"#).unwrap_err();
        assert!(
            err.to_string().contains("`PartnerParams` is not an object"),
            "{err}"
        );
    }

    #[test]
    fn histories_of_other_shapes_are_empty_or_kept_as_received() {
        let empty = |json: &str| decode::<WireJobStatus>(json).unwrap().history.is_empty();
        assert!(empty(r#"{"history":{}}"#));
        assert!(empty(r#"{"history":[]}"#));
        assert!(empty(r#"{"history":null}"#));
        for raw in [
            r#""none""#,
            "7",
            r#"{"a" : 1}"#,
            r#"[{"ResultCode":"0810"}, 1]"#,
        ] {
            let w = decode::<WireJobStatus>(&format!(r#"{{"history": {raw}, "code":"2302"}}"#))
                .unwrap();
            assert!(w.history.is_empty(), "{raw}");
            assert_eq!(w.extra.get("history").unwrap().to_json(), raw);
        }
        let w = wire(r#"{"history":[[],{"ResultCode":810},null,{}]}"#);
        assert_eq!(w.history.len(), 4);
        assert_eq!(w.history[1].result_code.as_deref(), Some("0810"));
        assert!(w.history[2].is_empty() && w.history[3].is_empty() && w.extra.is_empty());
    }

    #[test]
    fn history_and_keys_are_limited() {
        let history = |n: usize| format!(r#"{{"history":[{}{{}}]}}"#, "{},".repeat(n - 1));
        assert_eq!(wire(&history(MAX_HISTORY)).history.len(), MAX_HISTORY);
        let err = decode::<WireJobStatus>(&history(MAX_HISTORY + 1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("history has more than 10,000 entries"),
            "{err}"
        );
        let keys = |n: usize| {
            let keys: Vec<String> = (0..n).map(|i| format!(r#""k{i}":0"#)).collect();
            format!(r#"{{"result":{{"Actions":{{{}}}}}}}"#, keys.join(","))
        };
        assert!(decode::<WireJobStatus>(&keys(crate::wire::MAX_KEYS)).is_ok());
        let err = decode::<WireJobStatus>(&keys(crate::wire::MAX_KEYS + 1)).unwrap_err();
        assert!(
            err.to_string()
                .contains("an object has more than 10,000 keys"),
            "{err}"
        );
    }

    #[test]
    fn image_links_of_other_shapes_are_kept_as_received() {
        let w = wire(r#"{"image_links":"https://x.example/a.jpg"}"#);
        assert!(w.image_links.is_none());
        assert_eq!(
            w.extra.get("image_links").unwrap().to_json(),
            r#""https://x.example/a.jpg""#
        );
        assert!(wire(r#"{"image_links":[]}"#).extra.is_empty());
    }

    #[test]
    fn top_level_booleans_are_strict_but_lenient_on_strings() {
        let w = wire(r#"{"job_complete":"true","job_success":false}"#);
        assert_eq!(w.job_complete, Some(true));
        assert_eq!(w.job_success, Some(false));
        let w = wire(r#"{"job_complete":1,"job_success":"1"}"#);
        assert_eq!((w.job_complete, w.job_success), (Some(true), Some(true)));
        let w = wire(r#"{"job_complete":"False","job_success":"0"}"#);
        assert_eq!((w.job_complete, w.job_success), (Some(false), Some(false)));
        for bad in [r#""yes""#, "{}", "2", "1.0", r#"" true""#] {
            for key in ["job_complete", "job_success"] {
                let json = format!(r#"{{"{key}":{bad}}}"#);
                assert!(
                    serde_json::from_str::<WireJobStatus>(&json).is_err(),
                    "{json}"
                );
            }
        }
    }
}
