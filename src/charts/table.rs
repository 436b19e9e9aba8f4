//! A chart's numbers as a table, for whoever cannot use the drawing: a screen
//! reader, a keyboard, a reader who wants the exact figure. The table is read from
//! the chart's own option (its JSON), so it says what the chart draws.

use crate::i18n::{decimals_of, Lang};
use serde_json::Value;

/// The headings a chart's option does not carry (keys of [`Lang::t`]): its rows'
/// (the category axis, a pie's slices, a funnel's steps), and for a pie or a funnel
/// its value's and its share's.
#[derive(Debug, Clone, Copy)]
pub struct Heads {
    /// The first column.
    pub rows: &'static str,
    /// A pie's or a funnel's value.
    pub value: &'static str,
    /// A pie's share of the whole, a funnel's of its first step.
    pub share: &'static str,
}

impl Heads {
    /// The headings of a chart along a category axis: its rows' only.
    pub const fn along(rows: &'static str) -> Heads {
        Heads {
            rows,
            value: "",
            share: "",
        }
    }

    /// A heatmap's: none, its axes name its rows and columns.
    pub const GRID: Heads = Heads::along("");
}

/// A chart as a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataTable {
    /// The chart's title.
    pub caption: String,
    /// The column headings.
    pub head: Vec<String>,
    /// The cells, formatted in the page's language (none when `empty` is given).
    pub rows: Vec<Vec<String>>,
    /// Why the chart shows nothing: the message it shows in its middle.
    pub empty: Option<String>,
    /// The notes under the chart's title, each on one line.
    pub notes: Vec<String>,
}

/// The table of the chart whose option is `option`.
pub fn of(option: &Value, heads: Heads, l: Lang) -> DataTable {
    let titles = as_list(&option["title"]);
    let mut table = DataTable {
        caption: titles
            .first()
            .and_then(|t| t["text"].as_str())
            .unwrap_or_default()
            .to_string(),
        ..DataTable::default()
    };
    for t in titles.iter().skip(1) {
        if let Some(note) = t["subtext"].as_str().filter(|n| !n.trim().is_empty()) {
            // (`wrap` broke it into lines at spaces; its no-break spaces stay.)
            table.notes.push(note.replace('\n', " "));
        }
        if t["show"] == Value::Bool(true) {
            table.empty = t["text"].as_str().map(str::to_string);
        }
    }
    let series = as_list(&option["series"]);
    let kind = |s: &&Value| s["type"].as_str().unwrap_or_default().to_string();
    if let Some(s) = series.iter().find(|s| ["pie", "funnel"].contains(&kind(s).as_str())) {
        slices(&mut table, s, heads, l);
    } else if let Some(s) = series.iter().find(|s| kind(s) == "heatmap") {
        grid(&mut table, option, s, l);
    } else {
        by_category(&mut table, option, &series, heads, l);
    }
    if table.rows.is_empty() && table.empty.is_none() {
        table.empty = Some(super::nothing_selected(l).to_string());
    }
    // (An empty bar chart keeps its categories, hidden with its axes.)
    if table.empty.is_some() {
        table.rows.clear();
    }
    table
}

/// One value or several: charming writes a single title, axis or series as an
/// object, several as an array.
fn as_list(v: &Value) -> Vec<&Value> {
    match v {
        Value::Array(a) => a.iter().collect(),
        Value::Null => Vec::new(),
        other => vec![other],
    }
}

/// A point's value: a number, or an object with one.
fn value_of(v: &Value) -> Option<f64> {
    v.as_f64().or_else(|| v["value"].as_f64())
}

/// A column's cells, all with the decimals the column needs (`479,70` beside
/// `59,72`, not `479,7`), or two for euros (`120,00`).
fn column(values: &[Option<f64>], money: bool, l: Lang) -> Vec<String> {
    let decimals = if money {
        2
    } else {
        values.iter().flatten().map(|&x| decimals_of(x)).max().unwrap_or(0)
    };
    values
        .iter()
        .map(|v| v.map_or_else(|| "–".to_string(), |x| l.fixed(x, decimals)))
        .collect()
}

/// Whether a series is of euros (its tooltip writes them as money).
fn is_money(series: &Value) -> bool {
    series["tooltip"]["valueFormatter"] == super::formatter::MONEY
}

/// A pie's slices or a funnel's steps: name, value, and share (of the whole for a
/// pie, of the first step for a funnel).
fn slices(table: &mut DataTable, series: &Value, heads: Heads, l: Lang) {
    let points = as_list(&series["data"]);
    let values: Vec<f64> = points.iter().map(|p| value_of(p).unwrap_or(0.0)).collect();
    let whole = if series["type"] == "funnel" {
        values.first().copied().unwrap_or(0.0)
    } else {
        values.iter().sum()
    };
    table.head = vec![l.t(heads.rows).into(), l.t(heads.value).into(), l.t(heads.share).into()];
    let shown = column(
        &values.iter().map(|&v| Some(v)).collect::<Vec<_>>(),
        is_money(series),
        l,
    );
    for ((p, v), text) in points.iter().zip(values).zip(shown) {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        table
            .rows
            .push(vec![name, text, l.percent(v.max(0.0) as u64, whole.max(0.0) as u64)]);
    }
}

/// A heatmap: a row per category of its y axis, from the top one down as the chart
/// draws them, a column per category of its x axis; each heading carries its axis's
/// name (`R 5`, `F 1`).
fn grid(table: &mut DataTable, option: &Value, series: &Value, l: Lang) {
    let (Some(x), Some(y)) = (
        as_list(&option["xAxis"]).first().copied(),
        as_list(&option["yAxis"]).first().copied(),
    ) else {
        return;
    };
    let axis_name = |axis: &Value| axis["name"].as_str().unwrap_or_default().to_string();
    let names = |axis: &Value| -> Vec<String> {
        let name = axis_name(axis);
        as_list(&axis["data"])
            .iter()
            .map(|c| format!("{name}\u{a0}{}", category(c)).trim().to_string())
            .collect()
    };
    let (across, down) = (names(x), names(y));
    let mut cells = vec![vec![None; across.len()]; down.len()];
    for p in as_list(&series["data"]) {
        let at = |k: usize| p[k].as_u64().map(|i| i as usize);
        if let (Some(i), Some(j), Some(v)) = (at(0), at(1), p[2].as_f64()) {
            if let Some(c) = cells.get_mut(j).and_then(|row| row.get_mut(i)) {
                *c = Some(v);
            }
        }
    }
    table.head = std::iter::once(format!("{} × {}", axis_name(y), axis_name(x)))
        .chain(across)
        .collect();
    let columns: Vec<Vec<String>> = (0..table.head.len() - 1)
        .map(|i| column(&cells.iter().map(|row| row[i]).collect::<Vec<_>>(), is_money(series), l))
        .collect();
    table.rows = rows_of(down, &columns).into_iter().rev().collect();
}

/// A category's name (ECharts takes numbers as categories too).
fn category(c: &Value) -> String {
    match c {
        Value::String(s) => s.clone(),
        Value::Object(_) => c["value"]
            .as_str()
            .map_or_else(|| c["value"].to_string(), str::to_string),
        other => other.to_string(),
    }
}

/// Bars and lines along a category axis: a row per category of the first such axis,
/// a column per series. A series drawn along another axis (the daily chart's lower
/// plot has one of its own) gives each row the value of the same category there.
fn by_category(table: &mut DataTable, option: &Value, series: &[&Value], heads: Heads, l: Lang) {
    let (xs, ys) = (as_list(&option["xAxis"]), as_list(&option["yAxis"]));
    let (axes, index_key) = if xs.iter().any(|a| a["type"] == "category") {
        (xs, "xAxisIndex")
    } else {
        (ys, "yAxisIndex")
    };
    let categories = |axis: &Value| -> Vec<String> { as_list(&axis["data"]).iter().map(|c| category(c)).collect() };
    let Some(rows) = axes.iter().find(|a| a["type"] == "category").map(|a| categories(a)) else {
        return;
    };
    table.head = std::iter::once(l.t(heads.rows).to_string())
        .chain(
            series
                .iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_string()),
        )
        .collect();
    let columns: Vec<Vec<String>> = series
        .iter()
        .map(|s| {
            let data = as_list(&s["data"]);
            let own = axes
                .get(s[index_key].as_f64().unwrap_or(0.0) as usize)
                .map(|a| categories(a));
            let values: Vec<Option<f64>> = rows
                .iter()
                .enumerate()
                .map(|(i, name)| {
                    let at = match &own {
                        Some(own) if *own != rows => own.iter().position(|c| c == name)?,
                        _ => i,
                    };
                    data.get(at).and_then(|v| value_of(v))
                })
                .collect();
            column(&values, is_money(s), l)
        })
        .collect();
    table.rows = rows_of(rows, &columns);
}

/// Rows from their names and the columns' cells: the names first, then the cells
/// of each column at the row's place.
fn rows_of(names: Vec<String>, columns: &[Vec<String>]) -> Vec<Vec<String>> {
    names
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            std::iter::once(name)
                .chain(columns.iter().map(|col| col[i].clone()))
                .collect()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::{json, summary};
    use crate::charts::SECTIONS;
    use crate::worker::protocol::Summary;

    fn table_of(s: &Summary, name: &str, l: Lang) -> DataTable {
        let spec = SECTIONS
            .iter()
            .flat_map(|(_, specs)| specs.iter())
            .find(|c| c.name == name)
            .expect("a chart");
        of(&json(&(spec.build)(s, l)), spec.heads, l)
    }

    fn table(name: &str, l: Lang) -> DataTable {
        table_of(&summary(), name, l)
    }

    #[test]
    fn channels_a_row_each_with_the_engines_figures() {
        let s = summary();
        let t = table("channels", Lang::En);
        assert_eq!(t.caption, "Performance by channel");
        assert_eq!(t.head, ["Channel", "Customer conversion (%)", "Revenue (€)"]);
        assert_eq!(t.rows.len(), s.by_channel.len());
        for (row, g) in t.rows.iter().zip(&s.by_channel) {
            assert_eq!(row[0], g.label);
            assert_eq!(format!("€{}", row[2]), Lang::En.money(g.revenue_cents), "{row:?}");
        }
        assert_eq!(t.empty, None);
    }

    #[test]
    fn euros_have_their_cents_even_when_round() {
        let mut s = summary();
        for (k, g) in s.by_channel.iter_mut().enumerate() {
            g.revenue_cents = 12_000 + 70 * k as i64;
        }
        let t = table_of(&s, "channels", Lang::Fr);
        let revenue: Vec<&str> = t.rows.iter().map(|r| r[2].as_str()).collect();
        assert_eq!(revenue[..2], ["120,00", "120,70"]);
        // Not euros: the decimals the column needs.
        let t = table("ages", Lang::En);
        assert!(t.rows.iter().all(|r| !r[1].contains('.')), "{t:?}");
    }

    #[test]
    fn a_pies_shares_and_a_funnels_steps() {
        let s = summary();
        let pie = table("channel-share", Lang::Fr);
        assert_eq!(pie.head, ["Canal", "Clients", "Part"]);
        let customers: u64 = s.by_channel.iter().map(|g| g.customers).sum();
        for (row, g) in pie.rows.iter().zip(&s.by_channel) {
            assert_eq!(row[1], Lang::Fr.int(g.customers));
            assert_eq!(row[2], Lang::Fr.percent(g.customers, customers));
        }
        let funnel = table("funnel", Lang::En);
        let all = &s.funnel[0];
        assert_eq!(funnel.rows[0], ["Visit", &Lang::En.int(all.sessions_view), "100.0%"]);
        assert_eq!(
            funnel.rows[2][2],
            Lang::En.percent(all.sessions_purchase, all.sessions_view)
        );
    }

    #[test]
    fn the_rfm_grid_reads_as_drawn_r_down_from_5_f_across() {
        let s = summary();
        let t = table("rfm-grid", Lang::Fr);
        assert_eq!(
            t.head,
            ["R × F", "F\u{a0}1", "F\u{a0}2", "F\u{a0}3", "F\u{a0}4", "F\u{a0}5"]
        );
        let down: Vec<&str> = t.rows.iter().map(|r| r[0].as_str()).collect();
        assert_eq!(down, ["R\u{a0}5", "R\u{a0}4", "R\u{a0}3", "R\u{a0}2", "R\u{a0}1"]);
        for (row, r) in t.rows.iter().zip((0..5).rev()) {
            for f in 0..5 {
                assert_eq!(row[f + 1], Lang::Fr.int(s.rfm_grid[r][f]), "R {} F {}", r + 1, f + 1);
            }
        }
        // The note keeps its no-break spaces (`F 2`, ` :`), on one line.
        assert!(
            t.notes.iter().any(|n| n.contains("F\u{a0}2") && !n.contains('\n')),
            "{:?}",
            t.notes
        );
    }

    #[test]
    fn every_day_is_a_row_of_the_daily_table() {
        let s = summary();
        let t = table("daily", Lang::En);
        assert_eq!(t.rows.len(), s.daily.len());
        assert_eq!(t.head, ["Day", "Interactions", "Revenue (€)", "Purchases", "Buyers"]);
        let d = s
            .daily
            .iter()
            .position(|d| d.purchases > 0)
            .expect("a day with a purchase");
        let (row, day) = (&t.rows[d], &s.daily[d]);
        assert_eq!(row[0], Lang::En.date(day.day));
        assert_eq!(row[1], Lang::En.int(day.interactions));
        assert_eq!(format!("€{}", row[2]), Lang::En.money(day.revenue_cents));
        assert_eq!(row[3], Lang::En.int(day.purchases));
    }

    #[test]
    fn the_rfm_bars_keep_the_note_on_customers_who_never_bought() {
        let t = table("rfm", Lang::Fr);
        assert_eq!(t.head[0], "Segment RFM");
        assert!(
            t.notes.iter().any(|n| n.starts_with("Jamais acheté\u{a0}:")),
            "{:?}",
            t.notes
        );
    }

    #[test]
    fn an_empty_chart_gives_its_message_and_no_row() {
        let mut s = summary();
        for g in &mut s.by_channel {
            g.customers = 0;
            g.active_customers = 0;
            g.buyers = 0;
            g.revenue_cents = 0;
        }
        for name in ["channel-share", "channels"] {
            let t = table_of(&s, name, Lang::En);
            assert!(t.rows.is_empty(), "{name}: {t:?}");
            assert_eq!(
                t.empty.as_deref(),
                Some(crate::charts::nothing_selected(Lang::En)),
                "{name}"
            );
        }
        s.daily.clear();
        let t = table_of(&s, "daily", Lang::Fr);
        assert!(t.rows.is_empty() && t.empty.is_some(), "{t:?}");
    }

    #[test]
    fn every_chart_has_a_table_with_a_heading_per_column() {
        for l in [Lang::Fr, Lang::En] {
            for spec in SECTIONS.iter().flat_map(|(_, specs)| specs.iter()) {
                let t = table(spec.name, l);
                assert!(!t.caption.is_empty(), "{}", spec.name);
                assert!(!t.rows.is_empty(), "{}: {t:?}", spec.name);
                assert!(t.head.iter().all(|h| !h.is_empty()), "{}: {:?}", spec.name, t.head);
                assert!(t.rows.iter().all(|r| r.len() == t.head.len()), "{}", spec.name);
            }
        }
    }
}
