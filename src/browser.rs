//! Browser glue: read the URL, start and stop the engine worker, and turn its
//! messages into state changes.

use super::{overall_progress, AppState, Phase};
use crate::i18n::Lang;
use crate::settings::Settings;
use crate::worker::protocol::{Request, Response};
use crate::worker::{EngineWorker, Message};
use leptos::prelude::*;

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

/// Starts runs in a fresh worker and cancels them.
#[derive(Clone, Copy)]
pub struct Engine {
    state: AppState,
    worker: StoredValue<Option<EngineWorker>, LocalStorage>,
}

impl Engine {
    /// An engine for the page state.
    pub fn new(state: AppState) -> Self {
        Self {
            state,
            worker: StoredValue::new_local(None),
        }
    }

    /// Starts a run with the current settings (replacing any run under way).
    pub fn run(&self) {
        let state = self.state;
        let Some(options) = state.settings.get_untracked().options() else {
            return;
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
        self.worker.set_value(None);
        revoke(state);
        state.phase.set(Phase::Running);
        state.progress.set(0.0);
        state.stage.set("generate".into());
        let worker = self.worker;
        let spawned = EngineWorker::spawn(move |message| match message {
            Message::Response(Response::Ready) => worker.with_value(|w| {
                if let Some(w) = w {
                    if let Err(e) = w.send(&Request::Run(Box::new(options.clone()))) {
                        fail(state, e);
                    }
                }
            }),
            Message::Response(Response::Progress { stage, fraction }) => {
                state.progress.set(overall_progress(&stage, fraction));
                state.stage.set(stage);
            }
            Message::Response(Response::Done(summary)) => {
                if summary.outputs.is_empty() {
                    // A filter result: keep the run's downloads.
                    let outputs = state.summary.with_untracked(|s| s.as_ref().map(|s| s.outputs.clone()));
                    let mut summary = *summary;
                    summary.outputs = outputs.unwrap_or_default();
                    state.summary.set(Some(summary));
                } else {
                    state.summary.set(Some(*summary));
                }
                state.phase.set(Phase::Done);
            }
            Message::Response(Response::Error(e)) => fail(state, e),
            Message::Files(files) => {
                let urls = files
                    .into_iter()
                    .filter_map(|(name, blob)| web_sys::Url::create_object_url_with_blob(&blob).ok().map(|u| (name, u)))
                    .collect();
                state.urls.set(urls);
            }
        });
        match spawned {
            Ok(w) => self.worker.set_value(Some(w)),
            Err(e) => fail(state, e),
        }
    }

    /// Stops the run under way: the worker is terminated.
    pub fn cancel(&self) {
        self.worker.set_value(None);
        self.state.phase.set(Phase::Idle);
    }
}

fn fail(state: AppState, message: String) {
    state.error.set(message);
    state.phase.set(Phase::Error);
}

fn revoke(state: AppState) {
    for (_, url) in state.urls.get_untracked() {
        let _ = web_sys::Url::revoke_object_url(&url);
    }
    state.urls.set(Vec::new());
}
