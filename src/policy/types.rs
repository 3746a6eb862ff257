//! Policy data types. Field names are camelCase in JSON and TOML alike.

use serde::{Deserialize, Serialize};
use std::fmt;

/// A complete policy: what to look for, and what to do about it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Policy {
    /// `"default"` to build on the default policy; absent, the policy stands alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    /// Human description of the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Rule ids of the base policy to drop (only with `extends`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub disable: Vec<String>,
    /// Actions per category × source × context; the most specific entry wins.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<ActionEntry>,
    /// Allow-lists.
    #[serde(default, skip_serializing_if = "Allow::is_empty")]
    pub allow: Allow,
    /// Resource limits for compiling and scanning.
    #[serde(default, skip_serializing_if = "Limits::is_default")]
    pub limits: Limits,
    /// What a document with parts that could hold text and were not read gets.
    #[serde(default, skip_serializing_if = "Unscanned::is_default")]
    pub unscanned: Unscanned,
    /// The rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<Rule>,
    /// Word lists that the labelled-value detector reads its evidence from: the labels of
    /// each secret, the phrases that connect a label to its value, prose and identifier
    /// words that speak against a value. Data, so that a language is added without code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub lexicons: Vec<Lexicon>,
}

/// One word list of the labelled-value detector (see [`LexiconRole`] for what each role
/// means). Like a rule, it proves itself: its examples must be found by the policy's
/// detectors and its counter-examples must not.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Lexicon {
    /// Stable identifier, e.g. `password-labels-de`. A policy that extends the default
    /// replaces the default's lexicon of the same id.
    pub id: String,
    /// What the words are evidence of.
    pub role: LexiconRole,
    /// For labels: the category of the secret they name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// One line for people.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The words or phrases, matched case-insensitively on word boundaries.
    pub words: Vec<String>,
    /// Texts in which the policy must find a secret (of `category`, when set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Texts in which the policy must find nothing.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_examples: Vec<String>,
}

/// What a lexicon's words are evidence of.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LexiconRole {
    /// Names a secret of the lexicon's category (`password`, `Kennwort`, `PIN`): a value
    /// after it, joined by a separator or a connecting phrase, is that secret.
    #[default]
    Label,
    /// Introduces a user name and a secret together (`credentials: jdoe / secret`).
    Pair,
    /// Joins a label to the value after it (`is`, `was changed to`, `lautet`).
    Connector,
    /// Joins a value to the label after it (`X is your password`, `use X as your password`).
    Before,
    /// Words that, as the value, say there is none (`unchanged`, `inchangé`, `wie bisher`),
    /// or, between a label and a colon, that the label is about something else (`policy`).
    Prose,
    /// Labels of identifiers (`order`, `reference`, `tracking`): a number after one is
    /// not a card or a PIN.
    Identifier,
    /// Labels of a payment card (`card`, `Visa`, `Kartennummer`).
    CardLabel,
    /// Greetings (`Hello`, `Dear`, `Bonjour`): a placeholder right after one is a name.
    Greeting,
}

/// One detection rule. A rule is data: its pattern, the keywords that must be present
/// for it to run, a validator that cuts false positives, and the examples that prove it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Rule {
    /// Stable identifier, e.g. `github-pat`. Used in reports, allow-lists and suppressions.
    pub id: String,
    /// What kind of secret a match is.
    pub category: Category,
    /// One line for people: what the rule finds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The vendor whose documented token format the rule finds (`GitHub`, `Stripe`);
    /// absent for rules that find a kind of secret rather than one vendor's format.
    /// `sendguard policy check` counts them and `docs/RULES.md` lists them by vendor.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider: Option<String>,
    /// A regular expression (linear-time subset: no look-around, no back-references).
    /// A capture group named `secret` marks the part to report; otherwise the whole match.
    /// Absent for rules backed by a built-in detector.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
    /// A built-in detector instead of (or driving) the pattern: `placeholder`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detector: Option<Detector>,
    /// Literals of which at least one must occur in the document for the rule to run at
    /// all (case-insensitive: ASCII letters, and the upper/lower-case forms of others).
    /// Empty: the rule always runs. When every match of the pattern provably contains a
    /// keyword, the rule searches only around keyword hits, which is far cheaper: write
    /// keywords that appear *in* the match (`ghp_`, the label) rather than near it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// Checks applied to the `secret` part of each match; all must pass.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validators: Vec<Validator>,
    /// Minimum Shannon entropy (bits per character) for the `entropy` validator.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_entropy: Option<f64>,
    /// How sure a match of this rule is.
    #[serde(default)]
    pub confidence: Confidence,
    /// Which document kinds the rule applies to; empty means all.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<Kind>,
    /// What the author should do instead (shown with every finding).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// Texts the rule must find something in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<String>,
    /// Texts the rule must find nothing in.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub counter_examples: Vec<String>,
}

/// Built-in detectors that a rule can name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Detector {
    /// Template placeholders whose referenced name classifies into the rule's category.
    Placeholder,
    /// Tables (CSV, TSV, HTML) under a header that names a secret of the rule's category:
    /// each non-empty cell of that column that the rule's validators accept. The rule's
    /// keywords find the header lines. See [`crate::rules::table`].
    TableColumn,
    /// Values by evidence: a password- or PIN-shaped value near a label of the rule's
    /// category (from the policy's label lexicons), scored by how the two are joined and
    /// what the value looks like; the score is the finding's confidence.
    LabelledValue,
}

/// Validators applied to a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Validator {
    /// Luhn checksum over the digits (card numbers).
    Luhn,
    /// A known card issuer prefix and length.
    CardIssuer,
    /// The match starts with a full card number (Luhn and issuer), as when an expiry date
    /// is reported only next to a full number.
    CardInMatch,
    /// Shannon entropy at least `minEntropy` (default 3.0), and not a plain word or number.
    Entropy,
    /// A JSON Web Token: three base64url parts, the first decoding to a JSON header with `alg`.
    Jwt,
    /// A PEM private key block with a body of base64 lines.
    Pem,
    /// A password-like value after a label: not a mask, not prose, not blank, not a placeholder.
    PasswordValue,
    /// A PIN-like value: 4–8 digits, not a year, a date part or an amount.
    Pin,
    /// Not a UUID, invoice number, tracking id or other identifier-shaped value.
    NotIdentifier,
    /// A URL whose userinfo has a real password (not a placeholder, not `***`).
    UrlCredentials,
    /// A URL that carries a bearer token (a path segment or query value of 16+ random
    /// characters): a reset or sign-in link works for whoever holds it.
    UrlToken,
}

/// Categories of findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// Plaintext passwords and passphrases.
    #[default]
    Password,
    /// API keys, access and refresh tokens, webhook secrets, session cookies.
    Token,
    /// Private keys (PEM, SSH).
    PrivateKey,
    /// URLs and DSNs carrying credentials.
    ConnectionString,
    /// Full payment card numbers.
    PaymentCard,
    /// CVV/CVC codes and expiry dates next to a full number.
    CardSecurity,
    /// PINs.
    Pin,
    /// One-time codes (OTP, verification codes).
    OneTimeCode,
    /// Password-reset and magic sign-in links.
    ResetLink,
    /// A scan limit was reached: part of the input was not read.
    Limit,
    /// A problem with an inline suppression (e.g. no reason given).
    Suppression,
}

impl Category {
    /// Every category, in a stable order.
    pub const ALL: [Category; 11] = [
        Category::Password,
        Category::Token,
        Category::PrivateKey,
        Category::ConnectionString,
        Category::PaymentCard,
        Category::CardSecurity,
        Category::Pin,
        Category::OneTimeCode,
        Category::ResetLink,
        Category::Limit,
        Category::Suppression,
    ];

    /// The snake_case name used in policies and reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Password => "password",
            Category::Token => "token",
            Category::PrivateKey => "private_key",
            Category::ConnectionString => "connection_string",
            Category::PaymentCard => "payment_card",
            Category::CardSecurity => "card_security",
            Category::Pin => "pin",
            Category::OneTimeCode => "one_time_code",
            Category::ResetLink => "reset_link",
            Category::Limit => "limit",
            Category::Suppression => "suppression",
        }
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Where a finding came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// A literal value in the text.
    #[default]
    Literal,
    /// A template placeholder that will be filled with a secret.
    Placeholder,
}

impl Source {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Literal => "literal",
            Source::Placeholder => "placeholder",
        }
    }
}

/// What a message is: the same value means different things in different mails.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Context {
    /// Anything else.
    #[default]
    Generic,
    /// Invoices and statements.
    Invoice,
    /// Ticket acknowledgements and other automatic replies.
    TicketAck,
    /// Welcome and account-created mails.
    Welcome,
    /// Password-reset mails (a reset link is expected).
    PasswordReset,
    /// One-time-code mails (a code is expected).
    Otp,
}

impl Context {
    /// Every context.
    pub const ALL: [Context; 6] = [
        Context::Generic,
        Context::Invoice,
        Context::TicketAck,
        Context::Welcome,
        Context::PasswordReset,
        Context::Otp,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Context::Generic => "generic",
            Context::Invoice => "invoice",
            Context::TicketAck => "ticket_ack",
            Context::Welcome => "welcome",
            Context::PasswordReset => "password_reset",
            Context::Otp => "otp",
        }
    }

    /// Parses a context name; also accepts common aliases (`statement`, `hosting_welcome`).
    pub fn parse(name: &str) -> Option<Context> {
        Some(match name.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "generic" | "" => Context::Generic,
            "invoice" | "statement" | "billing" => Context::Invoice,
            "ticket_ack" | "ticket" | "acknowledgement" | "acknowledgment" => Context::TicketAck,
            "welcome" | "hosting_welcome" | "account_created" => Context::Welcome,
            "password_reset" | "reset" => Context::PasswordReset,
            "otp" | "one_time_code" | "verification" => Context::Otp,
            _ => return None,
        })
    }
}

/// What to do about a finding, and the verdict of a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    /// Nothing to do.
    #[default]
    Pass,
    /// Show it; let the message go.
    Warn,
    /// Stop the message.
    Block,
}

impl Action {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Action::Pass => "pass",
            Action::Warn => "warn",
            Action::Block => "block",
        }
    }
}

/// How sure a rule is of its matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Confidence {
    /// Often wrong; worth a look.
    Low,
    /// Usually right.
    Medium,
    /// Almost never wrong (a documented token format, a checksum passed).
    #[default]
    High,
}

impl Confidence {
    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Confidence::Low => "low",
            Confidence::Medium => "medium",
            Confidence::High => "high",
        }
    }
}

/// What a document is: a template (placeholders not filled in) or rendered mail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Decide from the content (placeholders present → template).
    #[default]
    Auto,
    /// What a recipient receives.
    Rendered,
    /// A template with placeholders.
    Template,
}

/// The format of a document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum Format {
    /// Decide from the content.
    #[default]
    Auto,
    /// Plain text.
    Text,
    /// HTML.
    Html,
    /// A raw RFC 5322 message.
    Eml,
}

/// One entry of the action table. Unset fields match anything; among the entries that
/// match a finding, the one with the most fields set wins, and the later one on a tie.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ActionEntry {
    /// Category to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<Category>,
    /// Source to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    /// Context to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<Context>,
    /// Confidence to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Rule id to match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// What to do.
    pub action: Action,
}

/// Allow-lists. Allowed findings are not dropped: they are listed under `suppressed`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Allow {
    /// Rule ids that never report.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rules: Vec<String>,
    /// SHA-256 (lowercase hex) of exact secret values that are allowed (test fixtures, demo keys).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub value_hashes: Vec<String>,
    /// Path globs (`*`, `**`, `?`) of documents that are not scanned for findings.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub paths: Vec<String>,
}

impl Allow {
    /// True when nothing is allowed.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty() && self.value_hashes.is_empty() && self.paths.is_empty()
    }
}

/// The `[unscanned]` table: the least verdict of a document that lists parts which could
/// hold text and were not read (an unknown or undecodable part, an encrypted archive or
/// PDF, a part past a limit, a multipart that could not be split). There is no `pass`:
/// a check in the send path must never say pass for what it did not read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Unscanned {
    /// `warn` (the default) or `block`.
    #[serde(default)]
    pub action: UnscannedAction,
}

impl Unscanned {
    /// True for the default (`warn`).
    pub fn is_default(&self) -> bool {
        *self == Unscanned::default()
    }
}

/// The actions that `[unscanned]` accepts: [`Action`] without `pass`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum UnscannedAction {
    /// Let the message go, and say what was not read.
    #[default]
    Warn,
    /// Stop the message.
    Block,
}

impl From<UnscannedAction> for Action {
    fn from(action: UnscannedAction) -> Action {
        match action {
            UnscannedAction::Warn => Action::Warn,
            UnscannedAction::Block => Action::Block,
        }
    }
}

/// Limits. Patterns come from users and inputs from anywhere, so both are bounded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields, default)]
pub struct Limits {
    /// Largest pattern accepted, in bytes of source.
    pub max_pattern_len: usize,
    /// Largest compiled form of one rule, in bytes (NFA size limit).
    pub max_rule_size: usize,
    /// Most rules in one policy.
    pub max_rules: usize,
    /// Largest document scanned, in bytes; the rest is not read and a `limit` finding says so.
    pub max_document_bytes: usize,
    /// Most findings reported per document; the rest are counted, not listed.
    pub max_findings: usize,
    /// Largest raw message, in bytes (MIME).
    pub max_message_bytes: usize,
    /// Most MIME parts read.
    pub max_parts: usize,
    /// Deepest MIME nesting read.
    pub max_depth: usize,
    /// Largest decoded part, in bytes.
    pub max_part_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_pattern_len: 4096,
            max_rule_size: 1 << 20,
            max_rules: 2000,
            max_document_bytes: 64 << 20,
            max_findings: 1000,
            max_message_bytes: 64 << 20,
            max_parts: 500,
            max_depth: 16,
            max_part_bytes: 32 << 20,
        }
    }
}

impl Limits {
    /// True when every limit has its default value.
    pub fn is_default(&self) -> bool {
        *self == Limits::default()
    }
}
