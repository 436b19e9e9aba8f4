//! Segmentation: customers and revenue per segment, and the age distribution.

use super::{base, count_and_revenue, euros};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, Legend};
use charming::element::{AxisType, Trigger};
use charming::series::Bar;
use charming::Chart;

/// Customers (left axis) and revenue (right axis) per segment.
pub fn build(s: &Summary, l: Lang) -> Chart {
    let (title, customers, revenue) = if l == Lang::Fr {
        ("Segments", "Clients", "Chiffre d'affaires (€)")
    } else {
        ("Segments", "Customers", "Revenue (€)")
    };
    let names: Vec<String> = s.by_segment.iter().map(|g| super::group_label(&g.label, l)).collect();
    count_and_revenue(
        l,
        title,
        (names, false),
        (customers, s.by_segment.iter().map(|g| g.customers as f64).collect()),
        (revenue, s.by_segment.iter().map(|g| euros(g.revenue_cents)).collect()),
    )
}

/// Customers and buyers per age band.
pub fn ages(s: &Summary, l: Lang) -> Chart {
    let (title, customers, buyers) = if l == Lang::Fr {
        ("Âges", "Clients", "Acheteurs")
    } else {
        ("Age bands", "Customers", "Buyers")
    };
    let names: Vec<String> = s.by_age_band.iter().map(|g| super::group_label(&g.label, l)).collect();
    let empty = s.by_age_band.iter().all(|g| g.customers == 0);
    base(title, Trigger::Axis)
        .title(super::nothing(super::nothing_selected(l), empty))
        .legend(Legend::new().top("bottom").show(!empty))
        .x_axis(Axis::new().type_(AxisType::Category).data(names).show(!empty))
        .y_axis(super::count_axis().show(!empty))
        .series(
            Bar::new()
                .name(customers)
                .data(s.by_age_band.iter().map(|g| g.customers as f64).collect::<Vec<_>>()),
        )
        .series(
            Bar::new()
                .name(buyers)
                .data(s.by_age_band.iter().map(|g| g.buyers as f64).collect::<Vec<_>>()),
        )
}

#[cfg(test)]
mod tests {
    use crate::charts::tests::{json, summary};
    use crate::i18n::Lang;

    #[test]
    fn segments_and_ages_count_every_customer() {
        let s = summary();
        for (chart, series) in [(super::build(&s, Lang::En), 0), (super::ages(&s, Lang::En), 0)] {
            let j = json(&chart);
            let total: f64 = j["series"][series]["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_f64().unwrap())
                .sum();
            assert_eq!(total as u64, s.kpis.customers);
        }
    }
}
