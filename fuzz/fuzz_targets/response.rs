//! The response path: bytes in, judged and decoded, a `Result` out; it must
//! never panic. Inputs starting with `S` are parsed as JSON and, when they are
//! objects, given a valid timestamp and signature first, so the fuzzer also
//! reaches the job check and decoding of authentic responses. Inputs starting
//! with `R` get the timestamp and signature of a request this client just
//! made, and must be refused as reflected. Inputs starting with `L` become a
//! signed history of up to 10,001 copies of the rest (as one entry's JSON),
//! around the history limit, which must never panic and past 10,000 entries
//! must be refused. Every input is also judged as a callback body, which
//! shares the judging code.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use smile_id::{Error, JobStatusOptions, PartnerParams, SignatureFailure, WebApi};

/// Built once: a client holds an HTTP agent, costly to make per input.
static API: OnceLock<Option<WebApi>> = OnceLock::new();

fuzz_target!(|data: &[u8]| {
    let Some(api) = API.get_or_init(|| WebApi::new("002", "", "fuzz-key", 0).ok()) else {
        return;
    };
    let now = time::OffsetDateTime::UNIX_EPOCH + time::Duration::days(20_000);
    let job = PartnerParams::new("user-1", "job-1");
    match data.split_first() {
        Some((b'S', rest)) => {
            if let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(rest) {
                let signed = api.signature().sign_timestamp("2024-10-04T00:00:00.000Z");
                map.insert("timestamp".into(), signed.timestamp.into());
                map.insert("signature".into(), signed.signature.into());
                if let Ok(body) = serde_json::to_vec(&map) {
                    let _ = api.verify_job_status_at(&body, &job, now);
                    let _ = api.verify_callback_at(&body, now);
                }
            }
        }
        Some((b'L', rest)) if rest.len() >= 2 => {
            let n = usize::from(u16::from_le_bytes([rest[0], rest[1]])) % 10_002;
            let entry = std::str::from_utf8(&rest[2..]).unwrap_or("{}");
            let entry = if entry.is_empty() { "{}" } else { entry };
            let signed = api.signature().sign_timestamp("2024-10-04T00:00:00.000Z");
            let body = format!(
                r#"{{"timestamp":"{}","signature":"{}","job_complete":false,"history":[{}]}}"#,
                signed.timestamp,
                signed.signature,
                vec![entry; n].join(",")
            );
            let result = api.verify_job_status_at(body.as_bytes(), &job, now);
            if n > 10_000 && serde_json::from_str::<serde_json::Value>(entry).is_ok_and(|v| v.is_object()) {
                assert!(matches!(result, Err(Error::Decode { .. })), "{result:?}");
            }
        }
        Some((b'R', rest)) => {
            let Ok(serde_json::Value::Object(mut map)) = serde_json::from_slice(rest) else {
                return;
            };
            let Ok(request) = api.job_status_request(&job, &JobStatusOptions::default()) else {
                return;
            };
            let Ok(serde_json::Value::Object(sent)) = serde_json::from_slice(&request) else {
                return;
            };
            for key in ["timestamp", "signature"] {
                if let Some(value) = sent.get(key) {
                    map.insert(key.into(), value.clone());
                }
            }
            if let Ok(body) = serde_json::to_vec(&map) {
                for result in [
                    api.verify_job_status(&body, &job).map(drop),
                    api.verify_callback(&body).map(drop),
                ] {
                    assert!(
                        matches!(
                            result,
                            Err(Error::SignatureMismatch {
                                reason: SignatureFailure::Reflected,
                                ..
                            }) | Err(Error::Decode { .. })
                        ),
                        "a reflected signature was not refused: {result:?}"
                    );
                }
            }
        }
        _ => {
            let _ = api.verify_job_status_at(data, &job, now);
        }
    }
    let _ = api.verify_callback_at(data, now);
});
