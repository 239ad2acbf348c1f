//! The crate's own per-call work, each next to its baseline:
//! signing and confirming next to a bare `ring` HMAC, request serialising, and
//! judging + decoding a response next to `serde_json::from_slice::<Value>` of
//! the same bytes.
//!
//! ```text
//! cargo bench --bench judge
//! ```
// Set-up failures should stop the benchmark loudly (Cargo.toml's [lints]
// deny unwrap for library code).
#![allow(clippy::unwrap_used)]

use std::hint::black_box;

use ring::hmac;
use smile_id::testing::{job_status_json, sign_json};
use smile_id::{PartnerParams, Signature, WebApi};

fn main() {
    divan::main();
}

const PARTNER_ID: &str = "002";
const API_KEY: &str = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
const TIMESTAMP: &str = "2026-11-26T12:32:04.622Z";

fn api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

fn job() -> PartnerParams {
    PartnerParams::new("bench-user", "bench-job")
}

/// A signed response body with `entries` history entries.
fn body(entries: usize) -> Vec<u8> {
    let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
    sign_json(
        &signer,
        &job_status_json("bench-user", "bench-job", entries),
        time::Duration::ZERO,
    )
    .unwrap()
    .into_bytes()
}

mod signature {
    use super::*;

    #[divan::bench]
    fn baseline_ring_hmac(bencher: divan::Bencher) {
        let key = hmac::Key::new(hmac::HMAC_SHA256, API_KEY.as_bytes());
        let message = format!("{TIMESTAMP}{PARTNER_ID}sid_request");
        bencher.bench(|| hmac::sign(&key, black_box(message.as_bytes())));
    }

    #[divan::bench]
    fn generate(bencher: divan::Bencher) {
        let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
        bencher.bench(|| signer.sign_timestamp(black_box(TIMESTAMP)));
    }

    #[divan::bench]
    fn generate_now(bencher: divan::Bencher) {
        let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
        bencher.bench(|| signer.generate_signature());
    }

    #[divan::bench]
    fn confirm(bencher: divan::Bencher) {
        let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
        let signature = signer.sign_timestamp(TIMESTAMP).signature;
        bencher.bench(|| signer.confirm_signature(black_box(TIMESTAMP), black_box(&signature)));
    }
}

mod request {
    use super::*;

    /// The request body as `get_job_status` builds it: a fresh timestamp and
    /// signature, serialised.
    #[divan::bench]
    fn sign_and_serialise(bencher: divan::Bencher) {
        let api = api();
        let job = job();
        let options = smile_id::JobStatusOptions::default();
        bencher.bench(|| api.job_status_request(black_box(&job), &options).unwrap());
    }
}

mod response {
    use super::*;

    /// The bodies judged: the seed response (a completed enrolment with a
    /// one-entry history and image links, from `fixtures/`) and generated
    /// responses with 0 and 1,000 history entries (785 KB).
    const CASES: [&str; 3] = ["seed", "history_0", "history_1000"];

    fn case(name: &str) -> (Vec<u8>, PartnerParams) {
        match name {
            "seed" => {
                let seed = include_str!("../fixtures/job_status_complete.json");
                let signer = Signature::new(PARTNER_ID, API_KEY).unwrap();
                let body = sign_json(&signer, seed, time::Duration::ZERO)
                    .unwrap()
                    .into_bytes();
                let job = PartnerParams::new(
                    "e54e0e98-8b8c-4215-89f5-7f9ea42bf650",
                    "52d0de86-be3b-4219-9e96-8195b0018944",
                );
                (body, job)
            }
            "history_0" => (body(0), job()),
            _ => (body(1000), job()),
        }
    }

    #[divan::bench(args = CASES)]
    fn baseline_value_parse(bencher: divan::Bencher, name: &str) {
        let (body, _) = case(name);
        bencher
            .counter(divan::counter::BytesCount::of_slice(&body))
            .bench(|| serde_json::from_slice::<serde_json::Value>(black_box(&body)).unwrap());
    }

    #[divan::bench(args = CASES)]
    fn judge_and_decode(bencher: divan::Bencher, name: &str) {
        let (body, job) = case(name);
        let api = api();
        bencher
            .counter(divan::counter::BytesCount::of_slice(&body))
            .bench(|| api.verify_job_status(black_box(&body), &job).unwrap());
    }
}
