//! A copy of an exported CSV file for French Excel, which opens a plain UTF-8,
//! comma-separated file as one column of mojibake: a UTF-8 byte order mark (so that
//! `Besançon` reads right), `;` between cells, CRLF line ends, and a decimal comma
//! in numbers (`12.50` → `12,50`). A code of digits with a leading zero (postcode
//! `01000`, département `01`) is written `="01000"`, which Excel shows as the text
//! `01000` instead of the number 1000; a timestamp's `T` (in a `horodatage` or `date` column) becomes
//! a space, so that Excel reads `2025-01-02 10:00:00` as a date and time. The
//! `true`/`false` of the yes-or-no columns (`consentement_marketing`, `est_achat`,
//! `suppressed`) become `VRAI`/`FAUX`, French Excel's own (which the importer reads
//! back). The `value` of `rejects.csv` stays as the input file had it. Other text,
//! dates and whole numbers stay as they are; the exporter's
//! formula defusing is kept, since cells are copied.

use crate::error::Error;

/// Rows French Excel opens in one sheet, the header included.
pub const EXCEL_ROWS: u64 = 1_048_576;

/// The name of a file's Excel copy: `kpis.csv` → `kpis_excel_fr.csv`.
pub fn excel_name(name: &str) -> String {
    match name.strip_suffix(".csv") {
        Some(stem) => format!("{stem}_excel_fr.csv"),
        None => format!("{name}_excel_fr.csv"),
    }
}

/// `csv` (a file the exporter wrote: `,` separated, `.` decimals, UTF-8) rewritten
/// for French Excel; `name` names the file in an error.
pub fn excel_fr(name: &str, csv: &[u8]) -> Result<Vec<u8>, Error> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv);
    let mut out = Vec::with_capacity(csv.len() + csv.len() / 16 + 3);
    out.extend_from_slice(b"\xEF\xBB\xBF");
    {
        let mut writer = csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(csv::Terminator::CRLF)
            .flexible(true)
            .from_writer(&mut out);
        let mut record = csv::ByteRecord::new();
        let mut cell = Vec::new();
        let mut row = csv::ByteRecord::new();
        // The columns of timestamps, by their header: `horodatage`, and `date` in the
        // demo's merged file (a rejected value stays as read).
        let mut timestamps: Vec<bool> = Vec::new();
        // The yes-or-no columns, by their header.
        let mut booleans: Vec<bool> = Vec::new();
        // The raw values of `rejects.csv` (its `value` beside a `rule`), kept exactly
        // as the input file had them: no decimal comma.
        let mut raw: Vec<bool> = Vec::new();
        let mut header = true;
        loop {
            match reader.read_byte_record(&mut record) {
                Ok(true) => {}
                Ok(false) => break,
                Err(e) => return Err(Error::input(name, format!("not a CSV file this app wrote: {e}"))),
            }
            if std::mem::take(&mut header) {
                timestamps = record.iter().map(|h| h == b"horodatage" || h == b"date").collect();
                booleans = record
                    .iter()
                    .map(|h| [&b"consentement_marketing"[..], b"est_achat", b"suppressed"].contains(&h))
                    .collect();
                let rejects = record.iter().any(|h| h == b"rule");
                raw = record.iter().map(|h| rejects && h == b"value").collect();
            }
            row.clear();
            for (j, field) in record.iter().enumerate() {
                cell.clear();
                let field = match (booleans.get(j) == Some(&true), field) {
                    (true, b"true") => &b"VRAI"[..],
                    (true, b"false") => b"FAUX",
                    _ => field,
                };
                if is_zero_code(field) {
                    cell.extend_from_slice(b"=\"");
                    cell.extend_from_slice(field);
                    cell.push(b'"');
                } else {
                    cell.extend_from_slice(field);
                }
                if let Some(dot) = decimal_point(field).filter(|_| raw.get(j) != Some(&true)) {
                    cell[dot] = b',';
                }
                if timestamps.get(j) == Some(&true) && is_timestamp(field) {
                    cell[10] = b' ';
                }
                row.push_field(&cell);
            }
            writer
                .write_byte_record(&row)
                .map_err(|e| Error::io(name, std::io::Error::other(e)))?;
        }
        writer.flush().map_err(|e| Error::io(name, e))?;
    }
    Ok(out)
}

/// Whether `field` is digits only, at least two, the first a zero: a code that Excel
/// would read as a number and so lose its zero.
fn is_zero_code(field: &[u8]) -> bool {
    field.len() > 1 && field[0] == b'0' && field.iter().all(u8::is_ascii_digit)
}

/// Whether `field` is an ISO timestamp as the exporter writes it, `YYYY-MM-DDTHH:MM:SS`.
fn is_timestamp(field: &[u8]) -> bool {
    field.len() == 19
        && field.iter().enumerate().all(|(i, &c)| match i {
            4 | 7 => c == b'-',
            10 => c == b'T',
            13 | 16 => c == b':',
            _ => c.is_ascii_digit(),
        })
}

/// Where the `.` of a decimal number is (`-12.50`, `0.333333`): digits, one point,
/// digits, an optional leading minus and nothing else.
fn decimal_point(field: &[u8]) -> Option<usize> {
    let digits = field.strip_prefix(b"-").unwrap_or(field);
    let dot = digits.iter().position(|&c| c == b'.')?;
    let (whole, frac) = (&digits[..dot], &digits[dot + 1..]);
    let all_digits = |s: &[u8]| !s.is_empty() && s.iter().all(u8::is_ascii_digit);
    (all_digits(whole) && all_digits(frac)).then_some(dot + field.len() - digits.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(text: &str) -> String {
        let out = excel_fr("f.csv", text.as_bytes()).unwrap();
        let text = std::str::from_utf8(&out).unwrap();
        text.strip_prefix('\u{feff}').expect("a byte order mark").to_string()
    }

    #[test]
    fn numbers_take_a_decimal_comma_and_everything_else_stays() {
        assert_eq!(
            fr("metric,value,suppressed\nrevenue,25063.50,false\ncustomer_conversion,0.333333,true\n"),
            "metric;value;suppressed\r\nrevenue;25063,50;FAUX\r\ncustomer_conversion;0,333333;VRAI\r\n"
        );
        // Yes or no in French, in the yes-or-no columns only.
        assert_eq!(
            fr("client_id,ville,consentement_marketing\nC_1,true,false\nC_2,false,\n"),
            "client_id;ville;consentement_marketing\r\nC_1;true;FAUX\r\nC_2;false;\r\n"
        );
        assert_eq!(
            fr("client_id,age,ville,date,amount\nC_000001,34,Besançon,2025-01-02,-12.5\n"),
            "client_id;age;ville;date;amount\r\nC_000001;34;Besançon;2025-01-02;-12,5\r\n"
        );
        // A rejected value stays as the input file had it; a rejected line is a number.
        assert_eq!(
            fr("file,line,column,rule,value\ni.csv,3,valeur_achat,non_positive_amount,-47.79\n"),
            "file;line;column;rule;value\r\ni.csv;3;valeur_achat;non_positive_amount;-47.79\r\n"
        );
        // Not numbers: a version, a dotted name, a lone point, a defused formula.
        assert_eq!(
            fr("a,b,c,d,e\n1.2.3,St. Denis,.5,'-1.5,5.\n"),
            "a;b;c;d;e\r\n1.2.3;St. Denis;.5;'-1.5;5.\r\n"
        );
    }

    #[test]
    fn codes_keep_their_zero_and_timestamps_read_as_dates() {
        assert_eq!(
            fr("code_postal,departement,age,horodatage,value\n01000,01,0,2025-01-02T10:20:30,2025-01-02T10:20:30\n75001,2A,30,2025-01-02T10:20,x\n"),
            "code_postal;departement;age;horodatage;value\r\n\"=\"\"01000\"\"\";\"=\"\"01\"\"\";0;2025-01-02 10:20:30;2025-01-02T10:20:30\r\n\
             75001;2A;30;2025-01-02T10:20;x\r\n"
        );
        // The merged file's timestamps are under `date`; a day stays a day.
        assert_eq!(
            fr("interaction_id,date\nI_1,2025-01-02T10:20:30\nI_2,2025-01-02\n"),
            "interaction_id;date\r\nI_1;2025-01-02 10:20:30\r\nI_2;2025-01-02\r\n"
        );
    }

    #[test]
    fn cells_holding_the_new_separator_or_quotes_are_quoted() {
        assert_eq!(
            fr("ville,note\n\"Lyon, 3e\",\"a;b\"\n\"dit \"\"x\"\"\",\"2 lignes\nici\"\n"),
            "ville;note\r\nLyon, 3e;\"a;b\"\r\n\"dit \"\"x\"\"\";\"2 lignes\nici\"\r\n"
        );
    }

    #[test]
    fn only_the_decimal_point_of_a_number_is_found() {
        assert_eq!(decimal_point(b"12.50"), Some(2));
        assert_eq!(decimal_point(b"-0.5"), Some(2));
        for text in [&b"12"[..], b"-", b"-.5", b"1..2", b"1.2e3", b"", b"12.50 "] {
            assert_eq!(decimal_point(text), None, "{}", String::from_utf8_lossy(text));
        }
    }
}
