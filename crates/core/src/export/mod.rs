//! CSV export: every output file, written in chunks to any [`Sink`] (an `io::Write`)
//! while its SHA-256 is computed, then `manifest.json` describing them all. Numbers use a
//! `.` decimal, money has two decimals, dates are ISO; text cells are quoted when
//! needed and defused against spreadsheet formulas. No direct identifier (name,
//! email) exists in the dataset, so none can reach an output; the
//! [`crate::privacy::Privacy`] step decides pseudonyms, generalisation, blanked
//! cells and consent.

mod excel;
mod tables;

pub use excel::{excel_fr, excel_name, EXCEL_ROWS};

use crate::clean::CleanReport;
use crate::error::Error;
use crate::metrics::{Filter, Report};
use crate::model::Dataset;
use std::io::{self, Write};

/// Names of the files [`export`] writes, in order (the manifest last).
pub const FILES: [&str; 13] = [
    "clients.csv",
    "interactions.csv",
    "donnees_marketing.csv",
    "rejects.csv",
    "kpis.csv",
    "by_channel.csv",
    "by_segment.csv",
    "age_bands.csv",
    "daily.csv",
    "funnel.csv",
    "rfm.csv",
    "rfm_segments.csv",
    "manifest.json",
];

/// What was written for one output file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Output {
    /// File name.
    pub name: String,
    /// Data rows (the header excluded).
    pub rows: u64,
    /// Size in bytes.
    pub bytes: u64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
}

/// Everything an export needs.
pub struct ExportInput<'a> {
    /// The clean dataset.
    pub dataset: &'a Dataset,
    /// Metrics computed on it with `filter`.
    pub report: &'a Report,
    /// What cleaning did.
    pub clean: &'a CleanReport,
    /// The selection; row-level files follow it too.
    pub filter: &'a Filter,
    /// The options of the run, recorded in the manifest.
    pub options: serde_json::Value,
    /// Pseudonyms, generalisation, suppression and consent.
    pub privacy: &'a crate::privacy::Privacy,
}

/// An [`ExportInput`] without the metrics, for [`export_with_metrics`].
pub struct Unmeasured<'a> {
    /// The clean dataset.
    pub dataset: &'a Dataset,
    /// What cleaning did.
    pub clean: &'a CleanReport,
    /// The selection; row-level files follow it too.
    pub filter: &'a Filter,
    /// The options of the run, recorded in the manifest.
    pub options: serde_json::Value,
    /// Pseudonyms, generalisation, suppression and consent.
    pub privacy: &'a crate::privacy::Privacy,
}

impl Unmeasured<'_> {
    /// What the files of metrics need, once the metrics are known.
    fn measured<'r>(&'r self, report: &'r Report) -> ExportInput<'r> {
        ExportInput {
            dataset: self.dataset,
            report,
            clean: self.clean,
            filter: self.filter,
            options: self.options.clone(),
            privacy: self.privacy,
        }
    }
}

/// Size of the chunks handed to the writer.
pub const CHUNK: usize = 1 << 17;

/// Where an exported file's bytes go: any writer (`impl Sink for` it, keeping the
/// defaults). A writer that gathers bytes in memory of its own before they go on
/// (the CLI's direct-I/O blocks) may lend that memory: the row-level files' bytes
/// are then stored there by the pass that hashes them, which reads them anyway,
/// rather than handed to [`Write::write`] to be read and copied once more.
pub trait Sink: Write + Send {
    /// The memory the file's next bytes go to; empty when this sink lends none.
    fn room(&mut self) -> io::Result<&mut [u8]> {
        Ok(&mut [])
    }

    /// The first `n` bytes of the last [`Sink::room`] (no `write` since) now hold
    /// the file's next bytes. They may have been stored past the cache: a sink must
    /// call [`crate::stage::stores_done`] on this thread before another thread or a
    /// device reads them.
    fn advance(&mut self, n: usize) -> io::Result<()> {
        match n {
            0 => Ok(()),
            _ => Err(io::Error::other("bytes put in room that was never lent")),
        }
    }
}

impl Sink for Vec<u8> {}
impl Sink for std::fs::File {}
impl Sink for io::Sink {}
impl Sink for Box<dyn Write + Send> {}

/// Rows are formatted into a buffer that is handed on in chunks of about [`CHUNK`]
/// (the row-level files' pieces go in slices of that size, or into lent memory).
pub(crate) struct Chunked<'w> {
    buf: Vec<u8>,
    out: &'w mut dyn Sink,
    hash: Hash,
    bytes: u64,
    rows: u64,
}

/// Who hashes a file's bytes.
enum Hash {
    /// Its [`Chunked`], as they go out.
    Running(crate::sha_pair::One),
    /// Someone else: the caller from the bytes it receives, or the writer of the
    /// row-level files (see [`Chunked::hand_over_digest`]), which then gives it.
    Elsewhere(Option<[u8; 32]>),
}

impl<'w> Chunked<'w> {
    fn new(out: &'w mut dyn Sink, hash: bool) -> Self {
        Self {
            buf: Vec::with_capacity(CHUNK + 4096),
            out,
            hash: if hash {
                Hash::Running(crate::sha_pair::One::default())
            } else {
                Hash::Elsewhere(None)
            },
            bytes: 0,
            rows: 0,
        }
    }

    /// The buffer to append the next row to.
    #[inline]
    pub fn row(&mut self) -> &mut Vec<u8> {
        self.rows += 1;
        &mut self.buf
    }

    /// The buffer, for the header (not counted as a row).
    pub fn header(&mut self, h: &str) {
        self.buf.extend_from_slice(h.as_bytes());
        self.buf.push(b'\n');
    }

    /// Whether this file hashes its own bytes and has handed none on yet.
    pub(crate) fn hashes_all_itself(&self) -> bool {
        matches!(self.hash, Hash::Running(_)) && self.bytes == 0
    }

    /// The bytes it holds (its header), when [`Chunked::hashes_all_itself`]: from now
    /// on the caller hashes them and everything after, and gives the digest with
    /// [`Chunked::give_digest`].
    pub(crate) fn hand_over_digest(&mut self) -> &[u8] {
        debug_assert!(self.hashes_all_itself());
        self.hash = Hash::Elsewhere(None);
        &self.buf
    }

    /// The digest of the file, computed by whoever [`Chunked::hand_over_digest`] handed it to.
    pub(crate) fn give_digest(&mut self, digest: [u8; 32]) {
        self.hash = Hash::Elsewhere(Some(digest));
    }

    /// Memory the file's next bytes may be stored in directly (see [`Sink::room`]),
    /// once what it holds has gone out; empty when its writer lends none.
    pub(crate) fn room(&mut self) -> io::Result<&mut [u8]> {
        if !self.buf.is_empty() {
            self.flush()?;
        }
        self.out.room()
    }

    /// The first `n` bytes of the last [`Chunked::room`] hold the next bytes, with
    /// `rows` rows; whoever stored them hashes them (see [`Chunked::hand_over_digest`]).
    pub(crate) fn advance(&mut self, n: usize, rows: u64) -> io::Result<()> {
        debug_assert!(
            matches!(self.hash, Hash::Elsewhere(_)),
            "lent room holds bytes hashed elsewhere"
        );
        self.rows += rows;
        self.bytes += n as u64;
        self.out.advance(n)
    }

    /// Appends `rows` already formatted rows.
    pub fn append(&mut self, bytes: &[u8], rows: u64) -> io::Result<()> {
        self.rows += rows;
        if !self.buf.is_empty() {
            self.flush()?;
        }
        // Hash and write in slices of CHUNK: each slice is still in cache for the write,
        // and the kernel copies small writes much faster than one huge one.
        for slice in bytes.chunks(CHUNK) {
            if let Hash::Running(h) = &mut self.hash {
                h.update(slice);
            }
            self.bytes += slice.len() as u64;
            self.out.write_all(slice)?;
        }
        Ok(())
    }

    /// Hands the buffer on once it is large enough.
    #[inline]
    pub fn maybe_flush(&mut self) -> io::Result<()> {
        if self.buf.len() >= CHUNK {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> io::Result<()> {
        for slice in self.buf.chunks(CHUNK) {
            if let Hash::Running(h) = &mut self.hash {
                h.update(slice);
            }
            self.out.write_all(slice)?;
        }
        self.bytes += self.buf.len() as u64;
        self.buf.clear();
        Ok(())
    }

    fn finish(mut self, name: &str) -> io::Result<Output> {
        self.flush()?;
        self.out.flush()?;
        let sha256 = match self.hash {
            Hash::Running(h) => hex(&h.finish()),
            Hash::Elsewhere(digest) => digest.map(|d| hex(&d)).unwrap_or_default(),
        };
        Ok(Output {
            name: name.to_string(),
            rows: self.rows,
            bytes: self.bytes,
            sha256,
        })
    }
}

/// Lowercase hex of a digest.
pub fn hex(digest: &[u8]) -> String {
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

/// Who computes the SHA-256 of each data file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Digests<'a> {
    /// [`export_data`] hashes the bytes as it writes them.
    Inline,
    /// The caller hashes these files from the bytes it receives (in the browser, on
    /// another worker) and fills in their [`Output::sha256`], left empty, before
    /// [`manifest`]; they are written first, so that their hashing overlaps the
    /// writing (and hashing) of the others.
    Deferred(&'a [&'a str]),
}

impl Digests<'_> {
    /// Whether [`export_data`] hashes `name` itself.
    pub fn inline(&self, name: &str) -> bool {
        match self {
            Digests::Inline => true,
            Digests::Deferred(names) => !names.contains(&name),
        }
    }
}

/// Writes every file of [`FILES`]: `open(name)` gives the writer for each. The
/// large row-level files are formatted in pieces on worker threads where threads exist.
/// Calls `progress` with the fraction of files done.
pub fn export<W: Sink>(
    input: &ExportInput,
    open: &(dyn Fn(&str) -> io::Result<W> + Sync),
    progress: &mut dyn FnMut(f64),
) -> Result<Vec<Output>, Error> {
    let steps = FILES.len() as f64;
    let mut outputs = export_data(
        input,
        open,
        &mut |f| progress(f * (steps - 1.0) / steps),
        Digests::Inline,
    )?;
    outputs.push(write_manifest(input, &outputs, open)?);
    progress(1.0);
    Ok(outputs)
}

/// Writes the data files (every file of [`FILES`] but the manifest), hashing them
/// or not as `digests` says; `progress` gets the fraction of files done. The
/// outputs come in [`FILES`] order.
pub fn export_data<W: Sink>(
    input: &ExportInput,
    open: &(dyn Fn(&str) -> io::Result<W> + Sync),
    progress: &mut dyn FnMut(f64),
    digests: Digests,
) -> Result<Vec<Output>, Error> {
    // Files hashed elsewhere first (a stable sort keeps the order within each kind).
    let mut order: Vec<&str> = FILES[..FILES.len() - 1].to_vec();
    order.sort_by_key(|name| digests.inline(name));
    let tables = tables::Tables::new(tables::Rows {
        dataset: input.dataset,
        filter: input.filter,
        privacy: input.privacy,
    });
    let mut written = Written::new(digests, progress);
    written.files(&tables, Some(input), &order, open)?;
    Ok(written.outputs())
}

/// [`export`] for a run whose metrics are still to be computed. The two row-level
/// files are written from this thread (their pieces formatted on workers, the
/// second file maybe hashed and written on a thread of its own); meanwhile
/// another thread writes `clients.csv`, which needs no metrics, computes the
/// metrics and writes the files made of them. Writing the row-level files waits on
/// the disk much of the time, which leaves a core for the rest, and the disk never
/// waits for the smaller files. Gives the metrics and the outputs (the manifest
/// last); of two failed writes, the error of the file first in [`FILES`] order.
pub fn export_with_metrics<W: Sink>(
    input: &Unmeasured,
    metrics: impl FnOnce() -> Report + Send,
    open: &(dyn Fn(&str) -> io::Result<W> + Sync),
    progress: &mut dyn FnMut(f64),
) -> Result<(Report, Vec<Output>), Error> {
    progress(0.0);
    let steps = FILES.len() as f64;
    let mut to_data = |f| progress(f * (steps - 1.0) / steps);
    let mut rows = Written::new(Digests::Inline, &mut to_data);
    let tables = tables::Tables::new(tables::Rows {
        dataset: input.dataset,
        filter: input.filter,
        privacy: input.privacy,
    });
    // clients.csv, then the files of metrics.
    let needs_none: Vec<&str> = FILES
        .iter()
        .copied()
        .filter(|n| tables::needs_no_metrics(n) && !ROW_FILES.contains(n))
        .collect();
    let metric_files: Vec<&str> = FILES[..FILES.len() - 1]
        .iter()
        .copied()
        .filter(|n| !tables::needs_no_metrics(n))
        .collect();
    let ((report, others_written), rows_written) = crate::par::join(
        || {
            // The row-level files' hashing, on the other side, sets the pace: this
            // side (and the metrics' threads it starts) gives it way.
            crate::par::lower_priority();
            // This thread's files count towards the progress once they are all written.
            let mut quiet = |_| {};
            let mut written = Written::new(Digests::Inline, &mut quiet);
            let first = written.files(&tables, None, &needs_none, open);
            let report = metrics();
            let measured = input.measured(&report);
            let rest = first.and_then(|()| written.files(&tables, Some(&measured), &metric_files, open));
            let outputs = written.outputs;
            (report, rest.map(|()| outputs))
        },
        || rows.files(&tables, None, &ROW_FILES, open),
    );
    let others_written = match (others_written, rows_written) {
        (Ok(o), Ok(())) => o,
        (Err(a), Err(b)) => return Err(first_in_files_order(a, b)),
        (Err(e), Ok(())) | (Ok(_), Err(e)) => return Err(e),
    };
    rows.outputs.extend(others_written);
    let mut outputs = rows.outputs();
    let measured = input.measured(&report);
    outputs.push(write_manifest(&measured, &outputs, open)?);
    progress(1.0);
    Ok((report, outputs))
}

/// Of two errors, the one whose file comes first in [`FILES`].
fn first_in_files_order(a: Error, b: Error) -> Error {
    let at = |e: &Error| match e {
        Error::Io { file, .. } => FILES.iter().position(|f| f == file).unwrap_or(usize::MAX),
        _ => usize::MAX,
    };
    if at(&b) < at(&a) {
        b
    } else {
        a
    }
}

/// The data files written so far, and the progress through them.
struct Written<'p> {
    outputs: Vec<Output>,
    digests: Digests<'p>,
    progress: &'p mut dyn FnMut(f64),
    done: f64,
}

impl<'p> Written<'p> {
    fn new(digests: Digests<'p>, progress: &'p mut dyn FnMut(f64)) -> Self {
        Self {
            outputs: Vec::with_capacity(FILES.len()),
            digests,
            progress,
            done: 0.0,
        }
    }

    /// Writes the data files `names` in that order: the row-level files together,
    /// where the first of them comes. `input` is needed for files of metrics.
    fn files<W: Sink>(
        &mut self,
        tables: &tables::Tables,
        input: Option<&ExportInput>,
        names: &[&str],
        open: &(dyn Fn(&str) -> io::Result<W> + Sync),
    ) -> Result<(), Error> {
        // The two row-level files are most of the work, so they get most of the
        // progress bar.
        let rows_share = 0.8;
        let others = (FILES.len() - 1 - ROW_FILES.len()) as f64;
        for &name in names {
            if ROW_FILES.contains(&name) {
                if self.outputs.iter().any(|o| ROW_FILES.contains(&o.name.as_str())) {
                    continue;
                }
                let [a, b] = ROW_FILES;
                let (mut wa, mut wb) = (
                    open(a).map_err(|e| Error::io(a, e))?,
                    open(b).map_err(|e| Error::io(b, e))?,
                );
                let mut ca = Chunked::new(&mut wa, self.digests.inline(a));
                let mut cb = Chunked::new(&mut wb, self.digests.inline(b));
                let before = self.done;
                let progress = &mut *self.progress;
                tables
                    .row_files([&mut ca, &mut cb], &mut |f| progress(before + rows_share * f))
                    .map_err(|(k, e)| Error::io(ROW_FILES[k], e))?;
                self.outputs.push(ca.finish(a).map_err(|e| Error::io(a, e))?);
                self.outputs.push(cb.finish(b).map_err(|e| Error::io(b, e))?);
                self.done += rows_share;
                continue;
            }
            let io_err = |e| Error::io(name, e);
            let mut writer = open(name).map_err(io_err)?;
            let mut out = Chunked::new(&mut writer, self.digests.inline(name));
            tables.write(name, input, &mut out).map_err(io_err)?;
            self.outputs.push(out.finish(name).map_err(io_err)?);
            self.done += (1.0 - rows_share) / others;
            (self.progress)(self.done);
        }
        Ok(())
    }

    /// The outputs, in [`FILES`] order.
    fn outputs(mut self) -> Vec<Output> {
        self.outputs.sort_by_key(|o| FILES.iter().position(|f| *f == o.name));
        self.outputs
    }
}

/// Writes `manifest.json` for the data files `outputs`.
fn write_manifest<W: Sink>(
    input: &ExportInput,
    outputs: &[Output],
    open: &(dyn Fn(&str) -> io::Result<W> + Sync),
) -> Result<Output, Error> {
    let name = "manifest.json";
    let io_err = |e| Error::io(name, e);
    let mut writer = open(name).map_err(io_err)?;
    let mut out = Chunked::new(&mut writer, true);
    out.buf = manifest(input, outputs)?;
    let mut manifest = out.finish(name).map_err(io_err)?;
    manifest.rows = 0;
    Ok(manifest)
}

/// The row-level files, written together in one pass over the rows.
const ROW_FILES: [&str; 2] = ["interactions.csv", "donnees_marketing.csv"];

/// The bytes of `manifest.json` for the data files `outputs` (their digests filled in).
pub fn manifest(input: &ExportInput, outputs: &[Output]) -> Result<Vec<u8>, Error> {
    tables::manifest(input, outputs).map_err(|e| Error::io("manifest.json", e))
}

/// Files as (name, bytes) pairs.
pub type MemoryFiles = Vec<(String, Vec<u8>)>;

/// Writes every file into memory: the outputs and the (name, bytes) of each file.
pub fn export_to_memory(input: &ExportInput) -> Result<(Vec<Output>, MemoryFiles), Error> {
    let files = std::sync::Mutex::new(Vec::new());
    let outputs = export(
        input,
        &|name| {
            Ok(SharedFile {
                name: name.to_string(),
                buf: Vec::new(),
                sink: &files,
            })
        },
        &mut |_| {},
    )?;
    let mut files = files.into_inner().unwrap_or_else(|e| e.into_inner());
    files.sort_by_key(|(n, _): &(String, Vec<u8>)| FILES.iter().position(|f| f == n));
    Ok((outputs, files))
}

/// A writer that hands its bytes to a shared list when dropped.
struct SharedFile<'s> {
    name: String,
    buf: Vec<u8>,
    sink: &'s std::sync::Mutex<Vec<(String, Vec<u8>)>>,
}

impl Sink for SharedFile<'_> {}

impl Write for SharedFile<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        self.buf.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for SharedFile<'_> {
    fn drop(&mut self) {
        let buf = std::mem::take(&mut self.buf);
        let mut files = self.sink.lock().unwrap_or_else(|e| e.into_inner());
        files.push((std::mem::take(&mut self.name), buf));
    }
}
