//! The page's components, one per file.

mod chart_view;
mod controls;
mod downloads;
mod filters;
mod kpi_card;
mod preview;
mod progress;
mod quality;

pub use chart_view::ChartView;
pub use controls::Controls;
pub use downloads::{Downloads, ZIP_NAME};
pub use filters::Filters;
pub use kpi_card::KpiCard;
pub use preview::Preview;
pub use progress::ProgressBar;
pub use quality::Quality;
