//! A chart's numbers as a table, for whoever cannot use the drawing: a screen
//! reader, a keyboard, a reader who wants the exact figure. The table is read from
//! the chart's own option (its JSON), so it says what the chart draws.

use crate::i18n::Lang;
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
    /// The headings of a chart along a category axis: its rows' only (a heatmap's
    /// axes name its own).
    pub const fn along(rows: &'static str) -> Heads {
        Heads {
            rows,
            value: "",
            share: "",
        }
    }
}

/// A chart as a table.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct DataTable {
    /// The chart's title.
    pub caption: String,
    /// The column headings.
    pub head: Vec<String>,
    /// The cells, formatted in the page's language.
    pub rows: Vec<Vec<String>>,
    /// Why the chart shows nothing (its own message), when it has no row.
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
            table.notes.push(note.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        // (The message a chart shows in its middle when it has nothing to draw.)
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

/// A cell's text: the number with `decimals` decimals (0 to 2), a dash for none.
fn cell(v: Option<f64>, decimals: u32, l: Lang) -> String {
    let Some(x) = v.filter(|x| x.is_finite()) else {
        return "–".to_string();
    };
    let scale = 10u64.pow(decimals);
    let units = (x.abs() * scale as f64).round() as u64;
    let sign = if x < 0.0 && units > 0 { "-" } else { "" };
    let whole = l.int(units / scale);
    if decimals == 0 {
        return format!("{sign}{whole}");
    }
    let mark = if l == Lang::Fr { ',' } else { '.' };
    format!(
        "{sign}{whole}{mark}{:0width$}",
        units % scale,
        width = decimals as usize
    )
}

/// The decimals a column needs (up to two): so that `479,7` and `59,72` of one
/// column of euros read `479,70` and `59,72`.
fn decimals(values: impl Iterator<Item = Option<f64>>) -> u32 {
    values
        .flatten()
        .map(|x| match (x.abs() * 100.0).round() as u64 {
            h if h % 100 == 0 => 0,
            h if h % 10 == 0 => 1,
            _ => 2,
        })
        .max()
        .unwrap_or(0)
}

/// A column's cells, all with the decimals the column needs.
fn column(values: &[Option<f64>], l: Lang) -> Vec<String> {
    let d = decimals(values.iter().copied());
    values.iter().map(|&v| cell(v, d, l)).collect()
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
    let shown = column(&values.iter().map(|&v| Some(v)).collect::<Vec<_>>(), l);
    for ((p, v), text) in points.iter().zip(values).zip(shown) {
        let name = p["name"].as_str().unwrap_or_default().to_string();
        table
            .rows
            .push(vec![name, text, l.percent(v.max(0.0) as u64, whole.max(0.0) as u64)]);
    }
}

/// A heatmap: its y axis's categories down, its x axis's across, each cell's value.
fn grid(table: &mut DataTable, option: &Value, series: &Value, l: Lang) {
    let (Some(x), Some(y)) = (
        as_list(&option["xAxis"]).first().copied(),
        as_list(&option["yAxis"]).first().copied(),
    ) else {
        return;
    };
    let names = |axis: &Value| -> Vec<String> { as_list(&axis["data"]).iter().map(|c| category(c)).collect() };
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
    let axis_name = |axis: &Value| axis["name"].as_str().unwrap_or_default().to_string();
    table.head = std::iter::once(format!("{} \\ {}", axis_name(y), axis_name(x)))
        .chain(across.iter().cloned())
        .collect();
    let d = decimals(cells.iter().flatten().copied());
    table.rows = down
        .into_iter()
        .zip(cells)
        .map(|(name, row)| {
            std::iter::once(name)
                .chain(row.into_iter().map(|v| cell(v, d, l)))
                .collect()
        })
        .collect();
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

/// Bars and lines along a category axis: a row per category, a column per series.
fn by_category(table: &mut DataTable, option: &Value, series: &[&Value], heads: Heads, l: Lang) {
    let is_category = |a: &&Value| a["type"] == "category";
    let axis = as_list(&option["xAxis"])
        .into_iter()
        .find(is_category)
        .or_else(|| as_list(&option["yAxis"]).into_iter().find(is_category));
    let Some(axis) = axis else { return };
    table.head = std::iter::once(l.t(heads.rows).to_string())
        .chain(
            series
                .iter()
                .map(|s| s["name"].as_str().unwrap_or_default().to_string()),
        )
        .collect();
    let categories = as_list(&axis["data"]);
    let columns: Vec<Vec<String>> = series
        .iter()
        .map(|s| {
            let data = as_list(&s["data"]);
            let values: Vec<Option<f64>> = (0..categories.len())
                .map(|i| data.get(i).and_then(|v| value_of(v)))
                .collect();
            column(&values, l)
        })
        .collect();
    table.rows = categories
        .into_iter()
        .enumerate()
        .map(|(i, c)| {
            std::iter::once(category(c))
                .chain(columns.iter().map(|col| col[i].clone()))
                .collect()
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::charts::tests::{json, summary};
    use crate::charts::SECTIONS;

    fn table(name: &str, l: Lang) -> DataTable {
        let s = summary();
        let spec = SECTIONS
            .iter()
            .flat_map(|(_, specs)| specs.iter())
            .find(|c| c.name == name)
            .expect("a chart");
        of(&json(&(spec.build)(&s, l)), spec.heads, l)
    }

    #[test]
    fn channels_a_row_each_with_the_engines_figures() {
        let s = summary();
        let t = table("channels", Lang::En);
        assert_eq!(t.caption, "Performance by channel");
        assert_eq!(t.head[0], "Channel");
        assert_eq!(t.head.len(), 3);
        assert_eq!(t.rows.len(), s.by_channel.len());
        for (row, g) in t.rows.iter().zip(&s.by_channel) {
            assert_eq!(row[0], g.label);
            assert_eq!(format!("€{}", row[2]), Lang::En.money(g.revenue_cents), "{row:?}");
        }
        assert_eq!(t.empty, None);
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
    fn the_rfm_grid_is_five_by_five_and_counts_every_buyer() {
        let s = summary();
        let t = table("rfm-grid", Lang::En);
        assert_eq!(t.head, ["R \\ F", "1", "2", "3", "4", "5"]);
        assert_eq!(t.rows.len(), 5);
        let counted: u64 = t
            .rows
            .iter()
            .flat_map(|r| r[1..].iter())
            .map(|c| c.replace(',', "").parse::<u64>().expect("a count"))
            .sum();
        let buyers = s.kpis.buyers;
        assert_eq!(counted, buyers);
        assert!(!t.notes.is_empty(), "the note on tied scores is kept: {t:?}");
    }

    #[test]
    fn every_day_is_a_row_of_the_daily_table() {
        let s = summary();
        let t = table("daily", Lang::Fr);
        assert_eq!(t.rows.len(), s.daily.len());
        assert_eq!(t.head.len(), 5, "{:?}", t.head);
        assert_eq!(t.rows[0][0], Lang::Fr.date(s.daily[0].day));
    }

    #[test]
    fn a_column_has_the_decimals_its_numbers_need() {
        let values = [Some(479.7), Some(59.72), None, Some(-0.001), Some(1234.0)];
        assert_eq!(
            column(&values, Lang::Fr),
            ["479,70", "59,72", "–", "0,00", "1\u{202f}234,00"]
        );
        assert_eq!(column(&[Some(25.3), Some(40.0)], Lang::En), ["25.3", "40.0"]);
        assert_eq!(column(&[Some(3.0), Some(1200.0)], Lang::En), ["3", "1,200"]);
    }

    #[test]
    fn an_empty_chart_gives_its_message_and_no_row() {
        let mut s = summary();
        for g in &mut s.by_channel {
            g.customers = 0;
        }
        let spec = &SECTIONS[0].1[1];
        let t = of(&json(&(spec.build)(&s, Lang::En)), spec.heads, Lang::En);
        assert!(t.rows.is_empty());
        assert_eq!(t.empty.as_deref(), Some(crate::charts::nothing_selected(Lang::En)));
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
