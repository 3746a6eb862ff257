//! Example and placeholder values: a value in a vendor's token format that documentation
//! wrote, not a credential store (`AKIAIOSFODNN7EXAMPLE`, `ghp_xxxxxxxx…`,
//! `abcdef.0123456789abcdef`). Such a value in a mail is worth a warning (the author may
//! be about to paste the real one), not a stopped message.
//!
//! Each test is one a generated token passes only by a vanishing chance: a run of eight
//! equal characters or of eight consecutive ones comes up in a random 64-character hex
//! token about once in two million, in base62 far more rarely; a marker word such as
//! `example` (seven letters, any case) less often still. A run counts only when it is a
//! third of the value or more, so that the value is mostly filler. The vendor's fixed prefix is
//! left out first, so that a format whose prefix is itself a run (`AAAA…`) is judged by
//! its random part.

/// Why a value reads as an example or placeholder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExampleReason {
    /// It holds a word that marks sample values (`EXAMPLE`, `sample`, `placeholder`).
    MarkerWord,
    /// It is filled with one repeated character (`xxxxxxxx`, `00000000`).
    Fill,
    /// It runs through consecutive characters (`12345678`, `abcdefgh`, `0123456789abcdef`).
    Sequence,
    /// It repeats a short unit (`abcabcabcabc`, `1a2b1a2b1a2b`).
    Pattern,
}

impl ExampleReason {
    /// One phrase for people, used in the warning.
    pub fn describe(self) -> &'static str {
        match self {
            ExampleReason::MarkerWord => "it contains a word that marks sample values, as vendors' documented example keys do",
            ExampleReason::Fill => "it is filled with one repeated character",
            ExampleReason::Sequence => "it runs through consecutive characters",
            ExampleReason::Pattern => "it repeats a short pattern",
        }
    }
}

/// Words that documentation puts into sample keys; seven letters or more, so that a random
/// token holds one by a negligible chance.
const MARKERS: [&str; 5] = ["example", "placeholder", "redacted", "changeme", "your_key"];

/// Shortest run of equal characters that counts as fill.
const FILL_RUN: usize = 8;

/// Shortest run of consecutive characters (`0123…`, `abcd…`) that counts as a sequence.
const SEQUENCE_RUN: usize = 8;

/// Shortest stretch with a period of 2 to 4 characters that counts as a pattern.
const PATTERN_RUN: usize = 12;

/// Why `value` reads as an example or placeholder, if it does. `prefixes` are the rule's
/// keywords: the longest one that starts the value (ASCII case ignored) is left out first.
#[cfg_attr(sendguard_cold, optimize(size))]
pub fn example_reason(value: &str, prefixes: &[String]) -> Option<ExampleReason> {
    let skip = prefixes
        .iter()
        .filter(|p| value.len() >= p.len() && value.as_bytes()[..p.len()].eq_ignore_ascii_case(p.as_bytes()))
        .map(|p| p.len())
        .max()
        .unwrap_or(0);
    let body = &value.as_bytes()[skip..];
    if MARKERS.iter().any(|m| contains_ignore_case(value.as_bytes(), m.as_bytes())) {
        return Some(ExampleReason::MarkerWord);
    }
    // A run counts when it is long and a third of the value or more: a placeholder is
    // mostly filler, while a made-up token with a `1234…` stretch inside random
    // characters still reads as a token.
    let counts = |run: usize, min: usize| run >= min && run * 3 >= body.len();
    if counts(longest_periodic(body, 1), FILL_RUN) {
        return Some(ExampleReason::Fill);
    }
    if counts(longest_sequence(body), SEQUENCE_RUN) {
        return Some(ExampleReason::Sequence);
    }
    if (2..=4).any(|p| counts(longest_periodic(body, p), PATTERN_RUN)) {
        return Some(ExampleReason::Pattern);
    }
    None
}

fn contains_ignore_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.len() >= needle.len() && haystack.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle))
}

/// The longest stretch of `s` in which every byte equals the one `period` bytes before it
/// (counting those first `period` bytes). Only letters, digits and `*` count: separators
/// (`-`, `.`, `/`) repeat in every format.
fn longest_periodic(s: &[u8], period: usize) -> usize {
    let (mut best, mut run) = (0, 0);
    for i in period..s.len() {
        if s[i] == s[i - period] && (s[i].is_ascii_alphanumeric() || s[i] == b'*') {
            run += 1;
            best = best.max(run + period);
        } else {
            run = 0;
        }
    }
    best
}

/// The longest run of consecutive characters, up or down, in the order `0-9a-z` (case
/// ignored): `789abc` is a run, as hexadecimal examples count.
fn longest_sequence(s: &[u8]) -> usize {
    fn rank(b: u8) -> Option<i32> {
        match b {
            b'0'..=b'9' => Some(i32::from(b - b'0')),
            b'a'..=b'z' => Some(i32::from(b - b'a') + 10),
            b'A'..=b'Z' => Some(i32::from(b - b'A') + 10),
            _ => None,
        }
    }
    let (mut best, mut run, mut step) = (1.min(s.len()), 1, 0);
    for pair in s.windows(2) {
        let d = match (rank(pair[0]), rank(pair[1])) {
            (Some(a), Some(b)) => b - a,
            _ => 0,
        };
        if (d == 1 || d == -1) && (run == 1 || d == step) {
            run += 1;
            step = d;
        } else if d == 1 || d == -1 {
            run = 2;
            step = d;
        } else {
            run = 1;
        }
        best = best.max(run);
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reason(value: &str, prefixes: &[&str]) -> Option<ExampleReason> {
        let prefixes: Vec<String> = prefixes.iter().map(|p| p.to_string()).collect();
        example_reason(value, &prefixes)
    }

    #[test]
    fn documented_examples_and_placeholders() {
        assert_eq!(reason("AKIAIOSFODNN7EXAMPLE", &["AKIA"]), Some(ExampleReason::MarkerWord));
        assert_eq!(reason("ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx", &["ghp_"]), Some(ExampleReason::Fill));
        assert_eq!(reason("sk_live_000000000000000000000000", &["sk_live_"]), Some(ExampleReason::Fill));
        assert_eq!(reason("abcdef.0123456789abcdef", &[]), Some(ExampleReason::Sequence));
        assert_eq!(reason("123456789:ABCdefGHIjklMNOpqrSTUvwxYZ", &[]), Some(ExampleReason::Sequence));
        assert_eq!(reason("xkeysib-zyxwvutsrq", &["xkeysib-"]), Some(ExampleReason::Sequence));
        assert_eq!(reason("glpat-abcabcabcabcabcabcab", &["glpat-"]), Some(ExampleReason::Pattern));
    }

    #[test]
    fn random_tokens_are_not_examples() {
        for value in [
            "ghp_R8fK2mQv7ZpL4xNc9TbW3hYs6JdG1uVa5eXo",
            "AKIAQ7ZK4M2VXBTN5RWD",
            "sk_live_Vq7Rm2Lx9KpT4zWb8NcY3hJd",
            "dop_v1_9f2c4e7a1b3d5f6e8a0c2e4f6a8b0d1c3e5f7a9b1d3f5e7a9c1e3a5c7e9b1d3f",
            "xoxb-2718281828-3141592653-Zq8Lr2Vx6Np4Tb0Wm9Ks3Hc",
        ] {
            assert_eq!(reason(value, &["ghp_", "AKIA", "sk_live_", "dop_v1_", "xoxb-"]), None, "a random token");
        }
    }

    #[test]
    fn a_short_run_inside_random_characters_is_a_token() {
        // Nine sequential digits in 36 characters: made up by hand, but shaped as a token.
        assert_eq!(reason("ghp_R4nd0mT0k3nValue1234567890abcdEFGHIJ", &["ghp_"]), None);
        assert_eq!(reason("ghp_1234567890abcdefghijklmnopqrstuvwxyz", &["ghp_"]), Some(ExampleReason::Sequence));
    }

    #[test]
    fn a_prefix_that_is_a_run_is_left_out() {
        // Twitter-style bearer prefix: the run is the vendor's, the rest is random.
        assert_eq!(reason("AAAAAAAAAAAAQ7ZK4M2VXBTN5RWD", &["AAAAAAAAAAAA"]), None);
        assert_eq!(reason("AAAAAAAAAAAAQ7ZK4M2VXBTN5RWD", &[]), Some(ExampleReason::Fill));
    }

    #[test]
    fn short_and_odd_input() {
        for value in ["", "a", "ab", "é", "日本語のテキスト", "--------------", "........"] {
            assert_eq!(reason(value, &["long-prefix-longer-than-value"]), None);
        }
        assert_eq!(reason("********", &[]), Some(ExampleReason::Fill));
    }
}
