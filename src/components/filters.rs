use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use leptos::prelude::*;
use numberly_core::dates::{date_string, parse, DAY};
use numberly_core::metrics::Filter;

/// The filter's dates as typed: From and To (unset: the data's first or last day).
type Typed = (Option<i32>, Option<i32>);

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
    // The dates as typed (From, To): the fields show them, and the filter takes them
    // once they make a period. One that would end before it starts is not applied:
    // the fields keep what was typed and a message says why.
    let typed: RwSignal<Typed> = RwSignal::new((None, None));
    let bad_period = RwSignal::new(false);
    let apply = move |f: &mut dyn FnMut(&mut Filter)| {
        filter.update(|x| f(x));
        bad_period.set(false);
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
            // (An empty label is no customer's: no box, and it stays in the selection.)
            .filter(|(_, label)| !label.is_empty())
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
                        {move || crate::charts::group_label(&label, lang.get())}
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
        typed.set((None, None));
        bad_period.set(false);
    });
    // A date field of the filter: `key` names it, `bound` is shown when it is unset;
    // `pick` chooses its half of the typed dates.
    let date_input =
        move |key: &'static str, bound: i32, (min, max): (i32, i32), pick: fn(&mut Typed) -> &mut Option<i32>| {
            // The field's day as typed (None: unset).
            let current = move || typed.with(|t| *pick(&mut t.clone()));
            // Takes a day typed (None: unset), and applies the period it makes.
            let set = move |d: Option<i32>| {
                typed.update(|t| *pick(t) = d);
                let (from, to) = typed.get_untracked();
                let inverted = from.unwrap_or(min) > to.unwrap_or(max);
                bad_period.set(inverted);
                if !inverted {
                    apply(&mut |f| (f.from, f.to) = (from, to))
                }
            };
            view! {
                <label class="field">
                    <span>{lang.get().t(key)}</span>
                    <input
                        type="date"
                        data-testid=format!("filter-{key}")
                        // (The settings have a From and a To too: said apart.)
                        aria-label=move || lang.get().t(if key == "from" { "shown-from" } else { "shown-to" })
                        min=date_string(min)
                        max=date_string(max)
                        prop:value=move || date_string(current().unwrap_or(bound))
                        on:change=move |ev| {
                            // A date being typed is no date yet (`02/15/2`, or the year 0002
                            // on the way to 2025): the field keeps it as typed until it is
                            // one, rather than being reset to the one before.
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            if input.validity().bad_input() {
                                return;
                            }
                            let text = input.value();
                            match day(text.clone()) {
                                Some(d) => set(Some(d)),
                                // Emptied: the data's first or last day.
                                None if text.is_empty() => set(None),
                                None => {}
                            }
                        }
                        // Left as no date: back to the date before; left empty (emptied
                        // key by key, which says nothing until the last key): unset.
                        on:blur=move |ev| {
                            let input = event_target::<web_sys::HtmlInputElement>(&ev);
                            let text = input.value();
                            if text.is_empty() && !input.validity().bad_input() {
                                if untrack(current).is_some() {
                                    set(None);
                                }
                                input.set_value(&date_string(bound));
                            } else if input.validity().bad_input() || day(text).is_none() {
                                input.set_value(&date_string(untrack(current).unwrap_or(bound)));
                            }
                        }
                    />
                </label>
            }
        };
    move || {
        let (channels, segments, period) = meta.get()?;
        let fr = lang.get() == Lang::Fr;
        Some(view! {
            <section class="panel filters" data-testid="filters">
                <h2>{if fr { "Filtres" } else { "Filters" }}</h2>
                <div class="filter-row">
                    // No dates to pick when no interaction was kept.
                    {period.map(|(from, to)| {
                        view! {
                            {date_input("from", from, (from, to), |t| &mut t.0)}
                            {date_input("to", to, (from, to), |t| &mut t.1)}
                            <small class="error" data-testid="error-filter-period">
                                {move || {
                                    match (bad_period.get(), fr) {
                                        (false, _) => "",
                                        (true, true) => "La période finit avant de commencer : non appliquée.",
                                        (true, false) => "The period ends before it starts: not applied.",
                                    }
                                }}
                            </small>
                        }
                    })}
                    <div class="checks" role="group" aria-label=if fr { "Canaux" } else { "Channels" }>
                        <span class="group-name" aria-hidden="true">{if fr { "Canaux" } else { "Channels" }}</span>
                        {boxes("filter-channel", channels, |f| &mut f.channels)}
                    </div>
                    <div class="checks" role="group" aria-label="Segments">
                        <span class="group-name" aria-hidden="true">"Segments"</span>
                        {boxes("filter-segment", segments, |f| &mut f.segments)}
                    </div>
                </div>
            </section>
        })
    }
}
