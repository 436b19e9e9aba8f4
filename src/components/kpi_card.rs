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
    view! {
        <div class="kpi" data-testid=testid data-value=move || raw.get() tabindex="0" title=move || definition.get()>
            <div class="kpi-label">{move || label.get()}</div>
            <div class="kpi-value">{move || text.get()}</div>
            <div class="kpi-def" role="tooltip">{move || definition.get()}</div>
        </div>
    }
}
