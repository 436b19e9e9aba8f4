//! SHA-256 of two byte streams at once. One stream's rounds depend each on the one
//! before, so a core hashing one stream waits on every round (the processor's SHA
//! instructions take a few cycles each); two streams interleaved fill those waits.
//! The two row-level files are hashed this way, block for block, as far as both
//! have bytes, and the rest of the longer one alone, when the pairing pays here and
//! now ([`pairing_gain`]); otherwise each is hashed alone ([`One`]) on a thread of
//! its own. Either way the same pass can store the bytes where they go next
//! ([`Pair::update_into`], [`One::update_into`]), so that they are read once.
//!
//! The engine's other SHA-256 go through here too, the small files' digests ([`One`])
//! and the pseudonyms' HMAC ([`Keyed`]), so that their SHA instructions run where
//! [`clear_upper`] has gone first (only the passphrase's PBKDF2 runs in `sha2`'s
//! own function, which `scripts/check-sse-code.sh` checks as well).

use sha2::digest::generic_array::{typenum::U64, GenericArray};

/// The SHA-256 initial state.
const H0: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// One stream: its state, its bytes not yet in a whole block, and its length.
#[derive(Clone)]
struct Lane {
    state: [u32; 8],
    partial: [u8; 64],
    filled: usize,
    len: u64,
}

impl Lane {
    fn new() -> Self {
        Lane {
            state: H0,
            partial: [0; 64],
            filled: 0,
            len: 0,
        }
    }

    /// Takes bytes into the partial block; returns the rest of `bytes` (after a
    /// block it completed and hashed, or all of them when none was under way).
    fn top_up<'b>(&mut self, bytes: &'b [u8]) -> &'b [u8] {
        self.len += bytes.len() as u64;
        if self.filled == 0 {
            return bytes;
        }
        let take = (64 - self.filled).min(bytes.len());
        self.partial[self.filled..self.filled + take].copy_from_slice(&bytes[..take]);
        self.filled += take;
        if self.filled == 64 {
            let block = self.partial;
            one_lane(&mut self.state, &block);
            self.filled = 0;
        }
        &bytes[take..]
    }

    /// Keeps the bytes after the last whole block of `bytes` (fewer than 64).
    fn keep_tail(&mut self, bytes: &[u8]) {
        let tail = &bytes[bytes.len() / 64 * 64..];
        self.partial[..tail.len()].copy_from_slice(tail);
        self.filled = tail.len();
    }

    /// Hashes the whole blocks of `bytes`, what [`Lane::top_up`] left, and keeps the
    /// rest; stores the bytes into `to` too, when given, a slice at a time while each
    /// is still in cache.
    fn alone(&mut self, bytes: &[u8], mut to: Option<&mut [u8]>) {
        if self.filled > 0 {
            // The partial block took all the bytes.
            debug_assert!(bytes.is_empty());
            return;
        }
        let blocks = bytes.len() / 64 * 64;
        for (k, slice) in bytes[..blocks].chunks(ALONE).enumerate() {
            one_lane(&mut self.state, slice);
            if let Some(to) = to.as_deref_mut() {
                crate::stage::overwrite_past_cache(&mut to[k * ALONE..k * ALONE + slice.len()], slice);
            }
        }
        self.keep_tail(bytes);
        if let Some(to) = to {
            to[blocks..].copy_from_slice(&bytes[blocks..]);
        }
    }

    fn finish(mut self) -> [u8; 32] {
        let bits = self.len.wrapping_mul(8);
        let mut last = [0u8; 128];
        last[..self.filled].copy_from_slice(&self.partial[..self.filled]);
        last[self.filled] = 0x80;
        let n = if self.filled < 56 { 64 } else { 128 };
        last[n - 8..n].copy_from_slice(&bits.to_be_bytes());
        one_lane(&mut self.state, &last[..n]);
        let mut out = [0u8; 32];
        for (o, w) in out.chunks_exact_mut(4).zip(self.state) {
            o.copy_from_slice(&w.to_be_bytes());
        }
        out
    }
}

/// Bytes of one stream hashed (and stored, see [`Pair::update_into`]) at a time when
/// the other has none.
const ALONE: usize = 16 << 10;

/// Hashes the whole blocks of `blocks` (a multiple of 64 bytes) into `state`, in one
/// call (a call a block took 12 % longer). Never inlined: see [`clear_upper`].
#[inline(never)]
fn one_lane(state: &mut [u32; 8], blocks: &[u8]) {
    debug_assert_eq!(blocks.len() % 64, 0);
    clear_upper();
    // SAFETY: `GenericArray<u8, U64>` is `repr(transparent)` over `[u8; 64]` (size 64,
    // alignment 1), and `blocks` holds `len / 64` of them.
    let blocks =
        unsafe { std::slice::from_raw_parts(blocks.as_ptr().cast::<GenericArray<u8, U64>>(), blocks.len() / 64) };
    sha2::compress256(state, blocks);
}

/// Marks the upper halves of the vector registers as unused, in builds for
/// processors with AVX (the fast CLI is built for its own). The SHA instructions
/// have only their old SSE encoding: run while AVX code has left those halves in
/// use, each of them pays a change of state, and SHA-256 then ran at 13 MB/s instead
/// of 1.5 GB/s here (docs/benchmarks.md, 2026-12-06). Compilers clear the halves
/// before a call or a return, but not between AVX code and SHA instructions inlined
/// into the same function. So every SHA instruction of the engine runs in
/// [`one_lane`] or [`shani::compress2`], which start with this, and
/// `scripts/check-sse-code.sh` checks the built CLI.
#[inline(always)]
fn clear_upper() {
    // SAFETY: this build is for processors with AVX (the `cfg`).
    #[cfg(all(target_arch = "x86_64", target_feature = "avx"))]
    unsafe {
        std::arch::x86_64::_mm256_zeroupper()
    };
}

/// The SHA-256 digests of two streams fed together.
#[derive(Clone)]
pub struct Pair {
    lanes: [Lane; 2],
}

impl Default for Pair {
    fn default() -> Self {
        Pair {
            lanes: [Lane::new(), Lane::new()],
        }
    }
}

impl Pair {
    /// Appends `a` to the first stream and `b` to the second.
    pub fn update(&mut self, a: &[u8], b: &[u8]) {
        let [la, lb] = &mut self.lanes;
        let (a, b) = (la.top_up(a), lb.top_up(b));
        let both = paired(la, a, lb, b);
        two_lanes(&mut la.state, &a[..both], &mut lb.state, &b[..both], None);
        la.alone(&a[both..], None);
        lb.alone(&b[both..], None);
    }

    /// [`Pair::update`], storing `a` into `to_a` and `b` into `to_b` (each as long as
    /// its bytes) on the way, so that the bytes are read once for both. For memory
    /// that the disk reads next, not this core: where they can, the stores bypass
    /// the cache ([`crate::stage::stores_done`] must come before the bytes are read).
    pub fn update_into(&mut self, a: &[u8], b: &[u8], to_a: &mut [u8], to_b: &mut [u8]) {
        assert!(
            to_a.len() == a.len() && to_b.len() == b.len(),
            "a destination as long as its bytes"
        );
        let [la, lb] = &mut self.lanes;
        let (ra, rb) = (la.top_up(a), lb.top_up(b));
        // The bytes that completed a partial block come first.
        let (to_a, to_b) = (
            head(to_a, &a[..a.len() - ra.len()]),
            head(to_b, &b[..b.len() - rb.len()]),
        );
        let both = paired(la, ra, lb, rb);
        let ((pa, to_a), (pb, to_b)) = (to_a.split_at_mut(both), to_b.split_at_mut(both));
        two_lanes(&mut la.state, &ra[..both], &mut lb.state, &rb[..both], Some([pa, pb]));
        la.alone(&ra[both..], Some(to_a));
        lb.alone(&rb[both..], Some(to_b));
    }

    /// The two digests.
    pub fn finish(self) -> [[u8; 32]; 2] {
        let [a, b] = self.lanes;
        [a.finish(), b.finish()]
    }
}

/// The SHA-256 digest of one stream, which can store its bytes on the way like
/// [`Pair::update_into`] (for a stream hashed on a thread of its own).
#[derive(Clone)]
pub struct One {
    lane: Lane,
}

impl Default for One {
    fn default() -> Self {
        One { lane: Lane::new() }
    }
}

impl One {
    /// Appends `bytes`.
    pub fn update(&mut self, bytes: &[u8]) {
        let rest = self.lane.top_up(bytes);
        self.lane.alone(rest, None);
    }

    /// [`One::update`], storing `bytes` into `to` (as long) on the way, past the
    /// cache ([`crate::stage::stores_done`] must come before the bytes are read).
    pub fn update_into(&mut self, bytes: &[u8], to: &mut [u8]) {
        assert_eq!(to.len(), bytes.len(), "a destination as long as its bytes");
        let rest = self.lane.top_up(bytes);
        let to = head(to, &bytes[..bytes.len() - rest.len()]);
        self.lane.alone(rest, Some(to));
    }

    /// The digest.
    pub fn finish(self) -> [u8; 32] {
        self.lane.finish()
    }
}

/// HMAC-SHA-256 under one key (RFC 2104), for many short messages: the key's two
/// padded blocks are hashed once, here, and each message then takes two blocks
/// when it is shorter than 56 bytes (one more per 64 bytes after that).
#[derive(Clone)]
pub struct Keyed {
    inner: Lane,
    outer: Lane,
}

impl Keyed {
    /// The hash under `key` (of any length: one longer than a block is hashed first).
    pub fn new(key: &[u8]) -> Self {
        let mut block = [0u8; 64];
        if key.len() > 64 {
            let mut long = One::default();
            long.update(key);
            block[..32].copy_from_slice(&long.finish());
        } else {
            block[..key.len()].copy_from_slice(key);
        }
        let padded = |pad: u8| {
            let mut one = One::default();
            one.update(&block.map(|b| b ^ pad));
            one.lane
        };
        Keyed {
            inner: padded(0x36),
            outer: padded(0x5c),
        }
    }

    /// The HMAC of `message`.
    pub fn mac(&self, message: &[u8]) -> [u8; 32] {
        let mut inner = One {
            lane: self.inner.clone(),
        };
        inner.update(message);
        let mut outer = One {
            lane: self.outer.clone(),
        };
        outer.update(&inner.finish());
        outer.finish()
    }
}

/// How many times faster two streams hash side by side than one after the other,
/// here and now: the best of a few trials on 64 KiB each (about a millisecond in
/// all). About 1.5 on a quiet core with SHA instructions, 1 without them, and down
/// to 1 on a host whose SHA unit is shared with other work. Infinite in
/// WebAssembly, which has no clock to time it and one thread: pairing stays.
pub fn pairing_gain() -> f64 {
    #[cfg(target_arch = "wasm32")]
    return f64::INFINITY;
    #[cfg(not(target_arch = "wasm32"))]
    {
        use std::hint::black_box;
        use std::time::{Duration, Instant};
        let (a, b) = (vec![0x5a_u8; TRIAL], vec![0xa5_u8; TRIAL]);
        let (mut apart, mut paired) = (Duration::MAX, Duration::MAX);
        for _ in 0..5 {
            let t = Instant::now();
            for bytes in [&a, &b] {
                let mut one = One::default();
                one.update(black_box(bytes));
                black_box(one.finish());
            }
            apart = apart.min(t.elapsed());
            let t = Instant::now();
            let mut pair = Pair::default();
            pair.update(black_box(&a), black_box(&b));
            black_box(pair.finish());
            paired = paired.min(t.elapsed());
        }
        apart.as_secs_f64() / paired.as_secs_f64().max(1e-9)
    }
}

/// Bytes of each stream in a trial of [`pairing_gain`].
#[cfg(not(target_arch = "wasm32"))]
const TRIAL: usize = 64 << 10;

/// How many bytes of `a` and `b` (after [`Lane::top_up`]) are hashed side by side:
/// the whole blocks both have, when neither lane kept a partial block.
fn paired(la: &Lane, a: &[u8], lb: &Lane, b: &[u8]) -> usize {
    let whole = |lane: &Lane, bytes: &[u8]| if lane.filled > 0 { 0 } else { bytes.len() / 64 };
    whole(la, a).min(whole(lb, b)) * 64
}

/// Copies `bytes` to the start of `to`; returns the rest of `to`.
fn head<'t>(to: &'t mut [u8], bytes: &[u8]) -> &'t mut [u8] {
    let (head, rest) = to.split_at_mut(bytes.len());
    head.copy_from_slice(bytes);
    rest
}

/// Hashes the blocks of `a` into `sa` and those of `b` into `sb` (as many of each),
/// interleaved where the processor has SHA instructions; stores the bytes into `to`
/// (each as long as its bytes) too, when given.
fn two_lanes(sa: &mut [u32; 8], a: &[u8], sb: &mut [u32; 8], b: &[u8], to: Option<[&mut [u8]; 2]>) {
    debug_assert_eq!(a.len(), b.len());
    #[cfg(target_arch = "x86_64")]
    if shani::available() {
        match to {
            None => {
                // SAFETY: the features `shani::compress2` needs were detected just above.
                unsafe { shani::compress2::<false>(sa, a, sb, b, std::ptr::null_mut(), std::ptr::null_mut()) };
            }
            // Stored from the registers the words were read into, past the cache, where
            // both destinations are 16-byte aligned: so they are in a direct-I/O block,
            // where each byte sits at its file offset modulo the block's 4 KiB alignment,
            // and paired blocks start at offsets that are multiples of 64.
            Some([ta, tb]) if ta.as_ptr().align_offset(16) == 0 && tb.as_ptr().align_offset(16) == 0 => {
                // SAFETY: the features were detected above; `ta` and `tb` are as long as
                // `a` and `b` (asserted by the caller) and 16-byte aligned.
                unsafe { shani::compress2::<true>(sa, a, sb, b, ta.as_mut_ptr(), tb.as_mut_ptr()) };
            }
            Some(to) => {
                // SAFETY: as above.
                unsafe { shani::compress2::<false>(sa, a, sb, b, std::ptr::null_mut(), std::ptr::null_mut()) };
                store(to, a, b);
            }
        }
        return;
    }
    one_lane(sa, a);
    one_lane(sb, b);
    if let Some(to) = to {
        store(to, a, b);
    }
}

/// Copies `a` and `b`, just hashed, into `to` (each as long as its bytes).
fn store([ta, tb]: [&mut [u8]; 2], a: &[u8], b: &[u8]) {
    crate::stage::overwrite_past_cache(ta, a);
    crate::stage::overwrite_past_cache(tb, b);
}

#[cfg(target_arch = "x86_64")]
mod shani {
    use std::arch::x86_64::*;

    /// Whether the SHA extensions, SSSE3 and SSE4.1 are there.
    pub(super) fn available() -> bool {
        static YES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
        *YES.get_or_init(|| {
            is_x86_feature_detected!("sha") && is_x86_feature_detected!("ssse3") && is_x86_feature_detected!("sse4.1")
        })
    }

    /// The round constants, four to a vector.
    const K: [u32; 64] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
        0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
        0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
        0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
        0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
        0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
        0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2,
    ];

    /// The state as the SHA instructions hold it: (ABEF, CDGH).
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn load(s: &[u32; 8]) -> (__m128i, __m128i) {
        let dcba = _mm_loadu_si128(s.as_ptr().cast());
        let hgfe = _mm_loadu_si128(s.as_ptr().add(4).cast());
        let cdab = _mm_shuffle_epi32(dcba, 0xB1);
        let efgh = _mm_shuffle_epi32(hgfe, 0x1B);
        (_mm_alignr_epi8(cdab, efgh, 8), _mm_blend_epi16(efgh, cdab, 0xF0))
    }

    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    unsafe fn store(s: &mut [u32; 8], abef: __m128i, cdgh: __m128i) {
        let feba = _mm_shuffle_epi32(abef, 0x1B);
        let dchg = _mm_shuffle_epi32(cdgh, 0xB1);
        _mm_storeu_si128(s.as_mut_ptr().cast(), _mm_blend_epi16(feba, dchg, 0xF0));
        _mm_storeu_si128(s.as_mut_ptr().add(4).cast(), _mm_alignr_epi8(dchg, feba, 8));
    }

    /// The next four message words after `w4`, `w3`, `w2`, `w1` (oldest first).
    #[inline(always)]
    unsafe fn schedule(w4: __m128i, w3: __m128i, w2: __m128i, w1: __m128i) -> __m128i {
        _mm_sha256msg2_epu32(
            _mm_add_epi32(_mm_sha256msg1_epu32(w4, w3), _mm_alignr_epi8(w1, w2, 4)),
            w1,
        )
    }

    /// Four rounds of both lanes, with message words `wa`, `wb` and constants `k` (the
    /// two chains side by side, so that each fills the other's waits).
    #[inline(always)]
    unsafe fn rounds(s: &mut [__m128i; 4], wa: __m128i, wb: __m128i, k: *const u32) {
        let k = _mm_loadu_si128(k.cast());
        let (ma, mb) = (_mm_add_epi32(wa, k), _mm_add_epi32(wb, k));
        s[1] = _mm_sha256rnds2_epu32(s[1], s[0], ma);
        s[3] = _mm_sha256rnds2_epu32(s[3], s[2], mb);
        s[0] = _mm_sha256rnds2_epu32(s[0], s[1], _mm_shuffle_epi32(ma, 0x0E));
        s[2] = _mm_sha256rnds2_epu32(s[2], s[3], _mm_shuffle_epi32(mb, 0x0E));
    }

    /// Hashes the blocks of `a` into `sa` and of `b` into `sb`, the two interleaved;
    /// with `STORE`, also stores each block of `a` at `to_a` and of `b` at `to_b` (the
    /// same offsets), past the cache.
    ///
    /// # Safety
    /// The processor must have the SHA extensions, SSSE3 and SSE4.1 (see [`available`]).
    /// With `STORE`, `to_a` and `to_b` must be 16-byte aligned and valid for writes of
    /// `a.len()` bytes.
    #[target_feature(enable = "sha,sse2,ssse3,sse4.1")]
    #[inline(never)] // (a function of its own: see `clear_upper`)
    pub(super) unsafe fn compress2<const STORE: bool>(
        sa: &mut [u32; 8],
        a: &[u8],
        sb: &mut [u32; 8],
        b: &[u8],
        to_a: *mut u8,
        to_b: *mut u8,
    ) {
        super::clear_upper();
        // Big-endian words.
        let swap = _mm_set_epi64x(0x0c0d0e0f08090a0b, 0x0405060700010203);
        let ((a0, a1), (b0, b1)) = (load(sa), load(sb));
        // Lane a's ABEF and CDGH, then lane b's.
        let mut s = [a0, a1, b0, b1];
        let k = K.as_ptr();
        for (at, (ba, bb)) in a.chunks_exact(64).zip(b.chunks_exact(64)).enumerate() {
            let before = s;
            let raw = |block: &[u8], i: usize| _mm_loadu_si128(block.as_ptr().add(16 * i).cast());
            let (ra, rb) = ([0, 1, 2, 3].map(|i| raw(ba, i)), [0, 1, 2, 3].map(|i| raw(bb, i)));
            if STORE {
                for i in 0..4 {
                    _mm_stream_si128(to_a.add(64 * at + 16 * i).cast(), ra[i]);
                    _mm_stream_si128(to_b.add(64 * at + 16 * i).cast(), rb[i]);
                }
            }
            let [mut a0, mut a1, mut a2, mut a3] = ra.map(|w| _mm_shuffle_epi8(w, swap));
            let [mut b0, mut b1, mut b2, mut b3] = rb.map(|w| _mm_shuffle_epi8(w, swap));
            rounds(&mut s, a0, b0, k);
            rounds(&mut s, a1, b1, k.add(4));
            rounds(&mut s, a2, b2, k.add(8));
            rounds(&mut s, a3, b3, k.add(12));
            for g in 1..4 {
                let k = k.add(16 * g);
                (a0, b0) = (schedule(a0, a1, a2, a3), schedule(b0, b1, b2, b3));
                rounds(&mut s, a0, b0, k);
                (a1, b1) = (schedule(a1, a2, a3, a0), schedule(b1, b2, b3, b0));
                rounds(&mut s, a1, b1, k.add(4));
                (a2, b2) = (schedule(a2, a3, a0, a1), schedule(b2, b3, b0, b1));
                rounds(&mut s, a2, b2, k.add(8));
                (a3, b3) = (schedule(a3, a0, a1, a2), schedule(b3, b0, b1, b2));
                rounds(&mut s, a3, b3, k.add(12));
            }
            for (x, y) in s.iter_mut().zip(before) {
                *x = _mm_add_epi32(*x, y);
            }
        }
        store(sa, s[0], s[1]);
        store(sb, s[2], s[3]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    /// Bytes that differ from place to place (a simple generator).
    fn bytes(len: usize, seed: u64) -> Vec<u8> {
        let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
        (0..len)
            .map(|_| {
                x ^= x << 13;
                x ^= x >> 7;
                x ^= x << 17;
                x as u8
            })
            .collect()
    }

    /// Where part `p` of `len` bytes cut in `parts` uneven parts starts (`len` for
    /// `p == parts`).
    fn cut(len: usize, parts: usize, p: usize) -> usize {
        if p == parts {
            len
        } else {
            (len * p / parts + p * 7 % 61).min(len)
        }
    }

    #[test]
    fn each_digest_is_the_sha256_of_its_stream_however_it_was_fed() {
        // Lengths around the block and padding edges, fed in uneven parts.
        let lens = [0usize, 1, 55, 56, 63, 64, 65, 119, 128, 1000, 4096 + 17, 100_003];
        for (k, &la) in lens.iter().enumerate() {
            for &lb in &lens[k..] {
                let (a, b) = (bytes(la, la as u64 + 1), bytes(lb, lb as u64 + 7));
                for parts in [1usize, 2, 3, 7] {
                    // Where each part ends; the second stream's cuts are shifted.
                    let cuts = |len: usize, shift: usize| {
                        let mut c: Vec<usize> = (0..=parts)
                            .map(|p| {
                                if p == parts {
                                    len
                                } else {
                                    (len * p / parts + shift * (p % 2)).min(len)
                                }
                            })
                            .collect();
                        for i in 1..c.len() {
                            c[i] = c[i].max(c[i - 1]);
                        }
                        c
                    };
                    let (ca, cb) = (cuts(la, 0), cuts(lb, 5));
                    let mut pair = Pair::default();
                    for p in 0..parts {
                        pair.update(&a[ca[p]..ca[p + 1]], &b[cb[p]..cb[p + 1]]);
                    }
                    let [da, db] = pair.finish();
                    assert_eq!(da[..], Sha256::digest(&a)[..], "a: {la} bytes in {parts} parts");
                    assert_eq!(db[..], Sha256::digest(&b)[..], "b: {lb} bytes in {parts} parts");
                }
            }
        }
    }

    #[test]
    fn storing_on_the_way_keeps_the_digests_and_stores_every_byte() {
        let lens = [0usize, 1, 63, 64, 65, 1000, 70_001, 100_003];
        for (k, &la) in lens.iter().enumerate() {
            for &lb in &lens[k..] {
                let (a, b) = (bytes(la, la as u64 + 11), bytes(lb, lb as u64 + 13));
                // With skew 0 a stream's byte i goes to an address equal to i modulo 64,
                // as in a direct-I/O block (the stores that bypass the cache); else not.
                for skew in [0usize, 5] {
                    for parts in [1usize, 3] {
                        let (mut ba, mut bb) = (vec![0u8; la + 128], vec![0u8; lb + 128]);
                        let at = |v: &Vec<u8>| (64 - v.as_ptr() as usize % 64) % 64 + skew;
                        let (oa, ob) = (at(&ba), at(&bb));
                        let (da, db) = (&mut ba[oa..oa + la], &mut bb[ob..ob + lb]);
                        let cut = |len: usize, p: usize| cut(len, parts, p);
                        let mut pair = Pair::default();
                        for p in 0..parts {
                            let (ra, rb) = (cut(la, p)..cut(la, p + 1), cut(lb, p)..cut(lb, p + 1));
                            pair.update_into(&a[ra.clone()], &b[rb.clone()], &mut da[ra], &mut db[rb]);
                        }
                        crate::stage::stores_done();
                        let what = format!("{la} and {lb} bytes, skew {skew}, {parts} parts");
                        assert!(da[..] == a[..] && db[..] == b[..], "stored bytes: {what}");
                        let [ha, hb] = pair.finish();
                        assert_eq!(ha[..], Sha256::digest(&a)[..], "a: {what}");
                        assert_eq!(hb[..], Sha256::digest(&b)[..], "b: {what}");
                    }
                }
            }
        }
    }

    #[test]
    fn one_stream_alone_hashes_and_stores_every_byte() {
        for len in [0usize, 1, 63, 64, 65, 1000, 70_001] {
            let bytes = bytes(len, len as u64 + 17);
            for parts in [1usize, 3] {
                let mut to = vec![0u8; len];
                let (mut hashed, mut stored) = (One::default(), One::default());
                for p in 0..parts {
                    let r = cut(len, parts, p)..cut(len, parts, p + 1);
                    hashed.update(&bytes[r.clone()]);
                    stored.update_into(&bytes[r.clone()], &mut to[r]);
                }
                crate::stage::stores_done();
                assert!(to == bytes, "stored bytes: {len} in {parts} parts");
                let sha = Sha256::digest(&bytes);
                assert_eq!(hashed.finish()[..], sha[..], "{len} bytes in {parts} parts");
                assert_eq!(stored.finish()[..], sha[..], "stored, {len} bytes in {parts} parts");
            }
        }
    }

    #[test]
    fn the_keyed_hash_is_hmac_sha256() {
        use hmac::{Hmac, Mac};
        for key_len in [0, 1, 32, 63, 64, 65, 200] {
            let key = bytes(key_len, 7 + key_len as u64);
            let keyed = Keyed::new(&key);
            for len in [0, 1, 9, 55, 56, 63, 64, 65, 119, 120, 300] {
                let message = bytes(len, 11 + len as u64);
                let mut mac = Hmac::<Sha256>::new_from_slice(&key).expect("any key length");
                mac.update(&message);
                let want = mac.finalize().into_bytes();
                assert_eq!(
                    keyed.mac(&message)[..],
                    want[..],
                    "key of {key_len} bytes, message of {len}"
                );
            }
        }
        // The RFC 4231 test case 2: a short key, and the digest written out.
        let mac = Keyed::new(b"Jefe").mac(b"what do ya want for nothing?");
        assert_eq!(
            crate::export::hex(&mac),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn the_pairing_gain_is_measured() {
        let gain = pairing_gain();
        assert!(gain.is_finite() && gain > 0.2 && gain < 5.0, "gain {gain}");
    }

    #[test]
    fn the_interleaved_rounds_match_the_plain_ones() {
        let (a, b) = (bytes(64 * 40, 3), bytes(64 * 40, 4));
        let (mut sa, mut sb) = (H0, H0);
        two_lanes(&mut sa, &a, &mut sb, &b, None);
        let (mut ta, mut tb) = (H0, H0);
        one_lane(&mut ta, &a);
        one_lane(&mut tb, &b);
        assert_eq!((sa, sb), (ta, tb));
        #[cfg(target_arch = "x86_64")]
        if !shani::available() {
            eprintln!("no SHA instructions here: only the plain rounds were compared");
        }
    }
}
