//! Native scan throughput on a set of files, for `make bench-wasm` (which times the wasm
//! build on the same files in the same run): reads every file into memory, scans them all
//! repeatedly for at least `--seconds` (default 2), prints one JSON line
//! `{"files", "bytes", "rounds", "seconds", "mbPerSecond"}`.
//!
//! Usage: `cargo run --release --example scan_throughput -- [--seconds N] FILE...`
use sendguard::{Engine, ScanOptions};
use std::time::Instant;

fn main() {
    let mut seconds = 2.0_f64;
    let mut paths = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--seconds" {
            seconds = args.next().and_then(|s| s.parse().ok()).unwrap_or_else(|| {
                eprintln!("scan_throughput: --seconds needs a number");
                std::process::exit(2)
            });
        } else {
            paths.push(arg);
        }
    }
    let mut texts = Vec::new();
    for path in &paths {
        match std::fs::read(path) {
            // Same input as the wasm side: the file decoded as UTF-8 (lossy).
            Ok(bytes) => texts.push(String::from_utf8_lossy(&bytes).into_owned()),
            Err(e) => {
                eprintln!("scan_throughput: cannot read {path}: {e}");
                std::process::exit(2);
            }
        }
    }
    if texts.is_empty() {
        eprintln!("usage: scan_throughput [--seconds N] FILE...");
        std::process::exit(2);
    }
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let bytes: usize = texts.iter().map(String::len).sum();
    let mut findings = 0usize;
    // One warm-up round, then timed rounds.
    for text in &texts {
        findings += engine.scan(text, &options).findings.len();
    }
    let start = Instant::now();
    let mut rounds = 0u64;
    while rounds == 0 || start.elapsed().as_secs_f64() < seconds {
        for text in &texts {
            findings += engine.scan(text, &options).findings.len();
        }
        rounds += 1;
    }
    let elapsed = start.elapsed().as_secs_f64();
    let mb_per_second = (bytes as f64 * rounds as f64) / elapsed / 1e6;
    println!(
        "{{\"files\":{},\"bytes\":{bytes},\"rounds\":{rounds},\"seconds\":{elapsed:.3},\"mbPerSecond\":{mb_per_second:.2},\"findings\":{findings}}}",
        texts.len()
    );
}
