//! Worker side: run the engine on requests, post progress, the summary and the
//! output files (built in chunks as Blob parts, so that no file sits whole in
//! WebAssembly memory).

use super::digest::{answer, header, Digester};
use super::preview::{sorted_rows, PreviewQuery, COLUMNS};
use super::protocol::{reject_rows, FileColumns, RejectPage, Request, Response, Summary, REJECTS_PER_PAGE};
use crate::failure::Failure;
use numberly_core::clean::CleanOptions;
use numberly_core::export::{export_data, hex, manifest, Digests, Output};
use numberly_core::ingest::{ReadAt, Streamed};
use numberly_core::metrics::{compute, Filter};
use numberly_core::pipeline::{prepare, Prepared, Source};
use numberly_core::privacy::{Key, Privacy, PrivacyOptions};
use sha2::{Digest, Sha256};
use std::cell::RefCell;
use std::io;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

/// The files whose SHA-256 the digest worker computes (written first); the engine
/// hashes the others meanwhile, which balances the two threads.
const DIGESTS: Digests = Digests::Deferred(&["donnees_marketing.csv"]);

/// Bytes gathered before they become one Blob part.
const PART: usize = 8 << 20;

thread_local! {
    static STATE: RefCell<Option<Prepared>> = const { RefCell::new(None) };
    /// The privacy step of the current dataset.
    static PRIVACY: RefCell<Option<Privacy>> = const { RefCell::new(None) };
    /// This engine's random pseudonym key: made in the tab, kept in memory, never sent.
    static KEY: RefCell<Option<Key>> = const { RefCell::new(None) };
    /// Row orders of the preview, by sort column, computed on first use.
    static ORDERS: RefCell<Vec<Option<Vec<u32>>>> = const { RefCell::new(Vec::new()) };
    /// The export in progress.
    static EXPORT: RefCell<Export> = RefCell::new(Export::default());
    /// Where output parts go, started on first use.
    static SINK: RefCell<Option<Sink>> = const { RefCell::new(None) };
    /// Whether the page was told the engine is ready.
    static READY: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The largest interactions file the tab imports: its rows must fit in the tab's
/// memory (about 50 bytes each once parsed), and WebAssembly has 4 GiB at most.
pub const MAX_INTERACTIONS_BYTES: f64 = 1024.0 * 1024.0 * 1024.0;
/// The largest clients file (read whole).
pub const MAX_CLIENTS_BYTES: f64 = 512.0 * 1024.0 * 1024.0;
/// Bytes of an interactions file read at a time.
const PIECE_BYTES: u64 = 16 << 20;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(response: &Response) {
    if let Ok(text) = serde_json::to_string(response) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}

/// Installs the message handler and starts the digest worker; the page hears
/// that the engine is ready once that worker has loaded.
pub fn serve() {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        // A request is JSON text, or an array of the JSON text and the files it refers to.
        let data = event.data();
        let (text, files) = match data.dyn_ref::<js_sys::Array>() {
            Some(parts) => (
                parts.get(0).as_string(),
                (1..parts.length())
                    .filter_map(|i| parts.get(i).dyn_into::<File>().ok())
                    .collect(),
            ),
            None => (data.as_string(), Vec::new()),
        };
        let Some(text) = text else { return };
        match serde_json::from_str::<Request>(&text) {
            Ok(Request::Run { options, privacy }) => {
                if let Some(p) = run(Source::Generate(*options), &CleanOptions::default(), &|| None) {
                    finish(p, &privacy);
                }
            }
            Ok(Request::Import {
                clients,
                interactions,
                mapping,
                absent,
                privacy,
                period,
            }) => import(&clients, &interactions, (mapping, absent), period, &privacy, &files),
            Ok(Request::Inspect { which, mapping, absent }) => inspect(which, &mapping, &absent, &files),
            Ok(Request::Privacy(options)) => reexport(&options),
            Ok(Request::Rejects { page }) => rejects(page),
            Ok(Request::Filter(filter)) => refilter(filter),
            Ok(Request::Preview(query)) => preview(query),
            Err(e) => post(&Response::Error(Failure::Other(format!("bad request: {e}")))),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    // Ready once the digest worker has loaded too (or could not start): after
    // that, nothing more is fetched.
    let local = SINK.with(|s| matches!(s.borrow_mut().get_or_insert_with(start_digest), Sink::Local(_)));
    if local {
        announce_ready();
    }
}

/// Tells the page the engine listens (once).
fn announce_ready() {
    if !READY.with(|r| r.replace(true)) {
        post(&Response::Ready);
    }
}

fn progress(stage: &str, fraction: f64) {
    post(&Response::Progress {
        stage: stage.to_string(),
        fraction,
    });
}

/// A user's file, read slice by slice (synchronously: this is a worker).
struct FileSource {
    file: File,
}

// SAFETY: WebAssembly here has no threads (no atomics): the engine's `Sync` bound
// is never exercised across threads, so a JS handle cannot be shared unsafely.
unsafe impl Sync for FileSource {}

impl ReadAt for FileSource {
    fn size(&self) -> u64 {
        self.file.size() as u64
    }

    fn read_at(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        let unreadable = || format!("{}: the file could not be read", self.file.name());
        let slice = self
            .file
            .slice_with_f64_and_f64(start as f64, end as f64)
            .map_err(|_| unreadable())?;
        let reader = FileReaderSync::new().map_err(|_| unreadable())?;
        let buffer = reader.read_as_array_buffer(&slice).map_err(|_| unreadable())?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    }
}

/// Why a file is too large for the tab, if it is.
fn too_large(file: &File, limit: f64) -> Option<Failure> {
    let size = file.size();
    (size > limit).then(|| Failure::TooLarge {
        file: file.name(),
        bytes: size,
        limit,
    })
}

/// Reads the user's two files and runs them: the clients file whole, the
/// interactions file piece by piece as it is parsed.
fn import(
    clients: &str,
    interactions: &str,
    (mapping, absent): ([std::collections::BTreeMap<String, String>; 2], Vec<String>),
    period: Option<(i32, i32)>,
    privacy: &PrivacyOptions,
    files: &[File],
) {
    let [c, i] = files else {
        return post(&Response::Error(Failure::MissingFile(u8::from(!files.is_empty()))));
    };
    if let Some(e) = too_large(c, MAX_CLIENTS_BYTES).or_else(|| too_large(i, MAX_INTERACTIONS_BYTES)) {
        return post(&Response::Error(e));
    }
    progress("clean", 0.0);
    let whole = FileSource { file: c.clone() };
    let client_bytes = match whole.read_at(0, whole.size()) {
        Ok(b) => b,
        Err(e) => return post(&Response::Error(Failure::Other(e))),
    };
    // The clients file first, as `numberly run` does: the same file gets the same message.
    if let Err(e) = numberly_core::ingest::CsvFile::open(clients, &client_bytes) {
        return post(&Response::Error(e.into()));
    }
    let (head, body) = match Streamed::open(interactions, FileSource { file: i.clone() }, PIECE_BYTES) {
        Ok(s) => s,
        Err(e) => return post(&Response::Error(e.into())),
    };
    body.on_progress(|f| progress("clean", f * 0.95));
    let clean_opts = CleanOptions {
        mapping,
        absent,
        from: period.map(|p| p.0),
        to: period.map(|p| p.1),
        ..CleanOptions::default()
    };
    let source = Source::Stream {
        clients: (clients, &client_bytes),
        head: &head,
        body: &body,
    };
    if let Some(p) = run(source, &clean_opts, &|| body.error()) {
        finish(p, privacy);
    }
}

/// Describes the columns of one chosen file from its first megabyte.
fn inspect(which: u8, mapping: &std::collections::BTreeMap<String, String>, absent: &[String], files: &[File]) {
    let Some(file) = files.first() else { return };
    let limit = if which == 0 {
        MAX_CLIENTS_BYTES
    } else {
        MAX_INTERACTIONS_BYTES
    };
    let result = match too_large(file, limit) {
        Some(e) => Err(e),
        None => {
            let source = FileSource { file: file.clone() };
            match source.read_at(0, source.size().min(1 << 20)) {
                Err(e) => Err(Failure::Other(e)),
                Ok(head) => {
                    let cut = if head.len() as u64 == source.size() {
                        head.len()
                    } else {
                        memchr_last_newline(&head)
                    };
                    numberly_core::clean::inspect(&file.name(), &head[..cut], which == 0, mapping, absent)
                        .map_err(Failure::from)
                }
            }
        }
    };
    let (notes, error) = match result {
        Ok((n, e)) => (n, e.map(Failure::from)),
        Err(e) => (Vec::new(), Some(e)),
    };
    post(&Response::Columns(FileColumns {
        which,
        file: file.name(),
        notes,
        error,
        pending: false,
    }));
}

fn memchr_last_newline(b: &[u8]) -> usize {
    b.iter().rposition(|&c| c == b'\n').map_or(b.len(), |p| p + 1)
}

/// Generates or reads, cleans and computes; `failed` tells of a read error found on the way.
fn run(source: Source, clean_opts: &CleanOptions, failed: &dyn Fn() -> Option<String>) -> Option<Prepared> {
    STATE.with(|s| s.borrow_mut().take());
    PRIVACY.with(|s| s.borrow_mut().take());
    // Answers about an earlier export no longer apply.
    EXPORT.with(|x| x.borrow_mut().forget());
    ORDERS.with(|o| *o.borrow_mut() = vec![None; COLUMNS.len()]);
    let mut last = (String::new(), -1.0f64);
    let mut report = |stage: numberly_core::pipeline::Stage, f: f64| {
        // At most one message per percent.
        if stage.name() != last.0 || f - last.1 >= 0.01 || f >= 1.0 {
            last = (stage.name().to_string(), f);
            progress(stage.name(), f);
        }
    };
    // A read error explains the rest: it comes first.
    let prepared = prepare(source, clean_opts, &mut report).map_err(Failure::from);
    match failed().map(Failure::Other).map_or(prepared, Err) {
        Ok(p) => Some(p),
        Err(e) => {
            post(&Response::Error(e));
            None
        }
    }
}

/// This engine's random key, made on first use.
fn key() -> Option<Key> {
    KEY.with(|k| {
        let mut k = k.borrow_mut();
        if k.is_none() {
            *k = Key::random().ok();
        }
        k.clone()
    })
}

/// Applies the privacy options and writes the data files, whose parts go to the
/// digest worker; [`on_digests`] finishes the export when their digests come back.
fn start_export(p: &Prepared, options: &PrivacyOptions) -> Option<Privacy> {
    let privacy = match p.privacy(options, key().as_ref()) {
        Ok(privacy) => privacy,
        Err(e) => {
            post(&Response::Error(e.into()));
            return None;
        }
    };
    let filter = Filter::default();
    let input = p.export_input(&filter, &privacy);
    progress("export", 0.0);
    let epoch = EXPORT.with(|x| {
        let mut x = x.borrow_mut();
        x.forget();
        x.epoch
    });
    let written = export_data(
        &input,
        &|name| Ok(PartWriter::open(epoch, name)),
        &mut |f| progress("export", f * 0.95),
        DIGESTS,
    );
    match written {
        Ok(outputs) => {
            EXPORT.with(|x| x.borrow_mut().outputs = outputs);
            to_digest(&js_sys::Array::of2(&JsValue::from_str("end"), &JsValue::from(epoch)));
        }
        Err(e) => post(&Response::Error(e.into())),
    }
    Some(privacy)
}

/// The data files' digests are back: writes the manifest, posts the summary, and
/// asks the digest worker for the files.
fn on_digests(epoch: u32, shas: Vec<String>) {
    let outputs = EXPORT.with(|x| {
        let mut x = x.borrow_mut();
        (x.epoch == epoch && x.outputs.len() == shas.len()).then(|| {
            for (o, sha) in x.outputs.iter_mut().zip(shas) {
                if !sha.is_empty() {
                    o.sha256 = sha;
                }
            }
            std::mem::take(&mut x.outputs)
        })
    });
    let Some(mut outputs) = outputs else { return };
    if outputs.iter().any(|o| o.sha256.is_empty()) {
        return post(&Response::Error(Failure::Checksums));
    }
    with_current(|p, privacy| {
        let filter = Filter::default();
        let input = p.export_input(&filter, privacy);
        let bytes = match manifest(&input, &outputs) {
            Ok(b) => b,
            Err(e) => return post(&Response::Error(e.into())),
        };
        let name = "manifest.json";
        outputs.push(Output {
            name: name.to_string(),
            rows: 0,
            bytes: bytes.len() as u64,
            sha256: hex(&Sha256::digest(&bytes)),
        });
        send_part(epoch, outputs.len() - 1, name, false, &bytes);
        to_digest(&js_sys::Array::of2(&JsValue::from_str("files"), &JsValue::from(epoch)));
        progress("export", 1.0);
        let summary = Summary::new(p, &p.report, privacy, outputs);
        post(&Response::Done(Box::new(summary)));
    });
}

fn finish(prepared: Prepared, options: &PrivacyOptions) {
    let privacy = start_export(&prepared, options);
    PRIVACY.with(|s| *s.borrow_mut() = privacy);
    STATE.with(|s| *s.borrow_mut() = Some(prepared));
}

/// Exports the current dataset again under other privacy options.
fn reexport(options: &PrivacyOptions) {
    STATE.with(|s| {
        let state = s.borrow();
        let Some(p) = state.as_ref() else {
            return post(&Response::Error(Failure::NoRun));
        };
        let privacy = start_export(p, options);
        PRIVACY.with(|s| *s.borrow_mut() = privacy);
        ORDERS.with(|o| *o.borrow_mut() = vec![None; COLUMNS.len()]);
    });
}

fn with_current(f: impl FnOnce(&Prepared, &Privacy)) {
    STATE.with(|s| {
        PRIVACY.with(|q| match (s.borrow().as_ref(), q.borrow().as_ref()) {
            (Some(p), Some(privacy)) => f(p, privacy),
            _ => post(&Response::Error(Failure::NoRun)),
        })
    });
}

fn refilter(filter: Filter) {
    with_current(|p, privacy| {
        let report = compute(&p.dataset, &filter);
        let mut summary = Summary::new(p, &report, privacy, Vec::new());
        summary.outputs.clear();
        post(&Response::Done(Box::new(summary)));
    });
}

fn rejects(page: u32) {
    with_current(|p, privacy| {
        let start = page as usize * REJECTS_PER_PAGE;
        post(&Response::Rejects(RejectPage {
            total: p.clean.rejects.len() as u64,
            page,
            rows: reject_rows(p, privacy, start, REJECTS_PER_PAGE),
        }));
    });
}

fn preview(query: PreviewQuery) {
    with_current(|p, privacy| {
        // The ids on screen are the ones the files carry (pseudonyms when pseudonymised).
        let ids = privacy.customer_ids(&p.dataset);
        let page = ORDERS.with(|o| {
            let mut o = o.borrow_mut();
            match query.sort.filter(|&c| c < o.len()) {
                Some(c) => {
                    let order = o[c].get_or_insert_with(|| sorted_rows(&p.dataset, ids, c));
                    super::preview::page(&p.dataset, ids, Some(order), query)
                }
                None => super::preview::page(&p.dataset, ids, None, query),
            }
        });
        post(&Response::Preview(page));
    });
}

/// The last export: its number, and its data files until their digests come back.
#[derive(Default)]
struct Export {
    epoch: u32,
    outputs: Vec<Output>,
}

impl Export {
    /// Starts a new epoch, so that answers about the last export are ignored;
    /// whether that export was still waiting for its digests.
    fn forget(&mut self) -> bool {
        self.epoch += 1;
        !std::mem::take(&mut self.outputs).is_empty()
    }
}

/// Where output parts go: the digest worker, or (when it could not start) a
/// [`Digester`] on this thread.
enum Sink {
    Worker {
        worker: web_sys::Worker,
        _on_message: Closure<dyn FnMut(MessageEvent)>,
        _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
    },
    Local(Digester),
}

/// Starts the digest worker (or falls back to this thread).
fn start_digest() -> Sink {
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(|event: MessageEvent| {
        if let Ok(message) = event.data().dyn_into::<js_sys::Array>() {
            from_digest(&message);
        }
    });
    let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(|event: web_sys::ErrorEvent| {
        event.prevent_default();
        digest_failed();
    });
    match super::page::spawn_module("./digest_boot.js") {
        Ok(worker) => {
            worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
            worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
            Sink::Worker {
                worker,
                _on_message: on_message,
                _on_error: on_error,
            }
        }
        Err(_) => Sink::Local(Digester::default()),
    }
}

/// The digest worker could not load, or stopped: this thread computes the digests
/// from now on, and an export it was working on has to be run again.
fn digest_failed() {
    // Dropping the worker's handlers here would free the closure that is running.
    let old = SINK.with(|s| s.borrow_mut().replace(Sink::Local(Digester::default())));
    if let Some(Sink::Worker { worker, .. }) = &old {
        worker.terminate();
    }
    std::mem::forget(old);
    let pending = EXPORT.with(|x| x.borrow_mut().forget());
    announce_ready();
    if pending {
        post(&Response::Error(Failure::Checksums));
    }
}

/// Sends a message to the digest worker (`transfer`: the buffers it hands over).
fn to_digest_with(message: &js_sys::Array, transfer: &js_sys::Array) {
    SINK.with(|s| {
        let mut s = s.borrow_mut();
        match s.get_or_insert_with(start_digest) {
            Sink::Worker { worker, .. } => {
                let _ = worker.post_message_with_transfer(message, transfer);
            }
            Sink::Local(d) => {
                // The answer comes in a later task, as the worker's would.
                if let Some(reply) = answer(d, message) {
                    wasm_bindgen_futures::spawn_local(async move { from_digest(&reply) });
                }
            }
        }
    });
}

fn to_digest(message: &js_sys::Array) {
    to_digest_with(message, &js_sys::Array::new());
}

/// A digest worker's answer.
fn from_digest(message: &js_sys::Array) {
    let (tag, epoch) = header(message);
    match tag.as_str() {
        "ready" => announce_ready(),
        "digests" => {
            let shas = (2..message.length())
                .filter_map(|i| message.get(i).as_string())
                .collect();
            on_digests(epoch, shas);
        }
        "files" if EXPORT.with(|x| x.borrow().epoch) == epoch => {
            let _ = scope().post_message(&message.slice(2, message.length()));
        }
        _ => {}
    }
}

/// Hands one part of file `index` to the digest worker (`hash`: for it to hash).
fn send_part(epoch: u32, index: usize, name: &str, hash: bool, bytes: &[u8]) {
    let part = js_sys::Uint8Array::from(bytes);
    let message = js_sys::Array::of5(
        &JsValue::from_str("part"),
        &JsValue::from(epoch),
        &JsValue::from(index as u32),
        &JsValue::from_str(name),
        &part,
    );
    message.push(&JsValue::from_bool(hash));
    to_digest_with(&message, &js_sys::Array::of1(&part.buffer()));
}

/// A file written in parts: bytes gather in a buffer that goes to the digest
/// worker every [`PART`] bytes, and when the file is done (dropped).
struct PartWriter {
    epoch: u32,
    index: usize,
    name: String,
    pending: Vec<u8>,
    sent: bool,
}

impl PartWriter {
    fn open(epoch: u32, name: &str) -> Self {
        let index = numberly_core::export::FILES
            .iter()
            .position(|f| *f == name)
            .unwrap_or(0);
        Self {
            epoch,
            index,
            name: name.to_string(),
            pending: Vec::with_capacity(PART),
            sent: false,
        }
    }

    fn send(&mut self) {
        send_part(
            self.epoch,
            self.index,
            &self.name,
            !DIGESTS.inline(&self.name),
            &self.pending,
        );
        self.pending.clear();
        self.sent = true;
    }
}

/// Hands its bytes to `write` (no memory of its own to lend).
impl numberly_core::export::Sink for PartWriter {}

impl io::Write for PartWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(bytes);
        if self.pending.len() >= PART {
            self.send();
        }
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for PartWriter {
    fn drop(&mut self) {
        // The last part; an empty file still sends one, so that every file is known.
        if !self.pending.is_empty() || !self.sent {
            self.send();
        }
    }
}
