use crate::i18n::Lang;
use crate::settings::{Field, Settings, PRESETS};
use leptos::prelude::*;

/// The run settings, their messages, the presets and the run / cancel buttons.
#[component]
pub fn Controls(
    /// The settings being edited.
    settings: RwSignal<Settings>,
    /// Language.
    lang: Signal<Lang>,
    /// Whether a run is under way.
    running: Signal<bool>,
    /// Names of the chosen clients and interactions files (a run then imports them).
    imported: Signal<[Option<String>; 2]>,
    /// Whether a chosen file is known to be unusable (its column list says why).
    file_errors: Signal<bool>,
    /// Whether imported files are restricted to the period From–To.
    import_period: RwSignal<bool>,
    /// Whether another panel holds an invalid option (the privacy k): no run then.
    blocked: Signal<bool>,
    /// Starts a run.
    on_run: Callback<()>,
    /// Cancels the run.
    on_cancel: Callback<()>,
    /// A file input changed: (0 clients / 1 interactions, the change event).
    on_file: Callback<(usize, web_sys::Event)>,
    /// Files dropped on the import area.
    on_drop: Callback<web_sys::DragEvent>,
    /// Forget the chosen files (runs generate again).
    on_clear: Callback<()>,
) -> impl IntoView {
    let problems = Memo::new(move |_| settings.with(|s| s.problems(lang.get() == Lang::Fr)));
    let message = move |field: Field| {
        move || {
            problems.with(|p| {
                p.iter()
                    .find(|(f, _)| *f == field)
                    .map(|(_, m)| m.clone())
                    .unwrap_or_default()
            })
        }
    };
    // With files chosen, the sizes, seed and error rate of generated data do not apply:
    // their fields are disabled (the period still restricts an import when asked).
    let files_chosen = move || imported.with(|f| f.iter().any(Option::is_some));
    let field = move |key: &'static str, field: Field, get: fn(&Settings) -> String, set: fn(&mut Settings, String)| {
        let error = message(field);
        let invalid = move || !error().is_empty();
        let generated_only = !matches!(field, Field::From | Field::To);
        view! {
            <label class="field" class:invalid=invalid>
                <span>{move || lang.get().t(key)}</span>
                <input
                    data-testid=format!("input-{key}")
                    prop:value=move || settings.with(get)
                    disabled=move || generated_only && files_chosen()
                    on:input=move |ev| settings.update(|s| set(s, event_target_value(&ev)))
                    aria-invalid=move || invalid().to_string()
                />
                <small class="error" data-testid=format!("error-{key}")>{error}</small>
            </label>
        }
    };
    let importing = move || imported.with(|f| f.iter().all(Option::is_some));
    // One file alone cannot run: the missing one, 0 clients or 1 interactions.
    let missing = move || {
        imported.with(|f| {
            f.iter()
                .any(Option::is_some)
                .then(|| f.iter().position(Option::is_none))
                .flatten()
        })
    };
    // An import uses the period only when restricted to it: then it must be valid.
    let period_ok = move || !import_period.get() || settings.with(|s| s.period().is_some());
    let can_run = move || {
        (if importing() {
            period_ok() && !file_errors.get()
        } else if missing().is_some() {
            false
        } else {
            problems.with(Vec::is_empty)
        }) && !running.get()
            && !blocked.get()
    };
    let fr = move || lang.get() == Lang::Fr;
    let file_input = move |which: usize, testid: &'static str, en: &'static str, fr_text: &'static str| {
        view! {
            <label class="field file">
                <span>{move || if fr() { fr_text } else { en }}</span>
                <input
                    type="file"
                    accept=".csv,.tsv,.txt,text/csv"
                    data-testid=testid
                    on:change=move |ev| on_file.run((which, ev))
                />
            </label>
        }
    };
    view! {
        <section class="panel controls">
            // (A heading for a screen reader's list of them: the fields speak for the panel.)
            <h2 class="unseen">{move || lang.get().t("settings")}</h2>
            <div class="fields">
                {field("customers", Field::Customers, |s| s.customers.clone(), |s, v| s.customers = v)}
                {field("interactions", Field::Interactions, |s| s.interactions.clone(), |s, v| s.interactions = v)}
                {field("seed", Field::Seed, |s| s.seed.clone(), |s, v| s.seed = v)}
                {field("dirty", Field::Dirty, |s| s.dirty.clone(), |s, v| s.dirty = v)}
                {field("from", Field::From, |s| s.from.clone(), Settings::set_from)}
                {field("to", Field::To, |s| s.to.clone(), Settings::set_to)}
            </div>
            <div
                class="import"
                data-testid="import-drop"
                on:dragover=move |ev: web_sys::DragEvent| ev.prevent_default()
                on:drop=move |ev: web_sys::DragEvent| on_drop.run(ev)
            >
                <span class="muted import-intro">
                    {move || {
                        if fr() {
                            "Ou vos propres fichiers, choisis ou déposés ici (lus dans cet onglet, jamais envoyés) :"
                        } else {
                            "Or your own files, picked or dropped here (read in this tab, never sent):"
                        }
                    }}
                </span>
                {file_input(0, "import-clients", "Clients file", "Fichier clients")}
                {file_input(1, "import-interactions", "Interactions file", "Fichier interactions")}
                <span
                    class="muted"
                    class:error=move || missing().is_some() || (importing() && file_errors.get())
                    role="status"
                    data-testid="import-mode"
                >
                    {move || match (missing(), importing() && file_errors.get(), fr()) {
                        (Some(which), _, fr) => crate::failure::missing_file(which as u8, fr),
                        (None, true, true) => "Lancer attend que les problèmes signalés ci-dessous soient réglés.",
                        (None, true, false) => "Run waits for the problems reported below to be solved.",
                        (None, false, true) if importing() => "Lancer traitera ces deux fichiers.",
                        (None, false, false) if importing() => "Run will process these two files.",
                        (None, false, true) => "Lancer génère des données d'exemple.",
                        (None, false, false) => "Run generates sample data.",
                    }}
                </span>
                <Show when=importing>
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid="import-period"
                            prop:checked=move || import_period.get()
                            on:change=move |ev| import_period.set(event_target_checked(&ev))
                        />
                        <span>
                            {move || {
                                if fr() {
                                    "Ne garder que la période Du – Au (le reste est rejeté\u{a0}: «\u{a0}hors période\u{a0}»)"
                                } else {
                                    "Keep only the period From – To (the rest is rejected: \"out of the period\")"
                                }
                            }}
                        </span>
                    </label>
                </Show>
                <Show when=move || imported.with(|f| f.iter().any(Option::is_some))>
                    <button data-testid="import-clear" on:click=move |_| on_clear.run(())>
                        {move || if fr() { "Revenir aux données d'exemple" } else { "Back to sample data" }}
                    </button>
                </Show>
            </div>
            <div class="actions">
                <span class="muted">{move || lang.get().t("presets")}</span>
                {PRESETS
                    .iter()
                    .map(|p| {
                        let (c, i) = (p.customers, p.interactions);
                        view! {
                            <button
                                class="preset"
                                disabled=files_chosen
                                title=move || {
                                    match (files_chosen(), fr()) {
                                        (false, _) => "",
                                        (true, true) => "Les tailles ne s'appliquent qu'aux données d'exemple",
                                        (true, false) => "Sizes apply to sample data only",
                                    }
                                }
                                on:click=move |_| {
                                    settings
                                        .update(|s| {
                                            s.customers = c.to_string();
                                            s.interactions = i.to_string();
                                        })
                                }
                            >
                                {move || p.label(lang.get())}
                            </button>
                        }
                    })
                    .collect_view()}
                <span class="spacer"></span>
                <button class="primary" data-testid="run" disabled=move || !can_run() on:click=move |_| on_run.run(())>
                    {move || lang.get().t("run")}
                </button>
                <button data-testid="cancel" disabled=move || !running.get() on:click=move |_| on_cancel.run(())>
                    {move || lang.get().t("cancel")}
                </button>
            </div>
        </section>
    }
}
