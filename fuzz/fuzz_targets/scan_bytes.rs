//! Any bytes through `scan_bytes` as a raw message (`format: eml`) and sniffed: a report
//! or a clear error, never a panic.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendguard::{Engine, Format, ScanOptions};
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fuzz_target!(|bytes: &[u8]| {
    let engine = ENGINE.get_or_init(Engine::default_policy);
    for format in [Format::Eml, Format::Auto] {
        if let Ok(r) = engine.scan_bytes(bytes, &ScanOptions { format, ..Default::default() }) {
            for f in &r.findings {
                assert!(f.start <= f.end, "inverted span");
            }
            assert!(r.unscanned.is_empty() || r.verdict != sendguard::Action::Pass, "pass with an unscanned part");
        }
    }
});
