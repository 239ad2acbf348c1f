//! The public model: one file per type, with its inherent methods, its
//! `Debug`/`Display` and its `Serialize` (derived wherever the output is
//! byte-identical). How each is read from Smile ID's JSON lives apart, in
//! `wire`.

mod actions;
mod callback;
mod extra;
mod image_links;
mod job_result;
mod job_status;
mod job_type;
mod log_line;
mod options;
mod ordered;
mod partner_params;
mod raw_json;
mod signed;
mod verdict;

pub use actions::{ActionResult, Actions};
pub use callback::Callback;
pub use extra::Extra;
pub use image_links::ImageLinks;
pub use job_result::JobResult;
pub use job_status::JobStatus;
pub use job_type::JobType;
pub use options::JobStatusOptions;
pub use partner_params::PartnerParams;
pub use raw_json::RawJson;
pub(crate) use signed::Signed;
pub use verdict::{Verdict, VerdictBasis};
