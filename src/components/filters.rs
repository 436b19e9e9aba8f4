use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use leptos::prelude::*;
use numberly_core::dates::{date_string, parse, DAY};
use numberly_core::metrics::Filter;

/// Period, channels and segments: every change recomputes the views in the worker.
#[component]
pub fn Filters(
    /// The last result (for the labels and the period bounds).
    summary: Signal<Option<Summary>>,
    /// Language.
    lang: Signal<Lang>,
    /// Called with the new filter.
    on_change: Callback<Filter>,
) -> impl IntoView {
    let filter = RwSignal::new(Filter::default());
    let apply = move |f: &mut dyn FnMut(&mut Filter)| {
        filter.update(|x| f(x));
        on_change.run(filter.get_untracked());
    };
    let day = |text: String| parse(text.as_bytes()).map(|p| p.ts.div_euclid(DAY) as i32);
    let toggle = |list: &mut Option<Vec<u32>>, code: u32, all: usize| {
        let mut v = list.clone().unwrap_or_else(|| (0..all as u32).collect());
        if let Some(p) = v.iter().position(|c| *c == code) {
            v.remove(p);
        } else {
            v.push(code);
            v.sort_unstable();
        }
        *list = if v.len() == all { None } else { Some(v) };
    };
    let boxes = move |testid: &'static str, labels: Vec<String>, pick: fn(&mut Filter) -> &mut Option<Vec<u32>>| {
        let all = labels.len();
        labels
            .into_iter()
            .enumerate()
            .map(|(code, label)| {
                let code = code as u32;
                let checked = move || {
                    filter.with(|f| {
                        let mut f = f.clone();
                        pick(&mut f).as_ref().is_none_or(|l| l.contains(&code))
                    })
                };
                view! {
                    <label class="check">
                        <input
                            type="checkbox"
                            data-testid=format!("{testid}-{label}")
                            prop:checked=checked
                            on:change=move |_| apply(&mut |f| toggle(pick(f), code, all))
                        />
                        {label.clone()}
                    </label>
                }
            })
            .collect_view()
    };
    // Labels and bounds change only with a new run, not with each filter result.
    let meta =
        Memo::new(move |_| summary.with(|s| s.as_ref().map(|s| (s.channels.clone(), s.segments.clone(), s.period))));
    // A new run starts unfiltered.
    Effect::new(move |_| {
        meta.track();
        filter.set(Filter::default());
    });
    move || {
        let (channels, segments, (from, to)) = meta.get()?;
        let fr = lang.get() == Lang::Fr;
        Some(view! {
            <section class="panel filters" data-testid="filters">
                <h2>{if fr { "Filtres" } else { "Filters" }}</h2>
                <div class="filter-row">
                    <label class="field">
                        <span>{lang.get().t("from")}</span>
                        <input
                            type="date"
                            data-testid="filter-from"
                            min=date_string(from)
                            max=date_string(to)
                            prop:value=move || date_string(filter.with(|f| f.from).unwrap_or(from))
                            on:change=move |ev| {
                                let d = day(event_target_value(&ev));
                                apply(&mut |f| f.from = d)
                            }
                        />
                    </label>
                    <label class="field">
                        <span>{lang.get().t("to")}</span>
                        <input
                            type="date"
                            data-testid="filter-to"
                            min=date_string(from)
                            max=date_string(to)
                            prop:value=move || date_string(filter.with(|f| f.to).unwrap_or(to))
                            on:change=move |ev| {
                                let d = day(event_target_value(&ev));
                                apply(&mut |f| f.to = d)
                            }
                        />
                    </label>
                    <div class="checks">{boxes("filter-channel", channels, |f| &mut f.channels)}</div>
                    <div class="checks">{boxes("filter-segment", segments, |f| &mut f.segments)}</div>
                </div>
            </section>
        })
    }
}
