//! Policy compile time (criterion): the default policy (its regexes built on first use),
//! the same with every regex built at once, the default policy parsed from its TOML text,
//! and the default policy extended by 200 generated custom rules.
//!
//! `cargo bench --bench compile`. Target (issue 8): ≤ 50 ms native for the default policy.

use criterion::{black_box, criterion_group, criterion_main, Criterion};
use sendguard::policy::default_policy_toml;
use sendguard::{Category, Confidence, Engine, Policy, Rule};
use std::time::Duration;

/// 200 custom rules in the shapes a team adds: an internal token prefix with keywords, a
/// labelled value, and a few without keywords (which always run).
fn custom_rules(n: usize) -> Vec<Rule> {
    (0..n)
        .map(|i| {
            let (pattern, keywords) = match i % 4 {
                0 => (format!(r"\bacme{i}_[A-Za-z0-9]{{32,40}}\b"), vec![format!("acme{i}_")]),
                1 => (
                    format!(r"(?i)\bsvc{i}[-_ ]?secret\s*[:=]\s*(?P<secret>[A-Za-z0-9+/=_-]{{16,64}})"),
                    vec![format!("svc{i}")],
                ),
                2 => (format!(r"\bT{i}-[0-9A-F]{{8}}-[0-9A-F]{{8}}-[0-9A-F]{{8}}\b"), vec![format!("t{i}-")]),
                _ => (format!(r"\bint{i}\.[A-Za-z0-9_-]{{20,}}\.[A-Za-z0-9_-]{{10,}}\b"), vec![]),
            };
            Rule {
                id: format!("custom-{i:03}"),
                category: Category::Token,
                description: Some(format!("internal token format {i}")),
                pattern: Some(pattern),
                keywords,
                confidence: Confidence::High,
                ..Rule::default()
            }
        })
        .collect()
}

fn bench_compile(c: &mut Criterion) {
    let mut group = c.benchmark_group("compile");
    group.sample_size(15).warm_up_time(Duration::from_millis(700)).measurement_time(Duration::from_secs(3));

    let default_policy = Policy::default_policy();
    group.bench_function("default_policy", |b| {
        b.iter(|| Engine::new(black_box(default_policy.clone())).expect("default policy compiles"))
    });
    // What the first scans add when they need every rule (a CLI run over a big folder does).
    group.bench_function("default_policy_every_regex_built", |b| {
        b.iter(|| Engine::builder().policy(black_box(default_policy.clone())).eager_regexes(true).build().expect("default policy compiles"))
    });
    group.bench_function("default_policy_from_toml", |b| {
        b.iter(|| Engine::from_policy_str(black_box(default_policy_toml())).expect("default policy compiles"))
    });

    let extended = Policy { extends: Some("default".to_owned()), rules: custom_rules(200), ..Policy::default() };
    if let Err(e) = Engine::new(extended.clone()) {
        panic!("compile bench: the 200-rule policy does not compile: {e}");
    }
    group.bench_function("default_plus_200_rules", |b| {
        b.iter(|| Engine::new(black_box(extended.clone())).expect("200-rule policy compiles"))
    });
    group.finish();
}

criterion_group!(benches, bench_compile);
criterion_main!(benches);
