//! Numberly's browser app. Every view lives here; `main.rs` only mounts [`App`].
//! The engine runs in a Web Worker (see [`worker`]); the page renders what it sends.

pub mod charts;
pub mod components;
pub mod failure;
pub mod i18n;
pub mod settings;
pub mod worker;

use components::{
    ChartView, Controls, Downloads, Filters, KpiCard, Mapping, Preview, PrivacyPanel, ProgressBar, Quality,
};
use i18n::Lang;
use leptos::prelude::*;
use numberly_core::privacy::PrivacyOptions;
use settings::Settings;
use std::collections::BTreeMap;
use worker::protocol::Summary;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    /// Nothing running.
    Idle,
    /// The worker is computing.
    Running,
    /// Results are shown.
    Done,
    /// The run failed.
    Error,
    /// The run was cancelled (and the previous results let go).
    Cancelled,
}

impl Phase {
    /// The `data-state` value.
    pub fn state(self) -> &'static str {
        match self {
            Phase::Idle => "idle",
            Phase::Running => "running",
            Phase::Done => "done",
            Phase::Error => "error",
            Phase::Cancelled => "cancelled",
        }
    }
}

/// Overall progress of a run from a stage and the fraction of that stage.
pub fn overall_progress(stage: &str, fraction: f64) -> f64 {
    let (start, width) = match stage {
        "generate" => (0.0, 0.3),
        "clean" => (0.3, 0.35),
        "metrics" => (0.65, 0.05),
        "export" => (0.7, 0.3),
        _ => (0.0, 0.0),
    };
    (start + width * fraction.clamp(0.0, 1.0)).clamp(0.0, 1.0)
}

/// The state shared by the page's parts.
#[derive(Clone, Copy)]
pub struct AppState {
    /// Language.
    pub lang: RwSignal<Lang>,
    /// Settings being edited.
    pub settings: RwSignal<Settings>,
    /// Run phase.
    pub phase: RwSignal<Phase>,
    /// Current stage name.
    pub stage: RwSignal<String>,
    /// Overall progress, 0 to 1.
    pub progress: RwSignal<f64>,
    /// Why the last run failed.
    pub error: RwSignal<Option<failure::Failure>>,
    /// The last result.
    pub summary: RwSignal<Option<Summary>>,
    /// Object URLs of the output files.
    pub urls: RwSignal<Vec<(String, String)>>,
    /// Whether the engine worker has started and listens.
    pub engine_ready: RwSignal<bool>,
    /// The page of the data preview on screen.
    pub preview: RwSignal<Option<worker::preview::PreviewPage>>,
    /// Names of the user's clients and interactions files, when chosen.
    pub imported: RwSignal<[Option<String>; 2]>,
    /// The columns of the chosen files, as the engine reads them.
    pub columns: RwSignal<[Option<worker::protocol::FileColumns>; 2]>,
    /// The user's column choices per file: header cell → engine column (`""`: ignored).
    pub mapping: RwSignal<[BTreeMap<String, String>; 2]>,
    /// Required columns the clients file does not have, as the user says.
    pub absent: RwSignal<Vec<String>>,
    /// Privacy options for the next export.
    pub privacy: RwSignal<PrivacyOptions>,
    /// The page of rejected rows on screen, once the user pages through them.
    pub rejects: RwSignal<Option<worker::protocol::RejectPage>>,
    /// Whether imported files are restricted to the settings' period (From–To).
    pub import_period: RwSignal<bool>,
    /// Whether a privacy option on screen is invalid (then nothing runs or applies).
    pub privacy_invalid: RwSignal<bool>,
    /// The privacy options of the last run or apply asked, and whether that run's
    /// data were imported (which decides the pseudonyms' default).
    pub privacy_sent: RwSignal<Option<(PrivacyOptions, bool)>>,
    /// The same for the files offered for download, once they are there.
    pub privacy_applied: RwSignal<Option<(PrivacyOptions, bool)>>,
    /// What the page did with the files given beyond what was asked.
    pub import_notice: RwSignal<Vec<ImportNotice>>,
}

/// What the page did with the files given, beyond taking them as they came.
#[derive(Debug, Clone, PartialEq)]
pub enum ImportNotice {
    /// The clients and interactions files were given the other way round, and were
    /// put back in place.
    Swapped,
    /// More than two files were dropped: these were left out.
    Ignored(Vec<String>),
}

impl ImportNotice {
    /// The sentence, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            ImportNotice::Swapped if fr => {
                "Les deux fichiers étaient inversés : le fichier clients et le fichier interactions ont été remis à \
                 leur place."
                    .to_string()
            }
            ImportNotice::Swapped => {
                "The two files were the other way round: the clients and interactions files were put back in place."
                    .to_string()
            }
            ImportNotice::Ignored(names) if fr => format!(
                "Seuls deux fichiers sont lus (clients et interactions) : {} {} de côté.",
                names.join(", "),
                if names.len() > 1 {
                    "ont été laissés"
                } else {
                    "a été laissé"
                }
            ),
            ImportNotice::Ignored(names) => format!(
                "Only two files are read (clients and interactions): {} left out.",
                names.join(", ")
            ),
        }
    }
}

/// Whether the columns found in the two chosen files say that each is the other kind
/// (the clients file given as interactions, and the other way round).
pub fn files_swapped(columns: &[Option<worker::protocol::FileColumns>; 2]) -> bool {
    use numberly_core::error::{MissingHint, Problem};
    let looks_like = |which: usize, clients: bool| {
        columns[which].as_ref().is_some_and(|c| {
            matches!(
                &c.error,
                Some(failure::Failure::Input {
                    problem: Problem::MissingColumn {
                        hint: MissingHint::OtherFile { clients: given_as_clients },
                        ..
                    },
                    ..
                }) if *given_as_clients == clients
            )
        })
    };
    looks_like(0, true) && looks_like(1, false)
}

/// Whether the options on screen, `current`, would make other files than `applied`
/// made, for data imported (`imported`) or generated: the pseudonyms' default is
/// resolved on both sides, so that ticking a box and unticking it changes nothing.
pub fn privacy_differs(current: &PrivacyOptions, applied: &PrivacyOptions, imported: bool) -> bool {
    let effective = |o: &PrivacyOptions| PrivacyOptions {
        pseudonymise: Some(o.pseudonymise.unwrap_or(imported)),
        ..o.clone()
    };
    effective(current) != effective(applied)
}

/// A KPI card: test id, definition key, and (formatted, raw) value of a summary.
type KpiSpec = (&'static str, &'static str, fn(&Summary, Lang) -> (String, String));

/// The application shell.
#[component]
pub fn App() -> impl IntoView {
    let (initial, autorun, lang) = browser::initial_settings();
    let state = AppState {
        lang: RwSignal::new(lang),
        settings: RwSignal::new(initial),
        phase: RwSignal::new(Phase::Idle),
        stage: RwSignal::new(String::new()),
        progress: RwSignal::new(0.0),
        error: RwSignal::new(None),
        summary: RwSignal::new(None),
        urls: RwSignal::new(Vec::new()),
        engine_ready: RwSignal::new(false),
        preview: RwSignal::new(None),
        imported: RwSignal::new([None, None]),
        columns: RwSignal::new([None, None]),
        mapping: RwSignal::new(Default::default()),
        absent: RwSignal::new(Vec::new()),
        privacy: RwSignal::new(PrivacyOptions::default()),
        rejects: RwSignal::new(None),
        import_period: RwSignal::new(false),
        privacy_invalid: RwSignal::new(false),
        privacy_sent: RwSignal::new(None),
        privacy_applied: RwSignal::new(None),
        import_notice: RwSignal::new(Vec::new()),
    };
    let engine = browser::Engine::new(state);
    // Two files given the other way round are put back in place (and the page says so).
    Effect::new(move |_| {
        if state.columns.with(files_swapped) {
            engine.swap_files();
        }
    });
    let run = Callback::new(move |_| engine.run());
    let cancel = Callback::new(move |_| engine.cancel());
    // What a filter's result is said as to a screen reader (a filter changes the
    // figures silently otherwise; a run has its own "Done."): set when the result of
    // a filter arrives, not on a run or a change of language.
    let filtered = RwSignal::new(false);
    let figures_said = RwSignal::new(String::new());
    let refilter = Callback::new(move |f| {
        filtered.set(true);
        engine.filter(f)
    });
    Effect::new(move |_| {
        let figures = state.summary.with(|s| {
            s.as_ref()
                .map(|s| (s.kpis.customers, s.kpis.active_customers, s.kpis.revenue_cents))
        });
        if !filtered.get_untracked() {
            return;
        }
        let Some((customers, active, revenue)) = figures else {
            return;
        };
        filtered.set(false);
        let l = state.lang.get_untracked();
        figures_said.set(format!(
            "{} {}, {} {}, {} {}",
            l.t("kpi-customers"),
            l.int(customers),
            l.t("kpi-active"),
            l.int(active),
            l.t("kpi-revenue"),
            l.money(revenue),
        ));
    });
    let browse = Callback::new(move |q| engine.preview(q));
    let pick = browser::file_picker(engine);
    let drop_files = browser::file_dropper(engine);
    let clear_files = Callback::new(move |_| engine.clear_files());
    let remap = Callback::new(move |(which, header, column)| engine.remap(which, header, column));
    let set_absent = Callback::new(move |(column, absent)| engine.set_absent(column, absent));
    let apply_privacy = Callback::new(move |_| engine.apply_privacy());
    let page_rejects = Callback::new(move |page| engine.rejects(page));
    let excel = Callback::new(move |name| engine.excel(name));
    let importing = Signal::derive(move || state.imported.with(|f| f.iter().all(Option::is_some)));
    if autorun {
        engine.run();
    }
    let lang = Signal::derive(move || state.lang.get());
    let t = move |k: &'static str| lang.get().t(k);
    // The document says its language (a screen reader reads with its voice) and its
    // title in it.
    #[cfg(target_arch = "wasm32")]
    Effect::new(move |_| {
        let l = lang.get();
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(root) = document.document_element() {
                let _ = root.set_attribute("lang", l.code());
            }
            document.set_title(l.t("page-title"));
        }
    });
    let summary: Signal<Option<Summary>> = state.summary.into();
    let kpi = move |f: fn(&Summary, Lang) -> (String, String)| {
        let pair = Memo::new(move |_| summary.with(|s| s.as_ref().map(|s| f(s, lang.get())).unwrap_or_default()));
        (
            Signal::derive(move || pair.get().0),
            Signal::derive(move || pair.get().1),
        )
    };
    let label = move |k: &'static str| Signal::derive(move || t(k).to_string());
    let running = Signal::derive(move || state.phase.get() == Phase::Running);
    let status_text = move || match state.phase.get() {
        Phase::Idle => t("idle").to_string(),
        Phase::Running => t("running").to_string(),
        Phase::Done => t("done").to_string(),
        Phase::Cancelled => t("cancelled").to_string(),
        Phase::Error => state
            .error
            .with(|e| e.as_ref().map(|e| e.text(lang.get())).unwrap_or_default()),
    };
    // Privacy options changed since the files on offer were made (not applied yet).
    let privacy_pending = Signal::derive(move || {
        state.privacy_applied.with(|applied| {
            applied.as_ref().is_some_and(|(applied, imported)| {
                state
                    .privacy
                    .with(|current| privacy_differs(current, applied, *imported))
            })
        })
    });
    // A file that keeps none of its rows: said beside the status, not only in the
    // quality section further down.
    let nothing_kept = Signal::derive(move || {
        if state.phase.get() != Phase::Done {
            return None;
        }
        // (Generated data always have rows; a file imported may have a header only.)
        let imported = state
            .privacy_applied
            .with(|a| a.as_ref().is_some_and(|(_, imported)| *imported));
        summary.with(|s| {
            s.as_ref().and_then(|s| {
                imported
                    .then(|| failure::header_only(&s.files, lang.get()))
                    .flatten()
                    .or_else(|| failure::nothing_kept(&s.files, &s.first_rejects, lang.get()))
            })
        })
    });
    let stage_label = Signal::derive(move || {
        t(match state.stage.get().as_str() {
            "generate" => "generate",
            "clean" => "clean",
            "metrics" => "metrics",
            "export" => "export",
            _ => "running",
        })
        .to_string()
    });
    let cards: [KpiSpec; 7] = [
        ("kpi-customers", "def-customers", |s, l| {
            (l.int(s.kpis.customers), s.kpis.customers.to_string())
        }),
        ("kpi-active", "def-active", |s, l| {
            (l.int(s.kpis.active_customers), s.kpis.active_customers.to_string())
        }),
        ("kpi-conversion", "def-conversion", |s, l| {
            (
                l.percent(s.kpis.buyers, s.kpis.active_customers),
                ratio(s.kpis.buyers, s.kpis.active_customers),
            )
        }),
        ("kpi-revenue", "def-revenue", |s, l| {
            (l.money(s.kpis.revenue_cents), cents(s.kpis.revenue_cents))
        }),
        ("kpi-basket", "def-basket", |s, l| {
            let basket = numberly_core::text::div_round(s.kpis.revenue_cents, s.kpis.purchases as i64);
            // Without a purchase there is no basket: "–", as a rate without a base is
            // (the file's value, 0.00, stays in `data-value`).
            let shown = if s.kpis.purchases == 0 {
                "–".to_string()
            } else {
                l.money(basket)
            };
            (shown, cents(basket))
        }),
        ("kpi-sessions", "def-sessions", |s, l| {
            (l.int(s.kpis.sessions), s.kpis.sessions.to_string())
        }),
        ("kpi-interaction-conversion", "def-interaction-conversion", |s, l| {
            (
                l.percent(s.kpis.purchases, s.kpis.interactions),
                ratio(s.kpis.purchases, s.kpis.interactions),
            )
        }),
    ];
    let lang_button = move |l: Lang, text: &'static str| {
        // Its language's name in that language as a description ("Français"; its name
        // stays what it shows, FR, as voice control hears it), and said pressed when chosen.
        let (name, code) = match l {
            Lang::Fr => ("Français", "fr"),
            Lang::En => ("English", "en"),
        };
        view! {
            <button
                class="lang"
                lang=code
                title=name
                aria-pressed=move || (lang.get() == l).to_string()
                class:active=move || lang.get() == l
                on:click=move |_| {
                    state.lang.set(l);
                    browser::set_url_lang(l);
                }
            >
                {text}
            </button>
        }
    };
    view! {
        <header class="top">
            <div>
                <h1>"Numberly"</h1>
                <p class="muted">{move || t("tagline")}</p>
            </div>
            <div class="langs">{lang_button(Lang::Fr, "FR")} {lang_button(Lang::En, "EN")}</div>
        </header>
        <main class="shell">
            <Controls
                settings=state.settings
                lang=lang
                running=running
                imported=state.imported.into()
                file_errors=Signal::derive(move || {
                    state.columns.with(|c| c.iter().flatten().any(|c| c.error.is_some() || c.pending))
                })
                import_period=state.import_period
                blocked=state.privacy_invalid.into()
                on_run=run
                on_cancel=cancel
                on_file=pick
                on_drop=drop_files
                on_clear=clear_files
            />
            <Show when=move || state.import_notice.with(|n| !n.is_empty())>
                <p class="import-notice" data-testid="import-notice" role="status">
                    {move || {
                        state
                            .import_notice
                            .with(|n| n.iter().map(|n| n.text(lang.get())).collect::<Vec<_>>().join(" "))
                    }}
                </p>
            </Show>
            <Mapping
                columns=state.columns.into()
                absent=state.absent.into()
                lang=lang
                on_map=remap
                on_absent=set_absent
            />
            <div class="status-row">
                <div
                    data-testid="status"
                    data-state=move || state.phase.get().state()
                    data-engine=move || if state.engine_ready.get() { "ready" } else { "starting" }
                    class="status"
                    role="status"
                    aria-live="polite"
                >
                    {status_text}
                </div>
                <p class="unseen" role="status" data-testid="figures-said">{move || figures_said.get()}</p>
                <Show when=move || running.get()>
                    <ProgressBar stage=stage_label fraction=state.progress.into() lang=lang />
                </Show>
            </div>
            <Show when=move || nothing_kept.with(Option::is_some)>
                <p class="nothing-kept" data-testid="nothing-kept" role="alert">
                    {move || nothing_kept.get().unwrap_or_default()}
                </p>
            </Show>
            <Filters summary=summary lang=lang on_change=refilter />
            <Show when=move || summary.with(Option::is_none)>
                <p class="muted waiting-hint" data-testid="waiting-hint">
                    {move || {
                        if lang.get() == Lang::Fr {
                            "Lancez une analyse, sur des données d'exemple ou sur vos fichiers : les indicateurs, \
                             les graphiques et les fichiers à télécharger s'afficheront ici."
                        } else {
                            "Run an analysis, on sample data or on your files: the indicators, charts and files \
                             to download appear here."
                        }
                    }}
                </p>
            </Show>
            <div class="results" class:waiting=move || summary.with(Option::is_none)>
                <section class="kpis">
                    <h2 class="unseen">{move || t("indicators")}</h2>
                    {cards
                        .into_iter()
                        .map(|(id, def, f)| {
                            let (text, raw) = kpi(f);
                            view! { <KpiCard testid=id label=label(id) text=text raw=raw definition=label(def) /> }
                        })
                        .collect_view()}
                </section>
                {charts::SECTIONS
                    .iter()
                    .enumerate()
                    .map(|(k, (section, specs))| {
                        let section_title = move || lang.get().t(section);
                        view! {
                            <section class="panel">
                                <h2>{section_title}</h2>
                                <div class="charts">
                                    {specs
                                        .iter()
                                        .enumerate()
                                        .map(|(j, spec)| {
                                            let build = spec.build;
                                            // (A memo: the drawing and the table read it, built once.)
                                            let chart = Memo::new(move |_| {
                                                summary.with(|s| s.as_ref().map(|s| build(s, lang.get())))
                                            });
                                            view! { <ChartView name=spec.name chart=chart.into() lang=lang heads=spec.heads order=2 * k + j /> }
                                        })
                                        .collect_view()}
                                </div>
                            </section>
                        }
                    })
                    .collect_view()}
                <Quality summary=summary lang=lang page=state.rejects.into() on_page=page_rejects />
                <Preview page=state.preview.into() on_query=browse lang=lang />
            </div>
            <PrivacyPanel
                options=state.privacy
                invalid=state.privacy_invalid
                summary=summary
                importing=importing
                running=running
                pending=privacy_pending
                lang=lang
                on_apply=apply_privacy
            />
            <div class="results" class:waiting=move || summary.with(Option::is_none)>
                <Downloads
                    summary=summary
                    urls=state.urls.into()
                    pending=privacy_pending
                    lang=lang
                    on_excel=excel
                />
            </div>
        </main>
        <footer class="muted shell">{move || t("privacy")} " · numberly-core " {numberly_core::VERSION}</footer>
    }
}

/// `num / den` as the engine prints it (six decimals).
fn ratio(num: u64, den: u64) -> String {
    let mut v = Vec::new();
    numberly_core::text::push_ratio(&mut v, num as u128, den as u128);
    String::from_utf8_lossy(&v).into_owned()
}

/// Cents as the engine prints euros.
fn cents(c: i64) -> String {
    let mut v = Vec::new();
    numberly_core::text::push_cents(&mut v, c);
    String::from_utf8_lossy(&v).into_owned()
}

#[cfg(target_arch = "wasm32")]
mod browser;

/// Outside a browser (native tests) the engine glue does nothing.
#[cfg(not(target_arch = "wasm32"))]
mod browser {
    use super::*;

    pub fn initial_settings() -> (Settings, bool, Lang) {
        (Settings::default(), false, Lang::Fr)
    }

    pub fn set_url_lang(_lang: Lang) {}

    #[derive(Clone, Copy)]
    pub struct Engine;

    impl Engine {
        pub fn new(_state: AppState) -> Self {
            Engine
        }
        pub fn run(&self) {}
        pub fn cancel(&self) {}
        pub fn filter(&self, _filter: numberly_core::metrics::Filter) {}
        pub fn preview(&self, _query: crate::worker::preview::PreviewQuery) {}
        pub fn remap(&self, _which: usize, _header: String, _column: String) {}
        pub fn set_absent(&self, _column: String, _absent: bool) {}
        pub fn apply_privacy(&self) {}
        pub fn clear_files(&self) {}
        pub fn swap_files(&self) {}
        pub fn rejects(&self, _page: u32) {}
        pub fn excel(&self, _name: String) {}
    }

    pub fn file_picker(_engine: Engine) -> Callback<(usize, web_sys::Event)> {
        Callback::new(|_| {})
    }

    pub fn file_dropper(_engine: Engine) -> Callback<web_sys::DragEvent> {
        Callback::new(|_| {})
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_given_the_other_way_round_are_told_apart() {
        use numberly_core::error::{MissingHint, Problem};
        use worker::protocol::FileColumns;
        let file = |which: u8, hint: Option<MissingHint>| {
            Some(FileColumns {
                which,
                file: "f.csv".into(),
                notes: Vec::new(),
                error: hint.map(|hint| failure::Failure::Input {
                    file: "f.csv".into(),
                    problem: Problem::MissingColumn {
                        column: "segment".into(),
                        expected: Vec::new(),
                        header: String::new(),
                        hint,
                        also_missing: Vec::new(),
                    },
                }),
                pending: false,
            })
        };
        let other = |clients| Some(MissingHint::OtherFile { clients });
        assert!(files_swapped(&[file(0, other(true)), file(1, other(false))]));
        // One file only, or one that is fine, or another problem: left as given.
        assert!(!files_swapped(&[file(0, other(true)), None]));
        assert!(!files_swapped(&[file(0, other(true)), file(1, None)]));
        let map = Some(MissingHint::Map { flag: String::new() });
        assert!(!files_swapped(&[file(0, other(true)), file(1, map)]));
        assert!(ImportNotice::Ignored(vec!["a.csv".into(), "b.csv".into()])
            .text(Lang::Fr)
            .ends_with("a.csv, b.csv ont été laissés de côté."));
    }

    #[test]
    fn progress_moves_forward_through_the_stages() {
        let points = [
            ("generate", 0.0),
            ("generate", 1.0),
            ("clean", 0.5),
            ("metrics", 1.0),
            ("export", 1.0),
        ];
        let values: Vec<f64> = points.iter().map(|(s, f)| overall_progress(s, *f)).collect();
        assert!(values.windows(2).all(|w| w[0] <= w[1]), "{values:?}");
        assert_eq!(values[0], 0.0);
        assert_eq!(values[4], 1.0);
    }

    #[test]
    fn kpi_raw_values_are_the_engines_text() {
        assert_eq!(ratio(1, 3), "0.333333");
        assert_eq!(cents(123_456), "1234.56");
        assert_eq!(Phase::Running.state(), "running");
    }
}
