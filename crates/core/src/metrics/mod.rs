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
    /// First day (inclusive); the dataset's period start when `None` (the manifest
    /// writes it as a date, see `export::tables::ManifestFilter`).
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
    /// Distinct customers with a purchase that day.
    pub buyers: u64,
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
    /// Whether there is a period (see [`Dataset::dated`]; a filter's dates give one):
    /// without one, `from` and `to` mean nothing and `daily` is empty.
    pub dated: bool,
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
pub const AGE_BANDS: [(u8, &str); 8] = [
    (0, "0-17"),
    (18, "18-24"),
    (25, "25-34"),
    (35, "35-44"),
    (45, "45-54"),
    (55, "55-64"),
    (65, "65+"),
    // Customers without an age (an empty cell in their file).
    (crate::model::NO_AGE, "unknown"),
];

/// Index of the age band of `age`.
pub fn age_band(age: u8) -> usize {
    AGE_BANDS.iter().rposition(|(lo, _)| age >= *lo).unwrap_or(0)
}

/// Per-customer activity in the selection, one record per customer: the row pass
/// reads and updates a row's customer in one cache line.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CustomerActivity {
    /// Revenue in cents.
    pub revenue: i64,
    /// Interactions in the selection.
    pub interactions: u32,
    /// Purchases.
    pub purchases: u32,
    /// Day of the last purchase (`i32::MIN` if none).
    pub last_purchase: i32,
    /// Acquisition channel, for the funnel of its sessions.
    channel: u32,
    /// Whether the customer is in the selection.
    pub selected: bool,
    /// Days (indexes in the period) counted as active, for daily distinct customers:
    /// one bit per day for periods of up to [`MARKED_DAYS`] days, else the last one
    /// plus one (rows then come grouped by day).
    days: u128,
}

/// Periods up to this many days have each customer's active days marked in a bit
/// set, and their rows are read in file order; longer ones are grouped by day first.
const MARKED_DAYS: usize = 128;

/// Per-customer activity of the whole selection.
pub(crate) struct Activity {
    /// By customer row.
    pub customers: Vec<CustomerActivity>,
}

/// What one share of the customers contributes to the daily series and the funnel.
struct Share {
    daily: Vec<DailyRow>,
    /// Per session code (0: no row): bit 0 seen, bit 1 reached cart, bit 2
    /// purchased; above them the channel of its first row in this share's customers
    /// (bits 3 to 31), and that row (from bit [`FIRST_ROW`]; rows are numbered in u32).
    sessions: Vec<u64>,
}

/// Where a session record's first row starts (see `Share::sessions`).
const FIRST_ROW: u32 = 32;

/// Joins two shares' record of a session: the stages either reached, and the
/// channel and row of the earlier first row.
fn join_session(a: u64, b: u64) -> u64 {
    let first = if a == 0 || (b != 0 && b >> FIRST_ROW < a >> FIRST_ROW) {
        b
    } else {
        a
    };
    first & !7 | (a | b) & 7
}

/// Sessions per piece when the shares' session records are joined and counted
/// (a few in tests, so that their small datasets take several pieces too).
const SESSION_PIECE: usize = if cfg!(test) { 3 } else { 1 << 18 };

/// How many rows ahead the row pass fetches a row's customer record.
const AHEAD: usize = 16;

/// Computes every metric of `ds` restricted by `filter`.
pub fn compute(ds: &Dataset, filter: &Filter) -> Report {
    compute_in(ds, filter, crate::par::threads())
}

/// [`compute`] with the customers split in `shares` (the result does not depend on it).
fn compute_in(ds: &Dataset, filter: &Filter, shares: usize) -> Report {
    let c = &ds.customers;
    let t = &ds.interactions;
    let from = filter.from.unwrap_or(ds.from);
    let to = filter.to.unwrap_or(ds.to).max(from);
    let keep = |list: &Option<Vec<u32>>, code: u32| list.as_ref().is_none_or(|l| l.contains(&code));
    let n = c.len();
    let mut act = Activity {
        customers: (0..n)
            .map(|i| CustomerActivity {
                last_purchase: i32::MIN,
                channel: c.channel[i],
                selected: keep(&filter.channels, c.channel[i]) && keep(&filter.segments, c.segment[i]),
                ..CustomerActivity::default()
            })
            .collect(),
    };
    let dated = ds.dated || filter.from.is_some() || filter.to.is_some();
    let ndays = if dated { (to - from + 1) as usize } else { 0 };
    let mut kpis = Kpis {
        customers: act.customers.iter().filter(|a| a.selected).count() as u64,
        ..Kpis::default()
    };
    let (lo, hi) = (from as i64 * DAY, (to as i64 + 1) * DAY);
    let order = (ndays > MARKED_DAYS).then(|| day_order(&t.ts, lo, hi, ndays));
    // Each thread takes a share of the customers (so each customer's record belongs
    // to one thread) and goes through all rows. A session id may be shared by
    // customers of several shares (in a user's file): the shares' records of the
    // sessions are joined afterwards.
    let share_len = n.div_ceil(shares.max(1)).max(1);
    let shares = crate::par::map_chunks(&mut act.customers, share_len, |k, mine| {
        row_pass(ds, mine, k * share_len, order.as_deref(), (lo, hi, from, ndays))
    });
    let mut daily: Vec<DailyRow> = (0..ndays)
        .map(|d| DailyRow {
            day: from + d as i32,
            ..DailyRow::default()
        })
        .collect();
    let nchannels = c.channels.len();
    // Each channel needs a customer of its own, and a session record holds 29 bits of it.
    debug_assert!(nchannels < 1 << (FIRST_ROW - 3));
    let mut funnel: Vec<FunnelRow> = std::iter::once("all")
        .chain(c.channels.labels().iter().map(String::as_str))
        .map(|l| FunnelRow {
            label: l.to_string(),
            ..FunnelRow::default()
        })
        .collect();
    for share in &shares {
        for (day, part) in daily.iter_mut().zip(&share.daily) {
            day.interactions += part.interactions;
            day.page_views += part.page_views;
            day.carts += part.carts;
            day.purchases += part.purchases;
            day.revenue_cents += part.revenue_cents;
            day.active_customers += part.active_customers;
            day.buyers += part.buyers;
        }
    }
    // A session counts once, for the channel of the customer of its first row: the
    // shares' records of each session are joined and counted, in pieces.
    let records: Vec<&[u64]> = shares.iter().map(|s| &s.sessions[..]).collect();
    let count = records.first().map_or(0, |r| r.len());
    let pieces = crate::par::map(count.div_ceil(SESSION_PIECE), |k| {
        // Per funnel row: sessions with a view, a cart, a purchase.
        let mut rows = vec![[0u64; 3]; nchannels + 1];
        for i in k * SESSION_PIECE..((k + 1) * SESSION_PIECE).min(count) {
            let s = records.iter().fold(0, |joined, r| join_session(joined, r[i]));
            if s == 0 {
                continue;
            }
            let ch = ((s >> 3) & ((1 << (FIRST_ROW - 3)) - 1)) as usize;
            let reached = [1, (s & 2 != 0) as u64, (s & 4 != 0) as u64];
            for row in [0, ch + 1] {
                for (n, r) in rows[row].iter_mut().zip(reached) {
                    *n += r;
                }
            }
        }
        rows
    });
    // The session records are large: their memory goes back before the RFM tables.
    drop(records);
    drop(shares);
    for rows in &pieces {
        for (f, counts) in funnel.iter_mut().zip(rows) {
            f.sessions_view += counts[0];
            f.sessions_cart += counts[1];
            f.sessions_purchase += counts[2];
        }
    }
    kpis.sessions = funnel[0].sessions_view;
    kpis.sessions_with_purchase = funnel[0].sessions_purchase;
    for d in &daily {
        kpis.interactions += d.interactions;
        kpis.purchases += d.purchases;
        kpis.revenue_cents += d.revenue_cents;
    }
    // The RFM scores (sorts) beside the group tables (passes over the customers).
    let band_labels: Vec<String> = AGE_BANDS.iter().map(|(_, l)| l.to_string()).collect();
    let (rfm, (mut by_channel, by_segment, by_age_band)) = crate::par::join(
        || score_rfm(&act, to),
        || {
            (
                groups(c.channels.labels(), &act, |i| c.channel[i] as usize),
                groups(c.segments.labels(), &act, |i| c.segment[i] as usize),
                groups(&band_labels, &act, |i| age_band(c.age[i])),
            )
        },
    );
    for row in &by_channel {
        kpis.active_customers += row.active_customers;
        kpis.buyers += row.buyers;
    }
    // Keep channels that have customers, and funnel rows of channels that have sessions
    // or customers, in dictionary order.
    let has_customers: Vec<bool> = {
        let mut v = vec![false; nchannels];
        for a in act.customers.iter().filter(|a| a.selected) {
            v[a.channel as usize] = true;
        }
        v
    };
    let funnel = funnel
        .into_iter()
        .enumerate()
        .filter(|(row, f)| *row == 0 || f.sessions_view > 0 || has_customers[row - 1])
        .map(|(_, f)| f)
        .collect();
    by_channel.retain(|g| g.customers > 0);
    let by_segment = by_segment.into_iter().filter(|g| g.customers > 0).collect();
    let by_age_band = by_age_band.into_iter().filter(|g| g.customers > 0).collect();
    Report {
        from,
        to,
        dated,
        kpis,
        by_channel,
        by_segment,
        by_age_band,
        daily,
        funnel,
        rfm,
    }
}

/// The rows inside `[lo, hi)` grouped by day, in file order within a day (a counting
/// sort): daily distinct customers are then counted with one "last day" per customer.
fn day_order(ts: &crate::model::Ints, lo: i64, hi: i64, ndays: usize) -> Vec<u32> {
    let day = |t: i64| (t >= lo && t < hi).then(|| ((t - lo) / DAY) as usize);
    let mut starts = vec![0usize; ndays + 1];
    for t in ts.iter() {
        if let Some(d) = day(t) {
            starts[d + 1] += 1;
        }
    }
    for d in 0..ndays {
        starts[d + 1] += starts[d];
    }
    let mut order = vec![0u32; starts[ndays]];
    for (i, t) in ts.iter().enumerate() {
        if let Some(d) = day(t) {
            order[starts[d]] = i as u32;
            starts[d] += 1;
        }
    }
    order
}

/// The row pass for the customers `mine`, the first being customer `base`: their
/// records, and their share of the daily series and of the sessions.
fn row_pass(
    ds: &Dataset,
    mine: &mut [CustomerActivity],
    base: usize,
    order: Option<&[u32]>,
    (lo, hi, from, ndays): (i64, i64, i32, usize),
) -> Share {
    let t = &ds.interactions;
    let mut daily = vec![DailyRow::default(); ndays];
    // Per session: see `Share::sessions`.
    let mut sessions = vec![0u64; t.session_ids.len()];
    // Per purchase its day and customer (day above), for the day's distinct buyers:
    // purchases are a few rows in a hundred, so sorting them costs little.
    let mut bought: Vec<u64> = Vec::new();
    let len = mine.len();
    let own = |i: usize| (t.customer[i] as usize).checked_sub(base).filter(|&c| c < len);
    // Rows in file order, or grouped by day.
    let count = order.map_or(t.len(), <[u32]>::len);
    let row = |p: usize| order.map_or(p, |o| o[p] as usize);
    for p in 0..count {
        if let Some(c) = (p + AHEAD < count).then(|| own(row(p + AHEAD))).flatten() {
            crate::prefetch::prefetch(&mine[c]);
        }
        let i = row(p);
        let Some(c) = own(i) else { continue };
        let a = &mut mine[c];
        let ts = t.ts.get(i);
        if !a.selected || ts < lo || ts >= hi {
            continue;
        }
        let d = ((ts - lo) / DAY) as usize;
        let day = &mut daily[d];
        let first_that_day = if order.is_some() {
            std::mem::replace(&mut a.days, d as u128 + 1) != d as u128 + 1
        } else {
            let (bit, before) = (1u128 << d, a.days);
            a.days |= bit;
            before & bit == 0
        };
        day.active_customers += first_that_day as u64;
        day.interactions += 1;
        a.interactions += 1;
        let s = &mut sessions[t.session[i] as usize];
        // Rows in file order come first to last; grouped by day, they may not.
        let here = (i as u64) << FIRST_ROW;
        if *s == 0 || here < *s & !((1 << FIRST_ROW) - 1) {
            *s = here | (a.channel as u64) << 3 | *s & 7;
        }
        *s |= 1;
        match Action::from_code(t.action[i]) {
            Action::View => day.page_views += 1,
            Action::Cart => {
                day.carts += 1;
                *s |= 2;
            }
            Action::Purchase => {
                day.purchases += 1;
                day.revenue_cents += t.amount.get(i);
                a.purchases += 1;
                a.revenue += t.amount.get(i);
                a.last_purchase = a.last_purchase.max(from + d as i32);
                bought.push((d as u64) << 32 | c as u64);
                *s |= 6;
            }
        }
    }
    bought.sort_unstable();
    bought.dedup();
    for key in bought {
        daily[(key >> 32) as usize].buyers += 1;
    }
    Share { daily, sessions }
}

fn groups(labels: &[String], act: &Activity, group_of: impl Fn(usize) -> usize) -> Vec<GroupRow> {
    let mut rows: Vec<GroupRow> = labels
        .iter()
        .map(|l| GroupRow {
            label: l.clone(),
            ..GroupRow::default()
        })
        .collect();
    for (i, a) in act.customers.iter().enumerate() {
        if !a.selected {
            continue;
        }
        let Some(g) = rows.get_mut(group_of(i)) else {
            continue;
        };
        g.customers += 1;
        g.active_customers += (a.interactions > 0) as u64;
        g.buyers += (a.purchases > 0) as u64;
        g.interactions += a.interactions as u64;
        g.purchases += a.purchases as u64;
        g.revenue_cents += a.revenue;
    }
    rows
}

#[cfg(test)]
mod tests;
