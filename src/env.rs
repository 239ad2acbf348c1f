//! Configuration from `SMILE_ID_*` environment variables: the lookup behind
//! [`WebApi::from_env`] and [`WebApiBuilder::from_env`].

use crate::{Error, Server, WebApi, WebApiBuilder};

/// The partner id variable (required).
const PARTNER_ID: &str = "SMILE_ID_PARTNER_ID";
/// The API key variable (required). Its value never appears in a message.
const API_KEY: &str = "SMILE_ID_API_KEY";
/// The server variable (optional): what [`WebApi::new`]'s `sid_server` takes.
const SERVER: &str = "SMILE_ID_SERVER";
/// The default callback URL variable (optional).
const CALLBACK_URL: &str = "SMILE_ID_CALLBACK_URL";

/// [`WebApiBuilder::from_env`] over any source of variables, so tests need not
/// change the process's environment (which other threads may be reading).
pub(crate) fn from_lookup(
    lookup: impl Fn(&str) -> Option<std::ffi::OsString>,
) -> Result<WebApiBuilder, Error> {
    let text = |name: &'static str| -> Result<Option<String>, Error> {
        match lookup(name) {
            None => Ok(None),
            Some(value) => match value.into_string() {
                Ok(text) if text.trim().is_empty() => Ok(None),
                Ok(text) => Ok(Some(text)),
                Err(_) => Err(Error::invalid_input(name, "is not valid Unicode")),
            },
        }
    };
    let required = |name: &'static str, what: &str| -> Result<String, Error> {
        text(name)?.ok_or_else(|| Error::invalid_input(name, format!("is not set ({what})")))
    };
    let partner_id = required(PARTNER_ID, "your Smile ID partner id")?;
    let api_key = required(API_KEY, "the API key for the chosen server")?;
    if let Err(Error::InvalidInput { reason, .. }) = crate::signature::validate_api_key(&api_key) {
        return Err(Error::invalid_input(API_KEY, reason));
    }
    if let Err(Error::InvalidInput { reason, .. }) =
        crate::signature::validate_id("partner_id", &partner_id)
    {
        return Err(Error::invalid_input(PARTNER_ID, reason));
    }
    let mut builder = WebApi::builder(&partner_id, &api_key);
    if let Some(server) = text(SERVER)? {
        let server = server.parse::<Server>().map_err(|err| match err {
            Error::InvalidInput { reason, .. } => Error::invalid_input(SERVER, reason),
            other => other,
        })?;
        builder = builder.server(server);
    }
    if let Some(url) = text(CALLBACK_URL)? {
        if let Err(Error::InvalidInput { reason, .. }) = crate::server::check_callback_url(&url) {
            return Err(Error::invalid_input(CALLBACK_URL, reason));
        }
        builder = builder.default_callback(url);
    }
    Ok(builder)
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
        from_lookup(lookup(vars))?.build()
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
            ("", Server::Sandbox),
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
        let result = from_lookup(|name| match name {
            PARTNER_ID => Some(OsString::from("002")),
            API_KEY => Some(bad.clone()),
            _ => None,
        });
        assert!(matches!(
            result,
            Err(Error::InvalidInput { field: API_KEY, .. })
        ));
    }
}
