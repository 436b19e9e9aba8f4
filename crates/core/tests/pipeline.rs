//! End-to-end tests of the library: generate (or read fixtures) → clean →
//! metrics → export, through the public API only.

use numberly_core::clean::CleanOptions;
use numberly_core::export::{export_to_memory, Output, FILES};
use numberly_core::generate::{generate, GenerateOptions};
use numberly_core::metrics::Filter;
use numberly_core::pipeline::{prepare, Prepared, Source};
use numberly_core::text::Encoding;
use std::collections::{BTreeMap, HashMap};

fn generated(opts: &GenerateOptions) -> Prepared {
    prepare(Source::Generate(opts.clone()), &CleanOptions::default(), &mut |_, _| {}).expect("generation runs")
}

fn from_files(clients: &[u8], interactions: &[u8], opts: &CleanOptions) -> Prepared {
    let source = Source::Files {
        clients: ("clients.csv", clients),
        interactions: ("interactions.csv", interactions),
    };
    prepare(source, opts, &mut |_, _| {}).expect("the files import")
}

/// Every output file: the export's records and the bytes by name.
fn export_all(p: &Prepared) -> (Vec<Output>, HashMap<String, Vec<u8>>) {
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&p.dataset, &p.clean);
    let input = p.export_input(&filter, &privacy);
    let (outputs, files) = export_to_memory(&input).expect("export succeeds");
    let names: Vec<&str> = files.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(names, FILES, "every file, in order");
    // Each digest is the SHA-256 of the file's bytes (the two row-level files are
    // hashed side by side, see `sha_pair`).
    for (o, (name, bytes)) in outputs.iter().zip(&files) {
        use sha2::Digest;
        let hex: String = sha2::Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!((&o.name, &o.sha256), (name, &hex));
    }
    (outputs, files.into_iter().collect())
}

fn text(files: &HashMap<String, Vec<u8>>, name: &str) -> String {
    String::from_utf8(files[name].clone()).expect("outputs are UTF-8")
}

/// The records of a CSV output, header included.
fn records(bytes: &[u8]) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(bytes)
        .records()
        .map(|r| r.expect("outputs are valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// The value of column `col` in the row whose first cell is `key`.
fn cell(bytes: &[u8], key: &str, col: &str) -> String {
    let rows = records(bytes);
    let c = rows[0]
        .iter()
        .position(|h| h == col)
        .unwrap_or_else(|| panic!("no column {col}"));
    let row = rows
        .iter()
        .find(|r| r[0] == key)
        .unwrap_or_else(|| panic!("no row {key}"));
    row[c].clone()
}

/// When no interaction is kept and no period is given, there is no period: the daily
/// series has no day and the manifest's period is null (they said 1970-01-01). With
/// one end given, the period is that day (the start was 1970-01-01).
#[test]
fn a_run_that_keeps_no_interaction_has_no_period_unless_given() {
    let clients = b"client_id,age,ville,segment,canal_acquisition\nC1,30,Paris,Premium,SEO\n";
    let orphans = b"interaction_id,client_id,type_action,valeur_achat,date\nI1,C9,achat,10,2024-01-01\n";
    let p = from_files(clients, orphans, &CleanOptions::default());
    assert_eq!((p.clean.interactions.read, p.clean.interactions.kept), (1, 0));
    assert!(!p.dataset.dated && !p.report.dated);
    assert!(p.report.daily.is_empty());
    let (_, files) = export_all(&p);
    assert_eq!(records(&files["daily.csv"]).len(), 1, "the header only");
    let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
    assert!(manifest["period"].is_null());
    assert_eq!(cell(&files["kpis.csv"], "interactions", "value"), "0");
    for (from, to) in [(None, Some((2024, 2, 1))), (Some((2024, 2, 1)), None)] {
        let day = |d: Option<(i32, u32, u32)>| d.map(|(y, m, d)| numberly_core::dates::days_from_civil(y, m, d));
        let opts = CleanOptions {
            from: day(from),
            to: day(to),
            ..CleanOptions::default()
        };
        let p = from_files(clients, orphans, &opts);
        assert!(p.report.dated);
        let (_, files) = export_all(&p);
        let manifest: serde_json::Value = serde_json::from_slice(&files["manifest.json"]).unwrap();
        assert_eq!(manifest["period"], serde_json::json!(["2024-02-01", "2024-02-01"]));
        assert_eq!(records(&files["daily.csv"]).len(), 2);
    }
}

/// Timestamps decades apart and a purchase of tens of millions of euros: the dataset
/// holds such columns 8 bytes a value (see `model::Ints`), and every figure stays exact.
#[test]
fn far_apart_dates_and_huge_amounts_keep_their_exact_values() {
    let clients =
        b"client_id,age,ville,segment,canal_acquisition\nC_1,40,Paris,Premium,SEO\nC_2,30,Lyon,Basique,Email\n";
    let interactions = b"interaction_id,client_id,type_action,valeur_achat,horodatage
I_1,C_1,page_vue,,2025-03-01T10:00:00
I_2,C_1,achat,30000000.25,2025-03-01T10:05:00
I_3,C_2,achat,12.34,1930-06-15T08:00:00
I_4,C_2,achat,0.01,2099-12-31T23:59:59
";
    let p = from_files(clients, interactions, &CleanOptions::default());
    assert_eq!(p.clean.interactions.kept, 4);
    let t = &p.dataset.interactions;
    // Both columns had to widen: the dates lie 95 years apart, the big amount 3·10⁹ cents past 0.
    assert!(matches!(t.ts, numberly_core::model::Ints::Wide(_)));
    assert!(matches!(t.amount, numberly_core::model::Ints::Wide(_)));
    let stamps = [
        "2025-03-01T10:00:00",
        "2025-03-01T10:05:00",
        "1930-06-15T08:00:00",
        "2099-12-31T23:59:59",
    ];
    let parsed: Vec<i64> = stamps
        .iter()
        .map(|s| numberly_core::dates::parse(s.as_bytes()).unwrap().ts)
        .collect();
    assert_eq!(t.ts.to_vec(), parsed);
    assert_eq!(t.amount.to_vec(), [0, 3_000_000_025, 1234, 1]);
    let (_, files) = export_all(&p);
    assert_eq!(cell(&files["kpis.csv"], "revenue", "value"), "30000012.60");
    let rows = records(&files["interactions.csv"]);
    let cells: Vec<(&str, &str)> = rows[1..].iter().map(|r| (r[4].as_str(), r[5].as_str())).collect();
    assert_eq!(
        cells,
        ["", "30000000.25", "12.34", "0.01"]
            .into_iter()
            .zip(stamps)
            .collect::<Vec<_>>()
    );
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn dirty_options(seed: u64) -> GenerateOptions {
    GenerateOptions {
        customers: 2_000,
        interactions: 20_000,
        dirty: 0.05,
        seed,
        ..GenerateOptions::default()
    }
}

#[test]
fn cleaning_finds_exactly_the_injected_defects() {
    let p = generated(&dirty_options(2024));
    let truth = p.truth.as_ref().expect("generated runs carry their ground truth");
    for (report, truth, name) in [
        (&p.clean.clients, &truth.clients, "clients"),
        (&p.clean.interactions, &truth.interactions, "interactions"),
    ] {
        assert_eq!(report.rejected_by_rule, truth.rejected, "{name}: rejected by rule");
        assert_eq!(report.corrected_by_rule, truth.corrected, "{name}: corrected by rule");
        assert_eq!(
            report.read,
            report.kept + report.rejected,
            "{name}: read = kept + rejected"
        );
        assert_eq!(report.rejected, truth.rejected.values().sum::<u64>(), "{name}");
    }
    // The test means something: at 5 % of 22,000 rows, every kind of defect shows up
    // (the two amount defects only on purchase rows, so only a few times).
    for rule in ["duplicate_row", "duplicate_id"] {
        assert!(
            truth.clients.rejected.get(rule).copied().unwrap_or(0) > 0,
            "clients {rule}"
        );
    }
    for rule in ["segment_spelling", "channel_spelling"] {
        assert!(
            truth.clients.corrected.get(rule).copied().unwrap_or(0) > 0,
            "clients {rule}"
        );
    }
    for rule in [
        "duplicate_row",
        "duplicate_id",
        "missing_client_id",
        "unknown_client",
        "invalid_date",
        "out_of_period",
        "invalid_amount",
        "non_positive_amount",
    ] {
        assert!(
            truth.interactions.rejected.get(rule).copied().unwrap_or(0) > 0,
            "interactions {rule}"
        );
    }
    for rule in ["action_spelling", "amount_on_non_purchase"] {
        assert!(
            truth.interactions.corrected.get(rule).copied().unwrap_or(0) > 0,
            "interactions {rule}"
        );
    }
    // Every customer is kept once; the interactions file has exactly the rows asked for.
    assert_eq!(p.clean.clients.kept, 2_000);
    assert_eq!(p.dataset.customers.len(), 2_000);
    assert_eq!(p.clean.interactions.read, 20_000);
    assert_eq!(p.dataset.interactions.len() as u64, p.clean.interactions.kept);
    assert_eq!(
        p.clean.rejects.len() as u64,
        p.clean.clients.rejected + p.clean.interactions.rejected
    );
}

/// Large enough to cross the engine's internal boundaries: the generator streams
/// interactions in blocks of 262,144 rows and a file is parsed in pieces of 32 MB,
/// so 900,000 dirty rows (about 51 MB) span four blocks and two pieces. Streaming
/// the generated data into the cleaner and reading the same bytes as uploaded files
/// must give the same report, the same rejects (lines included) and the same outputs.
#[test]
fn streamed_generation_and_the_same_bytes_as_files_agree() {
    let opts = GenerateOptions {
        customers: 40_000,
        interactions: 900_000,
        dirty: 0.05,
        seed: 31,
        ..GenerateOptions::default()
    };
    let streamed = generated(&opts);
    let raw = generate(&opts).unwrap();
    assert!(
        raw.interactions_csv.len() > 40 << 20,
        "{} bytes",
        raw.interactions_csv.len()
    );
    let truth = streamed.truth.as_ref().unwrap();
    assert_eq!(*truth, raw.truth, "both ways of generating inject the same defects");
    assert_eq!(
        streamed.clean.interactions.rejected_by_rule,
        truth.interactions.rejected
    );
    assert_eq!(
        streamed.clean.interactions.corrected_by_rule,
        truth.interactions.corrected
    );
    assert_eq!(streamed.clean.clients.rejected_by_rule, truth.clients.rejected);
    assert_eq!(streamed.clean.interactions.read, 900_000);

    let period = CleanOptions {
        from: Some(opts.from),
        to: Some(opts.to),
        ..CleanOptions::default()
    };
    let files = from_files(&raw.clients_csv, &raw.interactions_csv, &period);
    assert_eq!(files.clean.clients, streamed.clean.clients);
    assert_eq!(files.clean.interactions, streamed.clean.interactions);
    assert!(
        files.clean.rejects == streamed.clean.rejects,
        "the same rejects, in the same order"
    );
    assert_eq!(files.report, streamed.report);
    let (_, a) = export_all(&streamed);
    let (_, b) = export_all(&files);
    for name in FILES.iter().filter(|n| **n != "manifest.json") {
        assert!(a[*name] == b[*name], "{name} differs between the two paths");
    }
}

/// A file larger than one 32 MB parsing piece, ending with rows that repeat the
/// first data row (in the first piece): the duplicates are found and their line
/// numbers, counted across pieces, are exact.
#[test]
fn duplicates_are_found_across_pieces_of_a_large_file() {
    let opts = GenerateOptions {
        customers: 30_000,
        interactions: 700_000,
        seed: 4,
        ..GenerateOptions::default()
    };
    let raw = generate(&opts).unwrap();
    assert!(
        raw.interactions_csv.len() > 36 << 20,
        "{} bytes",
        raw.interactions_csv.len()
    );
    let mut interactions = raw.interactions_csv.clone();
    let first: Vec<u8> = interactions
        .split(|&c| c == b'\n')
        .nth(1)
        .expect("a first data row")
        .to_vec();
    let first_text = String::from_utf8(first.clone()).unwrap();
    let fields: Vec<&str> = first_text.split(',').collect();
    // interaction_id,client_id,session_id,type_action,valeur_achat,horodatage
    assert_eq!(fields.len(), 6, "{first_text}");
    interactions.extend_from_slice(&first);
    interactions.push(b'\n');
    let same_id = format!(
        "{},{},{},page_vue,,{}T23:00:00\n",
        fields[0],
        fields[1],
        fields[2],
        &fields[5][..10]
    );
    interactions.extend_from_slice(same_id.as_bytes());
    let period = CleanOptions {
        from: Some(opts.from),
        to: Some(opts.to),
        ..CleanOptions::default()
    };
    let p = from_files(&raw.clients_csv, &interactions, &period);
    let rejects: Vec<(u64, &str, &str)> = p
        .clean
        .rejects
        .iter()
        .map(|r| (r.line, r.rule, r.value.as_str()))
        .collect();
    assert_eq!(
        rejects,
        [
            (700_002, "duplicate_row", fields[0]),
            (700_003, "duplicate_id", fields[0])
        ]
    );
    assert_eq!(
        (p.clean.interactions.read, p.clean.interactions.kept),
        (700_002, 700_000)
    );
}

#[test]
fn same_seed_same_bytes_other_seed_other_bytes() {
    let digests = |seed| -> BTreeMap<String, String> {
        let (outputs, _) = export_all(&generated(&dirty_options(seed)));
        outputs.into_iter().map(|o| (o.name, o.sha256)).collect()
    };
    let a = digests(7);
    let b = digests(7);
    assert_eq!(a, b);
    assert_eq!(a.len(), FILES.len());
    assert!(a
        .values()
        .all(|h| h.len() == 64 && h.bytes().all(|c| c.is_ascii_hexdigit())));
    let c = digests(8);
    for name in ["clients.csv", "interactions.csv", "rejects.csv", "kpis.csv", "rfm.csv"] {
        assert_ne!(a[name], c[name], "{name} depends on the seed");
    }
}

#[test]
fn exported_data_reimports_to_the_same_metrics() {
    // 300,000 rows: more than one 262,144-row piece of the export's row-level files.
    let first = generated(&GenerateOptions {
        customers: 20_000,
        interactions: 300_000,
        ..dirty_options(99)
    });
    assert!(first.dataset.interactions.len() > 1 << 18);
    let (_, files) = export_all(&first);
    let opts = CleanOptions {
        from: Some(first.dataset.from),
        to: Some(first.dataset.to),
        ..CleanOptions::default()
    };
    let second = from_files(&files["clients.csv"], &files["interactions.csv"], &opts);
    // Clean data stays clean.
    assert_eq!(second.clean.clients.rejected + second.clean.interactions.rejected, 0);
    assert!(second.clean.clients.corrected_by_rule.is_empty());
    assert!(second.clean.interactions.corrected_by_rule.is_empty());
    assert_eq!(second.clean.clients.kept, first.clean.clients.kept);
    assert_eq!(second.clean.interactions.kept, first.clean.interactions.kept);
    assert_eq!(second.report, first.report);
    let (_, again) = export_all(&second);
    for name in [
        "kpis.csv",
        "by_channel.csv",
        "funnel.csv",
        "rfm.csv",
        "by_segment.csv",
        "age_bands.csv",
        "daily.csv",
        "rfm_segments.csv",
        "clients.csv",
        "interactions.csv",
        "donnees_marketing.csv",
    ] {
        assert!(files[name] == again[name], "{name} differs after a round trip");
    }
}

#[test]
fn excel_copies_of_the_exports_reimport_to_the_same_metrics() {
    let first = generated(&GenerateOptions {
        customers: 2_000,
        interactions: 20_000,
        ..dirty_options(7)
    });
    let (_, files) = export_all(&first);
    let excel = |name: &str| numberly_core::export::excel_fr(name, &files[name]).expect("an export converts");
    let (clients, interactions) = (excel("clients.csv"), excel("interactions.csv"));
    assert!(clients.starts_with(b"\xEF\xBB\xBFclient_id;"));
    // Amounts with a decimal comma.
    let decimal_comma = |c: &str| c.contains(',') && c.replace(',', "").bytes().all(|b| b.is_ascii_digit());
    assert!(String::from_utf8_lossy(&interactions)
        .lines()
        .skip(1)
        .any(|l| l.split(';').any(decimal_comma)));
    let opts = CleanOptions {
        from: Some(first.dataset.from),
        to: Some(first.dataset.to),
        ..CleanOptions::default()
    };
    let second = from_files(&clients, &interactions, &opts);
    assert_eq!(second.clean.clients.rejected + second.clean.interactions.rejected, 0);
    assert_eq!(second.report, first.report);
    let (_, again) = export_all(&second);
    assert!(files["kpis.csv"] == again["kpis.csv"]);
    // Postcodes written `="01000"` for Excel come back as `01000`.
    assert!(
        String::from_utf8_lossy(&clients).contains("\"=\"\"01"),
        "a code with a leading zero"
    );
    assert!(
        files["clients.csv"] == again["clients.csv"],
        "the customers' cells come back"
    );
    // Every aggregated file converts, and reads back (`;`, BOM) to the same cells with
    // a decimal point again, and true or false for French Excel's VRAI or FAUX.
    for name in ["kpis.csv", "by_channel.csv", "daily.csv", "rfm.csv", "rejects.csv"] {
        let copy = excel(name);
        let text = String::from_utf8(copy[3..].to_vec()).unwrap().replace("\r\n", "\n");
        let back: Vec<Vec<String>> = csv::ReaderBuilder::new()
            .has_headers(false)
            .delimiter(b';')
            .from_reader(text.as_bytes())
            .records()
            .map(|r| {
                r.unwrap()
                    .iter()
                    .map(|c| match c {
                        "VRAI" => "true".to_string(),
                        "FAUX" => "false".to_string(),
                        c => c.replacen(',', ".", 1),
                    })
                    .collect()
            })
            .collect();
        let original: Vec<Vec<String>> = records(&files[name])
            .into_iter()
            .map(|r| r.into_iter().map(|c| c.replacen(',', ".", 1)).collect())
            .collect();
        assert_eq!(back, original, "{name}");
    }
}

#[test]
fn a_customer_without_an_age_keeps_their_revenue_and_round_trips() {
    let clients = b"client_id,age,segment,canal_acquisition\nC1,,Premium,SEO\nC2,40,Standard,Email\n";
    let interactions =
        b"client_id,type_action,valeur_achat,date\nC1,achat,100,2025-01-02 10:00:00\nC2,achat,50,2025-01-02 11:00:00\n";
    let first = from_files(clients, interactions, &CleanOptions::default());
    assert_eq!((first.clean.clients.kept, first.clean.interactions.kept), (2, 2));
    assert_eq!(first.clean.clients.corrected_by_rule, counts(&[("missing_age", 1)]));
    assert_eq!(first.report.kpis.revenue_cents, 15_000);
    let (_, files) = export_all(&first);
    // The age is written empty, as it was read, and has a band of its own.
    assert_eq!(cell(&files["clients.csv"], "C1", "age"), "");
    assert_eq!(cell(&files["age_bands.csv"], "unknown", "revenue"), "100.00");
    assert_eq!(cell(&files["age_bands.csv"], "35-44", "revenue"), "50.00");
    let second = from_files(
        &files["clients.csv"],
        &files["interactions.csv"],
        &CleanOptions::default(),
    );
    assert_eq!(second.report, first.report);
}

#[test]
fn revenue_by_channel_and_segment_sums_to_the_total() {
    let p = generated(&dirty_options(5));
    let r = &p.report;
    assert!(r.kpis.revenue_cents > 0);
    assert_eq!(
        r.by_channel.iter().map(|g| g.revenue_cents).sum::<i64>(),
        r.kpis.revenue_cents
    );
    assert_eq!(
        r.by_segment.iter().map(|g| g.revenue_cents).sum::<i64>(),
        r.kpis.revenue_cents
    );
    assert_eq!(
        r.daily.iter().map(|d| d.revenue_cents).sum::<i64>(),
        r.kpis.revenue_cents
    );
    assert_eq!(
        r.rfm.segments.iter().map(|s| s.revenue_cents).sum::<i64>(),
        r.kpis.revenue_cents
    );
    // The same sum straight from the kept rows.
    let rows: i64 = p.dataset.interactions.amount.iter().sum();
    assert_eq!(rows, r.kpis.revenue_cents);
}

/// The fixture in the original Python demo's format: `clients.csv` and the merged
/// `donnees_marketing.csv` (no session column, `date` with a time, amounts on some
/// page views). By hand, from the files:
///
/// - clients: 12 rows, all kept;
/// - interactions: 38 rows; INT_0011 appears twice (line 13, exact copy) and
///   INT_0026 belongs to C_0013, who is not a customer (line 28): 36 kept;
///   3 page views carry an amount (9.99, 99.0, 15.9), dropped; `0` and `0.0` are not amounts.
/// - sessions (30-minute gap): C1 2, C2 2 (12:10 → 14:00), C3 1, C4 2 (21:29:59 →
///   21:59:59 is exactly 30 min), C5 1, C6 2, C7 2, C8 1, C10 1, C11 1, C12 1 = 16;
///   with a purchase: C1 ×2, C3, C4's second, C6's first, C7 ×2, C11, C12 = 9;
///   reaching cart: those 9 + C2's second + C10's = 11.
/// - revenue: 120.50 + 45.90 + 32.00 + 210.00 + 18.75 + 67.30 + 54.20 + 75.00 + 150.00 = 773.65
///   over 9 purchases (average 85.96); 7 buyers of 11 active customers (C_0009 is idle).
#[test]
fn the_original_demo_files_import() {
    let p = from_files(
        include_bytes!("fixtures/demo/clients.csv"),
        include_bytes!("fixtures/demo/donnees_marketing.csv"),
        &CleanOptions::default(),
    );
    let c = &p.clean;
    assert_eq!((c.clients.read, c.clients.kept, c.clients.rejected), (12, 12, 0));
    assert_eq!(
        (c.interactions.read, c.interactions.kept, c.interactions.rejected),
        (38, 36, 2)
    );
    assert_eq!(
        c.interactions.rejected_by_rule,
        counts(&[("duplicate_row", 1), ("unknown_client", 1)])
    );
    assert_eq!(
        c.interactions.corrected_by_rule,
        counts(&[("amount_on_non_purchase", 3)])
    );
    let lines: Vec<(u64, &str, &str)> = c.rejects.iter().map(|r| (r.line, r.rule, r.value.as_str())).collect();
    assert_eq!(
        lines,
        [(13, "duplicate_row", "INT_0011"), (28, "unknown_client", "C_0013")]
    );
    assert_eq!(c.session_rule, numberly_core::clean::SessionRule::Gap);
    assert_eq!(
        (p.report.from, p.report.to),
        (
            numberly_core::dates::days_from_civil(2024, 3, 1),
            numberly_core::dates::days_from_civil(2024, 3, 31)
        )
    );
    let (_, files) = export_all(&p);
    assert_eq!(
        text(&files, "kpis.csv"),
        "metric,value,suppressed
customers,12,false
active_customers,11,false
buyers,7,false
interactions,36,false
sessions,16,false
purchases,9,false
revenue,773.65,false
average_basket,85.96,false
customer_conversion,0.636364,false
session_conversion,0.562500,false
interaction_conversion,0.250000,false
"
    );
    // The demo has no consent column: the export does not make up a "no".
    assert!(!p.dataset.customers.consent_known);
    let consent: Vec<String> = records(&files["clients.csv"])
        .iter()
        .skip(1)
        .map(|r| r[8].clone())
        .collect();
    assert_eq!(consent, vec![String::new(); 12]);
    // Read back, an empty consent column still says nothing.
    let again = from_files(
        &files["clients.csv"],
        &files["interactions.csv"],
        &CleanOptions::default(),
    );
    assert!(!again.dataset.customers.consent_known);
    let f = &p.report.funnel[0];
    assert_eq!(
        (f.label.as_str(), f.sessions_view, f.sessions_cart, f.sessions_purchase),
        ("all", 16, 11, 9)
    );
    // SEO: C1, C5, C10, C12 (12 rows; 120.50 + 45.90 + 150.00); Social: C2, C6, C8 (9 rows;
    // 18.75); Email: C3, C7, C11 (12 rows; 4 purchases); Direct: C4, C9 (3 rows; 210.00).
    let by_channel: Vec<(&str, u64, u64, u64, u64, i64)> = p
        .report
        .by_channel
        .iter()
        .map(|g| {
            (
                g.label.as_str(),
                g.customers,
                g.active_customers,
                g.buyers,
                g.interactions,
                g.revenue_cents,
            )
        })
        .collect();
    assert_eq!(
        by_channel,
        [
            ("SEO", 4, 4, 2, 12, 31_640),
            ("Social", 3, 3, 1, 9, 1_875),
            ("Email", 3, 3, 3, 12, 22_850),
            ("Direct", 2, 1, 1, 3, 21_000),
        ]
    );
    // The commune with an accent survives, in UTF-8.
    assert_eq!(cell(&files["clients.csv"], "C_0012", "ville"), "Saint-Étienne");
    // The page view's 15.9 is gone from the outputs.
    assert_eq!(cell(&files["interactions.csv"], "INT_0031", "valeur_achat"), "");
    assert_eq!(cell(&files["interactions.csv"], "INT_0030", "valeur_achat"), "45.90");
}

/// French Excel: `;`, decimal comma, `dd/mm/yyyy HH:MM`, Windows-1252, CRLF, an
/// accented header (`âge`) and a non-breaking space as thousands separator. By hand:
///
/// - clients: 6 rows; C005 (age `abc`) and C006 (consent `peut-être`) rejected; `E-mail`
///   and `basique` corrected: 4 kept.
/// - interactions: 13 rows; E10 (C005, rejected), E12 (31/02) and E13 (-5,00) rejected;
///   `Achat` corrected: 10 kept.
/// - sessions: C001 1, C002 1, C003 2 (10:00 → 10:45), C004 1 = 5, all but C003's first
///   with a purchase: 12,50 + 1 234,56 + 7,5 + 19,99 = 1274.55 over 4 purchases.
#[test]
fn french_excel_files_import() {
    let p = from_files(
        include_bytes!("fixtures/excel_fr/clients.csv"),
        include_bytes!("fixtures/excel_fr/interactions.csv"),
        &CleanOptions::default(),
    );
    let c = &p.clean;
    for f in [&c.clients, &c.interactions] {
        assert_eq!(
            (f.encoding, f.separator.as_str()),
            (Encoding::Windows1252, ";"),
            "{}",
            f.file
        );
    }
    assert_eq!((c.clients.read, c.clients.kept, c.clients.rejected), (6, 4, 2));
    assert_eq!(
        c.clients.corrected_by_rule,
        counts(&[("channel_spelling", 1), ("segment_spelling", 1)])
    );
    assert_eq!(
        (c.interactions.read, c.interactions.kept, c.interactions.rejected),
        (13, 10, 3)
    );
    assert_eq!(c.interactions.corrected_by_rule, counts(&[("action_spelling", 1)]));
    let rejects: Vec<(u8, u64, &str, &str)> = c
        .rejects
        .iter()
        .map(|r| (r.file, r.line, r.rule, r.value.as_str()))
        .collect();
    assert_eq!(
        rejects,
        [
            (0, 6, "invalid_age", "abc"),
            (0, 7, "invalid_consent", "peut-être"),
            (1, 11, "rejected_client", "C005"),
            (1, 13, "invalid_date", "31/02/2024 10:00"),
            (1, 14, "non_positive_amount", "-5,00"),
        ]
    );
    let (_, files) = export_all(&p);
    assert_eq!(
        text(&files, "kpis.csv"),
        "metric,value,suppressed
customers,4,false
active_customers,4,false
buyers,4,false
interactions,10,false
sessions,5,false
purchases,4,false
revenue,1274.55,false
average_basket,318.64,false
customer_conversion,1.000000,false
session_conversion,0.800000,false
interaction_conversion,0.400000,false
"
    );
    let clients = &files["clients.csv"];
    assert_eq!(cell(clients, "C001", "ville"), "Béziers");
    assert_eq!(cell(clients, "C002", "ville"), "Créteil");
    assert_eq!(cell(clients, "C003", "ville"), "Besançon");
    assert_eq!(cell(clients, "C001", "age"), "34");
    assert_eq!(cell(clients, "C002", "canal_acquisition"), "Email");
    assert_eq!(cell(clients, "C003", "segment"), "Basique");
    assert_eq!(cell(clients, "C001", "date_inscription"), "2024-01-15");
    assert_eq!(cell(clients, "C003", "consentement_marketing"), "true");
    let interactions = &files["interactions.csv"];
    assert_eq!(cell(interactions, "E05", "valeur_achat"), "1234.56");
    assert_eq!(cell(interactions, "E08", "valeur_achat"), "7.50");
    assert_eq!(cell(interactions, "E05", "horodatage"), "2024-03-05T14:10:00");
    assert_eq!(cell(interactions, "E11", "type_action"), "achat");
}

#[test]
fn excel_utf8_with_a_bom_reads_like_windows_1252() {
    let bom = from_files(
        include_bytes!("fixtures/excel_utf8_bom/clients.csv"),
        include_bytes!("fixtures/excel_utf8_bom/interactions.csv"),
        &CleanOptions::default(),
    );
    assert!(include_bytes!("fixtures/excel_utf8_bom/clients.csv").starts_with(b"\xEF\xBB\xBFclient_id;"));
    for f in [&bom.clean.clients, &bom.clean.interactions] {
        assert_eq!((f.encoding, f.separator.as_str()), (Encoding::Utf8, ";"), "{}", f.file);
    }
    let cp1252 = from_files(
        include_bytes!("fixtures/excel_fr/clients.csv"),
        include_bytes!("fixtures/excel_fr/interactions.csv"),
        &CleanOptions::default(),
    );
    let (_, a) = export_all(&bom);
    let (_, b) = export_all(&cp1252);
    for name in FILES.iter().filter(|n| **n != "manifest.json") {
        assert!(a[*name] == b[*name], "{name} differs between the two encodings");
    }
    assert_eq!(bom.clean.rejects, cp1252.clean.rejects);
}

/// Cells that a spreadsheet would run as formulas (a plain number, `-5`, it reads as one).
fn is_formula_like(cell: &str) -> bool {
    matches!(cell.as_bytes().first(), Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r'))
        && !numberly_core::text::plain_number(cell.as_bytes())
}

#[test]
fn formula_like_text_is_defused_in_every_export() {
    let clients = "client_id,age,ville,segment,canal_acquisition
C_0001,30,\"=HYPERLINK(\"\"http://evil.example\"\",\"\"clic\"\")\",+cmd,SEO
C_0002,40,@SUM(A1),Premium,@evil
=1+1,50,Paris,Premium,SEO
";
    let interactions = "interaction_id,client_id,session_id,type_action,valeur_achat,horodatage
I_1,C_0001,S_1,page_vue,,2025-01-10T10:00:00
I_2,C_0001,S_1,achat,10.00,2025-01-10T10:05:00
I_3,C_0002,+S2,page_vue,,2025-01-10T11:00:00
I_4,=1+1,-S3,achat,5.00,2025-01-10T12:00:00
-I_5,C_0002,+S2,ajout_panier,,2025-01-10T11:01:00
";
    let p = from_files(clients.as_bytes(), interactions.as_bytes(), &CleanOptions::default());
    assert_eq!((p.clean.clients.kept, p.clean.interactions.kept), (3, 5));
    let (_, files) = export_all(&p);
    for name in FILES.iter().filter(|n| n.ends_with(".csv")) {
        for (i, row) in records(&files[*name]).iter().enumerate() {
            for c in row {
                assert!(!is_formula_like(c), "{name} row {i}: {c:?} would run as a formula");
            }
        }
    }
    let clients = &files["clients.csv"];
    assert_eq!(
        cell(clients, "C_0001", "ville"),
        "'=HYPERLINK(\"http://evil.example\",\"clic\")"
    );
    assert_eq!(cell(clients, "C_0001", "segment"), "'+cmd");
    assert_eq!(cell(clients, "C_0002", "ville"), "'@SUM(A1)");
    assert_eq!(cell(clients, "C_0002", "canal_acquisition"), "'@evil");
    assert_eq!(cell(clients, "'=1+1", "ville"), "Paris");
    assert_eq!(cell(&files["by_segment.csv"], "'+cmd", "revenue"), "10.00");
    assert_eq!(cell(&files["by_channel.csv"], "'@evil", "customers"), "1");
    assert_eq!(cell(&files["funnel.csv"], "'@evil", "sessions_view"), "1");
    assert_eq!(cell(&files["rfm.csv"], "'=1+1", "monetary"), "5.00");
    let interactions = &files["interactions.csv"];
    assert_eq!(cell(interactions, "I_4", "client_id"), "'=1+1");
    assert_eq!(cell(interactions, "I_4", "session_id"), "'-S3");
    assert_eq!(cell(interactions, "'-I_5", "session_id"), "'+S2");
    let merged = &files["donnees_marketing.csv"];
    assert_eq!(
        cell(merged, "I_1", "ville"),
        "'=HYPERLINK(\"http://evil.example\",\"clic\")"
    );
    assert_eq!(cell(merged, "I_3", "canal_acquisition"), "'@evil");
}

#[test]
fn ids_of_one_shape_that_need_quoting_or_defusing_get_it() {
    // Every id of a column is the same text and a number, the shape the engine stores
    // as a prefix and numbers: a prefix that would run as a formula or break the row
    // must not be written as it is.
    let cases = [
        (
            "=C1,30,Lyon,Premium,SEO\n=C2,40,Paris,Standard,Email\n",
            "=cmd1,=C1,+S1,page_vue,,2025-01-10T10:00:00\n=cmd2,=C1,+S1,achat,10.00,2025-01-10T10:05:00\n\
=cmd3,=C2,+S2,page_vue,,2025-01-10T11:00:00\n",
            [("'=cmd1", "client_id", "'=C1"), ("'=cmd3", "session_id", "'+S2")],
        ),
        (
            "\"C,1\",30,Lyon,Premium,SEO\n\"C,2\",40,Paris,Standard,Email\n",
            "\"I\n1\",\"C,1\",\"S\"\"1\",page_vue,,2025-01-10T10:00:00\n\"I\n2\",\"C,1\",\"S\"\"1\",achat,10.00,2025-01-10T10:05:00\n\
\"I\n3\",\"C,2\",\"S\"\"2\",page_vue,,2025-01-10T11:00:00\n",
            [("I\n1", "client_id", "C,1"), ("I\n3", "session_id", "S\"2")],
        ),
    ];
    for (clients, interactions, expected) in cases {
        let clients = format!("client_id,age,ville,segment,canal_acquisition\n{clients}");
        let interactions =
            format!("interaction_id,client_id,session_id,type_action,valeur_achat,horodatage\n{interactions}");
        let p = from_files(clients.as_bytes(), interactions.as_bytes(), &CleanOptions::default());
        assert_eq!((p.clean.clients.kept, p.clean.interactions.kept), (2, 3), "{clients}");
        let (_, files) = export_all(&p);
        for name in FILES.iter().filter(|n| n.ends_with(".csv")) {
            let rows = records(&files[*name]);
            for (i, row) in rows.iter().enumerate() {
                assert_eq!(row.len(), rows[0].len(), "{name} row {i}: {row:?}");
                for c in row {
                    assert!(!is_formula_like(c), "{name} row {i}: {c:?} would run as a formula");
                }
            }
        }
        for (key, col, value) in expected {
            assert_eq!(
                cell(&files["interactions.csv"], key, col),
                value,
                "interactions.csv {key}"
            );
            assert_eq!(
                cell(&files["donnees_marketing.csv"], key, col),
                value,
                "donnees_marketing.csv {key}"
            );
        }
        let first = records(&files["rfm.csv"])[1][0].clone();
        assert!(first == "'=C1" || first == "C,1", "rfm.csv: {first:?}");
        assert_eq!(cell(&files["clients.csv"], &first, "ville"), "Lyon");
    }
}

/// The emails of a generated raw clients file (its last column).
fn emails(raw_clients: &[u8]) -> Vec<String> {
    let rows = records(raw_clients);
    assert_eq!(
        rows[0][9..],
        ["prenom", "nom", "email"],
        "the raw file has direct identifiers"
    );
    rows[1..].iter().map(|r| r[11].clone()).collect()
}

/// Fails if any output carries an email or a direct-identifier column.
fn assert_no_direct_identifiers(files: &HashMap<String, Vec<u8>>, emails: &[String]) {
    for (name, bytes) in files {
        assert!(!bytes.contains(&b'@'), "{name} contains an `@`");
        let text = String::from_utf8_lossy(bytes);
        for e in emails {
            assert!(!text.contains(e.as_str()), "{name} contains the email {e}");
        }
        if name.ends_with(".csv") {
            let header = &records(bytes)[0];
            for id in ["prenom", "nom", "email"] {
                assert!(!header.iter().any(|h| h == id), "{name} has a `{id}` column");
            }
        }
    }
}

#[test]
fn direct_identifiers_never_reach_an_export() {
    let opts = GenerateOptions {
        customers: 500,
        interactions: 4_000,
        dirty: 0.1,
        seed: 3,
        ..GenerateOptions::default()
    };
    let raw = generate(&opts).unwrap();
    let emails = emails(&raw.clients_csv);
    assert_eq!(
        emails.len() as u64,
        raw.clients_csv.iter().filter(|&&c| c == b'\n').count() as u64 - 1
    );
    assert!(emails.iter().all(|e| e.contains('@')));
    // Generated in the pipeline, and uploaded as files.
    let (_, files) = export_all(&generated(&opts));
    assert_no_direct_identifiers(&files, &emails);
    let p = from_files(&raw.clients_csv, &raw.interactions_csv, &CleanOptions::default());
    assert!(p.clean.clients.rejected > 0, "dirty rows are rejected");
    let (_, files) = export_all(&p);
    assert_no_direct_identifiers(&files, &emails);
}

#[test]
// Regression: a malformed clients row used to be copied whole (email included) into rejects.csv.
fn direct_identifiers_stay_out_of_rejects_even_for_malformed_rows() {
    let opts = GenerateOptions {
        customers: 50,
        interactions: 300,
        seed: 3,
        ..GenerateOptions::default()
    };
    let raw = generate(&opts).unwrap();
    let emails = emails(&raw.clients_csv);
    // One stray field at the end of the third customer's row (e.g. an unquoted comma).
    let mut lines: Vec<Vec<u8>> = raw.clients_csv.split(|&c| c == b'\n').map(<[u8]>::to_vec).collect();
    lines[3].extend_from_slice(b",x");
    let clients = lines.join(&b'\n');
    let p = from_files(&clients, &raw.interactions_csv, &CleanOptions::default());
    assert_eq!(p.clean.clients.rejected_by_rule, counts(&[("wrong_field_count", 1)]));
    let (_, files) = export_all(&p);
    assert_no_direct_identifiers(&files, &emails);
}

/// The generator's funnel comes back out of the clean data: per (segment, channel),
/// the share of sessions that reach the cart (a cart or a purchase row) and the share
/// of those that buy are within 4 standard errors, `sqrt(p(1 - p) / n)`, of the
/// configured rates. With a fixed seed the test is exact; 4 SE leaves a chance of a
/// false alarm of about 6e-5 per rate had the seed been drawn at random. The last
/// session of the log, and sessions running past midnight on the period's last day,
/// can be cut short: a handful of the ~260,000 sessions, negligible.
#[test]
fn recovered_funnel_rates_match_the_configured_ones() {
    let opts = GenerateOptions {
        customers: 50_000,
        interactions: 600_000,
        seed: 11,
        ..GenerateOptions::default()
    };
    let p = generated(&opts);
    let ds = &p.dataset;
    let t = &ds.interactions;
    let c = &ds.customers;
    // Per session: (segment, channel) of its customer, reached cart, purchased.
    let mut sessions: Vec<Option<(u32, u32, bool, bool)>> = vec![None; t.session_ids.len()];
    for i in 0..t.len() {
        let cust = t.customer[i] as usize;
        let s = sessions[t.session[i] as usize].get_or_insert((c.segment[cust], c.channel[cust], false, false));
        assert_eq!(
            (s.0, s.1),
            (c.segment[cust], c.channel[cust]),
            "a session has one customer"
        );
        s.2 |= t.action[i] >= 1;
        s.3 |= t.action[i] == 2;
    }
    // (sessions, reaching cart, purchasing) per cell.
    let mut cells: BTreeMap<(u32, u32), (u64, u64, u64)> = BTreeMap::new();
    for (seg, ch, cart, buy) in sessions.into_iter().flatten() {
        let e = cells.entry((seg, ch)).or_default();
        e.0 += 1;
        e.1 += cart as u64;
        e.2 += buy as u64;
    }
    let index = |label: &str, names: Vec<&str>| names.iter().position(|n| *n == label).expect("a known label");
    let within = |observed: u64, n: u64, p: f64| -> (f64, f64) {
        let rate = observed as f64 / n as f64;
        let se = (p * (1.0 - p) / n as f64).sqrt();
        (rate, (rate - p).abs() / se)
    };
    let mut checked = 0;
    for (&(seg, ch), &(n, carts, buys)) in &cells {
        if n < 500 {
            continue;
        }
        let s = index(
            c.segments.label(seg),
            opts.segments.iter().map(|s| s.name.as_str()).collect(),
        );
        let k = index(
            c.channels.label(ch),
            opts.channels.iter().map(|c| c.name.as_str()).collect(),
        );
        let (cart_rate, z) = within(carts, n, opts.cart_rate(s, k));
        assert!(
            z <= 4.0,
            "{} × {}: cart rate {cart_rate:.4} over {n} sessions, configured {:.4} ({z:.1} SE)",
            c.segments.label(seg),
            c.channels.label(ch),
            opts.cart_rate(s, k)
        );
        let (buy_rate, z) = within(buys, carts, opts.purchase_rate(s, k));
        assert!(
            z <= 4.0,
            "{} × {}: purchase rate {buy_rate:.4} over {carts} carts, configured {:.4} ({z:.1} SE)",
            c.segments.label(seg),
            c.channels.label(ch),
            opts.purchase_rate(s, k)
        );
        checked += 1;
    }
    assert_eq!(checked, 12, "every segment × channel cell is large enough to check");
}

/// The interactions file read piece by piece (as the browser reads a large file)
/// gives the same outputs as the file read whole, whatever the piece size.
#[test]
fn streamed_files_give_the_same_bytes_as_whole_files() {
    let dirty = numberly_core::generate::generate(&dirty_options(3)).expect("generates");
    let fixture = |dir: &str, c: &str, i: &str| {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures")
            .join(dir);
        (std::fs::read(dir.join(c)).unwrap(), std::fs::read(dir.join(i)).unwrap())
    };
    let cases = [
        ("generated", (dirty.clients_csv.clone(), dirty.interactions_csv.clone())),
        ("demo", fixture("demo", "clients.csv", "donnees_marketing.csv")),
        ("excel_fr", fixture("excel_fr", "clients.csv", "interactions.csv")),
        (
            "excel_utf8_bom",
            fixture("excel_utf8_bom", "clients.csv", "interactions.csv"),
        ),
        // Timestamps under `time`, which its first row tells: the head says so too.
        (
            "timestamps_under_time",
            (
                b"client_id,age,segment,canal_acquisition\nC1,30,Premium,SEO\nC2,40,Basique,Email\n".to_vec(),
                b"client_id,type_action,valeur_achat,time\nC1,achat,12.50,2025-01-02 10:00:00\n\
C2,page_vue,,2025-01-03 11:00:00\nC2,achat,8,2025-01-03 11:05:00\n"
                    .to_vec(),
            ),
        ),
    ];
    for (name, (clients, interactions)) in &cases {
        let whole = from_files(clients, interactions, &CleanOptions::default());
        let (_, expected) = export_all(&whole);
        for piece_bytes in [97u64, 4096, 1 << 20] {
            let (head, body) =
                numberly_core::ingest::Streamed::open("interactions.csv", &interactions[..], piece_bytes).unwrap();
            let source = Source::Stream {
                clients: ("clients.csv", clients),
                head: &head,
                body: &body,
            };
            let p = prepare(source, &CleanOptions::default(), &mut |_, _| {}).expect("imports");
            assert!(body.error().is_none());
            let (_, got) = export_all(&p);
            for (file, bytes) in &expected {
                if file != "manifest.json" {
                    assert!(got[file] == *bytes, "{name}, pieces of {piece_bytes}: {file} differs");
                }
            }
        }
    }
}

/// A writer that hands its bytes to a shared list when dropped, in the order files are written.
struct Collect<'s>(String, Vec<u8>, &'s std::sync::Mutex<Vec<(String, Vec<u8>)>>);

impl numberly_core::export::Sink for Collect<'_> {}

impl std::io::Write for Collect<'_> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        self.1.extend_from_slice(b);
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Drop for Collect<'_> {
    fn drop(&mut self) {
        let file = (std::mem::take(&mut self.0), std::mem::take(&mut self.1));
        self.2.lock().unwrap().push(file);
    }
}

#[test]
fn deferred_digests_write_those_files_first_and_leave_their_digest_to_the_caller() {
    // The browser's digest worker hashes the merged file while the engine writes the rest.
    use numberly_core::export::{export_data, manifest, Digests};
    let p = generated(&GenerateOptions {
        customers: 500,
        interactions: 4_000,
        dirty: 0.05,
        ..GenerateOptions::default()
    });
    let (inline, files) = export_all(&p);
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&p.dataset, &p.clean);
    let input = p.export_input(&filter, &privacy);
    let written = std::sync::Mutex::new(Vec::new());
    let mut outputs = export_data(
        &input,
        &|name| Ok(Collect(name.to_string(), Vec::new(), &written)),
        &mut |_| {},
        Digests::Deferred(&["donnees_marketing.csv"]),
    )
    .expect("export succeeds");
    let written = written.into_inner().unwrap();
    assert_eq!(written[0].0, "donnees_marketing.csv", "the deferred file comes first");
    let names: Vec<&str> = outputs.iter().map(|o| o.name.as_str()).collect();
    assert_eq!(names, FILES[..FILES.len() - 1], "outputs in file order");
    for (o, i) in outputs.iter().zip(&inline) {
        if o.name == "donnees_marketing.csv" {
            assert_eq!(o.sha256, "", "left to the caller");
        } else {
            assert_eq!(o, i, "{} as the inline export has it", o.name);
        }
    }
    for (name, bytes) in &written {
        assert_eq!(bytes, &files[name], "{name}: same bytes");
    }
    // With the caller's digest filled in, the manifest is the inline export's.
    outputs[2].sha256 = inline[2].sha256.clone();
    assert_eq!(manifest(&input, &outputs).unwrap(), files["manifest.json"]);
}

/// A writer that refuses its bytes (a full disk, say).
struct Refuses;

impl numberly_core::export::Sink for Refuses {}

impl std::io::Write for Refuses {
    fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
        Err(std::io::Error::other("no space left"))
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[test]
fn a_failed_write_names_its_file() {
    let p = generated(&GenerateOptions {
        customers: 300,
        interactions: 2_000,
        ..Default::default()
    });
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&p.dataset, &p.clean);
    let input = p.export_input(&filter, &privacy);
    for bad in ["interactions.csv", "donnees_marketing.csv", "rfm.csv"] {
        let open = |name: &str| -> std::io::Result<Box<dyn std::io::Write + Send>> {
            Ok(if name == bad {
                Box::new(Refuses)
            } else {
                Box::new(std::io::sink())
            })
        };
        let err = numberly_core::export::export(&input, &open, &mut |_| {}).expect_err("the write fails");
        let message = err.to_string();
        assert!(message.starts_with(&format!("{bad}: ")), "{message}");
    }
}

#[test]
fn metrics_computed_while_exporting_give_the_same_metrics_and_files() {
    // The CLI computes the metrics while the files that need none are written.
    use numberly_core::export::export_with_metrics;
    use numberly_core::pipeline::cleaned;
    let opts = GenerateOptions {
        customers: 600,
        interactions: 5_000,
        dirty: 0.05,
        ..GenerateOptions::default()
    };
    let p = generated(&opts);
    let (outputs, files) = export_all(&p);
    let run = cleaned(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {}).expect("generation runs");
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&run.dataset, &run.clean);
    let written = std::sync::Mutex::new(Vec::new());
    let mut fractions = Vec::new();
    let (report, alongside) = export_with_metrics(
        &run.export_input(&filter, &privacy),
        || numberly_core::metrics::compute(&run.dataset, &filter),
        &|name| Ok(Collect(name.to_string(), Vec::new(), &written)),
        &mut |f| fractions.push(f),
    )
    .expect("export succeeds");
    assert_eq!(report, p.report, "the same metrics");
    assert_eq!(alongside, outputs, "the same records, in file order");
    let written = written.into_inner().unwrap();
    // Collected as each writer is dropped. The row-level files are written on one
    // thread; on the other, clients.csv and then the files of metrics, in file order
    // (the two threads' files interleave in any order); the manifest comes last.
    let row_files = ["interactions.csv", "donnees_marketing.csv"];
    let others: Vec<&str> = written
        .iter()
        .map(|(n, _)| n.as_str())
        .filter(|n| !row_files.contains(n))
        .collect();
    let expected: Vec<&str> = FILES.iter().copied().filter(|n| !row_files.contains(n)).collect();
    assert_eq!(others, expected, "clients.csv, the files of metrics, the manifest");
    assert_eq!(written.len(), FILES.len());
    for (name, bytes) in &written {
        assert_eq!(bytes, &files[name], "{name}: same bytes");
    }
    assert!(
        fractions.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {fractions:?}"
    );
    assert_eq!((fractions.first(), fractions.last()), (Some(&0.0), Some(&1.0)));
}

#[test]
fn a_failed_write_while_computing_the_metrics_names_its_file() {
    use numberly_core::export::export_with_metrics;
    use numberly_core::pipeline::cleaned;
    let opts = GenerateOptions {
        customers: 300,
        interactions: 2_000,
        ..Default::default()
    };
    let run = cleaned(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {}).expect("generation runs");
    let filter = Filter::default();
    let privacy = numberly_core::privacy::Privacy::off(&run.dataset, &run.clean);
    // (failing files, the one the error names): of two failed writes, one on each
    // thread, the error names the file that comes first in FILES.
    let cases: [(&[&str], &str); 7] = [
        (&["clients.csv"], "clients.csv"),
        (&["donnees_marketing.csv"], "donnees_marketing.csv"),
        (&["rfm.csv"], "rfm.csv"),
        (&["manifest.json"], "manifest.json"),
        (&["rfm.csv", "interactions.csv"], "interactions.csv"),
        (&["donnees_marketing.csv", "clients.csv"], "clients.csv"),
        (&["kpis.csv", "donnees_marketing.csv"], "donnees_marketing.csv"),
    ];
    for (failing, bad) in cases {
        let open = |name: &str| -> std::io::Result<Box<dyn std::io::Write + Send>> {
            Ok(if failing.contains(&name) {
                Box::new(Refuses)
            } else {
                Box::new(std::io::sink())
            })
        };
        let err = export_with_metrics(
            &run.export_input(&filter, &privacy),
            || numberly_core::metrics::compute(&run.dataset, &filter),
            &open,
            &mut |_| {},
        )
        .expect_err("the write fails");
        let message = err.to_string();
        assert!(message.starts_with(&format!("{bad}: ")), "{failing:?}: {message}");
    }
}

#[test]
fn the_manifest_writes_the_selection_by_date_and_name() {
    let p = generated(&GenerateOptions {
        customers: 200,
        interactions: 1_000,
        ..GenerateOptions::default()
    });
    let labels = p.dataset.customers.channels.labels().to_vec();
    let email = labels.iter().position(|l| l == "Email").expect("an Email channel") as u32;
    let filter = Filter {
        from: Some(numberly_core::dates::days_from_civil(2025, 2, 1)),
        to: None,
        channels: Some(vec![email]),
        segments: None,
    };
    let privacy = numberly_core::privacy::Privacy::off(&p.dataset, &p.clean);
    let (_, files) = export_to_memory(&p.export_input(&filter, &privacy)).expect("export succeeds");
    let manifest = files.iter().find(|(n, _)| n == "manifest.json").expect("a manifest");
    let m: serde_json::Value = serde_json::from_slice(&manifest.1).expect("JSON");
    assert_eq!(
        m["filter"],
        serde_json::json!({"from": "2025-02-01", "to": null, "channels": ["Email"], "segments": null})
    );
}
