//! The cleaning report: per file read = kept + rejected, counts per rule, and
//! every rejected row with its line, column, rule and raw value.

use crate::ingest::CsvFile;
use crate::text::Encoding;
use std::collections::BTreeMap;

/// Longest raw value kept in a reject (longer ones are cut and end with `…`).
pub const MAX_VALUE_BYTES: usize = 200;

/// What happened to the rows of one input file.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct FileReport {
    /// The file's name.
    pub file: String,
    /// Detected encoding.
    pub encoding: Encoding,
    /// Detected separator.
    pub separator: String,
    /// Data rows read (blank lines are not rows).
    pub read: u64,
    /// Rows kept.
    pub kept: u64,
    /// Rows rejected.
    pub rejected: u64,
    /// Rejected rows by rule.
    pub rejected_by_rule: BTreeMap<String, u64>,
    /// Kept rows that needed a correction, by rule.
    pub corrected_by_rule: BTreeMap<String, u64>,
}

impl FileReport {
    /// When the file has rows but keeps none: its most frequent rejection rule and
    /// how many rows it rejected (the first by name of equals).
    pub fn kept_nothing(&self) -> Option<(&str, u64)> {
        if self.read == 0 || self.kept > 0 {
            return None;
        }
        self.rejected_by_rule
            .iter()
            .max_by_key(|(rule, n)| (**n, std::cmp::Reverse(rule.as_str())))
            .map(|(rule, n)| (rule.as_str(), *n))
    }

    pub(super) fn new(file: &CsvFile) -> Self {
        let separator = match file.separator {
            b'\t' => "tab".to_string(),
            c => (c as char).to_string(),
        };
        Self {
            file: file.name.clone(),
            encoding: file.encoding,
            separator,
            read: 0,
            kept: 0,
            rejected: 0,
            rejected_by_rule: BTreeMap::new(),
            corrected_by_rule: BTreeMap::new(),
        }
    }
}

/// One rejected row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reject {
    /// 0 for the clients file, 1 for the interactions file.
    pub file: u8,
    /// 1-based line number in the file (the header is line 1).
    pub line: u64,
    /// The column that broke the rule (`*` for the whole row).
    pub column: &'static str,
    /// The rule (see [`crate::rules`]).
    pub rule: &'static str,
    /// The raw value, cut to [`MAX_VALUE_BYTES`].
    pub value: String,
    /// A `client_id` longer than the cut, whole: it is pseudonymised whole, as the
    /// customer's kept rows are (see [`crate::privacy::Privacy::reject_cell`]).
    pub whole_id: Option<String>,
}

/// How interactions were grouped into sessions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SessionRule {
    /// The file had a `session_id` column.
    FromFile,
    /// Derived: a customer's events less than the gap apart share a session.
    Gap,
    /// Derived: dates had no time of day, so one session per customer and day.
    ByDay,
}

/// Everything cleaning did.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct CleanReport {
    /// The clients file.
    pub clients: FileReport,
    /// The interactions file.
    pub interactions: FileReport,
    /// Every rejected row, clients first, each file in line order.
    #[serde(skip)]
    pub rejects: Vec<Reject>,
    /// How sessions were obtained.
    pub session_rule: SessionRule,
    /// Every input column: what it feeds, and whether it is a direct identifier.
    pub columns: Vec<crate::privacy::ColumnNote>,
}

impl CleanReport {
    pub(super) fn new(clients: &CsvFile, interactions: &CsvFile) -> Self {
        Self {
            clients: FileReport::new(clients),
            interactions: FileReport::new(interactions),
            rejects: Vec::new(),
            session_rule: SessionRule::FromFile,
            columns: Vec::new(),
        }
    }

    /// One sentence when a file has rows but keeps none: how many, its most frequent
    /// rule and the first row that broke it (the clients file first, since its
    /// rejections reject the interactions too).
    pub fn nothing_kept(&self) -> Option<String> {
        let (k, f, (rule, n)) = [(0u8, &self.clients), (1, &self.interactions)]
            .into_iter()
            .find_map(|(k, f)| Some((k, f, f.kept_nothing()?)))?;
        let first = self.rejects.iter().find(|r| r.file == k && r.rule == rule).map(|r| {
            // (A value from the file reaches a terminal: no control character, not too
            // long, no identifier, as on the page's screen.)
            let value: String = crate::privacy::Privacy::reject_as_written(r)
                .chars()
                .take(60)
                .map(|c| if c.is_control() { '?' } else { c })
                .collect();
            format!("; first at line {}, column {}: \"{value}\"", r.line, r.column)
        });
        let rows = if f.read == 1 {
            "its one row was not kept".to_string()
        } else {
            format!("none of its {} rows was kept", f.read)
        };
        Some(format!(
            "{}: {rows} ({rule}: {n}{}); see rejects.csv",
            f.file,
            first.unwrap_or_default()
        ))
    }

    /// The report of file 0 (clients) or 1 (interactions).
    pub fn file(&self, file: u8) -> &FileReport {
        if file == 0 {
            &self.clients
        } else {
            &self.interactions
        }
    }

    fn file_mut(&mut self, file: u8) -> &mut FileReport {
        if file == 0 {
            &mut self.clients
        } else {
            &mut self.interactions
        }
    }

    pub(super) fn reject(&mut self, file: u8, line: u64, column: &'static str, rule: &'static str, raw: &[u8]) {
        let cut = raw.len() > MAX_VALUE_BYTES;
        let mut end = raw.len().min(MAX_VALUE_BYTES);
        while cut && end > 0 && (raw[end] & 0xC0) == 0x80 {
            end -= 1; // do not split a UTF-8 character
        }
        let mut value = String::from_utf8_lossy(&raw[..end]).into_owned();
        let mut whole_id = None;
        if cut {
            value.push('…');
            // A long value is judged whole, before its cut could keep part of an
            // identifier and lose what shows it is one (a `client_id` is judged, or
            // pseudonymised, whole when it is written).
            if column == "client_id" {
                whole_id = Some(String::from_utf8_lossy(raw).into_owned());
            } else if crate::privacy::identifiers::kind_of_value(raw).is_some() {
                value = crate::privacy::Privacy::unpseudonymised_value(&String::from_utf8_lossy(raw));
            }
        }
        let f = self.file_mut(file);
        f.rejected += 1;
        *f.rejected_by_rule.entry(rule.to_string()).or_default() += 1;
        self.rejects.push(Reject {
            file,
            line,
            column,
            rule,
            value,
            whole_id,
        });
    }

    pub(super) fn correct(&mut self, file: u8, rule: &'static str) {
        *self
            .file_mut(file)
            .corrected_by_rule
            .entry(rule.to_string())
            .or_default() += 1;
    }

    pub(super) fn finish(&mut self) {
        debug_assert_eq!(self.clients.read, self.clients.kept + self.clients.rejected);
        debug_assert_eq!(
            self.interactions.read,
            self.interactions.kept + self.interactions.rejected
        );
    }
}
