//! Evolution over time, with zoom on the time axis.

use super::{base_above, euros};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, DataZoom, DataZoomType, Legend};
use charming::element::{AxisType, Trigger};
use charming::series::Line;
use charming::Chart;

/// Daily interactions and purchases (left axis) and revenue (right axis).
pub fn build(s: &Summary, l: Lang) -> Chart {
    let (title, interactions, purchases, revenue, nothing) = if l == Lang::Fr {
        (
            "Évolution quotidienne",
            "Interactions",
            "Achats",
            "Chiffre d'affaires (€)",
            "Aucune interaction datée conservée",
        )
    } else {
        (
            "Daily evolution",
            "Interactions",
            "Purchases",
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
    // The slider (28 to 58 pixels up) gets a gap below the date labels.
    base_above(title, Trigger::Axis, 76)
        .title(super::nothing(nothing, empty))
        .legend(Legend::new().top("bottom").show(!empty))
        .x_axis(Axis::new().type_(AxisType::Category).data(days).show(!empty))
        .y_axis(super::count_axis().show(!empty))
        .y_axis(
            super::value_axis()
                .name(revenue)
                .name_text_style(super::inward("right"))
                .show(!empty),
        )
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside))
        .data_zoom(DataZoom::new().type_(DataZoomType::Slider).bottom(28).show(!empty))
        .series(Line::new().name(interactions).data(values(|d| d.interactions as f64)))
        .series(Line::new().name(purchases).data(values(|d| d.purchases as f64)))
        .series(
            Line::new()
                .name(revenue)
                .y_axis_index(1)
                .tooltip(super::money_tooltip())
                .data(values(|d| euros(d.revenue_cents))),
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
        let purchases: f64 = j["series"][1]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(purchases as u64, s.kpis.purchases);
        // Days to show: the message is there but hidden, the rest shown.
        assert_eq!(j["title"][1]["show"], false);
        assert_eq!(j["legend"]["show"], true);
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
            assert_eq!(j["legend"]["show"], false);
            assert_eq!(j["dataZoom"][1]["show"], false);
            assert_eq!(axis0(&j, "xAxis")["show"], false);
            assert_eq!(j["yAxis"][1]["show"], false);
        }
    }
}
