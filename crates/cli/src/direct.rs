//! Output files written with direct I/O (`O_DIRECT`) from a thread of their own.
//!
//! A full run writes about 1.8 GB. Through the page cache, every byte is copied
//! once more by the kernel into pages it must first find and clear, which costs
//! more CPU time than formatting the bytes did (and, on a virtual machine whose
//! free memory goes back to the host, much more). With direct I/O the disk reads
//! the bytes straight from our buffers: whoever fills a block (the row-level files'
//! SHA-256 pass stores their bytes in it directly, see [`OutFile`]'s `Sink`) hands it
//! over full and goes on, and the block's own thread waits for the disk.
//!
//! Direct I/O wants block-aligned memory, lengths and offsets: whole blocks go
//! that way, and the last partial block (under 4 KiB) is written normally. Where
//! the file system refuses direct I/O (tmpfs, or another system than Linux), the
//! file is an ordinary one.

use std::fs::{self, File};
use std::io::{self, Write};
use std::path::Path;

/// An output file: direct I/O where the file system allows it, else an ordinary file.
pub enum OutFile {
    /// Written with `O_DIRECT` by a thread of its own.
    #[cfg(target_os = "linux")]
    Direct(linux::DirectFile),
    /// Written through the page cache.
    Plain(File),
}

/// Direct I/O blocks are lent for the row-level files' bytes to be stored in as
/// they are hashed (see [`numberly_core::export::Sink`]).
impl numberly_core::export::Sink for OutFile {
    fn room(&mut self) -> io::Result<&mut [u8]> {
        match self {
            #[cfg(target_os = "linux")]
            OutFile::Direct(d) => d.room(),
            OutFile::Plain(_) => Ok(&mut []),
        }
    }

    fn advance(&mut self, n: usize) -> io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            OutFile::Direct(d) => d.advance(n),
            OutFile::Plain(_) if n == 0 => Ok(()),
            OutFile::Plain(_) => Err(io::Error::other("bytes put in room that was never lent")),
        }
    }
}

/// Creates (or truncates) `path` for writing.
pub fn create(path: &Path) -> io::Result<OutFile> {
    #[cfg(target_os = "linux")]
    {
        use std::os::unix::fs::OpenOptionsExt;
        let direct = fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(true)
            .custom_flags(libc::O_DIRECT)
            .open(path);
        match direct {
            Ok(f) => return linux::DirectFile::new(f).map(OutFile::Direct),
            // EINVAL: this file system does not do direct I/O.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {}
            Err(e) => return Err(e),
        }
    }
    Ok(OutFile::Plain(File::create(path)?))
}

impl Write for OutFile {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        match self {
            #[cfg(target_os = "linux")]
            OutFile::Direct(d) => d.write(bytes),
            OutFile::Plain(f) => f.write(bytes),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            #[cfg(target_os = "linux")]
            OutFile::Direct(d) => d.flush(),
            OutFile::Plain(f) => f.flush(),
        }
    }
}

#[cfg(target_os = "linux")]
mod linux {
    use std::fs::File;
    use std::io;
    use std::os::unix::fs::FileExt;
    use std::os::unix::io::AsRawFd;
    use std::sync::mpsc::{channel, Receiver, Sender};
    use std::sync::Arc;
    use std::thread::JoinHandle;

    /// Bytes per block handed to the disk.
    const BLOCK: usize = 4 << 20;
    /// Alignment of memory, lengths and offsets for direct I/O (covers 512-byte
    /// and 4 KiB sectors).
    const ALIGN: usize = 4096;
    /// Blocks of one file on their way to the disk at most, besides the one filling.
    const DEPTH: usize = 8;

    /// [`BLOCK`] bytes of memory aligned to [`ALIGN`].
    struct Block(std::ptr::NonNull<u8>);

    // The block owns its memory, like a `Vec<u8>`.
    unsafe impl Send for Block {}

    impl Block {
        const LAYOUT: std::alloc::Layout = match std::alloc::Layout::from_size_align(BLOCK, ALIGN) {
            Ok(l) => l,
            Err(_) => panic!("BLOCK and ALIGN make a layout"),
        };

        fn new() -> Self {
            // Zeroed, so that its bytes are always initialised; the allocator maps a
            // fresh block (which reads as zeros, no page touched) or clears a kept one.
            let p = unsafe { std::alloc::alloc_zeroed(Self::LAYOUT) };
            Self(std::ptr::NonNull::new(p).unwrap_or_else(|| std::alloc::handle_alloc_error(Self::LAYOUT)))
        }

        fn region(&mut self) -> &mut [u8] {
            // SAFETY: the block owns BLOCK initialised bytes (see `new`).
            unsafe { std::slice::from_raw_parts_mut(self.0.as_ptr(), BLOCK) }
        }

        fn head(&self, len: usize) -> &[u8] {
            assert!(len <= BLOCK);
            // SAFETY: as in `region`, and len <= BLOCK.
            unsafe { std::slice::from_raw_parts(self.0.as_ptr(), len) }
        }
    }

    impl Drop for Block {
        fn drop(&mut self) {
            // SAFETY: allocated in `new` with this layout, freed once.
            unsafe { std::alloc::dealloc(self.0.as_ptr(), Self::LAYOUT) }
        }
    }

    /// A write for the file's thread: the block, how many of its bytes, and where.
    type Job = (Block, usize, u64);

    /// A file written block by block with `O_DIRECT` on a thread of its own.
    pub struct DirectFile {
        file: Arc<File>,
        jobs: Option<Sender<Job>>,
        returned: Receiver<io::Result<Block>>,
        thread: Option<JoinHandle<()>>,
        block: Option<Block>,
        spare: Vec<Block>,
        filled: usize,
        /// File offset of the block being filled.
        offset: u64,
        in_flight: usize,
        error: Option<io::Error>,
        /// Set once the file went back to ordinary writes (after a flush).
        plain: bool,
    }

    /// Clears `O_DIRECT` on the file, for writes that are not block-aligned.
    fn stop_direct(file: &File) -> io::Result<()> {
        let fd = file.as_raw_fd();
        // SAFETY: fcntl on a descriptor this File owns; no memory is passed.
        let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
        if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_DIRECT) } < 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    }

    /// Writes `bytes` at `offset`; a file system that turns the direct write down
    /// (EINVAL) gets it as an ordinary write.
    fn write_block(file: &File, bytes: &[u8], offset: u64) -> io::Result<()> {
        match file.write_all_at(bytes, offset) {
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                stop_direct(file)?;
                file.write_all_at(bytes, offset)
            }
            other => other,
        }
    }

    impl DirectFile {
        /// Fails only when its thread cannot be started.
        pub fn new(file: File) -> io::Result<Self> {
            let file = Arc::new(file);
            let (jobs, queue) = channel::<Job>();
            let (give_back, returned) = channel();
            let writer = Arc::clone(&file);
            let thread = std::thread::Builder::new().name("direct-io".into()).spawn(move || {
                for (block, len, offset) in queue {
                    let result = write_block(&writer, block.head(len), offset).map(|()| block);
                    if give_back.send(result).is_err() {
                        return;
                    }
                }
            })?;
            Ok(Self {
                file,
                jobs: Some(jobs),
                returned,
                thread: Some(thread),
                block: None,
                spare: Vec::new(),
                filled: 0,
                offset: 0,
                in_flight: 0,
                error: None,
                plain: false,
            })
        }

        /// Takes back one written block (waiting for it), keeping the first error.
        fn take_back(&mut self) {
            let result = self
                .returned
                .recv()
                .unwrap_or_else(|_| Err(io::Error::other("the writer thread stopped")));
            self.in_flight -= 1;
            match result {
                Ok(block) => self.spare.push(block),
                Err(e) => {
                    self.error.get_or_insert(e);
                }
            }
        }

        fn check(&mut self) -> io::Result<()> {
            match self.error.take() {
                Some(e) => Err(e),
                None => Ok(()),
            }
        }

        /// Sends the first `len` bytes of the block being filled to the disk.
        fn submit(&mut self, len: usize) -> io::Result<()> {
            let Some(block) = self.block.take() else { return Ok(()) };
            numberly_core::stage::stores_done();
            let jobs = self.jobs.as_ref().ok_or_else(|| io::Error::other("file closed"))?;
            jobs.send((block, len, self.offset))
                .map_err(|_| io::Error::other("the writer thread stopped"))?;
            self.in_flight += 1;
            self.offset += len as u64;
            self.filled = 0;
            Ok(())
        }

        /// The block being filled: a spare one, or a new one, once fewer than
        /// [`DEPTH`] are on their way to the disk.
        fn filling(&mut self) -> &mut Block {
            let block = match self.block.take() {
                Some(block) => block,
                None => {
                    while self.spare.is_empty() && self.in_flight >= DEPTH {
                        self.take_back();
                    }
                    self.spare.pop().unwrap_or_else(Block::new)
                }
            };
            self.block.insert(block)
        }

        /// Counts `n` more bytes in the block being filled, and sends it when full.
        fn filled_up(&mut self, n: usize) -> io::Result<()> {
            assert!(self.filled + n <= BLOCK && (n == 0 || self.block.is_some()));
            self.filled += n;
            if self.filled == BLOCK {
                self.submit(BLOCK)?;
            }
            Ok(())
        }

        pub fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
            self.check()?;
            if self.plain {
                self.file.write_all_at(bytes, self.offset)?;
                self.offset += bytes.len() as u64;
                return Ok(bytes.len());
            }
            let mut rest = bytes;
            while !rest.is_empty() {
                let filled = self.filled;
                let room = &mut self.filling().region()[filled..];
                let n = rest.len().min(room.len());
                numberly_core::stage::overwrite_past_cache(&mut room[..n], &rest[..n]);
                self.filled_up(n)?;
                rest = &rest[n..];
            }
            self.check()?;
            Ok(bytes.len())
        }

        /// The rest of the block being filled, for the file's next bytes to be stored
        /// in directly; empty once the file is written normally (after a flush).
        pub fn room(&mut self) -> io::Result<&mut [u8]> {
            self.check()?;
            if self.plain {
                return Ok(&mut []);
            }
            let filled = self.filled;
            Ok(&mut self.filling().region()[filled..])
        }

        /// The first `n` bytes of the last [`DirectFile::room`] hold the file's next bytes.
        pub fn advance(&mut self, n: usize) -> io::Result<()> {
            self.filled_up(n)?;
            self.check()
        }

        /// Writes everything out: the aligned part of the last block directly, the
        /// rest (under [`ALIGN`] bytes) as an ordinary write once the others are done.
        pub fn flush(&mut self) -> io::Result<()> {
            if !self.plain {
                numberly_core::stage::stores_done();
                let aligned = self.filled / ALIGN * ALIGN;
                let tail = match &self.block {
                    Some(b) => b.head(self.filled)[aligned..].to_vec(),
                    None => Vec::new(),
                };
                if aligned > 0 {
                    self.submit(aligned)?;
                }
                while self.in_flight > 0 {
                    self.take_back();
                }
                self.check()?;
                self.block = None;
                self.filled = 0;
                self.plain = true;
                stop_direct(&self.file)?;
                self.file.write_all_at(&tail, self.offset)?;
                self.offset += tail.len() as u64;
            }
            self.check()
        }
    }

    impl Drop for DirectFile {
        fn drop(&mut self) {
            // Errors were reported by `flush`; a file dropped without one is best effort.
            let _ = self.flush();
            self.jobs = None;
            if let Some(t) = self.thread.take() {
                let _ = t.join();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use numberly_core::export::Sink;

    /// Sizes around the block and alignment boundaries give back exactly the bytes written.
    #[test]
    fn files_hold_exactly_what_was_written() {
        let dir = std::env::temp_dir().join(format!("numberly-direct-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        for (k, size) in [
            0usize,
            1,
            4095,
            4096,
            4097,
            (8 << 20) - 1,
            8 << 20,
            (8 << 20) + 5000,
            30_000_017,
        ]
        .into_iter()
        .enumerate()
        {
            let path = dir.join(format!("f{k}"));
            let data: Vec<u8> = (0..size).map(|i| (i * 31 % 251) as u8).collect();
            let mut f = create(&path).unwrap();
            // Uneven writes, as the exporter's chunks are, and every third piece stored
            // in the room the file lends, as the row-level files' bytes are.
            for (i, mut piece) in data.chunks(131_071).enumerate() {
                if i % 3 != 1 {
                    f.write_all(piece).unwrap();
                    continue;
                }
                #[cfg(target_os = "linux")]
                let direct = matches!(f, OutFile::Direct(_));
                #[cfg(not(target_os = "linux"))]
                let direct = false;
                while !piece.is_empty() {
                    let room = f.room().unwrap();
                    let n = piece.len().min(room.len());
                    assert!(n > 0 || !direct, "a direct file lends room");
                    if n == 0 {
                        f.write_all(piece).unwrap();
                        break;
                    }
                    numberly_core::stage::overwrite_past_cache(&mut room[..n], &piece[..n]);
                    f.advance(n).unwrap();
                    piece = &piece[n..];
                }
            }
            f.flush().unwrap();
            drop(f);
            assert_eq!(fs::read(&path).unwrap(), data, "size {size}");
        }
        fs::remove_dir_all(&dir).unwrap();
    }
}
