//! Tables whose header names a secret column: a CSV or TSV export attached to a billing
//! mail, a table pasted into a ticket, an HTML table (whose view separates cells with tabs).
//!
//! A label rule reads a label and the value *after* it (`Password: x`, a cell to the right).
//! In a table the label is the column's header and the values are *below* it, one a row:
//!
//! ```text
//! email,password
//! ann@example.com,Xq7#vB2m9L
//! ```
//!
//! [`secret_cells`] starts from a line holding a keyword hit (the scan's keyword pass finds
//! those), splits it into fields with each delimiter in turn (quotes respected), classifies
//! each header by its head noun like a placeholder name ([`classify_name`]: `Password`,
//! `Temporary password`, `API key` are secret columns; `Password reset URL`, `Username`
//! are not), and, when the following lines split into the same number of fields, reports
//! the non-empty cells of each secret column. The caller validates each value with the
//! rule's validators, as it does a pattern's match.

use super::names::{classify_name, NameClass};
use crate::policy::Category;

/// Delimiters tried, in order.
const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// A header with more fields than this is not a table header.
const MAX_COLUMNS: usize = 256;
/// A header longer than this is prose, not a header.
const MAX_HEADER_BYTES: usize = 4096;
/// Rows read below one header (the rest of a huge export is not scanned for this rule).
pub const MAX_ROWS: usize = 10_000;

/// One cell of a secret column: its category and its byte span (quotes and padding off).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretCell {
    /// What the column's header names.
    pub category: Category,
    /// Byte offset of the value.
    pub start: usize,
    /// Byte offset just past the value.
    pub end: usize,
}

/// The secret cells of the table whose header is the line holding byte `at`, for the
/// categories `wanted` accepts. Empty when that line is no table header.
///
/// ```
/// use sendguard::rules::table::secret_cells;
/// let text = "email,password\nann@example.com,Xq7#vB2m9L\nbob@example.com,\n";
/// let cells = secret_cells(text, 8, |_| true);
/// assert_eq!(cells.len(), 1);
/// assert!(&text[cells[0].start..cells[0].end] == "Xq7#vB2m9L");
/// ```
pub fn secret_cells(text: &str, at: usize, wanted: impl Fn(Category) -> bool) -> Vec<SecretCell> {
    table_at(text, at, wanted, &|_| None).0
}

/// [`secret_cells`], and the byte offset where the table ends (`at` when there is none),
/// so that a caller does not read the rows of one table again as another's header.
/// `label` names the category of a header that is a label word of the policy's lexicons
/// in a language the name classifier does not read (`Mot de passe`).
pub fn table_at(text: &str, at: usize, wanted: impl Fn(Category) -> bool, label: &dyn Fn(&str) -> Option<Category>) -> (Vec<SecretCell>, usize) {
    let bytes = text.as_bytes();
    let at = at.min(bytes.len());
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
    if line_end - line_start > MAX_HEADER_BYTES {
        return (Vec::new(), at);
    }
    for delimiter in DELIMITERS {
        if memchr::memchr(delimiter, &bytes[line_start..line_end]).is_none() {
            continue;
        }
        let header = fields(text, line_start, line_end, delimiter);
        if header.len() < 2 || header.len() > MAX_COLUMNS || !header.iter().all(|&(s, e)| header_like(&text[s..e])) {
            continue;
        }
        let columns: Vec<(usize, Category)> = header
            .iter()
            .enumerate()
            .filter_map(|(i, &(s, e))| {
                let header = without_aside(&text[s..e]);
                let category = match classify_name(header) {
                    NameClass::Secret(category) => Some(category),
                    NameClass::Neutral => label(header),
                    NameClass::NotSecret => None,
                };
                category.filter(|&c| wanted(c)).map(|c| (i, c))
            })
            .collect();
        if columns.is_empty() {
            continue;
        }
        let mut out = Vec::new();
        let mut row_start = line_end + 1;
        let mut rows = 0;
        while row_start < bytes.len() && rows < MAX_ROWS {
            let row_end = memchr::memchr(b'\n', &bytes[row_start..]).map_or(bytes.len(), |p| row_start + p);
            let row = fields(text, row_start, row_end, delimiter);
            if row.len() != header.len() {
                break; // the table ends (a blank line, prose, another table)
            }
            for &(i, category) in &columns {
                let (s, e) = row[i];
                if s < e {
                    out.push(SecretCell { category, start: s, end: e });
                }
            }
            rows += 1;
            row_start = row_end + 1;
        }
        if rows > 0 {
            return (out, row_start.min(bytes.len()));
        }
    }
    (Vec::new(), at)
}

/// A header without its parenthesised aside: `Passwort (temporär)` names a password,
/// `Key (optional)` a key; the aside says something about it, not what it is.
fn without_aside(header: &str) -> &str {
    match header.find('(') {
        Some(i) if i > 0 && header.trim_end().ends_with(')') => header[..i].trim_end(),
        _ => header,
    }
}

/// A column header: a short name (`Password`, `API key`, `E-mail`, `Nr.`), not a value
/// (`********`, `Xq7#vB2m9L`) and not prose (`Keep your API key secret`). A label/value
/// row (`Password⇥Xq7#vB2m9L`) is therefore no header, and its value is the label rules'.
fn header_like(cell: &str) -> bool {
    let chars = cell.chars().count();
    let digits = cell.chars().filter(char::is_ascii_digit).count();
    (1..=40).contains(&chars)
        && cell.split_whitespace().count() <= 4
        && cell.chars().any(char::is_alphabetic)
        && digits <= 2
        && cell.chars().all(|c| c.is_alphanumeric() || " _-./#()'&".contains(c))
}

/// The fields of `text[start..end]` split at `delimiter`, each trimmed of white space and
/// of one pair of surrounding double quotes (a delimiter inside quotes does not split).
fn fields(text: &str, start: usize, end: usize, delimiter: u8) -> Vec<(usize, usize)> {
    let bytes = text.as_bytes();
    let end = if end > start && bytes[end - 1] == b'\r' { end - 1 } else { end };
    let mut out = Vec::new();
    let mut field_start = start;
    let mut quoted = false;
    let mut i = start;
    while i < end {
        match bytes[i] {
            b'"' => quoted = !quoted,
            b if b == delimiter && !quoted => {
                out.push(trim_field(bytes, field_start, i));
                field_start = i + 1;
                if out.len() > MAX_COLUMNS {
                    return out;
                }
            }
            _ => {}
        }
        i += 1;
    }
    out.push(trim_field(bytes, field_start, end));
    out
}

fn trim_field(bytes: &[u8], mut s: usize, mut e: usize) -> (usize, usize) {
    while s < e && matches!(bytes[s], b' ' | b'\t') {
        s += 1;
    }
    while e > s && matches!(bytes[e - 1], b' ' | b'\t') {
        e -= 1;
    }
    if e - s >= 2 && bytes[s] == b'"' && bytes[e - 1] == b'"' {
        (s + 1, e - 1)
    } else {
        (s, e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The cells found, as byte spans: a failing test prints offsets, never the values.
    fn values(text: &str, at: usize) -> Vec<(usize, usize, Category)> {
        secret_cells(text, at, |_| true).iter().map(|c| (c.start, c.end, c.category)).collect()
    }

    /// The span of `value` in `text`, with its category.
    fn cell(text: &str, value: &str, category: Category) -> (usize, usize, Category) {
        let start = text.find(value).expect("the expected value is in the text");
        (start, start + value.len(), category)
    }

    #[test]
    fn csv_tsv_semicolon_and_html_views() {
        let csv = "email,password\nann@example.com,Xq7#vB2m9L\nbob@example.com,\"Pa,55-w0rd\"\n";
        assert_eq!(values(csv, 6), [cell(csv, "Xq7#vB2m9L", Category::Password), cell(csv, "Pa,55-w0rd", Category::Password)]);
        let tsv = "User\tTemporary password\tAPI key\nann\tXq7#vB2m9L\tsk_9f8e7d6c5b4a\n";
        assert_eq!(values(tsv, 10), [cell(tsv, "Xq7#vB2m9L", Category::Password), cell(tsv, "sk_9f8e7d6c5b4a", Category::Token)]);
        let semi = "Nom;Mot de passe;Kennwort\r\nAnn;x;Xq7#vB2m9L\r\n";
        assert_eq!(values(semi, 10), [cell(semi, "Xq7#vB2m9L", Category::Password)]);
    }

    #[test]
    fn a_header_with_an_aside() {
        let text = "Username\tPasswort (temporär)\tServer\nfrontdesk\tSpring2026#\tsrv2.example.net\n";
        let found = values(text, 0);
        assert_eq!(found, vec![cell(text, "Spring2026#", Category::Password)]);
    }

    #[test]
    fn not_tables() {
        // Label/value rows are the label rules' (two-column layout tables in mail).
        assert!(values("Senha\t********\nMandate reference\tDE-2024-0042\n", 2).is_empty());
        assert!(values("Password\tnot included for security reasons\nCustomer\tAnn Example\n", 2).is_empty());
        assert!(values("Keep your API key secret; you can rotate it\nPlease do; thanks\n", 12).is_empty());
        assert!(values("Your password must have 12 characters, a digit and a symbol.\nThanks, the team\n", 6).is_empty());
        assert!(values("email,password_reset_url\nann@example.com,https://x.example/r?t=1\n", 8).is_empty());
        assert!(values("email,password\n", 8).is_empty(), "a header without rows");
        assert!(values("email,password\nann,b,c\n", 8).is_empty(), "rows of another shape");
    }

    #[test]
    fn offsets_with_non_ascii() {
        let text = "名前,パスワード\n山田,Ünï-c0de✓\n";
        assert_eq!(values(text, 8), [cell(text, "Ünï-c0de✓", Category::Password)]);
    }
}
