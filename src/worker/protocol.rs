//! The messages between the page and the engine's Web Worker, as JSON text.

use super::preview::{PreviewPage, PreviewQuery};
use numberly_core::clean::FileReport;
use numberly_core::export::Output;
use numberly_core::generate::GenerateOptions;
use numberly_core::metrics::{DailyRow, Filter, FunnelRow, GroupRow, Kpis, Report};
use numberly_core::pipeline::Prepared;
use serde::{Deserialize, Serialize};

/// What the page asks the worker.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub enum Request {
    /// Generate, clean, compute and export with these options.
    Run(Box<GenerateOptions>),
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
    },
}

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
    /// It failed, with a sentence for the user.
    Error(String),
}

/// A rejected row, for the data-quality view.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RejectRow {
    /// File name.
    pub file: String,
    /// Line number.
    pub line: u64,
    /// Column.
    pub column: String,
    /// Rule.
    pub rule: String,
    /// Raw value.
    pub value: String,
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
    /// The dataset's whole period (for the filter bounds).
    pub period: (i32, i32),
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
    /// Channel labels, by code (for the filter).
    pub channels: Vec<String>,
    /// Segment labels, by code.
    pub segments: Vec<String>,
}

/// How many rejected rows the quality view lists.
pub const FIRST_REJECTS: usize = 50;

impl Summary {
    /// The summary of a prepared run, its metrics `report` and export `outputs`.
    pub fn new(p: &Prepared, report: &Report, outputs: Vec<Output>) -> Self {
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
        let first_rejects = p
            .clean
            .rejects
            .iter()
            .take(FIRST_REJECTS)
            .map(|r| RejectRow {
                file: p.clean.file(r.file).file.clone(),
                line: r.line,
                column: r.column.to_string(),
                rule: r.rule.to_string(),
                value: r.value.clone(),
            })
            .collect();
        Self {
            from: report.from,
            to: report.to,
            period: (p.dataset.from, p.dataset.to),
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
            channels: p.dataset.customers.channels.labels().to_vec(),
            segments: p.dataset.customers.segments.labels().to_vec(),
        }
    }
}
