//! The Report: verdict, findings located in the source, redacted. Never the secret.

use crate::policy::{Action, Category, Confidence, Source};
use serde::{Deserialize, Serialize};

/// The result of scanning one document.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// The strongest action among the findings that were not suppressed.
    pub verdict: Action,
    /// Kind the document was scanned as (`template` or `rendered`).
    pub kind: crate::policy::Kind,
    /// Format the document was read as.
    pub format: crate::policy::Format,
    /// Context the actions were decided in.
    pub context: crate::policy::Context,
    /// Findings in source order.
    pub findings: Vec<Finding>,
    /// Findings that an allow-list or inline suppression silenced; listed, never dropped.
    pub suppressed: Vec<Suppressed>,
    /// Parts that hold no text and were not scanned (images, audio, video, fonts), and
    /// why. They change nothing.
    pub skipped: Vec<Skipped>,
    /// Parts that could hold text and were not read (an unknown or undecodable part, an
    /// encrypted archive or PDF, a part past a limit, a multipart that could not be
    /// split), and why. When any are listed the verdict is at least the policy's
    /// `[unscanned]` action, `warn` by default and never `pass`.
    #[serde(default)]
    pub unscanned: Vec<Skipped>,
    /// Findings beyond `limits.maxFindings`, counted but not listed.
    pub truncated: usize,
    /// What decoding noticed without skipping anything (e.g. an unknown charset read as
    /// UTF-8 with replacement), prefixed with the part.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
}

impl Report {
    /// Raises the verdict to `action` when something that could hold text was not read.
    pub fn hold_unscanned(&mut self, action: Action) {
        if !self.unscanned.is_empty() {
            self.verdict = self.verdict.max(action);
        }
    }
}

/// One secret (or placeholder of one), located and redacted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// The rule that found it.
    pub rule_id: String,
    /// What kind of secret.
    pub category: Category,
    /// A literal value or a template placeholder.
    pub source: Source,
    /// What the policy says to do in this context.
    pub action: Action,
    /// How sure the rule is.
    pub confidence: Confidence,
    /// Byte offset of the start, into the input the caller gave (or into the decoded part).
    pub start: usize,
    /// Byte offset one past the end.
    pub end: usize,
    /// UTF-16 code-unit offset of the start (for JavaScript strings).
    pub utf16_start: usize,
    /// UTF-16 code-unit offset one past the end.
    pub utf16_end: usize,
    /// 1-based line of the start.
    pub line: usize,
    /// 1-based column of the start, counted in characters.
    pub column: usize,
    /// 1-based line of the end.
    pub end_line: usize,
    /// 1-based column of the end, counted in characters.
    pub end_column: usize,
    /// The value with all but at most four characters masked, e.g. `Su*******4!`.
    pub redacted: String,
    /// What to do instead.
    pub message: String,
    /// MIME part path (`1.2`, `attachment:accounts.csv`) when the input was a message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<String>,
    /// Byte range of that part in the raw message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part_range: Option<(usize, usize)>,
}

/// A finding that was allowed, and by what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Suppressed {
    /// The finding as it would have been reported.
    pub finding: Finding,
    /// `rule`, `value`, `path` or `inline`.
    pub by: String,
    /// The reason given with an inline suppression, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// Something not scanned: a media part in `skipped`, a part that could hold text in `unscanned`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Skipped {
    /// The part or region (`attachment:logo.png`, `bytes 67108864..`).
    pub part: String,
    /// Why.
    pub reason: String,
}

/// Masks a secret so that at most four of its characters remain (fewer for short ones).
///
/// `Summer2024!` → `Su*******4!`. Values of four characters or fewer are fully masked;
/// the mask keeps the character count so that the author can recognise the value.
pub fn redact(secret: &str) -> String {
    let chars: Vec<char> = secret.chars().collect();
    let n = chars.len();
    let (head, tail) = match n {
        0..=4 => (0, 0),
        5..=7 => (1, 1),
        8..=11 => (2, 2),
        _ => (2, 2),
    };
    let masked = n.saturating_sub(head + tail).min(24);
    let mut out = String::with_capacity(head + tail + masked);
    out.extend(&chars[..head]);
    out.extend(std::iter::repeat_n('*', masked));
    out.extend(&chars[n - tail..]);
    out
}

/// Positions in a source text: byte offset → UTF-16 offset and 1-based line/column.
///
/// Built once per document; each lookup walks forward from the previous one, so
/// findings in source order cost one pass over the text in total.
pub struct Positions<'a> {
    text: &'a str,
    byte: usize,
    utf16: usize,
    line: usize,
    column: usize,
}

/// A position in all three encodings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// UTF-16 code units from the start.
    pub utf16: usize,
    /// 1-based line.
    pub line: usize,
    /// 1-based column in characters.
    pub column: usize,
}

impl<'a> Positions<'a> {
    /// Starts at the beginning of `text`.
    pub fn new(text: &'a str) -> Self {
        Positions { text, byte: 0, utf16: 0, line: 1, column: 1 }
    }

    /// The position of byte offset `offset` (clamped to the text and floored to a char
    /// boundary). Offsets before the previous lookup restart from the beginning.
    pub fn at(&mut self, offset: usize) -> Position {
        let mut offset = offset.min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        if offset < self.byte {
            *self = Positions::new(self.text);
        }
        // Byte counts instead of a char walk (this runs over every document with findings):
        // a char starts at every byte that is not a continuation byte, and a 4-byte char is
        // two UTF-16 units.
        let segment = &self.text.as_bytes()[self.byte..offset];
        self.utf16 += chars(segment) + count_bytes(segment, |c| c >= 0xF0);
        match memchr::memrchr(b'\n', segment) {
            Some(last) => {
                self.line += memchr::memchr_iter(b'\n', segment).count();
                self.column = 1 + chars(&segment[last + 1..]);
            }
            None => self.column += chars(segment),
        }
        self.byte = offset;
        Position { utf16: self.utf16, line: self.line, column: self.column }
    }
}

/// How many characters `b` holds: the bytes that are not UTF-8 continuation bytes.
fn chars(b: &[u8]) -> usize {
    count_bytes(b, |c| (c & 0xC0) != 0x80)
}

/// How many bytes of `b` satisfy `pred`, counted in byte-wide lanes (255 at a time) so that
/// the loop vectorizes 16–32 bytes per step.
fn count_bytes(b: &[u8], pred: impl Fn(u8) -> bool) -> usize {
    b.chunks(255).map(|chunk| usize::from(chunk.iter().fold(0u8, |n, &c| n + u8::from(pred(c))))).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_keeps_at_most_four_characters() {
        assert_eq!(redact("Summer2024!"), "Su*******4!");
        assert_eq!(redact("1234"), "****");
        assert_eq!(redact("abcdef"), "a****f");
        for s in ["a", "ab", "abcdefgh", "Contraseña-segura-2024", "パスワード秘密の値です"] {
            let kept = redact(s).chars().filter(|&c| c != '*').count();
            assert!(kept <= 4, "{s:?} kept {kept}");
        }
    }

    #[test]
    fn positions_count_utf16_and_characters() {
        let text = "a😀\nContraseña: 秘密x";
        let mut p = Positions::new(text);
        let x = text.find('x').unwrap();
        let pos = p.at(x);
        assert_eq!(pos.line, 2);
        assert_eq!(pos.column, "Contraseña: 秘密".chars().count() + 1);
        let utf16: usize = text[..x].encode_utf16().count();
        assert_eq!(pos.utf16, utf16);
    }
}
