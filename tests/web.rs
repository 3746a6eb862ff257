//! The shared wasm cases (tests/common) in headless Chrome (`wasm-pack test --headless --chrome`).
#![cfg(all(target_arch = "wasm32", feature = "wasm"))]

#[macro_use]
mod common;

// Without this the browser run silently skips the file.
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

shared_cases!(
    default_engine_blocks_a_password,
    clean_text_passes,
    utf16_offsets_survive_emoji_and_cjk,
    policy_forms,
    bad_policies_throw_with_codes,
    rule_errors_name_the_rule,
    engine_keeps_working_after_errors,
    options_reach_the_engine,
    scan_bytes_reads_text_html_and_buffers,
    rules_are_listed,
    typescript_matches_the_rust_enums,
    version_is_the_crate_version,
    run_guard_halts_and_resumes,
    run_guard_errors_have_codes,
);

#[path = "common/vendor.rs"]
#[macro_use]
mod vendor;

vendor_cases!(vendor_rules_pass_their_examples_in_wasm, bundled_policy_has_every_vendor_rule_and_no_examples);
