//! Property tests over the public API: spans, UTF-16 and line/column agree; no report or
//! error holds the secret; the verdict is monotone; scanning is deterministic; a halted
//! RunGuard never answers `send`.
//!
//! Inputs that hold a generated secret are wrapped in `Withheld`, whose `Debug` (what
//! proptest prints for a failing case) shows nothing of them.
//!
//! Case counts keep the file under a minute in a debug build. `PROPTEST_CASES=N` raises
//! them (the stable stand-in for long fuzz runs, see SECURITY.md). Failure messages never
//! print a generated secret: they name the property and the offsets only.

use proptest::prelude::*;
use sendguard::guard::GuardAction;
use sendguard::{Action, Context, Engine, Format, GuardCheck, GuardLimits, Kind, Report, RunGuard, ScanOptions};
use std::sync::OnceLock;

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default_policy)
}

fn cases(n: u32) -> ProptestConfig {
    let n = std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(n);
    // No persistence file: a regression seed would be written next to the tests.
    ProptestConfig { cases: n, failure_persistence: None, ..ProptestConfig::default() }
}

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

/// 1-based line and character column of byte offset `at`.
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

/// A generated value that holds a secret. Its `Debug`, which proptest prints for a failing
/// case, shows nothing of it: a test failure must not print a secret either.
#[derive(Clone)]
struct Withheld<T>(T);

impl<T> std::fmt::Debug for Withheld<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Withheld(…)")
    }
}

/// A password-like value: mixed classes, no spaces, not a placeholder or prose.
fn secret() -> impl Strategy<Value = Withheld<String>> {
    "[A-Z][a-z]{2}[0-9]{2}[#!%][A-Za-z0-9]{3,8}".prop_map(Withheld)
}

fn label() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec!["Password: ", "password = ", "Passwort: ", "Contraseña: ", "Your password is ", "Mot de passe : "])
}

/// Unicode noise: emoji, CJK, accents, entities, ASCII prose, newlines, CR.
fn noise() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop::sample::select(vec![
            "hello ", "Invoice 42 ", "ñ", "😀", "👩‍👩‍👧", "日本語", "中文", "\n", "\r\n", "\t", "&amp;", "&nbsp;", "é", "𝕏", "x",
            "Total: 12.00 ", "{{ name }} ", "Dear customer, ",
        ]),
        0..12,
    )
    .prop_map(|v| v.concat())
}

fn wrap() -> impl Strategy<Value = (&'static str, &'static str)> {
    prop::sample::select(vec![
        ("", ""),
        ("<p>", "</p>"),
        ("<html><body><table><tr><td>", "</td></tr></table></body></html>"),
        ("<div><b>", "</b></div>"),
    ])
}

/// A document embedding one secret after a label, with its byte range.
fn document() -> impl Strategy<Value = Withheld<(String, String)>> {
    (noise(), label(), secret(), noise(), wrap()).prop_map(|(a, l, Withheld(s), b, (open, close))| {
        Withheld((format!("{open}{a}\n{l}{s}\n{b}{close}"), s))
    })
}

fn options() -> impl Strategy<Value = ScanOptions> {
    (
        prop::sample::select(vec![Context::Generic, Context::Invoice, Context::TicketAck, Context::Welcome, Context::PasswordReset, Context::Otp]),
        prop::sample::select(vec![Kind::Auto, Kind::Rendered, Kind::Template]),
        prop::sample::select(vec![Format::Auto, Format::Text, Format::Html]),
    )
        .prop_map(|(context, kind, format)| ScanOptions { context, kind, format, path: None })
}

fn check_positions(text: &str, r: &Report) -> Result<(), TestCaseError> {
    for (i, f) in r.findings.iter().chain(r.suppressed.iter().map(|s| &s.finding)).enumerate() {
        if f.part.is_some() {
            continue; // offsets into a decoded MIME part, not this text
        }
        prop_assert!(f.start <= f.end && f.end <= text.len(), "finding {} span {}..{} outside {}", i, f.start, f.end, text.len());
        prop_assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "finding {} span {}..{} not on char boundaries", i, f.start, f.end);
        prop_assert_eq!(f.utf16_start, utf16_len(&text[..f.start]), "finding {} utf16Start", i);
        prop_assert_eq!(f.utf16_end, utf16_len(&text[..f.end]), "finding {} utf16End", i);
        prop_assert_eq!((f.line, f.column), line_col(text, f.start), "finding {} line/column", i);
        prop_assert_eq!((f.end_line, f.end_column), line_col(text, f.end), "finding {} endLine/endColumn", i);
    }
    Ok(())
}

proptest! {
    #![proptest_config(cases(256))]

    #[test]
    fn spans_utf16_and_line_column_agree(Withheld((doc, _s)) in document(), opts in options()) {
        let r = engine().scan(&doc, &opts);
        check_positions(&doc, &r)?;
    }

    #[test]
    fn spans_agree_on_arbitrary_text(text in "\\PC{0,200}", opts in options()) {
        let doc = format!("{text}\nPassword: Xq7#vB2m9L {text}");
        let r = engine().scan(&doc, &opts);
        check_positions(&doc, &r)?;
    }

    #[test]
    fn no_report_holds_the_secret(Withheld((doc, s)) in document(), opts in options()) {
        let r = engine().scan(&doc, &opts);
        let json = serde_json::to_string(&r).expect("report serializes");
        prop_assert!(!json.contains(&s), "the report (json) contains the generated secret");
        for f in r.findings.iter().chain(r.suppressed.iter().map(|x| &x.finding)) {
            prop_assert!(!f.redacted.contains(&s) && !f.message.contains(&s), "a redacted/message field contains the secret");
        }
    }

    #[test]
    fn no_error_holds_the_secret(Withheld(s) in secret()) {
        // A secret inside invalid UTF-8 and inside a malformed policy: errors name places, not values.
        let mut bytes = format!("Password: {s} ").into_bytes();
        bytes.push(0xff);
        if let Err(e) = engine().scan_bytes(&bytes, &ScanOptions { format: Format::Text, ..Default::default() }) {
            prop_assert!(!e.to_string().contains(&s), "scan_bytes error contains the secret");
        }
        let policy = format!("[[rules]]\nid = \"r\"\ncategory = \"token\"\npattern = '''(?=x){s}'''\nexamples = [\"{s}\"]\n");
        match Engine::from_policy_str(&policy) {
            Err(e) => prop_assert!(!e.to_string().contains(&s), "policy error contains the secret"),
            Ok(e) => {
                for m in e.check_examples() {
                    prop_assert!(!m.contains(&s), "check_examples message contains the secret");
                }
            }
        }
    }

    #[test]
    fn adding_a_secret_line_never_lowers_the_verdict(lines in prop::collection::vec(noise(), 0..6), at in any::<prop::sample::Index>(), Withheld(s) in secret(), opts in options()) {
        let before = lines.join("\n");
        let mut with = lines.clone();
        with.insert(at.index(lines.len() + 1), format!("Password: {s}"));
        let after = with.join("\n");
        let v0 = engine().scan(&before, &opts).verdict;
        let v1 = engine().scan(&after, &opts).verdict;
        prop_assert!(v1 >= v0, "verdict fell from {:?} to {:?}", v0, v1);
        if opts.context != Context::PasswordReset && opts.kind != Kind::Template {
            prop_assert!(v1 == Action::Block, "a labeled password did not block ({:?})", v1);
        }
    }

    #[test]
    fn scanning_is_deterministic(Withheld((doc, _s)) in document(), opts in options()) {
        let a = serde_json::to_string(&engine().scan(&doc, &opts)).expect("serializes");
        let b = serde_json::to_string(&engine().scan(&doc, &opts)).expect("serializes");
        prop_assert!(a == b, "two scans of the same input differ");
    }

    #[test]
    fn a_halted_guard_never_sends(
        max_blocked in prop::option::of(0u64..3),
        max_messages in prop::option::of(1u64..20),
        max_per_minute in prop::option::of(1u64..10),
        checks in prop::collection::vec((prop::sample::select(vec![Action::Pass, Action::Warn, Action::Block]), 0u64..120_000, 0usize..4), 1..60),
    ) {
        let limits = GuardLimits { max_blocked, max_messages, max_per_minute, ..GuardLimits::default() };
        let mut guard = RunGuard::new(limits).expect("valid limits");
        let mut halted = false;
        let mut at = 0u64;
        for (i, (verdict, step, who)) in checks.into_iter().enumerate() {
            at += step;
            let d = guard.check(&GuardCheck::new(format!("user{who}@example.com"), at, verdict));
            if halted {
                prop_assert_eq!(d.action, GuardAction::Halt, "check {} answered after a halt", i);
            }
            if verdict == Action::Block {
                prop_assert!(d.action != GuardAction::Send, "check {}: a blocked message was sent", i);
            }
            halted |= d.action == GuardAction::Halt;
            prop_assert_eq!(guard.is_halted(), halted);
        }
    }
}
