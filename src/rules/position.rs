//! What a placeholder's position says it will be filled with, before its name does.
//!
//! `{{token}}` is an API token by name; in `…/verify?userId={{id}}&token={{token}}` it is
//! the link's parameter, and after "your verification code is:" it is a one-time code.
//! These checks look only at the few bytes before the placeholder on its line.

/// How far back the checks look, in bytes.
const REACH: usize = 256;

/// Words that, before a placeholder on its line, say a code fills it.
const CODE_WORDS: &[&str] = &["code", "passcode", "código", "codigo", "codice", "kod", "kód", "код", "otp", "コード", "验证码", "인증"];

/// The start of the `REACH` bytes before `at`, on a character boundary.
fn reach_start(text: &str, at: usize) -> usize {
    let mut from = at.saturating_sub(REACH);
    while !text.is_char_boundary(from) {
        from += 1;
    }
    from
}

/// Whether the placeholder at `at` is a parameter of a link: the run of non-blank text
/// before it holds `://`, or a `?` or `&` and ends with `=`; or it is a query parameter
/// written with blanks (`& token = {{token}}`, as machine translation leaves links); or
/// code builds a link from it ([`built_into_link`]).
pub fn in_link(text: &str, at: usize) -> bool {
    let head = &text[reach_start(text, at)..at];
    let run = head.rsplit(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>' | '(')).next().unwrap_or("");
    run.contains("://") || link_tail(run) || spaced_parameter(head) || built_into_link(head)
}

/// Whether `s` ends where a link's value goes: `?key=` or `&key=`, also percent-encoded
/// as in a link nested in another link's query (`%3Ftoken%3D`, `%26private_key%3D`).
fn link_tail(s: &str) -> bool {
    if s.ends_with('=') && s.contains(['?', '&']) {
        return true;
    }
    // Without a copy: this runs for every placeholder that is not plainly in a link.
    let b = &s.as_bytes()[s.len().saturating_sub(64)..];
    let escape = |e: &[u8]| b.windows(3).any(|w| w.eq_ignore_ascii_case(e));
    b.len() >= 3 && b[b.len() - 3..].eq_ignore_ascii_case(b"%3d") && (escape(b"%3f") || escape(b"%26") || b.iter().any(|c| matches!(c, b'?' | b'&')))
}

/// `… ? email = {{to}} & token = ` before the placeholder: `=`, a key, then `?` or `&`,
/// each with blanks around it.
fn spaced_parameter(head: &str) -> bool {
    let Some(rest) = head.trim_end().strip_suffix('=') else { return false };
    let rest = rest.trim_end();
    let key = rest.trim_end_matches(|c: char| c.is_alphanumeric() || c == '_' || c == '-');
    key.len() < rest.len() && key.trim_end().ends_with(['?', '&'])
}

/// Names of functions whose arguments end up in a link, by their words: `url(…)`,
/// `route(…)`, `url_for(…)`, `action_link(…)`, `resetPasswordPath(…)`.
const LINK_CALL_WORDS: &[&str] = &["url", "uri", "path", "link", "href", "route", "permalink"];

/// Whether code builds a link from what follows `head`: it is concatenated (`.`, `+`,
/// `..`, `~`) after a string literal that ends in a link's path or query
/// (`'/password/reset/' . $token`, `"?token=" + token`), or it is an argument of a link
/// builder call that is still open on its line (`route('password.reset', $token)`,
/// `url('/reset/' . $this->token . '?email=' …`). The value is the link's, so the mail
/// carries a link, not the token.
pub fn built_into_link(head: &str) -> bool {
    let line = head.rsplit('\n').next().unwrap_or("");
    after_link_literal(line) || in_link_call(line)
}

/// `'…/' .` or `"…?token=" +` just before the end of `line`.
fn after_link_literal(line: &str) -> bool {
    let t = line.trim_end();
    let Some(t) = t.strip_suffix(['.', '+', '~']) else { return false };
    let t = t.trim_end_matches('.').trim_end();
    let Some(quote) = t.chars().last().filter(|c| matches!(c, '\'' | '"' | '`')) else { return false };
    let body = &t[..t.len() - 1];
    let Some(open) = body.rfind(quote) else { return false };
    let literal = &body[open + 1..];
    !literal.is_empty() && !literal.contains(char::is_whitespace) && (literal.ends_with('/') || link_tail(literal) || literal.contains("://"))
}

/// Whether the innermost call still open at the end of `line` is a link builder's.
fn in_link_call(line: &str) -> bool {
    let b = line.as_bytes();
    let mut depth = 0usize;
    for i in (0..b.len()).rev() {
        match b[i] {
            b')' => depth += 1,
            b'(' if depth > 0 => depth -= 1,
            b'(' => {
                let name_end = line[..i].trim_end().len();
                let name = &line[..name_end];
                let start = name.trim_end_matches(|c: char| c.is_ascii_alphanumeric() || c == '_').len();
                return call_words(&name[start..]).iter().any(|w| LINK_CALL_WORDS.contains(&w.as_str()));
            }
            _ => {}
        }
    }
    false
}

/// The lowercase words of a function name, split on `_` and case changes.
fn call_words(name: &str) -> Vec<String> {
    let mut words = Vec::new();
    let mut word = String::new();
    let mut prev_lower = false;
    for c in name.chars() {
        if (c == '_' || (c.is_ascii_uppercase() && prev_lower)) && !word.is_empty() {
            words.push(std::mem::take(&mut word));
        }
        if c != '_' {
            word.push(c.to_ascii_lowercase());
        }
        prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
    }
    if !word.is_empty() {
        words.push(word);
    }
    words
}

/// Whether the text before `at` on its line mentions a code ("your verification code
/// is:", "using the following code:").
pub fn code_before(text: &str, at: usize) -> bool {
    // A line-break escape in a source string breaks the line too (`…code:<br> \r\n <b>{{x}}`).
    let head = text[reach_start(text, at)..at].replace("\\r\\n", "\n").replace("\\n", "\n");
    let mut lines = head.rsplit('\n');
    let line = lines.next().unwrap_or("");
    let has_code = |l: &str| {
        let l = l.to_lowercase();
        CODE_WORDS.iter().any(|w| l.contains(w))
    };
    // Alone on its line, the placeholder is what the line before introduces ("Use the
    // code below:", `<td class="code">`).
    // (`at` may be inside the placeholder's opener: `{{`, `${`, `<%=` hold no word.)
    let alone = !line.chars().any(char::is_alphanumeric);
    has_code(line) || (alone && lines.find(|l| !l.trim().is_empty()).is_some_and(has_code))
}

/// Phrases that, right before a card number, say it is only the card's last digits:
/// "credit card ending with {$cc_number}", "Karte endet auf", "carte se terminant par".
const TAIL_PHRASES: &[&str] = &[
    "ending with", "ending in", "ends with", "ends in", "last four digits", "last 4 digits", "last digits",
    "endet auf", "endend auf", "endend mit", "se terminant par", "finissant par", "terminant par",
    "terminada en", "que termina en", "terminado en", "terminado em", "que termina em", "final",
];

/// Whether the words just before `at` (up to 24 bytes, blanks and a colon skipped) say
/// that a card number there is its last digits only.
pub fn card_tail_before(text: &str, at: usize) -> bool {
    let head = text[reach_start(text, at)..at].trim_end_matches([' ', '\t', ':', '\u{a0}']);
    let mut from = head.len().saturating_sub(24);
    while !head.is_char_boundary(from) {
        from += 1;
    }
    let tail = head[from..].to_lowercase();
    TAIL_PHRASES.iter().any(|p| tail.ends_with(p) && tail[..tail.len() - p.len()].chars().next_back().is_none_or(|c| !c.is_alphanumeric()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_before_a_line_of_their_own() {
        let t = "Enter this 6 digit code on the sign in page:\n \\r\\n {{Customer.Token}}";
        assert!(code_before(t, t.find("{{").unwrap()));
        let t = "Your order:\n {{ token }}";
        assert!(!code_before(t, t.find("{{").unwrap()));
    }

    #[test]
    fn card_tails() {
        let t = "from your credit card ending with {$client_cc_number} expires";
        assert!(card_tail_before(t, t.find('{').unwrap()));
        let t = "Ihre Karte endet auf: {{ card.number }}";
        assert!(card_tail_before(t, t.find('{').unwrap()));
        let t = "Card number: {{ card.number }}";
        assert!(!card_tail_before(t, t.find('{').unwrap()));
        let t = "The semifinal {{ card.number }}";
        assert!(!card_tail_before(t, t.find('{').unwrap()));
    }

    #[test]
    fn links() {
        let t = "Delete: {{url}}/#/verify?userId={{user_id}}&token={{token}}";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Open https://example.com/x/{{token}}";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Your API key: {{token}}";
        assert!(!in_link(t, t.rfind("{{").unwrap()));
        assert!(!in_link("a=b {{token}}", 4));
        // A link in another link's query, percent-encoded.
        let t = "{{ base }}/#/room?signurl=https%3A%2F%2Fm.org%2Fsign%3Ftoken%3D{{ token|urlencode }}%26private_key%3D{{ key }}";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Rabatt 50%3D {{ code }}";
        assert!(!in_link(t, t.rfind("{{").unwrap()));
    }

    #[test]
    fn links_built_in_code() {
        let at = |t: &str| in_link(t, t.rfind('$').unwrap());
        assert!(at("->action('Open', url('account/setup/' . $this->token))"));
        assert!(at("$link = url(\"/welcome/\".$this->token);"));
        assert!(at("return redirect(route('account.setup', $token));"));
        assert!(at("const href = base + '/confirm?token=' + $token"));
        assert!(at("window.location = \"https://example.org/a/\" . $token;"));
        assert!(at("resetPasswordPath(user, $token)"));
        // Not a link: a label literal, a finished call, a call that prints the value.
        assert!(!at("echo 'Your API token: ' . $token"));
        assert!(!at("echo url('home') . ' token ' . $token"));
        assert!(!at("printf('%s', $token)"));
        assert!(!at("echo 'Your new key / ' . $token"));
        assert!(!at("éé(é $token"));
    }

    #[test]
    fn spaced_query_parameters() {
        let t = "Visit {{url}} / recover ? mail = {{to}} & token = {{token}} now";
        assert!(in_link(t, t.rfind("{{").unwrap()));
        let t = "Your token = {{token}}";
        assert!(!in_link(t, t.rfind("{{").unwrap()));
    }

    #[test]
    fn codes() {
        let t = "Your two-step verification code is: {{token}}";
        assert!(code_before(t, t.rfind("{{").unwrap()));
        let t = "Code below\nYour API token: {{token}}";
        assert!(!code_before(t, t.rfind("{{").unwrap()));
        let t = "Enter this code to sign in:\n\n   {{token}}";
        assert!(code_before(t, t.rfind("{{").unwrap()));
        let t = "<td class=\"otp\">\n  {{ token }}";
        assert!(code_before(t, t.rfind("{{").unwrap()));
        assert!(code_before(t, t.rfind("{{").unwrap() + 3));
        let t = "Your code was used.\nYour API token:\n{{token}}";
        assert!(!code_before(t, t.rfind("{{").unwrap()));
    }
}
