//! Which header names mean which column: the original demo's French names and
//! the common English ones map themselves.

use super::CsvFile;
use crate::error::{Error, MissingHint, Problem};
use crate::text::category_key;

/// A column the engine understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Column {
    /// Canonical name, as written in the outputs.
    pub name: &'static str,
    /// Other accepted header names (compared without case, accents, spaces, `-`, `_`).
    pub aliases: &'static [&'static str],
    /// Whether a file without it cannot be used.
    pub required: bool,
}

const fn col(name: &'static str, aliases: &'static [&'static str], required: bool) -> Column {
    Column {
        name,
        aliases,
        required,
    }
}

/// Other names of `client_id` in either file: the demo's, English ones, and those of
/// French exports and CRMs (`Identifiant client`, `N° de client`, `Code client`).
/// Names are tried in this order: the specific ones come before a bare `client` or
/// `customer`, which in such an export is often the customer's name.
const CLIENT_ID_NAMES: [&str; 18] = [
    "id_client",
    "customer_id",
    "identifiant_client",
    "identifiant_du_client",
    "numero_client",
    "numero_de_client",
    "n°_client",
    "n°_de_client",
    "nº_client",
    "no_client",
    "num_client",
    "code_client",
    "code_du_client",
    "ref_client",
    "reference_client",
    "customer_number",
    "client",
    "customer",
];

/// [`CLIENT_ID_NAMES`], and in a clients file also a bare `id` or `identifiant`.
const CLIENTS_FILE_ID_NAMES: [&str; CLIENT_ID_NAMES.len() + 2] = {
    let mut all = [""; CLIENT_ID_NAMES.len() + 2];
    let mut i = 0;
    while i < CLIENT_ID_NAMES.len() {
        all[i] = CLIENT_ID_NAMES[i];
        i += 1;
    }
    all[i] = "id";
    all[i + 1] = "identifiant";
    all
};

/// Columns of a clients file, in the order `clean` expects them.
pub const CLIENT_COLUMNS: [Column; 9] = [
    col("client_id", &CLIENTS_FILE_ID_NAMES, true),
    col("age", &["age_client", "customer_age"], true),
    col("ville", &["city", "commune", "town"], false),
    col("segment", &["segment_client", "customer_segment", "tier"], true),
    col(
        "canal_acquisition",
        &[
            "canal",
            "canal_d_acquisition",
            "channel",
            "acquisition_channel",
            "source",
            "acquisition",
        ],
        true,
    ),
    col(
        "code_postal",
        &["cp", "postcode", "postal_code", "zip", "zipcode"],
        false,
    ),
    col("departement", &["département", "department", "dept", "dep"], false),
    col(
        "date_inscription",
        &[
            "signup_date",
            "date_creation",
            "created_at",
            "inscription",
            "registration_date",
            "date_d_inscription",
            "date_de_creation",
            "signup",
            "registered_at",
            "customer_since",
        ],
        false,
    ),
    col(
        "consentement_marketing",
        &[
            "consentement",
            "consent",
            "opt_in",
            "optin",
            "marketing_consent",
            "accepts_marketing",
            "accepts_email_marketing",
            "email_marketing_consent",
            "consentement_email",
            "newsletter",
        ],
        false,
    ),
];

/// Required columns of a clients file that a user may say their file does not have:
/// every customer then has no age, or the segment or channel [`UNKNOWN_LABEL`].
pub const ABSENTABLE: [&str; 3] = ["age", "segment", "canal_acquisition"];

/// The segment or channel of every customer of a file without that column.
pub const UNKNOWN_LABEL: &str = "unknown";

/// [`CLIENT_COLUMNS`] with the columns named in `absent` no longer required; fails
/// when `absent` names a column that cannot be absent.
pub fn client_columns(file: &str, absent: &[String]) -> Result<Vec<Column>, crate::error::Error> {
    if let Some(wrong) = absent.iter().find(|a| !ABSENTABLE.contains(&a.as_str())) {
        return Err(crate::error::Error::input(
            file,
            format!("`{wrong}` cannot be marked absent (only {} can)", ABSENTABLE.join(", ")),
        ));
    }
    Ok(CLIENT_COLUMNS
        .iter()
        .map(|c| Column {
            required: c.required && !absent.iter().any(|a| a == c.name),
            ..*c
        })
        .collect())
}

/// Columns of an interactions file (or of the original demo's merged file).
pub const INTERACTION_COLUMNS: [Column; 7] = [
    col(
        "interaction_id",
        &["id_interaction", "event_id", "id_evenement", "identifiant_interaction"],
        false,
    ),
    col("client_id", &CLIENT_ID_NAMES, true),
    col(
        "session_id",
        &["session", "id_session", "visit_id", "identifiant_session"],
        false,
    ),
    col(
        "type_action",
        &[
            "action",
            "type_d_action",
            "event_type",
            "type",
            "event",
            "type_evenement",
        ],
        true,
    ),
    col(
        "valeur_achat",
        &[
            "montant",
            "montant_achat",
            "valeur_d_achat",
            "amount",
            "purchase_value",
            "value",
            "valeur",
            "revenue",
            "prix",
        ],
        true,
    ),
    col(
        "horodatage",
        &[
            // Names that carry a time before `date`: a file with both is read to the second.
            "timestamp",
            "datetime",
            "date_heure",
            "event_time",
            "date_interaction",
            "date",
        ],
        true,
    ),
    // A time of day in a column of its own (`Date;Heure`), for dates without one.
    col("heure", &["time", "hour", "heure_evenement", "event_hour"], false),
];

/// A header cell as compared with the names of a column: [`category_key`] of it
/// without a unit in brackets or a currency sign (`Valeur Achat (€)` is
/// `valeurachat`).
fn header_key(header: &str) -> String {
    let mut h = header.trim();
    for (open, close) in [('(', ')'), ('[', ']')] {
        if let Some(head) = h
            .strip_suffix(close)
            .and_then(|rest| rest.rfind(open).map(|p| &rest[..p]))
        {
            if !head.trim().is_empty() {
                h = head;
            }
        }
    }
    category_key(&h.replace('€', ""))
}

/// Where each known column sits in a file's header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnMap {
    /// Position of each column of the list, in the list's order.
    pub positions: Vec<Option<usize>>,
    /// The header cells, trimmed: their number is the width of a row, and a copy of
    /// them among the rows is a repeated header.
    header: Vec<String>,
    /// Whether each column is required (not when the user said the file lacks it).
    required: Vec<bool>,
}

impl ColumnMap {
    /// Maps `columns` onto `file`'s header; fails naming the required columns missing.
    pub fn new(file: &CsvFile, columns: &[Column]) -> Result<Self, Error> {
        Self::with_choices(file, columns, &Default::default(), &[])
    }

    /// [`ColumnMap::new`] with the user's choices: `chosen` maps a header cell to an
    /// engine column name, or to `""` to ignore it; header cells in `blocked` (direct
    /// identifiers) can only feed `client_id`.
    pub fn with_choices(
        file: &CsvFile,
        columns: &[Column],
        chosen: &std::collections::BTreeMap<String, String>,
        blocked: &[usize],
    ) -> Result<Self, Error> {
        let chosen = &header_cells(file, chosen);
        check_choices(file, columns, chosen)?;
        // A direct identifier chosen for another column: said, rather than dropped unseen.
        for (cell, target) in chosen {
            let identifier = file
                .header
                .iter()
                .position(|h| h == cell)
                .is_some_and(|j| blocked.contains(&j));
            if identifier && !target.is_empty() && target != "client_id" {
                return Err(Error::input(
                    &file.name,
                    format!(
                        "mapping `{cell}={target}`: `{cell}` holds direct identifiers (names, emails, phones or \
                         addresses), which are always dropped: it can only be `client_id`"
                    ),
                ));
            }
        }
        // Names as written first; only then without a unit in brackets, so that
        // `Age (tranche)` does not take the place of an `age` cell.
        let exact: Vec<String> = file.header.iter().map(|h| category_key(h)).collect();
        let loose: Vec<String> = file.header.iter().map(|h| header_key(h)).collect();
        let mut positions = Vec::with_capacity(columns.len());
        for c in columns {
            let usable = |j: usize| c.name == "client_id" || !blocked.contains(&j);
            let picked = file
                .header
                .iter()
                .enumerate()
                .position(|(j, h)| chosen.get(h).is_some_and(|t| t == c.name) && usable(j));
            // The canonical name wins over an alias (`client_id` over `client`); cells the
            // user mapped or ignored are not guessed.
            let found = picked.or_else(|| {
                [&exact, &loose].into_iter().find_map(|keys| {
                    std::iter::once(c.name)
                        .chain(c.aliases.iter().copied())
                        .find_map(|name| {
                            (0..keys.len()).find(|&j| {
                                keys[j] == category_key(name) && !chosen.contains_key(&file.header[j]) && usable(j)
                            })
                        })
                })
            });
            // A file whose timestamps sit under `time` or `hour` (names of the time of
            // day column) has them read as timestamps when its first one is a date.
            let found = found.or_else(|| {
                (c.name == "horodatage")
                    .then(|| dated_time_column(file, columns, &exact, chosen))
                    .flatten()
            });
            // (A cell read as the timestamp is not also its time of day.)
            let found = found.filter(|p| !positions.contains(&Some(*p)));
            positions.push(found);
        }
        // Every required column missing is named at once, the first in full.
        let mut missing = columns
            .iter()
            .zip(&positions)
            .filter(|(c, p)| c.required && p.is_none());
        if let Some((first, _)) = missing.next() {
            let others = missing.map(|(c, _)| c.name.to_string()).collect();
            return Err(missing_column(file, first, columns, others));
        }
        Ok(Self {
            positions,
            header: file.header.clone(),
            required: columns.iter().map(|c| c.required).collect(),
        })
    }

    /// Number of header cells: the fields a row must have.
    pub fn width(&self) -> usize {
        self.header.len()
    }

    /// Whether a record repeats the header (files of two exports put end to end), its
    /// cells trimmed and in any case.
    pub fn is_header(&self, fields: &[&[u8]]) -> bool {
        fields.len() == self.header.len()
            && fields.iter().zip(&self.header).all(|(f, h)| {
                // (The second export's byte-order mark, when it kept one.)
                let f = f.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(f);
                f.trim_ascii().eq_ignore_ascii_case(h.as_bytes())
            })
    }

    /// The engine column fed by header cell `j`, if any.
    pub fn used_as(&self, j: usize, columns: &[Column]) -> Option<&'static str> {
        self.positions
            .iter()
            .position(|p| *p == Some(j))
            .map(|i| columns[i].name)
    }

    /// The field of column `i` in a record, if the file has that column.
    #[inline]
    pub fn get<'r>(&self, i: usize, fields: &[&'r [u8]]) -> Option<&'r [u8]> {
        self.positions[i].and_then(|p| fields.get(p).copied())
    }

    /// Whether the file has column `i`.
    pub fn has(&self, i: usize) -> bool {
        self.positions[i].is_some()
    }

    /// Whether column `i` is required: an empty cell of a column the user said absent
    /// is no fault.
    pub fn requires(&self, i: usize) -> bool {
        self.required[i]
    }
}

/// The header cell named like the time of day column (`time`, `hour`…) whose first
/// cell is a whole date, if the user did not map it.
fn dated_time_column(
    file: &CsvFile,
    columns: &[Column],
    keys: &[String],
    chosen: &std::collections::BTreeMap<String, String>,
) -> Option<usize> {
    let hour = columns.iter().find(|c| c.name == "heure")?;
    let j = (0..keys.len()).find(|&j| {
        !chosen.contains_key(&file.header[j])
            && std::iter::once(hour.name)
                .chain(hour.aliases.iter().copied())
                .any(|name| keys[j] == category_key(name))
    })?;
    let mut dated = false;
    file.first_body_record(|fields| {
        dated = fields.get(j).is_some_and(|cell| crate::dates::parse(cell).is_some());
    });
    dated.then_some(j)
}

/// Longest header shown in a message, in bytes (a longer one is cut and ends with `…`).
const MAX_HEADER_SHOWN: usize = 200;

/// The file's header as one line for a message: cut past [`MAX_HEADER_SHOWN`] bytes,
/// and no control character from the file reaches a terminal.
fn shown_header(file: &CsvFile) -> String {
    // (A file without a header line has its first record there: a cell that looks
    // like a direct identifier is withheld, as in the rejects.)
    let cells: Vec<String> = file
        .header
        .iter()
        .map(|h| crate::privacy::Privacy::unpseudonymised_value(h))
        .collect();
    let header = cells.join(&(file.separator as char).to_string());
    let mut end = header.len().min(MAX_HEADER_SHOWN);
    while !header.is_char_boundary(end) {
        end -= 1;
    }
    let cut = if end < header.len() { "…" } else { "" };
    let shown: String = header[..end]
        .chars()
        .map(|ch| if ch.is_control() && ch != '\t' { ' ' } else { ch })
        .collect();
    format!("{shown}{cut}")
}

/// The user's choices keyed by the header cells they name: a choice typed in
/// another case, or with spaces around it (`kunde` for `Kunde`), names the cell it
/// matches so, when no cell has its exact text; a choice that names a cell exactly
/// wins over one that names it so.
fn header_cells(
    file: &CsvFile,
    chosen: &std::collections::BTreeMap<String, String>,
) -> std::collections::BTreeMap<String, String> {
    let (exact, loose): (Vec<_>, Vec<_>) = chosen.iter().partition(|(cell, _)| file.header.contains(cell));
    let mut out: std::collections::BTreeMap<String, String> =
        exact.into_iter().map(|(c, t)| (c.clone(), t.clone())).collect();
    for (cell, target) in loose {
        let named = file
            .header
            .iter()
            .find(|h| h.trim().to_lowercase() == cell.trim().to_lowercase())
            .unwrap_or(cell);
        out.entry(named.clone()).or_insert_with(|| target.clone());
    }
    out
}

/// A mapping that names a header cell the file does not have, or a column the engine
/// does not read: said plainly rather than ignored or reported as a missing column.
fn check_choices(
    file: &CsvFile,
    columns: &[Column],
    chosen: &std::collections::BTreeMap<String, String>,
) -> Result<(), Error> {
    for (cell, target) in chosen {
        let problem = if !file.header.contains(cell) {
            format!(
                "the header has no cell `{cell}` (the header is: {})",
                shown_header(file)
            )
        } else if !target.is_empty() && !columns.iter().any(|c| c.name == target) {
            let names: Vec<&str> = columns.iter().map(|c| c.name).collect();
            format!(
                "`{target}` is not a column the engine reads (one of: {})",
                names.join(", ")
            )
        } else {
            continue;
        };
        return Err(Error::input(
            &file.name,
            format!("mapping `{cell}={target}`: {problem}"),
        ));
    }
    Ok(())
}

/// Names of a column given in a message: the first few it goes by (the more common
/// first), then `…` when it has more.
fn shown_names(c: &Column) -> Vec<String> {
    const SHOWN: usize = 8;
    let mut names: Vec<String> = std::iter::once(c.name)
        .chain(c.aliases.iter().copied())
        .take(SHOWN + 1)
        .map(String::from)
        .collect();
    if names.len() > SHOWN {
        names[SHOWN] = "…".to_string();
    }
    names
}

/// The error for required column `c` missing from `file`: the accepted names, the
/// header found (cut), and why when another separator or the other kind of file would
/// have every required column. `others`, the other required columns missing, are named
/// only when columns must be mapped (a wrong separator or swapped files explain them).
fn missing_column(file: &CsvFile, c: &Column, columns: &[Column], others: Vec<String>) -> Error {
    let header = file.header.join(&(file.separator as char).to_string());
    let name = |s: u8| match s {
        b'\t' => "tabs".to_string(),
        s => format!("`{}`", s as char),
    };
    let better = [b',', b';', b'\t', b'|'].into_iter().find(|&s| {
        let keys: Vec<String> = header.split(s as char).map(category_key).collect();
        s != file.separator
            && columns.iter().filter(|c| c.required).all(|c| {
                std::iter::once(c.name)
                    .chain(c.aliases.iter().copied())
                    .any(|n| keys.contains(&category_key(n)))
            })
    });
    let interactions = columns.first().is_some_and(|c| c.name == "interaction_id");
    // Every required column of the other kind of file: the two files were swapped.
    let other: &[Column] = if interactions {
        &CLIENT_COLUMNS
    } else {
        &INTERACTION_COLUMNS
    };
    let keys: Vec<String> = file.header.iter().map(|h| header_key(h)).collect();
    let swapped = other.iter().filter(|c| c.required).all(|c| {
        std::iter::once(c.name)
            .chain(c.aliases.iter().copied())
            .any(|n| keys.contains(&category_key(n)))
    });
    let hint = match better {
        Some(b'|') => MissingHint::Pipe,
        Some(s) => MissingHint::Separator {
            found: name(s),
            detected: name(file.separator),
        },
        None if swapped => MissingHint::OtherFile { clients: !interactions },
        None => MissingHint::Map {
            flag: if interactions {
                "--map-interactions"
            } else {
                "--map-clients"
            }
            .to_string(),
        },
    };
    Error::problem(
        &file.name,
        Problem::MissingColumn {
            column: c.name.to_string(),
            expected: shown_names(c),
            header: shown_header(file),
            also_missing: if matches!(hint, MissingHint::Map { .. }) {
                others
            } else {
                Vec::new()
            },
            hint,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_demo_and_english_headers() {
        let f = CsvFile::open("d.csv", b"interaction_id,client_id,type_action,valeur_achat,date,age\n").unwrap();
        let m = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap();
        assert_eq!(
            m.positions,
            vec![Some(0), Some(1), None, Some(2), Some(3), Some(4), None]
        );
        let f = CsvFile::open("e.csv", b"Customer ID;Event Type;Amount;Timestamp\n").unwrap();
        let m = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap();
        assert_eq!(m.positions, vec![None, Some(0), None, Some(1), Some(2), Some(3), None]);
        // French exports: a unit after the name, `d'` in it; the time in a column of its own.
        let f = CsvFile::open(
            "f.csv",
            "Client;Type d'action;Valeur Achat (€);Date [UTC];Heure\n".as_bytes(),
        )
        .unwrap();
        let m = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap();
        assert_eq!(
            m.positions,
            vec![None, Some(0), None, Some(1), Some(2), Some(3), Some(4)]
        );
        // A timestamp wins over a date.
        let f = CsvFile::open("t.csv", b"client_id,type_action,valeur_achat,date,timestamp\n").unwrap();
        assert_eq!(ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap().positions[5], Some(4));
        // French exports name the customer's id in several ways.
        for id in [
            "Identifiant client",
            "N° client",
            "Code client",
            "Numéro client",
            "N° de client",
            "Nº client",
        ] {
            let (events, clients) = (
                format!("Date;Heure;{id};Type;Montant (€)\n"),
                format!("{id};Âge;Segment;Canal\n"),
            );
            let f = CsvFile::open("x.csv", events.as_bytes()).unwrap();
            assert_eq!(
                ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap().positions[1],
                Some(2),
                "{id}"
            );
            let f = CsvFile::open("y.csv", clients.as_bytes()).unwrap();
            assert_eq!(
                ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap().positions[0],
                Some(0),
                "{id}"
            );
        }
        // A bare `Client` beside the number is the customer's name: the number wins.
        let f = CsvFile::open("z.csv", "Client;N° client;Type;Montant;Date\n".as_bytes()).unwrap();
        assert_eq!(ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap().positions[1], Some(1));
        let f = CsvFile::open("c.csv", b"id;age;segment;canal_d_acquisition\n").unwrap();
        assert_eq!(ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap().positions[4], Some(3));
        assert_eq!(header_key("(x)"), "(x)", "a header that is all brackets stays");
    }

    #[test]
    fn swapped_files_are_said_to_be() {
        let f = CsvFile::open(
            "a.csv",
            b"interaction_id,client_id,type_action,valeur_achat,horodatage\n",
        )
        .unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err();
        let Error::Input { problem, .. } = &e else {
            panic!("{e}")
        };
        assert!(
            matches!(
                **problem,
                Problem::MissingColumn {
                    hint: MissingHint::OtherFile { clients: true },
                    ..
                }
            ),
            "{e}"
        );
        assert!(e.to_string().contains("interactions file"), "{e}");
        let f = CsvFile::open("b.csv", b"client_id,age,ville,segment,canal_acquisition\n").unwrap();
        let e = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap_err();
        assert!(e.to_string().contains("clients file"), "{e}");
        // A file of neither kind is asked to map the column.
        let f = CsvFile::open("c.csv", b"client_id,age,ville\n").unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("--map-clients"), "{e}");
    }

    #[test]
    fn timestamps_under_time_are_read_as_timestamps() {
        let f = CsvFile::open(
            "t.csv",
            b"client_id,type_action,valeur_achat,time\nC1,achat,3,2024-01-02 10:00:00\n",
        )
        .unwrap();
        let m = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap();
        assert_eq!((m.positions[5], m.positions[6]), (Some(3), None));
        // Times of day only: the timestamp is missing, and said so.
        let f = CsvFile::open("t.csv", b"client_id,type_action,valeur_achat,hour\nC1,achat,3,10:00\n").unwrap();
        let e = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("horodatage"), "{e}");
        // With a date column beside it, `time` stays the time of day.
        let f = CsvFile::open(
            "t.csv",
            b"client_id,type_action,valeur_achat,date,time\nC1,achat,3,2024-01-02,10:00\n",
        )
        .unwrap();
        let m = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap();
        assert_eq!((m.positions[5], m.positions[6]), (Some(3), Some(4)));
    }

    #[test]
    fn a_choice_names_its_cell_in_any_case() {
        let f = CsvFile::open("c.csv", b"Kunde,age,segment,canal\n").unwrap();
        let chosen = [(" kunde".to_string(), "client_id".to_string())].into_iter().collect();
        let m = ColumnMap::with_choices(&f, &CLIENT_COLUMNS, &chosen, &[]).unwrap();
        assert_eq!(m.positions[0], Some(0));
        let wrong = [("Kunden".to_string(), "client_id".to_string())].into_iter().collect();
        let e = ColumnMap::with_choices(&f, &CLIENT_COLUMNS, &wrong, &[])
            .unwrap_err()
            .to_string();
        assert!(e.contains("no cell `Kunden`"), "{e}");
        // An exact choice wins over a loose one for the same cell.
        let f = CsvFile::open("c.csv", b"Kunde,age,segment,canal,Klient\n").unwrap();
        let both = [
            ("Kunde".to_string(), "client_id".to_string()),
            ("Klient".to_string(), String::new()),
            ("klient ".to_string(), "age".to_string()),
        ]
        .into_iter()
        .collect();
        let m = ColumnMap::with_choices(&f, &CLIENT_COLUMNS, &both, &[]).unwrap();
        assert_eq!((m.positions[0], m.positions[1]), (Some(0), Some(1)));
        assert_eq!(m.used_as(4, &CLIENT_COLUMNS), None, "Klient stays ignored");
        // A cell whose name holds a unit does not take the place of the column's own.
        let f = CsvFile::open("c.csv", b"client_id,Age (tranche),age,segment,canal_acquisition\n").unwrap();
        assert_eq!(ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap().positions[1], Some(2));
    }

    #[test]
    fn missing_required_column_is_named() {
        let f = CsvFile::open("clients.csv", b"client_id,age,ville,canal_acquisition\n").unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err().to_string();
        assert!(
            e.starts_with("clients.csv: required column `segment` is missing"),
            "{e}"
        );
        assert!(!e.contains("also missing"), "{e}");
        // Every required column missing is named, the first in full.
        let f = CsvFile::open("clients.csv", b"client_id,ville,canal\n").unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err().to_string();
        assert!(e.starts_with("clients.csv: required column `age` is missing"), "{e}");
        assert!(e.contains("; also missing: `segment`;"), "{e}");
        let f = CsvFile::open("i.csv", b"interaction_id,note\n").unwrap();
        let e = ColumnMap::new(&f, &INTERACTION_COLUMNS).unwrap_err().to_string();
        assert!(e.contains("required column `client_id` is missing"), "{e}");
        assert!(
            e.contains("also missing: `type_action`, `valeur_achat`, `horodatage`"),
            "{e}"
        );
        // A file without a header line: its first record's identifiers are withheld.
        let f = CsvFile::open(
            "c.csv",
            b"C_001,Jean,jean.dupont@example.fr,06 12 34 56 78,34,Paris,Premium,SEO\n",
        )
        .unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err().to_string();
        assert!(
            e.contains("the header is: C_001,Jean,[withheld: email],[withheld: phone],34,"),
            "{e}"
        );
        // Swapped files explain every missing column: none is listed.
        let f = CsvFile::open(
            "a.csv",
            b"interaction_id,client_id,type_action,valeur_achat,horodatage\n",
        )
        .unwrap();
        let e = ColumnMap::new(&f, &CLIENT_COLUMNS).unwrap_err().to_string();
        assert!(!e.contains("also missing"), "{e}");
    }
}
