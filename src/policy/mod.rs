//! The policy: one serde data type, read from JSON or TOML, compiled once into an
//! [`Engine`](crate::Engine).
//!
//! A policy is data: rules (each with its own examples and counter-examples), the
//! actions per category × source × context, allow-lists and limits. The default policy
//! ships inside the binary (`policy/default.toml`) and is what `extends = "default"`
//! builds on.

mod load;
mod types;

pub use load::{default_policy_toml, PolicyFormat};
pub use types::*;
