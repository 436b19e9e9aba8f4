//! The messages between the page and the engine's Web Worker, as JSON text.

use super::preview::{PreviewPage, PreviewQuery};
use crate::failure::Failure;
use numberly_core::clean::FileReport;
use numberly_core::export::Output;
use numberly_core::generate::GenerateOptions;
use numberly_core::metrics::{DailyRow, Filter, FunnelRow, GroupRow, Kpis, Report};
use numberly_core::pipeline::Prepared;
use numberly_core::privacy::{suppressed_rows, ColumnNote, Privacy, PrivacyOptions, PrivacyReport};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What the page asks the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Generate, clean, compute and export with these options.
    Run {
        /// What to generate.
        options: Box<GenerateOptions>,
        /// What to do before export.
        privacy: PrivacyOptions,
    },
    /// Recompute the metrics of the current dataset for a filter.
    Filter(Filter),
    /// A page of the data preview.
    Preview(PreviewQuery),
    /// Clean, compute and export the user's own files, sent with the message as
    /// `File`s: a clients file and an interactions file (or the original demo's
    /// merged `donnees_marketing.csv`).
    Import {
        /// The clients file's name.
        clients: String,
        /// The interactions file's name.
        interactions: String,
        /// The user's column choices, clients file then interactions file.
        mapping: [BTreeMap<String, String>; 2],
        /// Required columns the clients file does not have, as the user says.
        #[serde(default)]
        absent: Vec<String>,
        /// What to do before export.
        privacy: PrivacyOptions,
        /// The period to keep (first and last day), when the user restricts the files
        /// to one; rows outside it are rejected as `out_of_period`.
        #[serde(default)]
        period: Option<(i32, i32)>,
    },
    /// Describe the columns of one file (sent with the message), for the mapping panel.
    Inspect {
        /// 0 for the clients file, 1 for the interactions file.
        which: u8,
        /// The user's column choices for it.
        mapping: BTreeMap<String, String>,
        /// Required columns it does not have, as the user says (clients file only).
        #[serde(default)]
        absent: Vec<String>,
    },
    /// Export the current dataset again under other privacy options.
    Privacy(PrivacyOptions),
    /// A page of the rejected rows.
    Rejects {
        /// Page number, from 0.
        page: u32,
    },
}

/// The columns of a chosen file, or why it cannot be used.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FileColumns {
    /// 0 for the clients file, 1 for the interactions file.
    pub which: u8,
    /// The file's name, so that the page can tell an answer about a file replaced
    /// since (while the engine was busy) from one about the file chosen now.
    #[serde(default)]
    pub file: String,
    /// Each header cell, what it feeds and whether it is a direct identifier.
    pub notes: Vec<ColumnNote>,
    /// Why the file cannot be used, when it cannot.
    pub error: Option<Failure>,
    /// Whether the page has asked again since (a mapping or an absent column changed),
    /// so that Run waits for the new answer (set by the page only).
    #[serde(skip)]
    pub pending: bool,
}

/// A page of rejected rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectPage {
    /// Rejected rows in all.
    pub total: u64,
    /// This page's number, from 0.
    pub page: u32,
    /// Its rows.
    pub rows: Vec<RejectRow>,
}

/// Rejected rows per page.
pub const REJECTS_PER_PAGE: usize = 50;

/// What the worker tells the page.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Response {
    /// The worker has loaded and listens.
    Ready,
    /// A stage's progress, 0 to 1.
    Progress {
        /// `generate`, `clean`, `metrics` or `export`.
        stage: String,
        /// Fraction of the stage done.
        fraction: f64,
    },
    /// The run (or filter) finished.
    Done(Box<Summary>),
    /// A page of the data preview.
    Preview(PreviewPage),
    /// The columns of a chosen file.
    Columns(FileColumns),
    /// A page of rejected rows.
    Rejects(RejectPage),
    /// It failed, and why.
    Error(Failure),
}

/// A rejected row, for the data-quality view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectRow {
    /// File name.
    pub file: String,
    /// Line number.
    pub line: u64,
    /// Column, by the engine's name (as `rejects.csv` writes it).
    pub column: String,
    /// The file's header cell read as that column, when it has another name
    /// (`Date` for `horodatage`); empty otherwise.
    pub header: String,
    /// Rule.
    pub rule: String,
    /// Raw value, as `rejects.csv` writes it (a `client_id` pseudonymised when
    /// pseudonyms are on).
    pub value: String,
    /// Raw value as the file has it, for this screen only (identifiers still withheld).
    pub raw: String,
}

/// Customers and revenue of one RFM segment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RfmSegmentSummary {
    /// Segment label.
    pub segment: String,
    /// Customers.
    pub customers: u64,
    /// Revenue in cents.
    pub revenue_cents: i64,
}

/// Everything the dashboard shows: small, whatever the size of the data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// First day shown (days since 1970-01-01).
    pub from: i32,
    /// Last day shown.
    pub to: i32,
    /// The dataset's whole period (for the filter bounds); `None` when it has none
    /// (no interaction kept, see `Dataset::dated`).
    pub period: Option<(i32, i32)>,
    /// Headline numbers.
    pub kpis: Kpis,
    /// By channel.
    pub by_channel: Vec<GroupRow>,
    /// By segment.
    pub by_segment: Vec<GroupRow>,
    /// By age band.
    pub by_age_band: Vec<GroupRow>,
    /// Daily series.
    pub daily: Vec<DailyRow>,
    /// Funnel rows, `all` first.
    pub funnel: Vec<FunnelRow>,
    /// RFM segments.
    pub rfm_segments: Vec<RfmSegmentSummary>,
    /// Buyers per (R, F) cell: `grid[r - 1][f - 1]`.
    pub rfm_grid: [[u64; 5]; 5],
    /// Cleaning report per file.
    pub files: Vec<FileReport>,
    /// The first rejected rows.
    pub first_rejects: Vec<RejectRow>,
    /// The output files and their SHA-256.
    pub outputs: Vec<Output>,
    /// Channel labels, by code (for the filter); empty for a label no customer has
    /// (a default of the engine that the user's file does not use).
    pub channels: Vec<String>,
    /// Segment labels, by code, likewise.
    pub segments: Vec<String>,
    /// What the privacy step did.
    pub privacy: PrivacyReport,
    /// Rows blanked (fewer than k customers) per aggregated file.
    pub suppressed_rows: BTreeMap<String, u64>,
    /// Whether the customers' consent is known: generated data, or an imported
    /// clients file with a consent column ("consenting only" needs it).
    pub consent_known: bool,
}

/// How many rejected rows the quality view lists.
pub const FIRST_REJECTS: usize = 50;

/// `labels` by code, those of no customer in `codes` left empty.
fn used_labels(labels: &[String], codes: &[u32]) -> Vec<String> {
    let mut used = vec![false; labels.len()];
    for &c in codes {
        if let Some(u) = used.get_mut(c as usize) {
            *u = true;
        }
    }
    labels
        .iter()
        .zip(used)
        .map(|(l, u)| if u { l.clone() } else { String::new() })
        .collect()
}

impl Summary {
    /// The summary of a prepared run, its metrics `report` and export `outputs`.
    pub fn new(p: &Prepared, report: &Report, privacy: &Privacy, outputs: Vec<Output>) -> Self {
        let rfm_segments = report
            .rfm
            .segments
            .iter()
            .map(|s| RfmSegmentSummary {
                segment: s.segment.label().to_string(),
                customers: s.customers,
                revenue_cents: s.revenue_cents,
            })
            .collect();
        let first_rejects = reject_rows(p, privacy, 0, FIRST_REJECTS);
        Self {
            from: report.from,
            to: report.to,
            period: p.dataset.dated.then_some((p.dataset.from, p.dataset.to)),
            kpis: report.kpis,
            by_channel: report.by_channel.clone(),
            by_segment: report.by_segment.clone(),
            by_age_band: report.by_age_band.clone(),
            daily: report.daily.clone(),
            funnel: report.funnel.clone(),
            rfm_segments,
            rfm_grid: report.rfm.grid,
            files: vec![p.clean.clients.clone(), p.clean.interactions.clone()],
            first_rejects,
            outputs,
            channels: used_labels(p.dataset.customers.channels.labels(), &p.dataset.customers.channel),
            segments: used_labels(p.dataset.customers.segments.labels(), &p.dataset.customers.segment),
            privacy: privacy.report.clone(),
            suppressed_rows: suppressed_rows(report, privacy),
            consent_known: p.dataset.customers.consent_known,
        }
    }
}

/// The header cell of file `file` read as engine column `column`, when it is named
/// otherwise.
fn header_of(p: &Prepared, file: u8, column: &str) -> String {
    let name = &p.clean.file(file).file;
    p.clean
        .columns
        .iter()
        .find(|n| &n.file == name && n.used_as.as_deref() == Some(column))
        .map(|n| n.column.clone())
        .filter(|h| h != column)
        .unwrap_or_default()
}

/// Rejected rows `start..start + count`, their values as the export writes them
/// (pseudonymised ids, identifiers withheld).
pub fn reject_rows(p: &Prepared, privacy: &Privacy, start: usize, count: usize) -> Vec<RejectRow> {
    p.clean
        .rejects
        .iter()
        .skip(start)
        .take(count)
        .map(|r| RejectRow {
            file: p.clean.file(r.file).file.clone(),
            line: r.line,
            column: r.column.to_string(),
            header: header_of(p, r.file, r.column),
            rule: r.rule.to_string(),
            value: privacy.reject_cell(r),
            raw: Privacy::reject_as_written(r),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use numberly_core::clean::CleanOptions;
    use numberly_core::pipeline::{prepare, Source};
    use numberly_core::privacy::PrivacyOptions;

    #[test]
    fn the_filters_list_only_labels_some_customer_has() {
        let labels: Vec<String> = ["Premium", "Standard", "Basique", "Gold"].map(String::from).to_vec();
        assert_eq!(super::used_labels(&labels, &[3, 0, 3]), ["Premium", "", "", "Gold"]);
        assert_eq!(super::used_labels(&labels, &[]), ["", "", "", ""]);
    }

    #[test]
    fn a_rejected_row_names_the_column_as_the_file_does() {
        let clients = b"client_id,age,segment,canal_acquisition\nC1,30,Premium,SEO\n";
        let interactions = b"client_id,type_action,valeur_achat,Date\nC1,achat,12.5,hier\nC1,page_vue,,2025-01-02\n";
        let p = prepare(
            Source::Files {
                clients: ("clients.csv", clients),
                interactions: ("interactions.csv", interactions),
            },
            &CleanOptions::default(),
            &mut |_, _| {},
        )
        .expect("runs");
        let privacy = p.privacy(&PrivacyOptions::default(), None).expect("no key needed");
        let rows = super::reject_rows(&p, &privacy, 0, 10);
        assert_eq!(rows.len(), 1, "{rows:?}");
        assert_eq!(
            (rows[0].column.as_str(), rows[0].header.as_str()),
            ("horodatage", "Date")
        );
        // A column named as the engine names it has no second name.
        let interactions =
            b"client_id,type_action,valeur_achat,horodatage\nC1,achat,12.5,hier\nC1,page_vue,,2025-01-02\n";
        let p = prepare(
            Source::Files {
                clients: ("clients.csv", clients),
                interactions: ("interactions.csv", interactions),
            },
            &CleanOptions::default(),
            &mut |_, _| {},
        )
        .expect("runs");
        let rows = super::reject_rows(&p, &privacy, 0, 10);
        assert_eq!((rows[0].column.as_str(), rows[0].header.as_str()), ("horodatage", ""));
    }
}
