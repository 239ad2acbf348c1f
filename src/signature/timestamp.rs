//! The timestamps a signer writes: requests' with microseconds, answers'
//! (as Smile ID signs them) with milliseconds.

use time::OffsetDateTime;

/// Formats a request's time: `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC, with
/// microseconds (see [`Signature::generate_signature`]).
pub(crate) fn format_request_timestamp(t: OffsetDateTime) -> String {
    format_utc(t, 6)
}

/// Formats a time as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, as Smile ID signs
/// its answers.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    format_utc(t, 3)
}

/// `YYYY-MM-DDTHH:MM:SS.` then `fraction_digits` digits of the second, then
/// `Z`, in UTC. Called once per request, so it writes digits directly into a
/// string of the exact length rather than going through `format!`. (`time`
/// without its large-dates feature keeps years within ±9999; a year before 0
/// cannot come from the clock and is written as 0000.)
fn format_utc(t: OffsetDateTime, fraction_digits: u32) -> String {
    fn digits(out: &mut String, n: u32, width: u32) {
        for place in (0..width).rev() {
            let digit = n / 10u32.pow(place) % 10;
            out.push(char::from_digit(digit, 10).unwrap_or('0'));
        }
    }
    let t = t.to_offset(time::UtcOffset::UTC);
    let mut out = String::with_capacity(21 + fraction_digits as usize);
    digits(&mut out, u32::try_from(t.year()).unwrap_or(0), 4);
    out.push('-');
    digits(&mut out, u32::from(u8::from(t.month())), 2);
    out.push('-');
    digits(&mut out, u32::from(t.day()), 2);
    out.push('T');
    digits(&mut out, u32::from(t.hour()), 2);
    out.push(':');
    digits(&mut out, u32::from(t.minute()), 2);
    out.push(':');
    digits(&mut out, u32::from(t.second()), 2);
    out.push('.');
    let nanos = t.nanosecond() / 10u32.pow(9 - fraction_digits.min(9));
    digits(&mut out, nanos, fraction_digits.min(9));
    out.push('Z');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Signature;

    #[test]
    fn answers_use_milliseconds_and_requests_microseconds() {
        // 13:32:04.622 at +01:00 is 12:32:04.622 UTC.
        let t = time::macros_free_datetime();
        assert_eq!(format_timestamp(t), "2026-11-26T12:32:04.622Z");
        assert_eq!(format_request_timestamp(t), "2026-11-26T12:32:04.622000Z");
        let params = Signature::new("1", "k").unwrap().generate_signature(None);
        let ts = params.timestamp.as_bytes();
        assert_eq!(ts.len(), 27);
        assert_eq!(ts[10], b'T');
        assert_eq!(ts[19], b'.');
        assert_eq!(ts[26], b'Z');
        assert!(
            ::time::OffsetDateTime::parse(
                &params.timestamp,
                &::time::format_description::well_known::Rfc3339
            )
            .is_ok()
        );
    }

    #[test]
    fn timestamps_are_zero_padded() {
        let t = ::time::PrimitiveDateTime::new(
            ::time::Date::from_calendar_date(7, ::time::Month::January, 2).unwrap(),
            ::time::Time::from_hms_milli(3, 4, 5, 6).unwrap(),
        )
        .assume_utc();
        assert_eq!(format_timestamp(t), "0007-01-02T03:04:05.006Z");
        let end = ::time::PrimitiveDateTime::new(
            ::time::Date::from_calendar_date(9999, ::time::Month::December, 31).unwrap(),
            ::time::Time::from_hms_milli(23, 59, 59, 999).unwrap(),
        )
        .assume_utc();
        assert_eq!(format_timestamp(end), "9999-12-31T23:59:59.999Z");
    }

    mod time {
        pub use ::time::*;
        pub fn macros_free_datetime() -> OffsetDateTime {
            let date = Date::from_calendar_date(2026, Month::November, 26).unwrap();
            let t = Time::from_hms_milli(13, 32, 4, 622).unwrap();
            PrimitiveDateTime::new(date, t).assume_offset(UtcOffset::from_hms(1, 0, 0).unwrap())
        }
    }
}
