//! Where the records of a body with quotes begin and end. They are the `csv` crate's
//! records, but for stray quotes: a quoted cell that runs over a line break and then
//! never closes, or closes badly (its closing quote followed by something other than
//! a separator or a line end: `"12 pouces` on one line, `"15 pouces` a few lines
//! down), is not a cell with line breaks but a quote typed as a character. Its
//! record is then its first line alone, read with quotes as plain characters, and
//! reading goes on at the next line; otherwise the lines in between would vanish
//! into one cell and the record could still have the right number of fields.
//!
//! Both the reading of a piece and the cutting of a file into pieces go through
//! [`Records`], so that a file reads the same whole and in pieces.

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
/// more until a record ends): the scan keeps its place, so each byte is read once,
/// or twice when it follows a stray quote.
pub(super) struct Records {
    separator: u8,
    /// The next byte to read.
    at: usize,
    /// Where the record under way starts.
    start: usize,
    state: At,
    /// Whether the quoted cell under way has a line break.
    broken: bool,
}

impl Records {
    /// A scan from the start of a text that begins at a record's start.
    pub fn new(separator: u8) -> Self {
        Records {
            separator,
            at: 0,
            start: 0,
            state: At::RecordStart,
            broken: false,
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
                    }
                }
                At::CellStart if c == b'"' => {
                    self.state = At::Quoted;
                    self.broken = false;
                    self.at += 1;
                }
                At::CellStart | At::Cell => {
                    if let Some(record) = self.after_cell(text, c, complete) {
                        return record;
                    }
                }
                At::Quoted => {
                    match c {
                        b'"' => self.state = At::QuoteInQuoted,
                        b'\n' | b'\r' => self.broken = true,
                        _ => {}
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
                    } else if self.broken {
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
        let spaces = rest.iter().take_while(|&&c| c == b' ' || c == b'\t').count();
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
    }
}
