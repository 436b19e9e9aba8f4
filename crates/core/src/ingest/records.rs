//! Where the records of a body with quotes begin and end. They are the `csv` crate's
//! records, but for stray quotes: a quoted cell that runs over a line break and then
//! never closes, or closes badly (its closing quote followed by something other than
//! a separator or a line end: `"12 pouces` on one line, `"15 pouces` a few lines
//! down), is not a cell with line breaks but a quote typed as a character. Its
//! record is then its first line alone, read with quotes as plain characters, and
//! reading goes on at the next line; otherwise the lines in between would vanish
//! into one cell and the record could still have the right number of fields.
//!
//! So is a record whose quoted cells run over more than [`MAX_RECORD_BREAKS`] line
//! breaks in all: no record of a marketing file holds that many, and without the
//! bound a file where each line opens a quote that the next closes (one record to
//! the end of the file, its last quote never closed) would be scanned to its end
//! from every line, as a stray quote's scan starts again at its next line.
//!
//! Both the reading of a piece and the cutting of a file into pieces go through
//! [`Records`], so that a file reads the same whole and in pieces.

/// Line breaks the quoted cells of a record may hold in all (a stray quote's beyond).
pub(super) const MAX_RECORD_BREAKS: u32 = 256;

/// Where the scan is in the record under way.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum At {
    /// Before a record (blank lines are skipped here).
    RecordStart,
    /// At the start of a cell.
    CellStart,
    /// In a cell without quotes.
    Cell,
    /// In a quoted cell.
    Quoted,
    /// Just after a quote in a quoted cell: the end of the cell, or `""`.
    QuoteInQuoted,
}

/// One record: its bytes `start..end` (its line end included), and whether it is the
/// first line of a record with a stray quote, to read with quotes as characters.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Record {
    pub start: usize,
    pub end: usize,
    pub plain: bool,
}

/// The records of a text that may grow (the cutting of a stream into pieces reads
/// more until a record ends): the scan keeps its place, and after a stray quote
/// starts again at the next line, so each byte is read again at most
/// [`MAX_RECORD_BREAKS`] times.
pub(super) struct Records {
    separator: u8,
    /// The next byte to read.
    at: usize,
    /// Where the record under way starts.
    start: usize,
    state: At,
    /// Line breaks in the quoted cell under way, and in the record's quoted cells.
    cell_breaks: u32,
    record_breaks: u32,
}

impl Records {
    /// A scan from the start of a text that begins at a record's start.
    pub fn new(separator: u8) -> Self {
        Records {
            separator,
            at: 0,
            start: 0,
            state: At::RecordStart,
            cell_breaks: 0,
            record_breaks: 0,
        }
    }

    /// The next record of `text` (the same bytes as at the calls before, maybe more);
    /// `None` when no other record ends in it, yet (`complete` false: more may come)
    /// or at all.
    pub fn next(&mut self, text: &[u8], complete: bool) -> Option<Record> {
        loop {
            let Some(&c) = text.get(self.at) else {
                return self.at_the_end(text, complete);
            };
            match self.state {
                At::RecordStart => {
                    if c == b'\n' || c == b'\r' {
                        self.at += 1;
                    } else {
                        self.start = self.at;
                        self.state = At::CellStart;
                        self.record_breaks = 0;
                    }
                }
                At::CellStart if c == b'"' => {
                    self.state = At::Quoted;
                    self.cell_breaks = 0;
                    self.at += 1;
                }
                At::CellStart | At::Cell => {
                    if let Some(record) = self.after_cell(text, c, complete) {
                        return record;
                    }
                }
                At::Quoted => {
                    let line_break = match c {
                        b'\n' => true,
                        // (A carriage return before a line feed is the same break;
                        // more bytes must tell, when there are none yet.)
                        b'\r' => match text.get(self.at + 1) {
                            None if !complete => return None,
                            next => next != Some(&b'\n'),
                        },
                        _ => false,
                    };
                    if c == b'"' {
                        self.state = At::QuoteInQuoted;
                    } else if line_break {
                        self.cell_breaks += 1;
                        self.record_breaks += 1;
                        if self.record_breaks > MAX_RECORD_BREAKS {
                            return Some(self.stray(text));
                        }
                    }
                    self.at += 1;
                }
                At::QuoteInQuoted => {
                    if c == b'"' {
                        self.state = At::Quoted;
                        self.at += 1;
                    } else if c == self.separator || c == b'\n' || c == b'\r' {
                        if let Some(record) = self.after_cell(text, c, complete) {
                            return record;
                        }
                    } else if self.cell_breaks > 0 {
                        // Spaces between the closing quote and the separator or line
                        // end close the cell too, as the csv reader has it.
                        match self.spaces_then_end(text, complete) {
                            None => return None,
                            Some(true) => {
                                self.state = At::Cell;
                                self.at += 1;
                            }
                            Some(false) => return Some(self.stray(text)),
                        }
                    } else {
                        // `"12" pouces` on one line: the rest is part of the cell.
                        self.state = At::Cell;
                        self.at += 1;
                    }
                }
            }
        }
    }

    /// Byte `c` outside quotes: a separator starts a cell, a line end ends the record
    /// (`Some(record)`, or `Some(None)` while more bytes must tell whether a line
    /// feed follows a carriage return), anything else goes on in the cell.
    fn after_cell(&mut self, text: &[u8], c: u8, complete: bool) -> Option<Option<Record>> {
        if c == self.separator {
            self.state = At::CellStart;
            self.at += 1;
            return None;
        }
        if c != b'\n' && c != b'\r' {
            self.state = At::Cell;
            self.at += 1;
            return None;
        }
        let mut end = self.at + 1;
        if c == b'\r' {
            match text.get(end) {
                Some(b'\n') => end += 1,
                Some(_) => {}
                None if complete => {}
                None => return Some(None),
            }
        }
        Some(Some(self.done(end, false)))
    }

    /// Whether the bytes from the scan's place are spaces or tabs, at least one, then
    /// a separator, a line end or the end of a complete text; `None` while more bytes
    /// must tell.
    fn spaces_then_end(&self, text: &[u8], complete: bool) -> Option<bool> {
        let rest = &text[self.at..];
        let spaces = rest
            .iter()
            .take_while(|&&c| (c == b' ' || c == b'\t') && c != self.separator)
            .count();
        if spaces == 0 {
            return Some(false);
        }
        match rest.get(spaces) {
            Some(&c) => Some(c == self.separator || c == b'\n' || c == b'\r'),
            None if complete => Some(true),
            None => None,
        }
    }

    /// The end of the text: the record under way ends there when complete (its first
    /// line alone when a quote is still open: a stray quote).
    fn at_the_end(&mut self, text: &[u8], complete: bool) -> Option<Record> {
        if !complete {
            return None;
        }
        match self.state {
            At::RecordStart => None,
            At::Quoted => Some(self.stray(text)),
            At::CellStart | At::Cell | At::QuoteInQuoted => Some(self.done(text.len(), false)),
        }
    }

    /// The record under way is the first line of a stray quote's: the scan goes on
    /// at the next line.
    fn stray(&mut self, text: &[u8]) -> Record {
        let end = line_end(&text[self.start..]).map_or(text.len(), |p| self.start + p);
        self.done(end, true)
    }

    fn done(&mut self, end: usize, plain: bool) -> Record {
        self.at = end;
        self.state = At::RecordStart;
        Record {
            start: self.start,
            end,
            plain,
        }
    }
}

/// Reads the cells of one record at a time, from the bytes [`Records`] gives it: one
/// parser for quoted records and one for plain ones, each reset for every record
/// (building a reader per record would cost far more than reading it).
pub(super) struct Cells {
    quoted: csv_core::Reader,
    plain: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
}

impl Cells {
    pub fn new(separator: u8) -> Self {
        let build = |quoting| {
            csv_core::ReaderBuilder::new()
                .delimiter(separator)
                .quoting(quoting)
                .build()
        };
        Cells {
            quoted: build(true),
            plain: build(false),
            out: vec![0; 1 << 10],
            ends: vec![0; 64],
        }
    }

    /// The cells of the record `bytes` (its line end included, or none), read with
    /// quotes as CSV has them, or as plain characters.
    pub fn read(&mut self, bytes: &[u8], plain: bool) -> Vec<&[u8]> {
        use csv_core::ReadRecordResult;
        let reader = if plain { &mut self.plain } else { &mut self.quoted };
        reader.reset();
        let (mut at, mut nout, mut nend) = (0, 0, 0);
        loop {
            // (Once the bytes are all read, an empty input tells the parser they ended.)
            let (result, nin, o, e) = reader.read_record(&bytes[at..], &mut self.out[nout..], &mut self.ends[nend..]);
            (at, nout, nend) = (at + nin, nout + o, nend + e);
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(2 * self.out.len(), 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(2 * self.ends.len(), 0),
                ReadRecordResult::Record | ReadRecordResult::End => break,
            }
        }
        // Field ends count from the start of the record's output.
        let mut start = 0;
        self.ends[..nend]
            .iter()
            .map(|&end| {
                let cell = &self.out[start..end];
                start = end;
                cell
            })
            .collect()
    }
}

/// Where the first line of `text` ends, after its line feed, carriage return and line
/// feed, or carriage return alone; `None` when it runs to the end.
pub(super) fn line_end(text: &[u8]) -> Option<usize> {
    let p = memchr::memchr2(b'\n', b'\r', text)?;
    Some(if text[p] == b'\r' && text.get(p + 1) == Some(&b'\n') {
        p + 2
    } else {
        p + 1
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every record of `text`, as (its bytes, plain).
    fn all(text: &str) -> Vec<(&str, bool)> {
        let mut r = Records::new(b',');
        std::iter::from_fn(|| r.next(text.as_bytes(), true))
            .map(|rec| (&text[rec.start..rec.end], rec.plain))
            .collect()
    }

    #[test]
    fn records_end_where_the_csv_reader_ends_them() {
        assert_eq!(
            all("a,b\n\n\"x\ny\",\"say \"\"hi\"\"\"\r\n\"12\" pouces,z\r3,4"),
            [
                ("a,b\n", false),
                ("\"x\ny\",\"say \"\"hi\"\"\"\r\n", false),
                ("\"12\" pouces,z\r", false),
                ("3,4", false)
            ]
        );
        // The same records, whatever the text's own cuts.
        let text = "1,\"a\nb\"\r\n2,c\n";
        let mut r = Records::new(b',');
        let mut got = Vec::new();
        for len in 0..=text.len() {
            while let Some(rec) = r.next(&text.as_bytes()[..len], len == text.len()) {
                got.push((rec.start, rec.end));
            }
        }
        assert_eq!(got, [(0, 9), (9, 13)]);
    }

    #[test]
    fn cells_of_a_record_quoted_or_plain() {
        let mut cells = Cells::new(b';');
        let long = "x".repeat(5_000);
        let text = format!("\"a;b\";\"say \"\"hi\"\"\";{long};{}\r\n", ";".repeat(100));
        let got = cells.read(text.as_bytes(), false);
        assert_eq!(got.len(), 104);
        assert_eq!(
            (got[0], got[1], got[2]),
            (&b"a;b"[..], &b"say \"hi\""[..], long.as_bytes())
        );
        assert!(got[3..].iter().all(|c| c.is_empty()));
        assert_eq!(cells.read(b"1;\"open;2", true), [&b"1"[..], b"\"open", b"2"]);
        assert_eq!(
            cells.read(b"1;2", false),
            [&b"1"[..], b"2"],
            "a record without a line end"
        );
    }

    #[test]
    fn a_stray_quote_is_its_first_line_alone() {
        // Closed badly further down: each line is a record, the two open ones plain.
        assert_eq!(
            all("1,\"12 pouces,x\n2,y\n3,\"15 pouces,z\n4,w\n"),
            [
                ("1,\"12 pouces,x\n", true),
                ("2,y\n", false),
                ("3,\"15 pouces,z\n", true),
                ("4,w\n", false)
            ]
        );
        // Never closed, on the last line or before.
        assert_eq!(all("1,\"open\n2,y"), [("1,\"open\n", true), ("2,y", false)]);
        assert_eq!(all("1,\"open"), [("1,\"open", true)]);
        // A cell with a line break, closed well, is one record, spaces after its
        // closing quote or not.
        assert_eq!(all("1,\"a\n2,b\",c\n"), [("1,\"a\n2,b\",c\n", false)]);
        assert_eq!(
            all("1,\"a\n2\"  ,c\n3\n"),
            [("1,\"a\n2\"  ,c\n", false), ("3\n", false)]
        );
        assert_eq!(
            all("1,\"a\n2\" x\n3\n"),
            [("1,\"a\n", true), ("2\" x\n", false), ("3\n", false)]
        );
        // A tab that separates is not a space before the separator.
        let mut r = Records::new(b'\t');
        let text = b"1\t\"a\nb\" \tx\n";
        assert_eq!(
            r.next(text, true),
            Some(Record {
                start: 0,
                end: text.len(),
                plain: false
            })
        );
    }

    #[test]
    fn well_formed_text_reads_as_the_csv_reader_reads_it() {
        let mut x = 99u64;
        let mut next = |n: u64| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) % n
        };
        for sep in [b',', b';', b'\t'] {
            for _ in 0..200 {
                let mut text = Vec::new();
                for _ in 0..next(8) + 1 {
                    for k in 0..next(4) + 1 {
                        if k > 0 {
                            text.push(sep);
                        }
                        match next(4) {
                            0 => text.extend_from_slice(b"plain 1"),
                            1 => text.extend_from_slice(b"\"quoted, \"\"x\"\"\""),
                            2 => text.extend_from_slice(b"\"two\nlines\r\nor three\""),
                            _ => text.extend_from_slice(b"\"then spaces\nafter\"  "),
                        }
                        if next(5) == 0 {
                            text.push(sep);
                        }
                    }
                    text.extend_from_slice([&b"\n"[..], b"\r\n", b"\n\n"][next(3) as usize]);
                }
                let mut reader = csv::ReaderBuilder::new()
                    .delimiter(sep)
                    .has_headers(false)
                    .flexible(true)
                    .from_reader(&text[..]);
                let expected: Vec<Vec<Vec<u8>>> = reader
                    .byte_records()
                    .map(|r| r.unwrap().iter().map(<[u8]>::to_vec).collect())
                    .collect();
                let (mut records, mut cells) = (Records::new(sep), Cells::new(sep));
                let got: Vec<Vec<Vec<u8>>> = std::iter::from_fn(|| records.next(&text, true))
                    .map(|r| {
                        assert!(!r.plain, "{:?}", String::from_utf8_lossy(&text));
                        cells
                            .read(&text[r.start..r.end], false)
                            .into_iter()
                            .map(<[u8]>::to_vec)
                            .collect()
                    })
                    .collect();
                assert_eq!(got, expected, "{:?}", String::from_utf8_lossy(&text));
            }
        }
    }

    #[test]
    fn a_record_of_too_many_lines_is_a_stray_quote() {
        let cell = |breaks: usize| format!("1,\"{}\",x\n2,y\n", "l\n".repeat(breaks));
        let text = cell(MAX_RECORD_BREAKS as usize);
        assert_eq!(all(&text), [(&text[..text.len() - 4], false), ("2,y\n", false)]);
        let text = cell(MAX_RECORD_BREAKS as usize + 1);
        let got = all(&text);
        assert_eq!(got[0], ("1,\"l\n", true));
        assert_eq!(got.len(), MAX_RECORD_BREAKS as usize + 3, "every line a record");
        // Cells of one line break each, every one closed by the next line, the last
        // never: a stray quote at the bound, not one record to the end of the text.
        let mut text = String::new();
        for i in 0..1_000 {
            text.push_str(&format!("I_{i}\",C,\"2024-03-01\n"));
        }
        let got = all(&text);
        assert_eq!(got[0], ("I_0\",C,\"2024-03-01\n", true));
        assert_eq!(got.len(), 1_000, "every line a record");
    }
}
