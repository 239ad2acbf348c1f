//! Verifying callbacks: `WebApi::verify_callback` and the `Signature`-level
//! helpers, with exact clocks.

use std::time::Duration;

use crate::common::{API_KEY, PARTNER_ID, at, signed_at, signer};
use serde_json::{Value, json};
use smile_id::testing::{complete_result, sign_callback};
use smile_id::{ActionResult, Error, Signature, SignatureFailure, WebApi};

const NOW: &str = "2026-11-26T12:00:00.000Z";

fn api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

fn result() -> Value {
    serde_json::from_str(&complete_result("user-1", "job-1")).unwrap()
}

fn verify(body: &[u8]) -> Result<smile_id::Callback, Error> {
    api().verify_callback_at(body, at(NOW))
}

#[test]
fn a_valid_callback_is_verified_and_typed() {
    let mut payload = result();
    payload["FullName"] = json!("Jane Doe");
    payload["NewField"] = json!({"kept": [1, 2]});
    let callback = verify(&signed_at(&signer(), &payload, NOW)).unwrap();
    assert_eq!(callback.timestamp_str(), NOW);
    assert_eq!(callback.timestamp, at(NOW));
    let r = &callback.result;
    assert_eq!(r.result_code.as_deref(), Some("0810"));
    assert_eq!(r.actions.get("Liveness_Check"), Some(&ActionResult::Passed));
    assert_eq!(callback.partner_params().unwrap().job_id, "job-1");
    // Unknown fields are kept; timestamp and signature are not among them.
    assert_eq!(r.extra.get_str("FullName").as_deref(), Some("Jane Doe"));
    assert!(r.extra.contains_key("NewField"));
    assert!(!r.extra.contains_key("timestamp"));
    assert!(!r.extra.contains_key("signature"));
    assert!(!format!("{callback:?}").contains(&callback.signature));
}

#[test]
fn the_testing_helper_signs_callbacks_that_verify_now() {
    let body = sign_callback(api().signature(), &complete_result("u", "j")).unwrap();
    api().verify_callback(&body).unwrap();
    assert!(sign_callback(api().signature(), "[]").is_err());
}

#[test]
fn tampered_and_wrong_key_callbacks_are_rejected() {
    let body = signed_at(&signer(), &result(), NOW);
    let mut tampered: Value = serde_json::from_slice(&body).unwrap();
    tampered["timestamp"] = json!("2026-11-26T12:00:00.001Z");
    let err = verify(&serde_json::to_vec(&tampered).unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );

    let other = Signature::new(PARTNER_ID, "another-key").unwrap();
    let err = verify(&signed_at(&other, &result(), NOW)).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::Mismatch,
                ..
            }
        ),
        "{err:?}"
    );

    let mut unsigned = result();
    unsigned["timestamp"] = json!(NOW);
    let err = verify(&serde_json::to_vec(&unsigned).unwrap()).unwrap_err();
    assert!(
        matches!(
            err,
            Error::SignatureMismatch {
                reason: SignatureFailure::MissingSignature,
                ..
            }
        ),
        "{err:?}"
    );
}

#[test]
fn stale_and_future_callbacks_are_rejected_at_tolerance_plus_one_second() {
    let s = signer();
    // Default tolerance: 5 minutes either way; exactly at it passes.
    for ok in [
        "2026-11-26T11:55:00.000Z",
        "2026-11-26T12:05:00.000Z",
        "2026-11-26T11:55:01Z",
        "2026-11-26T12:04:59Z",
    ] {
        verify(&signed_at(&s, &result(), ok)).unwrap();
    }
    for bad in ["2026-11-26T11:54:59.000Z", "2026-11-26T12:05:01.000Z"] {
        let err = verify(&signed_at(&s, &result(), bad)).unwrap_err();
        let Error::TimestampOutOfTolerance { skew, .. } = err else {
            panic!("{err:?}")
        };
        assert_eq!(skew.abs(), time::Duration::seconds(301));
    }
}

#[test]
fn a_custom_or_disabled_tolerance() {
    let strict = WebApi::builder(PARTNER_ID, API_KEY)
        .callback_tolerance(Some(Duration::from_secs(10)))
        .build()
        .unwrap();
    let body = signed_at(&signer(), &result(), "2026-11-26T11:59:49Z");
    assert!(matches!(
        strict.verify_callback_at(&body, at(NOW)),
        Err(Error::TimestampOutOfTolerance { .. })
    ));

    let lax = WebApi::builder(PARTNER_ID, API_KEY)
        .callback_tolerance(None)
        .build()
        .unwrap();
    assert_eq!(lax.config().callback_tolerance, None);
    let ancient = signed_at(&signer(), &result(), "2001-01-01T00:00:00Z");
    lax.verify_callback_at(&ancient, at(NOW)).unwrap();
    // The signature is still checked with the age check off.
    let forged = signed_at(&Signature::new(PARTNER_ID, "x").unwrap(), &result(), NOW);
    assert!(matches!(
        lax.verify_callback_at(&forged, at(NOW)),
        Err(Error::SignatureMismatch { .. })
    ));
}

#[test]
fn bad_bodies_are_typed_errors() {
    for (body, what) in [
        (&b"not json"[..], "Decode"),
        (b"", "Decode"),
        (b"[]", "Decode"),
        (b"\"text\"", "Decode"),
        (b"null", "Decode"),
        (b"{\"ResultCode\":", "Decode"),
        (b"{}", "SignatureMismatch"),
    ] {
        let err = verify(body).unwrap_err();
        assert!(format!("{err:?}").starts_with(what), "{body:?}: {err:?}");
    }
    let mut unreadable_time = result();
    let signed = signer().sign_timestamp("yesterday");
    unreadable_time["timestamp"] = json!(signed.timestamp);
    unreadable_time["signature"] = json!(signed.signature);
    let err = verify(&serde_json::to_vec(&unreadable_time).unwrap()).unwrap_err();
    assert!(matches!(err, Error::InvalidTimestamp { .. }), "{err:?}");
}

#[test]
fn a_1_5_mb_callback_with_photos_is_verified() {
    let mut payload = result();
    let photo = "iVBORw0KGgo".repeat(70_000); // ~770 KB of base64 each
    payload["Photo"] = json!(photo);
    payload["Document"] = json!(photo);
    let body = signed_at(&signer(), &payload, NOW);
    assert!(body.len() > 1_500_000, "{}", body.len());
    let callback = verify(&body).unwrap();
    assert_eq!(
        callback.result.extra.get_str("Photo").unwrap().len(),
        photo.len()
    );
    // Debug output stays short even so.
    assert!(format!("{callback:?}").len() < 10_000);
}

#[test]
fn callbacks_over_the_size_cap_are_refused_unread() {
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .max_response_bytes(100)
        .build()
        .unwrap();
    let body = signed_at(&signer(), &result(), NOW);
    assert!(matches!(
        api.verify_callback_at(&body, at(NOW)),
        Err(Error::ResponseTooLarge { limit: 100, .. })
    ));
}
