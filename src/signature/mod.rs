//! Request signing and the signature checks responses and callbacks are
//! judged by (HMAC-SHA256).

use std::fmt;
use std::sync::Arc;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use ring::hmac;
use time::OffsetDateTime;

use crate::Error;

mod issued;
mod timestamp;

use issued::IssuedSignatures;
#[cfg(any(test, feature = "testing"))]
pub(crate) use timestamp::format_timestamp;
use timestamp::{REQUEST_TIMESTAMP_LEN, request_timestamp};

/// The fixed suffix of every signed message.
const SUFFIX: &[u8] = b"sid_request";

/// An HMAC-SHA256 tag: a signature's raw 32 bytes.
type Tag = [u8; 32];

/// Signs requests and checks signatures for one partner id and API key.
///
/// The signature is `base64(HMAC-SHA256(api_key, timestamp + partner_id + "sid_request"))`,
/// as in Smile ID's official SDKs. Responses and callbacks are signed the same
/// way, so the same value checks them.
///
/// The HMAC key is prepared once, in [`Signature::new`]; the API key string
/// itself is not kept, and `Debug` shows `[redacted]` in its place.
///
/// ```
/// use smile_id::Signature;
///
/// let signer = Signature::new("125", "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d")?;
/// let params = signer.sign_timestamp("2026-11-26T12:32:04.622Z");
/// assert_eq!(params.signature, "Q5IIffa8EPKwev8tq4+BaJosyG+KKeoMQIdFHP/yBqQ=");
/// assert!(signer.confirm_signature(&params.timestamp, &params.signature));
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone)]
pub struct Signature {
    partner_id: String,
    key: hmac::Key,
    /// What signers for these credentials signed for requests (shared across
    /// the process), to refuse it when it comes back as a response's or
    /// callback's signature.
    issued: Arc<IssuedSignatures>,
}

/// A timestamp and the signature made over it, as sent in a request.
///
/// The signature is a credential for its timestamp (Smile ID would accept it
/// on any request, and it is what a response or callback carries), so
/// `Debug` shows `[redacted]` in its place.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct SignatureParams {
    /// The base64 HMAC (44 characters).
    pub signature: String,
    /// The exact timestamp string that was signed.
    pub timestamp: String,
}

impl fmt::Debug for SignatureParams {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SignatureParams")
            .field("signature", &format_args!("[redacted]"))
            .field("timestamp", &self.timestamp)
            .finish()
    }
}

/// Refuses a partner id or API key (named `field`) that cannot be one:
/// empty, or with surrounding white space, control characters or a
/// byte-order mark, never part of a real one but what copying or reading a
/// file can leave, which would sign every request wrongly (a 401 or a 2205
/// far from its cause). The message never repeats the value.
pub(crate) fn validate(field: &'static str, value: &str) -> Result<(), Error> {
    if value.is_empty() {
        return Err(Error::invalid_input(field, "must not be empty"));
    }
    if value.trim() != value || value.chars().any(|c| c.is_control() || c == '\u{feff}') {
        return Err(Error::invalid_input(
            field,
            "must not have surrounding white space, control characters or a byte-order mark (read from a file?)",
        ));
    }
    Ok(())
}

impl Signature {
    /// Prepares a signer for `partner_id` and `api_key`.
    ///
    /// `partner_id` is used exactly as given: `"002"` and `"2"` sign differently.
    /// The API key's UTF-8 bytes are the HMAC key.
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] when either argument is empty or has
    /// surrounding white space, control characters or a byte-order mark.
    pub fn new(partner_id: &str, api_key: &str) -> Result<Self, Error> {
        validate("partner_id", partner_id)?;
        validate("api_key", api_key)?;
        let key = hmac::Key::new(hmac::HMAC_SHA256, api_key.as_bytes());
        Ok(Signature {
            issued: IssuedSignatures::shared(partner_id, &key),
            partner_id: partner_id.to_owned(),
            key,
        })
    }

    /// The partner id this signer signs for.
    pub fn partner_id(&self) -> &str {
        &self.partner_id
    }

    /// Signs the current time for a request, as the official SDKs'
    /// `generate_signature()` does, and remembers the signature.
    ///
    /// The time is formatted as ISO 8601 UTC with microseconds,
    /// `YYYY-MM-DDTHH:MM:SS.ffffffZ` (Smile ID signs and checks the exact
    /// string it is sent, whatever its precision; official SDKs send
    /// microseconds too). Smile ID's own answers carry milliseconds, so a
    /// genuine answer never repeats a request's timestamp by chance. The
    /// signature is remembered (the last 4,096 made in this process for
    /// these credentials), and a response or callback that carries it is
    /// refused as
    /// [`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected).
    ///
    /// ```
    /// # let signer = smile_id::Signature::new("002", "key")?;
    /// let params = signer.generate_signature();
    /// assert_eq!(params.timestamp.len(), "2026-11-26T12:32:04.622123Z".len());
    /// assert!(params.timestamp.ends_with('Z'));
    /// assert_eq!(params.signature.len(), 44);
    /// # Ok::<(), smile_id::Error>(())
    /// ```
    #[must_use]
    pub fn generate_signature(&self) -> SignatureParams {
        let timestamp = request_timestamp(OffsetDateTime::now_utc());
        let tag = self.tag(&timestamp);
        self.issued.record(tag);
        SignatureParams {
            signature: STANDARD.encode(tag),
            timestamp,
        }
    }

    /// Signs `timestamp` exactly as given, and does not remember it: what
    /// the official SDKs' `generate_signature(timestamp)` does, and how a
    /// test server signs its answers.
    #[must_use]
    pub fn sign_timestamp(&self, timestamp: &str) -> SignatureParams {
        SignatureParams {
            signature: STANDARD.encode(self.tag(timestamp)),
            timestamp: timestamp.to_owned(),
        }
    }

    /// Whether `signature` was made with this partner id and API key over
    /// exactly `timestamp`.
    ///
    /// The comparison takes constant time. A signature that is not standard,
    /// padded base64 of 32 bytes is simply not confirmed.
    #[must_use = "a signature check whose result is ignored checks nothing"]
    pub fn confirm_signature(&self, timestamp: &str, signature: &str) -> bool {
        self.verify(timestamp, signature).is_ok()
    }

    /// [`confirm_signature`](Self::confirm_signature), saying why it failed,
    /// then that the signature is not one this signer made for a request
    /// ([`SignatureFailure::Reflected`](crate::SignatureFailure::Reflected)):
    /// how responses and callbacks are authenticated.
    pub(crate) fn check_answer(
        &self,
        timestamp: &str,
        signature: &str,
    ) -> Result<(), crate::SignatureFailure> {
        let tag = self.verify(timestamp, signature)?;
        // Every remembered tag signs a request timestamp, and those all have
        // one length: an answer whose timestamp has another cannot carry one
        // (Smile ID's have milliseconds, requests' microseconds).
        if timestamp.len() == REQUEST_TIMESTAMP_LEN && self.issued.contains(&tag) {
            return Err(crate::SignatureFailure::Reflected);
        }
        Ok(())
    }

    /// Checks `signature` over `timestamp` in constant time and returns its
    /// decoded tag.
    fn verify(&self, timestamp: &str, signature: &str) -> Result<Tag, crate::SignatureFailure> {
        let tag = decode(signature)?;
        hmac::verify(&self.key, &self.message(timestamp), &tag)
            .map_err(|_| crate::SignatureFailure::Mismatch)?;
        Ok(tag)
    }

    /// The signed message: `timestamp + partner_id + "sid_request"`.
    fn message(&self, timestamp: &str) -> Vec<u8> {
        [timestamp.as_bytes(), self.partner_id.as_bytes(), SUFFIX].concat()
    }

    /// The raw HMAC over `timestamp`.
    fn tag(&self, timestamp: &str) -> Tag {
        tag_bytes(&hmac::sign(&self.key, &self.message(timestamp)))
    }
}

/// An HMAC-SHA256 tag's bytes.
fn tag_bytes(tag: &hmac::Tag) -> Tag {
    // An HMAC-SHA256 tag is always 32 bytes: `ring` fixes its length by the
    // algorithm, whatever was signed.
    #[allow(clippy::expect_used)]
    Tag::try_from(tag.as_ref()).expect("an HMAC-SHA256 tag is 32 bytes")
}

/// A signature's 32 bytes: standard, padded base64 of 44 characters, or
/// malformed. Decoding into a fixed buffer keeps this allocation-free.
fn decode(signature: &str) -> Result<Tag, crate::SignatureFailure> {
    let mut tag: Tag = [0; 32];
    match STANDARD.decode_slice(signature, &mut tag) {
        Ok(32) if signature.len() == 44 => Ok(tag),
        _ => Err(crate::SignatureFailure::Malformed),
    }
}

impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signature")
            .field("partner_id", &self.partner_id)
            .field("api_key", &format_args!("[redacted]"))
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signatures_for_now_match_their_timestamp() {
        let signer = Signature::new("002", "key").unwrap();
        let mut distinct = std::collections::HashSet::new();
        let started = std::time::Instant::now();
        // Long enough to cross several clock ticks.
        while distinct.len() < 3 && started.elapsed() < std::time::Duration::from_secs(5) {
            let params = signer.generate_signature();
            assert_eq!(params, signer.sign_timestamp(&params.timestamp));
            assert!(signer.confirm_signature(&params.timestamp, &params.signature));
            distinct.insert(params.timestamp);
        }
        assert!(distinct.len() >= 3);
        // A clone signs alike.
        let params = signer.clone().generate_signature();
        assert!(signer.confirm_signature(&params.timestamp, &params.signature));
    }

    #[derive(serde::Deserialize)]
    struct Vectors {
        vectors: Vec<Vector>,
    }

    #[derive(serde::Deserialize)]
    struct Vector {
        name: String,
        partner_id: String,
        api_key: String,
        timestamp: String,
        signature: String,
    }

    fn vectors() -> Vec<Vector> {
        let text = include_str!("../../fixtures/signature_vectors.json");
        serde_json::from_str::<Vectors>(text).unwrap().vectors
    }

    #[test]
    fn official_sdk_vectors_sign_and_confirm() {
        let vectors = vectors();
        assert!(vectors.len() >= 8);
        for v in vectors {
            let signer = Signature::new(&v.partner_id, &v.api_key).unwrap();
            let params = signer.sign_timestamp(&v.timestamp);
            assert_eq!(params.signature, v.signature, "vector {}", v.name);
            assert_eq!(params.timestamp, v.timestamp);
            assert!(
                signer.confirm_signature(&v.timestamp, &v.signature),
                "vector {}",
                v.name
            );
        }
    }

    #[test]
    fn leading_zeros_matter() {
        let a = Signature::new("002", "k").unwrap();
        let b = Signature::new("2", "k").unwrap();
        let ts = "2026-11-26T12:32:04.622Z";
        assert_ne!(
            a.sign_timestamp(ts).signature,
            b.sign_timestamp(ts).signature
        );
    }

    #[test]
    fn rejects_wrong_or_malformed_signatures() {
        let signer = Signature::new("125", "key").unwrap();
        let ts = "2026-11-26T12:32:04.622Z";
        let good = signer.sign_timestamp(ts).signature;
        assert!(signer.confirm_signature(ts, &good));
        assert!(!signer.confirm_signature("2026-11-26T12:32:04.623Z", &good));
        assert!(!signer.confirm_signature(ts, ""));
        assert!(!signer.confirm_signature(ts, &good[..43]));
        assert!(!signer.confirm_signature(ts, &format!("{good}=")));
        assert!(!signer.confirm_signature(ts, &good.replace('=', "A")));
        assert!(!signer.confirm_signature(ts, "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!="));
        let other = Signature::new("125", "other key").unwrap();
        assert!(!other.confirm_signature(ts, &good));
        assert_eq!(
            signer.verify(ts, "not base64").err(),
            Some(crate::SignatureFailure::Malformed)
        );
        assert_eq!(
            other.verify(ts, &good).err(),
            Some(crate::SignatureFailure::Mismatch)
        );
    }

    #[test]
    fn flipping_any_bit_of_the_signature_fails() {
        let signer = Signature::new("125", "key").unwrap();
        let ts = "2026-11-26T12:32:04.622Z";
        let good = STANDARD
            .decode(signer.sign_timestamp(ts).signature)
            .unwrap();
        for i in 0..good.len() * 8 {
            let mut bad = good.clone();
            bad[i / 8] ^= 1 << (i % 8);
            assert!(
                !signer.confirm_signature(ts, &STANDARD.encode(&bad)),
                "bit {i}"
            );
        }
    }

    #[test]
    fn empty_inputs_rejected() {
        assert!(matches!(
            Signature::new("", "k"),
            Err(Error::InvalidInput {
                field: "partner_id",
                ..
            })
        ));
        assert!(matches!(
            Signature::new("002", ""),
            Err(Error::InvalidInput {
                field: "api_key",
                ..
            })
        ));
        assert!(Signature::new(" 002", "k").is_err());
        assert!(Signature::new("00\n2", "k").is_err());
        for key in [
            "secret-key\n",
            " secret-key",
            "   ",
            "secret\0key",
            "secret-key\r\n",
            "\u{feff}secret-key",
        ] {
            let err = Signature::new("002", key).unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "api_key",
                        ..
                    }
                ),
                "{key:?}"
            );
            assert!(!err.to_string().contains("secret"), "{err}");
        }
    }

    #[test]
    fn debug_redacts_the_key() {
        let signer = Signature::new("002", "super-secret-api-key").unwrap();
        let debug = format!("{signer:?}");
        assert!(!debug.contains("super-secret-api-key"), "{debug}");
        assert!(debug.contains("[redacted]"));
        assert!(debug.contains("002"));
    }
}
