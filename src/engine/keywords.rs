//! The keyword pass: every occurrence of every keyword of the policy, ASCII case ignored.
//!
//! It reads every byte of every document, so it is the largest single cost of a scan. The
//! automaton is an Aho-Corasick DFA (one table lookup per byte), but a walk through it is a
//! chain of dependent loads: each step needs the state the previous step loaded, and the
//! processor waits out the load's latency on every byte. So the text is cut into
//! [`STREAMS`] stretches, and one loop advances a walk through each of them in turn: the
//! walks are independent, their loads overlap, and the pass takes about half the time of
//! one walk (measured on the generated corpus: docs/BENCHMARKS.md).
//!
//! A walk that starts at a stretch's first byte finds every keyword that *starts* there or
//! later; it runs on for the longest keyword's length less one past the stretch's end, so
//! that a keyword starting near the end is finished, and reports only the keywords that
//! start inside its stretch. Together the walks report each occurrence exactly once, as
//! one walk through the whole text would.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::dfa::DFA;
use aho_corasick::{Anchored, MatchKind, StartKind};

/// How many walks run side by side.
const STREAMS: usize = 4;

/// Texts shorter than this take one walk: the stretches' overlaps would cost more than
/// the side-by-side walks save.
const MIN_SPLIT_BYTES: usize = 2048;

/// A keyword occurrence: which pattern, and where.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct KeywordHit {
    pub pattern: usize,
    pub start: usize,
    pub end: usize,
}

/// The compiled keyword automaton.
#[derive(Debug, Clone)]
pub(crate) struct Keywords {
    dfa: DFA,
}

impl Keywords {
    /// Compiles `patterns` (ASCII case is ignored; other case variants must be listed).
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub(crate) fn new(patterns: &[String]) -> Result<Keywords, aho_corasick::BuildError> {
        let dfa = DFA::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            // The walks below never consult a prefilter; without one, the start state is
            // not "special" and costs nothing to pass through.
            .prefilter(false)
            .build(patterns)?;
        Ok(Keywords { dfa })
    }

    /// Appends every occurrence in `text` to `out`: the stretches in order, and within a
    /// stretch in the order of the occurrences' ends.
    pub(crate) fn find_all(&self, text: &[u8], out: &mut Vec<KeywordHit>) {
        let dfa = &self.dfa;
        let Ok(start) = dfa.start_state(Anchored::No) else { return };
        if text.len() < MIN_SPLIT_BYTES {
            self.walk(start, text, 0, text.len(), 0..text.len(), out);
            return;
        }
        let overlap = dfa.max_pattern_len().saturating_sub(1);
        let bounds: [usize; STREAMS + 1] = std::array::from_fn(|k| k * text.len() / STREAMS);
        // Stretch `k` reports starts in `bounds[k]..bounds[k + 1]`, reading on to `ends[k]`.
        let ends: [usize; STREAMS] = std::array::from_fn(|k| (bounds[k + 1] + overlap).min(text.len()));
        let mut found: [Vec<KeywordHit>; STREAMS] = Default::default();
        let mut sids = [start; STREAMS];
        // Side by side for as long as every stretch has bytes left (the last one, with no
        // overlap, is the shortest), then each one to its end alone.
        let together = (0..STREAMS).map(|k| ends[k] - bounds[k]).min().unwrap_or(0);
        let [a, b, c, d] = std::array::from_fn::<&[u8], STREAMS, _>(|k| &text[bounds[k]..bounds[k] + together]);
        for (i, (((&ba, &bb), &bc), &bd)) in a.iter().zip(b).zip(c).zip(d).enumerate() {
            sids[0] = dfa.next_state(Anchored::No, sids[0], ba);
            sids[1] = dfa.next_state(Anchored::No, sids[1], bb);
            sids[2] = dfa.next_state(Anchored::No, sids[2], bc);
            sids[3] = dfa.next_state(Anchored::No, sids[3], bd);
            // One branch for the four: a keyword ends somewhere in a few bytes of a hundred.
            if dfa.is_special(sids[0]) | dfa.is_special(sids[1]) | dfa.is_special(sids[2]) | dfa.is_special(sids[3]) {
                for k in 0..STREAMS {
                    if dfa.is_special(sids[k]) {
                        self.report(sids[k], bounds[k] + i + 1, bounds[k], bounds[k + 1], &mut found[k]);
                    }
                }
            }
        }
        for k in 0..STREAMS {
            self.walk(sids[k], text, bounds[k] + together, ends[k], bounds[k]..bounds[k + 1], &mut found[k]);
        }
        for hits in &found {
            out.extend_from_slice(hits);
        }
    }

    /// One walk on from state `sid` over `text[from..to]`, reporting the keywords that
    /// start in `starts`.
    fn walk(&self, mut sid: StateID, text: &[u8], from: usize, to: usize, starts: std::ops::Range<usize>, out: &mut Vec<KeywordHit>) {
        for (at, &b) in text[from..to].iter().enumerate() {
            sid = self.dfa.next_state(Anchored::No, sid, b);
            if self.dfa.is_special(sid) {
                self.report(sid, from + at + 1, starts.start, starts.end, out);
            }
        }
    }

    /// The keywords that end at `end` in state `sid` and start in `from..to`.
    #[inline(never)]
    fn report(&self, sid: StateID, end: usize, from: usize, to: usize, out: &mut Vec<KeywordHit>) {
        if !self.dfa.is_match(sid) {
            return;
        }
        for index in 0..self.dfa.match_len(sid) {
            let pattern = self.dfa.match_pattern(sid, index);
            let start = end - self.dfa.pattern_len(pattern);
            if (from..to).contains(&start) {
                out.push(KeywordHit { pattern: pattern.as_usize(), start, end });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::AhoCorasick;

    /// The occurrences as one overlapping walk of the whole text reports them, sorted.
    fn reference(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let ac = AhoCorasick::builder().ascii_case_insensitive(true).build(patterns).unwrap();
        let mut v: Vec<_> = ac.find_overlapping_iter(text).map(|m| (m.start(), m.end(), m.pattern().as_usize())).collect();
        v.sort_unstable();
        v
    }

    fn found(patterns: &[&str], text: &str) -> Vec<(usize, usize, usize)> {
        let owned: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let mut out = Vec::new();
        Keywords::new(&owned).unwrap().find_all(text.as_bytes(), &mut out);
        let mut v: Vec<_> = out.iter().map(|h| (h.start, h.end, h.pattern)).collect();
        v.sort_unstable();
        v
    }

    #[test]
    fn every_occurrence_once_across_stretch_edges() {
        let patterns = ["pass", "password", "word", "sk", "passwort", "пароль", "ПАРОЛЬ"];
        // Occurrences at every offset around the stretch edges of texts of many lengths.
        for len in [0, 1, 7, 2047, 2048, 2049, 4099, 10_000] {
            for shift in 0..10 {
                let mut text: String = "x".repeat(len);
                let mut at = shift;
                while at + 16 < len {
                    let piece = ["PassWord", "sk", "пароль", "passwort"][at % 4];
                    if text.is_char_boundary(at) && text.is_char_boundary(at + piece.len()) {
                        text.replace_range(at..at + piece.len(), piece);
                    }
                    at += 97 + shift;
                }
                assert_eq!(found(&patterns, &text), reference(&patterns, &text), "length {len}, shift {shift}");
            }
        }
    }

    #[test]
    fn a_keyword_that_spans_each_edge() {
        let text_len = 8192;
        for edge in [2048, 4096, 6144] {
            for back in 0..9 {
                let mut text = "y".repeat(text_len);
                text.replace_range(edge - back..edge - back + 8, "password");
                let patterns = ["password", "pass", "ssw", "d"];
                assert_eq!(found(&patterns, &text), reference(&patterns, &text), "edge {edge}, back {back}");
            }
        }
    }
}
