//! HTML → [`View`]: the text a reader of the rendered mail would see, shaped for detectors.
//!
//! This is not a browser parser and builds no tree: one left-to-right pass over the bytes,
//! linear in the input, no recursion, so 100k nested `<div>`s or a 50 MB template cost the
//! same per byte as a short one. What it does:
//!
//! - drops tags, comments, `<!DOCTYPE>`, and the content of `<script>` and `<style>`;
//! - decodes character references (named, `&#80;`, `&#x50;`, legacy names without `;`),
//!   so `&#80;assword` reads `Password`; `&nbsp;` becomes a plain space and invisible
//!   characters written as references (`&shy;`, `&zwnj;`, `&#8203;`) are dropped, so they
//!   cannot split a keyword;
//! - turns cell boundaries into one `\t` and block boundaries into `\n`, while inline tags
//!   (`<b>`, `<span>`, `<code>` ...) leave nothing, so `<b>Pass</b>word` reads `Password`
//!   and `<td>Password</td><td>x9!Kq</td>` reads `Password\tx9!Kq`;
//! - keeps the values of `href`, `src`, `action` and `value` attributes (credentials in
//!   URLs, prefilled form fields) as lines of their own, except binary `data:` URIs;
//! - keeps text verbatim (offsets stay simple), trimming only whitespace that touches a
//!   separator; inside `<pre>` nothing is trimmed, so PEM blocks keep their line breaks;
//! - keeps the text of a comment that contains `sendguard:allow`, so inline suppressions
//!   written as HTML comments still reach the engine.
//!
//! Where the input ends inside markup (an unclosed tag, comment or `<style>`), the rest is
//! read as text: a scanner should rather see too much than let a truncated template hide
//! a secret. Every byte of the view maps back into the source through the [`OffsetMap`].

use super::{OffsetMap, View};

/// How far into a document [`looks_like_html`] looks.
const SNIFF_BYTES: usize = 4096;

/// Longest entity name we try to match (`&CounterClockwiseContourIntegral;` is 31).
const MAX_ENTITY_NAME: usize = 32;

/// Longest legacy entity name that may appear without a `;` (`frac12`, `Agrave` ...).
const MAX_LEGACY_NAME: usize = 6;

/// Tags whose presence (opening or closing) makes a document HTML for [`looks_like_html`].
#[rustfmt::skip]
const SNIFF_TAGS: &[&[u8]] = &[
    b"html", b"head", b"body", b"meta", b"title", b"style", b"p", b"div", b"span", b"table",
    b"tbody", b"tr", b"td", b"th", b"br", b"hr", b"img", b"font", b"b", b"strong", b"em", b"i",
    b"u", b"center", b"ul", b"ol", b"li", b"h1", b"h2", b"h3", b"h4", b"h5", b"h6", b"pre",
    b"code", b"blockquote", b"dl", b"dt", b"dd",
];

/// Marker that keeps an HTML comment's text in the view (inline suppressions).
const ALLOW_MARKER: &[u8] = b"sendguard:allow";

/// True when `src` looks like HTML: a doctype or a common tag in its first few KB.
///
/// Tag names must be followed by whitespace, `>` or `/`, so that `<bob@example.com>` or
/// `<tablespoon>` in a plain-text mail do not count. Case-insensitive.
pub fn looks_like_html(src: &str) -> bool {
    let bytes = src.as_bytes();
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &head[i..]) {
        let p = i + off;
        i = p + 1;
        let rest = &head[p + 1..];
        if starts_with_ignore_case(rest, b"!doctype") {
            return true;
        }
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        let name_len = rest
            .iter()
            .take_while(|b| b.is_ascii_alphanumeric())
            .count();
        if name_len == 0 || name_len > 8 {
            continue;
        }
        let delimited = match rest.get(name_len) {
            Some(&b) => is_space(b) || b == b'>' || b == b'/',
            None => false,
        };
        if !delimited {
            continue;
        }
        let mut lower = [0u8; 8];
        for (d, s) in lower.iter_mut().zip(&rest[..name_len]) {
            *d = s.to_ascii_lowercase();
        }
        let name = &lower[..name_len];
        let known = SNIFF_TAGS.contains(&name);
        if known {
            return true;
        }
        if name == b"a" {
            let attrs = &rest[1..];
            let gap = attrs.iter().take_while(|&&b| is_space(b)).count();
            if gap > 0 && starts_with_ignore_case(&attrs[gap..], b"href") {
                return true;
            }
        }
    }
    false
}

/// Decodes HTML into the text the detectors read, with a map back to `src`.
///
/// The result's offsets are byte offsets into `src`: a literal character maps to itself,
/// a decoded reference to the whole reference (`&amp;` → all five bytes), an inserted
/// separator to the markup between the texts it separates (its offset is where the
/// previous text ends). Never panics and runs in linear time on any input.
pub fn html_view(src: &str) -> View {
    let mut w = Writer::new(src);
    let bytes = src.as_bytes();
    let mut attrs: Vec<Attr> = Vec::new();
    // Start of text not yet handed to the writer.
    let mut seg = 0;
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let p = i + off;
        let markup = parse_markup(bytes, p, &mut attrs);
        if let Markup::LiteralLt = markup {
            i = p + 1;
            continue;
        }
        w.text(seg, p, false);
        match markup {
            Markup::LiteralLt => {}
            Markup::Truncated => {
                // The input ends inside markup: show the rest as text rather than hide it.
                w.text(p, bytes.len(), false);
                seg = bytes.len();
                break;
            }
            Markup::Skip { end } => {
                seg = end;
            }
            Markup::Comment { inner, end } => {
                if contains_ignore_case(&bytes[inner.0..inner.1], ALLOW_MARKER) {
                    w.separator(Sep::Space);
                    w.literal(inner.0, inner.1);
                    w.separator(Sep::Space);
                }
                seg = end;
            }
            Markup::CData { inner, end } => {
                w.literal(inner.0, inner.1);
                seg = end;
            }
            Markup::Tag { end_tag, name, end } => {
                let kind = classify(&bytes[name.0..name.1]);
                seg = end;
                if end_tag {
                    match kind {
                        TagKind::Block => w.separator(Sep::Newline),
                        TagKind::Break => w.separator(Sep::Break),
                        TagKind::Cell => w.separator(Sep::Tab),
                        TagKind::Pre => {
                            w.pre = w.pre.saturating_sub(1);
                            w.separator(Sep::Newline);
                        }
                        TagKind::RawText | TagKind::Inline => {}
                    }
                } else {
                    match kind {
                        TagKind::Block => w.separator(Sep::Newline),
                        TagKind::Break => w.separator(Sep::Break),
                        TagKind::Cell => w.separator(Sep::Tab),
                        TagKind::Pre => {
                            w.separator(Sep::Newline);
                            w.pre = w.pre.saturating_add(1);
                            // As in HTML, a newline right after `<pre>` is not content.
                            if bytes[end..].starts_with(b"\r\n") {
                                seg = end + 2;
                            } else if bytes[end..].starts_with(b"\n") {
                                seg = end + 1;
                            }
                        }
                        TagKind::RawText | TagKind::Inline => {}
                    }
                    for a in &attrs {
                        w.attribute(a.value.0, a.value.1);
                    }
                    if kind == TagKind::RawText {
                        match find_end_tag(bytes, end, &bytes[name.0..name.1]) {
                            Some(after) => seg = after,
                            None => {
                                // Unclosed <style>/<script>: the rest is read as text.
                                w.text(end, bytes.len(), false);
                                seg = bytes.len();
                                break;
                            }
                        }
                    }
                }
            }
        }
        i = seg;
    }
    w.text(seg, bytes.len(), false);
    w.finish()
}

/// A kept attribute value, as a source byte range.
#[derive(Debug, Clone, Copy)]
struct Attr {
    value: (usize, usize),
}

/// What a `<` at some position starts.
#[derive(Debug, Clone, Copy)]
enum Markup {
    /// A literal `<` (`a < b`).
    LiteralLt,
    /// Markup that the input ends inside.
    Truncated,
    /// Something to drop: doctype, processing instruction, bogus comment, `</>`.
    Skip { end: usize },
    /// `<!-- ... -->`; `inner` is the comment text.
    Comment { inner: (usize, usize), end: usize },
    /// `<![CDATA[ ... ]]>`; `inner` is kept as text.
    CData { inner: (usize, usize), end: usize },
    /// A start or end tag; `name` is the tag name's byte range, `end` is after the `>`.
    Tag {
        end_tag: bool,
        name: (usize, usize),
        end: usize,
    },
}

/// What a tag does to the view.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TagKind {
    /// Leaves nothing: `<b>`, `<span>`, `<a>` and unknown tags.
    Inline,
    /// A block boundary: one `\n`.
    Block,
    /// `<br>`: a line break; two in a row make a blank line.
    Break,
    /// A table cell boundary: one `\t`.
    Cell,
    /// `<pre>` and friends: a block whose whitespace is kept as is.
    Pre,
    /// `<script>`, `<style>`: content dropped up to the matching end tag.
    RawText,
}

fn classify(name: &[u8]) -> TagKind {
    let mut lower = [0u8; 12];
    if name.len() > lower.len() {
        return TagKind::Inline;
    }
    for (d, s) in lower.iter_mut().zip(name) {
        *d = s.to_ascii_lowercase();
    }
    match &lower[..name.len()] {
        b"br" => TagKind::Break,
        b"td" | b"th" => TagKind::Cell,
        b"pre" | b"listing" | b"textarea" | b"xmp" | b"plaintext" => TagKind::Pre,
        b"script" | b"style" => TagKind::RawText,
        b"address" | b"article" | b"aside" | b"blockquote" | b"body" | b"caption" | b"center"
        | b"dd" | b"details" | b"dialog" | b"dir" | b"div" | b"dl" | b"dt" | b"fieldset"
        | b"figcaption" | b"figure" | b"footer" | b"form" | b"h1" | b"h2" | b"h3" | b"h4"
        | b"h5" | b"h6" | b"head" | b"header" | b"hr" | b"html" | b"iframe" | b"legend" | b"li"
        | b"main" | b"menu" | b"nav" | b"noscript" | b"ol" | b"option" | b"p" | b"section"
        | b"select" | b"summary" | b"table" | b"tbody" | b"tfoot" | b"thead" | b"title" | b"tr"
        | b"ul" => TagKind::Block,
        _ => TagKind::Inline,
    }
}

/// Parses the markup that the `<` at `p` starts. Fills `attrs` with the kept attributes
/// of a start tag (cleared first).
fn parse_markup(bytes: &[u8], p: usize, attrs: &mut Vec<Attr>) -> Markup {
    attrs.clear();
    let rest = &bytes[p + 1..];
    match rest.first() {
        Some(b) if b.is_ascii_alphabetic() => angle_placeholder(bytes, p).unwrap_or_else(|| parse_tag(bytes, p + 1, false, attrs)),
        Some(b'/') => match rest.get(1) {
            Some(b) if b.is_ascii_alphabetic() => parse_tag(bytes, p + 2, true, attrs),
            Some(b'>') => Markup::Skip { end: p + 3 },
            // `</` then anything else is a bogus comment up to `>`.
            Some(_) => skip_to_gt(bytes, p + 2),
            None => Markup::Truncated,
        },
        Some(b'!') => {
            if rest.starts_with(b"!--") {
                parse_comment(bytes, p + 4)
            } else if rest.starts_with(b"![CDATA[") {
                let start = p + 9;
                match memchr::memmem::find(&bytes[start..], b"]]>") {
                    Some(off) => Markup::CData {
                        inner: (start, start + off),
                        end: start + off + 3,
                    },
                    None => Markup::Truncated,
                }
            } else {
                skip_to_gt(bytes, p + 2)
            }
        }
        Some(b'?') => php_tag(bytes, p).unwrap_or_else(|| skip_to_gt(bytes, p + 2)),
        Some(_) => Markup::LiteralLt,
        None => Markup::LiteralLt,
    }
}

/// A template's angle-bracket placeholder at `p` (`<NewPassword>`, `<site_name>`), kept
/// in the view as text: a name with no attributes, written in camelCase or with an
/// underscore, which no HTML element is (`<B>`, `<Button>`, `<o:p>` stay tags).
fn angle_placeholder(bytes: &[u8], p: usize) -> Option<Markup> {
    let name = &bytes[p + 1..];
    let n = name.iter().take(64).take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    let named = &name[..n];
    let camel = named.windows(2).any(|w| w[0].is_ascii_lowercase() && w[1].is_ascii_uppercase());
    (name.get(n) == Some(&b'>') && (camel || named.contains(&b'_'))).then_some(Markup::CData { inner: (p, p + n + 2), end: p + n + 2 })
}

/// Longest PHP tag read as one, in bytes.
const MAX_PHP_TAG: usize = 1024;

/// A PHP tag at `p` (`<?= … ?>`, `<?php … ?>`), up to its `?>` rather than the first `>`
/// (`$user->password` holds one). One that prints (`<?=`, `<?php echo`/`print`) stays in
/// the view whole, as the placeholder it is in a template; other code is dropped. `None`
/// for another processing instruction or a tag not closed within [`MAX_PHP_TAG`].
fn php_tag(bytes: &[u8], p: usize) -> Option<Markup> {
    let rest = &bytes[p + 2..];
    let echo = rest.starts_with(b"=");
    let php = rest.len() > 3 && rest[..3].eq_ignore_ascii_case(b"php") && rest.get(3).is_some_and(u8::is_ascii_whitespace);
    if !echo && !php {
        return None;
    }
    let window = &rest[..rest.len().min(MAX_PHP_TAG)];
    let end = p + 2 + memchr::memmem::find(window, b"?>")? + 2;
    let code = if echo { &rest[1..] } else { &rest[3..] };
    let code = code.trim_ascii_start();
    let word = |w: &[u8]| code.len() > w.len() && code[..w.len()].eq_ignore_ascii_case(w) && !code[w.len()].is_ascii_alphanumeric();
    Some(if echo || word(b"echo") || word(b"print") {
        Markup::CData { inner: (p, end), end }
    } else {
        Markup::Skip { end }
    })
}

fn skip_to_gt(bytes: &[u8], from: usize) -> Markup {
    match memchr::memchr(b'>', &bytes[from..]) {
        Some(off) => Markup::Skip {
            end: from + off + 1,
        },
        None => Markup::Truncated,
    }
}

/// `from` is just after `<!--`.
fn parse_comment(bytes: &[u8], from: usize) -> Markup {
    let rest = &bytes[from..];
    // `<!-->` and `<!--->` are complete (empty) comments in HTML.
    if rest.starts_with(b">") {
        return Markup::Comment {
            inner: (from, from),
            end: from + 1,
        };
    }
    if rest.starts_with(b"->") {
        return Markup::Comment {
            inner: (from, from),
            end: from + 2,
        };
    }
    match memchr::memmem::find(rest, b"-->") {
        Some(off) => Markup::Comment {
            inner: (from, from + off),
            end: from + off + 3,
        },
        None => Markup::Truncated,
    }
}

/// Parses a tag whose name starts at `from`, attributes and all, up to its `>`.
fn parse_tag(bytes: &[u8], from: usize, end_tag: bool, attrs: &mut Vec<Attr>) -> Markup {
    let len = bytes.len();
    let mut q = from;
    while q < len && !is_space(bytes[q]) && bytes[q] != b'/' && bytes[q] != b'>' {
        q += 1;
    }
    let name = (from, q);
    loop {
        while q < len && (is_space(bytes[q]) || bytes[q] == b'/') {
            q += 1;
        }
        if q >= len {
            return Markup::Truncated;
        }
        if bytes[q] == b'>' {
            return Markup::Tag {
                end_tag,
                name,
                end: q + 1,
            };
        }
        // Attribute name: the first character may be anything (even `=`).
        let name_start = q;
        q += 1;
        while q < len && !is_space(bytes[q]) && !matches!(bytes[q], b'/' | b'>' | b'=') {
            q += 1;
        }
        let attr_name = &bytes[name_start..q];
        while q < len && is_space(bytes[q]) {
            q += 1;
        }
        if q >= len {
            return Markup::Truncated;
        }
        if bytes[q] != b'=' {
            continue;
        }
        q += 1;
        while q < len && is_space(bytes[q]) {
            q += 1;
        }
        if q >= len {
            return Markup::Truncated;
        }
        let value = match bytes[q] {
            quote @ (b'"' | b'\'') => match memchr::memchr(quote, &bytes[q + 1..]) {
                Some(off) => {
                    let v = (q + 1, q + 1 + off);
                    q = q + 2 + off;
                    v
                }
                None => return Markup::Truncated,
            },
            b'>' => (q, q),
            _ => {
                let start = q;
                while q < len && !is_space(bytes[q]) && bytes[q] != b'>' {
                    q += 1;
                }
                (start, q)
            }
        };
        if !end_tag && is_kept_attribute(attr_name) && value.0 < value.1 {
            attrs.push(Attr { value });
        }
    }
}

/// Attributes whose values can carry credentials: links, form targets, prefilled values.
fn is_kept_attribute(name: &[u8]) -> bool {
    [&b"href"[..], b"src", b"action", b"value"]
        .iter()
        .any(|k| name.eq_ignore_ascii_case(k))
}

/// True for a `data:` URI that is not text (an inline image): its payload is noise.
fn is_binary_data_uri(value: &[u8]) -> bool {
    let start = value.iter().take_while(|&&b| is_space(b)).count();
    let v = &value[start..];
    starts_with_ignore_case(v, b"data:") && !starts_with_ignore_case(&v[5..], b"text/")
}

/// Finds `</name` (case-insensitive, followed by a delimiter) from `from` on and returns the
/// offset after that end tag's `>`. `None` when there is none (or it is truncated).
fn find_end_tag(bytes: &[u8], from: usize, name: &[u8]) -> Option<usize> {
    let mut i = from;
    while let Some(off) = memchr::memchr(b'<', &bytes[i..]) {
        let p = i + off;
        i = p + 1;
        let rest = &bytes[p + 1..];
        if rest.first() != Some(&b'/') || !starts_with_ignore_case(&rest[1..], name) {
            continue;
        }
        let after = p + 2 + name.len();
        match bytes.get(after) {
            Some(&b) if is_space(b) || b == b'/' || b == b'>' => {}
            Some(_) => continue,
            None => return None,
        }
        return memchr::memchr(b'>', &bytes[after..]).map(|off| after + off + 1);
    }
    None
}

/// HTML whitespace.
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0C')
}

fn starts_with_ignore_case(hay: &[u8], prefix: &[u8]) -> bool {
    hay.len() >= prefix.len() && hay[..prefix.len()].eq_ignore_ascii_case(prefix)
}

fn contains_ignore_case(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len())
        .any(|w| w.eq_ignore_ascii_case(needle))
}

/// A separator waiting for the next piece of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Sep {
    None,
    /// Around kept comment text.
    Space,
    /// A cell boundary.
    Tab,
    /// A block boundary.
    Newline,
    /// One `<br>`; the second in a row becomes `Blank`.
    Break,
    /// A blank line (two `\n`), the most ever emitted.
    Blank,
}

/// Builds the view. Separators and trailing whitespace are held back until more text
/// comes, so that runs of boundaries collapse and nothing dangles at the end.
struct Writer<'a> {
    src: &'a str,
    text: String,
    map: OffsetMap,
    /// Pending separator and the source offset it maps to.
    sep: Sep,
    sep_pos: usize,
    /// Source offset just after the last text emitted.
    content_end: usize,
    /// Whitespace at the end of the last text run, held back (a separator drops it).
    ws: Option<(usize, usize)>,
    /// Depth of open `<pre>`-like elements: inside, whitespace is kept as is.
    pre: u32,
}

impl<'a> Writer<'a> {
    fn new(src: &'a str) -> Writer<'a> {
        Writer {
            src,
            text: String::with_capacity(src.len() / 2),
            map: OffsetMap::default(),
            sep: Sep::None,
            sep_pos: 0,
            content_end: 0,
            ws: None,
            pre: 0,
        }
    }

    /// True where leading whitespace carries no meaning: at the start or after a separator.
    fn at_boundary(&self) -> bool {
        self.sep != Sep::None || self.text.is_empty()
    }

    /// Asks for a separator before the next text. It maps to the source right after the
    /// last text emitted, so a span ending at a boundary ends exactly where its text does
    /// (`<code>x9</code></td>`: the `x9` span does not run on over `</code>`).
    fn separator(&mut self, sep: Sep) {
        self.ws = None;
        let merged = match (self.sep, sep) {
            (Sep::Break, Sep::Break) | (Sep::Blank, _) => Sep::Blank,
            (Sep::Newline, Sep::Break) => Sep::Break,
            (old, new) => old.max(new),
        };
        if self.sep == Sep::None {
            self.sep_pos = self.content_end;
        }
        self.sep = merged;
    }

    /// Emits what is held back, just before new text.
    fn flush(&mut self) {
        if self.sep != Sep::None {
            let s = match self.sep {
                Sep::None => "",
                Sep::Space => " ",
                Sep::Tab => "\t",
                Sep::Newline | Sep::Break => "\n",
                Sep::Blank => "\n\n",
            };
            if !self.text.is_empty() {
                self.map.push(self.text.len(), self.sep_pos);
                self.text.push_str(s);
            }
            self.sep = Sep::None;
        } else if let Some((a, b)) = self.ws.take() {
            self.map.push(self.text.len(), a);
            self.text.push_str(&self.src[a..b]);
            self.content_end = b;
        }
    }

    /// Copies `src[a..b]` (no references decoded), trimming whitespace that touches a
    /// separator unless inside `<pre>`.
    fn literal(&mut self, a: usize, b: usize) {
        if a >= b {
            return;
        }
        let bytes = &self.src.as_bytes()[a..b];
        if self.pre > 0 {
            self.flush();
            self.map.push(self.text.len(), a);
            self.text.push_str(&self.src[a..b]);
            self.map.push(self.text.len(), b);
            self.content_end = b;
            return;
        }
        let lead = if self.at_boundary() {
            bytes.iter().take_while(|&&c| is_space(c)).count()
        } else {
            0
        };
        if lead == bytes.len() {
            return;
        }
        let trail = bytes[lead..]
            .iter()
            .rev()
            .take_while(|&&c| is_space(c))
            .count();
        let (start, end) = (a + lead, b - trail);
        if start < end {
            self.flush();
            self.map.push(self.text.len(), start);
            self.text.push_str(&self.src[start..end]);
            // Where the run ends, so that a span ending here does not take in the markup after it.
            self.map.push(self.text.len(), end);
            self.content_end = end;
        } else if let Some((wa, wb)) = self.ws {
            if wb == start {
                // Contiguous with the held-back whitespace: hold both.
                self.ws = Some((wa, b));
                return;
            }
            self.flush();
        }
        if end < b {
            self.ws = Some((end, b));
        }
    }

    /// Emits `src[a..b]` with character references decoded.
    fn text(&mut self, a: usize, b: usize, in_attribute: bool) {
        let bytes = self.src.as_bytes();
        let mut seg = a;
        let mut i = a;
        while i < b {
            let Some(off) = memchr::memchr(b'&', &bytes[i..b]) else {
                break;
            };
            let p = i + off;
            match decode_reference(&bytes[..b], p, in_attribute) {
                Some((end, decoded)) => {
                    self.literal(seg, p);
                    self.decoded(p, end, decoded);
                    seg = end;
                    i = end;
                }
                None => i = p + 1,
            }
        }
        self.literal(seg, b);
    }

    /// Emits one decoded reference `src[a..b]`.
    fn decoded(&mut self, a: usize, b: usize, decoded: Option<char>) {
        let Some(c) = decoded else {
            // Invisible characters are dropped; the text around them joins up.
            return;
        };
        if c == ' ' && self.pre == 0 && self.at_boundary() {
            return;
        }
        self.flush();
        self.map.push(self.text.len(), a);
        self.text.push(c);
        self.map.push(self.text.len(), b);
        self.content_end = b;
    }

    /// Emits a kept attribute value on a line of its own.
    fn attribute(&mut self, a: usize, b: usize) {
        if is_binary_data_uri(&self.src.as_bytes()[a..b]) {
            return;
        }
        self.separator(Sep::Newline);
        let pre = std::mem::take(&mut self.pre);
        self.text(a, b, true);
        self.pre = pre;
        self.separator(Sep::Newline);
    }

    fn finish(mut self) -> View {
        if self.sep > Sep::Space {
            self.flush();
        }
        View {
            text: self.text,
            map: self.map,
        }
    }
}

/// Decodes the character reference at `p` (a `&`), reading no further than `bytes.len()`.
///
/// Returns the end of the reference and the character (`None` for an invisible character
/// that is dropped), or `None` when `p` starts no reference: then the `&` is plain text.
/// In attribute values a legacy name without `;` followed by an alphanumeric or `=` is not
/// a reference (`?a=1&copy=2`), as in HTML.
fn decode_reference(bytes: &[u8], p: usize, in_attribute: bool) -> Option<(usize, Option<char>)> {
    let len = bytes.len();
    let mut q = p + 1;
    let (end, code) = if bytes.get(q) == Some(&b'#') {
        q += 1;
        let hex = matches!(bytes.get(q), Some(b'x' | b'X'));
        if hex {
            q += 1;
        }
        let digits_start = q;
        let mut value: u32 = 0;
        while q < len {
            let d = match (bytes[q] as char).to_digit(if hex { 16 } else { 10 }) {
                Some(d) => d,
                None => break,
            };
            value = value
                .saturating_mul(if hex { 16 } else { 10 })
                .saturating_add(d)
                .min(0x11_0000);
            q += 1;
        }
        if q == digits_start {
            return None;
        }
        if bytes.get(q) == Some(&b';') {
            q += 1;
        }
        (q, numeric_char(value))
    } else {
        while q < len && q - p - 1 < MAX_ENTITY_NAME && bytes[q].is_ascii_alphanumeric() {
            q += 1;
        }
        let name = &bytes[p + 1..q];
        if name.is_empty() {
            return None;
        }
        if bytes.get(q) == Some(&b';') {
            if let Some(e) = lookup(name) {
                return Some((q + 1, visible(e.1)));
            }
        }
        // Legacy names may omit the `;`; take the longest one that prefixes the run.
        let longest = name.len().min(MAX_LEGACY_NAME);
        let (n, c) = (2..=longest).rev().find_map(|n| match lookup(&name[..n]) {
            Some(&(_, c, true)) => Some((n, c)),
            _ => None,
        })?;
        let end = p + 1 + n;
        if in_attribute {
            if let Some(&next) = bytes.get(end) {
                if next.is_ascii_alphanumeric() || next == b'=' {
                    return None;
                }
            }
        }
        (end, c)
    };
    Some((end, visible(code)))
}

/// The character a numeric reference stands for, with HTML's repairs: NUL, surrogates and
/// out-of-range values become U+FFFD; 0x80–0x9F are read as windows-1252.
fn numeric_char(value: u32) -> char {
    const C1: [u16; 32] = [
        0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
        0x2039, 0x0152, 0x8D, 0x017D, 0x8F, 0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013,
        0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
    ];
    let value = match value {
        0x80..=0x9F => u32::from(C1[(value - 0x80) as usize]),
        v => v,
    };
    if value == 0 {
        return char::REPLACEMENT_CHARACTER;
    }
    char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)
}

/// `nbsp` reads as a plain space; invisible format characters are dropped (`None`) so that
/// `Pass&zwnj;word` still reads `Password`.
fn visible(c: char) -> Option<char> {
    match c {
        '\u{A0}' => Some(' '),
        '\u{AD}' | '\u{200B}'..='\u{200F}' | '\u{2060}' | '\u{FEFF}' => None,
        c => Some(c),
    }
}

fn lookup(name: &[u8]) -> Option<&'static (&'static str, char, bool)> {
    ENTITIES
        .binary_search_by(|e| e.0.as_bytes().cmp(name))
        .ok()
        .map(|i| &ENTITIES[i])
}

/// Named character references: name, character, and whether the name may appear without
/// a `;` (HTML's legacy set). Sorted by name (bytes) for binary search; a test checks it.
///
/// All of HTML 4 (Latin-1, symbols, Greek, punctuation, arrows, maths) plus the HTML5
/// names for ASCII punctuation that obfuscated templates use (`&colon;`, `&commat;` ...).
static ENTITIES: &[(&str, char, bool)] = &[
    ("AElig", '\u{C6}', true),
    ("AMP", '\u{26}', true),
    ("Aacute", '\u{C1}', true),
    ("Acirc", '\u{C2}', true),
    ("Agrave", '\u{C0}', true),
    ("Alpha", '\u{391}', false),
    ("Aring", '\u{C5}', true),
    ("Atilde", '\u{C3}', true),
    ("Auml", '\u{C4}', true),
    ("Beta", '\u{392}', false),
    ("COPY", '\u{A9}', true),
    ("Ccedil", '\u{C7}', true),
    ("Chi", '\u{3A7}', false),
    ("Dagger", '\u{2021}', false),
    ("Delta", '\u{394}', false),
    ("DiacriticalGrave", '\u{60}', false),
    ("ETH", '\u{D0}', true),
    ("Eacute", '\u{C9}', true),
    ("Ecirc", '\u{CA}', true),
    ("Egrave", '\u{C8}', true),
    ("Epsilon", '\u{395}', false),
    ("Eta", '\u{397}', false),
    ("Euml", '\u{CB}', true),
    ("GT", '\u{3E}', true),
    ("Gamma", '\u{393}', false),
    ("Hat", '\u{5E}', false),
    ("Iacute", '\u{CD}', true),
    ("Icirc", '\u{CE}', true),
    ("Igrave", '\u{CC}', true),
    ("Iota", '\u{399}', false),
    ("Iuml", '\u{CF}', true),
    ("Kappa", '\u{39A}', false),
    ("LT", '\u{3C}', true),
    ("Lambda", '\u{39B}', false),
    ("MediumSpace", '\u{205F}', false),
    ("Mu", '\u{39C}', false),
    ("NewLine", '\u{A}', false),
    ("NoBreak", '\u{2060}', false),
    ("NonBreakingSpace", '\u{A0}', false),
    ("Ntilde", '\u{D1}', true),
    ("Nu", '\u{39D}', false),
    ("OElig", '\u{152}', false),
    ("Oacute", '\u{D3}', true),
    ("Ocirc", '\u{D4}', true),
    ("Ograve", '\u{D2}', true),
    ("Omega", '\u{3A9}', false),
    ("Omicron", '\u{39F}', false),
    ("Oslash", '\u{D8}', true),
    ("Otilde", '\u{D5}', true),
    ("Ouml", '\u{D6}', true),
    ("Phi", '\u{3A6}', false),
    ("Pi", '\u{3A0}', false),
    ("Prime", '\u{2033}', false),
    ("Psi", '\u{3A8}', false),
    ("QUOT", '\u{22}', true),
    ("REG", '\u{AE}', true),
    ("Rho", '\u{3A1}', false),
    ("Scaron", '\u{160}', false),
    ("Sigma", '\u{3A3}', false),
    ("THORN", '\u{DE}', true),
    ("TRADE", '\u{2122}', false),
    ("Tab", '\u{9}', false),
    ("Tau", '\u{3A4}', false),
    ("Theta", '\u{398}', false),
    ("Uacute", '\u{DA}', true),
    ("Ucirc", '\u{DB}', true),
    ("Ugrave", '\u{D9}', true),
    ("UnderBar", '\u{5F}', false),
    ("Upsilon", '\u{3A5}', false),
    ("Uuml", '\u{DC}', true),
    ("VerticalLine", '\u{7C}', false),
    ("Xi", '\u{39E}', false),
    ("Yacute", '\u{DD}', true),
    ("Yuml", '\u{178}', false),
    ("ZeroWidthSpace", '\u{200B}', false),
    ("Zeta", '\u{396}', false),
    ("aacute", '\u{E1}', true),
    ("acirc", '\u{E2}', true),
    ("acute", '\u{B4}', true),
    ("aelig", '\u{E6}', true),
    ("agrave", '\u{E0}', true),
    ("alefsym", '\u{2135}', false),
    ("alpha", '\u{3B1}', false),
    ("amp", '\u{26}', true),
    ("and", '\u{2227}', false),
    ("ang", '\u{2220}', false),
    ("apos", '\u{27}', false),
    ("aring", '\u{E5}', true),
    ("ast", '\u{2A}', false),
    ("asymp", '\u{2248}', false),
    ("atilde", '\u{E3}', true),
    ("auml", '\u{E4}', true),
    ("bdquo", '\u{201E}', false),
    ("beta", '\u{3B2}', false),
    ("brvbar", '\u{A6}', true),
    ("bsol", '\u{5C}', false),
    ("bull", '\u{2022}', false),
    ("cap", '\u{2229}', false),
    ("ccedil", '\u{E7}', true),
    ("cedil", '\u{B8}', true),
    ("cent", '\u{A2}', true),
    ("centerdot", '\u{B7}', false),
    ("check", '\u{2713}', false),
    ("chi", '\u{3C7}', false),
    ("circ", '\u{2C6}', false),
    ("clubs", '\u{2663}', false),
    ("colon", '\u{3A}', false),
    ("comma", '\u{2C}', false),
    ("commat", '\u{40}', false),
    ("cong", '\u{2245}', false),
    ("copy", '\u{A9}', true),
    ("crarr", '\u{21B5}', false),
    ("cross", '\u{2717}', false),
    ("cup", '\u{222A}', false),
    ("curren", '\u{A4}', true),
    ("dArr", '\u{21D3}', false),
    ("dagger", '\u{2020}', false),
    ("darr", '\u{2193}', false),
    ("dash", '\u{2010}', false),
    ("deg", '\u{B0}', true),
    ("delta", '\u{3B4}', false),
    ("diams", '\u{2666}', false),
    ("divide", '\u{F7}', true),
    ("dollar", '\u{24}', false),
    ("eacute", '\u{E9}', true),
    ("ecirc", '\u{EA}', true),
    ("egrave", '\u{E8}', true),
    ("empty", '\u{2205}', false),
    ("emsp", '\u{2003}', false),
    ("ensp", '\u{2002}', false),
    ("epsilon", '\u{3B5}', false),
    ("equals", '\u{3D}', false),
    ("equiv", '\u{2261}', false),
    ("eta", '\u{3B7}', false),
    ("eth", '\u{F0}', true),
    ("euml", '\u{EB}', true),
    ("euro", '\u{20AC}', false),
    ("excl", '\u{21}', false),
    ("exist", '\u{2203}', false),
    ("fnof", '\u{192}', false),
    ("forall", '\u{2200}', false),
    ("frac12", '\u{BD}', true),
    ("frac14", '\u{BC}', true),
    ("frac34", '\u{BE}', true),
    ("frasl", '\u{2044}', false),
    ("gamma", '\u{3B3}', false),
    ("ge", '\u{2265}', false),
    ("grave", '\u{60}', false),
    ("gt", '\u{3E}', true),
    ("hArr", '\u{21D4}', false),
    ("hairsp", '\u{200A}', false),
    ("half", '\u{BD}', false),
    ("harr", '\u{2194}', false),
    ("hearts", '\u{2665}', false),
    ("hellip", '\u{2026}', false),
    ("hookleftarrow", '\u{21A9}', false),
    ("hyphen", '\u{2010}', false),
    ("iacute", '\u{ED}', true),
    ("icirc", '\u{EE}', true),
    ("iexcl", '\u{A1}', true),
    ("igrave", '\u{EC}', true),
    ("image", '\u{2111}', false),
    ("infin", '\u{221E}', false),
    ("int", '\u{222B}', false),
    ("iota", '\u{3B9}', false),
    ("iquest", '\u{BF}', true),
    ("isin", '\u{2208}', false),
    ("iuml", '\u{EF}', true),
    ("kappa", '\u{3BA}', false),
    ("lArr", '\u{21D0}', false),
    ("lambda", '\u{3BB}', false),
    ("lang", '\u{27E8}', false),
    ("laquo", '\u{AB}', true),
    ("larr", '\u{2190}', false),
    ("lbrace", '\u{7B}', false),
    ("lbrack", '\u{5B}', false),
    ("lceil", '\u{2308}', false),
    ("lcub", '\u{7B}', false),
    ("ldquo", '\u{201C}', false),
    ("le", '\u{2264}', false),
    ("lfloor", '\u{230A}', false),
    ("lowast", '\u{2217}', false),
    ("lowbar", '\u{5F}', false),
    ("loz", '\u{25CA}', false),
    ("lpar", '\u{28}', false),
    ("lrm", '\u{200E}', false),
    ("lsaquo", '\u{2039}', false),
    ("lsqb", '\u{5B}', false),
    ("lsquo", '\u{2018}', false),
    ("lt", '\u{3C}', true),
    ("macr", '\u{AF}', true),
    ("mdash", '\u{2014}', false),
    ("micro", '\u{B5}', true),
    ("midast", '\u{2A}', false),
    ("middot", '\u{B7}', true),
    ("minus", '\u{2212}', false),
    ("mu", '\u{3BC}', false),
    ("nabla", '\u{2207}', false),
    ("nbsp", '\u{A0}', true),
    ("ndash", '\u{2013}', false),
    ("ne", '\u{2260}', false),
    ("ni", '\u{220B}', false),
    ("not", '\u{AC}', true),
    ("notin", '\u{2209}', false),
    ("nsub", '\u{2284}', false),
    ("ntilde", '\u{F1}', true),
    ("nu", '\u{3BD}', false),
    ("num", '\u{23}', false),
    ("numsp", '\u{2007}', false),
    ("oacute", '\u{F3}', true),
    ("ocirc", '\u{F4}', true),
    ("oelig", '\u{153}', false),
    ("ograve", '\u{F2}', true),
    ("oline", '\u{203E}', false),
    ("omega", '\u{3C9}', false),
    ("omicron", '\u{3BF}', false),
    ("oplus", '\u{2295}', false),
    ("or", '\u{2228}', false),
    ("ordf", '\u{AA}', true),
    ("ordm", '\u{BA}', true),
    ("oslash", '\u{F8}', true),
    ("otilde", '\u{F5}', true),
    ("otimes", '\u{2297}', false),
    ("ouml", '\u{F6}', true),
    ("para", '\u{B6}', true),
    ("part", '\u{2202}', false),
    ("percnt", '\u{25}', false),
    ("period", '\u{2E}', false),
    ("permil", '\u{2030}', false),
    ("perp", '\u{22A5}', false),
    ("phi", '\u{3C6}', false),
    ("pi", '\u{3C0}', false),
    ("piv", '\u{3D6}', false),
    ("plus", '\u{2B}', false),
    ("plusmn", '\u{B1}', true),
    ("pound", '\u{A3}', true),
    ("prime", '\u{2032}', false),
    ("prod", '\u{220F}', false),
    ("prop", '\u{221D}', false),
    ("psi", '\u{3C8}', false),
    ("puncsp", '\u{2008}', false),
    ("quest", '\u{3F}', false),
    ("quot", '\u{22}', true),
    ("rArr", '\u{21D2}', false),
    ("radic", '\u{221A}', false),
    ("rang", '\u{27E9}', false),
    ("raquo", '\u{BB}', true),
    ("rarr", '\u{2192}', false),
    ("rbrace", '\u{7D}', false),
    ("rbrack", '\u{5D}', false),
    ("rceil", '\u{2309}', false),
    ("rcub", '\u{7D}', false),
    ("rdquo", '\u{201D}', false),
    ("real", '\u{211C}', false),
    ("reg", '\u{AE}', true),
    ("rfloor", '\u{230B}', false),
    ("rho", '\u{3C1}', false),
    ("rlm", '\u{200F}', false),
    ("rpar", '\u{29}', false),
    ("rsaquo", '\u{203A}', false),
    ("rsqb", '\u{5D}', false),
    ("rsquo", '\u{2019}', false),
    ("sbquo", '\u{201A}', false),
    ("scaron", '\u{161}', false),
    ("sdot", '\u{22C5}', false),
    ("sect", '\u{A7}', true),
    ("semi", '\u{3B}', false),
    ("shy", '\u{AD}', true),
    ("sigma", '\u{3C3}', false),
    ("sigmaf", '\u{3C2}', false),
    ("sim", '\u{223C}', false),
    ("sol", '\u{2F}', false),
    ("spades", '\u{2660}', false),
    ("star", '\u{2606}', false),
    ("starf", '\u{2605}', false),
    ("sub", '\u{2282}', false),
    ("sube", '\u{2286}', false),
    ("sum", '\u{2211}', false),
    ("sup", '\u{2283}', false),
    ("sup1", '\u{B9}', true),
    ("sup2", '\u{B2}', true),
    ("sup3", '\u{B3}', true),
    ("supe", '\u{2287}', false),
    ("szlig", '\u{DF}', true),
    ("tau", '\u{3C4}', false),
    ("there4", '\u{2234}', false),
    ("theta", '\u{3B8}', false),
    ("thetasym", '\u{3D1}', false),
    ("thinsp", '\u{2009}', false),
    ("thorn", '\u{FE}', true),
    ("tilde", '\u{2DC}', false),
    ("times", '\u{D7}', true),
    ("trade", '\u{2122}', false),
    ("uArr", '\u{21D1}', false),
    ("uacute", '\u{FA}', true),
    ("uarr", '\u{2191}', false),
    ("ucirc", '\u{FB}', true),
    ("ugrave", '\u{F9}', true),
    ("uml", '\u{A8}', true),
    ("upsih", '\u{3D2}', false),
    ("upsilon", '\u{3C5}', false),
    ("uuml", '\u{FC}', true),
    ("verbar", '\u{7C}', false),
    ("vert", '\u{7C}', false),
    ("weierp", '\u{2118}', false),
    ("xi", '\u{3BE}', false),
    ("yacute", '\u{FD}', true),
    ("yen", '\u{A5}', true),
    ("yuml", '\u{FF}', true),
    ("zeta", '\u{3B6}', false),
    ("zwj", '\u{200D}', false),
    ("zwnj", '\u{200C}', false),
];

#[cfg(test)]
mod tests {
    use super::*;

    fn view(src: &str) -> String {
        let v = html_view(src);
        check_map(src, &v);
        v.text
    }

    /// The offset-map invariants: every view character maps to a char boundary of the
    /// source, non-decreasing; a literal character maps to itself; a decoded reference
    /// maps to a source span that decodes, on its own, to that character.
    fn check_map(src: &str, v: &View) {
        let mut last = 0;
        for (i, ch) in v.text.char_indices() {
            let s = v.map.to_source(i);
            assert!(s <= src.len(), "view offset {i} maps past the end ({s})");
            assert!(
                src.is_char_boundary(s),
                "view offset {i} maps inside a character"
            );
            assert!(s >= last, "map goes backwards at view offset {i}");
            last = s;
            let rest = &src[s..];
            if rest.starts_with(ch) {
                continue;
            }
            if matches!(ch, ' ' | '\n' | '\t') {
                // An inserted separator: it maps to the markup that caused it.
                continue;
            }
            assert!(
                rest.starts_with('&'),
                "view offset {i} maps to neither itself nor a reference"
            );
            let (a, b) = v.map.span_to_source(i, i + ch.len_utf8());
            assert_eq!(a, s);
            // The span may run on over markup dropped right after the reference (the map
            // has one checkpoint per view offset), but it must hold the whole reference.
            let decoded = decode_reference(src.as_bytes(), a, false);
            let whole = matches!(decoded, Some((end, Some(c))) if c == ch && end <= b);
            assert!(
                whole,
                "source span {a}..{b} does not hold the whole reference"
            );
        }
        let (a, b) = v.map.span_to_source(0, v.text.len());
        assert!(a <= b && b <= src.len());
    }

    #[test]
    fn table_row_reads_label_tab_value() {
        let src = "<tr><td><b>Temporary password</b></td><td><code>Hello-World7</code></td></tr>";
        let text = view(src);
        assert!(
            text.trim() == "Temporary password\tHello-World7",
            "got {} bytes",
            text.len()
        );
    }

    #[test]
    fn php_tags_that_print_stay_whole_and_code_goes_to_its_close() {
        assert_eq!(view("<p>Password: <strong><?= $user->password ?></strong></p>").trim(), "Password: <?= $user->password ?>");
        assert_eq!(view("<b><?php echo $a->b; ?></b>"), "<?php echo $a->b; ?>");
        // Code that prints nothing goes, up to `?>` and not to the `>` of its `->`.
        assert_eq!(view("<?php if ($m->show): ?>x<?php endif ?>"), "x");
        assert_eq!(view("<?xml version=\"1.0\"?>y"), "y");
        // Unclosed within reach: the old reading (up to the first `>`).
        let long = format!("<?php {}>z", "a".repeat(2000));
        assert_eq!(view(&long), "z");
    }

    #[test]
    fn angle_placeholders_stay_as_text() {
        assert_eq!(view("<p>Hello <NickName>, your password - <b><NewPassword></b></p>").trim(), "Hello <NickName>, your password - <NewPassword>");
        assert_eq!(view("<p><site_name></p>").trim(), "<site_name>");
        // Elements in any case, custom elements and attributes stay markup.
        assert_eq!(view("<B>x</B><Button>y</Button><o:p></o:p><myTag a=1>z"), "xyz");
    }

    #[test]
    fn pretty_printed_table_still_adjacent() {
        let src = "<table>\n  <tr>\n    <td>\n      PIN:\n    </td>\n    <td> 4321 </td>\n  </tr>\n</table>\n";
        assert_eq!(view(src).trim(), "PIN:\t4321");
    }

    #[test]
    fn inline_tags_leave_nothing() {
        assert_eq!(view("<b>Pass</b>word"), "Password");
        assert_eq!(
            view("<SPAN>Pa</SPAN><em>ss</em><font color=red>wo</font><i>r</i><u>d</u>"),
            "Password"
        );
        assert_eq!(
            view("Click <a href=\"#\">here</a> now"),
            "Click\n#\nhere now"
        );
    }

    #[test]
    fn blocks_become_newlines_and_collapse() {
        assert_eq!(view("<p>a</p><p>b</p>"), "a\nb\n");
        assert_eq!(view("a<br>b<br/><br />c"), "a\nb\n\nc");
        assert_eq!(view("a<br><br><br><br>b"), "a\n\nb");
        assert_eq!(
            view("<div><div><h1>T</h1></div><hr><ul><li>x<li>y</ul></div>"),
            "T\nx\ny\n"
        );
        let text = view("<td>a</td>\n<td>b</td></tr><tr><td>c</td>");
        assert_eq!(text, "a\tb\nc\t");
        for doc in DOCS {
            let t = view(doc);
            assert!(!t.contains("\n\n\n"), "three newlines in a row");
            assert!(!t.contains("\t\n") && !t.contains("\n\t") && !t.contains("\t\t"));
        }
    }

    #[test]
    fn numeric_references() {
        assert_eq!(view("&#80;assword"), "Password");
        assert_eq!(view("&#x50;assword"), "Password");
        assert_eq!(view("&#X50;assword"), "Password");
        assert_eq!(view("&#80assword"), "Password");
        assert_eq!(view("&#x000050;"), "P");
        assert_eq!(view("&#150;"), "\u{2013}");
        assert_eq!(view("&#0;"), "\u{FFFD}");
        assert_eq!(view("&#xD800;"), "\u{FFFD}");
        assert_eq!(view("&#x110000;"), "\u{FFFD}");
        assert_eq!(view("&#99999999999999999999999999;"), "\u{FFFD}");
        assert_eq!(view("&#128512;"), "\u{1F600}");
        assert_eq!(view("&#; &#x; &#xG;"), "&#; &#x; &#xG;");
    }

    #[test]
    fn named_references() {
        assert_eq!(
            view("a &amp; b &lt;c&gt; &quot;d&quot; &apos;e&apos;"),
            "a & b <c> \"d\" 'e'"
        );
        assert_eq!(view("Contrase&ntilde;a"), "Contraseña");
        assert_eq!(view("&copy 2024 &AMP &euro;5"), "© 2024 & €5");
        assert_eq!(view("&notit; &notin;"), "¬it; ∉");
        assert_eq!(
            view("&unknown; &amp &AmP; & ; &;"),
            "&unknown; & &AmP; & ; &;"
        );
        assert_eq!(view("&apos &euro"), "&apos &euro");
        assert_eq!(view("&colon;&sol;&sol;"), "://");
    }

    #[test]
    fn every_table_entry_decodes() {
        for w in ENTITIES.windows(2) {
            assert!(
                w[0].0.as_bytes() < w[1].0.as_bytes(),
                "table not sorted at {}",
                w[1].0
            );
        }
        for &(name, c, legacy) in ENTITIES {
            assert!(name.len() <= MAX_ENTITY_NAME);
            assert!(!legacy || name.len() <= MAX_LEGACY_NAME, "{name}");
            let expected = visible(c);
            let src = format!("x&{name};y");
            let got = decode_reference(src.as_bytes(), 1, false);
            assert_eq!(got, Some((src.len() - 1, expected)), "&{name};");
            let bare = format!("x&{name} y");
            let got = decode_reference(bare.as_bytes(), 1, false);
            if legacy {
                assert_eq!(got, Some((2 + name.len(), expected)), "&{name}");
            } else {
                // Without `;` only a legacy prefix may decode (`&centerdot` → `¢erdot`).
                assert_ne!(
                    got,
                    Some((2 + name.len(), expected)),
                    "&{name} without ; must stay"
                );
            }
        }
        // The common names the engine relies on.
        for name in [
            "amp", "lt", "gt", "quot", "apos", "nbsp", "copy", "reg", "euro", "pound", "yen",
            "eacute", "egrave", "aacute", "ntilde", "ouml", "uuml", "auml", "szlig", "oslash",
            "aring", "ccedil", "hellip", "mdash", "ndash", "lsquo", "rsquo", "ldquo", "rdquo",
            "bull", "middot", "laquo", "raquo", "times", "divide", "deg", "plusmn", "trade",
        ] {
            assert!(lookup(name.as_bytes()).is_some(), "{name} missing");
        }
        assert!(ENTITIES.iter().filter(|e| e.2).count() >= 100);
    }

    #[test]
    fn nbsp_and_invisible_characters() {
        assert_eq!(view("a&nbsp;b&#160;c"), "a b c");
        assert_eq!(view("<td>&nbsp;</td><td>x</td>"), "x\t");
        assert_eq!(
            view("Pass&zwnj;word Pa&shy;ss&#8203;wo&#xFEFF;rd"),
            "Password Password"
        );
    }

    #[test]
    fn attribute_values_are_kept_on_their_own_line() {
        let text = view(
            r#"<p>Reset: <a class="btn" href="https://x.example/r?t=abc&amp;u=1&copy=2">go</a></p>"#,
        );
        assert_eq!(text, "Reset:\nhttps://x.example/r?t=abc&u=1&copy=2\ngo\n");
        let text = view(
            r#"<form action='/login?k=1'><input type=password value="hunter-two" name=p></form>"#,
        );
        assert_eq!(text, "/login?k=1\nhunter-two\n");
        let text = view(
            r#"<img src=https://img.example/a.png alt=logo><IMG SRC="data:image/png;base64,AAAA">"#,
        );
        assert_eq!(text, "https://img.example/a.png\n");
        assert_eq!(
            view(r#"<a href=" data:text/plain,hello">x</a>"#),
            "data:text/plain,hello\nx"
        );
        // `>` inside quotes does not end the tag.
        assert_eq!(
            view(r#"<a title="a>b" data-x='c>d' href="/u">t</a>"#),
            "/u\nt"
        );
        // Other attributes are not text.
        assert_eq!(
            view(r#"<p style="color:red" title="secret-ish">x</p>"#),
            "x\n"
        );
    }

    #[test]
    fn style_script_comments_doctype_dropped() {
        let src = "<!DOCTYPE html><?xml version=\"1.0\"?><html><HEAD><TITLE>Hi</TITLE>\
                   <STYLE>p{x:1}</Style ><script>if (a<b) x='</scripty>';</SCRIPT></head>\
                   <body><!-- hidden --><!----><!---->ok<!-->!</body></html>";
        assert_eq!(view(src), "Hi\nok!\n");
    }

    #[test]
    fn allow_comment_text_is_kept() {
        let text = view("<td>x9<!--sendguard:allow rule-a --></td>");
        assert_eq!(text, "x9 sendguard:allow rule-a\t");
        assert_eq!(view("<!-- SendGuard:Allow -->"), "SendGuard:Allow");
    }

    #[test]
    fn cdata_is_text() {
        assert_eq!(view("<p><![CDATA[a<b>&amp;]]></p>"), "a<b>&amp;\n");
    }

    #[test]
    fn lone_angle_brackets_are_text() {
        assert_eq!(view("a < b and c <3 d <"), "a < b and c <3 d <");
        assert_eq!(view("x <= y </ z"), "x <= y </ z");
        assert_eq!(view("a</>b"), "ab");
    }

    #[test]
    fn truncated_markup_shows_the_rest_as_text() {
        let text = view("<p>ok</p><a href=\"https://u:pw@h/");
        assert!(text.starts_with("ok\n<a href=\"https://u:pw@h/"));
        assert!(view("a<!-- unclosed b").ends_with("<!-- unclosed b"));
        assert!(view("a<style>p{} secret-here").contains("secret-here"));
        assert!(view("a<![CDATA[x").ends_with("<![CDATA[x"));
        assert!(view("a<div").ends_with("<div"));
        assert!(view("a</div").ends_with("</div"));
        assert!(view("a<!DOCTYPE").ends_with("<!DOCTYPE"));
        assert_eq!(view(""), "");
        assert_eq!(view("&"), "&");
        assert_eq!(view("&#"), "&#");
        assert_eq!(view("&#x"), "&#x");
        assert_eq!(view("&am"), "&am");
    }

    #[test]
    fn pre_keeps_line_breaks() {
        let src = "<p>Key:</p><pre>\n-----BEGIN TEST BLOCK-----\n  AAAA&amp;\n\n  BBBB\n-----END TEST BLOCK-----\n</pre>";
        let text = view(src);
        assert_eq!(
            text,
            "Key:\n-----BEGIN TEST BLOCK-----\n  AAAA&\n\n  BBBB\n-----END TEST BLOCK-----\n\n"
        );
        // Outside <pre>, text inside a run is kept verbatim too.
        assert_eq!(view("<p>a\n  b</p>"), "a\n  b\n");
    }

    #[test]
    fn non_ascii_stays_intact() {
        let src = "<p>Contraseña: <b>ñ😀</b>&euro;密码&amp;パスワード</p><td>é</td><td>👍🏽</td>";
        assert_eq!(view(src), "Contraseña: ñ😀€密码&パスワード\né\t👍🏽\t");
        assert!(looks_like_html(src));
    }

    #[test]
    fn deep_nesting_is_linear() {
        let n = 100_000;
        let mut src = "<div>".repeat(n);
        src.push_str("deep &amp; down");
        src.push_str(&"</div>".repeat(n));
        let start = std::time::Instant::now();
        let text = view(&src);
        assert_eq!(text, "deep & down\n");
        // Generous: a quadratic walk over 1.1 MB would take minutes, not seconds.
        assert!(start.elapsed().as_secs() < 10);
        let pres = format!("{}x{}", "<pre>".repeat(n), "</pre>".repeat(n));
        assert!(view(&pres).starts_with('x'));
    }

    #[test]
    fn many_unclosed_openers_are_linear() {
        let src = "<a href=\"x".repeat(50_000) + &"<!--".repeat(50_000) + &"&#x".repeat(50_000);
        let start = std::time::Instant::now();
        let _ = view(&src);
        let src2 = "<style>".repeat(50_000) + &"</style".repeat(50_000);
        let _ = view(&src2);
        assert!(start.elapsed().as_secs() < 10);
    }

    #[test]
    fn sniffing() {
        for yes in [
            "<!DOCTYPE html><p>x",
            "<!doctype HTML>",
            "Hi<BR>there",
            "<table><tr><td>x",
            "text <a href=\"x\">y</a>",
            "<div class=x>",
            "<p>para</p>",
            "\u{FEFF}<html>",
        ] {
            assert!(looks_like_html(yes), "{yes:?}");
        }
        for no in [
            "Hello Bob,\nyour code is 1234.",
            "From: Bob <bob@example.com>",
            "if a < b and c > d",
            "<tablespoon> <brian@x> <a> <pp>",
            "",
        ] {
            assert!(!looks_like_html(no), "{no:?}");
        }
        let late = format!("{}<p>x</p>", " ".repeat(SNIFF_BYTES));
        assert!(!looks_like_html(&late));
    }

    /// Hand-made documents for the offset-map property.
    const DOCS: &[&str] = &[
        "<html><head><title>T&amp;C</title><style>x{}</style></head><body>\n<table>\n<tr><td>\
         <b>Temporary password</b></td><td><code>Hello-World7</code></td></tr>\n</table>\n</body></html>",
        "<p>&#80;assword: <span>x&lt;9&gt;</span>&nbsp;&nbsp;ok</p><br><br><br>\n<p>Contrase&ntilde;a: ñ😀</p>",
        "<a href=\"https://u:p@h.example/?a=1&amp;b=2&copy=3\">reset</a> <img src=\"data:image/gif;base64,R0lG\">",
        "<pre>\n-----BEGIN X-----\nAAAA\n-----END X-----\n</pre><p>after</p>",
        "a < b <!-- sendguard:allow r --> c <![CDATA[d&e]]> <?pi?> &unknown; &copy &notit; &#x1F600;",
        "<p>x<?= $u->pass ?>y<?php echo 1 ?><?php if ($a->b): ?>z<NewPassword><a_b <?= open",
        "<td> 密码 </td>\n<td> &#x5bc6;&#x7801; </td><td>&zwnj;&shy;</td><td>x</td>",
        "<form action=/go><input value='v&amp;w'></form><p title=\"a>b\">t</p><p>unclosed <a href=\"x",
        "<div><div><div>a</div>\n\n  </div>   b   <span> c </span>   </div>",
        "&#0;&#150;&#xD800;&#99999999999;&#; x&",
    ];

    #[test]
    fn offset_map_property_on_hand_made_documents() {
        for doc in DOCS {
            let v = html_view(doc);
            check_map(doc, &v);
        }
    }

    #[test]
    fn offset_map_covers_whole_entities() {
        let src = "ab&amp;cd&#x50;&eacute;";
        let v = html_view(src);
        assert_eq!(v.text, "ab&cdPé");
        assert_eq!(v.map.span_to_source(2, 3), (2, 7));
        assert_eq!(v.map.span_to_source(0, 4), (0, 8));
        assert_eq!(v.map.span_to_source(5, 6), (9, 15));
        assert_eq!(v.map.span_to_source(6, 8), (15, 23));
        assert_eq!(v.map.span_to_source(0, v.text.len()), (0, src.len()));
        // A span covering a separator maps over the tag that made it.
        let src = "<td>x</td><td>y</td>";
        let v = html_view(src);
        assert_eq!(v.text, "x\ty\t");
        assert_eq!(v.map.span_to_source(0, 3), (4, 15));
        // A value that ends at a cell boundary ends exactly, not over the closing tags.
        let src = "<td>PIN</td><td><code><b>4321</b></code> </td><td>&#52;3&amp;</td>";
        let v = html_view(src);
        assert_eq!(v.text, "PIN\t4321\t43&\t");
        let (a, b) = v.map.span_to_source(4, 8);
        assert_eq!(&src[a..b], "4321");
        let (a, b) = v.map.span_to_source(9, 12);
        assert_eq!(&src[a..b], "&#52;3&amp;");
    }

    #[test]
    fn offset_map_property_on_random_documents() {
        const PIECES: &[&str] = &[
            "<p>",
            "</p>",
            "<td>",
            "</td>",
            "<tr>",
            "<br>",
            "<b>",
            "</b>",
            "<pre>",
            "</pre>",
            "<a href=\"h&amp;x\">",
            "</a>",
            "<!--c-->",
            "<!-- sendguard:allow -->",
            "<style>s</style>",
            "&amp;",
            "&#80;",
            "&#x50;",
            "&copy",
            "&nbsp;",
            "&zwnj;",
            "&bogus;",
            "&",
            "<",
            ">",
            " ",
            "\n",
            "  ",
            "text",
            "ñ",
            "😀",
            "密码",
            "<![CDATA[z]]>",
            "<input value=v>",
            "<!DOCTYPE x>",
            "\"",
            "'",
            "=",
            "<img src='data:image/png,x'>",
            "</",
            "<!",
            "&#",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..3000 {
            let n = (next() % 24) as usize;
            let doc: String = (0..n)
                .map(|_| PIECES[(next() % PIECES.len() as u64) as usize])
                .collect();
            let v = html_view(&doc);
            check_map(&doc, &v);
        }
    }
}
