//! The request signatures a process issued, remembered so that one coming
//! back as an answer's signature is refused as reflected.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use ring::hmac;

use super::Tag;

/// The most request signatures a client remembers, to refuse them when they
/// come back as a callback or a response's signature.
pub(crate) const ISSUED_SIGNATURES_KEPT: usize = 4096;

/// The request signatures a signer issued most recently (at most
/// [`ISSUED_SIGNATURES_KEPT`], the oldest dropped first), kept as raw tags.
///
/// A response or callback signature is computed exactly like a request
/// signature, so anything that saw a request (a proxy, a log line) could
/// send its `timestamp` and `signature` back with a body of its choosing.
///
/// Recording is a push onto the back (and a pop from the front once full),
/// which every request pays. Looking up is a scan, paid only by answers
/// whose timestamp has the form of a request's (see
/// [`Signature::check_answer`]), which genuine answers do not have.
///
/// [`Signature::check_answer`]: super::Signature::check_answer
#[derive(Default)]
pub(crate) struct IssuedSignatures {
    recent: Mutex<VecDeque<Tag>>,
}

impl IssuedSignatures {
    /// The memory every signer for these credentials in this process shares,
    /// so that a request made through one client is recognised by another
    /// (a poller and a callback handler built separately, say). Found by an
    /// HMAC of the partner id under the key: neither is kept.
    pub(super) fn shared(partner_id: &str, key: &hmac::Key) -> Arc<Self> {
        type Registry = HashMap<Tag, Weak<IssuedSignatures>>;
        static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
        let label = [
            b"smile-id issued signatures for ".as_slice(),
            partner_id.as_bytes(),
        ]
        .concat();
        let id = super::tag_bytes(&hmac::sign(key, &label));
        let mut registry = REGISTRY
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = registry.get(&id).and_then(Weak::upgrade) {
            return shared;
        }
        registry.retain(|_, memory| memory.strong_count() > 0);
        let fresh = Arc::<IssuedSignatures>::default();
        registry.insert(id, Arc::downgrade(&fresh));
        fresh
    }

    pub(super) fn record(&self, tag: Tag) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        if recent.len() >= ISSUED_SIGNATURES_KEPT {
            recent.pop_front();
        }
        recent.push_back(tag);
    }

    pub(super) fn contains(&self, tag: &Tag) -> bool {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.contains(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signature;

    /// Whether `signature` (base64) is one `signer` made for a request.
    fn issued(signer: &Signature, signature: &str) -> bool {
        super::super::decode(signature).is_ok_and(|tag| signer.issued.contains(&tag))
    }

    #[test]
    fn request_signatures_are_remembered_and_bounded() {
        let signer = Signature::new("1", "k").unwrap();
        let first = signer.generate_signature();
        assert!(issued(&signer, &first.signature));
        assert!(issued(&signer.clone(), &first.signature), "clones share it");
        let again = Signature::new("1", "k").unwrap();
        assert!(
            issued(&again, &first.signature),
            "so do signers for the same credentials"
        );
        assert!(!issued(
            &Signature::new("1", "other").unwrap(),
            &first.signature
        ));
        assert!(!issued(
            &Signature::new("01", "k").unwrap(),
            &first.signature
        ));
        let given = signer.sign_timestamp("2026-11-26T12:32:04.622Z");
        assert!(
            !issued(&signer, &given.signature),
            "only requests are remembered"
        );
        for n in 0..ISSUED_SIGNATURES_KEPT {
            let mut tag: Tag = std::array::from_fn(|i| i as u8);
            tag[..2].copy_from_slice(&(n as u16).to_le_bytes());
            tag[2] = 0xff;
            signer.issued.record(tag);
        }
        assert!(!issued(&signer, &first.signature), "the oldest is dropped");
        assert!(!issued(&signer, "not base64"));
    }
}
