//! Gives the wasm build the default policy without its examples, counter-examples and comment
//! lines (`src/policy/strip.rs` says why); native builds include `policy/default.toml` as it is.

use std::{env, fs, path::PathBuf};

#[path = "src/policy/strip.rs"]
mod strip;

fn main() {
    println!("cargo::rerun-if-changed=policy/default.toml");
    println!("cargo::rerun-if-changed=src/policy/strip.rs");
    if env::var("CARGO_CFG_TARGET_ARCH").as_deref() != Ok("wasm32") {
        return;
    }
    let text = fs::read_to_string("policy/default.toml").expect("policy/default.toml is readable");
    let stripped = strip::strip_examples(&text)
        .and_then(|t| strip::strip_comments(&t))
        .unwrap_or_else(|e| panic!("policy/default.toml: {e}"));
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR")).join("default.toml");
    fs::write(&out, stripped).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
}
