//! Private, lenient decoding of Smile ID's JSON into the model types, in one
//! place: the structural limits, object keys, the lenient scalar reader, the
//! one object reader, and each type's modelled keys.
//!
//! Every reader here is lenient where Smile ID is known to vary (strings for
//! booleans and numbers, numbers for strings, `null` or `[]` for an empty
//! object) and keeps every field it does not model, or cannot read as its
//! type, in an [`Extra`](crate::Extra) as received, so a result can be
//! stored and re-serialised without loss.

mod job_result;
mod job_status;
mod object;
mod scalar;

/// The most entries a `history` may hold (Smile ID's hold a handful).
pub(crate) const MAX_HISTORY: usize = 10_000;
/// The most keys one object may hold (Smile ID's hold a few hundred at most).
pub(crate) const MAX_KEYS: usize = 10_000;

pub(crate) use job_status::WireJobStatus;
pub(crate) use object::decode;
pub(crate) use scalar::Scalar;
