//! Hostile input through the library and the CLI: each case ends in bounded time with a
//! report or a clear error, and the engine still blocks a known leak afterwards.
//!
//! Bounds are generous (a debug build on a 2-core box); they catch hangs and quadratic
//! blow-ups, not small regressions. No assertion message prints input content.

use sendguard::{Action, Engine, ErrorKind, Format, ScanOptions};
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

const LEAK: &str = "Password: Xq7#vB2m9L";
const SECRET: &str = "Xq7#vB2m9L";

fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(Engine::default_policy)
}

fn still_blocks(engine: &Engine) {
    assert_eq!(engine.scan(LEAK, &ScanOptions::default()).verdict, Action::Block, "engine unusable afterwards");
}

fn within(limit_secs: u64, what: &str, f: impl FnOnce()) {
    let t = Instant::now();
    f();
    let took = t.elapsed();
    assert!(took < Duration::from_secs(limit_secs), "{what} took {took:?} (limit {limit_secs}s)");
}

fn no_secret_in(report: &sendguard::Report) {
    let json = serde_json::to_string(report).expect("serializes");
    assert!(!json.contains(SECRET), "report contains the secret");
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("sendguard-hostile-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn cli(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_sendguard")).args(args).output().expect("sendguard runs")
}

fn cli_no_secret(out: &Output) {
    let all = [out.stdout.as_slice(), out.stderr.as_slice()].concat();
    assert!(!String::from_utf8_lossy(&all).contains(SECRET), "CLI output contains the secret");
}

/// The hostile documents, by name; each is scanned by the library and by the CLI.
fn documents() -> Vec<(&'static str, Vec<u8>, bool)> {
    // (name, bytes, ends with the leak line)
    let mut line = "x".repeat(50 << 20);
    line.push(' ');
    line.push_str(LEAK);
    let nested = format!("{}{LEAK}{}", "<div>".repeat(100_000), "</div>".repeat(100_000));
    let braces = format!("{}\n{LEAK}", "{{".repeat(500_000));
    let mut nul = b"Hello\0\0\0 world\0".repeat(10_000);
    nul.extend_from_slice(b"\n");
    nul.extend_from_slice(LEAK.as_bytes());
    let unclosed = format!("{}\n{LEAK}", "<a href=\"".repeat(200_000));
    let entities = format!("{}\n{LEAK}", "&#".repeat(500_000));
    vec![
        ("50 MB single line", line.into_bytes(), true),
        ("100k nested tags", nested.into_bytes(), true),
        ("{{ x 500k", braces.into_bytes(), true),
        ("NUL bytes", nul, true),
        ("200k unclosed attributes", unclosed.into_bytes(), true),
        ("500k broken entities", entities.into_bytes(), true),
    ]
}

#[test]
fn hostile_documents_through_the_library() {
    for (name, bytes, leak) in documents() {
        within(60, name, || {
            let r = engine().scan_bytes(&bytes, &ScanOptions::default()).unwrap_or_else(|e| panic!("{name}: {}", e.kind().code()));
            if leak {
                assert_eq!(r.verdict, Action::Block, "{name}: the trailing leak was not blocked");
            }
            no_secret_in(&r);
        });
        still_blocks(engine());
    }
}

#[test]
fn hostile_documents_through_the_cli() {
    let dir = scratch("docs");
    let mut paths = Vec::new();
    for (i, (_, bytes, _)) in documents().into_iter().enumerate() {
        let p = dir.join(format!("doc{i}.txt"));
        std::fs::write(&p, bytes).expect("write");
        paths.push(p.to_string_lossy().into_owned());
    }
    let mut args = vec!["scan", "--format", "json"];
    args.extend(paths.iter().map(String::as_str));
    within(120, "CLI over the hostile documents", || {
        let out = cli(&args);
        assert_eq!(out.status.code(), Some(1), "expected block exit");
        cli_no_secret(&out);
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// The encodings of issue 17's "Why": a UTF-16 template (with and without a byte-order
/// mark, as Windows editors save it) and a windows-1252 one. Each blocks, through the
/// library and the CLI, and the finding's offsets point at the secret in the bytes.
fn encoded_templates() -> Vec<(&'static str, Vec<u8>)> {
    let text = format!("Hola Maria,\r\nContraseña: {SECRET}\r\nSaludos\r\n");
    let utf16le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let utf16be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
    let with_bom = |bom: &[u8], body: &[u8]| [bom, body].concat();
    let latin1: Vec<u8> = text.chars().map(|c| u8::try_from(u32::from(c)).expect("Latin-1")).collect();
    let mut html = b"<html><head><meta charset=\"windows-1252\"></head><body><p>".to_vec();
    html.extend(&latin1);
    html.extend(b"</p></body></html>");
    let utf32: Vec<u8> = text.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect();
    vec![
        ("utf-16le with BOM", with_bom(&[0xFF, 0xFE], &utf16le)),
        ("utf-16be with BOM", with_bom(&[0xFE, 0xFF], &utf16be)),
        ("utf-16le without BOM", utf16le),
        ("utf-16be without BOM", utf16be),
        ("utf-32le with BOM", with_bom(&[0xFF, 0xFE, 0, 0], &utf32)),
        ("utf-8 with BOM", with_bom(&[0xEF, 0xBB, 0xBF], text.as_bytes())),
        ("windows-1252", latin1),
        ("windows-1252 HTML with <meta charset>", html),
    ]
}

/// `needle` encoded as the template around it is (its bytes, to compare spans against).
fn secret_bytes(name: &str) -> Vec<u8> {
    match name {
        n if n.starts_with("utf-16le") => SECRET.encode_utf16().flat_map(u16::to_le_bytes).collect(),
        n if n.starts_with("utf-16be") => SECRET.encode_utf16().flat_map(u16::to_be_bytes).collect(),
        n if n.starts_with("utf-32le") => SECRET.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect(),
        _ => SECRET.as_bytes().to_vec(),
    }
}

#[test]
fn templates_in_any_encoding_block_with_offsets_into_the_bytes() {
    for (name, bytes) in encoded_templates() {
        for format in [Format::Auto, Format::Text, Format::Html] {
            let r = engine().scan_bytes(&bytes, &ScanOptions { format, ..Default::default() }).unwrap_or_else(|e| panic!("{name}: {}", e.kind().code()));
            assert_eq!(r.verdict, Action::Block, "{name} ({format:?}) was not blocked");
            let f = r.findings.iter().find(|f| f.rule_id == "password-label").unwrap_or_else(|| panic!("{name}: no password-label finding"));
            assert!(bytes[f.start..f.end] == secret_bytes(name)[..], "{name}: the offsets {}..{} are not the secret's bytes", f.start, f.end);
            assert_eq!(f.line, 2, "{name}: line counted in the decoded text");
            no_secret_in(&r);
        }
    }
    still_blocks(engine());
    // Through the CLI: each file blocks, none is skipped for its NUL bytes or refused.
    let dir = scratch("encodings");
    let mut args = vec!["scan".to_owned(), "--format".to_owned(), "json".to_owned()];
    for (i, (_, bytes)) in encoded_templates().into_iter().enumerate() {
        let p = dir.join(format!("template{i}.txt"));
        std::fs::write(&p, bytes).expect("write");
        args.push(p.to_string_lossy().into_owned());
    }
    let out = cli(&args.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(out.status.code(), Some(1), "expected block exit");
    cli_no_secret(&out);
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    assert_eq!(lines.len(), encoded_templates().len());
    for (line, (name, _)) in lines.iter().zip(encoded_templates()) {
        assert_eq!(line["verdict"], "block", "{name} through the CLI");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Fail closed: whatever the input, a report that lists a part which could hold text and
/// was not read never says `pass`, and the policy cannot make it (`[unscanned]` has no
/// `pass`). Inputs: the hostile documents, the MIME fixtures and every prefix of them, and
/// messages built to hit each way a part goes unread.
#[test]
fn no_report_passes_with_an_unscanned_part() {
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mime");
    let mut inputs: Vec<Vec<u8>> = Vec::new();
    for entry in std::fs::read_dir(&fixtures).expect("fixtures") {
        let bytes = std::fs::read(entry.expect("entry").path()).expect("fixture reads");
        for cut in (0..bytes.len()).step_by(7) {
            inputs.push(bytes[..cut].to_vec());
        }
        inputs.push(bytes);
    }
    let head = "From: a@example.com\r\nSubject: x\r\nMIME-Version: 1.0\r\n";
    let part = |headers: &str, body: &str| format!("{head}Content-Type: multipart/mixed; boundary=\"b\"\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nHello\r\n--b\r\n{headers}\r\n\r\n{body}\r\n--b--\r\n");
    for (headers, body) in [
        ("Content-Type: application/zip; name=a.zip", "PK\u{3}\u{4}\u{14}\u{0}\u{0}\u{0}"),
        ("Content-Type: application/octet-stream", "\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}binary\u{0}\u{1}"),
        ("Content-Type: application/pdf; name=a.pdf", "%PDF-1.4\n1 0 obj <</Encrypt 2 0 R>> endobj\n"),
        ("Content-Type: text/html", "<img src=\"data:application/octet-stream;base64,AAEC\">"),
        ("Content-Type: image/png", "\u{89}PNG"),
    ] {
        inputs.push(part(headers, body).into_bytes());
    }
    let mut deep = head.to_owned();
    for level in 0..40 {
        deep.push_str(&format!("Content-Type: multipart/mixed; boundary=\"l{level}\"\r\n\r\n--l{level}\r\n"));
    }
    inputs.push(deep.into_bytes());
    inputs.push(b"PK\x03\x04 an archive".to_vec());
    inputs.push(b"%PDF-1.7\n/Encrypt\n".to_vec());
    inputs.push(b"\x89PNG\r\n\x1a\n".to_vec());
    inputs.extend(documents().into_iter().map(|(_, bytes, _)| bytes).filter(|bytes| bytes.len() < 1 << 20));
    let small = Engine::from_policy_str("extends = \"default\"\n[limits]\nmaxDocumentBytes = 4096\nmaxParts = 3\nmaxPartBytes = 64\n").expect("policy");
    let blocking = Engine::from_policy_str("extends = \"default\"\n[unscanned]\naction = \"block\"\n").expect("policy");
    let (mut unscanned, mut skipped) = (0, 0);
    for bytes in &inputs {
        for (engine, least) in [(engine(), Action::Warn), (&small, Action::Warn), (&blocking, Action::Block)] {
            let r = engine.scan_bytes(bytes, &ScanOptions::default()).expect("never fails");
            if !r.unscanned.is_empty() {
                unscanned += 1;
                assert!(r.verdict >= least, "a report listing {} unscanned part(s) says {:?}", r.unscanned.len(), r.verdict);
            }
            skipped += usize::from(!r.skipped.is_empty());
        }
    }
    assert!(unscanned > 100 && skipped > 0, "the inputs exercise both lists ({unscanned} unscanned, {skipped} skipped)");
    // Media alone change nothing: a PNG passes, listed as skipped.
    let png = engine().scan_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", &ScanOptions::default()).expect("never fails");
    assert_eq!((png.verdict, png.skipped.len(), png.unscanned.len()), (Action::Pass, 1, 0));
    // And `pass` is no `[unscanned]` action.
    let err = Engine::from_policy_str("extends = \"default\"\n[unscanned]\naction = \"pass\"\n").expect_err("pass is refused");
    assert_eq!(err.kind(), ErrorKind::Policy);
}

fn rule(id: &str, pattern: &str) -> String {
    format!("[[rules]]\nid = \"{id}\"\ncategory = \"token\"\npattern = '''{pattern}'''\n")
}

#[test]
fn non_linear_patterns_are_refused_or_run_in_linear_time() {
    let aaa = "a".repeat(1 << 20);
    for (id, pattern) in [("backref", r"(a)\1"), ("lookahead", r"a(?=b)"), ("lookbehind", r"(?<!b)a"), ("nested-star", r"(a*)*b"), ("alternation", r"(a|aa)*c"), ("nested-plus", r"(a+)+$"), ("counted", r"(a{1,30}){1,30}b")] {
        within(30, id, || match Engine::from_policy_str(&rule(id, pattern)) {
            Err(e) => {
                assert!(matches!(e.kind(), ErrorKind::Rule | ErrorKind::Limit), "{id}: {:?}", e.kind());
                assert!(e.to_string().contains(id), "{id}: the error does not name the rule");
            }
            Ok(custom) => {
                let r = custom.scan(&aaa, &ScanOptions { format: Format::Text, ..Default::default() });
                assert!(r.findings.len() <= 1000 || r.truncated > 0);
            }
        });
    }
    still_blocks(engine());
}

#[test]
fn ten_megabyte_policies_error_or_compile_quickly() {
    // One giant string, many rules, a giant pattern.
    let giant_description = format!("[[rules]]\nid = \"big\"\ncategory = \"token\"\npattern = 'BIG-[0-9]{{8}}'\ndescription = \"{}\"\n", "d".repeat(10 << 20));
    let mut many = String::new();
    let mut i = 0;
    while many.len() < 10 << 20 {
        many.push_str(&rule(&format!("r{i}"), &format!("TOK{i}-[A-Z0-9]{{12}}")));
        i += 1;
    }
    let giant_pattern = rule("giant", &"abc|".repeat(10 << 18));
    let json = format!("{{\"rules\":[{}]}}", vec!["{\"id\":\"j\",\"category\":\"token\",\"pattern\":\"x\"}"; 200_000].join(","));
    let deep = format!("{}{}", "[".repeat(1 << 20), "]".repeat(1 << 20));
    for (name, text) in [("giant description", giant_description), ("many rules", many), ("giant pattern", giant_pattern), ("200k JSON rules", json), ("1M nested arrays", deep)] {
        within(60, name, || {
            if let Ok(e) = Engine::from_policy_str(&text) {
                let _ = e.scan(LEAK, &ScanOptions::default());
            }
        });
    }
    still_blocks(engine());
    // And through the CLI: exit 0/1 or 2, never a hang or a crash signal.
    let dir = scratch("policy");
    let p = dir.join("huge.toml");
    let mut huge = rule("h", "H-[0-9]{6}");
    huge.push_str(&format!("description = \"{}\"\n", "d".repeat(10 << 20)));
    std::fs::write(&p, huge).expect("write");
    let doc = dir.join("doc.txt");
    std::fs::write(&doc, LEAK).expect("write");
    within(60, "CLI with a 10 MB policy", || {
        let out = cli(&["scan", "--policy", &p.to_string_lossy(), &doc.to_string_lossy()]);
        assert!(matches!(out.status.code(), Some(0..=2)), "CLI ended by a signal or odd code");
        cli_no_secret(&out);
    });
    let _ = std::fs::remove_dir_all(&dir);
}

/// A 10,000-part MIME message with the leak in the last part: bounded time, and the parts
/// beyond `maxParts` (500) show up in `unscanned` with a limit finding, so it never passes.
#[test]
fn ten_thousand_part_message() {
    let mut eml = String::from("From: a@example.com\r\nTo: b@example.com\r\nSubject: parts\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n");
    for i in 0..10_000 {
        eml.push_str(&format!("--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n"));
    }
    eml.push_str(&format!("--b\r\nContent-Type: text/plain\r\n\r\n{LEAK}\r\n--b--\r\n"));
    within(60, "10,000-part message", || {
        match engine().scan_bytes(eml.as_bytes(), &ScanOptions { format: Format::Eml, ..Default::default() }) {
            Ok(r) => {
                no_secret_in(&r);
                // Parts beyond maxParts are not read, and the report says so: never a silent pass.
                assert!(r.verdict != Action::Pass, "a truncated message passed");
                assert!(!r.unscanned.is_empty(), "parts beyond maxParts are not listed as unscanned");
            }
            Err(e) => assert!(matches!(e.kind(), ErrorKind::Input | ErrorKind::Limit), "{:?}", e.kind()),
        }
    });
    still_blocks(engine());
}

/// Regression (found by the 50 MB memory run): a line ending in a label word followed by a
/// labeled password on the next line passed, because the rejected value (`Password`)
/// consumed the real label. Shapes only; the value is a fixed test secret.
#[test]
fn label_word_at_line_end_does_not_hide_the_next_label() {
    for prefix in ["password\n", "Here is your new password\n", "the total password \n", "<td>password</td>\n", "Passwort\n"] {
        let doc = format!("{prefix}{LEAK}\n");
        let r = engine().scan(&doc, &ScanOptions::default());
        assert_eq!(r.verdict, Action::Block, "prefix of {} bytes hid the leak", prefix.len());
        no_secret_in(&r);
    }
}

/// `sendguard policy default | head -1` and `sendguard scan … | head -1`: the reader closes
/// the pipe after one line. The program ends without a panic: 0 for the policy, and for a
/// scan the status the whole scan earns (it goes on without output), here 1 for the leak.
#[test]
fn a_closed_pipe_ends_quietly() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    let dir = scratch("pipe");
    let mut paths = Vec::new();
    for i in 0..1500 {
        let p = dir.join(format!("doc{i:03}.txt"));
        std::fs::write(&p, if i == 1499 { format!("{LEAK}\n") } else { format!("Line {i}: Password: Xq7#vB2m{i:03}\n") }).expect("write");
        paths.push(p.to_string_lossy().into_owned());
    }
    let mut scan = vec!["scan".to_owned()];
    scan.extend(paths);
    for (args, want) in [(vec!["policy".to_owned(), "default".to_owned()], 0), (scan, 1)] {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sendguard"))
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("sendguard runs");
        let mut first = String::new();
        BufReader::new(child.stdout.take().expect("stdout")).read_line(&mut first).expect("one line");
        // The reader is dropped here: the pipe is closed with most of the output unread.
        let out = child.wait_with_output().expect("sendguard ends");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("panicked"), "{}: panicked on the closed pipe", args[0]);
        assert_eq!(out.status.code(), Some(want), "{}: exit status", args[0]);
        assert!(!stderr.contains(SECRET), "stderr holds the secret");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// The CLI lists what it skipped and what it could not read, and its summary counts the
/// unscanned parts: an archive warns, an image changes nothing.
#[test]
fn the_cli_summary_counts_unscanned_parts() {
    let dir = scratch("summary");
    std::fs::write(dir.join("export.zip"), b"PK\x03\x04\x14\0\0\0\x08\0").expect("write");
    std::fs::write(dir.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR").expect("write");
    std::fs::write(dir.join("note.txt"), b"Hello Maria, see you on Monday.\n").expect("write");
    let out = cli(&["scan", &dir.to_string_lossy()]);
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "a warning does not block: {text}");
    assert!(text.contains("export.zip: unscanned file: application/zip"), "{text}");
    assert!(text.contains("logo.png: skipped file: image/png"), "{text}");
    assert!(text.contains("3 file(s) scanned: 0 block, 1 warn, 2 pass; 1 part(s) not read in 1 file(s) (unscanned)"), "{text}");
    let _ = std::fs::remove_dir_all(&dir);
}
