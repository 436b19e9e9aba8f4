//! Performance by acquisition channel.

use super::{base, count_and_revenue, euros, percent};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::Legend;
use charming::datatype::DataPointItem;
use charming::element::{ItemStyle, Label, LabelPosition, Trigger};
use charming::series::Pie;
use charming::Chart;

/// Customer conversion (bars, left axis) and revenue (bars, right axis) per channel.
pub fn build(s: &Summary, l: Lang) -> Chart {
    let fr = l == Lang::Fr;
    let names: Vec<String> = s.by_channel.iter().map(|g| super::group_label(&g.label, l)).collect();
    let conversion: Vec<f64> = s
        .by_channel
        .iter()
        .map(|g| percent(g.buyers, g.active_customers))
        .collect();
    let revenue: Vec<f64> = s.by_channel.iter().map(|g| euros(g.revenue_cents)).collect();
    let (title, conv, rev) = if fr {
        (
            "Performance par canal",
            "Conversion clients (%)",
            "Chiffre d'affaires (€)",
        )
    } else {
        ("Performance by channel", "Customer conversion (%)", "Revenue (€)")
    };
    count_and_revenue(l, title, (names, false), (conv, conversion), (rev, revenue))
}

/// Share of customers per channel.
pub fn share(s: &Summary, l: Lang) -> Chart {
    let title = if l == Lang::Fr {
        "Clients par canal"
    } else {
        "Customers by channel"
    };
    // Each channel keeps its colour whichever others the filter leaves out: ECharts
    // would give the colours in turn to the slices shown.
    let data: Vec<DataPointItem> = s
        .by_channel
        .iter()
        .map(|g| {
            DataPointItem::new(g.customers as f64)
                .name(super::group_label(&g.label, l))
                .item_style(ItemStyle::new().color(super::colour_of(&g.label, &s.channels)))
        })
        .collect();
    // No customer in the selection: an empty grey ring would look like data.
    // (ECharts draws a pie without data as a grey ring: then there is no pie.)
    let empty = s.by_channel.iter().all(|g| g.customers == 0);
    // Shares inside the ring: labels outside it ran past the edge of a phone-width chart.
    let inside = Label::new()
        .position(LabelPosition::Inside)
        .formatter(super::formatter::SHARE_LABEL);
    let chart = base(title, Trigger::Item)
        .title(super::nothing(super::nothing_selected(l), empty))
        .legend(Legend::new().top("bottom").show(!empty));
    if empty {
        return chart;
    }
    chart.series(
        Pie::new()
            .name(title)
            .radius(vec!["35%", "70%"])
            .label(inside)
            .tooltip(charming::element::Tooltip::new().formatter(super::formatter::SHARE))
            .data(data),
    )
}

#[cfg(test)]
mod tests {
    use crate::charts::tests::{axis0, json, summary};
    use crate::i18n::Lang;

    #[test]
    fn one_bar_per_channel_with_its_conversion_and_revenue() {
        let s = summary();
        let j = json(&super::build(&s, Lang::En));
        let x = axis0(&j, "xAxis");
        let names: Vec<&str> = x["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        assert_eq!(names, s.by_channel.iter().map(|g| g.label.as_str()).collect::<Vec<_>>());
        let revenue: f64 = j["series"][1]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert!(
            (revenue - s.kpis.revenue_cents as f64 / 100.0).abs() < 0.01,
            "channels add up to the revenue"
        );
        let g = &s.by_channel[0];
        let conv = j["series"][0]["data"][0].as_f64().unwrap();
        assert!((conv - 100.0 * g.buyers as f64 / g.active_customers as f64).abs() < 0.051);
    }

    #[test]
    fn names_stay_inside_the_chart() {
        let s = summary();
        let bars = json(&super::build(&s, Lang::Fr));
        // Axis names read inwards from their axis, not centred on it (they were cut).
        assert_eq!(bars["yAxis"][0]["nameTextStyle"]["align"], "left");
        assert_eq!(bars["yAxis"][1]["nameTextStyle"]["align"], "right");
        // The pie's names sit in the ring (outside it they ran off a phone-width chart).
        let pie = json(&super::share(&s, Lang::En));
        assert_eq!(pie["series"][0]["label"]["position"], "inside");
    }

    #[test]
    fn a_channel_keeps_its_colour_when_another_is_filtered_out() {
        let s = summary();
        let colours = |s: &crate::worker::protocol::Summary| -> Vec<(String, String)> {
            let j = json(&super::share(s, Lang::En));
            j["series"][0]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| {
                    (
                        v["name"].as_str().unwrap().to_string(),
                        v["itemStyle"]["color"].as_str().unwrap().to_string(),
                    )
                })
                .collect()
        };
        let all = colours(&s);
        assert!(all.len() >= 3, "{all:?}");
        // One colour per channel.
        for (k, (_, c)) in all.iter().enumerate() {
            assert!(all[..k].iter().all(|(_, d)| d != c), "{all:?}");
        }
        let mut filtered = s.clone();
        filtered.by_channel.remove(0);
        assert_eq!(colours(&filtered), all[1..].to_vec());
    }

    #[test]
    fn the_pie_counts_every_customer() {
        let s = summary();
        let j = json(&super::share(&s, Lang::Fr));
        let total: f64 = j["series"][0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_f64().unwrap())
            .sum();
        assert_eq!(total as u64, s.kpis.customers);
        assert_eq!(j["title"][1]["show"], false);
        // No customer in the selection: no ring, a message instead.
        let mut none = s.clone();
        for g in &mut none.by_channel {
            g.customers = 0;
        }
        let j = json(&super::share(&none, Lang::Fr));
        assert!(j["series"].as_array().is_none_or(Vec::is_empty), "no pie");
        assert_eq!(j["title"][1]["text"], "Rien à afficher pour cette sélection");
        assert_eq!(j["title"][1]["show"], true);
    }
}
