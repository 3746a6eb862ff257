//! Validators: pure checks applied to the `secret` part of a rule's match.
//!
//! A pattern finds something of the right shape; a validator decides whether that
//! shape is plausibly a secret (a checksum passes, a JWT header decodes, a value is
//! random enough) so that rules can stay small and still not fire on invoice numbers,
//! UUIDs and placeholders. Every function here is total: any `&str`, including empty
//! and non-ASCII input, gives an answer in linear (or `n log n`) time without panicking.

/// True when `s` passes the Luhn checksum: the digits of a payment card number.
///
/// Spaces and dashes are ignored (`4111 1111 1111 1111`); any other character makes
/// the value invalid, and so does a digit count outside 13–19 (card numbers).
pub fn luhn_valid(s: &str) -> bool {
    let Some(digits) = card_digits(s) else {
        return false;
    };
    if !(13..=19).contains(&digits.len()) {
        return false;
    }
    let sum: u32 = digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, &d)| {
            let d = u32::from(d);
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 {
                    doubled - 9
                } else {
                    doubled
                }
            } else {
                d
            }
        })
        .sum();
    sum.is_multiple_of(10)
}

/// The digits of a card-number-like value, or `None` when it has anything other than
/// digits, spaces and dashes.
fn card_digits(s: &str) -> Option<Vec<u8>> {
    let mut digits = Vec::with_capacity(s.len().min(32));
    for b in s.bytes() {
        match b {
            b'0'..=b'9' => digits.push(b - b'0'),
            b' ' | b'-' => {}
            _ => return None,
        }
        if digits.len() > 19 {
            return None;
        }
    }
    Some(digits)
}

/// One card issuer: a prefix range over the first `prefix_len` digits, and the
/// lengths its numbers have (bit `n` set: `n` digits).
struct Issuer {
    prefix_len: usize,
    low: u32,
    high: u32,
    lengths: u32,
}

/// The bit set of the lengths `low..=high`.
const fn lengths(low: u32, high: u32) -> u32 {
    (u32::MAX >> (31 - high)) & !((1 << low) - 1)
}

/// Issuer prefix ranges with their lengths, from the issuers' published IIN ranges. A
/// prefix without its length is no card: a 15-digit order id that starts with 2 and passes
/// Luhn is not a Mastercard, whose 2-series numbers have 16 digits. An overlap (Maestro's
/// broad 56–69 covers Discover's 65) is fine: a number is known when any issuer fits.
const ISSUERS: &[Issuer] = &[
    // Visa: 13, 16 or 19 digits
    Issuer { prefix_len: 1, low: 4, high: 4, lengths: 1 << 13 | 1 << 16 | 1 << 19 },
    // Mastercard: 16
    Issuer { prefix_len: 2, low: 51, high: 55, lengths: 1 << 16 },
    Issuer { prefix_len: 4, low: 2221, high: 2720, lengths: 1 << 16 },
    // American Express: 15
    Issuer { prefix_len: 2, low: 34, high: 34, lengths: 1 << 15 },
    Issuer { prefix_len: 2, low: 37, high: 37, lengths: 1 << 15 },
    // Discover: 16–19
    Issuer { prefix_len: 4, low: 6011, high: 6011, lengths: lengths(16, 19) },
    Issuer { prefix_len: 3, low: 644, high: 649, lengths: lengths(16, 19) },
    Issuer { prefix_len: 2, low: 65, high: 65, lengths: lengths(16, 19) },
    // Diners Club: 14–19
    Issuer { prefix_len: 3, low: 300, high: 305, lengths: lengths(14, 19) },
    Issuer { prefix_len: 2, low: 36, high: 36, lengths: lengths(14, 19) },
    Issuer { prefix_len: 2, low: 38, high: 39, lengths: lengths(16, 19) },
    // JCB: 16–19
    Issuer { prefix_len: 4, low: 3528, high: 3589, lengths: lengths(16, 19) },
    // UnionPay: 16–19
    Issuer { prefix_len: 2, low: 62, high: 62, lengths: lengths(16, 19) },
    // Maestro: 13–19 here (12 is too short to tell from other numbers)
    Issuer { prefix_len: 2, low: 50, high: 50, lengths: lengths(13, 19) },
    Issuer { prefix_len: 2, low: 56, high: 69, lengths: lengths(13, 19) },
    // Mir: 16–19
    Issuer { prefix_len: 4, low: 2200, high: 2204, lengths: lengths(16, 19) },
];

/// Whether `s` starts with a full card number (digits with single spaces or dashes) that
/// passes Luhn and has a known issuer prefix. Every end at a separator is tried, since
/// `4111 1111 1111 1111 12/27` holds more digits than the number.
pub fn starts_with_card(s: &str) -> bool {
    let b = s.as_bytes();
    let mut digits = 0;
    for (i, &c) in b.iter().enumerate() {
        match c {
            b'0'..=b'9' => {
                digits += 1;
                let at_end = !b.get(i + 1).is_some_and(u8::is_ascii_digit);
                if at_end && (13..=19).contains(&digits) && luhn_valid(&s[..=i]) && card_issuer_known(&s[..=i]) {
                    return true;
                }
            }
            b' ' | b'-' if i > 0 && b[i - 1].is_ascii_digit() => {}
            _ => return false,
        }
        if digits > 19 {
            return false;
        }
    }
    false
}

/// True when `s` (13–19 digits, spaces, dashes) starts with a known card issuer's prefix:
/// Visa, Mastercard, Amex, Discover, Diners, JCB, UnionPay, Maestro, Mir.
///
/// The issuer's length is not required here: a number under a real issuer prefix with an
/// odd length is a mistyped or test card number at best, and a leak at worst. Whether it
/// is a card is then for the evidence around it ([`card_issuer_length`] and the labels).
pub fn card_issuer_known(s: &str) -> bool {
    issuer_fits(s, false)
}

/// True when `s` has a known issuer's prefix *and* one of that issuer's lengths. One
/// number in ten passes Luhn, so prefix and checksum alone call every tenth 15-digit
/// order id under a 2 a Mastercard; a number without an issuer's length is reported only
/// with a card label before it (`Card number:`, `Visa`).
pub fn card_issuer_length(s: &str) -> bool {
    issuer_fits(s, true)
}

fn issuer_fits(s: &str, with_length: bool) -> bool {
    let Some(digits) = card_digits(s) else {
        return false;
    };
    let len = digits.len();
    ISSUERS.iter().any(|issuer| {
        if len < issuer.prefix_len {
            return false;
        }
        let prefix = digits[..issuer.prefix_len]
            .iter()
            .fold(0u32, |acc, &d| acc * 10 + u32::from(d));
        (issuer.low..=issuer.high).contains(&prefix) && (13..=19).contains(&len) && (!with_length || issuer.lengths & (1 << len) != 0)
    })
}

/// Shannon entropy of `s` in bits per character (0.0 for an empty string).
///
/// Random base62 tokens of 20–40 characters measure about 3.9–4.9; hex keys about
/// 3.4–3.9 (at most 4); words and repeated characters much less.
pub fn shannon_entropy(s: &str) -> f64 {
    // As `usize`, so that the sort is the one instantiation the engine already has.
    let mut chars: Vec<usize> = s.chars().map(|c| c as usize).collect();
    if chars.is_empty() {
        return 0.0;
    }
    chars.sort_unstable();
    let total = chars.len() as f64;
    let mut entropy = 0.0;
    let mut run = 0usize;
    for (i, c) in chars.iter().enumerate() {
        run += 1;
        if chars.get(i + 1) != Some(c) {
            let p = run as f64 / total;
            entropy -= p * p.log2();
            run = 0;
        }
    }
    entropy
}

/// True when `s` looks like a random secret: at least 8 characters, entropy at least
/// `min_bits` per character, and not an obvious non-secret — all digits, one word
/// (`password`, `Welcome`), words joined in camelCase or snake_case (`YourApiKeyHere`,
/// `your_api_key`), a run of one character or a short repeated pattern (`aaaaaaaa`,
/// `abababab`), an ascending or descending sequence (`abcdefgh`, `12345678`), or a hex
/// colour (`#a1b2c3ff`).
pub fn entropy_ok(s: &str, min_bits: f64) -> bool {
    let len = s.chars().count();
    if len < 8 {
        return false;
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    if is_single_word(s) || is_joined_words(s) {
        return false;
    }
    if is_periodic(s, 4) || is_sequence(s) {
        return false;
    }
    if is_hex_colour(s) {
        return false;
    }
    shannon_entropy(s) >= min_bits
}

/// All ASCII letters, and lowercase or Capitalized: one dictionary-ish word.
fn is_single_word(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty() || !bytes.iter().all(u8::is_ascii_alphabetic) {
        return false;
    }
    bytes[1..].iter().all(u8::is_ascii_lowercase)
        || bytes.iter().all(u8::is_ascii_uppercase) && bytes.len() <= 16
}

/// Words joined in camelCase/PascalCase (`YourApiKeyHere`) or with `_`/`-`
/// (`your_api_key_here`, `YOUR_API_KEY`): every segment is a run of at least two
/// letters, lowercase with an optional leading capital, or all capitals between
/// separators. Random letters almost never have this shape.
fn is_joined_words(s: &str) -> bool {
    let bytes = s.as_bytes();
    if bytes.is_empty()
        || !bytes
            .iter()
            .all(|b| b.is_ascii_alphabetic() || *b == b'_' || *b == b'-')
    {
        return false;
    }
    let separated = bytes.iter().any(|b| matches!(b, b'_' | b'-'));
    s.split(['_', '-']).all(|segment| {
        segment.len() >= 2
            && ((separated && segment.bytes().all(|b| b.is_ascii_uppercase()))
                || is_camel_words(segment))
    })
}

/// `apiKey`, `ApiKeyHere`, `welcome`: lowercase runs of at least two letters, each
/// optionally led by one capital.
fn is_camel_words(s: &str) -> bool {
    let bytes = s.as_bytes();
    let mut run = 0usize; // letters in the current word
    for (i, &b) in bytes.iter().enumerate() {
        if b.is_ascii_uppercase() {
            if i > 0 && run < 2 {
                return false;
            }
            run = 1;
        } else if b.is_ascii_lowercase() {
            run += 1;
        } else {
            return false;
        }
    }
    run >= 2
}

/// True when `s` repeats a pattern of at most `max_period` characters throughout.
fn is_periodic(s: &str, max_period: usize) -> bool {
    let chars: Vec<char> = s.chars().collect();
    (1..=max_period).any(|p| p < chars.len() && (p..chars.len()).all(|i| chars[i] == chars[i - p]))
}

/// True when every character is one more (or every one less) than the one before.
fn is_sequence(s: &str) -> bool {
    let codes: Vec<i64> = s.chars().map(|c| i64::from(u32::from(c))).collect();
    if codes.len() < 3 {
        return false;
    }
    let step = codes[1] - codes[0];
    (step == 1 || step == -1) && codes.windows(2).all(|w| w[1] - w[0] == step)
}

/// `#rgb`, `#rgba`, `#rrggbb` or `#rrggbbaa`.
fn is_hex_colour(s: &str) -> bool {
    match s.strip_prefix('#') {
        Some(rest) => {
            matches!(rest.len(), 3 | 4 | 6 | 8) && rest.bytes().all(|b| b.is_ascii_hexdigit())
        }
        None => false,
    }
}

/// Decodes base64url (`A–Z a–z 0–9 - _`, trailing `=` tolerated), or `None` when `s`
/// has another character or an impossible length. Standard `+`/`/` are also accepted
/// because some encoders emit them in JWTs.
fn base64url_decode(s: &str) -> Option<Vec<u8>> {
    let trimmed = s.trim_end_matches('=');
    if trimmed.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(trimmed.len() * 3 / 4 + 1);
    let mut acc: u32 = 0;
    let mut bits = 0u32;
    for b in trimmed.bytes() {
        let v = match b {
            b'A'..=b'Z' => b - b'A',
            b'a'..=b'z' => b - b'a' + 26,
            b'0'..=b'9' => b - b'0' + 52,
            b'-' | b'+' => 62,
            b'_' | b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    Some(out)
}

/// True when `s` is a JSON Web Token: three base64url parts separated by dots, the
/// header decoding to a JSON object with an `"alg"` member, the payload decoding to a
/// JSON object, and a non-empty signature (unsigned `alg: none` tokens are not
/// reported: they grant nothing by themselves).
pub fn jwt_valid(s: &str) -> bool {
    let mut parts = s.split('.');
    let (Some(header), Some(payload), Some(signature), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return false;
    };
    if header.is_empty() || payload.is_empty() || signature.is_empty() {
        return false;
    }
    if base64url_decode(signature).is_none() {
        return false;
    }
    let Some(header) = base64url_decode(header) else {
        return false;
    };
    let header = String::from_utf8_lossy(&header);
    let header = header.trim();
    if !(header.starts_with('{') && header.ends_with('}') && header.contains("\"alg\"")) {
        return false;
    }
    let Some(payload) = base64url_decode(payload) else {
        return false;
    };
    payload
        .iter()
        .find(|b| !b.is_ascii_whitespace())
        .is_some_and(|&b| b == b'{')
}

/// True when `s` holds a PEM (or PGP armoured) private key: a
/// `-----BEGIN … PRIVATE KEY-----` header (public keys and certificates do not count)
/// followed by at least one base64 body line of 20 or more characters. The END line is
/// not required: a truncated key in a mail is still a leak. Armour headers such as
/// `Proc-Type:` and `DEK-Info:` are skipped.
pub fn pem_private_key_valid(s: &str) -> bool {
    let Some(begin) = s.find("-----BEGIN ") else {
        return false;
    };
    let after_begin = &s[begin + "-----BEGIN ".len()..];
    let Some(label_end) = after_begin.find("-----") else {
        return false;
    };
    let label = &after_begin[..label_end];
    if !(label.ends_with("PRIVATE KEY") || label.ends_with("PRIVATE KEY BLOCK")) || label.len() > 40 {
        return false;
    }
    let mut body = &after_begin[label_end + "-----".len()..];
    if let Some(end) = body.find("-----END") {
        body = &body[..end];
    }
    // Keys pasted from JSON (service-account files) carry `\n` escapes, not line breaks.
    let unescaped;
    if body.contains("\\n") {
        unescaped = body.replace("\\r", "").replace("\\n", "\n");
        body = &unescaped;
    }
    let mut base64_chars = 0usize;
    let mut seen = [false; 128];
    for line in body.lines() {
        if line.contains(':') {
            continue; // an armour header (Proc-Type, DEK-Info, Version, Comment)
        }
        for word in line.split_ascii_whitespace() {
            if word.len() >= 20 && word.bytes().all(is_base64_byte) {
                base64_chars += word.len();
                for b in word.bytes() {
                    seen[usize::from(b & 0x7f)] = true;
                }
            }
        }
    }
    // A real body is random; `AAAAAAAA…` or `xxxxxxxx…` filler is not a key.
    base64_chars >= 20 && seen.iter().filter(|&&v| v).count() >= 10
}

fn is_base64_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=')
}

/// Passwords that are template placeholders or documentation stand-ins, compared
/// ASCII case-insensitively. `changeme` is deliberately absent: it is a real (bad)
/// password that someone can log in with.
const PLACEHOLDER_PASSWORDS: &[&str] = &[
    "password", "passwd", "pass", "pwd", "pw", "secret", "yourpassword", "your_password",
    "your-password", "mypassword", "my_password", "my-password", "dbpassword", "db_password",
    "user_password", "redacted", "hidden", "removed", "masked", "placeholder", "example",
    "null", "none", "undefined",
];

/// True when a URL's userinfo carries a real password: `scheme://user:password@host`
/// with a non-empty password that is not a placeholder (`{{pass}}`, `${PASSWORD}`,
/// `<password>`, `%s`, `$PASS`, `PASSWORD`) or a mask (`***`, `xxx`, `•••`).
/// `https://user@host` (no password) and `host:8080`-style ports are not credentials.
pub fn url_has_credentials(s: &str) -> bool {
    let Some(sep) = s.find("://") else {
        return false;
    };
    let scheme = s[..sep].rsplit(|c: char| c.is_whitespace()).next().unwrap_or("");
    if scheme.is_empty()
        || !scheme
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'.' | b'-' | b':'))
    {
        return false;
    }
    let rest = &s[sep + 3..];
    // The user name runs to the first `:`; it cannot hold a path, query or fragment.
    let Some(colon) = rest.find(':') else {
        return false;
    };
    let user = &rest[..colon];
    if user
        .chars()
        .any(|c| matches!(c, '/' | '?' | '#' | '@') || c.is_whitespace())
    {
        return false;
    }
    // The password runs to the last `@` before the path or query: unencoded `#`, `$`
    // and `@` happen in pasted passwords, and they are still passwords.
    let after_colon = &rest[colon + 1..];
    let segment_end = after_colon
        .find(|c: char| matches!(c, '/' | '?') || c.is_whitespace())
        .unwrap_or(after_colon.len());
    let segment = &after_colon[..segment_end];
    let Some(at) = segment.rfind('@') else {
        return false;
    };
    let (password, host) = (&segment[..at], &segment[at + 1..]);
    if host.is_empty() || host.starts_with(['#', ':']) {
        return false;
    }
    if password.is_empty() {
        return false;
    }
    // `proxy.example.com:8080@…` is a host and port, not a user and password.
    if user.contains('.') && password.len() <= 5 && password.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    !is_placeholder_password(password)
}

/// A password that stands for one rather than being one.
fn is_placeholder_password(p: &str) -> bool {
    let lower = p.to_ascii_lowercase();
    let lower = lower.as_str();
    // Template syntaxes, raw or percent-encoded: {{x}}, {x}, ${x}, <x>, %s, %(x)s, $X, [x], %%X%%.
    if lower.starts_with('{')
        || lower.starts_with("${")
        || lower.starts_with('<')
        || lower.starts_with('[')
        || lower.starts_with("%7b")
        || lower.starts_with("%3c")
        || lower.starts_with("%24%7b")
        || lower.starts_with("%%")
        || lower == "%s"
        || (lower.starts_with("%(") && lower.ends_with(")s"))
    {
        return true;
    }
    if let Some(var) = lower.strip_prefix('$') {
        if !var.is_empty() && var.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return true;
        }
    }
    // Masks: ***, xxx, •••, ..., ---.
    if p.chars().all(|c| matches!(c, '*' | 'x' | 'X' | '•' | '.' | '-' | '#' | '…')) {
        return true;
    }
    if let Some(rest) = lower.strip_prefix("%2a") {
        if rest.is_empty() || rest.replace("%2a", "").is_empty() {
            return true;
        }
    }
    PLACEHOLDER_PASSWORDS.contains(&lower)
}

/// Stripe-style object id prefixes: identifiers of customers, invoices and payments,
/// which appear in receipts and are not secrets.
const OBJECT_ID_PREFIXES: &[&str] = &[
    "cus_", "sub_", "in_", "ii_", "il_", "pi_", "ch_", "pm_", "prod_", "price_", "txn_", "re_",
    "evt_", "acct_", "seti_", "src_", "card_", "po_", "cs_test_", "cs_live_",
];

/// True when `s` does NOT look like an identifier or other non-secret value that
/// generic rules (`api_key = …`, `token: …`) would otherwise report: a UUID, an
/// invoice/order/ticket number (`INV-2024-000123`, `#48213`), a UPS tracking id
/// (`1Z…`), an ISO date or timestamp, a hex colour, a version (`v2.4.1`), a plain word
/// or words, a number, a URL, an e-mail address, or a Stripe object id (`cus_…`).
pub fn not_identifier(s: &str) -> bool {
    let s = s.trim();
    if s.is_empty() {
        return false;
    }
    !(is_uuid(s)
        || is_reference_number(s)
        || is_ups_tracking(s)
        || is_iso_date(s)
        || is_hex_colour(s)
        || is_version(s)
        || is_single_word(s)
        || is_joined_words(s)
        || is_constant_name(s)
        || s.bytes().all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b','))
        || s.contains("://")
        || is_email(s)
        || OBJECT_ID_PREFIXES.iter().any(|p| s.starts_with(p)))
}

/// `SCREAMING_SNAKE_1_CASE`: capitals, digits and at least two underscores, starting
/// with a letter. A constant's name, not a token (tokens have lowercase letters).
fn is_constant_name(s: &str) -> bool {
    s.as_bytes().first().is_some_and(u8::is_ascii_uppercase)
        && s.bytes().filter(|&b| b == b'_').count() >= 2
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
}

/// `8-4-4-4-12` hex digits, optionally in braces.
fn is_uuid(s: &str) -> bool {
    let s = s.strip_prefix('{').and_then(|t| t.strip_suffix('}')).unwrap_or(s);
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 5
        && groups
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(g, n)| g.len() == n && g.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `INV-123456`, `ORD_2024_0042`, `#48213`, `TKT-1234-AB`: an optional `#`, up to six
/// capitals, an optional separator, then digits (with `-`/`/` groups; a short letter
/// suffix group is allowed).
fn is_reference_number(s: &str) -> bool {
    let s = s.strip_prefix('#').unwrap_or(s);
    let letters = s.bytes().take_while(u8::is_ascii_uppercase).count();
    if letters > 6 {
        return false;
    }
    let rest = s[letters..].trim_start_matches(['-', '_', '#', '/', ' ']);
    let mut groups = rest.split(['-', '_', '/']);
    let Some(first) = groups.next() else {
        return false;
    };
    if first.len() < 3 || !first.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    groups.all(|g| {
        !g.is_empty()
            && (g.bytes().all(|b| b.is_ascii_digit())
                || (g.len() <= 3 && g.bytes().all(|b| b.is_ascii_uppercase())))
    })
}

/// UPS: `1Z` followed by 16 capitals and digits.
fn is_ups_tracking(s: &str) -> bool {
    s.len() == 18
        && s.starts_with("1Z")
        && s.bytes().all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// `2024-01-31`, optionally followed by `T`/space and a time.
fn is_iso_date(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 10 {
        return false;
    }
    let date_ok = b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[5..7].iter().all(u8::is_ascii_digit)
        && b[7] == b'-'
        && b[8..10].iter().all(u8::is_ascii_digit);
    date_ok
        && (b.len() == 10
            || (matches!(b[10], b'T' | b' ')
                && b[11..]
                    .iter()
                    .all(|c| c.is_ascii_digit() || matches!(c, b':' | b'.' | b'Z' | b'+' | b'-'))))
}

/// `1.2`, `v1.2.3`, `2.0.0-beta.1`, `1.4.2+build5`.
fn is_version(s: &str) -> bool {
    let s = s.strip_prefix(['v', 'V']).unwrap_or(s);
    let core = s.split(['-', '+']).next().unwrap_or("");
    let parts: Vec<&str> = core.split('.').collect();
    (2..=4).contains(&parts.len())
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 6 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// `someone@example.com`.
fn is_email(s: &str) -> bool {
    match s.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty() && domain.contains('.') && !domain.contains('@') && !domain.contains(':')
        }
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Test values are made up; assertions carry messages without the value where the
    // value is secret-shaped.

    #[test]
    fn luhn_accepts_test_card_numbers() {
        let numbers = [
            "4111111111111111",
            "4111 1111 1111 1111",
            "4111-1111-1111-1111",
            "378282246310005",
            "6011111111111117",
        ];
        for (i, n) in numbers.iter().enumerate() {
            assert!(luhn_valid(n), "test number #{i} should pass Luhn");
        }
    }

    #[test]
    fn a_match_starting_with_a_card_number() {
        assert!(starts_with_card("4111 1111 1111 1111, exp 12/27"));
        assert!(starts_with_card("4111-1111-1111-1111 12/27"));
        assert!(!starts_with_card("4111 1111 1111 1112 exp 12/27"));
        assert!(!starts_with_card("Invoice 1234567890123 due 12/27"));
        assert!(!starts_with_card(""));
    }

    #[test]
    fn luhn_rejects_bad_checksums_lengths_and_junk() {
        assert!(!luhn_valid("4111111111111112"));
        assert!(!luhn_valid("411111111111")); // 12 digits
        assert!(!luhn_valid("41111111111111111111")); // 20 digits
        assert!(!luhn_valid(""));
        assert!(!luhn_valid("4111x111111111111"));
        assert!(!luhn_valid("４１１１１１１１１１１１１１１１")); // full-width digits
        // Zeros pass the checksum; the issuer check is what rejects them.
        assert!(luhn_valid("0000000000000"));
        assert!(!card_issuer_known("0000000000000"));
    }

    #[test]
    fn issuers_by_prefix() {
        let known = [
            "4111111111111111",
            "4222222222222", // Visa 13
            "5555555555554444",
            "2223003122003222",
            "378282246310005",
            "6011111111111117",
            "6445644564456445",
            "30569309025904",
            "3530111333300000",
            "6200000000000005",
            "6759649826438453",
            "2200123456789010",
        ];
        for (i, n) in known.iter().enumerate() {
            assert!(card_issuer_known(n), "known #{i}");
        }
        let unknown = [
            "2721000000000000", // past the Mastercard 2-series
            "501800000000",     // 12 digits: too short for any card here
            "1234567812345678",
            "9111111111111111",
            "",
            "4",
        ];
        for (i, n) in unknown.iter().enumerate() {
            assert!(!card_issuer_known(n), "unknown #{i}");
        }
    }

    #[test]
    fn issuers_with_their_lengths() {
        for n in ["4111111111111111", "4222222222222", "378282246310005", "5555555555554444", "6011111111111117"] {
            assert!(card_issuer_length(n), "length #{}", n.len());
        }
        // A Mastercard prefix with 15 digits, Visa with 14, Amex with 16.
        for n in ["241587241919708", "41111111111111", "3782822463100050"] {
            assert!(card_issuer_known(n) && !card_issuer_length(n), "prefix only #{}", n.len());
        }
    }

    #[test]
    fn entropy_values() {
        assert_eq!(shannon_entropy(""), 0.0);
        assert_eq!(shannon_entropy("aaaa"), 0.0);
        assert!((shannon_entropy("ab") - 1.0).abs() < 1e-9);
        assert!((shannon_entropy("0123456789abcdef") - 4.0).abs() < 1e-9);
        assert!(shannon_entropy("héllo wörld ✓ 日本") > 3.0);
    }

    #[test]
    fn entropy_ok_accepts_random_tokens() {
        let tokens = [
            "q8ZkR2vX7mNw4TbY1pLs",                     // 20 base62
            "Zx9Qm4Rt7Vb2Np6Kd8Lw3Hs5Jf1Gc0Ya",         // 32 base62
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", // AWS documentation example
            "dc74a7f79b3e4c1a8f20e6d5b7c9a1f3",         // 32 hex
        ];
        for (i, t) in tokens.iter().enumerate() {
            assert!(entropy_ok(t, 3.3), "token #{i} should pass");
        }
    }

    #[test]
    fn entropy_ok_rejects_non_secrets() {
        let values = [
            "", "short", "1234567890123456", "aaaaaaaaaaaa", "abababababab", "abcdefghij",
            "12345678", "98765432", "zyxwvuts", "password", "Password", "Welcome", "INVOICENUMBER",
            "YourApiKeyHere", "your_api_key_here", "your-api-key", "YOUR_API_KEY_HERE", "#a1b2c3ff",
        ];
        for v in values {
            assert!(!entropy_ok(v, 3.0), "{v:?} should be rejected");
        }
        assert!(!entropy_ok("aB3dE5gH", 3.5), "8 distinct chars cap at 3 bits");
    }

    #[test]
    fn entropy_ok_is_total() {
        for v in ["日本語のテキストです", "\u{0}\u{1}\u{2}\u{3}\u{4}\u{5}\u{6}\u{7}", "é", "🙂🙂🙂🙂🙂🙂🙂🙂"] {
            let _ = entropy_ok(v, 3.0);
            let _ = not_identifier(v);
            let _ = jwt_valid(v);
            let _ = pem_private_key_valid(v);
            let _ = url_has_credentials(v);
            let _ = luhn_valid(v);
            let _ = card_issuer_known(v);
        }
    }

    const JWT_HS256: &str = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIiwiaWF0IjoxNTE2MjM5MDIyfQ.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";

    #[test]
    fn jwt_accepts_signed_tokens() {
        assert!(jwt_valid(JWT_HS256), "the jwt.io example token should validate");
    }

    #[test]
    fn jwt_rejects_malformed_and_unsigned() {
        let (h, rest) = JWT_HS256.split_once('.').unwrap_or(("", ""));
        let (p, _sig) = rest.split_once('.').unwrap_or(("", ""));
        assert!(!jwt_valid(&format!("{h}.{p}.")), "unsigned");
        assert!(!jwt_valid(&format!("{h}.{p}")), "two parts");
        assert!(!jwt_valid(&format!("{h}.{p}.abc.def")), "four parts");
        // header without alg: {"typ":"JWT"}
        assert!(!jwt_valid(&format!("eyJ0eXAiOiJKV1QifQ.{p}.abc")));
        // payload not an object: "hello"
        assert!(!jwt_valid(&format!("{h}.ImhlbGxvIg.abc")));
        assert!(!jwt_valid(&format!("{h}.{p}.a b")));
        assert!(!jwt_valid("eyJ.eyJ.x"));
        assert!(!jwt_valid(""));
        assert!(!jwt_valid(".."));
        assert!(!jwt_valid("é.é.é"));
    }

    #[test]
    fn base64url_decoder() {
        assert_eq!(base64url_decode("aGVsbG8").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("aGVsbG8=").as_deref(), Some(&b"hello"[..]));
        assert_eq!(base64url_decode("").as_deref(), Some(&b""[..]));
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("a$bc"), None);
    }

    const PEM_BODY: &str = "MIIEowIBAAKCAQEAEXAMPLEKEYqLk2Xz7vN4mR8tY1wQ9pB3cD6fG0hJ5kS";

    #[test]
    fn pem_accepts_private_keys_even_truncated() {
        let full = format!("-----BEGIN RSA PRIVATE KEY-----\n{PEM_BODY}\n-----END RSA PRIVATE KEY-----");
        assert!(pem_private_key_valid(&full));
        let truncated = format!("-----BEGIN PRIVATE KEY-----\n{PEM_BODY}\n");
        assert!(pem_private_key_valid(&truncated));
        let encrypted = format!(
            "-----BEGIN RSA PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,0A1B2C3D\n\n{PEM_BODY}\n"
        );
        assert!(pem_private_key_valid(&encrypted));
        let one_line = format!("-----BEGIN OPENSSH PRIVATE KEY----- {PEM_BODY} -----END OPENSSH PRIVATE KEY-----");
        assert!(pem_private_key_valid(&one_line));
        let json = format!("-----BEGIN PRIVATE KEY-----\\n{PEM_BODY}\\n-----END PRIVATE KEY-----\\n");
        assert!(pem_private_key_valid(&json), "escaped newlines from JSON");
        let pgp = format!("-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: X\n\n{PEM_BODY}\n");
        assert!(pem_private_key_valid(&pgp));
    }

    #[test]
    fn pem_rejects_public_material_and_empty_bodies() {
        assert!(!pem_private_key_valid(&format!("-----BEGIN PUBLIC KEY-----\n{PEM_BODY}\n")));
        assert!(!pem_private_key_valid(&format!("-----BEGIN CERTIFICATE-----\n{PEM_BODY}\n")));
        assert!(!pem_private_key_valid("-----BEGIN PRIVATE KEY-----\n...\n-----END PRIVATE KEY-----"));
        assert!(!pem_private_key_valid("-----BEGIN PRIVATE KEY-----\nMIIE\n"));
        assert!(!pem_private_key_valid("-----BEGIN PRIVATE KEY-----\n{{ private_key }}\n"));
        assert!(!pem_private_key_valid("-----BEGIN PRIVATE KEY-----\nAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n"));
        assert!(!pem_private_key_valid("-----BEGIN PRIVATE KEY"));
        assert!(!pem_private_key_valid(""));
    }

    #[test]
    fn url_credentials_found() {
        let urls = [
            "postgres://app:Xk82mPq7Zr@db.example.com:5432/app",
            "https://svc:changeme@internal.example/export",
            "redis://:s3cr3tPass@cache:6379/0",
            "jdbc:mysql://root:hunter2x@10.0.0.5/db",
            "mongodb+srv://u:p%40ss@cluster0.example.net/",
            "mysql://billing:Qw#dvEXAMPLE$x@10.2.3.4/crm",
            "postgres://u:p@ss@db.example.com/app",
        ];
        for (i, url) in urls.iter().enumerate() {
            assert!(url_has_credentials(url), "url #{i} has credentials");
        }
    }

    #[test]
    fn url_credentials_not_found() {
        for url in [
            "https://user@example.com/",
            "https://example.com:8443/path",
            "postgres://app:@db/app",
            "postgres://app:{{db_password}}@db/app",
            "postgres://app:${PASSWORD}@db/app",
            "postgres://app:<password>@db/app",
            "postgres://app:%s@db/app",
            "postgres://app:PASSWORD@db/app",
            "postgres://app:password@db/app",
            "postgres://app:***@db/app",
            "postgres://app:xxx@db/app",
            "postgres://app:$DB_PASS@db/app",
            "postgres://app:%7B%7Bpass%7D%7D@db/app",
            "http://proxy.example.com:8080@",
            "http://proxy.example.com:8080@target",
            "https://example.com/?next=a:b@c",
            "mailto:a:b@c.com",
            "",
            "://",
        ] {
            assert!(!url_has_credentials(url), "{url}");
        }
    }

    #[test]
    fn identifiers() {
        for v in [
            "3f2504e0-4f89-11d3-9a0c-0305e82c3301",
            "{3F2504E0-4F89-11D3-9A0C-0305E82C3301}",
            "INV-123456",
            "INV-2024-000123",
            "ORD_88231",
            "#48213",
            "TKT-1234-AB",
            "1Z999AA10123456784",
            "2024-01-31",
            "2024-01-31T12:30:00Z",
            "#a1b2c3",
            "v2.4.1",
            "1.0.0-beta.1",
            "welcome",
            "MyCompanyName",
            "48213",
            "https://example.com/x",
            "billing@example.com",
            "cus_NffrFeUfNV2Hib",
            "MSV1_0_PROTOCOL_MESSAGE_TYPE",
            "",
        ] {
            assert!(!not_identifier(v), "{v} is an identifier");
        }
    }

    #[test]
    fn non_identifiers() {
        for (i, v) in [
            "q8ZkR2vX7mNw4TbY1pLs",
            "dc74a7f79b3e4c1a8f20e6d5b7c9a1f3",
            "sk_live_EXAMPLE4eC39HqLyjWDarjtT1zdp7dc",
            "AB12CD34EF56",
            "x9!Kq#2mZ",
        ]
        .iter()
        .enumerate()
        {
            assert!(not_identifier(v), "value #{i} is not an identifier");
        }
    }
}
