//! The response path: bytes in, judged and decoded, a `Result` out; it must
//! never panic. Inputs starting with `S` are parsed as JSON and, when they are
//! objects, given a valid timestamp and signature first, so the fuzzer also
//! reaches the job check and decoding of authentic responses. Every input is
//! also judged as a callback body, which shares the judging code.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use smile_id::{PartnerParams, WebApi};

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
                let signed = api.signature().generate_signature(Some("2024-10-04T00:00:00.000Z"));
                map.insert("timestamp".into(), signed.timestamp.into());
                map.insert("signature".into(), signed.signature.into());
                if let Ok(body) = serde_json::to_vec(&map) {
                    let _ = api.verify_job_status_at(&body, &job, now);
                    let _ = api.verify_callback_at(&body, now);
                }
            }
        }
        _ => {
            let _ = api.verify_job_status_at(data, &job, now);
        }
    }
    let _ = api.verify_callback_at(data, now);
});
