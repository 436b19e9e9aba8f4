//! A keyboard user's place on the page. A button that disables itself once pressed
//! (Run while the run goes, Cancel once it ends, a pager's ‹ on the first page,
//! Apply once applied), or that is drawn anew (the rejected rows' pager, with each
//! page), would drop the focus to the page's start, and a screen reader would fall
//! silent. Instead the focus goes to the control drawn in its place, else to the
//! nearest button beside it that can be pressed (Cancel for Run, › for ‹), else to
//! its section.

use wasm_bindgen::closure::Closure;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement};

/// Watches the page for a focused control that is disabled or removed (Chromium and
/// Firefox then take the focus away, with a `focusout`).
pub fn keep_focus_in_place() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let on_focusout = Closure::<dyn Fn(web_sys::Event)>::new(|ev: web_sys::Event| {
        let Some(left) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) else {
            return;
        };
        // After this turn's other changes to the page: the control drawn anew, the
        // counterpart enabled.
        leptos::prelude::set_timeout(move || refocus(&left), std::time::Duration::ZERO);
    });
    let _ = document.add_event_listener_with_callback("focusout", on_focusout.as_ref().unchecked_ref());
    on_focusout.forget();
}

fn disabled(e: &Element) -> bool {
    e.matches(":disabled").unwrap_or(false)
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
    // (Still there and enabled: the user moved the focus away, not the page.)
    if !lost || (left.is_connected() && !disabled(left)) {
        return;
    }
    let here: Option<Element> = if left.is_connected() {
        Some(left.clone().into())
    } else {
        // The same control, drawn anew.
        left.get_attribute("data-testid").and_then(|id| {
            document
                .query_selector(&format!("[data-testid=\"{id}\"]"))
                .ok()
                .flatten()
        })
    };
    let Some(here) = here else { return };
    let focus = |e: Element| e.dyn_into::<HtmlElement>().map(|e| e.focus()).is_ok();
    if !disabled(&here) {
        focus(here);
        return;
    }
    let after = std::iter::successors(here.next_element_sibling(), Element::next_element_sibling);
    let before = std::iter::successors(here.previous_element_sibling(), Element::previous_element_sibling);
    if let Some(beside) = after.chain(before).find(|e| e.tag_name() == "BUTTON" && !disabled(e)) {
        focus(beside);
        return;
    }
    if let Some(section) = here.closest("section").ok().flatten() {
        if !section.has_attribute("tabindex") {
            let _ = section.set_attribute("tabindex", "-1");
        }
        focus(section);
    }
}
