//! Which Smile ID server to talk to, and the https-only rule for base URLs.

use std::fmt;
use std::net::{IpAddr, Ipv6Addr};
use std::str::FromStr;

use ureq::http::Uri;
use ureq::http::uri::Authority;

use crate::Error;

/// The Smile ID server to call.
///
/// Sandbox and production have different API keys: using one with the other
/// gives error 2205.
///
/// Conversions follow the official SDKs' `sid_server` argument: `0` or `"0"`
/// is the sandbox, `1` or `"1"` production (also `"sandbox"` and
/// `"production"`, in any case), and a string with an explicit `https://`
/// scheme a base URL including the version path. Anything else (`"2"`,
/// `"banana"`, an API key pasted into the wrong argument) is refused rather
/// than guessed at, and the refusal never repeats the value.
///
/// ```
/// use smile_id::Server;
///
/// assert_eq!(Server::try_from(0)?, Server::Sandbox);
/// assert_eq!("production".parse::<Server>()?, Server::Production);
/// assert_eq!(
///     "https://example.com/v1/".parse::<Server>()?.base_url(),
///     "https://example.com/v1"
/// );
/// assert_eq!(Server::custom("https://example.com/v1")?, "https://example.com/v1/".parse()?);
/// assert!("http://example.com/v1".parse::<Server>().is_err()); // https only
/// assert!("http://127.0.0.1:8080/v1".parse::<Server>().is_ok()); // except loopback
/// assert!("example.com/v1".parse::<Server>().is_err()); // the scheme is required
/// assert!("2".parse::<Server>().is_err());
/// # Ok::<(), smile_id::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Server {
    /// `https://testapi.smileidentity.com/v1`
    Sandbox,
    /// `https://api.smileidentity.com/v1`
    Production,
    /// Another base URL, checked and normalised: made by [`Server::custom`]
    /// or by parsing a URL.
    Custom(BaseUrl),
}

/// A [`Server::Custom`] base URL that passed [`Server::custom`]'s checks, in
/// its normalised form (no trailing `/`).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct BaseUrl(pub(crate) String);

impl BaseUrl {
    /// The URL, e.g. `https://host/v1`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Server {
    /// Another base URL, version path included (e.g. `https://host/v1`).
    ///
    /// It must be `https`, except on loopback hosts (`localhost`,
    /// `127.0.0.0/8`, `[::1]`), where `http` is allowed for tests and local
    /// simulators; it must not end in `/job_status` (the client adds that).
    ///
    /// # Errors
    ///
    /// [`Error::InvalidInput`] for `sid_server` when the URL is not
    /// acceptable; the message never repeats it.
    pub fn custom(url: &str) -> Result<Server, Error> {
        // One canonical form: scheme in lower case, no trailing `/`. The
        // scheme is required: a URL is never given one, so it can never be
        // given two.
        let url = check_url("sid_server", url, false)?;
        let scheme = url.scheme_str().unwrap_or("https").to_ascii_lowercase();
        let authority = url.authority().map_or("", Authority::as_str);
        let path = url.path().trim_end_matches('/');
        // Smile ID answers under /v1: its own host without a path would be a 404
        // on every call, reported as a server error far from its cause.
        let host = url.host().unwrap_or("").to_ascii_lowercase();
        let smile_id = host == "smileidentity.com" || host.ends_with(".smileidentity.com");
        if smile_id && path.is_empty() {
            return Err(Error::invalid_input(
                "sid_server",
                "has no path: Smile ID's servers answer under /v1 (https://api.smileidentity.com/v1)",
            ));
        }
        let last = path.rsplit('/').next().unwrap_or_default();
        if last.eq_ignore_ascii_case("job_status") {
            return Err(Error::invalid_input(
                "sid_server",
                "ends in /job_status: the base URL should end in /v1 (the client adds /job_status)",
            ));
        }
        Ok(Server::Custom(BaseUrl(format!(
            "{scheme}://{authority}{path}"
        ))))
    }

    /// The base URL, normalised (no trailing `/`).
    pub fn base_url(&self) -> &str {
        match self {
            Server::Sandbox => "https://testapi.smileidentity.com/v1",
            Server::Production => "https://api.smileidentity.com/v1",
            Server::Custom(url) => url.as_str(),
        }
    }
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.base_url())
    }
}

impl FromStr for Server {
    type Err = Error;

    /// `"0"`/`"sandbox"`, `"1"`/`"production"` (any case), or a base URL
    /// with an explicit `https://` scheme (`http://` on loopback only).
    fn from_str(s: &str) -> Result<Self, Error> {
        let s = s.trim();
        if s == "0" || s.eq_ignore_ascii_case("sandbox") {
            Ok(Server::Sandbox)
        } else if s == "1" || s.eq_ignore_ascii_case("production") {
            Ok(Server::Production)
        } else if s.contains("://") {
            Server::custom(s)
        } else {
            Err(Error::invalid_input(
                "sid_server",
                "must be 0 or \"sandbox\", 1 or \"production\", or a base URL starting with https://",
            ))
        }
    }
}

/// `TryFrom<$t> for Server` for each type `$t` listed, converting with
/// `|value| conversion`, documented by `$doc`.
macro_rules! server_from {
    ($doc:literal, $($t:ty),* => |$value:ident| $conversion:expr) => {$(
        impl TryFrom<$t> for Server {
            type Error = Error;
            #[doc = $doc]
            fn try_from($value: $t) -> Result<Self, Error> {
                $conversion
            }
        }
    )*};
}

server_from! { "As [`str::parse`].", &str, String, &String => |s| s.parse() }

server_from! {
    "`0` is the sandbox, `1` production.",
    u8, u16, u32, u64, usize, i8, i16, i32, i64 => |n| match n {
        0 => Ok(Server::Sandbox),
        1 => Ok(Server::Production),
        _ => Err(Error::invalid_input(
            "sid_server",
            format!("must be 0 (sandbox), 1 (production) or a URL, not {n}"),
        )),
    }
}

/// Checks a callback URL: https (http only on loopback), a valid host, no
/// white space or credentials. A query is allowed (it may carry a token).
pub(crate) fn check_callback_url(raw: &str) -> Result<(), Error> {
    check_url("default_callback", raw, true).map(drop)
}

/// The rules both kinds of URL follow, on top of what [`Uri`] parses. Error
/// messages never repeat the value: a secret pasted into the wrong argument
/// must not reach a log.
fn check_url(field: &'static str, raw: &str, query_allowed: bool) -> Result<Uri, Error> {
    let bad = |reason: &str| Error::invalid_input(field, reason.to_owned());
    let url = raw.trim();
    if url.is_empty() {
        return Err(bad("must not be empty"));
    }
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(bad("must not contain white space"));
    }
    let Some((scheme, _)) = url.split_once("://") else {
        return Err(bad("must be a URL starting with https://"));
    };
    let https = match scheme.to_ascii_lowercase().as_str() {
        "https" => true,
        "http" => false,
        _ => return Err(bad("must be an https URL")),
    };
    let uri = url
        .parse::<Uri>()
        .map_err(|_| bad("is not a valid URL with a host"))?;
    // `Uri` drops a fragment without a word, so it is looked for in the text.
    if !query_allowed && (uri.query().is_some() || url.contains('#')) {
        return Err(bad("must not have a query or fragment"));
    }
    if uri.authority().is_some_and(|a| a.as_str().contains('@')) {
        return Err(bad("must not contain credentials"));
    }
    let host = uri
        .authority()
        .filter(|authority| !authority.as_str().is_empty() && valid_host(authority))
        .ok_or_else(|| bad("has no valid host"))?
        .host();
    if !https && !is_loopback(host) {
        return Err(bad(
            "must be https (plain http is allowed only for localhost and loopback addresses)",
        ));
    }
    Ok(uri)
}

/// Whether a normalised base URL's host is loopback.
pub(crate) fn is_loopback_url(base_url: &str) -> bool {
    base_url
        .parse::<Uri>()
        .is_ok_and(|uri| uri.host().is_some_and(is_loopback))
}

/// Whether a host is `localhost`, in `127.0.0.0/8` or `[::1]`.
fn is_loopback(host: &str) -> bool {
    let ip = host.strip_prefix('[').and_then(|h| h.strip_suffix(']'));
    host.eq_ignore_ascii_case("localhost")
        || ip
            .unwrap_or(host)
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// Whether an authority that [`Uri`] parsed has a valid host (an IPv6
/// address in brackets, or a name or IPv4 address of valid DNS labels) and
/// no port or a number from 1 to 65535. (`Uri` checks neither.)
fn valid_host(authority: &Authority) -> bool {
    let host = authority.host();
    let port_ok = match authority.port() {
        // `u16::from_str` would also take a sign.
        Some(port) => port.as_str().bytes().all(|b| b.is_ascii_digit()) && port.as_u16() > 0,
        None => authority.as_str() == host,
    };
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<Ipv6Addr>().is_ok(),
        None => {
            host.len() <= 253
                && host.split('.').all(|label| {
                    (1..=63).contains(&label.len())
                        && !label.starts_with('-')
                        && label
                            .bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
                })
        }
    };
    port_ok && host_ok
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What [`Server::custom`] makes of `raw`, as text.
    fn normalize_base_url(raw: &str) -> Result<String, Error> {
        Server::custom(raw).map(|server| server.base_url().to_owned())
    }

    fn ok(raw: &str) -> String {
        normalize_base_url(raw).unwrap()
    }

    #[test]
    fn well_known_servers() {
        assert_eq!(Server::try_from(0u8).unwrap(), Server::Sandbox);
        assert_eq!(Server::try_from(1).unwrap(), Server::Production);
        assert!(Server::try_from(2).is_err());
        assert!(Server::try_from(-1i64).is_err());
        assert_eq!("0".parse::<Server>().unwrap(), Server::Sandbox);
        assert_eq!(" 1 ".parse::<Server>().unwrap(), Server::Production);
        assert_eq!("Sandbox".parse::<Server>().unwrap(), Server::Sandbox);
        assert_eq!(
            Server::Sandbox.base_url(),
            "https://testapi.smileidentity.com/v1"
        );
        assert_eq!(
            Server::Production.base_url(),
            "https://api.smileidentity.com/v1"
        );
    }

    #[test]
    fn urls_are_normalised_once() {
        assert_eq!(ok("https://example.com/v1/"), "https://example.com/v1");
        assert_eq!(ok("https://example.com/v1///"), "https://example.com/v1");
        assert_eq!(ok("HTTPS://example.com/v1"), "https://example.com/v1");
        assert_eq!(ok("https://example.com"), "https://example.com");
        assert_eq!(
            ok("https://example.com:8443/v1"),
            "https://example.com:8443/v1"
        );
        // The past bug: a scheme prepended to a URL that already had one.
        assert!(normalize_base_url("https://https://example.com").is_err());
    }

    #[test]
    fn https_only_except_loopback() {
        assert!(normalize_base_url("http://example.com/v1").is_err());
        assert!(normalize_base_url("http://10.0.0.1/v1").is_err());
        assert!(normalize_base_url("http://localhost.example.com/v1").is_err());
        assert_eq!(ok("http://127.0.0.1:8080/v1"), "http://127.0.0.1:8080/v1");
        assert_eq!(ok("http://127.5.6.7/v1"), "http://127.5.6.7/v1");
        assert_eq!(ok("http://localhost:1/v1"), "http://localhost:1/v1");
        assert_eq!(ok("http://LOCALHOST/v1"), "http://LOCALHOST/v1");
        assert_eq!(ok("http://[::1]:9000/v1"), "http://[::1]:9000/v1");
        assert!(normalize_base_url("ftp://example.com").is_err());
    }

    #[test]
    fn malformed_urls_rejected() {
        for bad in [
            "",
            "   ",
            "https://",
            "https:///v1",
            "https://exa mple.com",
            "https://example.com/v1?x=1",
            "https://example.com/v1#x",
            "https://user:pass@example.com/v1",
            "https://example.com:/v1",
            "https://example.com:0/v1",
            "https://example.com:99999/v1",
            "https://example.com:80a/v1",
            "https://example.com:+80/v1",
            "https://example.com:80:90/v1",
            "https://[::1]:/v1",
            "https://[::1/v1",
            "https://[nonsense]/v1",
            "https://exa_mple..com",
            "https://-bad.com",
            "example.com/v1",
            // Not a URI at all: ureq could never have sent a request to it.
            "https://example.com/v1<x>",
        ] {
            assert!(normalize_base_url(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn only_known_names_and_urls_with_a_scheme() {
        for ok in [
            "0",
            "1",
            " sandbox ",
            "PRODUCTION",
            "Sandbox",
            "https://h.example/v1",
        ] {
            assert!(ok.parse::<Server>().is_ok(), "{ok:?}");
        }
        let key = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
        for bad in [
            "2",
            "-1",
            "banana",
            "",
            "sandbox2",
            "testapi.smileidentity.com/v1",
            key,
        ] {
            let err = bad.parse::<Server>().unwrap_err();
            assert!(
                matches!(
                    err,
                    Error::InvalidInput {
                        field: "sid_server",
                        ..
                    }
                ),
                "{bad:?}"
            );
            if !bad.is_empty() {
                assert!(!err.to_string().contains(bad), "{err} echoes {bad:?}");
                assert!(!format!("{err:?}").contains(bad), "{err:?} echoes {bad:?}");
            }
        }
        let err = format!("https://{key} /v1").parse::<Server>().unwrap_err();
        assert!(!err.to_string().contains(key), "{err}");
    }

    #[test]
    fn callback_urls() {
        for ok in [
            "https://example.com/callback",
            "https://example.com/cb?token=abc",
            "http://127.0.0.1:8787/callback",
            "http://localhost/cb",
        ] {
            assert!(check_callback_url(ok).is_ok(), "{ok}");
        }
        let key = "a0b1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d";
        for bad in [
            key,
            "http://example.com/cb",
            "ftp://x.example",
            "https://",
            "example.com/cb",
        ] {
            let err = check_callback_url(bad).unwrap_err();
            assert!(matches!(
                err,
                Error::InvalidInput {
                    field: "default_callback",
                    ..
                }
            ));
            assert!(!err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn loopback_detection() {
        assert!(is_loopback_url("http://127.0.0.1:8080/v1"));
        assert!(is_loopback_url("http://localhost/v1"));
        assert!(is_loopback_url("http://[::1]:1/v1"));
        assert!(!is_loopback_url("https://api.smileidentity.com/v1"));
        assert!(!is_loopback_url("https://10.0.0.1/v1"));
    }

    #[test]
    fn smile_id_hosts_need_their_path() {
        for raw in [
            "https://testapi.smileidentity.com",
            "https://api.smileidentity.com/",
            "https://API.SmileIdentity.com",
        ] {
            let err = normalize_base_url(raw).unwrap_err().to_string();
            assert!(err.contains("/v1"), "{raw}: {err}");
        }
        assert_eq!(
            ok("https://api.smileidentity.com/v1/"),
            "https://api.smileidentity.com/v1"
        );
        // Other hosts (a gateway of your own) may serve at the root.
        assert_eq!(
            ok("https://gateway.example.com"),
            "https://gateway.example.com"
        );
    }

    #[test]
    fn job_status_paths_are_refused() {
        for raw in [
            "https://api.smileidentity.com/v1/job_status",
            "https://gateway.example.com/job_status/",
            "http://127.0.0.1:8080/v1/JOB_STATUS",
        ] {
            let err = Server::custom(raw).unwrap_err().to_string();
            assert!(err.contains("should end in /v1"), "{raw}: {err}");
        }
        assert!(Server::custom("https://gateway.example.com/job_status_proxy/v1").is_ok());
    }

    #[test]
    fn errors_name_the_field() {
        let err = normalize_base_url("http://example.com").unwrap_err();
        assert!(matches!(
            err,
            Error::InvalidInput {
                field: "sid_server",
                ..
            }
        ));
        assert!(err.to_string().contains("https"));
    }
}
