//! The engine: a policy compiled once, then a plain `scan` per document.
//!
//! An [`Engine`] is immutable and `Send + Sync`: compile it at start-up and share it
//! between threads (or keep one per wasm instance). Scanning holds no state between
//! documents, so more throughput is more workers.

mod compile;
mod decide;
mod keywords;
mod labelled;
pub(crate) mod order;
mod runs;
mod scan;
mod suppress;
mod window;

use crate::error::Error;
use crate::policy::{Category, Confidence, Context, Format, Kind, Policy};
use crate::report::Report;
use serde::{Deserialize, Serialize};


/// A compiled policy. Build with [`Engine::new`], [`Engine::builder`] or
/// [`Engine::default_policy`].
#[derive(Debug)]
pub struct Engine {
    policy: Policy,
    compiled: compile::Compiled,
}

/// Options for one scan. The defaults read the document as it comes: format and kind
/// are sniffed, the context is `generic`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default, deny_unknown_fields)]
pub struct ScanOptions {
    /// What the message is; decides what a reset link or a one-time code means.
    pub context: Context,
    /// Template or rendered; `auto` looks for placeholders.
    pub kind: Kind,
    /// Text, HTML or a raw message; `auto` sniffs.
    pub format: Format,
    /// The document's path, for path allow-lists (CLI).
    pub path: Option<String>,
}

impl ScanOptions {
    /// Options with the given context.
    pub fn with_context(context: Context) -> ScanOptions {
        ScanOptions { context, ..ScanOptions::default() }
    }
}

/// What `engine.rules()` lists: a rule's identity, without its pattern.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RuleInfo {
    /// Rule id.
    pub id: String,
    /// Category.
    pub category: Category,
    /// Confidence.
    pub confidence: Confidence,
    /// Description.
    pub description: Option<String>,
}

/// Builds an [`Engine`] from a policy given as a value or as text.
#[derive(Debug)]
pub struct EngineBuilder {
    policy: Option<Policy>,
    text: Option<String>,
    keyword_windows: bool,
    eager_regexes: bool,
}

impl Default for EngineBuilder {
    fn default() -> Self {
        EngineBuilder { policy: None, text: None, keyword_windows: true, eager_regexes: false }
    }
}

impl EngineBuilder {
    /// Uses this policy (resolving `extends`).
    pub fn policy(&mut self, policy: Policy) -> &mut Self {
        self.policy = Some(policy);
        self.text = None;
        self
    }

    /// Uses this policy text, JSON or TOML.
    pub fn policy_text(&mut self, text: &str) -> &mut Self {
        self.text = Some(text.to_owned());
        self.policy = None;
        self
    }

    /// Whether rules that provably match only around their keywords search only there
    /// (default: yes), and rules without keywords whose matches are runs of a few bytes
    /// (card numbers) only in such runs. Off, every rule whose keyword occurs searches the
    /// whole document: slower, but without the one limit windows have (a pattern with
    /// unbounded repetition before a required part finds nothing whose required part runs
    /// more than 4 KB past its keyword). The tests compare both ways.
    pub fn keyword_windows(&mut self, on: bool) -> &mut Self {
        self.keyword_windows = on;
        self
    }

    /// Whether every rule's regex is built when the engine is (default: no). By default a
    /// pattern of the bundled policy, which the tests prove compiles, is built when a scan
    /// first needs it: a CLI run or an editor pays only for the rules its documents
    /// trigger (about 40 ms for all of them). A server that wants even first-scan latency
    /// can pay it up front. Patterns from a policy file are always built at once, so that
    /// their errors surface when the policy is loaded.
    pub fn eager_regexes(&mut self, on: bool) -> &mut Self {
        self.eager_regexes = on;
        self
    }

    /// Compiles. Without a policy, the default policy.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn build(&self) -> Result<Engine, Error> {
        let policy = match (&self.policy, &self.text) {
            (Some(p), _) => p.clone(),
            (None, Some(t)) => Policy::parse(t)?,
            (None, None) => Policy::default_policy(),
        };
        let policy = policy.resolve()?;
        let compiled = compile::Compiled::new(&policy, self.keyword_windows, self.eager_regexes)?;
        Ok(Engine { policy, compiled })
    }
}

impl Engine {
    /// Compiles a policy. `extends = "default"` is resolved first. Every rule is checked:
    /// a pattern that cannot run in linear time, or exceeds the size limits, is refused
    /// with an error naming the rule.
    pub fn new(policy: Policy) -> Result<Engine, Error> {
        Engine::builder().policy(policy).build()
    }

    /// Parses (JSON or TOML, auto-detected) and compiles a policy text.
    pub fn from_policy_str(text: &str) -> Result<Engine, Error> {
        Engine::new(Policy::parse(text)?)
    }

    /// A builder.
    pub fn builder() -> EngineBuilder {
        EngineBuilder::default()
    }

    /// The engine for the bundled default policy.
    pub fn default_policy() -> Engine {
        // The default policy compiles in the test suite; failing here is a build defect.
        Engine::new(Policy::default_policy()).expect("the bundled default policy compiles")
    }

    /// The resolved policy this engine was compiled from.
    pub fn policy(&self) -> &Policy {
        &self.policy
    }

    /// The rules, in policy order.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn rules(&self) -> Vec<RuleInfo> {
        self.policy
            .rules
            .iter()
            .map(|r| RuleInfo {
                id: r.id.clone(),
                category: r.category,
                confidence: r.confidence,
                description: r.description.clone(),
            })
            .collect()
    }

    /// Scans one document given as text (plain text or HTML, template or rendered).
    ///
    /// Never fails: oversized input is scanned up to `limits.maxDocumentBytes` and the
    /// report says what was not read. Offsets in the report are byte offsets into `text`.
    pub fn scan(&self, text: &str, options: &ScanOptions) -> Report {
        scan::scan_text(self, text, options)
    }

    /// Scans bytes: a raw message (`format: eml`, or sniffed), or text in any encoding
    /// ([`crate::decode::text`]: a byte-order mark, UTF-16/32 by its NUL bytes, UTF-8, a
    /// `<meta>` charset, else windows-1252 for the bytes that are not UTF-8). With `auto`,
    /// media without text are skipped and archives listed as unscanned. Findings' `start`
    /// and `end` are byte offsets into `bytes`.
    ///
    /// Does not fail today (the `Result` is kept for inputs a future format may refuse):
    /// raw messages are decoded part by part, and any other bytes are read as text.
    pub fn scan_bytes(&self, bytes: &[u8], options: &ScanOptions) -> Result<Report, Error> {
        scan::scan_bytes(self, bytes, options)
    }

    /// Runs every rule's examples and counter-examples; returns one message per failure.
    /// Messages name the rule and the example's index, never its text.
    pub fn check_examples(&self) -> Vec<String> {
        compile::check_examples(self)
    }

    /// The ids of the rules with keywords that still search the whole document whenever
    /// one of their keywords occurs, because the compiler could not prove that every match
    /// contains a keyword, within a bounded length or inside a run of the bytes its matches
    /// consist of. Every other keyword rule searches only near its keyword hits, which is
    /// much cheaper; `sendguard policy check` lists these.
    pub fn whole_document_rules(&self) -> Vec<&str> {
        self.policy
            .rules
            .iter()
            .zip(&self.compiled.rules)
            .filter(|(spec, rule)| !spec.keywords.is_empty() && rule.regex.is_some() && rule.window.is_none() && rule.runs.is_none())
            .map(|(spec, _)| spec.id.as_str())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_is_send_and_sync() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Engine>();
    }
}
