//! RFM: recency, frequency and monetary value per customer, 1–5 scores by
//! quintile, and named segments from the recency × frequency grid.
//!
//! Scores are computed among buyers only. A buyer's score is `1 + ⌊5·b/n⌋`, where
//! `n` is the number of buyers and `b` the number of buyers with a strictly worse
//! value (larger recency; smaller frequency or monetary value). Equal values always
//! get equal scores, however many ties there are: when most buyers bought once they
//! all share F = 1 and the next frequency jumps to the score its rank gives, rather
//! than ties being split at random across quintiles.

use super::Activity;

/// A named RFM segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
pub enum RfmSegment {
    /// R 5, F 4–5: bought recently and often.
    Champions,
    /// R 3–4, F 4–5: buy often, fairly recently.
    Loyal,
    /// R 4–5, F 2–3: recent, repeat buyers on the way to loyalty.
    PotentialLoyalist,
    /// R 5, F 1: first purchase just now.
    NewCustomers,
    /// R 4, F 1: one recent purchase.
    Promising,
    /// R 3, F 3: average on both.
    NeedAttention,
    /// R 3, F 1–2: fading after few purchases.
    AboutToSleep,
    /// R 1–2, F 5: used to buy the most, gone quiet.
    CantLoseThem,
    /// R 1–2, F 3–4: good customers slipping away.
    AtRisk,
    /// R 2, F 1–2: few, old purchases.
    Hibernating,
    /// R 1, F 1–2: the oldest, rarest buyers.
    Lost,
    /// No purchase in the period.
    NeverBought,
}

impl RfmSegment {
    /// All segments, in report order.
    pub const ALL: [RfmSegment; 12] = [
        RfmSegment::Champions,
        RfmSegment::Loyal,
        RfmSegment::PotentialLoyalist,
        RfmSegment::NewCustomers,
        RfmSegment::Promising,
        RfmSegment::NeedAttention,
        RfmSegment::AboutToSleep,
        RfmSegment::CantLoseThem,
        RfmSegment::AtRisk,
        RfmSegment::Hibernating,
        RfmSegment::Lost,
        RfmSegment::NeverBought,
    ];

    /// The segment of a recency score and a frequency score (both 1–5).
    pub fn of(r: u8, f: u8) -> RfmSegment {
        use RfmSegment::*;
        match (r, f) {
            (5, 4..=5) => Champions,
            (3..=4, 4..=5) => Loyal,
            (4..=5, 2..=3) => PotentialLoyalist,
            (5, 1) => NewCustomers,
            (4, 1) => Promising,
            (3, 3) => NeedAttention,
            (3, 1..=2) => AboutToSleep,
            (1..=2, 5) => CantLoseThem,
            (1..=2, 3..=4) => AtRisk,
            (2, 1..=2) => Hibernating,
            _ => Lost,
        }
    }

    /// The label written in the files.
    pub fn label(self) -> &'static str {
        match self {
            RfmSegment::Champions => "Champions",
            RfmSegment::Loyal => "Loyal",
            RfmSegment::PotentialLoyalist => "Potential loyalist",
            RfmSegment::NewCustomers => "New customers",
            RfmSegment::Promising => "Promising",
            RfmSegment::NeedAttention => "Need attention",
            RfmSegment::AboutToSleep => "About to sleep",
            RfmSegment::CantLoseThem => "Can't lose them",
            RfmSegment::AtRisk => "At risk",
            RfmSegment::Hibernating => "Hibernating",
            RfmSegment::Lost => "Lost",
            RfmSegment::NeverBought => "Never bought",
        }
    }
}

/// RFM values and scores of one customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RfmRow {
    /// Row of the customer in the dataset.
    pub customer: u32,
    /// Days from the last purchase to the end of the period; `None` if never bought.
    pub recency_days: Option<i32>,
    /// Purchases in the period.
    pub frequency: u32,
    /// Revenue in cents.
    pub monetary_cents: i64,
    /// Scores 1–5 (0 when the customer never bought).
    pub r: u8,
    /// Frequency score.
    pub f: u8,
    /// Monetary score.
    pub m: u8,
    /// Named segment.
    pub segment: RfmSegment,
}

/// Customers and revenue of one RFM segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RfmSegmentRow {
    /// The segment.
    pub segment: RfmSegment,
    /// Customers in it.
    pub customers: u64,
    /// Their revenue in cents.
    pub revenue_cents: i64,
}

/// The RFM result.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize)]
pub struct RfmTable {
    /// One row per selected customer, in dataset order.
    pub rows: Vec<RfmRow>,
    /// One row per segment, in [`RfmSegment::ALL`] order.
    pub segments: Vec<RfmSegmentRow>,
    /// Buyers per cell: `grid[r - 1][f - 1]`.
    pub grid: [[u64; 5]; 5],
}

/// Score 1–5 of each value: `1 + ⌊5·b/n⌋` with `b` the count of strictly smaller values.
/// Values within a span of a few per value (recency in days, frequency) are counted
/// rather than sorted: a million buyers' recency takes a pass, not a sort.
fn quintile_scores(values: &[i64]) -> Vec<u8> {
    let (Some(&lo), Some(&hi)) = (values.iter().min(), values.iter().max()) else {
        return Vec::new();
    };
    match u64::try_from(hi as i128 - lo as i128) {
        Ok(span) if span <= COUNTED_SPAN.max(2 * values.len() as u64) => counted_scores(values, lo, span as usize),
        _ => sorted_scores(values),
    }
}

/// Value spans up to this long (or twice the count of values) are counted.
const COUNTED_SPAN: u64 = 1 << 16;

/// The score of a value, `b` values being strictly smaller than it, of `n`.
fn score(below: u64, n: u64) -> u8 {
    (1 + 5 * below / n) as u8
}

/// [`quintile_scores`] of values in `lo..=lo + span`, by counting each value.
fn counted_scores(values: &[i64], lo: i64, span: usize) -> Vec<u8> {
    let at = |v: i64| (v - lo) as usize;
    // Per value: how many values are strictly smaller (after the running sum).
    let mut below = vec![0u64; span + 1];
    for &v in values {
        below[at(v)] += 1;
    }
    let mut sum = 0;
    for b in below.iter_mut() {
        (*b, sum) = (sum, sum + *b);
    }
    let n = values.len() as u64;
    values.iter().map(|&v| score(below[at(v)], n)).collect()
}

/// [`quintile_scores`] of any values, by sorting them.
fn sorted_scores(values: &[i64]) -> Vec<u8> {
    let mut sorted: Vec<(i64, u32)> = values.iter().enumerate().map(|(i, &v)| (v, i as u32)).collect();
    sorted.sort_unstable();
    let n = values.len() as u64;
    let mut scores = vec![0u8; values.len()];
    // Equal values form a run; `below` is the number of values before the run.
    let mut below = 0;
    for (k, &(v, i)) in sorted.iter().enumerate() {
        if k > 0 && sorted[k - 1].0 != v {
            below = k as u64;
        }
        scores[i as usize] = score(below, n);
    }
    scores
}

/// Scores every selected customer of `act`; recency counts to day `to`.
pub(crate) fn score_rfm(act: &Activity, to: i32) -> RfmTable {
    let c = &act.customers;
    let buyers: Vec<usize> = (0..c.len()).filter(|&i| c[i].selected && c[i].purchases > 0).collect();
    // Recency: smaller is better, so score the negated value. The three at once.
    let value = |k: usize, i: usize| match k {
        0 => -((to - c[i].last_purchase) as i64),
        1 => c[i].purchases as i64,
        _ => c[i].revenue,
    };
    let mut scores = crate::par::map(3, |k| {
        quintile_scores(&buyers.iter().map(|&i| value(k, i)).collect::<Vec<_>>())
    });
    let (m, f, r) = (
        scores.pop().unwrap_or_default(),
        scores.pop().unwrap_or_default(),
        scores.pop().unwrap_or_default(),
    );
    let mut table = RfmTable {
        rows: Vec::with_capacity(c.iter().filter(|a| a.selected).count()),
        ..RfmTable::default()
    };
    let mut next_buyer = 0;
    for (i, a) in c.iter().enumerate() {
        if !a.selected {
            continue;
        }
        let row = if next_buyer < buyers.len() && buyers[next_buyer] == i {
            let k = next_buyer;
            next_buyer += 1;
            table.grid[r[k] as usize - 1][f[k] as usize - 1] += 1;
            RfmRow {
                customer: i as u32,
                recency_days: Some(to - a.last_purchase),
                frequency: a.purchases,
                monetary_cents: a.revenue,
                r: r[k],
                f: f[k],
                m: m[k],
                segment: RfmSegment::of(r[k], f[k]),
            }
        } else {
            RfmRow {
                customer: i as u32,
                recency_days: None,
                frequency: 0,
                monetary_cents: 0,
                r: 0,
                f: 0,
                m: 0,
                segment: RfmSegment::NeverBought,
            }
        };
        table.rows.push(row);
    }
    table.segments = RfmSegment::ALL
        .iter()
        .map(|&segment| RfmSegmentRow {
            segment,
            customers: 0,
            revenue_cents: 0,
        })
        .collect();
    for row in &table.rows {
        let s = &mut table.segments[row.segment as usize];
        s.customers += 1;
        s.revenue_cents += row.monetary_cents;
    }
    table
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_cell_of_the_grid_has_a_named_segment() {
        let mut seen = std::collections::BTreeSet::new();
        for r in 1..=5 {
            for f in 1..=5 {
                let s = RfmSegment::of(r, f);
                assert_ne!(s, RfmSegment::NeverBought);
                seen.insert(s);
            }
        }
        assert_eq!(seen.len(), 11, "each of the 11 buyer segments owns at least one cell");
        assert_eq!(RfmSegment::of(5, 5), RfmSegment::Champions);
        assert_eq!(RfmSegment::of(1, 1), RfmSegment::Lost);
        assert_eq!(RfmSegment::of(2, 4), RfmSegment::AtRisk);
    }

    #[test]
    fn quintiles_are_even_without_ties_and_stable_under_ties() {
        // Both ways of scoring, whichever `quintile_scores` picks for these values.
        for scores in [quintile_scores, sorted_scores] {
            let distinct: Vec<i64> = (0..100).collect();
            let s = scores(&distinct);
            for k in 1..=5u8 {
                assert_eq!(s.iter().filter(|&&x| x == k).count(), 20);
            }
            // 70 % bought once: they all share the lowest score, the rest rank above them.
            let tied: Vec<i64> = (0..100)
                .map(|i| {
                    if i < 70 {
                        1
                    } else if i < 90 {
                        2
                    } else {
                        3
                    }
                })
                .collect();
            let s = scores(&tied);
            assert!(s[..70].iter().all(|&x| x == 1));
            assert!(s[70..90].iter().all(|&x| x == 4));
            assert!(s[90..].iter().all(|&x| x == 5));
            assert_eq!(scores(&[7, 7, 7]), vec![1, 1, 1]);
        }
        assert_eq!(quintile_scores(&[]), Vec::<u8>::new());
    }

    #[test]
    fn counting_scores_what_sorting_scores() {
        // Spans from one value to past the counted limit, negative values (recency is
        // scored negated) and the extremes of i64, which are sorted.
        let mut seed = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let mut counted = 0;
        for span in [1u64, 5, 90, 1000, COUNTED_SPAN, COUNTED_SPAN * 8, u64::MAX] {
            for len in [1usize, 2, 17, 5000] {
                let values: Vec<i64> = (0..len)
                    .map(|_| {
                        let r = next();
                        if span == u64::MAX {
                            r as i64
                        } else {
                            (r % span) as i64 - (span / 2) as i64
                        }
                    })
                    .collect();
                let (lo, hi) = (*values.iter().min().unwrap(), *values.iter().max().unwrap());
                let small = u64::try_from(hi as i128 - lo as i128).is_ok_and(|s| s <= COUNTED_SPAN.max(2 * len as u64));
                counted += small as usize;
                assert_eq!(
                    quintile_scores(&values),
                    sorted_scores(&values),
                    "span {span}, {len} values"
                );
            }
        }
        // The comparison covered both ways.
        assert!(counted > 0 && counted < 28, "{counted} of 28 inputs counted");
        assert_eq!(quintile_scores(&[i64::MIN, i64::MAX, 0]), vec![1, 4, 2]);
    }
}
