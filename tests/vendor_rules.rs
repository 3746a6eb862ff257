//! The vendor token formats of the default policy (rules with a `provider`): how many, that
//! each proves itself, that each finds its token bare in a mail (no label word), that each
//! keeps its keyword prefilter, that documentation examples and placeholders warn instead
//! of blocking, and that `docs/RULES.md` is what `examples/rules_doc.rs` generates.
//!
//! Failure messages name rules and example numbers, never a value.

#[path = "../examples/rules_doc.rs"]
#[allow(dead_code)]
mod rules_doc;

use sendguard::rules::example_value::example_reason;
use sendguard::{Action, Category, Confidence, Engine, Policy, Rule, ScanOptions};
use std::collections::BTreeSet;

fn vendor_rules(policy: &Policy) -> Vec<&Rule> {
    policy.rules.iter().filter(|r| r.provider.is_some()).collect()
}

#[test]
fn at_least_200_vendor_rules_each_with_examples_and_counter_examples() {
    let policy = Policy::default_policy();
    let vendor = vendor_rules(&policy);
    let providers: BTreeSet<&str> = vendor.iter().filter_map(|r| r.provider.as_deref()).collect();
    assert!(vendor.len() >= 200, "{} vendor rules; the default policy promises at least 200", vendor.len());
    assert!(providers.len() >= 150, "{} providers", providers.len());
    for r in &vendor {
        assert!(!r.examples.is_empty() && !r.counter_examples.is_empty(), "rule `{}` lacks examples or counter-examples", r.id);
        assert!(!r.provider.as_deref().unwrap_or_default().trim().is_empty(), "rule `{}` names an empty provider", r.id);
    }
    let failures = Engine::default_policy().check_examples();
    assert!(failures.is_empty(), "{failures:#?}");
}

/// The secret spans the rule reports in `text`, found by an engine of that rule alone.
fn secrets_of(rule: &Rule, text: &str) -> Vec<String> {
    let alone = Policy { rules: vec![rule.clone()], ..Policy::default() };
    let engine = Engine::new(alone).unwrap_or_else(|e| panic!("rule `{}` compiles alone: {e}", rule.id));
    let report = engine.scan(text, &ScanOptions::default());
    report.findings.iter().map(|f| text[f.start..f.end].to_owned()).collect()
}

/// Every token that carries its rule's keyword (a prefix such as `ghp_`, rather than a label
/// beside it) is found on its own in a plain mail body, by the full default policy, and
/// blocks unless it is shaped like an example.
#[test]
fn bare_tokens_are_found_in_a_plain_mail() {
    let policy = Policy::default_policy();
    let engine = Engine::default_policy();
    let mut bare = 0;
    let mut missed = Vec::new();
    let mut wrong = Vec::new();
    for rule in vendor_rules(&policy) {
        for (i, example) in rule.examples.iter().enumerate() {
            for secret in secrets_of(rule, example) {
                let lower = secret.to_lowercase();
                if !rule.keywords.iter().any(|k| lower.contains(&k.to_lowercase())) {
                    continue; // found next to a label (its vendor's name); not a bare token
                }
                let mail = format!("Hi Ann,\n\nas promised:\n\n{secret}\n\nBest,\nBob\n");
                if secrets_of(rule, &mail).is_empty() {
                    continue; // the rule wants a label too (`access_token=EAA…`)
                }
                bare += 1;
                let report = engine.scan(&mail, &ScanOptions::default());
                let start = mail.find(&secret).expect("the mail holds the token");
                let end = start + secret.len();
                let hit = report.findings.iter().find(|f| f.start < end && start < f.end);
                let Some(hit) = hit else {
                    missed.push(format!("rule `{}` example #{}", rule.id, i + 1));
                    continue;
                };
                // Blocks, unless it is shaped like an example (then it warns and says so) or its
                // rule is of low confidence (test keys: the action table warns). Private keys
                // are never softened.
                let low = rule.confidence == Confidence::Low;
                let example = rule.category != Category::PrivateKey && example_reason(&secret, &rule.keywords).is_some();
                let expected = if example || low { Action::Warn } else { Action::Block };
                if hit.action != expected || (example && !low) != hit.message.starts_with("Warned, not blocked:") {
                    wrong.push(format!("rule `{}` example #{}: {} ({} an example value)", rule.id, i + 1, hit.action.as_str(), if example { "is" } else { "not" }));
                }
            }
        }
    }
    assert!(missed.is_empty(), "bare tokens not found in a plain mail: {missed:#?}");
    assert!(wrong.is_empty(), "bare tokens with the wrong action: {wrong:#?}");
    assert!(bare >= 250, "only {bare} bare vendor tokens among the examples");
}

#[test]
fn every_vendor_rule_runs_only_near_its_keywords() {
    let policy = Policy::default_policy();
    let engine = Engine::default_policy();
    // Older rules whose keywords are label words beside the token (`discord`, `bot`, `mailgun`).
    let known: BTreeSet<&str> = ["discord-bot-token", "telegram-bot-token", "mailgun-api-key"].into();
    let whole: BTreeSet<&str> = engine.whole_document_rules().into_iter().collect();
    for rule in vendor_rules(&policy) {
        assert!(!rule.keywords.is_empty(), "rule `{}` has no keyword: it would run on every document", rule.id);
        assert!(known.contains(rule.id.as_str()) || !whole.contains(rule.id.as_str()), "rule `{}` searches whole documents", rule.id);
    }
}

fn scan(text: &str) -> sendguard::Report {
    Engine::default_policy().scan(text, &ScanOptions::default())
}

#[test]
fn documented_examples_and_placeholders_warn_with_the_reason() {
    for (text, rule) in [
        ("Access key: AKIAIOSFODNN7EXAMPLE", "aws-access-key-id"),
        ("token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", "github-pat-classic"),
        ("sk_live_000000000000000000000000", "stripe-secret-key"),
        ("kubeadm join 10.0.0.1:6443 --token abcdef.0123456789abcdef", "kubernetes-bootstrap-token"),
        ("GROQ_API_KEY=gsk_abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz", "groq-api-key"),
    ] {
        let r = scan(text);
        let f = r.findings.iter().find(|f| f.rule_id == rule).unwrap_or_else(|| panic!("`{rule}` finds its documented example"));
        assert_eq!(f.action, Action::Warn, "`{rule}`: an example value warns");
        assert!(f.message.starts_with("Warned, not blocked:"), "`{rule}`: the message says why");
        assert_eq!(r.verdict, Action::Warn, "`{rule}`: the mail is not stopped");
    }
}

#[test]
fn real_looking_tokens_still_block() {
    for (text, rule) in [
        ("Access key: AKIAQ7ZK4M2VXBTN5RWD", "aws-access-key-id"),
        ("token ghp_R8fK2mQv7ZpL4xNc9TbW3hYs6JdG1uVa5eXo", "github-pat-classic"),
        ("kubeadm join 10.0.0.1:6443 --token q8x2kd.m3v9t7zr1p4wb6ya", "kubernetes-bootstrap-token"),
        ("admin:$2b$12$Zq8Lr2Vx6Np4Tb0Wm9Ks3Hc7Fj1Dy5Ga2Rt8Uw4Ei6Oq0Pl3Sn9Bv:", "bcrypt-hash"),
    ] {
        let r = scan(text);
        let f = r.findings.iter().find(|f| f.rule_id == rule).unwrap_or_else(|| panic!("`{rule}` finds its token"));
        assert_eq!(f.action, Action::Block, "`{rule}`: a random token blocks");
    }
    // A private key's base64 has runs of `A` by nature: it is never softened.
    let key = "[Interface]\nPrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n";
    let r = scan(key);
    assert_eq!(r.verdict, Action::Block, "a WireGuard key blocks whatever it looks like");
}

#[test]
fn rules_doc_matches_the_policy() {
    let expected = rules_doc::render(&Policy::default_policy());
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/RULES.md");
    let actual = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(actual == expected, "docs/RULES.md is out of date: run `make rules-doc`");
}
