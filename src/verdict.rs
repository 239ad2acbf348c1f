//! Deciding what a verified result means: the rules behind
//! [`JobStatus::verdict`], [`JobResult::verdict`] and [`Callback::verdict`].

use crate::codes::result_code_category;
use crate::{ActionResult, Callback, JobResult, JobStatus, Verdict, VerdictBasis};

/// The `Actions` values that mean a human review is open or inconclusive.
const REVIEW_ACTIONS: [ActionResult; 3] = [
    ActionResult::UnderReview,
    ActionResult::ProvisionallyApproved,
    ActionResult::SentToHumanReview,
];

impl JobStatus {
    /// What this status means, decided by these rules in turn:
    ///
    /// 1. `job_complete` false: [`Verdict::Pending`], whatever else it says.
    /// 2. A result code with a known category decides it (basis
    ///    [`DocumentedCode`](VerdictBasis::DocumentedCode) or
    ///    [`ObservedCode`](VerdictBasis::ObservedCode)):
    ///    - approved: `1012`, `1020`, `1021` (documented); `0810`, `1210`,
    ///      `1220` (seen in Smile ID's examples: "Enroll User", "Document
    ///      Verified", "Authenticated");
    ///    - provisional: `0814` ("Provisional Enroll - Under Review", seen);
    ///    - rejected: `0001`, `0903`, `0907`, `1013`, `1022`, `1023` (documented);
    ///    - failed: `1014`, `1015`, `1016` (documented as errors).
    /// 3. Otherwise (no result, no code, or a code without a known category
    ///    such as `1030` or a new one) it falls back on `job_success`:
    ///    approved when true, rejected when false, with basis
    ///    [`VerdictBasis::Fallback`].
    /// 4. An approved verdict becomes [`Verdict::Provisional`] when
    ///    `job_success` is false (the code and the flag disagree: a human
    ///    should look), or when any `Actions` value is `Under Review`,
    ///    `Provisionally Approved` or `Sent to Human Review` (in any case).
    ///
    /// So it is never [`Verdict::Approved`] when `job_success` is false. Only
    /// the current `result` counts, not the `history`.
    ///
    /// ```
    /// # use smile_id::testing::Simulator;
    /// # use smile_id::{JobStatusOptions, PartnerParams, WebApi};
    /// # let sim = Simulator::start("002", "key")?;
    /// # let api = WebApi::new("002", "", "key", sim.server())?;
    /// use smile_id::{Verdict, VerdictBasis};
    ///
    /// let status = api.get_job_status(&PartnerParams::new("user-1", "job-1"), &JobStatusOptions::default())?;
    /// match status.verdict() {
    ///     Verdict::Approved => { /* let the person in */ }
    ///     Verdict::Rejected => { /* tell them, offer a retry */ }
    ///     Verdict::Pending | Verdict::Provisional => { /* wait for the callback or a later status */ }
    ///     Verdict::Failed => { /* nothing decided: fix the cause, or try again later */ }
    ///     _ => { /* a verdict added later: treat as provisional */ }
    /// }
    /// assert_eq!(status.verdict(), Verdict::Approved);
    /// assert_eq!(status.verdict_basis(), VerdictBasis::ObservedCode); // 0810
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    pub fn verdict(&self) -> Verdict {
        self.decision().0
    }

    /// What [`verdict`](Self::verdict) rests on: check for
    /// [`VerdictBasis::Fallback`] to treat an unknown code with care.
    pub fn verdict_basis(&self) -> VerdictBasis {
        self.decision().1
    }

    fn decision(&self) -> (Verdict, VerdictBasis) {
        if !self.job_complete {
            return (Verdict::Pending, VerdictBasis::Incomplete);
        }
        decide(self.result.as_ref(), Some(self.job_success))
    }
}

impl JobResult {
    /// What this result means on its own (a callback's result, a history
    /// entry), by the rules of [`JobStatus::verdict`] except that there is no
    /// `job_complete` or `job_success` to read: a code without a known
    /// category (or no code) is [`Verdict::Provisional`] with basis
    /// [`VerdictBasis::Fallback`]. A review action still makes an approved
    /// code provisional.
    ///
    /// ```
    /// let result: smile_id::JobResult = serde_json::from_str(
    ///     r#"{"ResultCode": "1012", "Actions": {"Human_Review_Compare": "Under Review"}}"#,
    /// ).unwrap();
    /// assert_eq!(result.verdict(), smile_id::Verdict::Provisional);
    /// ```
    pub fn verdict(&self) -> Verdict {
        decide(Some(self), None).0
    }

    /// What [`verdict`](Self::verdict) rests on.
    pub fn verdict_basis(&self) -> VerdictBasis {
        decide(Some(self), None).1
    }
}

impl Callback {
    /// The verdict of the callback's [`result`](Self::result) (see
    /// [`JobResult::verdict`]).
    pub fn verdict(&self) -> Verdict {
        self.result.verdict()
    }

    /// What [`verdict`](Self::verdict) rests on.
    pub fn verdict_basis(&self) -> VerdictBasis {
        self.result.verdict_basis()
    }
}

/// The rules of [`JobStatus::verdict`] from rule 2 on, for a complete job's
/// result; `job_success` is `None` for a result on its own.
fn decide(result: Option<&JobResult>, job_success: Option<bool>) -> (Verdict, VerdictBasis) {
    let category = result
        .and_then(|r| r.result_code.as_deref())
        .and_then(result_code_category);
    let (verdict, basis) = category.unwrap_or(match job_success {
        Some(true) => (Verdict::Approved, VerdictBasis::Fallback),
        Some(false) => (Verdict::Rejected, VerdictBasis::Fallback),
        None => (Verdict::Provisional, VerdictBasis::Fallback),
    });
    let under_review = result.is_some_and(|r| {
        r.actions.iter().any(|(_, value)| {
            REVIEW_ACTIONS
                .iter()
                .any(|review| value.as_str().trim().eq_ignore_ascii_case(review.as_str()))
        })
    });
    if verdict == Verdict::Approved && (job_success == Some(false) || under_review) {
        return (Verdict::Provisional, basis);
    }
    (verdict, basis)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(code: Option<&str>, actions: &[(&str, &str)]) -> JobResult {
        let mut json = serde_json::Map::new();
        if let Some(code) = code {
            json.insert("ResultCode".into(), code.into());
        }
        let actions: serde_json::Map<_, _> = actions
            .iter()
            .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
            .collect();
        json.insert("Actions".into(), actions.into());
        serde_json::from_str(&serde_json::Value::from(json).to_string()).unwrap()
    }

    fn lone(code: &str) -> (Verdict, VerdictBasis) {
        decide(Some(&result(Some(code), &[])), None)
    }

    use Verdict::*;
    use VerdictBasis::*;

    /// Every result code in the team's compiled list (SMILE_ID_CODES.md),
    /// with the category it documents or its examples imply.
    #[test]
    fn every_listed_result_code_has_its_verdict() {
        let expected = [
            ("0001", Rejected, DocumentedCode),
            ("0903", Rejected, DocumentedCode),
            ("0907", Rejected, DocumentedCode),
            ("1012", Approved, DocumentedCode),
            ("1013", Rejected, DocumentedCode),
            ("1014", Failed, DocumentedCode),
            ("1015", Failed, DocumentedCode),
            ("1016", Failed, DocumentedCode),
            ("1020", Approved, DocumentedCode),
            ("1021", Approved, DocumentedCode),
            ("1022", Rejected, DocumentedCode),
            ("1023", Rejected, DocumentedCode),
            ("0810", Approved, ObservedCode),
            ("0814", Provisional, ObservedCode),
            ("1210", Approved, ObservedCode),
            ("1220", Approved, ObservedCode),
            // Seen (AML "Found on list") without a category: a lone result
            // has nothing to fall back on.
            ("1030", Provisional, Fallback),
        ];
        for (code, verdict, basis) in expected {
            assert_eq!(lone(code), (verdict, basis), "{code}");
            // A status agrees, except where job_success must break a tie.
            let status = decide(Some(&result(Some(code), &[])), Some(true));
            let want = if code == "1030" {
                (Approved, Fallback)
            } else {
                (verdict, basis)
            };
            assert_eq!(status, want, "{code}");
            // Never approved when job_success is false.
            let failed = decide(Some(&result(Some(code), &[])), Some(false));
            assert_ne!(failed.0, Approved, "{code}");
        }
    }

    #[test]
    fn unknown_codes_fall_back_on_job_success() {
        for code in [Some("9999"), Some("810"), Some(""), Some(" 1012"), None] {
            let r = result(code, &[]);
            assert_eq!(
                decide(Some(&r), Some(true)),
                (Approved, Fallback),
                "{code:?}"
            );
            assert_eq!(
                decide(Some(&r), Some(false)),
                (Rejected, Fallback),
                "{code:?}"
            );
            assert_eq!(decide(Some(&r), None), (Provisional, Fallback), "{code:?}");
        }
        assert_eq!(decide(None, Some(true)), (Approved, Fallback));
        assert_eq!(decide(None, Some(false)), (Rejected, Fallback));
    }

    #[test]
    fn an_approved_code_with_job_success_false_is_provisional() {
        for code in ["0810", "1012", "1020", "1021", "1210", "1220"] {
            let r = result(Some(code), &[]);
            assert_eq!(decide(Some(&r), Some(false)).0, Provisional, "{code}");
        }
    }

    /// Every action value the crate knows, on an approved code: only the
    /// three review values make it provisional; none changes a rejection or
    /// a failure.
    #[test]
    fn every_action_value_on_every_category() {
        let review = [
            "Under Review",
            "Provisionally Approved",
            "Sent to Human Review",
        ];
        let values = [
            "Passed",
            "Completed",
            "Approved",
            "Verified",
            "Provisionally Approved",
            "Returned",
            "Not Returned",
            "Failed",
            "Rejected",
            "Under Review",
            "Unable To Determine",
            "Not Applicable",
            "Not Verified",
            "Not Done",
            "Issuer Unavailable",
            "ID Authority Photo Not Available",
            "Sent to Human Review",
            "Listed",
            "UNDER REVIEW",
            "sent to human review",
            " Under Review\u{a0}",
            "Brand New Value",
        ];
        for value in values {
            let is_review = review.iter().any(|r| r.eq_ignore_ascii_case(value.trim()));
            let actions = [
                ("Liveness_Check", "Passed"),
                ("Human_Review_Compare", value),
            ];
            let approved = result(Some("1012"), &actions);
            let want = if is_review { Provisional } else { Approved };
            assert_eq!(
                decide(Some(&approved), Some(true)),
                (want, DocumentedCode),
                "{value}"
            );
            let unknown = result(Some("9999"), &actions);
            assert_eq!(
                decide(Some(&unknown), Some(true)),
                (want, Fallback),
                "{value}"
            );
            for (code, verdict) in [("1022", Rejected), ("1015", Failed), ("0814", Provisional)] {
                let r = result(Some(code), &actions);
                assert_eq!(decide(Some(&r), Some(true)).0, verdict, "{code} {value}");
                assert_eq!(decide(Some(&r), None).0, verdict, "{code} {value}");
            }
        }
    }

    #[test]
    fn an_incomplete_job_is_pending() {
        let mut status = JobStatus {
            job_complete: false,
            job_success: true,
            code: Some("2302".into()),
            result: Some(result(Some("1012"), &[])),
            result_message: None,
            history: Vec::new(),
            image_links: None,
            signature: String::new(),
            timestamp: time::OffsetDateTime::UNIX_EPOCH,
            extra: crate::Extra::default(),
            raw_timestamp: String::new(),
        };
        assert_eq!(
            (status.verdict(), status.verdict_basis()),
            (Pending, Incomplete)
        );
        status.job_complete = true;
        assert_eq!(
            (status.verdict(), status.verdict_basis()),
            (Approved, DocumentedCode)
        );
        status.job_success = false;
        assert_eq!(status.verdict(), Provisional);
    }
}
