//! The `sendguard` command line: argument parsing, file walking and output formats.
//! No detection logic lives here; it is a thin layer over the library (as in ripgrep).

mod args;
mod print;
mod walk;

use args::Command;
use sendguard::policy::default_policy_toml;
use sendguard::{Action, Engine, Format, ScanOptions};
use std::io::{Read, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    let command = match args::parse(&argv) {
        Ok(c) => c,
        Err(msg) => {
            eprintln!("sendguard: {msg}");
            return ExitCode::from(2);
        }
    };
    match command {
        Command::Help => emit(&format!("{}\n", args::USAGE)),
        Command::Version => emit(&format!("sendguard {}\n", env!("CARGO_PKG_VERSION"))),
        Command::PolicyDefault => emit(default_policy_toml()),
        Command::PolicyCheck(file) => policy_check(&file),
        Command::Scan(a) => scan(a),
    }
}

/// Writes `text` to standard output. A reader that stopped early (`| head -1`) closes the
/// pipe: that ends the program quietly with success, as in ripgrep, where `print!` would
/// panic; any other write error is exit 2.
fn emit(text: &str) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => write_failed(&e),
    }
}

/// The exit for a failed write to standard output: 0 for a closed pipe, else 2 with a message.
fn write_failed(e: &std::io::Error) -> ExitCode {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        return ExitCode::SUCCESS;
    }
    eprintln!("sendguard: cannot write output: {e}");
    ExitCode::from(2)
}

fn load_engine(path: Option<&str>) -> Result<Engine, String> {
    match path {
        None => Ok(Engine::default_policy()),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| format!("{p}: cannot read policy: {e}"))?;
            Engine::from_policy_str(&text).map_err(|e| format!("{p}: {e}"))
        }
    }
}

fn policy_check(file: &str) -> ExitCode {
    let engine = match load_engine(Some(file)) {
        Ok(e) => e,
        Err(msg) => {
            eprintln!("sendguard: {msg}");
            return ExitCode::from(2);
        }
    };
    let failures = engine.check_examples();
    let rules = engine.policy().rules.len();
    if failures.is_empty() {
        let mut text = format!("{file}: {rules} rules compile; every example is found and no counter-example is\n");
        let vendor: Vec<&str> = engine.policy().rules.iter().filter_map(|r| r.provider.as_deref()).collect();
        let providers: std::collections::BTreeSet<&str> = vendor.iter().copied().collect();
        text.push_str(&format!(
            "{file}: {} vendor rules (each a provider's documented token format) from {} providers\n",
            vendor.len(),
            providers.len()
        ));
        let whole = engine.whole_document_rules();
        if !whole.is_empty() {
            text.push_str(&format!(
                "{file}: {} rule(s) search the whole document when a keyword occurs (a match may lack a keyword, or has no length bound and may hold spaces and newlines): {}\n",
                whole.len(),
                whole.join(", ")
            ));
        }
        emit(&text)
    } else {
        for f in &failures {
            eprintln!("sendguard: {file}: {f}");
        }
        eprintln!("sendguard: {file}: {} problem(s) in {rules} rules", failures.len());
        ExitCode::from(2)
    }
}

fn scan(a: args::ScanArgs) -> ExitCode {
    // Never dropped: the process ends after the scan, and freeing every rule's automata
    // one by one only costs time (5 % of a CLI run's start-up).
    let engine = match load_engine(a.policy.as_deref()) {
        Ok(e) => std::mem::ManuallyDrop::new(e),
        Err(msg) => {
            eprintln!("sendguard: {msg}");
            return ExitCode::from(2);
        }
    };
    let mut errors = 0usize;
    let mut blocked = false;
    let mut printer = print::Printer::new(a.format, a.color);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let mut bytes = Vec::new();
    // Set when the reader closed the pipe: output stops, the scan does not, so that the
    // exit status still says whether anything blocks (`| head` with pipefail stays honest).
    let mut closed = false;
    for path in walk::files(&a.paths, &mut |msg| {
        eprintln!("sendguard: {msg}");
        errors += 1;
    }) {
        // One buffer for every file: no allocation (and no size query) per file.
        bytes.clear();
        if let Err(e) = std::fs::File::open(&path).and_then(|f| f.take(u64::MAX).read_to_end(&mut bytes)) {
            eprintln!("sendguard: {}: cannot read: {e}", path.display());
            errors += 1;
            continue;
        }
        let display = path.display().to_string();
        let mut options = ScanOptions { context: a.context, kind: a.kind, path: Some(display.clone()), ..ScanOptions::default() };
        // No file is skipped for NUL bytes: UTF-16 has them, and the library reads any
        // bytes as text, skips media by their signature and lists what it cannot open.
        if walk::is_eml(&path, &bytes) {
            options.format = Format::Eml;
        } else if walk::has_html_extension(&path) {
            options.format = Format::Html;
        }
        match engine.scan_bytes(&bytes, &options) {
            Ok(report) => {
                blocked |= report.verdict == Action::Block;
                if closed {
                    continue;
                }
                if let Err(e) = printer.report(&mut out, &display, &report) {
                    if e.kind() != std::io::ErrorKind::BrokenPipe {
                        return write_failed(&e);
                    }
                    closed = true;
                }
            }
            Err(e) => {
                eprintln!("sendguard: {display}: {e}");
                errors += 1;
            }
        }
    }
    if !closed {
        if let Err(e) = printer.finish(&mut out).and_then(|_| out.flush()) {
            if e.kind() != std::io::ErrorKind::BrokenPipe {
                return write_failed(&e);
            }
        }
    }
    // Output still buffered for a closed pipe is dropped here; its error changes nothing.
    if errors > 0 {
        ExitCode::from(2)
    } else if blocked {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}
