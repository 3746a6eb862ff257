//! Whole outbound messages through `Engine::scan_bytes` and the CLI: transfer encodings,
//! charsets, attachments, broken structure and limits.

use sendguard::{Action, Category, Engine, Format, ScanOptions};
use std::path::PathBuf;
use std::time::{Duration, Instant};

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime").join(name)).expect("fixture reads")
}

fn scan(raw: &[u8]) -> sendguard::Report {
    Engine::default_policy().scan_bytes(raw, &ScanOptions { format: Format::Eml, ..Default::default() }).expect("a message never fails as a whole")
}

fn rules(r: &sendguard::Report) -> Vec<(String, String)> {
    r.findings.iter().map(|f| (f.rule_id.clone(), f.part.clone().unwrap_or_default())).collect()
}

#[test]
fn password_split_by_a_quoted_printable_soft_break() {
    let r = scan(&fixture("qp_soft_break.eml"));
    assert_eq!(r.verdict, Action::Block);
    assert!(r.findings.iter().all(|f| f.category == Category::Password && f.part_range.is_some()), "{:?}", rules(&r));
}

#[test]
fn windows_1252_body_with_an_accented_label() {
    let r = scan(&fixture("windows1252.eml"));
    assert_eq!(r.verdict, Action::Block, "{:?}", rules(&r));
    assert_eq!(r.findings[0].rule_id, "password-label");
}

#[test]
fn east_asian_charsets_are_decoded_before_scanning() {
    // Shift_JIS, ISO-2022-JP (HTML), EUC-KR (base64) and GBK (QP): one labelled password each.
    let r = scan(&fixture("cjk_charsets.eml"));
    assert_eq!(r.verdict, Action::Block);
    let found: Vec<(String, String)> = rules(&r);
    let want: Vec<(String, String)> = ["1", "2", "3", "4"].iter().map(|p| ("password-label".to_owned(), (*p).to_owned())).collect();
    assert_eq!(found, want);
}

#[test]
fn token_in_a_base64_csv_attachment() {
    let r = scan(&fixture("base64_csv.eml"));
    assert_eq!(r.verdict, Action::Block);
    assert!(r.findings.iter().any(|f| f.category == Category::Token && f.part.as_deref() == Some("attachment:accounts.csv")), "{:?}", rules(&r));
}

#[test]
fn password_column_of_a_csv_attachment() {
    // `users.csv`: a header row with a password column and the values below it, the shape
    // a user export has. Each cell is its own finding, spanning the cell, not the row.
    let r = scan(&fixture("data_and_charsets.eml"));
    let cells: Vec<_> = r.findings.iter().filter(|f| f.part.as_deref() == Some("attachment:users.csv")).collect();
    assert!(!cells.is_empty(), "{:?}", rules(&r));
    for f in cells {
        assert_eq!((f.rule_id.as_str(), f.category), ("table-password-column", Category::Password), "{:?}", rules(&r));
        assert!(f.redacted.chars().count() == f.end - f.start, "a cell, not a row: {}", f.redacted);
    }
}

#[test]
fn clean_message_with_pdf_and_data_image_passes() {
    let r = scan(&fixture("clean_pdf_data_image.eml"));
    assert_eq!(r.verdict, Action::Pass, "{:?}", rules(&r));
}

#[test]
fn truncated_message_is_scanned_up_to_the_cut() {
    let r = scan(&fixture("truncated.eml"));
    assert_eq!(r.verdict, Action::Block, "{:?}", rules(&r));
}

#[test]
fn sniffed_without_a_format() {
    let raw = fixture("qp_soft_break.eml");
    let r = Engine::default_policy().scan_bytes(&raw, &ScanOptions::default()).unwrap();
    assert_eq!(r.format, Format::Eml);
    assert_eq!(r.verdict, Action::Block);
}

fn many_parts(n: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nTo: b@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for i in 0..n {
        m.push_str(&format!("--b\r\nContent-Type: text/plain\r\n\r\nline {i}\r\n"));
    }
    m.push_str("--b--\r\n");
    m.into_bytes()
}

fn deep(levels: usize) -> Vec<u8> {
    let mut m = String::from("From: a@example.com\r\nTo: b@example.com\r\nSubject: deep\r\nMIME-Version: 1.0\r\n");
    for i in 0..levels {
        m.push_str(&format!("Content-Type: multipart/mixed; boundary=\"b{i}\"\r\n\r\n--b{i}\r\n"));
    }
    m.push_str("Content-Type: text/plain\r\n\r\nPassword: Xq7#vB2m9L\r\n");
    for i in (0..levels).rev() {
        m.push_str(&format!("--b{i}--\r\n"));
    }
    m.into_bytes()
}

#[test]
fn ten_thousand_parts_hit_the_limit_quickly() {
    let t = Instant::now();
    let r = scan(&many_parts(10_000));
    assert!(t.elapsed() < Duration::from_secs(if cfg!(debug_assertions) { 5 } else { 1 }), "{:?}", t.elapsed());
    assert!(r.findings.iter().any(|f| f.category == Category::Limit));
    assert_eq!(r.verdict, Action::Warn);
    assert!(!r.unscanned.is_empty());
}

#[test]
fn forty_levels_deep_hit_the_limit_quickly() {
    let t = Instant::now();
    let r = scan(&deep(40));
    assert!(t.elapsed() < Duration::from_secs(if cfg!(debug_assertions) { 5 } else { 1 }), "{:?}", t.elapsed());
    assert!(r.findings.iter().any(|f| f.category == Category::Limit), "{:?}", rules(&r));
    assert!(r.verdict >= Action::Warn);
    // Within the limit the same secret is found.
    assert_eq!(scan(&deep(5)).verdict, Action::Block);
}

#[test]
fn the_cli_reads_eml_files() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime");
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_sendguard"))
        .args(["scan", "--format", "json"])
        .arg(dir.join("base64_csv.eml"))
        .arg(dir.join("clean_pdf_data_image.eml"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines[0]["verdict"], "block");
    assert_eq!(lines[0]["findings"][0]["part"], "attachment:accounts.csv");
    assert_eq!(lines[1]["verdict"], "pass");
}

/// Issue 17's MIME cases: each message holds one made-up password that is found only when
/// the structure is read right (its body is base64, so reading the raw bytes as one text
/// would not find it). Each blocks, in the part the structure gives, with offsets that
/// point at the password in the decoded part, and nothing is left unscanned.
#[test]
fn mime_as_real_senders_write_it() {
    const PASSWORD: &str = "Rv6#tK2pWq9";
    for (name, part) in [
        ("folded_boundary.eml", "1"),
        ("no_boundary.eml", "1.2"),
        ("wrong_boundary.eml", "1.1"),
        ("invalid_content_type.eml", "1"),
        ("message_news.eml", "2.1"),
        ("rfc2231_params.eml", "attachment:cuentas de acceso.csv"),
        ("latin1_no_charset.eml", "1"),
    ] {
        let raw = fixture(name);
        let r = scan(&raw);
        assert_eq!(r.verdict, Action::Block, "{name}: {:?}", rules(&r));
        let f = r.findings.iter().find(|f| f.category == Category::Password).unwrap_or_else(|| panic!("{name}: no password finding: {:?}", rules(&r)));
        assert_eq!(f.part.as_deref(), Some(part), "{name}: {:?}", rules(&r));
        assert_eq!(f.end - f.start, PASSWORD.len(), "{name}: the span is the password");
        let (start, end) = f.part_range.expect("part range");
        assert!(start < end && end <= raw.len(), "{name}: part range in the message");
        assert!(r.unscanned.is_empty(), "{name}: {:?}", r.unscanned);
    }
    // Through the CLI too: every one blocks.
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime");
    for name in ["folded_boundary.eml", "no_boundary.eml", "wrong_boundary.eml", "invalid_content_type.eml", "message_news.eml", "rfc2231_params.eml", "latin1_no_charset.eml"] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_sendguard")).arg("scan").arg(dir.join(name)).output().expect("CLI runs");
        assert_eq!(out.status.code(), Some(1), "{name} through the CLI");
        assert!(!String::from_utf8_lossy(&out.stdout).contains(PASSWORD), "{name}: the CLI printed the password");
    }
}

/// A multipart that cannot be split at all (no boundary, no delimiter lines) is read as
/// one text and listed as unscanned, so it is never a silent pass.
#[test]
fn an_unsplittable_multipart_is_read_and_listed() {
    let raw = b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nHello Maria,\r\nYour password: Rv6#tK2pWq9\r\n";
    let r = scan(raw);
    assert_eq!(r.verdict, Action::Block, "{:?}", rules(&r));
    assert_eq!(r.unscanned.len(), 1, "{:?}", r.unscanned);
    let clean = b"From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed\r\n\r\nHello Maria, see you.\r\n";
    assert_eq!(scan(clean).verdict, Action::Warn, "unscanned is at least warn");
}
