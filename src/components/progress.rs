use leptos::prelude::*;

/// The run's progress: stage name and a bar.
#[component]
pub fn ProgressBar(
    /// Stage label.
    stage: Signal<String>,
    /// Overall fraction, 0 to 1.
    fraction: Signal<f64>,
    /// Language (for its name).
    lang: Signal<crate::i18n::Lang>,
) -> impl IntoView {
    let percent = move || format!("{:.0}", (fraction.get() * 100.0).clamp(0.0, 100.0));
    view! {
        // Its value said with the stage (`Cleaning 30%`): a screen reader does not
        // read a progress bar's content.
        <div class="progress" data-testid="progress" role="progressbar" aria-valuemin="0" aria-valuemax="100"
            aria-valuenow=percent aria-label=move || lang.get().t("progress")
            aria-valuetext=move || format!("{} {}%", stage.get(), percent())>
            <div class="progress-label" aria-hidden="true">{move || stage.get()} " " {percent} "%"</div>
            <div class="progress-track">
                <div class="progress-fill" style:width=move || format!("{}%", percent())></div>
            </div>
        </div>
    }
}
