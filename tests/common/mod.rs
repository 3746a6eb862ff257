//! Cases shared by the wasm-bindgen-test suites: `tests/node.rs` runs them in Node,
//! `tests/web.rs` in headless Chrome. They go through the JS-facing bindings
//! (`sendguard::wasm`), so they test exactly what JavaScript sees.
//!
//! Security rule: a failing assertion must never print a secret, so secrets are only
//! ever compared to booleans with a fixed message.
#![allow(dead_code)]

use js_sys::{JsString, Reflect, Uint8Array};
use sendguard::wasm::{version, JsEngine, JsRunGuard, TYPESCRIPT};
use sendguard::{Category, Context};
use wasm_bindgen::{JsCast, JsValue};

/// The secret of the examples (a test value, but treated like a real one).
const SECRET: &str = "Xq7#vB2m9L";

/// Lists every shared case as a `#[wasm_bindgen_test]` in the including file.
#[macro_export]
macro_rules! shared_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            fn $name() {
                common::$name()
            }
        )*
    };
}

fn get(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).expect("property access on an object")
}

fn get_str(value: &JsValue, key: &str) -> String {
    get(value, key).as_string().unwrap_or_else(|| panic!("`{key}` is not a string"))
}

fn get_num(value: &JsValue, key: &str) -> usize {
    get(value, key).as_f64().unwrap_or_else(|| panic!("`{key}` is not a number")) as usize
}

fn object(json: &str) -> JsValue {
    js_sys::JSON::parse(json).expect("test JSON parses")
}

fn findings(report: &JsValue) -> Vec<JsValue> {
    js_sys::Array::from(&get(report, "findings")).iter().collect()
}

/// The `code` of a thrown error, checking that it is a real `Error` named SendguardError.
fn error_code(error: JsValue) -> String {
    let error: js_sys::Error = error.dyn_into().expect("a thrown value is an Error");
    assert_eq!(String::from(error.name()), "SendguardError");
    assert!(!String::from(error.message()).is_empty(), "an error has a message");
    get_str(&error, "code")
}

fn engine() -> JsEngine {
    JsEngine::new(None).unwrap_or_else(|_| panic!("the default policy compiles"))
}

pub fn default_engine_blocks_a_password() {
    let report = engine().scan(JsValue::from_str(&format!("Password: {SECRET}")), None).unwrap();
    assert_eq!(get_str(&report, "verdict"), "block");
    let found = findings(&report);
    assert_eq!(found.len(), 1);
    assert_eq!(get_str(&found[0], "category"), "password");
    assert!(!get_str(&found[0], "redacted").contains(SECRET), "redacted value holds the secret");
    assert_eq!(get_num(&report, "truncated"), 0);
}

pub fn clean_text_passes() {
    let report = engine().scan(JsValue::from_str("Your invoice INV-2024-0042 is attached."), None).unwrap();
    assert_eq!(get_str(&report, "verdict"), "pass");
    assert!(findings(&report).is_empty());
}

/// `text.slice(utf16Start, utf16End)` is the secret in JavaScript, with emoji, CJK and
/// accented labels before it; byte offsets and line/column agree.
pub fn utf16_offsets_survive_emoji_and_cjk() {
    let texts = [
        format!("👋🏽 Hola 世界 🎉\nContraseña: {SECRET}\n¡Gracias! 😀"),
        format!("パスワードの変更 🔐 — 新しい\n\nPassword: {SECRET} 🙂"),
        format!("Contraseña: {SECRET}"),
    ];
    let engine = engine();
    for text in &texts {
        let report = engine.scan(JsValue::from_str(text), None).unwrap();
        let found = findings(&report);
        assert_eq!(found.len(), 1, "one finding expected");
        let f = &found[0];
        let js_text = JsString::from(text.as_str());
        let slice = String::from(js_text.slice(get_num(f, "utf16Start") as u32, get_num(f, "utf16End") as u32));
        assert!(slice == SECRET, "text.slice(utf16Start, utf16End) is not the secret");
        let (start, end) = (get_num(f, "start"), get_num(f, "end"));
        assert!(text.get(start..end) == Some(SECRET), "byte span is not the secret");
        let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
        assert_eq!(get_num(f, "line"), text[..start].matches('\n').count() + 1);
        assert_eq!(get_num(f, "column"), text[line_start..start].chars().count() + 1);
        assert_eq!(get_num(f, "endColumn") - get_num(f, "column"), SECRET.chars().count());
    }
}

/// Every form of policy constructs: TOML text, JSON text, a plain object, and the
/// default policy's own TOML.
pub fn policy_forms() {
    let toml = "extends = \"default\"\n";
    let json = r#"{"extends": "default"}"#;
    for engine in [
        JsEngine::new(Some(JsValue::from_str(toml))),
        JsEngine::new(Some(JsValue::from_str(json))),
        JsEngine::new(Some(object(json))),
        JsEngine::new(Some(JsValue::from_str(&JsEngine::default_policy()))),
        JsEngine::new(Some(JsValue::NULL)),
        JsEngine::new(Some(JsValue::UNDEFINED)),
    ] {
        let engine = engine.unwrap_or_else(|_| panic!("policy form compiles"));
        let report = engine.scan(JsValue::from_str(&format!("Password: {SECRET}")), None).unwrap();
        assert_eq!(get_str(&report, "verdict"), "block");
    }
}

pub fn bad_policies_throw_with_codes() {
    let cases: [(JsValue, &[&str]); 5] = [
        (JsValue::from_str("rules = [ this is not toml"), &["policy"]),
        (JsValue::from_str(r#"{"rules": 42}"#), &["policy"]),
        (object(r#"{"noSuchField": true}"#), &["policy"]),
        (JsValue::from_f64(7.0), &["policy"]),
        (
            object(r#"{"rules": [{"id": "look-around", "category": "token", "pattern": "(?=abc)abc", "examples": ["abc"]}]}"#),
            &["rule", "policy"],
        ),
    ];
    for (policy, codes) in cases {
        let code = error_code(JsEngine::new(Some(policy)).err().expect("a bad policy throws"));
        assert!(codes.contains(&code.as_str()), "unexpected code {code}");
    }
}

pub fn rule_errors_name_the_rule() {
    let policy = object(r#"{"rules": [{"id": "backref", "category": "token", "pattern": "(a)\\1", "examples": ["aa"]}]}"#);
    let error = JsEngine::new(Some(policy)).err().expect("a back-reference rule is refused");
    let message = String::from(error.clone().dyn_into::<js_sys::Error>().unwrap().message());
    assert!(message.contains("backref"), "the message names the rule: {message}");
}

/// Bad arguments throw `input` errors, and the same engine keeps working afterwards.
pub fn engine_keeps_working_after_errors() {
    let engine = engine();
    let bad: [(Option<JsValue>, &str); 5] = [
        (Some(object(r#"{"context": "nope"}"#)), "unknown context"),
        (Some(object(r#"{"kind": "sideways"}"#)), "unknown kind"),
        (Some(object(r#"{"contxt": "invoice"}"#)), "unknown option"),
        (Some(JsValue::from_str("invoice")), "options not an object"),
        (Some(object(r#"{"format": 3}"#)), "format not a string"),
    ];
    for (options, why) in bad {
        let error = engine.scan(JsValue::from_str("hello"), options).err();
        assert_eq!(error_code(error.unwrap_or_else(|| panic!("{why}: no error"))), "input", "{why}");
        let report = engine.scan(JsValue::from_str(&format!("Password: {SECRET}")), None).unwrap();
        assert_eq!(get_str(&report, "verdict"), "block", "engine broken after: {why}");
    }
    let error = engine.scan(JsValue::from_f64(42.0), None).err().expect("a number is not a text");
    assert_eq!(error_code(error), "input");
    let error = engine.scan_bytes(JsValue::from_str("text"), None).err().expect("a string is not bytes");
    assert_eq!(error_code(error), "input");
    let report = engine.scan(JsValue::from_str(&format!("Password: {SECRET}")), None).unwrap();
    assert_eq!(get_str(&report, "verdict"), "block");
}

pub fn options_reach_the_engine() {
    let engine = engine();
    for context in Context::ALL {
        let options = object(&format!(r#"{{"context": "{}", "kind": "rendered", "format": "text"}}"#, context.as_str()));
        let report = engine.scan(JsValue::from_str("hello"), Some(options)).unwrap();
        assert_eq!(get_str(&report, "context"), context.as_str());
        assert_eq!(get_str(&report, "kind"), "rendered");
        assert_eq!(get_str(&report, "format"), "text");
    }
}

pub fn scan_bytes_reads_text_html_and_buffers() {
    let engine = engine();
    let text = format!("Password: {SECRET}");
    let bytes = Uint8Array::from(text.as_bytes());
    let report = engine.scan_bytes(bytes.clone().into(), Some(object(r#"{"format": "text"}"#))).unwrap();
    assert_eq!(get_str(&report, "verdict"), "block");
    let f = &findings(&report)[0];
    assert!(text.get(get_num(f, "start")..get_num(f, "end")) == Some(SECRET), "byte span is not the secret");
    let report = engine.scan_bytes(bytes.buffer().into(), None).unwrap();
    assert_eq!(get_str(&report, "verdict"), "block");
    let html = format!("<table><tr><td>Password</td><td>{SECRET}</td></tr></table>");
    let report = engine
        .scan_bytes(Uint8Array::from(html.as_bytes()).into(), Some(object(r#"{"format": "html"}"#)))
        .unwrap();
    assert_eq!(get_str(&report, "verdict"), "block");
}

pub fn rules_are_listed() {
    let rules = js_sys::Array::from(&engine().rules().unwrap());
    assert!(rules.length() > 0, "the default policy has rules");
    for rule in rules.iter() {
        assert!(!get_str(&rule, "id").is_empty());
        let category = get_str(&rule, "category");
        assert!(Category::ALL.iter().any(|c| c.as_str() == category), "unknown category {category}");
    }
}

/// The hand-written TypeScript names every value of the Rust enums.
pub fn typescript_matches_the_rust_enums() {
    for category in Category::ALL {
        assert!(TYPESCRIPT.contains(&format!("\"{}\"", category.as_str())), "{category} missing from Category");
    }
    for context in Context::ALL {
        assert!(TYPESCRIPT.contains(&format!("\"{}\"", context.as_str())), "{} missing", context.as_str());
    }
}

pub fn version_is_the_crate_version() {
    assert_eq!(version(), env!("CARGO_PKG_VERSION"));
}

/// A guard that allows no blocked message halts at the first, stays halted across
/// `state()`/`fromState()`, and runs again after `reset()`.
pub fn run_guard_halts_and_resumes() {
    let mut guard = JsRunGuard::new(Some(object(r#"{"maxBlocked": 0}"#))).unwrap_or_else(|_| panic!("limits"));
    let send = |verdict: &str, at: u64| object(&format!(r#"{{"recipient": "a@example.com", "at": {at}, "verdict": "{verdict}"}}"#));
    let decision = guard.check(send("pass", 1_700_000_000_000)).unwrap();
    assert_eq!(get_str(&decision, "action"), "send");
    let decision = guard.check(send("block", 1_700_000_001_000)).unwrap();
    assert_eq!(get_str(&decision, "action"), "halt");
    let decision = guard.check(send("pass", 1_700_000_002_000)).unwrap();
    assert_eq!(get_str(&decision, "action"), "halt", "a halt is sticky");
    let summary = guard.summary().unwrap();
    assert_eq!(get(&summary, "halted").as_bool(), Some(true));
    assert_eq!(get_num(&get(&summary, "counts"), "checked"), 3);

    let mut resumed = JsRunGuard::from_state(guard.state().unwrap()).unwrap_or_else(|_| panic!("state"));
    let decision = resumed.check(send("pass", 1_700_000_003_000)).unwrap();
    assert_eq!(get_str(&decision, "action"), "halt", "a resumed guard stays halted");
    resumed.reset();
    let decision = resumed.check(send("pass", 1_700_000_004_000)).unwrap();
    assert_eq!(get_str(&decision, "action"), "send");
}

pub fn run_guard_errors_have_codes() {
    let bad_limits: [(JsValue, &str); 4] = [
        (object(r#"{"maxMessages": 0}"#), "policy"),
        (object(r#"{"maxBloked": 1}"#), "input"),
        (object(r#"{"maxBlocked": "one"}"#), "input"),
        (JsValue::from_str("maxBlocked=1"), "input"),
    ];
    for (limits, code) in bad_limits {
        let error = JsRunGuard::new(Some(limits)).err().expect("bad limits throw");
        assert_eq!(error_code(error), code);
    }
    let mut guard = JsRunGuard::new(None).unwrap_or_else(|_| panic!("no limits"));
    let bad_checks = [
        r#"{"recipient": "a@example.com", "at": 1, "verdict": "maybe"}"#,
        r#"{"recipient": "a@example.com", "verdict": "pass"}"#,
        r#"{"recipient": "a@example.com", "at": 1, "verdict": "pass", "triggerAt": 0}"#,
    ];
    for check in bad_checks {
        assert_eq!(error_code(guard.check(object(check)).err().expect("a bad check throws")), "input");
    }
    let decision = guard.check(object(r#"{"recipient": "a@example.com", "at": 1, "verdict": "pass"}"#)).unwrap();
    assert_eq!(get_str(&decision, "action"), "send", "the guard works after errors");
    assert_eq!(error_code(JsRunGuard::from_state(object(r#"{"version": 99}"#)).err().expect("bad state")), "input");
}
