//! The policy's lexicons, compiled for the lookups the labelled-value detector makes.
//!
//! A lexicon is data (`[[lexicons]]` in the policy): labels per language, the phrases
//! that join a label to its value, prose words, identifier labels. Here each becomes a
//! list of folded word sequences, so that one lookup compares words, not bytes: "was
//! changed to" matches "Was  changed to" and nothing inside "swash".

use crate::policy::{Category, Lexicon, LexiconRole};
use std::collections::HashSet;

/// A phrase as folded words.
type Phrase = Vec<String>;

/// The lexicons of a policy, ready for lookups.
#[derive(Debug, Clone, Default)]
pub struct Lexicons {
    labels: Vec<(String, Category)>,
    pairs: Vec<(String, Category)>,
    connectors: Vec<Phrase>,
    before: Vec<Phrase>,
    prose: HashSet<String>,
    identifiers: Vec<Phrase>,
    card_labels: Vec<Phrase>,
    greetings: Vec<Phrase>,
    /// The first words of the connectors and the last words of the `before` phrases, by
    /// length and first byte: most words near a label start no phrase, and this says so
    /// without comparing it with each.
    connector_heads: WordGate,
    before_tails: WordGate,
    /// The pair labels, likewise: every label hit asks whether it is one.
    pair_gate: WordGate,
}

/// A set of (length, first byte) of words, ASCII case folded: a cheap "certainly not".
#[derive(Debug, Clone)]
struct WordGate {
    bits: [u64; 4 * 32],
}

impl Default for WordGate {
    fn default() -> Self {
        WordGate { bits: [0; 4 * 32] }
    }
}

impl WordGate {
    fn key(word: &str) -> usize {
        let first = word.as_bytes().first().map_or(0, u8::to_ascii_lowercase) as usize;
        word.len().min(31) * 256 + first
    }

    fn insert(&mut self, folded: &str) {
        let k = Self::key(folded);
        self.bits[k / 64] |= 1 << (k % 64);
    }

    /// False when no inserted word has `word`'s length and first byte. Case folding can
    /// change a non-ASCII word's length, so those always pass.
    fn may_hold(&self, word: &str) -> bool {
        if !word.is_ascii() {
            return true;
        }
        let k = Self::key(word);
        self.bits[k / 64] & (1 << (k % 64)) != 0
    }
}

impl Lexicons {
    /// Compiles the lexicons; phrases are kept longest first, so that the longest
    /// connecting phrase wins ("is now" over "is").
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn new(lexicons: &[Lexicon]) -> Lexicons {
        let mut out = Lexicons::default();
        for lexicon in lexicons {
            for word in lexicon.words.iter().filter(|w| !w.trim().is_empty()) {
                let folded = fold(word.trim());
                match (lexicon.role, lexicon.category) {
                    (LexiconRole::Label, Some(c)) => out.labels.push((folded, c)),
                    (LexiconRole::Pair, Some(c)) => out.pairs.push((folded, c)),
                    (LexiconRole::Label | LexiconRole::Pair, None) => {}
                    (LexiconRole::Connector, _) => out.connectors.push(phrase(&folded)),
                    (LexiconRole::Before, _) => out.before.push(phrase(&folded)),
                    (LexiconRole::Prose, _) => {
                        out.prose.insert(folded);
                    }
                    (LexiconRole::Identifier, _) => out.identifiers.push(phrase(&folded)),
                    (LexiconRole::CardLabel, _) => out.card_labels.push(phrase(&folded)),
                    (LexiconRole::Greeting, _) => out.greetings.push(phrase(&folded)),
                }
            }
        }
        for p in &out.connectors {
            out.connector_heads.insert(&p[0]);
        }
        for p in &out.before {
            out.before_tails.insert(&p[p.len() - 1]);
        }
        for (w, _) in &out.pairs {
            out.pair_gate.insert(w);
        }
        for list in [&mut out.identifiers, &mut out.card_labels, &mut out.greetings] {
            sort_phrases(list, |p| (0, std::cmp::Reverse(p.len())));
            list.dedup();
        }
        // By the word a lookup starts from (a connector's first, a `before` phrase's last),
        // longest first within each: see [`bucket`].
        sort_phrases(&mut out.connectors, |p| (WordGate::key(&p[0]), std::cmp::Reverse(p.len())));
        out.connectors.dedup();
        sort_phrases(&mut out.before, |p| (WordGate::key(&p[p.len() - 1]), std::cmp::Reverse(p.len())));
        out.before.dedup();
        out
    }

    /// The label words of `category` (folded), the keywords of its labelled-value rule.
    pub fn labels_of(&self, category: Category) -> impl Iterator<Item = &str> {
        self.labels.iter().chain(&self.pairs).filter(move |(_, c)| *c == category).map(|(w, _)| w.as_str())
    }

    /// Whether `label` (any case) is a label of a credential pair (`credentials`, `login`).
    pub fn is_pair_label(&self, label: &str) -> bool {
        self.pair_gate.may_hold(label) && self.pairs.iter().any(|(w, _)| eq_fold(label, w))
    }

    /// Whether `value` (any case, trailing punctuation ignored) is a prose word: no value.
    pub fn is_prose(&self, value: &str) -> bool {
        let bare = value.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
        !bare.is_empty() && self.is_prose_word(bare)
    }

    /// Where the longest connecting phrase that starts at `at` ends (the next character is
    /// not a letter), or `None`.
    pub fn connector_at(&self, text: &str, at: usize) -> Option<usize> {
        // The first word alone first: most words start no connector.
        let &(s, e) = words_after(text, at, 1).first()?;
        if !self.connector_heads.may_hold(&text[s..e]) {
            return None;
        }
        let words = words_after(text, at, 4);
        longest_prefix(bucket(&self.connectors, &text[s..e], |p| &p[0]), &words, text)
    }

    /// Where a connector of one letter of a script written without spaces ends, when one
    /// stands at `at` right after a label of that script: the particles of "パスワードは
    /// X", "密码是X", "비밀번호는 X" join with no space on either side.
    pub fn particle_at(&self, text: &str, at: usize) -> Option<usize> {
        let c = text[at..].chars().next().filter(|&c| !c.is_ascii())?;
        let end = at + c.len_utf8();
        self.connectors.iter().any(|p| p.len() == 1 && p[0] == text[at..end]).then_some(end)
    }

    /// Whether `word` (any case) may be the first word of a connecting phrase: false
    /// means [`Lexicons::connector_at`] finds none at it, at no cost.
    pub fn may_start_connector(&self, word: &str) -> bool {
        self.connector_heads.may_hold(word)
    }

    /// Where the longest value-before-label phrase that ends at `at` starts (`as your` in
    /// "Use X as your password"), or `None`.
    pub fn before_ending_at(&self, text: &str, at: usize) -> Option<usize> {
        // The nearest word alone first: most words end no such phrase.
        let &(s, e) = words_before(text, at, 1).first()?;
        if !self.before_tails.may_hold(&text[s..e]) {
            return None;
        }
        let words = words_before(text, at, 5);
        bucket(&self.before, &text[s..e], |p| &p[p.len() - 1])
            .iter()
            .find(|p| p.len() <= words.len() && p.iter().rev().zip(words.iter()).all(|(w, &(s, e))| eq_fold(&text[s..e], w)))
            .map(|p| words[p.len() - 1].0)
    }

    /// Whether an identifier label (`Order ID`, `Reference`, `tracking number`) stands
    /// among the few words before `at` on its line with no card label after it: a number
    /// there is what the label names, not a card.
    pub fn identifier_before(&self, text: &str, at: usize) -> bool {
        let words = words_before(text, at, 4);
        let ends_with = |list: &[Phrase]| {
            (0..words.len()).find(|&skip| {
                list.iter().any(|p| {
                    p.len() + skip <= words.len() && p.iter().rev().zip(&words[skip..]).all(|(w, &(s, e))| eq_fold(&text[s..e], w))
                })
            })
        };
        match (ends_with(&self.identifiers), ends_with(&self.card_labels)) {
            (Some(id), Some(card)) => id < card,
            (Some(_), None) => true,
            _ => false,
        }
    }

    /// Whether a card label (`card`, `Visa`, `Kartennummer`) stands among the few words
    /// before `at` on its line.
    pub fn card_label_before(&self, text: &str, at: usize) -> bool {
        let words = words_before(text, at, 4);
        (0..words.len()).any(|skip| {
            self.card_labels.iter().any(|p| p.len() + skip <= words.len() && p.iter().rev().zip(&words[skip..]).all(|(w, &(s, e))| eq_fold(&text[s..e], w)))
        })
    }

    /// Whether the value slot at `at` belongs to an identifier label or a greeting right
    /// before it (`Reference: X`, `Order #X`, `Hello X,`): what stands there is that
    /// identifier or a name, whatever a placeholder there is called.
    pub fn names_slot(&self, text: &str, at: usize) -> bool {
        let words = words_before(text, at, 4);
        let ends = |list: &[Phrase]| {
            list.iter().any(|p| p.len() <= words.len() && p.iter().rev().zip(words.iter()).all(|(w, &(s, e))| eq_fold(&text[s..e], w)))
        };
        ends(&self.identifiers) || ends(&self.greetings)
    }

    /// The category of a table header that is a label of a lexicon, alone or with a word
    /// beside it (`Mot de passe`, `Kennwort`, `Neues Kennwort`, `Mot de passe temporaire`):
    /// the names that [`classify_name`](super::names::classify_name) reads are English.
    pub fn header_label(&self, header: &str) -> Option<Category> {
        let folded = fold(header.trim());
        self.labels.iter().find_map(|(w, c)| {
            let beside = folded.strip_prefix(w.as_str()).is_some_and(|r| r.is_empty() || r.starts_with(' '))
                || folded.strip_suffix(w.as_str()).is_some_and(|r| r.ends_with(' '));
            beside.then_some(*c)
        })
    }

    /// Whether the value at `at` is itself a label word of a lexicon, of any category
    /// (quotes around it ignored): a translation file's `password: Passwort`,
    /// `password: 'Mot de passe'`, `new_password: 新しいパスワード` gives the label's text
    /// in another language, not a value. The label must end the word (`Password1` is a
    /// value) or, in a word without digits of a script that does not space its words,
    /// stand inside it.
    pub fn label_at(&self, text: &str, at: usize) -> bool {
        let rest = text[at..].trim_start_matches(['\'', '"', '`', '«', '„', '“', '‘', '「', '『']);
        let head: String = rest.chars().take(48).flat_map(char::to_lowercase).collect();
        let token = head.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '<' | '»' | '”' | '」')).next().unwrap_or("");
        let spaceless = !token.is_ascii() && !token.chars().any(|c| c.is_ascii_digit());
        self.labels.iter().chain(&self.pairs).any(|(w, _)| match head.strip_prefix(w.as_str()) {
            Some(after) => {
                // An inflection of up to three letters still ends on the label (`Passwörter`).
                // A label with its separator and an empty slot (`'Password: '`) is a mail
                // line whose value the code appends, not the label's translation.
                let tail = after.trim_start_matches(|c: char| c.is_alphabetic());
                let slot = tail.trim_start_matches([' ', '\t', '\u{a0}']).starts_with([':', '：', '=']);
                after.chars().count() - tail.chars().count() <= 3 && !tail.starts_with(|c: char| c.is_alphanumeric()) && !slot
            }
            None => spaceless && token.contains(w.as_str()),
        })
    }

    /// Whether `word` (any case) is in the prose lexicon.
    pub fn is_prose_word(&self, word: &str) -> bool {
        if word.chars().any(char::is_uppercase) {
            self.prose.contains(&fold(word))
        } else {
            self.prose.contains(word)
        }
    }
}

/// One stable sort for every phrase list: a `fn` key, through the engine's shared sort (a
/// stable sort of phrases of its own is 3.6 KB of the gzipped wasm).
fn sort_phrases(list: &mut Vec<Vec<String>>, key: fn(&Vec<String>) -> (usize, std::cmp::Reverse<usize>)) {
    crate::engine::order::sort_by_span(list, |p| {
        let (first, std::cmp::Reverse(len)) = key(p);
        (first, usize::MAX - len)
    });
}

/// The phrases of `list` (sorted by the [`WordGate::key`] of `anchor`) whose anchor word
/// has `word`'s key; all of them for a non-ASCII word, whose folded length may differ.
fn bucket<'a>(list: &'a [Phrase], word: &str, anchor: impl Fn(&Phrase) -> &String) -> &'a [Phrase] {
    if !word.is_ascii() {
        return list;
    }
    let key = WordGate::key(word);
    let from = list.partition_point(|p| WordGate::key(anchor(p)) < key);
    let to = list.partition_point(|p| WordGate::key(anchor(p)) <= key);
    &list[from..to]
}

/// Lower case, for comparisons.
pub fn fold(s: &str) -> String {
    s.chars().flat_map(char::to_lowercase).collect()
}

/// Whether `text` folds to `folded`, without allocating.
pub fn eq_fold(text: &str, folded: &str) -> bool {
    // Most words are ASCII, and most comparisons fail on the length.
    if text.is_ascii() && folded.is_ascii() {
        return text.len() == folded.len() && text.eq_ignore_ascii_case(folded);
    }
    text.chars().flat_map(char::to_lowercase).eq(folded.chars())
}

fn phrase(folded: &str) -> Phrase {
    folded.split_whitespace().map(str::to_owned).collect()
}

/// Longest word compared, in characters; longer runs are cut (and match nothing).
const MAX_WORD_CHARS: usize = 64;

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '\''
}

/// Most words a lookup reads around a label.
pub const MAX_WORDS: usize = 6;

/// Up to [`MAX_WORDS`] word spans, kept on the stack: lookups run once per label, and a
/// document can hold a million labels.
#[derive(Debug, Clone, Copy)]
pub struct Words {
    spans: [(usize, usize); MAX_WORDS],
    len: usize,
}

impl Words {
    fn new() -> Words {
        Words { spans: [(0, 0); MAX_WORDS], len: 0 }
    }

    fn push(&mut self, span: (usize, usize)) {
        self.spans[self.len] = span;
        self.len += 1;
    }
}

impl std::ops::Deref for Words {
    type Target = [(usize, usize)];
    fn deref(&self) -> &[(usize, usize)] {
        &self.spans[..self.len]
    }
}

/// Up to `max` (at most [`MAX_WORDS`]) words from `at` on, separated by spaces or tabs
/// only (a line break or punctuation ends the run): their byte spans.
pub fn words_after(text: &str, at: usize, max: usize) -> Words {
    word_run(text, at, max, false)
}

/// As [`words_after`], with a name spliced into a source string
/// ([`splice_len`](super::placeholder::splice_len)) or a placeholder as one word: `to \''
/// . STORE_NAME . '\' is` and `for {{ site }} is` are three words each.
pub fn words_after_spliced(text: &str, at: usize, max: usize) -> Words {
    word_run(text, at, max, true)
}

fn word_run(text: &str, at: usize, max: usize, spliced: bool) -> Words {
    let mut out = Words::new();
    let mut p = at;
    while out.len < max.min(MAX_WORDS) {
        let rest = &text[p..];
        let start = p + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
        let word = || text[start..].chars().take(MAX_WORD_CHARS).take_while(|&c| is_word_char(c)).map(char::len_utf8).sum();
        let len = if spliced { spliced_len(text, start).unwrap_or_else(word) } else { word() };
        if len == 0 {
            break;
        }
        out.push((start, start + len));
        p = start + len;
    }
    out
}

/// The length of the splice or placeholder at `start`, if one is there. (A splice is
/// looked for first: a quote is a word's character, as in "we'll". Each lookup only where
/// its first byte can open one: this runs for every word after every label.)
fn spliced_len(text: &str, start: usize) -> Option<usize> {
    let first = text.as_bytes().get(start).copied().unwrap_or(b' ');
    let splice = || matches!(first, b'\'' | b'"' | b'\\').then(|| super::placeholder::splice_len(&text[start..])).flatten();
    let slot = || b"{$<%[#@".contains(&first).then(|| super::placeholder::slot_placeholder(text, start).map(|(end, _)| end - start)).flatten();
    splice().or_else(slot)
}

/// Up to `max` (at most [`MAX_WORDS`]) words before `at`, nearest first, on the same
/// line; punctuation other than `:`, `#` and `.` between them ends the run.
pub fn words_before(text: &str, at: usize, max: usize) -> Words {
    let mut out = Words::new();
    let mut p = at;
    while out.len < max.min(MAX_WORDS) {
        match ascii_word_before(text.as_bytes(), p) {
            Some(Some((start, end))) => {
                out.push((start, end));
                p = start;
                continue;
            }
            Some(None) => break,
            None => {}
        }
        let head = &text[..p];
        // Bounded: a run of a million blanks before a label costs a few bytes of it.
        let from = head.len().saturating_sub(MAX_WORD_CHARS);
        let from = (from..head.len()).find(|&i| head.is_char_boundary(i)).unwrap_or(head.len());
        let end = from + head[from..].trim_end_matches([' ', '\t', ':', '#', '.', '：']).len();
        if end == from && from > 0 {
            break;
        }
        let start = text[..end].char_indices().rev().take(MAX_WORD_CHARS).take_while(|&(_, c)| is_word_char(c)).last().map_or(end, |(i, _)| i);
        if start == end {
            break;
        }
        out.push((start, end));
        p = start;
    }
    out
}

/// One step of [`words_before`] over ASCII bytes alone (labels are looked up a million
/// times a document, and decoding characters backwards is most of a step's cost): the
/// nearest word before `p`, `Some(None)` when there is none, or `None` when a non-ASCII
/// byte is in the way and the general step must decide.
fn ascii_word_before(bytes: &[u8], p: usize) -> Option<Option<(usize, usize)>> {
    let from = p.saturating_sub(MAX_WORD_CHARS);
    let mut end = p;
    while end > from && matches!(bytes[end - 1], b' ' | b'\t' | b':' | b'#' | b'.') {
        end -= 1;
    }
    if end == from {
        // Only separators in reach (`from` is an ASCII byte, so a boundary, or 0): no word.
        return Some(None);
    }
    if !bytes[end - 1].is_ascii() {
        return None;
    }
    let mut start = end;
    while start > 0 && end - start < MAX_WORD_CHARS {
        let b = bytes[start - 1];
        if !b.is_ascii() {
            return None;
        }
        if !(b.is_ascii_alphanumeric() || b == b'\'') {
            break;
        }
        start -= 1;
    }
    Some((start < end).then_some((start, end)))
}

/// The end of the longest phrase of `list` that the words `words` start with.
fn longest_prefix(list: &[Phrase], words: &[(usize, usize)], text: &str) -> Option<usize> {
    list.iter()
        .find(|p| p.len() <= words.len() && p.iter().zip(words).all(|(w, &(s, e))| eq_fold(&text[s..e], w)))
        .map(|p| words[p.len() - 1].1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lexicon(role: LexiconRole, words: &[&str]) -> Lexicon {
        Lexicon { id: "t".into(), role, category: Some(Category::Password), words: words.iter().map(|w| w.to_string()).collect(), ..Lexicon::default() }
    }

    fn sample() -> Lexicons {
        Lexicons::new(&[
            lexicon(LexiconRole::Label, &["password", "Kennwort"]),
            lexicon(LexiconRole::Connector, &["is", "is now", "was changed to"]),
            lexicon(LexiconRole::Before, &["as your", "is your new"]),
            lexicon(LexiconRole::Prose, &["inchangé", "unchanged"]),
            lexicon(LexiconRole::Identifier, &["order id", "reference"]),
            lexicon(LexiconRole::CardLabel, &["card"]),
            lexicon(LexiconRole::Greeting, &["hello", "dear"]),
        ])
    }

    #[test]
    fn connectors_match_whole_words_longest_first() {
        let l = sample();
        let t = "password Was  changed to X";
        assert_eq!(l.connector_at(t, 8), Some(t.find(" X").unwrap()));
        assert_eq!(l.connector_at("password is now X", 8), Some(15));
        assert_eq!(l.connector_at("password isn't X", 8), None);
    }

    #[test]
    fn before_phrases_end_at_the_label() {
        let l = sample();
        let t = "Use Xq7#vB2m as your password";
        assert_eq!(l.before_ending_at(t, t.find("password").unwrap()), Some(t.find("as").unwrap()));
        assert_eq!(l.before_ending_at("Use this password", 9), None);
    }

    #[test]
    fn folded_comparison() {
        assert!(eq_fold("Was", "was") && eq_fold("ÄR", "är") && !eq_fold("was", "wa") && !eq_fold("är", "ar"));
    }

    #[test]
    fn prose_ignores_case_and_trailing_punctuation() {
        let l = sample();
        assert!(l.is_prose("Inchangé."));
        assert!(!l.is_prose("Sommer-24"));
    }

    #[test]
    fn identifiers_before_a_number_unless_a_card_label_is_nearer() {
        let l = sample();
        let t = "Order ID: 4111111111111111";
        assert!(l.identifier_before(t, 10));
        let t = "Reference for card 4111111111111111";
        assert!(!l.identifier_before(t, t.len() - 16));
        assert!(!l.identifier_before("Paid with 4111111111111111", 10));
        assert!(l.card_label_before("Paid with card 3713-3184-7648-3381", 15));
        assert!(!l.card_label_before("Paid 3713-3184-7648-3381", 5));
    }

    #[test]
    fn slots_named_by_their_label() {
        let l = sample();
        assert!(l.names_slot("Reference: {{ x }}", 11));
        assert!(l.names_slot("Hello {{ x }},", 6));
        assert!(!l.names_slot("Reset here: {{ x }}", 12));
        assert!(!l.names_slot("Reference for your reset: {{ x }}", 26));
    }

    #[test]
    fn values_that_are_labels() {
        let l = sample();
        let at = |t: &str| l.label_at(t, t.find(':').unwrap() + 2);
        assert!(at("password: Kennwort"));
        assert!(at("password: 'Kennwort'"));
        assert!(at("new_password: \"Kennworte\""));
        assert!(!at("password: Password1"));
        let t = "new_account_password = 'Password: ';";
        assert!(!l.label_at(t, t.find('\'').unwrap()));
        let t = "new_account_password = 'Password';";
        assert!(l.label_at(t, t.find('\'').unwrap()));
        assert!(!at("password: Passwordsicher"));
        assert!(!at("password: Xq7#vB2m9L"));
        let l = Lexicons::new(&[lexicon(LexiconRole::Label, &["パスワード", "mot de passe"])]);
        let at = |t: &str| l.label_at(t, t.find(':').unwrap() + 2);
        assert!(at("new_password: 新しいパスワード"));
        assert!(at("password: 'Mot de passe actuel'"));
        assert!(!at("password: 'Motdepasse9'"));
    }

    #[test]
    fn labels_by_category_are_folded() {
        let l = sample();
        assert_eq!(l.labels_of(Category::Password).collect::<Vec<_>>(), ["password", "kennwort"]);
        assert_eq!(l.labels_of(Category::Pin).count(), 0);
    }
}
