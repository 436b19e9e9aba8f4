use leptos::prelude::*;

/// Renders any chart with ECharts (loaded from the page's own origin).
#[component]
pub fn ChartView(
    /// The chart's name: the container is `chart-<name>`.
    name: &'static str,
    /// The chart, once there is data.
    chart: Signal<Option<charming::Chart>>,
    /// Its place on the page: charts are drawn one after the other, 20 ms apart,
    /// each in a task of its own, so the page never stalls while a dashboard is drawn.
    order: usize,
) -> impl IntoView {
    let id = format!("chart-{name}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = (chart, order); // drawn only in a browser
    #[cfg(target_arch = "wasm32")]
    {
        let handle = StoredValue::new_local(None::<charming::Echarts>);
        let target = id.clone();
        Effect::new(move |_| {
            let Some(chart) = chart.get() else { return };
            let target = target.clone();
            set_timeout(
                move || {
                    handle.update_value(|h| match h {
                        Some(echarts) => {
                            replace(echarts, &chart);
                            // (The window may have changed while the chart was hidden.)
                            resize(echarts);
                        }
                        None => {
                            *h = charming::WasmRenderer::new_opt(None, Some(340))
                                .render(&target, &chart)
                                .ok()
                        }
                    })
                },
                std::time::Duration::from_millis(20 * order as u64),
            );
        });
        // A chart keeps the size it was drawn at: it follows the window's.
        let listener = window_event_listener(leptos::ev::resize, move |_| {
            handle.with_value(|h| {
                if let Some(echarts) = h {
                    resize(echarts);
                }
            })
        });
        on_cleanup(move || listener.remove());
    }
    view! { <div class="chart" id=id.clone() data-testid=id></div> }
}

/// Draws a small chart off screen once, at page load: ECharts' first chart costs
/// its code's compilation (about a quarter of a second here), which would otherwise
/// stall the page in the middle of the first run's dashboard.
#[cfg(target_arch = "wasm32")]
pub fn warm_up() {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(div), Some(body)) = (document.create_element("div"), document.body()) else {
        return;
    };
    div.set_id("chart-warm-up");
    let _ = div.set_attribute("aria-hidden", "true");
    let _ = div.set_attribute(
        "style",
        "position:absolute;left:-10000px;top:0;width:480px;height:340px;",
    );
    if body.append_child(&div).is_err() {
        return;
    }
    let chart = crate::charts::count_and_revenue(
        "warm-up",
        (vec!["a".into(), "b".into()], true),
        ("n", vec![1.0, 2.0]),
        ("€", vec![3.0, 4.0]),
    );
    if charming::WasmRenderer::new_opt(None, Some(340))
        .render("chart-warm-up", &chart)
        .is_ok()
    {
        dispose(&div);
    }
    div.remove();
}

/// Gives a drawn chart its new option in full. ECharts would otherwise merge it into
/// the old one, and whatever the new one leaves out (a series' data when it is empty,
/// a component it does not have) would still show the previous run's.
#[cfg(target_arch = "wasm32")]
fn replace(echarts: &charming::Echarts, chart: &charming::Chart) {
    use wasm_bindgen::JsCast;
    let option = serde_json::to_string(chart)
        .ok()
        .and_then(|json| js_sys::JSON::parse(&json).ok());
    let this: &wasm_bindgen::JsValue = echarts.as_ref();
    let set_option = js_sys::Reflect::get(this, &"setOption".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let replaced = match (option, set_option) {
        (Some(option), Some(f)) => f.call2(this, &option, &true.into()).is_ok(),
        _ => false,
    };
    if !replaced {
        charming::WasmRenderer::update(echarts, chart);
    }
}

/// `chart.resize()`: the chart takes its element's size again.
#[cfg(target_arch = "wasm32")]
fn resize(echarts: &charming::Echarts) {
    echarts.resize(wasm_bindgen::JsValue::UNDEFINED);
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `echarts.dispose(element)`: frees the chart drawn in an element.
    #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
    fn dispose(element: &web_sys::Element);
}
