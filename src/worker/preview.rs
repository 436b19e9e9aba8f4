//! The data preview: cleaned interactions joined with their customers, a page at a
//! time, sorted by any column. Sorting is a plain function, tested natively.

use numberly_core::dates::write_timestamp;
use numberly_core::ids::IdColumn;
use numberly_core::model::{Action, Dataset};
use numberly_core::text::push_cents;
use serde::{Deserialize, Serialize};

/// The preview's columns, in the original demo's order.
pub const COLUMNS: [&str; 9] = [
    "interaction_id",
    "client_id",
    "type_action",
    "valeur_achat",
    "date",
    "age",
    "ville",
    "segment",
    "canal_acquisition",
];

/// Rows per page.
pub const PAGE_ROWS: usize = 25;

/// A page request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PreviewQuery {
    /// Page number, from 0.
    pub page: usize,
    /// Column to sort by (index into [`COLUMNS`]); file order when `None`.
    pub sort: Option<usize>,
    /// Descending order.
    pub descending: bool,
}

/// One page of the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewPage {
    /// The query this answers.
    pub query: PreviewQuery,
    /// Rows in all.
    pub total: usize,
    /// The page's cells, as text.
    pub rows: Vec<Vec<String>>,
}

/// Rank of each code of a dictionary when its labels are sorted.
fn label_ranks(labels: &[String]) -> Vec<u32> {
    let mut order: Vec<usize> = (0..labels.len()).collect();
    order.sort_by(|&a, &b| labels[a].cmp(&labels[b]));
    let mut rank = vec![0u32; labels.len()];
    for (r, &code) in order.iter().enumerate() {
        rank[code] = r as u32;
    }
    rank
}

/// Row order for `column`, ascending, ties in file order (a stable sort).
pub fn sorted_rows(ds: &Dataset, ids: &IdColumn, column: usize) -> Vec<u32> {
    let t = &ds.interactions;
    let c = &ds.customers;
    let mut rows: Vec<u32> = (0..t.len() as u32).collect();
    let cust = |i: u32| t.customer[i as usize] as usize;
    match column {
        1 => {
            // Sort customers by the id text shown (a pseudonym when pseudonymised).
            let mut order: Vec<usize> = (0..c.len()).collect();
            order.sort_by_cached_key(|&k| ids.get(k));
            let mut rank = vec![0u32; c.len()];
            for (r, &k) in order.iter().enumerate() {
                rank[k] = r as u32;
            }
            rows.sort_by_key(|&i| rank[cust(i)]);
        }
        2 => rows.sort_by_key(|&i| Action::from_code(t.action[i as usize]).label()),
        3 => rows.sort_by_key(|&i| t.amount.get(i as usize)),
        4 => rows.sort_by_key(|&i| t.ts.get(i as usize)),
        5 => rows.sort_by_key(|&i| c.age[cust(i)]),
        6 => {
            let rank = label_ranks(c.villes.labels());
            rows.sort_by_key(|&i| rank[c.ville[cust(i)] as usize]);
        }
        7 => {
            let rank = label_ranks(c.segments.labels());
            rows.sort_by_key(|&i| rank[c.segment[cust(i)] as usize]);
        }
        8 => {
            let rank = label_ranks(c.channels.labels());
            rows.sort_by_key(|&i| rank[c.channel[cust(i)] as usize]);
        }
        _ => {}
    }
    rows
}

/// The cells of row `i`, as text; `ids` are the customer ids to show.
pub fn cells(ds: &Dataset, ids: &IdColumn, i: usize) -> Vec<String> {
    let t = &ds.interactions;
    let c = &ds.customers;
    let k = t.customer[i] as usize;
    let action = Action::from_code(t.action[i]);
    let mut amount = Vec::new();
    if action == Action::Purchase {
        push_cents(&mut amount, t.amount.get(i));
    }
    let mut when = Vec::new();
    write_timestamp(&mut when, t.ts.get(i));
    vec![
        t.id.get(i),
        ids.get(k),
        action.label().to_string(),
        String::from_utf8_lossy(&amount).into_owned(),
        String::from_utf8_lossy(&when).into_owned(),
        match c.age[k] {
            numberly_core::model::NO_AGE => String::new(),
            age => age.to_string(),
        },
        c.villes.label(c.ville[k]).to_string(),
        c.segments.label(c.segment[k]).to_string(),
        c.channels.label(c.channel[k]).to_string(),
    ]
}

/// The page for `query`, given the row order of its sort column (`None`: file order).
pub fn page(ds: &Dataset, ids: &IdColumn, order: Option<&[u32]>, query: PreviewQuery) -> PreviewPage {
    let total = ds.interactions.len();
    let start = (query.page * PAGE_ROWS).min(total);
    let end = (start + PAGE_ROWS).min(total);
    let at = |p: usize| {
        let p = if query.descending { total - 1 - p } else { p };
        order.map_or(p, |o| o[p] as usize)
    };
    PreviewPage {
        query,
        total,
        rows: (start..end).map(|p| cells(ds, ids, at(p))).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numberly_core::clean::CleanOptions;
    use numberly_core::generate::GenerateOptions;
    use numberly_core::pipeline::{prepare, Source};

    fn dataset() -> Dataset {
        let opts = GenerateOptions {
            customers: 200,
            interactions: 2_000,
            ..GenerateOptions::default()
        };
        prepare(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {})
            .expect("runs")
            .dataset
    }

    #[test]
    fn sorted_pages_are_in_order_both_ways() {
        let ds = dataset();
        // Numbers compare as numbers (an empty amount counts as 0), text as text.
        let cmp = |a: &str, b: &str| match (a.parse::<f64>().ok(), b.parse::<f64>().ok()) {
            (Some(x), Some(y)) => x.total_cmp(&y),
            (None, Some(y)) if a.is_empty() => 0f64.total_cmp(&y),
            (Some(x), None) if b.is_empty() => x.total_cmp(&0.0),
            _ => a.cmp(b),
        };
        for column in [3usize, 4, 5, 6, 8] {
            let order = sorted_rows(&ds, &ds.customers.id, column);
            for descending in [false, true] {
                let p = page(
                    &ds,
                    &ds.customers.id,
                    Some(&order),
                    PreviewQuery {
                        page: 0,
                        sort: Some(column),
                        descending,
                    },
                );
                assert_eq!(p.rows.len(), PAGE_ROWS);
                for pair in p.rows.windows(2) {
                    let o = cmp(&pair[0][column], &pair[1][column]);
                    let expected = if descending {
                        std::cmp::Ordering::Less
                    } else {
                        std::cmp::Ordering::Greater
                    };
                    assert_ne!(o, expected, "column {column}, descending {descending}: {pair:?}");
                }
            }
        }
    }

    #[test]
    fn the_last_page_is_short_and_rows_join_their_customer() {
        let ds = dataset();
        let last = (ds.interactions.len() - 1) / PAGE_ROWS;
        let p = page(
            &ds,
            &ds.customers.id,
            None,
            PreviewQuery {
                page: last,
                sort: None,
                descending: false,
            },
        );
        assert_eq!(p.rows.len(), ds.interactions.len() - last * PAGE_ROWS);
        let first = page(
            &ds,
            &ds.customers.id,
            None,
            PreviewQuery {
                page: 0,
                sort: None,
                descending: false,
            },
        );
        let i = 0;
        let k = ds.interactions.customer[i] as usize;
        assert_eq!(first.rows[0][1], ds.customers.id.get(k));
        assert_eq!(first.rows[0][5], ds.customers.age[k].to_string());
    }
}
