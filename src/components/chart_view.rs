use leptos::prelude::*;

/// Renders any chart with ECharts (loaded from the page's own origin).
#[component]
pub fn ChartView(
    /// The chart's name: the container is `chart-<name>`.
    name: &'static str,
    /// The chart, once there is data.
    chart: Signal<Option<charming::Chart>>,
    /// The page's language, for the numbers ECharts writes (the chart is rebuilt
    /// when it changes).
    lang: Signal<crate::i18n::Lang>,
    /// Its table's headings.
    heads: crate::charts::table::Heads,
    /// Its place on the page: charts are drawn one after the other, 20 ms apart,
    /// each in a task of its own, so the page never stalls while a dashboard is drawn.
    order: usize,
) -> impl IntoView {
    let id = format!("chart-{name}");
    #[cfg(not(target_arch = "wasm32"))]
    let _ = order; // drawn only in a browser
                   // Whether the chart as it is now is drawn (its save button waits for it).
    let drawn = RwSignal::new(false);
    #[cfg(target_arch = "wasm32")]
    let handle = StoredValue::new_local(None::<charming::Echarts>);
    #[cfg(target_arch = "wasm32")]
    {
        let target = id.clone();
        Effect::new(move |_| {
            let Some(chart) = chart.get() else { return };
            drawn.set(false);
            let lang = lang.get_untracked();
            let target = target.clone();
            set_timeout(
                move || {
                    handle.update_value(|h| match h {
                        Some(echarts) => {
                            replace(echarts, &chart, lang);
                            // (The window may have changed while the chart was hidden.)
                            resize(echarts);
                        }
                        None => *h = draw(&target, &chart, lang),
                    });
                    drawn.set(handle.with_value(Option::is_some));
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
    // The chart's figures as a table, made when its box is opened (the daily one
    // has a row per day of up to ten years).
    let (open, set_open) = signal(false);
    let table = move || {
        if !open.get() {
            return None;
        }
        let l = lang.get();
        chart.with(|c| {
            let option = serde_json::to_value(c.as_ref()?).ok()?;
            Some(crate::charts::table::of(&option, heads, l))
        })
    };
    let toggled = move |ev: leptos::ev::Event| {
        use wasm_bindgen::JsCast;
        let details = ev.target().and_then(|t| t.dyn_into::<web_sys::Element>().ok());
        set_open.set(details.is_some_and(|d| d.has_attribute("open")));
    };
    // The save button of the chart's toolbox is drawn in its canvas, out of the
    // keyboard's reach: this one is a button of the page.
    let save = move |_| {
        #[cfg(target_arch = "wasm32")]
        handle.with_value(|h| {
            if let Some(echarts) = h {
                save_image(echarts);
            }
        });
    };
    view! {
        <div class="chart-box">
            // An image to a screen reader, named by the chart's title (see `name_for_readers`).
            <div class="chart" role="img" id=id.clone() data-testid=id></div>
            // Named with the chart's name too (nine boxes say "The chart's figures").
            <details class="chart-data" data-testid=format!("data-{name}") on:toggle=toggled>
                <summary id=format!("data-{name}-label") aria-labelledby=format!("data-{name}-label chart-{name}")>
                    {move || lang.get().t("chart-data")}
                </summary>
                {move || table().map(|t| view! { <DataTableView table=t /> })}
                // Named with its chart's name (nine buttons say "Save the chart...").
                <button
                    class="save-image"
                    id=format!("save-{name}")
                    data-testid=format!("save-{name}")
                    aria-labelledby=format!("save-{name} chart-{name}")
                    disabled=move || !drawn.get()
                    on:click=save
                >
                    {move || lang.get().t("save-image")}
                </button>
            </details>
        </div>
    }
}

/// A chart's table (see [`crate::charts::table`]): its rows, or why it has none, and
/// the notes under the chart's title.
#[component]
fn DataTableView(table: crate::charts::table::DataTable) -> impl IntoView {
    let crate::charts::table::DataTable {
        caption,
        head,
        rows,
        empty,
        notes,
    } = table;
    let grid = empty.is_none().then(|| {
        let region = caption.clone();
        view! {
            // (A box that scrolls, and a tab stop in Chromium when it does: named, as a region.)
            <div class="scroll" role="region" aria-label=region>
                <table>
                    // (The chart's title, just above: said, not shown again.)
                    <caption class="unseen">{caption}</caption>
                    <thead>
                        <tr>
                            {head
                                .into_iter()
                                .enumerate()
                                .map(|(k, h)| view! { <th scope="col" class:num={k > 0}>{h}</th> })
                                .collect_view()}
                        </tr>
                    </thead>
                    <tbody>
                        {rows
                            .into_iter()
                            .map(|row| {
                                let mut cells = row.into_iter();
                                let first = cells.next().unwrap_or_default();
                                view! {
                                    <tr>
                                        <th scope="row">{first}</th>
                                        {cells.map(|c| view! { <td class="num">{c}</td> }).collect_view()}
                                    </tr>
                                }
                            })
                            .collect_view()}
                    </tbody>
                </table>
            </div>
        }
    });
    view! {
        {empty.map(|e| view! { <p class="muted">{e}</p> })}
        {grid}
        {notes.into_iter().map(|n| view! { <p class="muted">{n}</p> }).collect_view()}
    }
}

/// The drawn chart's method `name`, for ECharts' API beyond charming's bindings.
#[cfg(target_arch = "wasm32")]
fn method(echarts: &charming::Echarts, name: &str) -> Option<js_sys::Function> {
    use wasm_bindgen::JsCast;
    js_sys::Reflect::get(echarts.as_ref(), &name.into())
        .ok()
        .and_then(|f| f.dyn_into().ok())
}

/// The element a chart is drawn in.
#[cfg(target_arch = "wasm32")]
fn element_of(echarts: &charming::Echarts) -> Option<web_sys::Element> {
    use wasm_bindgen::JsCast;
    method(echarts, "getDom")
        .and_then(|f| f.call0(echarts.as_ref()).ok())
        .and_then(|e| e.dyn_into().ok())
}

/// Downloads the drawn chart as a PNG named by its title, as its toolbox's button does.
#[cfg(target_arch = "wasm32")]
fn save_image(echarts: &charming::Echarts) {
    use js_sys::Reflect;
    use wasm_bindgen::JsCast;
    let Some(get_url) = method(echarts, "getDataURL") else {
        return;
    };
    let options = js_sys::Object::new();
    for (key, value) in [
        ("type", "png".into()),
        ("pixelRatio", 2.into()),
        ("backgroundColor", "#fff".into()),
    ] {
        let _ = Reflect::set(&options, &key.into(), &value);
    }
    let Some(url) = get_url
        .call1(echarts.as_ref(), &options)
        .ok()
        .and_then(|u| u.as_string())
    else {
        return;
    };
    let element = element_of(echarts);
    let title = element
        .and_then(|e| e.get_attribute("aria-label"))
        .unwrap_or_else(|| "chart".into());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(link) = document.create_element("a") {
        let _ = link.set_attribute("href", &url);
        let _ = link.set_attribute("download", &format!("{title}.png"));
        if let Ok(link) = link.dyn_into::<web_sys::HtmlElement>() {
            link.click();
        }
    }
}

/// Gives the chart's element the title of `option` as its name for a screen reader
/// (the canvas itself says nothing).
#[cfg(target_arch = "wasm32")]
fn name_for_readers(echarts: &charming::Echarts, option: &wasm_bindgen::JsValue) {
    use js_sys::Reflect;
    let title = Reflect::get(option, &"title".into())
        .and_then(|t| Reflect::get(&t, &0.into()))
        .and_then(|t| Reflect::get(&t, &"text".into()))
        .ok()
        .and_then(|t| t.as_string());
    let element = element_of(echarts);
    if let (Some(element), Some(title)) = (element, title) {
        let _ = element.set_attribute("aria-label", &title);
    }
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
        crate::i18n::Lang::En,
        "warm-up",
        (vec!["a".into(), "b".into()], true),
        ("n", vec![1.0, 2.0]),
        ("€", vec![3.0, 4.0]),
    );
    if draw("chart-warm-up", &chart, crate::i18n::Lang::En).is_some() {
        dispose(&div);
    }
    div.remove();
}

/// Draws `chart` in the element `target`, as high as the element (its style gives
/// each chart's height: 340 pixels, more for a few).
#[cfg(target_arch = "wasm32")]
fn draw(target: &str, chart: &charming::Chart, lang: crate::i18n::Lang) -> Option<charming::Echarts> {
    let height = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(target))
        .map(|e| e.client_height())
        .filter(|&h| h > 0)
        // (Hidden, as while a new run starts: the height its style gives it.)
        .unwrap_or(crate::charts::height(target.trim_start_matches("chart-")) as i32);
    let echarts = charming::WasmRenderer::new_opt(None, Some(height as u32))
        .render(target, &charming::Chart::new())
        .ok()?;
    replace(&echarts, chart, lang);
    Some(echarts)
}

/// Gives a drawn chart its new option in full. ECharts would otherwise merge it into
/// the old one, and whatever the new one leaves out (a series' data when it is empty,
/// a component it does not have) would still show the previous run's.
#[cfg(target_arch = "wasm32")]
fn replace(echarts: &charming::Echarts, chart: &charming::Chart, lang: crate::i18n::Lang) {
    let option = serde_json::to_string(chart)
        .ok()
        .and_then(|json| js_sys::JSON::parse(&json).ok());
    if let (Some(option), Some(f)) = (option, method(echarts, "setOption")) {
        localise(&option, lang);
        name_for_readers(echarts, &option);
        if f.call2(echarts.as_ref(), &option, &true.into()).is_ok() {
            return;
        }
    }
    charming::WasmRenderer::update(echarts, chart);
}

/// Puts in `option` what its JSON could not carry: the functions of the formatters
/// it names (see [`crate::charts::formatter`]), and the save button's title (ECharts'
/// own is in English).
#[cfg(target_arch = "wasm32")]
fn localise(option: &wasm_bindgen::JsValue, lang: crate::i18n::Lang) {
    use js_sys::Reflect;
    use wasm_bindgen::JsCast;
    attach_formatters(option, lang);
    // A visual map's numbers in the page's language too (ECharts writes `4534`, the
    // cells beside it `4 534`): charming has no field for its formatter.
    if let Ok(maps) = Reflect::get(option, &"visualMap".into()) {
        let number = formatter_function(crate::charts::formatter::NUMBER, lang);
        let maps = match maps.dyn_ref::<js_sys::Array>() {
            Some(a) => a.to_vec(),
            None => vec![maps],
        };
        for map in maps.iter().filter(|m| m.is_object()) {
            let unset = Reflect::get(map, &"formatter".into()).map_or(true, |f| f.is_undefined());
            if let (true, Some(f)) = (unset, &number) {
                let _ = Reflect::set(map, &"formatter".into(), f);
            }
        }
    }
    let save = ["toolbox", "feature", "saveAsImage"]
        .iter()
        .try_fold(option.clone(), |v, key| {
            Reflect::get(&v, &(*key).into()).ok().filter(|v| v.is_object())
        });
    if let Some(save) = save {
        let title = if lang == crate::i18n::Lang::Fr {
            "Enregistrer l'image"
        } else {
            "Save as image"
        };
        let _ = Reflect::set(&save, &"title".into(), &title.into());
    }
    // Tooltips stay inside their chart: on a phone one near the edge went past the
    // page's (charming has no field for it).
    if let Some(tooltip) = Reflect::get(option, &"tooltip".into()).ok().filter(|t| t.is_object()) {
        let _ = Reflect::set(&tooltip, &"confine".into(), &true.into());
    }
}

/// Replaces, anywhere in `value`, a `formatter` or `valueFormatter` that names one of
/// [`crate::charts::formatter`]'s with its function.
#[cfg(target_arch = "wasm32")]
fn attach_formatters(value: &wasm_bindgen::JsValue, lang: crate::i18n::Lang) {
    use wasm_bindgen::JsCast;
    if let Some(array) = value.dyn_ref::<js_sys::Array>() {
        array.for_each(&mut |item, _, _| {
            if item.is_object() {
                attach_formatters(&item, lang)
            }
        });
        return;
    }
    let Some(object) = value.dyn_ref::<js_sys::Object>() else {
        return;
    };
    for key in js_sys::Object::keys(object).iter() {
        let Ok(v) = js_sys::Reflect::get(value, &key) else {
            continue;
        };
        match (key.as_string().as_deref(), v.as_string()) {
            (Some("formatter" | "valueFormatter"), Some(name)) => {
                if let Some(f) = formatter_function(&name, lang) {
                    let _ = js_sys::Reflect::set(value, &key, &f);
                }
            }
            _ if v.is_object() => attach_formatters(&v, lang),
            _ => {}
        }
    }
}

#[cfg(target_arch = "wasm32")]
thread_local! {
    /// The formatters' functions made so far, per name and language.
    static FORMATTERS: std::cell::RefCell<Vec<(String, crate::i18n::Lang, wasm_bindgen::JsValue)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

/// The function of the formatter `name` in `lang` (made once, then kept), or `None`
/// when `name` is not one of [`crate::charts::formatter`]'s.
#[cfg(target_arch = "wasm32")]
fn formatter_function(name: &str, lang: crate::i18n::Lang) -> Option<wasm_bindgen::JsValue> {
    use crate::charts::formatter;
    use wasm_bindgen::prelude::Closure;
    use wasm_bindgen::{JsCast, JsValue};
    if !formatter::known(name) {
        return None;
    }
    FORMATTERS.with_borrow_mut(|made| {
        if let Some((_, _, f)) = made.iter().find(|(n, l, _)| n == name && *l == lang) {
            return Some(f.clone());
        }
        // A number, or a cell's coordinates.
        fn numbers(v: &JsValue) -> Vec<f64> {
            match v.dyn_ref::<js_sys::Array>() {
                Some(a) => a.iter().map(|x| x.as_f64().unwrap_or(f64::NAN)).collect(),
                None => v.as_f64().into_iter().collect(),
            }
        }
        let kind = name.to_string();
        let f = Closure::<dyn Fn(JsValue) -> JsValue>::new(move |arg: JsValue| {
            let get = |item: &JsValue, key: &str| js_sys::Reflect::get(item, &key.into()).unwrap_or(JsValue::UNDEFINED);
            // An axis tooltip gets every series' params at once.
            if kind == formatter::DAILY {
                let items = arg.dyn_ref::<js_sys::Array>().map(|a| a.to_vec()).unwrap_or_default();
                let category = items
                    .first()
                    .and_then(|p| get(p, "axisValueLabel").as_string())
                    .unwrap_or_default();
                let lines = items
                    .iter()
                    .map(|p| formatter::Line {
                        series: get(p, "seriesIndex").as_f64().unwrap_or(0.0) as u32,
                        name: get(p, "seriesName").as_string().unwrap_or_default(),
                        marker: get(p, "marker").as_string().unwrap_or_default(),
                        value: numbers(&get(p, "value")).last().copied().unwrap_or(f64::NAN),
                    })
                    .collect();
                return JsValue::from_str(&formatter::axis_tooltip(
                    lang,
                    &category,
                    lines,
                    crate::charts::daily::MONEY_SERIES,
                ));
            }
            // A value formatter gets the value; a label's or a tooltip's, the item's params.
            let (name, value) = if kind == formatter::NUMBER || kind == formatter::MONEY {
                (String::new(), numbers(&arg))
            } else {
                let get = |key: &str| get(&arg, key);
                let mut value = numbers(&get("value"));
                // A pie's share of the whole, in percent, after its value.
                if kind == formatter::SHARE || kind == formatter::SHARE_LABEL {
                    value.push(get("percent").as_f64().unwrap_or(f64::NAN));
                }
                (get("name").as_string().unwrap_or_default(), value)
            };
            JsValue::from_str(&formatter::apply(&kind, lang, &name, &value).unwrap_or_default())
        })
        .into_js_value();
        made.push((name.to_string(), lang, f.clone()));
        Some(f)
    })
}

/// `chart.resize()`: the chart takes its element's size again, and a tooltip shown
/// for the old size goes (it kept its place, past a turned phone's edge).
#[cfg(target_arch = "wasm32")]
fn resize(echarts: &charming::Echarts) {
    echarts.resize(wasm_bindgen::JsValue::UNDEFINED);
    let action = js_sys::JSON::parse(r#"{"type":"hideTip"}"#);
    if let (Some(f), Ok(action)) = (method(echarts, "dispatchAction"), action) {
        let _ = f.call1(echarts.as_ref(), &action);
    }
}

#[cfg(target_arch = "wasm32")]
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    /// `echarts.dispose(element)`: frees the chart drawn in an element.
    #[wasm_bindgen(js_namespace = echarts, js_name = dispose)]
    fn dispose(element: &web_sys::Element);
}
