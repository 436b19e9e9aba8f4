//! The whole run, stage by stage, with progress: generate (or read files), clean,
//! compute metrics. Export is separate so that the caller chooses where bytes go.

use crate::clean::{clean_body, clean_clients_body, clean_interactions_body, CleanOptions, CleanReport};
use crate::error::Error;
use crate::generate::{clients_header, interaction_header, GenerateOptions, Generated, GroundTruth};
use crate::ingest::{CsvFile, FileBody, Pieces};
use crate::metrics::{compute, Filter, Report};
use crate::model::Dataset;
use crate::privacy::{Key, Privacy, PrivacyOptions};

/// A stage of the run, for progress reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Generating the raw files.
    Generate,
    /// Reading and validating.
    Clean,
    /// Computing metrics.
    Metrics,
    /// Writing the outputs.
    Export,
}

impl Stage {
    /// Lower-case name.
    pub fn name(self) -> &'static str {
        match self {
            Stage::Generate => "generate",
            Stage::Clean => "clean",
            Stage::Metrics => "metrics",
            Stage::Export => "export",
        }
    }
}

/// Where the data comes from.
#[allow(clippy::large_enum_variant)] // made once per run: boxing would buy nothing
pub enum Source<'a> {
    /// Generate it.
    Generate(GenerateOptions),
    /// Read a clients file and an interactions file: (name, bytes) each.
    Files {
        /// The clients file.
        clients: (&'a str, &'a [u8]),
        /// The interactions file (or the original demo's merged file).
        interactions: (&'a str, &'a [u8]),
    },
    /// Read a clients file, and an interactions file whose body comes in pieces
    /// (see [`crate::ingest::Streamed`]): its header-only file and its body.
    Stream {
        /// The clients file.
        clients: (&'a str, &'a [u8]),
        /// The interactions file's header.
        head: &'a CsvFile<'a>,
        /// Its body.
        body: &'a dyn Pieces,
    },
}

/// The result of a run before export.
pub struct Prepared {
    /// The clean dataset.
    pub dataset: Dataset,
    /// What cleaning did.
    pub clean: CleanReport,
    /// Metrics of the whole dataset.
    pub report: Report,
    /// The injected defects, for generated data.
    pub truth: Option<GroundTruth>,
    /// The options used, for the manifest.
    pub options: serde_json::Value,
}

impl Prepared {
    /// What [`crate::export::export`] needs to write this run's files for `filter`.
    pub fn export_input<'a>(&'a self, filter: &'a Filter, privacy: &'a Privacy) -> crate::export::ExportInput<'a> {
        crate::export::ExportInput {
            dataset: &self.dataset,
            report: &self.report,
            clean: &self.clean,
            filter,
            options: self.options.clone(),
            privacy,
        }
    }

    /// Whether the data came from the user's files (not generated).
    pub fn imported(&self) -> bool {
        self.truth.is_none()
    }

    /// The privacy step for this run: `key` is the pseudonym key to use when no
    /// passphrase is given (a fresh random one when `None`).
    pub fn privacy(&self, opts: &PrivacyOptions, key: Option<&Key>) -> Result<Privacy, Error> {
        Privacy::new(&self.dataset, &self.clean, opts, self.imported(), key)
    }
}

/// A run after generate (or read) and clean, before its metrics: see [`cleaned`].
pub struct Cleaned {
    /// The clean dataset.
    pub dataset: Dataset,
    /// What cleaning did.
    pub clean: CleanReport,
    /// The injected defects, for generated data.
    pub truth: Option<GroundTruth>,
    /// The options used, for the manifest.
    pub options: serde_json::Value,
}

impl Cleaned {
    /// The privacy step for this run, as [`Prepared::privacy`] gives it.
    pub fn privacy(&self, opts: &PrivacyOptions, key: Option<&Key>) -> Result<Privacy, Error> {
        Privacy::new(&self.dataset, &self.clean, opts, self.truth.is_none(), key)
    }

    /// What [`crate::export::export_with_metrics`] needs to write this run's files for `filter`.
    pub fn export_input<'a>(&'a self, filter: &'a Filter, privacy: &'a Privacy) -> crate::export::Unmeasured<'a> {
        crate::export::Unmeasured {
            dataset: &self.dataset,
            clean: &self.clean,
            filter,
            options: self.options.clone(),
            privacy,
        }
    }

    /// The run with its metrics (of the whole dataset).
    pub fn measured(self, report: Report) -> Prepared {
        Prepared {
            dataset: self.dataset,
            clean: self.clean,
            report,
            truth: self.truth,
            options: self.options,
        }
    }
}

/// Runs generate (or read), clean and metrics; `progress(stage, fraction)`.
pub fn prepare(
    source: Source,
    clean_opts: &CleanOptions,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Prepared, Error> {
    let run = cleaned(source, clean_opts, progress)?;
    progress(Stage::Metrics, 0.0);
    let report = compute(&run.dataset, &Filter::default());
    progress(Stage::Metrics, 1.0);
    Ok(run.measured(report))
}

/// Runs generate (or read) and clean, leaving the metrics to the caller (the CLI
/// computes them while it writes the files that do not need them); `progress(stage,
/// fraction)`.
pub fn cleaned(
    source: Source,
    clean_opts: &CleanOptions,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Cleaned, Error> {
    match source {
        Source::Generate(opts) => {
            let clean_opts = CleanOptions {
                from: Some(opts.from),
                to: Some(opts.to),
                segments: opts.segments.iter().map(|s| s.name.clone()).collect(),
                channels: opts.channels.iter().map(|c| c.name.clone()).collect(),
                ..clean_opts.clone()
            };
            // The clients file is cleaned while the events are drawn.
            let (mut gen, clients) =
                Generated::with_clients(&opts, &mut |f| progress(Stage::Generate, f / 0.6), |rows| {
                    clean_clients_body(&CsvFile::open("clients.csv", clients_header())?, rows, &clean_opts)
                })?;
            let clients = clients?;
            // Its text is not needed any more: give the memory back for what follows.
            drop(std::mem::take(&mut gen.clients));
            // The interactions file is rendered piece by piece and parsed as it comes,
            // so it never sits whole in memory.
            let chunks = gen.interaction_chunks();
            let head = CsvFile::open("interactions.csv", interaction_header())?;
            progress(Stage::Clean, 0.0);
            let (dataset, clean_report) = clean_interactions_body(clients, &head, &chunks, &clean_opts)?;
            progress(Stage::Clean, 1.0);
            let truth = GroundTruth {
                clients: gen.clients_truth.clone(),
                interactions: chunks.truth(),
            };
            let options = serde_json::json!({ "generate": &opts, "clean": &clean_opts });
            Ok(Cleaned {
                dataset,
                clean: clean_report,
                truth: Some(truth),
                options,
            })
        }
        Source::Files { clients, interactions } => {
            progress(Stage::Clean, 0.0);
            let c = CsvFile::open(clients.0, clients.1)?;
            let i = CsvFile::open(interactions.0, interactions.1)?;
            let body = FileBody::of(&i, crate::clean::PIECE_BYTES);
            read_files(&c, &i, &body, clean_opts, progress)
        }
        Source::Stream { clients, head, body } => {
            progress(Stage::Clean, 0.0);
            let c = CsvFile::open(clients.0, clients.1)?;
            read_files(&c, head, body, clean_opts, progress)
        }
    }
}

/// Cleans the user's files (`body` is the interactions file's).
fn read_files(
    clients: &CsvFile,
    interactions: &CsvFile,
    body: &dyn Pieces,
    opts: &CleanOptions,
    progress: &mut dyn FnMut(Stage, f64),
) -> Result<Cleaned, Error> {
    let (dataset, clean_report) = clean_body(clients, interactions, body, opts)?;
    progress(Stage::Clean, 1.0);
    Ok(Cleaned {
        dataset,
        clean: clean_report,
        truth: None,
        options: serde_json::json!({ "clean": opts }),
    })
}
