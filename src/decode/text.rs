//! Text in the encoding the caller's bytes are in, with the way back to those bytes.
//!
//! Templates come from editors and legacy systems as well as from code: UTF-16 (what
//! Windows editors save, with or without a byte-order mark), UTF-32, windows-1252 and
//! Latin-1 files, HTML that declares its charset in a `<meta>`. A secret scanner that
//! answers "pass" for a file it could not read fails open, so [`decode_text`] always
//! yields text: a byte-order mark decides first; then the pattern of NUL bytes that
//! ASCII text in UTF-16 or UTF-32 has; then valid UTF-8 is taken as it is (no copy); then
//! the charset a `<meta>` or XML declaration names; and any other byte that is not part
//! of valid UTF-8 is read as windows-1252 (which gives every byte a character, and is
//! what browsers read undeclared legacy text as), the valid UTF-8 around it kept.
//! NUL bytes in text are characters like any other: they are no reason to skip it.
//!
//! [`DecodedText::to_source`] maps a span of the decoded text back to a byte span of the
//! input, so that findings point into the bytes the caller holds.

use super::{charset, OffsetMap};
use mail_parser::decoders::charsets::map::charset_decoder;
use std::borrow::Cow;

/// Text decoded from bytes, with its encoding and a map back to the bytes.
#[derive(Debug, Clone)]
pub struct DecodedText<'a> {
    /// The text; borrowed when the bytes were UTF-8 without a byte-order mark.
    pub text: Cow<'a, str>,
    /// The encoding read, for people: `utf-8`, `utf-16le`, `windows-1252`, a declared label.
    pub encoding: String,
    /// How the encoding was chosen, when it was not plain UTF-8 (`byte-order mark`,
    /// `NUL-byte pattern`, `<meta> declaration`, `bytes that are not UTF-8`).
    pub why: Option<&'static str>,
    map: SourceMap,
    source_len: usize,
}

/// How offsets of the decoded text go back to the bytes.
#[derive(Debug, Clone)]
enum SourceMap {
    /// UTF-8 without a byte-order mark: the same offsets.
    Identity,
    /// Checkpoints; after each the text and the bytes advance together (see [`OffsetMap`]).
    /// A byte-order mark is one checkpoint; each character read as windows-1252 (or in a
    /// declared single-byte charset) beyond ASCII is one; a declared multi-byte charset
    /// has one per line, so that offsets there are exact to the line.
    Checkpoints(OffsetMap),
    /// UTF-16 or UTF-32: every character is `unit` bytes (two units for UTF-16 beyond the
    /// BMP), after `start` bytes of byte-order mark; `index` holds `(text, bytes)` every
    /// [`UNIT_INDEX_STEP`] characters so that a lookup walks a bounded stretch.
    Units { unit: usize, start: usize, index: Vec<(usize, usize)> },
}

/// Characters between two entries of a [`SourceMap::Units`] index.
const UNIT_INDEX_STEP: usize = 1024;

/// How many leading bytes the NUL-pattern and `<meta>` sniffers look at.
const SNIFF_BYTES: usize = 4096;

impl DecodedText<'_> {
    /// True when the text is the input itself (UTF-8 without a byte-order mark).
    pub fn is_identity(&self) -> bool {
        matches!(self.map, SourceMap::Identity)
    }

    /// The byte span of the input that the text span `[start, end)` was decoded from.
    pub fn to_source(&self, start: usize, end: usize) -> (usize, usize) {
        let (s, e) = match &self.map {
            SourceMap::Identity => (start, end),
            SourceMap::Checkpoints(map) => map.span_to_source(start, end),
            SourceMap::Units { unit, start: bom, index } => {
                (self.unit_offset(start, *unit, *bom, index), self.unit_offset(end, *unit, *bom, index))
            }
        };
        (s.min(self.source_len), e.min(self.source_len).max(s.min(self.source_len)))
    }

    fn unit_offset(&self, offset: usize, unit: usize, bom: usize, index: &[(usize, usize)]) -> usize {
        let at = index.partition_point(|&(view, _)| view <= offset);
        let (mut view, mut source) = at.checked_sub(1).map_or((0, bom), |i| index[i]);
        for c in self.text[view..].chars() {
            if view >= offset {
                break;
            }
            view += c.len_utf8();
            source += if unit == 2 { 2 * c.len_utf16() } else { 4 };
        }
        source
    }

    /// One sentence for the report's notes, when the bytes were not plain UTF-8.
    pub fn note(&self) -> Option<String> {
        let why = self.why?;
        Some(format!(
            "read as {} ({why}); findings' start and end are byte offsets into the input, lines, columns and UTF-16 offsets count in the decoded text",
            self.encoding
        ))
    }
}

/// Decodes `bytes` as text (see the module docs). Never fails; linear in the input.
///
/// ```
/// use sendguard::decode::text::decode_text;
/// let utf16: Vec<u8> = "Password: x".encode_utf16().flat_map(u16::to_le_bytes).collect();
/// let decoded = decode_text(&utf16);
/// assert_eq!(decoded.text, "Password: x");
/// assert_eq!(decoded.to_source(10, 11), (20, 22));
/// let latin1 = decode_text(b"Contrase\xf1a: x");
/// assert_eq!(latin1.text, "Contraseña: x");
/// assert_eq!(latin1.to_source(13, 14), (12, 13));
/// ```
pub fn decode_text(bytes: &[u8]) -> DecodedText<'_> {
    let units = |unit: usize, start: usize, big_endian: bool, why: &'static str| {
        let rest = &bytes[start..];
        let text = match (unit, big_endian) {
            (2, false) => charset::utf16(rest, u16::from_le_bytes),
            (2, true) => charset::utf16(rest, u16::from_be_bytes),
            (_, false) => utf32(rest, u32::from_le_bytes),
            (_, true) => utf32(rest, u32::from_be_bytes),
        };
        let index = unit_index(&text, unit, start);
        let name = format!("utf-{}{}", unit * 8, if big_endian { "be" } else { "le" });
        DecodedText { text: Cow::Owned(text), encoding: name, why: Some(why), map: SourceMap::Units { unit, start, index }, source_len: bytes.len() }
    };
    match bytes {
        [0xFF, 0xFE, 0, 0, ..] => return units(4, 4, false, "byte-order mark"),
        [0, 0, 0xFE, 0xFF, ..] => return units(4, 4, true, "byte-order mark"),
        [0xFF, 0xFE, ..] => return units(2, 2, false, "byte-order mark"),
        [0xFE, 0xFF, ..] => return units(2, 2, true, "byte-order mark"),
        [0xEF, 0xBB, 0xBF, ..] => {
            let mut decoded = utf8_or_windows_1252(bytes, 3);
            decoded.why = Some(if decoded.encoding == "utf-8" { "byte-order mark" } else { "byte-order mark, and bytes that are not UTF-8" });
            return decoded;
        }
        _ => {}
    }
    if let Some((unit, big_endian)) = nul_pattern(&bytes[..bytes.len().min(SNIFF_BYTES)]) {
        return units(unit, 0, big_endian, "NUL-byte pattern");
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return DecodedText { text: Cow::Borrowed(text), encoding: "utf-8".into(), why: None, map: SourceMap::Identity, source_len: bytes.len() };
    }
    if let Some(label) = declared_charset(&bytes[..bytes.len().min(SNIFF_BYTES)]) {
        if let Some(decoded) = declared(bytes, &label) {
            return decoded;
        }
    }
    utf8_or_windows_1252(bytes, 0)
}

/// True when `bytes` read as text (by [`decode_text`], first 8 KiB) have at most one
/// control character in a hundred besides tab, line breaks and form feed: a part of
/// unknown type that holds text, not binary data.
pub fn looks_like_text(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(8192)];
    let decoded = decode_text(head);
    let (mut chars, mut controls) = (0usize, 0usize);
    for c in decoded.text.chars() {
        chars += 1;
        if (c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0c')) || c == '\u{FFFD}' {
            controls += 1;
        }
    }
    controls * 100 <= chars
}

/// `(view, source)` every [`UNIT_INDEX_STEP`] characters of UTF-16/32 text.
fn unit_index(text: &str, unit: usize, start: usize) -> Vec<(usize, usize)> {
    let mut index = Vec::with_capacity(text.len() / UNIT_INDEX_STEP / 2 + 1);
    let mut source = start;
    for (n, (view, c)) in text.char_indices().enumerate() {
        if n % UNIT_INDEX_STEP == 0 {
            index.push((view, source));
        }
        source += if unit == 2 { 2 * c.len_utf16() } else { 4 };
    }
    index
}

/// UTF-16 or UTF-32 without a byte-order mark, by where ASCII text in them has NUL bytes:
/// `(unit, big_endian)`. UTF-32 first (its ASCII also looks like UTF-16 with NUL
/// characters). Text with a few NUL bytes, and binary data, have no such regular pattern.
fn nul_pattern(head: &[u8]) -> Option<(usize, bool)> {
    if head.len() < 4 || !head.contains(&0) {
        return None;
    }
    let quads: Vec<&[u8]> = head.chunks_exact(4).collect();
    if !quads.is_empty() {
        // Every code point is below 0x110000: the top byte is 0 and the next one small.
        let le = quads.iter().all(|q| q[3] == 0 && q[2] <= 0x10) && quads.iter().filter(|q| q[1] == 0 && q[0] != 0).count() * 2 >= quads.len();
        let be = quads.iter().all(|q| q[0] == 0 && q[1] <= 0x10) && quads.iter().filter(|q| q[2] == 0 && q[3] != 0).count() * 2 >= quads.len();
        if le != be {
            return Some((4, be));
        }
    }
    let pairs = head.len() / 2;
    let high_nul = |i: usize| (0..pairs).filter(|&p| head[2 * p + i] == 0).count();
    let (even, odd) = (high_nul(0), high_nul(1));
    // Most characters ASCII (a NUL in the high byte), the low byte almost never NUL.
    if odd * 2 >= pairs && even * 20 <= pairs {
        return Some((2, false));
    }
    if even * 2 >= pairs && odd * 20 <= pairs {
        return Some((2, true));
    }
    None
}

/// UTF-32 code units to text: a value that is no scalar value, and an unfinished end, are U+FFFD.
fn utf32(bytes: &[u8], unit: fn([u8; 4]) -> u32) -> String {
    let mut text = String::with_capacity(bytes.len() / 4);
    for quad in bytes.chunks_exact(4) {
        text.push(char::from_u32(unit([quad[0], quad[1], quad[2], quad[3]])).unwrap_or(char::REPLACEMENT_CHARACTER));
    }
    if !bytes.len().is_multiple_of(4) {
        text.push(char::REPLACEMENT_CHARACTER);
    }
    text
}

/// UTF-8 after `start` bytes (a byte-order mark), every byte outside valid UTF-8 read as
/// windows-1252. One checkpoint per such byte beyond ASCII (the decoded character is
/// longer than the byte).
fn utf8_or_windows_1252(bytes: &[u8], start: usize) -> DecodedText<'_> {
    let rest = &bytes[start..];
    let mut map = OffsetMap::default();
    if start > 0 {
        map.push(0, start);
    }
    let mut text = String::with_capacity(rest.len() + rest.len() / 8);
    let mut source = start;
    let mut fallback = false;
    // `str::from_utf8` validates ASCII a word at a time; `utf8_chunks` goes byte by byte
    // (a seventh of a scan's instructions on a corpus with windows-1252 files).
    let mut rest = rest;
    loop {
        let (valid, invalid) = match std::str::from_utf8(rest) {
            Ok(valid) => (valid, 0),
            Err(e) => {
                let valid = std::str::from_utf8(&rest[..e.valid_up_to()]).unwrap_or_default();
                (valid, e.error_len().unwrap_or(rest.len() - e.valid_up_to()))
            }
        };
        text.push_str(valid);
        source += valid.len();
        for &byte in &rest[valid.len()..valid.len() + invalid] {
            fallback = true;
            text.push(windows_1252(byte));
            source += 1;
            map.push(text.len(), source);
        }
        rest = &rest[valid.len() + invalid..];
        if invalid == 0 {
            break;
        }
    }
    let encoding = if fallback { "utf-8 and windows-1252" } else { "utf-8" };
    DecodedText {
        text: Cow::Owned(text),
        encoding: encoding.into(),
        why: Some("bytes that are not UTF-8"),
        map: SourceMap::Checkpoints(map),
        source_len: bytes.len(),
    }
}

/// A byte as windows-1252 reads it (the WHATWG table: 0x80..=0x9F are typographic
/// characters, five of them unassigned and read as the C1 control of the same value).
fn windows_1252(byte: u8) -> char {
    const HIGH: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
        0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    match byte {
        0x80..=0x9F => char::from_u32(u32::from(HIGH[usize::from(byte - 0x80)])).unwrap_or(char::REPLACEMENT_CHARACTER),
        _ => char::from(byte),
    }
}

/// The charset a `<meta charset=…>`, `<meta http-equiv … content="…; charset=…">` or an
/// XML declaration's `encoding="…"` names in `head`, as written (trimmed, at most 40 bytes).
fn declared_charset(head: &[u8]) -> Option<String> {
    let lower = head.to_ascii_lowercase();
    for (opener, key) in [(&b"<meta"[..], &b"charset"[..]), (b"<?xml", b"encoding")] {
        let mut at = 0;
        while let Some(i) = memchr::memmem::find(&lower[at..], opener) {
            let tag_start = at + i;
            let tag_end = lower[tag_start..].iter().position(|&b| b == b'>').map_or(lower.len(), |e| tag_start + e);
            let tag = &lower[tag_start..tag_end];
            if let Some(k) = memchr::memmem::find(tag, key) {
                let mut v = k + key.len();
                while tag.get(v).is_some_and(|b| b.is_ascii_whitespace()) {
                    v += 1;
                }
                if tag.get(v) == Some(&b'=') {
                    v += 1;
                    while tag.get(v).is_some_and(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'')) {
                        v += 1;
                    }
                    let len = tag[v..].iter().take_while(|&&b| !b.is_ascii_whitespace() && !matches!(b, b'"' | b'\'' | b';' | b'/' | b'>')).count();
                    if len > 0 && len <= 40 {
                        return Some(String::from_utf8_lossy(&tag[v..v + len]).into_owned());
                    }
                }
            }
            at = tag_end.max(tag_start + 1);
        }
    }
    None
}

/// Decodes one run of bytes in a declared charset (`None`: the host has no decoder).
type RunDecoder = Box<dyn Fn(&[u8]) -> Option<String>>;

/// Bytes in a declared charset, or `None` when the label is unknown, names UTF-8 or UTF-16
/// (HTML reads a `<meta>` UTF-16 as UTF-8: the bytes are not UTF-16 if they could declare
/// it in ASCII), or is the replacement encoding (which would turn the text into one U+FFFD
/// and hide it). Offsets map exactly: a single-byte charset maps every character to its
/// byte; the ASCII-compatible multi-byte ones (Shift_JIS, EUC, GBK, gb18030, Big5) are
/// decoded in runs between bytes below 0x30, which are never part of a multi-byte
/// character there, each run mapped to its bytes (ASCII runs are copied); ISO-2022-JP,
/// whose escapes carry state from run to run, is decoded a line at a time and maps
/// exactly to the line.
fn declared<'a>(bytes: &'a [u8], label: &str) -> Option<DecodedText<'a>> {
    let lower = label.trim().to_ascii_lowercase();
    if charset::is_utf8_label(&lower) || lower.starts_with("utf-16") || lower.starts_with("utf16") || lower.starts_with("ucs-2") {
        return None;
    }
    let host = charset::host_encoding(lower.as_bytes());
    let decode: RunDecoder = match host {
        Some("replacement") => return None,
        Some(encoding) => Box::new(move |run: &[u8]| charset::decode(encoding, run)),
        None => {
            let decoder = charset_decoder(lower.as_bytes())?;
            Box::new(move |run: &[u8]| Some(decoder(run)))
        }
    };
    let high: Vec<u8> = (0x80..=0xFF).collect();
    let single_byte = decode(&high)?.chars().count() == high.len();
    let mut text = String::with_capacity(bytes.len() + bytes.len() / 4);
    let mut map = OffsetMap::default();
    let mut source = 0;
    if single_byte {
        let decoded = decode(bytes)?;
        if decoded.chars().count() == bytes.len() {
            for c in decoded.chars() {
                text.push(c);
                source += 1;
                if !c.is_ascii() {
                    map.push(text.len(), source);
                }
            }
            return Some(DecodedText { text: Cow::Owned(text), encoding: lower, why: Some("<meta> declaration"), map: SourceMap::Checkpoints(map), source_len: bytes.len() });
        }
    }
    let stateful = host == Some("iso-2022-jp");
    let mut push_run = |run: &[u8], text: &mut String, source: &mut usize| -> Option<()> {
        if run.is_ascii() && !stateful {
            // ASCII is itself in these charsets (and the shift is unchanged); not in
            // ISO-2022-JP, whose escapes are ASCII bytes.
            text.push_str(std::str::from_utf8(run).ok()?);
        } else {
            map.push(text.len(), *source);
            text.push_str(&decode(run)?);
            map.push(text.len(), *source + run.len());
        }
        *source += run.len();
        Some(())
    };
    let boundary = |b: &u8| if stateful { *b == b'\n' } else { *b < 0x30 };
    for run in bytes.split_inclusive(boundary) {
        // The boundary byte ends the run; it is ASCII and maps to itself.
        let (body, end) = run.split_at(run.len() - usize::from(run.last().is_some_and(boundary)));
        push_run(body, &mut text, &mut source)?;
        push_run(end, &mut text, &mut source)?;
    }
    Some(DecodedText { text: Cow::Owned(text), encoding: lower, why: Some("<meta> declaration"), map: SourceMap::Checkpoints(map), source_len: bytes.len() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utf16le(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_le_bytes).collect()
    }

    #[test]
    fn windows_1252_fallback_reads_as_utf8_chunks_do() {
        // The fast validation must split valid and invalid runs exactly as `utf8_chunks`.
        let cases: [&[u8]; 7] = [
            b"Contrase\xf1a: Verano2024!\n",
            b"\xe2\x82",
            b"ok \xf0\x9f\x98 then \xc3\xa9t\xe9",
            b"\x80\x81\x9f plain",
            b"caf\xc3\xa9 \xed\xa0\x80 surrogate",
            b"\xff",
            b"tail \xf0\x9f",
        ];
        for bytes in cases {
            let mut want = String::new();
            for chunk in bytes.utf8_chunks() {
                want.push_str(chunk.valid());
                want.extend(chunk.invalid().iter().map(|&b| windows_1252(b)));
            }
            assert_eq!(utf8_or_windows_1252(bytes, 0).text, want, "{bytes:?}");
        }
    }

    fn utf16be(text: &str) -> Vec<u8> {
        text.encode_utf16().flat_map(u16::to_be_bytes).collect()
    }

    /// Every char of `text` maps to the bytes it was encoded as.
    fn maps_each_char(decoded: &DecodedText<'_>, bytes: &[u8], encode: impl Fn(char) -> Vec<u8>) {
        for (at, c) in decoded.text.char_indices() {
            let (s, e) = decoded.to_source(at, at + c.len_utf8());
            assert_eq!(&bytes[s..e], encode(c).as_slice(), "char {c:?} at {at} of {}", decoded.encoding);
        }
    }

    #[test]
    fn byte_order_marks_pick_the_encoding() {
        let text = "Contraseña: Verano2024! 😀 秘密";
        let mut le = vec![0xFF, 0xFE];
        le.extend(utf16le(text));
        let mut be = vec![0xFE, 0xFF];
        be.extend(utf16be(text));
        let mut utf8 = b"\xEF\xBB\xBF".to_vec();
        utf8.extend(text.as_bytes());
        let mut utf32le = vec![0xFF, 0xFE, 0, 0];
        utf32le.extend(text.chars().flat_map(|c| u32::from(c).to_le_bytes()));
        let mut utf32be = vec![0, 0, 0xFE, 0xFF];
        utf32be.extend(text.chars().flat_map(|c| u32::from(c).to_be_bytes()));
        for (bytes, name) in [(&le, "utf-16le"), (&be, "utf-16be"), (&utf8, "utf-8"), (&utf32le, "utf-32le"), (&utf32be, "utf-32be")] {
            let decoded = decode_text(bytes);
            assert_eq!(decoded.text, text, "{name}");
            assert_eq!(decoded.encoding, name);
            assert_eq!(decoded.why, Some("byte-order mark"));
            assert!(decoded.note().is_some_and(|n| n.contains(name)));
        }
        let decoded = decode_text(&le);
        maps_each_char(&decoded, &le, |c| utf16le(&c.to_string()));
        let decoded = decode_text(&utf32be);
        maps_each_char(&decoded, &utf32be, |c| u32::from(c).to_be_bytes().to_vec());
        let decoded = decode_text(&utf8);
        maps_each_char(&decoded, &utf8, |c| c.to_string().into_bytes());
    }

    #[test]
    fn utf16_and_utf32_without_a_bom_by_their_nul_pattern() {
        let text = "Hello,\r\nyour password: Verano2024!\r\nRegards\r\n";
        for (bytes, name) in [
            (utf16le(text), "utf-16le"),
            (utf16be(text), "utf-16be"),
            (text.chars().flat_map(|c| u32::from(c).to_le_bytes()).collect(), "utf-32le"),
            (text.chars().flat_map(|c| u32::from(c).to_be_bytes()).collect::<Vec<u8>>(), "utf-32be"),
        ] {
            let decoded = decode_text(&bytes);
            assert_eq!((decoded.text.as_ref(), decoded.encoding.as_str(), decoded.why), (text, name, Some("NUL-byte pattern")));
        }
        // Long text: lookups go through the index.
        let long = format!("{}Password: Verano2024!", "Ünïcödé line ✓\n".repeat(5000));
        let bytes = utf16le(&long);
        let decoded = decode_text(&bytes);
        let at = long.find("Verano").unwrap();
        let (s, e) = decoded.to_source(at, at + 11);
        assert_eq!(bytes[s..e], utf16le("Verano2024!")[..]);
    }

    #[test]
    fn nul_bytes_in_utf8_text_are_not_utf16() {
        for bytes in [&b"Hello\0\0\0 world\0"[..], b"a\0", b"\0\0\0\0", b"Password: x\0y\0z", &[0u8, 159, 146, 150, 7, 7, 7, 7]] {
            let decoded = decode_text(bytes);
            assert!(!decoded.encoding.starts_with("utf-16") && !decoded.encoding.starts_with("utf-32"), "{bytes:?} read as {}", decoded.encoding);
        }
        assert_eq!(decode_text(b"Hello\0\0\0 world\0").text, "Hello\0\0\0 world\0");
    }

    #[test]
    fn bytes_that_are_not_utf8_are_windows_1252_and_map_back() {
        let bytes = b"Contrase\xf1a: Verano2024! \x80 caf\xc3\xa9 \x81\xff end";
        let decoded = decode_text(bytes);
        assert_eq!(decoded.text, "Contraseña: Verano2024! € café \u{81}ÿ end");
        assert_eq!(decoded.encoding, "utf-8 and windows-1252");
        let at = decoded.text.find("Verano").unwrap();
        let (s, e) = decoded.to_source(at, at + 11);
        assert_eq!(&bytes[s..e], b"Verano2024!");
        let end = decoded.text.find("end").unwrap();
        assert_eq!(decoded.to_source(end, end + 3), (bytes.len() - 3, bytes.len()));
        let every: Vec<u8> = (0u8..=255).collect();
        let decoded = decode_text(&every);
        assert_eq!(decoded.text.chars().count(), 256, "every byte is one character");
        assert!(!decoded.text.contains('\u{FFFD}'));
    }

    #[test]
    fn a_meta_charset_is_honoured_when_the_bytes_are_not_utf8() {
        let bytes = b"<html><head><meta charset=\"iso-8859-7\"></head><body>\xea\xf9\xe4\xe9\xea\xfc\xf2: Verano2024!</body>";
        let decoded = decode_text(bytes);
        assert_eq!(decoded.encoding, "iso-8859-7");
        assert!(decoded.text.contains("κωδικός: Verano2024!"), "{}", decoded.text);
        let at = decoded.text.find("Verano").unwrap();
        let (s, e) = decoded.to_source(at, at + 11);
        assert_eq!(&bytes[s..e], b"Verano2024!");
        let http_equiv = b"<meta http-equiv=\"Content-Type\" content=\"text/html; charset=Shift_JIS\">\n\x83p\x83X\x83\x8f\x81[\x83h: Verano2024!\n";
        let decoded = decode_text(http_equiv);
        assert_eq!(decoded.encoding, "shift_jis");
        assert!(decoded.text.contains("パスワード: Verano2024!"), "{}", decoded.text);
        let at = decoded.text.find("パ").unwrap();
        assert_eq!(decoded.to_source(at, decoded.text.len()).0, http_equiv.iter().position(|&b| b == b'\n').unwrap() + 1);
        let at = decoded.text.find("Verano").unwrap();
        let (s, e) = decoded.to_source(at, at + 11);
        assert_eq!(&http_equiv[s..e], b"Verano2024!", "exact inside a line");
        // ISO-2022-JP carries state across runs: exact to the line.
        let jis = b"<meta charset=\"iso-2022-jp\">\n\x1b$B%Q%9%o!<%I\x1b(B: Verano2024!\n\xff";
        let decoded = decode_text(jis);
        assert!(decoded.text.contains("パスワード: Verano2024!"), "{}", decoded.text);
        // Labels that would hide the text are not honoured.
        for label in ["utf-16", "replacement", "iso-2022-kr", "x-unknown"] {
            let bytes = format!("<meta charset={label}>\nPassword: caf\u{e9}").into_bytes();
            let mut bytes = bytes;
            bytes.push(0xff);
            let decoded = decode_text(&bytes);
            assert_eq!(decoded.encoding, "utf-8 and windows-1252", "{label}");
        }
        assert_eq!(declared_charset(b"<?xml version=\"1.0\" encoding='windows-1250'?>"), Some("windows-1250".into()));
    }

    #[test]
    fn text_and_binary() {
        assert!(looks_like_text(b"user,password\r\nmaria,Winter2025!\r\n") && looks_like_text(b"Contrase\xf1a: x") && looks_like_text(b""));
        assert!(looks_like_text(&utf16le("Password: Verano2024!")));
        assert!(!looks_like_text(&[0u8, 159, 146, 150, 7, 7, 7, 7]) && !looks_like_text(b"\x00\x01\x02\x03 binary \x04\x05"));
    }

    #[test]
    fn utf8_is_borrowed() {
        let decoded = decode_text("Contraseña: x".as_bytes());
        assert!(decoded.is_identity() && matches!(decoded.text, Cow::Borrowed(_)));
        assert!(decoded.note().is_none());
    }

    #[test]
    fn broken_input_never_panics() {
        for bytes in [&b""[..], b"\xff", b"\xfe", b"\xff\xfe\x41", b"\xff\xfe\x00\xd8", b"\xfe\xff\xdc\x00\x00", b"\xff\xfe\x00\x00\x00\x00\x11\x00", b"\x00\x00\xfe\xff\x00", b"\xef\xbb\xbf\xff", b"\xef\xbb", b"<meta charset=", b"<meta charset=\"\xff\xff\">\xff"] {
            let decoded = decode_text(bytes);
            for at in 0..=decoded.text.len() {
                if decoded.text.is_char_boundary(at) {
                    let (s, e) = decoded.to_source(at, decoded.text.len());
                    assert!(s <= e && e <= bytes.len());
                }
            }
        }
    }
}
