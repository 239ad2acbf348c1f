//! The job status request body: checked, signed afresh, and written as the
//! exact bytes `serde_json` would write.

use crate::{Error, JobStatusOptions, PartnerParams, Signature};

/// The signed JSON body of a job status request for `partner_params`, with a
/// fresh timestamp and signature from `signature`.
pub(crate) fn job_status_body(
    signature: &Signature,
    partner_params: &PartnerParams,
    options: &JobStatusOptions,
) -> Result<Vec<u8>, Error> {
    if partner_params.user_id.trim().is_empty() {
        return Err(Error::invalid_input(
            "user_id",
            "must not be empty or blank",
        ));
    }
    if partner_params.job_id.trim().is_empty() {
        return Err(Error::invalid_input("job_id", "must not be empty or blank"));
    }
    // Remembered by the signer, so that it is refused if it ever comes
    // back as a response's or a callback's signature.
    let stamp = signature.stamp_request();
    Ok(JobStatusRequest {
        partner_id: signature.partner_id(),
        user_id: &partner_params.user_id,
        job_id: &partner_params.job_id,
        timestamp: stamp.timestamp(),
        signature: stamp.signature(),
        image_links: options.return_image_links,
        history: options.return_history,
        source_sdk: "rust",
        source_sdk_version: env!("CARGO_PKG_VERSION"),
    }
    .to_json())
}

/// The job status request body.
#[cfg_attr(test, derive(serde::Serialize))]
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

impl JobStatusRequest<'_> {
    /// Exactly the bytes `serde_json::to_vec` writes for this struct, built
    /// once per call: the keys and the constant tail are written as they are,
    /// and only the values are escaped.
    fn to_json(&self) -> Vec<u8> {
        /// A value as a JSON string: copied when nothing in it needs an
        /// escape (ids, timestamps and base64 never do), else escaped by
        /// `serde_json`.
        fn string(out: &mut Vec<u8>, value: &str) {
            if crate::skim::string_stop::<true>(value.as_bytes()).is_none() {
                out.push(b'"');
                out.extend_from_slice(value.as_bytes());
                out.push(b'"');
            } else {
                // Writing a string into a Vec cannot fail.
                let _ = serde_json::to_writer(&mut *out, value);
            }
        }
        let JobStatusRequest {
            partner_id,
            user_id,
            job_id,
            timestamp,
            signature,
            image_links,
            history,
            source_sdk,
            source_sdk_version,
        } = self;
        let mut out = Vec::with_capacity(
            256 + partner_id.len() + user_id.len() + job_id.len() + timestamp.len(),
        );
        let bool = |b: bool| if b { "true" } else { "false" };
        out.extend_from_slice(br#"{"partner_id":"#);
        string(&mut out, partner_id);
        out.extend_from_slice(br#","user_id":"#);
        string(&mut out, user_id);
        out.extend_from_slice(br#","job_id":"#);
        string(&mut out, job_id);
        out.extend_from_slice(br#","timestamp":"#);
        string(&mut out, timestamp);
        out.extend_from_slice(br#","signature":"#);
        string(&mut out, signature);
        out.extend_from_slice(br#","image_links":"#);
        out.extend_from_slice(bool(*image_links).as_bytes());
        out.extend_from_slice(br#","history":"#);
        out.extend_from_slice(bool(*history).as_bytes());
        out.extend_from_slice(br#","source_sdk":"#);
        string(&mut out, source_sdk);
        out.extend_from_slice(br#","source_sdk_version":"#);
        string(&mut out, source_sdk_version);
        out.push(b'}');
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_body_escapes_odd_strings_as_serde_json_does() {
        let mut odd = vec![
            String::new(),
            "\u{2028}\u{2029}\u{7f}\u{80}\u{ff}é😀".to_owned(),
            "a\"b\\c/d".to_owned(),
        ];
        // Each escape-worthy byte at every offset of a two-word string, next
        // to bytes just outside the ranges the word-at-a-time scan flags.
        for bad in ['"', '\\', '\u{0}', '\u{1f}', '\n'] {
            for at in 0..17 {
                let mut text: Vec<char> = "!#[]\u{20}\u{7f}~\u{80}abcdefghij".chars().collect();
                text.insert(at, bad);
                odd.push(text.into_iter().collect());
            }
        }
        for value in &odd {
            let request = JobStatusRequest {
                partner_id: value,
                user_id: value,
                job_id: value,
                timestamp: value,
                signature: value,
                image_links: true,
                history: false,
                source_sdk: "rust",
                source_sdk_version: env!("CARGO_PKG_VERSION"),
            };
            assert_eq!(
                request.to_json(),
                serde_json::to_vec(&request).unwrap(),
                "{value:?}"
            );
        }
    }

    proptest::proptest! {
        #[test]
        fn request_body_is_what_serde_json_writes(
            partner_id in ".*",
            user_id in ".*",
            job_id in "\\PC*",
            timestamp in ".*",
            image_links: bool,
            history: bool,
        ) {
            let request = JobStatusRequest {
                partner_id: &partner_id,
                user_id: &user_id,
                job_id: &job_id,
                timestamp: &timestamp,
                signature: "Q5IIffa8EPKwev8tq4+BaJosyG+KKeoMQIdFHP/yBqQ=",
                image_links,
                history,
                source_sdk: "rust",
                source_sdk_version: env!("CARGO_PKG_VERSION"),
            };
            proptest::prop_assert_eq!(request.to_json(), serde_json::to_vec(&request).unwrap());
        }
    }
}
