//! Private, lenient decoding of Smile ID's JSON into the model types, in one
//! place: the decoding budget, object keys, the lenient scalar reader, the
//! one object reader, and each type's modelled keys.
//!
//! Every reader here is lenient where Smile ID is known to vary (strings for
//! booleans and numbers, numbers for strings, `null` or `[]` for an empty
//! object) and keeps every field it does not model in an
//! [`Extra`](crate::Extra), so a result can be stored and re-serialised
//! without loss.

pub(crate) mod budget;
mod job_result;
mod job_status;
pub(crate) mod key;
mod object;
mod ordered;
mod scalar;
mod write_json;

use serde::de::{Deserialize, Deserializer};
use serde_json::value::RawValue;

pub(crate) use job_status::WireJobStatus;
pub(crate) use key::Key;
pub(crate) use scalar::{Scalar, number_text};

use crate::RawJson;

impl<'de> Deserialize<'de> for RawJson {
    /// Works with `serde_json`'s deserialisers (`from_str`, `from_slice`,
    /// `from_reader`), which can hand over raw text.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let raw = Box::<RawValue>::deserialize(deserializer)?;
        budget::charge(raw.get().len())?;
        Ok(RawJson(raw))
    }
}
