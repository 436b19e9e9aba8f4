//! One builder per chart: `fn build(&Summary, Lang) -> charming::Chart`. The
//! builders are plain functions, tested natively through the chart's JSON.

pub mod channels;
pub mod daily;
pub mod funnel;
pub mod rfm;
pub mod segments;
pub mod table;

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
    /// Its table's headings (see [`table`]).
    pub heads: table::Heads,
}

/// Every chart, in page order, grouped by section.
pub const SECTIONS: [(&str, &[ChartSpec]); 5] = [
    (
        "section-channels",
        &[
            ChartSpec {
                name: "channels",
                build: channels::build,
                heads: table::Heads::along("table-channel"),
            },
            ChartSpec {
                name: "channel-share",
                build: channels::share,
                heads: table::Heads {
                    rows: "table-channel",
                    value: "table-customers",
                    share: "table-share",
                },
            },
        ],
    ),
    (
        "section-segments",
        &[
            ChartSpec {
                name: "segments",
                build: segments::build,
                heads: table::Heads::along("table-segment"),
            },
            ChartSpec {
                name: "ages",
                build: segments::ages,
                heads: table::Heads::along("table-age-band"),
            },
        ],
    ),
    (
        "section-daily",
        &[ChartSpec {
            name: "daily",
            build: daily::build,
            heads: table::Heads::along("table-day"),
        }],
    ),
    (
        "section-funnel",
        &[
            ChartSpec {
                name: "funnel",
                build: funnel::build,
                heads: table::Heads {
                    rows: "table-step",
                    value: "table-sessions",
                    share: "table-of-visits",
                },
            },
            ChartSpec {
                name: "funnel-channels",
                build: funnel::by_channel,
                heads: table::Heads::along("table-channel"),
            },
        ],
    ),
    (
        "section-rfm",
        &[
            ChartSpec {
                name: "rfm",
                build: rfm::build,
                heads: table::Heads::along("table-rfm-segment"),
            },
            ChartSpec {
                name: "rfm-grid",
                build: rfm::grid,
                heads: table::Heads::GRID,
            },
        ],
    ),
];

/// A group's name as shown: the engine's `unknown` (an age band, or the segment or
/// channel of a file said to have none) in the page's language.
pub fn group_label(label: &str, l: Lang) -> String {
    match (label, l) {
        (numberly_core::ingest::UNKNOWN_LABEL, Lang::Fr) => "inconnu".to_string(),
        _ => label.to_string(),
    }
}

/// The colours ECharts gives series and slices in turn (its default theme's).
pub const PALETTE: [&str; 9] = [
    "#5070dd", "#b6d634", "#505372", "#ff994d", "#0ca8df", "#ffd10a", "#fb628b", "#785db0", "#3fbe95",
];

/// The colour of the group `label` among `labels` (all of the run's, by code): the
/// palette's in turn, the same under any filter; grey for the unknown group.
pub fn colour_of(label: &str, labels: &[String]) -> &'static str {
    if label == numberly_core::ingest::UNKNOWN_LABEL {
        return "#9ca3af";
    }
    let at = labels.iter().position(|x| x == label).unwrap_or(labels.len());
    PALETTE[at % PALETTE.len()]
}

/// A chart's height in pixels, as `style/main.css` gives its container: the daily
/// chart's two plot areas need more than the others.
pub fn height(name: &str) -> u32 {
    if name == "daily" {
        460
    } else {
        340
    }
}

/// The common frame: a title, tooltips, a legend that toggles series, save-as-PNG.
pub fn base(title: &str, trigger: Trigger) -> Chart {
    base_above(title, trigger, LEGEND_ROOM)
}

/// [`base`] whose plot area, its axis labels included, ends `bottom` pixels above the
/// chart's bottom (room for a zoom slider between it and the legend).
pub fn base_above(title: &str, trigger: Trigger, bottom: i64) -> Chart {
    frame(title, trigger)
        .legend(Legend::new().top("bottom"))
        .grid(plot_area(PLOT_TOP, bottom))
}

/// The plot area, its axis labels included, `top` pixels under the chart's top and
/// `bottom` above its bottom.
fn plot_area(top: i64, bottom: i64) -> Grid {
    Grid::new()
        .left("3%")
        .right("4%")
        .top(top)
        .bottom(bottom)
        .contain_label(true)
}

/// Where the plot area starts under a chart's title (its axis names above it).
const PLOT_TOP: i64 = 76;

/// Room under the plot area for the legend.
const LEGEND_ROOM: i64 = 56;

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

/// A line of grey text under a chart's title (none when `text` is empty), broken
/// into lines that fit a phone's chart beside its save button.
pub fn under_title(text: String) -> Title {
    Title::new()
        .subtext(wrap(&text, NOTE_WIDTH))
        .left("left")
        .top(18)
        .subtext_style(
            charming::element::TextStyle::new()
                .font_size(12)
                .line_height(NOTE_LINE as f64)
                .color("#6b7280"),
        )
}

/// Where a plot area under the title and `note` starts (its axis names above it):
/// one line of note lower for each line of it past the first.
pub fn below_note(note: &str) -> i64 {
    let lines = wrap(note, NOTE_WIDTH).lines().count().max(1) as i64;
    PLOT_TOP + NOTE_LINE * (lines - 1)
}

/// The height of a line of a note under a title, in pixels.
const NOTE_LINE: i64 = 15;

/// Characters of a line under a chart's title: about 290 pixels of 12-pixel text,
/// what a 390-pixel phone leaves left of the save button.
const NOTE_WIDTH: usize = 48;

/// `text` with its spaces turned into line breaks where a line would pass `width`
/// characters (a word longer than that keeps a line of its own; a run of spaces is
/// one; a line break of the text stays one). Non-breaking spaces stay: they hold a
/// word to the next (`F\u{a0}2`, `:` in French).
pub fn wrap(text: &str, width: usize) -> String {
    let lines = text.split('\n').map(|given| {
        let mut out = String::with_capacity(given.len());
        let mut line = 0;
        for word in given.split(' ').filter(|w| !w.is_empty()) {
            let n = word.chars().count();
            if line > 0 && line + 1 + n > width {
                out.push('\n');
                line = 0;
            } else if line > 0 {
                out.push(' ');
                line += 1;
            }
            out.push_str(word);
            line += n;
        }
        out
    });
    lines.collect::<Vec<_>>().join("\n")
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

/// The message of an RFM chart whose selection has customers but no buyer.
pub fn no_buyer(l: Lang) -> &'static str {
    if l == Lang::Fr {
        "Aucun acheteur dans cette sélection"
    } else {
        "No buyer in this selection"
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
        .tooltip(Tooltip::new().trigger(trigger).value_formatter(formatter::NUMBER))
        .toolbox(Toolbox::new().feature(Feature::new().save_as_image(SaveAsImage::new().name(title))))
}

/// Formatters that need code. ECharts writes numbers the English way whatever the
/// page's language (`161,564.27`, which reads as 161 euros in French), and a function
/// cannot travel in a chart's JSON: the JSON names the formatter, and the page puts
/// the function in its place when it draws the chart (see `components::chart_view`).
pub mod formatter {
    /// A value: [`Lang::number`](crate::i18n::Lang::number) of it (tooltips, value axes).
    pub const NUMBER: &str = "numberly:number";
    /// A value in euros: money to the cent in the page's language (revenue tooltips).
    pub const MONEY: &str = "numberly:money";
    /// A label: its value as a number (the last of a cell's coordinates).
    pub const VALUE: &str = "numberly:value";
    /// A label: `name: value`, the value as a number.
    pub const NAME_VALUE: &str = "numberly:name-value";
    /// A pie's tooltip: `name: value (share %)`; the value is `[value, percent]`.
    pub const SHARE: &str = "numberly:share";
    /// A pie's label: its share (the names are in the legend and the tooltip; a label
    /// of two lines overlapped itself inside the ring).
    pub const SHARE_LABEL: &str = "numberly:share-label";
    /// A tooltip of the recency × frequency grid: the cell's scores and its buyers.
    pub const CELL: &str = "numberly:cell";
    /// The daily chart's tooltip (see [`axis_tooltip`]).
    pub const DAILY: &str = "numberly:daily";

    /// Whether `name` is one of these formatters.
    pub fn known(name: &str) -> bool {
        [NUMBER, MONEY, VALUE, NAME_VALUE, SHARE, SHARE_LABEL, CELL, DAILY].contains(&name)
    }

    /// One series' line in an axis tooltip.
    #[derive(Debug, Clone, PartialEq)]
    pub struct Line {
        /// The series' index in the chart.
        pub series: u32,
        /// Its name.
        pub name: String,
        /// ECharts' coloured dot for it (HTML).
        pub marker: String,
        /// Its value (`NaN` where it has none, as on a blanked day).
        pub value: f64,
    }

    /// A tooltip over several plot areas sharing one category axis: the category
    /// once, then each series once in the chart's order, whichever plot area is
    /// hovered (ECharts lists the hovered area's first, each under its own copy of
    /// the category). Series in `money` are in euros. HTML, names escaped.
    pub fn axis_tooltip(l: crate::i18n::Lang, category: &str, mut lines: Vec<Line>, money: &[u32]) -> String {
        lines.sort_by_key(|line| line.series);
        lines.dedup_by_key(|line| line.series);
        let mut html = format!("<div>{}</div>", escape(category));
        for line in lines {
            let value = if money.contains(&line.series) {
                apply(MONEY, l, "", &[line.value])
            } else {
                apply(NUMBER, l, "", &[line.value])
            }
            .unwrap_or_default();
            html.push_str(&format!(
                "<div style=\"display:flex;justify-content:space-between;gap:20px\"><span>{}{}</span>\
                 <b>{}</b></div>",
                line.marker,
                escape(&line.name),
                escape(&value)
            ));
        }
        html
    }

    /// `text` as HTML text.
    fn escape(text: &str) -> String {
        text.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;")
    }

    /// The text a formatter gives, in `l`: `value` is the value (a number, or a
    /// cell's coordinates whose last is its number), `name` the item's name.
    pub fn apply(formatter: &str, l: crate::i18n::Lang, name: &str, value: &[f64]) -> Option<String> {
        use crate::i18n::Lang;
        let number = value.last().map_or_else(|| "–".to_string(), |v| l.number(*v));
        // French puts a (no-break) space before a colon.
        let colon = if l == Lang::Fr { "\u{a0}:" } else { ":" };
        match formatter {
            NUMBER | VALUE => Some(number),
            MONEY => Some(
                value
                    .last()
                    .filter(|v| v.is_finite())
                    .map_or_else(|| "–".to_string(), |euros| l.money((euros * 100.0).round() as i64)),
            ),
            NAME_VALUE => Some(format!("{name}{colon} {number}")),
            SHARE | SHARE_LABEL => {
                let (count, percent) = match *value {
                    [count, percent] => (l.number(count), super::share_text(l, percent)),
                    _ => ("–".to_string(), "–".to_string()),
                };
                Some(if formatter == SHARE {
                    format!("{name}{colon} {count} ({percent})")
                } else {
                    percent
                })
            }
            CELL => Some(match *value {
                [f, r, buyers] => {
                    let word = match l {
                        Lang::Fr if buyers < 2.0 => "acheteur",
                        Lang::Fr => "acheteurs",
                        Lang::En if buyers == 1.0 => "buyer",
                        Lang::En => "buyers",
                    };
                    // (The axes' categories are the scores 1 to 5, from index 0.)
                    format!("R {} · F {}{colon} {number} {word}", r + 1.0, f + 1.0)
                }
                _ => number,
            }),
            _ => None,
        }
    }
}

/// A percentage with one decimal in `l` (`34,0 %` / `34.0%`), from ECharts' `percent`.
fn share_text(l: Lang, percent: f64) -> String {
    if !percent.is_finite() {
        return "–".to_string();
    }
    let tenths = (percent * 10.0).round() as i64;
    match l {
        Lang::Fr => format!("{},{}\u{a0}%", tenths / 10, tenths % 10),
        Lang::En => format!("{}.{}%", tenths / 10, tenths % 10),
    }
}

/// A value axis whose labels are numbers in the page's language.
pub fn value_axis() -> charming::component::Axis {
    charming::component::Axis::new()
        .type_(charming::element::AxisType::Value)
        .axis_label(charming::element::AxisLabel::new().formatter(formatter::NUMBER))
}

/// A value axis of counts: whole-number ticks (no "0.5 customer" on small data).
pub fn count_axis() -> charming::component::Axis {
    value_axis().min_interval(1.0)
}

/// The tooltip of a revenue series: euros to the cent.
pub fn money_tooltip() -> Tooltip {
    Tooltip::new().value_formatter(formatter::MONEY)
}

/// Bars of a count (left axis) and of revenue in euros (right axis) per category:
/// the shape of the channel, segment and RFM charts. `slanted` shows every category
/// name, slanted (for long lists).
pub fn count_and_revenue(
    l: Lang,
    title: &str,
    categories: (Vec<String>, bool),
    counts: (&str, Vec<f64>),
    revenue: (&str, Vec<f64>),
) -> Chart {
    count_and_revenue_or((nothing_selected(l), String::new()), title, categories, counts, revenue)
}

/// [`count_and_revenue`], saying `empty_text` when there is nothing to draw, and
/// `note` under the title (see [`under_title`]).
pub fn count_and_revenue_or(
    (empty_text, note): (&str, String),
    title: &str,
    (categories, slanted): (Vec<String>, bool),
    (count_name, counts): (&str, Vec<f64>),
    (revenue_name, revenue): (&str, Vec<f64>),
) -> Chart {
    use charming::component::Axis;
    use charming::element::AxisType;
    use charming::series::Bar;
    // A selection that leaves nothing (every channel unticked) says so, alone: no
    // axes, no legend, as the other charts.
    let empty = counts.iter().chain(&revenue).all(|v| *v == 0.0);
    let mut x = Axis::new().type_(AxisType::Category).data(categories).show(!empty);
    if slanted {
        x = x.axis_label(charming::element::AxisLabel::new().interval(0).rotate(45));
    }
    // A slanted first name reaches left of the plot area, past what the axis labels
    // need: ECharts' room for labels missed it on a phone ("hampions").
    let grid = plot_area(below_note(&note), LEGEND_ROOM);
    let grid = if slanted { grid.left(48) } else { grid };
    frame(title, Trigger::Axis)
        .title(nothing(empty_text, empty))
        .title(under_title(note))
        .legend(Legend::new().top("bottom").show(!empty))
        .grid(grid)
        .x_axis(x)
        // Each axis name reads inwards from its axis, so a long one is not cut by the
        // edge of the chart.
        .y_axis(
            count_axis()
                .name(count_name)
                .name_text_style(inward("left"))
                .show(!empty),
        )
        // (Its ticks fall elsewhere than the left axis's: its lines would double theirs.)
        .y_axis(
            value_axis()
                .name(revenue_name)
                .name_text_style(inward("right"))
                .split_line(no_split_line())
                .show(!empty),
        )
        .series(Bar::new().name(count_name).data(counts))
        .series(
            Bar::new()
                .name(revenue_name)
                .y_axis_index(1)
                .tooltip(money_tooltip())
                .data(revenue),
        )
}

/// No grid lines, for a second value axis beside another: their ticks differ.
pub fn no_split_line() -> charming::element::SplitLine {
    charming::element::SplitLine::new().show(false)
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
    fn an_unknown_segment_or_channel_is_named_in_the_pages_language() {
        use crate::i18n::Lang;
        assert_eq!(super::group_label("unknown", Lang::Fr), "inconnu");
        assert_eq!(super::group_label("unknown", Lang::En), "unknown");
        assert_eq!(super::group_label("Premium", Lang::Fr), "Premium");
        let mut s = summary();
        s.by_segment[0].label = "unknown".into();
        let j = json(&super::segments::build(&s, Lang::Fr));
        assert_eq!(axis0(&j, "xAxis")["data"][0], "inconnu");
        s.by_channel[0].label = "unknown".into();
        let j = json(&super::channels::share(&s, Lang::Fr));
        assert_eq!(j["series"][0]["data"][0]["name"], "inconnu");
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

    /// Every `formatter` and `valueFormatter` of `value`, with where it sits.
    fn formatters(value: &serde_json::Value, at: String, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::Object(o) => {
                for (k, v) in o {
                    match (k.as_str(), v.as_str()) {
                        ("formatter" | "valueFormatter", Some(f)) => out.push((format!("{at}.{k}"), f.to_string())),
                        _ => formatters(v, format!("{at}.{k}"), out),
                    }
                }
            }
            serde_json::Value::Array(a) => {
                for (i, v) in a.iter().enumerate() {
                    formatters(v, format!("{at}[{i}]"), out);
                }
            }
            _ => {}
        }
    }

    #[test]
    fn every_number_a_chart_writes_goes_through_a_formatter_the_page_knows() {
        let s = summary();
        let mut money_series = 0;
        for (_, charts) in super::SECTIONS {
            for c in charts {
                let j = json(&(c.build)(&s, crate::i18n::Lang::Fr));
                let mut found = Vec::new();
                formatters(&j, c.name.to_string(), &mut found);
                // Tooltips (the daily chart's is written whole by its own), and every value axis.
                if j["tooltip"]["formatter"] != super::formatter::DAILY {
                    assert_eq!(j["tooltip"]["valueFormatter"], super::formatter::NUMBER, "{}", c.name);
                }
                let axes = |key: &str| match &j[key] {
                    serde_json::Value::Array(a) => a.clone(),
                    serde_json::Value::Null => Vec::new(),
                    one => vec![one.clone()],
                };
                for axis in axes("xAxis").iter().chain(&axes("yAxis")) {
                    if axis["type"] == "value" {
                        assert_eq!(axis["axisLabel"]["formatter"], super::formatter::NUMBER, "{}", c.name);
                    }
                }
                // Money reads to the cent (120,70 €, not 120,7).
                for series in j["series"].as_array().into_iter().flatten() {
                    if series["name"].as_str().is_some_and(|n| n.contains('€')) {
                        money_series += 1;
                        assert_eq!(
                            series["tooltip"]["valueFormatter"],
                            super::formatter::MONEY,
                            "{}",
                            c.name
                        );
                    }
                }
                // A formatter the page would not replace would be written as is.
                for (at, f) in found {
                    assert!(!f.starts_with("numberly:") || super::formatter::known(&f), "{at}: {f}");
                }
            }
        }
        // Channels, segments, daily and RFM each have a revenue series.
        assert_eq!(money_series, 4);
    }

    #[test]
    fn an_axis_tooltip_lists_each_series_once_in_the_charts_order() {
        use super::formatter::{axis_tooltip, Line};
        let line = |series, name: &str, value| Line {
            series,
            name: name.to_string(),
            marker: format!("<i{series}></i>"),
            value,
        };
        // As ECharts gives them when the lower plot is hovered: its series first, and
        // the upper plot's after, one of them twice.
        let html = axis_tooltip(
            crate::i18n::Lang::Fr,
            "02/01/2025",
            vec![
                line(2, "Achats", 3.0),
                line(3, "Acheteurs", f64::NAN),
                line(0, "Interactions", 1234.0),
                line(1, "Chiffre d'affaires (€)", 120.7),
                line(0, "Interactions", 1234.0),
            ],
            &[1],
        );
        let order: Vec<usize> = ["<i0>", "<i1>", "<i2>", "<i3>"]
            .iter()
            .map(|m| html.find(m).unwrap())
            .collect();
        assert!(order.windows(2).all(|w| w[0] < w[1]), "{html}");
        assert_eq!(html.matches("<i0>").count(), 1, "{html}");
        assert_eq!(html.matches("02/01/2025").count(), 1, "{html}");
        assert!(html.contains("<b>120,70\u{a0}€</b>"), "{html}");
        assert!(html.contains("<b>1\u{202f}234</b>"), "{html}");
        assert!(html.contains("<b>–</b>"), "a blanked day: {html}");
        assert!(!axis_tooltip(crate::i18n::Lang::En, "<b>", Vec::new(), &[]).contains("<b>"));
    }

    #[test]
    fn bar_charts_say_when_the_selection_leaves_nothing() {
        use crate::i18n::Lang;
        let s = summary();
        let mut none = s.clone();
        for g in none
            .by_channel
            .iter_mut()
            .chain(&mut none.by_segment)
            .chain(&mut none.by_age_band)
        {
            (g.customers, g.active_customers, g.buyers, g.revenue_cents) = (0, 0, 0, 0);
        }
        for r in &mut none.rfm_segments {
            (r.customers, r.revenue_cents) = (0, 0);
        }
        none.kpis.customers = 0;
        let charts: [fn(&crate::worker::protocol::Summary, Lang) -> charming::Chart; 4] = [
            super::channels::build,
            super::segments::build,
            super::segments::ages,
            super::rfm::build,
        ];
        for build in charts {
            let j = json(&build(&s, Lang::Fr));
            assert_eq!(j["title"][1]["show"], false, "{}", j["title"][0]["text"]);
            let j = json(&build(&none, Lang::Fr));
            assert_eq!(j["title"][1]["text"], "Rien à afficher pour cette sélection");
            assert_eq!(j["title"][1]["show"], true, "{}", j["title"][0]["text"]);
            // The message alone: no axes (with ticks of nothing), no legend.
            let axes = |a: &serde_json::Value| match a {
                serde_json::Value::Array(v) => v.clone(),
                one => vec![one.clone()],
            };
            for axis in axes(&j["xAxis"]).iter().chain(&axes(&j["yAxis"])) {
                assert_eq!(axis["show"], false, "{}: {axis}", j["title"][0]["text"]);
            }
            assert_eq!(j["legend"]["show"], false, "{}", j["title"][0]["text"]);
        }
    }

    #[test]
    fn notes_under_a_title_break_between_words() {
        assert_eq!(super::wrap("", 10), "");
        assert_eq!(super::wrap("one two three", 20), "one two three");
        assert_eq!(super::wrap("one two three four", 9), "one two\nthree\nfour");
        assert_eq!(super::wrap("a verylongword b", 5), "a\nverylongword\nb");
        // A non-breaking space holds its two words together.
        assert_eq!(super::wrap("xx F\u{a0}2", 4), "xx\nF\u{a0}2");
        // Runs of spaces count as one; the text's own line breaks start a line afresh.
        assert_eq!(super::wrap("aaaa  b", 4), "aaaa\nb");
        assert_eq!(super::wrap("aaa\nbb cc", 5), "aaa\nbb cc");
        // A note of three lines moves the plot area (and its axis names) two lines down.
        let long = vec!["word"; 20].join(" ");
        assert_eq!(super::wrap(&long, super::NOTE_WIDTH).lines().count(), 3);
        assert_eq!((super::below_note(""), super::below_note(&long)), (76, 106));
    }

    #[test]
    fn formatters_write_numbers_in_the_language_of_the_page() {
        use super::formatter::{apply, CELL, NAME_VALUE, NUMBER, VALUE};
        use crate::i18n::Lang;
        assert_eq!(apply(NUMBER, Lang::Fr, "", &[161_564.27]).unwrap(), "161\u{202f}564,27");
        assert_eq!(apply(NUMBER, Lang::En, "", &[161_564.27]).unwrap(), "161,564.27");
        assert_eq!(
            apply(VALUE, Lang::Fr, "x", &[0.0, 4.0, 1_859.0]).unwrap(),
            "1\u{202f}859"
        );
        assert_eq!(
            apply(NAME_VALUE, Lang::Fr, "Visite", &[1_859.0]).unwrap(),
            "Visite\u{a0}: 1\u{202f}859"
        );
        assert_eq!(
            apply(NAME_VALUE, Lang::En, "Visit", &[1_859.0]).unwrap(),
            "Visit: 1,859"
        );
        assert_eq!(
            apply(CELL, Lang::Fr, "3", &[2.0, 0.0, 1.0]).unwrap(),
            "R 1 · F 3\u{a0}: 1 acheteur"
        );
        assert_eq!(
            apply(CELL, Lang::En, "3", &[2.0, 4.0, 1_234.0]).unwrap(),
            "R 5 · F 3: 1,234 buyers"
        );
        assert_eq!(apply(NUMBER, Lang::Fr, "", &[]).unwrap(), "–");
        assert_eq!(
            apply(super::formatter::SHARE, Lang::Fr, "SEO", &[1_340.0, 33.96]).unwrap(),
            "SEO\u{a0}: 1\u{202f}340 (34,0\u{a0}%)"
        );
        assert_eq!(
            apply(super::formatter::SHARE_LABEL, Lang::En, "SEO", &[340.0, 34.0]).unwrap(),
            "34.0%"
        );
        assert_eq!(
            apply(super::formatter::SHARE, Lang::En, "SEO", &[]).unwrap(),
            "SEO: – (–)"
        );
        assert_eq!(
            apply(super::formatter::MONEY, Lang::Fr, "", &[120.7]).unwrap(),
            "120,70\u{a0}€"
        );
        assert_eq!(
            apply(super::formatter::MONEY, Lang::En, "", &[1_234.5]).unwrap(),
            "€1,234.50"
        );
        assert_eq!(apply("{b}: {c}", Lang::Fr, "", &[1.0]), None);
    }
}
