//! Page side: start the worker, send it requests, hand its answers to a callback;
//! and how any of the app's workers is started.

use super::protocol::{Request, Response};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, File, MessageEvent, Worker, WorkerOptions, WorkerType};

/// Something the worker sent.
pub enum Message {
    /// A protocol message.
    Response(Response),
    /// The output files of the last run, as (name, Blob).
    Files(Vec<(String, Blob)>),
    /// The worker stopped (a crash, or memory exhausted): it must be started again.
    Crashed(String),
}

/// Starts a module worker from one of trunk's loader scripts (the engine from the
/// page, the digest worker from the engine).
pub fn spawn_module(url: &str) -> Result<Worker, String> {
    let options = WorkerOptions::new();
    options.set_type(WorkerType::Module);
    Worker::new_with_options(url, &options).map_err(|e| format!("{e:?}"))
}

/// A running engine worker. Dropping it stops the worker.
pub struct EngineWorker {
    worker: Worker,
    _on_message: Closure<dyn FnMut(MessageEvent)>,
    _on_error: Closure<dyn FnMut(web_sys::ErrorEvent)>,
}

impl EngineWorker {
    /// Starts the worker (trunk's `worker_loader.js` module) and calls `on_message` with
    /// everything it sends.
    pub fn spawn(on_message: impl Fn(Message) + 'static) -> Result<Self, String> {
        let on_message = std::rc::Rc::new(on_message);
        let on_crash = on_message.clone();
        let worker = spawn_module("./worker_loader.js").map_err(|e| format!("the engine could not start: {e}"))?;
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
            let data = event.data();
            if let Some(text) = data.as_string() {
                match serde_json::from_str::<Response>(&text) {
                    Ok(r) => on_message(Message::Response(r)),
                    Err(e) => on_message(Message::Response(Response::Error(crate::failure::Failure::Other(
                        format!("bad message from the engine: {e}"),
                    )))),
                }
            } else if let Ok(parts) = data.dyn_into::<js_sys::Array>() {
                let files = (0..parts.length() / 2)
                    .filter_map(|i| {
                        let name = parts.get(2 * i).as_string()?;
                        let blob = parts.get(2 * i + 1).dyn_into::<Blob>().ok()?;
                        Some((name, blob))
                    })
                    .collect();
                on_message(Message::Files(files));
            }
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        let on_error = Closure::<dyn FnMut(web_sys::ErrorEvent)>::new(move |event: web_sys::ErrorEvent| {
            event.prevent_default();
            on_crash(Message::Crashed(event.message()));
        });
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        Ok(Self {
            worker,
            _on_message: on_message,
            _on_error: on_error,
        })
    }

    /// Sends a request, with the files it refers to (an `Import`'s two files).
    pub fn send(&self, request: &Request, files: &[File]) -> Result<(), String> {
        let text = serde_json::to_string(request).map_err(|e| e.to_string())?;
        let message: JsValue = if files.is_empty() {
            JsValue::from_str(&text)
        } else {
            let parts = js_sys::Array::new();
            parts.push(&JsValue::from_str(&text));
            for f in files {
                parts.push(f);
            }
            parts.into()
        };
        self.worker.post_message(&message).map_err(|e| format!("{e:?}"))
    }
}

impl Drop for EngineWorker {
    fn drop(&mut self) {
        self.worker.terminate();
    }
}
