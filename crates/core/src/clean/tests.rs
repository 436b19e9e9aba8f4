//! Unit tests of the validation rules, on small inline files: each reject rule,
//! each correction, the order in which rules are tried, line numbers, the
//! read = kept + rejected accounting and derived sessions.

use super::report::MAX_VALUE_BYTES;
use super::{clean, CleanOptions, CleanReport, SessionRule};
use crate::dates::{days_from_civil, DAY};
use crate::ingest::CsvFile;
use crate::model::{Action, Dataset};
use crate::rules;
use std::collections::BTreeMap;

/// A full clients header (the optional signup and consent columns included).
const CLIENTS_HEADER: &str = "client_id,age,ville,segment,canal_acquisition,date_inscription,consentement_marketing\n";
/// Two good customers.
const GOOD_CLIENTS: &str = "C_0001,34,Paris,Premium,SEO,2024-12-01,oui\nC_0002,27,Lyon,Standard,Email,,non\n";
const INTERACTIONS_HEADER: &str = "interaction_id,client_id,session_id,type_action,valeur_achat,horodatage\n";

/// A cleaning period, from and to given as (year, month, day).
fn period((y0, m0, d0): (i32, u32, u32), (y1, m1, d1): (i32, u32, u32)) -> CleanOptions {
    CleanOptions {
        from: Some(days_from_civil(y0, m0, d0)),
        to: Some(days_from_civil(y1, m1, d1)),
        ..CleanOptions::default()
    }
}

/// January 2025, as a cleaning period.
fn january() -> CleanOptions {
    period((2025, 1, 1), (2025, 1, 31))
}

/// The message of a clean that must fail.
fn refusal(c: &CsvFile, i: &CsvFile, opts: &CleanOptions) -> String {
    clean(c, i, opts).map(|_| ()).unwrap_err().to_string()
}

/// Cleans two inline files, checking the report's accounting on the way.
fn run(clients: &str, interactions: &str, opts: &CleanOptions) -> (Dataset, CleanReport) {
    let c = CsvFile::open("clients.csv", clients.as_bytes()).expect("the clients file opens");
    let i = CsvFile::open("interactions.csv", interactions.as_bytes()).expect("the interactions file opens");
    let (ds, report) = clean(&c, &i, opts).expect("clean succeeds");
    check_accounts(&report, &ds);
    (ds, report)
}

/// Every row ends in exactly one place, and the three views of the rejects agree.
fn check_accounts(report: &CleanReport, ds: &Dataset) {
    for (file, f) in [(0u8, &report.clients), (1u8, &report.interactions)] {
        assert_eq!(f.read, f.kept + f.rejected, "{}: read = kept + rejected", f.file);
        assert_eq!(f.rejected, f.rejected_by_rule.values().sum::<u64>(), "{}", f.file);
        let listed = report.rejects.iter().filter(|r| r.file == file).count() as u64;
        assert_eq!(listed, f.rejected, "{}: one reject entry per rejected row", f.file);
    }
    assert_eq!(report.clients.kept, ds.customers.len() as u64);
    assert_eq!(report.interactions.kept, ds.interactions.len() as u64);
    // Clients first, each file in line order.
    let order: Vec<(u8, u64)> = report.rejects.iter().map(|r| (r.file, r.line)).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted, "rejects are listed clients first, in line order");
}

/// The rejects of one file as (line, column, rule, value).
fn rejects(report: &CleanReport, file: u8) -> Vec<(u64, &'static str, &'static str, String)> {
    report
        .rejects
        .iter()
        .filter(|r| r.file == file)
        .map(|r| (r.line, r.column, r.rule, r.value.clone()))
        .collect()
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(k, v)| (k.to_string(), *v)).collect()
}

fn ids(col: &crate::ids::IdColumn) -> Vec<String> {
    (0..col.len()).map(|i| col.get(i)).collect()
}

fn ts(y: i32, m: u32, d: u32, h: i64, min: i64, s: i64) -> i64 {
    days_from_civil(y, m, d) as i64 * DAY + h * 3600 + min * 60 + s
}

#[test]
fn each_client_rule_rejects_its_row() {
    let clients = format!(
        "{CLIENTS_HEADER}\
C_0001,34,Paris,Premium,SEO,2024-12-01,oui
C_0002,27,Lyon
,40,Nice,Standard,SEO,,non
C_0001,34,Paris,Premium,SEO,2024-12-01,oui
C_0001,35,Paris,Premium,SEO,2024-12-01,oui
C_0003,abc,Lille,Basique,Social,,
C_0004,121,Lille,Basique,Social,,
C_0005,-1,Lille,Basique,Social,,
C_0006,,Lille,Basique,Social,,
C_0007,120,Lille,Basique,Social,,
C_0008,50,Metz,,Social,,
C_0009,50,Metz,Premium,  ,,
C_0010,50,Metz,Premium,SEO,2025-02-30,
C_0011,50,Metz,Premium,SEO,,peut-être
C_0012, 0 ,Metz,Premium,SEO,15/03/2024,Non
"
    );
    let (ds, report) = run(&clients, INTERACTIONS_HEADER, &CleanOptions::default());
    let got = rejects(&report, 0);
    let expected: Vec<(u64, &str, &str, &str)> = vec![
        (3, "*", rules::WRONG_FIELD_COUNT, "3 fields, the header has 7"),
        (4, "client_id", rules::MISSING_CLIENT_ID, ""),
        (5, "client_id", rules::DUPLICATE_ROW, "C_0001"),
        (6, "client_id", rules::DUPLICATE_ID, "C_0001"),
        (7, "age", rules::INVALID_AGE, "abc"),
        (8, "age", rules::INVALID_AGE, "121"),
        (9, "age", rules::INVALID_AGE, "-1"),
        (12, "segment", rules::MISSING_SEGMENT, ""),
        (13, "canal_acquisition", rules::MISSING_CHANNEL, "(blank)"),
        (14, "date_inscription", rules::INVALID_DATE, "2025-02-30"),
        (15, "consentement_marketing", rules::INVALID_CONSENT, "peut-être"),
    ];
    assert_eq!(got.len(), expected.len(), "{got:#?}");
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!((g.0, g.1, g.2), (e.0, e.1, e.2), "{got:#?}");
        if e.3 == "(blank)" {
            assert!(g.3.trim().is_empty(), "a blank channel is reported blank: {:?}", g.3);
        } else {
            assert_eq!(g.3, e.3, "value of line {}", e.0);
        }
    }
    assert_eq!(
        (report.clients.read, report.clients.kept, report.clients.rejected),
        (15, 4, 11)
    );
    assert_eq!(
        report.clients.rejected_by_rule,
        counts(&[
            (rules::WRONG_FIELD_COUNT, 1),
            (rules::MISSING_CLIENT_ID, 1),
            (rules::DUPLICATE_ROW, 1),
            (rules::DUPLICATE_ID, 1),
            (rules::INVALID_AGE, 3),
            (rules::MISSING_SEGMENT, 1),
            (rules::MISSING_CHANNEL, 1),
            (rules::INVALID_DATE, 1),
            (rules::INVALID_CONSENT, 1),
        ])
    );
    // An empty age is unknown: the customer is kept without one.
    assert_eq!(report.clients.corrected_by_rule, counts(&[(rules::MISSING_AGE, 1)]));
    // The kept rows, with their typed values: the first C_0001 wins, ages 120 and 0
    // are valid, an empty signup is "no date", French dates and yes/no are read.
    let c = &ds.customers;
    assert_eq!(ids(&c.id), ["C_0001", "C_0006", "C_0007", "C_0012"]);
    assert_eq!(c.age, [34, crate::model::NO_AGE, 120, 0]);
    assert_eq!(c.consent, [true, false, false, false]);
    assert_eq!(
        c.signup,
        [
            days_from_civil(2024, 12, 1),
            crate::model::NO_DAY,
            crate::model::NO_DAY,
            days_from_civil(2024, 3, 15)
        ]
    );
    let labels = |d: &crate::ids::Dict, codes: &[u32]| -> Vec<String> {
        codes.iter().map(|&k| d.label(k).to_string()).collect()
    };
    assert_eq!(
        labels(&c.segments, &c.segment),
        ["Premium", "Basique", "Basique", "Premium"]
    );
    assert_eq!(labels(&c.channels, &c.channel), ["SEO", "Social", "Social", "SEO"]);
    assert_eq!(labels(&c.villes, &c.ville), ["Paris", "Lille", "Lille", "Metz"]);
}

#[test]
fn each_interaction_rule_rejects_its_row() {
    // C_0003 is itself rejected (bad age): its interactions have no customer.
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}C_0003,x,Nice,Premium,SEO,,\n");
    let interactions = format!(
        "{INTERACTIONS_HEADER}\
I_01,C_0001,S_1,page_vue,,2025-01-10T10:00:00
I_02,C_0001,S_1
,C_0001,S_1,page_vue,,2025-01-10T10:00:00
I_01,C_0001,S_1,page_vue,,2025-01-10T10:00:00
I_01,C_0001,S_1,ajout_panier,,2025-01-10T10:01:00
I_03,,S_1,page_vue,,2025-01-10T10:00:00
I_04,C_0999,S_1,page_vue,,2025-01-10T10:00:00
I_05,C_0003,S_2,page_vue,,2025-01-10T10:00:00
I_06,C_0001,S_1,clic,,2025-01-10T10:00:00
I_07,C_0001,S_1,page_vue,,hier
I_08,C_0001,S_1,page_vue,,2024-12-31T23:59:59
I_09,C_0001,S_1,page_vue,,2025-02-01T00:00:00
I_10,C_0001,S_1,page_vue,,2025-01-01T00:00:00
I_11,C_0001,S_1,page_vue,,2025-01-31T23:59:59
I_12,C_0002,S_3,achat,douze,2025-01-10T11:00:00
I_13,C_0002,S_3,achat,0,2025-01-10T11:00:00
I_14,C_0002,S_3,achat,-5.00,2025-01-10T11:00:00
I_15,C_0002,S_3,achat,,2025-01-10T11:00:00
I_16,C_0002,,page_vue,,2025-01-10T11:00:00
I_17,C_0002,S_3,achat,12.5,2025-01-10T11:05:00
I_18,C_0002,S_3,achat,1000000000.01,2025-01-10T11:06:00
I_19,C_0002,S_3,achat,1000000000.00,2025-01-10T11:07:00
"
    );
    let (ds, report) = run(&clients, &interactions, &january());
    let expected: Vec<(u64, &str, &str, &str)> = vec![
        (3, "*", rules::WRONG_FIELD_COUNT, "3 fields, the header has 6"),
        (4, "interaction_id", rules::MISSING_INTERACTION_ID, ""),
        (5, "interaction_id", rules::DUPLICATE_ROW, "I_01"),
        (6, "interaction_id", rules::DUPLICATE_ID, "I_01"),
        (7, "client_id", rules::MISSING_CLIENT_ID, ""),
        (8, "client_id", rules::UNKNOWN_CLIENT, "C_0999"),
        // C_0003 is in the clients file, but its row was rejected.
        (9, "client_id", rules::REJECTED_CLIENT, "C_0003"),
        (10, "type_action", rules::UNKNOWN_ACTION, "clic"),
        (11, "horodatage", rules::INVALID_DATE, "hier"),
        (12, "horodatage", rules::OUT_OF_PERIOD, "2024-12-31T23:59:59"),
        (13, "horodatage", rules::OUT_OF_PERIOD, "2025-02-01T00:00:00"),
        (16, "valeur_achat", rules::INVALID_AMOUNT, "douze"),
        (17, "valeur_achat", rules::NON_POSITIVE_AMOUNT, "0"),
        (18, "valeur_achat", rules::NON_POSITIVE_AMOUNT, "-5.00"),
        (19, "valeur_achat", rules::MISSING_AMOUNT, ""),
        (20, "session_id", rules::MISSING_SESSION_ID, ""),
        // Above a billion euros: totals of cents would no longer be sure to stay exact.
        (22, "valeur_achat", rules::INVALID_AMOUNT, "1000000000.01"),
    ];
    let expected: Vec<(u64, &str, &str, String)> = expected
        .into_iter()
        .map(|(l, c, r, v)| (l, c, r, v.to_string()))
        .collect();
    assert_eq!(rejects(&report, 1), expected);
    assert_eq!(
        (
            report.interactions.read,
            report.interactions.kept,
            report.interactions.rejected
        ),
        (22, 5, 17)
    );
    assert_eq!(
        report.interactions.rejected_by_rule.get(rules::UNKNOWN_CLIENT),
        Some(&1)
    );
    assert_eq!(
        report.interactions.rejected_by_rule.get(rules::REJECTED_CLIENT),
        Some(&1)
    );
    assert_eq!(report.interactions.rejected_by_rule.get(rules::OUT_OF_PERIOD), Some(&2));
    assert_eq!(
        report.interactions.rejected_by_rule.get(rules::NON_POSITIVE_AMOUNT),
        Some(&2)
    );
    assert_eq!(report.session_rule, SessionRule::FromFile);
    // The kept rows: the first and last second of the period are inside it.
    let t = &ds.interactions;
    assert_eq!(ids(&t.id), ["I_01", "I_10", "I_11", "I_17", "I_19"]);
    assert_eq!(
        t.ts.to_vec(),
        [
            ts(2025, 1, 10, 10, 0, 0),
            ts(2025, 1, 1, 0, 0, 0),
            ts(2025, 1, 31, 23, 59, 59),
            ts(2025, 1, 10, 11, 5, 0),
            ts(2025, 1, 10, 11, 7, 0)
        ]
    );
    assert_eq!(t.customer, [0, 0, 0, 1, 1]);
    assert_eq!(t.action, [0, 0, 0, Action::Purchase as u8, Action::Purchase as u8]);
    assert_eq!(t.amount.to_vec(), [0, 0, 0, 1250, 100_000_000_000]);
    let sessions: Vec<String> = t.session.iter().map(|&s| t.session_ids.get(s as usize)).collect();
    assert_eq!(sessions, ["S_1", "S_1", "S_1", "S_3", "S_3"]);
    assert_eq!(
        (ds.from, ds.to),
        (days_from_civil(2025, 1, 1), days_from_civil(2025, 1, 31))
    );
}

#[test]
fn a_period_that_ends_before_it_starts_is_refused() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let c = CsvFile::open("clients.csv", clients.as_bytes()).unwrap();
    let i = CsvFile::open(
        "interactions.csv",
        b"client_id,type_action,valeur_achat,horodatage\nC_0001,page_vue,,2025-01-10\n",
    )
    .unwrap();
    assert_eq!(
        refusal(&c, &i, &period((2025, 2, 1), (2025, 1, 1))),
        "invalid options: period: the end date is before the start date"
    );
    // A one-day period is a period.
    assert!(clean(&c, &i, &period((2025, 2, 1), (2025, 2, 1))).is_ok());
}

#[test]
fn a_date_centuries_away_asks_for_a_period_instead_of_making_one() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let interactions = "client_id,type_action,valeur_achat,horodatage
C_0001,page_vue,,2025-01-10
C_0001,page_vue,,9999-12-31
C_0002,page_vue,,2025-01-11
";
    let c = CsvFile::open("clients.csv", clients.as_bytes()).unwrap();
    let i = CsvFile::open("interactions.csv", interactions.as_bytes()).unwrap();
    let e = refusal(&c, &i, &CleanOptions::default());
    assert!(
        e.starts_with("interactions.csv: the dates run from 2025-01-10 to 9999-12-31, more than 200 years"),
        "{e}"
    );
    // With a period, the stray date is one rejected row.
    let (ds, report) = run(&clients, interactions, &january());
    assert_eq!((report.interactions.kept, report.interactions.rejected), (2, 1));
    assert_eq!(report.interactions.rejected_by_rule.get(rules::OUT_OF_PERIOD), Some(&1));
    assert_eq!(ds.to - ds.from, 30);
    // A period itself is held to the same bound.
    assert_eq!(
        refusal(&c, &i, &period((1800, 1, 1), (2025, 1, 1))),
        "invalid options: period: a period spans at most 200 years"
    );
}

#[test]
fn without_a_period_nothing_is_out_of_period_and_the_period_is_the_data_span() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let interactions = format!(
        "{INTERACTIONS_HEADER}\
I_1,C_0001,S_1,page_vue,,2019-06-01T10:00:00
I_2,C_0002,S_2,page_vue,,2031-06-03T10:00:00
I_3,C_0002,S_2,page_vue,,2025-01-10T10:00:00
"
    );
    let (ds, report) = run(&clients, &interactions, &CleanOptions::default());
    assert_eq!(report.interactions.kept, 3);
    assert_eq!(
        (ds.from, ds.to),
        (days_from_civil(2019, 6, 1), days_from_civil(2031, 6, 3))
    );
}

#[test]
fn corrections_are_kept_and_counted() {
    let clients = format!(
        "{CLIENTS_HEADER}\
C_0001,30,Paris,PREMIUM,SEO,,
C_0002,30,Paris,Standard, seo,,
C_0003,30,Paris,Basique,E-mail,,
C_0004,30,Paris, premium ,email,,
C_0005,30,Paris,Premium,SEO,,
C_0006,30,Paris,VIP,Radio,,
"
    );
    let at = "2025-01-10T10:00:00";
    let interactions = format!(
        "{INTERACTIONS_HEADER}\
I_1,C_0001,S_1,PAGE_VUE,,{at}
I_2,C_0001,S_1,Ajout Panier,,{at}
I_3,C_0001,S_1,ACHAT,10.00,{at}
I_4,C_0001,S_1,purchase,5,{at}
I_5,C_0001,S_1,page_vue,23.90,{at}
I_6,C_0001,S_1,ajout_panier,0,{at}
I_7,C_0001,S_1,page_vue,,{at}
I_8,C_0001,S_1,achat,1099.999,{at}
I_9,C_0001,S_1,achat,\"12,50\",{at}
"
    );
    let (ds, report) = run(&clients, &interactions, &january());
    assert_eq!((report.clients.kept, report.clients.rejected), (6, 0));
    assert_eq!(
        report.clients.corrected_by_rule,
        counts(&[(rules::SEGMENT_SPELLING, 2), (rules::CHANNEL_SPELLING, 3)])
    );
    let c = &ds.customers;
    // Misspellings join the canonical category; new labels become new categories.
    assert_eq!(c.segments.labels(), ["Premium", "Standard", "Basique", "VIP"]);
    assert_eq!(c.channels.labels(), ["SEO", "Social", "Email", "Direct", "Radio"]);
    assert_eq!(c.segment, [0, 1, 2, 0, 0, 3]);
    assert_eq!(c.channel, [0, 0, 2, 2, 0, 4]);

    assert_eq!((report.interactions.kept, report.interactions.rejected), (9, 0));
    // 1099.999 is rounded to the cent and counted; 12,50 is exact.
    assert_eq!(
        report.interactions.corrected_by_rule,
        counts(&[
            (rules::ACTION_SPELLING, 4),
            (rules::AMOUNT_ON_NON_PURCHASE, 1),
            (rules::AMOUNT_ROUNDED, 1)
        ])
    );
    let t = &ds.interactions;
    assert_eq!(t.action, [0, 1, 2, 2, 0, 1, 0, 2, 2]);
    // The page view's 23.90 is dropped, not counted as revenue.
    assert_eq!(t.amount.to_vec(), [0, 0, 1000, 500, 0, 0, 0, 110_000, 1250]);
}

#[test]
fn the_first_failing_rule_decides() {
    let clients = format!(
        "{CLIENTS_HEADER}\
C_0001,34,Paris,Premium,SEO,,
,abc,,,,bad,bad
C_0002,abc,Paris
C_0003,abc,Paris,,,bad,bad
C_0004,40,Paris,,,bad,bad
C_0005,40,Paris,Premium,,bad,bad
C_0006,40,Paris,Premium,SEO,bad,bad
C_0001,abc,,,,bad,bad
"
    );
    let interactions = format!(
        "{INTERACTIONS_HEADER}\
,C_0999,S_1,clic,x,hier
I_1,C_0999,S_1,clic,x,hier
I_2,,S_1,clic,x,hier
I_3,C_0001,S_1,clic,douze,hier
I_4,C_0001,S_1,achat,douze,hier
I_5,C_0001,,achat,douze,2024-06-01T00:00:00
I_6,C_0001,,achat,douze,2025-01-10T10:00:00
I_7,C_0001,,achat,,2025-01-10T10:00:00
I_8,C_0001,,page_vue,douze,2025-01-10T10:00:00
I_1,C_0001,S_1,page_vue,,2025-01-10T10:00:00
"
    );
    let (_, report) = run(&clients, &interactions, &january());
    let rule_of = |file| -> Vec<(u64, &str)> { rejects(&report, file).iter().map(|r| (r.0, r.2)).collect() };
    assert_eq!(
        rule_of(0),
        [
            (3, rules::MISSING_CLIENT_ID),
            (4, rules::WRONG_FIELD_COUNT),
            (5, rules::INVALID_AGE),
            (6, rules::MISSING_SEGMENT),
            (7, rules::MISSING_CHANNEL),
            (8, rules::INVALID_DATE),
            (9, rules::DUPLICATE_ID),
        ]
    );
    assert_eq!(
        rule_of(1),
        [
            (2, rules::MISSING_INTERACTION_ID),
            (3, rules::UNKNOWN_CLIENT),
            (4, rules::MISSING_CLIENT_ID),
            (5, rules::UNKNOWN_ACTION),
            (6, rules::INVALID_DATE),
            (7, rules::OUT_OF_PERIOD),
            (8, rules::INVALID_AMOUNT),
            (9, rules::MISSING_AMOUNT),
            (10, rules::MISSING_SESSION_ID),
            // An id is taken by the first row that carries it, even a rejected one.
            (11, rules::DUPLICATE_ID),
        ]
    );
    assert_eq!(report.clients.kept, 1);
    assert_eq!(report.interactions.kept, 0);
}

#[test]
fn rows_of_empty_cells_are_empty_rows_not_missing_ids() {
    // Excel writes such rows below a table (`;;;;`), with or without every separator.
    let clients =
        format!("{CLIENTS_HEADER}C_0001,34,Paris,Premium,SEO,,\n,,,,,,\n , ,,,,,\n,,\n,34,Paris,Premium,SEO,,\n");
    let interactions = format!(
        "{INTERACTIONS_HEADER}I_1,C_0001,S_1,page_vue,,2025-01-10T10:00:00\n,,,,,\n,,\n \n\
I_2,,S_1,page_vue,,2025-01-10T10:00:00\n,,,,x,\n"
    );
    let (_, report) = run(&clients, &interactions, &january());
    let rule_of = |file| -> Vec<(u64, &str)> { rejects(&report, file).iter().map(|r| (r.0, r.2)).collect() };
    assert_eq!(
        rule_of(0),
        [
            (3, rules::EMPTY_ROW),
            (4, rules::EMPTY_ROW),
            (5, rules::EMPTY_ROW),
            (6, rules::MISSING_CLIENT_ID),
        ]
    );
    assert_eq!(
        rule_of(1),
        [
            (3, rules::EMPTY_ROW),
            (4, rules::EMPTY_ROW),
            (5, rules::EMPTY_ROW),
            (6, rules::MISSING_CLIENT_ID),
            (7, rules::MISSING_INTERACTION_ID),
        ]
    );
    assert_eq!((report.clients.read, report.interactions.read), (5, 6));
}

#[test]
fn line_numbers_count_the_header_and_blank_lines() {
    // Plain rows, CRLF line endings, blank lines before, between and after rows.
    let clients = "client_id,age,ville,segment,canal_acquisition\r\n\r\n\
C_0001,abc,Paris,Premium,SEO\r\n\r\n\r\n\
C_0002,40,Lyon,Standard,SEO\r\n\
C_0003,xx,Lyon,Standard,SEO\r\n\r\n";
    let interactions = "client_id,type_action,valeur_achat,horodatage\n\n\n\
C_0002,page_vue,,2025-01-10 10:00:00\n\
C_0404,page_vue,,2025-01-10 10:00:00\n\n\
C_0002,achat,abc,2025-01-10 10:00:00";
    let (_, report) = run(clients, interactions, &CleanOptions::default());
    let lines = |file| -> Vec<(u64, &str)> { rejects(&report, file).iter().map(|r| (r.0, r.2)).collect() };
    assert_eq!(lines(0), [(3, rules::INVALID_AGE), (7, rules::INVALID_AGE)]);
    assert_eq!(lines(1), [(5, rules::UNKNOWN_CLIENT), (7, rules::INVALID_AMOUNT)]);
    // Blank lines are not rows.
    assert_eq!((report.clients.read, report.clients.kept), (3, 1));
    assert_eq!((report.interactions.read, report.interactions.kept), (3, 1));
}

#[test]
fn line_numbers_with_quoted_fields_spanning_lines() {
    // A quote anywhere in the body sends the file through the full CSV reader; a
    // quoted line break makes one row span two lines.
    let clients = "client_id,age,ville,segment,canal_acquisition\n\
C_0001,abc,\"Paris, 75\",Premium,SEO\n\
\"C_0002\",40,\"Multi\nligne\",Standard,SEO\n\
C_0003,zz,Lyon,Standard,SEO\n\
C_0004,41,\"Dit \"\"le Bourg\"\"\",Standard,SEO\n\
C_0005,1000,Lyon,Standard,SEO\n";
    let (ds, report) = run(
        clients,
        "client_id,type_action,valeur_achat,date\n",
        &CleanOptions::default(),
    );
    let lines: Vec<(u64, &str, String)> = rejects(&report, 0).into_iter().map(|r| (r.0, r.2, r.3)).collect();
    assert_eq!(
        lines,
        [
            (2, rules::INVALID_AGE, "abc".to_string()),
            (5, rules::INVALID_AGE, "zz".to_string()),
            (7, rules::INVALID_AGE, "1000".to_string()),
        ]
    );
    assert_eq!(ids(&ds.customers.id), ["C_0002", "C_0004"]);
    let villes: Vec<&str> = ds
        .customers
        .ville
        .iter()
        .map(|&v| ds.customers.villes.label(v))
        .collect();
    assert_eq!(villes, ["Multi\nligne", "Dit \"le Bourg\""]);
}

#[test]
fn line_numbers_count_blank_lines_in_a_quoted_clients_file() {
    // Regression: at 5380332 a file containing a quote (read by the full CSV reader) did not
    // count the blank lines before a row: the quoted variant gave [2, 4].
    let header = "client_id,age,ville,segment,canal_acquisition\n";
    let quoted = format!("{header}\nC_0001,abc,\"Paris, 75\",Premium,SEO\n\n\nC_0002,zz,Lyon,Standard,SEO\n");
    let plain = format!("{header}\nC_0001,abc,Paris 75,Premium,SEO\n\n\nC_0002,zz,Lyon,Standard,SEO\n");
    for clients in [plain, quoted] {
        let (_, report) = run(
            &clients,
            "client_id,type_action,valeur_achat,date\n",
            &CleanOptions::default(),
        );
        let lines: Vec<u64> = rejects(&report, 0).iter().map(|r| r.0).collect();
        assert_eq!(lines, [3, 6], "{clients:?}");
    }
}

#[test]
fn line_numbers_count_blank_lines_in_a_quoted_interactions_file() {
    // Regression: at 5380332 this reported lines [2, 4].
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let interactions = "interaction_id,client_id,type_action,valeur_achat,date\n\n\
\"I_1\",C_0009,page_vue,,2025-01-01\n\n\n\
I_2,C_0009,page_vue,,2025-01-01\n";
    let (_, report) = run(&clients, interactions, &CleanOptions::default());
    let lines: Vec<(u64, &str)> = rejects(&report, 1).iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(lines, [(3, rules::UNKNOWN_CLIENT), (6, rules::UNKNOWN_CLIENT)]);
}

#[test]
fn long_rejected_values_are_cut_on_a_character_boundary() {
    let long = "é".repeat(300);
    let clients = format!("client_id,age,ville,segment,canal_acquisition\nC_0001,{long},Lyon,Premium,SEO\n");
    let (_, report) = run(
        &clients,
        "client_id,type_action,valeur_achat,date\n",
        &CleanOptions::default(),
    );
    let r = &report.rejects[0];
    assert_eq!(r.rule, rules::INVALID_AGE);
    let body = r.value.strip_suffix('…').expect("a cut value ends with an ellipsis");
    assert!(
        body.len() <= MAX_VALUE_BYTES && body.len() >= MAX_VALUE_BYTES - 3,
        "{}",
        body.len()
    );
    assert!(long.starts_with(body));
}

#[test]
fn interactions_without_ids_use_line_numbers_and_whole_row_duplicates() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let interactions = "client_id,type_action,valeur_achat,horodatage\n\
C_0001,page_vue,,2025-01-10 10:00:00\n\n\
C_0001,page_vue,,2025-01-10 10:00:00\n\
C_0001,achat,10,2025-01-10 10:01:00\n";
    let (ds, report) = run(&clients, interactions, &CleanOptions::default());
    let got: Vec<(u64, &str, &str)> = rejects(&report, 1).iter().map(|r| (r.0, r.1, r.2)).collect();
    assert_eq!(got, [(4, "*", rules::DUPLICATE_ROW)]);
    assert_eq!(ids(&ds.interactions.id), ["L2", "L5"]);
}

/// Rows that share a session, as sorted groups of row indices.
fn session_groups(ds: &Dataset) -> Vec<Vec<usize>> {
    let t = &ds.interactions;
    let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
    for (i, &s) in t.session.iter().enumerate() {
        groups.entry(s).or_default().push(i);
    }
    let mut out: Vec<Vec<usize>> = groups.into_values().collect();
    out.sort();
    out
}

fn session_labels(ds: &Dataset) -> Vec<String> {
    let t = &ds.interactions;
    let mut labels: Vec<String> = (0..t.session_ids.len()).map(|s| t.session_ids.get(s)).collect();
    labels.sort();
    labels
}

#[test]
fn derived_sessions_split_on_a_30_minute_gap() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    // Rows out of time order; gaps of 20 min and 29:59 stay in one session, 30:00 starts one.
    let interactions = "interaction_id,client_id,type_action,valeur_achat,date\n\
I_0,C_0002,page_vue,,2025-01-10 10:05:00\n\
I_1,C_0001,page_vue,,2025-01-10 10:00:00\n\
I_2,C_0001,page_vue,,2025-01-10 10:20:00\n\
I_3,C_0001,ajout_panier,,2025-01-10 10:49:59\n\
I_4,C_0001,achat,12,2025-01-10 11:19:59\n\
I_5,C_0001,page_vue,,2025-01-09 23:55:00\n";
    let (ds, report) = run(&clients, interactions, &CleanOptions::default());
    assert_eq!(report.session_rule, SessionRule::Gap);
    assert_eq!(session_groups(&ds), [vec![0], vec![1, 2, 3], vec![4], vec![5]]);
    assert_eq!(session_labels(&ds), ["S_0001", "S_0002", "S_0003", "S_0004"]);

    // A shorter gap splits more.
    let opts = CleanOptions {
        session_gap_minutes: 10,
        ..CleanOptions::default()
    };
    let (ds, _) = run(&clients, interactions, &opts);
    assert_eq!(
        session_groups(&ds),
        [vec![0], vec![1], vec![2], vec![3], vec![4], vec![5]]
    );
}

#[test]
fn derived_sessions_go_by_day_when_dates_have_no_time() {
    let clients = format!("{CLIENTS_HEADER}{GOOD_CLIENTS}");
    let interactions = "client_id,type_action,valeur_achat,date\n\
C_0001,page_vue,,2025-01-10\n\
C_0001,ajout_panier,,2025-01-10\n\
C_0001,page_vue,,11/01/2025\n\
C_0002,page_vue,,2025-01-10\n\
C_0001,achat,9.99,2025-01-10\n";
    let (ds, report) = run(&clients, interactions, &CleanOptions::default());
    assert_eq!(report.session_rule, SessionRule::ByDay);
    assert_eq!(session_groups(&ds), [vec![0, 1, 4], vec![2], vec![3]]);
    assert_eq!(session_labels(&ds).len(), 3);

    // One timestamp with a time of day switches the whole file to the gap rule:
    // the date-only rows are at midnight, 10 h before the 10:00 row.
    let interactions = "client_id,type_action,valeur_achat,date\n\
C_0001,page_vue,,2025-01-10\n\
C_0001,ajout_panier,,2025-01-10 00:10\n\
C_0001,page_vue,,2025-01-10 10:00\n";
    let (ds, report) = run(&clients, interactions, &CleanOptions::default());
    assert_eq!(report.session_rule, SessionRule::Gap);
    assert_eq!(session_groups(&ds), [vec![0, 1], vec![2]]);
}

#[test]
fn a_missing_required_column_is_an_error_naming_it() {
    let c = CsvFile::open("clients.csv", b"client_id,age,ville,segment\nC_0001,30,Paris,Premium\n").unwrap();
    let i = CsvFile::open("interactions.csv", INTERACTIONS_HEADER.as_bytes()).unwrap();
    let e = clean(&c, &i, &CleanOptions::default())
        .expect_err("an error")
        .to_string();
    assert!(
        e.starts_with("clients.csv: required column `canal_acquisition` is missing"),
        "{e}"
    );
    let c = CsvFile::open("clients.csv", CLIENTS_HEADER.as_bytes()).unwrap();
    let i = CsvFile::open("events.csv", b"interaction_id;client_id;type_action;horodatage\n").unwrap();
    let e = clean(&c, &i, &CleanOptions::default())
        .expect_err("an error")
        .to_string();
    assert!(
        e.starts_with("events.csv: required column `valeur_achat` is missing"),
        "{e}"
    );
}

#[test]
fn required_columns_said_absent_leave_every_customer_unknown() {
    // A shop's export: no age, no segment, no channel.
    let clients = "client_id,ville\nC_0001,Paris\nC_0002,Lyon\n";
    let interactions = "client_id,type_action,valeur_achat,date\nC_0001,achat,12.50,2025-01-03\n";
    let c = CsvFile::open("clients.csv", clients.as_bytes()).unwrap();
    let i = CsvFile::open("interactions.csv", interactions.as_bytes()).unwrap();
    let e = refusal(&c, &i, &CleanOptions::default());
    assert!(
        e.contains("`age` is missing") && e.contains("also missing: `segment`, `canal_acquisition`"),
        "{e}"
    );
    assert!(e.ends_with("(`--absent age,segment,canal_acquisition`: every customer then has no age, and the segment and channel `unknown`)"), "{e}");
    // One said absent: the next is named.
    let some = CleanOptions {
        absent: vec!["age".into()],
        ..CleanOptions::default()
    };
    let e = refusal(&c, &i, &some);
    assert!(e.contains("`segment` is missing"), "{e}");
    assert!(
        e.ends_with(
            "(`--absent segment,canal_acquisition`: every customer then has the segment and channel `unknown`)"
        ),
        "{e}"
    );
    let all = CleanOptions {
        absent: vec!["age".into(), "segment".into(), "canal_acquisition".into()],
        ..CleanOptions::default()
    };
    let (ds, report) = run(clients, interactions, &all);
    assert_eq!((report.clients.kept, report.interactions.kept), (2, 1));
    let cu = &ds.customers;
    for k in 0..2 {
        assert_eq!(cu.age[k], crate::model::NO_AGE);
        assert_eq!(cu.segments.label(cu.segment[k]), "unknown");
        assert_eq!(cu.channels.label(cu.channel[k]), "unknown");
    }
    assert_eq!(report.clients.corrected_by_rule[rules::MISSING_AGE], 2);
    // A file that has the column reads it, an empty cell as unknown (an export with
    // the column but nothing in it); without the option that cell is rejected.
    let with_segment = "client_id,age,segment,canal_acquisition\nC_0001,30,Premium,SEO\nC_0002,40,,Email\n";
    let (ds, report) = run(with_segment, interactions, &all);
    let seg = |k: usize| ds.customers.segments.label(ds.customers.segment[k]).to_string();
    assert_eq!((seg(0), seg(1)), ("Premium".into(), "unknown".into()));
    assert_eq!(report.clients.rejected, 0);
    let (_, report) = run(with_segment, interactions, &CleanOptions::default());
    assert_eq!(
        rejects(&report, 0),
        [(3, "segment", rules::MISSING_SEGMENT, String::new())]
    );
    // Only those three can be absent.
    let wrong = CleanOptions {
        absent: vec!["client_id".into()],
        ..CleanOptions::default()
    };
    let e = refusal(&c, &i, &wrong);
    assert!(
        e.contains("`client_id` cannot be marked absent (only age, segment, canal_acquisition can)"),
        "{e}"
    );
}

#[test]
fn a_row_hashes_the_same_read_with_or_without_quotes() {
    use super::row_hash;
    let fields: [&[u8]; 3] = [b"I_1", b"C_1", b"page_vue"];
    let raw = Some(&b"I_1,C_1,page_vue"[..]);
    assert_eq!(row_hash(&fields, b',', raw), row_hash(&fields, b',', None));
    assert_ne!(
        row_hash(&fields, b',', None),
        row_hash(&[b"I_1", b"C_1", b"achat"], b',', None)
    );
    // Fields holding the separator cannot be told apart by their joined text alone.
    assert_ne!(
        row_hash(&[b"a,b", b"c"], b',', None),
        row_hash(&[b"a", b"b,c"], b',', None)
    );
    // Every length and byte position counts.
    let a = row_hash(&[&[b'x'; 16], &[b'y'; 17]], b';', None);
    let b = row_hash(&[&[b'x'; 17], &[b'y'; 16]], b';', None);
    assert_ne!(a, b);
}

#[test]
fn the_record_hash_reads_every_byte() {
    use super::hash_bytes;
    for len in 0..100usize {
        let text: Vec<u8> = (0..len).map(|k| b'a' + (k * 7 % 26) as u8).collect();
        let h = hash_bytes(&text);
        for at in 0..len {
            let mut other = text.clone();
            other[at] ^= 1;
            assert_ne!(hash_bytes(&other), h, "length {len}, byte {at}");
        }
        let mut longer = text.clone();
        longer.push(0);
        assert_ne!(hash_bytes(&longer), h, "length {len} and one more");
    }
}

#[test]
fn duplicates_are_told_apart_in_quoted_and_unquoted_files() {
    // The same rows, once with quotes around every field: the same verdicts.
    let plain = "interaction_id,client_id,session_id,type_action,valeur_achat,horodatage
I_1,C_0001,S_1,page_vue,,2025-01-02T10:00:00
I_1,C_0001,S_1,page_vue,,2025-01-02T10:00:00
I_1,C_0001,S_1,achat,10.00,2025-01-02T10:01:00
";
    let quoted: String = plain
        .lines()
        .map(|l| l.split(',').map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(",") + "\n")
        .collect();
    for file in [plain.to_string(), quoted] {
        let (_, report) = run(&format!("{CLIENTS_HEADER}{GOOD_CLIENTS}"), &file, &january());
        let rules: Vec<&str> = rejects(&report, 1).iter().map(|r| r.2).collect();
        assert_eq!(
            rules,
            [crate::rules::DUPLICATE_ROW, crate::rules::DUPLICATE_ID],
            "{file}"
        );
    }
}

#[test]
fn a_quoted_clients_file_reads_as_the_plain_one() {
    let plain = format!(
        "{CLIENTS_HEADER}{GOOD_CLIENTS}C_0002,27,Lyon,Standard,Email,,non\nC_0002,28,Lyon,Standard,Email,,non\nC_0003,abc,Nice,Basique,SEO,,oui\nC_0004,41,\"Saint-Denis, La Réunion\",Premium,Direct,,oui\n"
    );
    let quoted: String = plain
        .lines()
        .map(|l| {
            if l.contains('"') {
                l.to_string() + "\n"
            } else {
                l.split(',').map(|f| format!("\"{f}\"")).collect::<Vec<_>>().join(",") + "\n"
            }
        })
        .collect();
    let interactions = format!("{INTERACTIONS_HEADER}I_1,C_0001,S_1,page_vue,,2025-01-02T10:00:00\n");
    let (a, ra) = run(&plain, &interactions, &january());
    let (b, rb) = run(&quoted, &interactions, &january());
    assert_eq!(rejects(&ra, 0), rejects(&rb, 0));
    assert_eq!(
        rejects(&ra, 0).iter().map(|r| r.2).collect::<Vec<_>>(),
        [
            crate::rules::DUPLICATE_ROW,
            crate::rules::DUPLICATE_ID,
            crate::rules::INVALID_AGE
        ]
    );
    assert_eq!(ids(&a.customers.id), ids(&b.customers.id));
    assert_eq!(a.customers.villes.labels(), b.customers.villes.labels());
    assert_eq!(
        a.customers.villes.label(a.customers.ville[2]),
        "Saint-Denis, La Réunion"
    );
}

#[test]
fn ages_as_pandas_writes_them_with_a_blank_in_the_column() {
    for (raw, age) in [
        ("25", Some(25)),
        ("25.0", Some(25)),
        ("25,00", Some(25)),
        ("+07", Some(7)),
        ("27 ans", Some(27)),
        ("1 an", Some(1)),
        ("40\u{a0}ANS", Some(40)),
        ("33 years", Some(33)),
    ] {
        assert_eq!(super::parse_age(raw.as_bytes()), age, "{raw}");
    }
    for raw in [
        "25.5",
        "25.",
        "25.0.0",
        ".0",
        "121",
        "-3",
        "abc",
        "",
        "27 ans et demi",
        "ans",
        "130 ans",
        "27 km",
    ] {
        assert_eq!(super::parse_age(raw.as_bytes()), None, "{raw}");
    }
}

#[test]
fn a_departement_missing_beside_a_postcode_is_taken_from_it() {
    let clients = "client_id,age,ville,code_postal,departement,segment,canal_acquisition\n\
        C_1,30,Lyon,69001,,Premium,SEO\n\
        C_2,31,Ajaccio,20167,,Premium,SEO\n\
        C_3,32,Bastia,20200,,Premium,SEO\n\
        C_4,33,Saint-Pierre,97410,,Premium,SEO\n\
        C_5,34,Bourg,1000,,Premium,SEO\n\
        C_6,35,Bruxelles,1000 BX,,Premium,SEO\n\
        C_7,36,Paris,75001,92,Premium,SEO\n\
        C_8,37,Nulle part,,,Premium,SEO\n\
        C_9,38,Monaco,98000,,Premium,SEO\n\
        C_10,39,Nulle part,99100,,Premium,SEO\n";
    let (ds, report) = run(clients, INTERACTIONS_HEADER, &january());
    let c = &ds.customers;
    let deps: Vec<String> = c
        .departement
        .iter()
        .map(|&k| c.departements.labels()[k as usize].clone())
        .collect();
    // A département given stays as given (C_7); no postcode, or a foreign one, gives none.
    assert_eq!(deps, ["69", "2A", "2B", "974", "01", "", "92", "", "", ""]);
    assert_eq!(
        report.clients.corrected_by_rule,
        counts(&[(rules::DEPARTEMENT_FROM_POSTCODE, 5), (rules::LEADING_ZERO, 1)])
    );
    // Without a département column at all, the same.
    let clients = "client_id,age,code_postal,segment,canal_acquisition\nC_1,30,13008,Premium,SEO\n";
    let (ds, _) = run(clients, INTERACTIONS_HEADER, &january());
    assert_eq!(
        ds.customers.departements.labels()[ds.customers.departement[0] as usize],
        "13"
    );
}

#[test]
fn postcodes_and_departements_get_back_the_zero_a_spreadsheet_took() {
    let clients = "client_id,age,ville,code_postal,departement,segment,canal_acquisition\n\
        C_1,30,Bourg-en-Bresse,1000,1,Premium,SEO\n\
        C_2,31,Paris,75001.0,75,Premium,SEO\n\
        C_3,32,Ajaccio,20000,2A,Premium,SEO\n\
        C_4,33,Saint-Denis,97400,974,Premium,SEO\n\
        C_5,34,Laon,02000.0,02,Premium,SEO\n\
        C_6,35,Nulle part,123,x,Premium,SEO\n\
        C_7,36,Vide,,,Premium,SEO\n";
    let (ds, report) = run(clients, INTERACTIONS_HEADER, &january());
    let c = &ds.customers;
    let label = |dict: &crate::ids::Dict, codes: &[u32]| -> Vec<String> {
        codes.iter().map(|&k| dict.labels()[k as usize].clone()).collect()
    };
    assert_eq!(
        label(&c.codes_postaux, &c.code_postal),
        ["01000", "75001", "20000", "97400", "02000", "123", ""]
    );
    assert_eq!(
        label(&c.departements, &c.departement),
        ["01", "75", "2A", "974", "02", "x", ""]
    );
    // The postcode and département of C_1: one row corrected.
    assert_eq!(report.clients.corrected_by_rule, counts(&[(rules::LEADING_ZERO, 1)]));
    for raw in ["1000.0", "1000,0"] {
        assert_eq!(super::lost_zero(raw.as_bytes(), 4), (&b"1000"[..], true), "{raw}");
    }
    assert_eq!(super::lost_zero(b"=\"01000\"", 4), (&b"01000"[..], false));
    assert_eq!(super::lost_zero(b"=\"A\"", 4), (&b"=\"A\""[..], false));
    for raw in ["10000", "100", "1000.5", ".0", "1 000", "A000"] {
        assert!(!super::lost_zero(raw.as_bytes(), 4).1, "{raw}");
    }
}

#[test]
fn consent_reads_the_usual_words() {
    use crate::clean::parse_consent;
    for yes in ["oui", "Yes", "1", "TRUE", "accepté", "Opt-in", "subscribed", "Abonné"] {
        assert_eq!(parse_consent(yes.as_bytes()), Some(true), "{yes}");
    }
    for no in [
        "",
        "non",
        "no",
        "0",
        "false",
        "refusé",
        "opt-out",
        "not_subscribed",
        "Unsubscribed",
        "désinscrit",
    ] {
        assert_eq!(parse_consent(no.as_bytes()), Some(false), "{no}");
    }
    for neither in ["peut-être", "2", "pending"] {
        assert_eq!(parse_consent(neither.as_bytes()), None, "{neither}");
    }
}

#[test]
fn without_ids_rows_alike_are_duplicates_only_to_the_second() {
    let clients = format!("{CLIENTS_HEADER}C_0001,34,Paris,Premium,SEO,,\n");
    let interactions = "client_id,type_action,valeur_achat,horodatage
C_0001,page_vue,,02/01/2025 10:00
C_0001,page_vue,,02/01/2025 10:00
C_0001,page_vue,,02/01/2025 10:00
C_0001,achat,12,02/01/2025
C_0001,achat,12,02/01/2025
C_0001,page_vue,,2025-01-02T10:00:00
C_0001,page_vue,,2025-01-02T10:00:00
C_0001,clic,,02/01/2025 10:00
C_0001,clic,,02/01/2025 10:00
C_0009,page_vue,,02/01/2025 10:00
C_0009,page_vue,,02/01/2025 10:00
C_0001,clic,,2025-01-02T10:00:00
C_0001,clic,,2025-01-02T10:00:00
C_0001,clic,,02/01/2025 10:00:99
C_0001,clic,,02/01/2025 10:00:99
";
    let (_, report) = run(&clients, interactions, &january());
    let rule_of: Vec<(u64, &str)> = rejects(&report, 1).iter().map(|r| (r.0, r.2)).collect();
    assert_eq!(
        rule_of,
        // A faulty row's copy is judged the same way, even when its checks stopped
        // before its time (`clic`, an unknown customer); a time that does not parse
        // is not to the second.
        [
            (8, rules::DUPLICATE_ROW),
            (9, rules::UNKNOWN_ACTION),
            (10, rules::UNKNOWN_ACTION),
            (11, rules::UNKNOWN_CLIENT),
            (12, rules::UNKNOWN_CLIENT),
            (13, rules::UNKNOWN_ACTION),
            (14, rules::DUPLICATE_ROW),
            (15, rules::UNKNOWN_ACTION),
            (16, rules::UNKNOWN_ACTION),
        ]
    );
    assert_eq!(report.interactions.kept, 6);
    assert_eq!(
        report.interactions.corrected_by_rule,
        counts(&[(rules::REPEATED_ROW, 3)])
    );
}

#[test]
fn a_time_in_a_column_of_its_own_joins_its_date() {
    let clients = format!("{CLIENTS_HEADER}C_0001,34,Paris,Premium,SEO,,\n");
    let interactions = "client_id;type_action;valeur_achat;Date;Heure
C_0001;page_vue;;02/01/2025;10:05
C_0001;achat;12;02/01/2025;10:07:30
C_0001;page_vue;;2025-01-03T08:00:00;
C_0001;page_vue;;03/01/2025;
C_0001;page_vue;;03/01/2025;25:00
";
    let (ds, report) = run(&clients, interactions, &january());
    let rule_of: Vec<(u64, &str, String)> = rejects(&report, 1).iter().map(|r| (r.0, r.2, r.3.clone())).collect();
    assert_eq!(rule_of, [(6, rules::INVALID_DATE, "03/01/2025 25:00".to_string())]);
    assert_eq!(
        ds.interactions.ts.to_vec(),
        [
            ts(2025, 1, 2, 10, 5, 0),
            ts(2025, 1, 2, 10, 7, 30),
            ts(2025, 1, 3, 8, 0, 0),
            ts(2025, 1, 3, 0, 0, 0)
        ]
    );
    // Times known: sessions by the 30-minute rule, not by day.
    assert_eq!(report.session_rule, SessionRule::Gap);
}

#[test]
fn a_header_repeated_among_the_rows_is_named() {
    // Two exports put end to end: the second's header (with its BOM, in another case).
    let clients = format!("{CLIENTS_HEADER}C_0001,34,Paris,Premium,SEO,,\n\u{feff}CLIENT_ID, age ,ville,segment,canal_acquisition,date_inscription,consentement_marketing\nC_0002,40,Lyon,Basique,Email,,\n");
    let interactions = format!(
        "{INTERACTIONS_HEADER}I_1,C_0001,S_1,page_vue,,2025-01-10T10:00:00\n{INTERACTIONS_HEADER}{INTERACTIONS_HEADER}I_2,C_0002,S_2,page_vue,,2025-01-10T11:00:00\n"
    );
    let (_, report) = run(&clients, &interactions, &january());
    let rule_of = |file| -> Vec<(u64, &str)> { rejects(&report, file).iter().map(|r| (r.0, r.2)).collect() };
    assert_eq!(rule_of(0), [(3, rules::REPEATED_HEADER)]);
    assert_eq!(rule_of(1), [(3, rules::REPEATED_HEADER), (4, rules::REPEATED_HEADER)]);
    assert_eq!((report.clients.kept, report.interactions.kept), (2, 2));
}
