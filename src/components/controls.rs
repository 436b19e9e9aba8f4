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
    /// Starts a run.
    on_run: Callback<()>,
    /// Cancels the run.
    on_cancel: Callback<()>,
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
    let field = move |key: &'static str, field: Field, get: fn(&Settings) -> String, set: fn(&mut Settings, String)| {
        let error = message(field);
        let invalid = move || !error().is_empty();
        view! {
            <label class="field" class:invalid=invalid>
                <span>{move || lang.get().t(key)}</span>
                <input
                    data-testid=format!("input-{key}")
                    prop:value=move || settings.with(get)
                    on:input=move |ev| settings.update(|s| set(s, event_target_value(&ev)))
                    aria-invalid=move || invalid().to_string()
                />
                <small class="error" data-testid=format!("error-{key}")>{error}</small>
            </label>
        }
    };
    let can_run = move || problems.with(Vec::is_empty) && !running.get();
    view! {
        <section class="panel controls">
            <div class="fields">
                {field("customers", Field::Customers, |s| s.customers.clone(), |s, v| s.customers = v)}
                {field("interactions", Field::Interactions, |s| s.interactions.clone(), |s, v| s.interactions = v)}
                {field("seed", Field::Seed, |s| s.seed.clone(), |s, v| s.seed = v)}
                {field("dirty", Field::Dirty, |s| s.dirty.clone(), |s, v| s.dirty = v)}
                {field("from", Field::From, |s| s.from.clone(), |s, v| s.from = v)}
                {field("to", Field::To, |s| s.to.clone(), |s, v| s.to = v)}
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
                                on:click=move |_| {
                                    settings
                                        .update(|s| {
                                            s.customers = c.to_string();
                                            s.interactions = i.to_string();
                                        })
                                }
                            >
                                {p.label}
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
