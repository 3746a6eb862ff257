//! Validators for values that stand next to a label: passwords, PINs, links with tokens.
//!
//! A label (`Password:`) tells what a value is; these checks tell whether what follows is a
//! value at all — not a mask (`********`), not prose (`must be at least 12 characters`),
//! not a field left blank, not a placeholder (those are the placeholder detector's).

use super::Candidate;

/// Words that follow a label in prose, never as the value itself.
const PROSE: &[&str] = &[
    "a", "an", "the", "is", "are", "was", "were", "be", "been", "being", "will", "would", "must", "should",
    "can", "cannot", "can't", "could", "may", "might", "has", "have", "had", "not", "no", "none", "n/a", "na",
    "and", "or", "for", "to", "of", "in", "on", "at", "by", "with", "via", "from", "as", "if", "your", "you",
    "yours", "our", "their", "this", "that", "these", "it", "its", "here", "below", "above", "hidden",
    "masked", "redacted", "protected", "removed", "omitted", "required", "optional", "unchanged", "changed",
    "reset", "set", "sent", "expired", "expires", "expiring", "unknown", "null", "nil", "undefined", "empty",
    "blank", "same", "see", "click", "use", "enter", "follow", "link", "field", "policy", "hint", "strength",
    "length", "requirements", "rules", "manager", "managers", "never", "only", "also", "again", "incorrect",
    "invalid", "wrong", "falsch", "faux", "fausse", "incorrecto", "incorrecta", "errata", "errato", "onjuist", "fout",
    "forgotten", "forgot", "chosen", "encrypted", "stored", "securely", "secure",
    "case-sensitive", "sensitive", "password", "passwort", "contraseña", "senha", "pin", "code", "please",
    "included", "provided", "available", "shown", "displayed", "previously", "already", "yet", "now",
    "nicht", "kein", "keine", "ist", "wird", "pas", "non", "est", "sera", "no", "se", "es", "não", "niet",
    "wurde", "und", "oder", "ihr", "votre", "vous", "tu", "su", "sua", "je", "uw",
];

/// Characters used to mask a value.
const MASK: &[char] = &['*', '•', '●', '·', '∙', '⁕', '#', 'x', 'X', '_', '-', '.', '…', '░', '█'];

/// A value after a password label is a password when it is none of: blank, a mask, a
/// placeholder, a URL or e-mail address, a prose word, or (after `is`) a plain word.
pub fn password_value(c: &Candidate<'_>) -> bool {
    let value = c.secret;
    // In a source string a line break is an escape: in `"…your password:\n{url}\n\nIf…"`
    // the value is `{url}`, alone on the next line. Only what stands between the escapes is
    // read, and with no label punctuation before it, so it needs a password's shape.
    if let Some(line) = after_escaped_break(value) {
        return password_value(&Candidate { secret: line, whole: line, after: "" });
    }
    let chars = value.chars().count();
    if !(4..=128).contains(&chars) {
        return false;
    }
    if is_mask(value) || is_template_syntax(value) || is_url_or_email(value) || is_code_expression(value) {
        return false;
    }
    let lower = value.to_lowercase();
    let bare = lower.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', '"']);
    if PROSE.contains(&bare) || bare.starts_with('(') || bare.starts_with('[') || quoted_text(c) || phrase_text(c) {
        return false;
    }
    let word_like = value.chars().all(|ch| ch.is_alphabetic() || ch == '-' || ch == '\'')
        && value.chars().filter(|ch| ch.is_alphabetic()).all(|ch| ch.is_lowercase());
    // "Your password is safe with us": after a verb, a plain word is prose.
    let by_verb = !c.whole[..c.whole.len() - value.len()].trim_end().ends_with([':', '=', '：', '\t']);
    if by_verb && (word_like || !has_password_shape(value)) {
        return false;
    }
    // A value on the line after its label stands alone on that line; otherwise the label
    // was left blank and the next line is another label (`Password:⏎Invoice number: 42`).
    let on_next_line = c.whole[..c.whole.len() - value.len()].contains('\n');
    if on_next_line && !c.after.split('\n').next().unwrap_or("").trim().is_empty() {
        return false;
    }
    // "Password: required for login" — a plain word that the sentence goes on from.
    if word_like && next_word_is_prose(c.after) {
        return false;
    }
    true
}

/// Whether `value` is an expression of code that reads the value from elsewhere, not the
/// value: a variable with an index, member or call (`$_POST['PASSWORD']`,
/// `$row[1]['password']`, `$user->password`, `request.form['pw']`, `getPassword()`).
/// What code assigns from such an expression is data flow; a mail that prints it shows
/// it through a placeholder, which the placeholder scanner judges.
pub fn is_code_expression(value: &str) -> bool {
    let b = value.as_bytes();
    let start = usize::from(b.first() == Some(&b'$'));
    let ident = b[start..].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
    if ident == 0 || b[start].is_ascii_digit() {
        return false;
    }
    let mut rest = &value[start + ident..];
    if rest.starts_with("->") || rest.starts_with("::") || rest.starts_with("()") {
        return true;
    }
    // Indexes, each a quoted key or a number: `['PASSWORD']`, `[1]['password']`; then the
    // end of the expression.
    let mut indexed = false;
    while let Some(inner) = rest.strip_prefix('[') {
        // (A match may stop short of the last `]`: it ends the token on a bracket.)
        let close = inner.find(']').unwrap_or(inner.len());
        let key = &inner[..close];
        let quoted = key.len() >= 2 && (key.starts_with('\'') && key.ends_with('\'') || key.starts_with('"') && key.ends_with('"'));
        if !(quoted || !key.is_empty() && key.bytes().all(|c| c.is_ascii_digit())) {
            return false;
        }
        indexed = true;
        rest = inner.get(close + 1..).unwrap_or("");
    }
    indexed && matches!(rest.chars().next(), None | Some(';' | ')' | ','))
}

/// The escapes that write a line break or a tab inside a source string.
const BREAK_ESCAPES: [&str; 3] = ["\\n", "\\r", "\\t"];

/// Where the text after a run of line-break escapes at `at` starts, or `None` when no
/// escape stands at `at`.
pub fn after_break_escapes(text: &str, at: usize) -> Option<usize> {
    let value = &text[at..];
    let line = after_escaped_break(value)?;
    Some(at + (line.as_ptr() as usize - value.as_ptr() as usize))
}

/// Where the value goes on when a source string ends at `at` and another is joined to it
/// (`'Your new password is:' . "\n\n" . '   %s'`, `"PIN: " + "{0}"`): inside the next
/// literal with text, past its leading blanks; literals of line-break escapes only are a
/// line break (`true`). `None` when no concatenation of literals stands at `at`.
pub fn after_concatenation(text: &str, at: usize) -> Option<(usize, bool)> {
    use super::placeholder::{blanks_end, is_quote};
    let b = text.as_bytes();
    let blanks = |i: usize| blanks_end(b, i);
    let quote = |i: usize| is_quote(b, i);
    let (mut p, mut broke) = (at, false);
    loop {
        let op = blanks(p + 1);
        let open = blanks(op + 1);
        if !quote(p) || !matches!(b.get(op), Some(b'.' | b'+')) || !quote(open) {
            return None;
        }
        let inside = open + 1;
        let mut q = inside;
        let mut escapes = false;
        loop {
            if let Some(e) = BREAK_ESCAPES.iter().find(|e| text[q..].starts_with(**e)) {
                q += e.len();
                escapes = true;
            } else if matches!(b.get(q), Some(b' ' | b'\t')) {
                q += 1;
            } else {
                break;
            }
        }
        if quote(q) {
            // A literal of breaks and blanks only: the value is in the one after it.
            broke |= escapes;
            p = q;
            continue;
        }
        return Some((if escapes { inside } else { blanks(inside) }, broke));
    }
}

/// Where the first line-break escape in `token` starts, if any.
pub fn break_escape_in(token: &str) -> Option<usize> {
    BREAK_ESCAPES.iter().filter_map(|e| token.find(e)).min()
}

/// When `value` starts with a line-break escape (`\n`, `\r`, `\t`), the text after the
/// leading escapes up to the next one; `None` when it does not start with one.
fn after_escaped_break(value: &str) -> Option<&str> {
    BREAK_ESCAPES.iter().find(|e| value.starts_with(**e))?;
    let mut rest = value;
    while let Some(e) = BREAK_ESCAPES.iter().find(|e| rest.starts_with(**e)) {
        rest = &rest[e.len()..];
    }
    let end = break_escape_in(rest).unwrap_or(rest.len());
    Some(&rest[..end])
}

/// Nouns that, before a label in the same clause, are what the clause is about: in "the
/// link to change your password" the link is offered, in "the code to reset your password
/// is:" the value is a code.
const PURPOSE_HEADS: &[&str] = &[
    "link", "links", "url", "button", "code", "hint", "policy", "lien", "bouton", "enlace", "vínculo", "vinculo",
    "botón", "boton", "código", "codigo", "codice", "collegamento", "knop", "knopf", "schaltfläche", "kod", "kód",
    "odkaz", "ссылка", "ссылку", "код",
];

/// Words that introduce what a head is for: "link *to* change", "Code *zum* Ändern".
const PURPOSE_MARKS: &[&str] = &["to", "for", "um", "zum", "zur", "pour", "de", "para", "per", "om", "voor", "aby", "do", "для", "чтобы"];

/// Verbs of changing a password: with one of them, the label names what the head is for.
const CHANGE_VERBS: &[&str] = &[
    "change", "reset", "set", "update", "choose", "create", "recover", "modify", "renew", "ändern",
    "zurücksetzen", "zurückzusetzen", "setzen", "festlegen", "vergeben", "erstellen", "modifier", "changer",
    "réinitialiser", "reinitialiser", "définir", "definir", "créer", "cambiar", "restablecer", "modificar",
    "crear", "recuperar", "wijzigen", "passen", "aanpassen", "herstellen", "instellen", "redefinir", "alterar",
    "reimpostare", "cambiare", "impostare", "modificare", "zmienić", "zmienic", "změnit", "zmenit", "изменить",
    "сбросить",
];

/// Verbs that, right before a label, make it a title or a button's text.
const TITLE_VERBS: &[&str] = &["recover", "forgot", "forgotten", "récupérer", "recuperer", "recuperar", "vergessen", "восстановить"];

/// How far, in bytes, the clause before a label is read.
const PURPOSE_REACH: usize = 120;

/// Whether the label at `label_start` is the object of a purpose phrase rather than the
/// value's label: the clause before it (back to a sentence mark, a colon or a line break)
/// names a link, a button or a code, then what it is for, and a change verb stands in
/// that clause or in the few words after the label (German and Dutch put it last: "Link,
/// um Ihr Passwort zu ändern"). "Use the link below to reset your password:" offers a
/// link; "The code to change your password is: X" gives a code.
pub fn purpose_before(text: &str, label_start: usize) -> bool {
    let head = purpose_head(text, label_start);
    // "One-time password", "Einmalpasswort": the label names a one-time code.
    if one_time_before(head) {
        return true;
    }
    let (clause, words) = clause_words(head);
    // A title or a button: the label is the object of the verb right before it
    // ("Recover password - Example", "Réinitialiser mot de passe").
    if clause.ends_with(' ') && words.last().is_some_and(|w| TITLE_VERBS.contains(&w.as_str()) || CHANGE_VERBS.contains(&w.as_str()) && w != "set") {
        return true;
    }
    purpose_clause(text, label_start, &words, CHANGE_VERBS)
}

/// Whether the label at `label_start` names what a link is for when the link is to sign
/// in with it: "Copy the following link … to log in with your new username and
/// password:", "Link …, um sich mit Ihrem Passwort anzumelden:". The placeholder after
/// such a label is the link; a literal value after one is still read (a mail may offer
/// the link and print the password).
pub fn sign_in_link_before(text: &str, label_start: usize) -> bool {
    let (_, words) = clause_words(purpose_head(text, label_start));
    purpose_clause(text, label_start, &words, SIGN_IN_VERBS)
}

/// Verbs of signing in: with one of them, the label names what a link is for.
const SIGN_IN_VERBS: &[&str] = &[
    "log", "login", "sign", "signin", "access", "anmelden", "anzumelden", "einloggen", "einzuloggen", "connecter",
    "identifier", "iniciar", "acceder", "acessar", "entrar", "accedere", "inloggen", "aanmelden", "zalogować",
    "войти",
];

/// The text before a label that its clause is looked for in.
fn purpose_head(text: &str, label_start: usize) -> &str {
    let mut from = label_start.saturating_sub(PURPOSE_REACH);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    &text[from..label_start]
}

/// The clause that ends `head` (back to a sentence mark, a colon, a line break or its
/// escape, `\n` in a source string), and its words, lower-cased.
fn clause_words(head: &str) -> (&str, Vec<String>) {
    let clause = head.rsplit(['.', '!', '?', ':', ';', '\n', '"', '：', '。']).next().unwrap_or("");
    let clause = clause.rsplit("\\n").next().unwrap_or("");
    let words = clause.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).map(str::to_lowercase).collect();
    (clause, words)
}

/// Whether `words` (the clause before the label) name a purpose head, then a purpose
/// mark, with one of `verbs` after the mark or in the few words after the label.
fn purpose_clause(text: &str, label_start: usize, words: &[String], verbs: &[&str]) -> bool {
    let Some(noun) = words.iter().rposition(|w| PURPOSE_HEADS.contains(&w.as_str())) else { return false };
    let Some(mark) = words[noun + 1..].iter().position(|w| PURPOSE_MARKS.contains(&w.as_str())) else { return false };
    let verb_before = words[noun + 1 + mark..].iter().any(|w| verbs.contains(&w.as_str()));
    verb_before || {
        let mut to = (label_start + 48).min(text.len());
        while !text.is_char_boundary(to) {
            to -= 1;
        }
        let tail = text[label_start..to].split(['.', '!', '?', ':', '\n']).next().unwrap_or("");
        tail.split(|c: char| !c.is_alphanumeric()).take(6).any(|w| verbs.contains(&w.to_lowercase().as_str()))
    }
}

/// The reader's own possessives: in `<your-password>` the slot tells the reader what to
/// type, it is no variable.
const SECOND_PERSON: &[&str] = &["your", "ihr", "dein", "deine", "votre", "ton", "tu", "su", "seu", "sua", "uw", "je", "tuo", "tua", "twoje", "ваш"];

/// Whether `word` (any case) is one of the reader's possessives ([`SECOND_PERSON`]).
pub fn is_second_person(word: &str) -> bool {
    SECOND_PERSON.iter().any(|w| super::lexicon::eq_fold(word, w))
}

/// Possessives between a verb and the label it governs: "Set up *your* password",
/// "Réinitialiser *votre* mot de passe".
const POSSESSIVES: &[&str] = &[
    "your", "my", "the", "a", "new", "ihr", "dein", "ein", "neues", "votre", "ton", "un", "nouveau", "tu", "su",
    "nueva", "uw", "je", "een", "nieuw", "il", "tuo", "la", "nuova", "seu", "sua", "nova", "twoje", "ваш", "свой",
];

/// Whether the label at `start` is a button's or a heading's text, not a value's label:
/// it ends its line (its words only after it there: no colon, no value), and the line is an
/// imperative, a change verb first (after a "please") with a possessive or article
/// before the label ("Set up your password", "Choose a new password", "Réinitialiser
/// votre mot de passe"). Read as a label, its value would be the next line of the page
/// (a site's name, a link), never a password: a password follows "your password:" or
/// "your password is", not an instruction to set one.
pub fn button_text(text: &str, start: usize) -> bool {
    let line_end = text[start..].find('\n').map_or(text.len(), |i| start + i);
    let label = text[start..line_end].trim_end();
    if !label.chars().all(|c| c.is_alphabetic() || c == ' ') || label.split(' ').filter(|w| !w.is_empty()).count() > 3 {
        return false;
    }
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let words: Vec<String> = text[line_start..start]
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect();
    let words: &[String] = match words.first().map(String::as_str) {
        Some("please" | "bitte" | "veuillez" | "por" | "favor") => &words[1..],
        _ => &words,
    };
    let Some((verb, rest)) = words.split_first() else { return false };
    let noun = RESET_NOUNS.contains(&verb.as_str());
    if !(noun || CHANGE_VERBS.contains(&verb.as_str()) || TITLE_VERBS.contains(&verb.as_str())) {
        return false;
    }
    let rest = match rest.split_first() {
        Some((up, after)) if up == "up" => after,
        _ => rest,
    };
    // A verb takes an object ("your password"); a noun a complement ("de mot de passe").
    let fits = |w: &String| POSSESSIVES.contains(&w.as_str()) || noun && PREPOSITIONS.contains(&w.as_str());
    !rest.is_empty() && rest.len() <= 3 && rest.iter().all(fits)
}

/// Nouns of a reset that head a title before the label ("Réinitialisation de mot de
/// passe", "Recovery of your password").
const RESET_NOUNS: &[&str] = &[
    "reset", "recovery", "réinitialisation", "reinitialisation", "récupération", "recuperation", "changement",
    "modification", "wiederherstellung", "zurücksetzung", "änderung", "restablecimiento", "recuperación",
    "cambio", "redefinição", "recuperação", "alteração", "reimpostazione", "recupero", "herstel",
];

/// Prepositions between a reset noun and the label ("de", "of your", "des").
const PREPOSITIONS: &[&str] = &["de", "du", "des", "d", "of", "for", "la", "le", "del", "da", "do", "dos", "für", "zur", "van", "het"];

/// Words right before a password label that make it a one-time code's ("one-time
/// password", "Einmalpasswort", "одноразовый пароль", "ワンタイムパスワード").
const ONE_TIME: &[&str] = &[
    "one-time", "one time", "onetime", "single-use", "single use", "einmal", "одноразовый", "одноразовым", "ワンタイム", "一次性",
    "jednorázové", "jednorázový", "jednorázová", "jednorazowe", "jednorazowy", "jednorazowym", "eenmalig", "eenmalige",
    "engangs", "egyszeri", "tek kullanımlık", "일회용",
];

fn one_time_before(head: &str) -> bool {
    let h = head.trim_end_matches([' ', '\t', '\u{a0}']);
    let mut from = h.len().saturating_sub(32);
    while !h.is_char_boundary(from) {
        from += 1;
    }
    let tail = h[from..].to_lowercase();
    ONE_TIME.iter().any(|w| {
        tail.ends_with(w) && !tail[..tail.len() - w.len()].ends_with(char::is_alphanumeric)
    })
}

/// Whether the value opens a quoted string that is text, not a secret: a translation of
/// the label itself (`$s_new_password = 'New password';`, `"password": "Passwort"`), or
/// three words or more (`= 'The password is controlled by another system'`).
fn quoted_text(c: &Candidate<'_>) -> bool {
    let Some(quote) = c.secret.chars().next().filter(|q| matches!(q, '\'' | '"')) else { return false };
    let lead = &c.whole[..c.whole.len() - c.secret.len()];
    let Some(label) = lead.split(|ch: char| !ch.is_alphanumeric()).rfind(|w| !w.is_empty()) else { return false };
    let rest = &c.whole[c.whole.len() - c.secret.len() + 1..];
    let tail = c.after.split('\n').next().unwrap_or("");
    let joined = format!("{rest}{tail}");
    // Up to the closing quote, or as far as the text after the match reaches.
    let inner = joined[..joined.find(quote).unwrap_or(joined.len())].to_lowercase();
    let words_only = inner.chars().all(|ch| ch.is_alphabetic() || ch == ' ');
    let names_label = inner.contains(&label.to_lowercase()) || LABEL_STEMS.iter().any(|s| inner.contains(s));
    (words_only && names_label) || inner.split_whitespace().count() >= 3
}

/// Whether the unquoted value and the rest of its line are a UI phrase, as the values of
/// translation files are (`wrong_password: Falsches Kennwort.`, `new_password: Nouveau mot
/// de passe`, `パスワードは変更できません。`): only letters and the punctuation of prose, and
/// either the label's own word in it or three words or more. A sentence mark of the CJK
/// scripts (`。`, `、`) is prose whatever else is on the line.
fn phrase_text(c: &Candidate<'_>) -> bool {
    let line = format!("{}{}", c.secret, c.after.split('\n').next().unwrap_or(""));
    let line = line.trim_end();
    if line.contains(['。', '、', '！', '？']) {
        return true;
    }
    if !line.chars().next().is_some_and(char::is_alphabetic) {
        return false;
    }
    let prose = line.trim_end_matches(['.', '!', '?', ':', '…']);
    if !prose.chars().all(|ch| ch.is_alphabetic() || matches!(ch, ' ' | '-' | '\'' | ',')) {
        return false;
    }
    let lower = prose.to_lowercase();
    let words = prose.split_whitespace().count();
    let stem = LABEL_STEMS.iter().find(|s| lower.contains(*s));
    // A lone word that holds the label (`Kennwortneu`) may be a password; the label with
    // more words (`Neues Kennwort`) or a word of another script (`パスワードが違います`) is text.
    words >= 3 || stem.is_some_and(|s| words >= 2 || (lower.chars().count() > s.chars().count() && !lower.is_ascii()))
}

/// Whether the label at `label_start` is part of a template tag's name, not a label: the
/// tag opens before it on the same line and only name characters lie between
/// (`[[++allow_forgot_password:is=`1`:then=`…`]]`, `{{ user_password:default }}`).
pub fn in_tag_name(text: &str, label_start: usize) -> bool {
    let mut from = label_start.saturating_sub(64);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    let head = &text[from..label_start];
    let head = head.rsplit('\n').next().unwrap_or("");
    let Some(open) = ["[[", "{{", "{%", "${", "<%"].iter().filter_map(|o| head.rfind(o).map(|i| i + 2)).max() else { return false };
    head[open..].chars().all(|ch| ch.is_alphanumeric() || matches!(ch, '_' | '+' | '.' | '-' | '*' | '#' | '!' | '$' | ' '))
}

/// Whether the label at `label_start` ends a key of a language or settings file whose
/// value is a sentence: the label is joined to the key's other words by `_` or `.`
/// (`notice_can_t_change_password: Dieses Konto verwendet …`), the value is a word of
/// letters and two more follow it. A key's value that is a password stands alone
/// (`db_password: Xq7#vB2m`).
pub fn key_with_sentence(text: &str, label_start: usize, value: &str, after: &str) -> bool {
    if !text[..label_start].ends_with(['_', '.']) || !value.chars().all(char::is_alphabetic) {
        return false;
    }
    let line = after.split('\n').next().unwrap_or("");
    let words = line.split([' ', '\t']).filter(|w| !w.is_empty());
    line.starts_with([' ', '\t'])
        && words.take(2).filter(|w| w.trim_end_matches([',', '.', ';', '!', '?']).chars().all(char::is_alphabetic)).count() == 2
}

/// Stems of password labels, to see that a quoted string is a label's translation
/// (`'Passwort'`, `'Mot de passe'`, `'Contraseña nueva'`).
const LABEL_STEMS: &[&str] = &[
    "pass", "kennwort", "contrase", "senha", "wachtwoord", "lösenord", "hasło", "haslo", "heslo", "jelsz", "şifre",
    "пароль", "κωδικ", "パスワード", "密码", "密碼", "비밀번호", "clave", "salasana", "adgangskode",
];

/// Digits, symbols, or mixed case: what a password looks like when prose might not.
fn has_password_shape(value: &str) -> bool {
    let digit = value.chars().any(|c| c.is_ascii_digit());
    let symbol = value.chars().any(|c| !c.is_alphanumeric());
    let upper = value.chars().any(|c| c.is_uppercase());
    let lower = value.chars().any(|c| c.is_lowercase());
    value.chars().count() >= 6 && (digit || symbol || (upper && lower && value.chars().skip(1).any(|c| c.is_uppercase())))
}

fn next_word_is_prose(after: &str) -> bool {
    let line = after.split('\n').next().unwrap_or("");
    let mut words = line.split_whitespace();
    match words.next() {
        Some(w) => w.chars().all(|c| c.is_alphabetic() || "',.".contains(c)) && w.chars().next().is_some_and(|c| c.is_lowercase()),
        None => false,
    }
}

/// Whether `value` (any case, trailing punctuation ignored) is one of the words that
/// follow a label in a sentence rather than being its value (`is`, `required`, `hidden`).
pub fn is_prose_word(value: &str) -> bool {
    let lower = value.to_lowercase();
    let bare = lower.trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
    PROSE.contains(&bare)
}

/// `********`, `••••`, `xxxx`, `[hidden]`, `<redacted>`: no secret to leak.
pub fn is_mask(value: &str) -> bool {
    let v = value.trim_matches(|c: char| "()[]<>{}".contains(c));
    if v.is_empty() || v.chars().all(|c| MASK.contains(&c)) {
        return true;
    }
    v.contains("***") || v.contains("•••") || v.contains("●●") || v.to_lowercase().contains("xxxx")
}

/// The start of a template placeholder: those are reported by the placeholder rules.
pub fn is_template_syntax(value: &str) -> bool {
    ["{{", "{%", "${", "<%", "{$", "[[", "{!!", "<?", "%%", "@Model", "@model", "#{", "%("]
        .iter()
        .any(|p| value.starts_with(p))
        || (value.starts_with('%') && value.ends_with('%') && value.len() > 2)
        || (value.starts_with('{') && value.ends_with('}'))
        || (value.starts_with('$') && value[1..].chars().all(|c| c.is_ascii_uppercase() || c == '_'))
}

fn is_url_or_email(value: &str) -> bool {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") || lower.starts_with("www.") {
        return true;
    }
    match value.split_once('@') {
        Some((local, domain)) => !local.is_empty() && domain.contains('.') && domain.chars().all(|c| c.is_alphanumeric() || ".-".contains(c)),
        None => false,
    }
}

/// A PIN: 4–8 digits that are not part of a longer number, an amount or a date.
pub fn pin_value(c: &Candidate<'_>) -> bool {
    let v = c.secret;
    if !(4..=8).contains(&v.len()) || !v.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    // "PIN: 1234.50" or "1234-56" continue the number.
    let next = c.after.chars().next();
    let continues = matches!(next, Some('.') | Some(',') | Some('-') | Some('/')) && c.after.chars().nth(1).is_some_and(|d| d.is_ascii_digit());
    !continues
}

/// A URL with a bearer token in it: a query value or path segment of 16+ characters
/// drawn from a token alphabet, with enough variety to be random.
pub fn url_has_token(url: &str) -> bool {
    let rest = match url.find("://") {
        Some(i) => &url[i + 3..],
        None => return false,
    };
    rest.split(['/', '?', '&', '=', '#', ';'])
        .any(|part| {
            let n = part.chars().count();
            n >= 16
                && part.chars().all(|c| c.is_ascii_alphanumeric() || "-_.~%+".contains(c))
                && part.chars().any(|c| c.is_ascii_digit())
                && part.chars().any(|c| c.is_ascii_alphabetic())
                && distinct(part) >= 10
                && !part.contains('.')
        })
}

fn distinct(s: &str) -> usize {
    let mut seen = [false; 128];
    let mut n = 0;
    for b in s.bytes().filter(|b| b.is_ascii()) {
        if !seen[b as usize] {
            seen[b as usize] = true;
            n += 1;
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn purpose(text: &str) -> bool {
        let at = text.find("password").or_else(|| text.find("Passwort")).or_else(|| text.find("mot de passe")).unwrap();
        purpose_before(text, at)
    }

    #[test]
    fn values_after_a_concatenation() {
        fn at(t: &str) -> Option<(&str, bool)> {
            let q = t.find('\'').into_iter().chain(t.find('"')).min().unwrap();
            after_concatenation(t, q).map(|(p, b)| (&t[p..], b))
        }
        assert_eq!(at("is:' . \"\\n\\n\" . '   %s' . \"\\n\""), Some(("%s' . \"\\n\"", true)));
        assert_eq!(at("is:' . '%2$s'"), Some(("%2$s'", false)));
        assert_eq!(at("PIN: \" + \"{0}\""), Some(("{0}\"", false)));
        assert_eq!(at("is:' . \"\\n\\n%s\""), Some(("\\n\\n%s\"", false)));
        assert_eq!(at("is:' . \"\\n\\n\");"), None, "nothing joined after the breaks");
        assert_eq!(at("is:' . $password"), None);
        assert_eq!(at("is: 'Xq7#vB2m'"), None);
    }

    #[test]
    fn keys_whose_value_is_a_sentence() {
        let key = |t: &str| {
            let at = t.find("password").unwrap();
            let v = at + t[at..].find(": ").unwrap() + 2;
            let end = v + t[v..].find([' ', '\n']).unwrap_or(t.len() - v);
            key_with_sentence(t, at, &t[v..end], &t[end..])
        };
        assert!(key("  notice_can_t_change_password: Dieses Konto verwendet eine externe Quelle.\n"));
        assert!(!key("  db_password: Xq7vBm secret here\n"), "a value with a digit");
        assert!(!key("  db_password: Sunshine\n"), "a value alone");
        assert!(!key("Your password: Sunshine please change it\n"), "a label in running text");
    }

    #[test]
    fn code_expressions_are_no_values() {
        for v in ["$_POST['PASSWORD'];", "$_POST['PASSWORD'", "$staff_RET[1]['PASSWORD'];", "$user->password;", "form['pw']", "getPassword()", "Config::PASSWORD"] {
            assert!(is_code_expression(v), "{v}");
        }
        for v in ["Xq7#vB2m9L", "$ecret[9]!", "$k9[Lm2x", "Pa55[w0rd]", "[1]abc"] {
            assert!(!is_code_expression(v), "{v}");
        }
    }

    #[test]
    fn button_text_ends_its_line() {
        let at = |t: &str, label: &str| button_text(t, t.find(label).unwrap());
        assert!(at("Hi Ann,\nSet up your password\nOpenSupports", "password"));
        assert!(at("Please choose a new password \nExample Inc", "password"));
        assert!(at("Réinitialiser votre mot de passe\nhttps://x", "mot de passe"));
        assert!(!at("Set up your password: Xq7#vB2m\n", "password"), "a value on the line");
        assert!(!at("We have reset your password\nXq7#vB2m\n", "password"), "a sentence, not a button");
        assert!(!at("Your password\nXq7#vB2m\n", "password"), "a label alone on its line");
        assert!(!at("Set password\nXq7#vB2m\n", "password"), "no possessive: could be a form's label");
        assert!(at("Réinitialisation de mot de passe\n%1$s,\n", "mot de passe"), "a title: noun and complement");
        assert!(at("Recovery of your password\nExample\n", "password"));
        assert!(!at("Reset de password\nXq7#vB2m\n", "Xq7"), "the label must end the line");
    }

    #[test]
    fn values_after_an_escaped_line_break() {
        let v = |secret: &str| password_value(&cand(&format!("Reset your password:{secret}"), secret, "\";"));
        assert!(!v("\\n{url}\\n\\nIf"), "a placeholder on the next line of a source string");
        assert!(!v("\\n\\nClick"), "a word on the next line");
        assert!(!v("\\n********\\n"), "a mask on the next line");
        assert!(v("\\nXq7#vB2m9L\\n\\nThanks"), "a password on the next line");
        assert!(v("\\r\\nHello-World7"), "after CRLF escapes, at the end of the string");
    }

    #[test]
    fn unquoted_phrases_are_text() {
        let v = |whole: &str, secret: &str, after: &str| password_value(&cand(whole, secret, after));
        // Values of translation files: the label's word again, or a sentence.
        assert!(!v("wrong_password: Falsches", "Falsches", " Kennwort.\n  next: x"));
        assert!(!v("new_password: Nouveau", "Nouveau", " mot de passe\n"));
        assert!(!v("change_password: Dieses", "Dieses", " Konto verwendet eine externe Quelle.\n"));
        assert!(!v("wrong_password: パスワードが違います", "パスワードが違います", "\n"));
        assert!(!v("パスワードは変更できません。", "変更できません。", "\n"));
        assert!(!v("update_password: パスワードの変更に成功しました。", "パスワードの変更に成功しました。", ""));
        // Passwords: one word, digits or symbols, or two words without the label's.
        assert!(v("Password: Kennwortneu", "Kennwortneu", "\n"));
        assert!(v("Password: Tiger", "Tiger", " Lily\n"));
        assert!(v("Passwort: Sommer2024", "Sommer2024", " bitte ändern\n"));
        assert!(v("Password: Hunter42", "Hunter42", "</td></tr>"));
        assert!(v("パスワード：Sakura2024", "Sakura2024", "\n"));
    }

    #[test]
    fn labels_inside_a_tag_name() {
        let at = |text: &str| in_tag_name(text, text.find("password").unwrap());
        assert!(at("If not, [[++allow_forgot_password:is=`1`:then=`reset it`]]."));
        assert!(at("{{ user_password:default }}"));
        assert!(!in_tag_name("Password: [[+password]]", 0));
        assert!(!at("{{ name }} Your password: Xq7#vB2m9L"));
        assert!(!at("password: x"));
    }

    #[test]
    fn quoted_translations_are_text() {
        let v = |whole: &str, secret: &str, after: &str| password_value(&cand(whole, secret, after));
        assert!(!v("password = 'New", "'New", " password';"));
        assert!(!v("password = 'Confirm", "'Confirm", " Password';"));
        assert!(!v("password = 'You", "'You", " must choose one to sign in again.';"));
        assert!(!v("password = 'Kennwort", "'Kennwort", "';"));
        assert!(!v("password = 'Vous", "'Vous", " devez choisir un mot de pa"));
        assert!(!v("Your password is incorrect", "incorrect", ".';"));
        assert!(!v("Das Passwort ist falsch", "falsch", ".';"));
        assert!(v("password = 'Xq7#vB2m9L'", "'Xq7#vB2m9L'", ";"));
        assert!(v("password: \"Gr@ss1and", "\"Gr@ss1and", "\" (keep it safe)"));
    }

    #[test]
    fn labels_inside_a_purpose_phrase() {
        assert!(purpose("Please open this link to set your password:\n%s"));
        assert!(purpose("Hi,\\nYour code to reset the password is: %s"));
        assert!(purpose("Klicken Sie auf den Knopf, um Ihr Passwort festzulegen und zu ändern :"));
        assert!(purpose("Voici le lien pour changer votre mot de passe :"));
        assert!(purpose("Tap the button for a new password (choose one you like):"));
        // The label is the value's: no head, no purpose, or the clause ended before it.
        assert!(!purpose("Your password: Xq7#vB2m9L"));
        assert!(!purpose("Click the link to sign in with this password: Xq7#vB2m9L"));
        assert!(!purpose("Use the link below to sign in. New password: Xq7#vB2m9L"));
        assert!(!purpose("Code 4 applies. Your password: Xq7#vB2m9L"));
        assert!(!purpose("Your temporary password is Xq7#vB2m9L"));
        assert!(purpose("Recover password - Example Desk"));
        assert!(purpose("Change password | Example"));
        assert!(!purpose("Set password: Xq7#vB2m9L"));
        assert!(purpose("Use the following one-time password: 482913"));
        let t = "Ihr Einmalpasswort: 482913";
        assert!(purpose_before(t, t.find("passwort").unwrap()));
        let t = "Ваш одноразовый пароль: 482913";
        assert!(purpose_before(t, t.find("пароль").unwrap()));
        let t = "použijte následující jednorázové heslo:\n${ticket}";
        assert!(purpose_before(t, t.find("heslo").unwrap()));
        let t = "Twoje jednorazowe hasło: 482913";
        assert!(purpose_before(t, t.find("hasło").unwrap()));
        assert!(!purpose("Your time password: Xq7#vB2m9L"));
        assert!(!purpose("Someone time password: Xq7#vB2m9L"));
    }

    fn cand<'a>(whole: &'a str, secret: &'a str, after: &'a str) -> Candidate<'a> {
        Candidate { secret, whole, after }
    }

    #[test]
    fn passwords_after_colon() {
        for (whole, secret) in [("Password: Summer2024!", "Summer2024!"), ("pwd: letmein99", "letmein99"), ("Passwort:\tKx9-trail", "Kx9-trail"), ("Password: letmein", "letmein")] {
            assert!(password_value(&cand(whole, secret, "")), "expected a password in case {}", whole.len());
        }
    }

    #[test]
    fn not_passwords() {
        let cases = [
            ("Password: ********", "********", ""),
            ("Password: ••••••", "••••••", ""),
            ("Password: {{password}}", "{{password}}", ""),
            ("Password: required", "required", " for login"),
            ("password is safe", "safe", " with us"),
            ("password is case-sensitive.", "case-sensitive.", ""),
            ("Password: https://example.com/reset", "https://example.com/reset", ""),
            ("Password: (hidden)", "(hidden)", ""),
            ("Password:\nInvoice", "Invoice", " number: INV-1"),
            ("Password\nInvoice", "Invoice", "\tINV-1"),
            ("Password: none", "none", ""),
        ];
        for (i, (whole, secret, after)) in cases.iter().enumerate() {
            assert!(!password_value(&cand(whole, secret, after)), "case {i} should not be a password");
        }
    }

    #[test]
    fn password_alone_on_the_next_line() {
        assert!(password_value(&cand("Password:\nXq7#vB2m9L", "Xq7#vB2m9L", "\nThanks")));
    }

    #[test]
    fn password_after_verb_needs_shape() {
        assert!(password_value(&cand("Your password is Hello-World7", "Hello-World7", "")));
        assert!(!password_value(&cand("Your password is strong", "strong", "")));
    }

    #[test]
    fn pins() {
        assert!(pin_value(&cand("PIN: 0142", "0142", "")));
        assert!(!pin_value(&cand("PIN: 1234", "1234", ".50")));
        assert!(!pin_value(&cand("PIN: 12", "12", "")));
    }

    #[test]
    fn url_tokens() {
        assert!(url_has_token("https://portal.example.com/reset?t=O46ayJKP4GY08vDuPngU30ZP7Thnp5yf"));
        assert!(!url_has_token("https://portal.example.com/reset"));
        assert!(!url_has_token("https://portal.example.com/account/password-reset-instructions"));
    }
}
