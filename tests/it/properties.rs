//! Property tests: signatures round-trip and any change breaks them; no input
//! makes the response path panic.

use proptest::prelude::*;
use serde_json::Value;
use smile_id::{PartnerParams, Signature, WebApi};

fn id() -> impl Strategy<Value = String> {
    "[0-9A-Za-z_-]{1,12}"
}

fn key() -> impl Strategy<Value = String> {
    // Surrounding white space is refused (never part of a real key).
    "\\PC{1,40}".prop_filter("no surrounding white space", |k| k.trim() == k)
}

/// Any JSON value, up to a small depth.
fn json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        "\\PC{0,12}".prop_map(Value::String),
    ];
    leaf.prop_recursive(4, 32, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::btree_map(
                prop_oneof![
                    Just("job_complete".to_owned()),
                    Just("job_success".to_owned()),
                    Just("result".to_owned()),
                    Just("history".to_owned()),
                    Just("image_links".to_owned()),
                    Just("code".to_owned()),
                    Just("timestamp".to_owned()),
                    Just("signature".to_owned()),
                    Just("PartnerParams".to_owned()),
                    Just("Actions".to_owned()),
                    Just("ResultCode".to_owned()),
                    Just("ConfidenceValue".to_owned()),
                    Just("IsFinalResult".to_owned()),
                    Just("job_type".to_owned()),
                    "[a-z_]{1,8}",
                ],
                inner,
                0..8
            )
            .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A timestamp and signature as Smile ID signs an answer (milliseconds, its
/// own time), not a request this client made.
fn answer_signature(api: &WebApi) -> smile_id::SignatureParams {
    let signed = smile_id::testing::sign_json(api.signature(), "{}", time::Duration::ZERO).unwrap();
    let value: Value = serde_json::from_str(&signed).unwrap();
    api.signature()
        .sign_timestamp(value["timestamp"].as_str().unwrap())
}

fn flip_bit(s: &str, bit: usize) -> Option<String> {
    let mut bytes = s.as_bytes().to_vec();
    let i = bit / 8 % bytes.len().max(1);
    *bytes.get_mut(i)? ^= 1 << (bit % 8);
    String::from_utf8(bytes).ok()
}

proptest! {
    #[test]
    fn signatures_round_trip(partner in id(), key in key(), ts in "\\PC{0,40}") {
        let signer = Signature::new(&partner, &key).unwrap();
        let params = signer.sign_timestamp(&ts);
        prop_assert_eq!(params.signature.len(), 44);
        prop_assert!(signer.confirm_signature(&ts, &params.signature));
    }

    #[test]
    fn any_flipped_bit_fails(partner in id(), key in key(), ts in "[0-9T:.Z+-]{1,30}", bit in 0usize..512) {
        let signer = Signature::new(&partner, &key).unwrap();
        let sig = signer.sign_timestamp(&ts).signature;
        if let Some(bad) = flip_bit(&sig, bit) {
            prop_assert!(!signer.confirm_signature(&ts, &bad));
        }
        if let Some(bad_ts) = flip_bit(&ts, bit) {
            prop_assert!(!signer.confirm_signature(&bad_ts, &sig));
        }
        if let Some(bad_partner) = flip_bit(&partner, bit) {
            if let Ok(other) = Signature::new(&bad_partner, &key) {
                prop_assert!(!other.confirm_signature(&ts, &sig));
            }
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic(body in prop::collection::vec(any::<u8>(), 0..512)) {
        let api = WebApi::new("002", "", "key", 0).unwrap();
        let _ = api.verify_job_status(&body, &PartnerParams::new("u", "j"));
    }

    #[test]
    fn arbitrary_json_never_panics(value in json(), sign in any::<bool>()) {
        let api = WebApi::new("002", "", "key", 0).unwrap();
        let mut value = value;
        if sign {
            if let Value::Object(map) = &mut value {
                let params = answer_signature(&api);
                map.insert("timestamp".into(), Value::String(params.timestamp));
                map.insert("signature".into(), Value::String(params.signature));
            }
        }
        let body = serde_json::to_vec(&value).unwrap();
        let _ = api.verify_job_status(&body, &PartnerParams::new("u", "j"));
    }

    /// The scan that runs before authentication agrees with `serde_json`:
    /// a valid JSON object is never called "not JSON", and any cut of a
    /// signed body (which is no longer JSON) is never accepted.
    #[test]
    fn the_pre_authentication_scan_agrees_with_serde_json(
        value in json(),
        cut in any::<prop::sample::Index>(),
        pad in "[ \t\n]{0,3}",
    ) {
        let api = WebApi::new("002", "", "key", 0).unwrap();
        let job = PartnerParams::new("u", "j");
        let mut map = match value {
            Value::Object(map) => map,
            other => {
                let body = format!("{pad}{other}{pad}");
                let err = api.verify_job_status(body.as_bytes(), &job).unwrap_err();
                let is_decode = matches!(err, smile_id::Error::Decode { .. });
                prop_assert!(is_decode, "{}", err);
                prop_assert!(err.to_string().contains("expected a JSON object"), "{}", err);
                return Ok(());
            }
        };
        let params = answer_signature(&api);
        map.insert("timestamp".into(), Value::String(params.timestamp));
        map.insert("signature".into(), Value::String(params.signature));
        let body = format!("{pad}{}{pad}", Value::Object(map));
        if let Err(err) = api.verify_job_status(body.as_bytes(), &job) {
            prop_assert!(!err.to_string().contains("not JSON"), "{}", err);
            let authentic = !matches!(err, smile_id::Error::SignatureMismatch { .. });
            prop_assert!(authentic, "{}", err);
        }
        let at = cut.index(body.len());
        if let Some(head) = body.get(..at) {
            if serde_json::from_str::<Value>(head).is_err() {
                prop_assert!(api.verify_job_status(head.as_bytes(), &job).is_err());
                prop_assert!(api.verify_callback(head.as_bytes()).is_err());
            }
        }
    }
}
