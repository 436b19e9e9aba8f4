//! One builder per chart: `fn build(&Summary, Lang) -> charming::Chart`. The
//! builders are plain functions, tested natively through the chart's JSON.

pub mod channels;
pub mod daily;
pub mod funnel;
pub mod rfm;
pub mod segments;

use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Feature, Grid, Legend, SaveAsImage, Title, Toolbox};
use charming::element::{Tooltip, Trigger};
use charming::Chart;

/// A chart of the dashboard: its `data-testid` suffix and its builder.
pub struct ChartSpec {
    /// `chart-<name>`.
    pub name: &'static str,
    /// Builds it.
    pub build: fn(&Summary, Lang) -> Chart,
}

/// Every chart, in page order, grouped by section.
pub const SECTIONS: [(&str, &[ChartSpec]); 5] = [
    (
        "section-channels",
        &[
            ChartSpec {
                name: "channels",
                build: channels::build,
            },
            ChartSpec {
                name: "channel-share",
                build: channels::share,
            },
        ],
    ),
    (
        "section-segments",
        &[
            ChartSpec {
                name: "segments",
                build: segments::build,
            },
            ChartSpec {
                name: "ages",
                build: segments::ages,
            },
        ],
    ),
    (
        "section-daily",
        &[ChartSpec {
            name: "daily",
            build: daily::build,
        }],
    ),
    (
        "section-funnel",
        &[
            ChartSpec {
                name: "funnel",
                build: funnel::build,
            },
            ChartSpec {
                name: "funnel-channels",
                build: funnel::by_channel,
            },
        ],
    ),
    (
        "section-rfm",
        &[
            ChartSpec {
                name: "rfm",
                build: rfm::build,
            },
            ChartSpec {
                name: "rfm-grid",
                build: rfm::grid,
            },
        ],
    ),
];

/// The common frame: a title, tooltips, a legend that toggles series, save-as-PNG.
pub fn base(title: &str, trigger: Trigger) -> Chart {
    frame(title, trigger).legend(Legend::new().top("bottom")).grid(
        Grid::new()
            .left("3%")
            .right("4%")
            .top(76)
            .bottom(56)
            .contain_label(true),
    )
}

/// A message in the middle of a chart when it has nothing to draw, hidden otherwise
/// (the chart keeps one shape either way; only what is shown changes).
pub fn nothing(text: &str, empty: bool) -> Title {
    Title::new()
        .text(text)
        .show(empty)
        .left("center")
        .top("middle")
        .text_style(
            charming::element::TextStyle::new()
                .font_size(14)
                .font_weight("normal")
                .color("#6b7280"),
        )
}

/// The message of a chart whose selection (filters, or a run that kept nothing)
/// leaves nothing to draw.
pub fn nothing_selected(l: Lang) -> &'static str {
    if l == Lang::Fr {
        "Rien à afficher pour cette sélection"
    } else {
        "Nothing to show for this selection"
    }
}

/// [`base`] without its legend and plot area: a title, tooltips, save-as-PNG.
pub fn frame(title: &str, trigger: Trigger) -> Chart {
    Chart::new()
        .title(
            Title::new()
                .text(title)
                .left("left")
                .text_style(charming::element::TextStyle::new().font_size(14)),
        )
        .tooltip(Tooltip::new().trigger(trigger))
        .toolbox(Toolbox::new().feature(Feature::new().save_as_image(SaveAsImage::new().name(title))))
}

/// Bars of a count (left axis) and of revenue in euros (right axis) per category:
/// the shape of the channel, segment and RFM charts. `slanted` shows every category
/// name, slanted (for long lists).
pub fn count_and_revenue(
    title: &str,
    (categories, slanted): (Vec<String>, bool),
    (count_name, counts): (&str, Vec<f64>),
    (revenue_name, revenue): (&str, Vec<f64>),
) -> Chart {
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::Bar;
    let mut x = Axis::new().type_(AxisType::Category).data(categories);
    if slanted {
        x = x.axis_label(charming::element::AxisLabel::new().interval(0).rotate(35));
    }
    base(title, Trigger::Axis)
        .x_axis(x)
        // Each axis name reads inwards from its axis, so a long one is not cut by the
        // edge of the chart.
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(count_name)
                .name_text_style(inward("left")),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Value)
                .name(revenue_name)
                .name_text_style(inward("right")),
        )
        .series(Bar::new().name(count_name).data(counts))
        .series(Bar::new().name(revenue_name).y_axis_index(1).data(revenue))
}

/// An axis name's style, aligned `side` of its axis.
fn inward(side: &str) -> charming::element::TextStyle {
    // A little smaller than the axis labels: on a phone the two names share one line.
    charming::element::TextStyle::new().align(side).font_size(11)
}

/// Euros from cents, as a number for a chart.
pub fn euros(cents: i64) -> f64 {
    cents as f64 / 100.0
}

/// `num / den` as a percentage rounded to 0.1, for a chart.
pub fn percent(num: u64, den: u64) -> f64 {
    if den == 0 {
        0.0
    } else {
        (num as f64 * 1000.0 / den as f64).round() / 10.0
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::worker::protocol::Summary;
    use numberly_core::clean::CleanOptions;
    use numberly_core::export::export_to_memory;
    use numberly_core::generate::GenerateOptions;
    use numberly_core::metrics::Filter;
    use numberly_core::pipeline::{prepare, Source};

    /// The summary of a small generated run, as the worker would send it.
    pub fn summary() -> Summary {
        let opts = GenerateOptions {
            customers: 400,
            interactions: 4_000,
            dirty: 0.02,
            ..GenerateOptions::default()
        };
        let p = prepare(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {}).expect("runs");
        let filter = Filter::default();
        let privacy = p
            .privacy(&numberly_core::privacy::PrivacyOptions::default(), None)
            .expect("generated data needs no key");
        let input = p.export_input(&filter, &privacy);
        let (outputs, _) = export_to_memory(&input).expect("exports");
        Summary::new(&p, &p.report, &privacy, outputs)
    }

    /// The first axis (charming writes one axis as an object, several as an array).
    pub fn axis0(j: &serde_json::Value, key: &str) -> serde_json::Value {
        match &j[key] {
            serde_json::Value::Array(a) => a[0].clone(),
            other => other.clone(),
        }
    }

    /// A chart as JSON.
    pub fn json(chart: &charming::Chart) -> serde_json::Value {
        serde_json::to_value(chart).expect("charts serialize")
    }

    #[test]
    fn every_chart_builds_with_a_title_a_tooltip_and_save_as_png() {
        let s = summary();
        for (_, charts) in super::SECTIONS {
            for c in charts {
                for lang in [crate::i18n::Lang::Fr, crate::i18n::Lang::En] {
                    let j = json(&(c.build)(&s, lang));
                    assert!(
                        j["title"][0]["text"].as_str().is_some_and(|t| !t.is_empty()),
                        "{}",
                        c.name
                    );
                    assert!(j["tooltip"].is_object(), "{}", c.name);
                    assert!(j["toolbox"]["feature"]["saveAsImage"].is_object(), "{}", c.name);
                    assert!(j["series"].as_array().is_some_and(|s| !s.is_empty()), "{}", c.name);
                }
            }
        }
    }
}
