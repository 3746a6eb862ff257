//! Decoding: turn what the caller gave (bytes in any encoding, HTML, MIME) into *views*.
//!
//! A [`View`] is the text the detectors read plus an [`OffsetMap`] from every view
//! offset back to a byte offset in the source, so that a finding always points into
//! the bytes the caller holds, never into an intermediate buffer.

mod charset;
pub mod html;
pub mod mime;
pub mod pdf;
pub mod sniff;
pub mod text;

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
/// After a checkpoint the mapping is a plain shift (`src = cp.src + (v - cp.view)`).
/// Decoders push a checkpoint where a run of copied text starts and where it ends, and
/// around every decoded entity or inserted separator. Two checkpoints may share a view
/// offset: the end of one run and the start of the next, with markup dropped in between.
/// A span's start maps through the last of them and its end through the first, so that
/// `<code>TOKEN</code>` maps `TOKEN` to exactly its five source bytes, and an `&amp;`
/// that became `&` maps back to all five bytes of the entity. An empty map is the
/// identity. Memory is a few checkpoints per decoding event, not one per byte.
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
    /// Calls must come in non-decreasing `view` order. A checkpoint equal to the last one
    /// is dropped; one at the same view offset as the last is kept (see the type docs).
    pub fn push(&mut self, view: usize, source: usize) {
        if self.checkpoints.last() != Some(&(view, source)) {
            self.checkpoints.push((view, source));
        }
    }

    /// Number of checkpoints held (for tests and memory accounting).
    pub fn len(&self) -> usize {
        self.checkpoints.len()
    }

    /// True when the map is the identity.
    pub fn is_empty(&self) -> bool {
        self.checkpoints.is_empty()
    }

    /// Source offset where the view text at `view` starts coming from.
    pub fn to_source(&self, view: usize) -> usize {
        // The last checkpoint at or before `view`.
        let idx = self.checkpoints.partition_point(|&(v, _)| v <= view);
        match idx.checked_sub(1).map(|i| self.checkpoints[i]) {
            Some((v, s)) => s + (view - v),
            None => view,
        }
    }

    /// Source offset where the view text before `view` ends.
    pub fn to_source_end(&self, view: usize) -> usize {
        let first_at = self.checkpoints.partition_point(|&(v, _)| v < view);
        match self.checkpoints.get(first_at) {
            Some(&(v, s)) if v == view => s,
            _ => match first_at.checked_sub(1).map(|i| self.checkpoints[i]) {
                Some((v, s)) => s + (view - v),
                None => view,
            },
        }
    }

    /// Source span of the view span `[start, end)`.
    pub fn span_to_source(&self, start: usize, end: usize) -> (usize, usize) {
        let s = self.to_source(start);
        let e = if end > start { self.to_source_end(end) } else { s };
        (s, e.max(s))
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

    #[test]
    fn dropped_markup_is_not_part_of_a_span() {
        // source: "<b>TOKEN</b> x"  view: "TOKEN x"
        let mut m = OffsetMap::default();
        m.push(0, 3);
        m.push(5, 8);
        m.push(5, 12);
        assert_eq!(m.span_to_source(0, 5), (3, 8));
        assert_eq!(m.span_to_source(5, 7), (12, 14));
    }
}
