//! The metrics on a tiny dataset built through CSV and `clean`, every number
//! computed by hand in the comments.
//!
//! Period 2025-01-01 .. 2025-01-10 (10 days). Customers (dataset row, segment, channel):
//!
//! | row | id     | age | segment  | channel | activity                                  |
//! |-----|--------|-----|----------|---------|-------------------------------------------|
//! | 0   | C_0001 | 30  | Premium  | SEO     | S_01 (Jan 2: view, cart, buy 100.00),     |
//! |     |        |     |          |         | S_02 (Jan 8: view, buy 50.50, no cart)    |
//! | 1   | C_0002 | 45  | Standard | Email   | S_03 (Jan 2: view, cart, view),           |
//! |     |        |     |          |         | S_06 (Jan 10: view)                       |
//! | 2   | C_0003 | 22  | Standard | SEO     | S_04 (Jan 5: view, cart, buy 20.00)       |
//! | 3   | C_0004 | 67  | Basique  | Social  | S_05 (Jan 2: view)                        |
//! | 4   | C_0005 | 50  | Premium  | Direct  | nothing                                   |
//! | 5   | C_0006 | 35  | Basique  | Email   | S_07 (Jan 10: view, cart, buy 30.00)      |
//!
//! The rows of the file are deliberately not in time order, and on Jan 2 the
//! customers alternate (C1, C2, C1, C2, C1, C4, C2).

use super::*;
use crate::clean::{clean, CleanOptions};
use crate::dates::days_from_civil;
use crate::ingest::CsvFile;

const CLIENTS: &str = "client_id,age,ville,segment,canal_acquisition
C_0001,30,Paris,Premium,SEO
C_0002,45,Lyon,Standard,Email
C_0003,22,Nice,Standard,SEO
C_0004,67,Lille,Basique,Social
C_0005,50,Nantes,Premium,Direct
C_0006,35,Bordeaux,Basique,Email
";

const INTERACTIONS: &str = "interaction_id,client_id,session_id,type_action,valeur_achat,horodatage
I_01,C_0001,S_01,page_vue,,2025-01-02T10:00:00
I_02,C_0002,S_03,page_vue,,2025-01-02T11:00:00
I_03,C_0001,S_01,ajout_panier,,2025-01-02T10:01:00
I_04,C_0003,S_04,page_vue,,2025-01-05T20:00:00
I_05,C_0002,S_03,ajout_panier,,2025-01-02T11:02:00
I_06,C_0001,S_01,achat,100.00,2025-01-02T10:02:00
I_07,C_0004,S_05,page_vue,,2025-01-02T08:00:00
I_08,C_0003,S_04,ajout_panier,,2025-01-05T20:01:00
I_09,C_0003,S_04,achat,20.00,2025-01-05T20:03:00
I_10,C_0002,S_03,page_vue,,2025-01-02T11:10:00
I_11,C_0001,S_02,page_vue,,2025-01-08T09:00:00
I_12,C_0001,S_02,achat,50.50,2025-01-08T09:05:00
I_13,C_0002,S_06,page_vue,,2025-01-10T23:59:59
I_14,C_0006,S_07,page_vue,,2025-01-10T12:00:00
I_15,C_0006,S_07,ajout_panier,,2025-01-10T12:01:00
I_16,C_0006,S_07,achat,30.00,2025-01-10T12:02:00
";

fn day(d: u32) -> i32 {
    days_from_civil(2025, 1, d)
}

/// `CLIENTS` and an interactions file cleaned over the period; every row must be kept.
fn dataset_of(interactions: &str) -> Dataset {
    let opts = CleanOptions {
        from: Some(day(1)),
        to: Some(day(10)),
        ..CleanOptions::default()
    };
    let c = CsvFile::open("clients.csv", CLIENTS.as_bytes()).unwrap();
    let i = CsvFile::open("interactions.csv", interactions.as_bytes()).unwrap();
    let (ds, report) = clean(&c, &i, &opts).unwrap();
    assert_eq!(
        (report.clients.kept, report.interactions.kept),
        (6, interactions.lines().count() as u64 - 1),
        "nothing rejected"
    );
    ds
}

fn dataset() -> Dataset {
    dataset_of(INTERACTIONS)
}

fn group(label: &str, c: u64, active: u64, buyers: u64, interactions: u64, purchases: u64, rev: i64) -> GroupRow {
    GroupRow {
        label: label.to_string(),
        customers: c,
        active_customers: active,
        buyers,
        interactions,
        purchases,
        revenue_cents: rev,
    }
}

fn funnel_row(label: &str, view: u64, cart: u64, purchase: u64) -> FunnelRow {
    FunnelRow {
        label: label.to_string(),
        sessions_view: view,
        sessions_cart: cart,
        sessions_purchase: purchase,
    }
}

#[test]
fn kpis_of_the_whole_dataset() {
    let r = compute(&dataset(), &Filter::default());
    assert_eq!((r.from, r.to), (day(1), day(10)));
    assert_eq!(
        r.kpis,
        Kpis {
            customers: 6,
            // Everyone but C_0005.
            active_customers: 5,
            // C_0001, C_0003, C_0006.
            buyers: 3,
            interactions: 16,
            sessions: 7,
            // S_01, S_02, S_04, S_07.
            sessions_with_purchase: 4,
            purchases: 4,
            // 100.00 + 20.00 + 50.50 + 30.00
            revenue_cents: 20_050,
        }
    );
}

#[test]
fn groups_by_channel_segment_and_age_band() {
    let r = compute(&dataset(), &Filter::default());
    // SEO = C1 (5 rows, 2 purchases, 150.50) + C3 (3 rows, 1 purchase, 20.00);
    // Social = C4 (1 row); Email = C2 (4 rows) + C6 (3 rows, 30.00); Direct = C5 (idle).
    assert_eq!(
        r.by_channel,
        [
            group("SEO", 2, 2, 2, 8, 3, 17_050),
            group("Social", 1, 1, 0, 1, 0, 0),
            group("Email", 2, 2, 1, 7, 1, 3_000),
            group("Direct", 1, 0, 0, 0, 0, 0),
        ]
    );
    // Premium = C1 + C5; Standard = C2 + C3; Basique = C4 + C6.
    assert_eq!(
        r.by_segment,
        [
            group("Premium", 2, 1, 1, 5, 2, 15_050),
            group("Standard", 2, 2, 1, 7, 1, 2_000),
            group("Basique", 2, 2, 1, 4, 1, 3_000),
        ]
    );
    // Ages 22 | 30 | 35 | 45, 50 | 67; empty bands are left out.
    assert_eq!(
        r.by_age_band,
        [
            group("18-24", 1, 1, 1, 3, 1, 2_000),
            group("25-34", 1, 1, 1, 5, 2, 15_050),
            group("35-44", 1, 1, 1, 3, 1, 3_000),
            group("45-54", 2, 1, 0, 4, 0, 0),
            group("65+", 1, 1, 0, 1, 0, 0),
        ]
    );
    for rows in [&r.by_channel, &r.by_segment, &r.by_age_band] {
        assert_eq!(rows.iter().map(|g| g.revenue_cents).sum::<i64>(), r.kpis.revenue_cents);
        assert_eq!(rows.iter().map(|g| g.interactions).sum::<u64>(), r.kpis.interactions);
        assert_eq!(
            rows.iter().map(|g| g.active_customers).sum::<u64>(),
            r.kpis.active_customers
        );
    }
}

#[test]
fn daily_series_counts_distinct_customers_per_day() {
    let r = compute(&dataset(), &Filter::default());
    assert_eq!(r.daily.len(), 10, "one row per day of the period, idle days included");
    let row = |d: u32, n, views, carts, buys, rev, active| DailyRow {
        day: day(d),
        interactions: n,
        page_views: views,
        carts,
        purchases: buys,
        revenue_cents: rev,
        active_customers: active,
        // Each day of this file has at most one purchase.
        buyers: buys,
    };
    let mut expected: Vec<DailyRow> = (1..=10).map(|d| row(d, 0, 0, 0, 0, 0, 0)).collect();
    // Jan 2: I_01 I_02 I_03 I_05 I_06 I_07 I_10; views I_01 I_02 I_07 I_10; carts I_03 I_05;
    // one purchase (100.00); customers C1, C2, C4 (each seen several times, not in a row).
    expected[1] = row(2, 7, 4, 2, 1, 10_000, 3);
    // Jan 5: C3's session.
    expected[4] = row(5, 3, 1, 1, 1, 2_000, 1);
    // Jan 8: C1's view and purchase.
    expected[7] = row(8, 2, 1, 0, 1, 5_050, 1);
    // Jan 10: C2's late view (23:59:59 is still Jan 10) and C6's session.
    expected[9] = row(10, 4, 2, 1, 1, 3_000, 2);
    assert_eq!(r.daily, expected);
}

#[test]
fn funnel_counts_sessions_and_a_purchase_implies_the_cart_stage() {
    let r = compute(&dataset(), &Filter::default());
    assert_eq!(
        r.funnel,
        [
            // Reaching cart: S_01, S_02 (purchase without a cart row), S_03, S_04, S_07.
            funnel_row("all", 7, 5, 4),
            funnel_row("SEO", 3, 3, 3),
            funnel_row("Social", 1, 0, 0),
            funnel_row("Email", 3, 2, 1),
            // No session, but the channel has a customer.
            funnel_row("Direct", 0, 0, 0),
        ]
    );
}

#[test]
fn rfm_recency_frequency_monetary_and_segments() {
    let r = compute(&dataset(), &Filter::default());
    // Buyers (recency = days from the last purchase to Jan 10):
    //   C1: last Jan 8 -> 2, F 2, M 150.50;  C3: Jan 5 -> 5, F 1, M 20.00;  C6: Jan 10 -> 0, F 1, M 30.00.
    // Score = 1 + floor(5 * b / 3), b = buyers strictly worse:
    //   R: C1 b=1 -> 2, C3 b=0 -> 1, C6 b=2 -> 4;  F: C1 b=2 -> 4, C3 and C6 b=0 -> 1;
    //   M: C1 b=2 -> 4, C3 b=0 -> 1, C6 b=1 -> 2.
    // Segments: C1 (2, 4) At risk; C3 (1, 1) Lost; C6 (4, 1) Promising; others Never bought.
    let buyer = |customer, recency, frequency, monetary_cents, r, f, m, segment| RfmRow {
        customer,
        recency_days: Some(recency),
        frequency,
        monetary_cents,
        r,
        f,
        m,
        segment,
    };
    let never = |customer| RfmRow {
        customer,
        recency_days: None,
        frequency: 0,
        monetary_cents: 0,
        r: 0,
        f: 0,
        m: 0,
        segment: RfmSegment::NeverBought,
    };
    assert_eq!(
        r.rfm.rows,
        [
            buyer(0, 2, 2, 15_050, 2, 4, 4, RfmSegment::AtRisk),
            never(1),
            buyer(2, 5, 1, 2_000, 1, 1, 1, RfmSegment::Lost),
            never(3),
            never(4),
            buyer(5, 0, 1, 3_000, 4, 1, 2, RfmSegment::Promising),
        ]
    );
    let mut grid = [[0u64; 5]; 5];
    grid[1][3] = 1; // C1: R 2, F 4
    grid[0][0] = 1; // C3
    grid[3][0] = 1; // C6
    assert_eq!(r.rfm.grid, grid);
    let seg = |s: RfmSegment| {
        let row = r.rfm.segments[s as usize];
        assert_eq!(row.segment, s);
        (row.customers, row.revenue_cents)
    };
    assert_eq!(r.rfm.segments.len(), RfmSegment::ALL.len());
    assert_eq!(seg(RfmSegment::AtRisk), (1, 15_050));
    assert_eq!(seg(RfmSegment::Lost), (1, 2_000));
    assert_eq!(seg(RfmSegment::Promising), (1, 3_000));
    assert_eq!(seg(RfmSegment::NeverBought), (3, 0));
    assert_eq!(seg(RfmSegment::Champions), (0, 0));
    assert_eq!(r.rfm.segments.iter().map(|s| s.customers).sum::<u64>(), 6);
}

#[test]
fn filter_by_channel() {
    let ds = dataset();
    let seo = ds.customers.channels.find("SEO").unwrap();
    let r = compute(
        &ds,
        &Filter {
            channels: Some(vec![seo]),
            ..Filter::default()
        },
    );
    // C1 and C3: 8 rows, sessions S_01, S_02, S_04, all with a purchase.
    assert_eq!(
        r.kpis,
        Kpis {
            customers: 2,
            active_customers: 2,
            buyers: 2,
            interactions: 8,
            sessions: 3,
            sessions_with_purchase: 3,
            purchases: 3,
            revenue_cents: 17_050,
        }
    );
    assert_eq!(r.by_channel, [group("SEO", 2, 2, 2, 8, 3, 17_050)]);
    assert_eq!(r.funnel, [funnel_row("all", 3, 3, 3), funnel_row("SEO", 3, 3, 3)]);
    let customers: Vec<u32> = r.rfm.rows.iter().map(|row| row.customer).collect();
    assert_eq!(customers, [0, 2]);
}

#[test]
fn filter_by_segment() {
    let ds = dataset();
    let standard = ds.customers.segments.find("Standard").unwrap();
    let r = compute(
        &ds,
        &Filter {
            segments: Some(vec![standard]),
            ..Filter::default()
        },
    );
    // C2 and C3: 7 rows, sessions S_03, S_06, S_04; one purchase (20.00).
    assert_eq!(
        r.kpis,
        Kpis {
            customers: 2,
            active_customers: 2,
            buyers: 1,
            interactions: 7,
            sessions: 3,
            sessions_with_purchase: 1,
            purchases: 1,
            revenue_cents: 2_000,
        }
    );
    assert_eq!(
        r.by_channel,
        [group("SEO", 1, 1, 1, 3, 1, 2_000), group("Email", 1, 1, 0, 4, 0, 0)]
    );
}

#[test]
fn filter_by_period() {
    let r = compute(
        &dataset(),
        &Filter {
            from: Some(day(2)),
            to: Some(day(5)),
            ..Filter::default()
        },
    );
    // Jan 2 (7 rows) and Jan 5 (3 rows): active C1 C2 C3 C4, buyers C1 C3,
    // sessions S_01 S_03 S_05 S_04, purchases 100.00 + 20.00.
    assert_eq!(
        r.kpis,
        Kpis {
            customers: 6,
            active_customers: 4,
            buyers: 2,
            interactions: 10,
            sessions: 4,
            sessions_with_purchase: 2,
            purchases: 2,
            revenue_cents: 12_000,
        }
    );
    assert_eq!((r.from, r.to, r.daily.len()), (day(2), day(5), 4));
    // Recency now counts to Jan 5: C1 bought on Jan 2 (3 days), C3 on Jan 5 (0 days).
    let recency: Vec<Option<i32>> = r.rfm.rows.iter().map(|row| row.recency_days).collect();
    assert_eq!(recency, [Some(3), None, Some(0), None, None, None]);
}

#[test]
fn filters_combine() {
    let ds = dataset();
    let email = ds.customers.channels.find("Email").unwrap();
    let r = compute(
        &ds,
        &Filter {
            from: Some(day(10)),
            to: Some(day(10)),
            channels: Some(vec![email]),
            segments: None,
        },
    );
    // C2 and C6 on Jan 10: S_06 (view) and S_07 (view, cart, buy 30.00).
    assert_eq!(
        r.kpis,
        Kpis {
            customers: 2,
            active_customers: 2,
            buyers: 1,
            interactions: 4,
            sessions: 2,
            sessions_with_purchase: 1,
            purchases: 1,
            revenue_cents: 3_000,
        }
    );
    assert_eq!(r.funnel, [funnel_row("all", 2, 1, 1), funnel_row("Email", 2, 1, 1)]);
}

#[test]
fn without_a_period_the_dataset_spans_its_rows() {
    let c = CsvFile::open("clients.csv", CLIENTS.as_bytes()).unwrap();
    let i = CsvFile::open("interactions.csv", INTERACTIONS.as_bytes()).unwrap();
    let (ds, _) = clean(&c, &i, &CleanOptions::default()).unwrap();
    assert_eq!((ds.from, ds.to), (day(2), day(10)));
    let r = compute(&ds, &Filter::default());
    assert_eq!(r.daily.len(), 9);
    assert_eq!(r.kpis.revenue_cents, 20_050);
}

#[test]
fn an_empty_selection_gives_zeros() {
    let r = compute(
        &dataset(),
        &Filter {
            segments: Some(vec![]),
            ..Filter::default()
        },
    );
    assert_eq!(r.kpis, Kpis::default());
    assert!(r.by_channel.is_empty() && r.by_segment.is_empty() && r.rfm.rows.is_empty());
    assert_eq!(r.funnel, [funnel_row("all", 0, 0, 0)]);
}

/// Daily distinct customers, counted directly: the pairs (customer, day) seen, of
/// every row or (`purchases`) of purchases only.
fn daily_distinct_by_brute_force(ds: &Dataset, r: &Report, purchases: bool) -> Vec<u64> {
    let mut seen = std::collections::BTreeSet::new();
    let lo = r.from as i64 * DAY;
    for i in 0..ds.interactions.len() {
        let ts = ds.interactions.ts.get(i);
        let counted = !purchases || ds.interactions.action[i] == Action::Purchase as u8;
        if counted && ts >= lo && ts < (r.to as i64 + 1) * DAY {
            seen.insert(((ts - lo) / DAY, ds.interactions.customer[i]));
        }
    }
    (0..r.daily.len() as i64)
        .map(|d| seen.range((d, 0)..(d + 1, 0)).count() as u64)
        .collect()
}

#[test]
fn daily_active_customers_are_exact_for_short_and_long_periods() {
    // Generated rows are not in day order (sessions run past midnight). A 90-day period
    // marks each customer's days in a bit set; a 400-day one groups the rows by day.
    for (from, to) in [((2025, 1, 1), (2025, 3, 31)), ((2024, 1, 1), (2025, 2, 3))] {
        let opts = crate::generate::GenerateOptions {
            customers: 300,
            interactions: 30_000,
            seed: 11,
            from: days_from_civil(from.0, from.1, from.2),
            to: days_from_civil(to.0, to.1, to.2),
            ..Default::default()
        };
        let p = crate::pipeline::prepare(
            crate::pipeline::Source::Generate(opts),
            &CleanOptions::default(),
            &mut |_, _| {},
        )
        .unwrap();
        let r = &p.report;
        let got: Vec<u64> = r.daily.iter().map(|d| d.active_customers).collect();
        assert_eq!(
            got,
            daily_distinct_by_brute_force(&p.dataset, r, false),
            "{from:?}..{to:?}"
        );
        assert!(got.iter().sum::<u64>() > 1000);
        let buyers: Vec<u64> = r.daily.iter().map(|d| d.buyers).collect();
        assert_eq!(
            buyers,
            daily_distinct_by_brute_force(&p.dataset, r, true),
            "{from:?}..{to:?}"
        );
        // Some customers bought twice in a day: distinct buyers are not purchases.
        let purchases: u64 = r.daily.iter().map(|d| d.purchases).sum();
        assert!(buyers.iter().sum::<u64>() < purchases, "{from:?}..{to:?}");
        assert!(buyers.iter().sum::<u64>() > 100);
    }
}

#[test]
fn a_session_shared_by_customers_counts_once_whatever_the_split() {
    // S_01 also appears under C_0006 (Email, the last customer, so another share
    // than C_0001's when the customers are split), and S_03 under C_0004 (Social)
    // on a row before C_0002's (Email): a session counts once, for the customer of
    // its first row.
    let mut rows: Vec<&str> = INTERACTIONS.lines().collect();
    // Header, then C_0004's S_03 row first, then the file, then C_0006's S_01 row.
    rows.insert(1, "I_18,C_0004,S_03,page_vue,,2025-01-02T10:59:00");
    rows.push("I_17,C_0006,S_01,achat,5.00,2025-01-02T10:03:00");
    let ds = dataset_of(&(rows.join("\n") + "\n"));
    assert_eq!(ds.interactions.len(), 18);
    let one = compute_in(&ds, &Filter::default(), 1);
    assert_eq!(one.kpis.sessions, 7);
    assert_eq!(one.kpis.sessions_with_purchase, 4);
    assert_eq!(
        one.funnel,
        [
            funnel_row("all", 7, 5, 4),
            funnel_row("SEO", 3, 3, 3),
            // S_05, and S_03 (first row C_0004's) with its cart.
            funnel_row("Social", 2, 1, 0),
            // S_06 and S_07.
            funnel_row("Email", 2, 1, 1),
            funnel_row("Direct", 0, 0, 0),
        ]
    );
    for shares in 2..=6 {
        assert_eq!(compute_in(&ds, &Filter::default(), shares), one, "{shares} shares");
    }
}
