//! Values that source code appends to a mail's text: `'Password: ' . $password`,
//! `"password: " + unencodedPassword`, `_AT('password') . ' : ' . $row['password']`.
//!
//! A template engine writes the slot inside the text (`Password: {{ password }}`), and
//! [`placeholder`](super::placeholder) reads it there. Code that builds a mail by hand
//! closes the literal and appends the variable: the slot is the expression after the
//! concatenation operator, and what it references (its last name) says what fills it.

use super::placeholder::{blanks_end, is_quote};

/// The longest appended expression read, in bytes (a call's arguments included).
const MAX_EXPRESSION: usize = 160;

/// The longest bracketed part of an expression (`$row['password']`, `->get('pw')`).
const MAX_BRACKETED: usize = 64;

/// The expression that code appends after the literal whose closing quote is at `at`:
/// its span and the name it references (`$student['uname']` → `uname`,
/// `$record->get('user_password')` → `user_password`).
///
/// Literals of separators and blanks may come between (`' : '`, `": "`, `"\n"`); when the
/// label ended the literal (`__('Password') . ': ' . $pw`), `label_only` asks for such a
/// separator (without one, `'Password' . $suffix` may be anything) and lets a call's `)`
/// close first.
pub fn appended_expression(text: &str, at: usize, label_only: bool) -> Option<(usize, usize, &str)> {
    let b = text.as_bytes();
    if !is_quote(b, at) {
        return None;
    }
    let mut p = at + 1;
    if label_only && b.get(p) == Some(&b')') {
        p += 1;
    }
    let mut separated = false;
    loop {
        p = blanks_end(b, p);
        p = blanks_end(b, p + operator_len(&b[p..])?);
        if !is_quote(b, p) {
            break;
        }
        // A literal of separators, blanks and line-break escapes; anything else is text.
        let quote = b[p];
        let inner = b[p + 1..].iter().take(16).position(|&c| c == quote)?;
        let literal = &text[p + 1..p + 1 + inner];
        let rest = literal.replace("\\n", "").replace("\\r", "").replace("\\t", "");
        if !rest.chars().all(|c| matches!(c, ':' | '=' | '-' | '：' | ' ' | '\t')) {
            return None;
        }
        separated |= rest.contains([':', '=', '-', '：']);
        p += inner + 2;
    }
    if label_only && !separated {
        return None;
    }
    let (end, name) = expression(text, p)?;
    Some((p, end, name))
}

/// The length of a concatenation operator at the start of `b`: `.` (PHP), `+` (Java,
/// JavaScript, C#, Python), `..` (Lua), `&` (Visual Basic), `<<` (Ruby), `~` (Twig).
fn operator_len(b: &[u8]) -> Option<usize> {
    match b {
        [b'.', b'.', ..] | [b'<', b'<', ..] => Some(2),
        [b'.' | b'+' | b'&' | b'~', c, ..] if !matches!(c, b'=' | b'+' | b'&') => Some(1),
        _ => None,
    }
}

/// The expression at `at` (a variable, a member or index path, a call) and the last name
/// it references: its end and that name.
fn expression(text: &str, at: usize) -> Option<(usize, &str)> {
    let b = text.as_bytes();
    if !b.get(at).is_some_and(|&c| c.is_ascii_alphabetic() || matches!(c, b'$' | b'@' | b'_')) {
        return None;
    }
    let limit = (at + MAX_EXPRESSION).min(b.len());
    let (mut p, mut name) = (at, None);
    while p < limit {
        let c = b[p];
        if c.is_ascii_alphanumeric() || c == b'_' {
            let n = b[p..limit].iter().take_while(|c| c.is_ascii_alphanumeric() || **c == b'_').count();
            name = Some(&text[p..p + n]);
            p += n;
        } else if c == b'$' || c == b'@' {
            p += 1;
        } else if b[p..].starts_with(b"->") || b[p..].starts_with(b"::") || b[p..].starts_with(b"?.") {
            p += 2;
        } else if c == b'.' && b.get(p + 1).is_some_and(u8::is_ascii_alphabetic) && !text[at..p].starts_with('$') {
            // A member (`user.password`); in PHP a dot is the next concatenation.
            p += 1;
        } else if matches!(c, b'[' | b'(') {
            let close = if c == b'[' { b']' } else { b')' };
            let inner = b[p + 1..limit].iter().take(MAX_BRACKETED).position(|&x| x == close)?;
            let args = &text[p + 1..p + 1 + inner];
            // The last name an index or a call's argument references: `['uname']`.
            if let Some(word) = args.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_')).filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')).last() {
                name = Some(word);
            }
            p += inner + 2;
        } else {
            break;
        }
    }
    Some((p, name?))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn name(text: &str, label_only: bool) -> Option<&str> {
        appended_expression(text, text.find(['\'', '"']).unwrap(), label_only).map(|(_, _, n)| n)
    }

    #[test]
    fn names_of_appended_expressions() {
        assert_eq!(name("\" + unencodedPassword;", false), Some("unencodedPassword"));
        assert_eq!(name("' . $student['uname'] . '", false), Some("uname"));
        assert_eq!(name("' . \"\\n\" . $recordModel->get('user_password');", false), Some("user_password"));
        assert_eq!(name("' .' : '.$row['password'];", false), Some("password"));
        assert_eq!(name("') .' : '.$row['password'];", true), Some("password"));
        assert_eq!(name("') . ': ' . $pw;", true), Some("pw"));
        assert_eq!(name("' .. user.password", false), Some("password"));
        assert_eq!(name("' . $a.'x'", false), Some("a"));
    }

    #[test]
    fn no_appended_expression() {
        // The label alone is no slot without a separator; a literal of text ends the chain.
        assert_eq!(name("') . $suffix;", true), None);
        assert_eq!(name("' . 'has been changed' . $x", false), None);
        assert_eq!(name("' += 1", false), None);
        assert_eq!(name("'; $x", false), None);
        assert_eq!(name("' . 42", false), None);
    }
}
