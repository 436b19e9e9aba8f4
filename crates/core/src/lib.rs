//! Numberly's engine: a seeded generator of realistic marketing data, a cleaning
//! ETL that accounts for every row, the marketing metrics (KPIs, channels,
//! segments, daily series, funnel, RFM) and CSV export. Pure Rust with no UI or
//! platform dependency, so the same code runs natively and in WebAssembly.

pub mod clean;
pub mod communes;
pub mod dates;
pub mod error;
pub mod export;
pub mod generate;
pub mod ids;
pub mod ingest;
pub mod metrics;
pub mod model;
pub mod par;
pub mod pipeline;
mod prefetch;
pub mod privacy;
pub mod rng;
pub mod rules;
pub mod sha_pair;
pub mod stage;
pub mod text;

pub use error::Error;

/// The engine version written into `manifest.json`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
