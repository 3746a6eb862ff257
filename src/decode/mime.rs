//! MIME: turn a raw RFC 5322 message into the text-bearing parts the engine scans.
//!
//! The message is parsed by `mail-parser` (transfer encodings, RFC 2047 encoded-words,
//! charsets through its tables and, natively, `encoding_rs`; the wasm build decodes the
//! charsets that need `encoding_rs` through the host, see [`super::charset`] and
//! [`HOST_CHARSETS`]). This module walks the parsed tree
//! itself, with an explicit stack, so that *our* limits (parts, depth, decoded size)
//! decide what is read, and it adds what the parser does not do: the choice of what is
//! text, inline `data:` URIs, PDF text ([`super::pdf`]), and human notes on everything
//! that was not read. [`decode_message`] never panics and never fails: broken input
//! yields what could be read plus `skipped` and `limits_hit` entries.
//!
//! Part paths follow IMAP section numbers (`1`, `1.2`); named attachments are
//! `attachment:<file name>`; recipient-visible headers are `header:Subject`; a nested
//! message prefixes its own with the path of its container (`2/header:Subject`, `2.1`);
//! an inline `data:` URI is `<path>/data:<n>`.

use super::charset;
use crate::policy::Format;
use crate::report::Skipped;
use mail_parser::decoders::charsets::map::charset_decoder;
use mail_parser::parsers::MessageStream;
use mail_parser::{Encoding, HeaderName, HeaderValue, Message, MessageParser, MimeHeaders, PartType};
use std::borrow::Cow;
use std::collections::HashSet;

/// The MIME limits, usually taken from the policy's [`Limits`](crate::policy::Limits).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MimeOptions {
    /// Largest raw message read; bytes after it are not parsed.
    pub max_message_bytes: usize,
    /// Most parts read (containers, leaves, recipient-visible headers and `data:` URIs count).
    pub max_parts: usize,
    /// Deepest nesting read: a part inside more containers (multiparts, nested messages)
    /// is not read. Values above [`HARD_MAX_DEPTH`] act as that bound.
    pub max_depth: usize,
    /// Largest decoded text kept per part; the rest of that part is not scanned.
    pub max_part_bytes: usize,
}

impl Default for MimeOptions {
    fn default() -> Self {
        MimeOptions::from_limits(&crate::policy::Limits::default())
    }
}

impl MimeOptions {
    /// The MIME limits of a policy.
    pub fn from_limits(limits: &crate::policy::Limits) -> Self {
        MimeOptions {
            max_message_bytes: limits.max_message_bytes,
            max_parts: limits.max_parts,
            max_depth: limits.max_depth,
            max_part_bytes: limits.max_part_bytes,
        }
    }
}

/// One text-bearing piece of a message, decoded and ready to scan.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedPart {
    /// Where it is: `1`, `1.2`, `attachment:accounts.csv`, `header:Subject`, `1/data:1`.
    pub path: String,
    /// Lowercase MIME type (`text/plain`, `application/pdf`); `header` for header fields.
    pub content_type: String,
    /// How to scan `text`: [`Format::Html`] or [`Format::Text`].
    pub format: Format,
    /// The decoded text: transfer encoding undone, charset applied. Finding offsets are
    /// byte offsets into this text.
    pub text: String,
    /// Byte range in the raw message of the whole part, header block and body (for a
    /// header field: the whole field, name included). Parts of a transfer-encoded nested
    /// message and `data:` URIs carry the range of the part that holds them.
    pub raw_range: (usize, usize),
    /// What the decoder had to guess or cut, for people (`unknown charset x-foo ...`).
    pub notes: Vec<String>,
}

/// A message decoded into parts, with everything that was not read said out loud.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DecodedMessage {
    /// The text-bearing parts, in message order (headers of a message before its body).
    pub parts: Vec<DecodedPart>,
    /// Parts that hold no text (images, audio, video, fonts), with the reason.
    pub skipped: Vec<Skipped>,
    /// Parts that could hold text and were not read (an unknown binary or an archive, a
    /// PDF without extractable text, a part past a limit or too deep), with the reason.
    pub unscanned: Vec<Skipped>,
    /// One human sentence per limit reached; non-empty means the message was not fully read.
    pub limits_hit: Vec<String>,
    /// What the decoder repaired in the message's structure, for people (a multipart split
    /// on its delimiter lines).
    pub notes: Vec<String>,
}

/// True when `raw` starts with an RFC 5322 header block: a first line `Name: value`
/// (or an mbox `From ` line) and at least one of the header fields that every message
/// or MIME entity has (`From`, `To`, `Subject`, `Date`, `MIME-Version`, `Content-Type`,
/// `Message-ID`, `Received`, `Return-Path`) among the first lines.
pub fn looks_like_eml(raw: &[u8]) -> bool {
    const NAMES: [&[u8]; 10] = [
        b"from", b"to", b"subject", b"date", b"mime-version", b"content-type", b"message-id",
        b"received", b"return-path", b"delivered-to",
    ];
    let head = &raw[..raw.len().min(16 * 1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let mut known = 0;
    for (index, line) in head.split(|&b| b == b'\n').enumerate().take(64) {
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.is_empty() {
            break; // end of the header block
        }
        if index == 0 && line.starts_with(b"From ") {
            continue; // mbox separator line
        }
        if matches!(line[0], b' ' | b'\t') {
            if index == 0 {
                return false;
            }
            continue; // folded continuation
        }
        let Some(colon) = line.iter().position(|&b| b == b':') else {
            return false;
        };
        let name = &line[..colon];
        if name.is_empty() || !name.iter().all(|&b| b.is_ascii_graphic() && b != b':') {
            return false;
        }
        if NAMES.iter().any(|n| n.eq_ignore_ascii_case(name)) {
            known += 1;
        }
    }
    known > 0
}

/// Decodes a raw message into the parts to scan. Never panics, never fails.
///
/// ```
/// use sendguard::decode::mime::{decode_message, MimeOptions};
/// let raw = b"Subject: =?UTF-8?B?SGVsbG8=?=\r\nContent-Type: text/plain\r\n\r\nBody\r\n";
/// let message = decode_message(raw, &MimeOptions::default());
/// assert_eq!(message.parts[0].path, "header:Subject");
/// assert_eq!(message.parts[0].text, "Hello");
/// assert_eq!(message.parts[1].path, "1");
/// ```
pub fn decode_message(raw: &[u8], opts: &MimeOptions) -> DecodedMessage {
    decode_message_with(raw, opts, HOST_CHARSETS)
}

/// True where `mail-parser` is built without `encoding_rs` (wasm): the charsets it would
/// need it for are then decoded here, through [`charset::decode`], from bytes the parser
/// is made to keep: text parts in such a charset are renamed to binary before parsing
/// ([`neutralize_nesting`]), and header blocks with such encoded words are parsed again
/// from a copy rewritten in UTF-8 ([`transcode_header_block`]). Natively the parser
/// decodes them itself; the tests run both ways and compare.
const HOST_CHARSETS: bool = cfg!(target_arch = "wasm32");

fn decode_message_with(raw: &[u8], opts: &MimeOptions, host_charsets: bool) -> DecodedMessage {
    let opts = &MimeOptions { max_depth: opts.max_depth.min(HARD_MAX_DEPTH), ..*opts };
    let mut walker = Walker {
        host_charsets,
        opts,
        out: DecodedMessage::default(),
        count: 0,
        depth_hit: false,
        nesting_hit: false,
        message_depth: 0,
        reparse_budget: raw.len().min(opts.max_message_bytes).saturating_mul(4).saturating_add(64 * 1024),
        names: HashSet::new(),
    };
    let mut input = raw;
    if raw.len() > opts.max_message_bytes {
        input = &raw[..opts.max_message_bytes];
        walker.limit(
            format!("bytes {}..", opts.max_message_bytes),
            format!(
                "message is {} bytes, more than the limit of {}; bytes after {} not read",
                raw.len(),
                opts.max_message_bytes,
                opts.max_message_bytes
            ),
        );
    }
    walker.message(input, String::new(), 0, Place { base: 0, fixed: None });
    if walker.depth_hit {
        walker.out.limits_hit.push(format!(
            "message nests deeper than {} levels; parts below level {} not read",
            opts.max_depth, opts.max_depth
        ));
    }
    if walker.nesting_hit {
        walker.out.limits_hit.push(format!(
            "encoded or digest messages nested more than {MAX_NESTED_MESSAGES} deep (or too much to re-read); the inner ones not read"
        ));
    }
    walker.out
}

/// The deepest nesting read whatever the policy says: part paths grow with depth
/// (`1.1.1…`), so an unbounded depth would make the walk quadratic.
pub const HARD_MAX_DEPTH: usize = 1024;

/// Nested messages are parsed one level per call of [`Walker::message`]; this bounds
/// that recursion whatever `max_depth` says (each level costs a few kB of stack, and
/// wasm has 1 MB).
const MAX_NESTED_MESSAGES: usize = 32;

/// Where the bytes of a (nested) message are in the raw message.
#[derive(Debug, Clone, Copy)]
struct Place {
    /// Offset of the message's first byte in the raw message.
    base: usize,
    /// For a transfer-encoded nested message, whose bytes exist only decoded: the range
    /// of its container, reported for every part inside.
    fixed: Option<(usize, usize)>,
}

impl Place {
    fn range(&self, start: u32, end: u32) -> (usize, usize) {
        self.fixed.unwrap_or((self.base + start as usize, self.base + end as usize))
    }
}

/// One part to visit.
struct Frame<'m, 'x> {
    /// The (nested) message the part belongs to.
    message: &'m Message<'x>,
    /// Where that message's bytes are.
    place: Place,
    part: u32,
    path: String,
    depth: usize,
    /// True for the root part of the message (its headers are emitted once).
    root: bool,
    /// True for the children of a `multipart/digest`, which default to `message/rfc822`.
    in_digest: bool,
}

struct Walker<'o> {
    /// [`HOST_CHARSETS`], or its opposite in tests.
    host_charsets: bool,
    opts: &'o MimeOptions,
    out: DecodedMessage,
    count: usize,
    depth_hit: bool,
    nesting_hit: bool,
    message_depth: usize,
    /// Bytes the parser may still be given for nested messages it could not parse in
    /// place, so that nesting never multiplies the work by more than a constant.
    reparse_budget: usize,
    names: HashSet<String>,
}

// The parser parses a plain nested `message/rfc822` in place, in one iterative pass.
// A transfer-encoded one (and any child of a `multipart/digest`, which defaults to
// `message/rfc822`) it decodes and parses recursively, then copies the result with a
// recursive `into_owned`: a few hundred plain `message/rfc822` levels inside one base64
// part overflow a 1 MB stack, the wasm default (measured: ~900 levels in release, ~300 in
// debug), and mail-parser 0.11 has no setting for it. So before parsing, the Content-Type
// of those parts is renamed (`message/` → `messagx/`, `digest` → `digesx`: same length,
// offsets hold), the parser keeps them as leaves, and this module parses them itself,
// one bounded level at a time ([`MAX_NESTED_MESSAGES`], `reparse_budget`).
const NEUTRAL_MESSAGE: &str = "messagx";
const NEUTRAL_DIGEST: &str = "digesx";
// With [`HOST_CHARSETS`], a `text/*` part in a charset the parser cannot decode is renamed
// the same way (`text/` → `texx/`), so that the parser keeps its transfer-decoded bytes and
// [`text_in`] decodes them as the parser would have.
const NEUTRAL_TEXT: &str = "texx";

/// Renames `digest`, and `message/` where the header block declares a transfer encoding
/// other than 7bit/8bit/binary, in `Content-Type` fields (with their folded lines); with
/// `host_charsets`, also a leading `text/` where the field names a charset that
/// [`charset::host_encoding`] knows; and unfolds `Content-Type` and `Content-Disposition`.
/// A header block here is a run of non-blank lines; renaming in a body that merely looks
/// like headers is harmless (one letter of a type name). Borrowed when nothing is renamed.
/// Linear in the input.
fn neutralize_nesting(input: &[u8], host_charsets: bool) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let mut block_start = 0;
    while block_start < input.len() {
        // One block: lines up to a blank line (or the end).
        let mut end = block_start;
        let mut encoded = false;
        let mut types: Vec<(usize, usize)> = Vec::new();
        let mut dispositions: Vec<(usize, usize)> = Vec::new();
        let mut field: Option<(bool, usize)> = None; // (is Content-Type, start) of the field being read
        loop {
            if end >= input.len() {
                break;
            }
            let line_end = memchr::memchr(b'\n', &input[end..]).map_or(input.len(), |i| end + i + 1);
            let line = &input[end..line_end];
            if matches!(line, b"\n" | b"\r\n") {
                end = line_end;
                break;
            }
            if !matches!(line.first(), Some(b' ' | b'\t')) {
                match field.take() {
                    Some((true, start)) => types.push((start, end)),
                    Some((false, start)) => dispositions.push((start, end)),
                    None => {}
                }
                if let Some(value) = field_value(line, b"content-transfer-encoding") {
                    let value = value.trim_ascii().to_ascii_lowercase();
                    encoded |= !matches!(value.as_slice(), b"7bit" | b"8bit" | b"binary");
                }
                field = field_value(line, b"content-type")
                    .map(|_| (true, end))
                    .or_else(|| field_value(line, b"content-disposition").map(|_| (false, end)));
            }
            end = line_end;
        }
        match field {
            Some((true, start)) => types.push((start, end)),
            Some((false, start)) => dispositions.push((start, end)),
            None => {}
        }
        // Unfolded before the parser reads parameters (RFC 5322 2.2.3): it does not skip a
        // line break inside a parameter (`boundary=` CRLF ` "b1"`), and a multipart whose
        // boundary it misses is one opaque part. The line breaks become spaces: same
        // length, so offsets hold.
        for &(start, stop) in types.iter().chain(&dispositions) {
            let field = &input[start..stop];
            let last = field.len() - field.iter().rev().take_while(|&&b| matches!(b, b'\r' | b'\n')).count();
            for i in memchr::memchr_iter(b'\n', &field[..last]) {
                if matches!(field.get(i + 1), Some(b' ' | b'\t')) {
                    let buffer = out.get_or_insert_with(|| input.to_vec());
                    buffer[start + i] = b' ';
                    if i > 0 && field[i - 1] == b'\r' {
                        buffer[start + i - 1] = b' ';
                    }
                }
            }
        }
        for (start, stop) in types {
            let mut rename = |needle: &[u8], replacement: &[u8]| {
                let mut at = start;
                while let Some(i) = find_ascii_ci(&input[at..stop], needle) {
                    let pos = at + i;
                    let buffer = out.get_or_insert_with(|| input.to_vec());
                    buffer[pos..pos + needle.len()].copy_from_slice(replacement);
                    at = pos + needle.len();
                }
            };
            rename(b"digest", b"digesx");
            if encoded {
                rename(b"message/", b"messagx/");
            }
            if host_charsets && names_host_charset(&input[start..stop]) {
                // The type is the field's first token: `Content-Type:`, blanks, `text/`.
                let colon = input[start..stop].iter().position(|&b| b == b':').map_or(stop, |i| start + i + 1);
                let value = colon + input[colon..stop].iter().take_while(|b| b.is_ascii_whitespace()).count();
                if input.get(value..value + 5).is_some_and(|t| t.eq_ignore_ascii_case(b"text/")) {
                    out.get_or_insert_with(|| input.to_vec())[value..value + 4].copy_from_slice(NEUTRAL_TEXT.as_bytes());
                }
            }
        }
        block_start = end.max(block_start + 1);
    }
    out.map_or(Cow::Borrowed(input), Cow::Owned)
}

/// True when a `charset` parameter in this header field is one [`charset::host_encoding`]
/// knows. Generous on purpose: renaming a text part that did not need it changes nothing
/// (its bytes are decoded as the parser would have), missing one loses its text.
fn names_host_charset(field: &[u8]) -> bool {
    let mut at = 0;
    while let Some(i) = find_ascii_ci(&field[at..], b"charset") {
        let mut j = at + i + b"charset".len();
        while field.get(j).is_some_and(|&b| matches!(b, b'*' | b'=' | b'"' | b'\'') || b.is_ascii_whitespace() || b.is_ascii_digit()) {
            j += 1;
        }
        let end = j + field[j..].iter().take_while(|&&b| !matches!(b, b'"' | b';' | b'\'' | b'(') && !b.is_ascii_whitespace()).count();
        if charset::host_encoding(&field[j..end]).is_some() {
            return true;
        }
        at = end.max(at + i + 1);
    }
    false
}

/// The value of `line` when it is the field `name` (`Name :` with optional blanks).
fn field_value<'l>(line: &'l [u8], name: &[u8]) -> Option<&'l [u8]> {
    if line.len() < name.len() || !line[..name.len()].eq_ignore_ascii_case(name) {
        return None;
    }
    let rest = &line[name.len()..];
    let blanks = rest.iter().take_while(|&&b| b == b' ' || b == b'\t').count();
    (rest.get(blanks) == Some(&b':')).then(|| &rest[blanks + 1..])
}

fn find_ascii_ci(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w.eq_ignore_ascii_case(needle))
}

/// A `message/rfc822` or `message/global` part (renamed), a `message/news` part (which
/// the parser keeps as bytes; it is a message all the same), or a digest child without type.
fn is_nested_message(part: &mail_parser::MessagePart<'_>, in_digest: bool) -> bool {
    match part.content_type() {
        Some(ct) => {
            let subtype = |name: &str| ct.subtype().is_some_and(|s| s.eq_ignore_ascii_case(name));
            (ct.ctype().eq_ignore_ascii_case(NEUTRAL_MESSAGE) && (subtype("rfc822") || subtype("global")))
                || ((ct.ctype().eq_ignore_ascii_case(NEUTRAL_MESSAGE) || ct.ctype().eq_ignore_ascii_case("message")) && subtype("news"))
        }
        None => in_digest,
    }
}

/// A `multipart/*` part the parser could not split (no boundary parameter, or one that no
/// line of the body uses): it kept the body as one leaf.
fn is_unsplit_multipart(part: &mail_parser::MessagePart<'_>) -> bool {
    !matches!(part.body, PartType::Multipart(_)) && part.content_type().is_some_and(|ct| ct.ctype().eq_ignore_ascii_case("multipart"))
}

/// The boundary that a body's delimiter lines use (`--token`, `--token--`), when its type
/// names none or a wrong one: the token of the most delimiter lines that are followed by a
/// header field or a blank line (what starts a body part), at most 70 bytes (RFC 2046).
fn delimiter_boundary(body: &[u8]) -> Option<Vec<u8>> {
    let mut counts: Vec<(&[u8], usize)> = Vec::new();
    let mut lines = body.split(|&b| b == b'\n').peekable();
    while let Some(line) = lines.next() {
        let Some(token) = line.strip_prefix(b"--") else { continue };
        let token = token.trim_ascii_end();
        let token = token.strip_suffix(b"--").filter(|t| !t.is_empty()).unwrap_or(token);
        // A rule line (`----------`) is no delimiter.
        if token.len() > 70 || token.iter().all(|&b| b == b'-') || token.iter().any(|&b| b.is_ascii_control()) {
            continue;
        }
        let starts_part = lines.peek().is_some_and(|next| {
            let next = next.strip_suffix(b"\r").unwrap_or(next);
            next.is_empty() || next.iter().position(|&b| b == b':').is_some_and(|c| c > 0 && next[..c].iter().all(|b| b.is_ascii_graphic()))
        });
        let closes = line.trim_ascii_end().ends_with(b"--");
        if !(starts_part || closes) {
            continue;
        }
        match counts.iter().position(|&(t, _)| t == token) {
            Some(i) => counts[i].1 += 1,
            None if counts.len() < 64 => counts.push((token, 1)),
            None => {}
        }
    }
    counts.into_iter().max_by_key(|&(_, n)| n).map(|(t, _)| t.to_vec())
}

impl Walker<'_> {
    fn limit(&mut self, part: String, message: String) {
        self.out.unscanned.push(Skipped { part, reason: message.clone() });
        self.out.limits_hit.push(message);
    }

    /// Counts one part; false (and the limit recorded once) when it is past `max_parts`.
    fn admit(&mut self, path: &str) -> bool {
        self.count += 1;
        if self.count == self.opts.max_parts + 1 {
            self.limit(
                format!("{path} and after"),
                format!(
                    "message has more than {} parts; parts after {} not read",
                    self.opts.max_parts, self.opts.max_parts
                ),
            );
        }
        self.count <= self.opts.max_parts
    }

    /// Cuts `text` to `max_part_bytes` (on a character boundary), recording the limit.
    fn cap(&mut self, text: &mut String, notes: &mut Vec<String>, path: &str) {
        let max = self.opts.max_part_bytes;
        if text.len() > max {
            let mut end = max;
            while !text.is_char_boundary(end) {
                end -= 1;
            }
            let message = format!(
                "part {path} decodes to {} bytes, more than the limit of {max}; bytes after {max} not read",
                text.len()
            );
            text.truncate(end);
            notes.push(message.clone());
            self.limit(format!("{path} bytes {end}.."), message);
        }
    }

    /// Parses and walks one message (the top one, or a nested one at `path`).
    fn message(&mut self, bytes: &[u8], path: String, depth: usize, place: Place) {
        let neutral = neutralize_nesting(bytes, self.host_charsets);
        match MessageParser::default().parse(neutral.as_ref()) {
            Some(parsed) => {
                self.walk(&parsed, path, depth, place);
                teardown(parsed);
            }
            None => {
                // No header block: say so and still hand over the bytes as text, so that
                // a secret in a broken message is not a silent pass.
                let path = if path.is_empty() { "1".to_owned() } else { format!("{path}.1") };
                if !self.admit(&path) {
                    return;
                }
                let mut text = String::from_utf8_lossy(bytes).into_owned();
                let mut notes = vec!["no RFC 5322 header block found; read as UTF-8 text".to_owned()];
                self.cap(&mut text, &mut notes, &path);
                let raw_range = place.range(0, u32::try_from(bytes.len()).unwrap_or(u32::MAX));
                self.out.parts.push(DecodedPart {
                    path,
                    content_type: "text/plain".into(),
                    format: Format::Text,
                    text,
                    raw_range,
                    notes,
                });
            }
        }
    }

    fn walk(&mut self, message: &Message<'_>, prefix: String, depth: usize, place: Place) {
        let mut stack = vec![Frame { message, place, part: 0, path: prefix, depth, root: true, in_digest: false }];
        while let Some(frame) = stack.pop() {
            if self.count > self.opts.max_parts {
                break;
            }
            let (message, place) = (frame.message, frame.place);
            let Some(part) = message.parts.get(frame.part as usize) else { continue };
            let range = place.range(part.offset_header, part.offset_end);
            if frame.root {
                self.headers(message, &frame.path, place);
            }
            // The single body of a message is section 1 of it (IMAP numbering).
            let display = match (frame.root, frame.path.is_empty()) {
                (_, true) => "1".to_owned(),
                (true, false) => format!("{}.1", frame.path),
                (false, false) => frame.path.clone(),
            };
            if let PartType::Multipart(children) = &part.body {
                if frame.depth >= self.opts.max_depth {
                    self.too_deep(&display);
                    continue;
                }
                let in_digest = part
                    .content_type()
                    .and_then(|ct| ct.subtype())
                    .is_some_and(|sub| sub.eq_ignore_ascii_case(NEUTRAL_DIGEST));
                let prefix = if frame.path.is_empty() { String::new() } else { format!("{}.", frame.path) };
                // Reverse, so that the stack pops them in message order.
                for (index, &child) in children.iter().enumerate().rev() {
                    stack.push(Frame {
                        message,
                        place,
                        part: child,
                        path: format!("{prefix}{}", index + 1),
                        depth: frame.depth + 1,
                        root: false,
                        in_digest,
                    });
                }
                continue;
            }
            if let PartType::Message(nested) = &part.body {
                // A plain nested message, parsed in place: same buffer, same place.
                if frame.depth >= self.opts.max_depth {
                    self.too_deep(&display);
                    continue;
                }
                if !self.admit(&display) {
                    break;
                }
                stack.push(Frame { message: nested, place, part: 0, path: display, depth: frame.depth + 1, root: true, in_digest: false });
                continue;
            }
            if is_nested_message(part, frame.in_digest) {
                if frame.depth >= self.opts.max_depth {
                    self.too_deep(&display);
                    continue;
                }
                if !self.admit(&display) {
                    break;
                }
                let (bytes, inner) = if part.is_encoding_problem {
                    (recover(message, part).0, Place { base: 0, fixed: Some(range) })
                } else if part.encoding == Encoding::None {
                    let body = message
                        .raw_message
                        .get(part.offset_body as usize..part.offset_end as usize)
                        .unwrap_or_default();
                    (Cow::Borrowed(body), Place { base: place.base + part.offset_body as usize, fixed: place.fixed })
                } else {
                    (Cow::Borrowed(part.contents()), Place { base: 0, fixed: Some(range) })
                };
                if self.message_depth >= MAX_NESTED_MESSAGES || bytes.len() > self.reparse_budget {
                    self.nesting_hit = true;
                    self.out.unscanned.push(Skipped {
                        part: display,
                        reason: format!(
                            "encoded or digest message nested more than {MAX_NESTED_MESSAGES} deep or past the re-read budget; not read"
                        ),
                    });
                    continue;
                }
                self.reparse_budget -= bytes.len();
                self.message_depth += 1;
                self.message(&bytes, display, frame.depth + 1, inner);
                self.message_depth -= 1;
                continue;
            }
            if is_unsplit_multipart(part) {
                if frame.depth >= self.opts.max_depth {
                    self.too_deep(&display);
                    continue;
                }
                if self.split_on_delimiters(message, part, &display, frame.depth, range) {
                    continue;
                }
            }
            let name = self.attachment_name(message, part);
            let path = self.leaf_path(name.as_deref(), &display);
            if !self.admit(&path) {
                break;
            }
            match &part.body {
                PartType::Text(_) | PartType::Html(_) if part.is_encoding_problem => {
                    // The parser could not find the end of this part (the message was cut
                    // off) or could not undo its transfer encoding, and kept it as written.
                    // Undo the encoding ourselves on what there is, and read it by its
                    // declared type: a cut-off image must not be scanned as base64 text.
                    let (bytes, note) = recover(message, part);
                    self.binary(part, name.as_deref(), path, &bytes, range, vec![note]);
                }
                PartType::Text(text) | PartType::Html(text) => {
                    let content_type = content_type_of(part, "text/plain");
                    let mut notes: Vec<String> = charset_note(part).into_iter().collect();
                    let format = if matches!(part.body, PartType::Html(_)) { Format::Html } else { format_of(&content_type) };
                    let text = match legacy_text(message, part, text) {
                        Some(legacy) => {
                            notes.push("bytes that are not UTF-8 read as windows-1252 (no charset, or one they do not match)".into());
                            Cow::Owned(legacy)
                        }
                        None => Cow::Borrowed(text.as_ref()),
                    };
                    self.push_text(path, content_type, format, &text, range, notes);
                }
                PartType::Binary(bytes) | PartType::InlineBinary(bytes) if is_neutral_text(part) => {
                    // A text part renamed by `neutralize_nesting`: read exactly as the arm
                    // above reads the parser's text (the parser says `Html` for `text/html`).
                    let content_type = content_type_of(part, "text/plain");
                    let notes = charset_note(part).into_iter().collect();
                    let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
                    let text = text_in(bytes, charset, self.host_charsets);
                    let format = format_of(&content_type);
                    self.push_text(path, content_type, format, &text, range, notes);
                }
                PartType::Binary(bytes) | PartType::InlineBinary(bytes) => {
                    self.binary(part, name.as_deref(), path, bytes, range, Vec::new());
                }
                // Handled above.
                PartType::Multipart(_) | PartType::Message(_) => {}
            }
        }
    }

    /// A multipart the parser could not split, split on the delimiter lines its body has
    /// ([`delimiter_boundary`]): the body is parsed again under a header that names that
    /// boundary, its parts numbered under `display` and carrying the container's range.
    /// False when the body has no delimiter lines, or when the re-read budget is spent
    /// (then the part is read as one text and listed as unscanned).
    fn split_on_delimiters(&mut self, message: &Message<'_>, part: &mail_parser::MessagePart<'_>, display: &str, depth: usize, range: (usize, usize)) -> bool {
        let body = message.raw_message.get(part.offset_body as usize..part.offset_end as usize).unwrap_or_default();
        let subtype = part.content_type().and_then(|ct| ct.subtype()).unwrap_or("mixed").to_ascii_lowercase();
        let Some(boundary) = delimiter_boundary(body) else {
            self.out.unscanned.push(Skipped {
                part: display.to_owned(),
                reason: format!("multipart/{} has no usable boundary and no delimiter lines; read as one text", printable(&subtype)),
            });
            return false;
        };
        if self.message_depth >= MAX_NESTED_MESSAGES || body.len() > self.reparse_budget {
            self.nesting_hit = true;
            self.out.unscanned.push(Skipped { part: display.to_owned(), reason: "multipart without a usable boundary past the re-read budget; read as one text".into() });
            return false;
        }
        if !self.admit(display) {
            return true;
        }
        let boundary = String::from_utf8_lossy(&boundary).replace(['"', '\\'], "");
        let mut copy = format!("Content-Type: multipart/{}; boundary=\"{boundary}\"\r\n\r\n", printable(&subtype).replace(['"', ';'], "")).into_bytes();
        copy.extend_from_slice(body);
        self.out.notes.push(format!("part {display}: multipart/{} without a usable boundary; split on its delimiter lines", printable(&subtype)));
        self.reparse_budget -= body.len();
        self.message_depth += 1;
        self.message(&copy, display.to_owned(), depth + 1, Place { base: 0, fixed: Some(range) });
        self.message_depth -= 1;
        true
    }

    fn too_deep(&mut self, path: &str) {
        self.depth_hit = true;
        self.out.unscanned.push(Skipped {
            part: path.to_owned(),
            reason: format!("nested deeper than {} levels; not read", self.opts.max_depth),
        });
    }

    /// A copy of the header block of `part` in which the encoded words the parser could not
    /// decode are rewritten in UTF-8 ([`transcode_header_block`]); `None` when there are
    /// none, and always natively.
    /// (Compiled for size in the package: only for encoded words the parser could not read.)
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn transcoded_headers(&self, message: &Message<'_>, part: &mail_parser::MessagePart<'_>) -> Option<Vec<u8>> {
        if !self.host_charsets {
            return None;
        }
        let block = message.raw_message.get(part.offset_header as usize..part.offset_body as usize)?;
        transcode_header_block(block)
    }

    /// The attachment name of a part (`filename` or `name`), decoded.
    fn attachment_name(&self, message: &Message<'_>, part: &mail_parser::MessagePart<'_>) -> Option<String> {
        if let Some(copy) = self.transcoded_headers(message, part) {
            if let Some(parsed) = MessageParser::default().parse_headers(&copy) {
                return parsed.parts.first().and_then(|p| p.attachment_name()).map(str::to_owned);
            }
        }
        part.attachment_name().map(str::to_owned)
    }

    /// `attachment:<name>` for named parts (the first of a name), else the section number.
    /// A second part with the same name is `<section>:<name>`, so paths stay unique.
    fn leaf_path(&mut self, name: Option<&str>, display: &str) -> String {
        let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) else {
            return display.to_owned();
        };
        let name: String = name.chars().filter(|c| !c.is_control()).take(200).collect();
        let path = format!("attachment:{name}");
        if self.names.insert(path.clone()) {
            path
        } else {
            format!("{display}:{name}")
        }
    }

    fn push_text(&mut self, path: String, content_type: String, format: Format, text: &str, range: (usize, usize), mut notes: Vec<String>) {
        let mut text = text.to_owned();
        self.cap(&mut text, &mut notes, &path);
        let data = data_uris(&text);
        self.out.parts.push(DecodedPart { path: path.clone(), content_type, format, text, raw_range: range, notes });
        for (index, uri) in data.into_iter().enumerate() {
            let data_path = format!("{path}/data:{}", index + 1);
            if !uri.is_text {
                let skipped = Skipped { part: data_path, reason: format!("inline data: URI {} not scanned", uri.media_type) };
                if super::sniff::is_media_without_text(&uri.media_type) {
                    self.out.skipped.push(skipped);
                } else {
                    self.out.unscanned.push(skipped);
                }
                continue;
            }
            if !self.admit(&data_path) {
                return;
            }
            let mut notes = vec![format!("inline data: URI at byte {} of part {path}", uri.offset)];
            let mut text = decode_charset(&uri.bytes, uri.charset.as_deref(), self.host_charsets, &mut notes);
            self.cap(&mut text, &mut notes, &data_path);
            let format = format_of(&uri.media_type);
            self.out.parts.push(DecodedPart { path: data_path, content_type: uri.media_type, format, text, raw_range: range, notes });
        }
    }

    /// A part the parser did not classify as text: text by type or name, a PDF, or skipped.
    /// (Compiled for size in the package: once per attachment.)
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn binary(
        &mut self,
        part: &mail_parser::MessagePart<'_>,
        name: Option<&str>,
        path: String,
        bytes: &[u8],
        range: (usize, usize),
        mut notes: Vec<String>,
    ) {
        let declared = part.content_type().is_some();
        let content_type = content_type_of(part, "text/plain");
        let name = name.unwrap_or("").to_ascii_lowercase();
        let extension = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if content_type == "application/pdf" || (extension == "pdf" && bytes.starts_with(b"%PDF")) {
            let extracted = super::pdf::extract_text(bytes, self.opts.max_part_bytes);
            notes.extend(extracted.notes);
            if extracted.text.trim().is_empty() {
                // Encrypted, scanned images, fonts without a map: it may well hold text.
                self.out.unscanned.push(Skipped {
                    part: path,
                    reason: format!("PDF attachment has no extractable text ({}); not scanned", notes.join("; ")),
                });
                return;
            }
            if extracted.truncated {
                self.limit(
                    format!("{path} text after {} bytes", self.opts.max_part_bytes),
                    format!("PDF {path} has more text than the limit of {} bytes; the rest not read", self.opts.max_part_bytes),
                );
            }
            self.out.parts.push(DecodedPart { path, content_type, format: Format::Text, text: extracted.text, raw_range: range, notes });
            return;
        }
        let by_type = is_text_type(&content_type);
        let by_name = TEXT_EXTENSIONS.contains(&extension)
            && matches!(content_type.as_str(), "application/octet-stream" | "application/x-download" | "application/download" | "application/force-download" | "binary/octet-stream")
            && !bytes[..bytes.len().min(8192)].contains(&0);
        let mut by_bytes = false;
        if !(by_type || by_name) {
            let reason = match notes.first() {
                Some(note) if declared => format!("binary attachment {content_type} not scanned ({note})"),
                _ => format!("binary attachment {content_type} not scanned"),
            };
            let sniffed = super::sniff::sniff(bytes);
            if super::sniff::is_media_without_text(&content_type) || matches!(sniffed, Some(super::sniff::Sniffed::Media(_))) {
                self.out.skipped.push(Skipped { part: path, reason });
                return;
            }
            // Anything else may hold text: read it when its bytes are text, else say so.
            if sniffed.is_some() || !super::text::looks_like_text(bytes) {
                self.out.unscanned.push(Skipped { part: path, reason: format!("{reason}: it may hold text") });
                return;
            }
            by_bytes = true;
        }
        if by_name {
            notes.push(format!("{content_type} read as text because the file name ends in .{extension}"));
        } else if by_bytes {
            notes.push(format!("{content_type} read as text because its bytes are text"));
        }
        let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
        let text = decode_charset(bytes, charset, self.host_charsets, &mut notes);
        let format = if matches!(extension, "html" | "htm") { Format::Html } else { format_of(&content_type) };
        self.push_text(path, content_type, format, &text, range, notes);
    }

    /// The recipient-visible headers of one message, as parts.
    fn headers(&mut self, message: &Message<'_>, prefix: &str, place: Place) {
        let Some(root) = message.parts.first() else { return };
        // The values, from a copy rewritten in UTF-8 when the parser could not decode some.
        let copy = self.transcoded_headers(message, root);
        let reparsed = copy.as_deref().and_then(|copy| MessageParser::default().parse_headers(copy));
        let values = reparsed
            .as_ref()
            .and_then(|m| m.parts.first())
            .map(|p| &p.headers)
            .filter(|h| h.len() == root.headers.len() && h.iter().zip(&root.headers).all(|(a, b)| a.name == b.name));
        for (index, header) in root.headers.iter().enumerate() {
            let value = values.map_or(&header.value, |h| &h[index].value);
            let (label, text) = match (&header.name, value) {
                (HeaderName::Subject, HeaderValue::Text(text)) => ("Subject", text.to_string()),
                (HeaderName::Subject, HeaderValue::TextList(list)) => ("Subject", list.join(" ")),
                (HeaderName::From, value) => ("From", address_text(value)),
                (HeaderName::ReplyTo, value) => ("Reply-To", address_text(value)),
                (HeaderName::To, value) => ("To", address_text(value)),
                (HeaderName::Cc, value) => ("Cc", address_text(value)),
                _ => continue,
            };
            if text.trim().is_empty() {
                continue;
            }
            let path = if prefix.is_empty() { format!("header:{label}") } else { format!("{prefix}/header:{label}") };
            if !self.admit(&path) {
                return;
            }
            let range = place.range(header.offset_field, header.offset_end);
            let mut text = text;
            let mut notes = Vec::new();
            self.cap(&mut text, &mut notes, &path);
            self.out.parts.push(DecodedPart { path, content_type: "header".into(), format: Format::Text, text, raw_range: range, notes });
        }
    }
}

/// Drops a parsed message without recursion: mail-parser's nested `Message` values
/// drop recursively, and 100,000 plain nested levels overflow a 1 MB stack (measured).
fn teardown(message: Message<'_>) {
    let mut pending = vec![message];
    while let Some(mut message) = pending.pop() {
        for part in &mut message.parts {
            if let PartType::Message(nested) = std::mem::take(&mut part.body) {
                pending.push(nested);
            }
        }
    }
}

/// The transfer-decoded body of a part the parser kept as written, and a note saying so.
///
/// Uses the parser's own decoders on the raw body; a body they reject (a cut inside an
/// escape) is kept as written.
fn recover<'a>(message: &'a Message<'_>, part: &mail_parser::MessagePart<'_>) -> (Cow<'a, [u8]>, String) {
    let raw = message
        .raw_message
        .get(part.offset_body as usize..part.offset_end as usize)
        .unwrap_or_default();
    let encoding = part.content_transfer_encoding().unwrap_or("").trim().to_ascii_lowercase();
    let decoded = match encoding.as_str() {
        "quoted-printable" => mail_parser::decoders::quoted_printable::quoted_printable_decode(raw),
        "base64" => {
            let clean: Vec<u8> = raw.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            mail_parser::decoders::base64::base64_decode(&clean)
        }
        _ => None,
    };
    let how = match (&decoded, encoding.as_str()) {
        (Some(_), _) => format!("{encoding} decoded"),
        (None, "" | "7bit" | "8bit" | "binary") => "read as written".to_owned(),
        (None, _) => format!("{} could not be decoded; read as written", printable(&encoding)),
    };
    let note = format!("part has no closing boundary (message cut off?) or a broken encoding; {how} to the end of what was there");
    (decoded.map_or(Cow::Borrowed(raw), Cow::Owned), note)
}

/// The text of a part that the parser decoded with U+FFFD for bytes that are not UTF-8,
/// read again from its bytes with windows-1252 for those ([`super::text::decode_text`]),
/// when the part declares no charset, or US-ASCII, UTF-8 or one nobody knows: 8-bit mail
/// from legacy systems says nothing, or the wrong thing, and `Contrase\u{FFFD}a` would hide
/// the label. `None` when the parser's text has no U+FFFD or a real charset decided.
fn legacy_text(message: &Message<'_>, part: &mail_parser::MessagePart<'_>, text: &str) -> Option<String> {
    if !text.contains('\u{FFFD}') {
        return None;
    }
    let label = part.content_type().and_then(|ct| ct.attribute("charset")).map(str::trim);
    let undeclared = label.is_none_or(|l| {
        charset::is_utf8_label(l) || l.eq_ignore_ascii_case("us-ascii") || l.eq_ignore_ascii_case("ascii") || unknown_charset(l)
    });
    if !undeclared {
        return None;
    }
    let (bytes, _) = recover(message, part);
    let decoded = super::text::decode_text(&bytes);
    (!decoded.text.contains('\u{FFFD}')).then(|| decoded.text.into_owned())
}

/// Display names and addresses of an address header, `Name <addr>, ...`.
fn address_text(value: &HeaderValue<'_>) -> String {
    let mut out = String::new();
    let mut add = |addr: &mail_parser::Addr<'_>| {
        if !out.is_empty() {
            out.push_str(", ");
        }
        if let Some(name) = &addr.name {
            out.push_str(name);
            out.push(' ');
        }
        if let Some(address) = &addr.address {
            out.push('<');
            out.push_str(address);
            out.push('>');
        }
    };
    match value {
        HeaderValue::Address(mail_parser::Address::List(list)) => list.iter().for_each(&mut add),
        HeaderValue::Address(mail_parser::Address::Group(groups)) => {
            for group in groups {
                group.addresses.iter().for_each(&mut add);
            }
        }
        HeaderValue::Text(text) => out.push_str(text),
        _ => {}
    }
    out
}

/// The lowercase `type/subtype` of a part, with the renaming of [`neutralize_nesting`] undone.
fn content_type_of(part: &mail_parser::MessagePart<'_>, default: &str) -> String {
    let Some(ct) = part.content_type() else { return default.to_owned() };
    let mut ctype = ct.ctype().to_ascii_lowercase();
    if ctype == NEUTRAL_MESSAGE {
        ctype = "message".into();
    } else if ctype == NEUTRAL_TEXT {
        ctype = "text".into();
    }
    match ct.subtype().map(str::to_ascii_lowercase) {
        Some(sub) if sub == NEUTRAL_DIGEST => format!("{ctype}/digest"),
        Some(sub) => format!("{ctype}/{sub}"),
        None => ctype,
    }
}

/// A `text/*` part renamed by [`neutralize_nesting`].
fn is_neutral_text(part: &mail_parser::MessagePart<'_>) -> bool {
    part.content_type().is_some_and(|ct| ct.ctype().eq_ignore_ascii_case(NEUTRAL_TEXT))
}

fn format_of(content_type: &str) -> Format {
    if matches!(content_type, "text/html" | "application/xhtml+xml") {
        Format::Html
    } else {
        Format::Text
    }
}

/// File name extensions under which a generic binary type is read as text.
const TEXT_EXTENSIONS: [&str; 22] = [
    "txt", "csv", "tsv", "json", "xml", "ics", "vcf", "log", "md", "yaml", "yml", "toml", "env", "ini",
    "cfg", "conf", "sql", "pem", "key", "html", "htm", "properties",
];

/// MIME types that carry text even though they are not `text/*`.
fn is_text_type(content_type: &str) -> bool {
    content_type.starts_with("text/")
        || content_type.ends_with("+json")
        || content_type.ends_with("+xml")
        || matches!(
            content_type,
            "application/json"
                | "application/xml"
                | "application/csv"
                | "application/x-csv"
                | "application/ics"
                | "application/vcard"
                | "application/x-vcard"
                | "application/yaml"
                | "application/x-yaml"
                | "application/toml"
                | "application/javascript"
                | "application/x-sh"
                | "application/sql"
                | "application/x-pem-file"
                | "application/pgp-keys"
                | "application/x-www-form-urlencoded"
                | "message/delivery-status"
                | "message/disposition-notification"
        )
}

/// A note when the declared charset is one the parser does not know (and not UTF-8).
fn charset_note(part: &mail_parser::MessagePart<'_>) -> Option<String> {
    let label = part.content_type()?.attribute("charset")?;
    unknown_charset(label).then(|| format!("unknown charset {} decoded as utf-8 with replacement", printable(label)))
}

fn unknown_charset(label: &str) -> bool {
    charset_decoder(label.as_bytes()).is_none() && !charset::is_utf8_label(label)
}

/// Bytes to text as the parser turns a text part into text: its charset decoder, else
/// UTF-8 with replacement; with `host_charsets`, the charsets it has no real decoder for
/// through [`charset::decode`].
fn text_in(bytes: &[u8], charset: Option<&str>, host_charsets: bool) -> String {
    if let Some(label) = charset {
        if let Some(text) = host_decode(bytes, label, host_charsets) {
            return text;
        }
        if let Some(decode) = charset_decoder(label.as_bytes()) {
            return decode(bytes);
        }
    }
    String::from_utf8_lossy(bytes).into_owned()
}

fn host_decode(bytes: &[u8], label: &str, host_charsets: bool) -> Option<String> {
    let encoding = charset::host_encoding(label.as_bytes()).filter(|_| host_charsets)?;
    charset::decode(encoding, bytes)
}

/// A label from the message, safe to put in a note.
fn printable(label: &str) -> String {
    label.chars().filter(|c| !c.is_control()).take(40).collect()
}

/// Bytes to text in `charset` (when absent or unknown, as [`super::text::decode_text`]
/// reads them, with a note).
fn decode_charset(bytes: &[u8], charset: Option<&str>, host_charsets: bool, notes: &mut Vec<String>) -> String {
    if let Some(label) = charset {
        if let Some(text) = host_decode(bytes, label, host_charsets) {
            return text;
        }
        if let Some(decode) = charset_decoder(label.as_bytes()) {
            return decode(bytes);
        }
        if unknown_charset(label) {
            notes.push(format!("unknown charset {} decoded as utf-8 with replacement", printable(label)));
        }
    }
    // No usable charset: a byte-order mark, UTF-16 by its NUL bytes, else UTF-8 with
    // windows-1252 for the bytes that are not (super::text), so no letter becomes U+FFFD.
    let decoded = super::text::decode_text(bytes);
    if let Some(why) = decoded.why {
        notes.push(format!("read as {} ({why})", decoded.encoding));
    }
    decoded.text.into_owned()
}

/// A copy of a header block in which every RFC 2047 encoded word and RFC 2231 extended
/// parameter value in a charset of [`charset::host_encoding`] is decoded (as the parser
/// would, through [`charset::decode`]) and written again in UTF-8; `None` when the block
/// has none. The parser reads the same text from the copy as it reads natively from the
/// original, except for an encoded word in a place where it decodes none (inside an
/// address token): that one shows as a UTF-8 word instead of the original one.
fn transcode_header_block(block: &[u8]) -> Option<Vec<u8>> {
    let mut out: Option<Vec<u8>> = None;
    let mut copied = 0;
    let mut field_start = 0;
    while field_start < block.len() {
        // One field: a line and its folded continuation lines.
        let mut field_end = field_start;
        loop {
            field_end = memchr::memchr(b'\n', &block[field_end..]).map_or(block.len(), |i| field_end + i + 1);
            if !matches!(block.get(field_end), Some(b' ' | b'\t')) {
                break;
            }
        }
        let field = &block[field_start..field_end];
        // RFC 2231 values are parameters, so only in these two fields.
        let parameters = field_value(field, b"content-type").is_some() || field_value(field, b"content-disposition").is_some();
        let mut at = field_start;
        while let Some(i) = memchr::memchr2(b'=', b'*', &block[at..field_end]) {
            let i = at + i;
            let found = match (block[i], block.get(i + 1)) {
                (b'=', Some(b'?')) => host_encoded_word(&block[..field_end], i).map(|(end, text)| (i, end, text, true)),
                (b'*', Some(b'=')) if parameters => match host_extended_value(&block[..field_end], i + 2) {
                    Some((start, end, Some(text))) => Some((start, end, text, false)),
                    // Not decodable: left as written, and not looked into again.
                    Some((_, end, None)) => {
                        at = end.max(i + 1);
                        continue;
                    }
                    None => None,
                },
                _ => None,
            };
            let Some((start, end, text, word)) = found else {
                at = i + 1;
                continue;
            };
            let buffer = out.get_or_insert_with(|| Vec::with_capacity(block.len() * 2));
            buffer.extend_from_slice(&block[copied..start]);
            // Every byte but letters and digits escaped: nothing in the copy can end a token.
            let (head, escape, tail): (&[u8], u8, &[u8]) =
                if word { (b"=?utf-8?q?", b'=', b"?=") } else { (b"utf-8''", b'%', b"") };
            buffer.extend_from_slice(head);
            for byte in text.bytes() {
                if byte.is_ascii_alphanumeric() {
                    buffer.push(byte);
                } else {
                    buffer.extend_from_slice(&[escape, HEX[usize::from(byte >> 4)], HEX[usize::from(byte & 15)]]);
                }
            }
            buffer.extend_from_slice(tail);
            copied = end;
            at = end;
        }
        field_start = field_end;
    }
    let mut buffer = out?;
    buffer.extend_from_slice(&block[copied..]);
    Some(buffer)
}

const HEX: &[u8; 16] = b"0123456789ABCDEF";

/// The encoded word at `at` (`=?charset[*language]?B|Q?text?=`, read as the parser's
/// `decode_rfc2047` reads it) when its charset is a host one: its end and its text.
fn host_encoded_word(block: &[u8], at: usize) -> Option<(usize, String)> {
    let start = at + 2;
    let mut end = start;
    let mut label_end = None;
    loop {
        match *block.get(end)? {
            b'?' => break,
            b'*' if label_end.is_none() => label_end = Some(end),
            b'\n' => return None,
            _ => {}
        }
        end += 1;
    }
    let label = &block[start..label_end.unwrap_or(end)];
    if label.len() < 2 {
        return None;
    }
    let encoding = charset::host_encoding(label)?;
    let kind = *block.get(end + 1)?;
    if block.get(end + 2) != Some(&b'?') {
        return None;
    }
    let payload = end + 3;
    let mut stream = MessageStream::new(&block[payload..]);
    let bytes = match kind {
        b'b' | b'B' => stream.decode_base64_word(),
        b'q' | b'Q' => stream.decode_quoted_printable_word(),
        _ => None,
    }?;
    Some((payload + stream.offset(), charset::decode(encoding, &bytes)?))
}

/// The RFC 2231 value after a `*=` at `at` (`charset'language'%XX...`, optionally quoted)
/// when its charset is a host one: where its charset starts, where the value ends, and
/// the value's text (`None` when the parser would not decode it either, so it stays as
/// written). The language is dropped; the parser does not keep it. Charset and language
/// are looked for in a bounded window, so that a field full of `*=` stays linear.
fn host_extended_value(block: &[u8], at: usize) -> Option<(usize, usize, Option<String>)> {
    let token = |from: usize, max: usize| {
        let run = block[from..].iter().take(max).take_while(|&&b| !b.is_ascii_whitespace() && !matches!(b, b';' | b'"'));
        from + run.take_while(|&&b| b != b'\'').count()
    };
    let start = at + usize::from(block.get(at) == Some(&b'"'));
    let first = token(start, 46);
    let encoding = charset::host_encoding(&block[start..first]).filter(|_| block.get(first) == Some(&b'\''))?;
    let second = token(first + 1, 64);
    if block.get(second) != Some(&b'\'') {
        return None;
    }
    let value = second + 1;
    let end = value + block[value..].iter().take_while(|&&b| !matches!(b, b';' | b'"' | b'(' | b'\'') && !b.is_ascii_whitespace()).count();
    let text = match mail_parser::decoders::hex::decode_hex(&block[value..end]) {
        (true, bytes) => charset::decode(encoding, &bytes),
        (false, _) => None,
    };
    Some((start, end, text))
}

/// An inline `data:` URI found in a decoded part.
struct DataUri {
    offset: usize,
    media_type: String,
    charset: Option<String>,
    is_text: bool,
    bytes: Vec<u8>,
}

/// Most `data:` URIs read per part; each one is also counted against `max_parts`.
const MAX_DATA_URIS: usize = 1000;

/// The `data:` URIs in `text` (RFC 2397): `data:[<type>][;param]*[;base64],<data>`.
/// Non-text ones are returned without their bytes, so they can be listed as skipped.
fn data_uris(text: &str) -> Vec<DataUri> {
    let bytes = text.as_bytes();
    let mut found = Vec::new();
    for start in memchr::memmem::find_iter(bytes, b"data:") {
        if found.len() >= MAX_DATA_URIS {
            break;
        }
        if start > 0 && (bytes[start - 1].is_ascii_alphanumeric() || bytes[start - 1] == b'-') {
            continue; // "metadata:", "x-data:"
        }
        let head_start = start + 5;
        let Some(comma) = bytes[head_start..bytes.len().min(head_start + 256)].iter().position(|&b| b == b',') else {
            continue;
        };
        let header = &text[head_start..head_start + comma];
        if header.bytes().any(|b| b.is_ascii_whitespace() || matches!(b, b'"' | b'\'' | b'<' | b'>')) {
            continue;
        }
        let mut params = header.split(';');
        let media_type = params.next().unwrap_or("").trim().to_ascii_lowercase();
        let media_type = if media_type.is_empty() { "text/plain".to_owned() } else { media_type };
        let mut base64 = false;
        let mut charset = None;
        for param in params {
            let param = param.trim();
            if param.eq_ignore_ascii_case("base64") {
                base64 = true;
            } else if let Some((key, value)) = param.split_once('=') {
                if key.trim().eq_ignore_ascii_case("charset") {
                    charset = Some(value.trim().trim_matches('"').to_owned());
                }
            }
        }
        let body_start = head_start + comma + 1;
        // The payload ends at the attribute quote, a closing bracket or whitespace; base64
        // payloads wrapped over lines keep going across line breaks.
        let mut end = body_start;
        while end < bytes.len() {
            match bytes[end] {
                b'"' | b'\'' | b')' | b'<' | b'>' | b' ' | b'\t' => break,
                b'\r' | b'\n' if !base64 => break,
                _ => end += 1,
            }
        }
        let is_text = is_text_type(&media_type);
        let payload = &bytes[body_start..end];
        let data = if !is_text {
            Vec::new()
        } else if base64 {
            let clean: Vec<u8> = payload.iter().copied().filter(|b| !b.is_ascii_whitespace()).collect();
            match mail_parser::decoders::base64::base64_decode(&clean) {
                Some(decoded) => decoded,
                None => continue,
            }
        } else {
            percent_decode(payload)
        };
        found.push(DataUri { offset: start, media_type, charset, is_text, bytes: data });
    }
    found
}

/// `%XX` decoding for non-base64 `data:` URIs (the parser has none; six lines do it).
fn percent_decode(input: &[u8]) -> Vec<u8> {
    let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i] == b'%' && i + 2 < input.len() {
            if let (Some(h), Some(l)) = (hex(input[i + 1]), hex(input[i + 2])) {
                out.push(h << 4 | l);
                i += 3;
                continue;
            }
        }
        out.push(input[i]);
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    //! Fixtures are written by `tests/fixtures/mime/gen.py`; every secret in them is made
    //! up. Assertions compare booleans with messages that never contain a secret.
    use super::*;
    use std::time::{Duration, Instant};

    macro_rules! fixture {
        ($name:literal) => {
            include_bytes!(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/mime/", $name)).as_slice()
        };
    }

    fn decode(raw: &[u8]) -> DecodedMessage {
        decode_message(raw, &MimeOptions::default())
    }

    fn part<'a>(message: &'a DecodedMessage, path: &str) -> &'a DecodedPart {
        match message.parts.iter().find(|p| p.path == path) {
            Some(part) => part,
            None => panic!("no part {path}; parts: {:?}", message.parts.iter().map(|p| &p.path).collect::<Vec<_>>()),
        }
    }

    /// Release builds must meet the one-second budget; debug builds get ten times more.
    fn budget() -> Duration {
        if cfg!(debug_assertions) { Duration::from_secs(10) } else { Duration::from_secs(1) }
    }

    #[test]
    fn quoted_printable_soft_break_inside_a_password_is_joined() {
        let message = decode(fixture!("qp_soft_break.eml"));
        let joined = "Password: Xq7#vB2m9Lz!Tr";
        assert!(part(&message, "1").text.contains(joined), "plain part: soft break not joined");
        let html = part(&message, "2");
        assert_eq!(html.format, Format::Html);
        assert!(html.text.contains("Xq7#vB2m9Lz!Tr"), "html part: soft break not joined");
        assert!(part(&message, "1").text.contains("Café"), "=C3=A9 not decoded as UTF-8");
        assert!(message.limits_hit.is_empty() && message.skipped.is_empty());
    }

    #[test]
    fn windows_1252_body_and_encoded_subject_are_decoded() {
        let raw = fixture!("windows1252.eml");
        assert!(raw.contains(&0xF1), "fixture must hold the raw 0xF1 byte");
        let message = decode(raw);
        let body = &part(&message, "1").text;
        assert!(body.contains("Contraseña: "), "label with ñ not decoded from windows-1252");
        assert!(body.contains("María") && body.contains('–'), "windows-1252 letters and 0x96 dash");
        assert_eq!(part(&message, "header:Subject").text, "Cuenta creada ✓ contraseña temporal");
        let subject = part(&message, "header:Subject");
        assert!(raw[subject.raw_range.0..subject.raw_range.1].starts_with(b"Subject:"));
    }

    #[test]
    fn token_in_base64_csv_attachment_is_found_with_its_range() {
        let raw = fixture!("base64_csv.eml");
        let message = decode(raw);
        let csv = part(&message, "attachment:accounts.csv");
        assert_eq!(csv.content_type, "text/csv");
        assert_eq!(csv.format, Format::Text);
        assert!(csv.text.contains("1,ACME Corp,ghp_R4nd0mT0k3nValue"), "token not decoded from base64");
        assert_eq!(csv.text.matches("id,name,api_key").count(), 3, "unpadded base64 fully decoded");
        let (start, end) = csv.raw_range;
        assert!(raw[start..end].starts_with(b"Content-Type: text/csv"), "range starts at the part's headers");
        assert!(raw[end..].starts_with(b"\r\n--mix-01--"), "range ends at the end of the body");
    }

    #[test]
    fn clean_message_with_pdf_and_data_image_reads_the_pdf_and_skips_the_image() {
        let message = decode(fixture!("clean_pdf_data_image.eml"));
        let pdf = part(&message, "attachment:invoice-1042.pdf");
        assert_eq!(pdf.content_type, "application/pdf");
        assert!(pdf.text.contains("Invoice 1042\nTotal due: 42.00 EUR\n"), "PDF text: {:?}", pdf.text);
        assert_eq!(part(&message, "1.1").format, Format::Html);
        assert_eq!(message.skipped.len(), 1);
        assert_eq!(message.skipped[0].part, "1.1/data:1");
        assert!(message.skipped[0].reason.contains("image/png"));
        assert!(message.limits_hit.is_empty());
    }

    #[test]
    fn truncated_message_keeps_what_came_before_the_cut() {
        let message = decode(fixture!("truncated.eml"));
        assert_eq!(part(&message, "1").text, "First part, complete.");
        let cut = part(&message, "2");
        assert!(cut.text.contains("Password: Hq8$wR3nZx5"), "soft break in the cut part not joined");
        assert!(cut.text.ends_with("connection dro"));
        assert!(cut.notes.iter().any(|n| n.contains("no closing boundary")), "notes: {:?}", cut.notes);
    }

    #[test]
    fn nested_messages_are_read_plain_and_base64_encoded() {
        let raw = fixture!("nested_rfc822.eml");
        let message = decode(raw);
        for path in ["2.1", "3.1"] {
            assert!(part(&message, path).text.starts_with("postgres://admin:"), "{path}: nested body not read");
        }
        assert_eq!(part(&message, "2/header:Subject").text, "DB access");
        assert_eq!(part(&message, "3/header:Subject").text, "DB access");
        // Plain nesting points into the raw message; base64 nesting at its container.
        let plain = part(&message, "2/header:Subject").raw_range;
        assert!(raw[plain.0..plain.1].starts_with(b"Subject: DB access"));
        let encoded = part(&message, "3.1").raw_range;
        assert!(raw[encoded.0..encoded.1].starts_with(b"Content-Type: message/rfc822"));
    }

    #[test]
    fn charsets_data_uris_and_attachment_types() {
        let message = decode(fixture!("data_and_charsets.eml"));
        let unknown = part(&message, "1");
        assert!(unknown.notes.iter().any(|n| n == "unknown charset x-foo decoded as utf-8 with replacement"));
        let data = part(&message, "2/data:1");
        assert_eq!(data.content_type, "text/plain");
        assert!(data.text.starts_with("Temporary PIN: "), "data: URI not decoded");
        assert_eq!(data.raw_range, part(&message, "2").raw_range);
        assert!(part(&message, "attachment:config.json").text.contains("\"apiKey\""));
        let by_name = part(&message, "attachment:users.csv");
        assert!(by_name.text.starts_with("email,password"));
        assert!(by_name.notes[0].contains(".csv"));
        // An archive may hold text: unscanned, not merely skipped.
        assert!(message.skipped.is_empty(), "{:?}", message.skipped);
        assert_eq!(message.unscanned.len(), 1);
        assert_eq!(message.unscanned[0].part, "attachment:archive.zip");
        assert_eq!(message.unscanned[0].reason, "binary attachment application/zip not scanned: it may hold text");
    }

    fn many_parts(n: usize) -> Vec<u8> {
        let mut raw = b"From: a@example.com\r\nSubject: many\r\nContent-Type: multipart/mixed; boundary=\"b\"\r\n\r\n".to_vec();
        for i in 0..n {
            raw.extend_from_slice(format!("--b\r\nContent-Type: text/plain\r\n\r\npart {i}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"--b--\r\n");
        raw
    }

    fn deep(levels: usize) -> Vec<u8> {
        let mut raw = b"From: a@example.com\r\nSubject: deep\r\n".to_vec();
        for level in 0..levels {
            raw.extend_from_slice(format!("Content-Type: multipart/mixed; boundary=\"l{level}\"\r\n\r\n--l{level}\r\n").as_bytes());
        }
        raw.extend_from_slice(b"Content-Type: text/plain\r\n\r\ninnermost\r\n");
        for level in (0..levels).rev() {
            raw.extend_from_slice(format!("--l{level}--\r\n").as_bytes());
        }
        raw
    }

    #[test]
    fn ten_thousand_parts_hit_the_part_limit_quickly() {
        let raw = many_parts(10_000);
        let started = Instant::now();
        let message = decode(&raw);
        assert!(started.elapsed() < budget(), "took {:?}", started.elapsed());
        assert_eq!(message.limits_hit, ["message has more than 500 parts; parts after 500 not read"]);
        assert_eq!(message.parts.len(), 500);
        assert!(message.unscanned.iter().any(|s| s.reason.starts_with("message has more than 500 parts")));
        // Raised limit: every part is read.
        let all = decode_message(&raw, &MimeOptions { max_parts: 20_000, ..MimeOptions::default() });
        assert!(all.limits_hit.is_empty());
        assert_eq!(all.parts.iter().filter(|p| p.content_type == "text/plain").count(), 10_000);
        assert_eq!(part(&all, "10000").text, "part 9999");
    }

    #[test]
    fn forty_levels_deep_hits_the_depth_limit_quickly() {
        let raw = deep(40);
        let started = Instant::now();
        let message = decode(&raw);
        assert!(started.elapsed() < budget(), "took {:?}", started.elapsed());
        assert_eq!(message.limits_hit, ["message nests deeper than 16 levels; parts below level 16 not read"]);
        assert!(!message.parts.iter().any(|p| p.text == "innermost"));
        assert_eq!(message.unscanned.len(), 1);
        let deep_enough = decode_message(&raw, &MimeOptions { max_depth: 64, ..MimeOptions::default() });
        assert!(deep_enough.limits_hit.is_empty());
        let inner = deep_enough.parts.iter().find(|p| p.text == "innermost").map(|p| p.path.clone());
        assert_eq!(inner, Some(vec!["1"; 40].join(".")));
    }

    #[test]
    fn pathological_nesting_is_linear_and_does_not_overflow_the_stack() {
        for raw in [deep(20_000), many_parts(100_000)] {
            let started = Instant::now();
            let message = decode(&raw);
            assert!(started.elapsed() < budget() * 3, "took {:?}", started.elapsed());
            assert_eq!(message.limits_hit.len(), 1);
        }
    }

    fn nested_messages(levels: usize) -> Vec<u8> {
        let mut raw = Vec::new();
        for _ in 0..levels {
            raw.extend_from_slice(b"Subject: x\r\nContent-Type: message/rfc822\r\n\r\n");
        }
        raw.extend_from_slice(b"Subject: in\r\n\r\ninnermost\r\n");
        raw
    }

    #[test]
    fn deeply_nested_messages_fit_a_small_stack() {
        // mail-parser alone overflows a 1 MB stack (the wasm default) on a few hundred
        // message/rfc822 levels inside a base64 part; the walker must not.
        let inner = nested_messages(5_000);
        let mut encoded = b"Subject: outer\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n".to_vec();
        for chunk in inner.chunks(57) {
            encoded.extend_from_slice(crate_free_base64(chunk).as_bytes());
            encoded.extend_from_slice(b"\r\n");
        }
        let handle = std::thread::Builder::new().stack_size(1 << 20).spawn(move || {
            let wide = MimeOptions { max_depth: usize::MAX, max_parts: 1_000_000, ..MimeOptions::default() };
            let started = Instant::now();
            let plain = decode_message(&nested_messages(100_000), &wide);
            let encoded = decode_message(&encoded, &wide);
            let mut qp = Vec::new();
            for _ in 0..40 {
                qp.extend_from_slice(b"Subject: q\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
            }
            qp.extend_from_slice(b"Subject: in\r\n\r\ninnermost\r\n");
            let qp = decode_message(&qp, &wide);
            (started.elapsed(), plain.limits_hit, encoded.limits_hit, qp.limits_hit, qp.parts.len())
        });
        let (elapsed, plain, encoded, qp, parts) = handle.expect("spawn").join().expect("no stack overflow");
        assert!(elapsed < budget(), "took {elapsed:?}");
        // Plain nesting (also inside one base64 part) is walked without recursion down to
        // the hard depth bound; encoded-in-encoded nesting is parsed level by level and
        // stops at its own bound.
        let too_deep = format!("message nests deeper than {HARD_MAX_DEPTH} levels; parts below level {HARD_MAX_DEPTH} not read");
        assert_eq!(plain, [too_deep.as_str()]);
        assert_eq!(encoded, [too_deep]);
        let expected = format!(
            "encoded or digest messages nested more than {MAX_NESTED_MESSAGES} deep (or too much to re-read); the inner ones not read"
        );
        assert_eq!(qp, [expected]);
        assert!(parts > MAX_NESTED_MESSAGES, "the outer levels are read");
    }

    /// Standard base64 for building test input.
    fn crate_free_base64(data: &[u8]) -> String {
        const TABLE: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut out = String::new();
        for chunk in data.chunks(3) {
            let n = (u32::from(chunk[0]) << 16)
                | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
                | u32::from(*chunk.get(2).unwrap_or(&0));
            for k in 0..4 {
                out.push(if k <= chunk.len() { TABLE[(n >> (18 - 6 * k) & 63) as usize] as char } else { '=' });
            }
        }
        out
    }

    #[test]
    fn digest_children_are_read_as_messages() {
        let raw = b"Subject: digest\r\nContent-Type: multipart/digest; boundary=d\r\n\r\n--d\r\n\r\nSubject: first\r\n\r\nbody one\r\n--d\r\n\r\nSubject: second\r\n\r\nbody two\r\n--d--\r\n";
        let message = decode(raw);
        assert_eq!(part(&message, "1/header:Subject").text, "first");
        assert_eq!(part(&message, "2.1").text, "body two");
        let range = part(&message, "2/header:Subject").raw_range;
        assert!(raw[range.0..range.1].starts_with(b"Subject: second"));
        // Renaming for the parser never shows: types are reported as written.
        let typed = decode(b"Content-Type: message/delivery-status\r\n\r\nStatus: 5.0.0\r\n");
        assert_eq!(typed.parts[0].content_type, "message/delivery-status");
        assert_eq!(typed.parts[0].text, "Status: 5.0.0\r\n");
    }

    #[test]
    fn size_limits_cut_and_say_so() {
        let raw = fixture!("qp_soft_break.eml");
        let small = MimeOptions { max_message_bytes: 300, ..MimeOptions::default() };
        let message = decode_message(raw, &small);
        assert!(message.limits_hit[0].starts_with(&format!("message is {} bytes, more than the limit of 300", raw.len())));
        assert_eq!(message.unscanned[0].part, "bytes 300..");
        let tiny_parts = MimeOptions { max_part_bytes: 20, ..MimeOptions::default() };
        let message = decode_message(raw, &tiny_parts);
        let body = part(&message, "1");
        assert!(body.text.len() <= 20);
        assert!(body.notes.iter().any(|n| n.contains("more than the limit of 20")));
        assert!(message.limits_hit.iter().any(|l| l.starts_with("part 1 decodes to")));
    }

    #[test]
    fn broken_input_never_panics() {
        let fixtures: [&[u8]; 14] = [
            fixture!("latin1_no_charset.eml"),
            fixture!("folded_boundary.eml"),
            fixture!("no_boundary.eml"),
            fixture!("wrong_boundary.eml"),
            fixture!("invalid_content_type.eml"),
            fixture!("message_news.eml"),
            fixture!("rfc2231_params.eml"),
            fixture!("qp_soft_break.eml"),
            fixture!("windows1252.eml"),
            fixture!("base64_csv.eml"),
            fixture!("clean_pdf_data_image.eml"),
            fixture!("truncated.eml"),
            fixture!("nested_rfc822.eml"),
            fixture!("data_and_charsets.eml"),
        ];
        for raw in fixtures {
            for cut in 0..raw.len() {
                let _ = decode(&raw[..cut]);
            }
        }
        for raw in [
            &b""[..],
            b"\r\n\r\n",
            b"no headers at all, Password: hunter2hunter2",
            b"Content-Type: multipart/mixed; boundary=x\r\n\r\n--x\r\n--x\r\n--x--",
            b"Content-Type: multipart/mixed; boundary=\"\"\r\n\r\n----\r\n",
            b"Content-Type: message/rfc822\r\n\r\nContent-Type: message/rfc822\r\n\r\n",
            b"Content-Type: text/plain; charset=\r\nContent-Transfer-Encoding: base64\r\n\r\n====\r\n",
            b"Content-Type: text/html\r\n\r\n<a href=\"data:text/plain;base64,@@@\">data:,%4 data:",
        ] {
            let _ = decode(raw);
        }
        let headerless = decode(b"no headers at all, Password: hunter2hunter2");
        assert_eq!(headerless.parts.len(), 1, "headerless input is still read as text");
    }

    #[test]
    fn delimiter_lines_give_the_boundary() {
        assert_eq!(delimiter_boundary(b"preamble\r\n--b1\r\nContent-Type: text/plain\r\n\r\nx\r\n--b1--\r\n"), Some(b"b1".to_vec()));
        assert_eq!(delimiter_boundary(b"--x\n\nbody\n--x\n\nmore\n--y\n\n--x--\n"), Some(b"x".to_vec()));
        // A signature separator and a rule line start no part.
        assert_eq!(delimiter_boundary(b"Thanks\r\n-- \r\nMaria\r\n----------\r\nnot a header\r\n"), None);
    }

    #[test]
    fn parameters_folded_anywhere_are_read() {
        for field in ["boundary=\r\n \"b1\"", "boundary\r\n =\"b1\"", "boundary=\r\n\tb1", "\r\n boundary=\"b1\""] {
            let raw = format!("Subject: x\r\nContent-Type: multipart/mixed; {field}\r\n\r\n--b1\r\nContent-Type: text/plain\r\n\r\ninside\r\n--b1--\r\n");
            let message = decode(raw.as_bytes());
            assert_eq!(part(&message, "1").text, "inside", "{field:?}");
            assert!(message.notes.is_empty(), "{field:?}: split by its boundary, not its delimiter lines");
        }
        let raw = b"Subject: x\r\nContent-Type: application/octet-stream\r\nContent-Disposition: attachment; filename=\r\n \"keys.txt\"\r\n\r\nsecret\r\n";
        assert_eq!(part(&decode(raw), "attachment:keys.txt").text, "secret\r\n");
    }

    #[test]
    fn eml_sniffing() {
        assert!(looks_like_eml(fixture!("windows1252.eml")));
        assert!(looks_like_eml(b"From sender@example.com Mon Jan  1 00:00:00 2024\nSubject: x\n\nbody"));
        assert!(looks_like_eml(b"Received: from a\r\n\tby b\r\nSubject: x\r\n\r\n"));
        assert!(!looks_like_eml(b"Password: hunter2\n\nHello"));
        assert!(!looks_like_eml(b"<html><body>Subject: x</body></html>"));
        assert!(!looks_like_eml(b"Dear customer,\nSubject: your invoice"));
        assert!(!looks_like_eml(b""));
    }

    /// The wasm route for charsets without `encoding_rs` ([`HOST_CHARSETS`]), run natively
    /// against the parser with `encoding_rs` (which also writes the test messages).
    #[cfg(not(target_arch = "wasm32"))]
    mod host_charsets {
        use super::*;

        /// `text` in `encoding`, as bytes (the tests' encoder; decoding is what is tested).
        fn encoded(encoding: &'static encoding_rs::Encoding, text: &str) -> Vec<u8> {
            encoding.encode(text).0.into_owned()
        }

        fn base64(bytes: &[u8]) -> String {
            const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
            let mut out = String::new();
            for chunk in bytes.chunks(3) {
                let n = chunk.iter().enumerate().fold(0u32, |n, (i, &b)| n | u32::from(b) << (16 - 8 * i));
                for i in 0..4 {
                    out.push(if i <= chunk.len() { char::from(ALPHABET[(n >> (18 - 6 * i) & 63) as usize]) } else { '=' });
                }
            }
            out
        }

        fn percent(bytes: &[u8]) -> String {
            bytes.iter().map(|b| format!("%{b:02X}")).collect()
        }

        /// Messages in the charsets the wasm build decodes through the host: bodies (plain,
        /// base64, quoted-printable, cut off), encoded words, RFC 2231 and encoded file names,
        /// text attachments, a `data:` URI and a base64-encoded nested message.
        fn host_charset_messages() -> Vec<Vec<u8>> {
            use encoding_rs::{BIG5, EUC_KR, GBK, ISO_2022_JP, SHIFT_JIS};
            let sjis = encoded(SHIFT_JIS, "パスワード: Xq7#vB2m9L（仮）");
            let jis = encoded(ISO_2022_JP, "ご注文ありがとうございます。暗証番号: 4921");
            let euc_kr = encoded(EUC_KR, "비밀번호: Hq8$wR3nZx5");
            let gbk = encoded(GBK, "密码：Tr9!mK2pQ7");
            let big5 = encoded(BIG5, "帳號,密碼\r\nmaria,Winter2025!\r\n");
            let mut messages = Vec::new();

            let mut m = b"From: =?shift_jis?B?".to_vec();
            m.extend(base64(&encoded(SHIFT_JIS, "山田 太郎")).bytes());
            m.extend(b"?= <taro@example.jp>\r\nTo: =?ISO-2022-JP?B?");
            m.extend(base64(&encoded(ISO_2022_JP, "経理部")).bytes());
            m.extend(b"?= <billing@example.jp>, plain@example.org\r\nSubject: =?iso-2022-jp?B?");
            m.extend(base64(&jis).bytes());
            m.extend(b"?=\r\n =?EUC-KR?Q?");
            m.extend(encoded(EUC_KR, "안내").iter().flat_map(|b| format!("={b:02X}").into_bytes()));
            m.extend(b"?= tail =?utf-8?B?4pyT?=\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n");
            m.extend(b"--b1\r\nContent-Type: text/plain; charset=Shift_JIS\r\nContent-Transfer-Encoding: 8bit\r\n\r\n");
            m.extend(&sjis);
            m.extend(b"\r\n--b1\r\nContent-Type: text/html; charset=\"ISO-2022-JP\"\r\n\r\n<p>");
            m.extend(&jis);
            m.extend(b"</p><a href=\"data:text/plain;charset=shift_jis;base64,");
            m.extend(base64(&sjis).bytes());
            m.extend(b"\">x</a>\r\n--b1\r\nContent-Type: text/plain; charset=euc-kr\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            m.extend(base64(&euc_kr).bytes());
            m.extend(b"\r\n--b1\r\nContent-Type: text/plain;\r\n charset=gbk\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n");
            m.extend(gbk.iter().flat_map(|&b| if b < 0x80 && b != b'=' { vec![b] } else { format!("={b:02X}").into_bytes() }));
            m.extend(b"   \r\n--b1\r\nContent-Type: text/csv; charset=big5\r\nContent-Disposition: attachment; filename*=big5''");
            m.extend(percent(&encoded(BIG5, "帳號.csv")).bytes());
            m.extend(b"\r\n\r\n");
            m.extend(&big5);
            m.extend(b"\r\n--b1\r\nContent-Type: application/octet-stream; charset=gb18030;\r\n name=\"=?shift_jis?B?");
            m.extend(base64(&encoded(SHIFT_JIS, "メモ.txt")).bytes());
            m.extend(b"?=\"\r\nContent-Disposition: attachment\r\n\r\n");
            m.extend(encoded(encoding_rs::GB18030, "口令: Zx5#Lp8w 🙂"));
            m.extend(b"\r\n--b1\r\nContent-Type: message/rfc822\r\nContent-Transfer-Encoding: base64\r\n\r\n");
            let mut inner = b"Subject: =?big5?B?".to_vec();
            inner.extend(base64(&encoded(BIG5, "轉寄")).bytes());
            inner.extend(b"?=\r\nContent-Type: text/plain; charset=big5\r\n\r\n");
            inner.extend(&big5);
            m.extend(base64(&inner).bytes());
            m.extend(b"\r\n--b1\r\nContent-Type: text/plain; charset=x-user-defined\r\n\r\nPIN \x80\xff 1234\r\n");
            m.extend(b"--b1\r\nContent-Type: text/plain; charset=iso-2022-kr\r\n\r\nanything\r\n");
            m.extend(b"--b1\r\nContent-Type: text/plain; charset=shift_jis\r\n\r\n\xef\xbb\xbfBOM then UTF-8: \xe2\x9c\x93\r\n");
            m.extend(b"--b1\r\nContent-Type: text/plain; charset=shift_jis\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\ncut =8");
            messages.push(m);

            // A single-part message, and one whose only host charset is in a header.
            let mut m = b"Subject: plain\r\nContent-Type: text/plain; charset=\"windows-31j\"\r\n\r\n".to_vec();
            m.extend(&sjis);
            messages.push(m);
            let mut m = b"Subject: =?GB2312?B?".to_vec();
            m.extend(base64(&gbk).bytes());
            m.extend(b"?=\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nbody\r\n");
            messages.push(m);
            // Language tags, a quoted and a continued RFC 2231 name, an undecodable one.
            let mut m = b"Subject: =?shift_jis*ja?Q?".to_vec();
            m.extend(encoded(SHIFT_JIS, "件名").iter().flat_map(|b| format!("={b:02X}").into_bytes()));
            m.extend(b"?= and =?shift_jis?B?@@@?=\r\nContent-Type: application/octet-stream; charset=sjis;\r\n name*0*=\"sjis'ja'");
            m.extend(percent(&encoded(SHIFT_JIS, "請求書")).bytes());
            m.extend(b"\"; name*1*=%41.txt; x*=sjis''%Z1\r\n\r\n");
            m.extend(&sjis);
            messages.push(m);
            messages
        }

        /// The CPU time this thread has used (Linux: `/proc/thread-self/schedstat`, in ns),
        /// which other processes on a loaded machine do not inflate; wall time elsewhere.
        fn thread_time(wall: Instant) -> Duration {
            std::fs::read_to_string("/proc/thread-self/schedstat")
                .ok()
                .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
                .map_or_else(|| wall.elapsed(), Duration::from_nanos)
        }

        /// Linear, measured against itself: each hostile block is read at 100 kB and at
        /// 400 kB, interleaved, best of two runs each in this thread's CPU time, and 4× the
        /// input must cost less than 8× (quadratic work costs 16×). A fixed wall-clock
        /// budget failed under CI load (24.7 s against 20 s) without anything quadratic.
        #[test]
        fn transcoding_hostile_header_blocks_is_linear() {
            let block = |unit: &[u8], bytes: usize| {
                let mut block = b"Content-Type: text/plain; name".to_vec();
                block.extend(unit.repeat(bytes / unit.len()));
                block.extend(b"\r\n\r\n");
                block
            };
            let wall = Instant::now();
            let cost = |block: &[u8]| {
                let started = thread_time(wall);
                let _ = transcode_header_block(block);
                let _ = decode_message_with(block, &MimeOptions::default(), true);
                thread_time(wall).saturating_sub(started)
            };
            for unit in [&b"*=sjis'ja'%4"[..], b"*=sjis''", b"=?sjis?Q?=", b"=?sjis?B?", b"*=", b"=?"] {
                let (small, large) = (block(unit, 100_000), block(unit, 400_000));
                let (mut small_best, mut large_best) = (Duration::MAX, Duration::MAX);
                for _ in 0..2 {
                    small_best = small_best.min(cost(&small));
                    large_best = large_best.min(cost(&large));
                }
                // Below a few milliseconds the ratio is timer noise, and there is nothing to find.
                let floor = Duration::from_millis(20);
                assert!(
                    large_best < floor || large_best < small_best.max(floor / 4) * 8,
                    "{:?}: 100 kB in {small_best:?}, 400 kB in {large_best:?}: not linear",
                    String::from_utf8_lossy(unit)
                );
            }
        }

        #[test]
        fn host_charsets_decode_as_the_parser_does() {
            // Natively charset::decode is encoding_rs, which is what the parser uses: the wasm
            // route (rename, transcode, decode here) must give exactly the same message.
            for (index, raw) in host_charset_messages().iter().enumerate() {
                let native = decode_message_with(raw, &MimeOptions::default(), false);
                let host = decode_message_with(raw, &MimeOptions::default(), true);
                assert!(native == host, "message {index}: host route differs:\n{native:#?}\n{host:#?}");
                assert!(native.parts.iter().all(|p| !p.text.contains('\u{FFFD}') || p.text == "\u{FFFD}"), "message {index}: lossy text");
            }
            // And the route leaves the parser nothing to decode in those charsets: no text
            // part in one (they are renamed), no encoded word or RFC 2231 value in one in a
            // transcoded header block.
            for (index, raw) in host_charset_messages().iter().enumerate() {
                let neutral = neutralize_nesting(raw, true);
                let parsed = MessageParser::default().parse(neutral.as_ref()).expect("parses");
                for part in &parsed.parts {
                    let host = part.content_type().and_then(|ct| ct.attribute("charset")).and_then(|c| charset::host_encoding(c.as_bytes()));
                    assert!(host.is_none() || !matches!(part.body, PartType::Text(_) | PartType::Html(_)) || part.is_encoding_problem, "message {index}: text part left to the parser");
                    let block = &parsed.raw_message[part.offset_header as usize..part.offset_body as usize];
                    if let Some(copy) = transcode_header_block(block) {
                        assert!(transcode_header_block(&copy).is_none(), "message {index}: a host word left in a header block");
                    }
                }
            }
            // The route is taken: the first message is renamed and its headers transcoded.
            let raw = &host_charset_messages()[0];
            assert!(matches!(neutralize_nesting(raw, true), Cow::Owned(_)), "text parts renamed");
            assert!(transcode_header_block(raw).is_some(), "encoded words transcoded");
            let message = decode_message_with(raw, &MimeOptions::default(), true);
            let paths: Vec<&str> = message.parts.iter().map(|p| p.path.as_str()).collect();
            for path in ["header:Subject", "header:From", "1", "2", "2/data:1", "3", "4", "attachment:帳號.csv", "attachment:メモ.txt", "7/header:Subject", "7.1"] {
                assert!(paths.contains(&path), "no part {path} in {paths:?}");
            }
            assert!(part(&message, "1").text.starts_with("パスワード: "), "Shift_JIS body");
            assert!(part(&message, "header:Subject").text.starts_with("ご注文ありがとうございます。"), "ISO-2022-JP subject");
        }
    }
}
