//! The request signatures a process issued, remembered so that one coming
//! back as an answer's signature is refused as reflected.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError, Weak};

use ring::hmac;

use super::{TAG_LEN, Tag};

/// The most request signatures a client remembers, to refuse them when they
/// come back as a callback or a response's signature.
pub(crate) const ISSUED_SIGNATURES_KEPT: usize = 4096;

/// The request signatures a signer issued most recently (at most
/// [`ISSUED_SIGNATURES_KEPT`], the oldest dropped first), kept as raw tags.
///
/// A response or callback signature is computed exactly like a request
/// signature, so anything that saw a request (a proxy, a log line) could
/// send its `timestamp` and `signature` back with a body of its choosing.
pub(crate) struct IssuedSignatures {
    recent: Mutex<Recent>,
}

/// A ring of the last tags issued, oldest overwritten first. Recording is
/// one write next to the last one, whatever the ring holds: every request
/// pays it. Looking up is a scan, paid only by answers whose timestamp has
/// the form of a request's (see [`Signature::check_answer`]), which genuine
/// answers do not have.
///
/// [`Signature::check_answer`]: super::Signature::check_answer
#[derive(Default)]
struct Recent {
    tags: Vec<Tag>,
    /// Where the next tag goes once the ring is full.
    next: usize,
}

impl IssuedSignatures {
    /// The memory every signer for these credentials in this process shares,
    /// so that a request made through one client is recognised by another
    /// (a poller and a callback handler built separately, say). Found by an
    /// HMAC of the partner id under the key: neither is kept.
    pub(super) fn shared(partner_id: &str, key: &hmac::Key) -> Arc<Self> {
        type Registry = HashMap<Tag, Weak<IssuedSignatures>>;
        static REGISTRY: OnceLock<Mutex<Registry>> = OnceLock::new();
        let mut id = [0u8; TAG_LEN];
        let mut context = hmac::Context::with_key(key);
        context.update(b"smile-id issued signatures for ");
        context.update(partner_id.as_bytes());
        for (out, byte) in id.iter_mut().zip(context.sign().as_ref()) {
            *out = *byte;
        }
        let mut registry = REGISTRY
            .get_or_init(Mutex::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(shared) = registry.get(&id).and_then(Weak::upgrade) {
            return shared;
        }
        registry.retain(|_, memory| memory.strong_count() > 0);
        let fresh = Arc::new(IssuedSignatures {
            recent: Mutex::new(Recent::default()),
        });
        registry.insert(id, Arc::downgrade(&fresh));
        fresh
    }

    pub(super) fn record(&self, tag: Tag) {
        let mut recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        let next = recent.next;
        match recent.tags.get_mut(next) {
            Some(oldest) => *oldest = tag,
            None => recent.tags.push(tag),
        }
        recent.next = (next + 1) % ISSUED_SIGNATURES_KEPT;
    }

    pub(super) fn contains(&self, tag: &Tag) -> bool {
        let recent = self.recent.lock().unwrap_or_else(PoisonError::into_inner);
        recent.tags.contains(tag)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signature;

    #[test]
    fn request_signatures_are_remembered_and_bounded() {
        let signer = Signature::new("1", "k").unwrap();
        let first = signer.generate_signature();
        assert!(signer.issued(&first.signature));
        assert!(signer.clone().issued(&first.signature), "clones share it");
        let again = Signature::new("1", "k").unwrap();
        assert!(
            again.issued(&first.signature),
            "so do signers for the same credentials"
        );
        assert!(
            !Signature::new("1", "other")
                .unwrap()
                .issued(&first.signature)
        );
        assert!(!Signature::new("01", "k").unwrap().issued(&first.signature));
        let given = signer.sign_timestamp("2026-11-26T12:32:04.622Z");
        assert!(
            !signer.issued(&given.signature),
            "only requests are remembered"
        );
        for n in 0..ISSUED_SIGNATURES_KEPT {
            let mut tag: Tag = std::array::from_fn(|i| i as u8);
            tag[..2].copy_from_slice(&(n as u16).to_le_bytes());
            tag[2] = 0xff;
            signer.issued.record(tag);
        }
        assert!(!signer.issued(&first.signature), "the oldest is dropped");
        assert!(!signer.issued("not base64"));
    }
}
