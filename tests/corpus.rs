//! The labeled dev corpus (`../shared/corpus/dev`): blocked-document F1 and the share of
//! clean documents warned, per category and per kind. Expected answers are read from the
//! labels at test time, never copied into the engine.

use sendguard::{Action, Context, Engine, Format, ScanOptions};
use std::collections::BTreeMap;
use std::path::PathBuf;

#[path = "common/labels.rs"]
mod labels;
use labels::{Label, Score};

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
    let mut overall = Score::default();
    let mut by_kind: BTreeMap<String, Score> = BTreeMap::new();
    let mut by_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let (mut clean, mut clean_flagged) = (0usize, 0usize);
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
        let expected = !label.secrets.is_empty();
        let blocked = report.verdict == Action::Block;
        overall.add(expected, blocked);
        by_kind.entry(label.kind.clone()).or_default().add(expected, blocked);
        for s in &label.secrets {
            let e = by_category.entry(s.category.clone()).or_default();
            e.0 += 1;
            e.1 += blocked as usize;
        }
        if !expected {
            clean += 1;
            clean_flagged += (report.verdict != Action::Pass) as usize;
        }
        if expected != blocked {
            // Rule ids and positions only: never the values.
            let rules: Vec<_> = report.findings.iter().map(|f| format!("{}@{}:{}", f.rule_id, f.line, f.column)).collect();
            misses.push(format!("{} ({} {}) expected block={expected}, got {:?} {:?}", label.id, label.kind, label.context, report.verdict, rules));
        }
    }
    println!("dev corpus: blocked-document F1 {:.3} (tp {} fp {} fn {})", overall.f1(), overall.tp, overall.fp, overall.fn_);
    for (kind, s) in &by_kind {
        println!("  kind {kind:9}: F1 {:.3} (tp {} fp {} fn {})", s.f1(), s.tp, s.fp, s.fn_);
    }
    for (cat, (n, hit)) in &by_category {
        println!("  category {cat:18}: {hit}/{n} secrets in blocked documents (recall {:.3})", *hit as f64 / *n as f64);
    }
    let warned = clean_flagged as f64 / clean.max(1) as f64;
    println!("  clean documents warned or blocked: {clean_flagged}/{clean} ({:.1}%)", 100.0 * warned);
    for m in &misses {
        println!("  miss: {m}");
    }
    assert!(overall.f1() >= 0.97, "blocked-document F1 {:.3} < 0.97", overall.f1());
    assert!(warned <= 0.03, "clean documents warned {:.1}% > 3%", 100.0 * warned);
}
