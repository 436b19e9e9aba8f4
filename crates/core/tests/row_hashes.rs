//! The two row-level files hashed side by side on one thread, or each on a thread
//! of its own (`NUMBERLY_ROW_HASHES`): the same bytes and digests either way, into
//! writers that lend memory or not. One test only, as it sets the process's
//! environment.

use numberly_core::clean::CleanOptions;
use numberly_core::export::{export, export_to_memory, Sink};
use numberly_core::generate::GenerateOptions;
use numberly_core::metrics::Filter;
use numberly_core::pipeline::{prepare, Source};
use std::io::{self, Write};
use std::sync::Mutex;

/// A writer that lends memory of changing sizes and alignments (or none, when
/// `lends` is false), and hands its bytes to a shared list when dropped; one that
/// `fails` refuses every byte.
struct Lender<'s> {
    name: String,
    bytes: Vec<u8>,
    block: Vec<u8>,
    turn: usize,
    lent: (usize, usize),
    lends: bool,
    fails: bool,
    done: &'s Mutex<Vec<(String, Vec<u8>)>>,
}

impl<'s> Lender<'s> {
    fn new(name: &str, lends: bool, fails: bool, done: &'s Mutex<Vec<(String, Vec<u8>)>>) -> Self {
        Lender {
            name: name.to_string(),
            bytes: Vec::new(),
            block: vec![0; 300_000 + 128],
            turn: 0,
            lent: (0, 0),
            lends,
            fails,
            done,
        }
    }
}

impl Sink for Lender<'_> {
    fn room(&mut self) -> io::Result<&mut [u8]> {
        if !self.lends {
            return Ok(&mut []);
        }
        self.turn += 1;
        // Rooms of one byte to 300 kB, at a 64-byte boundary or 5 bytes past one.
        let len = [1, 4096, 300_000, 77, 65_536][self.turn % 5];
        let skew = [0, 5][self.turn % 2];
        let base = (64 - self.block.as_ptr() as usize % 64) % 64;
        self.lent = (base + skew, len);
        Ok(&mut self.block[base + skew..base + skew + len])
    }

    fn advance(&mut self, n: usize) -> io::Result<()> {
        if self.fails {
            return Err(io::Error::other("disk full"));
        }
        let (at, len) = self.lent;
        assert!(n <= len, "advanced past the room");
        // The stores past the cache were made on this thread: its own reads see them.
        self.bytes.extend_from_slice(&self.block[at..at + n]);
        self.lent = (at, 0);
        Ok(())
    }
}

impl Write for Lender<'_> {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        if self.fails {
            return Err(io::Error::other("disk full"));
        }
        self.bytes.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for Lender<'_> {
    fn drop(&mut self) {
        let file = (std::mem::take(&mut self.name), std::mem::take(&mut self.bytes));
        self.done.lock().unwrap().push(file);
    }
}

#[test]
fn both_ways_of_hashing_the_row_level_files_give_the_same_bytes_and_digests() {
    if numberly_core::par::threads() < 2 {
        eprintln!("one thread here: the files are always hashed side by side, nothing to compare");
        return;
    }
    let opts = GenerateOptions {
        customers: 3_000,
        interactions: 200_000,
        dirty: 0.01,
        ..GenerateOptions::default()
    };
    let p = prepare(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {}).expect("generation runs");
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&p.dataset, &p.clean);
    let input = p.export_input(&filter, &privacy);
    let mut seen = Vec::new();
    for mode in ["paired", "apart"] {
        // Safe here: the only test in this binary, with no export running.
        std::env::set_var("NUMBERLY_ROW_HASHES", mode);
        let (outputs, files) = export_to_memory(&input).expect("export succeeds");
        for lends in [false, true] {
            let done = Mutex::new(Vec::new());
            let lent = export(&input, &|name| Ok(Lender::new(name, lends, false, &done)), &mut |_| {})
                .expect("export succeeds");
            assert_eq!(lent, outputs, "{mode}, lending {lends}: the same digests");
            let mut done = done.into_inner().unwrap();
            done.sort();
            let mut expected = files.clone();
            expected.sort();
            for ((name, bytes), (n, b)) in done.iter().zip(&expected) {
                assert_eq!(name, n);
                assert!(bytes == b, "{mode}, lending {lends}: {name} differs");
            }
            // A failed write is named, whichever thread wrote the file.
            for bad in ["interactions.csv", "donnees_marketing.csv"] {
                let done = Mutex::new(Vec::new());
                let err = export(
                    &input,
                    &|name| Ok(Lender::new(name, lends, name == bad, &done)),
                    &mut |_| {},
                )
                .expect_err("the write fails");
                let message = err.to_string();
                assert!(
                    message.starts_with(&format!("{bad}: ")),
                    "{mode}, lending {lends}: {message}"
                );
            }
        }
        for (o, (name, bytes)) in outputs.iter().zip(&files) {
            use sha2::Digest;
            let hex = numberly_core::export::hex(&sha2::Sha256::digest(bytes));
            assert_eq!((&o.name, &o.sha256), (name, &hex), "{mode}");
        }
        seen.push((outputs, files));
    }
    assert!(seen[0] == seen[1], "paired and apart give the same files");
    assert!(
        seen[0]
            .1
            .iter()
            .any(|(n, b)| n == "donnees_marketing.csv" && b.len() > 4 * 300_000),
        "many rooms' worth"
    );
    std::env::remove_var("NUMBERLY_ROW_HASHES");
}
