//! Find template placeholders in text.
//!
//! A template says `{{ customer.password }}` where the rendered mail will hold the
//! password itself; finding the placeholder and the name it references lets the engine
//! flag the template before a single mail goes out. This module knows the common
//! syntaxes (Handlebars/Mustache/Jinja/Twig/Liquid/Go/Blade `{{ }}`, Magento
//! `{{var …}}`, `{% %}`, Smarty `{$…}`, `${…}`, ERB/EJS `<%= %>`, PHP `<?= ?>`, Razor
//! `@Model.X`, `%VAR%`, `%%VAR%%`, `%(x)s`, `[[x]]`, `{VAR}`, `$VAR`) and says where each
//! placeholder is, where its name is, and whether it outputs anything (`{{#if x}}` does
//! not). Classifying the name is [`super::names`]' job.
//!
//! Safe on hostile input: one left-to-right pass; every placeholder is at most
//! [`MAX_PLACEHOLDER_BYTES`] long; closing delimiters are found through a cache that
//! only moves forward, so `{{` repeated half a million times costs one scan, not a
//! quadratic one.


/// Longest placeholder content read, in bytes; an opener whose closer is further away
/// is not a placeholder.
pub const MAX_PLACEHOLDER_BYTES: usize = 256;

/// Longest block comment (`{{!-- … --}}`, `{{-- … --}}`) skipped as one; its content
/// is never read, so the bound only limits what counts as one comment.
pub const MAX_COMMENT_BYTES: usize = 64 * 1024;

/// The template syntax a placeholder is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Syntax {
    /// `{{ x }}`: Handlebars, Mustache, Jinja, Django, Twig, Liquid, Nunjucks, Blade.
    DoubleBrace,
    /// `{{{ x }}}`: Handlebars/Mustache unescaped output.
    TripleBrace,
    /// `{{ .X }}`: Go `text/template` and `html/template`.
    GoTemplate,
    /// `{{var x}}`, `{{htmlescape var=$x}}`: Magento directives.
    Magento,
    /// `{% … %}`: Jinja/Twig/Liquid/Django tags; output only for `print`/`echo`.
    BlockTag,
    /// `{!! $x !!}`: Blade unescaped output.
    BladeRaw,
    /// `{$x}`, `{$x|escape}`, `{$a->x}`: Smarty, Moodle, PHP string interpolation.
    Smarty,
    /// `${x}`: FreeMarker, JavaScript template literals, Thymeleaf, shell, Velocity.
    DollarBrace,
    /// `<%= x %>`, `<%- x %>`; `<% … %>` without `=` is code, not output.
    Erb,
    /// `<?= $x ?>`, `<?php echo $x; ?>`.
    Php,
    /// `@Model.X`, `@item.Name`, `@(expr)`: Razor.
    Razor,
    /// `%VAR%`: upper-case or underscored names only.
    Percent,
    /// `%%VAR%%`.
    DoublePercent,
    /// `%(name)s`: Python printf-style.
    Printf,
    /// `[[x]]`; MODX Revolution `[[+x]]`, `[[*x]]`, `[[++x]]`.
    DoubleBracket,
    /// `[+x+]`, `[*x*]`: MODX Evolution placeholders and document fields.
    PlusBracket,
    /// `{VAR}`: a bare identifier in single braces.
    SingleBrace,
    /// `#{x}`: Ruby, Pug, CoffeeScript, Thymeleaf interpolation.
    HashBrace,
    /// `[% x %]`: Template Toolkit.
    TemplateToolkit,
    /// `$VAR`, `$customer_password`, `$user.password`: shell, Velocity, PHP variables.
    Dollar,
}

impl Syntax {
    /// A stable snake_case name, for reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Syntax::DoubleBrace => "double_brace",
            Syntax::TripleBrace => "triple_brace",
            Syntax::GoTemplate => "go_template",
            Syntax::Magento => "magento",
            Syntax::BlockTag => "block_tag",
            Syntax::BladeRaw => "blade_raw",
            Syntax::Smarty => "smarty",
            Syntax::DollarBrace => "dollar_brace",
            Syntax::Erb => "erb",
            Syntax::Php => "php",
            Syntax::Razor => "razor",
            Syntax::Percent => "percent",
            Syntax::DoublePercent => "double_percent",
            Syntax::Printf => "printf",
            Syntax::DoubleBracket => "double_bracket",
            Syntax::PlusBracket => "plus_bracket",
            Syntax::SingleBrace => "single_brace",
            Syntax::HashBrace => "hash_brace",
            Syntax::TemplateToolkit => "template_toolkit",
            Syntax::Dollar => "dollar",
        }
    }

    /// True for syntaxes that hardly ever occur in finished mail, so that one of them
    /// is enough to call a document a template (`{{ }}`, `{% %}`, `${ }`, `<%= %>` …).
    /// `{VAR}`, `$VAR`, `%VAR%`, `%(x)s` and `[[x]]` also occur in prose and code.
    pub fn is_clear(self) -> bool {
        !matches!(
            self,
            Syntax::Percent
                | Syntax::Printf
                | Syntax::DoubleBracket
                | Syntax::SingleBrace
                | Syntax::Dollar
        )
    }
}

impl std::fmt::Display for Syntax {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One placeholder. Offsets are byte offsets into the text given to
/// [`find_placeholders`], always on character boundaries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Placeholder {
    /// Start of the placeholder (its opening delimiter).
    pub start: usize,
    /// End of the placeholder (after its closing delimiter), exclusive.
    pub end: usize,
    /// Start of the referenced name (`customer.password` in `{{ customer.password|e }}`),
    /// without sigils (`$`, `@`, Go's leading `.`). Equal to `name_end` when the
    /// placeholder references no name (`{{ 'Hello'|t }}`, a comment).
    pub name_start: usize,
    /// End of the referenced name, exclusive.
    pub name_end: usize,
    /// The syntax.
    pub syntax: Syntax,
    /// False when the placeholder prints nothing: conditionals and loops
    /// (`{{#if x}}`, `{% if x %}`), closing tags, comments, partials, `<% code %>`.
    pub output: bool,
}

impl Placeholder {
    /// The referenced name, as written (`customer.password`, `a->password`).
    pub fn name<'a>(&self, text: &'a str) -> &'a str {
        text.get(self.name_start..self.name_end).unwrap_or("")
    }
}

/// Every placeholder in `text`, in order, not overlapping.
///
/// ```
/// use sendguard::rules::placeholder::{find_placeholders, Syntax};
/// let text = "Hi {{ customer.first_name }}, your password: {$client_password}";
/// let found = find_placeholders(text);
/// assert_eq!(found.len(), 2);
/// assert_eq!(found[1].name(text), "client_password");
/// assert_eq!(found[1].syntax, Syntax::Smarty);
/// ```
pub fn find_placeholders(text: &str) -> Vec<Placeholder> {
    placeholders(text).collect()
}

/// An iterator over the placeholders of `text` (what [`find_placeholders`] collects).
pub fn placeholders(text: &str) -> Placeholders<'_> {
    Placeholders::new(text)
}

/// True when `text` contains a placeholder of a syntax that rarely occurs in finished
/// mail ([`Syntax::is_clear`]; for Razor only `@Model.`, `@ViewBag.`, `@ViewData[` and
/// `@(…)`; printf `%(name)s` and `[[name]]` only for a name with a dot or an underscore).
/// Used to decide `kind = auto`.
///
/// ```
/// use sendguard::rules::placeholder::looks_like_template;
/// assert!(looks_like_template("Dear {{ name }},"));
/// assert!(!looks_like_template("Save 50% off {today}! Mail a@b.com, pay $5.00"));
/// assert!(looks_like_template("Your password: [[user.temp_password]]"));
/// assert!(looks_like_template("Your API secret: %(account_api_secret)s"));
/// assert!(!looks_like_template("See [[Main Page]] on the wiki"));
/// ```
pub fn looks_like_template(text: &str) -> bool {
    placeholders(text).any(|p| match p.syntax {
        Syntax::Razor => {
            let rest = text.get(p.start + 1..).unwrap_or("");
            ["Model.", "ViewBag.", "ViewData[", "TempData[", "("]
                .iter()
                .any(|s| rest.starts_with(s))
        }
        // `%(name)s` and `[[user.temp_password]]` with a code-shaped name (a dot or an
        // underscore) are left-over template syntax; `[[Main Page]]` is a wiki link.
        // A MODX sigil (`[[+uid]]`, `[[*pagetitle]]`) is template syntax whatever the name.
        Syntax::DoubleBracket if matches!(text.as_bytes()[p.name_start - 1], b'+' | b'*') => true,
        Syntax::Printf | Syntax::DoubleBracket => {
            let name = p.name(text);
            name.contains(['.', '_']) && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'_')
        }
        syntax => syntax.is_clear(),
    })
}

/// A placeholder that starts exactly at `at`, in any syntax a template may put in a value
/// slot: those [`find_placeholders`] knows, and the ones too ambiguous to look for in
/// running text but clear right after a label (`Password: %s`, `PIN: {0}`, `%1$s`,
/// `#{user.password}`, `[% user.password %]`, `%password%`, `%{password}`, `<password>`,
/// `$(PASS)`, `__password__`).
/// Returns its end and the name it references (empty for a positional one).
///
/// ```
/// use sendguard::rules::placeholder::slot_placeholder;
/// let text = "Password: #{user.password}";
/// assert_eq!(slot_placeholder(text, 10), Some((text.len(), "user.password")));
/// assert_eq!(slot_placeholder("PIN: %2$s", 5), Some((9, "")));
/// assert_eq!(slot_placeholder("Password: %0% (please change it)", 10), Some((13, "0")));
/// assert_eq!(slot_placeholder("Password: {data:password}", 10), Some((25, "password")));
/// assert_eq!(slot_placeholder("Password: {%PASSWORD%}", 10), Some((22, "PASSWORD")));
/// assert_eq!(slot_placeholder("Password: Xq7#vB2m", 10), None);
/// ```
pub fn slot_placeholder(text: &str, at: usize) -> Option<(usize, &str)> {
    // Markup around the slot in a template that is not read as HTML (an SQL seed, a
    // language file): `Your new password - <b><NewPassword></b>`.
    let at = at + inline_tags_len(text.get(at..)?);
    let rest = text.get(at..)?;
    let head = &rest[..floor_boundary(rest, rest.len().min(MAX_PLACEHOLDER_BYTES))];
    let line = &head[..head.find('\n').unwrap_or(head.len())];
    if let Some(p) = placeholders(line).next().filter(|p| p.start == 0 && p.output) {
        return Some((at + p.end, p.name(line)));
    }
    let b = line.as_bytes();
    let inner = |open: usize, close: &str| -> Option<(usize, &str)> {
        let end = line[open..].find(close)? + open;
        Some((at + end + close.len(), slot_name(&line[open..end])))
    };
    match b {
        [b'#', b'{', ..] => inner(2, "}"),
        [b'[', b'%', ..] => inner(2, "%]"),
        [b'$', b'(', ..] => inner(2, ")"),
        [b'{', d, ..] if d.is_ascii_digit() => {
            let n = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            (b.get(1 + n) == Some(&b'}')).then_some((at + n + 2, ""))
        }
        // `{data:password}` (TwistPHP's views): a source, a colon, the name.
        [b'{', c, ..] if c.is_ascii_alphabetic() => {
            let colon = b.iter().position(|&c| c == b':').filter(|&k| b[1..k].iter().all(u8::is_ascii_alphabetic))?;
            let n = b[colon + 1..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.')).count();
            (n >= 2 && b.get(colon + 1 + n) == Some(&b'}')).then(|| (at + colon + n + 2, &line[colon + 1..colon + 1 + n]))
        }
        // Ruby's interpolation in translations and `format`: `%{password}`, `%<pin>s`.
        [b'%', b'{', ..] => inner(2, "}"),
        [b'%', b'<', ..] => inner(2, ">").map(|(end, name)| {
            // The conversion after the name: `%<pin>s`, `%<amount>d`.
            (end + usize::from(text.as_bytes().get(end).is_some_and(u8::is_ascii_alphabetic)), name)
        }),
        [b'%', ..] => {
            // printf: `%s`, `%d`, `%1$s`; or a name between percent signs.
            let digits = b[1..].iter().take_while(|c| c.is_ascii_digit()).count();
            let after = 1 + digits + usize::from(digits > 0 && b.get(1 + digits) == Some(&b'$'));
            if digits == 0 || b.get(1 + digits) == Some(&b'$') {
                if let Some(c) = b.get(after).filter(|c| matches!(c, b's' | b'd' | b'i' | b'@')) {
                    let end = after + 1;
                    if !b.get(end).is_some_and(|n| n.is_ascii_alphanumeric()) && (digits > 0 || *c != b'@') {
                        return Some((at + end, ""));
                    }
                }
            }
            // (A number between them is positional: pH7's `t('Password: %0%', $pw)`.)
            let n = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.')).count();
            ((n >= 2 || n == digits && n == 1) && b.get(1 + n) == Some(&b'%')).then(|| (at + n + 2, &line[1..1 + n]))
        }
        // `[PASSWORD]`, `[USER_PASSWORD]`, `[password]`: names in square brackets (PHP-Fusion,
        // forma.lms, many mail plugins). Only in a slot: in running text they are a note's
        // tag; and not a link's text (`[here](…)`, `[here][1]`).
        [b'[', c, ..] if c.is_ascii_alphabetic() => {
            let n = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
            let link = matches!(b.get(2 + n), Some(b'(' | b'['));
            (n >= 2 && b.get(1 + n) == Some(&b']') && !link && !is_mask_word(&line[1..1 + n])).then(|| (at + n + 2, &line[1..1 + n]))
        }
        // `__password__`, `__url__`: names between double underscores (Meteor's and
        // Wekan's translations).
        [b'_', b'_', c, ..] if c.is_ascii_alphabetic() => {
            let n = (2..b.len()).take_while(|&i| b[i].is_ascii_alphanumeric() || b[i] == b'.' || (b[i] == b'_' && b.get(i + 1) != Some(&b'_'))).count();
            (n >= 2 && b[2 + n..].starts_with(b"__")).then(|| (at + n + 4, &line[2..2 + n]))
        }
        [b'<', c, ..] if c.is_ascii_alphabetic() || *c == b'_' => {
            let n = b[1..].iter().take_while(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'.' | b'-')).count();
            // `<br>` in an escaped HTML string is a line break, not a slot named `br`.
            let name = &line[1..1 + n];
            (b.get(1 + n) == Some(&b'>') && !is_html_element(name)).then(|| (at + n + 2, name))
        }
        _ => None,
    }
}

/// HTML elements that a `<name>` slot could be mistaken for (ASCII case ignored).
#[rustfmt::skip]
const HTML_ELEMENTS: &[&str] = &[
    "a", "b", "i", "u", "s", "p", "q", "br", "hr", "em", "tt", "td", "tr", "th", "li", "ul", "ol", "dl", "dt",
    "dd", "h1", "h2", "h3", "h4", "h5", "h6", "div", "span", "strong", "code", "pre", "img", "sub", "sup",
    "small", "big", "font", "center", "table", "tbody", "thead", "body", "html", "head", "title", "kbd",
    "samp", "mark", "wbr", "label", "button", "form", "section", "header", "footer", "main", "nav",
    "blockquote", "cite", "abbr", "del", "ins", "style", "script", "link", "meta",
];

fn is_html_element(name: &str) -> bool {
    HTML_ELEMENTS.iter().any(|e| e.eq_ignore_ascii_case(name))
}

/// Formatting tags that may wrap a value: `<b>`, `<strong>`, `<code>` …, without attributes.
const INLINE_TAGS: &[&str] = &["<b>", "<strong>", "<em>", "<i>", "<u>", "<code>", "<span>", "<tt>", "<kbd>", "<samp>", "<mark>"];

/// A name spliced into a source string at the start of `rest`: the string closes, a
/// variable, constant or property is joined in, and the string opens again (`' .
/// STORE_NAME . '`, `" + siteName + "`, `\'' . $shop->name . '\'` with the quotes the
/// text prints around it). Its length in bytes, or `None`. In running text the whole
/// splice reads as one word: "Your password to \'' . STORE_NAME . '\' is:".
///
/// ```
/// use sendguard::rules::placeholder::splice_len;
/// assert_eq!(splice_len("' . STORE_NAME . ' is"), Some(18));
/// assert_eq!(splice_len("\" + user.name + \" is"), Some(17));
/// assert_eq!(splice_len("' . $x; echo '"), None);
/// ```
pub fn splice_len(rest: &str) -> Option<usize> {
    let b = rest.as_bytes();
    let blanks = |i: usize| blanks_end(b, i);
    let quote = |i: usize| is_quote(b, i);
    let escaped_quote = |i: usize| b.get(i) == Some(&b'\\') && quote(i + 1);
    let mut i = if escaped_quote(0) { 2 } else { 0 };
    if !quote(i) {
        return None;
    }
    i = blanks(i + 1);
    if !matches!(b.get(i), Some(b'.' | b'+')) {
        return None;
    }
    i = blanks(i + 1);
    // `$shop->name`, `STORE_NAME`, `user.name`, `Config::NAME`, `site()`.
    if b.get(i) == Some(&b'$') {
        i += 1;
    }
    let ident = |i: usize| ascii_ident_end(b, i);
    let mut j = ident(i);
    if j == i || b[i].is_ascii_digit() {
        return None;
    }
    loop {
        if b[j..].starts_with(b"->") || b[j..].starts_with(b"::") {
            j = ident(j + 2);
        } else if b.get(j) == Some(&b'.') && b.get(j + 1).is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') {
            j = ident(j + 1);
        } else if b[j..].starts_with(b"()") {
            j += 2;
        } else {
            break;
        }
    }
    i = blanks(j);
    if !matches!(b.get(i), Some(b'.' | b'+')) {
        return None;
    }
    i = blanks(i + 1);
    if !quote(i) {
        return None;
    }
    i += 1;
    Some(if escaped_quote(i) { i + 2 } else { i })
}

/// Where the spaces and tabs from `i` end (past the end when `i` is).
pub(crate) fn blanks_end(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// Whether a string literal's quote (`'` or `"`) stands at `i`.
pub(crate) fn is_quote(b: &[u8], i: usize) -> bool {
    matches!(b.get(i), Some(b'\'' | b'"'))
}

/// Length of the run of [`INLINE_TAGS`] (any case) that `s` starts with.
fn inline_tags_len(s: &str) -> usize {
    let mut n = 0;
    while let Some(t) = INLINE_TAGS.iter().find(|t| s.len() >= n + t.len() && s.as_bytes()[n..n + t.len()].eq_ignore_ascii_case(t.as_bytes())) {
        n += t.len();
    }
    n
}

/// Words that, bracketed in a slot, say the value was withheld: `[REDACTED]`, `[HIDDEN]`.
fn is_mask_word(name: &str) -> bool {
    ["REDACTED", "HIDDEN", "MASKED", "REMOVED", "ENCRYPTED", "NOT_SHOWN", "CENSORED", "SECRET"].iter().any(|w| w.eq_ignore_ascii_case(name))
}

/// The name an expression inside a slot placeholder references: its first path
/// (`user.password` of `GET user.password`, `$user->password`), sigils dropped.
fn slot_name(expr: &str) -> &str {
    let is_path = |c: char| c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '>' | '$' | '@' | ':' | '[' | ']' | '\'');
    expr.split(|c: char| !is_path(c))
        .filter(|w| !w.is_empty() && !matches!(*w, "GET" | "echo" | "print" | "-" | "="))
        .map(|w| w.trim_start_matches(['$', '@', ':', '-', '>']))
        .find(|w| !w.is_empty())
        .unwrap_or("")
}

fn floor_boundary(s: &str, mut i: usize) -> usize {
    while i > 0 && !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The first occurrence of a needle at or after a position, remembered so that a run of
/// queries with growing positions scans the text once in total.
struct Finder {
    needle: &'static [u8],
    searched_from: usize,
    found: Option<usize>,
    valid: bool,
}

impl Finder {
    const fn new(needle: &'static [u8]) -> Self {
        Finder {
            needle,
            searched_from: 0,
            found: None,
            valid: false,
        }
    }

    fn find(&mut self, hay: &[u8], from: usize) -> Option<usize> {
        if from >= hay.len() {
            return None;
        }
        if self.valid {
            if from >= self.searched_from {
                match self.found {
                    Some(p) if p >= from => return Some(p),
                    None => return None,
                    Some(_) => {}
                }
            } else if self.searched_from - from <= 8 {
                // A small step back (openers of different lengths at one position):
                // look in the gap only, the cached answer covers the rest.
                let gap_end = (self.searched_from + self.needle.len() - 1).min(hay.len());
                if let Some(p) = find_bytes(&hay[from..gap_end], self.needle) {
                    return Some(from + p);
                }
                return self.found;
            }
        }
        let found = find_bytes(&hay[from..], self.needle).map(|p| from + p);
        self.searched_from = from;
        self.found = found;
        self.valid = true;
        found
    }
}

/// The first occurrence of a short needle: `memchr` on its first byte, then a compare.
/// (`memmem::find` builds a searcher per call, which showed in profiles of templates with
/// thousands of placeholders; these needles are 1–4 bytes.)
fn find_bytes(hay: &[u8], needle: &[u8]) -> Option<usize> {
    let (&first, rest) = needle.split_first()?;
    let mut at = 0;
    while let Some(p) = memchr::memchr(first, &hay[at..]) {
        let i = at + p;
        if hay[i + 1..].starts_with(rest) {
            return Some(i);
        }
        at = i + 1;
    }
    None
}

/// Iterator over placeholders; see [`placeholders`].
pub struct Placeholders<'a> {
    text: &'a str,
    pos: usize,
    openers: Openers,
    close2: Finder,
    close3: Finder,
    open2: Finder,
    close_brace: Finder,
    open_brace: Finder,
    close_bang: Finder,
    close_pct: Finder,
    close_erb: Finder,
    close_php: Finder,
    close_paren: Finder,
    close_bracket: Finder,
    close_comment: Finder,
}

impl<'a> Placeholders<'a> {
    fn new(text: &'a str) -> Self {
        Placeholders {
            text,
            pos: 0,
            openers: Openers::default(),
            close2: Finder::new(b"}}"),
            close3: Finder::new(b"}}}"),
            open2: Finder::new(b"{{"),
            close_brace: Finder::new(b"}"),
            open_brace: Finder::new(b"{"),
            close_bang: Finder::new(b"!!}"),
            close_pct: Finder::new(b"%}"),
            close_erb: Finder::new(b"%>"),
            close_php: Finder::new(b"?>"),
            close_paren: Finder::new(b")"),
            close_bracket: Finder::new(b"]"),
            close_comment: Finder::new(b"--}}"),
        }
    }

    fn bytes(&self) -> &'a [u8] {
        self.text.as_bytes()
    }

    /// A closer found by `finder` for content starting at `from`, if within the bound.
    fn closer(&mut self, which: fn(&mut Self) -> &mut Finder, from: usize) -> Option<usize> {
        let hay = self.text.as_bytes();
        let at = which(self).find(hay, from)?;
        (at - from <= MAX_PLACEHOLDER_BYTES).then_some(at)
    }

    fn at_brace(&mut self, i: usize) -> Option<Placeholder> {
        let b = self.bytes();
        let rest = &b[i..];
        if rest.starts_with(b"{{--") || rest.starts_with(b"{{!--") {
            // A Blade or Handlebars block comment may hold `}}`; it ends at `--}}`.
            let from = if rest[2] == b'!' { i + 5 } else { i + 4 };
            if let Some(close) = self.close_comment.find(b, from) {
                if close - from <= MAX_COMMENT_BYTES {
                    return Some(Expr::empty(from).placeholder(
                        i,
                        close + 4,
                        Syntax::DoubleBrace,
                        false,
                    ));
                }
            }
        }
        if rest.starts_with(b"{{{") {
            if let Some(close) = self.closer(|s| &mut s.close3, i + 3) {
                let nested = self.open2.find(b, i + 3).is_some_and(|o| o < close);
                if !nested && !is_blank(&b[i + 3..close]) {
                    let e = expression(self.text, i + 3, close);
                    return Some(e.placeholder(i, close + 3, Syntax::TripleBrace, true));
                }
            }
        }
        if rest.starts_with(b"{{") {
            let close = self.closer(|s| &mut s.close2, i + 2)?;
            let nested = self.open2.find(b, i + 2).is_some_and(|o| o < close);
            if nested || is_blank(&b[i + 2..close]) || b[i + 2..close].contains(&b'{') {
                return None;
            }
            return Some(double_brace(self.text, i, close));
        }
        if rest.starts_with(b"{!!") {
            let close = self.closer(|s| &mut s.close_bang, i + 3)?;
            if is_blank(&b[i + 3..close]) {
                return None;
            }
            let e = expression(self.text, i + 3, close);
            return Some(e.placeholder(i, close + 3, Syntax::BladeRaw, true));
        }
        if rest.starts_with(b"{%") {
            let close = self.closer(|s| &mut s.close_pct, i + 2)?;
            return block_tag(self.text, i, close);
        }
        if rest.starts_with(b"{$") {
            let close = self.closer(|s| &mut s.close_brace, i + 2)?;
            let nested = self.open_brace.find(b, i + 1).is_some_and(|o| o < close);
            if nested || !starts_ident(self.text, i + 2) {
                return None;
            }
            let e = expression(self.text, i + 1, close);
            return Some(e.placeholder(i, close + 1, Syntax::Smarty, true));
        }
        single_brace(self.text, i)
    }

    fn at_dollar(&mut self, i: usize) -> Option<Placeholder> {
        let b = self.bytes();
        if i > 0 && matches!(b[i - 1], b'\\' | b'$') {
            return None;
        }
        let open = if b[i..].starts_with(b"${") {
            i + 2
        } else if b[i..].starts_with(b"$!{") {
            i + 3
        } else {
            return dollar_var(self.text, i);
        };
        let close = self.closer(|s| &mut s.close_brace, open)?;
        let nested = self.open_brace.find(b, open).is_some_and(|o| o < close);
        if nested || is_blank(&b[open..close]) {
            return None;
        }
        let e = expression(self.text, open, close);
        Some(e.placeholder(i, close + 1, Syntax::DollarBrace, true))
    }

    fn at_angle(&mut self, i: usize) -> Option<Placeholder> {
        let b = self.bytes();
        if b[i..].starts_with(b"<%") {
            if b[i..].starts_with(b"<%%") {
                return None; // an escaped literal `<%`
            }
            let close = self.closer(|s| &mut s.close_erb, i + 2)?;
            let mut from = i + 2;
            let output = match b.get(from) {
                Some(b'=') => {
                    from += if b.get(from + 1) == Some(&b'=') { 2 } else { 1 };
                    true
                }
                Some(b'-') => {
                    from += 1;
                    true
                }
                _ => false,
            };
            if b.get(i + 2) == Some(&b'#') {
                return Some(Expr::empty(close).placeholder(i, close + 2, Syntax::Erb, false));
            }
            let end = trim_end_dash(b, from, close);
            let e = expression(self.text, from, end);
            let output = output && e.keyword != Keyword::Control;
            return Some(e.placeholder(i, close + 2, Syntax::Erb, output));
        }
        if b[i..].starts_with(b"<?") {
            let close = self.closer(|s| &mut s.close_php, i + 2)?;
            if b[i..].starts_with(b"<?=") {
                let e = expression(self.text, i + 3, close);
                return Some(e.placeholder(i, close + 2, Syntax::Php, true));
            }
            let from = if b[i..].starts_with(b"<?php") {
                i + 5
            } else {
                i + 2
            };
            if from > close {
                return None;
            }
            let e = expression(self.text, from, close);
            let output = e.keyword == Keyword::Output;
            return Some(e.placeholder(i, close + 2, Syntax::Php, output));
        }
        None
    }

    fn at_at(&mut self, i: usize) -> Option<Placeholder> {
        let b = self.bytes();
        if i > 0
            && !matches!(
                b[i - 1],
                b' ' | b'\t'
                    | b'\n'
                    | b'\r'
                    | b'>'
                    | b'('
                    | b'"'
                    | b'\''
                    | b'['
                    | b'{'
                    | b','
                    | b';'
                    | b'='
            )
        {
            return None; // `a@b.com` and the like
        }
        if b.get(i + 1) == Some(&b'(') {
            let mut close = self.closer(|s| &mut s.close_paren, i + 2)?;
            // Extend over nested calls: `@(Html.Raw(Model.X))`.
            let mut depth = b[i + 2..close].iter().filter(|&&c| c == b'(').count();
            while depth > 0 {
                let next = self.closer(|s| &mut s.close_paren, close + 1)?;
                if next - (i + 2) > MAX_PLACEHOLDER_BYTES {
                    return None;
                }
                depth += b[close + 1..next].iter().filter(|&&c| c == b'(').count();
                depth -= 1;
                close = next;
            }
            if is_blank(&b[i + 2..close]) {
                return None;
            }
            let e = expression(self.text, i + 2, close);
            return Some(e.placeholder(i, close + 1, Syntax::Razor, true));
        }
        if !b
            .get(i + 1)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        let first_end = ascii_ident_end(b, i + 1);
        if RAZOR_KEYWORDS.contains(&&self.text[i + 1..first_end]) {
            return None;
        }
        // The path: `.ident`, `[…]`, `(…)`.
        let limit = (i + 1 + MAX_PLACEHOLDER_BYTES).min(b.len());
        let mut end = first_end;
        let mut last_segment = (i + 1, first_end);
        let mut has_path = false;
        while end < limit {
            match b[end] {
                b'.' if b
                    .get(end + 1)
                    .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
                {
                    let seg_end = ascii_ident_end(b, end + 1);
                    last_segment = (end + 1, seg_end);
                    end = seg_end;
                }
                b'[' => {
                    let close = self.closer(|s| &mut s.close_bracket, end + 1)?;
                    end = close + 1;
                }
                b'(' => {
                    let close = self.closer(|s| &mut s.close_paren, end + 1)?;
                    end = close + 1;
                }
                _ => break,
            }
            has_path = true;
        }
        if !has_path || end > limit {
            return None; // bare `@name` is a handle or a mention far more often than Razor
        }
        let tld = self.text[last_segment.0..last_segment.1].to_ascii_lowercase();
        if first_end < end && b[first_end] == b'.' && TLDS.contains(&tld.as_str()) {
            return None; // `@example.com`
        }
        let e = expression(self.text, i + 1, end);
        Some(e.placeholder(i, end, Syntax::Razor, true))
    }
}

impl Iterator for Placeholders<'_> {
    type Item = Placeholder;

    fn next(&mut self) -> Option<Placeholder> {
        let bytes = self.text.as_bytes();
        loop {
            // Skip to the next byte that can open a placeholder; most text has none.
            let i = self.openers.next(bytes, self.pos)?;
            let found = match bytes[i] {
                b'{' if i > self.pos && bytes[i - 1] == b'#' => hash_brace(self.text, i - 1).or_else(|| self.at_brace(i)),
                b'{' => self.at_brace(i),
                b'$' => self.at_dollar(i),
                b'<' => self.at_angle(i),
                b'%' => percent(self.text, i),
                b'[' if bytes.get(i + 1) == Some(&b'%') => template_toolkit(self.text, i),
                b'[' if matches!(bytes.get(i + 1), Some(b'+' | b'*')) => plus_bracket(self.text, i),
                b'[' => double_bracket(self.text, i),
                b'@' => self.at_at(i),
                _ => None,
            };
            match found {
                Some(p) => {
                    self.pos = p.end.max(i + 1);
                    return Some(p);
                }
                None => self.pos = i + 1,
            }
        }
    }
}

/// The bytes that start a placeholder of some syntax, in the two sets of three that
/// [`Openers`] searches for: `{ $ <` and `% [ @`.
const OPENERS: [[u8; 3]; 2] = [[b'{', b'$', b'<'], [b'%', b'[', b'@']];

/// The next byte that can open a placeholder.
///
/// Two vectorised three-byte searches, each remembering its next hit, so that a scan of
/// a whole document reads it about twice in SIMD steps instead of once a byte at a time
/// (the opener search was a tenth of all scan time before).
#[derive(Default)]
struct Openers {
    /// Per set: where it was last searched from, and its first hit at or after that.
    searched: [Option<(usize, Option<usize>)>; 2],
}

impl Openers {
    fn next(&mut self, hay: &[u8], pos: usize) -> Option<usize> {
        // Openers often come in runs (`{{`, `<%=`, `[[`): look at the next few bytes first.
        let near = hay.get(pos..)?;
        if let Some(i) = near.iter().take(8).position(|b| OPENERS.iter().flatten().any(|o| o == b)) {
            return Some(pos + i);
        }
        let mut best: Option<usize> = None;
        for (searched, [a, b, c]) in self.searched.iter_mut().zip(OPENERS) {
            let hit = match *searched {
                // Still valid: searched from at most `pos`, and the hit (if any) is not behind it.
                Some((from, hit)) if from <= pos && hit.is_none_or(|h| h >= pos) => hit,
                _ => {
                    let hit = memchr::memchr3(a, b, c, near).map(|p| pos + p);
                    *searched = Some((pos, hit));
                    hit
                }
            };
            best = match (best, hit) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
        }
        best
    }
}

/// `{{ … }}` after the delimiters are found: comments, sections, Go, Magento, the rest.
fn double_brace(text: &str, i: usize, close: usize) -> Placeholder {
    let b = text.as_bytes();
    let end = close + 2;
    let mut from = i + 2;
    let mut to = close;
    // Whitespace control: `{{- x -}}`, `{{~ x ~}}`.
    if matches!(b.get(from), Some(b'~'))
        || (b.get(from) == Some(&b'-') && b.get(from + 1) != Some(&b'-'))
    {
        from += 1;
    }
    to = trim_end_dash(b, from, to);
    let first = skip_ws(b, from, to);
    match b.get(first).filter(|_| first < to) {
        // Comments: `{{! … }}`, `{{!-- … --}}`, Blade `{{-- … --}}`.
        Some(b'!') => return Expr::empty(first).placeholder(i, end, Syntax::DoubleBrace, false),
        Some(b'-') if b.get(first + 1) == Some(&b'-') => {
            return Expr::empty(first).placeholder(i, end, Syntax::DoubleBrace, false)
        }
        // Sections, closers, partials, inverted sections, decorators, delimiter changes.
        Some(b'#' | b'^' | b'/' | b'>' | b'<' | b'*' | b'=' | b'$') if b[first] != b'$' => {
            let e = expression(text, first + 1, to);
            return e.placeholder(i, end, Syntax::DoubleBrace, false);
        }
        Some(b'&') => {
            let e = expression(text, first + 1, to);
            return e.placeholder(i, end, Syntax::DoubleBrace, true);
        }
        Some(b'.')
            if b.get(first + 1)
                .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_') =>
        {
            let e = expression(text, first, to);
            let output = e.keyword == Keyword::None || e.keyword == Keyword::Output;
            return e.placeholder(i, end, Syntax::GoTemplate, output);
        }
        _ => {}
    }
    let e = expression(text, first, to);
    let head_end = ascii_ident_end(b, first);
    let head = &text[first..head_end];
    let is_directive = MAGENTO_DIRECTIVES.contains(&head)
        && b.get(head_end)
            .is_some_and(|c| c.is_ascii_whitespace() || *c == b'=')
        && !is_blank(&b[head_end..to]);
    let syntax = if is_directive {
        Syntax::Magento
    } else {
        Syntax::DoubleBrace
    };
    let output = if is_directive {
        !matches!(head, "depend" | "if")
    } else {
        e.keyword != Keyword::Control
    };
    e.placeholder(i, end, syntax, output)
}

/// `{% … %}`: output only for `print`/`echo`; the name is the tag's argument.
fn block_tag(text: &str, i: usize, close: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    let mut from = i + 2;
    if matches!(b.get(from), Some(b'-' | b'~' | b'+')) {
        from += 1;
    }
    let to = trim_end_dash(b, from, close);
    if is_blank(&b[from..to]) {
        return None;
    }
    let e = expression(text, from, to);
    // `{%PASSWORD%}` (Subrion's variables): a bare name with no space inside the tag is
    // printed; a block statement has a keyword and spaces (`{% if x %}`).
    let bare = b[i + 2..close].iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_') && e.keyword != Keyword::Control;
    let output = e.keyword == Keyword::Output || bare;
    Some(e.placeholder(i, close + 2, Syntax::BlockTag, output))
}

/// `#{x}` at `i` (the `#`): an expression up to the first `}` on the line.
fn hash_brace(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    let from = i + 2;
    let limit = (from + MAX_PLACEHOLDER_BYTES).min(b.len());
    let close = from + b[from..limit].iter().position(|&c| c == b'}' || c == b'\n')?;
    if b[close] != b'}' || is_blank(&b[from..close]) || !starts_ident(text, skip_sigils(b, skip_ws(b, from, close), close)) {
        return None;
    }
    Some(expression(text, from, close).placeholder(i, close + 1, Syntax::HashBrace, true))
}

/// `[% x %]`, `[%- x -%]`: Template Toolkit; directives (`IF`, `FOREACH`, `END`) print nothing.
fn template_toolkit(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    let limit = (i + 2 + MAX_PLACEHOLDER_BYTES).min(b.len());
    let close = i + 2 + find_bytes(&b[i + 2..limit], b"%]")?;
    let mut from = i + 2;
    if matches!(b.get(from), Some(b'-' | b'~' | b'+')) {
        from += 1;
    }
    let to = trim_end_dash(b, from, close);
    if is_blank(&b[from..to]) {
        return None;
    }
    let first = &text[skip_ws(b, from, to)..to];
    let word = first.split(|c: char| !c.is_ascii_alphanumeric() && c != '_').next().unwrap_or("");
    let directive = word.len() > 1 && word.bytes().all(|c| c.is_ascii_uppercase() || c == b'_');
    let e = if word == "GET" { expression(text, skip_ws(b, from, to) + 3, to) } else { expression(text, from, to) };
    let output = (!directive || word == "GET") && e.keyword != Keyword::Control;
    Some(e.placeholder(i, close + 2, Syntax::TemplateToolkit, output))
}

/// `{VAR}`: identifier-shaped content only, so CSS (`body{font-family:Arial}`), JSON and
/// LaTeX (`\textbf{x}`) do not match.
fn single_brace(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    if i > 0 {
        let prev = prev_char(text, i)?;
        if prev.is_alphanumeric() || matches!(prev, '_' | '{' | '$' | '#' | '%' | '\\' | '@') {
            return None;
        }
    }
    if !starts_ident(text, i + 1) {
        return None;
    }
    let limit = (i + 1 + MAX_PLACEHOLDER_BYTES).min(b.len());
    let mut p = i + 1;
    while p < limit {
        let c = text[p..].chars().next()?;
        if c == '}' {
            break;
        }
        if !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            return None;
        }
        p += c.len_utf8();
    }
    if p >= limit || b[p] != b'}' || b.get(p + 1) == Some(&b'}') {
        return None;
    }
    Some(Placeholder {
        start: i,
        end: p + 1,
        name_start: i + 1,
        name_end: p,
        syntax: Syntax::SingleBrace,
        output: true,
    })
}

/// `$VAR`, `$customer_password`, `$user.password`, `$a->password`; not `$5.00`, `$x`.
fn dollar_var(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    if i > 0 {
        let prev = prev_char(text, i)?;
        if prev.is_alphanumeric() || prev == '_' {
            return None;
        }
    }
    if !starts_ident(text, i + 1) {
        return None;
    }
    let limit = (i + 1 + MAX_PLACEHOLDER_BYTES).min(b.len());
    let first_end = unicode_ident_end(text, i + 1, limit);
    let mut end = first_end;
    let mut has_path = false;
    loop {
        let sep = if b.get(end) == Some(&b'.') {
            1
        } else if b[end.min(b.len())..].starts_with(b"->") {
            2
        } else {
            0
        };
        if sep == 0 || !starts_ident(text, end + sep) || end + sep >= limit {
            break;
        }
        end = unicode_ident_end(text, end + sep, limit);
        has_path = true;
    }
    if !(has_path || var_shaped(&text[i + 1..first_end])) {
        return None;
    }
    Some(Placeholder {
        start: i,
        end,
        name_start: i + 1,
        name_end: end,
        syntax: Syntax::Dollar,
        output: !tested(text, i) && !assigned(text, i, end),
    })
}

/// Whether the variable at `i..end` is the target of an assignment that starts its
/// statement (`$s_password = 'Password';` in a language file): code that sets a variable
/// prints nothing there.
fn assigned(text: &str, i: usize, end: usize) -> bool {
    let b = text.as_bytes();
    let statement_start = text[..i].trim_end_matches([' ', '\t']).is_empty()
        || text[..i].trim_end_matches([' ', '\t']).ends_with(['\n', ';', '{', '}']);
    let p = skip_ws(b, end, b.len());
    statement_start && b.get(p) == Some(&b'=') && !matches!(b.get(p + 1), Some(b'=' | b'>'))
}

/// Functions and statements that test a variable instead of printing it.
const TESTS: &[&str] = &["if", "elseif", "while", "isset", "empty", "unset", "defined"];

/// Words of function names that hash, encrypt or check a value instead of printing it
/// (`encrypt_password($new_password)`, `password_hash($pw)`, `verifyPin($pin)`).
const CONSUMERS: &[&str] = &["encrypt", "hash", "md5", "sha1", "sha256", "crypt", "bcrypt", "verify", "validate", "compare", "check"];

/// Whether the variable at `i` is the operand of a test in code (`if (!is_null($this->token))`,
/// `isset($password)`, `has_token($t)`) or of a hash or check (`encrypt_password($pw)`):
/// code that checks or hashes a value prints nothing.
fn tested(text: &str, i: usize) -> bool {
    let line_start = text[..i].rfind('\n').map_or(0, |k| k + 1);
    let head = text[floor_boundary(text, line_start.max(i.saturating_sub(64)))..i].trim_end_matches(|c: char| c.is_whitespace() || c == '!');
    // Smarty's tests have no parentheses: `{if $client_cc_number}`, `{elseif !$x}`.
    if let Some(word) = head.rsplit_once('{').map(|(_, w)| w).filter(|w| TESTS.contains(w)) {
        return !word.is_empty();
    }
    let Some(head) = head.strip_suffix('(') else { return false };
    let head = head.trim_end();
    let word = &head[head.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len()..];
    let word = word.to_ascii_lowercase();
    TESTS.contains(&word.as_str())
        || word.starts_with("is_")
        || word.starts_with("has_")
        || crate::rules::names::split_words(&head[head.len() - word.len()..]).iter().any(|w| CONSUMERS.contains(&w.as_str()))
}

/// `%%VAR%%`, `%(name)s`, `%VAR%`; not `50% off 20%` nor URL escapes like `%C3%A9`.
fn percent(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    if i > 0 && (b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'%') {
        return None;
    }
    let ident_end = |from: usize| {
        let limit = (from + MAX_PLACEHOLDER_BYTES).min(b.len());
        let mut p = from;
        while p < limit && (b[p].is_ascii_alphanumeric() || b[p] == b'_') {
            p += 1;
        }
        p
    };
    let make = |end: usize, ns: usize, ne: usize, syntax: Syntax| Placeholder {
        start: i,
        end,
        name_start: ns,
        name_end: ne,
        syntax,
        output: true,
    };
    if b[i..].starts_with(b"%%") {
        let from = i + 2;
        if !b
            .get(from)
            .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
        {
            return None;
        }
        let e = ident_end(from);
        if b[e..].starts_with(b"%%") && var_shaped(&text[from..e]) {
            return Some(make(e + 2, from, e, Syntax::DoublePercent));
        }
        return None;
    }
    if b[i..].starts_with(b"%(") {
        let from = i + 2;
        let e = ident_end(from);
        if e == from || b.get(e) != Some(&b')') {
            return None;
        }
        let mut p = e + 1;
        while p < b.len()
            && p - e < 16
            && matches!(b[p], b'-' | b'+' | b' ' | b'#' | b'0'..=b'9' | b'.')
        {
            p += 1;
        }
        if b.get(p).is_some_and(|c| b"sdifFeEgGxXorcu".contains(c)) {
            return Some(make(p + 1, from, e, Syntax::Printf));
        }
        return None;
    }
    let from = i + 1;
    if !b
        .get(from)
        .is_some_and(|c| c.is_ascii_alphabetic() || *c == b'_')
    {
        return None;
    }
    let e = ident_end(from);
    let name = &text[from..e];
    let url_escape = name.len() <= 2 && name.bytes().all(|c| c.is_ascii_hexdigit());
    // `%password%` too: a lower-case name of three letters or more between percent signs.
    let lower_var = name.len() >= 3 && name.bytes().all(|c| c.is_ascii_lowercase() || c == b'_') && !b.get(e + 1).is_some_and(u8::is_ascii_alphanumeric);
    if b.get(e) == Some(&b'%') && (var_shaped(name) || lower_var) && !url_escape {
        return Some(make(e + 1, from, e, Syntax::Percent));
    }
    None
}

/// `[[name]]` with an identifier path inside (`[[${x}]]` is left to `${}`); and MODX
/// Revolution's tags: `[[+name]]` (a placeholder), `[[!+name]]` (uncached), `[[*field]]`
/// (a resource field), `[[++setting]]`, each with optional output modifiers
/// (`[[+pwd:htmlent]]`). A tag whose modifiers hold a condition
/// (`[[++x:is=`1`:then=`…`]]`) prints one of its branches, not its name: no output.
fn double_bracket(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    if !b[i..].starts_with(b"[[") {
        return None;
    }
    let limit = (i + 2 + MAX_PLACEHOLDER_BYTES).min(b.len());
    let from = skip_ws(b, i + 2, limit);
    let modx = modx_sigils(b, from);
    if modx > 0 {
        return modx_tag(text, i, from + modx, limit);
    }
    if !starts_ident(text, from) {
        return None;
    }
    let name_end = dotted_name_end(text, from, limit);
    let p = skip_ws(b, name_end, limit);
    if !b[p.min(b.len())..].starts_with(b"]]") {
        return None;
    }
    Some(Placeholder {
        start: i,
        end: p + 2,
        name_start: from,
        name_end,
        syntax: Syntax::DoubleBracket,
        output: true,
    })
}

/// End of the dotted name (`user.pin`, `site-name`) starting at `from`, at most `limit`.
fn dotted_name_end(text: &str, from: usize, limit: usize) -> usize {
    let mut p = from;
    for c in text[from..].chars() {
        if p >= limit || !(c.is_alphanumeric() || matches!(c, '_' | '.' | '-')) {
            break;
        }
        p += c.len_utf8();
    }
    p
}

/// Length of the MODX sigils at `p`: `!` (uncached), then `+`, `++` or `*`.
fn modx_sigils(b: &[u8], p: usize) -> usize {
    let bang = usize::from(b.get(p) == Some(&b'!'));
    match (b.get(p + bang), b.get(p + bang + 1)) {
        (Some(b'+'), Some(b'+')) => bang + 2,
        (Some(b'+' | b'*'), _) => bang + 1,
        _ => 0,
    }
}

/// Modifiers that make a MODX tag conditional (`:is=`, `:then=`, `:notempty=` …).
const MODX_CONDITIONS: &[&str] = &["is", "eq", "ne", "neq", "isnot", "gt", "lt", "gte", "lte", "then", "else", "if", "ifempty", "isempty", "notempty", "ifnotempty", "default", "hide", "show"];

/// The MODX tag `[[+name…]]` at `i`, its name starting at `from`.
fn modx_tag(text: &str, i: usize, from: usize, limit: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    if !starts_ident(text, from) {
        return None;
    }
    let name_end = dotted_name_end(text, from, limit);
    // Modifiers: `:name` or `:name=`value``, up to `]]`; backticked values may hold `]`.
    let mut output = true;
    let mut q = skip_ws(b, name_end, limit);
    while q < limit && b[q] == b':' {
        let m = ascii_ident_end(b, q + 1);
        if m == q + 1 {
            return None;
        }
        output &= !MODX_CONDITIONS.iter().any(|w| text[q + 1..m].eq_ignore_ascii_case(w));
        q = m;
        if b.get(q) == Some(&b'=') {
            if b.get(q + 1) != Some(&b'`') {
                return None;
            }
            let close = find_bytes(&b[q + 2..limit], b"`")?;
            q = q + 2 + close + 1;
        }
        q = skip_ws(b, q, limit);
    }
    if !b[q.min(b.len())..].starts_with(b"]]") {
        return None;
    }
    Some(Placeholder { start: i, end: q + 2, name_start: from, name_end, syntax: Syntax::DoubleBracket, output })
}

/// `[+name+]` (a MODX Evolution placeholder) and `[*field*]` (a document field): a name
/// between the bracket and its sigil, the same sigil closing it.
fn plus_bracket(text: &str, i: usize) -> Option<Placeholder> {
    let b = text.as_bytes();
    let sigil = *b.get(i + 1).filter(|c| matches!(c, b'+' | b'*'))?;
    let from = i + 2;
    if !starts_ident(text, from) {
        return None;
    }
    let limit = (from + MAX_PLACEHOLDER_BYTES).min(b.len());
    let mut p = from;
    while p < limit && (b[p].is_ascii_alphanumeric() || matches!(b[p], b'_' | b'.' | b'-')) {
        p += 1;
    }
    // A phx-style modifier (`[+pwd:htmlent+]`) ends the name.
    let name_end = p;
    if b.get(p) == Some(&b':') {
        p = ascii_ident_end(b, p + 1);
    }
    (b.get(p) == Some(&sigil) && b.get(p + 1) == Some(&b']')).then_some(Placeholder {
        start: i,
        end: p + 2,
        name_start: from,
        name_end,
        syntax: Syntax::PlusBracket,
        output: true,
    })
}

/// What the first word of an expression says about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keyword {
    /// A plain expression or helper call.
    None,
    /// `if`, `for`, `each`, `end` …: prints nothing.
    Control,
    /// `echo`, `print`: prints its argument.
    Output,
}

/// The referenced name of an expression.
#[derive(Debug, Clone, Copy)]
struct Expr {
    name_start: usize,
    name_end: usize,
    keyword: Keyword,
}

impl Expr {
    fn empty(at: usize) -> Self {
        Expr {
            name_start: at,
            name_end: at,
            keyword: Keyword::None,
        }
    }

    fn placeholder(self, start: usize, end: usize, syntax: Syntax, output: bool) -> Placeholder {
        Placeholder {
            start,
            end,
            name_start: self.name_start,
            name_end: self.name_end,
            syntax,
            output,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum TokKind {
    Ident,
    Str,
    Num,
    Punct(u8),
}

#[derive(Debug, Clone, Copy)]
struct Tok {
    kind: TokKind,
    start: usize,
    end: usize,
}

/// Most tokens read from one expression; content is bounded, so this only trims work.
const MAX_TOKENS: usize = 64;

/// Reads `text[from..to]` as a template expression and picks the name it references:
/// filters (`| e`), FreeMarker built-ins (`?html`, `!default`) and shell defaults
/// (`:-x`) end it; a helper or function call yields its first variable argument
/// (`{{var x}}`, `h(user.password)`, `htmlescape var=$x`); string literals are skipped.
fn expression(text: &str, from: usize, to: usize) -> Expr {
    if let Some(e) = plain_path(text.as_bytes(), from, to) {
        return e;
    }
    TOKENS.with_borrow_mut(|toks| {
        toks.clear();
        lex(text, from, to, toks);
        pick_name(text, from, to, toks)
    })
}

/// The most common expression, `{{ order.number }}`: one ASCII dotted path and nothing
/// else, which names itself unless it is a keyword (`{{ else }}`). [`pick_name`] gives the
/// same answer (a test compares the two); this skips the tokenizer for it.
fn plain_path(b: &[u8], from: usize, to: usize) -> Option<Expr> {
    let start = skip_ws(b, from, to);
    let path = b.get(start..to.max(start))?.trim_ascii_end();
    let end = start + path.len();
    // Segments of `[A-Za-z_][A-Za-z0-9_]*`, one dot between two.
    let mut segment_start = true;
    for &c in path {
        match c {
            b'.' if !segment_start => segment_start = true,
            b'A'..=b'Z' | b'a'..=b'z' | b'_' => segment_start = false,
            b'0'..=b'9' if !segment_start => {}
            _ => return None,
        }
    }
    let word = std::str::from_utf8(path).ok()?;
    if segment_start || word == "not" || is_keyword(&CONTROL, word) || is_keyword(&OUTPUT, word) {
        return None;
    }
    Some(Expr {
        name_start: start,
        name_end: end,
        keyword: Keyword::None,
    })
}

thread_local! {
    /// [`expression`]'s tokens: one buffer per thread, reused, instead of a new vector for
    /// every placeholder (templates hold a thousand in 50 KB; the editor scans per keystroke).
    static TOKENS: std::cell::RefCell<Vec<Tok>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// [`expression`] on the tokens of `text[from..to]`.
fn pick_name(text: &str, from: usize, to: usize, toks: &[Tok]) -> Expr {
    let word = |t: &Tok| &text[t.start..t.end];
    let is_punct = |k: usize, c: u8| toks.get(k).is_some_and(|t| t.kind == TokKind::Punct(c));

    // The first identifier, past prefix operators (`!x`, `not x`, `-x`).
    let Some(first) = toks
        .iter()
        .position(|t| t.kind == TokKind::Ident && word(t) != "not")
    else {
        return Expr::empty(skip_ws(text.as_bytes(), from, to));
    };
    if toks[..first]
        .iter()
        .any(|t| !matches!(t.kind, TokKind::Punct(b'!' | b'-' | b'(' | b'+')) && word(t) != "not")
    {
        return Expr::empty(skip_ws(text.as_bytes(), from, to)); // starts with a literal
    }
    let head = word(&toks[first]);
    let (keyword, pick) = if is_keyword(&CONTROL, head) {
        (Keyword::Control, candidate(text, toks, first + 1))
    } else if is_keyword(&OUTPUT, head) {
        (Keyword::Output, candidate(text, toks, first + 1))
    } else if is_punct(first + 1, b'(') {
        (Keyword::None, Some(first))
    } else if is_simple(head)
        && toks
            .get(first + 1)
            .is_some_and(|t| t.kind != TokKind::Ident || !OPERATORS.contains(&word(t)))
        && !toks
            .get(first + 1)
            .is_some_and(|t| matches!(t.kind, TokKind::Punct(_)))
    {
        // A helper: `{{formatDate order.created_at}}`, `{{var customer.password}}`.
        (
            Keyword::None,
            candidate(text, toks, first + 1).or(Some(first)),
        )
    } else {
        (Keyword::None, Some(first))
    };
    let Some(pick) = pick else {
        return Expr {
            keyword,
            ..Expr::empty(toks[first].end)
        };
    };
    let pick = through_calls(text, toks, pick);
    let t = toks[pick];
    let start = strip_sigils(text.as_bytes(), t.start, t.end);
    Expr {
        name_start: start,
        name_end: t.end,
        keyword,
    }
}

/// The first variable argument at or after token `k`: skips literals, punctuation,
/// operators and `key=` of `key=value`.
fn candidate(text: &str, toks: &[Tok], k: usize) -> Option<usize> {
    let mut j = k;
    while j < toks.len() {
        let t = toks[j];
        if t.kind == TokKind::Ident {
            let w = &text[t.start..t.end];
            let is_key = toks
                .get(j + 1)
                .is_some_and(|n| n.kind == TokKind::Punct(b'='))
                && !toks
                    .get(j + 2)
                    .is_some_and(|n| n.kind == TokKind::Punct(b'='));
            if !is_key && !OPERATORS.contains(&w) {
                return Some(j);
            }
        }
        j += 1;
    }
    None
}

/// Follows `f(x)` to `x`, repeatedly (`htmlspecialchars(trim($password))`), except into
/// a link builder: `edit_password_url(@token)`, `url_for('confirm', token=token)` and
/// `route('password.reset', $token)` print a link, whatever their arguments are.
fn through_calls(text: &str, toks: &[Tok], mut k: usize) -> usize {
    while toks
        .get(k + 1)
        .is_some_and(|t| t.kind == TokKind::Punct(b'('))
        && !builds_link(&text[toks[k].start..toks[k].end])
    {
        match candidate(text, toks, k + 2) {
            Some(inner) if inner > k => k = inner,
            _ => break,
        }
    }
    k
}

/// Words that make a function a link builder when they are one of its name's words
/// (split on `_`, `-` and case changes): `url_for`, `edit_password_url`, `routePath`.
const LINK_BUILDER_WORDS: &[&str] = &["url", "uri", "path", "link", "href", "route", "permalink"];

/// Whether the function named `name` builds a link (see [`LINK_BUILDER_WORDS`]).
fn builds_link(name: &str) -> bool {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        let boundary = !c.is_ascii_alphanumeric() || (c.is_ascii_uppercase() && prev_lower);
        if boundary && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c.is_ascii_alphanumeric() {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    words.push(word);
    words.iter().any(|w| LINK_BUILDER_WORDS.contains(&w.as_str()))
}

/// Splits an expression into tokens, stopping at a filter or default operator.
fn lex(text: &str, from: usize, to: usize, toks: &mut Vec<Tok>) {
    let b = text.as_bytes();
    let mut p = from;
    while p < to && toks.len() < MAX_TOKENS {
        let c = b[p];
        if c.is_ascii_whitespace() {
            p += 1;
            continue;
        }
        let start = p;
        if matches!(c, b'\'' | b'"' | b'`') {
            p += 1;
            while p < to && b[p] != c {
                p += if b[p] == b'\\' { 2 } else { 1 };
            }
            p = (p + 1).min(to);
            toks.push(Tok {
                kind: TokKind::Str,
                start,
                end: p,
            });
            continue;
        }
        if c.is_ascii_digit() {
            while p < to && (b[p].is_ascii_alphanumeric() || b[p] == b'.') {
                p += 1;
            }
            toks.push(Tok {
                kind: TokKind::Num,
                start,
                end: p,
            });
            continue;
        }
        let sigil = matches!(c, b'$' | b'@') || (c == b'.' && toks.is_empty());
        let ident_from = if sigil { skip_sigils(b, p, to) } else { p };
        if starts_ident(text, ident_from) && ident_from < to {
            let end = path_end(text, ident_from, to);
            toks.push(Tok {
                kind: TokKind::Ident,
                start,
                end,
            });
            p = end;
            continue;
        }
        // A filter (`|`), FreeMarker built-in or default (`?`, `!`), shell default or Go
        // assignment (`:`), statement end (`;`) ends the expression, except in front.
        let stops =
            matches!(c, b'|' | b'?' | b';' | b':' | b'}') || (c == b'!' && !toks.is_empty());
        if stops && toks.iter().any(|t| t.kind == TokKind::Ident) {
            break;
        }
        let len = text[p..].chars().next().map_or(1, char::len_utf8);
        toks.push(Tok {
            kind: TokKind::Punct(c),
            start,
            end: p + len,
        });
        p += len;
    }
}

/// End of an identifier path starting at `p`: identifier characters joined by `.`,
/// `->`, `::`, `/`, kebab `-`, and `[…]` indexes.
fn path_end(text: &str, mut p: usize, to: usize) -> usize {
    let b = text.as_bytes();
    while p < to {
        // ASCII letters, digits and `_`, the usual case, need no char decoding.
        if b[p].is_ascii_alphanumeric() || b[p] == b'_' {
            p += 1;
            continue;
        }
        let Some(c) = text[p..].chars().next() else {
            break;
        };
        if c.is_alphanumeric() {
            p += c.len_utf8();
            continue;
        }
        let joins = |sep: usize| p + sep < to && starts_ident(text, p + sep);
        let step = match c {
            '.' | '/' if joins(1) => 1,
            '-' if b.get(p + 1) == Some(&b'>') && joins(2) => 2,
            '-' if joins(1) => 1,
            ':' if b.get(p + 1) == Some(&b':') && joins(2) => 2,
            '[' => match b[p..to].iter().position(|&x| x == b']') {
                Some(off) => off + 1,
                None => break,
            },
            _ => break,
        };
        p += step;
    }
    p
}

fn skip_sigils(b: &[u8], mut p: usize, to: usize) -> usize {
    while p < to && matches!(b[p], b'$' | b'@' | b'.' | b'/' | b'&') {
        p += 1;
    }
    p
}

fn strip_sigils(b: &[u8], start: usize, end: usize) -> usize {
    skip_sigils(b, start, end)
}

fn skip_ws(b: &[u8], mut p: usize, to: usize) -> usize {
    while p < to && b[p].is_ascii_whitespace() {
        p += 1;
    }
    p
}

/// Drops a trailing whitespace-control mark (`-}}`, `~}}`, `-%>`).
fn trim_end_dash(b: &[u8], from: usize, to: usize) -> usize {
    if to > from && matches!(b[to - 1], b'-' | b'~') && !(to >= from + 2 && b[to - 2] == b'-') {
        to - 1
    } else {
        to
    }
}

fn is_blank(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_whitespace)
}

/// True when an identifier starts at `p` (a letter, `_`, or a non-ASCII letter).
fn starts_ident(text: &str, p: usize) -> bool {
    text.get(p..)
        .and_then(|s| s.chars().next())
        .is_some_and(|c| c.is_alphabetic() || c == '_')
}

fn ascii_ident_end(b: &[u8], mut p: usize) -> usize {
    while p < b.len() && (b[p].is_ascii_alphanumeric() || b[p] == b'_') {
        p += 1;
    }
    p
}

fn unicode_ident_end(text: &str, mut p: usize, limit: usize) -> usize {
    while p < limit {
        match text[p..].chars().next() {
            Some(c) if c.is_alphanumeric() || c == '_' => p += c.len_utf8(),
            _ => break,
        }
    }
    p
}

fn prev_char(text: &str, i: usize) -> Option<char> {
    text.get(..i)?.chars().next_back()
}

/// Whether `word` is one of `sorted` (see [`pack`]) in any ASCII case. Every placeholder's
/// first word is looked up here, so it is a binary search over integers: the word lowercased
/// into one, compared with the keywords packed the same way at compile time.
fn is_keyword(sorted: &[u128], word: &str) -> bool {
    let mut buf = [0u8; 16];
    let Some(lower) = buf.get_mut(..word.len()) else {
        return false; // longer than any keyword
    };
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    // A NUL would read as the end of a shorter word.
    !lower.contains(&0) && sorted.binary_search(&u128::from_be_bytes(buf)).is_ok()
}

/// A word of up to 16 bytes as an integer, first byte highest, zero-padded: integers
/// compare as the words do (for words without NUL bytes).
const fn pack(word: &str) -> u128 {
    let bytes = word.as_bytes();
    assert!(bytes.len() <= 16, "keywords are at most 16 bytes");
    let mut packed = 0u128;
    let mut i = 0;
    while i < 16 {
        packed <<= 8;
        if i < bytes.len() {
            packed |= bytes[i] as u128;
        }
        i += 1;
    }
    packed
}

/// [`pack`] of every word of a sorted list.
const fn pack_all<const N: usize>(words: &[&str]) -> [u128; N] {
    let mut out = [0u128; N];
    let mut i = 0;
    while i < N {
        out[i] = pack(words[i]);
        i += 1;
    }
    out
}

/// A single identifier without sigils or path (`formatDate`, not `user.name`).
fn is_simple(word: &str) -> bool {
    word.chars().all(|c| c.is_alphanumeric() || c == '_')
}

/// Upper-case (`PASSWORD`, `DB_PASS`) or underscored (`client_password`) names: the
/// shapes of `$VAR` and `%VAR%` placeholders, unlike `$x` or `%s`.
fn var_shaped(name: &str) -> bool {
    let letters = name.chars().filter(|c| c.is_alphabetic()).count();
    if letters == 0 {
        return false;
    }
    let upper = !name.chars().any(char::is_lowercase);
    (upper && name.chars().count() >= 2) || (name.contains('_') && letters >= 2)
}

/// First words that make an expression print nothing. Lowercase and sorted, for
/// [`is_keyword`]'s binary search (a test keeps them so).
#[rustfmt::skip]
const CONTROL_KEYWORDS: &[&str] = &[
    "assign", "autoescape", "block", "blocktrans", "break", "call", "capture", "case", "catch",
    "comment", "content_for", "continue", "csrf_token", "cycle", "decrement", "define", "depend",
    "do", "each", "elif", "else", "elseif", "embed", "end", "endautoescape", "endblock",
    "endcapture", "endcase", "endcomment", "endeach", "endfilter", "endfor", "endforeach", "endif",
    "endmacro", "endraw", "endswitch", "endtrans", "endunless", "endwhile", "endwith", "extends",
    "filter", "for", "foreach", "form", "from", "function", "if", "import", "include",
    "include_once", "increment", "isset", "layout", "let", "liquid", "load", "macro", "paginate",
    "partial", "range", "raw", "render", "require", "require_once", "return", "section", "set",
    "spaceless", "switch", "tablerow", "template", "trans", "try", "unless", "unset", "url", "use",
    "verbatim", "when", "while", "with", "yield",
];

/// [`CONTROL_KEYWORDS`] for [`is_keyword`].
const CONTROL: [u128; CONTROL_KEYWORDS.len()] = pack_all(CONTROL_KEYWORDS);

/// First words that print their argument (`{% print x %}`, `<?php echo $x ?>`).
const OUTPUT_KEYWORDS: &[&str] = &["echo", "print"];

/// [`OUTPUT_KEYWORDS`] for [`is_keyword`].
const OUTPUT: [u128; OUTPUT_KEYWORDS.len()] = pack_all(OUTPUT_KEYWORDS);

/// Words inside expressions that are operators, not names.
#[rustfmt::skip]
const OPERATORS: &[&str] = &[
    "and", "or", "not", "in", "is", "as", "if", "else", "then", "eq", "ne", "lt", "gt", "le",
    "ge", "true", "false", "null", "nil", "none", "None", "True", "False", "new", "typeof",
];

/// Magento directive names (`{{var x}}`, `{{htmlescape var=$x}}`, `{{trans "…" a=$x}}`).
#[rustfmt::skip]
const MAGENTO_DIRECTIVES: &[&str] = &[
    "var", "htmlescape", "trans", "depend", "store", "layout", "block", "media", "skin",
    "customvar", "config", "protocol", "inlinecss", "widget", "view", "css",
];

/// Words after `@` that are Razor/Blade directives or CSS at-rules, not output.
#[rustfmt::skip]
const RAZOR_KEYWORDS: &[&str] = &[
    "if", "else", "foreach", "for", "while", "do", "switch", "using", "model", "section",
    "inject", "functions", "code", "helper", "inherits", "layout", "try", "catch", "finally",
    "lock", "await", "addTagHelper", "removeTagHelper", "tagHelperPrefix", "page", "implements",
    "attribute", "namespace", "preservewhitespace", "rendermode", "typeparam", "media",
    "import", "keyframes", "charset", "supports", "layer", "container", "property", "document",
    "viewport", "font", "extends", "yield", "include", "csrf", "method", "lang", "php",
    "endphp", "endif", "endforeach", "endfor", "endwhile", "endsection", "auth", "guest",
    "error", "stack", "push", "component", "slot", "isset", "empty", "unless", "verbatim",
    "json", "each", "can", "cannot", "env", "production", "hasSection", "props", "class",
    "style", "checked", "selected", "disabled", "readonly", "required", "vite", "livewire",
    "once", "break", "continue", "default", "case", "show", "stop", "append", "parent", "dd",
    "dump", "param", "return", "returns", "see", "throws", "type", "deprecated", "example",
    "author", "version", "since", "license",
];

/// Top-level domains, to tell `@example.com` from `@item.Name`.
#[rustfmt::skip]
const TLDS: &[&str] = &[
    "com", "net", "org", "io", "co", "uk", "de", "fr", "edu", "gov", "info", "biz", "us", "ca",
    "au", "nl", "ru", "jp", "cn", "es", "it", "app", "dev", "ai", "me", "ch", "se", "no", "dk",
    "be", "at", "pl", "br", "in", "eu", "tv", "xyz", "online", "email", "mail", "local",
    "internal", "example", "test", "invalid", "nz", "ie", "fi", "pt", "cz", "gr",
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::Category;
    use crate::rules::names::{classify_name, NameClass};
    use std::time::{Duration, Instant};

    /// (text, [(syntax, name, output)]) — every placeholder, in order.
    fn check(text: &str, want: &[(Syntax, &str, bool)]) {
        let found = find_placeholders(text);
        let got: Vec<(Syntax, &str, bool)> = found
            .iter()
            .map(|p| (p.syntax, p.name(text), p.output))
            .collect();
        assert_eq!(got, want, "in {text:?}");
        for p in &found {
            assert!(p.start <= p.name_start && p.name_start <= p.name_end && p.name_end <= p.end);
            assert!(text.is_char_boundary(p.start) && text.is_char_boundary(p.end));
        }
    }

    use Syntax::*;

    #[test]
    fn dollar_variables_under_test_print_nothing() {
        check("if (!is_null($this->token)) {", &[(Dollar, "this->token", false)]);
        check("if (isset($form->password))", &[(Dollar, "form->password", false)]);
        check("if ( has_secret( $user->secret ) )", &[(Dollar, "user->secret", false)]);
        check("{if $client_cc_number}Paid{/if}", &[(Dollar, "client_cc_number", false)]);
        check("{elseif !$client_cc_number}Due{/if}", &[(Dollar, "client_cc_number", false)]);
        check("echo htmlspecialchars($user->password);", &[(Dollar, "user->password", true)]);
        check("Password: $user->password", &[(Dollar, "user->password", true)]);
        check("éééééééééééééééééééééééééééééééééé(!$user->token)", &[(Dollar, "user->token", true)]);
    }

    #[test]
    fn assigned_dollar_variables_print_nothing() {
        check("$s_new_password = 'New password';", &[(Dollar, "s_new_password", false)]);
        check("x;\n  $lang->password = \"Pass\";", &[(Dollar, "lang->password", false)]);
        check("$s_password == $x", &[(Dollar, "s_password", true)]);
        check("Password: $s_password = fine", &[(Dollar, "s_password", true)]);
    }

    #[test]
    fn plain_paths_read_as_the_general_reader_reads_them() {
        let general = |text: &str| {
            TOKENS.with_borrow_mut(|toks| {
                toks.clear();
                lex(text, 0, text.len(), toks);
                pick_name(text, 0, text.len(), toks)
            })
        };
        let mut plain = 0;
        for text in [
            " order.number ", "name", "customer.password", "a.b.c_d.e2", "_x", " else ", "end", "raw", "not",
            "echo", "ELSE", "a.", ".a", "a..b", "a.0", "0a", "a b", "a|b", "", "  ", "a-b", "a/b", "$a", "é", "a.é",
            "user.first_name", "x9.y_9",
        ] {
            let got = general(text);
            if let Some(fast) = plain_path(text.as_bytes(), 0, text.len()) {
                plain += 1;
                let same = (fast.name_start, fast.name_end, fast.keyword) == (got.name_start, got.name_end, got.keyword);
                assert!(same, "{text:?}: plain {fast:?}, general {got:?}");
            }
        }
        assert_eq!(plain, 7, "the plain paths among the samples");
    }

    #[test]
    fn keyword_lists_are_sorted_lowercase_and_found_in_any_case() {
        for (list, packed) in [(CONTROL_KEYWORDS, &CONTROL[..]), (OUTPUT_KEYWORDS, &OUTPUT[..])] {
            assert!(list.windows(2).all(|w| w[0] < w[1]), "sorted, no duplicates: {list:?}");
            assert!(packed.windows(2).all(|w| w[0] < w[1]), "packed in the same order");
            assert!(list.iter().all(|k| k.len() <= 16 && !k.bytes().any(|b| b.is_ascii_uppercase() || b == 0)));
            for k in list {
                assert!(is_keyword(packed, k) && is_keyword(packed, &k.to_ascii_uppercase()), "{k}");
            }
        }
        for word in ["", "ifx", "pass", "endforeachx", "a_very_long_name_indeed", "Éndif", "if\0", "i", "en", "zz"] {
            assert!(!is_keyword(&CONTROL, word), "{word:?}");
        }
    }

    #[test]
    fn handlebars_mustache_jinja() {
        check("Hi {{name}}!", &[(DoubleBrace, "name", true)]);
        check(
            "{{ customer.password }}",
            &[(DoubleBrace, "customer.password", true)],
        );
        check(
            "{{{ user.password }}}",
            &[(TripleBrace, "user.password", true)],
        );
        check(
            "{{#if has_password}}x{{/if}}",
            &[
                (DoubleBrace, "has_password", false),
                (DoubleBrace, "", false),
            ],
        );
        check(
            "{{^password}}none{{/password}}",
            &[
                (DoubleBrace, "password", false),
                (DoubleBrace, "password", false),
            ],
        );
        check(
            "{{#each items}}{{this.name}}{{/each}}",
            &[
                (DoubleBrace, "items", false),
                (DoubleBrace, "this.name", true),
                (DoubleBrace, "", false),
            ],
        );
        check("{{> footer}}", &[(DoubleBrace, "footer", false)]);
        check(
            "{{! a comment }}{{!-- password --}}",
            &[(DoubleBrace, "", false), (DoubleBrace, "", false)],
        );
        check(
            "{{!-- {{ password }} --}}{{ pin }}",
            &[(DoubleBrace, "", false), (DoubleBrace, "pin", true)],
        );
        check(
            "{{& raw_password }}",
            &[(DoubleBrace, "raw_password", true)],
        );
        check(
            "{{ user.password | escape }}",
            &[(DoubleBrace, "user.password", true)],
        );
        check(
            "{{user.password|e}}",
            &[(DoubleBrace, "user.password", true)],
        );
        check(
            "{{- new_password -}}",
            &[(DoubleBrace, "new_password", true)],
        );
        check("{{~ pin ~}}", &[(DoubleBrace, "pin", true)]);
        check(
            "{{ formatDate order.created_at }}",
            &[(DoubleBrace, "order.created_at", true)],
        );
        check(
            "{{ upper(user.password) }}",
            &[(DoubleBrace, "user.password", true)],
        );
        check("{{ 'Welcome'|t }}", &[(DoubleBrace, "", true)]);
        check("{{ __('Your password') }}", &[(DoubleBrace, "__", true)]);
        check(
            "{{ user['password'] }}",
            &[(DoubleBrace, "user['password']", true)],
        );
        check(
            "{{ password if show else '' }}",
            &[(DoubleBrace, "password", true)],
        );
        check(
            "{{ link text=title url=reset_url }}",
            &[(DoubleBrace, "title", true)],
        );
        check("{{else}}", &[(DoubleBrace, "", false)]);
        check("{{ first-name }}", &[(DoubleBrace, "first-name", true)]);
    }

    #[test]
    fn go_magento_blade_blocks() {
        check("{{ .Password }}", &[(GoTemplate, "Password", true)]);
        check("{{.User.Password}}", &[(GoTemplate, "User.Password", true)]);
        check(
            "{{ printf \"%s\" .Token }}",
            &[(DoubleBrace, "Token", true)],
        );
        check(
            "{{ if .HasPassword }}",
            &[(DoubleBrace, "HasPassword", false)],
        );
        check(
            "{{var customer.password}}",
            &[(Magento, "customer.password", true)],
        );
        check(
            "{{htmlescape var=$customer.password}}",
            &[(Magento, "customer.password", true)],
        );
        check(
            "{{trans \"Password: %p\" p=$customer.password}}",
            &[(Magento, "customer.password", true)],
        );
        check(
            "{{depend customer.password}}x{{/depend}}",
            &[
                (Magento, "customer.password", false),
                (DoubleBrace, "", false),
            ],
        );
        check(
            "{{ $user->password }}",
            &[(DoubleBrace, "user->password", true)],
        );
        check("{!! $password !!}", &[(BladeRaw, "password", true)]);
        check("{{-- {{ $password }} --}}", &[(DoubleBrace, "", false)]);
        check(
            "{% if customer.password %}",
            &[(BlockTag, "customer.password", false)],
        );
        check("{%- for u in users -%}", &[(BlockTag, "u", false)]);
        check(
            "{% print user.password %}",
            &[(BlockTag, "user.password", true)],
        );
        check("{% echo user.pin %}", &[(BlockTag, "user.pin", true)]);
        check("{% endif %}", &[(BlockTag, "", false)]);
    }

    #[test]
    fn smarty_dollar_erb_php() {
        check("{$client_password}", &[(Smarty, "client_password", true)]);
        check("{$password|escape:'html'}", &[(Smarty, "password", true)]);
        check("{$a->password}", &[(Smarty, "a->password", true)]);
        check("{$a}", &[(Smarty, "a", true)]);
        check("${user.password}", &[(DollarBrace, "user.password", true)]);
        check(
            "${user.password?html}",
            &[(DollarBrace, "user.password", true)],
        );
        check("${password!\"\"}", &[(DollarBrace, "password", true)]);
        check(
            "${DB_PASSWORD:-secret}",
            &[(DollarBrace, "DB_PASSWORD", true)],
        );
        check("$!{user.pin}", &[(DollarBrace, "user.pin", true)]);
        check(
            "th:text=\"${user.password}\"",
            &[(DollarBrace, "user.password", true)],
        );
        check(
            "[[${user.password}]]",
            &[(DollarBrace, "user.password", true)],
        );
        check("<%= @user.password %>", &[(Erb, "user.password", true)]);
        check("<%- password %>", &[(Erb, "password", true)]);
        check("<%== h user.password %>", &[(Erb, "user.password", true)]);
        check("<% if user.password %>", &[(Erb, "user.password", false)]);
        check("<%# user.password %>", &[(Erb, "", false)]);
        check(
            "<%= link_to 'Reset', reset_url %>",
            &[(Erb, "reset_url", true)],
        );
        check("<?= $password ?>", &[(Php, "password", true)]);
        check(
            "<?php echo htmlspecialchars($user['password']); ?>",
            &[(Php, "user['password']", true)],
        );
        check(
            "<?php if ($has_password) { ?>",
            &[(Php, "has_password", false)],
        );
    }

    #[test]
    fn razor_percent_brackets_braces_dollar() {
        check(
            "<p>@Model.TempPassword</p>",
            &[(Razor, "Model.TempPassword", true)],
        );
        check("Hi @item.Name,", &[(Razor, "item.Name", true)]);
        check(
            "@ViewData[\"Password\"]",
            &[(Razor, "ViewData[\"Password\"]", true)],
        );
        check("@(Model.Password)", &[(Razor, "Model.Password", true)]);
        check("@Html.Raw(Model.ApiKey)", &[(Razor, "Model.ApiKey", true)]);
        check("%PASSWORD%", &[(Percent, "PASSWORD", true)]);
        check(
            "%customer_password%",
            &[(Percent, "customer_password", true)],
        );
        check("%%PASSWORD%%", &[(DoublePercent, "PASSWORD", true)]);
        check(
            "%(password)s and %(count)d",
            &[(Printf, "password", true), (Printf, "count", true)],
        );
        check(
            "[[password]] [[ user.pin ]]",
            &[
                (DoubleBracket, "password", true),
                (DoubleBracket, "user.pin", true),
            ],
        );
        check(
            "Your password: {password}",
            &[(SingleBrace, "password", true)],
        );
        check(
            "{FIRST_NAME} {user.email}",
            &[
                (SingleBrace, "FIRST_NAME", true),
                (SingleBrace, "user.email", true),
            ],
        );
        check("Password: $PASSWORD", &[(Dollar, "PASSWORD", true)]);
        check(
            "$customer_password.",
            &[(Dollar, "customer_password", true)],
        );
        check("$user.password", &[(Dollar, "user.password", true)]);
        check("$a->password", &[(Dollar, "a->password", true)]);
    }

    #[test]
    fn hash_brace_template_toolkit_and_lower_case_percent() {
        for (text, want) in [
            ("Password: #{user.password}", Some((Syntax::HashBrace, "user.password", true))),
            ("color: #{$main}", Some((Syntax::HashBrace, "main", true))),
            ("Code: [% user.password %]", Some((Syntax::TemplateToolkit, "user.password", true))),
            ("[% GET user.password %]", Some((Syntax::TemplateToolkit, "user.password", true))),
            ("[% IF user.admin %]", Some((Syntax::TemplateToolkit, "user.admin", false))),
            ("Key: %password%", Some((Syntax::Percent, "password", true))),
            ("between 10% and 20%", None),
            ("issue #{ 12 }", None),
        ] {
            let got = find_placeholders(text).first().map(|p| (p.syntax, p.name(text), p.output));
            assert_eq!(got, want, "{text}");
        }
        assert!(looks_like_template("Hi #{user.name}") && looks_like_template("Hi [% user.name %]"));
    }

    #[test]
    fn slot_placeholders_of_every_syntax() {
        for (text, name) in [
            ("%s", ""),
            ("%1$s", ""),
            ("%d", ""),
            ("{0}", ""),
            ("{12}", ""),
            ("#{user.password}", "user.password"),
            ("[% user.password %]", "user.password"),
            ("%password%", "password"),
            ("<password>", "password"),
            ("$(PLAINPASS)", "PLAINPASS"),
            ("${PLAINPASS}", "PLAINPASS"),
            ("<?= $user->password ?>", "user->password"),
            ("<?php echo $newpass; ?>", "newpass"),
            ("{{ $password }}", "password"),
            ("%{password}", "password"),
            ("%<pin>s", "pin"),
        ] {
            let found = slot_placeholder(text, 0);
            assert_eq!(found, Some((text.len(), name)), "{text}");
        }
        for text in ["Xq7#vB2m", "%", "%sx", "{0", "<b", "50% off", "100%", "<br>", "<STRONG>"] {
            assert_eq!(slot_placeholder(text, 0), None, "{text}");
        }
    }

    #[test]
    fn link_builders_are_not_followed_into_their_arguments() {
        for (text, name) in [
            ("<%= edit_password_url(@token) %>", "edit_password_url"),
            ("{{ url_for('confirm', token=token) }}", "url_for"),
            ("{{ route('password.reset', $token) }}", "route"),
            ("{{ resetPasswordLink(user.token) }}", "resetPasswordLink"),
            ("{{ h(user.password) }}", "user.password"),
            ("{{ urlencode(password) }}", "password"),
        ] {
            let found = find_placeholders(text);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].name(text), name, "{text}");
        }
    }

    #[test]
    fn false_positives() {
        for text in [
            "body{font-family:Arial} a {color: red}",
            ".x{} p{margin:0}",
            "Total: $5.00, tax $0.50, $ 10",
            "50% off 20% today, 100%",
            "Write to a@b.com or support@example.com or @example.com",
            "{\"a\":1, \"b\":{\"c\":2}}",
            "\\textbf{bold} and \\section{Intro}",
            "URL https://x.test/a%2Fb%C3%A9%20c",
            "Follow us @acme and @acme_support",
            "@media screen and (max-width:600px){.a{color:red}}",
            "@import url(x.css); @font-face{font-family:x}",
            "costs $x or $y",
            "{{ }} {{}} ${} {%  %}",
            "Unclosed {{ password and ${token and <%= secret",
            "{0} {1:C} { } {a b}",
        ] {
            let found = find_placeholders(text);
            assert!(
                found.is_empty(),
                "{text:?} gave {:?}",
                found.iter().map(|p| p.name(text)).collect::<Vec<_>>()
            );
            assert!(!looks_like_template(text), "{text:?} looks like a template");
        }
    }

    #[test]
    fn offsets_are_exact() {
        let text = "ab {{ user.password }} cd";
        let p = find_placeholders(text)[0];
        assert_eq!((p.start, p.end, p.name_start, p.name_end), (3, 22, 6, 19));
        let text = "x{$a->password|e}y";
        let p = find_placeholders(text)[0];
        assert_eq!((p.start, p.end, p.name_start, p.name_end), (1, 17, 3, 14));
        let text = "<%= pin %>";
        let p = find_placeholders(text)[0];
        assert_eq!((p.start, p.end, p.name_start, p.name_end), (0, 10, 4, 7));
    }

    #[test]
    fn non_ascii_around_and_inside() {
        let text = "Contraseña: {{ usuario.contraseña }} — ¡gracias! ✉️ {$пароль}";
        let found = find_placeholders(text);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0].name(text), "usuario.contraseña");
        assert_eq!(
            &text[found[0].start..found[0].end],
            "{{ usuario.contraseña }}"
        );
        assert_eq!(
            classify_name(found[0].name(text)),
            NameClass::Secret(Category::Password)
        );
        assert_eq!(
            classify_name(found[1].name(text)),
            NameClass::Secret(Category::Password)
        );
        let text = "日本語{{パスワード}}日本語 %PASSWORT% ©{name}";
        let names: Vec<&str> = find_placeholders(text)
            .iter()
            .map(|p| p.name(text))
            .collect();
        assert_eq!(names, ["パスワード", "PASSWORT", "name"]);
    }

    #[test]
    fn looks_like_template_needs_a_clear_syntax() {
        assert!(looks_like_template("Hi {{ name }}"));
        assert!(looks_like_template("Hi {$name}"));
        assert!(looks_like_template("Hi ${name}"));
        assert!(looks_like_template("<p>@Model.Name</p>"));
        assert!(looks_like_template("{% if x %}y{% endif %}"));
        assert!(!looks_like_template(
            "Hi {name}, pay $TOTAL or %AMOUNT% [[x]] @item.Name"
        ));
    }

    #[test]
    fn modx_tags() {
        check("Username: [[+uid]]\nPassword: [[+pwd]]", &[(DoubleBracket, "uid", true), (DoubleBracket, "pwd", true)]);
        check("[[!+fi.password:htmlent]] [[*pagetitle]] [[++site_name]]", &[(DoubleBracket, "fi.password", true), (DoubleBracket, "pagetitle", true), (DoubleBracket, "site_name", true)]);
        // A conditional prints a branch, not the tag's name.
        check("[[++allow_forgot:is=`1`:then=`Forgot your password?`:else=``]]", &[(DoubleBracket, "allow_forgot", false)]);
        // Chunks, snippets' calls with properties, links and lexicon strings are not values.
        check("[[$footer]] [[~12]] [[%login]] [[+]] [[+x:=`1`]]", &[]);
        assert!(looks_like_template("Hello [[+uid]]"));
        assert_eq!(slot_placeholder("Password: [[+pwd]]\\n\\nOnce", 10), Some((18, "pwd")));
    }

    #[test]
    fn square_bracket_names_and_wrapped_slots() {
        assert_eq!(slot_placeholder("Password: [PASSWORD]<br/>", 10), Some((20, "PASSWORD")));
        assert_eq!(slot_placeholder("Password: [USER_PASSWORD2]", 10), Some((26, "USER_PASSWORD2")));
        assert_eq!(slot_placeholder("Password: [REDACTED]", 10), None);
        assert_eq!(slot_placeholder("Password: [x]", 10), None);
        assert_eq!(slot_placeholder("Password: [Click here]", 10), None);
        // Only in a slot: a note's tag in running text is no placeholder.
        check("[PASSWORD] was changed", &[]);
        let text = "Your new password - <b><NewPassword></b>";
        assert_eq!(slot_placeholder(text, 20), Some((text.len() - 4, "NewPassword")));
        assert_eq!(slot_placeholder("PIN: <STRONG>{{ pin }}</STRONG>", 5), Some((22, "pin")));
        assert_eq!(slot_placeholder("Password: <b>Xq7#vB2m</b>", 10), None);
    }

    #[test]
    fn evolution_placeholders() {
        check("Login: [+uid+]\nHasło: [+pwd+] [*pagetitle*] [+x:htmlent+]", &[(PlusBracket, "uid", true), (PlusBracket, "pwd", true), (PlusBracket, "pagetitle", true), (PlusBracket, "x", true)]);
        // Different sigils, a space, arithmetic in brackets: not placeholders.
        check("[+pwd*] [+ pwd +] [+1+] a[+]b [*note]", &[]);
        assert!(looks_like_template("Password: [+pwd+]"));
    }

    fn assert_fast(text: &str, what: &str) {
        let time = |t: &str| {
            let start = Instant::now();
            let n = find_placeholders(t).len();
            let _ = looks_like_template(t);
            (start.elapsed(), n)
        };
        let (took, n) = time(text);
        eprintln!("{what}: {took:?}");
        if took < Duration::from_secs(2) {
            return;
        }
        // Slow, but maybe only because the machine is busy (a debug build under load):
        // linear work takes about a tenth as long on a tenth of the input, quadratic a
        // hundredth. Compare with the same shape at a tenth of the length.
        let mut cut = text.len() / 10;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        // Best of three on both sides: one slice of the other core's load must not decide.
        let best = |t: &str| (0..3).map(|_| time(t).0).min().unwrap_or_default();
        let (took, tenth) = (took.min(best(text)), best(&text[..cut]));
        let ratio = took.as_secs_f64() / tenth.as_secs_f64().max(1e-6);
        assert!(ratio < 30.0, "{what}: {took:?} ({n} found), {ratio:.0}x the time of a tenth of it");
    }

    #[test]
    fn hostile_input_is_linear() {
        assert_fast(&"{{".repeat(500_000), "{{ x500k");
        assert_fast(&"{{--".repeat(250_000), "{{-- x250k");
        assert_fast(&"{{!--".repeat(200_000), "{{!-- x200k");
        assert_fast(&"{{{".repeat(300_000), "{{{ x300k");
        assert_fast(&"${".repeat(500_000), "${ x500k");
        assert_fast(&"{%".repeat(500_000), "{% x500k");
        assert_fast(&"<%".repeat(500_000), "<% x500k");
        assert_fast(&"@(".repeat(500_000), "@( x500k");
        assert_fast(&" @a[".repeat(250_000), "@a[ x250k");
        assert_fast(&" @a.b(".repeat(150_000), "@a.b( x150k");
        assert_fast(&"{a".repeat(500_000), "{a x500k");
        assert_fast(&"%A".repeat(500_000), "%A x500k");
        assert_fast(&"[[ a".repeat(250_000), "[[ a x250k");
        assert_fast(&format!("{}}}}}", "{{".repeat(500_000)), "{{ x500k then }}");
        assert_fast(&"{{ a }}".repeat(150_000), "{{ a }} x150k");
        let many = find_placeholders(&"{{ a }}".repeat(1000));
        assert_eq!(many.len(), 1000);
    }

    #[test]
    fn finder_matches_a_plain_search() {
        // Queries move forward with small steps back, as the scanner makes them.
        let mut seed = 7u32;
        for _ in 0..200 {
            let hay: Vec<u8> = (0..200)
                .map(|_| {
                    seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    b"}}x"[(seed >> 16) as usize % 3]
                })
                .collect();
            let mut finder = Finder::new(b"}}");
            let mut from = 0usize;
            while from < hay.len() + 2 {
                seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                let step = (seed >> 16) as usize % 7;
                let query = (from + step).saturating_sub(3);
                let want = hay
                    .get(query..)
                    .and_then(|h| memchr::memmem::find(h, b"}}"))
                    .map(|p| p + query);
                assert_eq!(finder.find(&hay, query), want, "query {query}");
                from += step.max(1);
            }
        }
    }

    #[test]
    fn never_panics_on_odd_input() {
        let odd = [
            "{",
            "{{",
            "{{{",
            "}}",
            "$",
            "${",
            "$!{",
            "<%",
            "<%=",
            "<?",
            "<?php",
            "@",
            "@(",
            "%",
            "%%",
            "%(",
            "[[",
            "{$",
            "{!!",
            "{%",
            "{{ é",
            "@é.é",
            "$é_é",
            "%é%",
            "{é}",
            "<%= 'unclosed %>",
            "{{ \"x }}",
            "{{ a[ }}",
            "@a[",
            "@a(",
            "{{ ( }}",
            "{{ ) }}",
            "{{ = }}",
            "{{ !x }}",
        ];
        for text in odd {
            let _ = find_placeholders(text);
            let _ = find_placeholders(&format!("x{text}y{text}"));
        }
        // Every byte-ish combination of delimiter characters, briefly.
        let alphabet = [
            "{", "}", "$", "%", "<", ">", "@", "[", "]", "(", ")", "a", "_", ".", "'", "é", " ",
            "!", "=", "#", "-",
        ];
        for a in alphabet {
            for b in alphabet {
                for c in alphabet {
                    for d in alphabet {
                        let s = format!("{a}{b}{c}{d}{a}{b}");
                        for p in find_placeholders(&s) {
                            assert!(
                                p.end <= s.len() && p.name_end <= p.end && p.start <= p.name_start
                            );
                        }
                    }
                }
            }
        }
    }
}
