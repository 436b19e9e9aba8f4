//! The session funnel: view → cart → purchase, overall and by channel.

use super::{base, percent};
use crate::i18n::Lang;
use crate::worker::protocol::Summary;
use charming::component::{Axis, Legend};
use charming::element::{AxisType, Label, Trigger};
use charming::series::{Bar, Funnel};
use charming::Chart;

fn stages(l: Lang) -> [&'static str; 3] {
    if l == Lang::Fr {
        ["Visite", "Panier", "Achat"]
    } else {
        ["Visit", "Cart", "Purchase"]
    }
}

/// Sessions reaching each stage, all channels.
pub fn build(s: &Summary, l: Lang) -> Chart {
    let title = if l == Lang::Fr {
        "Entonnoir des sessions"
    } else {
        "Session funnel"
    };
    let Some(all) = s.funnel.first() else {
        return base(title, Trigger::Item);
    };
    let [v, c, p] = stages(l);
    // No session: three equal blocks would read as a funnel that loses no one.
    let empty = all.sessions_view == 0;
    let data = if empty {
        Vec::new()
    } else {
        vec![
            (all.sessions_view as f64, v.to_string()),
            (all.sessions_cart as f64, c.to_string()),
            (all.sessions_purchase as f64, p.to_string()),
        ]
    };
    base(title, Trigger::Item)
        .title(super::nothing(super::nothing_selected(l), empty))
        .legend(Legend::new().top("bottom").show(!empty))
        .series(
            Funnel::new()
                .name(title)
                // The stage and its sessions on each block.
                .label(Label::new().formatter(super::formatter::NAME_VALUE))
                .data(data),
        )
}

/// Step conversions per channel.
pub fn by_channel(s: &Summary, l: Lang) -> Chart {
    let (title, to_cart, to_buy) = if l == Lang::Fr {
        (
            "Conversion par étape et par canal (%)",
            "Visite → panier",
            "Panier → achat",
        )
    } else {
        ("Step conversion by channel (%)", "Visit → cart", "Cart → purchase")
    };
    let all = &s.funnel[s.funnel.len().min(1)..];
    // No session in the selection: a message instead of empty groups.
    let empty = all.iter().all(|f| f.sessions_view == 0);
    let rows = if empty { &all[..0] } else { all };
    base(title, Trigger::Axis)
        .title(super::nothing(super::nothing_selected(l), empty))
        .legend(Legend::new().top("bottom").show(!empty))
        .x_axis(
            Axis::new()
                .type_(AxisType::Category)
                .data(rows.iter().map(|f| super::group_label(&f.label, l)).collect::<Vec<_>>())
                .show(!empty),
        )
        .y_axis(super::value_axis().show(!empty))
        .series(
            Bar::new().name(to_cart).data(
                rows.iter()
                    .map(|f| percent(f.sessions_cart, f.sessions_view))
                    .collect::<Vec<_>>(),
            ),
        )
        .series(
            Bar::new().name(to_buy).data(
                rows.iter()
                    .map(|f| percent(f.sessions_purchase, f.sessions_cart))
                    .collect::<Vec<_>>(),
            ),
        )
}

#[cfg(test)]
mod tests {
    use crate::charts::tests::{axis0, json, summary};
    use crate::i18n::Lang;

    #[test]
    fn the_funnel_narrows_and_matches_the_engine() {
        let s = summary();
        let j = json(&super::build(&s, Lang::En));
        let values: Vec<u64> = j["series"][0]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["value"].as_f64().unwrap() as u64)
            .collect();
        assert_eq!(
            values,
            vec![
                s.funnel[0].sessions_view,
                s.funnel[0].sessions_cart,
                s.funnel[0].sessions_purchase
            ]
        );
        assert!(values[0] >= values[1] && values[1] >= values[2]);
        assert_eq!(j["title"][1]["show"], false);
        // No session in the selection: no block, a message instead.
        let mut none = s.clone();
        let all = &mut none.funnel[0];
        (all.sessions_view, all.sessions_cart, all.sessions_purchase) = (0, 0, 0);
        let j = json(&super::build(&none, Lang::En));
        assert_eq!(j["series"][0]["data"].as_array().map_or(0, Vec::len), 0);
        assert_eq!(j["title"][1]["show"], true);
        assert_eq!(j["title"][1]["text"], "Nothing to show for this selection");
        assert_eq!(j["legend"]["show"], false);
        for f in &mut none.funnel {
            (f.sessions_view, f.sessions_cart, f.sessions_purchase) = (0, 0, 0);
        }
        let j = json(&super::by_channel(&none, Lang::En));
        assert_eq!(j["title"][1]["show"], true);
        assert_eq!(axis0(&j, "xAxis")["data"].as_array().map_or(0, Vec::len), 0);
        let j = json(&super::by_channel(&s, Lang::Fr));
        assert_eq!(
            axis0(&j, "xAxis")["data"].as_array().unwrap().len(),
            s.funnel.len() - 1,
            "one group per channel"
        );
    }
}
