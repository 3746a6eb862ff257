//! Where a rule that cannot be confined to keyword windows can still match: in runs of the
//! bytes its matches consist of.
//!
//! **Probed runs, for a rule without keywords.** Such a rule searches the whole document.
//! For the card-number rule that is one pass of its regex over every byte, and its prefilter
//! (two digits) fires on every price and date of an invoice: the most expensive rule of the
//! default policy. But a card number consists of digits, spaces and dashes only, is at least
//! 13 bytes long, and never holds two separators in a row. When a pattern's matches can hold
//! only a small set of bytes (no letters) and have a minimum length `m`, every match lies
//! inside a *run*: a stretch of such bytes in which each byte may follow the one before it in
//! a match (the pairs are read from the pattern, as in a Glushkov automaton). Any `m`
//! consecutive bytes of the text hold a byte at a multiple of `m` (less one), so probing every
//! `m`-th byte finds every run of `m` bytes or more: a probe on a byte outside the set skips
//! `m` bytes at once, and only the runs around the probes that hit are searched. Prose and
//! markup have few of them; the pairs keep HTML indentation (runs of spaces) out.
//!
//! **Runs around keyword hits, for a rule with keywords but no window.** When every match
//! holds one of the rule's keywords but may start any distance before it
//! (`https?://[^\s"'<>]*?reset…`), no window can be proved ([`super::window`]); but if its
//! matches hold no space or no newline, a match lies in the run of its bytes around one of its
//! keyword hits: a URL or a token rather than the whole document.
//!
//! Either way the runs are searched as spans of the whole text, so `\b` and `^` still see the
//! bytes around them; no match can cross a run's edge, so the matches are the same as from one
//! search of the whole document (tests/windows.rs compares the two).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Shortest match for which probing pays: below this, runs are too short to skip much.
const MIN_PROBE_LEN: usize = 8;

/// A set of ASCII bytes, bit `b` for byte `b`.
type Set = u128;

/// Where a rule searches instead of the whole document.
#[derive(Debug, Clone)]
pub(crate) enum Runs {
    /// A rule without keywords: the runs that probing finds.
    Probed(Box<ProbedRuns>),
    /// A rule whose every match holds a keyword: the run around each keyword hit.
    AroundHits(RunBytes),
}

/// The bytes a rule's matches consist of, for [`Runs::AroundHits`].
#[derive(Debug, Clone)]
pub(crate) struct RunBytes {
    ascii: Set,
    /// Whether every byte beyond ASCII is a member (else none is).
    non_ascii: bool,
}

impl RunBytes {
    /// `Some` when the bytes the matches of `hir` consist of leave out a space or a newline
    /// (otherwise a run could be the whole document). A class beyond ASCII counts every byte
    /// beyond ASCII, so that runs end at ASCII bytes, which are whole characters.
    pub(crate) fn of(hir: &Hir) -> Option<RunBytes> {
        let Analysis { member, non_ascii, .. } = Analysis::of(hir);
        if member >> b' ' & 1 == 1 && member >> b'\n' & 1 == 1 {
            return None;
        }
        Some(RunBytes { ascii: member, non_ascii })
    }

    fn is_member(&self, b: u8) -> bool {
        if b < 128 {
            self.ascii >> b & 1 == 1
        } else {
            self.non_ascii
        }
    }

    /// The runs around the keyword hits at `hits` (sorted here), in order, each once: a hit
    /// inside the run before adds nothing, so the text is read once however many hits.
    pub(crate) fn spans_around(&self, text: &[u8], hits: &mut [usize]) -> Vec<(usize, usize)> {
        hits.sort_unstable();
        let mut spans: Vec<(usize, usize)> = Vec::new();
        for &at in hits.iter() {
            if spans.last().is_some_and(|&(a, b)| a <= at && at < b) {
                continue;
            }
            let run = self.around(text, at);
            if run.0 < run.1 {
                spans.push(run);
            }
        }
        spans
    }

    /// The run of member bytes around `at` (empty when `text[at]` is not one). Linear in
    /// the run's length.
    fn around(&self, text: &[u8], at: usize) -> (usize, usize) {
        if !text.get(at).is_some_and(|&b| self.is_member(b)) {
            return (at, at);
        }
        let start = text[..at].iter().rposition(|&b| !self.is_member(b)).map_or(0, |p| p + 1);
        let end = text[at..].iter().position(|&b| !self.is_member(b)).map_or(text.len(), |p| at + p);
        (start, end)
    }
}

/// The bytes a pattern's matches consist of, which of them may follow which, and the
/// matches' shortest length, for [`Runs::Probed`].
#[derive(Debug, Clone)]
pub(crate) struct ProbedRuns {
    /// Every probe looks here first: most bytes of a text are not members.
    member: [bool; 256],
    /// `follows[a]`: the bytes that may come right after `a` in a match, as a bit set.
    follows: [[u64; 4]; 256],
    /// At least [`MIN_PROBE_LEN`].
    min_len: usize,
}

impl ProbedRuns {
    /// `Some` when every match of `hir` is at least [`MIN_PROBE_LEN`] bytes of ASCII
    /// non-letters (letters are in every run of prose, and a non-ASCII byte would let a run
    /// end inside a character).
    pub(crate) fn of(hir: &Hir) -> Option<ProbedRuns> {
        let min_len = hir.properties().minimum_len()?;
        if min_len < MIN_PROBE_LEN {
            return None;
        }
        let shape = Analysis::of(hir);
        let letters = ((1u128 << 26) - 1) << b'A' | ((1u128 << 26) - 1) << b'a';
        if shape.non_ascii || shape.member & letters != 0 {
            return None;
        }
        let mut runs = ProbedRuns { member: [false; 256], follows: [[0; 4]; 256], min_len };
        for a in 0..128 {
            runs.member[a] = shape.member >> a & 1 == 1;
            runs.follows[a] = [shape.follows[a] as u64, (shape.follows[a] >> 64) as u64, 0, 0];
        }
        Some(runs)
    }

    /// Whether `b` may follow `a` in a match (which makes both members).
    fn pair(&self, a: u8, b: u8) -> bool {
        self.follows[a as usize][b as usize >> 6] >> (b & 63) & 1 == 1
    }

    /// Appends to `out` every maximal run in `text` that is at least `min_len` long, in
    /// order.
    pub(crate) fn find(&self, text: &[u8], out: &mut Vec<(usize, usize)>) {
        let m = self.min_len;
        let mut probe = m - 1;
        while probe < text.len() {
            // A run of `m` bytes links each of its bytes to a neighbour: an isolated member
            // (a space in prose) is skipped like any other byte, without an expansion.
            let b = text[probe];
            if !self.member[b as usize] {
                probe += m;
                continue;
            }
            let linked = (probe + 1 < text.len() && self.pair(b, text[probe + 1])) | (probe > 0 && self.pair(text[probe - 1], b));
            if !linked {
                probe += m;
                continue;
            }
            // Runs never overlap and the last one ended before this probe, so each byte is
            // looked at by at most one expansion: linear in the text.
            let mut start = probe;
            while start > 0 && self.pair(text[start - 1], text[start]) {
                start -= 1;
            }
            let mut end = probe + 1;
            while end < text.len() && self.pair(text[end - 1], text[end]) {
                end += 1;
            }
            if end - start >= m {
                out.push((start, end));
            }
            // The next run starts at `end` at the earliest (where a pair broke this one),
            // and its first `m` bytes hold a probe at `end + m - 1`, `end + 2m - 1`, ….
            probe = end + m - 1;
        }
    }
}

/// What [`ProbedRuns::of`] and [`RunBytes::of`] read from a pattern: its bytes, and which
/// may follow which (among ASCII bytes; probed runs refuse patterns with others).
struct Analysis {
    member: Set,
    /// Whether a match can hold bytes beyond ASCII.
    non_ascii: bool,
    /// `follows[a]`: the bytes that may come right after `a` in a match.
    follows: [Set; 128],
}

impl Analysis {
    fn of(hir: &Hir) -> Analysis {
        let mut analysis = Analysis { member: 0, non_ascii: false, follows: [0; 128] };
        analysis.shape(hir);
        analysis
    }

    /// Records the members and pairs of `hir`; returns its first and last bytes and
    /// whether it matches the empty string.
    fn shape(&mut self, hir: &Hir) -> Shape {
        match hir.kind() {
            HirKind::Empty | HirKind::Look(_) => Shape::EMPTY,
            HirKind::Literal(lit) => {
                for &b in lit.0.iter() {
                    self.member |= bit(b);
                    self.non_ascii |= !b.is_ascii();
                }
                for w in lit.0.windows(2) {
                    if w[0].is_ascii() {
                        self.follows[w[0] as usize] |= bit(w[1]);
                    }
                }
                match (lit.0.first(), lit.0.last()) {
                    (Some(&a), Some(&z)) => Shape { first: bit(a), last: bit(z), nullable: false },
                    _ => Shape::EMPTY,
                }
            }
            HirKind::Class(class) => {
                let ranges: Vec<(u32, u32)> = match class {
                    Class::Unicode(c) => c.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end()))).collect(),
                    Class::Bytes(c) => c.ranges().iter().map(|r| (u32::from(r.start()), u32::from(r.end()))).collect(),
                };
                let mut set: Set = 0;
                for (a, b) in ranges {
                    set |= span(a, b);
                    self.non_ascii |= b >= 128;
                }
                self.member |= set;
                Shape { first: set, last: set, nullable: false }
            }
            HirKind::Repetition(rep) => {
                if rep.max == Some(0) {
                    return Shape::EMPTY;
                }
                let sub = self.shape(&rep.sub);
                if rep.max != Some(1) {
                    self.join(sub.last, sub.first);
                }
                Shape { nullable: rep.min == 0 || sub.nullable, ..sub }
            }
            HirKind::Capture(cap) => self.shape(&cap.sub),
            HirKind::Concat(parts) => {
                let mut acc = Shape::EMPTY;
                for part in parts {
                    let p = self.shape(part);
                    self.join(acc.last, p.first);
                    acc = Shape {
                        first: acc.first | if acc.nullable { p.first } else { 0 },
                        last: p.last | if p.nullable { acc.last } else { 0 },
                        nullable: acc.nullable && p.nullable,
                    };
                }
                acc
            }
            HirKind::Alternation(branches) => {
                let mut acc = Shape { first: 0, last: 0, nullable: false };
                for branch in branches {
                    let b = self.shape(branch);
                    acc = Shape { first: acc.first | b.first, last: acc.last | b.last, nullable: acc.nullable || b.nullable };
                }
                acc
            }
        }
    }

    /// Every byte of `last` may be followed by every byte of `first`.
    fn join(&mut self, last: Set, first: Set) {
        for a in 0..128 {
            if last >> a & 1 == 1 {
                self.follows[a] |= first;
            }
        }
    }
}

/// A part of a pattern as its neighbours see it.
#[derive(Debug, Clone, Copy)]
struct Shape {
    first: Set,
    last: Set,
    nullable: bool,
}

impl Shape {
    const EMPTY: Shape = Shape { first: 0, last: 0, nullable: true };
}

/// `{b}`, or nothing for a byte beyond ASCII.
fn bit(b: u8) -> Set {
    if b.is_ascii() {
        1 << b
    } else {
        0
    }
}

/// The ASCII bytes among `a..=b`.
fn span(a: u32, b: u32) -> Set {
    if a >= 128 {
        return 0;
    }
    (u128::MAX >> (127 - b.min(127))) & (u128::MAX << a)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runs_of(pattern: &str) -> Option<ProbedRuns> {
        ProbedRuns::of(&regex_syntax::Parser::new().parse(pattern).unwrap())
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
    fn pairs_a_match_never_holds_split_runs() {
        let card = r"[0-9](?:[ -]?[0-9]){7}";
        assert_eq!(find(card, "x                 x"), vec![], "indentation is no run");
        assert_eq!(find(card, "a 1 2 3 4 5 6 7 8 b"), vec![(1, 18)], "a run may hold more than a match");
        assert_eq!(find(card, "1  2 3 4 5 6 7 8 9 0"), vec![(2, 20)], "two spaces end a run");
        // A run that a broken pair ends; the next one starts on the very byte.
        let dashed = r"(?:[0-9]-){4}";
        assert_eq!(find(dashed, "1-2-3-4--1-2-3-4"), vec![(0, 8), (8, 16)]);
        assert_eq!(find(dashed, "xxxxxxx1-2-3-4--1-2-3-4"), vec![(7, 15), (15, 23)]);
    }

    #[test]
    fn runs_around_keywords() {
        let parse = |p: &str| regex_syntax::Parser::new().parse(p).unwrap();
        let url = RunBytes::of(&parse(r#"(?i)https?://[^\s"'<>]*?reset[^\s"'<>]*"#)).expect("a token pattern");
        let text = "Hi, <a href=\"https://x.example/é/reset?t=1\">reset</a> now";
        let at = text.find("reset").unwrap();
        let (a, b) = url.around(text.as_bytes(), at);
        assert_eq!(&text[a..b], "https://x.example/é/reset?t=1");
        assert_eq!(url.around(text.as_bytes(), 3), (3, 3), "a space is no member");
        assert_eq!(url.around(text.as_bytes(), 0), (0, 3), "from the text's start");
        let second = text.rfind("reset").unwrap();
        let mut hits = [second, at + 1, at, 3];
        let spans = url.spans_around(text.as_bytes(), &mut hits);
        let runs: Vec<&str> = spans.iter().map(|&(a, b)| &text[a..b]).collect();
        assert_eq!(runs, ["https://x.example/é/reset?t=1", "reset"], "one run for two hits in it, none for the space");
        assert!(RunBytes::of(&parse(r"(?s)pass.*")).is_none(), "any byte");
        assert!(RunBytes::of(&parse(r"pass[^\n]*")).is_some(), "a line is a run");
    }

    #[test]
    fn back_to_back_runs_split_by_one_byte() {
        let text = "12345678-x-87654321 1234 5678";
        assert_eq!(find(r"[0-9]{8}", text), vec![(0, 8), (11, 19)]);
        assert_eq!(find(r"[0-9][0-9 ]{7}", text), vec![(0, 8), (11, 29)]);
    }
}
