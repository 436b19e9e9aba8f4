//! Finding direct identifiers (names, emails, phone numbers, street addresses) in
//! an input file: by the column's name, and by what its first values look like.

use crate::text::category_key;

/// A kind of direct identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentifierKind {
    /// A first or last name.
    Name,
    /// An email address.
    Email,
    /// A phone number.
    Phone,
    /// A street address.
    Address,
}

/// How a column was recognised as an identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FoundBy {
    /// Its header.
    Name,
    /// Its values.
    Content,
}

/// Header keys (see [`category_key`]) of identifier columns.
const NAMES: [(IdentifierKind, &[&str]); 4] = [
    (
        IdentifierKind::Name,
        &[
            "nom",
            "prenom",
            "name",
            "firstname",
            "lastname",
            "surname",
            "fullname",
            "nomcomplet",
            "nomdefamille",
            "givenname",
            "familyname",
            "customername",
            "nomclient",
            "prenomclient",
        ],
    ),
    (
        IdentifierKind::Email,
        &[
            "email",
            "mail",
            "courriel",
            "emailaddress",
            "adressemail",
            "adresseemail",
        ],
    ),
    (
        IdentifierKind::Phone,
        &[
            "telephone",
            "tel",
            "phone",
            "phonenumber",
            "mobile",
            "portable",
            "numerodetelephone",
            "gsm",
            "fax",
        ],
    ),
    (
        IdentifierKind::Address,
        &[
            "adresse",
            "address",
            "rue",
            "street",
            "streetaddress",
            "adressepostale",
            "voie",
            "address1",
            "address2",
            "adresse1",
            "adresse2",
        ],
    ),
];

/// The identifier kind a header names, if any.
pub fn kind_of_header(header: &str) -> Option<IdentifierKind> {
    let key = category_key(header);
    NAMES
        .iter()
        .find(|(_, names)| names.contains(&key.as_str()))
        .map(|(kind, _)| *kind)
}

/// The identifier kind a value looks like, if any.
pub fn kind_of_value(raw: &[u8]) -> Option<IdentifierKind> {
    let v = trim(raw);
    if v.is_empty() {
        return None;
    }
    if is_email(v) {
        Some(IdentifierKind::Email)
    } else if is_phone(v) {
        Some(IdentifierKind::Phone)
    } else if is_address(v) {
        Some(IdentifierKind::Address)
    } else {
        None
    }
}

fn trim(b: &[u8]) -> &[u8] {
    let s = b.iter().position(|c| !c.is_ascii_whitespace()).unwrap_or(b.len());
    let e = b.iter().rposition(|c| !c.is_ascii_whitespace()).map_or(s, |e| e + 1);
    &b[s..e]
}

/// `local@domain.tld`, without spaces.
fn is_email(v: &[u8]) -> bool {
    let Some(at) = v.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&v[..at], &v[at + 1..]);
    let dot = domain.iter().rposition(|&c| c == b'.');
    !local.is_empty()
        && !v.iter().any(|c| c.is_ascii_whitespace() || *c == b',' || *c == b';')
        && dot.is_some_and(|d| d > 0 && d + 2 <= domain.len() && !domain[d + 1..].contains(&b'@'))
}

/// 9 to 15 digits, written with spaces, dots, dashes or parentheses, that start like
/// a phone number: `+` (`+33 6 12 34 56 78`), `(` (`(555) 123-4567`), or `0` then a
/// non-zero digit (`06 12 34 56 78`, `0612345678`). Zero-padded ids (`0000012345`) and
/// plain numbers (`5012.5012.50`, `123456789012`) are not phones.
fn is_phone(v: &[u8]) -> bool {
    if !v
        .iter()
        .all(|c| c.is_ascii_digit() || matches!(c, b' ' | b'.' | b'-' | b'(' | b')' | b'+'))
    {
        return false;
    }
    if v.iter().skip(1).any(|&c| c == b'+') {
        return false;
    }
    let digits: Vec<u8> = v.iter().copied().filter(u8::is_ascii_digit).collect();
    (9..=15).contains(&digits.len())
        && match v.first() {
            Some(b'+' | b'(') => true,
            Some(b'0') => digits.get(1).is_some_and(|&d| d != b'0'),
            _ => false,
        }
}

/// A number followed by a street word: `12 rue de la Paix`, `3 bis, avenue Foch`, `10 Downing Street`.
fn is_address(v: &[u8]) -> bool {
    let text = String::from_utf8_lossy(v).to_lowercase();
    let mut words = text
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|w| !w.is_empty());
    let Some(first) = words.next() else {
        return false;
    };
    let number = first.trim_end_matches(|c: char| c.is_ascii_alphabetic());
    if number.is_empty() || !number.chars().all(|c| c.is_ascii_digit()) || number.len() > 5 {
        return false;
    }
    const STREETS: [&str; 22] = [
        "rue",
        "avenue",
        "av",
        "av.",
        "boulevard",
        "bd",
        "chemin",
        "allée",
        "allee",
        "place",
        "impasse",
        "route",
        "quai",
        "cours",
        "square",
        "passage",
        "street",
        "st",
        "road",
        "rd",
        "lane",
        "drive",
    ];
    let rest: Vec<&str> = words.collect();
    let rest = match rest.first() {
        Some(&("bis" | "ter")) => &rest[1..],
        _ => &rest[..],
    };
    rest.len() >= 2 && STREETS.contains(&rest[0]) || rest.len() >= 2 && rest.iter().skip(1).any(|w| STREETS.contains(w))
}

/// Counts, per column, the sampled values that look like each identifier kind.
#[derive(Debug, Clone, Default)]
pub struct Scanner {
    /// Per column: non-empty values seen, and matches per kind.
    columns: Vec<(u32, [u32; 4])>,
}

/// Rows of a file looked at for identifiers.
pub const SAMPLE_ROWS: u32 = 500;

/// Values of a column that must look like identifiers before the column is taken for one.
pub const MIN_MATCHES: u32 = 3;

impl Scanner {
    /// A scanner for `width` columns.
    pub fn new(width: usize) -> Self {
        Self {
            columns: vec![(0, [0; 4]); width],
        }
    }

    /// Looks at one record (extra fields past the header are ignored).
    pub fn observe(&mut self, fields: &[&[u8]]) {
        for (col, field) in self.columns.iter_mut().zip(fields) {
            if trim(field).is_empty() {
                continue;
            }
            col.0 += 1;
            if let Some(kind) = kind_of_value(field) {
                col.1[kind as usize] += 1;
            }
        }
    }

    /// Whether enough rows were seen.
    pub fn full(&self) -> bool {
        self.columns.iter().map(|c| c.0).max().unwrap_or(0) >= SAMPLE_ROWS
    }

    /// The kind column `i`'s values look like: at least half of its non-empty
    /// sampled values match it, and at least [`MIN_MATCHES`] do (one odd value in a
    /// tiny file is not a column of identifiers).
    pub fn kind(&self, i: usize) -> Option<IdentifierKind> {
        let (seen, counts) = self.columns.get(i)?;
        let (best, n) = counts
            .iter()
            .enumerate()
            .max_by_key(|(k, n)| (**n, std::cmp::Reverse(*k)))?;
        let kinds = [
            IdentifierKind::Name,
            IdentifierKind::Email,
            IdentifierKind::Phone,
            IdentifierKind::Address,
        ];
        (*n >= MIN_MATCHES && *n * 2 >= *seen).then_some(kinds[best])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values() {
        for v in ["jean.dupont@example.fr", " a@b.co "] {
            assert_eq!(kind_of_value(v.as_bytes()), Some(IdentifierKind::Email), "{v}");
        }
        for v in [
            "06 12 34 56 78",
            "+33 6 12 34 56 78",
            "0612345678",
            "+33612345678",
            "(555) 123-4567",
        ] {
            assert_eq!(kind_of_value(v.as_bytes()), Some(IdentifierKind::Phone), "{v}");
        }
        for v in [
            "12 rue de la Paix",
            "3 bis, avenue Foch",
            "10 Downing Street",
            "5 Place Bellecour",
        ] {
            assert_eq!(kind_of_value(v.as_bytes()), Some(IdentifierKind::Address), "{v}");
        }
        for v in [
            "C_000001",
            "123456789012",
            "42",
            "2025-01-03 10:00:00",
            "12,50",
            "Premium",
            "Paris",
            "75001",
            "@",
            "a@b",
            "Saint-Étienne",
            "1 000",
            "5012.5012.50",
            "0000012345",
            "1234567.89",
        ] {
            assert_eq!(kind_of_value(v.as_bytes()), None, "{v}");
        }
    }

    #[test]
    fn headers() {
        assert_eq!(kind_of_header("Prénom"), Some(IdentifierKind::Name));
        assert_eq!(kind_of_header("E-mail"), Some(IdentifierKind::Email));
        assert_eq!(kind_of_header("Téléphone"), Some(IdentifierKind::Phone));
        assert_eq!(kind_of_header("adresse"), Some(IdentifierKind::Address));
        assert_eq!(kind_of_header("ville"), None);
        assert_eq!(kind_of_header("client_id"), None);
    }

    #[test]
    fn scanner_needs_half_the_values_and_three_of_them() {
        let mut s = Scanner::new(3);
        s.observe(&[b"a@b.fr", b"x", b"06 12 34 56 78"]);
        s.observe(&[b"c@d.fr", b"y", b""]);
        s.observe(&[b"", b"z@w.fr", b"06 12 34 56 79"]);
        assert_eq!(s.kind(0), None, "two emails are not enough");
        s.observe(&[b"e@f.fr", b"v", b"06 12 34 56 70"]);
        assert_eq!(s.kind(0), Some(IdentifierKind::Email));
        assert_eq!(s.kind(1), None, "one email in four values");
        assert_eq!(s.kind(2), Some(IdentifierKind::Phone));
        s.observe(&[b"", b"", b"x"]);
        s.observe(&[b"", b"", b"y"]);
        s.observe(&[b"", b"", b"z"]);
        s.observe(&[b"", b"", b"t"]);
        assert_eq!(s.kind(2), None, "three phones in seven values");
        assert_eq!(s.kind(7), None);
    }
}
