//! The marketing metrics, computed in one pass over the columns: KPIs, the
//! by-channel / by-segment / by-age-band tables, the daily series, the session
//! funnel and RFM. A [`Filter`] restricts them to a period, channels and segments.

mod rfm;

pub(crate) use rfm::score_rfm;
pub use rfm::{RfmRow, RfmSegment, RfmSegmentRow, RfmTable};

use crate::dates::DAY;
use crate::model::{Action, Dataset};

/// Which part of the dataset the metrics describe.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default)]
pub struct Filter {
    /// First day (inclusive); the dataset's period start when `None`.
    pub from: Option<i32>,
    /// Last day (inclusive); the dataset's period end when `None`.
    pub to: Option<i32>,
    /// Channel codes to keep; all when `None`.
    pub channels: Option<Vec<u32>>,
    /// Segment codes to keep; all when `None`.
    pub segments: Option<Vec<u32>>,
}

/// The headline numbers.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Kpis {
    /// Customers in the selection (whether or not they were active).
    pub customers: u64,
    /// Customers with at least one interaction in the period.
    pub active_customers: u64,
    /// Customers with at least one purchase in the period.
    pub buyers: u64,
    /// Interactions in the period.
    pub interactions: u64,
    /// Distinct sessions in the period.
    pub sessions: u64,
    /// Sessions with a purchase.
    pub sessions_with_purchase: u64,
    /// Purchases (`achat` rows).
    pub purchases: u64,
    /// Sum of purchase amounts, in cents.
    pub revenue_cents: i64,
}

/// One row of a by-channel, by-segment or by-age-band table.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupRow {
    /// The group's label.
    pub label: String,
    /// Customers in the group.
    pub customers: u64,
    /// Of them, active in the period.
    pub active_customers: u64,
    /// Of them, with a purchase.
    pub buyers: u64,
    /// Interactions of the group's customers.
    pub interactions: u64,
    /// Purchases.
    pub purchases: u64,
    /// Revenue in cents.
    pub revenue_cents: i64,
}

/// One day of the daily series.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct DailyRow {
    /// Days since 1970-01-01.
    pub day: i32,
    /// Interactions.
    pub interactions: u64,
    /// Page views.
    pub page_views: u64,
    /// Add-to-carts.
    pub carts: u64,
    /// Purchases.
    pub purchases: u64,
    /// Revenue in cents.
    pub revenue_cents: i64,
    /// Distinct customers with an interaction that day.
    pub active_customers: u64,
}

/// Sessions reaching each funnel stage, for all channels or one.
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FunnelRow {
    /// `all`, or the channel.
    pub label: String,
    /// Sessions (every session starts with a visit).
    pub sessions_view: u64,
    /// Sessions with a cart or a purchase.
    pub sessions_cart: u64,
    /// Sessions with a purchase.
    pub sessions_purchase: u64,
}

/// Every metric for one dataset and filter.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct Report {
    /// First day described.
    pub from: i32,
    /// Last day described (inclusive); RFM recency counts up to this day.
    pub to: i32,
    /// Headline numbers.
    pub kpis: Kpis,
    /// By acquisition channel, in dictionary order, non-empty groups only.
    pub by_channel: Vec<GroupRow>,
    /// By segment.
    pub by_segment: Vec<GroupRow>,
    /// By age band.
    pub by_age_band: Vec<GroupRow>,
    /// One row per day of the period.
    pub daily: Vec<DailyRow>,
    /// `all` first, then one row per channel.
    pub funnel: Vec<FunnelRow>,
    /// RFM per customer and per segment.
    pub rfm: RfmTable,
}

/// Age bands: lower bound and label.
pub const AGE_BANDS: [(u8, &str); 7] = [
    (0, "0-17"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
];

/// Index of the age band of `age`.
pub fn age_band(age: u8) -> usize {
    AGE_BANDS.iter().rposition(|(lo, _)| age >= *lo).unwrap_or(0)
}

/// Per-customer activity in the selection.
pub(crate) struct Activity {
    pub selected: Vec<bool>,
    pub interactions: Vec<u32>,
    pub purchases: Vec<u32>,
    pub revenue: Vec<i64>,
    pub last_purchase: Vec<i32>,
}

/// Computes every metric of `ds` restricted by `filter`.
pub fn compute(ds: &Dataset, filter: &Filter) -> Report {
    let c = &ds.customers;
    let t = &ds.interactions;
    let from = filter.from.unwrap_or(ds.from);
    let to = filter.to.unwrap_or(ds.to).max(from);
    let keep = |list: &Option<Vec<u32>>, code: u32| list.as_ref().is_none_or(|l| l.contains(&code));
    let n = c.len();
    let mut act = Activity {
        selected: (0..n)
            .map(|i| keep(&filter.channels, c.channel[i]) && keep(&filter.segments, c.segment[i]))
            .collect(),
        interactions: vec![0; n],
        purchases: vec![0; n],
        revenue: vec![0; n],
        last_purchase: vec![i32::MIN; n],
    };
    let ndays = (to - from + 1) as usize;
    let mut daily: Vec<DailyRow> = (0..ndays)
        .map(|d| DailyRow {
            day: from + d as i32,
            ..DailyRow::default()
        })
        .collect();
    // Session flags: 1 = seen, 2 = reached cart, 4 = purchased; and the session's channel.
    let mut session_flags = vec![0u8; t.session_ids.len()];
    let mut session_channel = vec![0u32; t.session_ids.len()];
    let mut kpis = Kpis {
        customers: act.selected.iter().filter(|&&s| s).count() as u64,
        ..Kpis::default()
    };
    let (lo, hi) = (from as i64 * DAY, (to as i64 + 1) * DAY);
    // Rows of the selection, grouped by day (counting sort) so that daily distinct
    // customers can be counted with one "last day seen" marker per customer.
    let mut rows_by_day: Vec<Vec<u32>> = vec![Vec::new(); ndays];
    for i in 0..t.len() {
        let cust = t.customer[i] as usize;
        let ts = t.ts[i];
        if ts < lo || ts >= hi || !act.selected[cust] {
            continue;
        }
        rows_by_day[((ts - lo) / DAY) as usize].push(i as u32);
    }
    let mut last_day_seen = vec![-1i32; n];
    for (d, rows) in rows_by_day.iter().enumerate() {
        let day = &mut daily[d];
        for &i in rows {
            let i = i as usize;
            let cust = t.customer[i] as usize;
            if last_day_seen[cust] != d as i32 {
                last_day_seen[cust] = d as i32;
                day.active_customers += 1;
            }
            day.interactions += 1;
            act.interactions[cust] += 1;
            let s = t.session[i] as usize;
            if session_flags[s] == 0 {
                session_channel[s] = c.channel[cust];
            }
            session_flags[s] |= 1;
            match Action::from_code(t.action[i]) {
                Action::View => day.page_views += 1,
                Action::Cart => {
                    day.carts += 1;
                    session_flags[s] |= 2;
                }
                Action::Purchase => {
                    day.purchases += 1;
                    day.revenue_cents += t.amount[i];
                    act.purchases[cust] += 1;
                    act.revenue[cust] += t.amount[i];
                    act.last_purchase[cust] = act.last_purchase[cust].max(from + d as i32);
                    session_flags[s] |= 6;
                }
            }
        }
    }
    drop(rows_by_day);
    for d in &daily {
        kpis.interactions += d.interactions;
        kpis.purchases += d.purchases;
        kpis.revenue_cents += d.revenue_cents;
    }
    let nchannels = c.channels.len();
    let mut funnel: Vec<FunnelRow> = std::iter::once("all")
        .chain(c.channels.labels().iter().map(String::as_str))
        .map(|l| FunnelRow {
            label: l.to_string(),
            ..FunnelRow::default()
        })
        .collect();
    let mut used_channels = vec![false; nchannels];
    for (s, &flags) in session_flags.iter().enumerate() {
        if flags == 0 {
            continue;
        }
        kpis.sessions += 1;
        kpis.sessions_with_purchase += (flags & 4 != 0) as u64;
        let ch = session_channel[s] as usize;
        used_channels[ch] = true;
        for row in [0, ch + 1] {
            let f = &mut funnel[row];
            f.sessions_view += 1;
            f.sessions_cart += (flags & 2 != 0) as u64;
            f.sessions_purchase += (flags & 4 != 0) as u64;
        }
    }
    let mut by_channel = groups(c.channels.labels(), &act, |i| c.channel[i] as usize);
    let by_segment = groups(c.segments.labels(), &act, |i| c.segment[i] as usize);
    let band_labels: Vec<String> = AGE_BANDS.iter().map(|(_, l)| l.to_string()).collect();
    let by_age_band = groups(&band_labels, &act, |i| age_band(c.age[i]));
    for row in &by_channel {
        kpis.active_customers += row.active_customers;
        kpis.buyers += row.buyers;
    }
    // Keep channels that have customers, and funnel rows of channels that have sessions
    // or customers, in dictionary order.
    let has_customers: Vec<bool> = {
        let mut v = vec![false; nchannels];
        for (i, &sel) in act.selected.iter().enumerate() {
            if sel {
                v[c.channel[i] as usize] = true;
            }
        }
        v
    };
    let funnel = funnel
        .into_iter()
        .enumerate()
        .filter(|(row, _)| *row == 0 || used_channels[row - 1] || has_customers[row - 1])
        .map(|(_, f)| f)
        .collect();
    by_channel.retain(|g| g.customers > 0);
    let by_segment = by_segment.into_iter().filter(|g| g.customers > 0).collect();
    let by_age_band = by_age_band.into_iter().filter(|g| g.customers > 0).collect();
    let rfm = score_rfm(&act, to);
    Report {
        from,
        to,
        kpis,
        by_channel,
        by_segment,
        by_age_band,
        daily,
        funnel,
        rfm,
    }
}

fn groups(labels: &[String], act: &Activity, group_of: impl Fn(usize) -> usize) -> Vec<GroupRow> {
    let mut rows: Vec<GroupRow> = labels
        .iter()
        .map(|l| GroupRow {
            label: l.clone(),
            ..GroupRow::default()
        })
        .collect();
    for i in 0..act.selected.len() {
        if !act.selected[i] {
            continue;
        }
        let Some(g) = rows.get_mut(group_of(i)) else {
            continue;
        };
        g.customers += 1;
        g.active_customers += (act.interactions[i] > 0) as u64;
        g.buyers += (act.purchases[i] > 0) as u64;
        g.interactions += act.interactions[i] as u64;
        g.purchases += act.purchases[i] as u64;
        g.revenue_cents += act.revenue[i];
    }
    rows
}

#[cfg(test)]
mod tests;
