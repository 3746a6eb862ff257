//! Deciding: the action table maps a finding (category × source × context × confidence ×
//! rule) to pass, warn or block.

use crate::policy::{Action, ActionEntry, Category, Confidence, Context, Rule, Source};
use crate::report::Finding;
use crate::rules::example_value::example_reason;

/// The compiled action table.
#[derive(Debug, Clone)]
pub(crate) struct ActionTable {
    entries: Vec<ActionEntry>,
}

/// What the table is asked about.
pub(crate) struct Subject<'a> {
    pub category: Category,
    pub source: Source,
    pub context: Context,
    pub confidence: Confidence,
    pub rule: &'a str,
}

impl ActionTable {
    pub fn new(entries: &[ActionEntry]) -> ActionTable {
        ActionTable { entries: entries.to_vec() }
    }

    /// The action of the most specific matching entry (most fields set; the later one on a
    /// tie). With no matching entry a finding blocks: a policy that forgets a category
    /// fails closed.
    pub fn decide(&self, s: &Subject<'_>) -> Action {
        let mut best: Option<(usize, Action)> = None;
        for e in &self.entries {
            let matches = e.category.is_none_or(|c| c == s.category)
                && e.source.is_none_or(|x| x == s.source)
                && e.context.is_none_or(|x| x == s.context)
                && e.confidence.is_none_or(|x| x == s.confidence)
                && e.rule.as_deref().is_none_or(|r| r == s.rule);
            if !matches {
                continue;
            }
            let specificity = e.category.is_some() as usize
                + e.source.is_some() as usize
                + e.context.is_some() as usize
                + e.confidence.is_some() as usize
                + 2 * e.rule.is_some() as usize;
            if best.is_none_or(|(b, _)| specificity >= b) {
                best = Some((specificity, e.action));
            }
        }
        best.map_or(Action::Block, |(_, a)| a)
    }
}

/// Caps a blocking finding at warn when its value is an example or placeholder in a
/// vendor's format (`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxx…`; see
/// [`crate::rules::example_value`]), and says so first in its message. Only token-format
/// findings: tokens of category `token`, and any rule that names its `provider` (password
/// hashes). A private key's base64 has runs of `A` by nature, and a password's value
/// is judged by its own validator.
pub(crate) fn soften_example(finding: &mut Finding, rule: &Rule, value: &str) {
    let token_format = rule.category == Category::Token || rule.provider.is_some();
    if finding.action != Action::Block || finding.source != Source::Literal || !token_format || rule.category == Category::PrivateKey {
        return;
    }
    if let Some(reason) = example_reason(value, &rule.keywords) {
        finding.action = Action::Warn;
        finding.message = format!(
            "Warned, not blocked: the value looks like an example or placeholder ({}). If it is a real credential, it has leaked: {}",
            reason.describe(),
            finding.message
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(category: Option<Category>, context: Option<Context>, action: Action) -> ActionEntry {
        ActionEntry { category, context, action, ..ActionEntry::default() }
    }

    #[test]
    fn most_specific_entry_wins() {
        let t = ActionTable::new(&[
            entry(None, None, Action::Block),
            entry(Some(Category::ResetLink), None, Action::Warn),
            entry(Some(Category::ResetLink), Some(Context::PasswordReset), Action::Pass),
        ]);
        let s = |category, context| Subject { category, source: Source::Literal, context, confidence: Confidence::High, rule: "r" };
        assert_eq!(t.decide(&s(Category::ResetLink, Context::PasswordReset)), Action::Pass);
        assert_eq!(t.decide(&s(Category::ResetLink, Context::Invoice)), Action::Warn);
        assert_eq!(t.decide(&s(Category::Password, Context::PasswordReset)), Action::Block);
    }

    #[test]
    fn empty_table_fails_closed() {
        let t = ActionTable::new(&[]);
        let s = Subject { category: Category::Pin, source: Source::Literal, context: Context::Generic, confidence: Confidence::Low, rule: "r" };
        assert_eq!(t.decide(&s), Action::Block);
    }
}
