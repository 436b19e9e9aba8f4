//! The same options give the same bytes, natively and in WebAssembly: both builds
//! must reproduce the SHA-256 of every output file recorded in `golden/`.
//!
//! Native: `cargo test -p numberly-core --test determinism`.
//! WebAssembly: `cargo test -p numberly-core --release --target wasm32-unknown-unknown --test determinism`
//! (with `wasm-bindgen-test-runner` as the target's runner; see `.cargo/config.toml`).
//! After an intended change of the outputs: `UPDATE_GOLDEN=1 cargo test -p numberly-core --test determinism`.

use numberly_core::clean::CleanOptions;
use numberly_core::export::export_to_memory;
use numberly_core::generate::GenerateOptions;
use numberly_core::metrics::Filter;
use numberly_core::pipeline::{prepare, Source};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

const GOLDEN: &str = include_str!("golden/outputs.sha256");

/// `name rows sha256` of every output of a dirty run large enough to span several
/// generation blocks, parse pieces and export pieces.
fn digests() -> String {
    let opts = GenerateOptions {
        customers: 40_000,
        interactions: 600_000,
        seed: 7,
        dirty: 0.03,
        ..Default::default()
    };
    let p = prepare(Source::Generate(opts), &CleanOptions::default(), &mut |_, _| {}).expect("valid options");
    let filter = Filter::default();
    let privacy = p
        .privacy(&numberly_core::privacy::PrivacyOptions::default(), None)
        .expect("no key needed for generated data");
    let input = p.export_input(&filter, &privacy);
    let (outputs, _) = export_to_memory(&input).expect("in-memory export cannot fail");
    outputs
        .iter()
        .map(|o| format!("{} {} {}\n", o.name, o.rows, o.sha256))
        .collect()
}

#[test]
fn outputs_match_the_golden_digests() {
    let got = digests();
    #[cfg(not(target_arch = "wasm32"))]
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/outputs.sha256");
        std::fs::write(path, &got).expect("write golden file");
        return;
    }
    assert_eq!(
        got, GOLDEN,
        "outputs changed: if intended, regenerate with UPDATE_GOLDEN=1 (see the module comment)"
    );
}
