//! Evolution over time, with zoom on the time axis.

use super::{base, euros};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, DataZoom, DataZoomType};
use charming::element::{AxisType, Trigger};
use charming::series::Line;
use charming::Chart;

/// Daily interactions and purchases (left axis) and revenue (right axis).
pub fn build(s: &Summary, l: Lang) -> Chart {
    let (title, interactions, purchases, revenue) = if l == Lang::Fr {
        (
            "Évolution quotidienne",
            "Interactions",
            "Achats",
            "Chiffre d'affaires (€)",
        )
    } else {
        ("Daily evolution", "Interactions", "Purchases", "Revenue (€)")
    };
    let days: Vec<String> = s
        .daily
        .iter()
        .map(|d| numberly_core::dates::date_string(d.day))
        .collect();
    base(title, Trigger::Axis)
        .x_axis(Axis::new().type_(AxisType::Category).data(days))
        .y_axis(Axis::new().type_(AxisType::Value))
        .y_axis(Axis::new().type_(AxisType::Value).name(revenue))
        .data_zoom(DataZoom::new().type_(DataZoomType::Inside))
        .data_zoom(DataZoom::new().type_(DataZoomType::Slider).bottom(28))
        .series(
            Line::new()
                .name(interactions)
                .data(s.daily.iter().map(|d| d.interactions as f64).collect::<Vec<_>>()),
        )
        .series(
            Line::new()
                .name(purchases)
                .data(s.daily.iter().map(|d| d.purchases as f64).collect::<Vec<_>>()),
        )
        .series(
            Line::new()
                .name(revenue)
                .y_axis_index(1)
                .data(s.daily.iter().map(|d| euros(d.revenue_cents)).collect::<Vec<_>>()),
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
        assert_eq!(j["dataZoom"].as_array().unwrap().len(), 2);
        let purchases: f64 = j["series"][1]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(purchases as u64, s.kpis.purchases);
    }
}
