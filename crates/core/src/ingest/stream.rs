//! A file body read piece by piece from a random-access source (a browser `File`,
//! a file on disk), so that a large file never sits whole in memory. Pieces end
//! at a line break outside quotes, found as the pieces are read in order.

use super::{CsvFile, Piece, Pieces};
use crate::error::Error;
use crate::text::{decode_as, Encoding};
use std::borrow::Cow;
use std::sync::Mutex;

/// Bytes that can be read at any offset.
pub trait ReadAt {
    /// Size in bytes.
    fn size(&self) -> u64;
    /// The bytes `start..end` (`end` at most the size).
    fn read_at(&self, start: u64, end: u64) -> Result<Vec<u8>, String>;
}

impl ReadAt for &[u8] {
    fn size(&self) -> u64 {
        self.len() as u64
    }
    fn read_at(&self, start: u64, end: u64) -> Result<Vec<u8>, String> {
        Ok(self[start as usize..end as usize].to_vec())
    }
}

/// Bytes read to find a header or the end of a piece, at a time.
const STEP: u64 = 64 << 10;
/// Most bytes the header may take.
const MAX_HEADER: u64 = 4 << 20;

struct State {
    /// Per piece already delimited: start, end, first line, whether it holds a quote.
    bounds: Vec<(u64, u64, u64, bool)>,
    /// The bytes of the last piece read, by index.
    cached: Option<(usize, Vec<u8>)>,
    /// The first read error.
    error: Option<String>,
    /// Progress callback: fraction of the file read.
    progress: Option<Box<dyn FnMut(f64) + Send>>,
}

/// A body read piece by piece (see the module documentation).
pub struct Streamed<R> {
    source: R,
    encoding: Encoding,
    separator: u8,
    body_start: u64,
    body_first_line: u64,
    cr_only: bool,
    piece_bytes: u64,
    state: Mutex<State>,
}

impl<R: ReadAt> Streamed<R> {
    /// Opens `source` as a CSV file called `name`: reads its head to learn the
    /// header, separator and encoding (returned as a header-only [`CsvFile`]).
    pub fn open(name: &str, source: R, piece_bytes: u64) -> Result<(CsvFile<'static>, Self), Error> {
        let size = source.size();
        let first = source.read_at(0, size.min(STEP)).map_err(|e| Error::input(name, e))?;
        // Lines ending in a carriage return alone (old Mac spreadsheets) are read as line feeds.
        let cr_only = memchr::memchr(b'\n', &first).is_none() && memchr::memchr(b'\r', &first).is_some();
        let read = |a: u64, b: u64| {
            let mut bytes = source.read_at(a, b).map_err(|e| Error::input(name, e))?;
            if cr_only {
                lf_for_cr(&mut bytes);
            }
            Ok::<_, Error>(bytes)
        };
        // The head: enough lines to hold the header and a first record.
        let mut head = read(0, size.min(STEP))?;
        let body_start = loop {
            if let Some(end) = record_end(&head, 0, false) {
                break end as u64;
            }
            if head.len() as u64 >= size.min(MAX_HEADER) {
                if head.len() as u64 >= MAX_HEADER {
                    return Err(Error::input(
                        name,
                        "the header line is longer than 4 MB: this is not a CSV file",
                    ));
                }
                break head.len() as u64;
            }
            let more = read(head.len() as u64, size.min(head.len() as u64 + STEP))?;
            head.extend_from_slice(&more);
        };
        let sample_end = (body_start + STEP).min(size);
        if sample_end > head.len() as u64 {
            let more = read(head.len() as u64, sample_end)?;
            head.extend_from_slice(&more);
        }
        let cut = memchr::memrchr(b'\n', &head)
            .map_or(head.len(), |p| p + 1)
            .max(body_start as usize);
        let file = CsvFile::open(name, &head[..cut])?;
        let header_only = CsvFile {
            name: file.name.clone(),
            encoding: file.encoding,
            separator: file.separator,
            header: file.header.clone(),
            text: Cow::Owned(Vec::new()),
            body_start: 0,
            body_first_line: file.body_first_line,
        };
        let bom = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        // Lines of the header (a quoted header cell may hold line breaks).
        let body_first_line = 1 + memchr::memchr_iter(b'\n', &head[..body_start as usize]).count() as u64;
        let streamed = Self {
            source,
            encoding: file.encoding,
            separator: file.separator,
            body_start: body_start.max(bom),
            body_first_line,
            cr_only,
            piece_bytes: piece_bytes.max(1),
            state: Mutex::new(State {
                bounds: Vec::new(),
                cached: None,
                error: None,
                progress: None,
            }),
        };
        Ok((header_only, streamed))
    }

    /// Calls `f` with the fraction of the file read as pieces are read.
    pub fn on_progress(&self, f: impl FnMut(f64) + Send + 'static) {
        self.lock().progress = Some(Box::new(f));
    }

    /// The first read error, if any (a piece that could not be read is empty).
    pub fn error(&self) -> Option<String> {
        self.lock().error.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Delimits the next piece, reading it; returns its bytes.
    fn advance(&self, st: &mut State) -> Vec<u8> {
        let size = self.source.size();
        let (start, line) = st
            .bounds
            .last()
            .map_or((self.body_start, self.body_first_line), |&(_, end, line, _)| {
                (end, line)
            });
        let index = st.bounds.len() as u64;
        let nominal = (self.body_start + (index + 1) * self.piece_bytes).min(size);
        let mut bytes = if nominal > start {
            self.read(st, start, nominal)
        } else {
            Vec::new()
        };
        let mut in_quotes = memchr::memchr_iter(b'"', &bytes).count() % 2 == 1;
        let mut end = start + bytes.len() as u64;
        // Extend to the end of the record under way.
        let mut from = bytes.len();
        while end < size {
            let more = self.read(st, end, (end + STEP).min(size));
            if more.is_empty() {
                break;
            }
            bytes.extend_from_slice(&more);
            if let Some(cut) = record_end(&bytes, from, in_quotes) {
                bytes.truncate(cut);
                end = start + cut as u64;
                break;
            }
            in_quotes ^= memchr::memchr_iter(b'"', &bytes[from..]).count() % 2 == 1;
            from = bytes.len();
            end = start + bytes.len() as u64;
        }
        // A piece that began past the file's end is empty.
        if start >= size {
            bytes.clear();
            end = start;
        }
        let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
        let quoted = memchr::memchr(b'"', &bytes).is_some();
        st.bounds.push((start, end, line + lines, quoted));
        if let Some(p) = st.progress.as_mut() {
            p(if size == 0 { 1.0 } else { end as f64 / size as f64 });
        }
        bytes
    }

    fn read(&self, st: &mut State, start: u64, end: u64) -> Vec<u8> {
        if st.error.is_some() {
            return Vec::new();
        }
        match self.source.read_at(start, end) {
            Ok(mut b) => {
                if self.cr_only {
                    lf_for_cr(&mut b);
                }
                b
            }
            Err(e) => {
                st.error = Some(e);
                Vec::new()
            }
        }
    }

    fn make_piece(&self, bytes: Vec<u8>, first_line: u64, quoted: bool) -> Piece<'static> {
        let text = match decode_as(&bytes, self.encoding) {
            Cow::Borrowed(_) => bytes,
            Cow::Owned(v) => v,
        };
        Piece {
            text: Cow::Owned(text),
            first_line,
            separator: self.separator,
            quoted,
        }
    }
}

fn lf_for_cr(bytes: &mut [u8]) {
    for b in bytes.iter_mut().filter(|b| **b == b'\r') {
        *b = b'\n';
    }
}

/// The end (just past the `\n`) of the first record that ends at or after `from`,
/// given whether `bytes[from]` is inside quotes.
fn record_end(bytes: &[u8], from: usize, mut in_quotes: bool) -> Option<usize> {
    for (i, &c) in bytes.iter().enumerate().skip(from) {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => return Some(i + 1),
            _ => {}
        }
    }
    None
}

impl<R: ReadAt + Sync> Pieces for Streamed<R> {
    fn count(&self) -> usize {
        let body = self.source.size().saturating_sub(self.body_start);
        body.div_ceil(self.piece_bytes).max(1) as usize
    }

    fn piece(&self, k: usize) -> Piece<'_> {
        let mut st = self.lock();
        let mut bytes = None;
        while st.bounds.len() <= k {
            let index = st.bounds.len();
            let b = self.advance(&mut st);
            if index == k {
                bytes = Some(b);
            }
        }
        let (start, end, _, quoted) = st.bounds[k];
        let lines_before = if k == 0 {
            self.body_first_line
        } else {
            st.bounds[k - 1].2
        };
        let bytes = match (bytes, st.cached.take()) {
            (Some(b), _) => b,
            (None, Some((i, b))) if i == k => b,
            _ => self.read(&mut st, start, end),
        };
        drop(st);
        self.make_piece(bytes, lines_before, quoted)
    }

    fn head(&self) -> Piece<'_> {
        let piece = self.piece(0);
        // Keep the bytes: the run reads piece 0 again right after.
        if let Cow::Owned(text) = &piece.text {
            if self.encoding == Encoding::Utf8 {
                self.lock().cached = Some((0, text.clone()));
            }
        }
        piece
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn records(p: &dyn Pieces) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        for k in 0..p.count() {
            p.piece(k).for_each_record(|line, fields| {
                out.push((
                    line,
                    fields.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect(),
                ))
            });
        }
        out
    }

    #[test]
    fn pieces_give_the_records_of_the_whole_file() {
        let text: &[u8] = b"\xEF\xBB\xBFid;v\r\n1;a\r\n\r\n2;\"x;\ny\"\r\n3;\"say \"\"hi\"\"\"\n4;b\n5;c";
        let whole = CsvFile::open("f.csv", text).unwrap();
        let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
        assert_eq!(expected.len(), 5);
        for piece_bytes in [1, 2, 3, 5, 7, 11, 64, 1 << 20] {
            let (head, s) = Streamed::open("f.csv", text, piece_bytes).unwrap();
            assert_eq!(
                (head.header.clone(), head.separator),
                (vec!["id".to_string(), "v".to_string()], b';')
            );
            assert_eq!(records(&s), expected, "pieces of {piece_bytes} bytes");
        }
    }

    #[test]
    fn carriage_returns_alone_end_lines() {
        let text: &[u8] = b"id,v\r1,a\r2,b\r";
        let (head, s) = Streamed::open("mac.csv", text, 3).unwrap();
        assert_eq!(head.header, ["id", "v"]);
        let got: Vec<(u64, String)> = records(&s).into_iter().map(|(l, f)| (l, f[1].clone())).collect();
        assert_eq!(got, [(2, "a".to_string()), (3, "b".to_string())]);
    }

    #[test]
    fn windows_1252_is_decoded_in_every_piece() {
        let text: &[u8] = b"ville,n\nB\xE9ziers,1\nN\xEEmes,2\n";
        let (head, s) = Streamed::open("w.csv", text, 4).unwrap();
        assert_eq!(head.encoding, Encoding::Windows1252);
        let got: Vec<String> = records(&s).into_iter().map(|(_, f)| f[0].clone()).collect();
        assert_eq!(got, ["Béziers", "Nîmes"]);
    }

    #[test]
    fn header_only_and_unusable_files() {
        let (_, s) = Streamed::open("h.csv", &b"a,b\n"[..], 8).unwrap();
        assert!(records(&s).is_empty());
        let e = Streamed::open("e.csv", &b""[..], 8).err().map(|e| e.to_string());
        assert_eq!(e.as_deref(), Some("e.csv: the file is empty"));
        let e = Streamed::open("p.png", &b"\x89PNG\r\n\x1a\n...."[..], 8)
            .err()
            .map(|e| e.to_string());
        assert!(e.unwrap_or_default().contains("PNG"));
    }
}
