//! Cleaning the interactions file. Pieces of the file are parsed and checked on
//! worker threads (every rule that needs only the row itself); one thread then
//! takes the rows in file order to find duplicates, number sessions and append
//! the kept rows. Rule order and results do not depend on the number of threads.

use super::report::{CleanReport, SessionRule};
use super::{row_hash, trimmed, CleanOptions, ClientLookup};
use crate::dates::DAY;
use crate::ids::IdColumn;
use crate::ingest::{ColumnMap, Piece, Pieces, INTERACTION_COLUMNS};
use crate::model::{Action, Interactions};
use crate::rules;
use crate::text::{parse_cents, parse_cents_rounded};
use rustc_hash::FxHashMap;

const ID: usize = 0;
const CLIENT: usize = 1;
const SESSION: usize = 2;
const ACTION: usize = 3;
const AMOUNT: usize = 4;
const WHEN: usize = 5;
const TIME: usize = 6;

/// Faults a row can have on its own: (rule, column, checked before duplicates).
const FAULTS: [(&str, usize, bool); 15] = [
    ("", 0, false),
    (rules::WRONG_FIELD_COUNT, usize::MAX, true),
    (rules::MISSING_INTERACTION_ID, ID, true),
    (rules::MISSING_CLIENT_ID, CLIENT, false),
    (rules::UNKNOWN_CLIENT, CLIENT, false),
    (rules::UNKNOWN_ACTION, ACTION, false),
    (rules::INVALID_DATE, WHEN, false),
    (rules::OUT_OF_PERIOD, WHEN, false),
    (rules::MISSING_AMOUNT, AMOUNT, false),
    (rules::INVALID_AMOUNT, AMOUNT, false),
    (rules::NON_POSITIVE_AMOUNT, AMOUNT, false),
    (rules::MISSING_SESSION_ID, SESSION, false),
    (rules::EMPTY_ROW, usize::MAX, true),
    (rules::REJECTED_CLIENT, CLIENT, false),
    (rules::REPEATED_HEADER, usize::MAX, true),
];

fn fault_code(rule: &str) -> u8 {
    FAULTS.iter().position(|f| f.0 == rule).unwrap_or(0) as u8
}

fn column_name(col: usize) -> &'static str {
    INTERACTION_COLUMNS.get(col).map_or("*", |c| c.name)
}

/// `C_000123`-style ids: the dominant prefix and digit count of a column.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Form {
    prefix: Vec<u8>,
    width: usize,
}

impl Form {
    /// The form of `id`, as [`IdColumn`] would store it.
    fn of(id: &[u8]) -> Option<Form> {
        crate::ids::split_numbered(id).map(|(prefix, digits)| Form {
            prefix: prefix.to_vec(),
            width: digits.len(),
        })
    }

    #[inline]
    fn number(&self, id: &[u8]) -> Option<u64> {
        crate::ids::numbered(id, &self.prefix, self.width)
    }
}

/// The largest purchase amount kept, in cents (a billion euros): sums of cents stay
/// exact in 64 bits up to 92 million such purchases, where amounts of up to 10^15
/// euros, which the parser reads, overflowed a total after 92.
pub const MAX_AMOUNT_CENTS: i64 = 100_000_000_000;

/// Marks a key that indexes the piece's text keys rather than holding a number.
const TEXT_KEY: u64 = 1 << 63;

/// One row as checked on a worker.
#[derive(Clone, Copy)]
struct Row {
    hash: u64,
    id: u64,
    session: u64,
    amount: i64,
    ts: i64,
    line: u32,
    customer: u32,
    fault: u8,
    action: u8,
    /// 1 = has a time of day, 2 = action spelling corrected, 4 = amount dropped,
    /// 8 = amount rounded to the cent.
    flags: u8,
}

/// A piece after the per-row checks.
struct Staged {
    first_line: u64,
    rows: Vec<Row>,
    /// Ids and sessions that are not of the dominant form, one after the other.
    text: Vec<u8>,
    text_ends: Vec<u64>,
    /// Raw values of faulty rows: (row, value).
    values: Vec<(u32, Vec<u8>)>,
    separator: u8,
    /// The day of the last date read (rows mostly come in day order).
    days: crate::dates::DayCache,
}

impl Staged {
    fn key(&mut self, form: &Option<Form>, raw: &[u8]) -> u64 {
        if let Some(n) = form.as_ref().and_then(|f| f.number(raw)) {
            return n;
        }
        self.text.extend_from_slice(raw);
        self.text_ends.push(self.text.len() as u64);
        TEXT_KEY | (self.text_ends.len() as u64 - 1)
    }

    fn key_text(&self, key: u64) -> &[u8] {
        let i = (key & !TEXT_KEY) as usize;
        let start = if i == 0 { 0 } else { self.text_ends[i - 1] as usize };
        &self.text[start..self.text_ends[i] as usize]
    }
}

/// Everything the per-row checks need.
struct Checker<'a> {
    map: &'a ColumnMap,
    clients: &'a ClientLookup<'a>,
    id_form: Option<Form>,
    session_form: Option<Form>,
    min_ts: Option<i64>,
    max_ts: Option<i64>,
}

impl Checker<'_> {
    fn stage(&self, piece: &Piece, pool: &crate::par::Pool<Staged>) -> Staged {
        let mut st = pool.take().unwrap_or_else(|| Staged {
            first_line: 0,
            rows: Vec::with_capacity(piece.text.len() / 60 + 1),
            text: Vec::new(),
            text_ends: Vec::new(),
            values: Vec::new(),
            separator: b',',
            days: crate::dates::DayCache::default(),
        });
        st.first_line = piece.first_line;
        st.separator = piece.separator;
        st.rows.clear();
        st.text.clear();
        st.text_ends.clear();
        st.values.clear();
        let client = self.map.positions[CLIENT];
        piece.for_each_batch(|batch| {
            // Each row's customer is a random one: ask for them all before checking,
            // and keep where each is, so its id is read once.
            let mut slots = [None; crate::ingest::BATCH];
            if let Some(j) = client {
                for (r, slot) in slots.iter_mut().enumerate().take(batch.len()) {
                    if let Some(raw) = batch.record(r).1.get(j) {
                        *slot = self.clients.prefetch(trimmed(raw));
                    }
                }
            }
            for (r, &slot) in slots.iter().enumerate().take(batch.len()) {
                let (line, fields) = batch.record(r);
                let line = (line - piece.first_line) as u32;
                let mut row = self.check(&mut st, line, fields, batch.text(r), slot);
                if row.fault != 0 && !FAULTS[row.fault as usize].2 && !self.map.has(ID) {
                    // Whether a copy of this faulty row is a duplicate depends on its
                    // time being to the second, which its checks may not have reached.
                    row.flags |= (!self.to_the_second(&mut st, fields) as u8) << 4;
                }
                st.rows.push(row);
            }
        });
        st
    }

    /// Whether a row's time (its date, and its time column if it has one) is given to
    /// the second; not when it does not parse. (For faulty rows only: kept out of
    /// the checks' loop.)
    #[cold]
    #[inline(never)]
    fn to_the_second(&self, st: &mut Staged, fields: &[&[u8]]) -> bool {
        let f = |i| self.map.get(i, fields).map(trimmed).unwrap_or(b"");
        let Some(parsed) = crate::dates::parse_cached(f(WHEN), &mut st.days) else {
            return false;
        };
        if !parsed.has_time && self.map.has(TIME) && !f(TIME).is_empty() {
            return crate::dates::at_time(parsed, f(TIME)).is_some_and(|p| p.to_the_second);
        }
        parsed.to_the_second
    }

    /// The row's checks; `slot` is what the customer's prefetch found for its
    /// `client_id`.
    #[inline]
    fn check(&self, st: &mut Staged, line: u32, fields: &[&[u8]], raw: Option<&[u8]>, slot: Option<&u32>) -> Row {
        let map = self.map;
        let mut row = Row {
            hash: 0,
            id: 0,
            session: 0,
            amount: 0,
            ts: 0,
            line,
            customer: 0,
            fault: 0,
            action: 0,
            flags: 0,
        };
        let index = st.rows.len() as u32;
        let fail = |st: &mut Staged, rule: &str, value: &[u8]| {
            st.values.push((index, value.to_vec()));
            fault_code(rule)
        };
        // (Looked for only where an empty row fails: a kept row pays nothing for it.)
        let empty = || fields.iter().all(|c| trimmed(c).is_empty());
        if fields.len() != map.width() {
            if empty() {
                row.fault = fail(st, rules::EMPTY_ROW, b"");
                return row;
            }
            // Not the raw row: with the columns out of place, it could carry identifiers.
            let what = format!("{} fields, the header has {}", fields.len(), map.width());
            row.fault = fail(st, rules::WRONG_FIELD_COUNT, what.as_bytes());
            return row;
        }
        let f = |i| map.get(i, fields).map(trimmed).unwrap_or(b"");
        // Never 0: that marks an id not seen yet.
        row.hash = row_hash(fields, st.separator, raw).max(1);
        let raw_id = f(ID);
        if map.has(ID) {
            if raw_id.is_empty() {
                let rule = if empty() {
                    rules::EMPTY_ROW
                } else {
                    rules::MISSING_INTERACTION_ID
                };
                row.fault = fail(st, rule, b"");
                return row;
            }
            row.id = st.key(&self.id_form, raw_id);
        }
        let raw_client = f(CLIENT);
        if raw_client.is_empty() {
            let rule = if empty() {
                rules::EMPTY_ROW
            } else {
                rules::MISSING_CLIENT_ID
            };
            row.fault = fail(st, rule, b"");
            return row;
        }
        match self.clients.find_at(slot, raw_client) {
            Some(c) => row.customer = c,
            None => {
                // (A header's client_id cell is no customer's: a repeated header fails here.)
                if map.is_header(fields) {
                    row.fault = fail(st, rules::REPEATED_HEADER, b"");
                    return row;
                }
                let rule = if self.clients.rejected(raw_client) {
                    rules::REJECTED_CLIENT
                } else {
                    rules::UNKNOWN_CLIENT
                };
                row.fault = fail(st, rule, raw_client);
                return row;
            }
        }
        let action_raw = map.get(ACTION, fields).unwrap_or(b"");
        let Some(act) = Action::parse_bytes(action_raw) else {
            row.fault = fail(st, rules::UNKNOWN_ACTION, action_raw);
            return row;
        };
        row.action = act as u8;
        if act.label().as_bytes() != action_raw {
            row.flags |= 2;
        }
        let Some(mut parsed) = crate::dates::parse_cached(f(WHEN), &mut st.days) else {
            row.fault = fail(st, rules::INVALID_DATE, f(WHEN));
            return row;
        };
        // A date without a time, and its time in a column of its own.
        if !parsed.has_time && map.has(TIME) && !f(TIME).is_empty() {
            match crate::dates::at_time(parsed, f(TIME)) {
                Some(p) => parsed = p,
                None => {
                    row.fault = fail(st, rules::INVALID_DATE, &[f(WHEN), b" ", f(TIME)].concat());
                    return row;
                }
            }
        }
        if self.min_ts.is_some_and(|m| parsed.ts < m) || self.max_ts.is_some_and(|m| parsed.ts >= m) {
            row.fault = fail(st, rules::OUT_OF_PERIOD, f(WHEN));
            return row;
        }
        row.ts = parsed.ts;
        row.flags |= parsed.has_time as u8 | ((!parsed.to_the_second) as u8) << 4;
        let amount_raw = f(AMOUNT);
        if act == Action::Purchase {
            if amount_raw.is_empty() {
                row.fault = fail(st, rules::MISSING_AMOUNT, b"");
                return row;
            }
            match parse_cents_rounded(amount_raw) {
                None => {
                    row.fault = fail(st, rules::INVALID_AMOUNT, amount_raw);
                    return row;
                }
                Some((c, _)) if c <= 0 => {
                    row.fault = fail(st, rules::NON_POSITIVE_AMOUNT, amount_raw);
                    return row;
                }
                Some((c, _)) if c > MAX_AMOUNT_CENTS => {
                    row.fault = fail(st, rules::INVALID_AMOUNT, amount_raw);
                    return row;
                }
                Some((c, rounded)) => {
                    row.amount = c;
                    row.flags |= (rounded as u8) << 3;
                }
            }
        } else if !amount_raw.is_empty() && parse_cents(amount_raw) != Some(0) {
            row.flags |= 4;
        }
        if map.has(SESSION) {
            let raw_session = f(SESSION);
            if raw_session.is_empty() {
                row.fault = fail(st, rules::MISSING_SESSION_ID, b"");
                return row;
            }
            row.session = st.key(&self.session_form, raw_session);
        }
        row
    }
}

/// Finds repeated keys: numbers in an array while they stay dense, the rest in a map.
/// The array holds `empty` where a key was not seen yet (a value never stored).
struct Seen<V: Copy + PartialEq> {
    dense: Vec<V>,
    empty: V,
    sparse: FxHashMap<u64, V>,
    text: FxHashMap<Vec<u8>, V>,
}

impl<V: Copy + PartialEq> Seen<V> {
    fn new(empty: V) -> Self {
        Self {
            dense: Vec::new(),
            empty,
            sparse: FxHashMap::default(),
            text: FxHashMap::default(),
        }
    }

    /// The value stored for the key, or stores `make()` and returns `None`.
    #[inline]
    fn first(&mut self, key: u64, text: &[u8], rows: usize, make: impl FnOnce() -> V) -> Option<V> {
        if key & TEXT_KEY != 0 {
            if let Some(v) = self.text.get(text) {
                return Some(*v);
            }
            self.text.insert(text.to_vec(), make());
            return None;
        }
        // (On 32-bit targets a number past usize goes to the map rather than wrap.)
        let n = usize::try_from(key).unwrap_or(usize::MAX);
        if n < self.dense.len() {
            let v = self.dense[n];
            if v != self.empty {
                return Some(v);
            }
            self.dense[n] = make();
            return None;
        }
        if let Some(v) = self.sparse.get(&key) {
            return Some(*v);
        }
        if n < 4 * rows + (1 << 20) && self.sparse.is_empty() {
            self.dense.resize((n + 1).max(self.dense.len() * 3 / 2), self.empty);
            self.dense[n] = make();
        } else {
            self.sparse.insert(key, make());
        }
        None
    }
}

/// Appends a key's id to a column.
fn push_key(col: &mut IdColumn, form: &Option<Form>, key: u64, st: &Staged) {
    if key & TEXT_KEY != 0 {
        col.push(st.key_text(key));
        return;
    }
    let form = form.as_ref().map_or((&b""[..], 0), |f| (&f.prefix[..], f.width));
    if let IdColumn::Numbered { prefix, width, nums } = col {
        // Compared byte by byte: prefixes are short, and this runs for every row.
        let same = *width == form.1 && prefix.len() == form.0.len() && prefix.iter().zip(form.0).all(|(a, b)| a == b);
        if (nums.is_empty() && *width == 0) || same {
            if nums.is_empty() {
                *prefix = form.0.to_vec();
                *width = form.1;
            }
            nums.push(key);
            return;
        }
    }
    let mut buf = form.0.to_vec();
    crate::text::push_padded(&mut buf, key, form.1);
    col.push(&buf);
}

fn key_bytes(form: &Option<Form>, key: u64, st: &Staged) -> Vec<u8> {
    let mut col = IdColumn::default();
    push_key(&mut col, form, key, st);
    let mut out = Vec::new();
    col.write(0, &mut out);
    out
}

/// Cleans the interactions body; returns the kept rows and whether sessions must be derived.
pub(super) fn clean_interactions(
    body: &dyn Pieces,
    map: &ColumnMap,
    clients: &ClientLookup,
    opts: &CleanOptions,
    report: &mut CleanReport,
) -> (Interactions, bool) {
    let has_ids = map.has(ID);
    let has_sessions = map.has(SESSION);
    // The dominant id forms, from the first row.
    let (mut id_form, mut session_form) = (None, None);
    if body.count() > 0 {
        body.head().first_record(|fields| {
            id_form = map.get(ID, fields).map(trimmed).and_then(Form::of);
            session_form = map.get(SESSION, fields).map(trimmed).and_then(Form::of);
        });
    }
    let checker = Checker {
        map,
        clients,
        id_form: id_form.clone(),
        session_form: session_form.clone(),
        min_ts: opts.from.map(|d| d as i64 * DAY),
        max_ts: opts.to.map(|d| (d as i64 + 1) * DAY),
    };
    let mut t = Interactions::default();
    if let Some(n) = body.rows_hint() {
        t.customer.reserve_exact(n);
        t.session.reserve_exact(n);
        t.action.reserve_exact(n);
        t.amount.reserve_exact(n);
        t.ts.reserve_exact(n);
    }
    // Row hashes are never 0 (see `Checker::check`), session codes never u32::MAX.
    let mut ids: Seen<u64> = Seen::new(0);
    let mut sessions: Seen<u32> = Seen::new(u32::MAX);
    let mut rows_seen: FxHashMap<u64, u64> = FxHashMap::default();
    let mut any_time = false;
    let pool = crate::par::Pool::new();
    crate::par::pipeline(
        body.count(),
        |k| {
            let piece = body.piece(k);
            let staged = checker.stage(&piece, &pool);
            body.recycle(piece);
            staged
        },
        |_, st| {
            let mut values = st.values.iter().peekable();
            let expected = t.ts.len() + st.rows.len();
            for v in [&mut t.customer, &mut t.session] {
                v.reserve(expected.saturating_sub(v.len()));
            }
            t.ts.reserve(st.rows.len());
            t.amount.reserve(st.rows.len());
            t.action.reserve(st.rows.len());
            for (i, row) in st.rows.iter().enumerate() {
                let line = st.first_line + row.line as u64;
                report.interactions.read += 1;
                let (rule, col, pre_dup) = FAULTS[row.fault as usize];
                let mut value = || -> Vec<u8> {
                    match values.peek() {
                        Some((r, _)) if *r as usize == i => values.next().map(|(_, v)| v.clone()).unwrap_or_default(),
                        _ => Vec::new(),
                    }
                };
                if row.fault != 0 && pre_dup {
                    report.reject(1, line, column_name(col), rule, &value());
                    continue;
                }
                let rows = report.interactions.read as usize;
                if has_ids {
                    let text = if row.id & TEXT_KEY != 0 {
                        st.key_text(row.id)
                    } else {
                        &[]
                    };
                    if let Some(first_hash) = ids.first(row.id, text, rows, || row.hash) {
                        let dup = if first_hash == row.hash {
                            rules::DUPLICATE_ROW
                        } else {
                            rules::DUPLICATE_ID
                        };
                        let _ = value();
                        report.reject(1, line, column_name(ID), dup, &key_bytes(&id_form, row.id, &st));
                        continue;
                    }
                } else {
                    // Without ids, a copy of an earlier row is a duplicate when its time
                    // is to the second. To the minute or the day (Excel saves `10:00`),
                    // two page views in the same minute are two rows alike: kept, and
                    // counted as `repeated_row`.
                    use std::collections::hash_map::Entry;
                    let repeat = row.flags & 16 != 0;
                    match rows_seen.entry(row.hash) {
                        Entry::Occupied(first) if !repeat => {
                            let _ = value();
                            report.reject(
                                1,
                                line,
                                "*",
                                rules::DUPLICATE_ROW,
                                format!("same as line {}", first.get()).as_bytes(),
                            );
                            continue;
                        }
                        Entry::Occupied(_) if row.fault == 0 => report.correct(1, rules::REPEATED_ROW),
                        Entry::Occupied(_) => {}
                        Entry::Vacant(v) => {
                            v.insert(line);
                        }
                    }
                }
                if row.fault != 0 {
                    report.reject(1, line, column_name(col), rule, &value());
                    continue;
                }
                // Kept.
                if row.flags & 2 != 0 {
                    report.correct(1, rules::ACTION_SPELLING);
                }
                if row.flags & 4 != 0 {
                    report.correct(1, rules::AMOUNT_ON_NON_PURCHASE);
                }
                if row.flags & 8 != 0 {
                    report.correct(1, rules::AMOUNT_ROUNDED);
                }
                if has_ids {
                    push_key(&mut t.id, &id_form, row.id, &st);
                } else {
                    let mut label = b"L".to_vec();
                    crate::text::push_int(&mut label, line as i64);
                    t.id.push(&label);
                }
                if has_sessions {
                    let text = if row.session & TEXT_KEY != 0 {
                        st.key_text(row.session)
                    } else {
                        &[]
                    };
                    let next = t.session_ids.len() as u32;
                    let code = match sessions.first(row.session, text, rows, || next) {
                        Some(code) => code,
                        None => {
                            push_key(&mut t.session_ids, &session_form, row.session, &st);
                            next
                        }
                    };
                    t.session.push(code);
                }
                any_time |= row.flags & 1 != 0;
                t.customer.push(row.customer);
                t.action.push(row.action);
                t.amount.push(row.amount);
                t.ts.push(row.ts);
                report.interactions.kept += 1;
            }
            drop(values);
            pool.give(st);
        },
    );
    report.session_rule = match (has_sessions, any_time) {
        (true, _) => SessionRule::FromFile,
        (false, true) => SessionRule::Gap,
        // Dates without a time of day: one session per customer and day.
        (false, false) => SessionRule::ByDay,
    };
    (t, !has_sessions)
}
