//! Worker side: run the engine on requests, post progress, the summary and the
//! output files (built in chunks as Blob parts, so that no file sits whole in
//! WebAssembly memory).

use super::preview::{sorted_rows, PreviewQuery, COLUMNS};
use super::protocol::{Request, Response, Summary};
use super::zip::{central_directory, local_header, Crc32, Entry};
use crate::components::ZIP_NAME;
use numberly_core::clean::CleanOptions;
use numberly_core::export::export;
use numberly_core::metrics::{compute, Filter};
use numberly_core::pipeline::{prepare, Prepared, Source};
use std::cell::RefCell;
use std::io;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, File, FileReaderSync, MessageEvent};

/// Bytes gathered before they become one Blob part.
const PART: usize = 8 << 20;

thread_local! {
    static STATE: RefCell<Option<Prepared>> = const { RefCell::new(None) };
    /// Row orders of the preview, by sort column, computed on first use.
    static ORDERS: RefCell<Vec<Option<Vec<u32>>>> = const { RefCell::new(Vec::new()) };
    /// Files being written: name, finished parts, pending bytes, checksum and size (for the zip).
    static FILES: RefCell<Vec<Written>> = const { RefCell::new(Vec::new()) };
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn post(response: &Response) {
    if let Ok(text) = serde_json::to_string(response) {
        let _ = scope().post_message(&JsValue::from_str(&text));
    }
}

/// Installs the message handler and tells the page the engine is ready.
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
            Ok(Request::Run(options)) => run(Source::Generate(*options)),
            Ok(Request::Import { clients, interactions }) => import(&clients, &interactions, &files),
            Ok(Request::Filter(filter)) => refilter(filter),
            Ok(Request::Preview(query)) => preview(query),
            Err(e) => post(&Response::Error(format!("bad request: {e}"))),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&Response::Ready);
}

fn progress(stage: &str, fraction: f64) {
    post(&Response::Progress {
        stage: stage.to_string(),
        fraction,
    });
}

/// Reads the user's two files (synchronously: this is a worker) and runs them.
fn import(clients: &str, interactions: &str, files: &[File]) {
    let read = |f: &File| -> Result<Vec<u8>, String> {
        let reader = FileReaderSync::new().map_err(|e| format!("{e:?}"))?;
        let buffer = reader
            .read_as_array_buffer(f)
            .map_err(|_| format!("{}: the file could not be read", f.name()))?;
        Ok(js_sys::Uint8Array::new(&buffer).to_vec())
    };
    let [c, i] = files else {
        return post(&Response::Error(
            "choose a clients file and an interactions file".into(),
        ));
    };
    let (c, i) = match (read(c), read(i)) {
        (Ok(c), Ok(i)) => (c, i),
        (Err(e), _) | (_, Err(e)) => return post(&Response::Error(e)),
    };
    run(Source::Files {
        clients: (clients, &c),
        interactions: (interactions, &i),
    });
}

fn run(source: Source) {
    STATE.with(|s| s.borrow_mut().take());
    ORDERS.with(|o| *o.borrow_mut() = vec![None; COLUMNS.len()]);
    let mut last = (String::new(), -1.0f64);
    let mut report = |stage: numberly_core::pipeline::Stage, f: f64| {
        // At most one message per percent.
        if stage.name() != last.0 || f - last.1 >= 0.01 || f >= 1.0 {
            last = (stage.name().to_string(), f);
            progress(stage.name(), f);
        }
    };
    let prepared = match prepare(source, &CleanOptions::default(), &mut report) {
        Ok(p) => p,
        Err(e) => return post(&Response::Error(e.to_string())),
    };
    let filter = Filter::default();
    let input = prepared.export_input(&filter);
    FILES.with(|f| f.borrow_mut().clear());
    let outputs = match export(&input, &|name| Ok(BlobWriter::open(name)), &mut |f| {
        progress("export", f)
    }) {
        Ok(o) => o,
        Err(e) => return post(&Response::Error(e.to_string())),
    };
    let summary = Summary::new(&prepared, &prepared.report, outputs);
    post(&Response::Done(Box::new(summary)));
    post_files();
    STATE.with(|s| *s.borrow_mut() = Some(prepared));
}

fn refilter(filter: Filter) {
    STATE.with(|s| {
        let state = s.borrow();
        let Some(p) = state.as_ref() else {
            return post(&Response::Error("run the pipeline first".into()));
        };
        let report = compute(&p.dataset, &filter);
        let outputs = Vec::new();
        let mut summary = Summary::new(p, &report, outputs);
        summary.outputs.clear();
        post(&Response::Done(Box::new(summary)));
    });
}

fn preview(query: PreviewQuery) {
    STATE.with(|s| {
        let state = s.borrow();
        let Some(p) = state.as_ref() else {
            return post(&Response::Error("run the pipeline first".into()));
        };
        let page = ORDERS.with(|o| {
            let mut o = o.borrow_mut();
            match query.sort.filter(|&c| c < o.len()) {
                Some(c) => {
                    let order = o[c].get_or_insert_with(|| sorted_rows(&p.dataset, c));
                    super::preview::page(&p.dataset, Some(order), query)
                }
                None => super::preview::page(&p.dataset, None, query),
            }
        });
        post(&Response::Preview(page));
    });
}

/// A file being written.
struct Written {
    name: String,
    parts: js_sys::Array,
    pending: Vec<u8>,
    crc: Crc32,
    size: u64,
}

fn blob(parts: &js_sys::Array, kind: &str) -> Option<Blob> {
    let bag = BlobPropertyBag::new();
    bag.set_type(kind);
    Blob::new_with_u8_array_sequence_and_options(parts, &bag).ok()
}

/// Sends every finished file to the page as (name, Blob) pairs, then the zip of them all.
fn post_files() {
    let pairs = js_sys::Array::new();
    let zip_parts = js_sys::Array::new();
    let mut entries = Vec::new();
    FILES.with(|f| {
        for w in f.borrow_mut().drain(..) {
            let kind = if w.name.ends_with(".json") {
                "application/json"
            } else {
                "text/csv;charset=utf-8"
            };
            let Some(file) = blob(&w.parts, kind) else { continue };
            let entry = Entry {
                name: w.name.clone(),
                crc: w.crc.value(),
                size: w.size,
            };
            zip_parts.push(&js_sys::Uint8Array::from(&local_header(&entry)[..]));
            zip_parts.push(&file);
            entries.push(entry);
            pairs.push(&JsValue::from_str(&w.name));
            pairs.push(&file);
        }
    });
    // Plain ZIP stops at 4 GiB; past that the files are still offered one by one.
    if let Some(directory) = central_directory(&entries) {
        zip_parts.push(&js_sys::Uint8Array::from(&directory[..]));
        if let Some(zip) = blob(&zip_parts, "application/zip") {
            pairs.push(&JsValue::from_str(ZIP_NAME));
            pairs.push(&zip);
        }
    }
    let _ = scope().post_message(&pairs);
}

/// A file written in parts: bytes go to a buffer that becomes a `Uint8Array` part
/// every [`PART`] bytes.
struct BlobWriter {
    index: usize,
}

impl BlobWriter {
    fn open(name: &str) -> Self {
        FILES.with(|f| {
            let mut f = f.borrow_mut();
            f.push(Written {
                name: name.to_string(),
                parts: js_sys::Array::new(),
                pending: Vec::new(),
                crc: Crc32::default(),
                size: 0,
            });
            Self { index: f.len() - 1 }
        })
    }
}

impl io::Write for BlobWriter {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        FILES.with(|f| {
            let mut f = f.borrow_mut();
            let w = &mut f[self.index];
            w.crc.update(bytes);
            w.size += bytes.len() as u64;
            w.pending.extend_from_slice(bytes);
            if w.pending.len() >= PART {
                w.parts.push(&js_sys::Uint8Array::from(&w.pending[..]));
                w.pending.clear();
            }
        });
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        FILES.with(|f| {
            let mut f = f.borrow_mut();
            let w = &mut f[self.index];
            if !w.pending.is_empty() {
                w.parts.push(&js_sys::Uint8Array::from(&w.pending[..]));
                w.pending.clear();
            }
        });
        Ok(())
    }
}
