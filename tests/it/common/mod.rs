//! Helpers shared by the integration tests.
#![allow(dead_code)] // Each test binary uses only part of it.

pub mod fault_server;
/// The simulator's HTTP server, compiled here too: the crate keeps it private.
#[path = "../../../src/testing/http.rs"]
pub mod http;

use std::path::PathBuf;

use serde_json::Value;
use smile_id::testing::Simulator;
use smile_id::{Signature, WebApi};

pub const PARTNER_ID: &str = "002";
pub const API_KEY: &str = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";

pub fn fixture_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn fixture(name: &str) -> String {
    std::fs::read_to_string(fixture_path(name)).unwrap()
}

pub fn fixture_json(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap()
}

/// A simulator and a client that talks to it with the same credentials.
pub fn sim_and_api() -> (Simulator, WebApi) {
    let sim = Simulator::start(PARTNER_ID, API_KEY).unwrap();
    let api = WebApi::new(PARTNER_ID, "", API_KEY, sim.server()).unwrap();
    (sim, api)
}

pub fn signer() -> Signature {
    Signature::new(PARTNER_ID, API_KEY).unwrap()
}

/// `body` with `timestamp` and `signature` set, signed by `signer` at `timestamp`.
pub fn signed_at(signer: &Signature, body: &Value, timestamp: &str) -> Vec<u8> {
    let mut body = body.clone();
    let params = signer.sign_timestamp(timestamp);
    body["timestamp"] = Value::String(params.timestamp);
    body["signature"] = Value::String(params.signature);
    serde_json::to_vec(&body).unwrap()
}

pub fn at(rfc3339: &str) -> time::OffsetDateTime {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339).unwrap()
}

/// The `signature` of every request the simulator received, oldest first.
pub fn request_signatures(sim: &Simulator) -> Vec<String> {
    sim.requests()
        .iter()
        .map(|r| {
            let body: Value = serde_json::from_slice(&r.body).unwrap();
            body["signature"].as_str().unwrap().to_owned()
        })
        .collect()
}
