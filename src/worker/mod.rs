//! The engine's Web Workers: the message protocol, and the only code that knows
//! how the workers are started (page side) and how they answer (worker side: the
//! engine, and the digest worker it hands output files to).

pub mod preview;
pub mod protocol;
pub mod zip;

#[cfg(target_arch = "wasm32")]
pub mod digest;
#[cfg(target_arch = "wasm32")]
mod page;
#[cfg(target_arch = "wasm32")]
mod serve;

#[cfg(target_arch = "wasm32")]
pub use page::{EngineWorker, Message};
#[cfg(target_arch = "wasm32")]
pub use serve::serve;
