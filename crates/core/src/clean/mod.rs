//! Validation: every input row ends in exactly one place, kept (possibly with a
//! counted correction) or rejected with its file, line, column, rule and raw value.
//!
//! Rules are checked in a fixed order and the first that fails decides the row:
//! clients — field count, `client_id` present, duplicate (exact row, then id),
//! age, segment, channel, signup date, consent; interactions — field count,
//! `interaction_id` present, duplicate (exact row, then id), `client_id` present
//! and known, action, timestamp readable and inside the period, amount, session.

mod interactions;
mod report;
mod sessions;

pub use report::{CleanReport, FileReport, Reject, SessionRule};

use crate::error::{Error, Problem};
use crate::ids::{Dict, IdIndex};
use crate::ingest::{Column, ColumnMap, CsvFile, FileBody, Piece, Pieces, CLIENT_COLUMNS, INTERACTION_COLUMNS};
use crate::model::{Customers, Dataset, Interactions, CHANNELS, NO_DAY, SEGMENTS};
use crate::privacy::{identifiers, ColumnNote, FoundBy, IdentifierKind, Scanner};
use crate::rules;
use std::borrow::Cow;
use std::collections::BTreeMap;

/// How to clean.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct CleanOptions {
    /// First day of the analysis period; earlier interactions are rejected (default:
    /// none; an ISO date in JSON).
    #[serde(with = "crate::dates::iso_day_opt")]
    pub from: Option<i32>,
    /// Last day of the period, inclusive; later interactions are rejected (default: none).
    #[serde(with = "crate::dates::iso_day_opt")]
    pub to: Option<i32>,
    /// Derived sessions: a customer's events less than this many minutes apart
    /// share a session (default 30).
    pub session_gap_minutes: u32,
    /// Known segment labels, in display order (default Premium, Standard, Basique).
    pub segments: Vec<String>,
    /// Known channel labels, in display order (default SEO, Social, Email, Direct).
    pub channels: Vec<String>,
    /// The user's column mapping, for the clients file then the interactions file:
    /// header cell → engine column name, or `""` to ignore the cell. Cells not
    /// listed map themselves by name (default: none listed).
    pub mapping: [BTreeMap<String, String>; 2],
    /// Required columns of the clients file that it does not have, as the user says
    /// (some of [`crate::ingest::ABSENTABLE`]): no age, or the segment or channel
    /// `unknown`, for every customer. A file that has the column reads it all the
    /// same, an empty cell as if the column were absent (default: none).
    pub absent: Vec<String>,
}

impl Default for CleanOptions {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            session_gap_minutes: 30,
            segments: SEGMENTS.iter().map(|s| s.to_string()).collect(),
            channels: CHANNELS.iter().map(|s| s.to_string()).collect(),
            mapping: Default::default(),
            absent: Vec::new(),
        }
    }
}

/// Cleans a clients file and an interactions file into a [`Dataset`] and the report
/// of what was kept, corrected and rejected.
pub fn clean(clients: &CsvFile, interactions: &CsvFile, opts: &CleanOptions) -> Result<(Dataset, CleanReport), Error> {
    clean_body(clients, interactions, &FileBody::of(interactions, PIECE_BYTES), opts)
}

/// Size of the pieces an interactions file is cut into for parallel parsing.
pub(crate) const PIECE_BYTES: usize = 32 << 20;

/// [`clean`] with the interactions body given as pieces (`interactions` supplies
/// the file's name, encoding and header).
pub fn clean_body(
    clients: &CsvFile,
    interactions: &CsvFile,
    body: &dyn Pieces,
    opts: &CleanOptions,
) -> Result<(Dataset, CleanReport), Error> {
    check_period(opts.from, opts.to)?;
    let cleaned = clean_clients_file(clients, opts)?;
    clean_interactions_body(cleaned, interactions, body, opts)
}

/// Refuses a period given whole (both ends) that ends before it starts, else every
/// row would be rejected as out of the period, or that lasts over 200 years.
pub fn check_period(from: Option<i32>, to: Option<i32>) -> Result<(), Error> {
    if let (Some(from), Some(to)) = (from, to) {
        if to < from {
            return Err(Error::Options("period: the end date is before the start date".into()));
        }
        if to - from >= MAX_PERIOD_DAYS {
            return Err(Error::Options("period: a period spans at most 200 years".into()));
        }
    }
    Ok(())
}

/// The clients file cleaned: what the interactions are checked against.
pub struct CleanedClients {
    customers: Customers,
    index: IdIndex,
    rows: Vec<u32>,
    /// The report so far: the clients file's counts, rejects and column notes.
    report: CleanReport,
}

/// The first half of [`clean_body`]: maps and cleans the clients file. It needs
/// nothing of the interactions, so it can run while they are still being made.
pub fn clean_clients_file(clients: &CsvFile, opts: &CleanOptions) -> Result<CleanedClients, Error> {
    clean_clients_body(clients, &FileBody::of(clients, CLIENT_PIECE_BYTES), opts)
}

/// [`clean_clients_file`] with the body given as pieces (`clients` supplies the
/// file's name, encoding and header).
pub fn clean_clients_body(clients: &CsvFile, body: &dyn Pieces, opts: &CleanOptions) -> Result<CleanedClients, Error> {
    let client_sample = (body.count() > 0).then(|| sample(clients.header.len(), &body.head()));
    let columns = crate::ingest::client_columns(&clients.name, &opts.absent)?;
    let (client_map, notes) = map_columns(clients, &columns, &opts.mapping[0], client_sample)?;
    // The interactions file's report is set when that file is read.
    let mut report = CleanReport::new(clients, clients);
    report.columns = notes;
    let (customers, index, rows) = clean_clients(clients.separator, body, &client_map, opts, &mut report);
    Ok(CleanedClients {
        customers,
        index,
        rows,
        report,
    })
}

/// The second half of [`clean_body`]: maps and cleans the interactions body
/// against the cleaned clients.
pub fn clean_interactions_body(
    cleaned: CleanedClients,
    interactions: &CsvFile,
    body: &dyn Pieces,
    opts: &CleanOptions,
) -> Result<(Dataset, CleanReport), Error> {
    let CleanedClients {
        customers,
        index,
        rows,
        mut report,
    } = cleaned;
    let interaction_sample = sample(interactions.header.len(), &body.head());
    let (interaction_map, notes) = map_columns(
        interactions,
        &INTERACTION_COLUMNS,
        &opts.mapping[1],
        Some(interaction_sample),
    )?;
    report.columns.extend(notes);
    report.interactions = FileReport::new(interactions);
    let lookup = ClientLookup::new(&index, &rows);
    let (mut table, derive) = interactions::clean_interactions(body, &interaction_map, &lookup, opts, &mut report);
    if derive {
        sessions::derive(&mut table, report.session_rule, opts.session_gap_minutes);
    }
    report.finish();
    let dated = period(&table, opts);
    let (from, to) = dated.unwrap_or_default();
    if to - from >= MAX_PERIOD_DAYS {
        // One mistyped year (9999) would make a daily series of millions of days.
        let iso = |day: i32| {
            let mut text = Vec::new();
            crate::dates::write_date(&mut text, day);
            String::from_utf8_lossy(&text).into_owned()
        };
        return Err(Error::problem(
            &interactions.name,
            Problem::LongPeriod {
                first: iso(from),
                last: iso(to),
            },
        ));
    }
    Ok((
        Dataset {
            customers,
            interactions: table,
            from,
            to,
            dated: dated.is_some(),
        },
        report,
    ))
}

/// Bytes of a body looked at for direct identifiers.
pub(crate) const SAMPLE_BYTES: usize = 256 << 10;

/// Looks at the first rows of a body for direct identifiers.
fn sample(width: usize, piece: &Piece) -> Scanner {
    let mut scanner = Scanner::new(width);
    let text: &[u8] = &piece.text;
    let cut = if text.len() <= SAMPLE_BYTES {
        text.len()
    } else {
        memchr::memrchr(b'\n', &text[..SAMPLE_BYTES]).map_or(SAMPLE_BYTES, |p| p + 1)
    };
    let head = Piece {
        text: Cow::Borrowed(&text[..cut]),
        first_line: piece.first_line,
        separator: piece.separator,
        quoted: piece.quoted,
    };
    head.for_each_record(|_, fields| {
        if !scanner.full() {
            scanner.observe(fields)
        }
    });
    scanner
}

/// Maps a file's columns with the user's choices, keeping direct identifiers out of
/// every column but `client_id`, and describes each header cell.
pub fn map_columns(
    file: &CsvFile,
    columns: &[Column],
    chosen: &BTreeMap<String, String>,
    sample: Option<Scanner>,
) -> Result<(ColumnMap, Vec<ColumnNote>), Error> {
    let kinds: Vec<Option<(IdentifierKind, FoundBy)>> = file
        .header
        .iter()
        .enumerate()
        .map(|(j, h)| {
            identifiers::kind_of_header(h)
                .map(|k| (k, FoundBy::Name))
                .or_else(|| sample.as_ref().and_then(|s| s.kind(j)).map(|k| (k, FoundBy::Content)))
        })
        .collect();
    let blocked: Vec<usize> = (0..kinds.len()).filter(|&j| kinds[j].is_some()).collect();
    let map = ColumnMap::with_choices(file, columns, chosen, &blocked)?;
    let notes = file
        .header
        .iter()
        .enumerate()
        .map(|(j, h)| ColumnNote {
            file: file.name.clone(),
            column: h.clone(),
            used_as: map.used_as(j, columns).map(str::to_string),
            identifier: kinds[j].map(|k| k.0),
            found_by: kinds[j].map(|k| k.1),
        })
        .collect();
    Ok((map, notes))
}

/// Describes the columns of a file before a run (for the page's mapping panel): the
/// first [`SAMPLE_BYTES`] of the file are enough. A missing required column gives
/// the notes (so that the user can map one) and the error.
pub fn inspect(
    name: &str,
    head: &[u8],
    clients: bool,
    chosen: &BTreeMap<String, String>,
    absent: &[String],
) -> Result<(Vec<ColumnNote>, Option<Error>), Error> {
    let file = CsvFile::open(name, head)?;
    let client_columns = crate::ingest::client_columns(name, absent)?;
    let columns: &[Column] = if clients { &client_columns } else { &INTERACTION_COLUMNS };
    let scanner = file.parts(1).into_iter().next().map(|p| sample(file.header.len(), &p));
    match map_columns(&file, columns, chosen, scanner.clone()) {
        Ok((_, notes)) => Ok((notes, None)),
        Err(e) => {
            let relaxed: Vec<Column> = columns.iter().map(|c| Column { required: false, ..*c }).collect();
            let (_, notes) = map_columns(&file, &relaxed, chosen, scanner)?;
            Ok((notes, Some(e)))
        }
    }
}

/// The longest period, in days (200 years): the daily series has a row a day.
pub const MAX_PERIOD_DAYS: i32 = 73_050;

/// The period: the one given, its missing end taken from the kept rows' dates (or
/// from its other end); `None` when there is neither a given end nor a kept row.
fn period(t: &Interactions, opts: &CleanOptions) -> Option<(i32, i32)> {
    let days = || t.ts.iter().map(|s| s.div_euclid(crate::dates::DAY) as i32);
    let from = opts.from.or_else(|| days().min()).or(opts.to)?;
    let to = opts.to.or_else(|| days().max()).unwrap_or(from);
    Some((from, to.max(from)))
}

/// Customer row of a `client_id` (only rows that were kept).
struct ClientLookup<'a> {
    index: &'a IdIndex,
    rows: &'a [u32],
    /// The kept row of each number of the index's dominant id form (`u32::MAX`
    /// where there is none): one read instead of two for the usual ids.
    by_number: Vec<u32>,
}

impl<'a> ClientLookup<'a> {
    fn new(index: &'a IdIndex, rows: &'a [u32]) -> Self {
        let by_number = index
            .dense_codes()
            .iter()
            .map(|&code| rows.get(code as usize).copied().unwrap_or(u32::MAX))
            .collect();
        Self { index, rows, by_number }
    }

    /// The kept row of `id`, given what [`ClientLookup::prefetch`] found for it.
    #[inline]
    fn find_at(&self, slot: Option<&u32>, id: &[u8]) -> Option<u32> {
        if let Some(&row) = slot {
            if row != u32::MAX {
                return Some(row);
            }
        }
        let code = self.index.get(id)?;
        self.rows.get(code as usize).copied().filter(|&r| r != u32::MAX)
    }

    /// Whether `id` is a customer whose row was rejected (one that [`ClientLookup::find_at`]
    /// does not find, but the clients file has).
    fn rejected(&self, id: &[u8]) -> bool {
        self.index.get(id).is_some()
    }

    /// Asks the processor to fetch what [`ClientLookup::find_at`] will read for
    /// `id`, and returns where that is: the kept row's place when `id` has the
    /// index's dominant form (the row itself is not read here).
    #[inline]
    fn prefetch(&self, id: &[u8]) -> Option<&u32> {
        let slot = self
            .index
            .number(id)
            .and_then(|n| self.by_number.get(usize::try_from(n).ok()?));
        if let Some(row) = slot {
            crate::prefetch::prefetch(row);
        }
        slot
    }
}

/// A 64-bit hash of a record, to tell exact duplicate rows from reused ids: of its
/// fields joined by the separator `sep`, which is the record's own text `raw` when
/// it was read without quotes. Fields that hold `sep` themselves (quoted) could join
/// into the text of other fields, so such records hash their field lengths too.
fn row_hash(fields: &[&[u8]], sep: u8, raw: Option<&[u8]>) -> u64 {
    if let Some(raw) = raw {
        return hash_bytes(raw);
    }
    let mut joined = Vec::with_capacity(fields.iter().map(|f| f.len() + 1).sum());
    for (k, f) in fields.iter().enumerate() {
        if k > 0 {
            joined.push(sep);
        }
        joined.extend_from_slice(f);
    }
    let h = hash_bytes(&joined);
    if !fields.iter().any(|f| f.contains(&sep)) {
        return h;
    }
    let lengths: Vec<u8> = fields.iter().flat_map(|f| (f.len() as u64).to_le_bytes()).collect();
    h ^ hash_bytes(&lengths).rotate_left(29)
}

/// A fast 64-bit hash of bytes (a chain of 128-bit multiplies, 16 bytes a step);
/// for telling rows apart, not for security. The last 16 bytes are read in place,
/// overlapping the step before when the length is not a multiple of 16 (the length
/// is hashed too), so no row needs a copy.
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    const K0: u64 = 0xA076_1D64_78BD_642F;
    const K1: u64 = 0xE703_7ED1_A0B4_28DB;
    const K2: u64 = 0x8EBC_6AF0_9C88_C6E3;
    let mix = |a: u64, b: u64| {
        let r = a as u128 * b as u128;
        r as u64 ^ (r >> 64) as u64
    };
    let word = |c: &[u8], at: usize| {
        let mut w = [0u8; 8];
        w.copy_from_slice(&c[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let len = bytes.len();
    let mut h = mix(len as u64 ^ K1, K2) ^ K0;
    if len >= 16 {
        let mut at = 0;
        while at + 16 < len {
            h = mix(word(bytes, at) ^ K1, word(bytes, at + 8) ^ h);
            at += 16;
        }
        h = mix(word(bytes, len - 16) ^ K1, word(bytes, len - 8) ^ h);
    } else {
        let mut tail = [0u8; 16];
        tail[..len].copy_from_slice(bytes);
        h = mix(word(&tail, 0) ^ K1, word(&tail, 8) ^ h);
    }
    mix(h ^ K2, len as u64 ^ K0)
}

fn trimmed(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let e = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(s, |e| e + 1);
    &b[s..e]
}

fn text(b: &[u8]) -> &str {
    // Input was decoded to UTF-8 by ingest; a field split inside a character cannot happen.
    std::str::from_utf8(b).unwrap_or("")
}

/// Parses a consent cell: yes/no in French or English, 1/0, true/false; empty is "no".
pub fn parse_consent(raw: &[u8]) -> Option<bool> {
    // The usual spellings first, without building a key.
    match raw {
        b"" | b"0" | b"false" | b"non" | b"no" => return Some(false),
        b"1" | b"true" | b"oui" | b"yes" => return Some(true),
        _ => {}
    }
    match crate::text::category_key(text(raw)).as_str() {
        "" | "0" | "false" | "faux" | "non" | "no" | "n" | "f" => Some(false),
        "1" | "true" | "vrai" | "oui" | "yes" | "o" | "y" | "v" | "t" | "optin" | "accepte" | "acceptee"
        | "consenti" | "subscribed" | "inscrit" | "abonne" | "granted" => Some(true),
        "optout" | "refuse" | "refusee" | "notsubscribed" | "unsubscribed" | "desinscrit" | "desabonne" | "denied" => {
            Some(false)
        }
        _ => None,
    }
}

/// Where a field is in its piece's text.
#[derive(Clone, Copy, Default)]
struct Span {
    start: u32,
    len: u32,
}

impl Span {
    /// The span of `field`, a slice of `text`.
    fn of(text: &[u8], field: &[u8]) -> Span {
        Span {
            start: (field.as_ptr() as usize - text.as_ptr() as usize) as u32,
            len: field.len() as u32,
        }
    }

    fn get(self, text: &[u8]) -> &[u8] {
        &text[self.start as usize..(self.start + self.len) as usize]
    }
}

/// Rules of the clients file checked on a row alone, in the order they apply: two
/// before the duplicate check, the others after it (an empty row, last here, is
/// found first).
const CLIENT_FAULTS: [(&str, usize); 10] = [
    ("", 0),
    (rules::WRONG_FIELD_COUNT, usize::MAX),
    (rules::MISSING_CLIENT_ID, 0),
    (rules::INVALID_AGE, 1),
    (rules::MISSING_SEGMENT, 3),
    (rules::MISSING_CHANNEL, 4),
    (rules::INVALID_DATE, 7),
    (rules::INVALID_CONSENT, 8),
    (rules::EMPTY_ROW, usize::MAX),
    (rules::REPEATED_HEADER, usize::MAX),
];

/// A clients row after the checks that need the row alone (done on worker threads).
#[derive(Clone, Copy, Default)]
struct ClientRow {
    hash: u64,
    line: u64,
    /// Index in [`CLIENT_FAULTS`] of the first rule it breaks (0: none), and the value.
    fault: u8,
    value: Span,
    /// Fields of the row (for a wrong field count: how many there are).
    fields: u32,
    id: Span,
    segment: Span,
    channel: Span,
    ville: Span,
    cp: Span,
    dep: Span,
    /// The postcode / département lost its leading zero in a spreadsheet (`1000`, `1`).
    cp_zero: bool,
    dep_zero: bool,
    age: u8,
    consent: bool,
    /// Whether the consent cell says anything (an empty one reads as no consent).
    consent_given: bool,
    signup: i32,
}

impl ClientRow {
    /// Checks one record of `text` (its fields are slices of it).
    fn check(map: &ColumnMap, text: &[u8], line: u64, fields: &[&[u8]], hash: u64) -> ClientRow {
        let (id, age, ville, segment, channel, cp, dep, signup, consent) = (0, 1, 2, 3, 4, 5, 6, 7, 8);
        let mut row = ClientRow {
            line,
            fields: fields.len() as u32,
            ..ClientRow::default()
        };
        let raw = |i| map.get(i, fields).unwrap_or(&text[..0]);
        let f = |i| trimmed(raw(i));
        let span = |b: &[u8]| Span::of(text, b);
        let fail = |mut row: ClientRow, fault: u8, value: &[u8]| {
            row.fault = fault;
            row.value = span(value);
            row
        };
        // (Looked for only where an empty row fails: a kept row pays nothing for it.)
        let empty = || fields.iter().all(|c| trimmed(c).is_empty());
        if fields.len() != map.width() {
            return fail(row, if empty() { 8 } else { 1 }, &text[..0]);
        }
        row.id = span(f(id));
        if row.id.len == 0 {
            return fail(row, if empty() { 8 } else { 2 }, &text[..0]);
        }
        row.hash = hash;
        row.age = match (parse_age(f(age)), f(age)) {
            (Some(a), _) => a,
            // An empty age leaves the customer without one, not out of every metric.
            (None, b"") => crate::model::NO_AGE,
            // (A header's age cell is not an age: a repeated header fails here.)
            (None, _) if map.is_header(fields) => return fail(row, 9, &text[..0]),
            (None, raw) => return fail(row, 3, raw),
        };
        // (A column the user said absent: an empty cell, or none, is read as
        // `unknown` when the row is kept.)
        if f(segment).is_empty() && map.requires(segment) {
            return fail(row, 4, raw(segment));
        }
        row.segment = span(raw(segment));
        if f(channel).is_empty() && map.requires(channel) {
            return fail(row, 5, raw(channel));
        }
        row.channel = span(raw(channel));
        row.signup = match f(signup) {
            b"" => NO_DAY,
            value => match crate::dates::parse(value) {
                Some(p) => p.ts.div_euclid(crate::dates::DAY) as i32,
                None => return fail(row, 6, value),
            },
        };
        row.consent_given = !f(consent).is_empty();
        row.consent = match parse_consent(f(consent)) {
            Some(c) => c,
            None => return fail(row, 7, f(consent)),
        };
        row.ville = span(f(ville));
        let (code, lost) = lost_zero(f(cp), 4);
        (row.cp, row.cp_zero) = (span(code), lost);
        let (code, lost) = lost_zero(f(dep), 1);
        (row.dep, row.dep_zero) = (span(code), lost);
        row
    }
}

/// A segment or channel as kept: the cell, or [`crate::ingest::UNKNOWN_LABEL`] when it
/// is empty (or missing) in a column the user said absent (elsewhere an empty cell is
/// rejected).
fn or_unknown(label: &[u8]) -> &[u8] {
    match label {
        b"" => crate::ingest::UNKNOWN_LABEL.as_bytes(),
        _ => label,
    }
}

/// A postcode or département code as a spreadsheet may have written it: as a number,
/// without its leading zero (`1000` for `01000`, `1` for `01`), or as pandas writes a
/// column of numbers with a blank in it (`75001.0`). Returns the code without such a
/// `.0` (or the `="…"` of an Excel copy), and whether it is `short` digits long, so
/// lost its zero.
fn lost_zero(raw: &[u8], short: usize) -> (&[u8], bool) {
    // (`="01000"`: the form the app's Excel copy gives a code, so that Excel keeps it.)
    let raw = match raw {
        [b'=', b'"', code @ .., b'"'] if code.iter().all(u8::is_ascii_digit) => code,
        _ => raw,
    };
    let code = match raw {
        [digits @ .., b'.' | b',', b'0'] if !digits.is_empty() && digits.iter().all(u8::is_ascii_digit) => digits,
        _ => raw,
    };
    (code, code.len() == short && code.iter().all(u8::is_ascii_digit))
}

/// The département of a French postcode of five digits: its first two digits (`01` to
/// `95`), in Corsica `2A` below 20200 and `2B` from it, and overseas three digits
/// (`971` to `976`, `984` to `988`). `None` for anything else: a foreign code
/// (Monaco's `980`), a number that is no département, an unreadable one. (A few
/// communes near a border have a neighbour's postcode: theirs is not known from it.)
fn departement_of_postcode<'a>(cp: &[u8], buf: &'a mut [u8; 3]) -> Option<&'a [u8]> {
    if cp.len() != 5 || !cp.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let two = (cp[0] - b'0') * 10 + (cp[1] - b'0');
    let three = two as u16 * 10 + (cp[2] - b'0') as u16;
    match two {
        20 => {
            buf[..2].copy_from_slice(if three < 202 { b"2A" } else { b"2B" });
            Some(&buf[..2])
        }
        1..=95 => {
            buf[..2].copy_from_slice(&cp[..2]);
            Some(&buf[..2])
        }
        97 | 98 if matches!(three, 971..=976 | 984..=988) => {
            buf.copy_from_slice(&cp[..3]);
            Some(&buf[..3])
        }
        _ => None,
    }
}

/// `code` given back the zero it lost (see [`lost_zero`]), in `buf`.
fn with_zero<'a>(code: &'a [u8], lost: bool, buf: &'a mut [u8; 6]) -> &'a [u8] {
    if !lost {
        return code;
    }
    buf[0] = b'0';
    buf[1..=code.len()].copy_from_slice(code);
    &buf[..=code.len()]
}

/// An age cell: a whole number of years up to 120 (`+` and leading zeros allowed),
/// also as pandas writes a column of whole numbers with a blank in it: `25.0`
/// (or `25,0` from a French export); `25.5` is not an age. A unit after the number,
/// as a form or a hand-kept sheet writes it (`27 ans`, `27 years`), is read too.
fn parse_age(raw: &[u8]) -> Option<u8> {
    let t = text(raw).trim();
    let t = match t.split_once(|c: char| c.is_whitespace()) {
        Some((number, unit))
            if ["an", "ans", "year", "years", "yrs", "yo"]
                .iter()
                .any(|u| unit.trim().eq_ignore_ascii_case(u)) =>
        {
            number
        }
        _ => t,
    };
    let whole = t
        .split_once(['.', ','])
        .filter(|(_, zeros)| !zeros.is_empty() && zeros.bytes().all(|c| c == b'0'))
        .map_or(t, |(whole, _)| whole);
    whole.parse::<u8>().ok().filter(|&a| a <= 120)
}

/// Bytes of a clients file per piece checked on a worker thread.
pub(crate) const CLIENT_PIECE_BYTES: usize = 4 << 20;

/// A piece of the clients file with its rows checked. The rows point into the
/// piece's text, or for a piece read with quotes (whose fields are not slices of
/// its text) into `arena`, where each record's fields were gathered.
struct CheckedPiece<'b> {
    piece: Piece<'b>,
    arena: Vec<u8>,
    rows: Vec<ClientRow>,
}

impl CheckedPiece<'_> {
    fn text(&self) -> &[u8] {
        if self.piece.quoted {
            &self.arena
        } else {
            &self.piece.text
        }
    }
}

fn check_clients<'b>(piece: Piece<'b>, map: &ColumnMap, sep: u8) -> CheckedPiece<'b> {
    let (mut arena, mut rows) = (Vec::new(), Vec::new());
    piece.for_each_batch(|batch| {
        for r in 0..batch.len() {
            let (line, fields) = batch.record(r);
            let hash = row_hash(fields, sep, batch.text(r));
            if piece.quoted {
                let start = arena.len();
                for f in fields {
                    arena.extend_from_slice(f);
                }
                let mut at = start;
                let gathered: Vec<&[u8]> = fields
                    .iter()
                    .map(|f| {
                        at += f.len();
                        &arena[at - f.len()..at]
                    })
                    .collect();
                rows.push(ClientRow::check(map, &arena, line, &gathered, hash));
            } else {
                rows.push(ClientRow::check(map, &piece.text, line, fields, hash));
            }
        }
    });
    CheckedPiece { piece, arena, rows }
}

/// Cleans the clients file's body: pieces of it are checked on worker threads; this
/// thread takes the rows in file order to find duplicates, name the categories and
/// keep rows.
fn clean_clients(
    sep: u8,
    body: &dyn Pieces,
    map: &ColumnMap,
    opts: &CleanOptions,
    report: &mut CleanReport,
) -> (Customers, IdIndex, Vec<u32>) {
    let mut c = Customers {
        villes: Dict::text(),
        codes_postaux: Dict::text(),
        departements: Dict::text(),
        segments: Dict::categories(&opts.segments),
        channels: Dict::categories(&opts.channels),
        ..Customers::default()
    };
    let mut index = IdIndex::new();
    let mut first_hash: Vec<u64> = Vec::new();
    let mut rows: Vec<u32> = Vec::new();
    let mut keep = |text: &[u8], row: &ClientRow| {
        report.clients.read += 1;
        let (rule, col) = CLIENT_FAULTS[row.fault as usize];
        let column = CLIENT_COLUMNS.get(col).map_or("*", |c| c.name);
        match row.fault {
            0 => {}
            1 => {
                // Not the raw row: with the columns out of place, it could carry names or emails.
                let what = format!("{} fields, the header has {}", row.fields, map.width());
                return report.reject(0, row.line, column, rule, what.as_bytes());
            }
            2 | 8 | 9 => return report.reject(0, row.line, column, rule, b""),
            _ => {}
        }
        let raw_id = row.id.get(text);
        let (code, new) = index.insert(raw_id);
        if !new {
            let dup = if first_hash[code as usize] == row.hash {
                rules::DUPLICATE_ROW
            } else {
                rules::DUPLICATE_ID
            };
            return report.reject(0, row.line, CLIENT_COLUMNS[0].name, dup, raw_id);
        }
        first_hash.push(row.hash);
        rows.push(u32::MAX);
        if row.fault != 0 {
            return report.reject(0, row.line, column, rule, row.value.get(text));
        }
        // Kept: commit the row.
        let (seg_code, seg_fixed) = c.segments.intern_bytes(or_unknown(row.segment.get(text)));
        let (ch_code, ch_fixed) = c.channels.intern_bytes(or_unknown(row.channel.get(text)));
        if seg_fixed {
            report.correct(0, rules::SEGMENT_SPELLING);
        }
        if row.age == crate::model::NO_AGE {
            report.correct(0, rules::MISSING_AGE);
        }
        if ch_fixed {
            report.correct(0, rules::CHANNEL_SPELLING);
        }
        rows[code as usize] = c.age.len() as u32;
        c.id.push(raw_id);
        c.age.push(row.age);
        c.ville.push(c.villes.intern_bytes(row.ville.get(text)).0);
        let mut buf = [b'0'; 6];
        // (Once per row, as every correction: a row whose postcode and département
        // both lost their zero is one row corrected.)
        if row.cp_zero || row.dep_zero {
            report.correct(0, rules::LEADING_ZERO);
        }
        let cp = with_zero(row.cp.get(text), row.cp_zero, &mut buf);
        c.code_postal.push(c.codes_postaux.intern_bytes(cp).0);
        // A postcode without its département (no such column, or an empty cell)
        // gives it, so that "département only" keeps a place.
        let mut from_cp = [0u8; 3];
        let derived = if row.dep.get(text).is_empty() {
            departement_of_postcode(cp, &mut from_cp)
        } else {
            None
        };
        let dep = match derived {
            Some(dep) => {
                report.correct(0, rules::DEPARTEMENT_FROM_POSTCODE);
                dep
            }
            None => with_zero(row.dep.get(text), row.dep_zero, &mut buf),
        };
        c.departement.push(c.departements.intern_bytes(dep).0);
        c.segment.push(seg_code);
        c.channel.push(ch_code);
        c.signup.push(row.signup);
        c.consent.push(row.consent);
        c.consent_known |= row.consent_given;
        report.clients.kept += 1;
    };
    crate::par::pipeline(
        body.count(),
        |k| check_clients(body.piece(k), map, sep),
        |_, checked| {
            for row in &checked.rows {
                keep(checked.text(), row);
            }
            body.recycle(checked.piece);
        },
    );
    (c, index, rows)
}

#[cfg(test)]
mod tests;
