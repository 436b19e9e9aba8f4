//! The content of each output file.

use super::{Chunked, ExportInput, Output};
use crate::dates::{write_date, TimestampWriter, DAY};
use crate::metrics::{GroupRow, Report};
use crate::model::{Action, Dataset, NO_DAY};
use crate::privacy::{kpis_suppressed, suppressed_rows, Blanked, Privacy};
use crate::text::{div_round, push_cents, push_int, push_ratio, push_text};
use std::io;

/// What the files that need no metrics read: `clients.csv` and the row-level files.
#[derive(Clone, Copy)]
pub(super) struct Rows<'a> {
    pub dataset: &'a Dataset,
    pub filter: &'a crate::metrics::Filter,
    pub privacy: &'a Privacy,
}

/// Whether data file `name` can be written before the metrics are computed.
pub(super) fn needs_no_metrics(name: &str) -> bool {
    matches!(name, "clients.csv" | "interactions.csv" | "donnees_marketing.csv")
}

/// What the files of one export share: each customer's cells, formatted once.
pub(super) struct Tables<'a> {
    rows: Rows<'a>,
    cells: CustomerCells,
}

impl<'a> Tables<'a> {
    pub(super) fn new(rows: Rows<'a>) -> Self {
        Self {
            rows,
            cells: CustomerCells::new(rows),
        }
    }

    /// Writes file `name` (any but the two row-level files, see [`Tables::row_files`]);
    /// `input` is needed for all but those of [`needs_no_metrics`].
    pub(super) fn write(&self, name: &str, input: Option<&ExportInput>, out: &mut Chunked) -> io::Result<()> {
        match (name, input) {
            ("clients.csv", _) => clients(self.rows.dataset, &self.cells, out),
            (_, Some(input)) => write(name, input, out),
            (_, None) => Err(io::Error::other(format!("{name} needs the metrics"))),
        }
    }
}

fn write(name: &str, input: &ExportInput, out: &mut Chunked) -> io::Result<()> {
    let ds = input.dataset;
    let r = input.report;
    let p = input.privacy;
    // The rows blanked in the aggregated files (which depend on one another).
    let blanked = || Blanked::new(r, p);
    match name {
        "rejects.csv" => rejects(input, out),
        "kpis.csv" => kpis(r, p, out),
        "by_channel.csv" => groups("canal_acquisition", &r.by_channel, &blanked().by_channel, r, out),
        "by_segment.csv" => groups("segment", &r.by_segment, &blanked().by_segment, r, out),
        "age_bands.csv" => groups("age_band", &r.by_age_band, &blanked().age_bands, r, out),
        "daily.csv" => daily(r, &blanked().daily, out),
        "funnel.csv" => funnel(r, &blanked().funnel, out),
        "rfm.csv" => rfm(ds, r, p, out),
        "rfm_segments.csv" => rfm_segments(r, &blanked().rfm_segments, out),
        _ => Ok(()),
    }
}

/// Whether customer `i` is in the selection (channel and segment filters) and in
/// customer-level files (consent option).
fn selected(rows: Rows, i: usize) -> bool {
    let f = rows.filter;
    let c = &rows.dataset.customers;
    rows.privacy.keeps(i)
        && f.channels.as_ref().is_none_or(|l| l.contains(&c.channel[i]))
        && f.segments.as_ref().is_none_or(|l| l.contains(&c.segment[i]))
}

/// Rows per piece of the customer-level files, formatted in parallel.
const CUSTOMER_PIECE: usize = 1 << 15;

/// Appends to `out` the rows that `format(range, buffer)` writes for each piece of
/// `0..count`, pieces formatted on worker threads where threads exist; `format`
/// returns how many rows it wrote.
fn in_pieces(
    out: &mut Chunked,
    count: usize,
    format: impl Fn(std::ops::Range<usize>, &mut Vec<u8>) -> u64 + Sync,
) -> io::Result<()> {
    let buffers = crate::par::Pool::new();
    let mut result = Ok(());
    crate::par::pipeline(
        count.div_ceil(CUSTOMER_PIECE),
        |k| {
            let mut b = crate::par::buffer(&buffers, CUSTOMER_PIECE * 80);
            let rows = format(k * CUSTOMER_PIECE..((k + 1) * CUSTOMER_PIECE).min(count), &mut b);
            (b, rows)
        },
        |_, (b, rows)| {
            if result.is_ok() {
                result = out.append(&b, rows);
            }
            buffers.give(b);
        },
    );
    result
}

fn clients(ds: &Dataset, cells: &CustomerCells, out: &mut Chunked) -> io::Result<()> {
    let c = &ds.customers;
    out.header(
        "client_id,age,ville,segment,canal_acquisition,code_postal,departement,date_inscription,consentement_marketing",
    );
    // A row is the customer's cells (the head without its leading comma), then the
    // signup date and the consent.
    in_pieces(out, c.len(), |range, b| {
        let mut rows = 0;
        for i in range {
            let Some(cell) = cells.get(i) else { continue };
            rows += 1;
            cell.put_id(b);
            cell.put_head_cells(b);
            cell.put_tail(b);
            b.push(b',');
            if c.signup[i] != NO_DAY {
                write_date(b, c.signup[i]);
            }
            b.extend_from_slice(match (c.consent_known, c.consent[i]) {
                (false, _) => b",\n",
                (true, true) => b",true\n",
                (true, false) => b",false\n",
            });
        }
        rows
    })
}

/// Writes ids of a column, reusing the text of the previous id when it repeats
/// or follows it (interaction and session ids come in order).
struct IdCursor<'a> {
    col: &'a crate::ids::IdColumn,
    numbers: Option<crate::text::PaddedWriter>,
    run: usize,
}

impl<'a> IdCursor<'a> {
    fn new(col: &'a crate::ids::IdColumn) -> Self {
        let numbers = match col {
            crate::ids::IdColumn::Numbered { prefix, width, .. } => {
                Some(crate::text::PaddedWriter::new(prefix, *width))
            }
            crate::ids::IdColumn::Text { .. } => None,
        };
        Self { col, numbers, run: 0 }
    }

    #[inline]
    fn write(&mut self, b: &mut Vec<u8>, i: usize) {
        match (&mut self.numbers, self.col) {
            (Some(w), crate::ids::IdColumn::Numbered { nums, .. }) => w.write(b, nums.get_from(i, &mut self.run)),
            _ => push_id(b, self.col, i),
        }
    }
}

/// Appends an id cell of `col`, defused when it needs it.
#[inline]
fn push_id(b: &mut Vec<u8>, col: &crate::ids::IdColumn, i: usize) {
    let start = b.len();
    col.write(i, b);
    if matches!(col, crate::ids::IdColumn::Text { .. }) && !crate::text::is_plain(&b[start..]) {
        let id = b[start..].to_vec();
        b.truncate(start);
        push_text(b, &id);
    }
}

/// Rows per piece of the row-level files, formatted in parallel.
const PIECE_ROWS: usize = 1 << 16;

/// How many rows ahead a row's customer cells are fetched into the cache: rows come
/// in time order, so each row's customer is a random one, usually not in cache.
const AHEAD: usize = 16;

/// Bytes of each row-level file hashed and then written at a time, where its writer
/// lends no memory: both slices stay in the core's second-level cache between the
/// two, and writes stay as large as [`super::CHUNK`].
const SLICE: usize = super::CHUNK;

/// One piece of both row-level files: `interactions.csv` and `donnees_marketing.csv`.
pub(super) struct RowPiece {
    /// The bytes of `interactions.csv` and of `donnees_marketing.csv`.
    pub bytes: [Vec<u8>; 2],
    /// Rows in each (the same count).
    pub rows: u64,
}

/// Writes `interactions.csv` and `donnees_marketing.csv` in one pass over the rows
/// (each row's values are read once for both), formatted in pieces on worker threads
/// where threads exist; `progress` gets the fraction of rows done.
impl Tables<'_> {
    /// Writes `interactions.csv` and `donnees_marketing.csv` (see [`row_files`]).
    /// Errors come with the index of the file (in `outs`) that failed.
    pub(super) fn row_files(
        &self,
        outs: [&mut Chunked; 2],
        progress: &mut dyn FnMut(f64),
    ) -> Result<(), (usize, io::Error)> {
        row_files(self.rows, &self.cells, outs, progress)
    }
}

fn row_files(
    rows: Rows,
    cells: &CustomerCells,
    outs: [&mut Chunked; 2],
    progress: &mut dyn FnMut(f64),
) -> Result<(), (usize, io::Error)> {
    let ds = rows.dataset;
    let t = &ds.interactions;
    let f = rows.filter;
    let lo = f.from.unwrap_or(ds.from) as i64 * DAY;
    let hi = (f.to.unwrap_or(ds.to) as i64 + 1) * DAY;
    let [plain, merged] = outs;
    plain.header("interaction_id,client_id,session_id,type_action,valeur_achat,horodatage");
    merged.header(
        "interaction_id,client_id,type_action,valeur_achat,date,age,ville,segment,canal_acquisition,est_achat,\
session_id,code_postal,departement",
    );
    let buffers = crate::par::Pool::new();
    let format = |k: usize| -> RowPiece {
        let (first, end) = (k * PIECE_ROWS, ((k + 1) * PIECE_ROWS).min(t.len()));
        let mut p_out = crate::par::buffer(&buffers, PIECE_ROWS * 64);
        let mut m_out = crate::par::buffer(&buffers, PIECE_ROWS * 112);
        // Rows are formatted into stages that stay in cache (see `crate::stage`).
        let mut p = crate::stage::stage_for(&mut p_out, 1024);
        let mut m = crate::stage::stage_for(&mut m_out, 2048);
        let mut rows = 0u64;
        let mut stamps = TimestampWriter::default();
        let (mut ids, mut sessions) = (IdCursor::new(&t.id), IdCursor::new(&t.session_ids));
        for i in first..end {
            if let Some(&c) = t.customer.get(i + AHEAD) {
                cells.prefetch(c as usize);
            }
            let Some(cell) = cells.get(t.customer[i] as usize) else {
                continue;
            };
            let ts = t.ts.get(i);
            if ts < lo || ts >= hi {
                continue;
            }
            rows += 1;
            let action = Action::from_code(t.action[i]);
            // donnees_marketing.csv: the interaction's cells in the demo's order, then
            // the customer's; each cell formatted once.
            let row = m.len();
            ids.write(&mut m, i);
            m.push(b',');
            cell.put_id(&mut m);
            let what = m.len();
            action.push_cell(&mut m);
            if action == Action::Purchase {
                push_cents(&mut m, t.amount.get(i));
            }
            m.push(b',');
            stamps.write(&mut m, ts);
            let what_end = m.len();
            cell.put_head(&mut m);
            m.extend_from_slice(if action == Action::Purchase {
                b",true,"
            } else {
                b",false,"
            });
            let session = m.len();
            sessions.write(&mut m, t.session[i] as usize);
            let session_end = m.len();
            cell.put_tail(&mut m);
            m.push(b'\n');
            // interactions.csv: the same cells, copied in its order
            // (interaction_id,client_id,session_id,type_action,valeur_achat,horodatage);
            // room after the row lets every copy be a fixed-size one.
            let end = m.len();
            m.extend_from_slice(&[0; crate::text::SMALL]);
            crate::text::push_from_arena(&mut p, &m, row, what - row);
            crate::text::push_from_arena(&mut p, &m, session, session_end - session);
            p.push(b',');
            crate::text::push_from_arena(&mut p, &m, what, what_end - what);
            p.push(b'\n');
            m.truncate(end);
            if crate::stage::WORTH && m.len() >= crate::stage::STAGE {
                crate::stage::drain(&mut m_out, &mut m);
                crate::stage::drain(&mut p_out, &mut p);
            }
        }
        crate::stage::finish(&mut m_out, &mut m);
        crate::stage::finish(&mut p_out, &mut p);
        crate::stage::stores_done();
        RowPiece {
            bytes: [p_out, m_out],
            rows,
        }
    };
    let pieces = t.len().div_ceil(PIECE_ROWS);
    // Each file's digest is one sequence of bytes. When both files hash their own
    // bytes, they are hashed each on a thread of its own, or here, the two side by
    // side (see `sha_pair`).
    let hashed_here = plain.hashes_all_itself() && merged.hashes_all_itself();
    if hashed_here && hashes_apart(t.len()) {
        return apart(pieces, format, &buffers, [plain, merged], progress);
    }
    let mut pair = hashed_here.then(|| {
        let mut both = crate::sha_pair::Pair::default();
        both.update(plain.hand_over_digest(), merged.hand_over_digest());
        both
    });
    let (mut plain_result, mut merged_result) = (Ok(()), Ok(()));
    crate::par::pipeline(
        pieces,
        format,
        |k,
         RowPiece {
             bytes: [p, m],
             mut rows,
         }| {
            // When both files are hashed here and their writers lend memory (direct
            // I/O), the bytes are stored there as they are hashed; otherwise a slice of
            // each piece is hashed, then written while still in the core's cache (the
            // pieces, several MB, are in none). Both pieces have rows whenever either
            // has bytes, so the first part of each counts them.
            let (mut a, mut b) = (&p[..], &m[..]);
            while !a.is_empty() || !b.is_empty() {
                let lent = match &mut pair {
                    Some(pair) => into_lent(
                        pair,
                        [(&mut *plain, &mut plain_result), (&mut *merged, &mut merged_result)],
                        [a, b],
                        rows,
                    ),
                    None => None,
                };
                let [na, nb] = lent.unwrap_or_else(|| {
                    let (sa, sb) = (&a[..a.len().min(SLICE)], &b[..b.len().min(SLICE)]);
                    if let Some(pair) = &mut pair {
                        pair.update(sa, sb);
                    }
                    for (out, result, slice) in [
                        (&mut *plain, &mut plain_result, sa),
                        (&mut *merged, &mut merged_result, sb),
                    ] {
                        if result.is_ok() && !slice.is_empty() {
                            *result = out.append(slice, rows);
                        }
                    }
                    [sa.len(), sb.len()]
                });
                rows = 0;
                (a, b) = (&a[na..], &b[nb..]);
            }
            buffers.give(p);
            buffers.give(m);
            progress((k + 1) as f64 / pieces as f64);
        },
    );
    if let Some(pair) = pair {
        let [p, m] = pair.finish();
        plain.give_digest(p);
        merged.give_digest(m);
    }
    first_error(plain_result, merged_result)
}

/// The first of the two files' errors, with the index of its file.
fn first_error(plain: io::Result<()>, merged: io::Result<()>) -> Result<(), (usize, io::Error)> {
    plain.map_err(|e| (0, e)).and(merged.map_err(|e| (1, e)))
}

/// Whether the two row-level files are hashed each on a thread of its own rather
/// than side by side on one (see [`crate::sha_pair`]). Side by side saves CPU time
/// where the processor's SHA unit has waits to fill, but then one thread hashes
/// both files and the rest of the export waits on it; when the pairing gains little
/// (as on a host whose SHA unit is busy with other work), two threads finish sooner.
/// `NUMBERLY_ROW_HASHES=paired` or `apart` decides; otherwise datasets of fewer
/// than [`APART_ROWS`] interactions (`rows`, before any filter) are paired, and for
/// larger ones a trial of about a millisecond measures the gain here and now.
fn hashes_apart(rows: usize) -> bool {
    let forced = std::env::var("NUMBERLY_ROW_HASHES").ok();
    apart_by(
        rows,
        crate::par::threads(),
        forced.as_deref(),
        crate::sha_pair::pairing_gain,
    )
}

/// [`hashes_apart`]'s rule, for `rows` rows, `threads` threads, the forced way (if
/// any) and the trial `gain`, run only when it decides: apart from the environment
/// and the clock, so that a test can check it.
fn apart_by(rows: usize, threads: usize, forced: Option<&str>, gain: impl FnOnce() -> f64) -> bool {
    if threads < 2 {
        return false;
    }
    match forced {
        Some("paired") => false,
        Some("apart") => true,
        _ => rows >= APART_ROWS && gain() < PAIRING_WORTH,
    }
}

/// Rows below which the row-level files are always hashed side by side, without
/// the trial: there the trial (about a millisecond) costs about what a thread per
/// file could save. Where the pairing gained nothing, a thread per file made
/// criterion's in-memory export 1.2–1.3 times as fast at 40,000 rows and twice as
/// fast at 100,000 (docs/benchmarks.md, 2026-12-04).
const APART_ROWS: usize = 32_768;

/// How much faster two streams must hash side by side than one after the other
/// (in [`crate::sha_pair::pairing_gain`]'s trial) for the pairing to beat a thread
/// per file. With no gain, a thread per file took the metrics-and-export stage of
/// a 1M / 10M run from 2.08 to 1.86 s (medians of 8 runs, 2026-12-04). By
/// estimate, a gain of 1.5× (2026-12-02) saves about 0.35 s of CPU time, more than
/// the thread per file would win; the two are about even near 1.25×, and the
/// trial, on bytes in cache, shows a little more gain than a run gets.
const PAIRING_WORTH: f64 = 1.3;

/// [`row_files`] with each file hashed (and written) on a thread of its own: this
/// one takes the pieces in order and hands each piece of the second file to the
/// other thread.
fn apart(
    pieces: usize,
    format: impl Fn(usize) -> RowPiece + Sync,
    buffers: &crate::par::Pool<Vec<u8>>,
    outs: [&mut Chunked; 2],
    progress: &mut dyn FnMut(f64),
) -> Result<(), (usize, io::Error)> {
    let [plain, merged] = outs;
    let mut lane = crate::sha_pair::One::default();
    lane.update(plain.hand_over_digest());
    let mut plain_result = Ok(());
    let merged_result = std::thread::scope(|scope| {
        // At most two pieces wait for the other thread (a bound on memory).
        let (tx, rx) = std::sync::mpsc::sync_channel::<(Vec<u8>, u64)>(2);
        let other = scope.spawn(move || {
            let mut lane = crate::sha_pair::One::default();
            lane.update(merged.hand_over_digest());
            let mut result = Ok(());
            for (bytes, rows) in rx {
                one_file(&mut lane, merged, &mut result, &bytes, rows);
                buffers.give(bytes);
            }
            // Its stores past the cache are fenced on this thread, before the file's
            // last block is written from another.
            crate::stage::stores_done();
            merged.give_digest(lane.finish());
            result
        });
        crate::par::pipeline(pieces, format, |k, RowPiece { bytes: [p, m], rows }| {
            // A send fails only when the other thread has stopped: its panic is raised below.
            let _ = tx.send((m, rows));
            one_file(&mut lane, plain, &mut plain_result, &p, rows);
            buffers.give(p);
            progress((k + 1) as f64 / pieces as f64);
        });
        drop(tx);
        other.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    });
    plain.give_digest(lane.finish());
    first_error(plain_result, merged_result)
}

/// Hashes `bytes` (`rows` rows) into `lane` and stores them into the memory `out`
/// lends, or hashes and writes them a slice at a time when it lends none.
fn one_file(
    lane: &mut crate::sha_pair::One,
    out: &mut Chunked,
    result: &mut io::Result<()>,
    bytes: &[u8],
    mut rows: u64,
) {
    let mut rest = bytes;
    while !rest.is_empty() && result.is_ok() {
        let n = match room(out, result, rest) {
            Some(to) => {
                let n = rest.len().min(to.len());
                lane.update_into(&rest[..n], &mut to[..n]);
                *result = out.advance(n, rows);
                n
            }
            None if result.is_ok() => {
                let n = rest.len().min(SLICE);
                lane.update(&rest[..n]);
                *result = out.append(&rest[..n], rows);
                n
            }
            None => break,
        };
        rows = 0;
        rest = &rest[n..];
    }
}

/// Hashes the next bytes of the two row-level files into `pair` and stores them
/// straight into the memory their writers lend, both as far as the shorter while
/// both have bytes; gives how many bytes of each went (`rows` counted with them).
/// `None` when nothing went: a file that has bytes lends no memory, or failed (its
/// error kept in its result).
fn into_lent(
    pair: &mut crate::sha_pair::Pair,
    outs: [(&mut Chunked, &mut io::Result<()>); 2],
    bytes: [&[u8]; 2],
    rows: u64,
) -> Option<[usize; 2]> {
    let [(pa, ea), (pb, eb)] = outs;
    let [a, b] = bytes;
    if ea.is_err() || eb.is_err() {
        return None;
    }
    let ra = room(pa, ea, a)?;
    let rb = room(pb, eb, b)?;
    let (mut na, mut nb) = (a.len().min(ra.len()), b.len().min(rb.len()));
    if na > 0 && nb > 0 {
        (na, nb) = (na.min(nb), na.min(nb));
    }
    pair.update_into(&a[..na], &b[..nb], &mut ra[..na], &mut rb[..nb]);
    // The bytes went whatever happens next: each file's error stays with it.
    for (out, result, n) in [(pa, ea, na), (pb, eb, nb)] {
        if n > 0 {
            *result = out.advance(n, rows);
        }
    }
    Some([na, nb])
}

/// The memory `out` lends for its next bytes, when `bytes` has any (else none is
/// needed); `None` when it lends none or fails (its error kept in `result`).
fn room<'o>(out: &'o mut Chunked, result: &mut io::Result<()>, bytes: &[u8]) -> Option<&'o mut [u8]> {
    if bytes.is_empty() {
        return Some(&mut []);
    }
    match out.room() {
        Ok(room) if !room.is_empty() => Some(room),
        Ok(_) => None,
        Err(e) => {
            *result = Err(e);
            None
        }
    }
}

/// Each customer's cells, formatted once: `client_id,`, then
/// `,age,ville,segment,canal_acquisition` and `,code_postal,departement` for the
/// merged file. Rows come in time order, so customers in random order: each
/// customer's cells sit in one cache line of their own (a slot), found without
/// a lookup and fetched ahead of use. Slot: kind, the three lengths, then the
/// cells; cells too long for a slot are kept apart and the slot says where.
struct CustomerCells {
    /// The slots, from `base` (a 64-byte boundary), then padding for fixed-size copies.
    slots: Vec<u8>,
    base: usize,
    /// Cells that do not fit in a slot: (start, lengths) in the slot, bytes here.
    overflow: Vec<u8>,
}

/// Fills the slots `mine` of the customers from `first`; returns the piece's overflow
/// bytes and which of its slots point into them.
fn fill_slots(rows: Rows, first: usize, mine: &mut [u8]) -> (Vec<u8>, Vec<u32>) {
    let ds = rows.dataset;
    let c = &ds.customers;
    let p = rows.privacy;
    let ids = p.customer_ids(ds);
    let commune = p.writes_commune();
    let (mut overflow, mut at) = (Vec::new(), Vec::new());
    let mut cell = Vec::with_capacity(128);
    for (j, slot) in mine.chunks_exact_mut(SLOT).enumerate() {
        let i = first + j;
        if !selected(rows, i) {
            continue;
        }
        cell.clear();
        push_id(&mut cell, ids, i);
        cell.push(b',');
        let id_len = cell.len();
        cell.push(b',');
        p.push_age(&mut cell, c.age[i]);
        for text in [
            if commune { c.villes.label(c.ville[i]) } else { "" },
            c.segments.label(c.segment[i]),
            c.channels.label(c.channel[i]),
        ] {
            cell.push(b',');
            push_text(&mut cell, text.as_bytes());
        }
        let head_len = cell.len() - id_len;
        for text in [
            if commune {
                c.codes_postaux.label(c.code_postal[i])
            } else {
                ""
            },
            c.departements.label(c.departement[i]),
        ] {
            cell.push(b',');
            push_text(&mut cell, text.as_bytes());
        }
        let tail_len = cell.len() - id_len - head_len;
        if cell.len() <= SLOT_CELLS {
            slot[..4].copy_from_slice(&[IN_SLOT, id_len as u8, head_len as u8, tail_len as u8]);
            slot[4..4 + cell.len()].copy_from_slice(&cell);
        } else {
            slot[0] = OVERFLOW;
            let fields = [overflow.len() as u64, id_len as u64, head_len as u64, tail_len as u64];
            for (k, v) in fields.into_iter().enumerate() {
                slot[8 + 8 * k..16 + 8 * k].copy_from_slice(&v.to_le_bytes());
            }
            overflow.extend_from_slice(&cell);
            at.push(j as u32);
        }
    }
    (overflow, at)
}

/// The eight bytes at `at`, as a little-endian word.
fn slot_word(bytes: &[u8], at: usize) -> [u8; 8] {
    let mut w = [0u8; 8];
    w.copy_from_slice(&bytes[at..at + 8]);
    w
}

/// Bytes per slot: one cache line.
const SLOT: usize = 64;
/// Cell bytes in a slot after its 4-byte header.
const SLOT_CELLS: usize = SLOT - 4;
/// Slot kinds.
const IN_SLOT: u8 = 1;
const OVERFLOW: u8 = 2;

/// One customer's cells: three consecutive ranges of `arena` from `at`.
#[derive(Clone, Copy)]
struct Cells<'a> {
    arena: &'a [u8],
    at: usize,
    id: usize,
    head: usize,
    tail: usize,
}

impl Cells<'_> {
    /// Appends `client_id,`.
    #[inline]
    fn put_id(&self, out: &mut Vec<u8>) {
        crate::text::push_from_arena(out, self.arena, self.at, self.id);
    }

    /// Appends `,age,ville,segment,canal_acquisition`.
    #[inline]
    fn put_head(&self, out: &mut Vec<u8>) {
        crate::text::push_from_arena(out, self.arena, self.at + self.id, self.head);
    }

    /// Appends `age,ville,segment,canal_acquisition` (the head without its comma).
    #[inline]
    fn put_head_cells(&self, out: &mut Vec<u8>) {
        crate::text::push_from_arena(out, self.arena, self.at + self.id + 1, self.head - 1);
    }

    /// Appends `,code_postal,departement`.
    #[inline]
    fn put_tail(&self, out: &mut Vec<u8>) {
        crate::text::push_from_arena(out, self.arena, self.at + self.id + self.head, self.tail);
    }
}

impl CustomerCells {
    fn new(rows: Rows) -> Self {
        let n = rows.dataset.customers.len();
        let mut slots = vec![0u8; (n + 1) * SLOT + crate::text::SMALL];
        let base = slots.as_ptr().align_offset(SLOT).min(SLOT);
        // Pieces of customers fill their own slots; cells too long for a slot go to
        // the piece's overflow bytes, joined (and their offsets moved) afterwards.
        let pieces = crate::par::map_chunks(&mut slots[base..base + n * SLOT], CUSTOMER_PIECE * SLOT, |k, mine| {
            fill_slots(rows, k * CUSTOMER_PIECE, mine)
        });
        let mut overflow = Vec::new();
        for (first_slot, (bytes, at)) in pieces.iter().enumerate().map(|(k, p)| (k * CUSTOMER_PIECE, p)) {
            let shift = overflow.len() as u64;
            overflow.extend_from_slice(bytes);
            for &i in at {
                let field = base + (first_slot + i as usize) * SLOT + 8;
                let start = u64::from_le_bytes(slot_word(&slots, field)) + shift;
                slots[field..field + 8].copy_from_slice(&start.to_le_bytes());
            }
        }
        overflow.resize(overflow.len() + crate::text::SMALL, 0);
        Self { slots, base, overflow }
    }

    /// Asks the processor to fetch customer `i`'s slot.
    #[inline]
    fn prefetch(&self, i: usize) {
        if let Some(b) = self.slots.get(self.base + i * SLOT) {
            crate::prefetch::prefetch(b);
        }
    }

    /// Customer `i`'s cells, if it is in the selection.
    #[inline]
    fn get(&self, i: usize) -> Option<Cells<'_>> {
        let at = self.base + i * SLOT;
        let h = self.slots.get(at..at + 4)?;
        match h[0] {
            IN_SLOT => Some(Cells {
                arena: &self.slots,
                at: at + 4,
                id: h[1] as usize,
                head: h[2] as usize,
                tail: h[3] as usize,
            }),
            OVERFLOW => {
                let field = |k: usize| u64::from_le_bytes(slot_word(&self.slots, at + 8 + 8 * k)) as usize;
                Some(Cells {
                    arena: &self.overflow,
                    at: field(0),
                    id: field(1),
                    head: field(2),
                    tail: field(3),
                })
            }
            _ => None,
        }
    }
}

fn rejects(input: &ExportInput, out: &mut Chunked) -> io::Result<()> {
    out.header("file,line,column,rule,value");
    for r in &input.clean.rejects {
        let b = out.row();
        push_text(b, input.clean.file(r.file).file.as_bytes());
        b.push(b',');
        push_int(b, r.line as i64);
        b.push(b',');
        push_text(b, r.column.as_bytes());
        b.push(b',');
        push_text(b, r.rule.as_bytes());
        b.push(b',');
        push_text(b, input.privacy.reject_cell(r).as_bytes());
        b.push(b'\n');
        out.maybe_flush()?;
    }
    Ok(())
}

/// Ends a row of an aggregated file with its `suppressed` flag.
fn end_row(b: &mut Vec<u8>, suppressed: bool) {
    b.extend_from_slice(if suppressed { b",true\n" } else { b",false\n" });
}

fn kpis(r: &Report, p: &Privacy, out: &mut Chunked) -> io::Result<()> {
    let k = &r.kpis;
    let hide = kpis_suppressed(r, p);
    out.header("metric,value,suppressed");
    let ints: [(&str, u64); 6] = [
        ("customers", k.customers),
        ("active_customers", k.active_customers),
        ("buyers", k.buyers),
        ("interactions", k.interactions),
        ("sessions", k.sessions),
        ("purchases", k.purchases),
    ];
    for (name, v) in ints {
        let b = out.row();
        b.extend_from_slice(name.as_bytes());
        b.push(b',');
        if !hide {
            push_int(b, v as i64);
        }
        end_row(b, hide);
    }
    let money = [
        ("revenue", k.revenue_cents),
        ("average_basket", div_round(k.revenue_cents, k.purchases as i64)),
    ];
    for (name, cents) in money {
        let b = out.row();
        b.extend_from_slice(name.as_bytes());
        b.push(b',');
        if !hide {
            push_cents(b, cents);
        }
        end_row(b, hide);
    }
    let rates = [
        ("customer_conversion", k.buyers, k.active_customers),
        ("session_conversion", k.sessions_with_purchase, k.sessions),
        ("interaction_conversion", k.purchases, k.interactions),
    ];
    for (name, num, den) in rates {
        let b = out.row();
        b.extend_from_slice(name.as_bytes());
        b.push(b',');
        if !hide {
            push_ratio(b, num as u128, den as u128);
        }
        end_row(b, hide);
    }
    Ok(())
}

fn groups(key: &str, rows: &[GroupRow], blanked: &[bool], r: &Report, out: &mut Chunked) -> io::Result<()> {
    out.header(&format!(
        "{key},customers,active_customers,buyers,customer_conversion,purchases,revenue,average_basket,revenue_share,\
interactions,suppressed"
    ));
    for (g, &hide) in rows.iter().zip(blanked) {
        let b = out.row();
        push_text(b, g.label.as_bytes());
        if hide {
            b.extend_from_slice(b",,,,,,,,,");
            end_row(b, true);
            continue;
        }
        for v in [g.customers, g.active_customers, g.buyers] {
            b.push(b',');
            push_int(b, v as i64);
        }
        b.push(b',');
        push_ratio(b, g.buyers as u128, g.active_customers as u128);
        b.push(b',');
        push_int(b, g.purchases as i64);
        b.push(b',');
        push_cents(b, g.revenue_cents);
        b.push(b',');
        push_cents(b, div_round(g.revenue_cents, g.purchases as i64));
        b.push(b',');
        push_ratio(b, g.revenue_cents.max(0) as u128, r.kpis.revenue_cents.max(0) as u128);
        b.push(b',');
        push_int(b, g.interactions as i64);
        end_row(b, false);
    }
    Ok(())
}

fn daily(r: &Report, blanked: &[bool], out: &mut Chunked) -> io::Result<()> {
    out.header("date,interactions,page_views,carts,purchases,revenue,active_customers,buyers,suppressed");
    for (d, &hide) in r.daily.iter().zip(blanked) {
        let b = out.row();
        write_date(b, d.day);
        if hide {
            b.extend_from_slice(b",,,,,,,");
            end_row(b, true);
            continue;
        }
        for v in [d.interactions, d.page_views, d.carts, d.purchases] {
            b.push(b',');
            push_int(b, v as i64);
        }
        b.push(b',');
        push_cents(b, d.revenue_cents);
        for v in [d.active_customers, d.buyers] {
            b.push(b',');
            push_int(b, v as i64);
        }
        end_row(b, false);
    }
    Ok(())
}

fn funnel(r: &Report, blanked: &[bool], out: &mut Chunked) -> io::Result<()> {
    out.header(
        "canal_acquisition,sessions_view,sessions_cart,sessions_purchase,view_to_cart,cart_to_purchase,\
view_to_purchase,suppressed",
    );
    for (f, &hide) in r.funnel.iter().zip(blanked) {
        let b = out.row();
        push_text(b, f.label.as_bytes());
        if hide {
            b.extend_from_slice(b",,,,,,");
            end_row(b, true);
            continue;
        }
        for v in [f.sessions_view, f.sessions_cart, f.sessions_purchase] {
            b.push(b',');
            push_int(b, v as i64);
        }
        for (num, den) in [
            (f.sessions_cart, f.sessions_view),
            (f.sessions_purchase, f.sessions_cart),
            (f.sessions_purchase, f.sessions_view),
        ] {
            b.push(b',');
            push_ratio(b, num as u128, den as u128);
        }
        end_row(b, false);
    }
    Ok(())
}

fn rfm(ds: &Dataset, r: &Report, p: &Privacy, out: &mut Chunked) -> io::Result<()> {
    out.header("client_id,recency_days,frequency,monetary,r,f,m,rfm_code,rfm_segment");
    let ids = p.customer_ids(ds);
    let rows = &r.rfm.rows;
    in_pieces(out, rows.len(), |range, b| {
        let mut written = 0;
        for row in rows[range].iter().filter(|row| p.keeps(row.customer as usize)) {
            written += 1;
            push_id(b, ids, row.customer as usize);
            b.push(b',');
            if let Some(days) = row.recency_days {
                push_int(b, days as i64);
            }
            b.push(b',');
            push_int(b, row.frequency as i64);
            b.push(b',');
            push_cents(b, row.monetary_cents);
            if row.r > 0 {
                for s in [row.r, row.f, row.m] {
                    b.push(b',');
                    b.push(b'0' + s);
                }
                b.push(b',');
                b.extend_from_slice(&[b'0' + row.r, b'0' + row.f, b'0' + row.m]);
            } else {
                b.extend_from_slice(b",,,,");
            }
            b.push(b',');
            push_text(b, row.segment.label().as_bytes());
            b.push(b'\n');
        }
        written
    })
}

fn rfm_segments(r: &Report, blanked: &[bool], out: &mut Chunked) -> io::Result<()> {
    out.header("rfm_segment,customers,revenue,revenue_share,customer_share,suppressed");
    let total_customers: u64 = r.rfm.segments.iter().map(|s| s.customers).sum();
    for (s, &hide) in r.rfm.segments.iter().zip(blanked) {
        let b = out.row();
        push_text(b, s.segment.label().as_bytes());
        if hide {
            b.extend_from_slice(b",,,,");
            end_row(b, true);
            continue;
        }
        b.push(b',');
        push_int(b, s.customers as i64);
        b.push(b',');
        push_cents(b, s.revenue_cents);
        b.push(b',');
        push_ratio(b, s.revenue_cents.max(0) as u128, r.kpis.revenue_cents.max(0) as u128);
        b.push(b',');
        push_ratio(b, s.customers as u128, total_customers as u128);
        end_row(b, false);
    }
    Ok(())
}

#[derive(serde::Serialize)]
struct Manifest<'a> {
    engine: &'static str,
    version: &'static str,
    options: &'a serde_json::Value,
    filter: ManifestFilter<'a>,
    /// `null` when there is no period (see [`crate::model::Dataset::dated`]).
    period: Option<(String, String)>,
    session_rule: crate::clean::SessionRule,
    inputs: [&'a crate::clean::FileReport; 2],
    privacy: ManifestPrivacy<'a>,
    outputs: &'a [Output],
}

/// The selection as people read it: its days as dates, its channels and segments
/// by name (the engine's filter holds their codes).
#[derive(serde::Serialize)]
struct ManifestFilter<'a> {
    #[serde(with = "crate::dates::iso_day_opt")]
    from: Option<i32>,
    #[serde(with = "crate::dates::iso_day_opt")]
    to: Option<i32>,
    channels: Option<Vec<&'a str>>,
    segments: Option<Vec<&'a str>>,
}

impl<'a> ManifestFilter<'a> {
    fn of(filter: &crate::metrics::Filter, customers: &'a crate::model::Customers) -> Self {
        let names = |codes: &Option<Vec<u32>>, dict: &'a crate::ids::Dict| {
            codes.as_ref().map(|c| c.iter().map(|&code| dict.label(code)).collect())
        };
        ManifestFilter {
            from: filter.from,
            to: filter.to,
            channels: names(&filter.channels, &customers.channels),
            segments: names(&filter.segments, &customers.segments),
        }
    }
}

#[derive(serde::Serialize)]
struct ManifestPrivacy<'a> {
    #[serde(flatten)]
    report: &'a crate::privacy::PrivacyReport,
    suppressed_rows: std::collections::BTreeMap<String, u64>,
}

pub(super) fn manifest(input: &ExportInput, outputs: &[Output]) -> io::Result<Vec<u8>> {
    let m = Manifest {
        engine: "numberly-core",
        version: crate::VERSION,
        options: &input.options,
        filter: ManifestFilter::of(input.filter, &input.dataset.customers),
        period: input.report.dated.then(|| {
            (
                crate::dates::date_string(input.report.from),
                crate::dates::date_string(input.report.to),
            )
        }),
        session_rule: input.clean.session_rule,
        inputs: [&input.clean.clients, &input.clean.interactions],
        privacy: ManifestPrivacy {
            report: &input.privacy.report,
            suppressed_rows: suppressed_rows(input.report, input.privacy),
        },
        outputs,
    };
    let mut v = serde_json::to_vec_pretty(&m).map_err(io::Error::other)?;
    v.push(b'\n');
    Ok(v)
}

#[cfg(test)]
mod tests {
    use super::{apart_by, APART_ROWS, PAIRING_WORTH};
    use std::cell::Cell;

    #[test]
    fn the_trial_runs_only_for_large_exports_on_two_threads_unless_a_way_is_forced() {
        let trials = Cell::new(0);
        let gain = |g: f64| {
            let trials = &trials;
            move || {
                trials.set(trials.get() + 1);
                g
            }
        };
        // Small exports pair, without a trial.
        assert!(!apart_by(APART_ROWS - 1, 2, None, gain(1.0)));
        assert_eq!(trials.get(), 0);
        // Large ones follow the trial.
        assert!(apart_by(APART_ROWS, 2, None, gain(1.0)));
        assert!(!apart_by(APART_ROWS, 2, None, gain(PAIRING_WORTH)));
        assert_eq!(trials.get(), 2);
        // A forced way wins, whatever the size; one thread always pairs.
        assert!(apart_by(10, 2, Some("apart"), gain(2.0)));
        assert!(!apart_by(1 << 30, 2, Some("paired"), gain(1.0)));
        assert!(!apart_by(1 << 30, 1, Some("apart"), gain(1.0)));
        assert!(apart_by(1 << 30, 2, Some("anything else"), gain(1.0)));
        assert_eq!(trials.get(), 3);
    }
}
