//! Small text helpers shared by ingest and export: encodings, category keys and
//! the fixed-point number formats of the CSV outputs.

use std::borrow::Cow;

/// Unicode code points of Windows-1252 bytes 0x80..=0x9F (0 where undefined).
const CP1252_HIGH: [u16; 32] = [
    0x20AC, 0, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017D, 0, 0,
    0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0, 0x017E, 0x0178,
];

/// The text encoding a file was read with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Encoding {
    /// UTF-8 (with or without a byte-order mark).
    #[serde(rename = "utf-8")]
    Utf8,
    /// Windows-1252, as written by French Excel.
    #[serde(rename = "windows-1252")]
    Windows1252,
    /// UTF-8 with some bytes that are not, read as Windows-1252: files of both
    /// put end to end, or a UTF-8 file edited by a program that wrote 1252.
    #[serde(rename = "utf-8+windows-1252")]
    Mixed,
}

/// What reading bytes tells of their encoding (see [`EncodingScan::encoding`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EncodingScan {
    /// Some bytes are not UTF-8.
    pub invalid: bool,
    /// Some characters are UTF-8 of more than one byte.
    pub multibyte: bool,
}

impl EncodingScan {
    /// Scans `bytes`, a part of a text; when `more` follows it, a character cut at
    /// the end is not judged: the count of its bytes is returned, to be scanned again
    /// at the head of the next part.
    pub fn feed(&mut self, mut bytes: &[u8], more: bool) -> usize {
        loop {
            let (valid, error) = match std::str::from_utf8(bytes) {
                Ok(_) => (bytes.len(), None),
                Err(e) => (e.valid_up_to(), Some(e.error_len())),
            };
            self.multibyte = self.multibyte || !bytes[..valid].is_ascii();
            match error {
                None => return 0,
                Some(None) if more => return bytes.len() - valid,
                Some(None) => {
                    self.invalid = true;
                    return 0;
                }
                Some(Some(n)) => {
                    self.invalid = true;
                    bytes = &bytes[valid + n..];
                }
            }
        }
    }

    /// UTF-8 when every byte is; else UTF-8 read byte by byte as Windows-1252 where it
    /// is not, when some characters are UTF-8 of several bytes (Windows-1252 text
    /// seldom holds those by chance); else Windows-1252.
    pub fn encoding(&self) -> Encoding {
        match (self.invalid, self.multibyte) {
            (false, _) => Encoding::Utf8,
            (true, true) => Encoding::Mixed,
            (true, false) => Encoding::Windows1252,
        }
    }

    /// Whether more bytes can no longer change [`EncodingScan::encoding`].
    pub fn settled(&self) -> bool {
        self.invalid && self.multibyte
    }
}

/// Decodes a file to UTF-8: strips a UTF-8 BOM, and reads what is not valid UTF-8 as
/// Windows-1252 (the only other encoding French spreadsheets write): the whole file
/// when it has no UTF-8 character of several bytes, else only the bytes that are not
/// UTF-8 (see [`EncodingScan::encoding`]).
pub fn decode(bytes: &[u8]) -> (Cow<'_, [u8]>, Encoding) {
    let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if std::str::from_utf8(body).is_ok() {
        return (Cow::Borrowed(body), Encoding::Utf8);
    }
    let mut scan = EncodingScan::default();
    scan.feed(body, false);
    let encoding = scan.encoding();
    (decode_as(body, encoding), encoding)
}

/// Byte `b` read as Windows-1252 (U+FFFD for the bytes it leaves undefined, and NUL).
fn cp1252(b: u8) -> char {
    let c = match b {
        0x80..=0x9F => char::from_u32(CP1252_HIGH[(b - 0x80) as usize] as u32).unwrap_or('\u{FFFD}'),
        _ => b as char,
    };
    if c == '\0' {
        '\u{FFFD}'
    } else {
        c
    }
}

fn from_cp1252(body: &[u8]) -> Vec<u8> {
    let mut out = String::with_capacity(body.len() + body.len() / 8);
    out.extend(body.iter().map(|&b| cp1252(b)));
    out.into_bytes()
}

/// UTF-8 kept as it is, and each byte that is not UTF-8 read as Windows-1252.
fn from_mixed(mut body: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(body.len() + body.len() / 8);
    while !body.is_empty() {
        // The valid UTF-8 first, then the bytes that are not (a cut character at the
        // end: all of its bytes).
        let (valid, bad) = match std::str::from_utf8(body) {
            Ok(_) => (body.len(), 0),
            Err(e) => (e.valid_up_to(), e.error_len().unwrap_or(body.len() - e.valid_up_to())),
        };
        out.extend_from_slice(&body[..valid]);
        for &b in &body[valid..valid + bad] {
            out.extend_from_slice(cp1252(b).encode_utf8(&mut [0; 4]).as_bytes());
        }
        body = &body[valid + bad..];
    }
    out
}

/// Decodes part of a file whose encoding is known (invalid UTF-8 is replaced); a part
/// cut between lines decodes as it would within the whole file.
pub fn decode_as(bytes: &[u8], encoding: Encoding) -> Cow<'_, [u8]> {
    match encoding {
        Encoding::Utf8 => match std::str::from_utf8(bytes) {
            Ok(_) => Cow::Borrowed(bytes),
            Err(_) => Cow::Owned(String::from_utf8_lossy(bytes).into_owned().into_bytes()),
        },
        Encoding::Windows1252 => Cow::Owned(from_cp1252(bytes)),
        Encoding::Mixed => match std::str::from_utf8(bytes) {
            Ok(_) => Cow::Borrowed(bytes),
            Err(_) => Cow::Owned(from_mixed(bytes)),
        },
    }
}

/// Comparison key of a category spelling: lower case, accents, spaces, `-` and `_` removed
/// (" seo" → "seo", "E-mail" → "email", "PREMIUM" → "premium").
pub fn category_key(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '-' | '_' | '.' | '\''))
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .collect()
}

/// The plain letter of a French accented letter.
pub fn fold_accent(c: char) -> char {
    match c {
        'à' | 'â' | 'ä' | 'á' | 'ã' => 'a',
        'ç' => 'c',
        'é' | 'è' | 'ê' | 'ë' => 'e',
        'î' | 'ï' | 'í' => 'i',
        'ô' | 'ö' | 'ó' => 'o',
        'ù' | 'û' | 'ü' | 'ú' => 'u',
        'ÿ' => 'y',
        'À' | 'Â' | 'Ä' => 'A',
        'Ç' => 'C',
        'É' | 'È' | 'Ê' | 'Ë' => 'E',
        'Î' | 'Ï' => 'I',
        'Ô' | 'Ö' => 'O',
        'Ù' | 'Û' | 'Ü' => 'U',
        other => other,
    }
}

/// Parses a money amount into cents: `12`, `12.5`, `12,50`, `1 234,56`, `1.234,56`, `-3.00`, `12 €`.
/// Rounds half away from zero past the cent; `None` if it is not a number.
pub fn parse_cents(raw: &[u8]) -> Option<i64> {
    parse_cents_rounded(raw).map(|(c, _)| c)
}

/// [`parse_cents`], and whether the amount was finer than the cent (had non-zero
/// digits past it, and was rounded).
pub fn parse_cents_rounded(raw: &[u8]) -> Option<(i64, bool)> {
    if let Some(c) = simple_cents(raw) {
        return Some((c, false));
    }
    let s = std::str::from_utf8(raw).ok()?.trim();
    let s = s.strip_suffix('€').unwrap_or(s).trim_end();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    let spaces = |c: char| matches!(c, ' ' | '\u{a0}' | '\u{202f}');
    if !spaced_thousands(s.trim_start(), spaces) {
        return None;
    }
    // Digits and separators only; the last `.` or `,` is the decimal mark when it is
    // followed by 1-2 digits, or by 3+ digits with no other mark before it.
    let cleaned: String = s.chars().filter(|&c| !spaces(c)).collect();
    if cleaned.is_empty() || !cleaned.chars().all(|c| c.is_ascii_digit() || c == '.' || c == ',') {
        return None;
    }
    let marks = cleaned.chars().filter(|c| !c.is_ascii_digit()).count();
    let (int_part, frac_part) = match cleaned.rfind(['.', ',']) {
        None => (cleaned.as_str(), ""),
        Some(p) => {
            let frac = &cleaned[p + 1..];
            let head = &cleaned[..p];
            let mark = cleaned.as_bytes()[p];
            let thousands_only = marks > 1 && head.bytes().all(|c| c.is_ascii_digit() || c == mark);
            if thousands_only && frac.len() == 3 {
                (cleaned.as_str(), "") // 1.234.567: all marks are thousands separators
            } else {
                (head, frac)
            }
        }
    };
    // One mark and three digits after it, after one to three digits that do not
    // begin with 0 (`1.234`, `12,500`, `99.999`): thousands in one language, decimals
    // in the other. Nothing tells which: not a number to count.
    if marks == 1 && frac_part.len() == 3 && (1..=3).contains(&int_part.len()) && !int_part.starts_with('0') {
        return None;
    }
    let int_digits: String = int_part.chars().filter(char::is_ascii_digit).collect();
    // Any mark left in the integer part must be a thousands separator (groups of three).
    if int_part.contains(['.', ',']) {
        let groups: Vec<&str> = int_part.split(['.', ',']).collect();
        if groups[0].is_empty() || groups[0].len() > 3 || groups[1..].iter().any(|g| g.len() != 3) {
            return None;
        }
        let mark = int_part.chars().find(|c| !c.is_ascii_digit())?;
        if int_part.chars().any(|c| !c.is_ascii_digit() && c != mark) || frac_part.contains(mark) {
            return None;
        }
    }
    if int_digits.is_empty() && frac_part.is_empty() || int_digits.len() > 15 || frac_part.len() > 9 {
        return None;
    }
    if !frac_part.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let whole: i64 = if int_digits.is_empty() {
        0
    } else {
        int_digits.parse().ok()?
    };
    let mut frac = String::from(frac_part);
    while frac.len() < 3 {
        frac.push('0');
    }
    let milli: i64 = frac[..3].parse().ok()?;
    let mut cents = whole.checked_mul(100)? + milli / 10;
    if milli % 10 >= 5 {
        cents += 1;
    }
    let rounded = frac.bytes().skip(2).any(|c| c != b'0');
    Some((if neg { -cents } else { cents }, rounded))
}

/// Whether the spaces of amount `s` (if any) separate thousands: `1 234,56` and
/// `12 345 678` do; `1 2 3` and `06 11 22 33 44` (a phone number) do not.
fn spaced_thousands(s: &str, spaces: impl Fn(char) -> bool) -> bool {
    let groups: Vec<&str> = s.split(spaces).collect();
    let Some((last, middle)) = groups[1..].split_last() else {
        return true;
    };
    let digits =
        |g: &str, n: std::ops::RangeInclusive<usize>| n.contains(&g.len()) && g.bytes().all(|c| c.is_ascii_digit());
    // The last group may go on with the decimals.
    let last = last.split(['.', ',']).next().unwrap_or("");
    digits(groups[0], 1..=3) && middle.iter().all(|g| digits(g, 3..=3)) && digits(last, 3..=3)
}

/// The common case `123`, `123.4` or `123.45`, without allocating.
#[inline]
fn simple_cents(raw: &[u8]) -> Option<i64> {
    let (int, frac) = match raw.iter().position(|&c| c == b'.') {
        Some(p) => (&raw[..p], &raw[p + 1..]),
        None => (raw, &b""[..]),
    };
    if int.is_empty() || int.len() > 15 || frac.len() > 2 || (frac.is_empty() && raw.len() != int.len()) {
        return None;
    }
    let mut v: i64 = 0;
    for &c in int {
        if !c.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (c - b'0') as i64;
    }
    let mut f: i64 = 0;
    for &c in frac {
        if !c.is_ascii_digit() {
            return None;
        }
        f = f * 10 + (c - b'0') as i64;
    }
    Some(v * 100 + if frac.len() == 1 { f * 10 } else { f })
}

/// Appends an integer.
#[inline]
pub fn push_int(out: &mut Vec<u8>, v: i64) {
    if v < 0 {
        out.push(b'-');
    }
    push_padded(out, v.unsigned_abs(), 1);
}

/// Appends an integer left-padded with zeros to `width` digits.
#[inline]
pub fn push_padded(out: &mut Vec<u8>, v: u64, width: usize) {
    // The digits are written to the end of the first 24 bytes of a local buffer and
    // appended as one fixed-size copy (the buffer has room after them), so the
    // usual number costs no call; a width past 20 goes the long way.
    const END: usize = 24;
    if width > 20 {
        let digits = if v == 0 { 1 } else { v.ilog10() as usize + 1 };
        out.resize(out.len() + width.saturating_sub(digits), b'0');
        return push_padded(out, v, 1);
    }
    let mut buf = [b'0'; END + 32];
    if v < 100_000_000 {
        buf[END - 8..END].copy_from_slice(&eight_digit_text(v as u32));
    } else {
        // Eight digits at a time from the right; u64 has at most 20.
        let (high, low) = (v / 100_000_000, (v % 100_000_000) as u32);
        buf[END - 8..END].copy_from_slice(&eight_digit_text(low));
        let (top, middle) = ((high / 100_000_000) as u32, (high % 100_000_000) as u32);
        buf[END - 16..END - 8].copy_from_slice(&eight_digit_text(middle));
        buf[END - 24..END - 16].copy_from_slice(&eight_digit_text(top));
    }
    // Leading zeros off, down to `width` digits (and one digit at least).
    let digits = if v == 0 { 1 } else { v.ilog10() as usize + 1 };
    let len = digits.max(width);
    push_from_arena(out, &buf, END - len, len);
}

/// The eight decimal digits of `n` (below 10⁸), zero-padded, as ASCII: computed in
/// the lanes of one 64-bit word (halves, then pairs, then digits) rather than one
/// division per digit.
#[inline]
fn eight_digit_text(n: u32) -> [u8; 8] {
    debug_assert!(n < 100_000_000);
    let n = n as u64;
    // Two 32-bit lanes: the high four digits in the low lane (the first bytes).
    let x = (n / 10_000) | ((n % 10_000) << 32);
    // Each lane below 10⁴ splits into hundreds and the rest: x·10486 >> 20 is x/100 there.
    let hundreds = ((x * 10_486) >> 20) & 0x0000_007F_0000_007F;
    let x = hundreds | ((x - hundreds * 100) << 16);
    // Each 16-bit lane below 100 splits into tens and units: x·103 >> 10 is x/10 there.
    let tens = ((x * 103) >> 10) & 0x000F_000F_000F_000F;
    let x = tens | ((x - tens * 10) << 8);
    (x | 0x3030_3030_3030_3030).to_le_bytes()
}

/// Appends `arena[start..start + len]` as one fixed-size copy of 16, 32 or [`SMALL`]
/// bytes followed by a truncation when the arena has the room (it is padded for
/// that): small copies then cost no call to `memcpy`, and no more stores than needed.
#[inline(always)]
pub fn push_from_arena(out: &mut Vec<u8>, arena: &[u8], start: usize, len: usize) {
    #[inline(always)]
    fn fixed<const N: usize>(out: &mut Vec<u8>, arena: &[u8], start: usize, len: usize) -> bool {
        match arena.get(start..start + N).map(<&[u8; N]>::try_from) {
            Some(Ok(chunk)) => {
                out.extend_from_slice(chunk);
                out.truncate(out.len() - (N - len));
                true
            }
            _ => false,
        }
    }
    let done = if len <= 16 {
        fixed::<16>(out, arena, start, len)
    } else if len <= 32 {
        fixed::<32>(out, arena, start, len)
    } else if len <= SMALL {
        fixed::<SMALL>(out, arena, start, len)
    } else {
        false
    };
    if !done {
        out.extend_from_slice(&arena[start..start + len]);
    }
}

/// Size of the fixed copies of [`push_from_arena`].
pub const SMALL: usize = 64;

/// Writes `prefix` + zero-padded numbers, fast when a number repeats the previous
/// one or follows it (ids written in order): the text is reused or incremented.
#[derive(Debug, Clone)]
pub struct PaddedWriter {
    prefix_len: usize,
    width: usize,
    last: Option<u64>,
    text: Vec<u8>,
    /// Length of the id in `text` (which is padded to [`SMALL`] bytes).
    len: usize,
}

impl PaddedWriter {
    /// A writer of `prefix` + numbers padded to `width` digits.
    pub fn new(prefix: &[u8], width: usize) -> Self {
        Self {
            prefix_len: prefix.len(),
            width,
            last: None,
            text: prefix.to_vec(),
            len: prefix.len(),
        }
    }

    /// Appends `prefix` + `n` padded, the same bytes as [`push_padded`] after the prefix.
    #[inline]
    pub fn write(&mut self, out: &mut Vec<u8>, n: u64) {
        let reuse = match self.last {
            Some(l) if l == n => true,
            Some(l) if l.checked_add(1) == Some(n) => self.increment(),
            _ => false,
        };
        if !reuse {
            let end = self.prefix_len + self.width;
            if self.width <= 19 && n < 10u64.pow(self.width as u32) && self.text.len() >= end.max(SMALL) {
                // The usual case: exactly `width` digits, written in place.
                fill_digits(&mut self.text[self.prefix_len..end], n);
                self.len = end;
            } else {
                self.text.truncate(self.prefix_len);
                push_padded(&mut self.text, n, self.width);
                self.len = self.text.len();
                self.text.resize(self.len.max(SMALL), 0);
            }
        }
        self.last = Some(n);
        push_from_arena(out, &self.text, 0, self.len);
    }

    /// Adds one to the digits in place; false when that needs one more digit.
    fn increment(&mut self) -> bool {
        for c in self.text[self.prefix_len..self.len].iter_mut().rev() {
            if *c == b'9' {
                *c = b'0';
            } else {
                *c += 1;
                return true;
            }
        }
        false
    }
}

/// Writes `n` into `slot` as exactly `slot.len()` digits, zero-padded (the caller
/// makes sure it fits).
#[inline]
fn fill_digits(slot: &mut [u8], mut n: u64) {
    let mut i = slot.len();
    if i <= 8 {
        slot.copy_from_slice(&eight_digit_text(n as u32)[8 - i..]);
        return;
    }
    while i >= 2 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        slot[i - 2] = PAIRS[pair];
        slot[i - 1] = PAIRS[pair + 1];
        i -= 2;
    }
    if i == 1 {
        slot[0] = b'0' + (n % 10) as u8;
    }
}

/// "00" "01" … "99": two digits at a time.
const PAIRS: [u8; 200] = {
    let mut t = [0u8; 200];
    let mut i = 0;
    while i < 100 {
        t[2 * i] = b'0' + (i / 10) as u8;
        t[2 * i + 1] = b'0' + (i % 10) as u8;
        i += 1;
    }
    t
};

/// Appends an amount of cents as euros with two decimals (`-12.05`).
#[inline]
pub fn push_cents(out: &mut Vec<u8>, cents: i64) {
    if cents < 0 {
        out.push(b'-');
    }
    let c = cents.unsigned_abs();
    push_int(out, (c / 100) as i64);
    out.push(b'.');
    push_padded(out, c % 100, 2);
}

/// Appends `num / den` as a decimal fraction with six places, rounded half up,
/// computed in integers so every platform prints the same digits (`0.000000` when
/// `den` is 0, so that a column's cells all have one form).
pub fn push_ratio(out: &mut Vec<u8>, num: u128, den: u128) {
    if den == 0 {
        out.extend_from_slice(b"0.000000");
        return;
    }
    let scaled = (num * 2_000_000 + den) / (2 * den);
    push_int(out, (scaled / 1_000_000) as i64);
    out.push(b'.');
    push_padded(out, (scaled % 1_000_000) as u64, 6);
}

/// `num / den` in cents, rounded half up (the average basket); 0 when `den` is 0.
pub fn div_round(num: i64, den: i64) -> i64 {
    if den == 0 {
        return 0;
    }
    let q = (2 * num as i128 + den as i128) / (2 * den as i128);
    q as i64
}

/// Whether a cell starts with what a spreadsheet would run as a formula: `=`, `+`,
/// `-`, `@`, tab or CR, and is not a plain number (`-5`, `-12.30`, a rejected
/// amount: a spreadsheet reads it as a number and runs nothing).
fn starts_risky(s: &[u8]) -> bool {
    matches!(s.first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r')) && !plain_number(s)
}

/// A sign, digits, and at most one `.` or `,` followed by digits.
pub fn plain_number(s: &[u8]) -> bool {
    let s = s.strip_prefix(b"-").or_else(|| s.strip_prefix(b"+")).unwrap_or(s);
    let (int, frac) = match s.iter().position(|&c| c == b'.' || c == b',') {
        Some(p) => (&s[..p], Some(&s[p + 1..])),
        None => (s, None),
    };
    !int.is_empty()
        && int.iter().all(u8::is_ascii_digit)
        && frac.is_none_or(|f| !f.is_empty() && f.iter().all(u8::is_ascii_digit))
}

/// Whether a cell holds the separator, a quote or a line break.
fn needs_quotes(s: &[u8]) -> bool {
    s.iter().any(|&c| matches!(c, b',' | b'"' | b'\n' | b'\r'))
}

/// Whether [`push_text`] writes `s` as it is (neither quoted nor defused).
pub fn is_plain(s: &[u8]) -> bool {
    !starts_risky(s) && !needs_quotes(s)
}

/// Appends a text cell: quoted when it holds the separator, a quote or a line break,
/// and prefixed with `'` when it starts with `=`, `+`, `-`, `@`, tab or CR, so that a
/// spreadsheet shows it as text instead of running it as a formula.
pub fn push_text(out: &mut Vec<u8>, s: &[u8]) {
    let (risky, needs_quotes) = (starts_risky(s), needs_quotes(s));
    if !risky && !needs_quotes {
        out.extend_from_slice(s);
        return;
    }
    if needs_quotes {
        out.push(b'"');
    }
    if risky {
        out.push(b'\'');
    }
    for &c in s {
        if c == b'"' {
            out.push(b'"');
        }
        out.push(c);
    }
    if needs_quotes {
        out.push(b'"');
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cents(s: &str) -> Option<i64> {
        parse_cents(s.as_bytes())
    }

    #[test]
    fn amounts_in_french_and_english_forms() {
        assert_eq!(cents("12"), Some(1200));
        assert_eq!(cents("12.5"), Some(1250));
        assert_eq!(cents("12,50"), Some(1250));
        assert_eq!(cents("1 234,56"), Some(123_456));
        assert_eq!(cents("1.234,56"), Some(123_456));
        assert_eq!(cents("1,234.56"), Some(123_456));
        assert_eq!(cents("1.234.567"), Some(123_456_700));
        assert_eq!(cents("-3.00"), Some(-300));
        assert_eq!(cents("12 €"), Some(1200));
        assert_eq!(cents("0.005"), Some(1));
        assert_eq!(cents("0.0049"), Some(0));
        assert_eq!(cents(".5"), Some(50));
        assert_eq!(cents("12 345 678.9"), Some(1_234_567_890));
        for (raw, rounded) in [
            ("12.5", false),
            ("1234,500", false),
            ("1234.567", true),
            ("0,125", true),
            ("0,0049", true),
            ("1 234,56", false),
        ] {
            assert_eq!(
                parse_cents_rounded(raw.as_bytes()).map(|(_, r)| r),
                Some(rounded),
                "{raw}"
            );
        }
        assert_eq!(cents("- 1 234"), Some(-123_400));
        // With spaces between thousands, the mark is the decimal one.
        assert_eq!(cents("1 234.567"), Some(123_457));
        for bad in [
            "",
            "N/A",
            "abc",
            "12.3.4",
            "1,2,3",
            "--1",
            "1e5",
            "12,5,00",
            ",",
            "1 2 3",
            "12 34",
            "06 11 22 33 44",
            "1  234",
            "1234 567",
            "1 234.567 8",
            // Thousands or decimals: nothing tells.
            "1.234",
            "10.000",
            "12,500",
            "99.999",
            "-1,234",
        ] {
            assert_eq!(cents(bad), None, "{bad}");
        }
    }

    #[test]
    fn fixed_point_output() {
        let mut v = Vec::new();
        push_cents(&mut v, -1205);
        v.push(b' ');
        push_ratio(&mut v, 1, 3);
        v.push(b' ');
        push_ratio(&mut v, 2, 3);
        v.push(b' ');
        // No denominator: a rate of the same form as the others.
        push_ratio(&mut v, 0, 0);
        v.push(b' ');
        push_padded(&mut v, 42, 6);
        assert_eq!(
            String::from_utf8(v).unwrap(),
            "-12.05 0.333333 0.666667 0.000000 000042"
        );
        assert_eq!(div_round(1001, 2), 501);
        for (v, w) in [
            (0u64, 1usize),
            (0, 4),
            (7, 3),
            (10, 2),
            (99, 5),
            (100, 1),
            (12345, 8),
            (u64::MAX, 3),
        ] {
            let mut out = Vec::new();
            push_padded(&mut out, v, w);
            assert_eq!(String::from_utf8(out).unwrap(), format!("{v:0w$}"));
        }
    }

    #[test]
    fn eight_digits_and_push_padded_match_format() {
        let below = (0..100_000u32)
            .chain((0..100_000_000).step_by(997))
            .chain([99_999_999, 10_000_000, 9_999_999]);
        for n in below {
            assert_eq!(eight_digit_text(n), format!("{n:08}").as_bytes(), "{n}");
        }
        let mut x = 7u64;
        for k in 0..20_000 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            // Every size of number, every width up to 24.
            let v = x >> (k % 64);
            let w = k % 25;
            let mut out = b"x".to_vec();
            push_padded(&mut out, v, w);
            assert_eq!(out, format!("x{v:0w$}").as_bytes(), "{v} {w}");
        }
    }

    #[test]
    fn padded_writer_matches_push_padded() {
        let mut w = PaddedWriter::new(b"I_", 3);
        for n in [1u64, 2, 2, 3, 9, 10, 11, 99, 100, 998, 999, 1000, 1001, 5, 6] {
            let (mut a, mut b) = (b"I_".to_vec(), Vec::new());
            push_padded(&mut a, n, 3);
            w.write(&mut b, n);
            assert_eq!(String::from_utf8(b).unwrap(), String::from_utf8(a).unwrap(), "{n}");
        }
        // Random jumps, numbers longer and shorter than the width.
        for width in [1, 2, 7, 8, 19] {
            let mut w = PaddedWriter::new(b",C_", width);
            let mut x = 12_345u64;
            for _ in 0..2_000 {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                let n = (x >> 20) % 10u64.pow((width as u32 + 1).min(19));
                let (mut a, mut b) = (b",C_".to_vec(), Vec::new());
                push_padded(&mut a, n, width);
                w.write(&mut b, n);
                assert_eq!(b, a, "{n} {width}");
            }
        }
    }

    #[test]
    fn text_cells_are_quoted_and_defused() {
        let cell = |s: &str| {
            let mut v = Vec::new();
            push_text(&mut v, s.as_bytes());
            String::from_utf8(v).unwrap()
        };
        assert_eq!(cell("Saint-Étienne"), "Saint-Étienne");
        assert_eq!(cell("=1+1"), "'=1+1");
        assert_eq!(cell("-cmd"), "'-cmd");
        // Numbers stay numbers; anything more is defused.
        assert_eq!(cell("-5"), "-5");
        assert_eq!(cell("-12.30"), "-12.30");
        assert_eq!(cell("+3"), "+3");
        for risky in ["-", "-5+3", "-1e5", "+33 6 12", "-.5", "-5.", "--5", "=5"] {
            assert!(cell(risky).starts_with(['\'', '"']), "{risky}");
        }
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("a,b"), "\"a,b\"");
        assert_eq!(cell("+\"x\",y"), "\"'+\"\"x\"\",y\"");
    }

    #[test]
    fn an_encoding_scan_judges_the_whole_text_across_its_parts() {
        let judge = |parts: &[&[u8]]| {
            let (mut scan, mut carry) = (EncodingScan::default(), Vec::new());
            for (k, part) in parts.iter().enumerate() {
                let mut bytes = std::mem::take(&mut carry);
                bytes.extend_from_slice(part);
                let cut = scan.feed(&bytes, k + 1 < parts.len());
                carry = bytes[bytes.len() - cut..].to_vec();
            }
            scan.encoding()
        };
        assert_eq!(judge(&[b"ville\n"]), Encoding::Utf8);
        // "è" cut in two parts is UTF-8; cut at the very end, it is not.
        assert_eq!(judge(&[b"S\xC3", b"\xA8te"]), Encoding::Utf8);
        assert_eq!(judge(&[b"S\xC3\xA8te", b"\xC3"]), Encoding::Mixed);
        assert_eq!(judge(&[b"B\xE9ziers", b"Paris"]), Encoding::Windows1252);
        assert_eq!(judge(&[b"B\xE9ziers", b"S\xC3\xA8te"]), Encoding::Mixed);
        let mut scan = EncodingScan::default();
        assert_eq!(scan.feed(b"ab\xE2\x82", true), 2);
        assert!(!scan.settled());
        scan.feed(b"\xE2\x82\xAC \xFF", false);
        assert!(scan.settled());
    }

    #[test]
    fn windows_1252_and_bom() {
        let (d, e) = decode(b"\xEF\xBB\xBFville\n");
        assert_eq!((&*d, e), (&b"ville\n"[..], Encoding::Utf8));
        let (d, e) = decode(b"B\xe9ziers \x80");
        assert_eq!(std::str::from_utf8(&d).unwrap(), "Béziers €");
        assert_eq!(e, Encoding::Windows1252);
        // UTF-8 with some 1252 bytes: each read as what it is.
        let (d, e) = decode(b"S\xC3\xA8te;N\xEEmes \x80;\xC3\xA8\xC3");
        assert_eq!(
            (std::str::from_utf8(&d).unwrap(), e),
            ("Sète;Nîmes €;èÃ", Encoding::Mixed)
        );
        assert_eq!(&*decode_as(b"N\xEEmes", Encoding::Mixed), "Nîmes".as_bytes());
        assert_eq!(&*decode_as("Sète".as_bytes(), Encoding::Mixed), "Sète".as_bytes());
        assert_eq!(category_key(" E-mail "), "email");
        assert_eq!(category_key("Publicité"), "publicite");
    }
}
