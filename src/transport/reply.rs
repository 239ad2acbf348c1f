//! What came back over HTTP: a 2xx body for judging, or the [`Error`] a
//! non-2xx answer means; and the headers read on the way (request id,
//! `Location`, `Retry-After`).

use std::time::Duration;

use time::OffsetDateTime;
use time::format_description::well_known::Rfc2822;
use ureq::http::header;

use crate::Error;
use crate::error::HttpDetails;
use crate::skim::{self, Duplicates, SkimError};

/// The most of a non-2xx body kept in [`Error::Http`].
const MAX_ERROR_BODY: usize = 1024;

/// Response headers that may carry a request id, in order of preference.
const REQUEST_ID_HEADERS: [&str; 4] = [
    "x-request-id",
    "x-amzn-requestid",
    "request-id",
    "x-amz-cf-id",
];

/// What came back over HTTP, before judging.
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) body: Vec<u8>,
    request_id: Option<String>,
    location: Option<String>,
    /// How long the server asked to wait before a retry.
    pub(super) retry_after: Option<Duration>,
}

impl Reply {
    /// A reply with its status and headers read and no body yet: the request
    /// id (by [`REQUEST_ID_HEADERS`] preference), `Location` and
    /// `Retry-After`, trimmed; a value that is not text is taken as absent.
    pub(super) fn head(status: u16, headers: &header::HeaderMap) -> Self {
        let text = |name: &str| headers.get(name)?.to_str().ok().map(str::trim);
        Reply {
            status,
            body: Vec::new(),
            request_id: REQUEST_ID_HEADERS
                .iter()
                .find_map(|h| text(h))
                .map(str::to_owned),
            location: text("location").map(str::to_owned),
            retry_after: text("retry-after")
                .and_then(|v| parse_retry_after(v, OffsetDateTime::now_utc())),
        }
    }

    /// The body of a 2xx reply, or the [`Error::Http`] any other status means:
    /// read from Smile ID's `{"error", "code"}` body when there is one,
    /// without decoding the rest of the body. Only a code of Smile ID's shape
    /// is kept outside [`HttpDetails`]; key-shaped runs and URL queries are
    /// cut out of what is kept there, in case a gateway echoed the request.
    pub(crate) fn into_success_body(self) -> Result<Vec<u8>, Error> {
        if (200..300).contains(&self.status) {
            return Ok(self.body);
        }
        let (status, body) = (self.status, self.body.as_slice());
        let scanned = std::str::from_utf8(body)
            .map_err(|_| SkimError::Empty)
            .and_then(|text| {
                skim::top_level(text, ["error", "message", "code"], Duplicates::FirstWins)
            });
        let is_json = matches!(scanned, Ok(_) | Err(SkimError::NotObject(_)));
        let [error, message, code] = scanned.unwrap_or_default();
        let code = code
            .and_then(|raw| match raw.parse::<u64>() {
                Ok(n) => Some(crate::codes::pad(n)),
                Err(_) => skim::text_of(raw).map(|c| c.into_owned()),
            })
            .filter(|c| (1..=8).contains(&c.len()) && c.bytes().all(|b| b.is_ascii_digit()));
        let server_message = [error, message]
            .into_iter()
            .flatten()
            .filter_map(|raw| raw.strip_prefix('"')?.strip_suffix('"'))
            .map(|inner| skim::unescape_prefix(inner, MAX_ERROR_BODY))
            .find(|text| !text.is_empty());
        let body_was = match (&server_message, body.iter().all(u8::is_ascii_whitespace)) {
            (Some(_), _) => "",
            (None, true) => " (empty body)",
            (None, false) if is_json => " (no error message)",
            (None, false) => " (non-JSON body)",
        };
        let cut = body.get(..MAX_ERROR_BODY).unwrap_or(body);
        Err(Error::Http {
            status,
            code,
            message: format!("{}{body_was}", reason_phrase(status)),
            details: Box::new(HttpDetails {
                message: server_message.as_deref().map(crate::redact::redact),
                body: crate::redact::redact(&String::from_utf8_lossy(cut)),
                request_id: self.request_id,
                location: self
                    .location
                    .map(|l| crate::redact::redact(&crate::redact::url_without_query(&l))),
            }),
        })
    }
}

/// `Retry-After` as seconds or an HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`:
/// an IMF-fixdate, RFC 2822's format in GMT, the one servers must send).
fn parse_retry_after(value: &str, now: OffsetDateTime) -> Option<Duration> {
    if let Ok(seconds) = value.parse::<u64>() {
        return Some(Duration::from_secs(seconds));
    }
    if !value.ends_with(" GMT") {
        return None;
    }
    let at = OffsetDateTime::parse(value, &Rfc2822).ok()?;
    Some(Duration::try_from(at - now).unwrap_or(Duration::ZERO))
}

/// What a status means, in lowercase (`"bad gateway"`).
fn reason_phrase(status: u16) -> String {
    let canonical = ureq::http::StatusCode::from_u16(status)
        .ok()
        .and_then(|s| s.canonical_reason());
    match (status / 100, canonical) {
        (3, _) => "redirect (not followed)".to_owned(),
        (_, Some(reason)) => reason.to_ascii_lowercase(),
        (4, None) => "client error".to_owned(),
        (5, None) => "server error".to_owned(),
        _ => "unexpected status".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ureq::http::HeaderValue;

    /// The error a reply with this status and body means.
    fn http_error(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        location: Option<String>,
    ) -> Error {
        let (body, retry_after) = (body.to_vec(), None);
        let reply = Reply {
            status,
            body,
            request_id,
            location,
            retry_after,
        };
        reply.into_success_body().unwrap_err()
    }

    fn at(raw: &str) -> time::OffsetDateTime {
        time::OffsetDateTime::parse(raw, &time::format_description::well_known::Rfc3339).unwrap()
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        let now = at("1994-11-06T08:49:30Z");
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after("120", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            Some(Duration::from_secs(7))
        );
        // A date in the past means "now".
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:00 GMT", now),
            Some(Duration::ZERO)
        );
        for bad in [
            "",
            "-1",
            "1.5",
            "soon",
            "Sun, 06 Nov 1994 08:49:37 PST",
            "Sun 06 Nov 1994 08:49:37 GMT",
        ] {
            assert_eq!(parse_retry_after(bad, now), None, "{bad:?}");
        }
    }

    #[test]
    fn headers_are_read_by_preference_and_trimmed() {
        let mut headers = header::HeaderMap::new();
        for (name, value) in [
            ("x-amz-cf-id", "cf"),
            ("X-Request-Id", " req-1 "),
            ("Location", "https://elsewhere/v1"),
            ("Retry-After", "7"),
            ("x-amzn-requestid", "amzn"),
        ] {
            headers.append(
                header::HeaderName::from_bytes(name.as_bytes()).unwrap(),
                HeaderValue::from_static(value),
            );
        }
        let read = |h: &header::HeaderMap| {
            let r = Reply::head(200, h);
            (r.request_id, r.location, r.retry_after)
        };
        assert_eq!(
            read(&headers),
            (
                Some("req-1".to_owned()),
                Some("https://elsewhere/v1".to_owned()),
                Some(Duration::from_secs(7))
            )
        );
        headers.remove("x-request-id");
        assert_eq!(read(&headers).0.as_deref(), Some("amzn"), "next preference");
        headers.insert(
            "x-amzn-requestid",
            HeaderValue::from_bytes(b"\xff").unwrap(),
        );
        assert_eq!(read(&headers).0.as_deref(), Some("cf"), "not text: absent");
        assert_eq!(read(&header::HeaderMap::new()), (None, None, None));
    }

    #[test]
    fn http_error_reads_smile_id_bodies() {
        let e = http_error(
            401,
            br#"{"error":"unauthorized","code":"2205"}"#,
            None,
            None,
        );
        let Error::Http {
            status,
            code,
            message,
            ..
        } = e
        else {
            panic!()
        };
        assert_eq!(
            (status, code.as_deref(), message.as_str()),
            (401, Some("2205"), "unauthorized")
        );
        let e = http_error(
            403,
            br#"{"error":"Forbidden: no","code":"22x05"}"#,
            None,
            None,
        );
        assert_eq!(e.smile_id_code(), None, "not of Smile ID's shape");
        assert_eq!(e.to_string(), "http status 403: forbidden");
        let server = e.http_details().unwrap().message.as_deref();
        assert_eq!(server, Some("Forbidden: no"));

        let e = http_error(
            400,
            br#"{"error":"missing parameter","code":2213}"#,
            None,
            None,
        );
        assert_eq!(e.smile_id_code(), Some("2213"));

        let e = http_error(
            502,
            b"<html><body>Bad Gateway</body></html>",
            Some("r-1".into()),
            None,
        );
        assert_eq!(e.http_details().unwrap().request_id.as_deref(), Some("r-1"));
        let Error::Http { message, .. } = e else {
            panic!()
        };
        assert_eq!(message, "bad gateway (non-JSON body)");

        let e = http_error(503, b"", None, None);
        assert!(e.to_string().contains("empty body"), "{e}");
    }

    #[test]
    fn http_error_redacts_an_echoed_request_signature() {
        let secret = "c2VjcmV0LXNpZ25hdHVyZS1zZWNyZXQtc2lnbmF0dXI=";
        let body = format!(r#"{{"error":"bad request {secret}","echo":"{secret}"}}"#);
        let e = http_error(400, body.as_bytes(), None, None);
        assert!(!format!("{e:?}").contains(secret));
        assert_eq!(e.to_string(), "http status 400: bad request");
        let details = e.http_details().unwrap();
        assert_eq!(details.message.as_deref(), Some("bad request [redacted]"));
        assert!(!details.body.contains(secret), "{}", details.body);
    }

    #[test]
    fn http_error_keeps_a_capped_body() {
        let body = b"x ".repeat(5_000);
        let e = http_error(500, &body, None, None);
        assert_eq!(e.http_details().unwrap().body.len(), MAX_ERROR_BODY);
    }
}
