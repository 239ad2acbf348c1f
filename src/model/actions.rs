//! [`Actions`] and [`ActionResult`]: the checks a job ran and their outcomes.

use std::fmt;

use serde::{Serialize, Serializer};

use super::ordered::Ordered;

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
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Actions(pub(crate) Ordered<ActionResult>);

impl Actions {
    /// The outcome of the action `name` (e.g. `"Liveness_Check"`).
    pub fn get(&self, name: &str) -> Option<&ActionResult> {
        self.0.get(name)
    }

    /// Every action and its outcome.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &ActionResult)> {
        self.0.iter()
    }

    /// How many actions there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
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
