//! Classify the variable name that a template placeholder references.
//!
//! `{{ customer.password }}` will be filled with a password; `{{ password_reset_url }}`
//! with a link, `{{ card.last4 }}` with four harmless digits. What decides is the *head
//! noun* of the last path segment (`password` in `new_password`, `url` in
//! `password_reset_url`), read together with the word before it (`csrf_token`,
//! `hashed_password`) and, when the last segment says little on its own (`card.number`),
//! with its parent segment.
//!
//! The classifier is a handful of word tables and never looks at values, so it cannot
//! leak a secret; its input is bounded ([`MAX_NAME_BYTES`]) and its work linear.

use crate::policy::Category;
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// Longest name read; a longer one is classified from its last `MAX_NAME_BYTES` bytes
/// (the head noun is at the end), so hostile input cannot make classification slow.
pub const MAX_NAME_BYTES: usize = 256;

/// What a placeholder's name says it will be filled with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NameClass {
    /// A secret of this category (`user.password`, `api_key`, `card.number`).
    Secret(Category),
    /// A name that sounds secret-related but is not a secret (`password_reset_url`,
    /// `has_password`, `card.last4`, `password_hash`).
    NotSecret,
    /// Anything else (`order.id`, `invoice_total`).
    Neutral,
}

impl NameClass {
    /// The category when the name is a secret.
    pub fn category(self) -> Option<Category> {
        match self {
            NameClass::Secret(category) => Some(category),
            _ => None,
        }
    }

    /// True when the name is a secret.
    pub fn is_secret(self) -> bool {
        matches!(self, NameClass::Secret(_))
    }
}

/// Classifies the name a placeholder references: `customer.password`, `$a->password`,
/// `Model.TempPassword`, `user['password']`, `.Password`, `usuario.contraseña`.
///
/// ```
/// use sendguard::rules::names::{classify_name, NameClass};
/// use sendguard::Category;
/// assert_eq!(classify_name("customer.password"), NameClass::Secret(Category::Password));
/// assert_eq!(classify_name("password_reset_url"), NameClass::NotSecret);
/// assert_eq!(classify_name("invoice_total"), NameClass::Neutral);
/// ```
pub fn classify_name(name: &str) -> NameClass {
    let name = tail(name.trim(), MAX_NAME_BYTES);
    // A Ruby/Handlebars predicate (`password?`) is a yes/no, never the value.
    if name.ends_with('?') {
        return NameClass::NotSecret;
    }
    let segments = segments(name);
    let Some((last, parents)) = segments.split_last() else {
        return NameClass::Neutral;
    };
    let mut words = split_words(last);
    if words.first().is_some_and(|w| w == "get") && words.len() > 1 {
        words.remove(0); // getter: `getPassword()`
    }
    if words.is_empty() {
        return NameClass::Neutral;
    }
    if words.len() > 1 && BOOL_PREFIXES.contains(&words[0].as_str()) {
        return NameClass::NotSecret;
    }
    // `set_password(…)`: an action on a password; `verify_code`, `delete_confirmation_code`
    // still name the code.
    if words.len() > 1 && ACTION_PREFIXES.contains(&words[0].as_str()) && classify_words(&words[1..]) == Verdict::Secret(PW) {
        return NameClass::NotSecret;
    }
    // A one-word last segment (`card.number`, `unsubscribe.token`) is read with its parent.
    if words.len() == 1 {
        if let Some(parent) = parents.last() {
            let mut joined = split_words(parent);
            joined.extend(words.iter().cloned());
            return to_class(classify_words(&joined));
        }
    }
    to_class(classify_words(&words))
}

/// Internal verdict on a word list; `Generic` means "a noun like `number` or `code` that
/// needs a modifier to mean anything".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Secret(Category),
    NotSecret,
    Neutral,
    Generic,
}

fn to_class(verdict: Verdict) -> NameClass {
    match verdict {
        Verdict::Secret(category) => NameClass::Secret(category),
        Verdict::NotSecret => NameClass::NotSecret,
        Verdict::Neutral | Verdict::Generic => NameClass::Neutral,
    }
}

use Category::{
    CardSecurity as CS, ConnectionString as CN, OneTimeCode as OTP, PaymentCard as PC, Pin as PIN,
    PrivateKey as PK, ResetLink as RL, Token as TK,
};
const PW: Category = Category::Password;

/// Multi-word heads, matched at the end of the word list (the longest wins).
/// `None` marks phrases that are explicitly not secrets.
const COMPOUNDS: &[(&[&str], Option<Category>)] = &[
    // Passwords, including transliterated phrases of other languages.
    (&["pass", "word"], Some(PW)),
    (&["pass", "phrase"], Some(PW)),
    (&["pass", "code"], Some(PW)),
    (&["mot", "de", "passe"], Some(PW)),
    (&["palavra", "passe"], Some(PW)),
    (&["palabra", "clave"], Some(PW)),
    (&["kata", "sandi"], Some(PW)),
    (&["wifi", "key"], Some(PW)),
    (&["wi", "fi", "key"], Some(PW)),
    (&["wlan", "key"], Some(PW)),
    (&["wpa", "key"], Some(PW)),
    (&["network", "key"], Some(PW)),
    // One-time codes (before `password`/`pin`, which they end with).
    (&["one", "time", "password"], Some(OTP)),
    (&["one", "time", "pass"], Some(OTP)),
    (&["one", "time", "code"], Some(OTP)),
    (&["one", "time", "pin"], Some(OTP)),
    (&["verification", "code"], Some(OTP)),
    (&["verify", "code"], Some(OTP)),
    (&["confirmation", "code"], Some(OTP)),
    (&["auth", "code"], Some(OTP)),
    (&["authentication", "code"], Some(OTP)),
    (&["authorization", "code"], Some(OTP)),
    (&["2fa", "code"], Some(OTP)),
    (&["2fa", "token"], Some(OTP)),
    (&["mfa", "code"], Some(OTP)),
    (&["mfa", "token"], Some(OTP)),
    (&["two", "factor", "code"], Some(OTP)),
    (&["otp", "code"], Some(OTP)),
    (&["sms", "code"], Some(OTP)),
    (&["login", "code"], Some(OTP)),
    (&["signin", "code"], Some(OTP)),
    (&["sign", "in", "code"], Some(OTP)),
    (&["sudo", "code"], Some(OTP)),
    (&["recovery", "code"], Some(OTP)),
    (&["registration", "code"], Some(OTP)),
    (&["activation", "code"], Some(OTP)),
    (&["security", "token"], Some(OTP)),
    // Tokens and keys.
    (&["api", "key"], Some(TK)),
    (&["secret", "key"], Some(TK)),
    (&["access", "key"], Some(TK)),
    (&["signing", "key"], Some(TK)),
    (&["encryption", "key"], Some(TK)),
    (&["master", "key"], Some(TK)),
    (&["auth", "key"], Some(TK)),
    (&["app", "key"], Some(TK)),
    (&["session", "key"], Some(TK)),
    (&["app", "secret"], Some(TK)),
    (&["client", "secret"], Some(TK)),
    (&["webhook", "secret"], Some(TK)),
    (&["private", "token"], Some(TK)),
    (&["access", "token"], Some(TK)),
    (&["auth", "header"], Some(TK)),
    (&["authorization", "header"], Some(TK)),
    (&["basic", "auth"], Some(TK)),
    (&["bearer", "auth"], Some(TK)),
    (&["http", "auth"], Some(TK)),
    (&["api", "auth"], Some(TK)),
    (&["proxy", "auth"], Some(TK)),
    (&["smtp", "auth"], Some(TK)),
    (&["session", "cookie"], Some(TK)),
    (&["session", "token"], Some(TK)),
    (&["public", "key"], None),
    (&["publishable", "key"], None),
    (&["site", "key"], None),
    (&["idempotency", "key"], None),
    // Private keys.
    (&["private", "key"], Some(PK)),
    (&["priv", "key"], Some(PK)),
    (&["ssh", "key"], Some(PK)),
    (&["rsa", "key"], Some(PK)),
    (&["pem", "key"], Some(PK)),
    (&["id", "rsa"], Some(PK)),
    (&["id", "ed", "25519"], Some(PK)),
    (&["id", "ecdsa"], Some(PK)),
    // Connection strings.
    (&["connection", "string"], Some(CN)),
    (&["conn", "string"], Some(CN)),
    (&["conn", "str"], Some(CN)),
    (&["connection", "url"], Some(CN)),
    (&["connection", "uri"], Some(CN)),
    (&["database", "url"], Some(CN)),
    (&["database", "uri"], Some(CN)),
    (&["db", "url"], Some(CN)),
    (&["db", "uri"], Some(CN)),
    (&["jdbc", "url"], Some(CN)),
    (&["mongo", "url"], Some(CN)),
    (&["mongo", "uri"], Some(CN)),
    (&["mongodb", "url"], Some(CN)),
    (&["mongodb", "uri"], Some(CN)),
    (&["postgres", "url"], Some(CN)),
    (&["mysql", "url"], Some(CN)),
    (&["redis", "url"], Some(CN)),
    (&["amqp", "url"], Some(CN)),
    // Payment cards; the masked parts of a card are not secrets.
    (&["card", "number"], Some(PC)),
    (&["card", "num"], Some(PC)),
    (&["card", "no"], Some(PC)),
    (&["card", "nr"], Some(PC)),
    (&["card", "pan"], Some(PC)),
    (&["cc", "number"], Some(PC)),
    (&["cc", "num"], Some(PC)),
    (&["cc", "no"], Some(PC)),
    (&["credit", "card"], Some(PC)),
    (&["debit", "card"], Some(PC)),
    (&["pan", "number"], Some(PC)),
    (&["primary", "account", "number"], Some(PC)),
    (&["last", "4"], None),
    (&["last", "four"], None),
    (&["last", "digits"], None),
    (&["first", "6"], None),
    (&["first", "six"], None),
    // Card security codes.
    (&["security", "code"], Some(CS)),
    (&["card", "code"], Some(CS)),
    (&["card", "verification", "code"], Some(CS)),
    (&["card", "verification", "value"], Some(CS)),
    (&["cvv", "code"], Some(CS)),
    (&["cvv", "number"], Some(CS)),
    (&["cvc", "code"], Some(CS)),
    // PINs.
    (&["pin", "code"], Some(PIN)),
    (&["pin", "number"], Some(PIN)),
    (&["personal", "identification", "number"], Some(PIN)),
    // Reset and magic sign-in links and the tokens inside them.
    (&["reset", "token"], Some(RL)),
    (&["reset", "code"], Some(RL)),
    (&["reset", "key"], Some(RL)),
    (&["reset", "link"], Some(RL)),
    (&["reset", "password", "token"], Some(RL)),
    (&["reset", "password", "code"], Some(RL)),
    (&["reset", "password", "link"], Some(RL)),
    // The act or its page, not a value (`U_RESET_PASSWORD`, `lost_password`): a password
    // that a reset made is a new or temporary one (`new_password`, `temp_password`).
    (&["reset", "password"], Some(RL)),
    (&["lost", "password"], Some(RL)),
    (&["forgot", "password"], Some(RL)),
    (&["password", "token"], Some(RL)),
    (&["magic", "link"], Some(RL)),
    (&["magic", "url"], Some(RL)),
    (&["magic", "token"], Some(RL)),
    (&["magic", "login", "link"], Some(RL)),
    (&["magic", "login", "url"], Some(RL)),
    (&["login", "token"], Some(RL)),
    (&["signin", "token"], Some(RL)),
];

/// One-word heads that are secrets.
const SECRET_HEADS: &[(&str, Category)] = &[
    ("password", PW),
    ("passwd", PW),
    ("pwd", PW),
    ("pw", PW),
    ("psw", PW),
    ("pword", PW),
    ("pass", PW),
    ("passcode", PW),
    ("passphrase", PW),
    ("passwort", PW),
    ("kennwort", PW),
    ("contrasena", PW),
    ("motdepasse", PW),
    ("mdp", PW),
    ("senha", PW),
    ("wachtwoord", PW),
    ("lozinka", PW),
    ("haslo", PW),
    ("heslo", PW),
    ("salasana", PW),
    ("jelszo", PW),
    ("losenord", PW),
    ("adgangskode", PW),
    ("passord", PW),
    ("sifre", PW),
    ("parol", PW),
    ("parola", PW),
    ("credentials", PW),
    ("credential", PW),
    ("creds", PW),
    ("пароль", PW),
    ("密码", PW),
    ("密碼", PW),
    ("パスワード", PW),
    ("비밀번호", PW),
    ("token", TK),
    ("apikey", TK),
    ("secret", TK),
    ("secretkey", TK),
    ("accesskey", TK),
    ("oauth", TK),
    ("bearer", TK),
    ("cookie", TK),
    ("jwt", TK),
    ("authorization", TK),
    ("privkey", PK),
    ("privatekey", PK),
    ("pem", PK),
    ("dsn", CN),
    ("connstr", CN),
    ("connectionstring", CN),
    ("pan", PC),
    ("cardnumber", PC),
    ("ccnumber", PC),
    ("ccnum", PC),
    ("cardnum", PC),
    ("creditcard", PC),
    ("cvv", CS),
    ("cvc", CS),
    ("csc", CS),
    ("cvn", CS),
    ("securitycode", CS),
    ("cardcode", CS),
    ("pin", PIN),
    ("pincode", PIN),
    ("otp", OTP),
    ("totp", OTP),
    ("hotp", OTP),
    ("otpcode", OTP),
    ("magiclink", RL),
    ("resettoken", RL),
    ("resetcode", RL),
];

/// Heads that are secrets only alone or after one of the listed words: `auth` of
/// `basic_auth` is a credential, `two_factor_auth` is a setting.
const RESTRICTED_HEADS: &[(&str, Category)] = &[("auth", TK)];

/// Long heads also recognised at the end of a run-together word (`newpassword`,
/// `clientsecret`); short ones (`pass`, `pin`) are not, to spare `compass` and `spin`.
const SUFFIX_HEADS: &[(&str, Category)] = &[
    ("password", PW),
    ("passwd", PW),
    ("passphrase", PW),
    ("passcode", PW),
    ("passwort", PW),
    ("kennwort", PW),
    ("contrasena", PW),
    ("apikey", TK),
    ("secretkey", TK),
    ("accesskey", TK),
    ("accesstoken", TK),
    ("token", TK),
    ("secret", TK),
    ("privatekey", PK),
    ("cardnumber", PC),
    ("securitycode", CS),
    ("pincode", PIN),
    ("otpcode", OTP),
];

/// Short heads recognised at the end of a run-together word only after one of
/// [`CREDENTIAL_PREFIXES`] (`newpass`, `dbpass`, `userpwd`), never alone (`compass`).
const SHORT_SUFFIX_HEADS: &[(&str, Category)] = &[("pass", PW), ("pwd", PW), ("pw", PW)];

/// Words that, run together with a short head, make it a credential.
const CREDENTIAL_PREFIXES: &[&str] = &[
    "new", "user", "usr", "db", "temp", "tmp", "init", "initial", "admin", "root", "ftp", "sftp", "ssh", "smtp",
    "imap", "mail", "plain", "default", "gen", "generated", "random", "wifi", "my", "login", "account", "client",
];

/// Heads that say the value is about a secret but is not one: a link, a time, a label,
/// a count, an identifier, a masked part, a hash, a state.
#[rustfmt::skip]
const NOT_SECRET_HEADS: &[&str] = &[
    "url", "urls", "link", "links", "uri", "href", "path", "route", "endpoint", "page", "at",
    "on", "date", "time", "timestamp", "ts", "changed", "updated", "created", "expires",
    "expiry", "expiration", "exp", "expired", "age", "ttl", "hint", "hints", "label", "policy",
    "rules", "rule", "requirements", "requirement", "strength", "length", "len", "min", "max",
    "help", "text", "title", "placeholder", "format", "field", "prompt", "input", "error",
    "errors", "message", "description", "note", "notes", "tooltip", "instructions", "count",
    "attempts", "attempt", "tries", "retries", "id", "ids", "uuid", "ending", "suffix",
    "prefix", "mask", "masked", "type", "brand", "holder", "name", "hash", "hashed", "digest",
    "salt", "fingerprint", "set", "reset", "change", "changes", "email", "username", "login",
    "user", "status", "state", "enabled", "disabled", "required", "visible", "hidden", "valid",
    "invalid", "exists", "used", "scope", "scopes", "provider", "method", "last4", "lastfour",
    "form", "button", "icon", "image", "img", "class", "style", "color",
];

/// First words that turn a name into a yes/no or a count (`has_password`, `num_tokens`).
#[rustfmt::skip]
const BOOL_PREFIXES: &[&str] = &[
    "has", "have", "is", "are", "can", "should", "need", "needs", "show", "hide", "enable",
    "enabled", "disable", "disabled", "require", "requires", "required", "must", "was", "were",
    "did", "does", "allow", "allows", "use", "uses", "using", "want", "wants", "will",
    "include", "includes", "no", "without", "force", "toggle", "display", "ask", "forgot",
    "forgotten", "lost", "count", "num", "total", "max", "min",
];

/// Verbs that make a name an action on the secret, not the secret: code calls
/// `set_password($_POST['password'])` or `verifyPassword(…)`; what it passes is data
/// flow, not mail text (a getter, `getPassword()`, is still the value).
const ACTION_PREFIXES: &[&str] = &[
    "set", "update", "change", "save", "store", "hash", "verify", "check", "validate", "compare", "encrypt",
    "encode", "send", "delete", "remove", "rehash",
];

/// Nouns that need a modifier (`card number`, `otp code`, `api key`).
const GENERIC_HEADS: &[&str] = &["number", "num", "no", "nr", "code", "key", "digits"];

/// Trailing words that do not change what the value is (`password_confirmation`,
/// `contraseña_nueva`, `api_key_plain`); they are dropped and the name read again.
#[rustfmt::skip]
const TRAILING_NOISE: &[&str] = &[
    "new", "old", "temp", "tmp", "temporary", "initial", "current", "plain", "plaintext", "raw",
    "clear", "cleartext", "value", "val", "confirmation", "confirm", "again", "repeat",
    "retype", "generated", "original", "default", "str", "nueva", "nuevo", "temporal",
    "temporaire", "nouveau", "provisoire", "provisoria", "provisorio", "neu", "neues", "alt",
    "actual", "actuel", "atual", "nova", "novo",
];

/// Words before any secret head that make it not the secret (`hashed_password`).
#[rustfmt::skip]
const NEGATING_MODIFIERS: &[&str] = &[
    "hashed", "hash", "masked", "mask", "redacted", "obfuscated", "salted", "partial",
    "truncated",
];

/// Words before `token`/`secret`-like heads that make it a harmless link or form token.
#[rustfmt::skip]
const HARMLESS_TOKEN_MODIFIERS: &[&str] = &[
    "csrf", "xsrf", "unsubscribe", "unsub", "optout", "out", "tracking", "track", "form",
    "page", "pagination", "next", "prev", "cursor", "continuation", "idempotency", "nonce",
    "preference", "preferences", "manage", "subscription", "subscribe", "device", "push", "fcm",
    "apns", "analytics", "utm", "share", "view", "invite", "invitation", "confirmation",
    "confirm", "activation", "activate", "verify", "verification", "survey", "feedback",
    "rating", "review", "cancel", "publishable", "public",
];

/// Words before `pass`/`pin` that make them a ticket or a map marker.
#[rustfmt::skip]
const HARMLESS_PASS_MODIFIERS: &[&str] = &[
    "boarding", "day", "season", "bus", "train", "event", "hall", "ski", "festival",
    "backstage", "guest", "visitor", "gym", "museum", "transit", "metro", "travel", "annual",
    "weekly", "monthly", "vip", "press", "parking", "hotel", "entry", "access", "map",
    "location", "drop", "hair", "lapel",
];

/// Words that may precede a restricted head (`auth`) for it to be a secret.
const AUTH_MODIFIERS: &[&str] = &["basic", "bearer", "http", "api", "proxy", "smtp", "user"];

/// The word lists above as hash lookups, built once: a template can hold hundreds of
/// placeholders, and a linear pass over ~150 compounds per name showed in profiles.
struct Lexicon {
    /// Compounds by their last word: indexes into [`COMPOUNDS`].
    compounds: HashMap<&'static str, Vec<usize>>,
    secret_heads: HashMap<&'static str, Category>,
    not_secret_heads: HashSet<&'static str>,
    generic_heads: HashSet<&'static str>,
    trailing_noise: HashSet<&'static str>,
}

fn lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        let mut compounds: HashMap<&'static str, Vec<usize>> = HashMap::new();
        for (i, (phrase, _)) in COMPOUNDS.iter().enumerate() {
            if let Some(last) = phrase.last() {
                compounds.entry(*last).or_default().push(i);
            }
        }
        Lexicon {
            compounds,
            // First entry wins, as the linear search did.
            secret_heads: SECRET_HEADS.iter().rev().map(|&(h, c)| (h, c)).collect(),
            not_secret_heads: NOT_SECRET_HEADS.iter().copied().collect(),
            generic_heads: GENERIC_HEADS.iter().copied().collect(),
            trailing_noise: TRAILING_NOISE.iter().copied().collect(),
        }
    })
}

/// Classifies a word list by its head; trailing noise words are dropped and retried.
fn classify_words(words: &[String]) -> Verdict {
    let lex = lexicon();
    let mut end = words.len();
    // Each pass either returns or drops one word, so this ends after `words.len()` passes.
    while end > 0 {
        let ws = &words[..end];
        if let Some(verdict) = compound(ws) {
            return verdict;
        }
        let head = ws[end - 1].as_str();
        let modifier = if end >= 2 {
            Some(ws[end - 2].as_str())
        } else {
            None
        };
        // `pass2`, `cvv2`: a trailing number is a variant, not the head.
        if head.bytes().all(|b| b.is_ascii_digit()) {
            end -= 1;
            continue;
        }
        if lex.not_secret_heads.contains(head) {
            return Verdict::NotSecret;
        }
        if let Some(category) = single_head(head) {
            return secret_with_modifier(category, head, modifier);
        }
        if let Some(&(_, category)) = RESTRICTED_HEADS.iter().find(|(h, _)| *h == head) {
            return match modifier {
                None => Verdict::Secret(category),
                Some(m) if AUTH_MODIFIERS.contains(&m) => Verdict::Secret(category),
                Some(_) => Verdict::Neutral,
            };
        }
        if lex.generic_heads.contains(head) {
            // `totp_code`, `pin_number`: the modifier is itself a secret noun.
            if let Some(category) = modifier.and_then(single_head) {
                return Verdict::Secret(category);
            }
            return Verdict::Generic;
        }
        if lex.trailing_noise.contains(head) && end > 1 {
            end -= 1;
            continue;
        }
        if let Some(verdict) = run_together(head) {
            return verdict;
        }
        return Verdict::Neutral;
    }
    Verdict::Neutral
}

/// The longest compound that ends the word list.
fn compound(ws: &[String]) -> Option<Verdict> {
    let mut best: Option<(usize, Option<Category>)> = None;
    let candidates = lexicon().compounds.get(ws.last()?.as_str())?;
    for &(phrase, category) in candidates.iter().map(|&i| &COMPOUNDS[i]) {
        let n = phrase.len();
        if n > ws.len() || best.is_some_and(|(len, _)| len >= n) {
            continue;
        }
        let tail = &ws[ws.len() - n..];
        if tail.iter().zip(phrase.iter()).all(|(w, p)| w == p) {
            best = Some((n, category));
        }
    }
    let (n, category) = best?;
    let modifier = if ws.len() > n {
        Some(ws[ws.len() - n - 1].as_str())
    } else {
        None
    };
    Some(match category {
        None => Verdict::NotSecret,
        Some(category) => match modifier {
            Some(m) if NEGATING_MODIFIERS.contains(&m) => Verdict::NotSecret,
            _ => Verdict::Secret(category),
        },
    })
}

/// A one-word secret head, accepting a plural (`passwords`, `tokens`).
fn single_head(word: &str) -> Option<Category> {
    let find = |w: &str| lexicon().secret_heads.get(w).copied();
    find(word).or_else(|| {
        let singular = word.strip_suffix('s')?;
        if singular.chars().count() < 3 {
            return None;
        }
        find(singular)
    })
}

/// Applies the word before a secret head: `hashed_password`, `csrf_token`, `boarding_pass`.
fn secret_with_modifier(category: Category, head: &str, modifier: Option<&str>) -> Verdict {
    let Some(m) = modifier else {
        return Verdict::Secret(category);
    };
    if NEGATING_MODIFIERS.contains(&m) {
        return Verdict::NotSecret;
    }
    let tokenish = matches!(head, "token" | "tokens" | "secret" | "cookie" | "jwt");
    if tokenish && HARMLESS_TOKEN_MODIFIERS.contains(&m) {
        return Verdict::NotSecret;
    }
    if matches!(head, "pass" | "pin") && HARMLESS_PASS_MODIFIERS.contains(&m) {
        return Verdict::Neutral;
    }
    Verdict::Secret(category)
}

/// A run-together lowercase word that ends with a long head (`newpassword`, `csrftoken`).
fn run_together(word: &str) -> Option<Verdict> {
    for &(head, category) in SUFFIX_HEADS {
        if let Some(prefix) = word.strip_suffix(head) {
            if prefix.is_empty() {
                continue;
            }
            if matches!(head, "token" | "secret") && HARMLESS_TOKEN_MODIFIERS.contains(&prefix) {
                return Some(Verdict::NotSecret);
            }
            if NEGATING_MODIFIERS.contains(&prefix) {
                return Some(Verdict::NotSecret);
            }
            return Some(Verdict::Secret(category));
        }
    }
    SHORT_SUFFIX_HEADS.iter().find_map(|&(head, category)| {
        let prefix = word.strip_suffix(head)?;
        CREDENTIAL_PREFIXES.contains(&prefix).then_some(Verdict::Secret(category))
    })
}

/// The last `max` bytes of `s`, cut on a character boundary.
fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// Splits a reference into its path segments: `.`, `->`, `::`, `/`, `[ ]`, quotes,
/// parentheses and sigils all separate; numeric indexes and `Model`/`this` are dropped.
fn segments(name: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let bytes = name.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let is_sep = match b {
            b'-' => bytes.get(i + 1) == Some(&b'>'),
            b'.' | b'>' | b':' | b'/' | b'\\' | b'[' | b']' | b'(' | b')' | b'\'' | b'"' | b'`'
            | b'$' | b'@' | b'%' | b'&' | b'*' | b'!' | b'?' | b'#' | b'{' | b'}' | b'|' | b'='
            | b'<' | b'+' | b';' | b',' | b'~' | b'^' => true,
            _ => b.is_ascii_whitespace(),
        };
        if is_sep {
            push_segment(&mut out, &name[start..i]);
            start = i + 1;
        }
        i += 1;
    }
    push_segment(&mut out, &name[start..]);
    out
}

fn push_segment<'a>(out: &mut Vec<&'a str>, segment: &'a str) {
    let segment = segment.trim_matches('-');
    let ignorable = segment.is_empty()
        || segment.bytes().all(|b| b.is_ascii_digit())
        || matches!(
            segment,
            "Model" | "this" | "self" | "ViewBag" | "ViewData" | "TempData"
        );
    if !ignorable {
        out.push(segment);
    }
}

/// Splits one segment into lowercase words on `_`, `-`, spaces, case changes
/// (`TempPassword`, `APIKey`) and letter/digit changes (`pass2`); folds accents so that
/// `contraseña` reads as `contrasena`.
pub(crate) fn split_words(segment: &str) -> Vec<String> {
    #[derive(Clone, Copy, PartialEq)]
    enum K {
        Upper,
        Lower,
        Digit,
    }
    let kind = |c: char| {
        if c.is_ascii_digit() {
            K::Digit
        } else if c.is_uppercase() {
            K::Upper
        } else {
            K::Lower
        }
    };
    let chars: Vec<char> = segment.chars().collect();
    let mut words: Vec<String> = Vec::new();
    let mut current = String::new();
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_alphanumeric() {
            if !current.is_empty() {
                words.push(std::mem::take(&mut current));
            }
            continue;
        }
        if let Some(&prev) = i.checked_sub(1).and_then(|p| chars.get(p)) {
            if prev.is_alphanumeric() {
                let (kp, kc) = (kind(prev), kind(c));
                let next_lower = chars
                    .get(i + 1)
                    .is_some_and(|&n| n.is_alphabetic() && kind(n) == K::Lower);
                let boundary = (kp == K::Lower && kc == K::Upper)
                    || (kp == K::Upper && kc == K::Upper && next_lower)
                    || ((kp == K::Digit) != (kc == K::Digit));
                if boundary && !current.is_empty() {
                    words.push(std::mem::take(&mut current));
                }
            }
        }
        for lower in c.to_lowercase() {
            current.push(fold(lower));
        }
    }
    if !current.is_empty() {
        words.push(current);
    }
    // `2fa` splits as `2`,`fa`; join it back.
    let mut joined: Vec<String> = Vec::with_capacity(words.len());
    for w in words {
        if w == "fa" && joined.last().is_some_and(|p| p == "2") {
            joined.pop();
            joined.push("2fa".to_string());
        } else {
            joined.push(w);
        }
    }
    joined
}

/// Folds the accented Latin letters common in European field names to ASCII.
fn fold(c: char) -> char {
    match c {
        'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' => 'a',
        'é' | 'è' | 'ê' | 'ë' | 'ę' | 'ě' => 'e',
        'í' | 'ì' | 'î' | 'ï' => 'i',
        'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'ő' => 'o',
        'ú' | 'ù' | 'û' | 'ü' | 'ű' | 'ů' => 'u',
        'ñ' | 'ń' | 'ň' => 'n',
        'ç' | 'ć' | 'č' => 'c',
        'ł' => 'l',
        'ş' | 'ś' | 'š' => 's',
        'ž' | 'ź' | 'ż' => 'z',
        'ğ' => 'g',
        'ı' => 'i',
        'ř' => 'r',
        'ý' => 'y',
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOT: Option<Option<Category>> = Some(None);
    const NEU: Option<Option<Category>> = None;
    const fn s(c: Category) -> Option<Option<Category>> {
        Some(Some(c))
    }

    fn expect(name: &str, want: Option<Option<Category>>) -> Result<(), String> {
        let got = classify_name(name);
        let ok = match want {
            Some(Some(c)) => got == NameClass::Secret(c),
            Some(None) => got == NameClass::NotSecret,
            None => got == NameClass::Neutral,
        };
        if ok {
            Ok(())
        } else {
            Err(format!("{name}: got {got:?}, want {want:?}"))
        }
    }

    /// Names from the spec; "not secrets" may be NotSecret or Neutral.
    #[test]
    fn spec_names() {
        let secrets: &[(&str, Category)] = &[
            ("customer.password", PW),
            ("newPassword", PW),
            ("cpanel_pass", PW),
            ("api_key", TK),
            ("secret", TK),
            ("card.number", PC),
            ("cvv", CS),
            ("client_password", PW),
            ("user.password", PW),
            ("account.api_key", TK),
            ("NewPassword", PW),
            ("$a->password", PW),
            ("Model.TempPassword", PW),
            ("ftp_passwd", PW),
            ("wifi_key", PW),
            ("db_dsn", CN),
            ("stripe_secret_key", TK),
            ("otp_code", OTP),
            ("pin", PIN),
        ];
        let mut failures = Vec::new();
        for &(name, category) in secrets {
            if classify_name(name) != NameClass::Secret(category) {
                failures.push(format!(
                    "{name}: got {:?}, want {category}",
                    classify_name(name)
                ));
            }
        }
        for name in [
            "password_reset_url",
            "passwordChangedAt",
            "has_password",
            "password_hint_label",
            "card.last4",
            "password_policy",
            "password_reset",
            "unsubscribe_token",
            "customer.first_name",
            "order.id",
            "invoice_total",
            "api_key_id",
            "password_hash",
            "password_min_length",
        ] {
            if classify_name(name).is_secret() {
                failures.push(format!("{name}: classified as a secret"));
            }
        }
        assert!(failures.is_empty(), "{failures:#?}");
    }

    /// A table of names written for this module (not taken from the corpus).
    #[test]
    fn name_table() {
        let table: &[(&str, Option<Option<Category>>)] = &[
            // Passwords.
            ("password", s(PW)),
            ("Password", s(PW)),
            ("PASSWORD", s(PW)),
            ("user_password", s(PW)),
            ("userPassword", s(PW)),
            ("new-password", s(PW)),
            ("temp_pwd", s(PW)),
            ("admin_pw", s(PW)),
            ("pass2", s(PW)),
            ("password2", s(PW)),
            ("passphrase", s(PW)),
            ("pass_phrase", s(PW)),
            ("account.passcode", s(PW)),
            ("user['password']", s(PW)),
            ("$_POST[\"password\"]", s(PW)),
            ("ViewData[\"Password\"]", s(PW)),
            (".Password", s(PW)),
            ("user->getPassword", s(PW)),
            ("clear_password", s(PW)),
            // Actions on a password in code: a call, not the value.
            ("customer->set_password", NOT),
            ("this->setPassword", NOT),
            ("user.verifyPassword", NOT),
            ("hash_password", NOT),
            ("verifyCode", s(OTP)),
            ("deleteConfirmationCode", s(OTP)),
            ("this.password", s(PW)),
            ("@user.password", s(PW)),
            ("customer::password", s(PW)),
            ("customer/password", s(PW)),
            ("users[0].password", s(PW)),
            ("getPassword()", s(PW)),
            ("password_confirmation", s(PW)),
            ("passwordPlain", s(PW)),
            ("newpassword", s(PW)),
            ("temppassword", s(PW)),
            ("newpass", s(PW)),
            ("$dbpass", s(PW)),
            ("userpwd", s(PW)),
            ("usuario.contraseña", s(PW)),
            ("contraseña_nueva", s(PW)),
            ("nueva_contrasena", s(PW)),
            ("mot_de_passe", s(PW)),
            ("motDePasse", s(PW)),
            ("kennwort", s(PW)),
            ("neues_passwort", s(PW)),
            ("senha_provisoria", s(PW)),
            ("wachtwoord", s(PW)),
            ("hasło", s(PW)),
            ("пароль", s(PW)),
            ("router.wpa_key", s(PW)),
            ("WifiKey", s(PW)),
            ("smtp_credentials", s(PW)),
            ("settings.pass", s(PW)),
            ("passwords", s(PW)),
            // Tokens.
            ("apiKey", s(TK)),
            ("APIKey", s(TK)),
            ("api-key", s(TK)),
            ("apikey", s(TK)),
            ("api.key", s(TK)),
            ("access_token", s(TK)),
            ("refreshToken", s(TK)),
            ("auth_token", s(TK)),
            ("client_secret", s(TK)),
            ("webhook_secret", s(TK)),
            ("aws_secret_access_key", s(TK)),
            ("AWS_ACCESS_KEY", s(TK)),
            ("gitlab_private_token", s(TK)),
            ("session_cookie", s(TK)),
            ("jwt", s(TK)),
            ("bearer", s(TK)),
            ("basic_auth", s(TK)),
            ("auth", s(TK)),
            ("clientsecret", s(TK)),
            ("id_token", s(TK)),
            ("signing_key", s(TK)),
            // Not-secret tokens and keys.
            ("csrf_token", NOT),
            ("csrfToken", NOT),
            ("csrftoken", NOT),
            ("tracking_token", NOT),
            ("opt_out_token", NOT),
            ("unsubscribe.token", NOT),
            ("stripe_publishable_key", NOT),
            ("public_key", NOT),
            ("recaptcha_site_key", NOT),
            ("token_expires_at", NOT),
            ("api_key_last4", NOT),
            ("api_key_prefix", NOT),
            ("license_key", NEU),
            ("cache_key", NEU),
            ("two_factor_auth", NEU),
            ("key", NEU),
            // Private keys and connection strings.
            ("private_key", s(PK)),
            ("privateKey", s(PK)),
            ("ssh_key", s(PK)),
            ("server.privkey", s(PK)),
            ("id_rsa", s(PK)),
            ("tls_pem", s(PK)),
            ("private_key_id", NOT),
            ("ssh_key_fingerprint", NOT),
            ("database_url", s(CN)),
            ("DATABASE_URL", s(CN)),
            ("connection_string", s(CN)),
            ("connectionString", s(CN)),
            ("mongo_uri", s(CN)),
            ("dsn", s(CN)),
            // Cards.
            ("card_number", s(PC)),
            ("cardNumber", s(PC)),
            ("cc_number", s(PC)),
            ("credit_card_number", s(PC)),
            ("payment.card.number", s(PC)),
            ("card.pan", s(PC)),
            ("card_last4", NOT),
            ("card.last_four", NOT),
            ("card_brand", NOT),
            ("card.type", NOT),
            ("card_holder_name", NOT),
            ("card.exp", NOT),
            ("card_expiry", NOT),
            ("masked_card_number", NOT),
            ("card.cvv", s(CS)),
            ("cvv2", s(CS)),
            ("cvc", s(CS)),
            ("card_security_code", s(CS)),
            ("card.code", s(CS)),
            // PINs and one-time codes.
            ("pin_code", s(PIN)),
            ("account.pin", s(PIN)),
            ("voicemail_pin", s(PIN)),
            ("pin_hint", NOT),
            ("map_pin", NEU),
            ("boarding_pass", NEU),
            ("otp", s(OTP)),
            ("totp_code", s(OTP)),
            ("verification_code", s(OTP)),
            ("verificationCode", s(OTP)),
            ("one_time_code", s(OTP)),
            ("one_time_password", s(OTP)),
            ("2fa_code", s(OTP)),
            ("mfa_code", s(OTP)),
            ("login_code", s(OTP)),
            ("otp.code", s(OTP)),
            ("otp_expiry", NOT),
            ("otp_attempts", NOT),
            // Reset links.
            ("reset_token", s(RL)),
            ("password_reset_token", s(RL)),
            ("resetCode", s(RL)),
            ("magic_link", s(RL)),
            ("reset_password_token", s(RL)),
            ("reset_link", s(RL)),
            ("U_RESET_PASSWORD", s(RL)),
            ("resetPassword", s(RL)),
            ("u_lost_password", s(RL)),
            ("new_password", s(PW)),
            ("password_reset_url", NOT),
            ("forgot_password_url", NOT),
            ("login_url", NOT),
            // Not secrets around passwords.
            ("hashed_password", NOT),
            ("password_digest", NOT),
            ("password_salt", NOT),
            ("passwordIsSet", NOT),
            ("isPasswordSet", NOT),
            ("password_changed_at", NOT),
            ("password_expires", NOT),
            ("password_strength", NOT),
            ("password_requirements", NOT),
            ("password_length", NOT),
            ("password_attempts", NOT),
            ("show_password", NOT),
            ("password?", NOT),
            ("forgot_password", NOT),
            ("password.hint", NOT),
            ("password_field", NOT),
            ("num_passwords", NOT),
            ("password_change", NOT),
            ("username", NOT),
            ("user.email", NOT),
            // Neutral.
            ("order.total", NEU),
            ("customer.first_name", NOT),
            ("first_name", NOT),
            ("invoice.number", NEU),
            ("coupon_code", NEU),
            ("postal_code", NEU),
            ("phone_number", NEU),
            ("compass", NEU),
            ("bypass", NEU),
            ("surpass", NEU),
            ("session", NEU),
            ("training_session", NEU),
            ("items[0]", NEU),
            ("", NEU),
            ("Model", NEU),
            ("$a", NEU),
            ("company", NEU),
            ("ticket.subject", NEU),
        ];
        assert!(table.len() >= 100, "table has {} names", table.len());
        let failures: Vec<String> = table
            .iter()
            .filter_map(|&(name, want)| expect(name, want).err())
            .collect();
        assert!(
            failures.is_empty(),
            "{} failures: {failures:#?}",
            failures.len()
        );
    }

    #[test]
    fn long_and_odd_names_do_not_panic() {
        let long = "a.".repeat(10_000) + "password";
        assert_eq!(classify_name(&long), NameClass::Secret(PW));
        for odd in [
            "é",
            "[[[",
            "->->",
            "::",
            "'\"",
            "ÅÅÅ",
            "𝔭𝔞𝔰𝔰",
            "a\u{0}b",
            "__",
            "-",
        ] {
            let _ = classify_name(odd);
        }
        // A cut in the middle of a multi-byte character is moved to a boundary.
        let s = "ñ".repeat(200);
        let _ = classify_name(&s);
    }

    #[test]
    fn words_split_on_case_digits_and_separators() {
        assert_eq!(split_words("APIKey"), ["api", "key"]);
        assert_eq!(
            split_words("passwordChangedAt"),
            ["password", "changed", "at"]
        );
        assert_eq!(split_words("pass2"), ["pass", "2"]);
        assert_eq!(split_words("card-last4"), ["card", "last", "4"]);
        assert_eq!(split_words("2fa_code"), ["2fa", "code"]);
        assert_eq!(split_words("Contraseña"), ["contrasena"]);
        assert_eq!(segments("$a->password"), ["a", "password"]);
        assert_eq!(segments("user['password']"), ["user", "password"]);
        assert_eq!(segments("Model.TempPassword"), ["TempPassword"]);
    }
}
