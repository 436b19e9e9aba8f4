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

/// `f(0..count)`, in order, computed on up to [`threads`] threads.
pub fn map<T: Send>(count: usize, f: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let t = threads().min(count);
    if t <= 1 {
        return (0..count).map(f).collect();
    }
    let f = &f;
    let mut slots: Vec<Option<T>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..t)
            .map(|w| scope.spawn(move || (w..count).step_by(t).map(|k| (k, f(k))).collect::<Vec<_>>()))
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
/// results in order, computed on up to [`threads`] threads.
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
    let f = &f;
    // Worker w takes pieces w, w + t, w + 2t …, as `map` does.
    let mut shares: Vec<Vec<(usize, &mut [T])>> = (0..t).map(|_| Vec::new()).collect();
    for (k, c) in data.chunks_mut(chunk).enumerate() {
        shares[k % t].push((k, c));
    }
    let mut slots: Vec<Option<R>> = (0..count).map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = shares
            .into_iter()
            .map(|share| scope.spawn(move || share.into_iter().map(|(k, c)| (k, f(k, c))).collect::<Vec<_>>()))
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

/// Runs `produce(k)` for `k in 0..count` on worker threads and hands the results
/// to `consume` on this thread strictly in order, with at most a few pieces in
/// flight, so memory stays bounded while both cores work.
pub fn pipeline<T: Send>(count: usize, produce: impl Fn(usize) -> T + Sync, mut consume: impl FnMut(usize, T)) {
    let t = threads().min(count);
    if t <= 1 {
        for k in 0..count {
            consume(k, produce(k));
        }
        return;
    }
    let produce = &produce;
    std::thread::scope(|scope| {
        let mut receivers = Vec::with_capacity(t);
        for w in 0..t {
            let (tx, rx) = std::sync::mpsc::sync_channel::<T>(1);
            receivers.push(rx);
            scope.spawn(move || {
                for k in (w..count).step_by(t) {
                    if tx.send(produce(k)).is_err() {
                        return;
                    }
                }
            });
        }
        for k in 0..count {
            match receivers[k % t].recv() {
                Ok(v) => consume(k, v),
                // The worker died (a panic): stop; scope re-raises the panic.
                Err(_) => break,
            }
        }
        drop(receivers);
    });
}

/// Runs `body` with a way to hand items to `consume`, which takes them in order on a
/// thread of its own where threads exist (at once, on this thread, otherwise).
pub fn handing<T: Send, R>(mut consume: impl FnMut(T) + Send, body: impl FnOnce(&mut dyn FnMut(T)) -> R) -> R {
    if threads() <= 1 {
        return body(&mut consume);
    }
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<T>(2);
        let helper = scope.spawn(move || rx.into_iter().for_each(consume));
        let r = body(&mut |item| {
            // The helper only stops on a panic, which the join below re-raises.
            let _ = tx.send(item);
        });
        drop(tx);
        helper.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        r
    })
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
        let mut taken = Vec::new();
        let r = super::handing(
            |x: u32| taken.push(x),
            |give| {
                (0..100).for_each(&mut *give);
                7
            },
        );
        assert_eq!((r, taken), (7, (0..100).collect::<Vec<_>>()));
    }
}
