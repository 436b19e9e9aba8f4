//! Writes the generated customers and events as raw CSV, injecting defects in dirty mode.

use super::{Customer, EventLog, FileTruth, GenerateOptions};
use crate::communes;
use crate::dates::{write_date, write_timestamp, DAY};
use crate::rng::Rng;
use crate::rules;
use crate::text::{fold_accent, push_cents, push_int, push_padded, push_text};

/// Digits of an id column sized to `count` (at least 4, as in the original demo's `C_0001`).
pub fn id_width(count: u64) -> usize {
    count.max(1).to_string().len().max(4)
}

const CLIENT_HEADER: &[u8] = b"client_id,age,ville,segment,canal_acquisition,code_postal,departement,\
date_inscription,consentement_marketing,prenom,nom,email\n";
const INTERACTION_HEADER: &[u8] = b"interaction_id,client_id,session_id,type_action,valeur_achat,horodatage\n";

fn pick<'a>(rng: &mut Rng, options: &[&'a str]) -> &'a str {
    options[rng.below(options.len() as u64) as usize]
}

/// A spelling of `label` that normalises back to it but is not identical.
fn misspell(rng: &mut Rng, label: &str) -> String {
    let mut variants = vec![
        label.to_uppercase(),
        format!(" {}", label.to_lowercase()),
        format!("{label} "),
    ];
    if label.eq_ignore_ascii_case("email") {
        variants.push("E-mail".into());
    }
    variants.retain(|v| v != label);
    variants.swap_remove(rng.below(variants.len() as u64) as usize)
}

fn ascii_name(s: &str) -> String {
    s.chars()
        .flat_map(char::to_lowercase)
        .map(fold_accent)
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-')
        .collect()
}

/// Text cells written as one fixed-size copy each: all of them one after the other,
/// padded at the end, with where each starts.
struct Cells {
    arena: Vec<u8>,
    spans: Vec<(u32, u32)>,
}

impl Cells {
    /// The cells `write(k, buffer)` writes for `k` in `0..count`.
    fn new(count: usize, mut write: impl FnMut(usize, &mut Vec<u8>)) -> Self {
        let mut arena = Vec::new();
        let spans = (0..count)
            .map(|k| {
                let start = arena.len();
                write(k, &mut arena);
                (start as u32, (arena.len() - start) as u32)
            })
            .collect();
        arena.resize(arena.len() + crate::text::SMALL, 0);
        Self { arena, spans }
    }

    #[inline]
    fn put(&self, out: &mut Vec<u8>, k: usize) {
        let (start, len) = self.spans[k];
        crate::text::push_from_arena(out, &self.arena, start as usize, len as usize);
    }
}

/// What every row of the clients file is made of, formatted once.
struct ClientCells {
    /// Per commune: `ville,`.
    towns: Cells,
    /// Per commune: `,code_postal,departement,`.
    places: Cells,
    /// Per segment and per channel: the label and a comma.
    segments: Cells,
    channels: Cells,
    /// Per first and last name: the cell (first names with a comma after), and the
    /// name as written in an e-mail address.
    first: Cells,
    last: Cells,
    first_ascii: Cells,
    last_ascii: Cells,
    providers: Cells,
    /// Signup days from `first_day`: `YYYY-MM-DD`.
    first_day: i32,
    days: Cells,
}

impl ClientCells {
    fn new(opts: &GenerateOptions) -> Self {
        use fake::locales::{Data, FR_FR};
        let towns = communes::all();
        let text = |cells: &[&str], comma: bool| {
            Cells::new(cells.len(), |k, out| {
                push_text(out, cells[k].as_bytes());
                if comma {
                    out.push(b',');
                }
            })
        };
        let ascii = |list: &[&str]| {
            let a: Vec<String> = list.iter().map(|n| ascii_name(n)).collect();
            Cells::new(a.len(), |k, out| out.extend_from_slice(a[k].as_bytes()))
        };
        let segment_names: Vec<&str> = opts.segments.iter().map(|s| s.name.as_str()).collect();
        let channel_names: Vec<&str> = opts.channels.iter().map(|c| c.name.as_str()).collect();
        let first_day = opts.from - 1 - opts.signup_history_days as i32;
        Self {
            towns: Cells::new(towns.len(), |k, out| {
                push_text(out, towns[k].nom.as_bytes());
                out.push(b',');
            }),
            places: Cells::new(towns.len(), |k, out| {
                out.push(b',');
                out.extend_from_slice(towns[k].code_postal.as_bytes());
                out.push(b',');
                out.extend_from_slice(towns[k].departement.as_bytes());
                out.push(b',');
            }),
            segments: text(&segment_names, true),
            channels: text(&channel_names, false),
            first: text(FR_FR::NAME_FIRST_NAME, true),
            last: text(FR_FR::NAME_LAST_NAME, true),
            first_ascii: ascii(FR_FR::NAME_FIRST_NAME),
            last_ascii: ascii(FR_FR::NAME_LAST_NAME),
            providers: text(FR_FR::INTERNET_FREE_EMAIL_PROVIDER, false),
            first_day,
            days: Cells::new((opts.to - first_day + 1).max(0) as usize, |k, out| {
                write_date(out, first_day + k as i32)
            }),
        }
    }
}

/// The clients file and its defects, written in blocks of customers on worker
/// threads (each block's defects from its own random stream).
pub(super) fn clients_csv(opts: &GenerateOptions, customers: &[Customer]) -> (ClientBlocks, FileTruth) {
    let cells = ClientCells::new(opts);
    let blocks = crate::par::map(customers.len().div_ceil(super::CUSTOMER_BLOCK), |k| {
        let from = k * super::CUSTOMER_BLOCK;
        let block = &customers[from..(from + super::CUSTOMER_BLOCK).min(customers.len())];
        clients_block(opts, from, block, customers.len(), &cells)
    });
    let mut truth = FileTruth::default();
    let mut out = ClientBlocks::default();
    // The header is line 1.
    let mut line = 2;
    for (text, t) in blocks {
        out.first_lines.push(line);
        line += memchr::memchr_iter(b'\n', &text).count() as u64;
        out.quoted.push(memchr::memchr(b'"', &text).is_some());
        out.blocks.push(text);
        truth.add(t);
    }
    (out, truth)
}

/// The rows of the clients file as they were written, in blocks (the header apart):
/// they are read as they are, without being joined into one file.
#[derive(Default)]
pub(crate) struct ClientBlocks {
    blocks: Vec<Vec<u8>>,
    /// The file line of each block's first row.
    first_lines: Vec<u64>,
    /// Whether each block holds a quote.
    quoted: Vec<bool>,
}

impl ClientBlocks {
    /// The whole file: the header, then the blocks.
    pub(crate) fn file(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(CLIENT_HEADER.len() + self.blocks.iter().map(Vec::len).sum::<usize>());
        out.extend_from_slice(CLIENT_HEADER);
        for b in &self.blocks {
            out.extend_from_slice(b);
        }
        out
    }
}

impl crate::ingest::Pieces for ClientBlocks {
    fn count(&self) -> usize {
        self.blocks.len()
    }

    fn piece(&self, k: usize) -> crate::ingest::Piece<'_> {
        crate::ingest::Piece {
            text: std::borrow::Cow::Borrowed(&self.blocks[k]),
            first_line: self.first_lines[k],
            separator: b',',
            quoted: self.quoted[k],
        }
    }
}

/// The header line of the clients file.
pub(crate) fn clients_header() -> &'static [u8] {
    CLIENT_HEADER
}

/// Rows of the customers `block`, the first being customer number `from` (0-based)
/// of `count`.
fn clients_block(
    opts: &GenerateOptions,
    from: usize,
    block: &[Customer],
    count: usize,
    cells: &ClientCells,
) -> (Vec<u8>, FileTruth) {
    let width = id_width(count as u64);
    let mut rng = Rng::new(opts.seed, 2 << 36 | (from / super::CUSTOMER_BLOCK) as u64);
    let mut truth = FileTruth::default();
    let mut out = Vec::with_capacity(block.len() * 130);
    let mut row = Vec::with_capacity(256);
    let mut ids = crate::text::PaddedWriter::new(b"C_", width);
    for (j, c) in block.iter().enumerate() {
        let i = from + j;
        let defect = (opts.dirty > 0.0 && rng.chance(opts.dirty)).then(|| rng.below(4));
        // A misspelt segment or channel, for those defects.
        let (mut segment, mut channel) = (None, None);
        match defect {
            Some(2) => {
                truth.correct(rules::SEGMENT_SPELLING);
                segment = Some(misspell(&mut rng, &opts.segments[c.segment as usize].name));
            }
            Some(3) => {
                truth.correct(rules::CHANNEL_SPELLING);
                channel = Some(misspell(&mut rng, &opts.channels[c.channel as usize].name));
            }
            _ => {}
        }
        let mut write_row = |row: &mut Vec<u8>, age: u8| {
            row.clear();
            ids.write(row, i as u64 + 1);
            row.push(b',');
            push_int(row, age as i64);
            row.push(b',');
            cells.towns.put(row, c.commune as usize);
            match &segment {
                Some(s) => {
                    push_text(row, s.as_bytes());
                    row.push(b',');
                }
                None => cells.segments.put(row, c.segment as usize),
            }
            match &channel {
                Some(s) => push_text(row, s.as_bytes()),
                None => cells.channels.put(row, c.channel as usize),
            }
            cells.places.put(row, c.commune as usize);
            match usize::try_from(c.signup - cells.first_day)
                .ok()
                .filter(|&d| d < cells.days.spans.len())
            {
                Some(d) => cells.days.put(row, d),
                None => write_date(row, c.signup),
            }
            row.extend_from_slice(if c.consent { b",true," } else { b",false," });
            cells.first.put(row, c.first_name as usize);
            cells.last.put(row, c.last_name as usize);
            cells.first_ascii.put(row, c.first_name as usize);
            row.push(b'.');
            cells.last_ascii.put(row, c.last_name as usize);
            if c.email_suffix < 60 {
                push_int(row, c.email_suffix as i64);
            }
            row.push(b'@');
            cells.providers.put(row, c.email_provider as usize);
            row.push(b'\n');
        };
        write_row(&mut row, c.age);
        out.extend_from_slice(&row);
        match defect {
            // An exact copy of the row, appended: the customer itself is kept once.
            Some(0) => {
                truth.reject(rules::DUPLICATE_ROW);
                out.extend_from_slice(&row);
            }
            // The same id with other content (another age).
            Some(1) => {
                truth.reject(rules::DUPLICATE_ID);
                let age = if c.age < 80 { c.age + 1 } else { c.age - 1 };
                write_row(&mut row, age);
                out.extend_from_slice(&row);
            }
            _ => {}
        }
    }
    (out, truth)
}

/// The defects an interaction row can carry.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Defect {
    DuplicateRow,
    DuplicateId,
    MissingClient,
    UnknownClient,
    InvalidAmount,
    NegativeAmount,
    InvalidDate,
    OutOfPeriod,
    ActionSpelling,
    AmountOnView,
}

/// Rows per piece of the interactions file: pieces are rendered (and, in a run,
/// parsed) independently, so their boundaries must not depend on the thread count.
const CHUNK_ROWS: usize = 1 << 16;

/// How many sessions ahead [`InteractionChunks`] fetches a session's events.
const SESSIONS_AHEAD: usize = 8;

/// A uniform draw in `[0, 1)` for row `r`, from the seed alone (SplitMix64), so any
/// piece can decide its rows' defects without the others.
fn row_uniform(seed: u64, r: u64) -> f64 {
    let mut z = (seed ^ 0xD1B5_4A32_D192_ED03).wrapping_add(0x9E37_79B9_7F4A_7C15u64.wrapping_mul(r + 1));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
}

/// The interactions file, cut into pieces of whole sessions.
pub(crate) struct InteractionChunks<'a> {
    opts: &'a GenerateOptions,
    log: &'a EventLog,
    /// Per piece: first session, end session, number of the first row.
    plan: Vec<(usize, usize, u64)>,
    /// Buffers of parsed pieces, for reuse.
    buffers: crate::par::Pool<Vec<u8>>,
    /// Defects injected, summed over the pieces rendered at least once.
    truth: std::sync::Mutex<(FileTruth, Vec<bool>)>,
}

impl<'a> InteractionChunks<'a> {
    pub(crate) fn new(opts: &'a GenerateOptions, log: &'a EventLog) -> Self {
        let mut plan = Vec::new();
        let (mut first, mut rows, mut first_row) = (0usize, 0usize, 0u64);
        for (s, &(_, len)) in log.session_events.iter().enumerate() {
            rows += len as usize;
            if rows >= CHUNK_ROWS {
                plan.push((first, s + 1, first_row));
                first = s + 1;
                first_row += rows as u64;
                rows = 0;
            }
        }
        if rows > 0 || plan.is_empty() {
            plan.push((first, log.session_events.len(), first_row));
        }
        let rendered = vec![false; plan.len()];
        Self {
            opts,
            log,
            plan,
            buffers: crate::par::Pool::new(),
            truth: std::sync::Mutex::new((FileTruth::default(), rendered)),
        }
    }

    /// Number of pieces.
    pub(crate) fn count(&self) -> usize {
        self.plan.len()
    }

    /// 1-based file line of the first row of piece `k` (the header is line 1).
    pub(crate) fn first_line(&self, k: usize) -> u64 {
        self.plan[k].2 + 2
    }

    /// The defects injected so far (all of them once every piece was rendered).
    pub(crate) fn truth(&self) -> FileTruth {
        self.truth
            .lock()
            .map(|t| t.0.clone())
            .unwrap_or_else(|e| e.into_inner().0.clone())
    }

    /// The bytes of piece `k` (piece 0 starts with the header).
    pub(crate) fn render(&self, k: usize) -> Vec<u8> {
        self.render_rows(k, usize::MAX)
    }

    /// The first `limit` rows of piece `k`; the defects count towards the ground
    /// truth only when the whole piece is rendered.
    fn render_rows(&self, k: usize, limit: usize) -> Vec<u8> {
        let (opts, log) = (self.opts, self.log);
        let (s0, s1, mut row_no) = self.plan[k];
        let id_w = id_width(opts.interactions);
        let client_w = id_width(opts.customers as u64);
        let session_w = id_width(log.session_events.len() as u64);
        let mut truth = FileTruth::default();
        let mut out = crate::par::buffer(&self.buffers, CHUNK_ROWS.min(limit) * 64 + 128);
        let mut rendered = 0usize;
        if k == 0 {
            out.extend_from_slice(INTERACTION_HEADER);
        }
        let mut stamps = crate::dates::TimestampWriter::default();
        let mut ids = crate::text::PaddedWriter::new(b"I_", id_w);
        let mut clients = crate::text::PaddedWriter::new(b",C_", client_w);
        let mut sessions = crate::text::PaddedWriter::new(b",S_", session_w);
        let mut prev_start = out.len();
        let mut first_row = true;
        'sessions: for s in s0..s1 {
            // Sessions come in start order, their events in the order they were drawn:
            // fetch the events of a session a few sessions ahead.
            if let Some(e) = log
                .session_events
                .get(s + SESSIONS_AHEAD)
                .and_then(|&(e, _)| log.events.get(e as usize))
            {
                crate::prefetch::prefetch(e);
            }
            let (customer, (first, len)) = (log.session_customer[s], log.session_events[s]);
            for e in first as usize..first as usize + len as usize {
                if rendered == limit {
                    break 'sessions;
                }
                rendered += 1;
                let ev = log.events[e];
                let action = ev.action();
                // A defect needs a clean previous row in the same piece (duplicates copy it).
                let candidate = |r: u64| opts.dirty > 0.0 && row_uniform(opts.seed, r) < opts.dirty;
                let defect = if !first_row && candidate(row_no) && !candidate(row_no - 1) {
                    let mut kinds = vec![
                        Defect::DuplicateRow,
                        Defect::DuplicateId,
                        Defect::MissingClient,
                        Defect::UnknownClient,
                        Defect::InvalidDate,
                        Defect::OutOfPeriod,
                        Defect::ActionSpelling,
                    ];
                    match action {
                        2 => kinds.extend([Defect::InvalidAmount, Defect::NegativeAmount]),
                        0 => kinds.push(Defect::AmountOnView),
                        _ => {}
                    }
                    let mut rng = Rng::new(opts.seed, 1 << 40 | row_no);
                    let kind = kinds[rng.below(kinds.len() as u64) as usize];
                    Some((kind, rng))
                } else {
                    None
                };
                let start = out.len();
                match defect {
                    Some((Defect::DuplicateRow, _)) => {
                        truth.reject(rules::DUPLICATE_ROW);
                        out.extend_from_within(prev_start..start);
                    }
                    Some((kind, mut rng)) => {
                        self.defective_row(
                            &mut out,
                            kind,
                            &mut rng,
                            (s, e, customer, row_no),
                            (id_w, client_w, session_w),
                        );
                        truth.record(kind);
                    }
                    None => {
                        ids.write(&mut out, row_no + 1);
                        clients.write(&mut out, customer as u64 + 1);
                        sessions.write(&mut out, s as u64 + 1);
                        out.push(b',');
                        crate::model::Action::from_code(action).push_cell(&mut out);
                        if action == 2 {
                            push_cents(&mut out, ev.amount() as i64);
                        }
                        out.push(b',');
                        stamps.write(&mut out, ev.ts(log.base));
                        out.push(b'\n');
                    }
                }
                prev_start = start;
                first_row = false;
                row_no += 1;
            }
        }
        if limit != usize::MAX {
            return out;
        }
        let mut all = self.truth.lock().unwrap_or_else(|e| e.into_inner());
        if !std::mem::replace(&mut all.1[k], true) {
            all.0.add(truth);
        }
        out
    }

    /// Writes a row carrying one defect (any but an exact duplicate).
    fn defective_row(
        &self,
        out: &mut Vec<u8>,
        kind: Defect,
        rng: &mut Rng,
        (s, e, customer, row_no): (usize, usize, u32, u64),
        (id_w, client_w, session_w): (usize, usize, usize),
    ) {
        let (opts, log) = (self.opts, self.log);
        let ev = log.events[e];
        let (action, ts) = (ev.action(), ev.ts(log.base));
        let id = if kind == Defect::DuplicateId {
            row_no
        } else {
            row_no + 1
        };
        out.extend_from_slice(b"I_");
        push_padded(out, id, id_w);
        out.push(b',');
        match kind {
            Defect::MissingClient => {}
            Defect::UnknownClient => {
                let c = opts.customers as u64;
                out.extend_from_slice(b"C_");
                push_padded(out, c + 1 + rng.below(c), client_w);
            }
            _ => {
                out.extend_from_slice(b"C_");
                push_padded(out, customer as u64 + 1, client_w);
            }
        }
        out.extend_from_slice(b",S_");
        push_padded(out, s as u64 + 1, session_w);
        out.push(b',');
        let label = crate::model::Action::from_code(action).label();
        if kind == Defect::ActionSpelling {
            push_text(out, misspell(rng, label).as_bytes());
        } else {
            out.extend_from_slice(label.as_bytes());
        }
        out.push(b',');
        match kind {
            Defect::InvalidAmount => out.extend_from_slice(pick(rng, &["N/A", "abc", "12.3.4", "douze"]).as_bytes()),
            Defect::NegativeAmount => push_cents(out, -(ev.amount() as i64)),
            Defect::AmountOnView => push_cents(out, 100 + rng.below(20_000) as i64),
            _ if action == 2 => push_cents(out, ev.amount() as i64),
            _ => {}
        }
        out.push(b',');
        match kind {
            Defect::InvalidDate => out.extend_from_slice(
                pick(
                    rng,
                    &["2025-02-30T10:00:00", "hier", "31/02/2025", "2025-13-01T08:00:00"],
                )
                .as_bytes(),
            ),
            Defect::OutOfPeriod => {
                // Same time of day, 1–365 days before the period or 1–60 days after it.
                let day = ts.div_euclid(DAY);
                let shift_days = if rng.chance(0.5) {
                    -(day - opts.from as i64 + 1 + rng.below(365) as i64)
                } else {
                    opts.to as i64 - day + 1 + rng.below(60) as i64
                };
                write_timestamp(out, ts + shift_days * DAY);
            }
            _ => write_timestamp(out, ts),
        }
        out.push(b'\n');
    }
}

impl FileTruth {
    /// Adds the counts of `other`.
    fn add(&mut self, other: FileTruth) {
        for (rule, n) in other.rejected {
            *self.rejected.entry(rule).or_default() += n;
        }
        for (rule, n) in other.corrected {
            *self.corrected.entry(rule).or_default() += n;
        }
    }

    fn record(&mut self, kind: Defect) {
        match kind {
            Defect::DuplicateRow => self.reject(rules::DUPLICATE_ROW),
            Defect::DuplicateId => self.reject(rules::DUPLICATE_ID),
            Defect::MissingClient => self.reject(rules::MISSING_CLIENT_ID),
            Defect::UnknownClient => self.reject(rules::UNKNOWN_CLIENT),
            Defect::InvalidAmount => self.reject(rules::INVALID_AMOUNT),
            Defect::NegativeAmount => self.reject(rules::NON_POSITIVE_AMOUNT),
            Defect::InvalidDate => self.reject(rules::INVALID_DATE),
            Defect::OutOfPeriod => self.reject(rules::OUT_OF_PERIOD),
            Defect::ActionSpelling => self.correct(rules::ACTION_SPELLING),
            Defect::AmountOnView => self.correct(rules::AMOUNT_ON_NON_PURCHASE),
        }
    }
}

impl crate::ingest::Pieces for InteractionChunks<'_> {
    fn count(&self) -> usize {
        self.count()
    }

    fn piece(&self, k: usize) -> crate::ingest::Piece<'_> {
        self.piece_rows(k, usize::MAX)
    }

    fn head(&self) -> crate::ingest::Piece<'_> {
        self.piece_rows(0, 1)
    }

    fn rows_hint(&self) -> Option<usize> {
        Some(self.log.events.len())
    }

    fn recycle(&self, piece: crate::ingest::Piece<'_>) {
        if let std::borrow::Cow::Owned(text) = piece.text {
            self.buffers.give(text);
        }
    }
}

impl InteractionChunks<'_> {
    fn piece_rows(&self, k: usize, limit: usize) -> crate::ingest::Piece<'_> {
        let text = self.render_rows(k, limit);
        let quoted = memchr::memchr(b'"', &text).is_some();
        // Piece 0 carries the header, which the cleaner reads separately.
        let (text, first_line) = if k == 0 {
            let mut text = text;
            text.drain(..INTERACTION_HEADER.len());
            (text, 2)
        } else {
            (text, self.first_line(k))
        };
        crate::ingest::Piece {
            text: std::borrow::Cow::Owned(text),
            first_line,
            separator: b',',
            quoted,
        }
    }
}

/// The header line of the interactions file.
pub(crate) fn interaction_header() -> &'static [u8] {
    INTERACTION_HEADER
}
