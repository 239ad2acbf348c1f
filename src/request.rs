//! The job status request body: checked, signed afresh, and written by
//! `serde_json`.

use crate::{Error, JobStatusOptions, PartnerParams, Signature};

/// The signed JSON body of a job status request for `partner_params`, with a
/// fresh timestamp and signature from `signature`.
pub(crate) fn job_status_body(
    signature: &Signature,
    partner_params: &PartnerParams,
    options: &JobStatusOptions,
) -> Result<Vec<u8>, Error> {
    let (user_id, job_id) = (&partner_params.user_id, &partner_params.job_id);
    for (field, value) in [("user_id", user_id), ("job_id", job_id)] {
        if value.trim().is_empty() {
            return Err(Error::invalid_input(field, "must not be empty or blank"));
        }
    }
    // Remembered by the signer, so that it is refused if it ever comes
    // back as a response's or a callback's signature.
    let stamp = signature.generate_signature();
    let request = JobStatusRequest {
        partner_id: signature.partner_id(),
        user_id,
        job_id,
        timestamp: &stamp.timestamp,
        signature: &stamp.signature,
        image_links: options.return_image_links,
        history: options.return_history,
        source_sdk: "rust",
        source_sdk_version: env!("CARGO_PKG_VERSION"),
    };
    // Serialising strings and booleans into a `Vec` cannot fail: serde_json
    // fails only on a writer's error or a map with non-string keys.
    #[allow(clippy::expect_used)]
    Ok(serde_json::to_vec(&request).expect("a struct of strings and booleans serialises"))
}

/// The job status request body.
#[derive(serde::Serialize)]
struct JobStatusRequest<'a> {
    partner_id: &'a str,
    user_id: &'a str,
    job_id: &'a str,
    timestamp: &'a str,
    signature: &'a str,
    image_links: bool,
    history: bool,
    source_sdk: &'static str,
    source_sdk_version: &'static str,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_has_the_documented_shape() {
        let signature = Signature::new("002", "key").unwrap();
        let params = PartnerParams::new("user-\"1\"", "job-1");
        let options = JobStatusOptions::default();
        let body = job_status_body(&signature, &params, &options).unwrap();
        let value: serde_json::Value = serde_json::from_slice(&body).unwrap();
        let text = String::from_utf8(body).unwrap();
        let expected = format!(
            r#"{{"partner_id":"002","user_id":"user-\"1\"","job_id":"job-1","timestamp":"{}","signature":"{}","image_links":{},"history":{},"source_sdk":"rust","source_sdk_version":"{}"}}"#,
            value["timestamp"].as_str().unwrap(),
            value["signature"].as_str().unwrap(),
            options.return_image_links,
            options.return_history,
            env!("CARGO_PKG_VERSION"),
        );
        assert_eq!(text, expected);
        assert!(signature.confirm_signature(
            value["timestamp"].as_str().unwrap(),
            value["signature"].as_str().unwrap()
        ));
    }

    #[test]
    fn blank_ids_are_refused() {
        let signature = Signature::new("002", "key").unwrap();
        for params in [PartnerParams::new(" ", "j"), PartnerParams::new("u", "\t")] {
            let err = job_status_body(&signature, &params, &JobStatusOptions::default());
            assert!(matches!(err, Err(Error::InvalidInput { .. })), "{err:?}");
        }
    }
}
