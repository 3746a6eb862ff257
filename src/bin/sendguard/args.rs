//! Command-line arguments: a small hand-written parser (no dependency), strict about
//! unknown flags so that a typo never silently changes what is scanned.

use sendguard::{Context, Kind};

/// Output formats of `scan`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OutputFormat {
    /// For people: path:line:col, rule, redacted value, message.
    Text,
    /// One JSON object per file, one per line.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// What to do.
#[derive(Debug)]
pub enum Command {
    /// `sendguard scan ...`
    Scan(ScanArgs),
    /// `sendguard policy default`
    PolicyDefault,
    /// `sendguard policy check FILE`
    PolicyCheck(String),
    /// `sendguard --help`
    Help,
    /// `sendguard --version`
    Version,
}

/// Arguments of `scan`.
#[derive(Debug)]
pub struct ScanArgs {
    pub format: OutputFormat,
    pub policy: Option<String>,
    pub context: Context,
    pub kind: Kind,
    pub color: bool,
    pub paths: Vec<String>,
}

pub const USAGE: &str = "\
sendguard — find the secrets in email templates and rendered mail

Usage:
  sendguard scan [--format text|json|sarif] [--policy FILE] [--context CTX]
                 [--kind auto|rendered|template] [--color auto|always|never] PATH...
  sendguard policy default          print the default policy (TOML)
  sendguard policy check FILE       validate a policy and run its rules' examples

Contexts: generic, invoice, ticket_ack, welcome, password_reset, otp.
Exit status: 0 nothing blocks, 1 something blocks, 2 error.";

pub fn parse(args: &[String]) -> Result<Command, String> {
    let mut it = args.iter();
    match it.next().map(String::as_str) {
        None | Some("-h") | Some("--help") | Some("help") => Ok(Command::Help),
        Some("-V") | Some("--version") => Ok(Command::Version),
        Some("policy") => match (it.next().map(String::as_str), it.next(), it.next()) {
            (Some("default"), None, _) => Ok(Command::PolicyDefault),
            (Some("check"), Some(file), None) => Ok(Command::PolicyCheck(file.clone())),
            _ => Err("usage: sendguard policy default | sendguard policy check FILE".into()),
        },
        Some("scan") => parse_scan(it.cloned().collect()).map(Command::Scan),
        Some(other) => Err(format!("unknown command `{other}`; try `sendguard --help`")),
    }
}

fn parse_scan(args: Vec<String>) -> Result<ScanArgs, String> {
    let mut out = ScanArgs {
        format: OutputFormat::Text,
        policy: None,
        context: Context::Generic,
        kind: Kind::Auto,
        color: false,
        paths: Vec::new(),
    };
    let mut color = "auto".to_owned();
    let mut i = 0;
    let mut only_paths = false;
    while i < args.len() {
        let arg = &args[i];
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if arg.starts_with("--") => (f.to_owned(), Some(v.to_owned())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            if let Some(v) = inline.clone() {
                return Ok(v);
            }
            i += 1;
            args.get(i).cloned().ok_or_else(|| format!("{name} needs a value"))
        };
        if only_paths || !flag.starts_with('-') || flag == "-" {
            out.paths.push(arg.clone());
        } else {
            match flag.as_str() {
                "--" => only_paths = true,
                "--format" | "-f" => {
                    out.format = match value("--format")?.as_str() {
                        "text" => OutputFormat::Text,
                        "json" => OutputFormat::Json,
                        "sarif" => OutputFormat::Sarif,
                        other => return Err(format!("--format: unknown format `{other}` (text, json, sarif)")),
                    }
                }
                "--policy" | "-p" => out.policy = Some(value("--policy")?),
                "--context" | "-c" => {
                    let v = value("--context")?;
                    out.context = Context::parse(&v).ok_or_else(|| {
                        format!("--context: unknown context `{v}` (generic, invoice, ticket_ack, welcome, password_reset, otp)")
                    })?
                }
                "--kind" | "-k" => {
                    out.kind = match value("--kind")?.as_str() {
                        "auto" => Kind::Auto,
                        "rendered" => Kind::Rendered,
                        "template" => Kind::Template,
                        other => return Err(format!("--kind: unknown kind `{other}` (auto, rendered, template)")),
                    }
                }
                "--color" => color = value("--color")?,
                other => return Err(format!("unknown option `{other}`; try `sendguard --help`")),
            }
        }
        i += 1;
    }
    out.color = match color.as_str() {
        "always" => true,
        "never" => false,
        "auto" => std::io::IsTerminal::is_terminal(&std::io::stdout()) && std::env::var_os("NO_COLOR").is_none(),
        other => return Err(format!("--color: unknown value `{other}` (auto, always, never)")),
    };
    if out.paths.is_empty() {
        return Err("scan: give at least one file or folder".into());
    }
    Ok(out)
}
