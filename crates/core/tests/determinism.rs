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

/// Id numbers past 2^32 stay themselves on 32-bit WebAssembly: `C_4294967297` is
/// neither `C_0000000001` nor a duplicate of it, and an unknown one is an orphan.
#[test]
fn id_numbers_past_32_bits_do_not_wrap() {
    use numberly_core::clean::clean;
    use numberly_core::ingest::CsvFile;
    let clients = "client_id,age,ville,segment,canal_acquisition\n\
        C_0000000001,30,Paris,Premium,SEO\n\
        C_4294967297,40,Lyon,Basique,Email\n";
    let interactions = "interaction_id,client_id,session_id,type_action,valeur_achat,horodatage\n\
        I_0000000001,C_0000000001,S_0000000001,page_vue,,2025-01-02T10:00:00\n\
        I_4294967297,C_4294967297,S_4294967297,achat,10.00,2025-01-02T11:00:00\n\
        I_8589934593,C_8589934593,S_0000000002,page_vue,,2025-01-02T12:00:00\n";
    let c = CsvFile::open("clients.csv", clients.as_bytes()).unwrap();
    let i = CsvFile::open("interactions.csv", interactions.as_bytes()).unwrap();
    let (ds, report) = clean(&c, &i, &CleanOptions::default()).unwrap();
    assert_eq!((report.clients.kept, report.clients.rejected), (2, 0));
    assert_eq!((report.interactions.kept, report.interactions.rejected), (2, 1));
    let r = numberly_core::metrics::compute(&ds, &Filter::default());
    assert_eq!((r.kpis.sessions, r.kpis.buyers, r.kpis.revenue_cents), (2, 1, 1000));
    let email = r.by_channel.iter().find(|g| g.label == "Email").unwrap();
    assert_eq!((email.buyers, email.revenue_cents), (1, 1000));
}
