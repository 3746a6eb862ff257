//! Scores the engine on a labelled corpus (a directory with `labels.jsonl` and the files it
//! names, like `../shared/corpus/train`): blocked-document precision, recall and F1, overall
//! and per category and kind, and the share of clean documents warned.
//!
//! ```sh
//! cargo run --release --example score_corpus -- ../shared/corpus/train [--list]
//! ```
//!
//! `--list` prints each miss and false block with its context and the rule ids, lines and
//! columns of its findings, never a value: a corpus's secrets stay in the corpus.

use sendguard::{Action, Context, Engine, Format, ScanOptions};
use std::path::PathBuf;
use std::process::ExitCode;

#[path = "../tests/common/labels.rs"]
mod labels;
use labels::{Label, Tally};

fn main() -> ExitCode {
    let mut dir = None;
    let mut list = false;
    for arg in std::env::args().skip(1) {
        match arg.as_str() {
            "--list" => list = true,
            _ if dir.is_none() => dir = Some(PathBuf::from(arg)),
            _ => {
                eprintln!("usage: score_corpus DIR [--list]");
                return ExitCode::from(2);
            }
        }
    }
    let Some(dir) = dir else {
        eprintln!("usage: score_corpus DIR [--list]");
        return ExitCode::from(2);
    };
    let labels = match std::fs::read_to_string(dir.join("labels.jsonl")) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("cannot read {}: {e}", dir.join("labels.jsonl").display());
            return ExitCode::from(2);
        }
    };
    let engine = Engine::default_policy();
    let mut tally = Tally::default();
    let mut lines = Vec::new();
    for (n, line) in labels.lines().enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let label: Label = match serde_json::from_str(line) {
            Ok(l) => l,
            Err(e) => {
                eprintln!("labels.jsonl line {}: {e}", n + 1);
                return ExitCode::from(2);
            }
        };
        let bytes = match std::fs::read(dir.join(&label.file)) {
            Ok(b) => b,
            Err(e) => {
                eprintln!("{}: {e}", label.file);
                return ExitCode::from(2);
            }
        };
        let options = ScanOptions {
            context: Context::parse(&label.context).unwrap_or_default(),
            format: match label.format.as_str() {
                "html" => Format::Html,
                "eml" => Format::Eml,
                _ => Format::Text,
            },
            ..ScanOptions::default()
        };
        let report = match engine.scan_bytes(&bytes, &options) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{}: {e}", label.file);
                return ExitCode::from(2);
            }
        };
        tally.add(&label, report.verdict);
        let expected = !label.secrets.is_empty();
        let blocked = report.verdict == Action::Block;
        let warned = !expected && report.verdict == Action::Warn;
        if list && (expected != blocked || warned) {
            let what = match (expected, blocked) {
                (true, false) => "miss",
                (false, true) => "false-block",
                _ => "warned",
            };
            let cats: Vec<_> = label.secrets.iter().map(|s| s.category.as_str()).collect();
            let found: Vec<_> = report.findings.iter().map(|f| format!("{}:{:?}@{}:{}", f.rule_id, f.action, f.line, f.column)).collect();
            lines.push(format!("{what} {} {} {} {} [{}] {}", label.id, label.file, label.kind, label.context, cats.join(","), found.join(" ")));
        }
    }
    for l in &lines {
        println!("{l}");
    }
    println!("blocked-document {}", tally.overall.line());
    for (kind, s) in &tally.by_kind {
        println!("  kind {kind:9} {}", s.line());
    }
    for (cat, (n, hit)) in &tally.by_category {
        println!("  category {cat:18} {hit}/{n} in blocked documents");
    }
    println!("  clean documents warned or blocked: {}/{} ({:.1} %)", tally.clean_flagged, tally.clean, 100.0 * tally.clean_flagged_share());
    ExitCode::SUCCESS
}
