//! The engine's one error type: for "cannot go on", never for a bad row.

use serde::{Deserialize, Serialize};
use std::fmt;

/// What makes a file unusable. The common cases are named, so that an interface can
/// say them in its own words and language; `Display` is the command line's English.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Problem {
    /// Nothing but blanks.
    Empty,
    /// UTF-16 text (Excel's "Unicode text").
    Utf16,
    /// Another kind of file, recognised by its first bytes.
    NotCsv(Format),
    /// Binary bytes among the text.
    Binary,
    /// A required column is not in the header.
    MissingColumn {
        /// The engine's name for the column.
        column: String,
        /// The header names that would have been recognised.
        expected: Vec<String>,
        /// The file's header as written.
        header: String,
        /// What probably went wrong.
        hint: MissingHint,
        /// The engine's names of the other required columns missing too, in the
        /// engine's order, so that one correction of the file can fix them all.
        #[serde(default)]
        also_missing: Vec<String>,
    },
    /// The dates span more than the engine's longest period.
    LongPeriod {
        /// The first date, ISO.
        first: String,
        /// The last date, ISO.
        last: String,
    },
    /// Keeping only consenting customers was asked of a file without a consent column
    /// (or with an empty one).
    NoConsentColumn,
    /// Anything else, in English.
    Other(String),
}

/// A file format that is not CSV.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Format {
    /// A zip archive, which an .xlsx workbook is.
    Zip,
    /// An old .xls workbook.
    Xls,
    /// A PDF document.
    Pdf,
    /// A PNG image.
    Png,
    /// A JPEG image.
    Jpeg,
    /// A GIF image.
    Gif,
}

impl Format {
    /// The format in English, with its article.
    pub fn english(self) -> &'static str {
        match self {
            Format::Zip => "a zip archive or an .xlsx workbook",
            Format::Xls => "an .xls workbook",
            Format::Pdf => "a PDF document",
            Format::Png => "a PNG image",
            Format::Jpeg => "a JPEG image",
            Format::Gif => "a GIF image",
        }
    }
}

/// Why a required column was probably not found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum MissingHint {
    /// The header splits into the right columns at `|`, which is not read.
    Pipe,
    /// The header splits into the right columns at `found` (a name: `,` `;` or
    /// "tabs"), but it has more of the detected separator `detected`.
    Separator {
        /// The separator that would work.
        found: String,
        /// The separator detected.
        detected: String,
    },
    /// The header has every required column of the other kind of file: the clients
    /// and interactions files were swapped. `clients`: this was given as the clients
    /// file (and looks like an interactions file).
    OtherFile {
        /// Whether the file was given as the clients file.
        clients: bool,
    },
    /// No better separator: a column must be mapped (`flag` on the command line).
    Map {
        /// `--map-clients` or `--map-interactions`.
        flag: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Empty => f.write_str("the file is empty"),
            Problem::Utf16 => f.write_str(
                "this is UTF-16 text (Excel's \"Unicode text\"), which is not read: \
save it as \"CSV UTF-8\" or \"CSV (semicolon)\" and pick it again",
            ),
            Problem::NotCsv(format) => write!(f, "this is not a CSV file: it looks like {}", format.english()),
            Problem::Binary => f.write_str("this is not a CSV text file: it contains binary data"),
            Problem::MissingColumn {
                column,
                expected,
                header,
                hint,
                also_missing,
            } => {
                write!(
                    f,
                    "required column `{column}` is missing (expected a header named one of: {}; the header is: {header})",
                    expected.join(", ")
                )?;
                if !also_missing.is_empty() {
                    let names: Vec<String> = also_missing.iter().map(|c| format!("`{c}`")).collect();
                    write!(f, "; also missing: {}", names.join(", "))?;
                }
                match hint {
                    MissingHint::Pipe => f.write_str(
                        "; the columns seem separated by `|`, which is not supported: save the file with `,`, `;` \
or tab as separator",
                    ),
                    MissingHint::Separator { found, detected } => write!(
                        f,
                        "; the columns seem separated by {found}, but the header has more {detected}: put the column \
names that contain {detected} in quotes"
                    ),
                    MissingHint::OtherFile { clients } => write!(
                        f,
                        "; this looks like {}: were the two files swapped?",
                        if *clients {
                            "an interactions file"
                        } else {
                            "a clients file"
                        }
                    ),
                    MissingHint::Map { flag } => {
                        write!(
                            f,
                            "; or map a column to {} (`{flag} HEADER={column}` on the command line, the column list in \
the page)",
                            if also_missing.is_empty() { "it" } else { "each" }
                        )?;
                        // Of a clients file, age, segment and channel may be absent.
                        let absentable: Vec<&str> = std::iter::once(column)
                            .chain(also_missing)
                            .map(String::as_str)
                            .filter(|c| crate::ingest::ABSENTABLE.contains(c))
                            .collect();
                        if flag == "--map-clients" && !absentable.is_empty() {
                            write!(
                                f,
                                "; a file without {} can say so (`--absent {}`: every customer then has {})",
                                either(&absentable),
                                absentable.join(","),
                                absent_effect(&absentable)
                            )?;
                        }
                        Ok(())
                    }
                }
            }
            Problem::LongPeriod { first, last } => write!(
                f,
                "the dates run from {first} to {last}, more than 200 years: correct the dates, or give the period \
(--from and --to on the command line, \"Keep only the period\" in the page), which rejects the rest as out_of_period"
            ),
            Problem::NoConsentColumn => f.write_str(
                "keeping only the customers who consented needs a consent column \
(consentement_marketing, or a name such as consent, opt_in, accepts_marketing), and this file has none \
(or only empty cells in it): map one, or keep every customer",
            ),
            Problem::Other(message) => f.write_str(message),
        }
    }
}

/// Why a run cannot go on.
#[derive(Debug)]
pub enum Error {
    /// Options that do not make sense, with a sentence naming the field.
    Options(String),
    /// A file that cannot be used at all.
    Input {
        /// The file's name.
        file: String,
        /// What is wrong, naming the column or line where there is one (boxed: the
        /// error stays small on the `Ok` path).
        problem: Box<Problem>,
    },
    /// A read or write failed.
    Io {
        /// The file involved.
        file: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Options(m) => write!(f, "invalid options: {m}"),
            Error::Input { file, problem } => write!(f, "{file}: {problem}"),
            Error::Io { file, source } => write!(f, "{file}: {source}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

impl Error {
    /// An unusable-input error for `file`.
    pub fn input(file: &str, message: impl Into<String>) -> Self {
        Self::problem(file, Problem::Other(message.into()))
    }

    /// An unusable-input error for `file`, of a kind a user interface can word itself.
    pub fn problem(file: &str, problem: Problem) -> Self {
        Error::Input {
            file: file.to_string(),
            problem: Box::new(problem),
        }
    }

    /// An I/O error on `file`.
    pub fn io(file: &str, source: std::io::Error) -> Self {
        Error::Io {
            file: file.to_string(),
            source,
        }
    }
}

/// `a`, `a or b`, `a, b or c`.
pub fn either(names: &[&str]) -> String {
    match names.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{} or {last}", rest.join(", ")),
        _ => names.join(""),
    }
}

/// What `--absent` of these columns does to every customer, in words: "no age",
/// "the segment and channel `unknown`", "no age, and the channel `unknown`".
fn absent_effect(columns: &[&str]) -> String {
    let unknown: Vec<&str> = columns
        .iter()
        .filter_map(|c| match *c {
            "segment" => Some("segment"),
            "canal_acquisition" => Some("channel"),
            _ => None,
        })
        .collect();
    let unknown = (!unknown.is_empty()).then(|| format!("the {} `unknown`", unknown.join(" and ")));
    match (columns.contains(&"age"), unknown) {
        (true, Some(u)) => format!("no age, and {u}"),
        (true, None) => "no age".to_string(),
        (false, Some(u)) => u,
        (false, None) => String::new(),
    }
}
