//! RFC 3339 timestamps (UTC, `Z`) for `{"$timestamp": …}`: fractional seconds only when non-zero,
//! trailing zeros trimmed.

/// Days since 1970-01-01 of a proleptic Gregorian date.
fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The date of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

/// Formats seconds + nanoseconds since the epoch.
pub fn format(seconds: i64, nanoseconds: u32) -> String {
    let days = seconds.div_euclid(86_400);
    let secs = seconds.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let mut out = format!("{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
    if nanoseconds != 0 {
        let fraction = format!("{nanoseconds:09}");
        out.push('.');
        out.push_str(fraction.trim_end_matches('0'));
    }
    out.push('Z');
    out
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` into seconds + nanoseconds since the epoch.
///
/// Works on bytes only: the text may hold any character where a digit or a sign is expected,
/// and slicing a `&str` there could land inside a multi-byte character.
pub fn parse(text: &str) -> Option<(i64, u32)> {
    let b = text.as_bytes();
    let num = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = b.get(range)?;
        // At most 4 ASCII digits: the sum cannot overflow.
        digits.iter().try_fold(0i64, |n, &c| c.is_ascii_digit().then(|| n * 10 + i64::from(c - b'0')))
    };
    if b.len() < 20
        || b[4] != b'-'
        || b[7] != b'-'
        || !matches!(b[10], b'T' | b't' | b' ')
        || b[13] != b':'
        || b[16] != b':'
    {
        return None;
    }
    let (year, month, day) = (num(0..4)?, num(5..7)? as u32, num(8..10)? as u32);
    let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&month) || !(1..=31).contains(&day) || hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let mut i = 19;
    let mut nanos = 0u32;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        if i == start {
            return None;
        }
        // The first nine digits, padded with zeros to nanoseconds; later digits are dropped.
        let digits = &b[start..i];
        nanos = (0..9).fold(0u32, |n, k| n * 10 + digits.get(k).map_or(0, |&d| u32::from(d - b'0')));
    }
    let offset = match &b[i..] {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), _, _, b':', _, _] => {
            let minutes = num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?;
            if *sign == b'-' {
                -minutes * 60
            } else {
                minutes * 60
            }
        }
        _ => return None,
    };
    let seconds = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second - offset;
    Some((seconds, nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_and_parses() {
        assert_eq!(format(0, 0), "1970-01-01T00:00:00Z");
        assert_eq!(format(1_704_164_645, 0), "2024-01-02T03:04:05Z");
        assert_eq!(format(1_704_164_645, 120_000_000), "2024-01-02T03:04:05.12Z");
        assert_eq!(format(-1, 999_999_999), "1969-12-31T23:59:59.999999999Z");
        assert_eq!(format(253_402_300_799, 0), "9999-12-31T23:59:59Z");
        for (s, n) in [(0, 0), (1_704_164_645, 120_000_000), (-1, 999_999_999), (-62_135_596_800, 1)] {
            assert_eq!(parse(&format(s, n)), Some((s, n)));
        }
        assert_eq!(parse("2024-01-02T04:04:05+01:00"), Some((1_704_164_645, 0)));
        assert_eq!(parse("2024-01-02T03:04:05.000Z"), Some((1_704_164_645, 0)));
        assert_eq!(parse("2024-13-02T03:04:05Z"), None);
        assert_eq!(parse("2024-01-02T03:04:05.1234567891Z"), Some((1_704_164_645, 123_456_789)));
        assert_eq!(parse("2024-01-02T03:04:05.Z"), None);
        assert_eq!(parse("2024-01-02T03:04:05-00:30"), Some((1_704_164_645 + 1800, 0)));
        assert_eq!(parse("yesterday"), None);
    }

    #[test]
    fn non_ascii_text_is_refused_not_sliced() {
        // Each has non-ASCII text where the zone or the fraction is expected: slicing the string
        // at a byte index there landed inside a character (a panic before the fix).
        for text in [
            "2024-01-02T03:04:05\u{20ac}:00",
            "2024-01-02T03:04:05\u{e9}1:00",
            "2024-01-02T03:04:05+0\u{e9}:0",
            "2024-01-02T03:04:05.5\u{20ac}:00",
            "2024-01-02T03:04:05+01\u{ff1a}0",
            "\u{e9}024-01-02T03:04:05Z",
            "2024-01-02T03:04:\u{e9}Z\u{e9}\u{e9}",
        ] {
            assert_eq!(parse(text), None, "{text}");
        }
    }
}
