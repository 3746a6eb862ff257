//! The labeled dev corpus (`../shared/corpus/dev`): blocked-document F1 and the share of
//! clean documents warned, per category and per kind. Expected answers are read from the
//! labels at test time, never copied into the engine.

use sendguard::{Action, Context, Engine, Format, ScanOptions};
use std::path::PathBuf;

#[path = "common/labels.rs"]
mod labels;
use labels::{Label, Tally};

fn corpus_dir() -> PathBuf {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("SENDGUARD_CORPUS").map(PathBuf::from).unwrap_or_else(|| root.join("../shared/corpus/dev"))
}

#[test]
fn dev_corpus_scores() {
    let dir = corpus_dir();
    let labels = std::fs::read_to_string(dir.join("labels.jsonl"))
        .unwrap_or_else(|e| panic!("the dev corpus must be at {}: {e}", dir.display()));
    let engine = Engine::default_policy();
    let mut tally = Tally::default();
    let mut misses = Vec::new();
    for line in labels.lines().filter(|l| !l.trim().is_empty()) {
        let label: Label = serde_json::from_str(line).expect("label line parses");
        let text = std::fs::read_to_string(dir.join(&label.file)).expect("corpus file reads");
        let options = ScanOptions {
            context: Context::parse(&label.context).unwrap_or_default(),
            format: if label.format == "html" { Format::Html } else { Format::Text },
            ..ScanOptions::default()
        };
        let report = engine.scan(&text, &options);
        tally.add(&label, report.verdict);
        let expected = !label.secrets.is_empty();
        let blocked = report.verdict == Action::Block;
        if expected != blocked {
            // Rule ids and positions only: never the values.
            let rules: Vec<_> = report.findings.iter().map(|f| format!("{}@{}:{}", f.rule_id, f.line, f.column)).collect();
            misses.push(format!("{} ({} {}) expected block={expected}, got {:?} {:?}", label.id, label.kind, label.context, report.verdict, rules));
        }
    }
    println!("dev corpus: blocked-document F1 {:.3} (tp {} fp {} fn {})", tally.overall.f1(), tally.overall.tp, tally.overall.fp, tally.overall.fn_);
    for (kind, s) in &tally.by_kind {
        println!("  kind {kind:9}: F1 {:.3} (tp {} fp {} fn {})", s.f1(), s.tp, s.fp, s.fn_);
    }
    for (cat, (n, hit)) in &tally.by_category {
        println!("  category {cat:18}: {hit}/{n} secrets in blocked documents (recall {:.3})", *hit as f64 / *n as f64);
    }
    let warned = tally.clean_flagged_share();
    println!("  clean documents warned or blocked: {}/{} ({:.1}%)", tally.clean_flagged, tally.clean, 100.0 * warned);
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(tally.overall.f1() >= 0.97, "blocked-document F1 {:.3} < 0.97", tally.overall.f1());
    assert!(warned <= 0.03, "clean documents warned {:.1}% > 3%", 100.0 * warned);
}
