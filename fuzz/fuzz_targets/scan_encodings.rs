//! Random text in random encodings through `scan_bytes` (issue 17): UTF-16 and UTF-32 with
//! and without a byte-order mark, UTF-8 with one, windows-1252, HTML declaring a charset
//! in a `<meta>`, and the raw bytes themselves, each read as `auto`, `text` and `html`.
//! Never a panic, never an error (any bytes are text); every finding's span lies inside the
//! input (its part's range, for text that sniffs as a message); and a report that lists
//! an unscanned part never says pass.
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendguard::{Action, Engine, Format, ScanOptions};
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

/// Labels a `<meta>` may declare: single-byte, multi-byte, stateful, and ones that must not
/// be honoured (UTF-16, replacement, unknown).
const LABELS: [&str; 10] = ["windows-1252", "iso-8859-7", "koi8-r", "shift_jis", "euc-kr", "gb18030", "big5", "iso-2022-jp", "utf-16", "x-unknown"];

fn encode(choice: u8, rest: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(rest);
    let units16 = |big: bool| -> Vec<u8> { text.encode_utf16().flat_map(|u| if big { u.to_be_bytes() } else { u.to_le_bytes() }).collect() };
    let units32 = |big: bool| -> Vec<u8> { text.chars().flat_map(|c| if big { u32::from(c).to_be_bytes() } else { u32::from(c).to_le_bytes() }).collect() };
    match choice % 10 {
        0 => rest.to_vec(),
        1 => [&[0xFF, 0xFE][..], &units16(false)].concat(),
        2 => units16(false),
        3 => [&[0xFE, 0xFF][..], &units16(true)].concat(),
        4 => units16(true),
        5 => [&[0xFF, 0xFE, 0, 0][..], &units32(false)].concat(),
        6 => units32(true),
        7 => [&[0xEF, 0xBB, 0xBF][..], text.as_bytes()].concat(),
        8 => text.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect(),
        _ => {
            let label = LABELS[usize::from(choice / 10) % LABELS.len()];
            [format!("<html><head><meta charset=\"{label}\"></head><body>").as_bytes(), rest].concat()
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, rest)) = data.split_first() else { return };
    let bytes = encode(choice, rest);
    let engine = ENGINE.get_or_init(Engine::default_policy);
    for format in [Format::Auto, Format::Text, Format::Html] {
        let r = engine.scan_bytes(&bytes, &ScanOptions { format, ..Default::default() }).expect("any bytes are text");
        for f in r.findings.iter().chain(r.suppressed.iter().map(|s| &s.finding)) {
            assert!(f.start <= f.end, "inverted span");
            match f.part_range {
                // Text that sniffed as a message: offsets are into the decoded part.
                Some((start, end)) => assert!(start <= end && end <= bytes.len(), "part range outside the input"),
                None => assert!(f.end <= bytes.len(), "span outside the input"),
            }
        }
        assert!(r.unscanned.is_empty() || r.verdict != Action::Pass, "pass with an unscanned part");
    }
});
