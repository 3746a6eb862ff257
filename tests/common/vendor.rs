//! The vendor token formats in wasm (tests/node.rs and tests/web.rs include this file):
//! the full policy's examples and counter-examples pass when the engine runs as wasm, and
//! the bundled policy (which leaves the examples out) has the same rules and decides as
//! the native build does: a made-up token blocks, a documentation example warns.
//!
//! Failure messages name rules and example numbers, never a value.

/// Lists this file's cases as `#[wasm_bindgen_test]`s in the including file.
#[macro_export]
macro_rules! vendor_cases {
    ($($name:ident),* $(,)?) => {
        $(
            #[wasm_bindgen_test::wasm_bindgen_test]
            fn $name() {
                vendor::$name()
            }
        )*
    };
}

use js_sys::Reflect;
use sendguard::wasm::JsEngine;
use sendguard::Engine;
use wasm_bindgen::JsValue;

/// The policy file with its examples (the bundled copy has none).
const FULL_POLICY: &str = include_str!("../../policy/default.toml");

fn verdict(engine: &JsEngine, text: &str) -> String {
    let report = engine.scan(JsValue::from_str(text), None).unwrap_or_else(|_| panic!("scan succeeds"));
    Reflect::get(&report, &JsValue::from_str("verdict")).ok().and_then(|v| v.as_string()).expect("a verdict")
}

pub fn vendor_rules_pass_their_examples_in_wasm() {
    let engine = Engine::from_policy_str(FULL_POLICY).unwrap_or_else(|e| panic!("the full policy compiles in wasm: {e}"));
    let vendor = engine.policy().rules.iter().filter(|r| r.provider.is_some()).count();
    assert!(vendor >= 200, "{vendor} vendor rules in wasm");
    let failures = engine.check_examples();
    assert!(failures.is_empty(), "{} example failures in wasm: {failures:?}", failures.len());
}

pub fn bundled_policy_has_every_vendor_rule_and_no_examples() {
    let full = Engine::from_policy_str(FULL_POLICY).unwrap_or_else(|e| panic!("the full policy compiles: {e}"));
    let bundled = JsEngine::default_policy();
    assert!(!bundled.contains("\nexamples = ["), "the bundled policy carries no examples");
    let engine = JsEngine::new(None).unwrap_or_else(|_| panic!("the bundled policy compiles"));
    let listed = js_sys::Array::from(&engine.rules().unwrap_or_else(|_| panic!("rules are listed"))).length() as usize;
    assert_eq!(listed, full.policy().rules.len(), "the bundled policy has every rule");
    // Made up: a random token blocks, a documented example and a placeholder warn.
    assert_eq!(verdict(&engine, "token ghp_R8fK2mQv7ZpL4xNc9TbW3hYs6JdG1uVa5eXo"), "block");
    assert_eq!(verdict(&engine, "GROQ_API_KEY=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"), "block");
    assert_eq!(verdict(&engine, "Access key: AKIAIOSFODNN7EXAMPLE"), "warn");
    assert_eq!(verdict(&engine, "token ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"), "warn");
}
