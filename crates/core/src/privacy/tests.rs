use super::*;
use crate::clean::CleanOptions;
use crate::export::export_to_memory;
use crate::metrics::Filter;
use crate::pipeline::{prepare, Prepared, Source};

const CLIENTS: &str = "\
client_id,age,ville,segment,canal_acquisition,code_postal,departement,consentement_marketing,email,Téléphone,notes
A1,34,Lyon,Premium,SEO,69001,69,oui,a@x.fr,06 11 22 33 44,x
A2,35,Lyon,Premium,SEO,69002,69,non,b@x.fr,06 11 22 33 45,y
A3,61,Paris,Basique,Email,75001,75,oui,c@x.fr,06 11 22 33 46,z
";

const INTERACTIONS: &str = "\
interaction_id,client_id,type_action,valeur_achat,horodatage
I1,A1,page_vue,,2025-01-02 10:00:00
I2,A1,achat,12.50,2025-01-02 10:05:00
I3,A2,page_vue,,2025-01-03 11:00:00
I4,A3,achat,40,2025-01-04 12:00:00
I5,ZZ9,achat,5,2025-01-04 12:00:00
";

fn prepared(clients: &str, interactions: &str) -> Prepared {
    let source = Source::Files {
        clients: ("clients.csv", clients.as_bytes()),
        interactions: ("interactions.csv", interactions.as_bytes()),
    };
    prepare(source, &CleanOptions::default(), &mut |_, _| {}).expect("imports")
}

fn files(p: &Prepared, privacy: &Privacy) -> std::collections::HashMap<String, String> {
    let filter = Filter::default();
    let (_, files) = export_to_memory(&p.export_input(&filter, privacy)).expect("exports");
    files
        .into_iter()
        .map(|(n, b)| (n, String::from_utf8(b).expect("UTF-8")))
        .collect()
}

fn opts(passphrase: &str) -> PrivacyOptions {
    PrivacyOptions {
        passphrase: Some(passphrase.to_string()),
        ..PrivacyOptions::default()
    }
}

#[test]
fn identifier_columns_are_listed_and_never_written() {
    let p = prepared(CLIENTS, INTERACTIONS);
    let privacy = p.privacy(&opts("s3cret"), None).unwrap();
    let dropped: Vec<(&str, Option<IdentifierKind>)> = privacy
        .report
        .identifiers_dropped
        .iter()
        .map(|n| (n.column.as_str(), n.identifier))
        .collect();
    assert_eq!(
        dropped,
        [
            ("email", Some(IdentifierKind::Email)),
            ("Téléphone", Some(IdentifierKind::Phone))
        ]
    );
    let ignored: Vec<&str> = privacy
        .report
        .columns_ignored
        .iter()
        .map(|n| n.column.as_str())
        .collect();
    assert_eq!(ignored, ["notes"]);
    for (name, text) in files(&p, &privacy) {
        for secret in ["a@x.fr", "06 11 22 33 44", "s3cret"] {
            assert!(!text.contains(secret), "{secret} in {name}");
        }
    }
}

#[test]
fn pseudonyms_are_keyed_consistent_across_files_and_reproducible() {
    let p = prepared(CLIENTS, INTERACTIONS);
    let a = files(&p, &p.privacy(&opts("one"), None).unwrap());
    let b = files(&p, &p.privacy(&opts("one"), None).unwrap());
    let c = files(&p, &p.privacy(&opts("two"), None).unwrap());
    assert_eq!(a, b, "same passphrase, same bytes");
    let key = Key::from_passphrase("one");
    let a1 = pseudonym(&key, "A1");
    assert!(a1.starts_with("P_") && a1.len() == 2 + PSEUDONYM_HEX, "{a1}");
    assert_ne!(a1, pseudonym(&Key::from_passphrase("two"), "A1"));
    for name in ["clients.csv", "interactions.csv", "donnees_marketing.csv", "rfm.csv"] {
        assert!(a[name].contains(&a1), "{name}: {}", a[name]);
        assert!(!a[name].contains(",A1,") && !a[name].contains("\nA1,"), "{name}");
        assert_ne!(a[name], c[name], "{name} depends on the key");
    }
    // The orphan's raw id is pseudonymised in rejects.csv too.
    assert!(
        a["rejects.csv"].contains(&pseudonym(&key, "ZZ9")),
        "{}",
        a["rejects.csv"]
    );
    assert!(!a["rejects.csv"].contains("ZZ9"));
    // Random keys: a fresh one each time unless the caller keeps it.
    let r1 = p.privacy(&PrivacyOptions::default(), None).unwrap();
    let r2 = p.privacy(&PrivacyOptions::default(), None).unwrap();
    assert_eq!(r1.report.key, Some(KeySource::Random));
    assert_ne!(files(&p, &r1)["clients.csv"], files(&p, &r2)["clients.csv"]);
    let kept = Key::random().unwrap();
    let k1 = files(&p, &p.privacy(&PrivacyOptions::default(), Some(&kept)).unwrap());
    let k2 = files(&p, &p.privacy(&PrivacyOptions::default(), Some(&kept)).unwrap());
    assert_eq!(k1["clients.csv"], k2["clients.csv"]);
}

#[test]
fn generated_data_keeps_ids_unless_asked() {
    let gen = crate::generate::GenerateOptions {
        customers: 50,
        interactions: 300,
        ..Default::default()
    };
    let p = prepare(Source::Generate(gen), &CleanOptions::default(), &mut |_, _| {}).unwrap();
    let privacy = p.privacy(&PrivacyOptions::default(), None).unwrap();
    assert!(!privacy.report.pseudonymised);
    assert!(files(&p, &privacy)["clients.csv"].contains("\nC_0001,"));
    // The generator's synthetic prénom, nom and email are found and dropped.
    let mut dropped: Vec<&str> = privacy
        .report
        .identifiers_dropped
        .iter()
        .map(|n| n.column.as_str())
        .collect();
    dropped.sort();
    assert_eq!(dropped, ["email", "nom", "prenom"]);
    let on = PrivacyOptions {
        pseudonymise: Some(true),
        ..opts("x")
    };
    assert!(!files(&p, &p.privacy(&on, None).unwrap())["clients.csv"].contains("C_0001"));
}

#[test]
fn an_email_client_id_forces_pseudonyms() {
    let clients =
        "client,age,segment,canal\njo@x.fr,30,Premium,SEO\nal@y.fr,40,Standard,Email\nli@z.fr,50,Basique,Direct\n";
    let inter = "client,action,montant,date\njo@x.fr,achat,10,2025-01-02\n";
    let p = prepared(clients, inter);
    let off = PrivacyOptions {
        pseudonymise: Some(false),
        ..PrivacyOptions::default()
    };
    let privacy = p.privacy(&off, None).unwrap();
    assert!(privacy.report.pseudonymised && privacy.report.pseudonymisation_forced);
    for (name, text) in files(&p, &privacy) {
        assert!(!text.contains("jo@x.fr"), "{name}");
    }
}

#[test]
fn generalisation_and_consent() {
    let p = prepared(CLIENTS, INTERACTIONS);
    let o = PrivacyOptions {
        age_bands: true,
        departement_only: true,
        consent_only: true,
        ..opts("k")
    };
    let privacy = p.privacy(&o, None).unwrap();
    assert_eq!(privacy.report.customers_left_out, 1);
    let f = files(&p, &privacy);
    let rows: Vec<&str> = f["clients.csv"].lines().skip(1).collect();
    assert_eq!(rows.len(), 2, "{rows:?}");
    let key = Key::from_passphrase("k");
    assert_eq!(
        rows[0],
        format!("{},25-34,,Premium,SEO,,69,,true", pseudonym(&key, "A1"))
    );
    assert!(!f["donnees_marketing.csv"].contains("Lyon") && f["donnees_marketing.csv"].contains(",25-34,"));
    assert!(
        !f["interactions.csv"].contains(&pseudonym(&key, "A2")),
        "no consent, no rows"
    );
    // Aggregates still count every customer.
    assert!(f["kpis.csv"].starts_with("metric,value,suppressed\n"));
    // Every kept customer here has a département: no place lost; none counted
    // without the option (nor written in the manifest).
    assert_eq!(privacy.report.places_lost, Some(0));
    let plain = p.privacy(&opts("k"), None).unwrap();
    assert_eq!(plain.report.places_lost, None);
    assert!(!serde_json::to_string(&plain.report).unwrap().contains("places_lost"));
}

#[test]
fn a_commune_without_a_departement_is_counted_as_a_place_lost() {
    // A1 has a commune and no postcode, A4 a postcode that gives no département
    // (Belgian): nothing places them. A2's postcode gives its département; A3 has no
    // place at all.
    let clients = "client_id,age,ville,segment,canal_acquisition,code_postal\n\
                   A1,30,Paris,Premium,SEO,\nA2,40,Lyon,Premium,SEO,69001\nA3,50,,Premium,SEO,\n\
                   A4,60,Bruxelles,Premium,SEO,B-1000\n";
    let inter = "client_id,type_action,valeur_achat,date\nA1,achat,10,2025-01-02\n";
    let p = prepared(clients, inter);
    let o = PrivacyOptions {
        departement_only: true,
        ..opts("k")
    };
    assert_eq!(p.privacy(&o, None).unwrap().report.places_lost, Some(2));
}

#[test]
fn k_anonymity_report_and_suppression() {
    // 6 customers share one profile, 2 another, 1 is alone.
    let mut clients = String::from("client_id,age,ville,segment,canal_acquisition,code_postal,departement\n");
    let mut inter = String::from("client_id,type_action,valeur_achat,horodatage\n");
    for i in 0..9 {
        let (age, seg, ch) = match i {
            0..=5 => (30, "Premium", "SEO"),
            6 | 7 => (50, "Standard", "Email"),
            _ => (70, "Basique", "Direct"),
        };
        clients += &format!("K{i},{age},Lyon,{seg},{ch},69001,69\n");
        inter += &format!("K{i},achat,10,2025-01-0{}\n", 1 + i % 3);
    }
    let p = prepared(&clients, &inter);
    let privacy = p.privacy(&opts("k"), None).unwrap();
    let r = &privacy.report;
    assert_eq!((r.k, r.groups, r.smallest_group), (5, 3, 1));
    assert_eq!((r.groups_below_k, r.customers_below_k), (2, 3));
    let f = files(&p, &privacy);
    let channel = |label: &str| {
        f["by_channel.csv"]
            .lines()
            .find(|l| l.starts_with(label))
            .unwrap_or_default()
            .to_string()
    };
    assert!(channel("SEO,6,6,6,").ends_with(",false"), "{}", channel("SEO"));
    assert_eq!(channel("Email"), "Email,,,,,,,,,,true");
    assert_eq!(channel("Direct"), "Direct,,,,,,,,,,true");
    // Each day has 3 buyers: blanked.
    assert!(
        f["daily.csv"].lines().skip(1).all(|l| l.ends_with(",,,,,,,true")),
        "{}",
        f["daily.csv"]
    );
    let manifest: serde_json::Value = serde_json::from_str(&f["manifest.json"]).unwrap();
    assert_eq!(manifest["privacy"]["suppressed_rows"]["by_channel.csv"], 2);
    assert_blanked_rows_are_counted(&f);
    assert_eq!(manifest["privacy"]["customers_below_k"], 3);
    assert_eq!(manifest["privacy"]["key"], "passphrase");
    // k = 1 blanks nothing.
    let none = p.privacy(&PrivacyOptions { k: 1, ..opts("k") }, None).unwrap();
    assert!(!files(&p, &none)["by_channel.csv"].contains(",true"));
}

#[test]
fn a_row_blanked_alone_takes_the_smallest_other_with_it() {
    // 8 customers on SEO, 6 on Email, 1 on Direct: Direct alone under k = 5 would be
    // kpis.csv minus SEO and Email; Email is blanked with it.
    let mut clients = String::from("client_id,age,ville,segment,canal_acquisition\n");
    let mut inter = String::from("client_id,type_action,valeur_achat,date\n");
    for i in 0..15 {
        let channel = match i {
            0..=7 => "SEO",
            8..=13 => "Email",
            _ => "Direct",
        };
        clients += &format!("K{i},{},Lyon,Premium,{channel}\n", 20 + i);
        inter += &format!("K{i},achat,{},2025-01-0{}\n", 10 + i, 1 + i % 2);
    }
    let p = prepared(&clients, &inter);
    let privacy = p.privacy(&opts("k"), None).unwrap();
    let f = files(&p, &privacy);
    let row = |file: &str, label: &str| {
        f[file]
            .lines()
            .find(|l| l.starts_with(&format!("{label},")))
            .unwrap_or_default()
            .to_string()
    };
    assert!(
        row("by_channel.csv", "SEO").ends_with(",false"),
        "{}",
        f["by_channel.csv"]
    );
    assert_eq!(row("by_channel.csv", "Email"), "Email,,,,,,,,,,true");
    assert_eq!(row("by_channel.csv", "Direct"), "Direct,,,,,,,,,,true");
    // The funnel's channel rows likewise; its `all` row stays.
    assert!(row("funnel.csv", "all").ends_with(",false"));
    assert!(row("funnel.csv", "Email").ends_with(",true") && row("funnel.csv", "Direct").ends_with(",true"));
    // No file has a single blanked row among several.
    for file in [
        "by_channel.csv",
        "by_segment.csv",
        "age_bands.csv",
        "daily.csv",
        "rfm_segments.csv",
    ] {
        let rows: Vec<&str> = f[file].lines().skip(1).collect();
        let blanked = rows.iter().filter(|l| l.ends_with(",true")).count();
        assert!(rows.len() < 2 || blanked != 1, "{file}: {}", f[file]);
    }
    assert_blanked_rows_are_counted(&f);
}

#[test]
fn a_day_with_fewer_than_k_buyers_is_blanked_however_many_visited() {
    // Jan 1: six visitors, one of whom (K0) buys for 500.08; Jan 2: six others, all
    // buying; Jan 3: all twelve visit, K0 to K5 buy. Jan 1's revenue would be one
    // customer's spend: blanked, with Jan 2 as its complement.
    let mut clients = String::from("client_id,age,ville,segment,canal_acquisition\n");
    let mut inter = String::from("client_id,type_action,valeur_achat,date\n");
    for i in 0..12 {
        clients += &format!("K{i},{},Lyon,Premium,SEO\n", 20 + i);
        inter += &format!("K{i},page_vue,,2025-01-03\n");
        if i < 6 {
            inter += &format!("K{i},page_vue,,2025-01-01\n");
            inter += &format!("K{i},achat,{},2025-01-03\n", 20 + i);
        } else {
            inter += &format!("K{i},achat,{},2025-01-02\n", 10 + i);
        }
    }
    inter += "K0,achat,500.08,2025-01-01\n";
    let p = prepared(&clients, &inter);
    let day = |d: usize| p.report.daily[d];
    assert_eq!((day(0).active_customers, day(0).buyers), (6, 1));
    assert_eq!((day(1).active_customers, day(1).buyers), (6, 6));
    assert_eq!((day(2).active_customers, day(2).buyers), (12, 6));
    let privacy = p.privacy(&opts("k"), None).unwrap();
    let f = files(&p, &privacy);
    let rows: Vec<&str> = f["daily.csv"].lines().collect();
    assert_eq!(
        rows[0],
        "date,interactions,page_views,carts,purchases,revenue,active_customers,buyers,suppressed"
    );
    assert_eq!(rows[1], "2025-01-01,,,,,,,,true");
    assert_eq!(rows[2], "2025-01-02,,,,,,,,true");
    assert!(
        rows[3].starts_with("2025-01-03,18,12,0,6,") && rows[3].ends_with(",12,6,false"),
        "{}",
        rows[3]
    );
    assert!(!f["daily.csv"].contains("500.08"));
    assert_blanked_rows_are_counted(&f);
}

#[test]
fn the_complement_is_the_smallest_other_row_that_hides_something() {
    let k = |sizes: &[u64]| sizes.iter().map(|&n| (n == 0, n)).collect::<Vec<_>>();
    assert_eq!(
        complemented(vec![false, true, false], &k(&[9, 2, 7])),
        [false, true, true]
    );
    assert_eq!(
        complemented(vec![false, true, false, false], &k(&[0, 2, 7, 7])),
        [false, true, true, false]
    );
    assert_eq!(complemented(vec![true, false], &k(&[1, 0])), [true, true]);
    // A row that tells nothing in a column (no buyer) is passed over for a larger one.
    assert_eq!(
        complemented(vec![true, false, false], &[(false, 40), (true, 6), (false, 90)]),
        [true, false, true]
    );
    // None, or two already, or a single row: as they are.
    assert_eq!(complemented(vec![false, false], &k(&[9, 2])), [false, false]);
    assert_eq!(
        complemented(vec![true, true, false], &k(&[1, 2, 9])),
        [true, true, false]
    );
    assert_eq!(complemented(vec![true], &k(&[1])), [true]);
}

#[test]
fn a_channel_blanked_for_its_buyers_is_not_one_subtraction_away_in_any_file() {
    // Direct: 8 customers, 2 buyers (under k = 5); Email: 6 customers, no buyer; SEO:
    // 10 customers, all buyers. Email cannot hide Direct's revenue: SEO is blanked with
    // it, in by_channel.csv and in funnel.csv alike.
    let mut clients = String::from("client_id,age,ville,segment,canal_acquisition\n");
    let mut inter = String::from("client_id,type_action,valeur_achat,date\n");
    for i in 0..24 {
        let (channel, buys) = match i {
            0..=7 => ("Direct", i < 2),
            8..=13 => ("Email", false),
            _ => ("SEO", true),
        };
        clients += &format!("K{i},{},Lyon,Premium,{channel}\n", 20 + i);
        if buys {
            inter += &format!("K{i},achat,{},2025-01-0{}\n", 10 + i, 1 + i % 2);
        } else {
            inter += &format!("K{i},page_vue,,2025-01-0{}\n", 1 + i % 2);
        }
    }
    let p = prepared(&clients, &inter);
    let f = files(&p, &p.privacy(&opts("k"), None).unwrap());
    let hidden = |file: &str| -> Vec<String> {
        let mut v: Vec<String> = f[file]
            .lines()
            .skip(1)
            .filter(|l| l.ends_with(",true"))
            .map(|l| l.split(',').next().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    assert_eq!(hidden("by_channel.csv"), ["Direct", "SEO"], "{}", f["by_channel.csv"]);
    assert_eq!(hidden("funnel.csv"), ["Direct", "SEO"], "{}", f["funnel.csv"]);
    assert_blanked_rows_are_counted(&f);
}

/// The manifest's count of blanked rows per file is the number of rows flagged
/// `suppressed=true` in that file.
fn assert_blanked_rows_are_counted(f: &std::collections::HashMap<String, String>) {
    let manifest: serde_json::Value = serde_json::from_str(&f["manifest.json"]).unwrap();
    let counts = manifest["privacy"]["suppressed_rows"].as_object().unwrap();
    assert!(counts.len() >= 6, "{counts:?}");
    for (file, n) in counts {
        let flagged = f[file].lines().skip(1).filter(|l| l.ends_with(",true")).count();
        assert_eq!(n.as_u64(), Some(flagged as u64), "{file}");
    }
}

#[test]
fn a_selection_under_k_blanks_every_kpi_row_and_counts_them_all() {
    let clients = "client_id,age,ville,segment,canal_acquisition\nK1,30,Lyon,Premium,SEO\nK2,40,Lyon,Premium,SEO\n";
    let inter = "client_id,type_action,valeur_achat,date\nK1,achat,10,2025-01-01\nK2,page_vue,,2025-01-02\n";
    let p = prepared(clients, inter);
    let privacy = p.privacy(&opts("k"), None).unwrap();
    let f = files(&p, &privacy);
    let kpis: Vec<&str> = f["kpis.csv"].lines().skip(1).collect();
    assert_eq!(kpis.len(), 11);
    assert!(kpis.iter().all(|l| l.ends_with(",,true")), "{kpis:?}");
    assert_blanked_rows_are_counted(&f);
}

#[test]
fn reject_values_that_look_like_identifiers_are_withheld() {
    let p = prepared(CLIENTS, INTERACTIONS);
    let privacy = Privacy::off(&p.dataset, &p.clean);
    assert_eq!(privacy.reject_value("age", "jo@x.fr"), "[withheld: email]");
    assert_eq!(privacy.reject_value("age", "abc"), "abc");
    assert_eq!(privacy.reject_value("client_id", "ZZ9"), "ZZ9");
}

#[test]
fn a_customers_rejects_carry_their_kept_pseudonym_and_long_identifiers_are_withheld_whole() {
    // An id ending in a no-break space (kept so by cleaning), repeated: its
    // duplicate_id reject has the pseudonym of its kept rows.
    let nbsp = "C_002\u{a0}";
    let age = format!("{}jean.dupont@example.fr", "x".repeat(190));
    // So is an id longer than a reject's cut.
    let long = format!("C_{}", "9".repeat(300));
    let clients = format!(
        "client_id,age,ville,segment,canal_acquisition\n{nbsp},34,Paris,Premium,SEO\n{nbsp},35,Paris,Premium,SEO\n\
         C_003,{age},Lyon,Basique,Email\n{long},40,Paris,Premium,SEO\n{long},41,Paris,Premium,SEO\n"
    );
    let interactions = format!(
        "client_id,type_action,valeur_achat,horodatage\n{nbsp},page_vue,,2025-01-02 10:00:00\n\
         {age},page_vue,,2025-01-02 10:00:00\n"
    );
    let p = prepared(&clients, &interactions);
    let f = files(&p, &p.privacy(&opts("x"), None).unwrap());
    let kept = pseudonym(&Key::from_passphrase("x"), nbsp);
    assert!(f["clients.csv"].contains(&kept), "{}", f["clients.csv"]);
    assert!(
        f["rejects.csv"].contains(&format!("clients.csv,3,client_id,duplicate_id,{kept}")),
        "{}",
        f["rejects.csv"]
    );
    let kept_long = pseudonym(&Key::from_passphrase("x"), &long);
    assert!(f["clients.csv"].contains(&kept_long), "{}", f["clients.csv"]);
    assert!(
        f["rejects.csv"].contains(&format!("clients.csv,6,client_id,duplicate_id,{kept_long}")),
        "{}",
        f["rejects.csv"]
    );
    // A value over 200 bytes that is an email whole: withheld, not cut to a piece of it.
    assert!(
        f["rejects.csv"].contains("clients.csv,4,age,invalid_age,[withheld: email]"),
        "{}",
        f["rejects.csv"]
    );
    assert!(!f["rejects.csv"].contains("jean"), "{}", f["rejects.csv"]);
    // A long unknown client_id that is an email: pseudonymised in the file, and on
    // the user's own screen withheld whole, not shown cut.
    let r = p.clean.rejects.iter().find(|r| r.rule == "unknown_client").unwrap();
    assert_eq!(Privacy::reject_as_written(r), "[withheld: email]");
    let none = p
        .privacy(
            &PrivacyOptions {
                pseudonymise: Some(false),
                ..opts("x")
            },
            None,
        )
        .unwrap();
    assert_eq!(none.reject_cell(r), "[withheld: email]");
}

#[test]
fn a_file_that_keeps_nothing_says_so_without_an_identifier() {
    let interactions = "client_id,type_action,valeur_achat,horodatage\njo@x.fr,achat,5,2025-01-02 10:00:00\n";
    let p = prepared(CLIENTS, interactions);
    let said = p.clean.nothing_kept().expect("nothing kept");
    assert!(said.contains("\"[withheld: email]\""), "{said}");
    assert!(!said.contains("jo@x.fr"), "{said}");
}

#[test]
fn group_sizes_count_each_key_once_whether_packed_or_not() {
    // A plain count of the same keys, in key order.
    let by_map = |keys: &[[u32; 5]], members: &[usize]| -> Vec<u64> {
        let mut m = BTreeMap::new();
        for &i in members {
            *m.entry(keys[i]).or_insert(0u64) += 1;
        }
        m.into_values().collect()
    };
    let mut x = 7u64;
    let mut next = |below: u64| {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((x >> 33) % below) as u32
    };
    // Small codes (packed into 12 bits), then codes too wide to pack (3 + 32 + 31 + 2
    // + 2 bits: sorted as arrays). 1,152 keys for about 2,900 customers: groups of
    // all sizes.
    for scale in [1, u32::MAX / 7] {
        let keys: Vec<[u32; 5]> = (0..5_000)
            .map(|_| [next(6), next(8) * scale, next(4) * scale, next(3), next(4)])
            .collect();
        // Some customers left out, as consent-only does.
        let members: Vec<usize> = (0..keys.len()).filter(|i| i % 2 == 0 || i % 7 == 0).collect();
        let sizes = group_sizes(&members, |i| keys[i]);
        assert_eq!(sizes, by_map(&keys, &members), "codes scaled by {scale}");
        assert_eq!(sizes.iter().sum::<u64>(), members.len() as u64);
        assert!(sizes.contains(&1) && sizes.iter().any(|&n| n > 4));
    }
    assert!(group_sizes(&[], |_| [0; 5]).is_empty());
    // One customer, one group of three, two groups of two.
    assert_eq!(group_sizes(&[0], |_| [1; 5]), vec![1]);
    assert_eq!(group_sizes(&[0, 1, 2], |_| [3; 5]), vec![3]);
    assert_eq!(group_sizes(&[0, 1, 2, 3], |i| [(i % 2) as u32; 5]), vec![2, 2]);
}
