//! The labelled-value detector: secrets found by evidence around their labels.
//!
//! The keyword pass finds every label word of the policy's label lexicons. For each
//! label, this module looks for the value it introduces: after it, joined by a separator,
//! a connecting phrase, a few words and a colon, a space, or alone on the next line; or
//! before it ("X is your new password"); or, for a credential-pair label, after a user
//! name (`credentials: jdoe / X`). The join and the value's shape give the confidence
//! ([`evidence::confidence`]); masks, prose words, URLs, numbers and dates are no value.
//! In a template a placeholder in the value slot is the secret whatever its name says,
//! unless the name says it is something else (`{{ reset_url }}`).

use crate::policy::{Category, Confidence, Source};
use crate::rules::evidence::{self, Bridge, Shape};
use crate::rules::code::appended_expression;
use crate::rules::labels::{after_break_escapes, after_concatenation, break_escape_in, button_text, is_prose_word, is_second_person, purpose_before, sign_in_link_before};
use crate::rules::lexicon::{words_after_spliced, Lexicons};
use crate::rules::names::{classify_name, NameClass};
use crate::rules::placeholder::slot_placeholder;

/// One value the detector reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Found {
    pub start: usize,
    pub end: usize,
    pub confidence: Confidence,
    pub source: Source,
}

/// Longest run of words between a label and the colon before its value.
const MAX_FILLER_WORDS: usize = 4;

/// Longest inflection a label may carry and still be the label (`salasanasi`,
/// `lösenordet`, `şifreniz`, `passwords`), in letters.
const MAX_INFLECTION: usize = 3;

/// The values introduced by the labels at `labels` (keyword hits of the label words of
/// `category`; sorted here).
pub(super) fn find(text: &str, labels: &mut Vec<(usize, usize)>, lexicons: &Lexicons, category: Category) -> Vec<Found> {
    // Longest label at each start; labels inside a longer one (`passe` in `mot de passe`) go.
    // Through the shared sort (a quicksort of its own is 3 KB of the gzipped wasm).
    super::order::sort_by_span(labels, |&(s, e)| (s, usize::MAX - e));
    let mut out = Vec::new();
    let mut covered = 0;
    for &(start, end) in labels.iter() {
        if start < covered || !text.is_char_boundary(start) || !text.is_char_boundary(end) {
            continue;
        }
        // A hit that is part of a longer word covers nothing: in "database password" the
        // label `database pass` is cut off, and the `password` inside it is the label.
        let Some(end) = label_end(text, start, end) else { continue };
        covered = end;
        // Lower-case prose on both sides (`…sit amet password lorem ipsum…`) holds no
        // separator, placeholder or value that is not a plain word: nothing to find.
        // (With no letter after it, the value may be alone on the next line.)
        let after_bytes = &text.as_bytes()[end..line_end(text, end)];
        let plain_after = plain(after_bytes) && after_bytes.iter().any(u8::is_ascii_lowercase);
        let plain_before = plain(&text.as_bytes()[start.saturating_sub(MAX_BEFORE)..start]);
        if plain_after && plain_before {
            continue;
        }
        let pair = lexicons.is_pair_label(&text[start..end]);
        let found = match (pair, plain_after) {
            (_, true) => None,
            (true, false) => pair_value(text, end, category),
            (false, false) => after(text, end, lexicons, category),
        };
        let found = found.or_else(|| if pair || plain_before { None } else { before(text, start, lexicons, category) });
        // "the link to change your password:" names what the link is for, not a value;
        // "Set up your password" on a button names what the button does.
        let link_slot = |f: &Found| f.source == Source::Placeholder && sign_in_link_before(text, start);
        if let Some(f) = found.filter(|f| !purpose_before(text, start) && !button_text(text, start) && !link_slot(f)) {
            covered = covered.max(f.end);
            out.push(f);
        }
    }
    out
}

/// Where the label that the keyword hit `start..end` begins really ends, or `None` when
/// the hit is part of another word or of code (`compass`, `passport`, `user_password`,
/// `password.reset`, `passwordless`).
fn label_end(text: &str, start: usize, end: usize) -> Option<usize> {
    let label = &text[start..end];
    let first = label.chars().next()?;
    let short = label.chars().count() < 6;
    if first.is_alphabetic() && !is_cjk(first) {
        if let Some(prev) = text[..start].chars().next_back() {
            // A line-break escape of a source string is a line break: `\nŞifre: %s`.
            let escaped = matches!(prev, 'n' | 'r' | 't') && text[..start - 1].ends_with('\\');
            let key = prev == '_' && config_key(text, start, end);
            if !escaped && !key && (prev == '_' || prev == '$' || prev == '{' || prev == '@' || prev.is_ascii_digit() || (short && prev.is_alphanumeric())) {
                return None;
            }
            if prev == '.' && text[..start - 1].chars().next_back().is_some_and(char::is_alphanumeric) {
                return None;
            }
            // The tail of a variable's name: `$strChoosePassword = 'Please choose…'` is code.
            if prev.is_ascii_alphanumeric() {
                let ident = text[..start].trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_');
                if ident.ends_with(['$', '@']) {
                    return None;
                }
            }
        }
    }
    let last = label.chars().next_back()?;
    let mut end = end;
    if last.is_alphabetic() && !is_cjk(last) {
        // (Caseless scripts inflect too: Hebrew and Arabic letters are not lower-case.)
        let mut letters = 0;
        let mut bytes = 0;
        let mut inflected = true;
        for c in text[end..].chars().take_while(|c| c.is_alphabetic()).take(MAX_INFLECTION + 1) {
            letters += 1;
            bytes += c.len_utf8();
            inflected &= !c.is_uppercase();
        }
        match letters {
            0 => {}
            n if n <= MAX_INFLECTION && inflected && label.chars().count() >= 5 => end += bytes,
            _ => return None,
        }
    }
    let mut next = text[end..].chars();
    match next.next() {
        Some('_' | '}' | ']' | '(' | '[') => None,
        Some(c) if c.is_ascii_digit() => None,
        Some('.' | '-' | '\'') if next.next().is_some_and(char::is_alphanumeric) => None,
        _ => Some(end),
    }
}

/// Whether the label at `start..end` ends a configuration key that is assigned a value:
/// `smtp_password: X`, `DB_PASSWORD=X`, `"mail_password" = X` (the key first on its line;
/// `$user_password = …` is code, `user_password_hint:` another key).
fn config_key(text: &str, start: usize, end: usize) -> bool {
    let line_start = memchr::memrchr(b'\n', &text.as_bytes()[..start]).map_or(0, |i| i + 1);
    let key = text[line_start..start].trim_start_matches([' ', '\t', '"', '\'']);
    let after = text[end..].trim_start_matches(['"', '\'']).trim_start_matches([' ', '\t']);
    let assigned = after.starts_with(':') || after.starts_with('=') && !after.starts_with("==");
    let shaped = key.len() < 48 && key.starts_with(|c: char| c.is_ascii_alphabetic()) && key.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_');
    if !assigned || !shaped {
        return false;
    }
    // The whole key names the value (`mail_body_lost_password` is a mail's text), and a
    // quoted phrase is a translation (`new_password: 'Neues Passwort'`).
    let value = after.trim_start_matches([':', '=', '>']).trim_start_matches([' ', '\t']);
    let phrase = value.strip_prefix(['\'', '"']).is_some_and(|v| v.split(['\'', '"', '\n']).next().is_some_and(|s| s.contains(' ')));
    !phrase && classify_name(&text[line_start + (text[line_start..start].len() - key.len())..end]) == NameClass::Secret(Category::Password)
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30ff | 0x3400..=0x9fff | 0xac00..=0xd7af | 0x0e00..=0x0e7f)
}

/// The punctuation of those scripts: `。`, `、`, `「`, and the full-width `，：；！？（）`.
fn is_cjk_punctuation(c: char) -> bool {
    matches!(c as u32, 0x3000..=0x303f | 0xff01 | 0xff08 | 0xff09 | 0xff0c | 0xff1a | 0xff1b | 0xff1f)
}

/// The value after a label that ends at `end`.
fn after(text: &str, end: usize, lexicons: &Lexicons, category: Category) -> Option<Found> {
    let line_end = line_end(text, end);
    let mut p = skip_blanks(text, end, line_end);
    // An aside: `Password (temporary): X`.
    if text[p..line_end].starts_with('(') {
        let close = text[p..line_end].find(')').filter(|&i| i <= 40)?;
        p = skip_blanks(text, p + close + 1, line_end);
    }
    // The label ends a literal, and code appends a separator and the value:
    // `__('Password') . ': ' . $pw`.
    if let Some((start, end, name)) = (p == end).then(|| appended_expression(text, p, true)).flatten() {
        return slot(text, start, end, name, Bridge::Separator, category);
    }
    let spaced = p > end;
    // A connecting phrase after a space, or a particle right after a label of a script
    // written without spaces (`パスワードは X`).
    let connector = || {
        if spaced {
            lexicons.connector_at(text, p)
        } else if text[..end].chars().next_back().is_some_and(is_cjk) {
            lexicons.particle_at(text, p)
        } else {
            None
        }
    };
    let (bridge, v) = if let Some(q) = separator(text, p, line_end, spaced) {
        // A dash alone joins a title to its site as often as a label to its value.
        // (A tab alone, as between the cells of a table row, is a separator: `q == p`.)
        let dash = q > p && text[p..q].chars().all(|c| matches!(c, '-' | '–' | '—' | ' ' | '\t' | '\u{a0}'));
        (if dash { Bridge::Dash } else { Bridge::Separator }, q)
    } else if p == line_end {
        (Bridge::NextLine, p)
    } else if let Some(q) = connector() {
        (Bridge::Connector, past_colon(text, skip_blanks(text, q, line_end), line_end))
    } else if let Some(q) = filler(text, p, line_end, lexicons) {
        (Bridge::Filler, past_colon(text, q, line_end))
    } else if spaced {
        (Bridge::Space, p)
    } else {
        return None;
    };
    let found = value_after_join(text, v, line_end, bridge, lexicons, category);
    if found.is_none() && bridge == Bridge::Connector {
        // "to" joins "changed to X" and starts "to the shop is: X": the words may be a filler.
        let q = past_colon(text, filler(text, p, line_end, lexicons)?, line_end);
        return value_after_join(text, q, line_end, Bridge::Filler, lexicons, category);
    }
    found
}

/// The value after a join that ends at `v` on a line that ends at `line_end`.
fn value_after_join(text: &str, v: usize, line_end: usize, bridge: Bridge, lexicons: &Lexicons, category: Category) -> Option<Found> {
    // Nothing after the join on this line: the value stands alone on the next one.
    let (bridge, v) = if v == line_end {
        if !matches!(bridge, Bridge::Separator | Bridge::NextLine) || line_end == text.len() {
            return None;
        }
        let next_end = self::line_end(text, line_end + 1);
        let line = &text[line_end + 1..next_end];
        let token = line.trim();
        // A line that ends in a colon is the next key of a mapping (`password:⏎  hint:`).
        if token.is_empty() || token.contains(char::is_whitespace) || token.ends_with([':', '：']) {
            return None;
        }
        (Bridge::NextLine, line_end + 1 + (line.len() - line.trim_start().len()))
    } else {
        (bridge, v)
    };
    value_at(text, v, bridge, lexicons, category)
}

/// How far past a label its value is looked for, in bytes: a label on a line of megabytes
/// costs this much, not the line (labels can be a million in one document).
const MAX_REACH: usize = 256;

/// The end of the line at `from`, or `MAX_REACH` bytes on (on a character boundary).
fn line_end(text: &str, from: usize) -> usize {
    let mut limit = (from + MAX_REACH).min(text.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    memchr::memchr(b'\n', &text.as_bytes()[from..limit]).map_or(limit, |i| from + i)
}

/// How far before a label a value and its phrase are looked for (`X is your new`).
const MAX_BEFORE: usize = 96;

/// Only lower-case ASCII letters and spaces: no value can be read from these bytes (a
/// value is never a plain word), and no separator or placeholder is among them.
fn plain(bytes: &[u8]) -> bool {
    bytes.iter().all(|&b| b.is_ascii_lowercase() || b == b' ')
}

/// Past a colon at `q` and the blanks after it, or `q`: a connector may end in one too
/// (`password is: X`, `password for the shop is: X`).
fn past_colon(text: &str, q: usize, limit: usize) -> usize {
    if text[q..limit].starts_with(':') {
        skip_blanks(text, q + 1, limit)
    } else {
        q
    }
}

/// Spaces and tabs from `p` up to `limit`.
fn skip_blanks(text: &str, p: usize, limit: usize) -> usize {
    p + text[p..limit].len() - text[p..limit].trim_start_matches([' ', '\t', '\u{a0}']).len()
}

/// After a separator run at `p` (`:`, `=`, `=>`, `：`, `|`, a dash after a space, dot
/// leaders, a tab), where the value starts; `None` when there is no separator.
fn separator(text: &str, p: usize, line_end: usize, spaced: bool) -> Option<usize> {
    let rest = &text[p..line_end];
    let tabbed = text[..p].ends_with('\t');
    let mut q = p;
    for c in rest.chars() {
        let ok = match c {
            ':' | '=' | '：' | '|' | '>' | '…' => true,
            '-' | '–' | '—' => spaced || q > p,
            '.' => rest[q - p..].starts_with("..") || q > p,
            ' ' | '\t' | '\u{a0}' => q > p,
            _ => false,
        };
        if !ok {
            break;
        }
        q += c.len_utf8();
    }
    if q > p {
        // `->` and a lone `>` or `-` with no space after are arrows or words, still a join.
        Some(skip_blanks(text, q, line_end))
    } else if tabbed {
        Some(p)
    } else {
        None
    }
}

/// A few plain words and then a colon or a connecting phrase (`for the portal:`,
/// `tymczasowe:`, `для входа:`, `temporária é`): where the value after them starts. A
/// prose word among them (`reset`, `policy`) says the label is about something else.
fn filler(text: &str, p: usize, line_end: usize, lexicons: &Lexicons) -> Option<usize> {
    // A name spliced into a source string is one of the words: `to \'' . STORE_NAME . '\' is:`.
    let words = words_after_spliced(text, p, MAX_FILLER_WORDS);
    // Where the words end in a colon or a connecting phrase; the words are checked after,
    // since most labels in running text are followed by neither.
    let (n, q) = words.iter().enumerate().find_map(|(n, &(_, e))| {
        let rest = &text[e..line_end];
        let colon = rest.trim_start_matches([' ', '\t']);
        if let Some(c) = colon.chars().next().filter(|&c| c == ':' || c == '：') {
            return Some((n, e + (rest.len() - colon.len()) + c.len_utf8()));
        }
        // A connector after at least one word: "senha temporária é X".
        // (The next word is the connector's first: gate on it before the lookup.)
        let (ns, ne) = *words.get(n + 1)?;
        if rest.starts_with([' ', '\t']) && lexicons.may_start_connector(&text[ns..ne]) {
            return lexicons.connector_at(text, e).map(|q| (n, q));
        }
        None
    })?;
    let plain = |&(s, e): &(usize, usize)| {
        let w = &text[s..e];
        !lexicons.is_prose_word(w) && !w.chars().any(|c| c.is_ascii_digit())
    };
    words[..=n].iter().all(plain).then(|| skip_blanks(text, q, line_end))
}

/// The value that starts at `v`, joined by `bridge`.
fn value_at(text: &str, v: usize, bridge: Bridge, lexicons: &Lexicons, category: Category) -> Option<Found> {
    // In a source string a line break is an escape: `password:\n{url}` puts `{url}` on
    // the next line.
    // A source string that ends at the slot and goes on in the next literal after a
    // concatenation: `'Your password is:' . "\n\n" . '%s'`.
    let (v, bridge) = match after_concatenation(text, v) {
        Some((p, true)) => (p, Bridge::NextLine),
        Some((p, false)) => (p, bridge),
        None => (v, bridge),
    };
    let (v, bridge) = match after_break_escapes(text, v) {
        Some(p) => (p, Bridge::NextLine),
        None => (v, bridge),
    };
    // Whatever the document's kind: `Password: {4}` is a template, even when nothing
    // else in it looks like one.
    let opens = |v: usize| text.as_bytes().get(v).is_some_and(|b| b"{$<%[#@_".contains(b));
    let slot_at = |v: usize| opens(v).then(|| slot_placeholder(text, v)).flatten();
    let (mut v, mut bridge, mut found) = (v, bridge, slot_at(v));
    // A placeholder that stands for a line break (Galette's `{BR}`, `{NEWLINE}`): the
    // value is what follows it, as on the next line.
    while let Some((end, _)) = found.filter(|&(_, name)| is_break_name(name)) {
        (v, bridge) = (skip_blanks(text, end, line_end(text, end)), Bridge::NextLine);
        found = slot_at(v);
    }
    if let Some((end, name)) = found {
        // `Password: <your-password>`: what to type, in the reader's words.
        if instruction(name, lexicons) {
            return None;
        }
        return slot(text, v, end, name, bridge, category);
    }
    // The literal ends at the slot and code appends the value: `"Password: " + pw`.
    if let Some((start, end, name)) = appended_expression(text, v, false) {
        return slot(text, start, end, name, bridge, category);
    }
    // A phrase in single quotes is a source string's text (`choosePassword: 'Please
    // choose a password'`), not a value.
    if let Some(inner) = text[v..line_end(text, v)].strip_prefix('\'') {
        if inner.split('\'').next().is_some_and(|s| s.contains(' ')) && inner.contains('\'') {
            return None;
        }
    }
    let (start, end) = quoted_at(text, v).unwrap_or_else(|| token_at(text, v));
    let value = &text[start..end];
    let after = &text[end..];
    let shape = shape_of(value, after, lexicons, category, bridge)?;
    // A plain-looking value the sentence goes on from: `password is now active`.
    let confidence = evidence::confidence(bridge, shape)?;
    // The label's own text in another language (`password: Passwort`) is no value, nor
    // is the label named again as what to type (`Password: <your-password>`).
    if lexicons.label_at(text, start) || names_the_label(value, lexicons) {
        return None;
    }
    Some(Found { start, end, confidence, source: Source::Literal })
}

/// Whether a placeholder's name says it is a line break: `BR`, `NEWLINE`, `nl`, `CRLF`.
fn is_break_name(name: &str) -> bool {
    ["br", "newline", "new_line", "nl", "lf", "crlf", "eol", "linebreak", "line_break"].iter().any(|w| w.eq_ignore_ascii_case(name))
}

/// A placeholder in the value slot: the secret, unless its name says it is another thing.
fn slot(text: &str, start: usize, end: usize, name: &str, bridge: Bridge, category: Category) -> Option<Found> {
    // Words and then a colon are a label's (`password for the shop is: %s`); words and
    // then a connector may be prose (`for your account on {0}`: Finnish "on" is "is").
    let colon = || text[..start].trim_end().ends_with([':', '：']);
    if bridge.weight() < 2 && bridge != Bridge::Dash && !(bridge == Bridge::Filler && colon()) {
        return None;
    }
    match classify_name(name) {
        // A password's hash in its slot (`Password: $user_hash`) is the password or what
        // cracks it: both leak.
        NameClass::NotSecret if category == Category::Password && names_a_hash(name) => {
            Some(Found { start, end, confidence: Confidence::High, source: Source::Placeholder })
        }
        NameClass::NotSecret => None,
        NameClass::Secret(c) if c != category => None,
        _ => Some(Found { start, end, confidence: Confidence::High, source: Source::Placeholder }),
    }
}

/// Whether `value` only names the label again, bracketed or escaped, for the reader to
/// fill in: `&lt;your-password&gt;`, `[your_password]`, `(Ihr Passwort)`.
fn names_the_label(value: &str, lexicons: &Lexicons) -> bool {
    let inner = value.trim_start_matches("&lt;").trim_end_matches(";").trim_end_matches("&gt");
    let inner = inner.trim_matches(['<', '>', '[', ']', '(', ')', '{', '}']);
    let words = inner.replace(['-', '_'], " ");
    inner.len() < value.len() && words.chars().all(|c| c.is_alphabetic() || c == ' ') && lexicons.header_label(&words).is_some()
}

/// Whether a slot's name is the reader's possessive and a label (`your-password`,
/// `ihr_passwort`): a note of what to type there, not a variable.
fn instruction(name: &str, lexicons: &Lexicons) -> bool {
    let words = name.replace(['-', '_'], " ");
    words.split_once(' ').is_some_and(|(first, rest)| is_second_person(first) && lexicons.header_label(rest).is_some())
}

/// Whether a placeholder's name ends in `hash`, `hashed` or `digest` (any case).
fn names_a_hash(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    ["hash", "hashed", "digest"].iter().any(|w| lower.ends_with(w))
}

/// The shape of `value` as a secret of `category`, or `None` when it is no such value.
fn shape_of(value: &str, after: &str, lexicons: &Lexicons, category: Category, bridge: Bridge) -> Option<Shape> {
    let mut shape = match category {
        Category::Pin => evidence::pin_shape(value, after),
        _ => evidence::password_shape(value),
    }?;
    // Words and the punctuation of prose: after a separator perhaps a password, after a
    // space, a phrase or a dash the sentence or title goes on (`Passwort vergessen?`).
    if shape > Shape::Word && category != Category::Pin && evidence::worded(value) {
        if !matches!(bridge, Bridge::Separator | Bridge::NextLine) {
            return None;
        }
        shape = Shape::Mixed;
    }
    // A dash needs a value that could hardly be a word (`Recover password - Example`).
    if bridge == Bridge::Dash && shape < Shape::Strong {
        return None;
    }
    // A plain word is never reported (see `evidence::confidence`); skip the lookups.
    if shape == Shape::Word || lexicons.is_prose(value) || is_prose_word(value) {
        return None;
    }
    Some(shape)
}

/// The token at `v`: up to white space, `<`, `>`, `"` or a typographic quote (which
/// closes a phrase, `„Passwort vergessen“-Funktion`), without the punctuation that ends a
/// sentence or an aside.
fn token_at(text: &str, v: usize) -> (usize, usize) {
    // A value of another script ends where a spaceless one resumes: `密码是abc12345X，请…`,
    // `パスワードは8文字以上…` (the number of a sentence, not a value).
    let spaceless = text[v..].chars().next().is_some_and(|c| is_cjk(c) || is_cjk_punctuation(c));
    let ends = |c: char| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '“' | '”' | '„' | '«' | '»') || (!spaceless && (is_cjk(c) || is_cjk_punctuation(c)));
    let len: usize = text[v..].chars().take(65).take_while(|&c| !ends(c)).map(char::len_utf8).sum();
    // A template tag right after a word ends it: `Password Changed{% endblock %}`.
    let token = &text[v..v + len];
    let b = token.as_bytes();
    let tag = (1..b.len().saturating_sub(1)).find(|&i| {
        matches!((b[i], b[i + 1]), (b'{', b'{' | b'%' | b'#' | b'!') | (b'$' | b'#', b'{') | (b'<' | b'[', b'%'))
    });
    let token = tag.map_or(token, |i| &token[..i]);
    // So does a line-break escape in a source string: `Xq7#vB2m9L\n\nThanks`.
    let token = break_escape_in(token).map_or(token, |i| &token[..i]);
    let token = token.trim_end_matches(['.', ',', ';', ':', ')', ']', '\'']);
    (v, v + token.len())
}

/// A value between double quotes at `v` (`Password: "DmVAOW"`, `Kennwort: „Kx9-trail“`):
/// the span inside them, when they close on the same line around one token.
fn quoted_at(text: &str, v: usize) -> Option<(usize, usize)> {
    let open = text[v..].chars().next().filter(|c| matches!(c, '"' | '“' | '„' | '«'))?;
    let start = v + open.len_utf8();
    let (s, e) = token_at(text, start);
    let close = text[e..].chars().next()?;
    (e > s && matches!(close, '"' | '“' | '”' | '»')).then_some((s, e))
}

/// A credential pair: `credentials: jdoe / X`, `Login: ann@example.com | X`.
fn pair_value(text: &str, end: usize, category: Category) -> Option<Found> {
    let line_end = line_end(text, end);
    let p = skip_blanks(text, end, line_end);
    let p = separator(text, p, line_end, p > end)?;
    let (_, user_end) = token_at(text, p);
    let q = skip_blanks(text, user_end, line_end);
    let rest = &text[q..line_end];
    let sep = rest.chars().next().filter(|c| matches!(c, '/' | '|'))?;
    let v = skip_blanks(text, q + sep.len_utf8(), line_end);
    if v == q + sep.len_utf8() && v < line_end {
        return None; // `jdoe /X`: a path, not a pair
    }
    let (start, vend) = token_at(text, v);
    let shape = match category {
        Category::Pin => evidence::pin_shape(&text[start..vend], &text[vend..])?,
        _ => evidence::password_shape(&text[start..vend])?,
    };
    let confidence = evidence::confidence(Bridge::Pair, shape)?;
    Some(Found { start, end: vend, confidence, source: Source::Literal })
}

/// The value before a label that starts at `start`: "Use X as your password", "X is your
/// new password".
fn before(text: &str, start: usize, lexicons: &Lexicons, category: Category) -> Option<Found> {
    let phrase = lexicons.before_ending_at(text, start)?;
    let head = &text[..phrase];
    let end = head.trim_end_matches([' ', '\t']).len();
    if end == phrase {
        return None;
    }
    let token_start = text[..end].char_indices().rev().take(65).take_while(|&(_, c)| !c.is_whitespace() && !matches!(c, '<' | '>' | '"')).last().map(|(i, _)| i)?;
    let value = &text[token_start..end];
    let shape = shape_of(value, &text[end..], lexicons, category, Bridge::Before)?;
    let confidence = evidence::confidence(Bridge::Before, shape)?;
    Some(Found { start: token_start, end, confidence, source: Source::Literal })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{Lexicon, LexiconRole};

    fn lexicons() -> Lexicons {
        let l = |role, category, words: &[&str]| Lexicon {
            id: "t".into(),
            role,
            category,
            words: words.iter().map(|w| w.to_string()).collect(),
            ..Lexicon::default()
        };
        Lexicons::new(&[
            l(LexiconRole::Label, Some(Category::Password), &["password", "pw", "salasana", "пароль", "hasło", "passwort", "şifre", "database pass", "パスワード", "密码"]),
            l(LexiconRole::Label, Some(Category::Pin), &["pin", "alarm code"]),
            l(LexiconRole::Pair, Some(Category::Password), &["credentials"]),
            l(LexiconRole::Connector, None, &["is", "on", "was changed to", "は", "是"]),
            l(LexiconRole::Before, None, &["as your", "is your new"]),
            l(LexiconRole::Prose, None, &["inchangé", "reset", "unchanged"]),
        ])
    }

    /// The reported spans' texts and confidences for `category`, labels found by a plain
    /// case-insensitive search (the keyword pass's job in the engine).
    fn run(text: &str, category: Category) -> Vec<(String, Confidence)> {
        let lex = lexicons();
        let lower = text.to_lowercase();
        let mut labels = Vec::new();
        if lower.len() == text.len() {
            for w in lex.labels_of(category) {
                labels.extend(lower.match_indices(w).map(|(i, m)| (i, i + m.len())));
            }
        }
        find(text, &mut labels, &lex, category).into_iter().map(|f| (text[f.start..f.end].to_owned(), f.confidence)).collect()
    }

    fn one(text: &str) -> Option<Confidence> {
        let found = run(text, Category::Password);
        assert!(found.len() <= 1, "one value at most");
        found.first().map(|f| f.1)
    }

    #[test]
    fn joins_after_the_label() {
        use Confidence::*;
        for (text, want) in [
            ("Password: Xq7#vB2m9L", High),
            ("password => O5TXmAwP#6TO", High),
            ("New password ............ temp1234", High),
            ("Password - RBD&DTvlPsf!2", Medium),
            ("The password was changed to 9i*mOfvWk!", High),
            ("Salasanasi on Qazwsx123", High),
            ("Your password for the portal: Zebra+Mango4", Medium),
            ("pw KgJQNdOZafTwt%n", Medium),
            ("Hasło tymczasowe: Gr@ss1and", Medium),
            ("Your password for the portal is Zebra+Mango4", Medium),
            ("PW\nl%YbrRnYT4X9io\n", High),
            ("password   \nl%YbrRnYT4X9io\n", High),
            // A tab between table cells is a separator, not a title's dash.
            ("Temporary password\tFJmUuwPYEadRjV", Medium),
            // A longer label cut off inside a word leaves the label inside it.
            ("Database password: Harbor_Light5", High),
            // A configuration key that ends in the label.
            ("  smtp_password: Xq7#vB2m9L", High),
            ("DB_PASSWORD=Xq7#vB2m9L", High),
            // A particle joins a label of a spaceless script with no space.
            ("パスワードは S6ycLNmJWxUQEUiX です", High),
            ("密码是abc12345X，请登录", High),
            ("Password: \"DmVAOW\"", Medium),
            ("Password: misvpwkqgqnkgklejkftj", Medium),
        ] {
            assert_eq!(one(text), Some(want), "case of {} bytes", text.len());
        }
    }

    #[test]
    fn values_before_the_label_and_pairs() {
        assert_eq!(one("Use #6kiJ%Y4b*ISjr as your password the first time."), Some(Confidence::Medium));
        assert_eq!(one("S375Ri1G*j is your new password."), Some(Confidence::Medium));
        assert_eq!(run("Admin credentials: jdoe / Mustang#65", Category::Password).len(), 1);
        assert!(run("Admin credentials: see /docs", Category::Password).is_empty());
    }

    #[test]
    fn values_after_an_escaped_line_break() {
        // A PHP or JSON string writes its line breaks as `\n`.
        assert!(run(r#""Click here to reset your password:\n{url}\n\nIf you did not ask, ignore this.""#, Category::Password).is_empty());
        let found = run(r#""Your new password:\nXq7#vB2m9L\n\nThanks""#, Category::Password);
        assert_eq!(found, vec![("Xq7#vB2m9L".to_string(), Confidence::High)], "the value alone, without the escapes");
    }

    #[test]
    fn no_value() {
        for text in [
            "Mot de passe : inchangé",
            "Password: ********",
            "Your password is safe with us.",
            "Passwords are case-sensitive.",
            "Password reset code: 123456",
            "password_reset: Xq7#vB2m9L",
            "passwordless login: Xq7#vB2m9L",
            "compass 2024-abc!",
            "Password: https://example.com/reset?t=abc123",
            "Password changed on 2024-03-02.",
            "Password\nWe changed it for you.",
            "Use it as your password.",
            "Password Changed{% endblock %}",
            "Passwort vergessen?",
            "Benutzername oder Passwort ungültig!",
            "votre mot de passe ci-dessous.Veuillez modifier",
            "password below.Please change it",
            "Recupera la password - OpenSupports",
            "password: Passwort",
            "password: 'Salasana'",
            "password: 'Пароль'",
            "password: \"Hasło\"",
            "pass:\n    other: Password\n  original_text:\n    other: This post",
            "password:\n      space_invalid:\n",
            "パスワードは8文字以上でなければなりません。",
            "パスワードは変更されました",
            "Password: &lt;your-password&gt;",
            "Password: <your-password>",
            "Passwort: [Ihr Passwort]",
            "Password: strengths",
            "$user_password = Xq7#vB2m9L",
            "user_password_hint: Xq7#vB2m9L",
            "    new_password: 'Neues Passwort'",
            "  mail_body_lost_password: 'Pour changer votre mot de passe, cliquez sur le lien suivant :'",
            // The tail of a variable's name, a source string's phrase in single quotes.
            "$strChoosePassword = 'Please choose a password';",
            "choosePassword: 'Please choose a password'",
        ] {
            assert_eq!(one(text), None, "case of {} bytes", text.len());
        }
    }

    #[test]
    fn a_huge_line_of_labels_is_linear() {
        let text = "lorem password ipsum ".repeat(200_000);
        let started = std::time::Instant::now();
        let _ = run(&text, Category::Password);
        let whole = started.elapsed();
        let started = std::time::Instant::now();
        let _ = run(&text[..text.len() / 10], Category::Password);
        let tenth = started.elapsed();
        assert!(whole.as_secs_f64() < 30.0 * tenth.as_secs_f64().max(1e-3), "{whole:?} against {tenth:?} for a tenth");
    }

    #[test]
    fn pins_by_evidence() {
        assert_eq!(run("PIN 443006", Category::Pin).len(), 1);
        assert_eq!(run("Alarm code: 6921", Category::Pin).len(), 1);
        assert_eq!(run("PIN - 5918", Category::Pin).len(), 1);
        assert!(run("PIN: 1234.50", Category::Pin).is_empty());
        assert!(run("spin 4821", Category::Pin).is_empty());
    }

    #[test]
    fn placeholders_in_the_value_slot() {
        for text in ["Password: %s", "Password: {4}", "Password: %2$s", "Password: <password>", "Password: #{user.password}", "Password: [% user.pass %]", "Password: {{ x }}"] {
            let found = run(text, Category::Password);
            assert_eq!(found.len(), 1, "{text}");
            assert_eq!(found[0].1, Confidence::High);
        }
        assert!(run("Password: {{ password_reset_url }}", Category::Password).is_empty());
        assert_eq!(run("Password: %s", Category::Password).len(), 1);
        // A label after a line-break escape of a source string, a `__name__` slot.
        assert_eq!(run("\"Kullanıcı adı: %s\\nŞifre: %s\\n\"", Category::Password).len(), 1);
        assert_eq!(run("Password: __password__", Category::Password).len(), 1);
        assert!(run("Reset your password on __siteName__", Category::Password).is_empty());
        assert!(run("重置您的密码：\\n\\n__url__\\n\\n谢谢。", Category::Password).is_empty());
        // A password's hash in its slot leaks as the password does.
        assert_eq!(run("Password : $contact_user_user_hash", Category::Password).len(), 1);
        // After "the link … to log in with your … password:" the slot is the link.
        assert!(run("Copy the following link to log in with your new username and password:\\n\\n%3$s", Category::Password).is_empty());
        assert!(run("Kopieren Sie den folgenden Link, um sich mit Ihrem Passwort anzumelden:\\n\\n%3$s", Category::Password).is_empty());
        assert_eq!(run("Copy the following link to log in.\\nPassword: %3$s", Category::Password).len(), 1);
        // Names in square brackets of any case; a link's text is not a slot.
        assert_eq!(run("Password: [password]]]>", Category::Password).len(), 1);
        assert!(run("Password: [here](https://example.com)", Category::Password).is_empty());
        assert!(run("Password: [redacted]", Category::Password).is_empty());
        // A line-break placeholder hands the slot to what follows it: here a link.
        assert!(run("To change your password :{BR}{CHG_PWD_URI}", Category::Password).is_empty());
        assert_eq!(run("Password:{BR}{PASSWORD}", Category::Password).len(), 1);
    }
}
