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
//! handed out again, the way the stages of a run free and take memory in turn;
//! a block larger than any kept one is made of several, their pages moved
//! together with `mremap` (see [`Kept::gather`]).

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

/// Kept bytes worth gathering into a block that no kept region can hold alone.
const GATHER_MIN: usize = 8 << 20;

/// Kept mappings: (address, length), both multiples of [`HUGE`]; a fixed array, so
/// that keeping one never allocates.
struct Kept {
    regions: [(usize, usize); 64],
    count: usize,
    bytes: usize,
}

static KEPT: Mutex<Kept> = Mutex::new(Kept::EMPTY);

impl Kept {
    const EMPTY: Kept = Kept {
        regions: [(0, 0); 64],
        count: 0,
        bytes: 0,
    };

    /// Takes the smallest kept region of at least `len` bytes (its head, when larger).
    fn take(&mut self, len: usize) -> Option<usize> {
        let k = (0..self.count)
            .filter(|&k| self.regions[k].1 >= len)
            .min_by_key(|&k| self.regions[k].1)?;
        let addr = self.regions[k].0;
        self.take_at(k, len);
        Some(addr)
    }

    /// Takes up to `len` bytes from the head of the largest kept region.
    fn take_largest(&mut self, len: usize) -> Option<(usize, usize)> {
        let k = (0..self.count).max_by_key(|&k| self.regions[k].1)?;
        let (addr, have) = self.regions[k];
        let got = have.min(len);
        self.take_at(k, got);
        Some((addr, got))
    }

    /// Takes `len` bytes from the head of region `k`.
    fn take_at(&mut self, k: usize, len: usize) {
        let (addr, have) = self.regions[k];
        if have > len {
            self.regions[k] = (addr + len, have - len);
        } else {
            self.count -= 1;
            self.regions[k] = self.regions[self.count];
        }
        self.bytes -= len;
    }

    /// A block of `len` bytes (a multiple of [`HUGE`]) made of kept regions too
    /// small for it alone, their pages moved (not copied) next to each other into a
    /// new mapping, the rest of which is fresh. None when little is kept.
    ///
    /// The stages of a run free many blocks of a few megabytes (pieces of text,
    /// per-block buffers) and then ask for columns of tens of megabytes: without
    /// this, those columns would touch fresh pages while the freed ones sit idle.
    unsafe fn gather(&mut self, len: usize) -> Option<*mut u8> {
        self.gather_with(len, |from, n, to| move_pages(from, n, to))
    }

    /// [`Kept::gather`], moving pages with `move_to(from, len, to)` (false: refused).
    unsafe fn gather_with(&mut self, len: usize, move_to: impl Fn(usize, usize, *mut u8) -> bool) -> Option<*mut u8> {
        if self.bytes < GATHER_MIN {
            return None;
        }
        let base = map(len);
        if base.is_null() {
            return None;
        }
        let mut at = 0;
        // Regions that mremap refuses (before Linux 6.17, one that spans two
        // mappings, as a region joined from two blocks does), given back after.
        let mut refused: [(usize, usize); 8] = [(0, 0); 8];
        let mut nrefused = 0;
        while at < len && nrefused < refused.len() {
            let Some((addr, got)) = self.take_largest(len - at) else {
                break;
            };
            if move_to(addr, got, base.add(at)) {
                at += got;
            } else {
                refused[nrefused] = (addr, got);
                nrefused += 1;
            }
        }
        for &(addr, got) in &refused[..nrefused] {
            if !self.keep(addr, got) {
                libc::munmap(addr as *mut libc::c_void, got);
            }
        }
        // The moved ranges keep their own advice; the whole block wants huge pages.
        libc::madvise(base.cast(), len, libc::MADV_HUGEPAGE);
        Some(base)
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

/// Moves the pages of `len` bytes at `from` to `to` (replacing what is there).
unsafe fn move_pages(from: usize, len: usize, to: *mut u8) -> bool {
    let flags = libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED;
    libc::mremap(from as *mut libc::c_void, len, len, flags, to.cast::<libc::c_void>()) != libc::MAP_FAILED
}

fn kept() -> std::sync::MutexGuard<'static, Kept> {
    KEPT.lock().unwrap_or_else(|e| e.into_inner())
}

/// A block of `len` bytes: a kept one, one gathered from kept ones (`true`: its
/// bytes are old) or a fresh mapping.
unsafe fn obtain(len: usize) -> (*mut u8, bool) {
    let mut k = kept();
    if let Some(addr) = k.take(len) {
        return (addr as *mut u8, true);
    }
    if let Some(p) = k.gather(len) {
        return (p, true);
    }
    drop(k);
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
        let mut k = Kept::EMPTY;
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

    /// Maps `n` regions of `len` bytes, each page holding its region's number.
    unsafe fn marked_regions(n: usize, len: usize) -> Vec<usize> {
        (0..n)
            .map(|r| {
                let p = map(len);
                assert!(!p.is_null());
                for i in (0..len).step_by(4096) {
                    *p.add(i) = r as u8 + 1;
                }
                p as usize
            })
            .collect()
    }

    #[test]
    fn kept_regions_too_small_alone_are_gathered_into_one_block() {
        let mut k = Kept::EMPTY;
        unsafe {
            let len = 4 * HUGE;
            let regions = marked_regions(3, len);
            for &r in &regions {
                assert!(k.keep(r, len));
            }
            // Larger than any region, and than all three: their pages, then fresh ones.
            let want = 4 * len;
            assert_eq!(k.take(want), None);
            let p = k.gather(want).expect("enough is kept");
            assert_eq!((k.count, k.bytes), (0, 0));
            let mut seen: Vec<u8> = (0..3).map(|r| *p.add(r * len)).collect();
            seen.sort_unstable();
            assert_eq!(seen, [1, 2, 3], "the regions' own pages, moved");
            for i in (0..3 * len).step_by(4096) {
                assert_eq!(*p.add(i), *p.add(i / len * len), "a region moved whole");
            }
            for i in (3 * len..want).step_by(4096) {
                assert_eq!(*p.add(i), 0, "the rest is fresh");
            }
            std::ptr::write_bytes(p, 9, want);
            libc::munmap(p.cast(), want);
        }
    }

    #[test]
    fn a_kept_region_that_mremap_refuses_stays_kept() {
        let mut k = Kept::EMPTY;
        unsafe {
            let len = 8 * HUGE;
            let regions = marked_regions(2, len);
            assert!(k.keep(regions[0], len));
            assert!(k.keep(regions[1], len / 2));
            libc::munmap((regions[1] + len / 2) as *mut libc::c_void, len / 2);
            // The larger region is refused, as kernels before 6.17 refuse one that
            // spans two mappings.
            let p = k
                .gather_with(2 * len, |from, n, to| from != regions[0] && move_pages(from, n, to))
                .expect("enough is kept");
            assert_eq!(*p, 2, "the other region moved");
            assert_eq!((k.count, k.bytes), (1, len), "the refused one is kept");
            assert_eq!(k.take(len), Some(regions[0]));
            assert_eq!(*(regions[0] as *const u8), 1, "left where it was");
            libc::munmap(p.cast(), 2 * len);
            libc::munmap(regions[0] as *mut libc::c_void, len);
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
