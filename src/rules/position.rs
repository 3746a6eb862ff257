//! What a placeholder's position says it will be filled with, before its name does.
//!
//! `{{token}}` is an API token by name; in `…/verify?userId={{id}}&token={{token}}` it is
//! the link's parameter, and after "your verification code is:" it is a one-time code.
//! These checks look only at the few bytes before the placeholder on its line.

/// How far back the checks look, in bytes.
const REACH: usize = 256;

/// Words that, before a placeholder on its line, say a code fills it.
const CODE_WORDS: &[&str] = &["code", "passcode", "código", "codigo", "codice", "kod", "kód", "otp", "コード", "验证码", "인증"];

/// The start of the `REACH` bytes before `at`, on a character boundary.
fn reach_start(text: &str, at: usize) -> usize {
    let mut from = at.saturating_sub(REACH);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    from
}

/// Whether the placeholder at `at` is a parameter of a link: the run of non-blank text
/// before it holds `://`, or a `?` or `&` and ends with `=`.
pub fn in_link(text: &str, at: usize) -> bool {
    let head = &text[reach_start(text, at)..at];
    let run = head.rsplit(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(')).next().unwrap_or("");
    run.contains("://") || (run.ends_with('=') && run.contains(['?', '&']))
}

/// Whether the text before `at` on its line mentions a code ("your verification code
/// is:", "using the following code:").
pub fn code_before(text: &str, at: usize) -> bool {
    let head = &text[reach_start(text, at)..at];
    let line = head.rsplit('\n').next().unwrap_or("").to_lowercase();
    CODE_WORDS.iter().any(|w| line.contains(w))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links() {
        let t = "Delete: {{url}}/#/verify?userId={{user_id}}&token={{token}}";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Open https://example.com/x/{{token}}";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Your API key: {{token}}";
        assert!(!in_link(t, t.rfind("{{").unwrap()));
        assert!(!in_link("a=b {{token}}", 4));
    }

    #[test]
    fn codes() {
        let t = "Your two-step verification code is: {{token}}";
        assert!(code_before(t, t.rfind("{{").unwrap()));
        let t = "Code below\nYour API token: {{token}}";
        assert!(!code_before(t, t.rfind("{{").unwrap()));
    }
}
