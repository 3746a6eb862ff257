//! Leaves the `examples` and `counterExamples` arrays, and the comment lines, out of a
//! policy's TOML text.
//!
//! The default policy proves every rule with made-up secrets, and the native test suite
//! and `sendguard policy check` run them. The package built for browsers and Node does
//! neither, so `build.rs` gives the wasm build the policy without them: a sixth of the
//! module's gzipped bytes were example text, and a package full of token-shaped strings
//! trips the secret scanners that its users run over their bundles.
//!
//! The comment lines go too (about 1 KB of the module gzipped): they are the file's own
//! documentation, which the CLI prints with the native text; `Engine.defaultPolicy()`
//! returns the text without them (the same rules).
//!
//! This file is also compiled into `build.rs` (through `#[path]`), so it uses `std` only.

/// The keys whose arrays are left out.
const KEYS: [&str; 2] = ["examples", "counterExamples"];

/// `text` without its `examples = [...]` and `counterExamples = [...]` entries (each key
/// must start its line). Everything else, comments included, stays byte for byte. Fails,
/// naming the line, when such an array does not end.
pub fn strip_examples(text: &str) -> Result<String, String> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    let mut line_no = 1;
    while !rest.is_empty() {
        let line_len = rest.find('\n').map_or(rest.len(), |i| i + 1);
        let line = &rest[..line_len];
        match array_start(line) {
            Some(open) => {
                let close = array_end(&rest[open..])
                    .ok_or_else(|| format!("line {line_no}: an examples array that does not end"))?;
                // Skip to the end of the line the array closes on (a comment may follow).
                let after = open + close;
                let end = rest[after..].find('\n').map_or(rest.len(), |i| after + i + 1);
                line_no += rest[..end].matches('\n').count();
                rest = &rest[end..];
            }
            None => {
                out.push_str(line);
                line_no += 1;
                rest = &rest[line_len..];
            }
        }
    }
    Ok(out)
}

/// `text` without its comment-only and blank lines, tracking strings (a multi-line one may
/// hold a line that starts with `#`). Comments after a value stay. Fails, naming the line,
/// when a string does not end.
pub fn strip_comments(text: &str) -> Result<String, String> {
    let bytes = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut start = 0;
    while start < text.len() {
        let mut end = text[start..].find('\n').map_or(text.len(), |i| start + i + 1);
        let body = text[start..end].trim_start_matches([' ', '\t', '\r', '\n']);
        if body.is_empty() || body.starts_with('#') {
            start = end;
            continue;
        }
        // Copy the line, and past its end while a string opened on it continues.
        let mut i = start;
        while i < end {
            match bytes[i] {
                b'#' => break,
                quote @ (b'"' | b'\'') => {
                    let triple = text[i..].starts_with(if quote == b'"' { "\"\"\"" } else { "\'\'\'" });
                    let line_no = text[..start].matches('\n').count() + 1;
                    i = string_end(bytes, i, quote, triple).ok_or_else(|| format!("line {line_no}: a string that does not end"))?;
                    if i > end {
                        end = text[i..].find('\n').map_or(text.len(), |k| i + k + 1);
                    }
                }
                _ => i += 1,
            }
        }
        out.push_str(&text[start..end]);
        start = end;
    }
    Ok(out)
}

/// The byte offset of the `[` when `line` is `examples = [` or `counterExamples = [`.
fn array_start(line: &str) -> Option<usize> {
    let indent = line.len() - line.trim_start_matches([' ', '\t']).len();
    let key_end = KEYS.iter().find(|k| line[indent..].starts_with(*k)).map(|k| indent + k.len())?;
    let after_key = line[key_end..].trim_start_matches([' ', '\t']);
    let after_eq = after_key.strip_prefix('=')?.trim_start_matches([' ', '\t']);
    after_eq.starts_with('[').then(|| line.len() - after_eq.len())
}

/// The offset just past the `]` that closes the array opening at `text[0]`, reading TOML
/// strings (basic, literal, and both multi-line forms) and comments so that brackets in
/// them do not count.
fn array_end(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'[' => depth += 1,
            b']' => {
                depth -= 1;
                if depth == 0 {
                    return Some(i + 1);
                }
            }
            b'#' => i += text[i..].find('\n')?,
            quote @ (b'"' | b'\'') => {
                let triple = text[i..].starts_with(if quote == b'"' { "\"\"\"" } else { "'''" });
                i = string_end(bytes, i, quote, triple)? - 1;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The offset just past the string that opens at `bytes[start]`.
fn string_end(bytes: &[u8], start: usize, quote: u8, triple: bool) -> Option<usize> {
    let delimiter = if triple { 3 } else { 1 };
    let mut i = start + delimiter;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'\\' && quote == b'"' {
            i += 2;
            continue;
        }
        if !triple && b == b'\n' {
            return None;
        }
        if bytes.get(i..i + delimiter).is_some_and(|s| s.iter().all(|&c| c == quote)) {
            // A multi-line string may end with up to two more quotes that belong to it.
            let mut end = i + delimiter;
            while triple && end < bytes.len() && bytes[end] == quote && end < i + delimiter + 2 {
                end += 1;
            }
            return Some(end);
        }
        i += 1;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{strip_comments, strip_examples};

    #[test]
    fn arrays_go_and_everything_else_stays() {
        let text = "[[rules]]\nid = \"a\"\nexamples = [\"x]\", 'y[', \"\"\"z\n]\"\"\"] # done\ncounterExamples = [\n  \"q\\\"]\", # a ] in a comment\n  '''r''''',\n]\nconfidence = \"high\"\n";
        assert_eq!(strip_examples(text).unwrap(), "[[rules]]\nid = \"a\"\nconfidence = \"high\"\n");
    }

    #[test]
    fn other_keys_and_strings_are_not_arrays_to_strip() {
        let text = "description = \"examples = [\"\nexamplesMore = [1]\n# examples = [\n";
        assert_eq!(strip_examples(text).unwrap(), text);
    }

    #[test]
    fn the_default_policy_loses_its_examples_and_nothing_else() {
        use crate::policy::{default_policy_toml, Policy, PolicyFormat};
        let stripped = strip_comments(&strip_examples(default_policy_toml()).unwrap()).unwrap();
        assert!(stripped.len() < default_policy_toml().len() * 2 / 3, "{} bytes left", stripped.len());
        let mut expected = Policy::default_policy();
        for rule in &mut expected.rules {
            assert!(!rule.examples.is_empty() && !rule.counter_examples.is_empty(), "{}", rule.id);
            rule.examples.clear();
            rule.counter_examples.clear();
        }
        for lexicon in &mut expected.lexicons {
            lexicon.examples.clear();
            lexicon.counter_examples.clear();
        }
        assert_eq!(Policy::parse_as(&stripped, PolicyFormat::Toml).unwrap(), expected);
    }

    #[test]
    fn comment_lines_go_and_strings_stay() {
        let text = "# head\n\n[a]\n  # indented\nb = \"#x\" # tail\nc = '''\n# kept\n'''\nd = \"\"\"q\\\"\"\"\"\n";
        assert_eq!(strip_comments(text).unwrap(), "[a]\nb = \"#x\" # tail\nc = '''\n# kept\n'''\nd = \"\"\"q\\\"\"\"\"\n");
        let err = strip_comments("a = 1\nb = \"x\n").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }

    #[test]
    fn an_array_that_does_not_end_names_its_line() {
        let err = strip_examples("a = 1\n\nexamples = [\"x\",\n").unwrap_err();
        assert!(err.contains("line 3"), "{err}");
        assert!(strip_examples("examples = [\"x]\n").is_err());
    }
}
