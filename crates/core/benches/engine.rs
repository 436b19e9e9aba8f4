//! Criterion benchmarks of the engine's stages at 100k and 1M interactions (customers =
//! interactions / 10), of the export at 10k and 40k too, of the privacy step at 1M
//! customers, and of SHA-256 over two streams one after the other or side by side:
//! `cargo bench -p numberly-core --bench engine`.

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use numberly_core::clean::{clean, CleanOptions, CleanReport};
use numberly_core::export::{export_to_memory, ExportInput};
use numberly_core::generate::{generate, GenerateOptions, RawData};
use numberly_core::ingest::CsvFile;
use numberly_core::metrics::{compute, Filter};
use numberly_core::model::Dataset;
use numberly_core::privacy::{Privacy, PrivacyOptions};
use std::hint::black_box;
use std::time::Duration;

const SIZES: [u64; 2] = [100_000, 1_000_000];

/// Small exports, either side of the size from which a trial chooses how the row-level
/// files are hashed (`NUMBERLY_ROW_HASHES=paired` or `apart` forces either way).
const SMALL_EXPORTS: [u64; 2] = [10_000, 40_000];

fn options(interactions: u64) -> GenerateOptions {
    GenerateOptions {
        customers: (interactions / 10) as u32,
        interactions,
        seed: 42,
        ..GenerateOptions::default()
    }
}

fn clean_options(o: &GenerateOptions) -> CleanOptions {
    CleanOptions {
        from: Some(o.from),
        to: Some(o.to),
        ..CleanOptions::default()
    }
}

/// The generated files, read and cleaned.
fn cleaned(raw: &RawData, opts: &CleanOptions) -> (Dataset, CleanReport) {
    let clients = CsvFile::open("clients.csv", &raw.clients_csv).unwrap();
    let interactions = CsvFile::open("interactions.csv", &raw.interactions_csv).unwrap();
    clean(&clients, &interactions, opts).unwrap()
}

fn stages(c: &mut Criterion) {
    let mut g = c.benchmark_group("engine");
    g.sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8));
    for n in SIZES {
        let opts = options(n);
        g.throughput(Throughput::Elements(n));
        g.bench_with_input(BenchmarkId::new("generate", n), &opts, |b, o| {
            b.iter(|| generate(black_box(o)).unwrap())
        });

        let raw = generate(&opts).unwrap();
        let copts = clean_options(&opts);
        g.bench_with_input(BenchmarkId::new("clean", n), &raw, |b, raw| {
            b.iter(|| cleaned(raw, &copts))
        });

        let (dataset, report) = cleaned(&raw, &copts);
        g.bench_with_input(BenchmarkId::new("metrics", n), &dataset, |b, ds| {
            b.iter(|| compute(black_box(ds), &Filter::default()))
        });

        bench_export(&mut g, n, &dataset, &report);
    }
    for n in SMALL_EXPORTS {
        let opts = options(n);
        g.throughput(Throughput::Elements(n));
        let (dataset, report) = cleaned(&generate(&opts).unwrap(), &clean_options(&opts));
        bench_export(&mut g, n, &dataset, &report);
    }
    // The privacy step as `numberly run` takes it on generated data (no pseudonyms, the
    // k-anonymity report over the customers' quasi-identifiers), at 1M customers as in
    // the 1M / 10M run: its cost is in the customers.
    let opts = GenerateOptions {
        customers: 1_000_000,
        ..options(1_000_000)
    };
    let (dataset, report) = cleaned(&generate(&opts).unwrap(), &clean_options(&opts));
    g.throughput(Throughput::Elements(dataset.customers.len() as u64));
    g.bench_with_input(BenchmarkId::new("privacy", "1M customers"), &dataset, |b, ds| {
        b.iter(|| Privacy::new(ds, &report, &PrivacyOptions::default(), false, None).unwrap())
    });
    g.finish();
}

/// Benches `export_to_memory` of a cleaned dataset (no filter, privacy off) as
/// `export_in_memory/n`.
fn bench_export(
    g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    n: u64,
    dataset: &Dataset,
    report: &CleanReport,
) {
    let metrics = compute(dataset, &Filter::default());
    let filter = Filter::default();
    let privacy = Privacy::off(dataset, report);
    g.bench_with_input(BenchmarkId::new("export_in_memory", n), dataset, |b, ds| {
        b.iter(|| {
            let input = ExportInput {
                dataset: ds,
                report: &metrics,
                clean: report,
                filter: &filter,
                options: serde_json::Value::Null,
                privacy: &privacy,
            };
            export_to_memory(&input).unwrap()
        })
    });
}

/// SHA-256 of two 64 MB streams, one after the other or side by side (as the two
/// row-level files are hashed: see `numberly_core::sha_pair`).
fn digests(c: &mut Criterion) {
    use sha2::{Digest, Sha256};
    let mut g = c.benchmark_group("sha256");
    g.sample_size(10).measurement_time(Duration::from_secs(5));
    let (a, b) = (vec![7u8; 64 << 20], vec![9u8; 64 << 20]);
    g.throughput(Throughput::Bytes((a.len() + b.len()) as u64));
    g.bench_function("two streams one after the other", |bench| {
        bench.iter(|| (Sha256::digest(black_box(&a)), Sha256::digest(black_box(&b))))
    });
    g.bench_function("two streams side by side", |bench| {
        bench.iter(|| {
            let mut pair = numberly_core::sha_pair::Pair::default();
            for (x, y) in a.chunks(1 << 20).zip(b.chunks(1 << 20)) {
                pair.update(black_box(x), black_box(y));
            }
            pair.finish()
        })
    });
    g.finish();
}

criterion_group!(benches, stages, digests);
criterion_main!(benches);
