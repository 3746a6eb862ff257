//! Prints the native engine's reports as JSON lines, one per file, for comparison with
//! the wasm build (tests/node/corpus.test.mjs): `{"path", "text", "bytes"}` where `text`
//! is `scan` of the file as UTF-8 (null when it is not UTF-8) and `bytes` is `scan_bytes`
//! of its raw bytes (or `{"error": code}`), both with default options.
//!
//! Usage: `cargo run --example report_json -- FILE...`
use sendguard::{Engine, ScanOptions};
use std::io::Write;

fn main() {
    let engine = Engine::default_policy();
    let options = ScanOptions::default();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut failed = false;
    for path in std::env::args().skip(1) {
        let bytes = match std::fs::read(&path) {
            Ok(bytes) => bytes,
            Err(e) => {
                eprintln!("report_json: cannot read {path}: {e}");
                failed = true;
                continue;
            }
        };
        let text = std::str::from_utf8(&bytes).ok().map(|t| engine.scan(t, &options));
        let from_bytes = match engine.scan_bytes(&bytes, &options) {
            Ok(report) => serde_json::to_value(report),
            Err(e) => Ok(serde_json::json!({ "error": e.kind().code() })),
        };
        let line = serde_json::json!({ "path": path, "text": text, "bytes": from_bytes.expect("a report serializes") });
        if writeln!(out, "{line}").is_err() {
            std::process::exit(2);
        }
    }
    if failed {
        std::process::exit(2);
    }
}
