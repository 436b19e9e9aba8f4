//! Large outputs built in a small buffer that stays in the core's first-level cache,
//! moved to their final place now and then with stores that bypass the cache.
//!
//! The row-level files are formatted into pieces of several megabytes, larger than a
//! core's caches. Written there directly, every new cache line of the piece is first
//! fetched from memory (a store miss is a read, then a write), and while those
//! fetches are under way the stores queue up behind them. Formatted into a 16 KiB
//! stage instead and moved out whole lines at a time past the cache, the piece's lines
//! are never read, and the formatting's own stores hit the cache.

/// Bytes gathered in a stage before they are moved out.
pub const STAGE: usize = 16 << 10;

/// Whether staging pays: only where stores can bypass the cache (x86-64). Elsewhere
/// (WebAssembly) the output itself serves as the stage and nothing is moved.
pub const WORTH: bool = cfg!(target_arch = "x86_64");

/// A stage for `out`: a small buffer where staging pays, else `out` itself (taken,
/// and given back whole by [`finish`]).
pub fn stage_for(out: &mut Vec<u8>, slack: usize) -> Vec<u8> {
    if WORTH {
        Vec::with_capacity(STAGE + slack)
    } else {
        std::mem::take(out)
    }
}

/// Moves the bytes of `stage` to the end of `out`, all but those past the last
/// 64-byte boundary of `out` (they go to the front of `stage`), so that the next
/// move starts on a whole line.
pub fn drain(out: &mut Vec<u8>, stage: &mut Vec<u8>) {
    out.reserve(stage.len());
    let end = out.as_ptr() as usize + out.len() + stage.len();
    let n = stage.len() - (end % 64).min(stage.len());
    move_out(out, stage, n);
}

/// Moves all of `stage` to the end of `out`; when `out` was taken by [`stage_for`]
/// (no capacity left), the stage becomes `out` instead, with nothing moved.
pub fn finish(out: &mut Vec<u8>, stage: &mut Vec<u8>) {
    if out.capacity() == 0 {
        std::mem::swap(out, stage);
        return;
    }
    out.reserve(stage.len());
    move_out(out, stage, stage.len());
}

fn move_out(out: &mut Vec<u8>, stage: &mut Vec<u8>, n: usize) {
    copy_past_cache(&mut out.spare_capacity_mut()[..n], &stage[..n]);
    // SAFETY: the `n` bytes after the old length were just written.
    unsafe { out.set_len(out.len() + n) };
    stage.copy_within(n.., 0);
    stage.truncate(stage.len() - n);
}

/// Orders the stores of [`drain`] and [`overwrite_past_cache`] before what follows:
/// call it before another thread may read the outputs.
pub fn stores_done() {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: SSE is part of x86-64; a fence has no other effect.
    unsafe {
        std::arch::x86_64::_mm_sfence()
    };
}

/// Copies `src` into `dst` (of the same length) with stores that bypass the cache
/// where the processor has them (x86-64): for bytes read next by the disk or by
/// another core, not by this one. [`stores_done`] must come before they are read.
pub fn overwrite_past_cache(dst: &mut [u8], src: &[u8]) {
    // SAFETY: the view is written only with initialised bytes.
    let dst = unsafe { &mut *(dst as *mut [u8] as *mut [std::mem::MaybeUninit<u8>]) };
    copy_past_cache(dst, src)
}

/// Copies `src` into `dst` (of the same length): whole 16-byte words aligned in `dst`
/// with stores that bypass the cache (x86-64), the ends with ordinary ones.
fn copy_past_cache(dst: &mut [std::mem::MaybeUninit<u8>], src: &[u8]) {
    assert_eq!(dst.len(), src.len());
    let ordinary = |d: &mut [std::mem::MaybeUninit<u8>], s: &[u8]| {
        assert_eq!(d.len(), s.len());
        // SAFETY: both are `s.len()` bytes long, and `d` (uninitialised spare room of
        // another vector) cannot overlap `s`.
        unsafe { std::ptr::copy_nonoverlapping(s.as_ptr(), d.as_mut_ptr().cast::<u8>(), s.len()) };
    };
    #[cfg(target_arch = "x86_64")]
    {
        let head = dst.as_ptr().align_offset(16).min(dst.len());
        ordinary(&mut dst[..head], &src[..head]);
        let (d, s) = (&mut dst[head..], &src[head..]);
        let whole = d.len() / 64 * 64;
        stream_lines(&mut d[..whole], &s[..whole]);
        ordinary(&mut d[whole..], &s[whole..]);
    }
    #[cfg(not(target_arch = "x86_64"))]
    ordinary(dst, src);
}

/// Copies `src` into `dst`, both a whole number of 64-byte lines long, `dst` 16-byte
/// aligned, with stores that bypass the cache. Never inlined: the standard library
/// writes `_mm_stream_si128` in the old SSE encoding even in a build for AVX, and
/// inlined into its callers' AVX code it would pay a change of state on Intel
/// processors (scripts/check-sse-code.sh; see `sha_pair::clear_upper`). A call
/// clears the vector registers' upper halves first.
#[cfg(target_arch = "x86_64")]
#[inline(never)]
fn stream_lines(dst: &mut [std::mem::MaybeUninit<u8>], src: &[u8]) {
    use std::arch::x86_64::{__m128i, _mm_loadu_si128, _mm_stream_si128};
    assert!(dst.len() == src.len() && dst.len().is_multiple_of(64));
    if dst.is_empty() {
        return;
    }
    assert_eq!(dst.as_ptr().align_offset(16), 0);
    for at in (0..dst.len()).step_by(64) {
        // SAFETY: SSE2 is part of x86-64; `at + 64 <= len` for both slices; `dst` is
        // 16-byte aligned from its start, so is `dst[at + 16 * k..]`.
        unsafe {
            let (from, to) = (src.as_ptr().add(at), dst.as_mut_ptr().add(at));
            for k in 0..4 {
                let v = _mm_loadu_si128(from.add(16 * k).cast::<__m128i>());
                _mm_stream_si128(to.add(16 * k).cast::<__m128i>(), v);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finishing_without_a_move_hands_over_the_stage_whole() {
        let (mut out, mut stage) = (Vec::new(), b"a,b\n".to_vec());
        finish(&mut out, &mut stage);
        assert_eq!((out.as_slice(), stage.len()), (&b"a,b\n"[..], 0));
        let mut more = b"c\n".to_vec();
        finish(&mut out, &mut more);
        stores_done();
        assert_eq!((out.as_slice(), more.len()), (&b"a,b\nc\n"[..], 0));
        // An empty output with room of its own (a pooled piece) keeps its buffer.
        let mut pooled = Vec::with_capacity(1 << 20);
        finish(&mut pooled, &mut out);
        stores_done();
        assert_eq!(pooled.as_slice(), &b"a,b\nc\n"[..]);
        assert!(pooled.capacity() >= 1 << 20, "the piece's buffer was kept");
    }

    #[test]
    fn draining_in_any_steps_gives_the_bytes_in_order() {
        let text: Vec<u8> = (0..200_000u32).map(|i| (i * 7 + i / 13) as u8).collect();
        for step in [1usize, 15, 64, 1000, 16_411] {
            for skew in 0..3 {
                let mut out = vec![9u8; skew];
                let mut stage = Vec::new();
                for chunk in text.chunks(step) {
                    stage.extend_from_slice(chunk);
                    if stage.len() >= STAGE / 4 {
                        drain(&mut out, &mut stage);
                        assert!(stage.len() < 64, "only the bytes past the last line stay");
                        assert_eq!((out.as_ptr() as usize + out.len()) % 64, 0, "a move ends on a line");
                    }
                }
                finish(&mut out, &mut stage);
                stores_done();
                assert!(stage.is_empty());
                assert_eq!(&out[..skew], &vec![9u8; skew][..]);
                assert_eq!(&out[skew..], &text[..], "step {step}, skew {skew}");
            }
        }
    }
}
