//! Memory spent judging hostile bodies, measured with a counting allocator:
//! a body that fails authentication costs at most 64 KiB beyond itself; any
//! body, authentic or not, at most four times its length plus 64 KiB.
//!
//! Counted is every byte allocated while judging (reallocations count their
//! new size), which bounds the peak too. The tests in this binary run one at
//! a time (a lock), since the counter is global.
#![cfg(test)]
// so clippy.toml's allow-*-in-tests cover the helpers too
// A counting global allocator needs `unsafe impl GlobalAlloc`.
#![allow(unsafe_code)]

#[path = "it/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use common::fault_server::{Behaviour, FaultServer};
use common::{API_KEY, PARTNER_ID};
use smile_id::testing::{complete_result, job_status_json, sign_json};
use smile_id::{Error, JobStatusOptions, PartnerParams, WebApi};

struct Counting;

static COUNTING: AtomicBool = AtomicBool::new(false);
static ALLOCATED: AtomicUsize = AtomicUsize::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator; the
// counters are atomics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATED.fetch_add(layout.size(), Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
        }
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const KIB: usize = 1024;

/// Bytes allocated (on any thread) while `f` runs, and its result.
fn allocated<T>(f: impl FnOnce() -> T) -> (usize, T) {
    ALLOCATED.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    (ALLOCATED.load(Ordering::SeqCst), out)
}

fn api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

fn signed(json: &str) -> Vec<u8> {
    sign_json(api().signature(), json, time::Duration::ZERO)
        .unwrap()
        .into_bytes()
}

/// `{"history":[{},{},...]}` of about `len` bytes, unsigned.
fn empty_history(len: usize) -> String {
    let mut body = String::with_capacity(len + 16);
    body.push_str(r#"{"job_complete":false,"history":["#);
    while body.len() < len {
        body.push_str("{},");
    }
    body.push_str("{}]}");
    body
}

/// `{"a":1,"a":1,...}` with `n` keys.
fn duplicate_keys(n: usize) -> String {
    let mut body = String::with_capacity(n * 6 + 2);
    body.push('{');
    for _ in 0..n {
        body.push_str(r#""a":1,"#);
    }
    body.push_str(r#""b":1}"#);
    body
}

/// Judges `body` as a job status and as a callback; returns the larger cost.
fn cost(body: &[u8]) -> (usize, Result<(), Error>) {
    let api = api();
    let (status_cost, status) = allocated(|| api.verify_job_status(body, &job()).map(drop));
    let (callback_cost, _) = allocated(|| api.verify_callback(body).map(drop));
    (status_cost.max(callback_cost), status)
}

#[track_caller]
fn assert_unauthenticated_is_cheap(body: &[u8]) {
    let (bytes, outcome) = cost(body);
    assert!(outcome.is_err(), "an unsigned body was accepted");
    assert!(
        bytes <= 64 * KIB,
        "rejecting an unsigned {} byte body allocated {bytes} bytes",
        body.len()
    );
}

#[track_caller]
fn assert_within_four_times(body: &[u8]) -> Result<(), Error> {
    let (bytes, outcome) = cost(body);
    assert!(
        bytes <= 4 * body.len() + 64 * KIB,
        "judging a {} byte body allocated {bytes} bytes ({:.1}x)",
        body.len(),
        bytes as f64 / body.len() as f64
    );
    outcome
}

#[test]
fn unsigned_bodies_are_rejected_without_allocating() {
    let _one = ONE_AT_A_TIME.lock();
    assert_unauthenticated_is_cheap(empty_history(6_000_000).as_bytes());
    assert_unauthenticated_is_cheap(duplicate_keys(1_000_000).as_bytes());
    assert_unauthenticated_is_cheap(format!("[{}0]", "0,".repeat(1_000_000)).as_bytes());
    assert_unauthenticated_is_cheap(format!("{{\"a\":{}", "[".repeat(1_000_000)).as_bytes());
    // Escaped strings are skipped, not unescaped.
    let escaped = format!(r#"{{"a":"{}","b":1}}"#, r"\n".repeat(1_000_000));
    assert_unauthenticated_is_cheap(escaped.as_bytes());
    // A bad signature next to a large body.
    let forged = format!(
        r#"{{"timestamp":"2026-11-26T12:00:00.000Z","signature":"{}","history":[{}{{}}]}}"#,
        "A".repeat(43) + "=",
        "{},".repeat(1_000_000)
    );
    assert_unauthenticated_is_cheap(forged.as_bytes());
    // An escaped timestamp of megabytes is refused before it is unescaped.
    let long_ts = format!(
        r#"{{"timestamp":"{}","signature":"x"}}"#,
        r"\u0030".repeat(1_000_000)
    );
    assert_unauthenticated_is_cheap(long_ts.as_bytes());
}

#[test]
fn signed_bodies_cost_at_most_four_times_their_length() {
    let _one = ONE_AT_A_TIME.lock();
    // The realistic large body: a 1,000-entry history (about 785 KB).
    let history = signed(&job_status_json("user-1", "job-1", 1000));
    assert!(history.len() > 700_000);
    assert_within_four_times(&history).unwrap();

    // Tiny JSON that would decode into large structures is refused once it
    // passes the budget, and costs no more than the bound either way.
    for body in [
        empty_history(1_000_000),
        empty_history(10_000),
        duplicate_keys(1_000_000),
        format!(
            r#"{{"job_complete":false,"result":{{"ResultText":[{}[]]}}}}"#,
            "[],".repeat(300_000)
        ),
        format!(
            r#"{{"job_complete":false,"result":{{"ResultText":"{}"}}}}"#,
            r"\n".repeat(1_000_000)
        ),
        format!(
            r#"{{"job_complete":false,"result":{{"Actions":{{{}"z":"x"}}}}}}"#,
            r#""a":"b","#.repeat(200_000)
        ),
    ] {
        let body = signed(&body);
        let _ = assert_within_four_times(&body);
    }
    let refused = assert_within_four_times(&signed(&empty_history(1_000_000))).unwrap_err();
    assert!(
        matches!(&refused, Error::Decode { reason, .. } if reason.contains("3.5 times its length")),
        "{refused}"
    );

    // A callback of a typical size.
    let callback = signed(&complete_result("user-1", "job-1"));
    let (bytes, verified) = allocated(|| api().verify_callback(&callback).map(drop));
    verified.unwrap();
    assert!(bytes <= 4 * callback.len() + 64 * KIB, "{bytes}");
}

#[test]
fn error_bodies_are_read_without_building_a_tree() {
    let _one = ONE_AT_A_TIME.lock();
    let len = 2_000_000;
    let json = format!("[{}0]", "0,".repeat(len / 2));
    let text = "x".repeat(json.len());
    let server = FaultServer::start(vec![
        Behaviour::json(400, json.clone()),
        Behaviour::json(400, text),
    ]);
    let api = WebApi::builder(PARTNER_ID, API_KEY)
        .server(server.url())
        .max_retries(0)
        .build()
        .unwrap();
    let call = || {
        api.get_job_status(&job(), &JobStatusOptions::default())
            .unwrap_err()
    };
    let (json_cost, err) = allocated(call);
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err:?}");
    let (text_cost, err) = allocated(call);
    assert!(matches!(err, Error::Http { status: 400, .. }), "{err:?}");
    // Reading the JSON costs no more than reading plain text of the same size.
    assert!(
        json_cost <= text_cost + 64 * KIB,
        "a JSON error body cost {json_cost} bytes, plain text {text_cost}"
    );
}
