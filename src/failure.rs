//! Why something failed, as the worker tells the page, and its wording in the page's
//! language. The page words the common cases itself, in terms of its own controls
//! (the command line's flags mean nothing there); anything rarer keeps the engine's
//! English sentence.

use crate::i18n::Lang;
use numberly_core::error::{Format, MissingHint, Problem};
use serde::{Deserialize, Serialize};

/// A failure to show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Failure {
    /// A file that cannot be used.
    Input {
        /// The file's name.
        file: String,
        /// What is wrong with it.
        problem: Problem,
    },
    /// A file larger than the tab can hold.
    TooLarge {
        /// The file's name.
        file: String,
        /// Its size, in bytes.
        bytes: f64,
        /// The largest size that imports, in bytes.
        limit: f64,
    },
    /// An import was asked with one file only: 0 the clients file is missing, 1 the
    /// interactions file.
    MissingFile(u8),
    /// The browser could not compute the files' checksums.
    Checksums,
    /// Asked before any run.
    NoRun,
    /// The engine worker died (most likely out of memory), with the browser's detail.
    Crashed(String),
    /// Anything else, in English.
    Other(String),
}

impl From<numberly_core::Error> for Failure {
    fn from(e: numberly_core::Error) -> Self {
        match e {
            numberly_core::Error::Input { file, problem } => Failure::Input {
                file,
                problem: *problem,
            },
            other => Failure::Other(other.to_string()),
        }
    }
}

impl Failure {
    /// The sentence to show, in `lang`.
    pub fn text(&self, lang: Lang) -> String {
        let fr = lang == Lang::Fr;
        match self {
            Failure::Input { file, problem } => format!("{file}{} {}", colon(fr), problem_text(problem, fr)),
            Failure::TooLarge { file, bytes, limit } => {
                let gb = |b: f64| {
                    let text = format!("{:.1}", b / 1e9);
                    if fr {
                        text.replace('.', ",")
                    } else {
                        text
                    }
                };
                if fr {
                    format!(
                        "{file} : ce fichier fait {} Go, plus que cet onglet ne peut en lire (jusqu'à {} Go). \
Découpez-le, ou traitez-le avec la commande numberly run.",
                        gb(*bytes),
                        gb(*limit)
                    )
                } else {
                    format!(
                        "{file}: this file is {} GB, more than this tab can read (files up to {} GB import). \
Split it, or process it with the numberly run command.",
                        gb(*bytes),
                        gb(*limit)
                    )
                }
            }
            Failure::MissingFile(which) => missing_file(*which, fr).to_string(),
            Failure::Checksums => if fr {
                "Le navigateur n'a pas pu calculer les empreintes des fichiers : relancez."
            } else {
                "The browser could not compute the files' checksums: run again."
            }
            .to_string(),
            Failure::NoRun => if fr {
                "Lancez d'abord une analyse."
            } else {
                "Run an analysis first."
            }
            .to_string(),
            Failure::Crashed(detail) => {
                if fr {
                    format!(
                        "Le moteur s'est arrêté ({detail}), très probablement faute de mémoire. Essayez des fichiers \
plus petits, ou la commande numberly run. La page reste utilisable."
                    )
                } else {
                    format!(
                        "The engine stopped ({detail}); it most likely ran out of memory. Try smaller files, or the \
numberly run command. The page keeps working."
                    )
                }
            }
            Failure::Other(message) => message.clone(),
        }
    }
}

/// The sentence for an import with one file only.
pub fn missing_file(which: u8, fr: bool) -> &'static str {
    match (which, fr) {
        (0, true) => {
            "Il manque le fichier clients : choisissez-le aussi (un fichier fusionné comme donnees_marketing.csv \
s'importe avec le clients.csv de la même source), ou revenez aux données d'exemple."
        }
        (0, false) => {
            "The clients file is missing: choose it too (a merged file such as donnees_marketing.csv imports with \
the clients.csv from the same source), or go back to sample data."
        }
        (_, true) => "Il manque le fichier interactions : choisissez-le aussi, ou revenez aux données d'exemple.",
        (_, false) => "The interactions file is missing: choose it too, or go back to sample data.",
    }
}

/// One sentence when an imported file has a header but no rows under it: nothing to
/// compute on. Said before [`nothing_kept`], which would blame the other file (a
/// clients file without rows leaves every interaction without its customer).
pub fn header_only(files: &[numberly_core::clean::FileReport], lang: Lang) -> Option<String> {
    let f = files.iter().find(|f| f.read == 0)?;
    Some(if lang == Lang::Fr {
        format!("{}{} il a un en-tête mais aucune ligne dessous.", f.file, colon(true))
    } else {
        format!("{}{} it has a header but no rows under it.", f.file, colon(false))
    })
}

/// One sentence when an imported file has rows but keeps none (the clients file
/// first, since its rejections reject the interactions too): how many, its most
/// frequent rule and, when `rejects` holds it, the first row that broke it. The
/// engine's [`numberly_core::clean::CleanReport::nothing_kept`], in the page's words.
pub fn nothing_kept(
    files: &[numberly_core::clean::FileReport],
    rejects: &[crate::worker::protocol::RejectRow],
    lang: Lang,
) -> Option<String> {
    let fr = lang == Lang::Fr;
    let (f, (rule, n)) = files.iter().find_map(|f| Some((f, f.kept_nothing()?)))?;
    let rows = match (f.read, fr) {
        (1, true) => "sa seule ligne n'a pas été gardée".to_string(),
        (1, false) => "its one row was not kept".to_string(),
        (read, true) => format!("aucune de ses {} lignes n'a été gardée", lang.int(read)),
        (read, false) => format!("none of its {} rows was kept", lang.int(read)),
    };
    let first = rejects
        .iter()
        .find(|r| r.file == f.file && r.rule == rule)
        .map(|r| {
            let column = if r.header.is_empty() { &r.column } else { &r.header };
            let value: String = r.raw.chars().take(60).collect();
            if fr {
                format!(" ; la première à la ligne {}, colonne {column} : « {value} »", r.line)
            } else {
                format!("; first at line {}, column {column}: \"{value}\"", r.line)
            }
        })
        .unwrap_or_default();
    let (quality, n) = (lang.t("quality"), lang.int(n));
    let rule = lang.rule(rule);
    Some(if fr {
        format!(
            "{}{} {rows} ({rule} : {n}{first}). Les lignes rejetées sont dans « {quality} » et rejects.csv.",
            f.file,
            colon(fr)
        )
    } else {
        format!(
            "{}{} {rows} ({rule}: {n}{first}). The rejected rows are in \"{quality}\" and rejects.csv.",
            f.file,
            colon(fr)
        )
    })
}

/// The colon after a file name: French puts a space before it.
fn colon(fr: bool) -> &'static str {
    if fr {
        " :"
    } else {
        ":"
    }
}

/// The title of the column list of the clients or interactions file, as the page shows it.
fn column_list(clients: bool, fr: bool) -> &'static str {
    match (clients, fr) {
        (true, true) => "« Colonnes du fichier clients »",
        (true, false) => "\"Clients file columns\"",
        (false, true) => "« Colonnes du fichier interactions »",
        (false, false) => "\"Interactions file columns\"",
    }
}

/// `YYYY-MM-DD` as French writes it (`DD/MM/YYYY`); any other text as it is.
fn french_date(iso: &str) -> String {
    match iso.split('-').collect::<Vec<_>>()[..] {
        [y, m, d] if y.len() == 4 && m.len() == 2 && d.len() == 2 => format!("{d}/{m}/{y}"),
        _ => iso.to_string(),
    }
}

fn problem_text(problem: &Problem, fr: bool) -> String {
    let excel = if fr {
        " Dans Excel : « Enregistrer sous », type « CSV UTF-8 » ou « CSV (séparateur : point-virgule) »."
    } else {
        " In Excel: \"Save As\", type \"CSV UTF-8\" or \"CSV (Comma delimited)\"."
    };
    match (problem, fr) {
        (Problem::Empty, true) => "le fichier est vide.".into(),
        (Problem::Empty, false) => "the file is empty.".into(),
        (Problem::Utf16, true) => {
            format!("ce fichier est du texte UTF-16 (« Texte Unicode » d'Excel), qui n'est pas lu.{excel}")
        }
        (Problem::Utf16, false) => format!("this is UTF-16 text (Excel's \"Unicode Text\"), which is not read.{excel}"),
        (Problem::NotCsv(format), _) => {
            let what = match (format, fr) {
                (Format::Zip, true) => "une archive zip ou un classeur Excel .xlsx",
                (Format::Xls, true) => "un classeur Excel .xls",
                (Format::Pdf, true) => "un document PDF",
                (Format::Png, true) => "une image PNG",
                (Format::Jpeg, true) => "une image JPEG",
                (Format::Gif, true) => "une image GIF",
                (f, false) => f.english(),
            };
            let hint = if matches!(format, Format::Zip | Format::Xls) {
                excel
            } else {
                ""
            };
            if fr {
                format!("ce n'est pas un fichier CSV : on dirait {what}.{hint}")
            } else {
                format!("this is not a CSV file: it looks like {what}.{hint}")
            }
        }
        (Problem::Binary, true) => "ce n'est pas un fichier texte CSV : il contient des données binaires.".into(),
        (Problem::Binary, false) => "this is not a CSV text file: it contains binary data.".into(),
        (
            Problem::MissingColumn {
                column,
                expected,
                header,
                hint,
                also_missing,
            },
            _,
        ) => {
            let mut text = if fr {
                format!(
                    "la colonne obligatoire {column} manque (noms reconnus : {} ; l'en-tête du fichier : {header}).",
                    expected.join(", ")
                )
            } else {
                format!(
                    "the required column {column} is missing (names recognised: {}; the file's header: {header}).",
                    expected.join(", ")
                )
            };
            match (also_missing.len(), fr) {
                (0, _) => {}
                (1, true) => text.push_str(&format!(" La colonne {} manque aussi.", also_missing[0])),
                (_, true) => text.push_str(&format!(" Manquent aussi : {}.", also_missing.join(", "))),
                (_, false) => text.push_str(&format!(" Also missing: {}.", also_missing.join(", "))),
            }
            text.push(' ');
            text.push_str(&match (hint, fr) {
                (MissingHint::Pipe, true) => {
                    "Les colonnes semblent séparées par « | », qui n'est pas lu : enregistrez le fichier avec « , », \
« ; » ou des tabulations."
                        .to_string()
                }
                (MissingHint::Pipe, false) => {
                    "The columns seem separated by \"|\", which is not read: save the file with \",\", \";\" or tabs."
                        .to_string()
                }
                (MissingHint::Separator { found, detected }, true) => format!(
                    "Les colonnes semblent séparées par {}, mais l'en-tête contient plus de {} : mettez entre \
guillemets les noms de colonnes qui en contiennent.",
                    french_separator(found),
                    french_separator(detected)
                ),
                (MissingHint::Separator { found, detected }, false) => format!(
                    "The columns seem separated by {found}, but the header has more {detected}: put the column names \
that contain {detected} in quotes."
                ),
                (MissingHint::OtherFile { clients }, true) => format!(
                    "Ce fichier ressemble à un fichier {} : les deux fichiers ont-ils été inversés ?",
                    if *clients { "d'interactions" } else { "clients" }
                ),
                (MissingHint::OtherFile { clients }, false) => format!(
                    "This file looks like {}: were the two files swapped?",
                    if *clients { "an interactions file" } else { "a clients file" }
                ),
                (MissingHint::Map { flag }, _) => {
                    let list = column_list(flag == "--map-clients", fr);
                    if !also_missing.is_empty() {
                        if fr {
                            format!(
                                "Si votre fichier les a sous d'autres noms, choisissez chacune d'elles en face de la \
                                 colonne correspondante dans {list}."
                            )
                        } else {
                            format!("If your file has them under other names, choose each beside its column in {list}.")
                        }
                    } else if fr {
                        format!("Si votre fichier l'a sous un autre nom, choisissez {column} en face de cette colonne dans {list}.")
                    } else {
                        format!("If your file has it under another name, choose {column} beside that column in {list}.")
                    }
                }
            });
            let absentable = absentable(problem);
            match (absentable.is_empty(), fr) {
                (true, _) => {}
                (false, true) => text.push_str(&format!(
                    " S'il n'a pas de colonne {}, dites-le ci-dessous.",
                    absentable.join(" ni ")
                )),
                (false, false) => text.push_str(&format!(
                    " If it has no {} column, say so below.",
                    numberly_core::error::either(&absentable.iter().map(String::as_str).collect::<Vec<_>>())
                )),
            }
            text
        }
        (Problem::LongPeriod { first, last }, true) => format!(
            "les dates vont du {} au {}, plus de 200 ans. Corrigez les dates, ou cochez « Ne garder que la période \
Du – Au » : le reste sera rejeté comme hors période (out_of_period).",
            french_date(first),
            french_date(last)
        ),
        (Problem::LongPeriod { first, last }, false) => format!(
            "the dates run from {first} to {last}, more than 200 years. Correct the dates, or tick \"Keep only the \
period From – To\": the rest is then rejected as out of the period (out_of_period)."
        ),
        (Problem::NoConsentColumn, true) => format!(
            "« consentants seulement » demande une colonne de consentement (consentement_marketing, ou un nom comme \
consent, opt_in, accepts_marketing), et ce fichier n'en a pas (ou elle est vide). Choisissez-en une dans {}, ou \
décochez l'option.",
            column_list(true, true)
        ),
        (Problem::NoConsentColumn, false) => format!(
            "\"consenting only\" needs a consent column (consentement_marketing, or a name such as consent, opt_in, \
accepts_marketing), and this file has none (or an empty one). Choose one in {}, or untick the option.",
            column_list(true, false)
        ),
        (Problem::Other(message), _) => message.clone(),
    }
}

/// The engine's English name of a separator (`` `;` ``, "tabs") in French.
fn french_separator(name: &str) -> String {
    match name {
        "tabs" => "des tabulations".to_string(),
        other => format!("« {} »", other.trim_matches('`')),
    }
}

/// The required columns missing from a clients file that the user may say it does
/// not have (see [`numberly_core::ingest::ABSENTABLE`]), for a missing-column problem
/// that mapping could solve.
pub fn absentable(problem: &Problem) -> Vec<String> {
    match problem {
        Problem::MissingColumn {
            column,
            also_missing,
            hint: MissingHint::Map { flag },
            ..
        } if flag == "--map-clients" => std::iter::once(column)
            .chain(also_missing)
            .filter(|c| numberly_core::ingest::ABSENTABLE.contains(&c.as_str()))
            .cloned()
            .collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input(problem: Problem) -> Failure {
        input_named("clients.csv", problem)
    }

    #[test]
    fn common_problems_are_worded_in_french_without_command_line_flags() {
        let missing = input(Problem::MissingColumn {
            column: "segment".into(),
            expected: vec!["segment".into(), "categorie".into()],
            header: "client_id,age".into(),
            hint: MissingHint::Map {
                flag: "--map-clients".into(),
            },
            also_missing: Vec::new(),
        });
        let cases = [
            input(Problem::Empty),
            input(Problem::NotCsv(Format::Png)),
            missing.clone(),
            input(Problem::LongPeriod {
                first: "2025-01-02".into(),
                last: "9999-01-22".into(),
            }),
            input(Problem::NoConsentColumn),
        ];
        for failure in &cases {
            let fr = failure.text(Lang::Fr);
            let en = failure.text(Lang::En);
            assert!(fr.starts_with("clients.csv : "), "{fr}");
            assert!(en.starts_with("clients.csv: "), "{en}");
            for text in [&fr, &en] {
                assert!(!text.contains("--"), "a command line flag in {text}");
                assert!(!text.contains('`'), "a backtick in {text}");
            }
            assert_ne!(fr, en);
        }
        assert_eq!(cases[0].text(Lang::Fr), "clients.csv : le fichier est vide.");
        assert!(cases[1].text(Lang::Fr).contains("une image PNG"));
        assert!(missing.text(Lang::Fr).contains("« Colonnes du fichier clients »"));
        // A segment may be said absent, and the text says where.
        assert!(missing
            .text(Lang::Fr)
            .ends_with(" S'il n'a pas de colonne segment, dites-le ci-dessous."));
        assert!(missing
            .text(Lang::En)
            .ends_with(" If it has no segment column, say so below."));
        assert!(cases[3].text(Lang::Fr).contains("du 02/01/2025 au 22/01/9999"));
        assert!(cases[3].text(Lang::Fr).contains("« Ne garder que la période Du – Au »"));
    }

    #[test]
    fn only_the_clients_age_segment_and_channel_may_be_said_absent() {
        let problem = |column: &str, also: &[&str], flag: &str| Problem::MissingColumn {
            column: column.into(),
            expected: vec![column.into()],
            header: "client_id".into(),
            hint: MissingHint::Map { flag: flag.into() },
            also_missing: also.iter().map(|c| c.to_string()).collect(),
        };
        assert_eq!(
            absentable(&problem("age", &["segment", "canal_acquisition"], "--map-clients")),
            ["age", "segment", "canal_acquisition"]
        );
        assert_eq!(
            absentable(&problem("client_id", &["segment"], "--map-clients")),
            ["segment"]
        );
        assert!(absentable(&problem("client_id", &[], "--map-clients")).is_empty());
        assert!(absentable(&problem("age", &[], "--map-interactions")).is_empty());
        let f = input(problem("client_id", &["age", "segment"], "--map-clients"));
        assert!(f
            .text(Lang::Fr)
            .ends_with(" S'il n'a pas de colonne age ni segment, dites-le ci-dessous."));
    }

    #[test]
    fn an_interactions_column_points_to_the_interactions_list() {
        let f = Failure::Input {
            file: "i.csv".into(),
            problem: Problem::MissingColumn {
                column: "type_action".into(),
                expected: vec!["type_action".into()],
                header: "a;b".into(),
                hint: MissingHint::Map {
                    flag: "--map-interactions".into(),
                },
                also_missing: Vec::new(),
            },
        };
        assert!(f.text(Lang::Fr).contains("« Colonnes du fichier interactions »"));
        assert!(f.text(Lang::En).contains("\"Interactions file columns\""));
    }

    #[test]
    fn a_file_that_keeps_nothing_is_said_so() {
        use numberly_core::clean::FileReport;
        let file = |name: &str, read, kept, rules: &[(&str, u64)]| {
            let mut f: FileReport = serde_json::from_value(serde_json::json!({
                "file": name, "encoding": "utf-8", "separator": ",", "read": read, "kept": kept,
                "rejected": read - kept, "rejected_by_rule": {}, "corrected_by_rule": {}
            }))
            .unwrap();
            f.rejected_by_rule = rules.iter().map(|(r, n)| (r.to_string(), *n)).collect();
            f
        };
        let reject = |line, value: &str| crate::worker::protocol::RejectRow {
            file: "i.csv".into(),
            line,
            column: "client_id".into(),
            header: "Client".into(),
            rule: "unknown_client".into(),
            value: value.into(),
            raw: value.into(),
        };
        let files = [
            file("c.csv", 5, 5, &[]),
            file("i.csv", 3, 0, &[("unknown_client", 2), ("invalid_date", 1)]),
        ];
        let fr = nothing_kept(&files, &[reject(2, "X1"), reject(3, "X2")], Lang::Fr).unwrap();
        assert_eq!(
            fr,
            "i.csv : aucune de ses 3 lignes n'a été gardée (client inconnu : 2 ; la première à la ligne 2, \
             colonne Client : « X1 »). Les lignes rejetées sont dans « Qualité des données » et rejects.csv."
        );
        let en = nothing_kept(&files, &[], Lang::En).unwrap();
        assert_eq!(
            en,
            "i.csv: none of its 3 rows was kept (unknown customer: 2). The rejected rows are in \"Data quality\" \
             and rejects.csv."
        );
        // A file that keeps a row, or has none: nothing to say; the one without rows
        // is said on its own.
        let files = [file("c.csv", 5, 5, &[]), file("i.csv", 0, 0, &[])];
        assert_eq!(nothing_kept(&files, &[], Lang::En), None);
        assert_eq!(
            header_only(&files, Lang::Fr).as_deref(),
            Some("i.csv : il a un en-tête mais aucune ligne dessous.")
        );
        let files = [file("c.csv", 0, 0, &[]), file("i.csv", 3, 0, &[("unknown_client", 3)])];
        assert_eq!(
            header_only(&files, Lang::En).as_deref(),
            Some("c.csv: it has a header but no rows under it.")
        );
        assert_eq!(header_only(&[file("c.csv", 5, 5, &[])], Lang::En), None);
    }

    #[test]
    fn every_missing_column_is_named() {
        let problem = |also: &[&str]| {
            input(Problem::MissingColumn {
                column: "segment".into(),
                expected: vec!["segment".into()],
                header: "client_id,age".into(),
                hint: MissingHint::Map {
                    flag: "--map-clients".into(),
                },
                also_missing: also.iter().map(|s| s.to_string()).collect(),
            })
        };
        let one = problem(&["canal_acquisition"]);
        assert!(
            one.text(Lang::Fr)
                .contains("La colonne canal_acquisition manque aussi."),
            "{}",
            one.text(Lang::Fr)
        );
        assert!(one.text(Lang::Fr).contains("les a sous d'autres noms"));
        let two = problem(&["age", "canal_acquisition"]);
        assert!(two.text(Lang::Fr).contains("Manquent aussi : age, canal_acquisition."));
        assert!(two.text(Lang::En).contains("Also missing: age, canal_acquisition."));
        assert!(two.text(Lang::En).contains("choose each beside its column"));
        assert!(!problem(&[]).text(Lang::En).contains("Also missing"));
    }

    #[test]
    fn swapped_files_are_said_to_be() {
        let f = input(Problem::MissingColumn {
            column: "segment".into(),
            expected: vec!["segment".into()],
            header: "interaction_id,client_id,type_action".into(),
            hint: MissingHint::OtherFile { clients: true },
            also_missing: Vec::new(),
        });
        assert!(
            f.text(Lang::Fr).contains("ressemble à un fichier d'interactions"),
            "{}",
            f.text(Lang::Fr)
        );
        assert!(f.text(Lang::En).contains("looks like an interactions file"));
    }

    #[test]
    fn an_excel_workbook_gets_the_way_to_save_it_as_csv_and_an_image_does_not() {
        let xlsx = input(Problem::NotCsv(Format::Zip)).text(Lang::Fr);
        assert!(
            xlsx.contains("classeur Excel .xlsx") && xlsx.contains("CSV UTF-8"),
            "{xlsx}"
        );
        assert!(!input(Problem::NotCsv(Format::Gif)).text(Lang::Fr).contains("Excel"));
    }

    #[test]
    fn the_engines_errors_keep_their_kind_and_sizes_read_in_french() {
        let e = numberly_core::Error::problem("a.csv", Problem::Binary);
        assert_eq!(Failure::from(e), input_named("a.csv", Problem::Binary));
        let big = Failure::TooLarge {
            file: "big.csv".into(),
            bytes: 3.4e9,
            limit: 2.0e9,
        };
        assert!(big.text(Lang::Fr).contains("3,4 Go"), "{}", big.text(Lang::Fr));
        assert!(big.text(Lang::En).contains("2.0 GB"));
        assert!(Failure::MissingFile(0)
            .text(Lang::Fr)
            .starts_with("Il manque le fichier clients"));
        assert!(Failure::MissingFile(1)
            .text(Lang::Fr)
            .starts_with("Il manque le fichier interactions"));
    }

    fn input_named(file: &str, problem: Problem) -> Failure {
        Failure::Input {
            file: file.into(),
            problem,
        }
    }
}
