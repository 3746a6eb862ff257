//! Keyword windows (src/engine/window.rs) and byte runs (src/engine/runs.rs) change where
//! rules search, never what they find:
//! every document here is scanned by an engine with windows and one without, and the two
//! reports must be equal. Failure messages name the document and the rule ids, never a
//! value.

use proptest::prelude::*;
use sendguard::{Engine, Policy, Report, ScanOptions};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

fn engines() -> &'static (Engine, Engine) {
    static ENGINES: OnceLock<(Engine, Engine)> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let windowed = Engine::builder().keyword_windows(true).build().expect("default policy compiles");
        let whole = Engine::builder().keyword_windows(false).build().expect("default policy compiles");
        (windowed, whole)
    })
}

/// What must agree: rule, span and action of every finding and suppression, and the verdict.
fn summary(r: &Report) -> Vec<(String, usize, usize, String)> {
    let mut v: Vec<_> = r
        .findings
        .iter()
        .chain(r.suppressed.iter().map(|s| &s.finding))
        .map(|f| (f.rule_id.clone(), f.start, f.end, format!("{:?}", f.action)))
        .collect();
    v.push((format!("verdict {:?}", r.verdict), 0, 0, String::new()));
    v
}

fn assert_same(name: &str, text: &str, options: &ScanOptions) {
    let (windowed, whole) = engines();
    let a = summary(&windowed.scan(text, options));
    let b = summary(&whole.scan(text, options));
    // Spans and rule ids only: the values stay out of the message.
    assert_eq!(a, b, "{name}: windowed scan (left) differs from whole-document scan (right)");
}

fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn the_dev_corpus_and_the_examples_scan_the_same_with_and_without_windows() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut seen = 0;
    for dir in [root.join("../shared/corpus/dev"), root.join("examples/templates")] {
        for path in files(&dir) {
            let Ok(text) = std::fs::read_to_string(&path) else { continue };
            assert_same(&path.display().to_string(), &text, &ScanOptions::default());
            seen += 1;
        }
    }
    assert!(seen >= 100, "expected the dev corpus beside the project; found {seen} documents");
}

#[test]
fn every_rule_example_scans_the_same_inside_long_documents() {
    let prose = "Thank you for your order. Your invoice is attached; the amount will be charged to the card on file. ".repeat(60);
    let unicode = "Grüße aus Köln — 東京 😀 Contraseña olvidada? ".repeat(40);
    for rule in &Policy::default_policy().rules {
        for (i, example) in rule.examples.iter().chain(&rule.counter_examples).enumerate() {
            for (j, doc) in [
                format!("{prose}{example}{prose}"),
                format!("{unicode}\n{example}\n{unicode}"),
                format!("{example}{example} {example}\n{example}"),
                format!("<table><tr><td>{example}</td></tr></table>{prose}"),
            ]
            .iter()
            .enumerate()
            {
                assert_same(&format!("rule {} example {i} layout {j}", rule.id), doc, &ScanOptions::default());
            }
        }
    }
}

#[test]
fn long_values_past_the_window_are_reported_whole() {
    // A bearer token and a session id far longer than any window: both scans must report
    // the full value, which means the windowed scan followed the match past its window.
    let token: String = (0..6000).map(|i| char::from(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789"[i * 7 % 46])).collect();
    for doc in [format!("Authorization: Bearer {token}\n"), format!("https://app.example/?session_id={token} ok")] {
        assert_same("long value", &doc, &ScanOptions::default());
        let report = engines().0.scan(&doc, &ScanOptions::default());
        assert!(report.findings.iter().any(|f| f.end - f.start >= 6000), "the long value is reported whole");
    }
}

fn fragment() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "Password: ", "password", "pass", "Passwort ist ", "Контрасеня", "пароль: ", "ПАРОЛЬ ", "Lösenord: ", "パスワード：",
        "PIN: ", "pin code ", "CVV ", "code: ", "one-time code is ", "api_key = ", "secret: ", "token ", "Bearer ",
        "Authorization: Basic ", "session_id=", "Set-Cookie: sid=", "https://", "postgres://", "ftp://", "://", "@", ":",
        "ghp_", "xoxb-", "sk_live_", "AKIA", "eyJ", "-----BEGIN PRIVATE KEY-----\n", "reset", "/reset-password?token=",
        "key-", "SK", "glpat-", "AIza", "4111 1111 1111 1111", "4242", "\n", "\t", " ", "  ", "<br>", "<td>", "</td>",
        "&nbsp;", "é", "😀", "東京", "=", ".", "-", "_", "\"",
    ])
    .prop_map(str::to_owned)
    .boxed()
    .prop_union(prop::string::string_regex("[A-Za-z0-9+/_-]{1,48}").expect("valid regex").boxed())
    // Digit runs for the card rule, which searches only runs of digits, spaces and dashes.
    .or(prop::string::string_regex("[0-9][0-9 -]{0,30}").expect("valid regex").boxed())
    .boxed()
}

/// A generated document; its `Debug` (what proptest prints on failure) shows its size only,
/// since the fragments include secret-shaped values.
#[derive(Clone)]
struct Doc(String);

impl std::fmt::Debug for Doc {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Doc({} bytes; regenerate with the seed to inspect)", self.0.len())
    }
}

fn doc() -> impl Strategy<Value = Doc> {
    prop::collection::vec(fragment(), 0..80).prop_map(|parts| Doc(parts.concat()))
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(256),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn random_documents_scan_the_same_with_and_without_windows(doc in doc()) {
        let doc = doc.0;
        let (windowed, whole) = engines();
        let options = ScanOptions::default();
        let a = summary(&windowed.scan(&doc, &options));
        let b = summary(&whole.scan(&doc, &options));
        prop_assert!(a == b, "windowed {:?} vs whole {:?}", a, b);
    }
}
