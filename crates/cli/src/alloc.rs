//! Large allocations: their own mappings, on transparent huge pages when those
//! come cheap, and kept for reuse when freed.
//!
//! A run at 1M customers / 10M interactions holds about 0.6 GB at its peak. On
//! 4 KiB pages that is 150,000 page faults; on 2 MiB pages a few hundred. The
//! kernel only gives huge pages to regions that ask for them (`madvise` mode is
//! the common default), so blocks of at least [`LARGE`] bytes are mapped here,
//! 2 MiB-aligned, and marked `MADV_HUGEPAGE` while huge pages come cheap (see
//! [`probe`]); everything smaller goes to the system allocator.
//!
//! Fresh pages cost their clearing, and on a virtual machine that gives its free
//! memory back to the host (free page reporting, as on the machines this project
//! runs on), the host's fault behind each 4 KiB of them as well. The guest reports
//! free blocks of 2 MiB and more only, so a huge page is almost always such a
//! "cold" block (about 6 ms to fault in, against 0.1 ms for a warm one), while
//! small pages mostly come from free fragments that were never reported. Right
//! after another program freed its memory, huge pages are warm and the faster
//! choice; after a few idle seconds, small pages are. [`probe`] times the first
//! fault of each block mapped fresh for an allocation, and stops asking for huge
//! pages when they are cold (ranges asked for before keep their advice).
//!
//! Either way, freed blocks are kept (up to [`KEEP`] bytes) and handed out again,
//! the way the stages of a run free and take memory in turn; a block larger than
//! any kept one is made of several, their pages moved together with `mremap` (see
//! [`Kept::gather`] and [`Kept::grow`]), on Linux 6.17 and later only (see
//! [`moves_pages`]).

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// The allocator: large blocks on mappings of their own (huge pages while those are
/// warm), the system's for the rest.
pub struct HugePages;

/// Blocks of this size or more get a mapping of their own.
const LARGE: usize = 1 << 20;

/// The huge page size (x86-64 and aarch64 with 4 KiB base pages).
const HUGE: usize = 2 << 20;

/// Freed mappings kept for reuse, in bytes at most.
const KEEP: usize = 768 << 20;

/// Whether large blocks ask for huge pages: yes until [`probe`] finds them cold.
struct PageSize {
    huge: AtomicBool,
    /// Cold huge pages met in a row.
    cold_run: AtomicUsize,
}

static PAGE_SIZE: PageSize = PageSize::new();

/// A huge page whose first touch takes this much CPU time or more is cold. Timed
/// here: a run's first dozen or so huge pages take 0.1–0.4 ms (recently freed
/// ones), the rest 4.5–10 ms when cold; right after another program freed its
/// memory, most take 0.1–0.3 ms and a few up to 4.4 ms, never three in a row.
const COLD: Duration = Duration::from_millis(3);

/// Cold huge pages in a row that switch the run to small pages.
const COLD_RUN: usize = 3;

impl PageSize {
    /// Huge pages, none met cold yet.
    const fn new() -> Self {
        PageSize {
            huge: AtomicBool::new(true),
            cold_run: AtomicUsize::new(0),
        }
    }

    fn huge(&self) -> bool {
        self.huge.load(Ordering::Relaxed)
    }

    /// Notes how long a huge page's first touch took; true when that switches the
    /// run to small pages.
    fn note(&self, took: Duration) -> bool {
        if took < COLD {
            self.cold_run.store(0, Ordering::Relaxed);
        } else if self.cold_run.fetch_add(1, Ordering::Relaxed) + 1 >= COLD_RUN {
            return self.huge.swap(false, Ordering::Relaxed);
        }
        false
    }
}

/// Whether large blocks still go on huge pages.
pub fn huge_pages() -> bool {
    PAGE_SIZE.huge()
}

/// CPU time of the calling thread (the host's fault behind a guest page counts).
fn thread_cpu() -> Duration {
    let mut t = libc::timespec { tv_sec: 0, tv_nsec: 0 };
    // SAFETY: clock_gettime only writes the struct it is given.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) };
    Duration::new(t.tv_sec as u64, t.tv_nsec as u32)
}

/// Touches the first page of fresh block `p` (it reads as zero and stays so) and
/// times the fault: after [`COLD_RUN`] slow ones in a row, the rest of the run's
/// blocks go on small pages (see the module's text), and so do the pages not yet
/// touched of the blocks that asked for huge ones before.
unsafe fn probe(p: *mut u8) {
    if !PAGE_SIZE.huge() {
        return;
    }
    let start = thread_cpu();
    std::ptr::write_volatile(p, 0);
    if PAGE_SIZE.note(thread_cpu().saturating_sub(start)) {
        advised().take_back();
    }
}

/// Asks for huge pages on `len` bytes at `p`, when the run uses them.
unsafe fn advise(p: *mut u8, len: usize) {
    let mut a = advised();
    if PAGE_SIZE.huge() {
        a.record(p as usize, len);
        libc::madvise(p.cast(), len, libc::MADV_HUGEPAGE);
    }
}

/// The ranges that asked for huge pages, so that the advice can be taken back when
/// the run switches to small pages: in a cold run, the blocks mapped while the
/// first probes were under way would otherwise fault in cold huge pages (5–10 ms
/// each) as they fill, and so would blocks later moved or grown from them (the
/// advice goes with the pages). A fixed array, so that recording never allocates:
/// a cold run switches within its first few blocks, and past 64 ranges (a warm
/// run) the others keep their advice.
struct Advised {
    ranges: [(usize, usize); 64],
    count: usize,
}

static ADVISED: Mutex<Advised> = Mutex::new(Advised {
    ranges: [(0, 0); 64],
    count: 0,
});

fn advised() -> std::sync::MutexGuard<'static, Advised> {
    ADVISED.lock().unwrap_or_else(|e| e.into_inner())
}

impl Advised {
    /// Notes a range about to ask for huge pages, while there is room.
    fn record(&mut self, addr: usize, len: usize) {
        if self.count < self.ranges.len() {
            self.ranges[self.count] = (addr, len);
            self.count += 1;
        }
    }

    /// Small pages for what the recorded ranges did not touch yet (pages already
    /// huge stay so). A range since unmapped, or mapped again by someone else,
    /// only gets the same harmless advice.
    unsafe fn take_back(&mut self) {
        for &(addr, len) in &self.ranges[..self.count] {
            libc::madvise(addr as *mut libc::c_void, len, libc::MADV_NOHUGEPAGE);
        }
        self.count = 0;
    }
}

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
    /// new mapping, the rest of which is fresh. None when little is kept, or where pages do not move (see [`moves_pages`]).
    ///
    /// The stages of a run free many blocks of a few megabytes (pieces of text,
    /// per-block buffers) and then ask for columns of tens of megabytes: without
    /// this, those columns would touch fresh pages while the freed ones sit idle.
    unsafe fn gather(&mut self, len: usize) -> Option<*mut u8> {
        if !moves_pages() {
            return None;
        }
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
        self.fill_with(base, 0, len, move_to);
        Some(base)
    }

    /// Moves kept regions into `base[from..len]`, largest first, for as long as
    /// some are kept; what they do not cover stays fresh.
    unsafe fn fill_with(
        &mut self,
        base: *mut u8,
        from: usize,
        len: usize,
        move_to: impl Fn(usize, usize, *mut u8) -> bool,
    ) {
        let mut at = from;
        // Regions that mremap refuses, given back after.
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
        // The moved ranges keep their own advice; the whole block gets the run's.
        advise(base, len);
    }

    /// Block `ptr` (`old_len` mapped bytes, the first `size` in use) grown to
    /// `new_len` in a new mapping: its own pages moved to the head (copied when
    /// mremap refuses: then `true`, and the caller releases the old block), kept
    /// regions after them. None when little is kept (growing in place touches
    /// fresh pages only, and costs no copy), or where pages do not move.
    unsafe fn grow(&mut self, ptr: *mut u8, old_len: usize, size: usize, new_len: usize) -> Option<(*mut u8, bool)> {
        if !moves_pages() {
            return None;
        }
        self.grow_with(ptr, old_len, size, new_len, |from, n, to| move_pages(from, n, to))
    }

    /// [`Kept::grow`], moving pages with `move_to(from, len, to)` (false: refused).
    unsafe fn grow_with(
        &mut self,
        ptr: *mut u8,
        old_len: usize,
        size: usize,
        new_len: usize,
        move_to: impl Fn(usize, usize, *mut u8) -> bool,
    ) -> Option<(*mut u8, bool)> {
        if self.bytes < GATHER_MIN {
            return None;
        }
        let base = map(new_len);
        if base.is_null() {
            return None;
        }
        let copied = !move_to(ptr as usize, old_len, base);
        if copied {
            std::ptr::copy_nonoverlapping(ptr, base, size);
        }
        self.fill_with(base, old_len, new_len, move_to);
        Some((base, copied))
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

/// Moves the pages of `len` bytes at `from` to `to` (replacing what is there); on
/// failure, `to` stays mapped (fresh pages where the kernel unmapped it).
unsafe fn move_pages(from: usize, len: usize, to: *mut u8) -> bool {
    let flags = libc::MREMAP_MAYMOVE | libc::MREMAP_FIXED;
    if libc::mremap(from as *mut libc::c_void, len, len, flags, to.cast::<libc::c_void>()) != libc::MAP_FAILED {
        return true;
    }
    // Kernels that unmap the target before checking the source leave a hole: fill
    // it (a range still mapped is left alone).
    let p = libc::mmap(
        to.cast(),
        len,
        libc::PROT_READ | libc::PROT_WRITE,
        libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_FIXED_NOREPLACE,
        -1,
        0,
    );
    if p != libc::MAP_FAILED && p != to.cast() {
        libc::munmap(p, len);
    }
    false
}

/// Whether pages are moved between blocks (see [`Kept::gather`]): on Linux 6.17 and
/// later. Earlier kernels refuse to move a range over two mappings (as a block
/// made of several is), and unmap the target before they refuse, which another
/// thread's mapping could then take.
fn moves_pages() -> bool {
    static MOVES: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *MOVES.get_or_init(|| {
        // SAFETY: uname only writes the struct it is given.
        let mut u: libc::utsname = unsafe { std::mem::zeroed() };
        if unsafe { libc::uname(&mut u) } != 0 {
            return false;
        }
        let release: Vec<u8> = u.release.iter().take_while(|&&c| c != 0).map(|&c| c as u8).collect();
        release_moves_pages(&String::from_utf8_lossy(&release))
    })
}

/// Whether kernel release `release` ("6.18.0-...") is 6.17 or later.
fn release_moves_pages(release: &str) -> bool {
    let mut parts = release
        .split(|c: char| !c.is_ascii_digit())
        .map(|p| p.parse::<u32>().ok());
    match (parts.next().flatten(), parts.next().flatten()) {
        (Some(major), Some(minor)) => (major, minor) >= (6, 17),
        _ => false,
    }
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
    let p = map(len);
    if !p.is_null() {
        probe(p);
    }
    (p, false)
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
    advise(aligned as *mut u8, len);
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
                // Else, when several kept regions can make up the growth, a new
                // block of them after the block's own pages.
                let grown = kept().grow(ptr, old_len, layout.size(), new_len);
                if let Some((new, copied)) = grown {
                    if copied {
                        release(ptr, old_len);
                    }
                    return new;
                }
                // Else grow in place when the next pages are free, or move the pages
                // (no copy), with the run's advice on the new range.
                let p = libc::mremap(ptr.cast(), old_len, new_len, libc::MREMAP_MAYMOVE);
                if p != libc::MAP_FAILED {
                    advise(p.cast(), new_len);
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
    fn three_cold_huge_pages_in_a_row_switch_to_small_pages() {
        let pages = PageSize::new();
        let (warm, slow, cold) = (
            Duration::from_micros(150),
            Duration::from_micros(4400),
            Duration::from_millis(6),
        );
        // As timed right after another program freed its memory: slow ones apart.
        for _ in 0..20 {
            pages.note(warm);
            pages.note(slow);
            pages.note(slow);
        }
        assert!(pages.huge(), "two slow ones in a row do not switch");
        // As timed after the machine was idle: warm ones first, then cold ones.
        pages.note(warm);
        pages.note(cold);
        pages.note(cold);
        assert!(pages.huge());
        assert!(pages.note(cold), "a third one in a row switches");
        assert!(!pages.huge());
        assert!(!pages.note(cold), "once");
        pages.note(warm);
        assert!(!pages.huge(), "for the rest of the run");
    }

    /// The `VmFlags` line of the mapping holding `addr`, from `/proc/self/smaps`.
    fn vm_flags(addr: usize) -> String {
        let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
        let mut inside = false;
        for line in smaps.lines() {
            if let Some((range, _)) = line
                .split_once(' ')
                .filter(|(r, _)| r.contains('-') && !r.ends_with(':'))
            {
                let (lo, hi) = range.split_once('-').unwrap();
                let (lo, hi) = (
                    usize::from_str_radix(lo, 16).unwrap_or(usize::MAX),
                    usize::from_str_radix(hi, 16).unwrap_or(0),
                );
                inside = (lo..hi).contains(&addr);
            } else if inside && line.starts_with("VmFlags:") {
                return line.to_string();
            }
        }
        panic!("no mapping holds {addr:#x}");
    }

    #[test]
    fn the_huge_page_advice_is_taken_back_from_every_range_recorded() {
        let mut a = Advised {
            ranges: [(0, 0); 64],
            count: 0,
        };
        unsafe {
            let blocks: Vec<*mut u8> = (0..3).map(|_| map(2 * HUGE)).collect();
            for &p in &blocks {
                a.record(p as usize, 2 * HUGE);
                libc::madvise(p.cast(), 2 * HUGE, libc::MADV_HUGEPAGE);
                assert!(vm_flags(p as usize).contains(" hg"), "{}", vm_flags(p as usize));
            }
            assert_eq!(a.count, 3);
            a.take_back();
            assert_eq!(a.count, 0);
            for &p in &blocks {
                let flags = vm_flags(p as usize);
                assert!(flags.contains(" nh") && !flags.contains(" hg"), "{flags}");
                libc::munmap(p.cast(), 2 * HUGE);
            }
        }
        // A full record keeps its first 64 ranges and refuses more.
        for k in 0..65 {
            a.record(k * HUGE, HUGE);
        }
        assert_eq!(a.count, 64);
        assert_eq!(a.ranges[63], (63 * HUGE, HUGE));
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
        if !moves_pages() {
            return; // the allocator never moves pages on this kernel (see moves_pages)
        }
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
    fn a_growing_block_is_followed_by_kept_regions() {
        if !moves_pages() {
            return; // the allocator never moves pages on this kernel (see moves_pages)
        }
        let mut k = Kept::EMPTY;
        unsafe {
            let len = 4 * HUGE;
            let regions = marked_regions(3, len);
            for &r in &regions[1..] {
                assert!(k.keep(r, len));
            }
            // Block 0 grows to four times its size: its bytes, then the two kept
            // regions' pages, then fresh ones.
            let old = regions[0] as *mut u8;
            let (p, copied) = k.grow(old, len, len - 10, 4 * len).expect("enough is kept");
            assert!(!copied, "its pages moved");
            assert_eq!((k.count, k.bytes), (0, 0));
            for i in (0..len).step_by(4096) {
                assert_eq!(*p.add(i), 1, "its own bytes at the head");
            }
            let mut seen = [*p.add(len), *p.add(2 * len)];
            seen.sort_unstable();
            assert_eq!(seen, [2, 3], "the kept regions' pages after them");
            for i in (3 * len..4 * len).step_by(4096) {
                assert_eq!(*p.add(i), 0, "the rest is fresh");
            }
            std::ptr::write_bytes(p, 9, 4 * len);
            // With little kept, the caller grows the block in place instead.
            assert!(k.grow(p, 4 * len, 4 * len, 8 * len).is_none());
            assert_eq!(*p, 9, "left as it was");
            libc::munmap(p.cast(), 4 * len);
        }
    }

    #[test]
    fn a_growing_block_that_cannot_move_is_copied() {
        if !moves_pages() {
            return; // the allocator never moves pages on this kernel (see moves_pages)
        }
        let mut k = Kept::EMPTY;
        unsafe {
            let len = 4 * HUGE;
            let regions = marked_regions(2, len);
            assert!(k.keep(regions[1], len));
            let old = regions[0] as *mut u8;
            *old.add(5) = 42;
            // The block's own move is refused: its bytes in use are copied, and the
            // caller releases it; the kept region still follows.
            let (p, copied) = k
                .grow_with(old, len, 6, 3 * len, |from, n, to| {
                    from != regions[0] && move_pages(from, n, to)
                })
                .expect("enough is kept");
            assert!(copied);
            assert_eq!((*p, *p.add(5)), (1, 42), "the bytes in use, copied");
            assert_eq!(*p.add(len), 2, "the kept region's pages");
            assert_eq!(*p.add(2 * len), 0, "the rest is fresh");
            assert_eq!(*old, 1, "the old block is still there for the caller");
            libc::munmap(p.cast(), 3 * len);
            libc::munmap(old.cast(), len);
        }
    }

    #[test]
    fn a_refused_move_leaves_its_target_mapped() {
        unsafe {
            let len = 2 * HUGE;
            let regions = marked_regions(2, len);
            // A source that is not mapped any more: the kernel refuses the move.
            libc::munmap(regions[0] as *mut libc::c_void, len);
            let to = regions[1] as *mut u8;
            assert!(!move_pages(regions[0], len, to));
            for i in (0..len).step_by(4096) {
                assert!(*to.add(i) == 2 || *to.add(i) == 0, "mapped (its bytes, or fresh ones)");
            }
            libc::munmap(to.cast(), len);
        }
    }

    #[test]
    fn pages_move_between_blocks_from_linux_6_17() {
        assert!(release_moves_pages("6.18.0-rc3"));
        assert!(release_moves_pages("6.17.1"));
        assert!(release_moves_pages("7.0"));
        assert!(!release_moves_pages("6.16.9-generic"));
        assert!(!release_moves_pages("5.15.0-91-generic"));
        assert!(!release_moves_pages(""));
    }

    #[test]
    fn a_kept_region_that_mremap_refuses_stays_kept() {
        if !moves_pages() {
            return; // the allocator never moves pages on this kernel (see moves_pages)
        }
        let mut k = Kept::EMPTY;
        unsafe {
            let len = 8 * HUGE;
            let regions = marked_regions(2, len);
            assert!(k.keep(regions[0], len));
            assert!(k.keep(regions[1], len / 2));
            libc::munmap((regions[1] + len / 2) as *mut libc::c_void, len / 2);
            // The larger region is refused (mremap can fail, for lack of memory
            // say; on 6.17 and later the target then stays mapped).
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
