//! Scan throughput (criterion, MB/s): per document size, HTML vs text, template vs
//! rendered, the 20 MB mixed folder, and what the keyword prefilter saves.
//!
//! `cargo bench --bench scan` (about two minutes on two cores). Inputs come from
//! `tools/gen_corpus.py --seed 42` and are generated under `target/` on first use.
//! The figures and their reading are in docs/BENCHMARKS.md.

mod common;

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sendguard::{Engine, ScanOptions};
use std::time::Duration;

/// Short groups: the whole `cargo bench` must stay within a few minutes on two cores.
fn quick<'a>(c: &'a mut Criterion, name: &str) -> criterion::BenchmarkGroup<'a, criterion::measurement::WallTime> {
    let mut group = c.benchmark_group(name);
    group.sample_size(15).warm_up_time(Duration::from_millis(700)).measurement_time(Duration::from_secs(2));
    group
}

fn bench_sizes(c: &mut Criterion) {
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let mut group = quick(c, "scan_size");
    for (label, size) in [("1KB", "1k"), ("50KB", "50k"), ("1MB", "1m")] {
        let doc = common::single(&format!("invoice-{size}.html"), &["--single", size, "--format", "html", "--secrets", "1"]);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::new("html_invoice", label), &doc, |b, doc| {
            b.iter(|| engine.scan(black_box(doc), &options))
        });
    }
    group.finish();
}

fn bench_folder(c: &mut Criterion) {
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let docs = common::corpus();
    let bytes: usize = docs.iter().map(String::len).sum();
    let mut group = c.benchmark_group("scan_folder");
    // One iteration is the whole 20 MB: ten samples of one iteration each.
    group.sample_size(10).warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(3));
    group.throughput(Throughput::Bytes(bytes as u64));
    group.bench_function("20MB_mix", |b| {
        b.iter(|| {
            let mut blocked = 0usize;
            for doc in &docs {
                let report = engine.scan(black_box(doc), &options);
                blocked += (report.verdict == sendguard::Action::Block) as usize;
            }
            blocked
        })
    });
    group.finish();
}

fn bench_format_and_kind(c: &mut Criterion) {
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let mut group = quick(c, "scan_shape");
    // Same seed, same context, about 50 KB each: only the shape differs.
    for (label, args) in [
        ("html_rendered", ["--format", "html", "--kind", "rendered"]),
        ("text_rendered", ["--format", "text", "--kind", "rendered"]),
        ("html_template", ["--format", "html", "--kind", "template"]),
        ("text_template", ["--format", "text", "--kind", "template"]),
    ] {
        let mut all = vec!["--single", "50k", "--context", "hosting_welcome", "--secrets", "1"];
        all.extend(args);
        let doc = common::single(&format!("shape-{label}-50k"), &all);
        group.throughput(Throughput::Bytes(doc.len() as u64));
        group.bench_with_input(BenchmarkId::from_parameter(label), &doc, |b, doc| {
            b.iter(|| engine.scan(black_box(doc), &options))
        });
    }
    group.finish();
}

fn bench_prefilter(c: &mut Criterion) {
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let doc = common::single("no-keywords-1m.txt", &["--single", "1m", "--format", "text", "--no-keywords"]);
    // The document must really hold no keyword of the policy, or this measures something else.
    let lower = doc.to_ascii_lowercase();
    let present: Vec<&str> = engine
        .policy()
        .rules
        .iter()
        .flat_map(|r| r.keywords.iter())
        .map(String::as_str)
        .filter(|k| lower.contains(&k.to_ascii_lowercase()))
        .collect();
    if !present.is_empty() {
        eprintln!("prefilter bench: the no-keyword document contains policy keywords {present:?}");
    }
    let finder = memchr::memmem::Finder::new("password");
    let mut group = quick(c, "prefilter_1MB_no_keyword");
    group.throughput(Throughput::Bytes(doc.len() as u64));
    group.bench_function("sendguard_scan", |b| b.iter(|| engine.scan(black_box(&doc), &options)));
    group.bench_function("memmem_password", |b| b.iter(|| finder.find(black_box(doc.as_bytes()))));
    group.bench_function("str_contains_password", |b| b.iter(|| black_box(&lower).contains("password")));
    group.bench_function("ascii_lowercase_copy", |b| b.iter(|| black_box(&doc).to_ascii_lowercase()));
    group.finish();
}

criterion_group!(benches, bench_sizes, bench_format_and_kind, bench_prefilter, bench_folder);
criterion_main!(benches);
