//! Printers: one per output format. Each prints what the Report holds — redacted values
//! and offsets — and never reads the scanned text again.

use crate::args::OutputFormat;
use sendguard::{Action, Report};
use serde_json::{json, Value};
use std::io::{self, Write};

pub struct Printer {
    format: OutputFormat,
    color: bool,
    files: usize,
    verdicts: [usize; 3],
    /// Parts that could hold text and were not read, and the files with any.
    unscanned: usize,
    unscanned_files: usize,
    sarif_results: Vec<Value>,
    sarif_rules: Vec<Value>,
    sarif_rule_ids: std::collections::HashSet<String>,
}

impl Printer {
    pub fn new(format: OutputFormat, color: bool) -> Printer {
        Printer {
            format,
            color,
            files: 0,
            verdicts: [0; 3],
            unscanned: 0,
            unscanned_files: 0,
            sarif_results: Vec::new(),
            sarif_rules: Vec::new(),
            sarif_rule_ids: Default::default(),
        }
    }

    pub fn report(&mut self, out: &mut dyn Write, path: &str, report: &Report) -> io::Result<()> {
        self.files += 1;
        self.verdicts[report.verdict as usize] += 1;
        self.unscanned += report.unscanned.len();
        self.unscanned_files += usize::from(!report.unscanned.is_empty());
        match self.format {
            OutputFormat::Json => {
                let line = json!({
                    "path": path,
                    "verdict": report.verdict,
                    "kind": report.kind,
                    "format": report.format,
                    "context": report.context,
                    "findings": report.findings,
                    "suppressed": report.suppressed,
                    "skipped": report.skipped,
                    "unscanned": report.unscanned,
                    "truncated": report.truncated,
                });
                writeln!(out, "{line}")
            }
            OutputFormat::Text => self.text(out, path, report),
            OutputFormat::Sarif => {
                self.sarif_add(path, report);
                Ok(())
            }
        }
    }

    fn paint(&self, code: &str, s: &str) -> String {
        if self.color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_owned()
        }
    }

    fn text(&mut self, out: &mut dyn Write, path: &str, report: &Report) -> io::Result<()> {
        for f in &report.findings {
            let (label, code) = match f.action {
                Action::Block => ("block", "1;31"),
                Action::Warn => ("warn", "1;33"),
                Action::Pass => ("pass", "2"),
            };
            let part = f.part.as_deref().map(|p| format!(" [{p}]")).unwrap_or_default();
            writeln!(
                out,
                "{}:{}:{}:{} {} {} ({}, {}) {} — {}",
                self.paint("1", path),
                f.line,
                f.column,
                part,
                self.paint(code, label),
                self.paint("36", &f.rule_id),
                f.category,
                f.source.as_str(),
                f.redacted,
                f.message
            )?;
        }
        for s in &report.suppressed {
            let f = &s.finding;
            let reason = s.reason.as_deref().map(|r| format!(": {r}")).unwrap_or_default();
            writeln!(out, "{}:{}:{}: {} {} (allowed by {}{})", path, f.line, f.column, self.paint("2", "allowed"), f.rule_id, s.by, reason)?;
        }
        for s in &report.skipped {
            writeln!(out, "{}: {} {}: {}", path, self.paint("2", "skipped"), s.part, s.reason)?;
        }
        for s in &report.unscanned {
            writeln!(out, "{}: {} {}: {}", path, self.paint("1;33", "unscanned"), s.part, s.reason)?;
        }
        Ok(())
    }

    fn sarif_add(&mut self, path: &str, report: &Report) {
        for f in &report.findings {
            if self.sarif_rule_ids.insert(f.rule_id.clone()) {
                self.sarif_rules.push(json!({
                    "id": f.rule_id,
                    "name": f.rule_id,
                    "shortDescription": { "text": format!("{} ({})", f.rule_id, f.category) },
                    "help": { "text": f.message },
                    "properties": { "tags": ["security", "secret", f.category.as_str()] },
                }));
            }
            let level = match f.action {
                Action::Block => "error",
                Action::Warn => "warning",
                Action::Pass => "note",
            };
            self.sarif_results.push(json!({
                "ruleId": f.rule_id,
                "level": level,
                "message": { "text": format!("{} {} found ({}): {}", f.category, f.source.as_str(), f.redacted, f.message) },
                "locations": [{
                    "physicalLocation": {
                        "artifactLocation": { "uri": sarif_uri(path) },
                        "region": {
                            "startLine": f.line,
                            "startColumn": f.column,
                            "endLine": f.end_line,
                            "endColumn": f.end_column,
                            "byteOffset": f.start,
                            "byteLength": f.end - f.start,
                        }
                    }
                }],
                "partialFingerprints": { "sendguard/v1": format!("{}:{}:{}", f.rule_id, f.category, f.redacted) },
            }));
        }
    }

    pub fn finish(&mut self, out: &mut dyn Write) -> io::Result<()> {
        match self.format {
            OutputFormat::Sarif => {
                let doc = json!({
                    "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
                    "version": "2.1.0",
                    "runs": [{
                        "tool": { "driver": {
                            "name": "sendguard",
                            "version": env!("CARGO_PKG_VERSION"),
                            "informationUri": "https://example.invalid/sendguard",
                            "rules": self.sarif_rules,
                        }},
                        "columnKind": "unicodeCodePoints",
                        "results": self.sarif_results,
                    }]
                });
                writeln!(out, "{}", serde_json::to_string_pretty(&doc).unwrap_or_default())
            }
            OutputFormat::Text => {
                let [pass, warn, block] = self.verdicts;
                write!(out, "{} file(s) scanned: {} block, {} warn, {} pass", self.files, block, warn, pass)?;
                match self.unscanned {
                    0 => writeln!(out),
                    n => writeln!(out, "; {n} part(s) not read in {} file(s) (unscanned)", self.unscanned_files),
                }
            }
            OutputFormat::Json => Ok(()),
        }
    }
}

/// SARIF wants a relative URI with forward slashes.
fn sarif_uri(path: &str) -> String {
    path.trim_start_matches("./").replace('\\', "/").replace(' ', "%20")
}
