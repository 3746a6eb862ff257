//! Writes `docs/RULES.md`: the default policy's rules, vendor token formats by provider
//! first, generated from the policy so that the list cannot drift from it
//! (`tests/vendor_rules.rs` fails when the file differs from what this prints).
//!
//! `make rules-doc`, or `cargo run --example rules_doc > docs/RULES.md`.

use sendguard::Policy;
use std::fmt::Write;

/// The Markdown text of `docs/RULES.md` for `policy`.
pub fn render(policy: &Policy) -> String {
    let mut vendor: Vec<_> = policy.rules.iter().filter(|r| r.provider.is_some()).collect();
    vendor.sort_by_key(|r| (r.provider.as_deref().unwrap_or_default().to_lowercase(), r.id.clone()));
    let providers = {
        let mut p: Vec<&str> = vendor.iter().filter_map(|r| r.provider.as_deref()).collect();
        p.dedup();
        p.len()
    };
    let other: Vec<_> = policy.rules.iter().filter(|r| r.provider.is_none()).collect();
    let mut out = String::new();
    out.push_str("# Rules of the default policy\n\n");
    out.push_str("<!-- Generated from policy/default.toml by `make rules-doc` (examples/rules_doc.rs); do not edit. -->\n\n");
    let _ = writeln!(
        out,
        "{} rules: {} vendor token formats from {} providers, and {} rules that find a kind of secret \
         (labels, placeholders, tables, cards, keys, connection strings). Every rule carries examples \
         and counter-examples; `sendguard policy check` runs them. A value shaped like a documentation \
         example (`EXAMPLE`, `xxxx` or `0000` fill, `0123…` runs) warns instead of blocking.\n",
        policy.rules.len(),
        vendor.len(),
        providers,
        other.len()
    );
    let _ = writeln!(out, "## Vendor token formats\n");
    out.push_str("| Provider | Rule | Finds |\n|---|---|---|\n");
    let mut last: Option<&str> = None;
    for r in &vendor {
        let provider = r.provider.as_deref().unwrap_or_default();
        let shown = if last == Some(provider) { "" } else { provider };
        last = Some(provider);
        let _ = writeln!(out, "| {} | `{}` | {} |", cell(shown), r.id, cell(r.description.as_deref().unwrap_or_default()));
    }
    let _ = writeln!(out, "\n## Other rules\n");
    out.push_str("| Rule | Category | Finds |\n|---|---|---|\n");
    for r in &other {
        let _ = writeln!(out, "| `{}` | {} | {} |", r.id, r.category, cell(r.description.as_deref().unwrap_or_default()));
    }
    out
}

/// Text safe inside a Markdown table cell.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn main() {
    print!("{}", render(&Policy::default_policy()));
}
