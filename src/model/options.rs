//! [`JobStatusOptions`]: what a job status request asks for.

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
