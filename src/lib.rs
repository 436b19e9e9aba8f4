//! Numberly's browser app. Every view lives here; `main.rs` only mounts [`App`].

use leptos::prelude::*;

/// The application shell.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main class="shell">
            <h1>"Numberly"</h1>
            <p>"Privacy-first marketing analytics, computed entirely in your browser."</p>
            <p class="muted">"Engine " {numberly_core::VERSION}</p>
        </main>
    }
}
