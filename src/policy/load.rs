//! Reading a policy from JSON or TOML, and building on the default policy.

use super::types::Policy;
use crate::error::Error;

/// The default policy, as shipped in `policy/default.toml`.
#[cfg(not(target_arch = "wasm32"))]
const DEFAULT_POLICY_TOML: &str = include_str!("../../policy/default.toml");

/// The default policy without its examples (written by `build.rs`, see `strip.rs`).
#[cfg(target_arch = "wasm32")]
const DEFAULT_POLICY_TOML: &str = include_str!(concat!(env!("OUT_DIR"), "/default.toml"));

/// The text of the default policy (`sendguard policy default` prints it). The wasm build's
/// copy leaves out the rules' examples and counter-examples.
pub fn default_policy_toml() -> &'static str {
    DEFAULT_POLICY_TOML
}

/// The syntax a policy text is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PolicyFormat {
    /// JSON (what browsers and Node speak).
    Json,
    /// TOML (what people write).
    Toml,
}

impl PolicyFormat {
    /// Guesses from the text: JSON starts with `{` after white space; anything else is TOML.
    pub fn sniff(text: &str) -> PolicyFormat {
        if text.trim_start().starts_with('{') {
            PolicyFormat::Json
        } else {
            PolicyFormat::Toml
        }
    }
}

impl Policy {
    /// The default policy, parsed.
    pub fn default_policy() -> Policy {
        // The default policy is checked by the test suite; failing here is a build defect.
        policy_from_toml(DEFAULT_POLICY_TOML).expect("the bundled default policy parses")
    }

    /// Parses a policy from JSON or TOML (auto-detected), without resolving `extends`.
    pub fn parse(text: &str) -> Result<Policy, Error> {
        Policy::parse_as(text, PolicyFormat::sniff(text))
    }

    /// Parses a policy in the given syntax, without resolving `extends`.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn parse_as(text: &str, format: PolicyFormat) -> Result<Policy, Error> {
        match format {
            PolicyFormat::Json => policy_from_json(text),
            PolicyFormat::Toml => policy_from_toml(text),
        }
    }

    /// Resolves `extends`: with `extends = "default"` the result is the default policy with
    /// this policy's `disable` applied, its rules and lexicons added (one with an existing
    /// id replaces it), its actions appended (so they win ties), its allow-lists added and its
    /// limits and `[unscanned]` action taking over. Without `extends` the policy is returned as
    /// it is.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn resolve(self) -> Result<Policy, Error> {
        match self.extends.as_deref() {
            None => Ok(self),
            Some("default") => {
                let mut base = Policy::default_policy();
                for id in &self.disable {
                    if !base.rules.iter().any(|r| &r.id == id) {
                        return Err(Error::policy(format!("disable: no rule `{id}` in the default policy")));
                    }
                }
                base.rules.retain(|r| !self.disable.contains(&r.id));
                for rule in self.rules {
                    match base.rules.iter_mut().find(|r| r.id == rule.id) {
                        Some(existing) => *existing = rule,
                        None => base.rules.push(rule),
                    }
                }
                for lexicon in self.lexicons {
                    match base.lexicons.iter_mut().find(|l| l.id == lexicon.id) {
                        Some(existing) => *existing = lexicon,
                        None => base.lexicons.push(lexicon),
                    }
                }
                base.actions.extend(self.actions);
                base.allow.rules.extend(self.allow.rules);
                base.allow.value_hashes.extend(self.allow.value_hashes);
                base.allow.paths.extend(self.allow.paths);
                if !self.limits.is_default() {
                    base.limits = self.limits;
                }
                if !self.unscanned.is_default() {
                    base.unscanned = self.unscanned;
                }
                base.description = self.description.or(base.description);
                base.extends = None;
                base.disable.clear();
                Ok(base)
            }
            Some(other) => Err(Error::policy(format!(
                "extends: unknown base policy `{other}` (the only base is \"default\")"
            ))),
        }
    }

    /// The policy as TOML text.
    pub fn to_toml(&self) -> Result<String, Error> {
        toml::to_string_pretty(self).map_err(|e| Error::policy(format!("policy cannot be written as TOML: {e}")))
    }
}

/// TOML errors quote the offending line, which may hold a secret from a rule example; keep
/// the position and the reason only.
#[cfg_attr(sendguard_cold, optimize(size))]
fn toml_message(reason: &str, at: Option<usize>) -> String {
    match at {
        Some(at) => format!("policy TOML at byte {at}: {reason}"),
        None => format!("policy TOML: {reason}"),
    }
}

// Natively a policy is read by `toml` and serde_json; the wasm build reads both syntaxes
// with `super::tree` and the hand-written readers of `super::read` (their tests hold them
// to the native results and to the derived `Deserialize`).

/// A TOML policy, natively.
#[cfg(not(target_arch = "wasm32"))]
#[cfg_attr(sendguard_cold, optimize(size))]
fn policy_from_toml(text: &str) -> Result<Policy, Error> {
    toml::from_str(text).map_err(|e| Error::policy(toml_message(e.message(), e.span().map(|s| s.start))))
}

/// A TOML policy in the wasm build.
#[cfg(target_arch = "wasm32")]
#[cfg_attr(sendguard_cold, optimize(size))]
fn policy_from_toml(text: &str) -> Result<Policy, Error> {
    super::tree::read_toml(text).map_err(|e| Error::policy(toml_message(&e.message, e.at)))
}

/// A JSON policy, natively.
#[cfg(not(target_arch = "wasm32"))]
#[cfg_attr(sendguard_cold, optimize(size))]
fn policy_from_json(text: &str) -> Result<Policy, Error> {
    serde_json::from_str(text).map_err(|e| {
        Error::policy(format!("policy JSON, line {} column {}: {}", e.line(), e.column(), strip_json_excerpt(&e.to_string())))
    })
}

/// A JSON policy in the wasm build.
#[cfg(target_arch = "wasm32")]
#[cfg_attr(sendguard_cold, optimize(size))]
fn policy_from_json(text: &str) -> Result<Policy, Error> {
    super::tree::read_json(text).map_err(|e| {
        let (line, column) = e.line_column(text);
        Error::policy(format!("policy JSON, line {line} column {column}: {}", e.message))
    })
}

/// serde_json messages do not quote input, but keep them to one line.
#[cfg(not(target_arch = "wasm32"))]
#[cfg_attr(sendguard_cold, optimize(size))]
fn strip_json_excerpt(message: &str) -> String {
    message.lines().next().unwrap_or("invalid JSON").to_owned()
}
