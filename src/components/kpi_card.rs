use leptos::prelude::*;

/// A headline number with its definition on hover or focus.
#[component]
pub fn KpiCard(
    /// The `data-testid` (`kpi-revenue`).
    testid: &'static str,
    /// Label.
    label: Signal<String>,
    /// Formatted value.
    text: Signal<String>,
    /// Raw, unformatted value (for `data-value`).
    raw: Signal<String>,
    /// One-sentence definition.
    definition: Signal<String>,
) -> impl IntoView {
    // Escape hides the definition (it covers the card below), shown by focus or by
    // the pointer, until the card is left.
    let dismissed = RwSignal::new(false);
    let listener = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" {
            dismissed.set(true);
        }
    });
    on_cleanup(move || listener.remove());
    // To a screen reader, a group named by its label and value, described by its
    // definition.
    view! {
        <div
            class="kpi"
            class:dismissed=move || dismissed.get()
            data-testid=testid
            data-value=move || raw.get()
            tabindex="0"
            role="group"
            aria-labelledby=format!("{testid}-label {testid}-value")
            aria-describedby=format!("{testid}-def")
            // (Escape anywhere dismisses every card's: a card met anew shows its own.)
            on:focusin=move |_| dismissed.set(false)
            on:mouseenter=move |_| dismissed.set(false)
            on:focusout=move |_| dismissed.set(false)
            on:mouseleave=move |_| dismissed.set(false)
        >
            <div class="kpi-label" id=format!("{testid}-label")>{move || label.get()}</div>
            <div class="kpi-value" id=format!("{testid}-value")>{move || text.get()}</div>
            <div class="kpi-def" role="tooltip" id=format!("{testid}-def")>{move || definition.get()}</div>
        </div>
    }
}
