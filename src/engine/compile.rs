//! Compiling a policy: each rule's pattern into a linear-time regex (with size limits),
//! all keywords into one Aho-Corasick automaton, the action table and the allow-lists.

use super::decide::ActionTable;
use super::suppress::PathGlob;
use super::{Engine, ScanOptions};
use crate::error::Error;
use crate::policy::{Category, Detector, Format, Kind, LexiconRole, Policy, Rule};
use super::keywords::Keywords;
use super::runs::{ProbedRuns, RunBytes, Runs};
use super::window;
use crate::rules::lexicon::Lexicons;
use regex_automata::meta;
use regex_syntax::hir::Hir;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Deepest nesting of groups and repetitions accepted in a pattern.
const NEST_LIMIT: u32 = 64;

/// A policy compiled for scanning.
#[derive(Debug)]
pub(crate) struct Compiled {
    /// One entry per policy rule, same order.
    pub rules: Vec<CompiledRule>,
    /// All keywords of all rules; `None` when no rule has keywords.
    pub keywords: Option<Keywords>,
    /// For each automaton pattern id (a keyword or a case variant of one), the index of
    /// its keyword in `keyword_rules`.
    pub keyword_of_pattern: Vec<usize>,
    /// For each keyword, the rules it enables.
    pub keyword_rules: Vec<Vec<usize>>,
    /// Rules that run without any keyword.
    pub always: Vec<usize>,
    /// The placeholder rule of each category.
    pub placeholder_rules: HashMap<Category, usize>,
    /// The table-column rule of each category.
    pub table_rules: HashMap<Category, usize>,
    /// The policy's lexicons, for the labelled-value rules and the value checks.
    pub lexicons: Lexicons,
    /// Actions per category × source × context.
    pub actions: ActionTable,
    /// Rule ids that never report.
    pub allowed_rules: HashSet<String>,
    /// SHA-256 digests of allowed values.
    pub allowed_hashes: HashSet<[u8; 32]>,
    /// Documents not scanned for findings.
    pub allowed_paths: Vec<PathGlob>,
}

/// One rule, ready to run.
#[derive(Debug)]
pub(crate) struct CompiledRule {
    /// The compiled pattern; `None` for detector-only rules.
    pub regex: Option<RuleRegex>,
    /// Index of the `secret` capture group, if the pattern has one.
    pub secret_group: Option<usize>,
    /// Where matches lie around a keyword hit, when that is known: the rule then runs
    /// only in windows around its hits (see [`super::window`]).
    pub window: Option<window::Reach>,
    /// Whether the rule applies to templates / rendered documents.
    pub templates: bool,
    /// See above.
    pub rendered: bool,
    /// A table-column rule: its keyword hits mark table headers.
    pub table: bool,
    /// A labelled-value rule: its keyword hits are labels (see [`super::labelled`]).
    pub labelled: bool,
    /// Where to search instead of the whole document (see [`super::runs`]): for a rule
    /// without keywords whose matches are runs of a few bytes, those runs; for a rule with
    /// keywords but no window, the runs of its matches' bytes around its keyword hits.
    pub runs: Option<Runs>,
}

/// A rule's regex: built when the policy is compiled, or, for a pattern of the bundled
/// default policy, when a scan first needs it.
///
/// Building the regexes is most of what compiling the default policy costs (≈ 40 ms, for a
/// CLI run as much as scanning 8 MB), and a scan needs only the rules whose keywords
/// occur. Deferring is safe only where building cannot fail: a built-in pattern under
/// size limits at least the default's, which the test suite compiles. Every other pattern
/// is built at once, so that an error still names its rule when the policy is loaded.
#[derive(Debug)]
pub(crate) struct RuleRegex {
    /// What a deferred build compiles; `None` once built eagerly.
    hir: Option<(Hir, usize)>,
    built: OnceLock<Option<meta::Regex>>,
}

impl RuleRegex {
    /// The regex, building it on first use. `None` only if a deferred build failed, which
    /// the tests rule out for the built-in patterns (the rule then finds nothing).
    pub fn get(&self) -> Option<&meta::Regex> {
        self.built
            .get_or_init(|| {
                let (hir, max_size) = self.hir.as_ref()?;
                let built = build_regex(hir, *max_size).ok();
                debug_assert!(built.is_some(), "a built-in pattern compiles within its limits");
                built
            })
            .as_ref()
    }
}

/// Whether `pattern` is exactly the pattern of a rule of the bundled default policy.
/// The policy text is read once (a set of its patterns), not once per rule.
fn is_builtin_pattern(pattern: &str) -> bool {
    static PATTERNS: OnceLock<HashSet<&'static str>> = OnceLock::new();
    PATTERNS
        .get_or_init(|| {
            const OPEN: &str = "\npattern = '''";
            let mut patterns = HashSet::new();
            let mut rest = crate::policy::default_policy_toml();
            while let Some(at) = rest.find(OPEN) {
                rest = &rest[at + OPEN.len()..];
                if let Some(end) = rest.find("'''\n") {
                    patterns.insert(&rest[..end]);
                }
            }
            patterns
        })
        .contains(pattern)
}

impl Compiled {
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn new(policy: &Policy, keyword_windows: bool, eager_regexes: bool) -> Result<Compiled, Error> {
        let limits = &policy.limits;
        if policy.rules.len() > limits.max_rules {
            return Err(Error::policy(format!(
                "the policy has {} rules; the limit is {} (limits.maxRules)",
                policy.rules.len(),
                limits.max_rules
            )));
        }
        let mut seen = HashSet::new();
        let mut rules = Vec::with_capacity(policy.rules.len());
        let mut keyword_list: Vec<String> = Vec::new();
        let mut keyword_index: HashMap<String, usize> = HashMap::new();
        let mut keyword_rules: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        let mut placeholder_rules = HashMap::new();
        let mut table_rules = HashMap::new();
        let lexicons = Lexicons::new(&policy.lexicons);
        validate_lexicons(policy)?;
        for (index, rule) in policy.rules.iter().enumerate() {
            validate_rule_shape(rule)?;
            if !seen.insert(rule.id.as_str()) {
                return Err(Error::rule(&rule.id, "duplicate rule id"));
            }
            let (regex, secret_group, window, runs) = match &rule.pattern {
                Some(p) => {
                    let hir = parse_pattern(rule, p, limits.max_pattern_len)?;
                    // Only keywords whose case variants all go into the automaton can prove
                    // that a match holds a hit.
                    let proof_keywords: Vec<Vec<u8>> = rule
                        .keywords
                        .iter()
                        .filter(|k| window::case_variants(k).is_some())
                        .map(|k| window::fold(k).into_bytes())
                        .collect();
                    let reach = if keyword_windows { window::reach(&hir, &proof_keywords) } else { None };
                    let secret_group = secret_group_of(&hir);
                    let runs = if !keyword_windows {
                        None
                    } else if rule.keywords.is_empty() {
                        ProbedRuns::of(&hir).map(|r| Runs::Probed(Box::new(r)))
                    } else if reach.is_none() && window::always_contains(&hir, &proof_keywords) {
                        RunBytes::of(&hir).map(Runs::AroundHits)
                    } else {
                        None
                    };
                    let defer = !eager_regexes && limits.max_rule_size >= crate::policy::Limits::default().max_rule_size && is_builtin_pattern(p);
                    let regex = if defer {
                        RuleRegex { hir: Some((hir, limits.max_rule_size)), built: OnceLock::new() }
                    } else {
                        let built = build_regex(&hir, limits.max_rule_size).map_err(|why| Error::rule(&rule.id, why))?;
                        RuleRegex { hir: None, built: OnceLock::from(Some(built)) }
                    };
                    (Some(regex), secret_group, reach, runs)
                }
                None => (None, None, None, None),
            };
            match rule.detector {
                Some(Detector::Placeholder) => one_per_category(&mut placeholder_rules, rule, index, "placeholder")?,
                Some(Detector::TableColumn) => one_per_category(&mut table_rules, rule, index, "table-column")?,
                Some(Detector::LabelledValue) | None => {}
            }
            let table = rule.detector == Some(Detector::TableColumn);
            let labelled = rule.detector == Some(Detector::LabelledValue);
            // A labelled-value rule's keywords are its own and its category's label words;
            // so are a table-column rule's (a header is a label: `PW`, `Mot de passe`).
            let mut keywords: Vec<&str> = rule.keywords.iter().map(String::as_str).collect();
            if table || labelled {
                keywords.extend(lexicons.labels_of(rule.category));
            }
            if labelled {
                if keywords.is_empty() {
                    return Err(Error::rule(&rule.id, format!("a labelled-value rule needs label words: no lexicon with role \"label\" has category {}", rule.category)));
                }
            }
            if regex.is_some() || table || labelled {
                if keywords.is_empty() {
                    always.push(index);
                } else {
                    for kw in keywords {
                        let key = window::fold(kw);
                        let id = *keyword_index.entry(key.clone()).or_insert_with(|| {
                            keyword_list.push(key);
                            keyword_rules.push(Vec::new());
                            keyword_list.len() - 1
                        });
                        if !keyword_rules[id].contains(&index) {
                            keyword_rules[id].push(index);
                        }
                    }
                }
            }
            let (templates, rendered) = kinds_of(rule);
            rules.push(CompiledRule { regex, secret_group, window, templates, rendered, table, labelled, runs });
        }
        // Each keyword with the case variants of its non-ASCII letters (ASCII case is
        // folded by the automaton); a keyword with too many variants is searched as written.
        let mut patterns = Vec::new();
        let mut keyword_of_pattern = Vec::new();
        for (id, kw) in keyword_list.iter().enumerate() {
            let variants = window::case_variants(kw).unwrap_or_else(|| vec![kw.clone()]);
            keyword_of_pattern.extend(std::iter::repeat_n(id, variants.len()));
            patterns.extend(variants);
        }
        let keywords = if patterns.is_empty() {
            None
        } else {
            Some(Keywords::new(&patterns).map_err(|e| Error::policy(format!("keywords cannot be compiled: {e}")))?)
        };
        let actions = ActionTable::new(&policy.actions);
        let allowed_hashes = policy
            .allow
            .value_hashes
            .iter()
            .map(|h| parse_sha256(h))
            .collect::<Result<HashSet<_>, _>>()?;
        let allowed_paths = policy.allow.paths.iter().map(|p| PathGlob::new(p)).collect();
        Ok(Compiled {
            rules,
            keywords,
            keyword_of_pattern,
            keyword_rules,
            always,
            placeholder_rules,
            table_rules,
            lexicons,
            actions,
            allowed_rules: policy.allow.rules.iter().cloned().collect(),
            allowed_hashes,
            allowed_paths,
        })
    }
}

fn kinds_of(rule: &Rule) -> (bool, bool) {
    if rule.kinds.is_empty() || rule.kinds.contains(&Kind::Auto) {
        return (true, true);
    }
    (rule.kinds.contains(&Kind::Template), rule.kinds.contains(&Kind::Rendered))
}

/// Records the detector rule of `rule.category`, refusing a second one for the category.
#[cfg_attr(sendguard_cold, optimize(size))]
fn one_per_category(rules: &mut HashMap<Category, usize>, rule: &Rule, index: usize, what: &str) -> Result<(), Error> {
    match rules.insert(rule.category, index) {
        Some(_) => Err(Error::rule(&rule.id, format!("a second {what} rule for category {}; one per category", rule.category))),
        None => Ok(()),
    }
}

#[cfg_attr(sendguard_cold, optimize(size))]
fn validate_rule_shape(rule: &Rule) -> Result<(), Error> {
    if rule.id.trim().is_empty() {
        return Err(Error::policy("a rule has an empty id"));
    }
    if rule.id.len() > 128 || !rule.id.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c)) {
        return Err(Error::policy(format!(
            "rule id `{}` must be 1–128 characters of letters, digits, `-`, `_` or `.`",
            rule.id.chars().take(128).collect::<String>()
        )));
    }
    match (&rule.pattern, rule.detector) {
        (None, None) => Err(Error::rule(&rule.id, "has neither a pattern nor a detector")),
        (Some(_), Some(Detector::Placeholder)) => {
            Err(Error::rule(&rule.id, "a placeholder rule takes no pattern; the detector finds the placeholders"))
        }
        (Some(_), Some(Detector::TableColumn)) => {
            Err(Error::rule(&rule.id, "a table-column rule takes no pattern; its keywords find the headers"))
        }
        (Some(_), Some(Detector::LabelledValue)) => {
            Err(Error::rule(&rule.id, "a labelled-value rule takes no pattern; its label lexicons find the labels"))
        }
        (None, Some(Detector::TableColumn)) if rule.keywords.is_empty() => {
            Err(Error::rule(&rule.id, "a table-column rule needs keywords: they find the header lines"))
        }
        _ => Ok(()),
    }?;
    if let Some(min) = rule.min_entropy {
        if !(0.0..=8.0).contains(&min) {
            return Err(Error::rule(&rule.id, "minEntropy must be between 0 and 8 bits per character"));
        }
    }
    for kw in &rule.keywords {
        if kw.is_empty() || kw.len() > 64 {
            return Err(Error::rule(&rule.id, "keywords must be 1–64 bytes long"));
        }
    }
    Ok(())
}

/// Checks the lexicons' shape: ids, words, and a category on every label lexicon.
#[cfg_attr(sendguard_cold, optimize(size))]
fn validate_lexicons(policy: &Policy) -> Result<(), Error> {
    let mut seen = HashSet::new();
    for lexicon in &policy.lexicons {
        let name = format!("lexicon `{}`", lexicon.id);
        if lexicon.id.trim().is_empty() || !seen.insert(lexicon.id.as_str()) {
            return Err(Error::policy(format!("{name}: an empty or duplicate lexicon id")));
        }
        if matches!(lexicon.role, LexiconRole::Label | LexiconRole::Pair) && lexicon.category.is_none() {
            return Err(Error::policy(format!("{name}: a label lexicon needs a category")));
        }
        if lexicon.words.iter().any(|w| w.trim().is_empty() || w.len() > 64) {
            return Err(Error::policy(format!("{name}: words must be 1–64 bytes long")));
        }
    }
    Ok(())
}

/// Parses one pattern, refusing what cannot run in linear time, with a message that
/// names the rule and says why.
#[cfg_attr(sendguard_cold, optimize(size))]
fn parse_pattern(rule: &Rule, pattern: &str, max_len: usize) -> Result<Hir, Error> {
    if pattern.len() > max_len {
        return Err(Error::rule(&rule.id, format!(
            "pattern is {} bytes; the limit is {} (limits.maxPatternLen)",
            pattern.len(),
            max_len
        )));
    }
    // The syntax tree first, so that unsupported constructs get an explanation, not a
    // parser code; then the same tree is translated (what `regex_syntax::Parser` does in
    // one call: parsing twice was a tenth of compiling the default policy).
    let mut parser = regex_syntax::ast::parse::ParserBuilder::new().nest_limit(NEST_LIMIT).build();
    let ast = match parser.parse(pattern) {
        Ok(ast) => ast,
        Err(e) => {
            use regex_syntax::ast::ErrorKind as K;
            let why = match e.kind() {
                K::UnsupportedLookAround => "uses look-around ((?=, (?!, (?<=, (?<!), which cannot run in linear time; match the surrounding text instead, or use a validator".to_owned(),
                K::UnsupportedBackreference => "uses a back-reference (\\1, \\k<name>), which cannot run in linear time; match the repeated text explicitly".to_owned(),
                K::NestLimitExceeded(limit) => format!("nests groups or repetitions deeper than {limit}"),
                other => format!("is not a valid pattern: {other} (at byte {})", e.span().start.offset),
            };
            return Err(Error::rule(&rule.id, format!("pattern {why}")));
        }
    };
    regex_syntax::hir::translate::TranslatorBuilder::new()
        .utf8(true)
        .build()
        .translate(pattern, &ast)
        .map_err(|e| Error::rule(&rule.id, format!("pattern cannot be compiled: {}", regex_syntax::Error::from(e))))
}

/// Builds a parsed pattern, within `max_size` bytes for each of its automata; the error
/// says why (the caller names the rule).
fn build_regex(hir: &Hir, max_size: usize) -> Result<meta::Regex, String> {
    let config = meta::Config::new()
        .nfa_size_limit(Some(max_size))
        .onepass_size_limit(Some(max_size))
        .dfa_size_limit(Some(max_size))
        .hybrid_cache_capacity(2 * (1 << 20));
    meta::Regex::builder().configure(config).build_from_hir(hir).map_err(|e| match e.size_limit() {
        Some(limit) => format!(
            "pattern compiles to more than {limit} bytes (limits.maxRuleSize); simplify it or lower its repetition counts"
        ),
        None => format!("pattern cannot be compiled: {e}"),
    })
}

/// The index of the capture group named `secret`, numbered as the regex numbers groups
/// (the whole match is group 0, then groups in the order their `(` appear).
#[cfg_attr(sendguard_cold, optimize(size))]
fn secret_group_of(hir: &Hir) -> Option<usize> {
    use regex_syntax::hir::HirKind;
    let mut stack = vec![hir];
    while let Some(h) = stack.pop() {
        match h.kind() {
            HirKind::Capture(c) => {
                if c.name.as_deref() == Some("secret") {
                    return usize::try_from(c.index).ok();
                }
                stack.push(&c.sub);
            }
            HirKind::Repetition(r) => stack.push(&r.sub),
            HirKind::Concat(hs) | HirKind::Alternation(hs) => stack.extend(hs.iter()),
            _ => {}
        }
    }
    None
}

#[cfg_attr(sendguard_cold, optimize(size))]
fn parse_sha256(hex: &str) -> Result<[u8; 32], Error> {
    let hex = hex.trim().trim_start_matches("sha256:");
    let bad = || Error::policy("allow.valueHashes: each entry must be 64 hex digits (a SHA-256 of the value)");
    if hex.len() != 64 {
        return Err(bad());
    }
    let mut out = [0u8; 32];
    for (i, chunk) in hex.as_bytes().chunks(2).enumerate() {
        let s = std::str::from_utf8(chunk).map_err(|_| bad())?;
        out[i] = u8::from_str_radix(s, 16).map_err(|_| bad())?;
    }
    Ok(out)
}

/// Runs the examples and counter-examples of every rule (see [`Engine::check_examples`]).
pub(crate) fn check_examples(engine: &Engine) -> Vec<String> {
    let mut failures = Vec::new();
    for (index, rule) in engine.policy().rules.iter().enumerate() {
        if rule.examples.is_empty() {
            failures.push(format!("rule `{}`: has no examples", rule.id));
        }
        if rule.counter_examples.is_empty() {
            failures.push(format!("rule `{}`: has no counter-examples", rule.id));
        }
        for (i, example) in rule.examples.iter().enumerate() {
            if !finds(engine, index, example) {
                failures.push(format!("rule `{}`: example #{} is not found", rule.id, i + 1));
            }
        }
        for (i, example) in rule.counter_examples.iter().enumerate() {
            if finds(engine, index, example) {
                failures.push(format!("rule `{}`: counter-example #{} is found", rule.id, i + 1));
            }
        }
    }
    // A lexicon proves itself through the labelled-value rules that read it: with those
    // disabled (or none of its category), there is nothing its examples could show.
    let labelled: Vec<Category> = engine.policy().rules.iter().filter(|r| r.detector == Some(Detector::LabelledValue)).map(|r| r.category).collect();
    for lexicon in &engine.policy().lexicons {
        let read = match lexicon.role {
            LexiconRole::Label | LexiconRole::Pair => lexicon.category.is_some_and(|c| labelled.contains(&c)),
            _ => !labelled.is_empty(),
        };
        if !read {
            continue;
        }
        if lexicon.examples.is_empty() {
            failures.push(format!("lexicon `{}`: has no examples", lexicon.id));
        }
        if lexicon.counter_examples.is_empty() {
            failures.push(format!("lexicon `{}`: has no counter-examples", lexicon.id));
        }
        for (i, example) in lexicon.examples.iter().enumerate() {
            if !finds_secret(engine, lexicon.category, example) {
                failures.push(format!("lexicon `{}`: example #{} is not found", lexicon.id, i + 1));
            }
        }
        for (i, example) in lexicon.counter_examples.iter().enumerate() {
            if finds_secret(engine, None, example) {
                failures.push(format!("lexicon `{}`: counter-example #{} is found", lexicon.id, i + 1));
            }
        }
    }
    failures
}

/// Whether the whole policy finds a secret (of `category`, when given) in `text`.
fn finds_secret(engine: &Engine, category: Option<Category>, text: &str) -> bool {
    let options = ScanOptions { format: Format::Auto, kind: Kind::Auto, ..ScanOptions::default() };
    let report = super::scan::scan_document(engine, text, &options, None);
    report.findings.iter().any(|f| category.map_or(!matches!(f.category, Category::Limit | Category::Suppression), |c| f.category == c))
}

fn finds(engine: &Engine, index: usize, text: &str) -> bool {
    let options = ScanOptions { format: Format::Auto, kind: Kind::Auto, ..ScanOptions::default() };
    let report = super::scan::scan_document(engine, text, &options, Some(index));
    let id = &engine.policy().rules[index].id;
    report.findings.iter().chain(report.suppressed.iter().map(|s| &s.finding)).any(|f| &f.rule_id == id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_pattern_is_deferred_and_builds() {
        let policy = Policy::default_policy();
        let compiled = Compiled::new(&policy, true, false).expect("the default policy compiles");
        for (spec, rule) in policy.rules.iter().zip(&compiled.rules) {
            let Some(regex) = &rule.regex else { continue };
            assert!(regex.built.get().is_none(), "rule `{}` was built before a scan needed it", spec.id);
            assert!(regex.get().is_some(), "rule `{}` does not build", spec.id);
        }
        let eager = Compiled::new(&policy, true, true).expect("the default policy compiles");
        assert!(eager.rules.iter().filter_map(|r| r.regex.as_ref()).all(|r| r.built.get().is_some()));
    }

    #[test]
    fn a_scan_builds_only_the_regexes_it_searches_with() {
        let engine = Engine::default_policy();
        fn built(engine: &Engine) -> Vec<&str> {
            let rules = engine.compiled.rules.iter().zip(&engine.policy().rules);
            rules.filter(|(r, _)| r.regex.as_ref().is_some_and(|x| x.built.get().is_some())).map(|(_, s)| s.id.as_str()).collect()
        }
        // No keyword occurs: only the keyword-less rules search (the whole document).
        engine.scan("Thank you for your order. It ships on Monday.", &ScanOptions::default());
        let keywordless: Vec<&str> = engine.compiled.always.iter().map(|&i| engine.policy().rules[i].id.as_str()).collect();
        let first = built(&engine);
        assert!(first.iter().all(|id| keywordless.contains(id)), "built without a keyword hit: {first:?}");
        // A CVV label builds the card rules, not the token formats.
        engine.scan("CVV: 123", &ScanOptions::default());
        let second = built(&engine);
        assert!(second.contains(&"card-security-code"), "{second:?}");
        assert!(!second.contains(&"stripe-secret-key") && second.len() < engine.policy().rules.len() / 4, "{second:?}");
    }

    #[test]
    fn only_exact_builtin_patterns_are_trusted() {
        let policy = Policy::default_policy();
        let pattern = policy.rules.iter().find_map(|r| r.pattern.clone()).expect("a rule with a pattern");
        assert!(is_builtin_pattern(&pattern));
        assert!(!is_builtin_pattern(&pattern[..pattern.len() - 1]));
        assert!(!is_builtin_pattern(&pattern[1..]));
        assert!(!is_builtin_pattern(&format!("{pattern}x")));
    }

    #[test]
    fn lower_size_limits_build_every_rule_at_load() {
        // The default patterns were tested under the default limits only: with a lower
        // limit each is built (and refused, with its rule's name) when the policy loads.
        let mut policy = Policy::default_policy();
        policy.limits.max_rule_size = 1 << 10;
        let err = Compiled::new(&policy, true, false).expect_err("1 KB is too small for the default rules");
        assert!(err.to_string().contains("limits.maxRuleSize"), "{err}");
    }

    #[test]
    fn secret_group_index_matches_the_regex() {
        for pattern in [r"(?P<secret>a)", r"(x)(y(?P<secret>z))", r"(?:a|(b))+(?P<secret>c)", r"no groups"] {
            let hir = regex_syntax::parse(pattern).expect("parses");
            let regex = build_regex(&hir, 1 << 20).expect("builds");
            let expected = regex.group_info().to_index(regex_automata::PatternID::ZERO, "secret");
            assert_eq!(secret_group_of(&hir), expected, "{pattern}");
        }
    }
}
