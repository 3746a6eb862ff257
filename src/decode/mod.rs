//! Decoding: turn what the caller gave (plain text, HTML, later MIME) into *views*.
//!
//! A [`View`] is the text the detectors read plus an [`OffsetMap`] from every view
//! offset back to a byte offset in the source, so that a finding always points into
//! the bytes the caller holds, never into an intermediate buffer.

pub mod html;

/// Text for the detectors, with the way back to the source.
#[derive(Debug, Clone)]
pub struct View {
    /// Decoded text: tags dropped, entities decoded, block boundaries as separators.
    pub text: String,
    /// Maps byte offsets in `text` to byte offsets in the source.
    pub map: OffsetMap,
}

impl View {
    /// A view of plain text: the text itself, offsets map one to one.
    pub fn identity(text: &str) -> View {
        View { text: text.to_owned(), map: OffsetMap::identity() }
    }
}

/// Checkpoints `(view_offset, source_offset)`, sorted by view offset.
///
/// Between two checkpoints the mapping is a plain shift (`src = cp.src + (v - cp.view)`),
/// clamped to the next checkpoint's source offset. Decoded entities and inserted
/// separators each start a checkpoint, so a view span `[s, e)` maps to the source span
/// that produced it: an `&amp;` that became `&` maps back to all five source bytes.
/// An empty map is the identity. Memory is one checkpoint per decoding event, not per byte.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OffsetMap {
    checkpoints: Vec<(usize, usize)>,
}

impl OffsetMap {
    /// The identity map (plain text).
    pub fn identity() -> OffsetMap {
        OffsetMap { checkpoints: Vec::new() }
    }

    /// Records that view offset `view` corresponds to source offset `source`.
    ///
    /// Calls must come in non-decreasing `view` order; a repeated `view` replaces the
    /// previous checkpoint (the later source position wins).
    pub fn push(&mut self, view: usize, source: usize) {
        if let Some(last) = self.checkpoints.last_mut() {
            if last.0 == view {
                last.1 = source;
                return;
            }
            // Skip checkpoints that the running shift already implies.
            if view >= last.0 && source >= last.1 && source - last.1 == view - last.0 {
                return;
            }
        }
        self.checkpoints.push((view, source));
    }

    /// Number of checkpoints held (for tests and memory accounting).
    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    /// True when the map is the identity.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Source offset of view offset `view`.
    pub fn to_source(&self, view: usize) -> usize {
        if self.checkpoints.is_empty() {
            return view;
        }
        let idx = self.checkpoints.partition_point(|&(v, _)| v <= view);
        if idx == 0 {
            // Before the first checkpoint the text is unchanged.
            return view;
        }
        let (v, s) = self.checkpoints[idx - 1];
        let mapped = s + (view - v);
        match self.checkpoints.get(idx) {
            Some(&(_, next_src)) => mapped.min(next_src),
            None => mapped,
        }
    }

    /// Source span of the view span `[start, end)`.
    pub fn span_to_source(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.to_source(start);
        let e = self.to_source(end).max(s);
        (s, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identity_when_empty() {
        let m = OffsetMap::identity();
        assert_eq!(m.span_to_source(3, 9), (3, 9));
    }

    #[test]
    fn entity_maps_back_to_whole_entity() {
        // source: "a&amp;b"  view: "a&b"
        let mut m = OffsetMap::default();
        m.push(0, 0);
        m.push(1, 1);
        m.push(2, 6);
        assert_eq!(m.to_source(0), 0);
        assert_eq!(m.to_source(1), 1);
        assert_eq!(m.to_source(2), 6);
        assert_eq!(m.span_to_source(1, 2), (1, 6));
        assert_eq!(m.span_to_source(0, 3), (0, 7));
    }
}

/// Whether bytes look like a raw RFC 5322 message: a header block of `Name: value` lines
/// at the start, with at least one of the headers every message has.
pub fn looks_like_message(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    let text = String::from_utf8_lossy(head);
    let mut known = 0;
    for line in text.lines() {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            continue;
        }
        let Some((name, _)) = line.split_once(':') else { return false };
        if name.is_empty() || !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
            return false;
        }
        let lower = name.to_ascii_lowercase();
        if matches!(lower.as_str(), "from" | "to" | "subject" | "date" | "mime-version" | "message-id" | "content-type" | "received" | "return-path") {
            known += 1;
        }
    }
    known >= 2
}
