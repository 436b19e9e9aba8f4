//! The digest worker: the CRC-32 (for the zip) and Blob of every output file, and
//! the SHA-256 of the largest, computed beside the engine while it formats the
//! others. SHA-256 in WebAssembly runs at about 270 MB/s here, the slowest step
//! of an export (the browser's own `crypto.subtle.digest` measured no faster on
//! whole files, and needs each file whole in memory), so the work is split: this
//! worker hashes `donnees_marketing.csv`, written first, while the engine writes
//! and hashes the rest. The engine starts this worker, and if it cannot, runs the
//! same [`Digester`] itself.
//!
//! Messages are arrays, newest run ("epoch") wins:
//! - engine → digest: `["part", epoch, index, name, Uint8Array, hash]` (the buffer
//!   is transferred; `hash`: whether this worker computes the file's SHA-256),
//!   `["end", epoch]`, `["files", epoch]`;
//! - digest → engine: `["ready"]` once loaded, `["digests", epoch, sha256 hex…]` in file order after `end`
//!   (empty for the files the engine hashed),
//!   `["files", epoch, name, Blob, …, "numberly.zip", Blob]` after `files`.

use super::zip::{central_directory, local_header, Crc32, Entry};
use crate::components::ZIP_NAME;
use numberly_core::export::hex;
use sha2::{Digest, Sha256};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, MessageEvent};

/// One file being received.
struct Received {
    name: String,
    /// Whether this worker computes its SHA-256 (the engine does for the others).
    hashed: bool,
    sha: Sha256,
    crc: Crc32,
    size: u64,
    /// A Blob per part, made as the part arrives (the browser stores it meanwhile).
    parts: js_sys::Array,
}

/// Digests and Blobs of one export's files, part by part.
#[derive(Default)]
pub struct Digester {
    epoch: u32,
    files: Vec<Received>,
    /// Reused room for a part's bytes in WebAssembly memory.
    scratch: Vec<u8>,
}

impl Digester {
    /// Whether a message of `epoch` is current; a newer one starts afresh.
    fn current(&mut self, epoch: u32) -> bool {
        if epoch > self.epoch {
            self.epoch = epoch;
            self.files.clear();
        }
        epoch == self.epoch
    }

    /// Takes the next part of file `index` (parts come in order); `hash`: whether
    /// to compute the file's SHA-256.
    pub fn part(&mut self, epoch: u32, index: usize, name: &str, hash: bool, bytes: &js_sys::Uint8Array) {
        if !self.current(epoch) {
            return;
        }
        while self.files.len() <= index {
            self.files.push(Received {
                name: String::new(),
                hashed: false,
                sha: Sha256::new(),
                crc: Crc32::default(),
                size: 0,
                parts: js_sys::Array::new(),
            });
        }
        let f = &mut self.files[index];
        f.name = name.to_string();
        f.hashed = hash;
        self.scratch.resize(bytes.length() as usize, 0);
        bytes.copy_to(&mut self.scratch);
        f.crc.update(&self.scratch);
        if f.hashed {
            f.sha.update(&self.scratch);
        }
        f.size += self.scratch.len() as u64;
        let one = js_sys::Array::of1(bytes);
        if let Ok(b) = Blob::new_with_u8_array_sequence(&one) {
            f.parts.push(&b);
        }
    }

    /// The SHA-256 of every file received whose digest this worker computes, in
    /// file order (empty for the others).
    pub fn digests(&self, epoch: u32) -> Option<Vec<String>> {
        (epoch == self.epoch).then(|| {
            self.files
                .iter()
                .map(|f| {
                    if f.hashed {
                        hex(&f.sha.clone().finalize())
                    } else {
                        String::new()
                    }
                })
                .collect()
        })
    }

    /// `[name, Blob, …]` for every file, then the zip of them all (when it fits plain ZIP).
    pub fn files(&mut self, epoch: u32) -> Option<js_sys::Array> {
        if epoch != self.epoch {
            return None;
        }
        let pairs = js_sys::Array::new();
        let zip_parts = js_sys::Array::new();
        let mut entries = Vec::new();
        for f in self.files.drain(..) {
            let kind = if f.name.ends_with(".json") {
                "application/json"
            } else {
                "text/csv;charset=utf-8"
            };
            let Some(file) = blob(&f.parts, kind) else { continue };
            let entry = Entry {
                name: f.name.clone(),
                crc: f.crc.value(),
                size: f.size,
            };
            zip_parts.push(&js_sys::Uint8Array::from(&local_header(&entry)[..]));
            zip_parts.push(&file);
            entries.push(entry);
            pairs.push(&JsValue::from_str(&f.name));
            pairs.push(&file);
        }
        // Plain ZIP stops at 4 GiB; past that the files are still offered one by one.
        if let Some(directory) = central_directory(&entries) {
            zip_parts.push(&js_sys::Uint8Array::from(&directory[..]));
            if let Some(zip) = blob(&zip_parts, "application/zip") {
                pairs.push(&JsValue::from_str(ZIP_NAME));
                pairs.push(&zip);
            }
        }
        Some(pairs)
    }
}

fn blob(parts: &js_sys::Array, kind: &str) -> Option<Blob> {
    let bag = BlobPropertyBag::new();
    bag.set_type(kind);
    Blob::new_with_blob_sequence_and_options(parts, &bag).ok()
}

/// A message's tag and epoch.
pub fn header(message: &js_sys::Array) -> (String, u32) {
    (
        message.get(0).as_string().unwrap_or_default(),
        message.get(1).as_f64().unwrap_or(0.0) as u32,
    )
}

/// Handles one message of the engine; the answer to send back, if it has one.
pub fn answer(d: &mut Digester, message: &js_sys::Array) -> Option<js_sys::Array> {
    let (tag, epoch) = header(message);
    let reply = |tag: &str| js_sys::Array::of2(&JsValue::from_str(tag), &JsValue::from(epoch));
    match tag.as_str() {
        "part" => {
            let index = message.get(2).as_f64().unwrap_or(0.0) as usize;
            let name = message.get(3).as_string().unwrap_or_default();
            let bytes = message.get(4).dyn_into::<js_sys::Uint8Array>().ok()?;
            d.part(epoch, index, &name, message.get(5).is_truthy(), &bytes);
            None
        }
        "end" => {
            let r = reply("digests");
            for s in d.digests(epoch)? {
                r.push(&JsValue::from_str(&s));
            }
            Some(r)
        }
        "files" => Some(reply("files").concat(&d.files(epoch)?)),
        _ => None,
    }
}

/// The digest worker's entry point: answers the engine's messages.
pub fn serve() {
    let digester = std::rc::Rc::new(std::cell::RefCell::new(Digester::default()));
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let Ok(message) = event.data().dyn_into::<js_sys::Array>() else {
            return;
        };
        if let Some(reply) = answer(&mut digester.borrow_mut(), &message) {
            let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
            let _ = scope.post_message(&reply);
        }
    });
    let scope: DedicatedWorkerGlobalScope = js_sys::global().unchecked_into();
    // What came while the WebAssembly loaded (queued by digest_boot.js), then the rest.
    let early = js_sys::Reflect::get(&scope, &JsValue::from_str("__early")).unwrap_or(JsValue::UNDEFINED);
    scope.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    if let Ok(early) = early.dyn_into::<js_sys::Array>() {
        let handler: &js_sys::Function = on_message.as_ref().unchecked_ref();
        for event in early.iter() {
            let _ = handler.call1(&JsValue::NULL, &event);
        }
    }
    on_message.forget();
    // Loaded: the engine tells the page it is ready only now, so that nothing loads later.
    let _ = scope.post_message(&js_sys::Array::of1(&JsValue::from_str("ready")));
}
