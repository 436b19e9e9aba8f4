//! Reading CSV files as they are met in the field: `,` `;` or tab separators
//! (detected), UTF-8 with or without BOM or Windows-1252 (detected), quoted
//! fields with embedded separators and line breaks, lines ending in LF, CRLF or
//! CR alone. A file is parsed once here; `clean` turns its fields into typed columns.

mod columns;
mod records;
mod scan;
mod stream;

pub use columns::{client_columns, Column, ColumnMap, ABSENTABLE, CLIENT_COLUMNS, INTERACTION_COLUMNS, UNKNOWN_LABEL};
pub use stream::{ReadAt, Streamed};

use crate::error::{Error, Format, Problem};
use crate::text::{decode, Encoding};
use std::borrow::Cow;

/// An opened CSV file: decoded text, detected separator and header.
pub struct CsvFile<'a> {
    /// The file's name, for messages and reports.
    pub name: String,
    /// The detected encoding.
    pub encoding: Encoding,
    /// The detected separator.
    pub separator: u8,
    /// Header cells, trimmed.
    pub header: Vec<String>,
    text: Cow<'a, [u8]>,
    body_start: usize,
    body_first_line: u64,
    /// For a header-only file whose body is read piece by piece (see
    /// [`stream::Streamed::open`]): the start of that body, decoded, so that its first
    /// record can tell what its columns hold. Empty otherwise.
    sample: Vec<u8>,
}

const MAGIC: [(&[u8], Format); 6] = [
    (b"PK\x03\x04", Format::Zip),
    (b"\xD0\xCF\x11\xE0", Format::Xls),
    (b"%PDF", Format::Pdf),
    (b"\x89PNG", Format::Png),
    (b"\xFF\xD8\xFF", Format::Jpeg),
    (b"GIF8", Format::Gif),
];

impl<'a> CsvFile<'a> {
    /// Opens `bytes` as a CSV file called `name`; fails with one clear sentence when
    /// the bytes are empty, binary, or have no header row.
    pub fn open(name: &str, bytes: &'a [u8]) -> Result<Self, Error> {
        if bytes.iter().all(|c| c.is_ascii_whitespace()) {
            return Err(Error::problem(name, Problem::Empty));
        }
        if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") || utf16_without_bom(bytes) {
            return Err(Error::problem(name, Problem::Utf16));
        }
        if let Some((_, format)) = MAGIC.iter().find(|(m, _)| bytes.starts_with(m)) {
            return Err(Error::problem(name, Problem::NotCsv(*format)));
        }
        let head = &bytes[..bytes.len().min(65_536)];
        let controls = head
            .iter()
            .filter(|&&c| c < 0x20 && !matches!(c, b'\t' | b'\n' | b'\r'))
            .count();
        if controls > 0 && (head.contains(&0) || controls * 100 > head.len()) {
            return Err(Error::problem(name, Problem::Binary));
        }
        let (mut text, encoding) = decode(bytes);
        // Lines ending in a carriage return alone (old Mac spreadsheets, or a line pasted
        // from one): make those line feeds, since the separator detection and the fast
        // path split lines at line feeds, so that every reader ends a line there.
        if let Some(first) = lone_carriage_return(&text, None) {
            let mut lf = text.into_owned();
            lone_carriage_returns_to_line_feeds(&mut lf[first..], None);
            text = Cow::Owned(lf);
        }
        // A first line `sep=;` names the separator; the header is the next line.
        let (skip, separator) = match separator_line(name, &text)? {
            Some((separator, length)) => (length, separator),
            None => (0, detect_separator(&text)),
        };
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(separator)
            .has_headers(false)
            .flexible(true)
            .from_reader(&text[skip..]);
        let mut record = csv::ByteRecord::new();
        let found = reader
            .read_byte_record(&mut record)
            .map_err(|e| Error::input(name, format!("unreadable header: {e}")))?;
        if !found {
            return Err(Error::problem(name, Problem::Empty));
        }
        let header: Vec<String> = record
            .iter()
            .map(|f| String::from_utf8_lossy(f).trim().to_string())
            .collect();
        let body_start = skip + reader.position().byte() as usize;
        let body_first_line = reader.position().line() + u64::from(skip > 0);
        Ok(Self {
            name: name.to_string(),
            encoding,
            separator,
            header,
            text,
            body_start,
            body_first_line,
            sample: Vec::new(),
        })
    }

    /// Calls `f` with the fields of the body's first record, if it has one: from the
    /// text, or from the sample of a body read piece by piece.
    pub(crate) fn first_body_record(&self, f: impl FnOnce(&[&[u8]])) {
        let body = &self.text[self.body_start.min(self.text.len())..];
        let text = if body.is_empty() { &self.sample[..] } else { body };
        Piece {
            text: Cow::Borrowed(text),
            first_line: self.body_first_line,
            separator: self.separator,
            quoted: memchr::memchr(b'"', text).is_some(),
        }
        .first_record(f);
    }

    /// The file's text after decoding (UTF-8).
    pub fn text(&self) -> &[u8] {
        &self.text
    }

    /// Splits the body into at most `parts` pieces at line breaks that can be read
    /// independently (one piece when a quote could hide a line break).
    pub fn parts(&self, parts: usize) -> Vec<Piece<'_>> {
        let body = &self.text[self.body_start.min(self.text.len())..];
        let quoted = memchr::memchr(b'"', body).is_some();
        let whole = Piece {
            text: Cow::Borrowed(body),
            first_line: self.body_first_line,
            separator: self.separator,
            quoted,
        };
        if quoted || parts <= 1 || body.len() < 1 << 20 {
            return vec![whole];
        }
        let mut out = Vec::with_capacity(parts);
        let (mut start, mut line) = (0usize, self.body_first_line);
        for k in 1..=parts {
            let end = if k == parts {
                body.len()
            } else {
                // (In u64: the product passes 4 GiB on 32-bit targets for large files.)
                let target = ((body.len() as u64 * k as u64 / parts as u64) as usize).max(start);
                memchr::memchr(b'\n', &body[target..]).map_or(body.len(), |p| target + p + 1)
            };
            let piece = &body[start..end];
            out.push(Piece {
                text: Cow::Borrowed(piece),
                first_line: line,
                separator: self.separator,
                quoted: false,
            });
            line += memchr::memchr_iter(b'\n', piece).count() as u64;
            start = end;
        }
        out
    }

    /// Calls `f(line, fields)` for every record of the body, in order.
    pub fn for_each_record(&self, mut f: impl FnMut(u64, &[&[u8]])) {
        self.for_each_record_text(|line, fields, _| f(line, fields));
    }

    /// [`CsvFile::for_each_record`], also giving each record's text when it was
    /// read without quotes (its fields joined by the separator).
    pub fn for_each_record_text(&self, mut f: impl FnMut(u64, &[&[u8]], Option<&[u8]>)) {
        if let Some(whole) = self.parts(1).first() {
            whole.for_each_batch(|batch| {
                for r in 0..batch.len() {
                    let (line, fields) = batch.record(r);
                    f(line, fields, batch.text(r));
                }
            });
        }
    }
}

/// A body that comes in pieces which can be parsed independently, in order.
pub trait Pieces: Sync {
    /// Number of pieces.
    fn count(&self) -> usize;
    /// Piece `k`.
    fn piece(&self, k: usize) -> Piece<'_>;
    /// The start of the body, at least its first record (to learn the id forms).
    fn head(&self) -> Piece<'_> {
        self.piece(0)
    }
    /// Takes a piece back once it was parsed (to reuse its buffer).
    fn recycle(&self, _piece: Piece<'_>) {}
    /// The number of records, when known in advance (to size the columns once).
    fn rows_hint(&self) -> Option<usize> {
        None
    }
}

/// Where the first carriage return not followed by a line feed is in `bytes`, `next`
/// the byte after them (if any).
fn lone_carriage_return(bytes: &[u8], next: Option<u8>) -> Option<usize> {
    memchr::memchr_iter(b'\r', bytes).find(|&i| bytes.get(i + 1).copied().or(next) != Some(b'\n'))
}

/// Makes each carriage return not followed by a line feed a line feed; `next` is the
/// byte after `bytes` (if any), for one at their end.
pub(crate) fn lone_carriage_returns_to_line_feeds(bytes: &mut [u8], next: Option<u8>) {
    let mut from = 0;
    while let Some(i) = lone_carriage_return(&bytes[from..], next) {
        bytes[from + i] = b'\n';
        from += i + 1;
    }
}

/// A file body cut at line breaks (see [`CsvFile::parts`]).
pub struct FileBody<'t> {
    pieces: Vec<Piece<'t>>,
}

impl<'t> FileBody<'t> {
    /// The body of `file`, in pieces of about `bytes` bytes (one piece if quoted).
    pub fn of(file: &'t CsvFile, bytes: usize) -> Self {
        let body = file.text.len().saturating_sub(file.body_start);
        Self {
            pieces: file.parts(body.div_ceil(bytes.max(1)).max(1)),
        }
    }
}

impl Pieces for FileBody<'_> {
    fn count(&self) -> usize {
        self.pieces.len()
    }
    fn piece(&self, k: usize) -> Piece<'_> {
        let p = &self.pieces[k];
        Piece {
            text: Cow::Borrowed(&p.text),
            first_line: p.first_line,
            separator: p.separator,
            quoted: p.quoted,
        }
    }
}

/// A piece of a file's body that can be parsed on its own.
pub struct Piece<'t> {
    /// Whole lines of the body.
    pub text: Cow<'t, [u8]>,
    /// The file line of its first line.
    pub first_line: u64,
    /// The field separator.
    pub separator: u8,
    /// Whether it may contain quotes (then it is read with the `csv` crate).
    pub quoted: bool,
}

impl Piece<'_> {
    /// Number of bytes in the piece.
    pub fn len(&self) -> usize {
        self.text.len()
    }

    /// Whether the piece is empty.
    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    /// Calls `f(fields)` with the first record only, if there is one.
    pub fn first_record(&self, f: impl FnOnce(&[&[u8]])) {
        let mut f = Some(f);
        if self.quoted {
            self.quoted_records(|_, fields| {
                if let Some(f) = f.take() {
                    f(fields);
                }
                false
            });
            return;
        }
        let line = self
            .text
            .split(|&c| c == b'\n')
            .map(|l| l.strip_suffix(b"\r").unwrap_or(l))
            .find(|l| !l.is_empty());
        if let (Some(line), Some(f)) = (line, f.take()) {
            f(&line.split(|&c| c == self.separator).collect::<Vec<_>>());
        }
    }

    /// Calls `f(line, fields)` for every record, with 1-based file line numbers.
    /// Blank lines are not records.
    pub fn for_each_record(&self, mut f: impl FnMut(u64, &[&[u8]])) {
        self.for_each_batch(|batch| {
            for r in 0..batch.len() {
                let (line, fields) = batch.record(r);
                f(line, fields);
            }
        });
    }

    /// Calls `f` with the records in order, a batch of up to [`BATCH`] at a time, so
    /// that a caller can look ahead within the batch (to fetch what the records
    /// refer to before checking them one by one).
    pub fn for_each_batch<'s>(&'s self, mut f: impl FnMut(&Batch<'_>)) {
        if self.quoted {
            return self.quoted_records(|line, fields| {
                let batch = Batch {
                    text: &[],
                    fields: fields.to_vec(),
                    records: vec![BatchRecord {
                        line,
                        first_field: 0,
                        fields: fields.len(),
                        text: None,
                    }],
                };
                f(&batch);
                true
            });
        }
        let text: &'s [u8] = &self.text;
        let mut b: Batch<'s> = Batch {
            text,
            fields: Vec::with_capacity(BATCH * 8),
            records: Vec::with_capacity(BATCH),
        };
        let mut line = self.first_line;
        let mut field_start = 0;
        let mut record_start = 0;
        let mut line_start = 0;
        // Ends a line whose last field runs to `end`: a record unless the line is blank.
        let mut end_line =
            |b: &mut Batch<'s>, field_start: usize, end: usize, record_start: &mut usize, line_start: &mut usize| {
                let last = &text[field_start..end];
                let last = last.strip_suffix(b"\r").unwrap_or(last);
                b.fields.push(last);
                let n = b.fields.len() - *record_start;
                if n == 1 && b.fields[*record_start].is_empty() {
                    b.fields.truncate(*record_start);
                } else {
                    b.records.push(BatchRecord {
                        line,
                        first_field: *record_start,
                        fields: n,
                        text: Some((*line_start, field_start + last.len())),
                    });
                    *record_start = b.fields.len();
                }
                *line_start = end + 1;
                line += 1;
            };
        scan::each(text, self.separator, b'\n', |p, line_feed| {
            if !line_feed {
                b.fields.push(&text[field_start..p]);
                field_start = p + 1;
                return;
            }
            end_line(&mut b, field_start, p, &mut record_start, &mut line_start);
            field_start = p + 1;
            if b.records.len() == BATCH {
                f(&b);
                b.fields.clear();
                b.records.clear();
                record_start = 0;
            }
        });
        if field_start < text.len() || b.fields.len() > record_start {
            end_line(&mut b, field_start, text.len(), &mut record_start, &mut line_start);
        }
        if !b.records.is_empty() {
            f(&b);
        }
    }

    /// [`Piece::for_each_record`] for text that may hold quotes, while `f` returns
    /// true: [`records::Records`] finds each record, [`records::Cells`] reads its
    /// cells (a stray quote's line with its quotes as plain characters).
    fn quoted_records(&self, mut f: impl FnMut(u64, &[&[u8]]) -> bool) {
        let text = &self.text[..];
        let mut records = records::Records::new(self.separator);
        let mut cells = records::Cells::new(self.separator);
        // The file line at byte `counted`.
        let (mut line, mut counted) = (self.first_line, 0);
        while let Some(r) = records.next(text, true) {
            line += memchr::memchr_iter(b'\n', &text[counted..r.start]).count() as u64;
            counted = r.start;
            if !f(line, &cells.read(&text[r.start..r.end], r.plain)) {
                return;
            }
        }
    }
}

/// Records handed over at a time by [`Piece::for_each_batch`].
pub const BATCH: usize = 64;

/// A few consecutive records of a piece.
pub struct Batch<'t> {
    /// The piece's text (empty when it was read with quotes).
    text: &'t [u8],
    fields: Vec<&'t [u8]>,
    records: Vec<BatchRecord>,
}

/// One record of a [`Batch`]: its line, where its fields are in the batch's fields,
/// and where its text is in the piece's (when read without quotes).
#[derive(Clone, Copy)]
struct BatchRecord {
    line: u64,
    first_field: usize,
    fields: usize,
    text: Option<(usize, usize)>,
}

impl<'t> Batch<'t> {
    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there is no record.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Record `r`: its 1-based file line and its fields.
    #[inline]
    pub fn record(&self, r: usize) -> (u64, &[&'t [u8]]) {
        let rec = self.records[r];
        (rec.line, &self.fields[rec.first_field..rec.first_field + rec.fields])
    }

    /// Record `r`'s text, its fields joined by the separator, when it was read
    /// without quotes.
    #[inline]
    pub fn text(&self, r: usize) -> Option<&'t [u8]> {
        self.records[r].text.map(|(a, b)| &self.text[a..b])
    }
}

/// Whether `bytes` look like UTF-16 text without its byte order mark: in the first
/// kilobytes, one byte of each pair is NUL (the high half of ASCII characters) and
/// the other is not.
fn utf16_without_bom(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096) & !1];
    if head.len() < 8 {
        return false;
    }
    let pairs = head.len() / 2;
    let nul = |k: usize| head.chunks_exact(2).filter(|p| p[k] == 0 && p[1 - k] != 0).count();
    // (A stray NUL in a binary file is far from every other byte.)
    (0..2).any(|k| nul(k) * 10 >= pairs * 9)
}

/// Excel's separator line: some tools write a first line `sep=;` so that Excel opens
/// the file with that separator. `Some((separator, the line's length with its line
/// break))` when `text` (without its BOM) begins with one; an error naming the
/// file when it asks for a separator that is not read.
pub(super) fn separator_line(name: &str, text: &[u8]) -> Result<Option<(u8, usize)>, Error> {
    let end = memchr::memchr(b'\n', text).unwrap_or(text.len());
    let line = text[..end].strip_suffix(b"\r").unwrap_or(&text[..end]);
    match line {
        [s, e, p, b'=', separator] if [*s, *e, *p].eq_ignore_ascii_case(b"sep") => match separator {
            b',' | b';' | b'\t' => Ok(Some((*separator, (end + 1).min(text.len())))),
            other => Err(Error::input(
                name,
                format!(
                    "its first line `sep={}` asks for a separator that is not read: \
save it with commas, semicolons or tabs",
                    char::from(*other).escape_default()
                ),
            )),
        },
        _ => Ok(None),
    }
}

/// The most frequent of `,` `;` and tab in the header line (outside quotes); `,` on a tie.
fn detect_separator(text: &[u8]) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_quotes = false;
    for &c in text.iter().take(65_536) {
        match c {
            b'"' => in_quotes = !in_quotes,
            b'\n' if !in_quotes => break,
            b',' if !in_quotes => counts[0] += 1,
            b';' if !in_quotes => counts[1] += 1,
            b'\t' if !in_quotes => counts[2] += 1,
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], std::cmp::Reverse(i))).unwrap_or(0);
    [b',', b';', b'\t'][best]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(file: &CsvFile) -> Vec<(u64, Vec<String>)> {
        let mut out = Vec::new();
        file.for_each_record(|line, fields| {
            out.push((
                line,
                fields.iter().map(|f| String::from_utf8_lossy(f).into_owned()).collect(),
            ))
        });
        out
    }

    #[test]
    fn detects_separator_encoding_and_lines() {
        let f = CsvFile::open("x.csv", b"\xEF\xBB\xBFa;b\r\n1;2,5\r\n\r\n3;4\r\n").unwrap();
        assert_eq!((f.separator, f.encoding), (b';', Encoding::Utf8));
        assert_eq!(f.header, ["a", "b"]);
        assert_eq!(
            rows(&f),
            vec![(2, vec!["1".into(), "2,5".into()]), (4, vec!["3".into(), "4".into()])]
        );
        let f = CsvFile::open("t.tsv", b"a\tb\nx\ty\n").unwrap();
        assert_eq!(f.separator, b'\t');
    }

    #[test]
    fn excel_separator_line() {
        let f = CsvFile::open("t.csv", b"sep=,\nid;x,y;z\n1;2,3;4\n").unwrap();
        assert_eq!((f.separator, f.header.len()), (b',', 2));
        assert_eq!(rows(&f), vec![(3, vec!["1;2".to_string(), "3;4".to_string()])]);
        let f = CsvFile::open("t.csv", b"sep=\t\r\nid\tv\r\n").unwrap();
        assert_eq!(
            (f.separator, f.header.clone()),
            (b'\t', vec!["id".to_string(), "v".into()])
        );
        assert!(rows(&f).is_empty());
        let e = CsvFile::open("t.csv", b"sep=|\nid|v\n").err().unwrap().to_string();
        assert!(e.contains("t.csv") && e.contains("sep=|"), "{e}");
        assert!(CsvFile::open("t.csv", b"sep=;\n")
            .err()
            .unwrap()
            .to_string()
            .contains("empty"));
        // Not a separator line: a header that begins so.
        let f = CsvFile::open("t.csv", b"sep=;x,y\n1,2\n").unwrap();
        assert_eq!(f.header, ["sep=;x", "y"]);
    }

    #[test]
    fn quoted_fields_keep_separators_and_line_breaks() {
        let f = CsvFile::open("q.csv", b"a,b\n\"x,1\",\"two\nlines\"\n3,\"say \"\"hi\"\"\"\n").unwrap();
        let r = rows(&f);
        assert_eq!(r[0], (2, vec!["x,1".to_string(), "two\nlines".to_string()]));
        assert_eq!(r[1], (4, vec!["3".to_string(), "say \"hi\"".to_string()]));
    }

    #[test]
    fn a_quote_never_closed_is_a_plain_character_on_its_line() {
        let row = |line: u64, fields: &[&str]| (line, fields.iter().map(|f| f.to_string()).collect::<Vec<_>>());
        // It would have taken lines 4 to 8 into one record of two fields (any quote after
        // it would close it: "never closed" means none follows).
        let f = CsvFile::open(
            "q.csv",
            b"id,c,v\n1,\"two\nlines\",x\n2,\"C1,y\r\n3,C1,w\n\n4,C1,z\n5,C,6",
        )
        .unwrap();
        assert_eq!(
            rows(&f),
            [
                row(2, &["1", "two\nlines", "x"]),
                row(4, &["2", "\"C1", "y"]),
                row(5, &["3", "C1", "w"]),
                row(7, &["4", "C1", "z"]),
                row(8, &["5", "C", "6"]),
            ]
        );
        // On the last line, with or without a line break after it.
        for end in ["", "\n"] {
            let text = format!("id,c,v\n1,a,b\n2,\"C,6{end}");
            let f = CsvFile::open("q.csv", text.as_bytes()).unwrap();
            assert_eq!(rows(&f), [row(2, &["1", "a", "b"]), row(3, &["2", "\"C", "6"])]);
        }
        // A carriage return alone ends that line too, as it ends a record for csv, and
        // counts as one.
        let f = CsvFile::open("q.csv", b"id,c\n1,a\n2,\"C\r3,x\n4,y\n").unwrap();
        assert_eq!(
            rows(&f),
            [
                row(2, &["1", "a"]),
                row(3, &["2", "\"C"]),
                row(4, &["3", "x"]),
                row(5, &["4", "y"])
            ]
        );
        // A quote closed further down is a cell with line breaks, as CSV has it.
        let f = CsvFile::open("q.csv", b"id,c\n1,\"a\n2,b\"\n3,c\n").unwrap();
        assert_eq!(rows(&f), [row(2, &["1", "a\n2,b"]), row(4, &["3", "c"])]);
        // Closed badly (the quote followed by text): two stray quotes, not a cell
        // holding the lines between them.
        let f = CsvFile::open("q.csv", b"id,c,v\n1,\"12 pouces,10\n2,b,20\n3,\"15 pouces,30\n4,d,40\n").unwrap();
        assert_eq!(
            rows(&f),
            [
                row(2, &["1", "\"12 pouces", "10"]),
                row(3, &["2", "b", "20"]),
                row(4, &["3", "\"15 pouces", "30"]),
                row(5, &["4", "d", "40"]),
            ]
        );
    }

    #[test]
    fn parts_cover_the_body_in_order() {
        let mut text = b"id,v\n".to_vec();
        for i in 0..200_000 {
            text.extend_from_slice(format!("{i},x\n").as_bytes());
        }
        let f = CsvFile::open("big.csv", &text).unwrap();
        let parts = f.parts(3);
        assert_eq!(parts.len(), 3);
        let mut seen = Vec::new();
        for p in &parts {
            p.for_each_record(|line, fields| seen.push((line, fields[0].to_vec())));
        }
        assert_eq!(seen.len(), 200_000);
        for (i, (line, id)) in seen.iter().enumerate() {
            assert_eq!((*line, id.as_slice()), (i as u64 + 2, i.to_string().as_bytes()));
        }
    }

    #[test]
    fn unusable_files_get_one_sentence() {
        let msg = |b: &[u8]| {
            CsvFile::open("f.csv", b)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default()
        };
        assert_eq!(msg(b""), "f.csv: the file is empty");
        assert_eq!(msg(b"  \n"), "f.csv: the file is empty");
        assert!(msg(b"PK\x03\x04rest").contains("xlsx"));
        assert!(msg(b"\x00\x01\x02\x03abc").contains("binary"));
    }
}
