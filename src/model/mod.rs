//! The public model: one file per type, with its inherent methods, its
//! `Display` and its (derived, where byte-exact) `Serialize`. How each is
//! read from Smile ID's JSON lives apart, in `wire`.

mod extra;
pub(crate) mod ordered;
mod raw_json;

pub use extra::Extra;
pub use raw_json::RawJson;
