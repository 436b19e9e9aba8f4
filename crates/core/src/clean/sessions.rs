//! Sessions for files that have none (the original demo's): a customer's events
//! sorted by time, a new session whenever the gap reaches the limit, or one
//! session per customer and day when the file only has dates.

use super::SessionRule;
use crate::dates::DAY;
use crate::ids::IdColumn;
use crate::model::Interactions;

/// Fills `session` and `session_ids` (`S_0001` …, numbered in customer then time order).
pub(super) fn derive(t: &mut Interactions, rule: SessionRule, gap_minutes: u32) {
    let mut order: Vec<u32> = (0..t.len() as u32).collect();
    order.sort_unstable_by_key(|&i| (t.customer[i as usize], t.ts.get(i as usize), i));
    let gap = gap_minutes.max(1) as i64 * 60;
    let mut session = vec![0u32; t.len()];
    let mut count = 0u32;
    let mut prev: Option<(u32, i64)> = None;
    for &i in &order {
        let (c, ts) = (t.customer[i as usize], t.ts.get(i as usize));
        let same = match (prev, rule) {
            (Some((pc, pts)), SessionRule::ByDay) => pc == c && pts.div_euclid(DAY) == ts.div_euclid(DAY),
            (Some((pc, pts)), _) => pc == c && ts - pts < gap,
            (None, _) => false,
        };
        if !same {
            count += 1;
        }
        session[i as usize] = count - 1;
        prev = Some((c, ts));
    }
    let width = crate::generate::id_width(count as u64);
    t.session_ids = IdColumn::numbered("S_", width, (1..=count as u64).collect());
    t.session = session;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gap_and_day_rules() {
        let mut t = Interactions {
            customer: vec![0, 0, 0, 1, 0],
            ts: [0, 600, 600 + 1800, 700, DAY + 10].into_iter().collect(),
            ..Interactions::default()
        };
        derive(&mut t, SessionRule::Gap, 30);
        assert_eq!(t.session, vec![0, 0, 1, 3, 2]);
        assert_eq!(t.session_ids.get(3), "S_0004");
        derive(&mut t, SessionRule::ByDay, 30);
        assert_eq!(t.session, vec![0, 0, 0, 2, 1]);
    }
}
