//! Inputs shared by the criterion benches: the seeded corpus and single documents written by
//! `tools/gen_corpus.py`, generated on first use so that `cargo bench` works on a fresh clone.
//!
//! Everything lives under `target/` (never committed) and is the same bytes on every machine
//! for the same seed, so figures from two machines compare the same work.

#![allow(dead_code)] // each bench binary uses a different part of this module

use std::path::{Path, PathBuf};
use std::process::Command;

/// Seed of every generated input (the same as `make bench-compare`).
pub const SEED: u64 = 42;

/// The crate root: benches run with it as working directory, but say it explicitly.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn generate(args: &[&str]) {
    let status = Command::new("python3")
        .current_dir(root())
        .arg("tools/gen_corpus.py")
        .args(["--seed", &SEED.to_string()])
        .args(args)
        .status()
        .unwrap_or_else(|e| panic!("bench input: cannot run python3 tools/gen_corpus.py: {e}"));
    assert!(status.success(), "bench input: tools/gen_corpus.py {args:?} failed ({status})");
}

/// One generated document, written on first use: `name` is its file name under
/// `target/bench-single/`, `args` the generator options that make it.
pub fn single(name: &str, args: &[&str]) -> String {
    let path = root().join("target/bench-single").join(name);
    if !path.exists() {
        let out = path.to_string_lossy().into_owned();
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--out", &out]);
        generate(&all);
    }
    read(&path)
}

/// The folder of the 20 MB corpus (`target/bench-corpus`, or `SENDGUARD_BENCH_CORPUS`),
/// generated on first use.
pub fn corpus_dir() -> PathBuf {
    let dir = std::env::var_os("SENDGUARD_BENCH_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| root().join("target/bench-corpus"));
    if !dir.join("labels.jsonl").exists() {
        let out = dir.to_string_lossy().into_owned();
        generate(&["--size-mb", "20", "--out", &out]);
    }
    dir
}

/// The 20 MB corpus (`target/bench-corpus/docs`), generated on first use; every file's text.
pub fn corpus() -> Vec<String> {
    let dir = corpus_dir();
    let mut paths: Vec<PathBuf> = std::fs::read_dir(dir.join("docs"))
        .unwrap_or_else(|e| panic!("bench input: cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .collect();
    paths.sort();
    paths.iter().map(|p| read(p)).collect()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("bench input: cannot read {}: {e}", path.display()))
}
