//! A file body read piece by piece from a random-access source (a browser `File`,
//! a file on disk), so that a large file never sits whole in memory. Pieces end
//! at a line break outside quotes, found as the pieces are read in order.

use super::{CsvFile, Piece, Pieces};
use crate::error::Error;
use crate::text::{decode_as, Encoding, EncodingScan};
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
    /// Per piece already delimited: start, end, and the first line of the next piece.
    bounds: Vec<(u64, u64, u64)>,
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
    quoted: bool,
    piece_bytes: u64,
    state: Mutex<State>,
}

impl<R: ReadAt> Streamed<R> {
    /// Opens `source` as a CSV file called `name`: reads its head to learn the
    /// header, separator and encoding (returned as a header-only [`CsvFile`]).
    pub fn open(name: &str, source: R, piece_bytes: u64) -> Result<(CsvFile<'static>, Self), Error> {
        let size = source.size();
        // Every lone carriage return is read as a line feed (the rule of `CsvFile::open`).
        let read = |a: u64, b: u64| read_lf(&source, a, b).map_err(|e| Error::input(name, e));
        // The head: enough lines to hold the header and a first record.
        let mut head = read(0, size.min(STEP))?;
        while memchr::memchr(b'\n', &head).is_none() && (head.len() as u64) < size.min(MAX_HEADER) {
            let more = read(head.len() as u64, size.min(head.len() as u64 + STEP))?;
            head.extend_from_slice(&more);
        }
        let cut = if head.len() as u64 == size {
            head.len()
        } else {
            match memchr::memrchr(b'\n', &head) {
                Some(p) => p + 1,
                None => {
                    return Err(Error::input(
                        name,
                        "the header line is longer than 4 MB: this is not a CSV file",
                    ))
                }
            }
        };
        // Checks (empty, binary, not CSV) and the header, as the head reads.
        let file = CsvFile::open(name, &head[..cut])?;
        let (mut encoding, mut separator, mut header) = (file.encoding, file.separator, file.header.clone());
        let mut sample = file.text[file.body_start.min(file.text.len())..].to_vec();
        // The header ends where the csv reader ends it (a quoted cell may hold line breaks).
        // (After Excel's separator line, when there is one.)
        let bom = if head.starts_with(b"\xEF\xBB\xBF") { 3 } else { 0 };
        let preamble = match super::separator_line(name, &head[bom..cut])? {
            Some((_, length)) => bom + length,
            None => 0,
        };
        let body_start = csv_record_end(&head[..cut], separator, preamble + 1).unwrap_or(cut) as u64;
        // Read once more to learn what reading the whole file tells: its encoding (see
        // `EncodingScan::encoding`) and whether its body has quotes (then every piece is
        // read with the csv reader, as the whole body would be).
        let raw_header = &head[..body_start as usize];
        let mut scan = EncodingScan::default();
        scan.feed(raw_header.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw_header), false);
        let (scan, quoted) = scan_body(&source, body_start, scan).map_err(|e| Error::input(name, e))?;
        if scan.encoding() != encoding {
            let raw = head[..cut].strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&head[..cut]);
            let text = decode_as(raw, scan.encoding());
            let file = CsvFile::open(name, &text)?;
            (encoding, separator, header) = (scan.encoding(), file.separator, file.header.clone());
            sample = file.text[file.body_start.min(file.text.len())..].to_vec();
        }
        // Lines of the header (a quoted header cell may hold line breaks).
        let body_first_line = 1 + memchr::memchr_iter(b'\n', &head[..body_start as usize]).count() as u64;
        let header_only = CsvFile {
            name: name.to_string(),
            encoding,
            separator,
            header,
            text: Cow::Owned(Vec::new()),
            body_start: 0,
            body_first_line,
            sample,
        };
        let streamed = Self {
            source,
            encoding,
            separator,
            body_start: body_start.max(bom as u64),
            body_first_line,
            quoted,
            piece_bytes: piece_bytes.max(1),
            state: Mutex::new(State {
                bounds: Vec::new(),
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
            .map_or((self.body_start, self.body_first_line), |&(_, end, line)| (end, line));
        let index = st.bounds.len() as u64;
        let nominal = (self.body_start + (index + 1) * self.piece_bytes).min(size);
        let (mut bytes, mut end) = self.delimit(st, start, nominal);
        // A piece that began past the file's end is empty.
        if start >= size {
            bytes.clear();
            end = start;
        }
        let lines = memchr::memchr_iter(b'\n', &bytes).count() as u64;
        st.bounds.push((start, end, line + lines));
        if let Some(p) = st.progress.as_mut() {
            p(if size == 0 { 1.0 } else { end as f64 / size as f64 });
        }
        bytes
    }

    /// The bytes from `start` to the end of the record under way at `nominal`, and that
    /// end. With quotes, records are those of [`Piece::for_each_record`] (see
    /// [`super::records`]): a stray quote's record ends with its first line.
    fn delimit(&self, st: &mut State, start: u64, nominal: u64) -> (Vec<u8>, u64) {
        let size = self.source.size();
        let mut bytes = if nominal > start {
            self.read(st, start, nominal)
        } else {
            Vec::new()
        };
        let from = (nominal.max(start) - start) as usize;
        let mut end = start + bytes.len() as u64;
        // With quotes, the scan goes on where it stopped as more bytes come.
        let mut records = super::records::Records::new(self.separator);
        loop {
            let found = if self.quoted {
                let complete = end >= size;
                std::iter::from_fn(|| records.next(&bytes, complete))
                    .map(|r| r.end)
                    .find(|&e| e >= from)
            } else {
                let at = from.saturating_sub(1).min(bytes.len());
                memchr::memchr(b'\n', &bytes[at..]).map(|p| at + p + 1)
            };
            // (A record that ends with the bytes read may go on in the next ones: a
            // line feed after a carriage return.)
            if let Some(cut) = found.filter(|&c| c < bytes.len()) {
                bytes.truncate(cut);
                return (bytes, start + cut as u64);
            }
            if end >= size {
                // (The last piece takes the rest of the file whatever it holds.)
                return (bytes, end);
            }
            let more = self.read(st, end, (end + STEP).min(size));
            if more.is_empty() {
                return (bytes, end);
            }
            bytes.extend_from_slice(&more);
            end = start + bytes.len() as u64;
        }
    }

    fn read(&self, st: &mut State, start: u64, end: u64) -> Vec<u8> {
        if st.error.is_some() {
            return Vec::new();
        }
        match read_lf(&self.source, start, end) {
            Ok(b) => b,
            Err(e) => {
                st.error = Some(e);
                Vec::new()
            }
        }
    }

    fn make_piece(&self, bytes: Vec<u8>, first_line: u64) -> Piece<'static> {
        let text = match decode_as(&bytes, self.encoding) {
            Cow::Borrowed(_) => bytes,
            Cow::Owned(v) => v,
        };
        Piece {
            text: Cow::Owned(text),
            first_line,
            separator: self.separator,
            // Every piece is read like the whole body: with the csv reader when it has quotes.
            quoted: self.quoted,
        }
    }
}

/// Reads `start..end`, a carriage return not followed by a line feed made a line feed
/// (the byte after `end` is read to tell).
fn read_lf<R: ReadAt>(source: &R, start: u64, end: u64) -> Result<Vec<u8>, String> {
    let mut bytes = source.read_at(start, (end + 1).min(source.size()))?;
    let next = (bytes.len() as u64 > end - start).then(|| bytes.pop()).flatten();
    super::lone_carriage_returns_to_line_feeds(&mut bytes, next);
    Ok(bytes)
}

/// Where the first record that ends at or after `from` ends in `bytes` (which begin
/// at a record's start), read as the `csv` crate reads it; `None` if none ends there.
/// (For the header, which the `csv` crate reads.)
pub(super) fn csv_record_end(bytes: &[u8], separator: u8, from: usize) -> Option<usize> {
    use csv_core::ReadRecordResult;
    let mut reader = csv_core::ReaderBuilder::new().delimiter(separator).build();
    let (mut out, mut ends) = ([0u8; 1 << 12], [0usize; 64]);
    let mut parsed = 0;
    // An empty input would tell the parser the text ended: it only gets bytes.
    while parsed < bytes.len() {
        let (result, nin, _, _) = reader.read_record(&bytes[parsed..], &mut out, &mut ends);
        parsed += nin;
        match result {
            ReadRecordResult::Record if parsed >= from => return Some(parsed),
            ReadRecordResult::Record | ReadRecordResult::OutputFull | ReadRecordResult::OutputEndsFull => {}
            ReadRecordResult::InputEmpty | ReadRecordResult::End => break,
        }
    }
    None
}

/// Reads a body from `start` (a character boundary) to the end: what it tells of the
/// encoding, added to `scan`, and whether it holds a quote.
fn scan_body<R: ReadAt>(source: &R, start: u64, mut scan: EncodingScan) -> Result<(EncodingScan, bool), String> {
    const CHUNK: u64 = 8 << 20;
    let size = source.size();
    let (mut at, mut carry, mut quoted) = (start, Vec::new(), false);
    while at < size && !(scan.settled() && quoted) {
        let end = (at + CHUNK).min(size);
        let chunk = source.read_at(at, end)?;
        quoted |= memchr::memchr(b'"', &chunk).is_some();
        if !scan.settled() {
            let mut bytes = std::mem::take(&mut carry);
            bytes.extend_from_slice(&chunk);
            // A character cut at the chunk's end is finished with the next chunk.
            let cut = scan.feed(&bytes, end < size);
            carry = bytes[bytes.len() - cut..].to_vec();
        }
        at = end;
    }
    Ok((scan, quoted))
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
        let (start, end, _) = st.bounds[k];
        let lines_before = if k == 0 {
            self.body_first_line
        } else {
            st.bounds[k - 1].2
        };
        let bytes = match bytes {
            Some(b) => b,
            None => self.read(&mut st, start, end),
        };
        drop(st);
        self.make_piece(bytes, lines_before)
    }

    /// The start of the body: at least the bytes `clean` samples for identifiers (the
    /// same text as when the file is read whole), read apart from the pieces.
    fn head(&self) -> Piece<'_> {
        let mut st = self.lock();
        let nominal = (self.body_start + crate::clean::SAMPLE_BYTES as u64).min(self.source.size());
        let (bytes, _) = self.delimit(&mut st, self.body_start, nominal);
        drop(st);
        self.make_piece(bytes, self.body_first_line)
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
    fn random_quotes_and_line_ends_read_the_same_in_pieces() {
        let tokens: [&[u8]; 10] = [b"\"", b"\"\"", b",", b"\n", b"\r\n", b"\r", b"ab", b"7", b"\n\n", b" "];
        let mut x = 12_345u64;
        for round in 0..300 {
            let mut text = b"id,v\n".to_vec();
            for _ in 0..(round % 60 + 1) {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                text.extend_from_slice(tokens[(x >> 33) as usize % tokens.len()]);
            }
            let whole = CsvFile::open("r.csv", &text).unwrap();
            let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
            for piece_bytes in [1, 2, 3, 5, 8, 13] {
                let (_, s) = Streamed::open("r.csv", &text[..], piece_bytes).unwrap();
                assert_eq!(
                    records(&s),
                    expected,
                    "{:?} in pieces of {piece_bytes} bytes",
                    String::from_utf8_lossy(&text)
                );
            }
        }
    }

    #[test]
    fn excel_separator_line_names_the_separator_whole_and_in_pieces() {
        // `sep=;` over a header whose commas would otherwise win the vote.
        for text in [
            &b"\xEF\xBB\xBFsep=;\r\nid;v,w\r\n1;a,b\r\n2;\"x;\ny\"\r\n"[..],
            b"SEP=;\rid;v,w\r1;a,b\r2;\"x;\ny\"\r",
        ] {
            let whole = CsvFile::open("s.csv", text).unwrap();
            assert_eq!(
                (whole.separator, whole.header.clone()),
                (b';', vec!["id".to_string(), "v,w".into()])
            );
            let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
            // Line 1 is the separator line, line 2 the header.
            assert_eq!(expected[0], (3, vec!["1".to_string(), "a,b".into()]));
            assert_eq!(expected.len(), 2);
            for piece_bytes in [1, 2, 3, 7, 64] {
                let (head, s) = Streamed::open("s.csv", text, piece_bytes).unwrap();
                assert_eq!((head.separator, &head.header), (b';', &whole.header));
                assert_eq!(records(&s), expected, "pieces of {piece_bytes} bytes");
            }
        }
    }

    #[test]
    fn carriage_returns_alone_end_lines() {
        // Lone carriage returns end lines; one before a line feed, met at a piece's end, does not.
        let text: &[u8] = b"id,v\r1,a\r2,b\r\n3,c\r";
        let whole = CsvFile::open("mac.csv", text).unwrap();
        let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
        assert_eq!(expected.len(), 3);
        for piece_bytes in [1, 2, 3, 4, 5, 64] {
            let (head, s) = Streamed::open("mac.csv", text, piece_bytes).unwrap();
            assert_eq!(head.header, ["id", "v"]);
            assert_eq!(records(&s), expected, "pieces of {piece_bytes} bytes");
        }
    }

    #[test]
    fn a_lone_carriage_return_after_the_first_line_ends_a_line_too() {
        // Line feeds first, then lines ended by a carriage return alone: one line each,
        // numbered as such, with or without a quote in the file.
        for text in [
            &b"id,v\n1,a\n2,b\r3,c\r4,d\n"[..],
            &b"id,v\n1,\"a\"\n2,b\r3,c\r4,d\n"[..],
        ] {
            let whole = CsvFile::open("mixed.csv", text).unwrap();
            let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
            let lines: Vec<u64> = expected.iter().map(|r| r.0).collect();
            assert_eq!(lines, [2, 3, 4, 5], "{:?}", String::from_utf8_lossy(text));
            assert_eq!(expected[2].1, ["3", "c"]);
            for piece_bytes in [1, 3, 7, 64] {
                let (_, s) = Streamed::open("mixed.csv", text, piece_bytes).unwrap();
                assert_eq!(records(&s), expected, "pieces of {piece_bytes} bytes");
            }
        }
    }

    #[test]
    fn the_encoding_is_the_whole_files() {
        // Valid UTF-8 in the head, a Windows-1252 byte far after it: both read right, the
        // whole file and in pieces. Without the UTF-8 line, the whole file is 1252.
        let tail = |head: &[u8]| {
            let mut text = head.to_vec();
            for i in 0..20_000 {
                text.extend_from_slice(format!("Paris,{i}\n").as_bytes());
            }
            text.extend_from_slice(b"N\xEEmes,2\n");
            text
        };
        for (head, encoding, first) in [
            (&b"ville,n\nS\xC3\xA8te,1\n"[..], Encoding::Mixed, "Sète"),
            (&b"ville,n\nSete,1\n"[..], Encoding::Windows1252, "Sete"),
            (&b"ville,n\nS\xE8te,1\n"[..], Encoding::Windows1252, "Sète"),
        ] {
            let text = tail(head);
            let whole = CsvFile::open("w.csv", &text).unwrap();
            assert_eq!(whole.encoding, encoding);
            let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
            let (head, s) = Streamed::open("w.csv", &text[..], 4096).unwrap();
            assert_eq!(head.encoding, encoding);
            let got = records(&s);
            assert_eq!(got, expected);
            assert_eq!(got[0].1[0], first);
            assert_eq!(got[got.len() - 1].1[0], "Nîmes");
        }
        // A header in 1252, UTF-8 after it: the header is read again as the file is.
        let mut text = b"ville,n\xB0\n".to_vec();
        text.extend_from_slice(&tail(b"")[..]);
        text.extend_from_slice("Sète,3\n".as_bytes());
        let (head, s) = Streamed::open("w.csv", &text[..], 4096).unwrap();
        assert_eq!((head.encoding, head.header[1].as_str()), (Encoding::Mixed, "n°"));
        assert_eq!(records(&s).last().unwrap().1[0], "Sète");
        // A character cut by the 8 MB chunks of the check is still valid UTF-8.
        let cut = format!("a{}", "é".repeat(5 << 20));
        let (scan, quoted) = scan_body(&cut.as_bytes(), 0, EncodingScan::default()).unwrap();
        assert_eq!((scan.encoding(), scan.multibyte, quoted), (Encoding::Utf8, true, false));
    }

    #[test]
    fn stray_quotes_read_the_same_in_pieces() {
        let mut text = b"id,c\n".to_vec();
        for i in 0..5_000 {
            // Quoted cells before the quote that is never closed (none can follow it).
            if i < 3_000 {
                text.extend_from_slice(format!("{i},\"c,{i}\"\n").as_bytes());
            } else {
                text.extend_from_slice(format!("{i},c{i}\n").as_bytes());
            }
            // Quotes typed as characters, each closing the one before badly.
            if [1_000, 1_700, 2_600].contains(&i) {
                text.extend_from_slice(format!("s{i},\"{i} pouces\n").as_bytes());
            }
            if i == 3_000 {
                text.extend_from_slice(b"x,\"open\n");
            }
        }
        let whole = CsvFile::open("q.csv", &text).unwrap();
        let expected = records(&super::super::FileBody::of(&whole, 1 << 20));
        assert_eq!(expected.len(), 5_004, "every line a record");
        assert_eq!(
            expected[1_001],
            (1_003, vec!["s1000".to_string(), "\"1000 pouces".to_string()])
        );
        assert_eq!(
            expected[1_702],
            (1_704, vec!["s1700".to_string(), "\"1700 pouces".to_string()])
        );
        assert_eq!(expected[3_004], (3_006, vec!["x".to_string(), "\"open".to_string()]));
        for piece_bytes in [1_000, 4096, 1 << 20] {
            let (_, s) = Streamed::open("q.csv", &text[..], piece_bytes).unwrap();
            assert_eq!(records(&s), expected, "pieces of {piece_bytes} bytes");
            // The piece with the open quote ends with its line, not with the file.
            let longest = (0..s.count()).map(|k| s.piece(k).text.len()).max().unwrap();
            assert!((longest as u64) < 2 * piece_bytes, "a piece of {longest} bytes");
        }
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
    fn the_head_keeps_the_first_record_for_what_it_tells() {
        let text: &[u8] = b"\xEF\xBB\xBFid;time\r\n1;2025-01-02 10:00:00\r\n2;2025-01-02 11:00:00\r\n";
        let (head, s) = Streamed::open("t.csv", text, 8).unwrap();
        let mut first = Vec::new();
        head.first_body_record(|f| first = f.iter().map(|c| c.to_vec()).collect());
        assert_eq!(first, [b"1".to_vec(), b"2025-01-02 10:00:00".to_vec()]);
        // The head is still header only: the body is read from the pieces alone.
        assert!(head.parts(1).iter().all(|p| p.text.is_empty()));
        assert_eq!(records(&s).len(), 2);
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
