//! Fuzzes the CSV ingest and cleaning through the public entry point
//! (`pipeline::prepare` on two files: clean, then metrics): whatever the bytes, no panic,
//! and when the files import, every row of each file is accounted for.
//!
//! The interactions file is also read the way the browser reads it, piece by piece
//! (`ingest::Streamed`, pieces of a few bytes here): that must give the same result
//! as reading it whole.
//!
//! The first byte chooses the role of the rest (see `split`); see docs/fuzzing.md.

#![no_main]

use libfuzzer_sys::fuzz_target;
use numberly_core::clean::CleanOptions;
use numberly_core::dates::days_from_civil;
use numberly_core::ingest::Streamed;
use numberly_core::pipeline::{prepare, Source};

/// The original demo's files: a valid partner for the fuzzed file.
const CLIENTS: &[u8] = include_bytes!("../../crates/core/tests/fixtures/demo/clients.csv");
const INTERACTIONS: &[u8] = include_bytes!("../../crates/core/tests/fixtures/demo/donnees_marketing.csv");

/// (clients, interactions, with a period) from the fuzz input: the low two bits of the
/// first byte say which file the rest is (0: interactions, 1: clients, 2 and 3: both,
/// cut at the first 0xFF byte); bit 2 adds the demo's period (March 2024).
fn split(data: &[u8]) -> (&[u8], &[u8], bool) {
    let Some((&mode, rest)) = data.split_first() else {
        return (CLIENTS, &[], false);
    };
    let period = mode & 4 != 0;
    match mode & 3 {
        0 => (CLIENTS, rest, period),
        1 => (rest, INTERACTIONS, period),
        _ => match rest.iter().position(|&b| b == 0xFF) {
            Some(p) => (&rest[..p], &rest[p + 1..], period),
            None => (rest, &[], period),
        },
    }
}

fuzz_target!(|data: &[u8]| {
    let (clients, interactions, period) = split(data);
    let opts = CleanOptions {
        from: period.then(|| days_from_civil(2024, 3, 1)),
        to: period.then(|| days_from_civil(2024, 3, 31)),
        ..CleanOptions::default()
    };
    let source = Source::Files {
        clients: ("clients.csv", clients),
        interactions: ("interactions.csv", interactions),
    };
    let whole = prepare(source, &opts, &mut |_, _| {});
    // The same interactions file read piece by piece, as the browser reads it.
    let piece_bytes = 1 + (data.len() as u64 * 7) % 97;
    let streamed = Streamed::open("interactions.csv", interactions, piece_bytes).and_then(|(head, body)| {
        let source = Source::Stream {
            clients: ("clients.csv", clients),
            head: &head,
            body: &body,
        };
        prepare(source, &opts, &mut |_, _| {})
    });
    let p = match (whole, streamed) {
        (Ok(p), Ok(s)) => {
            let (a, b) = (&p.clean, &s.clean);
            assert_eq!(a.clients, b.clients, "streamed: same clients report");
            assert_eq!(a.interactions, b.interactions, "streamed: same interactions report");
            assert_eq!(a.rejects, b.rejects, "streamed: same rejects");
            assert_eq!(a.session_rule, b.session_rule);
            assert_eq!(p.report.kpis, s.report.kpis, "streamed: same KPIs");
            p
        }
        (Err(_), Err(_)) => return, // an unusable file: an error, not a panic
        (w, s) => panic!(
            "whole and streamed reads disagree: {:?} / {:?}",
            w.map(|_| ()).map_err(|e| e.to_string()),
            s.map(|_| ()).map_err(|e| e.to_string())
        ),
    };
    let c = &p.clean;
    for (k, f) in [(0u8, &c.clients), (1u8, &c.interactions)] {
        assert_eq!(f.read, f.kept + f.rejected, "{}: read = kept + rejected", f.file);
        assert_eq!(
            f.rejected,
            f.rejected_by_rule.values().sum::<u64>(),
            "{}: rules add up",
            f.file
        );
        let listed = c.rejects.iter().filter(|r| r.file == k).count() as u64;
        assert_eq!(listed, f.rejected, "{}: one reject per rejected row", f.file);
    }
    assert_eq!(p.dataset.customers.len() as u64, c.clients.kept);
    assert_eq!(p.dataset.interactions.len() as u64, c.interactions.kept);
    assert_eq!(
        p.report.kpis.interactions, c.interactions.kept,
        "metrics see every kept row"
    );
});
