//! Portable seeded randomness: every draw goes through fixed-width integers and
//! `libm`, so the same seed gives the same numbers on native and in WebAssembly.

use rand_chacha::ChaCha8Rng;
use rand_core::{Rng as _, SeedableRng};

/// A seeded random source with the few distributions the generator needs.
pub struct Rng {
    inner: ChaCha8Rng,
}

impl Rng {
    /// A generator for `seed`; `stream` separates independent uses of one seed.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut inner = ChaCha8Rng::seed_from_u64(seed);
        inner.set_stream(stream);
        Self { inner }
    }

    /// 64 uniform random bits.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.inner.next_u64()
    }

    /// Uniform in `[0, 1)` with 53 bits of precision.
    #[inline]
    pub fn f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in `[0, n)` (Lemire's multiply-shift with rejection); `n > 0`.
    #[inline]
    pub fn below(&mut self, n: u64) -> u64 {
        debug_assert!(n > 0);
        let mut m = (self.next_u64() as u128) * (n as u128);
        // A draw is rejected when its low half is under 2^64 mod n, which is under
        // n: only then is that remainder (a division) worth computing.
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = (self.next_u64() as u128) * (n as u128);
            }
        }
        (m >> 64) as u64
    }

    /// True with probability `p`.
    #[inline]
    pub fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }

    /// Standard normal draw (Box–Muller, one value per call).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64(); // (0, 1]
        let u2 = self.f64();
        // The square root is exactly rounded everywhere (IEEE 754 asks it of every
        // platform), so std's gives libm's bits. libm's is an inline `sqrtsd` in the
        // old SSE encoding, which in a build for a processor with AVX runs amid
        // AVX-512 code and cost the fast CLI's customer draws half their time.
        (-2.0 * libm::log(u1)).sqrt() * libm::cos(2.0 * std::f64::consts::PI * u2)
    }

    /// Exponential draw with the given mean.
    pub fn exponential(&mut self, mean: f64) -> f64 {
        -mean * libm::log(1.0 - self.f64())
    }

    /// Log-normal draw whose expectation is `mean` and whose log has spread `sigma`.
    pub fn lognormal_mean(&mut self, mean: f64, sigma: f64) -> f64 {
        mean * libm::exp(sigma * self.normal() - sigma * sigma / 2.0)
    }
}

/// Cumulative-weight table: draws an index with probability proportional to its weight.
#[derive(Debug, Clone)]
pub struct Weighted {
    cumulative: Vec<u64>,
    /// For long tables (the communes), where the search for each value of the top
    /// bits of a draw starts and ends: `guide[b]` is the index a draw of exactly
    /// `b << shift` gets. Empty for short tables, searched whole.
    guide: Vec<u32>,
    shift: u32,
}

/// Tables longer than this get a guide.
const GUIDED: usize = 64;
/// About how many slots a guide has: 2^GUIDE_BITS.
const GUIDE_BITS: u32 = 12;

impl Weighted {
    /// Builds the table from non-negative integer weights; `None` if they sum to zero.
    pub fn from_ints(weights: impl IntoIterator<Item = u64>) -> Option<Self> {
        let mut total = 0u64;
        let cumulative: Vec<u64> = weights
            .into_iter()
            .map(|w| {
                total = total.saturating_add(w);
                total
            })
            .collect();
        if total == 0 {
            return None;
        }
        let (mut guide, mut shift) = (Vec::new(), 0);
        if cumulative.len() > GUIDED && cumulative.len() <= u32::MAX as usize {
            shift = (64 - total.leading_zeros()).saturating_sub(GUIDE_BITS);
            // One slot more than the largest bucket, so that every bucket has an end.
            guide = (0..=(total - 1) >> shift)
                .map(|b| cumulative.partition_point(|&c| c <= b << shift) as u32)
                .collect();
            guide.push(cumulative.len() as u32 - 1);
        }
        Some(Self {
            cumulative,
            guide,
            shift,
        })
    }

    /// Builds the table from float weights, scaled to integers (1e9 resolution).
    pub fn from_f64(weights: &[f64]) -> Option<Self> {
        let max = weights.iter().cloned().fold(0.0f64, f64::max);
        if max.partial_cmp(&0.0) != Some(std::cmp::Ordering::Greater)
            || weights.iter().any(|w| !w.is_finite() || *w < 0.0)
        {
            return None;
        }
        Self::from_ints(weights.iter().map(|w| libm::round(w / max * 1e9) as u64))
    }

    /// Draws an index.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> usize {
        let total = *self.cumulative.last().unwrap_or(&1);
        self.index_of(rng.below(total))
    }

    /// The index a draw of `x` (below the total weight) gets: the first whose
    /// cumulative weight is above `x`.
    #[inline]
    fn index_of(&self, x: u64) -> usize {
        let b = (x >> self.shift) as usize;
        match (self.guide.get(b), self.guide.get(b + 1)) {
            // Draws from b << shift up to x get indexes from guide[b] up to that of
            // x, which is at most guide[b + 1] (the index of the next bucket's start,
            // or the last index).
            (Some(&lo), Some(&hi)) => {
                let (lo, hi) = (lo as usize, hi as usize);
                lo + self.cumulative[lo..=hi].partition_point(|&c| c <= x)
            }
            _ => self.cumulative.partition_point(|&c| c <= x),
        }
    }
}

/// Walker/Vose alias table: O(1) draws from many weights (the customers' activity).
pub struct Alias {
    prob: Vec<f64>,
    alias: Vec<u32>,
}

impl Alias {
    /// Builds the table; weights must be finite, non-negative and not all zero.
    pub fn new(weights: &[f64]) -> Option<Self> {
        let n = weights.len();
        let total: f64 = weights.iter().sum();
        if n == 0 || n > u32::MAX as usize || total.is_nan() || total <= 0.0 || !total.is_finite() {
            return None;
        }
        let scale = n as f64 / total;
        let mut prob: Vec<f64> = weights.iter().map(|w| w * scale).collect();
        let mut alias: Vec<u32> = (0..n as u32).collect();
        let (mut small, mut large): (Vec<u32>, Vec<u32>) = (Vec::new(), Vec::new());
        for (i, p) in prob.iter().enumerate() {
            if *p < 1.0 {
                small.push(i as u32);
            } else {
                large.push(i as u32);
            }
        }
        while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
            alias[s as usize] = l;
            prob[l as usize] -= 1.0 - prob[s as usize];
            if prob[l as usize] < 1.0 {
                large.pop();
                small.push(l);
            }
        }
        for i in small.into_iter().chain(large) {
            prob[i as usize] = 1.0;
        }
        Some(Self { prob, alias })
    }

    /// Draws an index.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> u32 {
        let i = rng.below(self.prob.len() as u64) as u32;
        if rng.f64() < self.prob[i as usize] {
            i
        } else {
            self.alias[i as usize]
        }
    }
}

impl Alias {
    /// The table with a payload per index stored beside it, so that a draw among
    /// many weights touches one cache line instead of three (see [`Packed`]).
    pub fn packed<T: Copy>(&self, payload: impl Fn(u32) -> T) -> Packed<T> {
        let slots = (0..self.prob.len())
            .map(|i| Slot {
                prob: self.prob[i],
                index: i as u32,
                alias: self.alias[i],
                own: payload(i as u32),
                other: payload(self.alias[i]),
            })
            .collect();
        Packed { slots }
    }
}

/// An [`Alias`] table whose slots also hold the payload of the index and of its
/// alias: the same draws as the table it came from, from one memory access.
pub struct Packed<T> {
    slots: Vec<Slot<T>>,
}

/// One slot of a [`Packed`] table, aligned so that it never straddles cache lines.
#[derive(Clone, Copy)]
#[repr(C, align(32))]
pub struct Slot<T> {
    prob: f64,
    index: u32,
    alias: u32,
    own: T,
    other: T,
}

impl<T: Copy> Packed<T> {
    /// Draws an index, as [`Alias::sample`] does, with its payload.
    #[inline]
    pub fn sample(&self, rng: &mut Rng) -> (u32, T) {
        self.slot(self.index(rng)).resolve(rng)
    }

    /// The first half of a draw: which slot. A caller can draw it ahead and
    /// [`Packed::prefetch`] the slot, so that the memory read of a large table
    /// overlaps other work.
    #[inline]
    pub fn index(&self, rng: &mut Rng) -> u32 {
        rng.below(self.slots.len() as u64) as u32
    }

    /// A copy of slot `i`.
    #[inline]
    pub fn slot(&self, i: u32) -> Slot<T> {
        self.slots[i as usize]
    }

    /// Asks the processor to fetch slot `i`, for a [`Packed::slot`] soon after.
    #[inline]
    pub fn prefetch(&self, i: u32) {
        if let Some(s) = self.slots.get(i as usize) {
            crate::prefetch::prefetch(s);
        }
    }
}

impl<T: Copy> Slot<T> {
    /// The second half of a draw: the slot's own index or its alias, with the payload.
    #[inline]
    pub fn resolve(&self, rng: &mut Rng) -> (u32, T) {
        if rng.f64() < self.prob {
            (self.index, self.own)
        } else {
            (self.alias, self.other)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_stream() {
        let (mut a, mut b) = (Rng::new(7, 1), Rng::new(7, 1));
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(Rng::new(7, 1).next_u64(), Rng::new(7, 2).next_u64());
    }

    #[test]
    fn below_stays_in_range_and_covers_it() {
        let mut r = Rng::new(1, 0);
        let mut seen = [0u32; 7];
        for _ in 0..7000 {
            seen[r.below(7) as usize] += 1;
        }
        assert!(seen.iter().all(|&c| c > 800 && c < 1200), "{seen:?}");
    }

    #[test]
    fn below_draws_what_the_plain_rejection_draws() {
        // The rejection rule written out, the remainder computed on every draw.
        fn plain(r: &mut Rng, n: u64) -> u64 {
            let threshold = n.wrapping_neg() % n;
            loop {
                let m = (r.next_u64() as u128) * (n as u128);
                if (m as u64) >= threshold {
                    return (m >> 64) as u64;
                }
            }
        }
        // Bounds whose rejection is rare, and some near 2^63 that reject half the draws.
        let bounds = [
            1,
            2,
            3,
            7,
            24,
            1000,
            35_000,
            68_000_000,
            u32::MAX as u64,
            (1 << 63) + 1,
            u64::MAX - 1,
        ];
        let (mut a, mut b) = (Rng::new(9, 3), Rng::new(9, 3));
        for k in 0..60_000 {
            let n = bounds[k % bounds.len()];
            assert_eq!(a.below(n), plain(&mut b, n), "draw {k}, n = {n}");
        }
    }

    #[test]
    fn a_guided_table_draws_what_a_whole_search_draws() {
        // Weights like the communes': a few large, many small, some zero.
        let mut rng = Rng::new(7, 0);
        for len in [65usize, 100, 4_000, 35_000] {
            let w: Vec<u64> = (0..len)
                .map(|i| match i % 97 {
                    0 => 2_000_000 + rng.below(500_000),
                    1 => 0,
                    _ => rng.below(5_000),
                })
                .collect();
            let t = Weighted::from_ints(w.iter().copied()).unwrap();
            assert!(!t.guide.is_empty(), "{len} weights get a guide");
            let total = *t.cumulative.last().unwrap();
            let whole = |x: u64| t.cumulative.partition_point(|&c| c <= x);
            let edges = t.cumulative.iter().flat_map(|&c| [c.saturating_sub(1), c]);
            for x in edges
                .chain((0..20_000).map(|_| rng.below(total)))
                .filter(|&x| x < total)
            {
                assert_eq!(t.index_of(x), whole(x), "{len} weights, draw {x}");
            }
            assert_eq!(t.index_of(0), whole(0));
            assert_eq!(t.index_of(total - 1), whole(total - 1));
        }
    }

    #[test]
    fn weighted_and_alias_follow_weights() {
        let w = [1.0, 3.0, 0.0, 6.0];
        let table = Weighted::from_f64(&w).unwrap();
        let alias = Alias::new(&w).unwrap();
        let mut r = Rng::new(3, 0);
        let (mut a, mut b) = ([0u32; 4], [0u32; 4]);
        for _ in 0..100_000 {
            a[table.sample(&mut r)] += 1;
            b[alias.sample(&mut r) as usize] += 1;
        }
        for counts in [a, b] {
            assert_eq!(counts[2], 0);
            for (i, &p) in [0.1, 0.3, 0.0, 0.6].iter().enumerate() {
                let f = counts[i] as f64 / 100_000.0;
                assert!((f - p).abs() < 0.01, "{i}: {f} vs {p}");
            }
        }
    }

    #[test]
    fn packed_alias_draws_what_alias_draws() {
        let w: Vec<f64> = (0..1000).map(|i| ((i * 7919) % 97) as f64 + 0.5).collect();
        let alias = Alias::new(&w).unwrap();
        let packed = alias.packed(|i| i * 3);
        let (mut a, mut b) = (Rng::new(9, 0), Rng::new(9, 0));
        for _ in 0..10_000 {
            let (i, payload) = packed.sample(&mut b);
            assert_eq!(alias.sample(&mut a), i);
            assert_eq!(payload, i * 3);
        }
    }

    #[test]
    fn lognormal_mean_is_recovered() {
        let mut r = Rng::new(5, 0);
        let n = 200_000;
        let m: f64 = (0..n).map(|_| r.lognormal_mean(60.0, 0.5)).sum::<f64>() / n as f64;
        assert!((m - 60.0).abs() < 0.6, "{m}");
    }
}
