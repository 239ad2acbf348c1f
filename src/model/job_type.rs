//! [`JobType`]: a job type in the form Smile ID sent it.

use std::fmt;

use serde::Serialize;

/// A job type, which Smile ID sends as a number (`4`) or a string (`"4"`).
///
/// The form received is kept so that re-serialising is faithful; compare with
/// [`as_u64`](Self::as_u64).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(untagged)]
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn job_type_from_signed() {
        assert_eq!(JobType::from(4i32), JobType::Number(4));
        assert_eq!(JobType::from(-4i32), JobType::Text("-4".into()));
        assert_eq!(JobType::from("4").to_string(), "4");
    }

    #[test]
    fn job_type_serialises_in_the_form_received() {
        assert_eq!(serde_json::to_string(&JobType::Number(4)).unwrap(), "4");
        assert_eq!(
            serde_json::to_string(&JobType::from("4")).unwrap(),
            r#""4""#
        );
    }
}
