//! Deterministic data parallelism: work is cut into pieces whose boundaries do
//! not depend on the number of threads, so results are the same bytes on one
//! thread (WebAssembly) or many (native).

/// Number of worker threads to use (1 in WebAssembly).
pub fn threads() -> usize {
    if cfg!(target_arch = "wasm32") {
        1
    } else {
        std::thread::available_parallelism().map_or(1, |n| n.get()).min(8)
    }
}

/// `f(0..count)`, in order, computed on up to [`threads`] threads (each takes the
/// next piece as soon as it is free).
pub fn map<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let t = threads().min(count);
    if t <= 1 {
        return (0..count).map(f).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    gather(count, t, || {
        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        (k < count).then(|| (k, f(k)))
    })
}

/// Runs `work` on `t` threads until it returns `None`; its `(k, value)` results in
/// order of `k` (each of `0..count` exactly once).
fn gather<T: Send>(count: usize, t: usize, work: impl Fn() -> Option<(usize, T)> + Sync) -> Vec<T> {
    let work = &work;
    let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..t)
            .map(|_| scope.spawn(move || std::iter::from_fn(work).collect::<Vec<_>>()))
            .collect();
        for h in handles {
            // A worker only panics on a bug; re-raise it on this thread.
            for (k, v) in h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)) {
                slots[k] = Some(v);
            }
        }
    });
    slots.into_iter().flatten().collect()
}

/// Lowers the priority of the calling thread (and of the threads it starts): for
/// threads that feed a serial step, such as [`pipeline`]'s workers feeding its
/// consumer. With more threads than cores, the system would share the cores among
/// them evenly, and the serial step, which sets the pace, would wait its turn. A
/// thread's priority ends with it. (Linux only; a no-op elsewhere.)
pub fn lower_priority() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on this thread's own id; no memory is passed. A failure
    // leaves the priority as it was, which is harmless.
    unsafe {
        libc::setpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t, BACKGROUND_NICE);
    }
}

/// The nice value of [`lower_priority`]: a thread at nice 0 weighs about three
/// times as much with the scheduler.
#[cfg(target_os = "linux")]
const BACKGROUND_NICE: libc::c_int = 5;

/// `(a(), b())`, the two at once where threads exist.
pub fn join<A: Send, B: Send>(a: impl FnOnce() -> A + Send, b: impl FnOnce() -> B) -> (A, B) {
    if threads() <= 1 {
        let x = a();
        return (x, b());
    }
    std::thread::scope(|scope| {
        let h = scope.spawn(a);
        let y = b();
        // A worker only panics on a bug; re-raise it on this thread.
        (h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)), y)
    })
}

/// `f(k, chunk)` for each `chunk`-sized piece of `data` (the last may be shorter),
/// results in order, computed on up to [`threads`] threads as [`map`] does.
pub fn map_chunks<T: Send, R: Send>(data: &mut [T], chunk: usize, f: impl Fn(usize, &mut [T]) -> R + Sync) -> Vec<R> {
    let count = data.len().div_ceil(chunk.max(1));
    let t = threads().min(count);
    if t <= 1 {
        return data
            .chunks_mut(chunk.max(1))
            .enumerate()
            .map(|(k, c)| f(k, c))
            .collect();
    }
    // Each thread takes the next piece as soon as it is free.
    let queue = std::sync::Mutex::new(data.chunks_mut(chunk.max(1)).enumerate());
    gather(count, t, || {
        let piece = queue.lock().unwrap_or_else(|e| e.into_inner()).next();
        piece.map(|(k, c)| (k, f(k, c)))
    })
}

/// The slots of one chunk of a vector being made by [`fill`]: values go in with
/// [`Filler::push`], in order, until the chunk is full.
pub struct Filler<'a, T> {
    slots: &'a mut [std::mem::MaybeUninit<T>],
    len: usize,
}

impl<T> Filler<'_, T> {
    /// Writes the next value (panics when the chunk is full).
    #[inline]
    pub fn push(&mut self, value: T) {
        self.slots[self.len].write(value);
        self.len += 1;
    }

    /// Values pushed so far.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing was pushed yet.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Values the chunk takes.
    pub fn capacity(&self) -> usize {
        self.slots.len()
    }
}

/// A vector of `len` values made in chunks of `chunk` as [`map_chunks`] runs them:
/// `f(k, filler)` must push exactly `filler.capacity()` values (else it panics),
/// and the results of `f` come back in order. Unlike `vec![x; len]` and then
/// [`map_chunks`], no value is written twice and each chunk's memory is first
/// touched by the thread that fills it, not by this one.
pub fn fill<T: Send, R: Send>(
    len: usize,
    chunk: usize,
    f: impl Fn(usize, &mut Filler<T>) -> R + Sync,
) -> (Vec<T>, Vec<R>) {
    let mut values: Vec<T> = Vec::with_capacity(len);
    let results = map_chunks(&mut values.spare_capacity_mut()[..len], chunk, |k, slots| {
        let mut filler = Filler { slots, len: 0 };
        let r = f(k, &mut filler);
        assert_eq!(filler.len, filler.slots.len(), "chunk {k} was not filled");
        r
    });
    // SAFETY: `map_chunks` ran `f` on every chunk of the first `len` slots, and every
    // chunk was checked to be full (a worker that panicked re-raises its panic
    // before this line).
    unsafe { values.set_len(len) };
    (values, results)
}

/// Runs `produce(k)` for `k in 0..count` on worker threads and hands the results
/// to `consume` on this thread strictly in order, with at most a few pieces in
/// flight, so memory stays bounded while both cores work. A worker takes the next
/// piece as soon as it is free (not a fixed share), so one that the system pauses
/// does not hold the others up.
pub fn pipeline<T: Send>(count: usize, produce: impl Fn(usize) -> T + Sync, mut consume: impl FnMut(usize, T)) {
    let t = threads().min(count);
    if t <= 1 {
        for k in 0..count {
            consume(k, produce(k));
        }
        return;
    }
    // Pieces produced ahead of the one being consumed, at most.
    let ahead = 2 * t;
    let state = std::sync::Mutex::new(PipelineState {
        next: 0,
        consumed: 0,
        done: std::collections::BTreeMap::new(),
        stop: false,
    });
    let changed = std::sync::Condvar::new();
    let lock = || state.lock().unwrap_or_else(|e| e.into_inner());
    let (produce, state_ref, changed_ref) = (&produce, &state, &changed);
    std::thread::scope(|scope| {
        for _ in 0..t {
            scope.spawn(move || {
                lower_priority();
                loop {
                    let k = {
                        let mut s = state_ref.lock().unwrap_or_else(|e| e.into_inner());
                        while !s.stop && s.next < count && s.next >= s.consumed + ahead {
                            s = changed_ref.wait(s).unwrap_or_else(|e| e.into_inner());
                        }
                        if s.stop || s.next >= count {
                            return;
                        }
                        s.next += 1;
                        s.next - 1
                    };
                    // Should `produce` panic, the consumer is told to stop (and scope re-raises).
                    let guard = StopOnDrop(state_ref, changed_ref);
                    let v = produce(k);
                    std::mem::forget(guard);
                    let mut s = state_ref.lock().unwrap_or_else(|e| e.into_inner());
                    s.done.insert(k, v);
                    changed_ref.notify_all();
                }
            });
        }
        // However the consumer ends, a panic in `consume` included, the workers are
        // told to stop (else they would wait for room forever and the scope with them).
        let _stop = StopOnDrop(&state, &changed);
        for k in 0..count {
            let v = {
                let mut s = lock();
                loop {
                    if let Some(v) = s.done.remove(&k) {
                        s.consumed = k + 1;
                        changed.notify_all();
                        break Some(v);
                    }
                    if s.stop {
                        break None;
                    }
                    s = changed.wait(s).unwrap_or_else(|e| e.into_inner());
                }
            };
            match v {
                Some(v) => consume(k, v),
                None => break,
            }
        }
    });
}

/// What the threads of a [`pipeline`] share: the next piece to hand out, the pieces
/// consumed, those done and waiting, and whether to stop.
struct PipelineState<T> {
    next: usize,
    consumed: usize,
    done: std::collections::BTreeMap<usize, T>,
    stop: bool,
}

/// Tells a [`pipeline`]'s other threads to stop when dropped (a worker forgets it
/// unless its piece panics).
struct StopOnDrop<'a, T>(&'a std::sync::Mutex<PipelineState<T>>, &'a std::sync::Condvar);

impl<T> Drop for StopOnDrop<'_, T> {
    fn drop(&mut self) {
        self.0.lock().unwrap_or_else(|e| e.into_inner()).stop = true;
        self.1.notify_all();
    }
}

/// Buffers handed back for reuse, so that large pieces do not cost fresh pages
/// (and the kernel's page zeroing) every time.
#[derive(Debug, Default)]
pub struct Pool<T> {
    items: std::sync::Mutex<Vec<T>>,
}

impl<T> Pool<T> {
    /// An empty pool.
    pub fn new() -> Self {
        Self {
            items: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// A pooled item, if any.
    pub fn take(&self) -> Option<T> {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).pop()
    }

    /// Gives an item back.
    pub fn give(&self, item: T) {
        self.items.lock().unwrap_or_else(|e| e.into_inner()).push(item);
    }
}

/// A cleared byte buffer from `pool`, or a new one with room for `capacity` bytes.
pub fn buffer(pool: &Pool<Vec<u8>>, capacity: usize) -> Vec<u8> {
    match pool.take() {
        Some(mut b) => {
            b.clear();
            b
        }
        None => Vec::with_capacity(capacity),
    }
}

#[cfg(test)]
mod tests {
    /// A thread that lowers its priority lowers its own only, and its threads inherit it.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_lowered_priority_stays_with_its_thread() {
        // SAFETY: getpriority of this thread's own id.
        let nice = || unsafe { libc::getpriority(libc::PRIO_PROCESS, libc::gettid() as libc::id_t) };
        let before = nice();
        let (inside, child) = std::thread::spawn(move || {
            super::lower_priority();
            (nice(), std::thread::spawn(nice).join().unwrap())
        })
        .join()
        .unwrap();
        assert_eq!(inside, (before + super::BACKGROUND_NICE).min(19));
        assert_eq!(child, inside);
        assert_eq!(nice(), before, "the caller's thread is left as it was");
    }

    #[test]
    fn fill_makes_every_chunk_in_order_and_refuses_a_short_one() {
        let (v, firsts) = super::fill(1_000, 64, |k, out| {
            while out.len() < out.capacity() {
                out.push(k * 64 + out.len());
            }
            k * 64
        });
        assert_eq!(v, (0..1_000).collect::<Vec<_>>());
        assert_eq!(firsts, (0..16).map(|k| k * 64).collect::<Vec<_>>());
        let short = std::panic::catch_unwind(|| {
            super::fill(100, 10, |k, out| {
                for i in 0..out.capacity() - (k == 3) as usize {
                    out.push(vec![i]);
                }
            })
        });
        assert!(short.is_err());
    }

    #[test]
    fn pipeline_keeps_order_when_pieces_take_unequal_times() {
        let mut seen = Vec::new();
        super::pipeline(
            40,
            |k| {
                std::thread::sleep(std::time::Duration::from_micros((k as u64 * 7_919) % 2_000));
                k * 3
            },
            |k, v| seen.push((k, v)),
        );
        assert_eq!(seen, (0..40).map(|k| (k, k * 3)).collect::<Vec<_>>());
    }

    #[test]
    #[should_panic]
    fn a_panicking_piece_stops_the_pipeline_instead_of_hanging() {
        if super::threads() < 2 {
            panic!("piece 5"); // one thread: nothing to hang
        }
        super::pipeline(
            20,
            |k| {
                assert!(k != 5, "piece 5");
                k
            },
            |_, _| {},
        );
    }

    #[test]
    fn a_panicking_consumer_stops_the_pipeline_instead_of_hanging() {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let r = std::panic::catch_unwind(|| super::pipeline(50, |k| k, |k, _| assert!(k != 3, "consumer")));
            let _ = tx.send(r.is_err());
        });
        let panicked = rx
            .recv_timeout(std::time::Duration::from_secs(20))
            .expect("the pipeline hung");
        assert!(panicked);
    }

    #[test]
    fn map_and_pipeline_keep_order() {
        assert_eq!(super::map(10, |k| k * k), (0..10).map(|k| k * k).collect::<Vec<_>>());
        let mut seen = Vec::new();
        super::pipeline(9, |k| k + 1, |k, v| seen.push((k, v)));
        assert_eq!(seen, (0..9).map(|k| (k, k + 1)).collect::<Vec<_>>());
        let mut data: Vec<usize> = (0..10).collect();
        let sums = super::map_chunks(&mut data, 3, |k, c| {
            c.iter_mut().for_each(|x| *x += k);
            c.iter().sum::<usize>()
        });
        assert_eq!(sums, vec![3, 15, 27, 12]);
        assert_eq!(data, vec![0, 1, 2, 4, 5, 6, 8, 9, 10, 12]);
    }
}
