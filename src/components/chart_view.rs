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
                        Some(echarts) => charming::WasmRenderer::update(echarts, &chart),
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
    }
    view! { <div class="chart" id=id.clone() data-testid=id></div> }
}
