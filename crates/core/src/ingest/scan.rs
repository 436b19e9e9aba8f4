//! Finding the separators and line feeds of a piece 64 bytes at a time: one bit
//! per byte, so that a field costs a few instructions instead of a search call.
//! SSE2 on x86-64 (always there), AVX-512 when the build enables it (the CLI of
//! scripts/build-cli.sh on such a processor), SIMD128 in WebAssembly when the build
//! enables it, and plain words elsewhere; all give the same bits.

/// Bits of the bytes of `block` equal to `a` (first) and to `b` (second).
#[inline]
pub(super) fn masks(block: &[u8; 64], a: u8, b: u8) -> (u64, u64) {
    #[cfg(all(target_arch = "x86_64", target_feature = "avx512bw"))]
    {
        use std::arch::x86_64::{_mm512_cmpeq_epi8_mask, _mm512_loadu_si512, _mm512_set1_epi8};
        // SAFETY: the build enables AVX-512BW; the load reads the 64 bytes of `block`.
        unsafe {
            let v = _mm512_loadu_si512(block.as_ptr().cast());
            (
                _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(a as i8)),
                _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(b as i8)),
            )
        }
    }
    #[cfg(all(target_arch = "x86_64", not(target_feature = "avx512bw")))]
    {
        use std::arch::x86_64::{__m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8};
        let (mut ma, mut mb) = (0u64, 0u64);
        for k in 0..4 {
            // SAFETY: SSE2 is part of x86-64; the load reads 16 bytes inside `block`.
            let (x, y) = unsafe {
                let v = _mm_loadu_si128(block.as_ptr().add(16 * k) as *const __m128i);
                (
                    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(a as i8))) as u16,
                    _mm_movemask_epi8(_mm_cmpeq_epi8(v, _mm_set1_epi8(b as i8))) as u16,
                )
            };
            ma |= (x as u64) << (16 * k);
            mb |= (y as u64) << (16 * k);
        }
        (ma, mb)
    }
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    {
        use std::arch::wasm32::{u8x16_bitmask, u8x16_eq, u8x16_splat, v128, v128_load};
        let (mut ma, mut mb) = (0u64, 0u64);
        for k in 0..4 {
            // SAFETY: the load reads 16 bytes inside `block` (unaligned loads are allowed).
            let v = unsafe { v128_load(block.as_ptr().add(16 * k) as *const v128) };
            ma |= (u8x16_bitmask(u8x16_eq(v, u8x16_splat(a))) as u64) << (16 * k);
            mb |= (u8x16_bitmask(u8x16_eq(v, u8x16_splat(b))) as u64) << (16 * k);
        }
        (ma, mb)
    }
    #[cfg(not(any(target_arch = "x86_64", all(target_arch = "wasm32", target_feature = "simd128"))))]
    {
        let (mut ma, mut mb) = (0u64, 0u64);
        for (i, &c) in block.iter().enumerate() {
            ma |= ((c == a) as u64) << i;
            mb |= ((c == b) as u64) << i;
        }
        (ma, mb)
    }
}

/// Calls `f(position, is_b)` for every byte of `text` equal to `a` or `b`, in order.
#[inline]
pub(super) fn each(text: &[u8], a: u8, b: u8, mut f: impl FnMut(usize, bool)) {
    let mut base = 0;
    let mut blocks = text.chunks_exact(64);
    for block in &mut blocks {
        let (ma, mb) = masks(block.try_into().unwrap_or(&[0; 64]), a, b);
        let (mut all, mb) = (ma | mb, mb);
        while all != 0 {
            let bit = all.trailing_zeros();
            all &= all - 1;
            f(base + bit as usize, mb >> bit & 1 == 1);
        }
        base += 64;
    }
    let rest = blocks.remainder();
    if !rest.is_empty() {
        // The tail, padded with a byte that is neither `a` nor `b`.
        let pad = (0..=255u8).find(|&c| c != a && c != b).unwrap_or(0);
        let mut block = [pad; 64];
        block[..rest.len()].copy_from_slice(rest);
        let (ma, mb) = masks(&block, a, b);
        let mut all = ma | mb;
        while all != 0 {
            let bit = all.trailing_zeros();
            all &= all - 1;
            f(base + bit as usize, mb >> bit & 1 == 1);
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn finds_what_a_byte_by_byte_search_finds() {
        let mut text = Vec::new();
        let mut x = 7u32;
        for _ in 0..1000 {
            x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
            text.push(b"ab,;\n\r\t\"x0"[(x >> 16) as usize % 10]);
        }
        for len in [0, 1, 63, 64, 65, 128, 130, 1000] {
            let t = &text[..len];
            let mut got = Vec::new();
            super::each(t, b',', b'\n', |p, nl| got.push((p, nl)));
            let want: Vec<(usize, bool)> = t
                .iter()
                .enumerate()
                .filter(|(_, &c)| c == b',' || c == b'\n')
                .map(|(p, &c)| (p, c == b'\n'))
                .collect();
            assert_eq!(got, want, "{len}");
        }
    }
}
