//! The meanings of Smile ID's result codes and error codes.
//!
//! Codes are opaque strings to the rest of the crate; these tables only help
//! people read them; they list only codes seen in Smile ID's documentation.
//! New codes appear over time, so an unknown code is `None`,
//! never an error.

/// The meaning of a known `ResultCode` (as in [`JobResult::result_code`](crate::JobResult::result_code)).
///
/// ```
/// assert_eq!(smile_id::result_code_meaning("0810"), Some("enrol user: approved"));
/// assert_eq!(smile_id::result_code_meaning("9999"), None);
/// ```
pub fn result_code_meaning(code: &str) -> Option<&'static str> {
    Some(match code {
        "0810" => "enrol user: approved",
        "0814" => "provisional enrol: under review",
        "0903" => "zip file corrupt",
        "0907" => "possible spoof",
        "1012" => "ID number validated",
        "1013" => "unable to validate ID number",
        "1014" => "unsupported ID number format",
        "1015" => "ID authority unavailable",
        "1016" => "product not activated",
        "1020" => "exact match",
        "1021" => "partial match",
        "1022" => "no match",
        "1023" => "ID not found",
        "1210" => "enrol user (document verification)",
        _ => return None,
    })
}

/// The meaning of a known error code from a non-2xx response (as in
/// [`Error::smile_id_code`](crate::Error::smile_id_code)).
///
/// ```
/// assert_eq!(smile_id::error_code_meaning("2205"), Some("not authorised: bad signature, or a key for the other server"));
/// ```
pub fn error_code_meaning(code: &str) -> Option<&'static str> {
    Some(match code {
        "2201" => "system error",
        "2203" => "invalid JSON",
        "2204" => "wrong parameter type",
        "2205" => "not authorised: bad signature, or a key for the other server",
        "2207" => "user disabled",
        "2208" => "user deleted",
        "2209" => "user already enrolled",
        "2210" => "no enrolled user",
        "2211" => "re-enrolment required",
        "2212" => "invalid job type",
        "2213" => "missing parameter",
        "2215" => "job already exists",
        "2216" => "no photo on file",
        "2217" => "invalid product",
        "2220" => "production not enabled",
        "2314" => "no zip file received",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn protocol_codes_are_known() {
        for code in [
            "0810", "0814", "1210", "1012", "1013", "1014", "1015", "1016", "1020", "1021", "1022",
            "1023", "0903", "0907",
        ] {
            assert!(result_code_meaning(code).is_some(), "{code}");
        }
        for code in [
            "2201", "2203", "2204", "2205", "2207", "2208", "2209", "2210", "2211", "2212", "2213",
            "2215", "2216", "2217", "2220", "2314",
        ] {
            assert!(error_code_meaning(code).is_some(), "{code}");
        }
        assert_eq!(result_code_meaning("810"), None);
        assert_eq!(error_code_meaning(""), None);
    }
}
