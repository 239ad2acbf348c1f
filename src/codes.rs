//! The meanings of Smile ID's result codes and error codes.
//!
//! Codes are opaque strings to the rest of the crate; these tables only help
//! people read them. They list the codes Smile ID's documentation and official
//! SDK fixtures show, and no others. New codes appear over time, so an unknown
//! code is `None`, never an error.

use crate::{Verdict, VerdictBasis};

/// A code sent as a JSON number, written as Smile ID writes its codes: at
/// least four digits, zero-padded (`810` is `"0810"`). The one padding rule,
/// for result codes, status codes and error codes alike.
pub(crate) fn pad(code: u64) -> String {
    format!("{code:04}")
}

/// A code's verdict and where that verdict comes from.
type Category = (Verdict, VerdictBasis);

/// A row of [`RESULT_CODES`]: the code, its meaning, its category.
type ResultCode = (&'static str, &'static str, Option<Category>);

/// Every known `ResultCode`: its meaning, and the verdict category Smile ID
/// gives it ([`DocumentedCode`](VerdictBasis::DocumentedCode)), or that its
/// text in Smile ID's official examples and fixtures implies
/// ([`ObservedCode`](VerdictBasis::ObservedCode)), or none (`1030`, an AML
/// list hit, is neither a pass nor a fail by itself).
const RESULT_CODES: &[ResultCode] = {
    use Verdict::*;
    use VerdictBasis::{DocumentedCode as Doc, ObservedCode as Seen};
    &[
        // "Data Invalid" is Rejected on one docs site; the other gives no
        // category for 0001's texts (an unusable image): conservatively Rejected.
        (
            "0001",
            "data invalid, or an image unusable",
            Some((Rejected, Doc)),
        ),
        ("0810", "enrol user: approved", Some((Approved, Seen))),
        (
            "0814",
            "provisional enrol: under review",
            Some((Provisional, Seen)),
        ),
        ("0903", "zip file corrupt", Some((Rejected, Doc))),
        ("0907", "possible spoof", Some((Rejected, Doc))),
        ("1012", "ID number validated", Some((Approved, Doc))),
        (
            "1013",
            "unable to validate ID number",
            Some((Rejected, Doc)),
        ),
        // Smile ID lists these three as errors, with no category: the job
        // could not be completed.
        ("1014", "unsupported ID number format", Some((Failed, Doc))),
        ("1015", "ID authority unavailable", Some((Failed, Doc))),
        ("1016", "product not activated", Some((Failed, Doc))),
        ("1020", "exact match", Some((Approved, Doc))),
        ("1021", "partial match", Some((Approved, Doc))),
        ("1022", "no match", Some((Rejected, Doc))),
        ("1023", "ID not found", Some((Rejected, Doc))),
        ("1030", "found on list (AML check)", None),
        (
            "1210",
            "enrol user (document verification)",
            Some((Approved, Seen)),
        ),
        ("1220", "authenticated", Some((Approved, Seen))),
    ]
};

/// The meaning of a known `ResultCode` (as in [`JobResult::result_code`](crate::JobResult::result_code)).
///
/// ```
/// assert_eq!(smile_id::result_code_meaning("0810"), Some("enrol user: approved"));
/// assert_eq!(smile_id::result_code_meaning("9999"), None);
/// ```
pub fn result_code_meaning(code: &str) -> Option<&'static str> {
    result_code_entry(code).map(|(_, meaning, _)| *meaning)
}

/// The verdict a known `ResultCode` stands for, and whether Smile ID
/// documents it or its official examples only show it; `None` for a code
/// without a known category.
pub(crate) fn result_code_category(code: &str) -> Option<Category> {
    result_code_entry(code).and_then(|(_, _, category)| *category)
}

/// The row of [`RESULT_CODES`] for `code`.
fn result_code_entry(code: &str) -> Option<&'static ResultCode> {
    RESULT_CODES.iter().find(|(known, _, _)| *known == code)
}

/// The meaning of a known error code from a non-2xx response (as in
/// [`Error::smile_id_code`](crate::Error::smile_id_code)).
///
/// ```
/// assert_eq!(smile_id::error_code_meaning("2205"), Some("not authorised: bad signature, or a key for the other server"));
/// ```
pub fn error_code_meaning(code: &str) -> Option<&'static str> {
    Some(match code {
        "2201" | "2301" | "2401" => "system error",
        "2203" => "invalid JSON",
        "2204" => "wrong parameter type",
        "2205" | "2405" => "not authorised: bad signature, or a key for the other server",
        "2207" => "user disabled",
        "2208" => "user deleted",
        "2209" => "user already enrolled",
        "2210" => "no enrolled user",
        "2211" => "re-enrolment required",
        "2212" => "invalid job type",
        "2213" | "2413" => "missing parameter",
        "2215" => "job already exists",
        "2216" => "no photo on file",
        "2217" => "invalid product",
        "2220" => "production not enabled",
        "2314" => "no zip file received",
        _ => return None,
    })
}

/// The meaning of a known `code` of a job status response (as in
/// [`JobStatus::code`](crate::JobStatus::code)), which is not an error code.
///
/// Smile ID documents no text for these; what is known is where they appear.
///
/// ```
/// assert!(smile_id::job_status_code_meaning("2302").is_some());
/// assert_eq!(smile_id::job_status_code_meaning("2340"), None); // seen, meaning unknown
/// ```
pub fn job_status_code_meaning(code: &str) -> Option<&'static str> {
    (code == "2302").then_some("job status found (the code a completed job's status carries)")
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
        assert_eq!(job_status_code_meaning("2205"), None);
        assert_eq!(error_code_meaning("2302"), None);
        assert_eq!(error_code_meaning(""), None);
    }

    /// Every code in the team's compiled list of Smile ID codes
    /// (SMILE_ID_CODES.md): result codes, error codes, and the job status code.
    #[test]
    fn every_documented_code_is_known() {
        for code in [
            "0001", "0810", "0814", "0903", "0907", "1012", "1013", "1014", "1015", "1016", "1020",
            "1021", "1022", "1023", "1030", "1210", "1220",
        ] {
            assert!(result_code_meaning(code).is_some(), "{code}");
        }
        for code in [
            "2201", "2301", "2401", "2203", "2204", "2205", "2405", "2207", "2208", "2209", "2210",
            "2211", "2212", "2213", "2413", "2215", "2216", "2217", "2220", "2314",
        ] {
            assert!(error_code_meaning(code).is_some(), "{code}");
        }
        assert_eq!(error_code_meaning("2405"), error_code_meaning("2205"));
        assert_eq!(error_code_meaning("2413"), error_code_meaning("2213"));
        assert!(job_status_code_meaning("2302").is_some());
        // Seen without any documented meaning: stays unknown.
        assert_eq!(error_code_meaning("2340"), None);
        assert_eq!(job_status_code_meaning("2340"), None);
    }
}
