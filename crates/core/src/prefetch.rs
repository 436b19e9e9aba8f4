//! A hint to the processor that some memory is about to be read, for the loops that
//! read large tables at random (the customer of each row or session): issued a few
//! iterations ahead, the read overlaps the work in between instead of stalling it.

/// Asks for the cache line holding `value` (a hint only; nothing on targets
/// without a prefetch instruction, such as WebAssembly).
#[inline(always)]
pub fn prefetch<T>(value: &T) {
    #[cfg(target_arch = "x86_64")]
    // SAFETY: a prefetch reads nothing and cannot fault; the address is a valid reference.
    unsafe {
        std::arch::x86_64::_mm_prefetch::<{ std::arch::x86_64::_MM_HINT_T0 }>((value as *const T).cast())
    };
    #[cfg(not(target_arch = "x86_64"))]
    let _ = value;
}
