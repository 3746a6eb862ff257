//! Any policy text (JSON or TOML): compiles or errors, never panics; a compiled engine
//! scans a fixed document.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendguard::{Engine, ScanOptions};

fuzz_target!(|text: &str| {
    if let Ok(engine) = Engine::from_policy_str(text) {
        let _ = engine.scan("Password: Xq7#vB2m9L\n<p>token {{ user.password }}</p>", &ScanOptions::default());
    }
});
