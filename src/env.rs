//! Configuration from `SMILE_ID_*` environment variables: the lookup behind
//! [`WebApi::from_env`] and [`WebApiBuilder::from_env`].

use std::ffi::OsString;

use crate::signature::validate;
use crate::{Error, Server, WebApi, WebApiBuilder};

/// The partner id variable (required).
const PARTNER_ID: &str = "SMILE_ID_PARTNER_ID";
/// The API key variable (required). Its value never appears in a message.
const API_KEY: &str = "SMILE_ID_API_KEY";
/// The server variable (optional): what [`WebApi::new`]'s `sid_server` takes.
const SERVER: &str = "SMILE_ID_SERVER";
/// The default callback URL variable (optional).
const CALLBACK_URL: &str = "SMILE_ID_CALLBACK_URL";

/// Every `SMILE_ID_*` name this crate knows: the four above, and the two the
/// examples read for the job to look up. An unknown `SMILE_ID_*` variable
/// close to one of these is refused as a likely typo of it.
const KNOWN: [&str; 6] = [
    PARTNER_ID,
    API_KEY,
    SERVER,
    CALLBACK_URL,
    "SMILE_ID_USER_ID",
    "SMILE_ID_JOB_ID",
];

/// [`WebApiBuilder::from_env`] over any source of variables (`lookup` reads
/// one) and their `names` (checked for typos), so tests need not change the
/// process's environment (which other threads may be reading). Every problem
/// is found before any is reported, in one [`Error::InvalidInput`] whose
/// `field` is the first one's variable.
pub(crate) fn from_source(
    lookup: impl Fn(&str) -> Option<OsString>,
    names: impl IntoIterator<Item = OsString>,
) -> Result<WebApiBuilder, Error> {
    // Each problem as a sentence starting with the variable's name.
    let mut problems: Vec<(&'static str, String)> = Vec::new();
    let mut read = |name: &'static str, required: Option<&str>, blank_is_unset: bool| {
        let problem = match lookup(name).map(OsString::into_string) {
            None => required.map(|what| format!("is not set ({what})")),
            Some(Err(_)) => Some("is not valid Unicode".to_owned()),
            Some(Ok(text)) if text.trim().is_empty() => {
                (!blank_is_unset).then(|| "is set but empty or only white space".to_owned())
            }
            Some(Ok(text)) => return Some(text),
        };
        if let Some(problem) = problem {
            problems.push((name, format!("{name} {problem}")));
        }
        None
    };
    let partner_id = read(PARTNER_ID, Some("your Smile ID partner id"), false);
    let api_key = read(API_KEY, Some("the API key for the chosen server"), false);
    // Set but blank is refused, not read as the sandbox: that is a mistake.
    let server = read(SERVER, None, false);
    let callback = read(CALLBACK_URL, None, true);
    // Why a value was refused, after its variable's name.
    let mut refused = |name: &'static str, err: Error| {
        let reason = match err {
            Error::InvalidInput { reason, .. } => reason,
            other => other.to_string(),
        };
        problems.push((name, format!("{name} {reason}")));
    };
    if let Some(Err(err)) = api_key.as_deref().map(|key| validate("api_key", key)) {
        refused(API_KEY, err);
    }
    if let Some(Err(err)) = partner_id.as_deref().map(|id| validate("partner_id", id)) {
        refused(PARTNER_ID, err);
    }
    let server =
        server.and_then(|text| text.parse::<Server>().map_err(|e| refused(SERVER, e)).ok());
    if let Some(Err(err)) = callback.as_deref().map(crate::server::check_callback_url) {
        refused(CALLBACK_URL, err);
    }
    for name in names {
        let Some(name) = name.to_str() else { continue };
        if let Some(known) = typo_of(name) {
            problems.push((
                known,
                format!("{known} may be misspelt: {name} is set, which smile-id does not read"),
            ));
        }
    }
    // A missing required variable is always among the problems.
    let (Some(partner_id), Some(api_key), []) = (partner_id, api_key, problems.as_slice()) else {
        let field = problems.first().map_or(PARTNER_ID, |(field, _)| field);
        let texts: Vec<&str> = problems.iter().map(|(_, text)| text.as_str()).collect();
        let text = texts.join("; ");
        let reason = text.strip_prefix(field).unwrap_or(&text).trim_start();
        return Err(Error::invalid_input(field, reason));
    };
    // Unset means the defaults: the sandbox, and no callback.
    Ok(WebApi::builder(&partner_id, &api_key)
        .server(server.unwrap_or(Server::Sandbox))
        .default_callback(callback.unwrap_or_default()))
}

/// The known variable that `name` is likely a typo of: a `SMILE_ID_*` name
/// (in any case, with or without underscores) that is not itself known and
/// is at most two edits from a known one.
fn typo_of(name: &str) -> Option<&'static str> {
    fn squeeze(name: &str) -> Vec<u8> {
        name.bytes()
            .filter(|b| !matches!(b, b'_' | b'-'))
            .map(|b| b.to_ascii_uppercase())
            .collect()
    }
    if KNOWN.contains(&name) || name.len() > 64 {
        return None;
    }
    let squeezed = squeeze(name);
    let suffix = squeezed.strip_prefix(b"SMILEID".as_slice())?;
    KNOWN
        .iter()
        .filter_map(|&known| {
            let squeezed = squeeze(known);
            let distance = edit_distance(suffix, squeezed.get(7..).unwrap_or_default());
            (distance <= 2).then_some((distance, known))
        })
        .min()
        .map(|(_, known)| known)
}

/// The Levenshtein distance: how many insertions, deletions and
/// substitutions turn `a` into `b`.
fn edit_distance(a: &[u8], b: &[u8]) -> usize {
    // One row of the usual table at a time: `row[j - 1]` is the distance
    // from the first `i` bytes of `a` to the first `j` of `b`. The row's
    // first cell (`j` = 0) is always `i`, so it is not stored.
    let mut row: Vec<usize> = (1..=b.len()).collect();
    for (i, &ca) in a.iter().enumerate() {
        // The row's first cell, and the one diagonally above the next.
        let (mut left, mut diagonal) = (i + 1, i);
        for (cell, &cb) in row.iter_mut().zip(b) {
            left = (diagonal + usize::from(ca != cb))
                .min(*cell + 1)
                .min(left + 1);
            diagonal = std::mem::replace(cell, left);
        }
    }
    // With `b` empty, `a`'s length (each byte deleted).
    row.last().copied().unwrap_or(a.len())
}

#[cfg(test)]
mod tests {
    use std::ffi::OsString;

    use super::*;

    const KEY: &str = "secret-key-value-7f3a";

    fn lookup(vars: &[(&str, &str)]) -> impl Fn(&str) -> Option<OsString> {
        let vars: Vec<(String, OsString)> = vars
            .iter()
            .map(|(k, v)| ((*k).to_owned(), OsString::from(v)))
            .collect();
        move |name| vars.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone())
    }

    fn build(vars: &[(&str, &str)]) -> Result<WebApi, Error> {
        let names = vars.iter().map(|(k, _)| OsString::from(k));
        from_source(lookup(vars), names)?.build()
    }

    fn message(vars: &[(&str, &str)]) -> String {
        let err = build(vars).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { .. }), "{err:?}");
        let text = err.to_string();
        assert!(
            !text.contains(KEY) && !format!("{err:?}").contains(KEY),
            "{text}"
        );
        text
    }

    fn field_of(result: Result<WebApi, Error>) -> &'static str {
        match result {
            Err(err @ Error::InvalidInput { .. }) => {
                assert!(!err.to_string().contains(KEY), "{err}");
                assert!(!format!("{err:?}").contains(KEY), "{err:?}");
                match err {
                    Error::InvalidInput { field, .. } => field,
                    _ => unreachable!(),
                }
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn errors_name_the_variable_the_value_came_from() {
        assert_eq!(
            field_of(build(&[(PARTNER_ID, " 002 "), (API_KEY, KEY)])),
            PARTNER_ID
        );
        let err = build(&[(PARTNER_ID, "002"), (API_KEY, KEY), (CALLBACK_URL, KEY)]).unwrap_err();
        assert!(matches!(err, Error::InvalidInput { field, .. } if field == CALLBACK_URL));
        assert!(!format!("{err} {err:?}").contains(KEY));
    }

    #[test]
    fn required_variables_and_defaults() {
        let api = build(&[(PARTNER_ID, "002"), (API_KEY, KEY)]).unwrap();
        assert_eq!(api.signature().partner_id(), "002");
        assert_eq!(api.config().server, Server::Sandbox);
        assert_eq!(api.config().default_callback.as_deref(), None);
        // Signed with the key from the environment.
        let expected = crate::Signature::new("002", KEY).unwrap();
        let t = "2026-01-01T00:00:00.000Z";
        assert_eq!(
            api.signature().sign_timestamp(t),
            expected.sign_timestamp(t)
        );
    }

    #[test]
    fn optional_variables() {
        let api = build(&[
            (PARTNER_ID, "002"),
            (API_KEY, KEY),
            (SERVER, "production"),
            (CALLBACK_URL, "https://example.com/cb"),
        ])
        .unwrap();
        assert_eq!(api.config().server, Server::Production);
        assert_eq!(
            api.config().default_callback.as_deref(),
            Some("https://example.com/cb")
        );
        for (value, want) in [
            ("1", Server::Production),
            ("0", Server::Sandbox),
            (
                "https://h.example/v1/",
                Server::custom("https://h.example/v1").unwrap(),
            ),
        ] {
            let api = build(&[(PARTNER_ID, "002"), (API_KEY, KEY), (SERVER, value)]).unwrap();
            assert_eq!(api.config().server, want, "{value:?}");
        }
    }

    #[test]
    fn missing_or_empty_variables_are_named() {
        assert_eq!(field_of(build(&[])), PARTNER_ID);
        assert_eq!(field_of(build(&[(API_KEY, KEY)])), PARTNER_ID);
        assert_eq!(field_of(build(&[(PARTNER_ID, "002")])), API_KEY);
        assert_eq!(
            field_of(build(&[(PARTNER_ID, " "), (API_KEY, KEY)])),
            PARTNER_ID
        );
        assert_eq!(
            field_of(build(&[(PARTNER_ID, "002"), (API_KEY, "")])),
            API_KEY
        );
        let err = build(&[(PARTNER_ID, "002")]).unwrap_err().to_string();
        assert_eq!(
            err,
            "invalid input: SMILE_ID_API_KEY is not set (the API key for the chosen server)"
        );
        // Every missing variable at once, not only the first.
        assert_eq!(
            message(&[]),
            "invalid input: SMILE_ID_PARTNER_ID is not set (your Smile ID partner id); \
             SMILE_ID_API_KEY is not set (the API key for the chosen server)"
        );
        assert_eq!(
            message(&[(PARTNER_ID, " ")]),
            "invalid input: SMILE_ID_PARTNER_ID is set but empty or only white space; \
             SMILE_ID_API_KEY is not set (the API key for the chosen server)"
        );
        // And the bad values beside them.
        let banana = message(&[(SERVER, "banana")]);
        assert!(
            banana.contains(PARTNER_ID) && banana.contains(API_KEY),
            "{banana}"
        );
        assert!(banana.contains("; SMILE_ID_SERVER "), "{banana}");
    }

    #[test]
    fn a_blank_server_is_refused_not_read_as_the_sandbox() {
        for blank in ["", " ", "\t\n"] {
            assert_eq!(
                field_of(build(&[
                    (PARTNER_ID, "002"),
                    (API_KEY, KEY),
                    (SERVER, blank)
                ])),
                SERVER
            );
        }
        assert_eq!(
            message(&[(PARTNER_ID, "002"), (API_KEY, KEY), (SERVER, "")]),
            "invalid input: SMILE_ID_SERVER is set but empty or only white space"
        );
        // A blank callback URL still counts as unset.
        let api = build(&[(PARTNER_ID, "002"), (API_KEY, KEY), (CALLBACK_URL, " ")]).unwrap();
        assert_eq!(api.config().default_callback, None);
    }

    #[test]
    fn typos_of_known_variables_are_named_with_the_known_one() {
        assert_eq!(
            message(&[(PARTNER_ID, "002"), ("SMILE_ID_APIKEY", KEY)]),
            "invalid input: SMILE_ID_API_KEY is not set (the API key for the chosen server); \
             SMILE_ID_API_KEY may be misspelt: SMILE_ID_APIKEY is set, which smile-id does not read"
        );
        // Refused even when everything needed is set: a misspelt server
        // would otherwise quietly mean the sandbox.
        let full = [(PARTNER_ID, "002"), (API_KEY, KEY)];
        for (typo, known) in [
            ("SMILE_ID_SERVRE", SERVER),
            ("SMILE_ID_SEVER", SERVER),
            ("smile_id_server", SERVER),
            ("SMILEID_SERVER", SERVER),
            ("SMILE_ID_CALLBACKURL", CALLBACK_URL),
            ("SMILE_ID_CALLBACK_ULR", CALLBACK_URL),
            ("SMILE_ID_PARTNERID", PARTNER_ID),
            ("SMILE_ID_PARTNER", PARTNER_ID),
            ("SMILE_ID_API_KYE", API_KEY),
            ("SMILE_ID_JOBID", "SMILE_ID_JOB_ID"),
        ] {
            let vars = [full[0], full[1], (typo, "production")];
            assert_eq!(field_of(build(&vars)), known, "{typo}");
            assert!(message(&vars).contains(&format!("{known} may be misspelt: {typo} is set")));
        }
        // The examples' own variables, and unrelated ones, are not typos.
        for other in [
            "SMILE_ID_USER_ID",
            "SMILE_ID_JOB_ID",
            "SMILE_ID_REGION",
            "SMILE_ID_",
            "SMILE_IDENTITY_TOKEN",
            "PATH",
        ] {
            let vars = [full[0], full[1], (other, "x")];
            assert!(build(&vars).is_ok(), "{other}");
        }
        let long = format!("SMILE_ID_{}", "A".repeat(100_000));
        assert_eq!(typo_of(&long), None);
    }

    #[test]
    fn edit_distances() {
        let d = |a: &str, b: &str| edit_distance(a.as_bytes(), b.as_bytes());
        assert_eq!(d("", ""), 0);
        assert_eq!(d("APIKEY", ""), 6);
        assert_eq!(d("", "APIKEY"), 6);
        assert_eq!(d("APIKEY", "APIKEY"), 0);
        assert_eq!(d("APIKYE", "APIKEY"), 2);
        assert_eq!(d("APIKE", "APIKEY"), 1);
        assert_eq!(d("SERVER", "SEVER"), 1);
        assert_eq!(d("SERVER", "USERID"), 4);
    }

    #[test]
    fn bad_values_are_named_without_the_key() {
        assert_eq!(
            field_of(build(&[
                (PARTNER_ID, "002"),
                (API_KEY, KEY),
                (SERVER, "banana://x")
            ])),
            SERVER
        );
        assert_eq!(
            field_of(build(&[
                (PARTNER_ID, "002"),
                (API_KEY, KEY),
                (SERVER, "http://example.com/v1")
            ])),
            SERVER
        );
        // White space, a control character or a byte-order mark: never part
        // of a key, named as the variable (the message never holds the key).
        for bad in [
            format!("{KEY}\n"),
            format!("\u{feff}{KEY}"),
            format!("a\u{7}{KEY}"),
        ] {
            assert_eq!(
                field_of(build(&[(PARTNER_ID, "002"), (API_KEY, bad.as_str())])),
                API_KEY
            );
        }
    }

    #[cfg(unix)]
    #[test]
    fn non_unicode_values_are_named() {
        use std::os::unix::ffi::OsStringExt as _;
        let bad = OsString::from_vec(vec![0xff, 0xfe]);
        let names = [
            OsString::from(PARTNER_ID),
            OsString::from(API_KEY),
            bad.clone(),
        ];
        let result = from_source(
            |name| match name {
                PARTNER_ID => Some(OsString::from("002")),
                API_KEY => Some(bad.clone()),
                _ => None,
            },
            names,
        );
        assert!(matches!(
            result,
            Err(Error::InvalidInput { field: API_KEY, .. })
        ));
    }
}
