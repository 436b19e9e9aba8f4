//! RFM: customers and revenue per named segment, and the recency × frequency grid.

use super::{count_and_revenue_or, euros, frame};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, Grid, VisualMap};
use charming::element::{AxisType, Trigger};
use charming::series::Heatmap;
use charming::Chart;

/// Customers (left axis) and revenue (right axis) per RFM segment of buyers. The
/// customers who never bought, most of them in a shop's data, would flatten every
/// other bar: their number stands under the title instead.
pub fn build(s: &Summary, l: Lang) -> Chart {
    let (title, customers, revenue) = if l == Lang::Fr {
        ("Segments RFM des acheteurs", "Clients", "Chiffre d'affaires (€)")
    } else {
        ("RFM segments of buyers", "Customers", "Revenue (€)")
    };
    let never_bought = numberly_core::metrics::RfmSegment::NeverBought.label();
    let (never, bought): (Vec<_>, Vec<_>) = s.rfm_segments.iter().partition(|r| r.segment == never_bought);
    let never: u64 = never.iter().map(|r| r.customers).sum();
    let names: Vec<String> = bought.iter().map(|r| l.rfm_segment(&r.segment)).collect();
    let customers_word = match (l, never) {
        (Lang::Fr, 1) => "client",
        (Lang::Fr, _) => "clients",
        (Lang::En, 1) => "customer",
        (Lang::En, _) => "customers",
    };
    let note = match (never, l) {
        (0, _) => String::new(),
        (_, Lang::Fr) => format!(
            "{}\u{a0}: {} {customers_word}, hors graphique",
            l.rfm_segment(never_bought),
            l.int(never)
        ),
        (_, Lang::En) => format!("{never_bought}: {} {customers_word}, not charted", l.int(never)),
    };
    count_and_revenue_or(
        (empty_text(s, l), note),
        title,
        (names, true),
        (customers, bought.iter().map(|r| r.customers as f64).collect()),
        (revenue, bought.iter().map(|r| euros(r.revenue_cents)).collect()),
    )
}

/// What an RFM chart with nothing to draw says: that there is no buyer when the
/// selection has customers (all of them never bought), else that it is empty.
fn empty_text(s: &Summary, l: Lang) -> &'static str {
    if s.kpis.customers > 0 {
        super::no_buyer(l)
    } else {
        super::nothing_selected(l)
    }
}

/// Buyers per (recency score, frequency score) cell.
pub fn grid(s: &Summary, l: Lang) -> Chart {
    let (title, r_axis, f_axis) = if l == Lang::Fr {
        ("Grille récence × fréquence (acheteurs)", "R", "F")
    } else {
        ("Recency × frequency grid (buyers)", "R", "F")
    };
    let scores: Vec<String> = (1..=5).map(|k| k.to_string()).collect();
    let max = s.rfm_grid.iter().flatten().copied().max().unwrap_or(0).max(1);
    // No buyer in the selection: a message instead of 25 zeros.
    let empty = s.rfm_grid.iter().flatten().all(|&n| n == 0);
    let data: Vec<Vec<charming::datatype::DataPoint>> = (0..5)
        .flat_map(|r| (0..5).map(move |f| (r, f)))
        .filter(|_| !empty)
        .map(|(r, f)| vec![(f as i64).into(), (r as i64).into(), (s.rfm_grid[r][f] as i64).into()])
        .collect();
    // Equal values get equal scores, so a score can be held by nobody (most buyers
    // bought once: all F = 1, and the next frequency gets F 3 or 4), and a filter
    // can leave a score without buyers. Said under the title, so an empty row or
    // column is not taken for a fault.
    let unused = |score: &dyn Fn(usize) -> u64, axis: &str| -> Vec<String> {
        (0..5)
            .filter(|&k| score(k) == 0)
            .map(|k| format!("{axis}\u{a0}{}", k + 1))
            .collect()
    };
    let mut unheld = unused(&|f| s.rfm_grid.iter().map(|row| row[f]).sum(), f_axis);
    unheld.extend(unused(&|r| s.rfm_grid[r].iter().sum(), r_axis));
    let note = match (unheld.is_empty() || empty, l) {
        (true, _) => String::new(),
        (false, Lang::Fr) => format!("Aucun acheteur n'a {} (ex æquo\u{a0}: même score)", unheld.join(", ")),
        (false, Lang::En) => format!("No buyer has {} (ties share a score)", unheld.join(", ")),
    };
    let top = super::below_note(&note);
    // One series: no legend; the colour scale stands on the right of the grid.
    frame(title, Trigger::Item)
        .tooltip(
            charming::element::Tooltip::new()
                .trigger(Trigger::Item)
                .formatter(super::formatter::CELL)
                .value_formatter(super::formatter::NUMBER),
        )
        .title(super::nothing(empty_text(s, l), empty))
        .title(super::under_title(note))
        .grid(Grid::new().left(36).right(96).top(top).bottom(36).contain_label(true))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .name(f_axis)
                .data(scores.clone())
                .show(!empty),
        )
        .y_axis(
            Axis::new()
                .type_(AxisType::Category)
                .name(r_axis)
                .data(scores)
                .show(!empty),
        )
        .visual_map(
            VisualMap::new()
                .show(!empty)
                .min(0)
                .max(max as f64)
                .calculable(true)
                .orient(charming::element::Orient::Vertical)
                .right(0)
                .top("middle"),
        )
        .series(
            Heatmap::new().name(title).data(data).label(
                charming::element::Label::new()
                    .show(true)
                    .formatter(super::formatter::VALUE),
            ),
        )
}

#[cfg(test)]
mod tests {
    use crate::charts::tests::{json, summary};
    use crate::i18n::Lang;

    #[test]
    fn the_grid_has_25_cells_summing_to_the_buyers() {
        let s = summary();
        let j = json(&super::grid(&s, Lang::En));
        let cells = j["series"][0]["data"].as_array().unwrap();
        assert_eq!(cells.len(), 25);
        let total: f64 = cells.iter().map(|c| c[2].as_f64().unwrap()).sum();
        assert_eq!(total as u64, s.kpis.buyers);
        assert_eq!(j["title"][1]["show"], false);
        // A score nobody holds (ties) is named under the title.
        let mut tied = s.clone();
        tied.rfm_grid = [[1, 0, 0, 2, 3]; 5];
        tied.rfm_grid[4] = [0; 5];
        let j = json(&super::grid(&tied, Lang::En));
        assert_eq!(
            j["title"][2]["subtext"],
            "No buyer has F\u{a0}2, F\u{a0}3, R\u{a0}5 (ties share a score)"
        );
        let j = json(&super::grid(&s, Lang::En));
        let held = s.rfm_grid.iter().all(|row| row.iter().sum::<u64>() > 0)
            && (0..5).all(|f| s.rfm_grid.iter().map(|row| row[f]).sum::<u64>() > 0);
        assert_eq!(j["title"][2]["subtext"] == "", held);
        // No buyer in the selection: a message, no cells; no customer either: another.
        let mut none = s.clone();
        none.rfm_grid = [[0; 5]; 5];
        let j = json(&super::grid(&none, Lang::Fr));
        assert_eq!(j["title"][1]["show"], true);
        assert_eq!(j["title"][1]["text"], "Aucun acheteur dans cette sélection");
        assert_eq!(j["series"][0]["data"].as_array().map_or(0, Vec::len), 0);
        none.kpis.customers = 0;
        let j = json(&super::grid(&none, Lang::Fr));
        assert_eq!(j["title"][1]["text"], "Rien à afficher pour cette sélection");
    }

    #[test]
    fn the_grid_scale_stands_beside_the_cells_without_a_legend_under_them() {
        let j = json(&super::grid(&summary(), Lang::En));
        assert!(j.get("legend").is_none(), "{}", j["legend"]);
        let vm = if j["visualMap"].is_array() {
            &j["visualMap"][0]
        } else {
            &j["visualMap"]
        };
        assert_eq!(
            (vm["orient"].as_str(), vm["right"].as_f64()),
            (Some("vertical"), Some(0.0)),
            "{vm}"
        );
        assert!(j["grid"].to_string().contains("\"right\":96"), "{}", j["grid"]);
    }

    #[test]
    fn segments_cover_every_customer_the_ones_who_never_bought_under_the_title() {
        let s = summary();
        let j = json(&super::build(&s, Lang::En));
        let total: f64 = j["series"][0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap())
            .sum();
        assert_eq!(total as u64, s.kpis.buyers);
        assert!(
            !j["xAxis"]["data"].to_string().contains("Never bought"),
            "{}",
            j["xAxis"]
        );
        let never = s.kpis.customers - s.kpis.buyers;
        assert!(never > 0);
        assert_eq!(
            j["title"][2]["subtext"],
            format!("Never bought: {never} customers, not charted")
        );
        let mut one = s.clone();
        for r in &mut one.rfm_segments {
            if r.segment == "Never bought" {
                r.customers = 1;
            }
        }
        assert_eq!(
            json(&super::build(&one, Lang::En))["title"][2]["subtext"],
            "Never bought: 1 customer, not charted"
        );
        // Only customers who never bought: no bar, and the chart says why above their count.
        let mut never_only = s.clone();
        never_only.rfm_segments.retain(|r| r.segment == "Never bought");
        let j = json(&super::build(&never_only, Lang::En));
        assert_eq!(
            (&j["title"][1]["text"], &j["title"][1]["show"]),
            (&"No buyer in this selection".into(), &true.into())
        );
        assert_eq!(
            j["title"][2]["subtext"],
            format!("Never bought: {never} customers, not charted")
        );
        assert_eq!(json(&super::build(&s, Lang::En))["title"][1]["show"], false);
        let fr = json(&super::build(&s, Lang::Fr));
        assert!(fr["title"][2]["subtext"]
            .as_str()
            .unwrap()
            .starts_with("Jamais acheté\u{a0}: "));
    }
}
