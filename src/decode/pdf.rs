//! PDF text: the strings shown by the text operators (`Tj`, `TJ`, `'`, `"`) of the
//! content streams, uncompressed or `FlateDecode`.
//!
//! Not a PDF reader: no cross-reference table, no object graph, no font programs. It
//! finds `stream … endstream` pairs in one forward pass, inflates the Flate ones
//! (`flate2` on its pure-Rust `miniz_oxide` backend, which also builds for wasm), and
//! reads the text operators. That covers the invoices and statements that billing
//! systems generate with standard fonts. What it cannot read is said in `notes`:
//! other filters (images, LZW, ASCII85), encrypted files, and fonts whose codes are
//! glyph ids (`Identity-H` without a `ToUnicode` map), whose text would be noise.

use memchr::memmem;
use std::io::Read;

/// Text extracted from a PDF, with what could not be read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PdfText {
    /// Shown strings in content-stream order, one line per text line (`Td`, `T*`, `ET`).
    pub text: String,
    /// What was not read, for people (`2 streams with filter DCTDecode not read`).
    pub notes: Vec<String>,
    /// True when the text or the inflated streams reached the size limit.
    pub truncated: bool,
}

/// Most streams looked at in one file; a real invoice has tens.
const MAX_STREAMS: usize = 10_000;
/// How far before `stream` the dictionary of a stream is looked for.
const DICT_WINDOW: usize = 2048;

/// Extracts the text of `pdf`, keeping at most `max_bytes` of text and inflating at
/// most `max_bytes` per stream and `4 × max_bytes` in total (bounds zip bombs).
/// Never panics; linear in the size of the file plus what is inflated.
// The package compiles this module's functions for size (`sendguard_cold`): a PDF is read
// once per attachment, and its parser is 13 KB of the module's gzip budget at full speed.
#[cfg_attr(sendguard_cold, optimize(size))]
pub fn extract_text(pdf: &[u8], max_bytes: usize) -> PdfText {
    let mut out = PdfText::default();
    if !pdf.starts_with(b"%PDF") && memmem::find(&pdf[..pdf.len().min(1024)], b"%PDF").is_none() {
        out.notes.push("not a PDF file (no %PDF header)".into());
        return out;
    }
    if memmem::find(pdf, b"/Encrypt").is_some() {
        out.notes.push("encrypted PDF; text not extracted".into());
        return out;
    }
    let mut inflate_budget = max_bytes.saturating_mul(4);
    let mut skipped_filters: Vec<(String, usize)> = Vec::new();
    let (mut read, mut unreadable, mut broken) = (0usize, 0usize, 0usize);
    let mut pos = 0;
    let finder = memmem::Finder::new(b"stream");
    let end_finder = memmem::Finder::new(b"endstream");
    for _ in 0..MAX_STREAMS {
        let Some(found) = finder.find(&pdf[pos..]) else { break };
        let keyword = pos + found;
        pos = keyword + 6;
        if keyword >= 3 && &pdf[keyword - 3..keyword] == b"end" {
            continue;
        }
        let mut data_start = keyword + 6;
        match pdf.get(data_start..data_start + 2) {
            Some(b"\r\n") => data_start += 2,
            Some([b'\n', _]) | Some([b'\r', _]) => data_start += 1,
            _ => continue, // "stream" inside some other token
        }
        let Some(end_rel) = end_finder.find(&pdf[data_start..]) else {
            broken += 1;
            break; // no endstream after here means none after any later stream either
        };
        let data_end = data_start + end_rel;
        pos = data_end + 9;
        let dict = &pdf[keyword.saturating_sub(DICT_WINDOW)..keyword];
        // Only the dictionary of this object: from its last "obj".
        let dict = memmem::rfind(dict, b"obj").map_or(dict, |i| &dict[i..]);
        if [&b"/Image"[..], b"/XRef", b"/ObjStm", b"/Length1", b"/Length2", b"/Length3", b"/Metadata", b"/EmbeddedFile"]
            .iter()
            .any(|k| memmem::find(dict, k).is_some())
        {
            continue;
        }
        let data = trim_eol(&pdf[data_start..data_end]);
        let content: Vec<u8> = match filter_of(dict) {
            Filter::None => data.to_vec(),
            Filter::Flate => {
                let limit = max_bytes.min(inflate_budget);
                let inflated = inflate(data, limit);
                if inflated.len() > limit {
                    out.truncated = true;
                }
                inflate_budget = inflate_budget.saturating_sub(inflated.len());
                if inflated.is_empty() {
                    broken += 1;
                    continue;
                }
                inflated
            }
            Filter::Other(name) => {
                match skipped_filters.iter_mut().find(|(n, _)| *n == name) {
                    Some((_, count)) => *count += 1,
                    None => skipped_filters.push((name, 1)),
                }
                continue;
            }
        };
        if memmem::find(&content, b"BT").is_none() {
            continue; // no text object: graphics only
        }
        let text = shown_text(&content);
        if text.is_empty() {
            continue;
        }
        if !readable(&text) {
            unreadable += 1;
            continue;
        }
        read += 1;
        let room = max_bytes.saturating_sub(out.text.len());
        if text.len() > room {
            let mut end = room;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            out.text.push_str(&text[..end]);
            out.truncated = true;
            break;
        }
        out.text.push_str(&text);
        if inflate_budget == 0 {
            out.truncated = true;
            break;
        }
    }
    out.notes.push(format!("text extracted from {read} PDF content stream(s); offsets are into the extracted text"));
    for (name, count) in skipped_filters {
        out.notes.push(format!("{count} stream(s) with filter {name} not read"));
    }
    if unreadable > 0 {
        out.notes.push(format!(
            "{unreadable} text stream(s) use font codes without a readable mapping (ToUnicode not supported); not read"
        ));
    }
    if broken > 0 {
        out.notes.push(format!("{broken} stream(s) damaged or cut off; not read"));
    }
    out
}

enum Filter {
    None,
    Flate,
    Other(String),
}

fn filter_of(dict: &[u8]) -> Filter {
    let Some(at) = memmem::find(dict, b"/Filter") else { return Filter::None };
    let rest = &dict[at + 7..];
    // The filter is the first name after /Filter (an array of several: the first one applies first).
    let Some(slash) = rest.iter().take(64).position(|&b| b == b'/') else { return Filter::None };
    let name: String = rest[slash + 1..]
        .iter()
        .take_while(|b| b.is_ascii_alphanumeric())
        .take(32)
        .map(|&b| b as char)
        .collect();
    match name.as_str() {
        "FlateDecode" | "Fl" => {
            // A chain such as [/FlateDecode /DCTDecode] is still not text we can read.
            let chain = &rest[slash + 1..rest.len().min(slash + 80)];
            if memmem::find(chain, b"/DCT").is_some() || memmem::find(chain, b"/JPX").is_some() {
                Filter::Other("FlateDecode+image".into())
            } else {
                Filter::Flate
            }
        }
        other => Filter::Other(other.to_owned()),
    }
}

/// Inflates a zlib (or raw deflate) stream, keeping at most `limit + 1` bytes so the
/// caller can tell that the limit was reached. A damaged stream yields what came before
/// the damage.
fn inflate(data: &[u8], limit: usize) -> Vec<u8> {
    let cap = (limit as u64).saturating_add(1);
    let mut out = Vec::new();
    let _ = flate2::read::ZlibDecoder::new(data).take(cap).read_to_end(&mut out);
    if out.is_empty() {
        let _ = flate2::read::DeflateDecoder::new(data).take(cap).read_to_end(&mut out);
    }
    out
}

fn trim_eol(data: &[u8]) -> &[u8] {
    let data = data.strip_suffix(b"\n").unwrap_or(data);
    data.strip_suffix(b"\r").unwrap_or(data)
}

/// False when the text is mostly control characters: glyph ids read as bytes.
fn readable(text: &str) -> bool {
    let total = text.chars().filter(|c| !c.is_whitespace()).count();
    let bad = text.chars().filter(|&c| c.is_control() && !c.is_whitespace()).count();
    total > 0 && bad * 5 < total
}

/// One operand of a content-stream operator, as far as text extraction cares.
enum Operand {
    Str(Vec<u8>),
    Array(Vec<ArrayItem>),
    Other,
}

enum ArrayItem {
    Str(Vec<u8>),
    /// A kerning adjustment below -200 (thousandths of an em): about a space to the right.
    Gap,
}

/// The strings shown by the text operators of one content stream.
#[cfg_attr(sendguard_cold, optimize(size))]
fn shown_text(content: &[u8]) -> String {
    let mut out = String::new();
    let mut operands: Vec<Operand> = Vec::new();
    let mut i = 0;
    while i < content.len() {
        let b = content[i];
        match b {
            b'%' => {
                while i < content.len() && content[i] != b'\n' && content[i] != b'\r' {
                    i += 1;
                }
            }
            b'(' => {
                let (s, next) = literal_string(content, i);
                operands.push(Operand::Str(s));
                i = next;
            }
            b'<' if content.get(i + 1) == Some(&b'<') => {
                operands.push(Operand::Other);
                i += 2;
            }
            b'<' => {
                let (s, next) = hex_string(content, i);
                operands.push(Operand::Str(s));
                i = next;
            }
            b'[' => {
                let (items, next) = array(content, i);
                operands.push(Operand::Array(items));
                i = next;
            }
            b if b.is_ascii_alphabetic() || b == b'\'' || b == b'"' || b == b'*' => {
                let start = i;
                while i < content.len() && (content[i].is_ascii_alphanumeric() || matches!(content[i], b'*' | b'\'' | b'"')) {
                    i += 1;
                }
                if i == start {
                    i += 1;
                }
                operator(&content[start..i], &mut operands, &mut out);
                operands.clear();
            }
            b if b.is_ascii_whitespace() => i += 1,
            _ => {
                // Numbers, names, `>>`, `]`: operands we do not need. The first byte is
                // always consumed, so the loop advances.
                i += 1;
                while i < content.len() && !content[i].is_ascii_whitespace() && !matches!(content[i], b'(' | b'<' | b'[' | b'%' | b'/') {
                    i += 1;
                }
                operands.push(Operand::Other);
            }
        }
        if operands.len() > 64 {
            operands.drain(..32); // operands without an operator: keep the tail only
        }
    }
    out
}

#[cfg_attr(sendguard_cold, optimize(size))]
fn operator(op: &[u8], operands: &mut [Operand], out: &mut String) {
    match op {
        b"Tj" | b"'" | b"\"" => {
            if op != b"Tj" {
                newline(out);
            }
            if let Some(Operand::Str(s)) = operands.iter().rev().find(|o| matches!(o, Operand::Str(_))) {
                push_pdf_string(out, s);
            }
        }
        b"TJ" => {
            if let Some(Operand::Array(items)) = operands.last() {
                for item in items {
                    match item {
                        ArrayItem::Str(s) => push_pdf_string(out, s),
                        ArrayItem::Gap if !out.ends_with(' ') => out.push(' '),
                        ArrayItem::Gap => {}
                    }
                }
            }
        }
        b"T*" | b"ET" => newline(out),
        b"Td" | b"TD" | b"Tm" => {
            // A move on the same line (only x) reads as a space, otherwise a new line.
            newline(out);
        }
        _ => {}
    }
}

fn newline(out: &mut String) {
    if !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
}

/// PDF strings: UTF-16BE with a byte-order mark, else PDFDocEncoding (read as Latin-1,
/// which agrees with it on the letters).
fn push_pdf_string(out: &mut String, s: &[u8]) {
    if let Some(utf16) = s.strip_prefix(b"\xFE\xFF") {
        let units = utf16.chunks_exact(2).map(|c| u16::from_be_bytes([c[0], c[1]]));
        out.extend(char::decode_utf16(units).map(|r| r.unwrap_or('\u{FFFD}')));
    } else {
        out.extend(s.iter().map(|&b| b as char));
    }
}

/// `( ... )` with balanced parentheses and backslash escapes; returns the bytes and the
/// index after the closing parenthesis (or the end of the content).
#[cfg_attr(sendguard_cold, optimize(size))]
fn literal_string(content: &[u8], open: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut depth = 1usize;
    let mut i = open + 1;
    while i < content.len() {
        let b = content[i];
        i += 1;
        match b {
            b'\\' => {
                let Some(&e) = content.get(i) else { break };
                i += 1;
                match e {
                    b'n' => out.push(b'\n'),
                    b'r' => out.push(b'\r'),
                    b't' => out.push(b'\t'),
                    b'b' => out.push(8),
                    b'f' => out.push(12),
                    b'0'..=b'7' => {
                        let mut value = u32::from(e - b'0');
                        for _ in 0..2 {
                            match content.get(i) {
                                Some(&d @ b'0'..=b'7') => {
                                    value = value * 8 + u32::from(d - b'0');
                                    i += 1;
                                }
                                _ => break,
                            }
                        }
                        out.push((value & 0xFF) as u8);
                    }
                    b'\r' => {
                        if content.get(i) == Some(&b'\n') {
                            i += 1;
                        }
                    }
                    b'\n' => {}
                    other => out.push(other),
                }
            }
            b'(' => {
                depth += 1;
                out.push(b);
            }
            b')' => {
                depth -= 1;
                if depth == 0 {
                    return (out, i);
                }
                out.push(b);
            }
            _ => out.push(b),
        }
    }
    (out, i)
}

/// `< 48 65 6C >`; an odd final digit counts as followed by 0.
#[cfg_attr(sendguard_cold, optimize(size))]
fn hex_string(content: &[u8], open: usize) -> (Vec<u8>, usize) {
    let mut out = Vec::new();
    let mut high: Option<u8> = None;
    let mut i = open + 1;
    while i < content.len() {
        let b = content[i];
        i += 1;
        if b == b'>' {
            break;
        }
        let Some(d) = (b as char).to_digit(16) else { continue };
        match high.take() {
            Some(h) => out.push(h << 4 | d as u8),
            None => high = Some(d as u8),
        }
    }
    if let Some(h) = high {
        out.push(h << 4);
    }
    (out, i)
}

/// `[ (a) -250 (b) ]` for `TJ`; nested arrays are not part of text and are skipped flat.
#[cfg_attr(sendguard_cold, optimize(size))]
fn array(content: &[u8], open: usize) -> (Vec<ArrayItem>, usize) {
    let mut items = Vec::new();
    let mut i = open + 1;
    while i < content.len() {
        match content[i] {
            b']' => return (items, i + 1),
            b'(' => {
                let (s, next) = literal_string(content, i);
                items.push(ArrayItem::Str(s));
                i = next;
            }
            b'<' => {
                let (s, next) = hex_string(content, i);
                items.push(ArrayItem::Str(s));
                i = next;
            }
            b'-' | b'+' | b'.' | b'0'..=b'9' => {
                let start = i;
                while i < content.len() && matches!(content[i], b'-' | b'+' | b'.' | b'0'..=b'9') {
                    i += 1;
                }
                if is_word_gap(&content[start..i]) {
                    items.push(ArrayItem::Gap);
                }
            }
            _ => i += 1,
        }
    }
    (items, i)
}

/// Whether a number of a `TJ` array (signs, digits and dots as the scanner collects them) is
/// a valid number whose `f32` value is below -200: exactly when it is below
/// -200.00000762939453125, the midpoint to the next `f32` down (a tie rounds to -200).
/// Decided on the digits: the wasm build then needs no float parser for PDFs.
fn is_word_gap(number: &[u8]) -> bool {
    const MIDPOINT_FRACTION: &[u8] = b"00000762939453125";
    let Some(magnitude) = number.strip_prefix(b"-") else { return false };
    let (int, fraction) = match magnitude.iter().position(|&b| b == b'.') {
        Some(dot) => (&magnitude[..dot], &magnitude[dot + 1..]),
        None => (magnitude, &[][..]),
    };
    if int.len() + fraction.len() == 0 || !int.iter().chain(fraction).all(u8::is_ascii_digit) {
        return false; // "-", "-.", "--5", "-1.2.3": not numbers
    }
    let int = &int[int.iter().position(|&b| b != b'0').unwrap_or(int.len())..];
    match int.len().cmp(&3).then_with(|| int.cmp(b"200".as_slice())) {
        std::cmp::Ordering::Greater => true,
        std::cmp::Ordering::Less => false,
        std::cmp::Ordering::Equal => {
            let digit = |digits: &[u8], i: usize| digits.get(i).copied().unwrap_or(b'0');
            (0..fraction.len().max(MIDPOINT_FRACTION.len()))
                .map(|i| digit(fraction, i).cmp(&digit(MIDPOINT_FRACTION, i)))
                .find(|o| o.is_ne())
                .is_some_and(|o| o.is_gt())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `is_word_gap` is `s.parse::<f32>()` below -200, near the threshold and on noise.
    #[test]
    fn word_gaps_are_f32_kerning_below_minus_200() {
        let by_f32 = |s: &str| s.parse::<f32>().is_ok_and(|k| k < -200.0);
        let mut cases: Vec<String> = [
            "-200", "-200.", "-200.0", "-0200.5", "-201", "-199.999", "-250", "-1000", "-.5", "-", "-.", ".",
            "--300", "-+300", "-3.0.0", "+300", "300", "-200.0000076", "-200.0000077", "-200.00000762939453125",
            "-200.000007629394531250000", "-200.000007629394531251", "-200.00000762939453124999",
            "-200.0000152587890625", "-99999999999999999999999999999999999999999999", "-000000000201", "-200.-1",
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        for _ in 0..20_000 {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let len = 1 + (seed % 12) as usize;
            let text: String = (0..len).map(|i| b"-+.0123456789200"[((seed >> (4 * i)) % 16) as usize] as char).collect();
            cases.push(text);
            cases.push(format!("-200.{:017}", seed % 100_000_000_000_000_000));
        }
        for case in &cases {
            assert_eq!(is_word_gap(case.as_bytes()), by_f32(case), "{case:?}");
        }
    }
    use std::io::Write;

    fn pdf_with(stream_dict: &str, data: &[u8]) -> Vec<u8> {
        let mut pdf = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\n4 0 obj\n".to_vec();
        pdf.extend_from_slice(format!("<< /Length {} {stream_dict} >>\nstream\n", data.len()).as_bytes());
        pdf.extend_from_slice(data);
        pdf.extend_from_slice(b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n");
        pdf
    }

    #[test]
    fn reads_uncompressed_and_flate_text() {
        let content = b"BT /F1 12 Tf 72 720 Td (Invoice \\(paid\\)) Tj 0 -14 Td [(To) -120 (tal) -400 (42.00)] TJ ET";
        let plain = extract_text(&pdf_with("", content), 1 << 20);
        assert_eq!(plain.text, "Invoice (paid)\nTotal 42.00\n");
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
        z.write_all(content).unwrap();
        let flate = extract_text(&pdf_with("/Filter /FlateDecode", &z.finish().unwrap()), 1 << 20);
        assert_eq!(flate.text, plain.text);
    }

    #[test]
    fn other_filters_and_garbage_are_noted_not_read() {
        let image = extract_text(&pdf_with("/Filter /DCTDecode", b"\xFF\xD8\xFF"), 1 << 20);
        assert!(image.text.is_empty());
        let glyphs = extract_text(&pdf_with("", b"BT <0001000200030004000500060007> Tj ET"), 1 << 20);
        assert!(glyphs.text.is_empty());
        assert!(glyphs.notes.iter().any(|n| n.contains("ToUnicode")));
        let cut = extract_text(b"%PDF-1.4\n1 0 obj << >> stream\nBT (abc) Tj", 1 << 20);
        assert!(cut.text.is_empty());
    }

    #[test]
    fn inflation_is_bounded() {
        let big = vec![b' '; 4 << 20];
        let mut z = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::best());
        z.write_all(b"BT (x) Tj ET ").unwrap();
        z.write_all(&big).unwrap();
        let out = extract_text(&pdf_with("/Filter /FlateDecode", &z.finish().unwrap()), 1 << 16);
        assert!(out.truncated);
        assert!(out.text.len() <= 1 << 16);
    }
}
