//! A keyboard user's place on the page. A button that disables itself once pressed
//! (Run while the run goes, Cancel once it ends, a pager's ‹ on the first page,
//! Apply once applied), or that is drawn anew (the rejected rows' pager, with each
//! page), would drop the focus to the page's start, and a screen reader would fall
//! silent. Instead the focus goes to the control drawn in its place, else to the
//! nearest button beside it that can be pressed (Cancel for Run, › for ‹), else to
//! its section's heading. Only after a key or a screen reader's press: a mouse user's
//! focus is left alone (a Space meant to scroll would otherwise press Cancel, or Run
//! again). Chromium says when a focused control is removed (a `focusout`); other
//! browsers may not, and there the redrawn pager keeps the browser's behaviour.

use std::cell::Cell;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

thread_local! {
    /// Whether the last input was a key or a screen reader's press (not a pointer).
    static BY_KEY: Cell<bool> = const { Cell::new(false) };
}

/// Watches the page for a focused control that is disabled or removed (Chromium
/// then takes the focus away, with a `focusout`).
pub fn keep_focus_in_place() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let listen = |name: &str, f: Closure<dyn Fn(web_sys::Event)>| {
        // (Capturing: a handler on the way may stop the event.)
        let _ = document.add_event_listener_with_callback_and_bool(name, f.as_ref().unchecked_ref(), true);
        f.forget();
    };
    listen("keydown", Closure::new(|_: web_sys::Event| BY_KEY.set(true)));
    listen("pointerdown", Closure::new(|_: web_sys::Event| BY_KEY.set(false)));
    // A click with no count is a key's or a screen reader's (in browse mode it presses
    // a button with a click alone, no key reaching the page).
    listen(
        "click",
        Closure::new(|ev: web_sys::Event| {
            let detail = js_sys::Reflect::get(&ev, &"detail".into())
                .ok()
                .and_then(|d| d.as_f64());
            BY_KEY.set(detail == Some(0.0));
        }),
    );
    listen(
        "focusout",
        Closure::new(|ev: web_sys::Event| {
            let Some(left) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
                return;
            };
            if BY_KEY.get() {
                // After this turn's other changes to the page: the control drawn anew,
                // the counterpart enabled.
                leptos::prelude::set_timeout(move || refocus(&left), std::time::Duration::ZERO);
            }
        }),
    );
}

fn disabled(e: &Element) -> bool {
    e.matches(":disabled").unwrap_or(false)
}

/// Focuses `e` without scrolling the page to it; whether it took the focus (a
/// hidden one does not).
fn focus(e: Element) -> bool {
    let Ok(e) = e.dyn_into::<HtmlElement>() else {
        return false;
    };
    let options = web_sys::FocusOptions::new();
    options.set_prevent_scroll(true);
    let _ = e.focus_with_options(&options);
    let active = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.active_element());
    active.is_some_and(|a| a == *e.unchecked_ref::<Element>())
}

/// Gives the focus that `left` lost back to the page, when the page took it (the
/// control was disabled or removed) and it went nowhere since.
fn refocus(left: &HtmlElement) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let lost = match (document.active_element(), document.body()) {
        (None, _) => true,
        (Some(active), Some(body)) => active == *body.unchecked_ref::<Element>(),
        (Some(_), None) => false,
    };
    // (Still there and enabled: the focus was moved away, not taken.)
    if !lost || (left.is_connected() && !disabled(left)) {
        return;
    }
    let here: Option<Element> = if left.is_connected() {
        Some(left.clone().into())
    } else {
        // The same control, drawn anew.
        left.get_attribute("data-testid").and_then(|id| {
            let all = document.query_selector_all("[data-testid]").ok()?;
            (0..all.length())
                .filter_map(|i| all.item(i)?.dyn_into::<Element>().ok())
                .find(|e| e.get_attribute("data-testid").as_deref() == Some(id.as_str()))
        })
    };
    let Some(here) = here else { return };
    if !disabled(&here) && focus(here.clone()) {
        return;
    }
    // The buttons beside it, nearest first (the next one, the one before, ...).
    let mut after = std::iter::successors(here.next_element_sibling(), Element::next_element_sibling);
    let mut before = std::iter::successors(here.previous_element_sibling(), Element::previous_element_sibling);
    let nearest = std::iter::from_fn(|| match (after.next(), before.next()) {
        (None, None) => None,
        (a, b) => Some([a, b]),
    })
    .flatten()
    .flatten()
    .find(|e| e.tag_name() == "BUTTON" && !disabled(e) && focus(e.clone()));
    if nearest.is_some() {
        return;
    }
    // Else the section's heading, focusable for the purpose (not by Tab).
    if let Some(heading) = here
        .closest("section")
        .ok()
        .flatten()
        .and_then(|s| s.query_selector("h2").ok().flatten())
    {
        if !heading.has_attribute("tabindex") {
            let _ = heading.set_attribute("tabindex", "-1");
        }
        focus(heading);
    }
}
