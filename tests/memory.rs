//! Memory spent judging hostile bodies, measured with a counting allocator:
//! a body that fails authentication costs at most 64 KiB beyond itself
//! (counted: every byte allocated while judging, reallocations at their new
//! size, which bounds the peak too); an authentic body at most the worst case
//! documented on `WebApiBuilder::max_response_bytes` (counted: the peak of
//! what is held at once). The tests in this binary run one at a time (a
//! lock), since the counters are global.
#![cfg(test)]
// so clippy.toml's allow-*-in-tests cover the helpers too
// A counting global allocator needs `unsafe impl GlobalAlloc`.
#![allow(unsafe_code)]

#[path = "it/common/mod.rs"]
mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicIsize, AtomicUsize, Ordering};

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
            held(layout.size() as isize);
        }
        // SAFETY: forwarded with the caller's layout.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if COUNTING.load(Ordering::Relaxed) {
            held(-(layout.size() as isize));
        }
        // SAFETY: forwarded with the caller's pointer and layout.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if COUNTING.load(Ordering::Relaxed) {
            ALLOCATED.fetch_add(new_size, Ordering::Relaxed);
            held(new_size as isize - layout.size() as isize);
        }
        // SAFETY: forwarded with the caller's pointer, layout and size.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What is held now and the most held since counting began (what was
/// allocated before and freed while counting makes it lower, never higher).
static HELD: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn held(change: isize) {
    let now = HELD.fetch_add(change, Ordering::Relaxed) + change;
    PEAK.fetch_max(now, Ordering::Relaxed);
}

#[global_allocator]
static GLOBAL: Counting = Counting;

static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

const KIB: usize = 1024;

/// Bytes allocated (on any thread) while `f` runs, and its result.
fn allocated<T>(f: impl FnOnce() -> T) -> (usize, T) {
    ALLOCATED.store(0, Ordering::SeqCst);
    HELD.store(0, Ordering::SeqCst);
    PEAK.store(0, Ordering::SeqCst);
    COUNTING.store(true, Ordering::SeqCst);
    let out = f();
    COUNTING.store(false, Ordering::SeqCst);
    (ALLOCATED.load(Ordering::SeqCst), out)
}

/// The most bytes held at once (on any thread) while `f` runs, and its result.
fn peak<T>(f: impl FnOnce() -> T) -> (usize, T) {
    let (_, out) = allocated(f);
    (PEAK.load(Ordering::SeqCst).max(0) as usize, out)
}

fn api() -> WebApi {
    WebApi::new(PARTNER_ID, "", API_KEY, 0).unwrap()
}

fn job() -> PartnerParams {
    PartnerParams::new("user-1", "job-1")
}

/// `json` (an object) with a fresh timestamp and signature put in front,
/// the rest of its text unchanged (repeated keys included).
fn signed(json: &str) -> Vec<u8> {
    let stamp = sign_json(api().signature(), "{}", time::Duration::ZERO).unwrap();
    let rest = json.strip_prefix('{').unwrap();
    let sep = if rest.starts_with('}') { "" } else { "," };
    format!("{}{sep}{rest}", stamp.strip_suffix('}').unwrap()).into_bytes()
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
fn allocated_cost(body: &[u8]) -> (usize, Result<(), Error>) {
    let api = api();
    let (status_cost, status) = allocated(|| api.verify_job_status(body, &job()).map(drop));
    let (callback_cost, _) = allocated(|| api.verify_callback(body).map(drop));
    (status_cost.max(callback_cost), status)
}

#[track_caller]
fn assert_unauthenticated_is_cheap(body: &[u8]) {
    let (bytes, outcome) = allocated_cost(body);
    assert!(outcome.is_err(), "an unsigned body was accepted");
    assert!(
        bytes <= 64 * KIB,
        "rejecting an unsigned {} byte body allocated {bytes} bytes",
        body.len()
    );
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

/// The worst case documented on `WebApiBuilder::max_response_bytes`: what
/// decoding an authentic body of `len` bytes may hold at once.
fn documented_worst_case(len: usize) -> usize {
    17 * len + 10_000 * 5 * KIB
}

/// Judges `body` as a job status and as a callback: the larger peak, and the
/// job status outcome.
fn peak_cost(body: &[u8]) -> (usize, Result<(), Error>) {
    let api = api();
    let (status_cost, status) = peak(|| api.verify_job_status(body, &job()).map(drop));
    let (callback_cost, _) = peak(|| api.verify_callback(body).map(drop));
    (status_cost.max(callback_cost), status)
}

#[track_caller]
fn assert_within_worst_case(body: &[u8]) -> Result<(), Error> {
    let (bytes, outcome) = peak_cost(body);
    println!(
        "{} bytes held {bytes} ({:.1}x)",
        body.len(),
        bytes as f64 / body.len() as f64
    );
    assert!(
        bytes <= documented_worst_case(body.len()),
        "judging a {} byte body held {bytes} bytes ({:.1}x)",
        body.len(),
        bytes as f64 / body.len() as f64
    );
    outcome
}

/// A pending status whose history holds `entries` copies of `entry`.
fn history_of(entry: &str, entries: usize) -> String {
    let mut body = String::from(r#"{"job_complete":false,"history":["#);
    for i in 0..entries {
        if i > 0 {
            body.push(',');
        }
        body.push_str(entry);
    }
    body.push_str("]}");
    body
}

/// `{"":0,"":0,...}` with `n` keys, each `value`.
fn many_keys(n: usize, value: &str) -> String {
    let keys: Vec<String> = (0..n).map(|_| format!(r#""":{value}"#)).collect();
    format!("{{{}}}", keys.join(","))
}

#[test]
fn signed_bodies_stay_within_the_documented_worst_case() {
    let _one = ONE_AT_A_TIME.lock();
    // The realistic large body: a 1,000-entry history (about 785 KB).
    let history = signed(&job_status_json("user-1", "job-1", 1000));
    assert!(history.len() > 700_000);
    assert_within_worst_case(&history).unwrap();

    // The worst bodies under the default cap (16 MiB): every limit reached
    // at once, with what costs most per byte of JSON.
    let cap = 16 * 1024 * KIB;
    let per_entry = (cap - KIB) / 10_000;
    let numbers = r#"{"ResultText":1e308,"ResultType":1e308,"SmileJobID":1e308,"JSONVersion":1e308,"Source":1e308,"ResultCode":1e308,"PartnerParams":{"user_id":1e308,"job_id":1e308}}"#;
    for body in [
        history_of("{}", 10_000),
        history_of(numbers, 10_000),
        history_of(&many_keys(per_entry / 5, "0"), 10_000),
        history_of(
            &format!(r#"{{"Actions":{}}}"#, many_keys(per_entry / 6 - 5, r#""""#)),
            10_000,
        ),
        history_of(
            &format!(
                r#"{{"PartnerParams":{}}}"#,
                many_keys(per_entry / 5 - 5, "0")
            ),
            10_000,
        ),
        format!(
            r#"{{"job_complete":false,"result":{{"ResultText":[{}[]]}}}}"#,
            "[],".repeat(cap / 3 - KIB)
        ),
        format!(
            r#"{{"job_complete":false,"result":{{"ResultText":"{}"}}}}"#,
            r"\n".repeat(cap / 2 - KIB)
        ),
    ] {
        let body = signed(&body);
        assert!(body.len() <= cap, "{}", body.len());
        assert_within_worst_case(&body).unwrap();
    }

    // One more entry or key than the limits is refused, naming the limit.
    for (body, limit) in [
        (
            history_of("{}", 10_001),
            "history has more than 10,000 entries",
        ),
        (
            format!(
                r#"{{"job_complete":false,"result":{}}}"#,
                many_keys(10_001, "0")
            ),
            "an object has more than 10,000 keys",
        ),
    ] {
        let refused = assert_within_worst_case(&signed(&body)).unwrap_err();
        assert!(
            matches!(&refused, Error::Decode { reason, .. } if reason.contains(limit)),
            "{refused}"
        );
    }

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
