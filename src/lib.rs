//! # sendguard
//!
//! A content-policy engine for outbound mail: it finds the secrets in email templates
//! and rendered emails and invoices (plaintext passwords, API keys and tokens, private
//! keys, connection strings with credentials, card numbers, PINs) and says per document
//! `pass`, `warn` or `block`, with every finding located and redacted.
//!
//! A [`Policy`] compiles once into an immutable [`Engine`] (`Send + Sync`), reused for
//! every scan:
//!
//! ```
//! use sendguard::{Engine, ScanOptions, Action};
//! let engine = Engine::default_policy();
//! let report = engine.scan("Password: Xq7#vB2m9L", &ScanOptions::default());
//! assert_eq!(report.verdict, Action::Block);
//! assert_eq!(report.findings[0].redacted, "Xq******9L");
//! ```
//!
//! The flow of one document: decode (HTML, MIME) into views with offset maps → detect
//! (keyword prefilter, one compiled regex per rule, validators, placeholders) → decide
//! (policy × context) → [`Report`]. Offsets are byte offsets into the input, with UTF-16
//! offsets and line/column computed here so that JavaScript never does offset arithmetic.
#![deny(missing_docs)]
// `make pkg` passes `--cfg sendguard_cold` (with RUSTC_BOOTSTRAP=1, as for its -Z flags): the
// code that runs once per policy, guard state or options object is then compiled for size
// (`#[optimize(size)]`, LLVM's minsize) while the rest of the crate stays at opt-level 2 for
// the scan (Cargo.toml). Every other build leaves the attribute out; it changes no result.
#![cfg_attr(sendguard_cold, feature(optimize_attribute))]

pub mod decode;
pub mod engine;
mod error;
pub mod guard;
mod host;
pub mod policy;
pub mod report;
pub mod rules;

#[cfg(feature = "wasm")]
pub mod wasm;

pub use engine::{Engine, EngineBuilder, RuleInfo, ScanOptions};
pub use error::{Error, ErrorKind};
pub use guard::{
    CountKeys, GuardAction, GuardCheck, GuardCounts, GuardDecision, GuardLimits, GuardState, GuardStep, GuardSummary, KeyCounts,
    RunGuard,
};
pub use policy::{Action, Category, Confidence, Context, Format, Kind, Policy, Rule, Source};
pub use report::{Finding, Report, Skipped, Suppressed};
