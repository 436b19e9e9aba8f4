//! Browser glue: read the URL, start and stop the engine worker, and turn its
//! messages into state changes. The worker is started when the page loads, so
//! that running, filtering and downloading make no network request.

use super::{overall_progress, AppState, Phase};
use crate::failure::Failure;
use crate::i18n::Lang;
use crate::settings::Settings;
use crate::worker::preview::PreviewQuery;
use crate::worker::protocol::{Request, Response};
use crate::worker::{EngineWorker, Message};
use leptos::prelude::*;
use std::cell::RefCell;
use web_sys::{Blob, File};

thread_local! {
    /// The output files as the engine made them, by name (for their Excel copies).
    static BLOBS: RefCell<Vec<(String, Blob)>> = const { RefCell::new(Vec::new()) };
    /// Object URLs of the Excel copies made, revoked with the files'.
    static COPIES: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// Puts the language in the page's URL (`lang=`), so that a reload or a shared link
/// keeps it.
pub fn set_url_lang(lang: Lang) {
    let Some(w) = web_sys::window() else { return };
    let query = w.location().search().unwrap_or_default();
    if let Ok(history) = w.history() {
        let url = crate::settings::with_lang(&query, lang.code());
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// Settings from the URL query, whether to run at once, and the language
/// (`lang=` in the URL, else the browser's preference).
pub fn initial_settings() -> (Settings, bool, Lang) {
    let window = web_sys::window();
    let query = window
        .as_ref()
        .and_then(|w| w.location().search().ok())
        .unwrap_or_default();
    let (settings, autorun) = Settings::from_query(&query);
    let from_url = query
        .trim_start_matches('?')
        .split('&')
        .find_map(|p| p.strip_prefix("lang="))
        .map(Lang::from_code);
    let from_browser = window
        .and_then(|w| w.navigator().language())
        .map(|l| Lang::from_code(&l));
    (settings, autorun, from_url.or(from_browser).unwrap_or(Lang::En))
}

/// The worker and what waits for it.
struct Slot {
    worker: Option<EngineWorker>,
    ready: bool,
    /// Requests made before the worker was ready, in order, sent once it is.
    pending: Vec<(Request, Vec<File>)>,
}

/// Starts runs and cancels them.
#[derive(Clone, Copy)]
pub struct Engine {
    state: AppState,
    slot: StoredValue<Slot, LocalStorage>,
    /// The user's own clients and interactions files, when chosen.
    files: StoredValue<[Option<File>; 2], LocalStorage>,
}

impl Engine {
    /// An engine for the page state, its worker started at once.
    pub fn new(state: AppState) -> Self {
        let engine = Self {
            state,
            slot: StoredValue::new_local(Slot {
                worker: None,
                ready: false,
                pending: Vec::new(),
            }),
            files: StoredValue::new_local([None, None]),
        };
        engine.start_worker();
        engine
    }

    fn start_worker(&self) {
        start_worker(self.state, self.slot);
    }

    fn send(&self, request: Request, files: Vec<File>) {
        let state = self.state;
        self.slot.update_value(|s| match (&s.worker, s.ready) {
            (Some(w), true) => {
                if let Err(e) = w.send(&request, &files) {
                    fail(state, Failure::Other(e));
                }
            }
            _ => {
                // (A file inspected again replaces its waiting inspection; the other
                // file's stays: both files picked while the engine starts are read.)
                if let Request::Inspect { which, .. } = &request {
                    let which = *which;
                    s.pending
                        .retain(|(r, _)| !matches!(r, Request::Inspect { which: w, .. } if *w == which));
                }
                s.pending.push((request, files));
            }
        });
    }

    /// Sets (or clears) the clients (`0`) or interactions (`1`) file to import, and
    /// asks the engine to describe its columns.
    pub fn set_file(&self, which: usize, file: Option<File>) {
        self.state.import_notice.set(Vec::new());
        self.state
            .imported
            .update(|names| names[which] = file.as_ref().map(|f| f.name()));
        self.state.mapping.update(|m| m[which].clear());
        if which == 0 {
            self.state.absent.set(Vec::new());
        }
        self.state.columns.update(|c| c[which] = None);
        self.files.update_value(|f| f[which] = file);
        self.inspect(which);
    }

    fn inspect(&self, which: usize) {
        let Some(file) = self.files.with_value(|f| f[which].clone()) else {
            return;
        };
        let mapping = self.state.mapping.with_untracked(|m| m[which].clone());
        let absent = match which {
            0 => self.state.absent.get_untracked(),
            _ => Vec::new(),
        };
        let request = Request::Inspect {
            which: which as u8,
            mapping,
            absent,
        };
        // (What is on screen stays until the answer replaces it; Run waits for it.)
        self.state.columns.update(|c| {
            if let Some(f) = &mut c[which] {
                f.pending = true;
            }
        });
        self.send(request, vec![file]);
    }

    /// Forgets both chosen files (and empties their inputs): runs generate again.
    pub fn clear_files(&self) {
        for which in [0, 1] {
            self.set_file(which, None);
            if let Some(input) = file_input(which) {
                input.set_value("");
            }
        }
    }

    /// Puts the clients file in the interactions slot and the other way round (and
    /// in their inputs), then says so.
    pub fn swap_files(&self) {
        let [clients, interactions] = self.files.with_value(|f| f.clone());
        // (What was said of the same files, such as those left out of a drop, stays.)
        let mut notices = self.state.import_notice.get_untracked();
        for (which, file) in [(0, interactions), (1, clients)] {
            show_in_input(which, file.as_ref());
            self.set_file(which, file);
        }
        notices.push(crate::ImportNotice::Swapped);
        self.state.import_notice.set(notices);
    }

    /// The user maps header cell `header` of file `which` to `column` (`""`: ignore it).
    pub fn remap(&self, which: usize, header: String, column: String) {
        // A column mapped is no longer absent; and a segment or channel whose header
        // goes elsewhere loses "empty cells read as unknown" (said absent, it would
        // otherwise make every customer's unknown without a word).
        if which == 0 {
            let before = self.state.columns.with_untracked(|c| {
                c[0].as_ref()
                    .and_then(|f| f.notes.iter().find(|n| n.column == header))
                    .and_then(|n| n.used_as.clone())
            });
            self.state
                .absent
                .update(|a| a.retain(|c| *c != column && Some(c) != before.as_ref()));
        }
        self.state.mapping.update(|m| {
            m[which].insert(header, column);
        });
        self.inspect(which);
    }

    /// The user says the clients file has no column `column` (one of
    /// [`numberly_core::ingest::ABSENTABLE`]), or takes that back.
    pub fn set_absent(&self, column: String, absent: bool) {
        self.state.absent.update(|a| {
            a.retain(|c| *c != column);
            if absent {
                a.push(column);
            }
        });
        self.inspect(0);
    }

    /// Exports the current data again under the privacy options on screen. The
    /// files already made stay downloadable until the new ones replace them (an
    /// export that fails leaves them, and their report, as they were).
    pub fn apply_privacy(&self) {
        let state = self.state;
        let imported = state
            .privacy_applied
            .with_untracked(|a| a.as_ref().is_some_and(|(_, i)| *i));
        state.privacy_sent.set(Some((state.privacy.get_untracked(), imported)));
        state.phase.set(Phase::Running);
        state.progress.set(overall_progress("export", 0.0));
        state.stage.set("export".into());
        self.send(Request::Privacy(state.privacy.get_untracked()), Vec::new());
    }

    /// Downloads a copy of output file `name` for French Excel (`;`, decimal comma,
    /// byte order mark), made in this tab from the file already there.
    pub fn excel(&self, name: String) {
        let state = self.state;
        let Some(blob) = BLOBS.with(|b| b.borrow().iter().find(|(n, _)| *n == name).map(|(_, b)| b.clone())) else {
            return;
        };
        leptos::task::spawn_local(async move {
            let bytes = match wasm_bindgen_futures::JsFuture::from(blob.array_buffer()).await {
                Ok(buffer) => js_sys::Uint8Array::new(&buffer).to_vec(),
                Err(e) => return fail(state, Failure::Other(format!("{name}: {e:?}"))),
            };
            let copy = match numberly_core::export::excel_fr(&name, &bytes) {
                Ok(copy) => copy,
                Err(e) => return fail(state, e.into()),
            };
            if let Err(e) = save(&numberly_core::export::excel_name(&name), &copy) {
                fail(state, Failure::Other(format!("{name}: {e:?}")));
            }
        });
    }

    /// Asks for a page of the rejected rows.
    pub fn rejects(&self, page: u32) {
        self.send(Request::Rejects { page }, Vec::new());
    }

    /// Starts a run with the current settings; a run under way is replaced.
    pub fn run(&self) {
        let state = self.state;
        let files = self.files.get_value();
        if let Some(which) = files
            .iter()
            .position(Option::is_none)
            .filter(|_| files.iter().any(Option::is_some))
        {
            // (The run button is disabled then.)
            return fail(state, Failure::MissingFile(which as u8));
        }
        let request = match &files {
            [Some(c), Some(i)] => Request::Import {
                clients: c.name(),
                interactions: i.name(),
                mapping: state.mapping.get_untracked(),
                absent: state.absent.get_untracked(),
                privacy: state.privacy.get_untracked(),
                period: if state.import_period.get_untracked() {
                    match state.settings.get_untracked().period() {
                        Some(period) => Some(period),
                        // (The run button is disabled then.)
                        None => return,
                    }
                } else {
                    None
                },
            },
            _ => match state.settings.get_untracked().options() {
                Some(options) => Request::Run {
                    options: Box::new(options),
                    privacy: state.privacy.get_untracked(),
                },
                None => return,
            },
        };
        if let Some(w) = web_sys::window() {
            let query = state
                .settings
                .get_untracked()
                .to_query(state.lang.get_untracked().code());
            if let Ok(history) = w.history() {
                let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&query));
            }
        }
        if state.phase.get_untracked() == Phase::Running {
            self.slot.update_value(|s| s.worker = None);
            self.start_worker();
        }
        revoke(state);
        // The engine lets the last result go as a run begins: so does the page (a
        // run that fails or is cancelled leaves no dashboard of data it no longer
        // holds, whose filters would find nothing).
        state.summary.set(None);
        state.preview.set(None);
        state.rejects.set(None);
        state.privacy_applied.set(None);
        let imports = matches!(request, Request::Import { .. });
        state.privacy_sent.set(Some((state.privacy.get_untracked(), imports)));
        state.phase.set(Phase::Running);
        state.progress.set(0.0);
        let files: Vec<File> = match request {
            Request::Import { .. } => files.into_iter().flatten().collect(),
            _ => Vec::new(),
        };
        state
            .stage
            .set(if files.is_empty() { "generate" } else { "clean" }.into());
        self.send(request, files);
    }

    /// Recomputes the views for a filter.
    pub fn filter(&self, filter: numberly_core::metrics::Filter) {
        self.send(Request::Filter(filter), Vec::new());
    }

    /// Asks for a page of the data preview.
    pub fn preview(&self, query: PreviewQuery) {
        self.send(Request::Preview(query), Vec::new());
    }

    /// Stops the run under way: its worker is terminated and a fresh one started.
    pub fn cancel(&self) {
        // (A run let the last result go as it began; an export under new privacy
        // options kept it on screen, but the engine that held its data is stopped:
        // let it go now.)
        let state = self.state;
        self.slot.update_value(|s| s.worker = None);
        revoke(state);
        state.summary.set(None);
        state.preview.set(None);
        state.rejects.set(None);
        state.privacy_applied.set(None);
        state.phase.set(Phase::Cancelled);
        self.start_worker();
    }
}

fn start_worker(state: AppState, slot: StoredValue<Slot, LocalStorage>) {
    state.engine_ready.set(false);
    // (A fresh engine answers nothing the stopped one was asked: the last answers stand.)
    state
        .columns
        .update(|c| c.iter_mut().flatten().for_each(|f| f.pending = false));
    let spawned = EngineWorker::spawn(move |message| handle(state, slot, message));
    match spawned {
        Ok(w) => slot.update_value(|s| {
            *s = Slot {
                worker: Some(w),
                ready: false,
                pending: Vec::new(),
            }
        }),
        Err(e) => fail(state, Failure::Other(e)),
    }
}

fn handle(state: AppState, slot: StoredValue<Slot, LocalStorage>, message: Message) {
    match message {
        Message::Response(Response::Ready) => slot.update_value(|s| {
            s.ready = true;
            state.engine_ready.set(true);
            let pending = std::mem::take(&mut s.pending);
            if let Some(w) = &s.worker {
                for (request, files) in pending {
                    if let Err(e) = w.send(&request, &files) {
                        fail(state, Failure::Other(e));
                        break;
                    }
                }
            }
        }),
        Message::Response(Response::Progress { stage, fraction }) => {
            state.progress.set(overall_progress(&stage, fraction));
            state.stage.set(stage);
        }
        Message::Response(Response::Preview(page)) => state.preview.set(Some(page)),
        Message::Response(Response::Columns(columns)) => {
            let which = columns.which as usize;
            // (An answer about a file replaced since is not this file's.)
            if state
                .imported
                .with_untracked(|f| f[which.min(1)].as_deref() != Some(columns.file.as_str()))
            {
                return;
            }
            state.columns.update(|c| c[which.min(1)] = Some(columns));
        }
        Message::Response(Response::Rejects(page)) => state.rejects.set(Some(page)),
        Message::Response(Response::Done(summary)) => {
            let mut summary = *summary;
            if !summary.outputs.is_empty() {
                // A new run: show the first page of its data.
                let first = PreviewQuery {
                    page: 0,
                    sort: None,
                    descending: false,
                };
                slot.with_value(|s| s.worker.as_ref().map(|w| w.send(&Request::Preview(first), &[])));
                state.rejects.set(None);
            }
            if !summary.outputs.is_empty() {
                // New files: made with the options last sent.
                state.privacy_applied.set(state.privacy_sent.get_untracked());
            }
            if summary.outputs.is_empty() {
                // A filter result: keep the run's downloads, and the privacy report of
                // those files (they are not filtered).
                state.summary.with_untracked(|s| {
                    if let Some(s) = s {
                        summary.outputs = s.outputs.clone();
                        summary.suppressed_rows = s.suppressed_rows.clone();
                    }
                });
            }
            state.summary.set(Some(summary));
            state.phase.set(Phase::Done);
        }
        Message::Response(Response::Error(e)) => fail(state, e),
        Message::Crashed(detail) => {
            // A dead engine cannot be reused: say so, and start a fresh one.
            fail(state, Failure::Crashed(detail));
            slot.update_value(|s| s.worker = None);
            start_worker(state, slot);
        }
        Message::Files(files) => {
            revoke(state);
            BLOBS.with(|b| *b.borrow_mut() = files.clone());
            let urls = files
                .into_iter()
                .filter_map(|(name, blob)| web_sys::Url::create_object_url_with_blob(&blob).ok().map(|u| (name, u)))
                .collect();
            state.urls.set(urls);
        }
    }
}

fn fail(state: AppState, failure: Failure) {
    state.error.set(Some(failure));
    state.phase.set(Phase::Error);
}

fn revoke(state: AppState) {
    for (_, url) in state.urls.get_untracked() {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    for url in COPIES.with(|c| std::mem::take(&mut *c.borrow_mut())) {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    BLOBS.with(|b| b.borrow_mut().clear());
    state.urls.set(Vec::new());
}

/// Offers `bytes` for download as `name`, through a link clicked for the user.
fn save(name: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    use wasm_bindgen::JsCast;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("text/csv;charset=utf-8");
    let blob = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob)?;
    COPIES.with(|c| c.borrow_mut().push(url.clone()));
    let document = web_sys::window().and_then(|w| w.document()).ok_or("no document")?;
    let link = document.create_element("a")?.dyn_into::<web_sys::HtmlElement>()?;
    link.set_attribute("href", &url)?;
    link.set_attribute("download", name)?;
    link.click();
    Ok(())
}

/// The clients (`0`) or interactions (`1`) file input.
fn file_input(which: usize) -> Option<web_sys::HtmlInputElement> {
    use wasm_bindgen::JsCast;
    let testid = ["import-clients", "import-interactions"][which.min(1)];
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(&format!("[data-testid={testid}]")).ok().flatten())
        .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
}

/// The handler of files dropped on the import area: a name with "client" goes to the
/// clients input, the other file to the interactions input.
pub fn file_dropper(engine: Engine) -> Callback<web_sys::DragEvent> {
    Callback::new(move |event: web_sys::DragEvent| {
        event.prevent_default();
        let Some(list) = event.data_transfer().and_then(|d| d.files()) else {
            return;
        };
        let files: Vec<File> = (0..list.length().min(2)).filter_map(|i| list.item(i)).collect();
        let ignored: Vec<String> = (2..list.length())
            .filter_map(|i| list.item(i))
            .map(|f| f.name())
            .collect();
        // By name: "client" or "customer" (the demo's clients.csv, customers.csv).
        let is_clients = |f: &File| {
            let name = f.name().to_lowercase();
            ["client", "customer"].iter().any(|w| name.contains(w))
        };
        let slots: Vec<(usize, File)> = match files.as_slice() {
            [one] => vec![(usize::from(!is_clients(one)), one.clone())],
            [a, b] if is_clients(b) && !is_clients(a) => vec![(0, b.clone()), (1, a.clone())],
            [a, b] => vec![(0, a.clone()), (1, b.clone())],
            _ => Vec::new(),
        };
        for (which, file) in slots {
            show_in_input(which, Some(&file));
            engine.set_file(which, Some(file));
        }
        if !ignored.is_empty() {
            engine
                .state
                .import_notice
                .update(|n| n.push(crate::ImportNotice::Ignored(ignored)));
        }
    })
}

/// Shows `file` in input `which` (or empties it), as if it had been picked there.
fn show_in_input(which: usize, file: Option<&File>) {
    let Some(input) = file_input(which) else {
        return;
    };
    match file {
        Some(file) => {
            if let Ok(transfer) = web_sys::DataTransfer::new() {
                if transfer.items().add_with_file(file).is_ok() {
                    input.set_files(transfer.files().as_ref());
                }
            }
        }
        None => input.set_value(""),
    }
}

/// The handler of the two file inputs: `(which, change event)`.
pub fn file_picker(engine: Engine) -> Callback<(usize, web_sys::Event)> {
    use wasm_bindgen::JsCast;
    Callback::new(move |(which, event): (usize, web_sys::Event)| {
        let file = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|input| input.files())
            .and_then(|list| list.item(0));
        engine.set_file(which, file);
    })
}
