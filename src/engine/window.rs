//! Which rules may run only *near* their keywords, and how near.
//!
//! A rule's keywords gate it per document: no keyword, no search. That alone still runs
//! every active rule over the whole document, and short keywords (`key`, `pass`, `code`)
//! activate most rules in most mail; each such rule is a full pass of a lazy DFA. When the
//! compiler can prove that **every match of a pattern contains one of its keywords, starting
//! at most `before` bytes into the match**, a match can only start within `before` bytes
//! ahead of a keyword hit, and the rule runs in windows around its hits instead of over the
//! whole document. The cost then follows the keyword hits, not the document length.
//!
//! How far a window reaches after a hit: the pattern's maximum match length when it has one
//! (`[A-Za-z0-9]{36}`); the length of everything but an unbounded tail when that is all that
//! is unbounded (`[A-Za-z0-9]{20,}=*`); otherwise [`UNBOUNDED_REACH`] bytes. A match that
//! runs to the end of its window is followed to its true end with an anchored search, so a
//! long value is still reported whole. The one difference from a whole-document search: a
//! pattern with unbounded repetition *before* a mandatory part does not find a match whose
//! mandatory part after the keyword is longer than [`UNBOUNDED_REACH`] (a JWT with a 4 KB
//! payload). `sendguard policy check` lists the rules that still search whole documents.
//!
//! The proof walks the pattern's HIR: a finite part (literals, classes of a few letters, and
//! their alternations, with letters folded to lower case) contains a keyword in each of its
//! strings; a concatenation contains one if any part does, at the summed maximum length of
//! the parts before it; an alternation if every branch does; a repetition if its body does
//! and it repeats at least once. Anything it cannot see through (look-around, optional
//! parts, unbounded parts before the keyword) means "no proof", and the rule falls back to
//! whole-document search. Keywords are matched ASCII case-insensitively, and
//! [`case_variants`] adds the upper/lower-case spellings of their non-ASCII letters
//! (`пароль`, `ПАРОЛЬ`, `Пароль`, …) so that `(?i)пароль` is covered as well. A letter
//! written in a variant form (`ſ` for `s`, the Kelvin sign for `k`) is not a keyword hit.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most case variants generated for one keyword; a keyword that would need more is not
/// used in proofs (it still gates the rule per document).
const MAX_VARIANTS: usize = 64;

/// The spellings of `keyword` that differ in the case of its non-ASCII letters (ASCII
/// letters need none: the keyword automaton ignores ASCII case), `keyword` first.
/// `None` when there would be more than [`MAX_VARIANTS`].
pub(crate) fn case_variants(keyword: &str) -> Option<Vec<String>> {
    if keyword.is_ascii() {
        return Some(vec![keyword.to_owned()]);
    }
    let mut variants = vec![String::new()];
    for c in keyword.chars() {
        let mut options = vec![c];
        if !c.is_ascii() {
            for other in [single(c.to_lowercase()), single(c.to_uppercase())].into_iter().flatten() {
                if !options.contains(&other) {
                    options.push(other);
                }
            }
        }
        if variants.len() * options.len() > MAX_VARIANTS {
            return None;
        }
        variants = variants
            .iter()
            .flat_map(|v| options.iter().map(move |&o| {
                let mut s = v.clone();
                s.push(o);
                s
            }))
            .collect();
    }
    Some(variants)
}

/// A keyword in the folded form the proof compares against: ASCII letters in lower case,
/// other letters in lower case where that is one character.
pub(crate) fn fold(keyword: &str) -> String {
    keyword.chars().map(fold_char).collect()
}

/// Lower case of upper case, so that variant forms (`ſ`, the Kelvin sign, Cyrillic narrow
/// `ᲂ`) fold with their letter, as `(?i)` folds them.
fn fold_char(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let upper = single(c.to_uppercase()).unwrap_or(c);
    single(upper.to_lowercase()).unwrap_or(c)
}

fn single(mut it: impl Iterator<Item = char>) -> Option<char> {
    let c = it.next()?;
    it.next().is_none().then_some(c)
}

/// Most strings a finite part of a pattern is expanded to (`gh[usr]_` is three).
const MAX_STRINGS: usize = 64;

/// How far past a keyword hit a window reaches when the pattern has unbounded repetition
/// before its end (`\S+@host`): a match whose mandatory part runs further is not found.
pub(crate) const UNBOUNDED_REACH: usize = 4096;

/// A match that ends this close to the end of its window may have been cut by it, and is
/// followed to its true end.
pub(crate) const EXTEND_SLACK: usize = 64;

/// Where a rule's matches can lie relative to a keyword hit at `k`: they start in
/// `k - before ..= k` and, as far as a window must see, end by `k + after`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Reach {
    /// Most bytes from a match's start to the start of its keyword.
    pub before: usize,
    /// Most bytes from the keyword's start to the end of a match, or of the part of it that a
    /// window must hold.
    pub after: usize,
    /// Whether a match may be longer than the window shows (unbounded repetition): one that
    /// ends near the window's end is then searched again without the end.
    pub extend: bool,
}

/// The reach of a rule with `keywords` (folded with [`fold`]), when every match of `hir`
/// provably contains one of them; `None` otherwise.
///
/// A pattern with a maximum length has that as its reach. A pattern whose unbounded
/// repetitions all sit at its end (`ghp_[A-Za-z0-9]{36,}`, `=*`) needs a window only as
/// long as the rest, plus [`EXTEND_SLACK`]: cut anywhere in the tail, the match still ends
/// at the window's end and is extended. Anything else gets [`UNBOUNDED_REACH`].
pub(crate) fn reach(hir: &Hir, keywords: &[Vec<u8>]) -> Option<Reach> {
    if keywords.is_empty() {
        return None;
    }
    let before = prefix_bound(hir, keywords).filter(|&b| b != UNBOUNDED)?;
    Some(match hir.properties().maximum_len() {
        Some(max) => Reach { before, after: max, extend: false },
        None => match head_len(hir, true) {
            Some(head) => Reach { before, after: head + EXTEND_SLACK, extend: true },
            None => Reach { before, after: UNBOUNDED_REACH, extend: true },
        },
    })
}

/// The longest a match can be with each unbounded repetition at its minimum, if every
/// unbounded repetition is in tail position (nothing that must match follows it);
/// `tail` says whether `hir` itself is.
fn head_len(hir: &Hir, tail: bool) -> Option<usize> {
    match hir.kind() {
        HirKind::Capture(c) => head_len(&c.sub, tail),
        HirKind::Repetition(r) => match r.max {
            None if !tail => None,
            // At most one mandatory pass in tail position: the body is in tail position too,
            // as long as what a cut can lose of one pass fits in the slack (`(?:\.[a-z]+)*`).
            None if r.min <= 1 => {
                let body = head_len(&r.sub, true)?;
                (body <= EXTEND_SLACK).then_some(body * r.min as usize)
            }
            None => head_len(&r.sub, false)?.checked_mul(r.min as usize),
            Some(max) => head_len(&r.sub, false)?.checked_mul(max as usize),
        },
        HirKind::Concat(subs) => {
            let mut total = 0usize;
            for (i, sub) in subs.iter().enumerate() {
                let rest_optional = subs[i + 1..].iter().all(|s| s.properties().minimum_len() == Some(0));
                total = total.checked_add(head_len(sub, tail && rest_optional)?)?;
            }
            Some(total)
        }
        HirKind::Alternation(subs) => subs.iter().map(|s| head_len(s, tail)).try_fold(0, |m, l| Some(m.max(l?))),
        _ => hir.properties().maximum_len(),
    }
}

/// Whether every match of `hir` contains one of `keywords` (folded with [`fold`]), however
/// far into the match: what [`super::runs`] needs where [`reach`] finds no bound.
pub(crate) fn always_contains(hir: &Hir, keywords: &[Vec<u8>]) -> bool {
    !keywords.is_empty() && prefix_bound(hir, keywords).is_some()
}

/// What [`prefix_bound`] says of a keyword after an unbounded part (`https?://\S*?reset`).
const UNBOUNDED: usize = usize::MAX;

/// `Some(b)` when every string `hir` matches contains one of `keywords` starting at most
/// `b` bytes in; `b` is [`UNBOUNDED`] when an unbounded part may come before it.
fn prefix_bound(hir: &Hir, keywords: &[Vec<u8>]) -> Option<usize> {
    match finite(hir) {
        Some(strings) => first_keyword(&strings, keywords),
        None => infinite_prefix_bound(hir, keywords),
    }
}

/// [`prefix_bound`] of a `hir` that [`finite`] already refused: its parts are looked at,
/// and `finite` is not run on the whole again.
fn infinite_prefix_bound(hir: &Hir, keywords: &[Vec<u8>]) -> Option<usize> {
    match hir.kind() {
        // A capture or a repetition of at least one is finite exactly when its part is.
        HirKind::Capture(c) => infinite_prefix_bound(&c.sub, keywords),
        HirKind::Repetition(r) if r.min >= 1 => prefix_bound(&r.sub, keywords),
        HirKind::Alternation(subs) => subs.iter().map(|s| prefix_bound(s, keywords)).try_fold(0, |m, b| Some(m.max(b?))),
        HirKind::Concat(subs) => {
            // Adjacent finite parts form runs (`(?i)key` is three classes, `gh[usr]_` three
            // strings); a keyword in every string of a run, or a part that must contain one,
            // proves it, at the longest the parts before it can be.
            let mut offset: usize = 0; // most bytes before the current part
            let mut run: Vec<Vec<u8>> = vec![Vec::new()];
            let mut run_offset: usize = 0;
            for sub in subs {
                if let Some(next) = finite(sub) {
                    let longest = next.iter().map(Vec::len).max().unwrap_or(0);
                    match product(&run, &next) {
                        Some(longer) => run = longer,
                        None => {
                            if let Some(b) = first_keyword(&run, keywords) {
                                return Some(run_offset.saturating_add(b));
                            }
                            run = next;
                            run_offset = offset;
                        }
                    }
                    offset = offset.saturating_add(longest);
                    continue;
                }
                if let Some(b) = first_keyword(&run, keywords) {
                    return Some(run_offset.saturating_add(b));
                }
                if let Some(b) = infinite_prefix_bound(sub, keywords) {
                    return Some(offset.saturating_add(b));
                }
                // Past an unbounded part, a keyword is still proof that the match holds one.
                offset = offset.saturating_add(sub.properties().maximum_len().unwrap_or(UNBOUNDED));
                run = vec![Vec::new()];
                run_offset = offset;
            }
            first_keyword(&run, keywords).map(|b| run_offset.saturating_add(b))
        }
        _ => None,
    }
}

/// The folded strings `hir` matches, when they are few: literals, classes of one letter or
/// of a few, and alternations, concatenations and short repetitions of those.
fn finite(hir: &Hir) -> Option<Vec<Vec<u8>>> {
    match hir.kind() {
        HirKind::Literal(lit) => Some(vec![match std::str::from_utf8(&lit.0) {
            Ok(s) => fold(s).into_bytes(),
            Err(_) => lit.0.iter().map(u8::to_ascii_lowercase).collect(),
        }]),
        HirKind::Class(Class::Unicode(class)) => {
            // Distinct folded characters first (no string per character looked at).
            let mut folded: Vec<char> = Vec::new();
            for c in class.ranges().iter().flat_map(|r| r.start()..=r.end()) {
                let f = fold_char(c);
                if !folded.contains(&f) {
                    if folded.len() == MAX_STRINGS {
                        return None;
                    }
                    folded.push(f);
                }
            }
            Some(folded.iter().map(|c| c.to_string().into_bytes()).collect())
        }
        HirKind::Class(Class::Bytes(class)) => {
            let mut folded: Vec<u8> = Vec::new();
            for b in class.ranges().iter().flat_map(|r| r.start()..=r.end()) {
                let f = b.to_ascii_lowercase();
                if !folded.contains(&f) {
                    if folded.len() == MAX_STRINGS {
                        return None;
                    }
                    folded.push(f);
                }
            }
            Some(folded.iter().map(|&b| vec![b]).collect())
        }
        HirKind::Capture(c) => finite(&c.sub),
        HirKind::Alternation(subs) => {
            let mut out = Vec::new();
            for sub in subs {
                out.extend(finite(sub)?);
                if out.len() > MAX_STRINGS {
                    return None;
                }
            }
            Some(out)
        }
        HirKind::Concat(subs) => subs.iter().try_fold(vec![Vec::new()], |acc, sub| product(&acc, &finite(sub)?)),
        HirKind::Repetition(r) if r.max.is_some_and(|max| max <= 8) => {
            // `-?`, `2?`, `[0-9]{2}`: every count from min to max.
            let one = finite(&r.sub)?;
            let mut out = Vec::new();
            let mut times = vec![Vec::new()];
            for count in 0..=r.max.unwrap_or(0) {
                if count >= r.min {
                    out.extend(times.iter().cloned());
                    if out.len() > MAX_STRINGS {
                        return None;
                    }
                }
                times = product(&times, &one)?;
            }
            Some(out)
        }
        HirKind::Empty => Some(vec![Vec::new()]),
        _ => None,
    }
}

/// Every concatenation of a string of `a` with one of `b`, if there are not too many.
fn product(a: &[Vec<u8>], b: &[Vec<u8>]) -> Option<Vec<Vec<u8>>> {
    if a.len() * b.len() > MAX_STRINGS {
        return None;
    }
    Some(a.iter().flat_map(|x| b.iter().map(move |y| [x.as_slice(), y.as_slice()].concat())).collect())
}

/// The latest, over `strings`, of where the first keyword starts in each; `None` when
/// one of them holds no keyword.
fn first_keyword(strings: &[Vec<u8>], keywords: &[Vec<u8>]) -> Option<usize> {
    strings.iter().map(|s| first_in(s, keywords)).try_fold(0, |m, at| Some(m.max(at?)))
}

fn first_in(s: &[u8], keywords: &[Vec<u8>]) -> Option<usize> {
    keywords
        .iter()
        .filter(|k| !k.is_empty() && k.len() <= s.len())
        .filter_map(|k| s.windows(k.len()).position(|w| w == k.as_slice()))
        .min()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn win(pattern: &str, keywords: &[&str]) -> Option<Reach> {
        let hir = regex_syntax::parse(pattern).expect("pattern parses");
        let folded: Vec<Vec<u8>> = keywords.iter().map(|k| fold(k).into_bytes()).collect();
        reach(&hir, &folded)
    }

    fn at(before: usize, after: Option<usize>) -> Option<Reach> {
        Some(Reach { before, after: after.unwrap_or(UNBOUNDED_REACH), extend: after.is_none() })
    }

    fn tail(before: usize, head: usize) -> Option<Reach> {
        Some(Reach { before, after: head + EXTEND_SLACK, extend: true })
    }

    #[test]
    fn prefixed_tokens_run_in_windows() {
        // A boundary character (up to 4 bytes of UTF-8) comes before the prefix.
        assert_eq!(win(r"(?:^|[^A-Za-z0-9_])(?P<secret>ghp_[A-Za-z0-9]{36})", &["ghp_"]), at(4, Some(44)));
        assert_eq!(win(r"SK[0-9a-fA-F]{32}", &["sk"]), at(0, Some(34)));
        assert_eq!(win(r"(?i:heroku)[ _-]{0,4}key[:=]\s{0,3}[0-9a-f]{8}", &["heroku"]), at(0, Some(33)));
        assert_eq!(win(r"gh[usr]_[A-Za-z0-9]{36}", &["ghu_", "ghs_", "ghr_"]), at(0, Some(40)));
        assert_eq!(win(r"(?:sk|rk)_live_[A-Za-z0-9]{24,}", &["sk_live_", "rk_live_"]), tail(0, 32));
        assert_eq!(win(r"xoxb-[0-9]{10,}-[A-Za-z0-9]{20,}=*", &["xoxb-"]), at(0, None));
        assert_eq!(win(r"(?i:bearer) (?P<secret>[a-z0-9]{20,}(?:\.[a-z0-9]+)*=*)", &["bearer"]), tail(0, 6 + 1 + 20));
        // The keyword after a bounded part: `x` may take up to 4 bytes before `ey`.
        assert_eq!(win(r"[a-z]{0,4}key=[0-9]{4}", &["key"]), at(4, Some(12)));
    }

    #[test]
    fn case_insensitive_labels_in_any_script() {
        let label = r"(?i)(?:password|passwort|пароль|lösenord|密码)\s{0,3}:\s*\S+";
        assert_eq!(win(label, &["pass", "пароль", "lösenord", "密码"]), at(0, None));
        let bounded = r"(?i)(?:password|passwort|пароль|lösenord|密码)[ \t]{0,4}:[ \t]{0,4}\S+";
        assert_eq!(win(bounded, &["pass", "пароль", "lösenord", "密码"]), tail(0, 13 + 4 + 1 + 4 + 4));
        // Without the Cyrillic keyword, the Cyrillic branch is not covered.
        assert!(win(r"(?i)(?:password|пароль)\s{0,3}:\S{1,64}", &["pass"]).is_none());
        // `(?i)s` also matches the long s; the keyword still proves the ASCII spelling.
        assert!(win(r"(?i)pass", &["pass"]).is_some());
    }

    #[test]
    fn a_keyword_outside_the_match_or_after_an_unbounded_part_means_whole_document() {
        // Keyword is context (`discord` is not in a bot token).
        assert!(win(r"[MNO][A-Za-z0-9_-]{23,25}\.[A-Za-z0-9_-]{6}", &["discord"]).is_none());
        // Optional keyword.
        assert!(win(r"(?:key)?[0-9a-f]{32}", &["key"]).is_none());
        // Unbounded before the keyword.
        assert!(win(r"[a-z]+://[^\s]+@", &["://"]).is_none());
        // A keyword in only one of a class's letters.
        assert!(win(r"ke[yi]", &["key"]).is_none());
        assert_eq!(win(r"ke[yi]", &["key", "kei"]), at(0, Some(3)));
        // Optional parts that split a keyword are expanded.
        assert_eq!(win(r"(?i)sign(?:-?in/token|in-?token)", &["signin", "sign-in"]), at(0, Some(16)));
        assert!(win(r"wi-?fi key", &["wifi"]).is_none());
    }

    #[test]
    fn a_keyword_after_an_unbounded_part_proves_containment_but_no_window() {
        let hir = |p: &str| regex_syntax::Parser::new().parse(p).unwrap();
        let kw = |ks: &[&str]| ks.iter().map(|k| fold(k).into_bytes()).collect::<Vec<_>>();
        let url = hir(r"(?i)https?://[^\s]*?(?:reset|forgot-?password)[^\s]*");
        assert!(always_contains(&url, &kw(&["reset", "password"])));
        assert!(reach(&url, &kw(&["reset", "password"])).is_none(), "no bound before the keyword");
        assert!(!always_contains(&url, &kw(&["reset"])), "`forgot-password` holds no `reset`");
        assert!(!always_contains(&hir(r"[a-z]+(?:key)?"), &kw(&["key"])), "an optional keyword");
        assert!(!always_contains(&url, &[]));
    }

    #[test]
    fn variants_cover_non_ascii_case() {
        let v = case_variants("пароль").expect("64 variants fit");
        assert_eq!(v.len(), 64);
        assert!(v.contains(&"Пароль".to_owned()) && v.contains(&"ПАРОЛЬ".to_owned()));
        assert_eq!(case_variants("token"), Some(vec!["token".to_owned()]));
        assert_eq!(case_variants("密码"), Some(vec!["密码".to_owned()]));
        assert!(case_variants("ДЛИННОЕСЛОВО").is_none());
    }

    #[test]
    fn the_default_policy_searches_whole_documents_only_for_context_keyword_rules() {
        // These have keywords that name the service, not part of the token. `reset-link`
        // has an unbounded URL path before its keyword (bounding it, {0,200}, made its
        // automaton so large that windows cost more than a whole-document search), so it
        // searches the URL around each keyword hit instead (src/engine/runs.rs).
        // Every other keyword rule of the default policy must stay confined to windows.
        let engine = crate::Engine::default_policy();
        assert_eq!(engine.whole_document_rules(), ["discord-bot-token", "telegram-bot-token", "mailgun-api-key"]);
        let reset = engine.policy.rules.iter().position(|r| r.id == "reset-link").expect("a reset-link rule");
        let runs = &engine.compiled.rules[reset].runs;
        assert!(matches!(runs, Some(super::super::runs::Runs::AroundHits(_))), "reset-link searches the runs around its hits");
    }
}
