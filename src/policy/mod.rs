//! The policy: one serde data type, read from JSON or TOML, compiled once into an
//! [`Engine`](crate::Engine).
//!
//! A policy is data: rules (each with its own examples and counter-examples), the
//! actions per category × source × context, allow-lists and limits. The default policy
//! ships inside the binary (`policy/default.toml`) and is what `extends = "default"`
//! builds on.

// How the wasm build reads TOML and JSON (native builds use toml and serde_json); tested natively.
#[cfg(any(test, target_arch = "wasm32"))]
pub(crate) mod tree;
mod load;
// The wasm build's readers of a policy's tables (natively toml and serde_json read them); tested natively.
#[cfg(any(test, target_arch = "wasm32"))]
mod read;
// Shared with build.rs, which runs it for the wasm build; tested natively.
#[cfg(test)]
mod strip;
mod types;

pub use load::{default_policy_toml, PolicyFormat};
pub use types::*;
