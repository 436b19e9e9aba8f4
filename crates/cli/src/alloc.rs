//! Large allocations on transparent huge pages.
//!
//! A run at 1M customers / 10M interactions touches about 2 GB of fresh memory
//! (columns, pieces of text, buffers). On 4 KiB pages that is half a million page
//! faults, which cost more CPU time than parsing the interactions file; on 2 MiB
//! pages it is a few thousand. The kernel only gives huge pages to regions that
//! ask for them (`madvise` mode is the common default), so blocks of at least
//! [`LARGE`] bytes are mapped here, 2 MiB-aligned and marked `MADV_HUGEPAGE`;
//! everything smaller goes to the system allocator.
//!
//! Fresh pages still cost their clearing, and on a virtual machine whose free
//! memory goes back to the host, the host's fault behind it: about a second per
//! gigabyte measured here. So freed blocks are kept (up to [`KEEP`] bytes) and
//! handed out again, the way the stages of a run free and take memory in turn.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::Mutex;

/// The allocator: huge-page mappings for large blocks, the system's for the rest.
pub struct HugePages;

/// Blocks of this size or more get their own huge-page mapping.
const LARGE: usize = 1 << 20;

/// The huge page size (x86-64 and aarch64 with 4 KiB base pages).
const HUGE: usize = 2 << 20;

/// Freed mappings kept for reuse, in bytes at most.
const KEEP: usize = 768 << 20;

/// Kept mappings: (address, length), both multiples of [`HUGE`]; a fixed array, so
/// that keeping one never allocates.
struct Kept {
    regions: [(usize, usize); 64],
    count: usize,
    bytes: usize,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept {
    regions: [(0, 0); 64],
    count: 0,
    bytes: 0,
});

impl Kept {
    /// Takes the smallest kept region of at least `len` bytes (its head, when larger).
    fn take(&mut self, len: usize) -> Option<usize> {
        let k = (0..self.count)
            .filter(|&k| self.regions[k].1 >= len)
            .min_by_key(|&k| self.regions[k].1)?;
        let (addr, have) = self.regions[k];
        if have > len {
            self.regions[k] = (addr + len, have - len);
        } else {
            self.count -= 1;
            self.regions[k] = self.regions[self.count];
        }
        self.bytes -= len;
        Some(addr)
    }

    /// Keeps a region, joined to a neighbour when they touch; false when full.
    fn keep(&mut self, addr: usize, len: usize) -> bool {
        if self.bytes + len > KEEP {
            return false;
        }
        for k in 0..self.count {
            let (a, l) = self.regions[k];
            if a + l == addr {
                self.regions[k].1 += len;
                self.bytes += len;
                return true;
            }
            if addr + len == a {
                self.regions[k] = (addr, l + len);
                self.bytes += len;
                return true;
            }
        }
        if self.count == self.regions.len() {
            return false;
        }
        self.regions[self.count] = (addr, len);
        self.count += 1;
        self.bytes += len;
        true
    }
}

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A block of `len` bytes: a kept one (`true`: its bytes are old) or a fresh mapping.
unsafe fn obtain(len: usize) -> (*mut u8, bool) {
    let taken = kept().take(len);
    if let Some(addr) = taken {
        return (addr as *mut u8, true);
    }
    (map(len), false)
}

/// Gives a block back: kept for reuse, or unmapped.
unsafe fn release(ptr: *mut u8, len: usize) {
    if !kept().keep(ptr as usize, len) {
        libc::munmap(ptr.cast(), len);
    }
}

fn large(layout: &Layout) -> bool {
    layout.size() >= LARGE && layout.align() <= 4096
}

fn mapped_len(size: usize) -> usize {
    size.div_ceil(HUGE) * HUGE
}

/// Maps `len` bytes (a multiple of [`HUGE`]) at a 2 MiB boundary.
unsafe fn map(len: usize) -> *mut u8 {
    let span = len + HUGE;
    let p = libc::mmap(
        std::ptr::null_mut(),
        span,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS,
        -1,
        0,
    );
    if p == libc::MAP_FAILED {
        return std::ptr::null_mut();
    }
    let start = p as usize;
    let aligned = start.next_multiple_of(HUGE);
    if aligned > start {
        libc::munmap(p, aligned - start);
    }
    let tail = start + span - (aligned + len);
    if tail > 0 {
        libc::munmap((aligned + len) as *mut libc::c_void, tail);
    }
    libc::madvise(aligned as *mut libc::c_void, len, libc::MADV_HUGEPAGE);
    aligned as *mut u8
}

unsafe impl GlobalAlloc for HugePages {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if large(&layout) {
            obtain(mapped_len(layout.size())).0
        } else {
            System.alloc(layout)
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if large(&layout) {
            // Fresh anonymous mappings read as zeros; kept blocks are cleared here.
            let (p, old) = obtain(mapped_len(layout.size()));
            if old {
                std::ptr::write_bytes(p, 0, layout.size());
            }
            p
        } else {
            System.alloc_zeroed(layout)
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if large(&layout) {
            release(ptr, mapped_len(layout.size()));
        } else {
            System.dealloc(ptr, layout)
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        match (large(&layout), large(&new_layout)) {
            (false, false) => System.realloc(ptr, layout, new_size),
            (true, true) => {
                let (old_len, new_len) = (mapped_len(layout.size()), mapped_len(new_size));
                if old_len == new_len {
                    return ptr;
                }
                if new_len < old_len {
                    release(ptr.add(new_len), old_len - new_len);
                    return ptr;
                }
                // Into a kept block when one is large enough: copying the bytes
                // costs far less than the fresh pages growing would touch.
                // (The lock is released before `release` takes it again.)
                let taken = kept().take(new_len);
                if let Some(addr) = taken {
                    let new = addr as *mut u8;
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size());
                    release(ptr, old_len);
                    return new;
                }
                // Else grow in place when the next pages are free, or move the pages
                // (no copy) and keep the huge-page advice on the new range.
                let p = libc::mremap(ptr.cast(), old_len, new_len, libc::MREMAP_MAYMOVE);
                if p != libc::MAP_FAILED {
                    libc::madvise(p, new_len, libc::MADV_HUGEPAGE);
                    return p.cast();
                }
                // mremap moves one mapping only: a block cut from a kept region that
                // joined two released blocks spans two (the kernel does not merge
                // mappings whose pages were touched apart). Copy into a new one.
                let new = map(new_len);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size());
                    release(ptr, old_len);
                }
                new
            }
            _ => {
                let new = self.alloc(new_layout);
                if !new.is_null() {
                    std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kept_regions_are_split_joined_and_bounded() {
        let mut k = Kept {
            regions: [(0, 0); 64],
            count: 0,
            bytes: 0,
        };
        assert!(k.keep(10 * HUGE, 2 * HUGE));
        assert!(k.keep(12 * HUGE, HUGE)); // joins the first
        assert!(k.keep(40 * HUGE, HUGE));
        assert_eq!((k.count, k.bytes), (2, 4 * HUGE));
        assert_eq!(k.take(HUGE), Some(40 * HUGE)); // the smallest that fits
        assert_eq!(k.take(2 * HUGE), Some(10 * HUGE)); // the head of the larger
        assert_eq!(k.take(2 * HUGE), None);
        assert_eq!(k.take(HUGE), Some(12 * HUGE));
        assert_eq!((k.count, k.bytes), (0, 0));
        assert!(!k.keep(0, KEEP + HUGE));
    }

    #[test]
    fn large_blocks_grow_shrink_and_keep_their_bytes() {
        let a = HugePages;
        unsafe {
            let layout = Layout::from_size_align(LARGE, 8).unwrap();
            let p = a.alloc_zeroed(layout);
            assert!(!p.is_null());
            assert_eq!(p as usize % HUGE, 0);
            assert!(std::slice::from_raw_parts(p, LARGE).iter().all(|&b| b == 0));
            for i in (0..LARGE).step_by(4096) {
                *p.add(i) = (i / 4096 + 7) as u8;
            }
            let p = a.realloc(p, layout, 3 * LARGE);
            for i in (0..LARGE).step_by(4096) {
                assert_eq!(*p.add(i), (i / 4096 + 7) as u8);
            }
            let big = Layout::from_size_align(3 * LARGE, 8).unwrap();
            // Down to a small block: the bytes move to the system allocator.
            let q = a.realloc(p, big, 100);
            assert_eq!(*q.add(0), 7);
            let small = Layout::from_size_align(100, 8).unwrap();
            let r = a.realloc(q, small, LARGE + 1);
            assert_eq!(*r.add(0), 7);
            a.dealloc(r, Layout::from_size_align(LARGE + 1, 8).unwrap());
        }
    }

    #[test]
    fn a_block_over_two_mappings_still_grows() {
        let a = HugePages;
        unsafe {
            // Larger than anything the other test keeps, so this one is mapped fresh.
            let len = 16 << 20;
            let layout = Layout::from_size_align(len, 8).unwrap();
            let p = a.alloc(layout);
            assert!(!p.is_null());
            for i in (0..len).step_by(4096) {
                *p.add(i) = (i / 4096 % 251) as u8;
            }
            // Different advice on its second half splits the mapping in two, as two
            // released blocks joined in the kept list are.
            assert_eq!(libc::madvise(p.add(len / 2).cast(), len / 2, libc::MADV_NOHUGEPAGE), 0);
            let q = a.realloc(p, layout, 2 * len);
            assert!(!q.is_null());
            for i in (0..len).step_by(4096) {
                assert_eq!(*q.add(i), (i / 4096 % 251) as u8);
            }
            a.dealloc(q, Layout::from_size_align(2 * len, 8).unwrap());
        }
    }
}
