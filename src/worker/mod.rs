//! The engine's Web Worker: the message protocol, and the only code that knows
//! how the worker is started (page side) and how it answers (worker side).

pub mod preview;
pub mod protocol;
pub mod zip;

#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
mod serve;

#[cfg(target_arch = "wasm32")]
pub use page::{EngineWorker, Message};
#[cfg(target_arch = "wasm32")]
pub use serve::serve;
