//! [`ImageLinks`]: expiring links to a job's images.

use std::fmt;

use serde::Serialize;

use crate::Extra;
use crate::redact::{Redacted, url_without_query};

/// Links to a job's images, returned when
/// [`JobStatusOptions::return_image_links`](crate::JobStatusOptions::return_image_links) is set.
///
/// The links are signed, expiring URLs: their query strings are credentials,
/// so `Debug` shows them as `?[redacted]`.
#[derive(Clone, Default, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ImageLinks {
    /// An expiring URL of the selfie.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub selfie_image: Option<String>,
    /// Why links could not be made, when Smile ID says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// Every other key (ID card images and the like).
    #[serde(flatten)]
    pub extra: Extra,
}

impl fmt::Debug for ImageLinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ImageLinks")
            .field(
                "selfie_image",
                &Redacted(self.selfie_image.as_deref().map(url_without_query)),
            )
            .field("error", &Redacted(&self.error))
            .field("extra", &self.extra)
            .finish()
    }
}
