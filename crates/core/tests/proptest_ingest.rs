//! Whatever bytes arrive as either input file, reading and cleaning never panic,
//! and when cleaning succeeds every row is accounted for.

use numberly_core::clean::{clean, CleanOptions};
use numberly_core::generate::{generate, GenerateOptions};
use numberly_core::ingest::CsvFile;
use numberly_core::pipeline::{prepare, Source};
use proptest::prelude::*;
use std::sync::OnceLock;

/// A valid, slightly dirty pair of generated files: (clients, interactions).
fn valid() -> &'static (Vec<u8>, Vec<u8>) {
    static FILES: OnceLock<(Vec<u8>, Vec<u8>)> = OnceLock::new();
    FILES.get_or_init(|| {
        let raw = generate(&GenerateOptions {
            customers: 40,
            interactions: 300,
            dirty: 0.1,
            seed: 17,
            ..GenerateOptions::default()
        })
        .expect("generation works");
        (raw.clients_csv, raw.interactions_csv)
    })
}

/// The generator's default period, as cleaning options.
fn period() -> CleanOptions {
    let g = GenerateOptions::default();
    CleanOptions {
        from: Some(g.from),
        to: Some(g.to),
        ..CleanOptions::default()
    }
}

/// Opens and cleans; checks the accounting when cleaning succeeds. Returns whether it did.
fn check(clients: &[u8], interactions: &[u8], opts: &CleanOptions) -> Result<bool, TestCaseError> {
    let (Ok(c), Ok(i)) = (
        CsvFile::open("clients.csv", clients),
        CsvFile::open("interactions.csv", interactions),
    ) else {
        return Ok(false);
    };
    let Ok((ds, report)) = clean(&c, &i, opts) else {
        return Ok(false);
    };
    for (file, f) in [(0u8, &report.clients), (1u8, &report.interactions)] {
        prop_assert_eq!(f.read, f.kept + f.rejected, "{}: read = kept + rejected", &f.file);
        prop_assert_eq!(f.rejected, f.rejected_by_rule.values().sum::<u64>());
        let listed = report.rejects.iter().filter(|r| r.file == file).count() as u64;
        prop_assert_eq!(listed, f.rejected, "{}: one reject entry per rejected row", &f.file);
    }
    prop_assert_eq!(
        report.rejects.len() as u64,
        report.clients.rejected + report.interactions.rejected
    );
    prop_assert_eq!(ds.customers.len() as u64, report.clients.kept);
    prop_assert_eq!(ds.interactions.len() as u64, report.interactions.kept);
    for i in 0..ds.interactions.len() {
        prop_assert!((ds.interactions.customer[i] as usize) < ds.customers.len());
        prop_assert!((ds.interactions.session[i] as usize) < ds.interactions.session_ids.len());
    }
    Ok(true)
}

/// Runs the public entry point (clean, then metrics) on two files; when it succeeds,
/// checks that every row of each file is accounted for. Returns whether it did.
fn check_prepare(clients: &[u8], interactions: &[u8]) -> Result<bool, TestCaseError> {
    let source = Source::Files {
        clients: ("clients.csv", clients),
        interactions: ("interactions.csv", interactions),
    };
    let Ok(p) = prepare(source, &CleanOptions::default(), &mut |_, _| {}) else {
        return Ok(false);
    };
    let c = &p.clean;
    for f in [&c.clients, &c.interactions] {
        prop_assert_eq!(f.read, f.kept + f.rejected, "{}: read = kept + rejected", &f.file);
        prop_assert_eq!(f.rejected, f.rejected_by_rule.values().sum::<u64>());
    }
    prop_assert_eq!(c.rejects.len() as u64, c.clients.rejected + c.interactions.rejected);
    prop_assert_eq!(p.report.kpis.interactions, c.interactions.kept);
    prop_assert_eq!(p.report.kpis.customers, c.clients.kept);
    Ok(true)
}

/// Uses `bytes` as the clients file (with the valid interactions) or as the
/// interactions file (with the valid clients), with and without a period.
fn check_in_role(bytes: &[u8], as_clients: bool) -> Result<(), TestCaseError> {
    let (clients, interactions) = valid();
    for opts in [CleanOptions::default(), period()] {
        if as_clients {
            check(bytes, interactions, &opts)?;
        } else {
            check(clients, bytes, &opts)?;
        }
    }
    Ok(())
}

/// Bytes that look like CSV: separators, quotes, line breaks, digits, id and action
/// fragments, accents in UTF-8 and Windows-1252, and a few binary bytes.
fn csv_like() -> impl Strategy<Value = Vec<u8>> {
    let pieces: Vec<&'static [u8]> = vec![
        b",",
        b",",
        b",",
        b";",
        b"\t",
        b"\"",
        b"\n",
        b"\n",
        b"\r\n",
        b"\r",
        b" ",
        b"0",
        b"1",
        b"7",
        b"42",
        b"-",
        b".",
        b":",
        b"/",
        b"C_0001",
        b"C_0002",
        b"I_0001",
        b"S_0001",
        b"achat",
        b"page_vue",
        b"ajout_panier",
        b"12.50",
        b"12,50",
        b"2025-01-15T10:00:00",
        b"15/01/2025 10:00",
        b"Premium",
        b"SEO",
        b"oui",
        b"\xC3\xA9",
        b"\xE9",
        b"\xEF\xBB\xBF",
        b"\x00",
        b"\xFF",
        b"=1+1",
    ];
    prop::collection::vec(prop::sample::select(pieces), 0..200).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048), as_clients: bool) {
        check_in_role(&bytes, as_clients)?;
    }

    /// Arbitrary bytes as the interactions file, the clients file, or both, through `prepare`.
    #[test]
    fn prepare_on_random_bytes_never_panics(
        bytes in prop::collection::vec(any::<u8>(), 0..2048),
        other in prop::collection::vec(any::<u8>(), 0..512),
        role in 0..3u8,
    ) {
        let (clients, interactions) = valid();
        match role {
            0 => check_prepare(clients, &bytes)?,
            1 => check_prepare(&bytes, interactions)?,
            _ => check_prepare(&bytes, &other)?,
        };
    }

    /// CSV-like bodies under valid headers, through `prepare`: they always import.
    #[test]
    fn prepare_on_csv_like_bodies_accounts_for_every_row(body in csv_like(), as_clients: bool) {
        let (clients, interactions) = valid();
        let file = if as_clients { clients } else { interactions };
        let header_end = file.iter().position(|&c| c == b'\n').map_or(file.len(), |p| p + 1);
        let mut bytes = file[..header_end].to_vec();
        bytes.extend_from_slice(&body);
        let ok = if as_clients {
            check_prepare(&bytes, interactions)?
        } else {
            check_prepare(clients, &bytes)?
        };
        prop_assert!(ok || body.contains(&0), "a file with a valid header imports");
    }

    #[test]
    fn truncated_files_never_panic(from_clients: bool, as_clients: bool, cut in 0.0..=1.0f64) {
        let (clients, interactions) = valid();
        let file = if from_clients { clients } else { interactions };
        let end = ((file.len() as f64 * cut) as usize).min(file.len());
        check_in_role(&file[..end], as_clients)?;
    }

    #[test]
    fn valid_headers_with_csv_like_bodies_never_panic(body in csv_like(), as_clients: bool) {
        let (clients, interactions) = valid();
        let file = if as_clients { clients } else { interactions };
        let header_end = file.iter().position(|&c| c == b'\n').map_or(file.len(), |p| p + 1);
        let mut bytes = file[..header_end].to_vec();
        bytes.extend_from_slice(&body);
        // With a valid header, the required columns are there: cleaning must succeed
        // unless a NUL byte makes the file binary.
        let (c, i) = if as_clients { (&bytes, interactions) } else { (clients, &bytes) };
        let cleaned = check(c, i, &CleanOptions::default())?;
        prop_assert!(cleaned || body.contains(&0), "a file with a valid header cleans");
    }

    #[test]
    fn edited_files_never_panic(
        edits in prop::collection::vec((0.0..1.0f64, any::<u8>()), 1..12),
        as_clients: bool,
    ) {
        let (clients, interactions) = valid();
        let mut bytes = if as_clients { clients.clone() } else { interactions.clone() };
        let len = bytes.len();
        for (at, byte) in edits {
            bytes[((len as f64 * at) as usize).min(len - 1)] = byte;
        }
        check_in_role(&bytes, as_clients)?;
    }
}

#[test]
fn the_valid_pair_cleans_and_accounts_for_every_row() {
    let (clients, interactions) = valid();
    assert!(check(clients, interactions, &period()).unwrap());
    assert!(check(clients, interactions, &CleanOptions::default()).unwrap());
}

#[test]
fn a_row_cut_in_its_timestamp_is_read_and_rejected() {
    let raw = generate(&GenerateOptions {
        customers: 40,
        interactions: 300,
        seed: 17,
        ..GenerateOptions::default()
    })
    .unwrap();
    // `…THH:MM:SS\n` loses `:MM:SS\n`: the last row's timestamp is now `…THH`.
    let cut = &raw.interactions_csv[..raw.interactions_csv.len() - 7];
    let c = CsvFile::open("clients.csv", &raw.clients_csv).unwrap();
    let i = CsvFile::open("interactions.csv", cut).unwrap();
    let (ds, report) = clean(&c, &i, &period()).unwrap();
    assert_eq!((report.interactions.read, report.interactions.kept), (300, 299));
    let rejects: Vec<(u8, u64, &str)> = report.rejects.iter().map(|r| (r.file, r.line, r.rule)).collect();
    assert_eq!(rejects, [(1, 301, "invalid_date")]);
    assert_eq!(ds.interactions.len(), 299);
}

/// The same files with CRLF or CR alone as line ends give the same report.
#[test]
fn line_ends_do_not_change_the_report() {
    let (clients, interactions) = valid();
    let (c, i) = (
        CsvFile::open("clients.csv", clients).unwrap(),
        CsvFile::open("interactions.csv", interactions).unwrap(),
    );
    let (_, lf) = clean(&c, &i, &period()).unwrap();
    assert!(lf.interactions.rejected > 0, "the valid pair is a little dirty");
    for end in [&b"\r\n"[..], b"\r"] {
        let convert = |b: &[u8]| -> Vec<u8> {
            b.iter()
                .flat_map(|&x| if x == b'\n' { end.to_vec() } else { vec![x] })
                .collect()
        };
        let (cc, ii) = (convert(clients), convert(interactions));
        let (c, i) = (
            CsvFile::open("clients.csv", &cc).unwrap(),
            CsvFile::open("interactions.csv", &ii).unwrap(),
        );
        let (_, other) = clean(&c, &i, &period()).unwrap();
        assert_eq!(other.clients, lf.clients, "line end {end:?}");
        assert_eq!(other.interactions, lf.interactions, "line end {end:?}");
        assert_eq!(other.rejects, lf.rejects, "line end {end:?}");
    }
}
