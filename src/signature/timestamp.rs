//! The timestamps a signer writes, in UTC: requests' with microseconds,
//! answers' (as Smile ID signs them) with milliseconds.

use time::format_description::BorrowedFormatItem;
use time::macros::format_description;
use time::{OffsetDateTime, UtcOffset};

/// The length of every request timestamp (`YYYY-MM-DDTHH:MM:SS.ffffffZ`).
pub(crate) const REQUEST_TIMESTAMP_LEN: usize = 27;

const REQUEST: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:6]Z");

#[cfg(any(test, feature = "testing"))]
const ANSWER: &[BorrowedFormatItem<'_>] =
    format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");

/// A request's timestamp, `YYYY-MM-DDTHH:MM:SS.ffffffZ`, with microseconds
/// (see [`Signature::generate_signature`](crate::Signature::generate_signature)).
pub(crate) fn request_timestamp(t: OffsetDateTime) -> String {
    utc(t, REQUEST)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ`, with milliseconds, as Smile ID signs its
/// answers.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    utc(t, ANSWER)
}

fn utc(t: OffsetDateTime, items: &[BorrowedFormatItem<'_>]) -> String {
    // `time` fails to format only when a component is missing from the value
    // (an `OffsetDateTime` has them all) or writing fails (a `String` does
    // not), and years stay within four digits without its `large-dates`.
    #[allow(clippy::expect_used)]
    t.to_offset(UtcOffset::UTC)
        .format(items)
        .expect("a date-time formats into a string")
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
        assert_eq!(request_timestamp(t), "2026-11-26T12:32:04.622000Z");
        let params = Signature::new("1", "k").unwrap().generate_signature();
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
