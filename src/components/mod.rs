//! The page's components, one per file.

mod chart_view;
mod controls;
mod downloads;
mod filters;
#[cfg(target_arch = "wasm32")]
mod focus;
mod kpi_card;
mod mapping;
mod preview;
mod privacy;
mod progress;
mod quality;

#[cfg(target_arch = "wasm32")]
pub use chart_view::warm_up;
pub use chart_view::ChartView;
pub use controls::Controls;
pub use downloads::{Downloads, ZIP_NAME};
pub use filters::Filters;
#[cfg(target_arch = "wasm32")]
pub use focus::keep_focus_in_place;
pub use kpi_card::KpiCard;
pub use mapping::Mapping;
pub use preview::Preview;
pub use privacy::PrivacyPanel;
pub use progress::ProgressBar;
pub use quality::Quality;
