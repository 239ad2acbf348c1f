//! The timestamps a signer writes: requests' with microseconds, answers'
//! (as Smile ID signs them) with milliseconds.

use time::OffsetDateTime;

/// A request's timestamp: `YYYY-MM-DDTHH:MM:SS.ffffffZ` in UTC, with
/// microseconds (see [`Signature::generate_signature`](crate::Signature::generate_signature)), on the stack.
pub(crate) type RequestTimestamp = Utc<REQUEST_TIMESTAMP_LEN>;

/// The length of every request timestamp.
pub(crate) const REQUEST_TIMESTAMP_LEN: usize = 27;

/// Formats a time as `YYYY-MM-DDTHH:MM:SS.mmmZ` in UTC, as Smile ID signs
/// its answers.
#[cfg(any(test, feature = "testing"))]
pub(crate) fn format_timestamp(t: OffsetDateTime) -> String {
    Utc::<24>::new(t).as_str().to_owned()
}

/// `YYYY-MM-DDTHH:MM:SS.` then `LEN - 21` digits of the second (at most
/// nine), then `Z`, in UTC: ASCII in a fixed array, written digit by digit
/// (once per request, so no `format!` and no allocation). (`time` without
/// its large-dates feature keeps years within ±9999; a year before 0 cannot
/// come from the clock and is written as 0000.)
#[derive(Clone, Copy)]
pub(crate) struct Utc<const LEN: usize>([u8; LEN]);

impl<const LEN: usize> Utc<LEN> {
    pub(crate) fn new(t: OffsetDateTime) -> Self {
        /// Writes `n`'s last digits right-aligned into `slot`, zero-padded.
        fn digits(slot: Option<&mut [u8]>, mut n: u32) {
            for byte in slot.into_iter().flatten().rev() {
                // `n % 10` is a digit, so the sum is ASCII.
                *byte = b'0' + (n % 10) as u8;
                n /= 10;
            }
        }
        let fraction_digits = LEN.saturating_sub(21).min(9);
        let t = t.to_offset(time::UtcOffset::UTC);
        // The separators, then every digit written over its place; the last
        // byte stays `Z`.
        let mut text = [b'Z'; LEN];
        for (to, from) in text.iter_mut().zip(b"0000-00-00T00:00:00.") {
            *to = *from;
        }
        digits(text.get_mut(0..4), u32::try_from(t.year()).unwrap_or(0));
        digits(text.get_mut(5..7), u32::from(u8::from(t.month())));
        digits(text.get_mut(8..10), u32::from(t.day()));
        digits(text.get_mut(11..13), u32::from(t.hour()));
        digits(text.get_mut(14..16), u32::from(t.minute()));
        digits(text.get_mut(17..19), u32::from(t.second()));
        let fraction = t.nanosecond() / 10u32.pow(9 - fraction_digits as u32);
        digits(text.get_mut(20..20 + fraction_digits), fraction);
        Utc(text)
    }

    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII digits and separators are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }
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
        assert_eq!(
            RequestTimestamp::new(t).as_str(),
            "2026-11-26T12:32:04.622000Z"
        );
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
