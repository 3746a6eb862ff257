//! Where scan time goes: scans a folder once per rule (with a policy of that rule alone)
//! and prints the rules by cost. `cargo run --release --example rule_costs -- DIR`
use sendguard::{Engine, Policy, ScanOptions};
use std::time::Instant;

fn main() {
    let dir = std::env::args().nth(1).expect("usage: rule_costs DIR");
    let mut docs = Vec::new();
    let mut stack = vec![std::path::PathBuf::from(dir)];
    while let Some(p) = stack.pop() {
        for e in std::fs::read_dir(&p).expect("folder reads").flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
            } else if let Ok(t) = std::fs::read_to_string(&path) {
                docs.push(t);
            }
        }
    }
    let bytes: usize = docs.iter().map(|d| d.len()).sum();
    let base = Policy::default_policy();
    let time = |engine: &Engine| {
        let t = Instant::now();
        for d in &docs {
            std::hint::black_box(engine.scan(d, &ScanOptions::default()));
        }
        t.elapsed().as_secs_f64()
    };
    let all = time(&Engine::default_policy());
    println!("{} documents, {:.1} MB: all rules {:.3} s ({:.1} MB/s)", docs.len(), bytes as f64 / 1e6, all, bytes as f64 / 1e6 / all);
    let empty = Policy { rules: Vec::new(), ..base.clone() };
    println!("no rules (decode + placeholders only): {:.3} s", time(&Engine::new(empty).expect("compiles")));
    let mut costs = Vec::new();
    for rule in &base.rules {
        let p = Policy { rules: vec![rule.clone()], ..base.clone() };
        costs.push((time(&Engine::new(p).expect("compiles")), rule.id.clone()));
    }
    costs.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (t, id) in costs.iter().take(15) {
        println!("{t:8.3} s  {id}");
    }
}
