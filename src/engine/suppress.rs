//! Suppressions: inline `sendguard:allow <rule-id> -- <reason>` directives, and path globs.

use memchr::memmem;

/// The marker that starts an inline suppression.
pub(crate) const MARKER: &str = "sendguard:allow";

/// One inline directive found in a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Directive {
    /// 1-based line of the directive.
    pub line: usize,
    /// Byte span of the directive in the source.
    pub start: usize,
    /// See above.
    pub end: usize,
    /// The rule id it allows (`*` allows every rule).
    pub rule: String,
    /// The reason after ` -- `, if any.
    pub reason: Option<String>,
}

/// Finds every directive in `source`. Linear: one substring search, then one line each.
pub(crate) fn directives(source: &str) -> Vec<Directive> {
    let mut out = Vec::new();
    let finder = memmem::Finder::new(MARKER);
    let bytes = source.as_bytes();
    let mut line = 1;
    let mut counted_to = 0;
    for start in finder.find_iter(bytes) {
        line += memchr::memchr_iter(b'\n', &bytes[counted_to..start]).count();
        counted_to = start;
        let rest_end = memchr::memchr(b'\n', &bytes[start..]).map_or(bytes.len(), |i| start + i);
        let mut body = &source[start + MARKER.len()..rest_end];
        // Stop at the end of the comment that holds the directive.
        if let Some(i) = ["-->", "*/", "}}", "%}", "#}"].iter().filter_map(|c| body.find(c)).min() {
            body = &body[..i];
        }
        let (rule_part, reason) = match body.find(" -- ") {
            Some(i) => (&body[..i], Some(body[i + 4..].trim().to_owned()).filter(|r| !r.is_empty())),
            None => (body.trim_end().trim_end_matches("--"), None),
        };
        let rule = rule_part.split_whitespace().next().unwrap_or("").to_owned();
        if rule.is_empty() || !rule.chars().all(|c| c.is_ascii_alphanumeric() || "-_.*".contains(c)) {
            continue;
        }
        out.push(Directive { line, start, end: start + MARKER.len() + body.len(), rule, reason });
    }
    out
}

/// A path glob: `*` any run without `/`, `**/` any run of directories (or none), `**`
/// any run, `?` one character other than `/`.
#[derive(Debug, Clone)]
pub(crate) struct PathGlob {
    tokens: Vec<Token>,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Token {
    Char(char),
    Any,
    Star,
    Globstar,
    GlobstarDir,
}

impl PathGlob {
    pub fn new(pattern: &str) -> PathGlob {
        let chars: Vec<char> = pattern.trim_start_matches("./").chars().collect();
        let mut tokens = Vec::new();
        let mut i = 0;
        while i < chars.len() {
            let t = match chars[i] {
                '*' if chars.get(i + 1) == Some(&'*') && chars.get(i + 2) == Some(&'/') => {
                    i += 2;
                    Token::GlobstarDir
                }
                '*' if chars.get(i + 1) == Some(&'*') => {
                    i += 1;
                    Token::Globstar
                }
                '*' => Token::Star,
                '?' => Token::Any,
                c => Token::Char(c),
            };
            tokens.push(t);
            i += 1;
        }
        PathGlob { tokens }
    }

    /// Whether `path` (with `/` or `\\` separators) matches. Dynamic programming over
    /// prefixes: O(pattern × path), no recursion.
    pub fn matches(&self, path: &str) -> bool {
        let s: Vec<char> = path.trim_start_matches("./").replace('\\', "/").chars().collect();
        let m = s.len();
        let mut prev = vec![false; m + 1];
        prev[0] = true;
        for t in &self.tokens {
            let mut cur = vec![false; m + 1];
            for j in 0..=m {
                cur[j] = match *t {
                    Token::Char(c) => j > 0 && prev[j - 1] && s[j - 1] == c,
                    Token::Any => j > 0 && prev[j - 1] && s[j - 1] != '/',
                    Token::Star => prev[j] || (j > 0 && cur[j - 1] && s[j - 1] != '/'),
                    Token::Globstar => prev[j] || (j > 0 && cur[j - 1]),
                    // Zero directories, or any run that ends with a `/`.
                    Token::GlobstarDir => prev[j] || (j > 0 && s[j - 1] == '/' && (0..j).any(|k| prev[k])),
                };
            }
            prev = cur;
        }
        prev[m]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_directives_with_and_without_reason() {
        let src = "a\n<!-- sendguard:allow demo-key -- documented test key -->\nb sendguard:allow pin\n";
        let d = directives(src);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0].line, 2);
        assert_eq!(d[0].rule, "demo-key");
        assert_eq!(d[0].reason.as_deref(), Some("documented test key"));
        assert_eq!(d[1].line, 3);
        assert_eq!(d[1].rule, "pin");
        assert_eq!(d[1].reason, None);
    }

    #[test]
    fn globs() {
        assert!(PathGlob::new("fixtures/**").matches("fixtures/a/b.html"));
        assert!(PathGlob::new("**/*.eml").matches("x/y/z.eml"));
        assert!(PathGlob::new("*.txt").matches("a.txt"));
        assert!(!PathGlob::new("*.txt").matches("d/a.txt"));
        assert!(PathGlob::new("d/?.txt").matches("d/a.txt"));
    }
}
