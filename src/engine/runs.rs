//! Where a rule without keywords can match, when its matches are made of a few bytes.
//!
//! A rule with no keywords searches the whole document. For the card-number rule that is
//! one pass of its regex over every byte, and its prefilter (two digits) fires on every
//! price and date of an invoice: the most expensive rule of the default policy. But a card
//! number consists of digits, spaces and dashes only, and is at least 13 bytes long. When a
//! pattern's matches can hold only a small set of bytes (no letters) and have a minimum
//! length `m`, every match lies inside a *run* of such bytes at least `m` long, and any `m`
//! consecutive bytes of the text hold one byte at a multiple of `m` (less one). So probing
//! every `m`-th byte finds every such run: a probe on a byte outside the set skips `m` bytes
//! at once, and only the runs around the probes that hit are searched. Prose and markup
//! have few of them.
//!
//! The runs are searched as spans of the whole text, so `\b` and `^` still see the bytes
//! around them; no match can cross a run's edge, so the matches are the same as from one
//! search of the whole document (a test compares the two).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest match for which probing pays: below this, runs are too short to skip much.
const MIN_PROBE_LEN: usize = 8;

/// The bytes a pattern's matches consist of, and their shortest length.
#[derive(Debug, Clone)]
pub(crate) struct ByteRuns {
    member: [bool; 256],
    min_len: usize,
}

impl ByteRuns {
    /// `Some` when every match of `hir` is at least [`MIN_PROBE_LEN`] bytes of ASCII
    /// non-letters (letters are in every run of prose, and a non-ASCII byte would let a run
    /// end inside a character).
    pub(crate) fn of(hir: &Hir) -> Option<ByteRuns> {
        let min_len = hir.properties().minimum_len()?;
        if min_len < MIN_PROBE_LEN {
            return None;
        }
        let mut member = [false; 256];
        collect(hir, &mut member)?;
        if member.iter().enumerate().any(|(b, &m)| m && (b >= 0x80 || (b as u8).is_ascii_alphabetic())) {
            return None;
        }
        Some(ByteRuns { member, min_len })
    }

    /// Appends to `out` every maximal run of member bytes in `text` that is at least
    /// `min_len` long, in order.
    pub(crate) fn find(&self, text: &[u8], out: &mut Vec<(usize, usize)>) {
        let m = self.min_len;
        let mut probe = m - 1;
        while probe < text.len() {
            if !self.member[text[probe] as usize] {
                probe += m;
                continue;
            }
            // Runs never overlap and the last one ended before this probe, so each byte is
            // looked at by at most one expansion: linear in the text.
            let mut start = probe;
            while start > 0 && self.member[text[start - 1] as usize] {
                start -= 1;
            }
            let mut end = probe + 1;
            while end < text.len() && self.member[text[end] as usize] {
                end += 1;
            }
            if end - start >= m {
                out.push((start, end));
            }
            // `text[end]` is outside the set: the next run starts after it, and its first
            // `m` bytes hold a probe at `end + m`, `end + 2m`, ….
            probe = end + m;
        }
    }
}

/// Adds every byte a match of `hir` can hold; `None` for a class beyond ASCII.
fn collect(hir: &Hir, member: &mut [bool; 256]) -> Option<()> {
    match hir.kind() {
        HirKind::Empty | HirKind::Look(_) => {}
        HirKind::Literal(lit) => {
            for &b in lit.0.iter() {
                member[b as usize] = true;
            }
        }
        HirKind::Class(Class::Unicode(class)) => {
            for r in class.ranges() {
                if !r.end().is_ascii() {
                    return None;
                }
                for b in r.start() as u8..=r.end() as u8 {
                    member[b as usize] = true;
                }
            }
        }
        HirKind::Class(Class::Bytes(class)) => {
            for r in class.ranges() {
                for b in r.start()..=r.end() {
                    member[b as usize] = true;
                }
            }
        }
        HirKind::Repetition(rep) => collect(&rep.sub, member)?,
        HirKind::Capture(cap) => collect(&cap.sub, member)?,
        HirKind::Concat(parts) | HirKind::Alternation(parts) => {
            for part in parts {
                collect(part, member)?;
            }
        }
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs_of(pattern: &str) -> Option<ByteRuns> {
        ByteRuns::of(&regex_syntax::Parser::new().parse(pattern).unwrap())
    }

    fn find(pattern: &str, text: &str) -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        runs_of(pattern).expect("a run pattern").find(text.as_bytes(), &mut out);
        out
    }

    #[test]
    fn only_short_alphabets_without_letters_qualify() {
        assert!(runs_of(r"(?-u:\b)[2-6][0-9]{3}(?:[ -]?[0-9]){9,15}(?-u:\b)").is_some());
        assert!(runs_of(r"[0-9]{8}").is_some());
        assert!(runs_of(r"[0-9]{7}").is_none(), "too short to skip");
        assert!(runs_of(r"[0-9a]{10}").is_none(), "a letter");
        assert!(runs_of(r"(?i)[0-9x]{10}").is_none(), "a letter, folded");
        assert!(runs_of(r"[0-9é]{10}").is_none(), "beyond ASCII");
        assert!(runs_of(r"[0-9]{10}|ab").is_none(), "a short branch");
        assert!(runs_of(r"\d{10}").is_none(), "Unicode digits");
    }

    #[test]
    fn finds_every_long_enough_run() {
        let p = r"[0-9]{8,}";
        assert_eq!(find(p, ""), vec![]);
        assert_eq!(find(p, "1234567"), vec![]);
        assert_eq!(find(p, "12345678"), vec![(0, 8)]);
        assert_eq!(find(p, "x12345678"), vec![(1, 9)]);
        assert_eq!(find(p, "12345678x123456789x1234567x"), vec![(0, 8), (9, 18)]);
        // A run at every offset of a longer text, of every length around the minimum.
        for offset in 0..20 {
            for len in 6..20 {
                let text = format!("{}{}{}", "a".repeat(offset), "7".repeat(len), "b".repeat(11));
                let expected = if len >= 8 { vec![(offset, offset + len)] } else { vec![] };
                assert_eq!(find(p, &text), expected, "offset {offset}, length {len}");
            }
        }
    }

    #[test]
    fn a_run_right_after_another_is_found() {
        // The probe after a run lands exactly at the last byte of a shortest next run.
        for first in [8, 9, 15] {
            for gap in 1..4 {
                for second in 7..11 {
                    let text = format!("{}{}{}", "1".repeat(first), "x".repeat(gap), "2".repeat(second));
                    let mut expected = vec![(0, first)];
                    if second >= 8 {
                        expected.push((first + gap, first + gap + second));
                    }
                    assert_eq!(find(r"[0-9]{8}", &text), expected, "{first} + {gap} + {second}");
                }
            }
        }
    }

    #[test]
    fn back_to_back_runs_split_by_one_byte() {
        let text = "12345678-x-87654321 1234 5678";
        assert_eq!(find(r"[0-9]{8}", text), vec![(0, 8), (11, 19)]);
        assert_eq!(find(r"[0-9][0-9 ]{7}", text), vec![(0, 8), (11, 29)]);
    }
}
