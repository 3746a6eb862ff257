//! Evidence scoring for a value found near a label: how the two are joined, what the value
//! looks like, and the confidence the two give together.
//!
//! The model is the DLP engines' (hotwords with proximity, likelihood adjusted by what is
//! around): no single regex decides. A strong join (`Password: X`, `password was changed
//! to X`) with a value that looks like a password is a high-confidence finding; a weak one
//! (`pw X`, "Use X as your password") needs a value that could hardly be a word; a plain
//! word needs a strong join and is left to the label rules' own prose checks.

use super::labels::{is_mask, is_template_syntax};
use crate::policy::Confidence;

/// How a label and its value are joined.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bridge {
    /// A separator: `:`, `=`, `=>`, ` - `, `|`, dot leaders.
    Separator,
    /// The value alone on the next line (`<dt>PW</dt><dd>X</dd>`, a two-line layout).
    NextLine,
    /// A connecting phrase from the lexicons: `is`, `was changed to`, `lautet`, `on`.
    Connector,
    /// A user name and the secret introduced together: `credentials: jdoe / X`.
    Pair,
    /// A few words and then a colon: `password for the portal: X`.
    Filler,
    /// A dash alone: `Password - X`, but also a title's `Recover password - Example`.
    Dash,
    /// Only a space: `pw X`, `PIN 4821`.
    Space,
    /// The value before the label: "X is your new password".
    Before,
}

impl Bridge {
    /// How much the join says by itself.
    pub fn weight(self) -> u8 {
        match self {
            Bridge::Separator | Bridge::NextLine | Bridge::Connector | Bridge::Pair => 2,
            Bridge::Filler | Bridge::Space | Bridge::Before | Bridge::Dash => 1,
        }
    }
}

/// What a value looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Shape {
    /// A plain word (`letmein`, `Inchangé`, `STRONG`): could be prose.
    Word,
    /// Two kinds of characters (`Purple9`, `PurpleRain`).
    Mixed,
    /// Three kinds, or two over 8+ characters, one a digit or symbol (`Xq7#vB2m`,
    /// `temp1234`): hardly a word.
    Strong,
}

impl Shape {
    fn weight(self) -> u8 {
        match self {
            Shape::Word => 0,
            Shape::Mixed => 1,
            Shape::Strong => 2,
        }
    }
}

/// The shape of a password-like value, or `None` when it is no value at all: too short or
/// long, a mask, a placeholder, a URL or address, a number, a date or an amount.
pub fn password_shape(value: &str) -> Option<Shape> {
    let chars = value.chars().count();
    if !(4..=64).contains(&chars) || is_mask(value) || is_template_syntax(value) || is_url_or_address(value) {
        return None;
    }
    // Numbers, dates, times, amounts, phone numbers: digits and separators only.
    if value.chars().all(|c| c.is_ascii_digit() || "./,:-+$€£%".contains(c)) {
        return None;
    }
    // A label, not a value (`Password: Username:`), or the start of a bracketed aside.
    if value.ends_with(':') || value.starts_with(['(', '[']) {
        return None;
    }
    let lower = value.chars().any(char::is_lowercase);
    let upper = value.chars().any(char::is_uppercase);
    let digit = value.chars().any(|c| c.is_ascii_digit());
    let symbol = value.chars().any(|c| !c.is_alphanumeric());
    let classes = [lower, upper, digit, symbol].iter().filter(|&&b| b).count();
    // A capitalised or upper-case word is still a word.
    let capitalised = value.chars().skip(1).all(|c| !c.is_uppercase()) || !lower;
    // (No class at all: letters of a caseless script, `パスワード`, `סיסמה`.)
    if classes <= 1 || (classes == 2 && lower && upper && !digit && !symbol && capitalised) {
        return Some(if unpronounceable(value) { Shape::Mixed } else { Shape::Word });
    }
    // Letters alone stay mixed (`WordPress`): a brand reads like that too.
    if (digit || symbol) && (classes >= 3 && chars >= 6 || classes >= 2 && chars >= 8) {
        Some(Shape::Strong)
    } else {
        Some(Shape::Mixed)
    }
}

/// Lower-case ASCII letters that no language writes as a word: ten or more, with a run of
/// five consonants (`misvpwkqgqnkgklejkftj`). A generated password of letters only.
/// (Words with such runs, `strengths`, `Angstschweiß`, are shorter or capitalised.)
fn unpronounceable(value: &str) -> bool {
    if value.len() < 10 || !value.bytes().all(|b| b.is_ascii_lowercase()) {
        return false;
    }
    let mut run = 0;
    value.bytes().any(|b| {
        run = if b"aeiouy".contains(&b) { 0 } else { run + 1 };
        run >= 5
    })
}

/// The shape of a PIN: 4–8 ASCII digits that do not go on as a longer number, an amount or
/// a date (`after` is the text right after the value).
pub fn pin_shape(value: &str, after: &str) -> Option<Shape> {
    if !(4..=8).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut next = after.chars();
    let continues = matches!(next.next(), Some('.' | ',' | '-' | '/' | ':')) && next.next().is_some_and(|d| d.is_ascii_digit());
    (!continues).then_some(Shape::Strong)
}

/// The confidence that a value of `shape` joined to its label by `bridge` is the secret:
/// `None` when the evidence is too weak to report. A plain word is never reported here.
pub fn confidence(bridge: Bridge, shape: Shape) -> Option<Confidence> {
    if shape == Shape::Word {
        return None;
    }
    match bridge.weight() + shape.weight() {
        4.. => Some(Confidence::High),
        3 => Some(Confidence::Medium),
        2 => Some(Confidence::Low),
        _ => None,
    }
}

/// Whether `value` is words joined by the punctuation of prose, without a digit: a
/// sentence's end (`vergessen?`, `ungültig!`), a hyphenated word (`ci-dessous`), two
/// sentences run together (`below.Please`). After a separator that could still be a
/// password (`Sommer-Sonne!`); after a space or a connecting phrase it is the sentence.
pub fn worded(value: &str) -> bool {
    let v = value.trim_start_matches(['\'', '"', '(', '«', '„', '“', '‘']);
    let v = v.trim_end_matches(['.', ',', ';', ':', '!', '?', '\'', '"', ')', '»', '”', '“']);
    let plain = |w: &str| {
        let mut cs = w.chars();
        cs.next().is_some_and(char::is_alphabetic) && cs.all(|c| c.is_alphabetic() && !c.is_uppercase())
    };
    !v.is_empty() && v.split(['-', '.', '\'', '’', ',', '!', '?', '–']).all(plain)
}

fn is_url_or_address(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.contains("://") || lower.starts_with("www.") {
        return true;
    }
    match value.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && domain.chars().all(|c| c.is_alphanumeric() || ".-".contains(c)),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        for v in ["Xq7#vB2m9L", "temp1234", "Sailboat!21", "Coffee.Cup7", "KgJQNdOZafTwt%n", "Gr@ss1and"] {
            assert_eq!(password_shape(v), Some(Shape::Strong), "strong #{}", v.len());
        }
        for v in ["Purp9", "PurpleRain", "abc123"] {
            assert_eq!(password_shape(v), Some(Shape::Mixed), "mixed #{}", v.len());
        }
        for v in ["letmein", "Inchangé", "STRONG", "unchanged"] {
            assert_eq!(password_shape(v), Some(Shape::Word), "word #{}", v.len());
        }
        for v in ["***", "********", "{{ password }}", "https://example.com/x", "ann@example.com", "2024-05-17", "1,234.50", "Username:", "(hidden)", "abc"] {
            assert_eq!(password_shape(v), None, "no value #{}", v.len());
        }
    }

    #[test]
    fn worded_values() {
        for v in ["vergessen?", "ungültig!", "ci-dessous.", "below.Please", "abaixo.Por", "Passwort", "well-known"] {
            assert!(worded(v), "worded #{}", v.len());
        }
        for v in ["Sommer-24", "Xq7#vB2m", "KgJQNdOZ", "a--b", "Hello_World", "pass$word"] {
            assert!(!worded(v), "not worded #{}", v.len());
        }
        assert_eq!(password_shape("パスワード"), Some(Shape::Word));
    }

    #[test]
    fn pins() {
        assert_eq!(pin_shape("4821", ""), Some(Shape::Strong));
        assert_eq!(pin_shape("4821", ".50 due"), None);
        assert_eq!(pin_shape("2024", "-05-17"), None);
        assert_eq!(pin_shape("12", ""), None);
        assert_eq!(pin_shape("12ab", ""), None);
    }

    #[test]
    fn confidence_needs_both_join_and_shape() {
        assert_eq!(confidence(Bridge::Separator, Shape::Strong), Some(Confidence::High));
        assert_eq!(confidence(Bridge::Space, Shape::Strong), Some(Confidence::Medium));
        assert_eq!(confidence(Bridge::Before, Shape::Mixed), Some(Confidence::Low));
        assert_eq!(confidence(Bridge::Separator, Shape::Word), None);
        assert_eq!(confidence(Bridge::Space, Shape::Word), None);
    }
}
