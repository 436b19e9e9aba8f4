//! The engine's Web Worker entry point (built by trunk as a second binary).

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    numberly::worker::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the worker only runs in a browser");
}
