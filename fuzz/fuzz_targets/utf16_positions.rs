//! UTF-16 offsets and line/column of every finding agree with its byte span, whatever the
//! text (emoji, CJK, CRLF, lone CR).
#![no_main]
use libfuzzer_sys::fuzz_target;
use sendguard::{Engine, ScanOptions};
use std::sync::OnceLock;

static ENGINE: OnceLock<Engine> = OnceLock::new();

fn utf16_len(s: &str) -> usize {
    s.chars().map(char::len_utf16).sum()
}

fn line_col(text: &str, at: usize) -> (usize, usize) {
    let before = &text[..at];
    let line = before.matches('\n').count() + 1;
    let col = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, col)
}

fuzz_target!(|input: (&str, &str)| {
    // A secret line spliced into arbitrary text, so findings exist to check.
    let text = format!("{}\nPassword: Xq7#vB2m9L {}", input.0, input.1);
    let engine = ENGINE.get_or_init(Engine::default_policy);
    for f in &engine.scan(&text, &ScanOptions::default()).findings {
        assert!(f.end <= text.len() && text.is_char_boundary(f.start) && text.is_char_boundary(f.end));
        assert_eq!(f.utf16_start, utf16_len(&text[..f.start]));
        assert_eq!(f.utf16_end, utf16_len(&text[..f.end]));
        assert_eq!((f.line, f.column), line_col(&text, f.start));
        assert_eq!((f.end_line, f.end_column), line_col(&text, f.end));
    }
});
