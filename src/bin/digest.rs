//! The digest worker's entry point (built by trunk as a third binary): hashes the
//! engine's output files on a second thread.

#[cfg(target_arch = "wasm32")]
fn main() {
    console_error_panic_hook::set_once();
    numberly::worker::digest::serve();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {
    eprintln!("the digest worker only runs in a browser");
}
