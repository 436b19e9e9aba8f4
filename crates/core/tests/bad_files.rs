//! Bad input files, and the input formats met in the field, through the public API
//! (`pipeline::prepare` on files). A file that cannot be used must give one sentence
//! naming the file (and the column); a usable file must account for every row:
//! per file, read = kept + rejected, with the expected counts per rule.

use numberly_core::clean::{CleanOptions, CleanReport, FileReport, SessionRule};
use numberly_core::pipeline::{prepare, Prepared, Source};
use numberly_core::text::Encoding;
use std::collections::BTreeMap;

const DEMO_CLIENTS: (&str, &[u8]) = ("clients.csv", include_bytes!("fixtures/demo/clients.csv"));
const DEMO_MERGED: (&str, &[u8]) = (
    "donnees_marketing.csv",
    include_bytes!("fixtures/demo/donnees_marketing.csv"),
);

/// A fixture of `fixtures/bad/`, named as on disk.
macro_rules! bad {
    ($name:literal) => {
        ($name, &include_bytes!(concat!("fixtures/bad/", $name))[..])
    };
}

fn run(clients: (&str, &[u8]), interactions: (&str, &[u8])) -> Result<Prepared, numberly_core::Error> {
    prepare(
        Source::Files { clients, interactions },
        &CleanOptions::default(),
        &mut |_, _| {},
    )
}

/// Runs a pair that must import, and checks the accounting of both files.
fn usable(clients: (&str, &[u8]), interactions: (&str, &[u8])) -> Prepared {
    let p = run(clients, interactions).unwrap_or_else(|e| panic!("the files import: {e}"));
    accounted(&p.clean);
    assert_eq!(p.dataset.customers.len() as u64, p.clean.clients.kept);
    assert_eq!(p.dataset.interactions.len() as u64, p.clean.interactions.kept);
    p
}

/// Per file: read = kept + rejected, the rule counts add up, one reject entry per rejected row.
fn accounted(c: &CleanReport) {
    for (k, f) in [(0u8, &c.clients), (1u8, &c.interactions)] {
        assert_eq!(f.read, f.kept + f.rejected, "{}: read = kept + rejected", f.file);
        assert_eq!(f.rejected, f.rejected_by_rule.values().sum::<u64>(), "{}", f.file);
        let listed = c.rejects.iter().filter(|r| r.file == k).count() as u64;
        assert_eq!(listed, f.rejected, "{}: one reject per rejected row", f.file);
    }
}

/// Runs a pair that must not import; returns the message, checked to be one line.
fn unusable(clients: (&str, &[u8]), interactions: (&str, &[u8])) -> String {
    let message = match run(clients, interactions) {
        Ok(_) => panic!("{} / {} should not import", clients.0, interactions.0),
        Err(e) => e.to_string(),
    };
    assert!(
        !message.contains('\n') && !message.contains('\r'),
        "one line: {message:?}"
    );
    assert!(message.len() < 1_000, "a sentence, not a dump: {} bytes", message.len());
    message
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

/// (read, kept, rejected) of a file.
fn rkr(f: &FileReport) -> (u64, u64, u64) {
    (f.read, f.kept, f.rejected)
}

/// The rejects of file `k` as (line, column, rule, value).
fn rejects(c: &CleanReport, k: u8) -> Vec<(u64, &str, &str, &str)> {
    c.rejects
        .iter()
        .filter(|r| r.file == k)
        .map(|r| (r.line, r.column, r.rule, r.value.as_str()))
        .collect()
}

// ---------------------------------------------------------------- unusable files

#[test]
fn an_empty_file_is_named_as_empty_in_either_role() {
    assert_eq!(unusable(bad!("empty.csv"), DEMO_MERGED), "empty.csv: the file is empty");
    assert_eq!(
        unusable(DEMO_CLIENTS, bad!("empty.csv")),
        "empty.csv: the file is empty"
    );
    // Blank lines, or a byte-order mark alone, are empty too.
    assert_eq!(
        unusable(("blank.csv", b" \r\n\n\t\n"), DEMO_MERGED),
        "blank.csv: the file is empty"
    );
    assert_eq!(
        unusable(DEMO_CLIENTS, ("bom.csv", b"\xEF\xBB\xBF\r\n")),
        "bom.csv: the file is empty"
    );
}

#[test]
fn binary_files_are_refused_with_what_they_look_like() {
    let junk = bad!("junk.bin");
    assert!(junk.1.contains(&0), "the junk fixture has NUL bytes");
    assert_eq!(
        unusable(junk, DEMO_MERGED),
        "junk.bin: this is not a CSV text file: it contains binary data"
    );
    assert_eq!(
        unusable(DEMO_CLIENTS, junk),
        "junk.bin: this is not a CSV text file: it contains binary data"
    );
    assert_eq!(
        unusable(DEMO_CLIENTS, bad!("image.png")),
        "image.png: this is not a CSV file: it looks like a PNG image"
    );
    // Excel's "Unicode text": UTF-16 with a byte-order mark, named as such.
    let utf16: Vec<u8> = b"\xFF\xFE"
        .iter()
        .copied()
        .chain("client_id\tage\r\n".encode_utf16().flat_map(|u| u.to_le_bytes()))
        .collect();
    assert_eq!(
        unusable(("unicode.txt", &utf16), DEMO_MERGED),
        "unicode.txt: this is UTF-16 text (Excel's \"Unicode text\"), which is not read: \
save it as \"CSV UTF-8\" or \"CSV (semicolon)\" and pick it again"
    );
    // Without its byte-order mark, little- or big-endian: the same sentence.
    for bytes in [
        "client_id;age\r\nC1;30\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_le_bytes())
            .collect::<Vec<u8>>(),
        "client_id;age\r\nC1;30\r\n"
            .encode_utf16()
            .flat_map(|u| u.to_be_bytes())
            .collect(),
    ] {
        assert!(unusable(("u.csv", &bytes), DEMO_MERGED).starts_with("u.csv: this is UTF-16 text"));
    }
    assert_eq!(
        unusable(bad!("clients.xlsx"), DEMO_MERGED),
        "clients.xlsx: this is not a CSV file: it looks like a zip archive or an .xlsx workbook"
    );
}

#[test]
fn a_missing_required_column_is_named_with_the_header_found() {
    assert_eq!(
        unusable(bad!("clients_missing_segment.csv"), DEMO_MERGED),
        "clients_missing_segment.csv: required column `segment` is missing (expected a header named one of: \
         segment, segment_client, customer_segment, tier; the header is: client_id,age,ville,canal_acquisition); \
         or map a column to it (`--map-clients HEADER=segment` on the command line, the column list in the page); \
         a file without segment can say so (`--absent segment`: every customer then has the segment `unknown`)"
    );
    assert_eq!(
        unusable(DEMO_CLIENTS, bad!("interactions_missing_date.csv")),
        "interactions_missing_date.csv: required column `horodatage` is missing (expected a header named one of: \
         horodatage, timestamp, datetime, date_heure, event_time, date_interaction, date; \
         the header is: interaction_id,client_id,type_action,valeur_achat,age,ville); or map a column to it \
         (`--map-interactions HEADER=horodatage` on the command line, the column list in the page)"
    );
}

/// A `;` file with commas in a column name: `,` is the most frequent separator of the
/// header, so the columns are not found; the message says why.
#[test]
fn a_wrong_separator_guess_is_explained() {
    let file = bad!("clients_semicolon_commas_in_header.csv");
    let header = std::str::from_utf8(file.1).unwrap().lines().next().unwrap();
    assert!(header.matches(',').count() > header.matches(';').count());
    assert_eq!(
        unusable(file, DEMO_MERGED),
        "clients_semicolon_commas_in_header.csv: required column `client_id` is missing (expected a header named \
         one of: client_id, id_client, customer_id, identifiant_client, identifiant_du_client, numero_client, numero_de_client, n°_client, …; the header is: \
         client_id;age;ville;segment;canal_acquisition;remarque (rue,code postal,ville,pays,région,téléphone,email)); \
         the columns seem separated by `;`, but the header has more `,`: put the column names that contain `,` \
         in quotes"
    );
    // With the column name quoted, the same file imports.
    let quoted = String::from_utf8(file.1.to_vec()).unwrap().replace(
        "remarque (rue, code postal, ville, pays, région, téléphone, email)",
        "\"remarque (rue, …)\"",
    );
    assert_ne!(quoted.as_bytes(), file.1);
    let p = usable((file.0, quoted.as_bytes()), DEMO_MERGED);
    assert_eq!(p.clean.clients.separator, ";");
    assert_eq!(rkr(&p.clean.clients), (2, 2, 0));
}

#[test]
fn an_unsupported_separator_is_named() {
    assert_eq!(
        unusable(DEMO_CLIENTS, bad!("interactions_pipe.csv")),
        "interactions_pipe.csv: required column `client_id` is missing (expected a header named one of: \
         client_id, id_client, customer_id, identifiant_client, identifiant_du_client, numero_client, numero_de_client, n°_client, …; the header is: \
         interaction_id|client_id|type_action|valeur_achat|date); the columns seem separated by `|`, which is not \
         supported: save the file with `,`, `;` or tab as separator"
    );
}

/// One field of 1 MB is the whole file: the header shown in the message is cut.
#[test]
fn a_one_megabyte_header_gives_a_short_message() {
    let field = "é".repeat(1 << 19); // 1 MiB of UTF-8
    let message = unusable(("huge.csv", field.as_bytes()), DEMO_MERGED);
    let shown = "é".repeat(100);
    assert_eq!(
        message,
        format!(
            "huge.csv: required column `client_id` is missing (expected a header named one of: client_id, \
             id_client, customer_id, identifiant_client, identifiant_du_client, numero_client, numero_de_client, n°_client, …; the header is: {shown}…); also missing: `age`, \
             `segment`, `canal_acquisition`; or map a column to each (`--map-clients HEADER=client_id` on the \
             command line, the column list in the page); a file without age, segment or canal_acquisition can \
             say so (`--absent age,segment,canal_acquisition`: every customer then has no age, and the segment and \
             channel `unknown`)"
        )
    );
}

/// A quoted line break or an escape character in the header stays out of the message.
#[test]
fn control_characters_of_the_header_stay_out_of_the_message() {
    let mut file = b"\"a\nb\";\"\x1b[31mred\"\n".to_vec();
    file.extend_from_slice(&b"x;y\n".repeat(50)); // enough text not to look binary
    assert_eq!(
        unusable(("ctl.csv", &file), DEMO_MERGED),
        "ctl.csv: required column `client_id` is missing (expected a header named one of: client_id, id_client, \
         customer_id, identifiant_client, identifiant_du_client, numero_client, numero_de_client, n°_client, …; the header is: a b; [31mred); also missing: `age`, `segment`, \
         `canal_acquisition`; or map a column to each (`--map-clients HEADER=client_id` on the command line, \
         the column list in the page); a file without age, segment or canal_acquisition can say so \
         (`--absent age,segment,canal_acquisition`: every customer then has no age, and the segment and channel \
         `unknown`)"
    );
}

// ---------------------------------------------------------------- usable but bad files

#[test]
fn header_only_files_import_with_nothing_read() {
    let p = usable(
        bad!("clients_header_only.csv"),
        bad!("donnees_marketing_header_only.csv"),
    );
    assert_eq!(rkr(&p.clean.clients), (0, 0, 0));
    assert_eq!(rkr(&p.clean.interactions), (0, 0, 0));
    assert!(p.clean.rejects.is_empty());
    assert_eq!(p.report.kpis.customers, 0);
    assert_eq!(p.report.kpis.revenue_cents, 0);
    // No customer kept: every interaction of the demo is an orphan (but one duplicate).
    let p = usable(bad!("clients_header_only.csv"), DEMO_MERGED);
    assert_eq!(rkr(&p.clean.interactions), (38, 0, 38));
    assert_eq!(
        p.clean.interactions.rejected_by_rule,
        counts(&[("duplicate_row", 1), ("unknown_client", 37)])
    );
    // No interaction: the customers are all there, none active.
    let p = usable(DEMO_CLIENTS, bad!("donnees_marketing_header_only.csv"));
    assert_eq!(rkr(&p.clean.clients), (12, 12, 0));
    assert_eq!(rkr(&p.clean.interactions), (0, 0, 0));
    assert_eq!((p.report.kpis.customers, p.report.kpis.active_customers), (12, 0));
}

#[test]
fn rows_with_too_few_or_too_many_fields_are_rejected_one_by_one() {
    let p = usable(bad!("clients_ragged.csv"), DEMO_MERGED);
    let c = &p.clean;
    assert_eq!(rkr(&c.clients), (7, 3, 4));
    assert_eq!(c.clients.rejected_by_rule, counts(&[("wrong_field_count", 4)]));
    assert_eq!(
        rejects(c, 0),
        [
            (3, "*", "wrong_field_count", "4 fields, the header has 5"),
            (4, "*", "wrong_field_count", "6 fields, the header has 5"),
            (6, "*", "wrong_field_count", "1 fields, the header has 5"),
            (7, "*", "wrong_field_count", "7 fields, the header has 5"),
        ]
    );
    // Kept: C_0001, C_0004 (a quoted city with a comma) and C_0007; the demo's
    // interactions of the other customers are orphans: 38 = 15 kept + 1 duplicate + 22.
    assert_eq!(rkr(&c.interactions), (38, 15, 23));
    assert_eq!(
        c.interactions.rejected_by_rule,
        counts(&[("duplicate_row", 1), ("unknown_client", 22)])
    );

    let p = usable(DEMO_CLIENTS, bad!("interactions_ragged.csv"));
    let c = &p.clean;
    assert_eq!(rkr(&c.interactions), (6, 3, 3));
    assert_eq!(c.interactions.rejected_by_rule, counts(&[("wrong_field_count", 3)]));
    assert_eq!(
        rejects(c, 1),
        [
            // `120,50` unquoted in a `,` file: one field too many.
            (3, "*", "wrong_field_count", "10 fields, the header has 9"),
            (4, "*", "wrong_field_count", "5 fields, the header has 9"),
            (6, "*", "wrong_field_count", "10 fields, the header has 9"),
        ]
    );
    // The quoted `"32,00"` is one field, read as 32.00.
    assert_eq!(p.report.kpis.revenue_cents, 3_200);
}

/// A field of 1 MB in a row: the row is read like any other, the reject keeps 200 bytes.
#[test]
fn a_one_megabyte_field_is_read_and_cut_in_the_reject() {
    let mut text = b"interaction_id,client_id,type_action,valeur_achat,date\n".to_vec();
    text.extend_from_slice(b"I1,C_0001,page_vue,,2024-03-01 09:00:00\n");
    let big = format!("a{}", "é".repeat(1 << 19)); // odd length: byte 200 is inside a character
    text.extend_from_slice(format!("I2,C_0001,{big},,2024-03-01 09:01:00\n").as_bytes());
    text.extend_from_slice(b"I3,C_0001,achat,10,2024-03-01 09:02:00\n");
    assert!(text.len() > 1 << 20);
    let p = usable(DEMO_CLIENTS, ("big_field.csv", &text));
    let c = &p.clean;
    assert_eq!(rkr(&c.interactions), (3, 2, 1));
    let cut = format!("a{}…", "é".repeat(99));
    assert_eq!(rejects(c, 1), [(3, "type_action", "unknown_action", cut.as_str())]);

    // The same field quoted, with separators and line breaks inside (up to the 256 a
    // record may hold), in a column the engine does not use: the row is kept and the
    // next row's line is right.
    let mut text = b"interaction_id,client_id,type_action,valeur_achat,date,note\n".to_vec();
    let note = format!("{}\n", "x,y;z".repeat(820)).repeat(1 << 8);
    text.extend_from_slice(format!("I1,C_0001,page_vue,,2024-03-01 09:00:00,\"{note}\"\n").as_bytes());
    text.extend_from_slice(b"I2,C_0001,achat,-1,2024-03-01 09:02:00,\n");
    let p = usable(DEMO_CLIENTS, ("big_quoted.csv", &text));
    let c = &p.clean;
    assert_eq!(rkr(&c.interactions), (2, 1, 1));
    assert!(text.len() > 1 << 20);
    let line = 2 + (1 << 8) + 1;
    assert_eq!(rejects(c, 1), [(line, "valeur_achat", "non_positive_amount", "-1")]);
}

/// Lines ending in a carriage return alone (old Mac spreadsheets) are lines.
#[test]
fn carriage_returns_alone_end_lines() {
    let clients = b"client_id,age,ville,segment,canal_acquisition\rC1,34,Paris,Premium,SEO\rC2,x,Lyon,Standard,SEO\r";
    let interactions = b"client_id,type_action,valeur_achat,date\rC1,achat,10,2024-03-01\rC2,achat,5,2024-03-01\r";
    let p = usable(("cr_clients.csv", clients), ("cr_interactions.csv", interactions));
    assert_eq!(rkr(&p.clean.clients), (2, 1, 1));
    assert_eq!(rejects(&p.clean, 0), [(3, "age", "invalid_age", "x")]);
    assert_eq!(rkr(&p.clean.interactions), (2, 1, 1));
    assert_eq!(rejects(&p.clean, 1), [(3, "client_id", "rejected_client", "C2")]);
}

// ---------------------------------------------------------------- formats

/// Tab separated, English headers, `dd/mm/yyyy` (and `d/m/yyyy`, `dd.mm.yyyy`) dates
/// without a time of day. By hand:
///
/// - clients: C3's `31/13/2024` rejected; `standard` corrected; C4 has no signup date: 3 kept.
/// - interactions: E6 (C3, rejected) and E7 (a purchase without an amount) rejected;
///   `purchase` corrected: 6 kept, 45,00 + 20.5 = 65.50.
/// - sessions, one per customer and day: C1 02/04 and 05/04, C2 03/04, C4 04/04 = 4.
#[test]
fn tab_separated_files_with_day_first_dates_import() {
    let p = usable(
        ("clients.tsv", include_bytes!("fixtures/tab/clients.tsv")),
        ("interactions.tsv", include_bytes!("fixtures/tab/interactions.tsv")),
    );
    let c = &p.clean;
    for f in [&c.clients, &c.interactions] {
        assert_eq!(
            (f.encoding, f.separator.as_str()),
            (Encoding::Utf8, "tab"),
            "{}",
            f.file
        );
    }
    assert_eq!(rkr(&c.clients), (4, 3, 1));
    assert_eq!(rejects(c, 0), [(4, "date_inscription", "invalid_date", "31/13/2024")]);
    assert_eq!(c.clients.corrected_by_rule, counts(&[("segment_spelling", 1)]));
    assert_eq!(rkr(&c.interactions), (8, 6, 2));
    assert_eq!(
        rejects(c, 1),
        [
            (7, "client_id", "rejected_client", "C3"),
            (8, "valeur_achat", "missing_amount", "")
        ]
    );
    assert_eq!(c.interactions.corrected_by_rule, counts(&[("action_spelling", 1)]));
    assert_eq!(c.session_rule, SessionRule::ByDay);
    let k = &p.report.kpis;
    assert_eq!((k.sessions, k.sessions_with_purchase, k.purchases), (4, 2, 2));
    assert_eq!(k.revenue_cents, 6_550);
    let day = numberly_core::dates::days_from_civil;
    assert_eq!((p.report.from, p.report.to), (day(2024, 4, 2), day(2024, 4, 5)));
}

/// Quoted fields holding separators, doubled quotes and line breaks. By hand:
///
/// - clients: C4 (age `abc`, on lines 6–7) rejected: 4 kept.
/// - interactions: I4 (`3,5x`, lines 6–7) and I5 (C4) rejected: 4 kept,
///   `"12,50"` + `"99,90"` = 112.40.
#[test]
fn quoted_fields_with_separators_and_line_breaks_import() {
    let p = usable(
        ("clients.csv", include_bytes!("fixtures/quoted/clients.csv")),
        ("interactions.csv", include_bytes!("fixtures/quoted/interactions.csv")),
    );
    let c = &p.clean;
    assert_eq!(
        (c.clients.separator.as_str(), c.interactions.separator.as_str()),
        (",", ",")
    );
    assert_eq!(rkr(&c.clients), (5, 4, 1));
    assert_eq!(rejects(c, 0), [(6, "age", "invalid_age", "abc")]);
    assert_eq!(rkr(&c.interactions), (6, 4, 2));
    assert_eq!(
        rejects(c, 1),
        [
            (6, "valeur_achat", "invalid_amount", "3,5x"),
            (8, "client_id", "rejected_client", "C4")
        ]
    );
    assert_eq!(c.session_rule, SessionRule::Gap);
    let k = &p.report.kpis;
    assert_eq!((k.purchases, k.revenue_cents), (2, 11_240));
    let paris = p.dataset.customers.villes.label(p.dataset.customers.ville[0]);
    assert_eq!(paris, "Paris, 11e arrondissement");
}

/// A clients file in UTF-8 with rows appended from a Windows-1252 export: each row
/// reads as written, where reading the whole file as 1252 garbled the UTF-8 ones.
#[test]
fn utf8_with_rows_in_windows_1252_reads_each_row_right() {
    let mut clients = "client_id;âge;ville;segment;canal_acquisition\nC1;34;Sète;Premium;SEO\n"
        .as_bytes()
        .to_vec();
    clients.extend_from_slice(b"C2;28;Cr\xE9teil;Standard;E-mail\nC3;51;Orl\xE9ans;Basique;Social\n");
    let interactions = "interaction_id,client_id,type_action,valeur_achat,horodatage\n\
I1,C1,achat,12.50,2024-03-04T09:15:00\nI2,C3,page_vue,,2024-03-05T10:00:00\n";
    let p = usable(("clients.csv", &clients), ("interactions.csv", interactions.as_bytes()));
    assert_eq!(p.clean.clients.encoding, Encoding::Mixed);
    assert_eq!(p.clean.interactions.encoding, Encoding::Utf8);
    let c = &p.dataset.customers;
    let villes: Vec<&str> = (0..c.len()).map(|i| c.villes.label(c.ville[i])).collect();
    assert_eq!(villes, ["Sète", "Créteil", "Orléans"]);
    assert_eq!(rkr(&p.clean.clients), (3, 3, 0));
    assert_eq!(
        serde_json::to_value(p.clean.clients.encoding).unwrap(),
        "utf-8+windows-1252"
    );
}

/// The original demo's pair, the French Excel pair and its UTF-8 twin (formats
/// covered in detail by `tests/pipeline.rs`) account for every row.
#[test]
fn the_existing_format_fixtures_account_for_every_row() {
    let p = usable(DEMO_CLIENTS, DEMO_MERGED);
    assert_eq!(
        (rkr(&p.clean.clients), rkr(&p.clean.interactions)),
        ((12, 12, 0), (38, 36, 2))
    );
    let p = usable(
        ("clients.csv", include_bytes!("fixtures/excel_fr/clients.csv")),
        ("interactions.csv", include_bytes!("fixtures/excel_fr/interactions.csv")),
    );
    assert_eq!(p.clean.clients.encoding, Encoding::Windows1252);
    assert_eq!(
        (rkr(&p.clean.clients), rkr(&p.clean.interactions)),
        ((6, 4, 2), (13, 10, 3))
    );
    let p = usable(
        ("clients.csv", include_bytes!("fixtures/excel_utf8_bom/clients.csv")),
        (
            "interactions.csv",
            include_bytes!("fixtures/excel_utf8_bom/interactions.csv"),
        ),
    );
    assert_eq!(p.clean.clients.encoding, Encoding::Utf8);
    assert_eq!(
        (rkr(&p.clean.clients), rkr(&p.clean.interactions)),
        ((6, 4, 2), (13, 10, 3))
    );
}

#[test]
fn a_mapping_to_an_unknown_column_or_from_an_absent_cell_is_named() {
    let with = |cell: &str, target: &str| {
        let mut opts = CleanOptions::default();
        opts.mapping[0].insert(cell.to_string(), target.to_string());
        prepare(
            Source::Files {
                clients: DEMO_CLIENTS,
                interactions: DEMO_MERGED,
            },
            &opts,
            &mut |_, _| {},
        )
        .map(|_| ())
        .map_err(|e| e.to_string())
    };
    assert_eq!(
        with("age", "bogus").unwrap_err(),
        "clients.csv: mapping `age=bogus`: `bogus` is not a column the engine reads (one of: client_id, age, \
         ville, segment, canal_acquisition, code_postal, departement, date_inscription, consentement_marketing)"
    );
    let absent = with("nope", "age").unwrap_err();
    assert!(
        absent.starts_with("clients.csv: mapping `nope=age`: the header has no cell `nope` (the header is: client_id,"),
        "{absent}"
    );
    // A cell of the header, mapped to a column or ignored, is fine.
    assert_eq!(with("ville", ""), Ok(()));
}
