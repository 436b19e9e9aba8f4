//! Evolution over time, with zoom on the time axis.

use super::{euros, frame};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, DataZoom, DataZoomType, Grid, Legend};
use charming::element::{AxisLabel, AxisPointer, AxisPointerLink, AxisType, Tooltip, Trigger};
use charming::series::Line;
use charming::Chart;

/// The series in euros, by index (revenue), for the tooltip.
pub const MONEY_SERIES: &[u32] = &[1];

/// Daily interactions (left axis) and revenue (right axis) above, and below them, on
/// an axis of their own (they are a few in a hundred interactions), purchases and
/// buyers; one zoom for both.
pub fn build(s: &Summary, l: Lang) -> Chart {
    let (title, interactions, purchases, buyers, revenue, nothing) = if l == Lang::Fr {
        (
            "Évolution quotidienne",
            "Interactions",
            "Achats",
            "Acheteurs",
            "Chiffre d'affaires (€)",
            "Aucune interaction datée conservée",
        )
    } else {
        (
            "Daily evolution",
            "Interactions",
            "Purchases",
            "Buyers",
            "Revenue (€)",
            "No dated interaction kept",
        )
    };
    let days: Vec<String> = s.daily.iter().map(|d| l.date(d.day)).collect();
    // Without an interaction on any day (no day, or filters that leave none) the
    // axes would frame flat zeros: a message says why instead, and the axes, zoom
    // slider and legend are hidden.
    let empty = s.daily.iter().all(|d| d.interactions == 0);
    // (A run with dated interactions whose filters leave none: the selection is empty.)
    let nothing = if s.period.is_some() {
        super::nothing_selected(l)
    } else {
        nothing
    };
    // (The lines too: hidden axes would still carry a row of points at zero.)
    let values = |v: fn(&numberly_core::metrics::DailyRow) -> f64| -> Vec<f64> {
        if empty {
            Vec::new()
        } else {
            s.daily.iter().map(v).collect()
        }
    };
    // Two plot areas in the chart's 460 pixels, each under its own legend: the first
    // from 76 to 244 pixels down, the second's legend at 252, its plot from 282 to
    // 382, then its dates, and the zoom slider (12 to 42 pixels up). Their margins
    // are fixed, not fitted to their labels, so that the days of both line up. (Two
    // names a legend: one line each, even on a phone.)
    let grid = |top: i64, bottom: i64| Grid::new().left(64).right(72).top(top).bottom(bottom);
    let legend = |top: i64, names: [&str; 2]| Legend::new().data(names.to_vec()).top(top).left(64).show(!empty);
    let dates = |index: f64, labels: bool| {
        Axis::new()
            .type_(AxisType::Category)
            .grid_index(index)
            .data(days.clone())
            .axis_label(AxisLabel::new().show(labels))
            .show(!empty)
    };
    // A dot per day only where the days are few: on a longer period ECharts keeps
    // some dots and not others, which reads as points of note.
    let few = s.daily.len() <= 31;
    let line = |name: &str| Line::new().name(name).show_symbol(few);
    frame(title, Trigger::Axis)
        // The day once, and the four series in one order whichever plot is hovered.
        .tooltip(Tooltip::new().trigger(Trigger::Axis).formatter(super::formatter::DAILY))
        .title(super::nothing(nothing, empty))
        .legend(vec![
            legend(32, [interactions, revenue]),
            legend(252, [purchases, buyers]),
        ])
        .grid(grid(76, 216))
        .grid(grid(282, 78))
        .axis_pointer(AxisPointer::new().link(vec![AxisPointerLink::new().x_axis_index("all")]))
        .x_axis(dates(0.0, false))
        .x_axis(dates(1.0, true))
        .y_axis(super::count_axis().name(interactions).show(!empty))
        .y_axis(
            super::value_axis()
                .name(revenue)
                .name_text_style(super::inward("right"))
                .split_line(super::no_split_line())
                .show(!empty),
        )
        .y_axis(super::count_axis().grid_index(1.0).show(!empty))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside).x_axis_index(vec![0, 1]))
        .data_zoom(
            DataZoom::new()
                .type_(DataZoomType::Slider)
                .x_axis_index(vec![0, 1])
                .bottom(12)
                .show(!empty),
        )
        .series(line(interactions).data(values(|d| d.interactions as f64)))
        .series(
            line(revenue)
                .y_axis_index(1)
                .tooltip(super::money_tooltip())
                .data(values(|d| euros(d.revenue_cents))),
        )
        .series(
            line(purchases)
                .x_axis_index(1)
                .y_axis_index(2)
                .data(values(|d| d.purchases as f64)),
        )
        .series(
            line(buyers)
                .x_axis_index(1)
                .y_axis_index(2)
                .data(values(|d| d.buyers as f64)),
        )
}

#[cfg(test)]
mod tests {
    use crate::charts::tests::{axis0, json, summary};
    use crate::i18n::Lang;

    #[test]
    fn one_point_per_day_and_a_zoom() {
        let s = summary();
        let j = json(&super::build(&s, Lang::En));
        assert_eq!(axis0(&j, "xAxis")["data"].as_array().unwrap().len(), s.daily.len());
        assert_eq!(axis0(&j, "xAxis")["data"][0], "2025-01-01");
        let fr = json(&super::build(&s, Lang::Fr));
        assert_eq!(axis0(&fr, "xAxis")["data"][0], "01/01/2025");
        assert_eq!(j["dataZoom"].as_array().unwrap().len(), 2);
        let purchases: f64 = j["series"][2]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(purchases as u64, s.kpis.purchases);
        // Purchases and buyers below, on their own axes, zoomed with the rest.
        for k in [2, 3] {
            assert_eq!(
                (
                    j["series"][k]["xAxisIndex"].as_f64(),
                    j["series"][k]["yAxisIndex"].as_f64()
                ),
                (Some(1.0), Some(2.0))
            );
        }
        assert_eq!(j["series"][3]["name"], "Buyers");
        assert_eq!(j["yAxis"][2]["gridIndex"], 1.0);
        assert_eq!(j["xAxis"][1]["gridIndex"], 1.0);
        assert_eq!(j["dataZoom"][1]["xAxisIndex"], serde_json::json!([0, 1]));
        let buyers = j["series"][3]["data"].as_array().unwrap();
        assert!(buyers
            .iter()
            .zip(j["series"][2]["data"].as_array().unwrap())
            .all(|(b, p)| b.as_f64() <= p.as_f64()));
        // Days to show: the message is there but hidden, the rest shown.
        assert_eq!(j["title"][1]["show"], false);
        // A legend above each plot area, naming its two series.
        assert_eq!(
            j["legend"][0]["data"],
            serde_json::json!([{ "name": "Interactions" }, { "name": "Revenue (€)" }])
        );
        assert_eq!(
            j["legend"][1]["data"],
            serde_json::json!([{ "name": "Purchases" }, { "name": "Buyers" }])
        );
        assert_eq!(j["legend"][1]["show"], true);
        // One tooltip for both areas, the revenue's axis without lines of its own.
        assert_eq!(j["tooltip"]["formatter"], crate::charts::formatter::DAILY);
        assert_eq!(j["yAxis"][1]["splitLine"]["show"], false);
        // The tooltip's series in euros are the revenue's.
        for &k in super::MONEY_SERIES {
            assert_eq!(j["series"][k as usize]["name"], "Revenue (€)");
            assert_eq!(
                j["series"][k as usize]["tooltip"]["valueFormatter"],
                crate::charts::formatter::MONEY
            );
        }
        assert_eq!(j["dataZoom"][1]["show"], true);
        assert_eq!(axis0(&j, "xAxis")["show"], true);
    }

    #[test]
    fn says_so_when_no_day_has_an_interaction() {
        let mut s = summary();
        for d in &mut s.daily {
            (d.interactions, d.purchases, d.revenue_cents) = (0, 0, 0);
        }
        let j = json(&super::build(&s, Lang::En));
        assert_eq!(j["title"][1]["show"], true);
        assert_eq!(axis0(&j, "xAxis")["show"], false);
        assert_eq!(j["series"][0]["data"].as_array().map_or(0, Vec::len), 0, "no line");
        // Filters that leave no interaction in a dated run: the selection is empty.
        s.period = Some((s.from, s.to));
        let j = json(&super::build(&s, Lang::Fr));
        assert_eq!(j["title"][1]["text"], "Rien à afficher pour cette sélection");
    }

    #[test]
    fn says_so_when_there_is_no_day_to_show() {
        let mut s = summary();
        s.daily.clear();
        s.period = None;
        for (lang, text) in [
            (Lang::En, "No dated interaction kept"),
            (Lang::Fr, "Aucune interaction datée conservée"),
        ] {
            let j = json(&super::build(&s, lang));
            assert_eq!(j["title"][1]["text"], text);
            assert_eq!(j["title"][1]["show"], true);
            assert_eq!(j["title"][1]["left"], "center");
            assert_eq!(j["legend"][0]["show"], false);
            assert_eq!(j["legend"][1]["show"], false);
            assert_eq!(j["dataZoom"][1]["show"], false);
            assert_eq!(axis0(&j, "xAxis")["show"], false);
            assert_eq!(j["yAxis"][1]["show"], false);
        }
    }
}
