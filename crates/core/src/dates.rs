//! Calendar arithmetic on plain integers: dates are days since 1970-01-01 and
//! timestamps are seconds since 1970-01-01T00:00:00 (no time zone, as in the files).

/// Seconds in a day.
pub const DAY: i64 = 86_400;

/// Days since 1970-01-01 of a proleptic Gregorian date (Hinnant's algorithm).
pub fn days_from_civil(y: i32, m: u32, d: u32) -> i32 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy as i32;
    era * 146_097 + doe - 719_468
}

/// (year, month, day) of a day number.
pub fn civil_from_days(z: i32) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

/// Day of the week, 0 = Monday … 6 = Sunday.
pub fn weekday(day: i32) -> u32 {
    (day + 3).rem_euclid(7) as u32
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        _ => 28,
    }
}

/// Day number of a valid calendar date, `None` for an impossible one (2025-02-30).
pub fn checked_day(y: i32, m: u32, d: u32) -> Option<i32> {
    ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m) && (1000..=9999).contains(&y))
        .then(|| days_from_civil(y, m, d))
}

/// Writes `YYYY-MM-DD`.
pub fn write_date(out: &mut Vec<u8>, day: i32) {
    let (y, m, d) = civil_from_days(day);
    push_digits(out, y.max(0) as u32, 4);
    out.push(b'-');
    push_digits(out, m, 2);
    out.push(b'-');
    push_digits(out, d, 2);
}

/// Writes `YYYY-MM-DDTHH:MM:SS`.
pub fn write_timestamp(out: &mut Vec<u8>, ts: i64) {
    write_date(out, ts.div_euclid(DAY) as i32);
    let s = ts.rem_euclid(DAY) as u32;
    out.push(b'T');
    push_digits(out, s / 3600, 2);
    out.push(b':');
    push_digits(out, s / 60 % 60, 2);
    out.push(b':');
    push_digits(out, s % 60, 2);
}

/// Writes many timestamps fast: remembers the date text of the last day seen
/// (rows mostly come in day order).
#[derive(Debug, Default)]
pub struct TimestampWriter {
    day: Option<i64>,
    /// `YYYY-MM-DDTHH:MM:SS`: the date part is kept, the time rewritten.
    text: [u8; 19],
}

impl TimestampWriter {
    /// Writes `YYYY-MM-DDTHH:MM:SS`, the same bytes as [`write_timestamp`].
    #[inline]
    pub fn write(&mut self, out: &mut Vec<u8>, ts: i64) {
        let day = ts.div_euclid(DAY);
        if self.day != Some(day) {
            let mut date = Vec::with_capacity(10);
            write_date(&mut date, day as i32);
            if date.len() == 10 {
                self.text[..10].copy_from_slice(&date);
                self.text[10] = b'T';
                self.day = Some(day);
            } else {
                // Years past 9999 do not fit the cached layout: write it the slow way.
                self.day = None;
                return write_timestamp(out, ts);
            }
        }
        let s = ts.rem_euclid(DAY) as u32;
        let (h, m, sec) = (s / 3600, s / 60 % 60, s % 60);
        // `HH:MM:SS` as one little-endian word: each pair of digits from v·103 >> 10,
        // which is v / 10 for v below 100.
        let pair = |v: u32| {
            let tens = (v * 103) >> 10;
            u64::from(tens | (v - tens * 10) << 8) | 0x3030
        };
        let colons = u64::from(b':') << 16 | u64::from(b':') << 40;
        let time = pair(h) | pair(m) << 24 | pair(sec) << 48 | colons;
        self.text[11..].copy_from_slice(&time.to_le_bytes());
        // A fixed-size copy: inlined, no call to memcpy.
        out.extend_from_slice(&self.text);
    }
}

/// `YYYY-MM-DD` as a `String`.
pub fn date_string(day: i32) -> String {
    let mut v = Vec::with_capacity(10);
    write_date(&mut v, day);
    String::from_utf8_lossy(&v).into_owned()
}

/// Whether `text` is written `YYYY-MM-DD` (digits and dashes in their places),
/// whether or not it is a day.
pub fn iso_shaped(text: &str) -> bool {
    let b = text.as_bytes();
    b.len() == 10
        && b.iter().enumerate().all(|(i, &c)| {
            if i == 4 || i == 7 {
                c == b'-'
            } else {
                c.is_ascii_digit()
            }
        })
}

/// A day from its `YYYY-MM-DD` text (nothing else: no time, no other order), of the
/// years 1000 to 9999 (those [`date_string`] writes in that shape).
pub fn parse_iso_day(text: &str) -> Option<i32> {
    match parse(text.as_bytes()) {
        Some(p) if iso_shaped(text) && !p.has_time => Some(p.ts.div_euclid(DAY) as i32),
        _ => None,
    }
}

/// The days [`parse_iso_day`] reads: 1000-01-01 to 9999-12-31.
pub const ISO_DAYS: std::ops::RangeInclusive<i32> = -354_285..=2_932_896;

/// Serde of a day as its ISO date (`"2025-01-31"`): the options in `manifest.json`
/// are read by people. `#[serde(with = "crate::dates::iso_day")]`.
pub mod iso_day {
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    /// The day as `YYYY-MM-DD` (refused outside the years 1000 to 9999, which would
    /// not read back).
    pub fn serialize<S: Serializer>(day: &i32, s: S) -> Result<S::Ok, S::Error> {
        if !super::ISO_DAYS.contains(day) {
            return Err(serde::ser::Error::custom(format!(
                "day {day} is outside the years 1000 to 9999"
            )));
        }
        s.serialize_str(&super::date_string(*day))
    }

    /// A day from `YYYY-MM-DD`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i32, D::Error> {
        let text = String::deserialize(d)?;
        super::parse_iso_day(&text).ok_or_else(|| D::Error::custom(format!("expected a date YYYY-MM-DD, got `{text}`")))
    }
}

/// [`iso_day`] of a day that may be absent (`null`).
pub mod iso_day_opt {
    use serde::{Deserialize, Deserializer, Serializer};

    /// The day as `YYYY-MM-DD`, or `null`.
    pub fn serialize<S: Serializer>(day: &Option<i32>, s: S) -> Result<S::Ok, S::Error> {
        match day {
            Some(d) => super::iso_day::serialize(d, s),
            None => s.serialize_none(),
        }
    }

    /// A day from `YYYY-MM-DD`, or `None` from `null`.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i32>, D::Error> {
        #[derive(serde::Deserialize)]
        struct Day(#[serde(with = "super::iso_day")] i32);
        Ok(Option::<Day>::deserialize(d)?.map(|Day(day)| day))
    }
}

#[inline]
fn push_digits(out: &mut Vec<u8>, mut v: u32, width: usize) {
    let start = out.len();
    out.resize(start + width, b'0');
    for i in (0..width).rev() {
        out[start + i] = b'0' + (v % 10) as u8;
        v /= 10;
    }
}

/// A parsed date or timestamp, and whether the text carried a time of day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Parsed {
    /// Seconds since the epoch (midnight when no time was given).
    pub ts: i64,
    /// Whether the text had a time of day.
    pub has_time: bool,
    /// Whether that time had its seconds (`10:20:30`, not `10:20`).
    pub to_the_second: bool,
}

fn num(b: &[u8]) -> Option<u32> {
    if b.is_empty() || b.len() > 4 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0u32, |a, &c| a * 10 + (c - b'0') as u32))
}

/// Parses `YYYY-MM-DD`, `DD/MM/YYYY` (also with `-` or `.`), optionally followed
/// by `T` or a space and `HH:MM[:SS[.fff]]`, and an optional time zone (`Z`,
/// `+01:00`, `+0100`, `-05`). The zone is read but not applied: a time counts as
/// written, on the file's clock, as a time without a zone does (so a file in French
/// local time keeps its days and hours).
pub fn parse(text: &[u8]) -> Option<Parsed> {
    let text = trim(text);
    let (date, time) = match text.iter().position(|&c| c == b'T' || c == b' ') {
        Some(p) => (&text[..p], Some(trim(&text[p + 1..]))),
        None => (text, None),
    };
    let day = parse_date(date)?;
    let time = match time {
        None => None,
        Some(t) => Some(parse_time(t)?),
    };
    Some(Parsed {
        ts: day as i64 * DAY + time.map_or(0, |(secs, _)| secs) as i64,
        has_time: time.is_some(),
        to_the_second: time.is_some_and(|(_, seconds)| seconds),
    })
}

/// A date without a time (`parsed`) at the time of day `time` (`HH:MM[:SS]`, as
/// [`parse`] reads a time); `None` when `time` is not one.
pub fn at_time(parsed: Parsed, time: &[u8]) -> Option<Parsed> {
    let (secs, seconds) = parse_time(trim(time))?;
    Some(Parsed {
        ts: parsed.ts.div_euclid(DAY) * DAY + secs as i64,
        has_time: true,
        to_the_second: seconds,
    })
}

/// The day of the last `YYYY-MM-DD` parsed by [`parse_cached`].
#[derive(Debug, Clone, Copy, Default)]
pub struct DayCache {
    date: [u8; 10],
    day: Option<i32>,
}

/// [`parse`], fast for `YYYY-MM-DDTHH:MM:SS` (or with a space), whose date part is
/// usually the one before: `cache` remembers it.
#[inline]
pub fn parse_cached(text: &[u8], cache: &mut DayCache) -> Option<Parsed> {
    let digits = |r: std::ops::Range<usize>| text[r].iter().all(u8::is_ascii_digit);
    let two = |at: usize| (text[at] - b'0') as u32 * 10 + (text[at + 1] - b'0') as u32;
    if text.len() != 19
        || text[4] != b'-'
        || text[7] != b'-'
        || !matches!(text[10], b'T' | b' ')
        || text[13] != b':'
        || text[16] != b':'
        || !(digits(0..4) && digits(5..7) && digits(8..10) && digits(11..13) && digits(14..16) && digits(17..19))
    {
        return parse(text);
    }
    let day = match cache.day {
        Some(d) if cache.date == text[..10] => d,
        _ => {
            let y = two(0) as i32 * 100 + two(2) as i32;
            let d = checked_day(y, two(5), two(8))?;
            cache.date.copy_from_slice(&text[..10]);
            cache.day = Some(d);
            d
        }
    };
    let (h, m, s) = (two(11), two(14), two(17));
    if h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some(Parsed {
        ts: day as i64 * DAY + (h * 3600 + m * 60 + s) as i64,
        has_time: true,
        to_the_second: true,
    })
}

fn parse_date(b: &[u8]) -> Option<i32> {
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' {
        return checked_day(num(&b[..4])? as i32, num(&b[5..7])?, num(&b[8..10])?);
    }
    // `YYYYMMDD` (Google Analytics' exports).
    if b.len() == 8 && b.iter().all(u8::is_ascii_digit) {
        return checked_day(num(&b[..4])? as i32, num(&b[4..6])?, num(&b[6..8])?);
    }
    let sep = *b.iter().find(|c| matches!(c, b'/' | b'-' | b'.'))?;
    let mut parts = b.split(|&c| c == sep);
    let (d, m, y) = (parts.next()?, parts.next()?, parts.next()?);
    if parts.next().is_some() || y.len() != 4 || d.len() > 2 || m.len() > 2 {
        return None;
    }
    checked_day(num(y)? as i32, num(m)?, num(d)?)
}

/// `b` without its time zone, if it ends in one (see [`parse`]); `None` when what
/// follows a sign is not a zone.
fn without_zone(b: &[u8]) -> Option<&[u8]> {
    if let Some(time) = b.strip_suffix(b"Z") {
        return Some(time);
    }
    // ` UTC` (BigQuery's exports), ` GMT`.
    if b.len() > 3
        && [&b"UTC"[..], b"GMT"]
            .iter()
            .any(|z| b[b.len() - 3..].eq_ignore_ascii_case(z))
    {
        return Some(trim(&b[..b.len() - 3]));
    }
    let Some(sign) = b.iter().rposition(|&c| c == b'+' || c == b'-') else {
        return Some(b);
    };
    let zone = &b[sign + 1..];
    let (h, m) = match zone.len() {
        2 => (zone, &b"00"[..]),
        4 => zone.split_at(2),
        5 if zone[2] == b':' => (&zone[..2], &zone[3..]),
        _ => return None,
    };
    (num(h)? <= 14 && num(m)? <= 59).then(|| trim(&b[..sign]))
}

/// Seconds into the day, and whether the text had its seconds.
fn parse_time(b: &[u8]) -> Option<(u32, bool)> {
    let b = without_zone(b)?;
    let b = match b.iter().position(|&c| c == b'.') {
        Some(p) if b[p + 1..].iter().all(u8::is_ascii_digit) => &b[..p],
        Some(_) => return None,
        None => b,
    };
    let mut parts = b.split(|&c| c == b':');
    let h = num(parts.next()?)?;
    let m = num(parts.next()?)?;
    let s = parts.next().map(num);
    let seconds = s.is_some();
    let s = s.unwrap_or(Some(0))?;
    if parts.next().is_some() || h > 23 || m > 59 || s > 59 {
        return None;
    }
    Some((h * 3600 + m * 60 + s, seconds))
}

fn trim(b: &[u8]) -> &[u8] {
    let start = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let end = b
        .iter()
        .rposition(|c| !c.is_ascii_whitespace())
        .map_or(start, |e| e + 1);
    &b[start..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip_over_centuries() {
        for day in -800_000..800_000 {
            let (y, m, d) = civil_from_days(day);
            assert_eq!(days_from_civil(y, m, d), day);
        }
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2025, 1, 1), 20_089);
        assert_eq!(weekday(days_from_civil(2025, 1, 1)), 2); // a Wednesday
    }

    #[test]
    fn parses_the_formats_met_in_the_field() {
        let d = days_from_civil(2025, 3, 7) as i64 * DAY;
        let cases: [(&str, i64, bool, bool); 17] = [
            ("2025-03-07", d, false, false),
            ("2025-03-07T10:20:30", d + 37_230, true, true),
            ("2025-03-07 10:20:30", d + 37_230, true, true),
            ("2025-03-07T10:20:30.123Z", d + 37_230, true, true),
            ("07/03/2025", d, false, false),
            ("7/3/2025 10:20", d + 37_200, true, false),
            (" 07-03-2025 ", d, false, false),
            ("07.03.2025 10:20:30", d + 37_230, true, true),
            // A zone is read, not applied: the time is the one written.
            ("2025-03-07T10:20:30+01:00", d + 37_230, true, true),
            ("2025-03-07T10:20:30.5-05:00", d + 37_230, true, true),
            ("2025-03-07 10:20:30 +0200", d + 37_230, true, true),
            ("07/03/2025 10:20+01", d + 37_200, true, false),
            ("2025-03-07T23:59:59-14:00", d + 86_399, true, true),
            // Google Analytics' days, BigQuery's UTC.
            ("20250307", d, false, false),
            ("2025-03-07 10:20:30 UTC", d + 37_230, true, true),
            ("2025-03-07 10:20 utc", d + 37_200, true, false),
            ("2025-03-07T10:20:30GMT", d + 37_230, true, true),
        ];
        for (text, ts, has_time, to_the_second) in cases {
            let expected = Parsed {
                ts,
                has_time,
                to_the_second,
            };
            assert_eq!(parse(text.as_bytes()), Some(expected), "{text}");
        }
        for bad in [
            "",
            "hier",
            "2025-02-30",
            "2025-13-01",
            "2025-01-01T24:00:00",
            "01/01/25",
            "2025-1-1x",
            "2025-03-07T10:20:30+1:00",
            "2025-03-07T10:20:30+15:00",
            "2025-03-07T10:20:30+01:60",
            "2025-03-07T10:20:30+",
            "2025-03-07T10:20:30+01:00Z",
            "2025-03-07T+01:00",
            "20251307",
            "2025030",
            "UTC",
            "2025-03-07 UTC",
        ] {
            assert_eq!(parse(bad.as_bytes()), None, "{bad}");
        }
    }

    #[test]
    fn the_fast_path_reads_what_the_general_one_reads() {
        let mut cache = DayCache::default();
        for text in [
            "2025-03-07T10:20:30",
            "2025-03-07 23:59:59",
            "2025-03-08T00:00:00",
            "2025-03-08T24:00:00",
            "2025-02-29T10:00:00",
            "2024-02-29T10:00:00",
            "2025-13-01T08:00:00",
            "2025-03-0xT10:20:30",
            "2025-03-07T10:2a:30",
            " 2025-03-07T10:20:30",
            "2025-03-07",
            "07/03/2025 10:20:30",
            "hier",
        ] {
            assert_eq!(
                parse_cached(text.as_bytes(), &mut cache),
                parse(text.as_bytes()),
                "{text}"
            );
        }
    }

    #[test]
    fn cached_timestamps_match_plain_ones() {
        let mut w = TimestampWriter::default();
        // Every second of a day, and around day edges.
        let day = (1_740_000_000 / DAY) * DAY;
        let edges = [0i64, 59, 3_600, 86_399, 86_400, -1, 1_740_000_000, 1_740_000_001, 1_000];
        for ts in edges.into_iter().chain(day..day + DAY + 1) {
            let (mut a, mut b) = (Vec::new(), Vec::new());
            write_timestamp(&mut a, ts);
            w.write(&mut b, ts);
            assert_eq!(a, b, "{ts}");
        }
    }

    #[test]
    fn iso_days_read_only_their_own_shape_and_go_through_json_as_text() {
        assert_eq!(parse_iso_day("2025-01-01"), Some(20_089));
        for text in [
            "2025-02-30",
            "01/02/2025",
            " 025-01-01",
            "2025-01-01T00:00",
            "2025-1-01",
            "",
        ] {
            assert_eq!(parse_iso_day(text), None, "{text:?}");
        }
        #[derive(serde::Serialize, serde::Deserialize, PartialEq, Debug)]
        struct Days {
            #[serde(with = "iso_day")]
            day: i32,
            #[serde(with = "iso_day_opt")]
            maybe: Option<i32>,
        }
        for value in [
            Days {
                day: 20_089,
                maybe: Some(20_178),
            },
            Days { day: -1, maybe: None },
        ] {
            let json = serde_json::to_string(&value).unwrap();
            assert_eq!(serde_json::from_str::<Days>(&json).unwrap(), value, "{json}");
        }
        let json = serde_json::to_string(&Days {
            day: 20_089,
            maybe: Some(20_178),
        })
        .unwrap();
        assert_eq!(json, r#"{"day":"2025-01-01","maybe":"2025-03-31"}"#);
        assert!(serde_json::from_str::<Days>(r#"{"day":20089,"maybe":null}"#).is_err());
        // The first and last days of the years it writes as they read back, no further.
        assert_eq!(date_string(*ISO_DAYS.start()), "1000-01-01");
        assert_eq!(date_string(*ISO_DAYS.end()), "9999-12-31");
        for day in [*ISO_DAYS.start(), *ISO_DAYS.end()] {
            let json = serde_json::to_string(&Days { day, maybe: Some(day) }).unwrap();
            assert_eq!(serde_json::from_str::<Days>(&json).unwrap().day, day, "{json}");
        }
        for day in [*ISO_DAYS.start() - 1, *ISO_DAYS.end() + 1] {
            assert!(serde_json::to_string(&Days { day, maybe: None }).is_err(), "{day}");
            assert!(
                serde_json::to_string(&Days {
                    day: 0,
                    maybe: Some(day)
                })
                .is_err(),
                "{day}"
            );
        }
    }

    #[test]
    fn formats_iso() {
        let mut v = Vec::new();
        write_timestamp(&mut v, days_from_civil(2024, 2, 29) as i64 * DAY + 3_661);
        assert_eq!(v, b"2024-02-29T01:01:01");
    }
}
