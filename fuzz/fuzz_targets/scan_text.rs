//! Any text, scanned as plain text: never panics, spans stay inside the input on char
//! boundaries.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendguard::{Engine, Format, ScanOptions};
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|text: &str| {
    let engine = ENGINE.get_or_init(Engine::default_policy);
    let r = engine.scan(text, &ScanOptions { format: Format::Text, ..Default::default() });
    for f in &r.findings {
        assert!(f.start <= f.end && f.end <= text.len(), "span outside the input");
        assert!(text.is_char_boundary(f.start) && text.is_char_boundary(f.end), "span not on char boundaries");
    }
});
