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
        if let Some(bad_partner) = flip_bit(&partner, bit)
            && let Ok(other) = Signature::new(&bad_partner, &key) {
                prop_assert!(!other.confirm_signature(&ts, &sig));
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
        if sign
            && let Value::Object(map) = &mut value {
                let params = answer_signature(&api);
                map.insert("timestamp".into(), Value::String(params.timestamp));
                map.insert("signature".into(), Value::String(params.signature));
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
        if let Some(head) = body.get(..at)
            && serde_json::from_str::<Value>(head).is_err() {
                prop_assert!(api.verify_job_status(head.as_bytes(), &job).is_err());
                prop_assert!(api.verify_callback(head.as_bytes()).is_err());
            }
    }
}

/// Realistic signed job status bodies, as Smile ID could send them: built as
/// text (any key order, compact or pretty-printed) from a seed.
mod realistic {
    use serde_json::{Value, json};
    use smile_id::testing::{Scenario, Simulator};
    use smile_id::{JobStatusOptions, PartnerParams, WebApi};

    /// A small deterministic generator (splitmix64), seeded by proptest.
    pub struct Rng(u64);

    impl Rng {
        pub fn new(seed: u64) -> Self {
            Rng(seed)
        }
        pub fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        pub fn below(&mut self, n: usize) -> usize {
            (self.next() % n.max(1) as u64) as usize
        }
        pub fn chance(&mut self, one_in: usize) -> bool {
            self.below(one_in) == 0
        }
        fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
            items[self.below(items.len())]
        }
    }

    /// One object as text: `pairs` (key, value JSON text) in a random order.
    fn object(
        rng: &mut Rng,
        mut pairs: Vec<(String, String)>,
        pretty: bool,
        depth: usize,
    ) -> String {
        for i in (1..pairs.len()).rev() {
            pairs.swap(i, rng.below(i + 1));
        }
        if pairs.is_empty() {
            return "{}".into();
        }
        let (open, sep, colon, close) = if pretty {
            let pad = "  ".repeat(depth + 1);
            (
                format!("{{\n{pad}"),
                format!(",\n{pad}"),
                " : ",
                format!("\n{}}}", "  ".repeat(depth)),
            )
        } else {
            ("{".into(), ",".into(), ":", "}".into())
        };
        let body: Vec<String> = pairs
            .into_iter()
            .map(|(k, v)| format!("{}{colon}{v}", Value::String(k)))
            .collect();
        format!("{open}{}{close}", body.join(&sep))
    }

    fn text(s: &str) -> String {
        Value::String(s.to_owned()).to_string()
    }

    fn pair(key: &str, value: String) -> (String, String) {
        (key.to_owned(), value)
    }

    /// Every action Smile ID documents.
    pub const ACTIONS: [&str; 17] = [
        "Document_Check",
        "Human_Review_Compare",
        "Human_Review_Document_Check",
        "Human_Review_Liveness_Check",
        "Human_Review_Selfie_Check",
        "Human_Review_Update_Selfie",
        "Liveness_Check",
        "Register_Selfie",
        "Return_Personal_Info",
        "Selfie_Check",
        "Selfie_Provided",
        "Selfie_To_ID_Authority_Compare",
        "Selfie_To_ID_Card_Compare",
        "Selfie_To_Registered_Selfie_Compare",
        "Update_Registered_Selfie_On_File",
        "Verify_Document",
        "Verify_ID_Number",
    ];

    const OUTCOMES: [&str; 6] = [
        "Passed",
        "Verified",
        "Not Applicable",
        "Returned",
        "Approved",
        "Under Review",
    ];

    /// Names with escapes and characters beyond ASCII, written sometimes
    /// with `\u` escapes.
    fn name(rng: &mut Rng) -> String {
        match rng.below(5) {
            0 => r#""\u00c9lodie N\u2019Diaye""#.into(),
            1 => text("Zoë \"Z\" O'Brien\tÉlodie 東京 😀"),
            2 => r#""Line\nbreak \\ back\/slash""#.into(),
            _ => text("Adaeze Chiamaka Okonkwo-Balogun"),
        }
    }

    /// A job's ids in a result: strings, or numbers when they are numeric.
    fn params(rng: &mut Rng, job: &PartnerParams, pretty: bool, depth: usize) -> String {
        let id = |rng: &mut Rng, id: &str| match id.parse::<u64>() {
            Ok(n) if rng.chance(2) => n.to_string(),
            _ => text(id),
        };
        let mut pairs = vec![
            pair("user_id", id(rng, &job.user_id)),
            pair("job_id", id(rng, &job.job_id)),
        ];
        match rng.below(3) {
            0 => pairs.push(pair("job_type", "5".into())),
            1 => pairs.push(pair("job_type", text("4"))),
            _ => {}
        }
        if rng.chance(4) {
            pairs.push(pair("optional_info", text("Kept as is")));
        }
        object(rng, pairs, pretty, depth)
    }

    /// What a raw-kept field must read back as, byte for byte.
    pub type Exact = Vec<(String, String)>;

    /// One result: from `{"ResultCode":"0810","PartnerParams":{...}}` to the
    /// full shape of a seed result with ID data.
    fn result(
        rng: &mut Rng,
        job: &PartnerParams,
        pretty: bool,
        depth: usize,
        exact: &mut Exact,
        path: &str,
    ) -> String {
        let code = rng.pick(&["0810", "1012", "1020", "0811", "1013"]);
        let mut pairs = vec![
            pair(
                "ResultCode",
                if rng.chance(4) {
                    code.trim_start_matches('0').into()
                } else {
                    text(code)
                },
            ),
            pair("PartnerParams", params(rng, job, pretty, depth + 1)),
        ];
        if rng.chance(2) {
            return object(rng, pairs, pretty, depth);
        }
        pairs.push(pair(
            "ResultText",
            text(rng.pick(&[
                "Enroll User",
                "ID Number Validated",
                "Machine Judgement - Pass",
            ])),
        ));
        for (key, value) in [
            ("ResultType", text("ID Verification")),
            (
                "SmileJobID",
                if rng.chance(3) {
                    "42".into()
                } else {
                    text("0000000042")
                },
            ),
            ("IsFinalResult", text(rng.pick(&["true", "false"]))),
            (
                "IsMachineResult",
                rng.pick(&["true", "\"true\"", "\"False\""]).into(),
            ),
            (
                "ConfidenceValue",
                rng.pick(&["\"100\"", "99.5", "\"97.000000\"", "100"])
                    .into(),
            ),
            ("Source", text("WebAPI")),
            ("JSONVersion", text("1.0.0")),
            ("FullName", name(rng)),
            ("DOB", text("1990-01-01")),
            (
                "IDNumber",
                if rng.chance(2) {
                    "12345678901".into()
                } else {
                    text("A12345678")
                },
            ),
            ("Country", text("NG")),
            ("DateTimeSubmitted", text("2026-11-26T12:32:04.622Z")),
        ] {
            if rng.chance(3) {
                pairs.push(pair(key, value));
            }
        }
        match rng.below(4) {
            0 => {}
            1 => {
                let actions = ACTIONS
                    .iter()
                    .map(|a| pair(a, text(OUTCOMES[a.len() % OUTCOMES.len()])))
                    .collect();
                pairs.push(pair("Actions", object(rng, actions, pretty, depth + 1)));
            }
            2 => {
                let actions = vec![pair("Verify_ID_Number", text("Verified"))];
                pairs.push(pair("Actions", object(rng, actions, pretty, depth + 1)));
            }
            _ => {
                let raw = r#""Not Available""#.to_owned();
                exact.push((format!("{path}.Actions"), raw.clone()));
                pairs.push(pair("Actions", raw));
            }
        }
        if rng.chance(6) {
            let keys = 100 + rng.below(300);
            let full = (0..keys)
                .map(|i| {
                    pair(
                        &format!("field_{i}"),
                        if i % 3 == 0 {
                            i.to_string()
                        } else {
                            text(&format!("välue {i}"))
                        },
                    )
                })
                .collect();
            pairs.push(pair("FullData", object(rng, full, pretty, depth + 1)));
        }
        if rng.chance(8) {
            let raw = r#"{"a": 1.50, "b" : [1e2, "\u00e9"]}"#.to_owned();
            exact.push((format!("{path}.ResultText"), raw.clone()));
            pairs.retain(|(k, _)| k != "ResultText");
            pairs.push(pair("ResultText", raw));
        }
        object(rng, pairs, pretty, depth)
    }

    /// A signed body (with `photo` bytes of base64 in the result, if any)
    /// about `job`, what fields must read back byte for byte, and whether
    /// the job is complete.
    pub fn body(
        seed: u64,
        history: usize,
        photo: usize,
        job: &PartnerParams,
        signed: (&str, &str),
    ) -> (String, Exact) {
        let mut rng = Rng::new(seed);
        let mut exact = Exact::new();
        let pretty = rng.chance(3);
        let complete = !rng.chance(4);
        let mut pairs = vec![
            pair("timestamp", text(signed.0)),
            pair("signature", text(signed.1)),
            pair(
                "code",
                if rng.chance(2) {
                    text("2302")
                } else {
                    "2302".into()
                },
            ),
        ];
        if complete {
            pairs.push(pair(
                "job_complete",
                rng.pick(&["true", "\"true\"", "\"True\"", "1", "\"1\""])
                    .into(),
            ));
            pairs.push(pair(
                "job_success",
                rng.pick(&["true", "false", "\"FALSE\"", "0", "\"1\""])
                    .into(),
            ));
            let mut result = result(&mut rng, job, pretty, 1, &mut exact, "result");
            if photo > 0 {
                let b64: String = "QUJD".repeat(photo / 4);
                result.insert_str(1, &format!("\"Photo\":\"{b64}\","));
            }
            pairs.push(pair("result", result));
        } else {
            pairs.push(pair(
                "job_complete",
                rng.pick(&["false", "\"false\"", "0", "\"0\""]).into(),
            ));
            pairs.push(pair("job_success", "false".into()));
            let pending = rng.pick(&[
                "\"No zip uploaded yet\"",
                "0",
                "false",
                "\"\"",
                "{}",
                "[]",
                "null",
            ]);
            if !matches!(
                pending,
                "{}" | "[]" | "null" | "\"No zip uploaded yet\"" | "\"\""
            ) {
                exact.push(("result".into(), pending.into()));
            }
            pairs.push(pair("result", pending.into()));
        }
        let entries: Vec<String> = (0..history)
            .map(|i| result(&mut rng, job, false, 2, &mut exact, &format!("history.{i}")))
            .collect();
        if history > 0 || rng.chance(2) {
            pairs.push(pair("history", format!("[{}]", entries.join(","))));
        } else if rng.chance(2) {
            pairs.push(pair("history", "{}".into()));
        }
        match rng.below(3) {
            0 => pairs.push(pair("image_links", text("https://smile-images.example/s.jpg?Expires=9"))),
            1 => pairs.push(pair("image_links", r#"{"selfie_image":"https://smile-images.example/s.jpg?Expires=9","id_card_image":null}"#.into())),
            _ => {}
        }
        if let Some((_, value)) = pairs.iter().find(|(k, _)| k == "image_links")
            && value.starts_with('"')
        {
            exact.push(("image_links".into(), value.clone()));
        }
        if rng.chance(2) {
            pairs.push(pair(
                "partner_note",
                r#"[1, "a", {"b": null, "c": 1.50}]"#.into(),
            ));
            exact.push((
                "partner_note".into(),
                r#"[1, "a", {"b": null, "c": 1.50}]"#.into(),
            ));
        }
        (object(&mut rng, pairs, pretty, 0), exact)
    }

    /// What serialising the status back must give: the body read by the
    /// model's documented conversions (codes padded, ids and texts as
    /// strings, confidence as a number, flags as booleans or "true"/"false",
    /// empty values left out).
    pub fn expected(body: &str) -> Value {
        let mut v: Value = serde_json::from_str(body).unwrap();
        let flag = |v: &Value| match v {
            Value::Bool(b) => *b,
            Value::Number(n) => n.as_u64() == Some(1),
            Value::String(s) => s.eq_ignore_ascii_case("true") || s == "1",
            _ => false,
        };
        fn texts(r: &mut Value, keys: &[&str]) {
            for key in keys {
                if let Some(Value::Number(n)) = r.get(*key) {
                    r[*key] = Value::String(n.to_string());
                }
            }
        }
        fn result(r: &mut Value) {
            let Some(obj) = r.as_object_mut() else { return };
            if let Some(Value::Number(n)) = obj.get("ResultCode") {
                obj.insert(
                    "ResultCode".into(),
                    json!(format!("{:04}", n.as_u64().unwrap())),
                );
            }
            if let Some(c) = obj.get("ConfidenceValue").cloned() {
                let n = c
                    .as_f64()
                    .or_else(|| c.as_str().and_then(|s| s.parse().ok()))
                    .unwrap();
                obj.insert("ConfidenceValue".into(), json!(n));
            }
            for key in ["IsFinalResult", "IsMachineResult"] {
                if let Some(Value::Bool(b)) = obj.get(key) {
                    obj.insert(key.into(), json!(b.to_string()));
                } else if let Some(Value::String(s)) = obj.get(key) {
                    obj.insert(key.into(), json!(s.to_lowercase()));
                }
            }
            texts(r, &["SmileJobID", "ResultText"]);
            if let Some(p) = r.get_mut("PartnerParams") {
                texts(p, &["user_id", "job_id"]);
            }
        }
        v["job_complete"] = json!(flag(&v["job_complete"]));
        v["job_success"] = json!(flag(&v["job_success"]));
        let obj = v.as_object_mut().unwrap();
        if matches!(obj.get("result"), Some(Value::Null))
            || obj.get("result") == Some(&json!({}))
            || obj.get("result") == Some(&json!([]))
        {
            obj.remove("result");
        }
        if obj.get("history") == Some(&json!([])) || obj.get("history") == Some(&json!({})) {
            obj.remove("history");
        }
        if let Some(r) = obj.get_mut("result") {
            result(r);
        }
        if let Some(Value::Array(h)) = obj.get_mut("history") {
            h.iter_mut().for_each(result);
        }
        texts(&mut v, &["code"]);
        v
    }

    /// Serves `body` from the simulator and asks for the job through
    /// `WebApi`; checks it is accepted and round-trips.
    pub fn check(seed: u64, history: usize, photo: usize) {
        let job = if seed.is_multiple_of(2) {
            PartnerParams::new("42", "1001")
        } else {
            PartnerParams::new("user-A", "job-A")
        };
        let sim = Simulator::start("002", "key").unwrap();
        let api = WebApi::new("002", "", "key", sim.server()).unwrap();
        let stamp =
            smile_id::testing::sign_json(sim.signature(), "{}", time::Duration::ZERO).unwrap();
        let stamp: Value = serde_json::from_str(&stamp).unwrap();
        let signed = (
            stamp["timestamp"].as_str().unwrap(),
            stamp["signature"].as_str().unwrap(),
        );
        let (body, exact) = body(seed, history, photo, &job, signed);
        sim.set_scenario(Scenario::Raw {
            status: 200,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body: body.clone().into_bytes(),
        });
        let status = api
            .get_job_status(&job, &JobStatusOptions::default())
            .unwrap_or_else(|e| panic!("refused ({} bytes, seed {seed}): {e}", body.len()));
        assert_eq!(status.history.len(), history);
        let back = serde_json::to_value(&status).unwrap();
        let expected = expected(&body);
        if back != expected {
            let (b, e) = (back.to_string(), expected.to_string());
            let at = b
                .bytes()
                .zip(e.bytes())
                .position(|(x, y)| x != y)
                .unwrap_or(0);
            panic!(
                "seed {seed}: round trip differs at {at}:\n{}\n{}",
                &b[at.saturating_sub(80)..(at + 80).min(b.len())],
                &e[at.saturating_sub(80)..(at + 80).min(e.len())]
            );
        }
        for (path, raw) in exact {
            let mut parts = path.split('.');
            let kept = match (parts.next(), parts.next(), parts.next()) {
                (Some("result"), None, _) => status.extra.get("result"),
                (Some("result"), Some(key), _) => status.result.as_ref().unwrap().extra.get(key),
                (Some("history"), Some(i), Some(key)) => {
                    status.history[i.parse::<usize>().unwrap()].extra.get(key)
                }
                (Some(key), None, _) => status.extra.get(key),
                _ => unreachable!("{path}"),
            };
            assert_eq!(kept.map(|r| r.to_json()), Some(raw.as_str()), "{path}");
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Realistic signed bodies of many shapes and sizes, served over HTTP:
    /// every one is accepted and serialises back to what was sent.
    #[test]
    fn realistic_signed_bodies_are_accepted_and_round_trip(
        seed in any::<u64>(),
        history in prop_oneof![3 => 0usize..20, 2 => 20usize..400, 1 => 400usize..5_000],
        photo in prop_oneof![6 => Just(0usize), 1 => 100_000usize..2_000_000],
    ) {
        realistic::check(seed, history, photo);
    }
}

/// The shapes the issue names, at their extremes, whatever proptest draws.
#[test]
fn the_largest_realistic_bodies_are_accepted() {
    realistic::check(1, 5_000, 2_000_000);
    realistic::check(2, 1_000, 0);
}
