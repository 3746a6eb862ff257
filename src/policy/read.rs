//! The wasm build's readers of a policy (TOML or JSON, through `super::tree`): by hand through
//! [`Fields`] rather than the derived visitors of `Policy` and its tables (`tree::Read` says
//! why). Natively `toml` and serde_json read them; the tests below hold these readers to the
//! derived ones through the same tree.

use super::tree::{Read, ReadError, Value};
use super::types::{
    Action, ActionEntry, Allow, Category, Confidence, Context, Detector, Format, Kind, Lexicon, LexiconRole, Limits,
    Policy, Rule, Source, Unscanned, UnscannedAction, Validator,
};

/// `Read` for unit-only enums: each variant by its serde name (`snake_case`), in the order
/// the enum declares them, through the one [`Value::variant`] instead of a derived visitor
/// per enum.
macro_rules! read_variants {
    ($($enum:ident { $($name:literal => $variant:ident,)* })*) => {$(
        impl Read for $enum {
            fn read(value: Value<'_>) -> Result<Self, ReadError> {
                const NAMES: &[&str] = &[$($name),*];
                const ALL: &[$enum] = &[$($enum::$variant),*];
                Ok(ALL[value.variant(NAMES)?])
            }
        }
    )*};
}

read_variants! {
    Detector { "placeholder" => Placeholder, "table_column" => TableColumn, "labelled_value" => LabelledValue, }
    Validator {
        "luhn" => Luhn, "card_issuer" => CardIssuer, "card_in_match" => CardInMatch, "entropy" => Entropy,
        "jwt" => Jwt, "pem" => Pem, "password_value" => PasswordValue, "pin" => Pin,
        "not_identifier" => NotIdentifier, "url_credentials" => UrlCredentials, "url_token" => UrlToken,
    }
    Category {
        "password" => Password, "token" => Token, "private_key" => PrivateKey,
        "connection_string" => ConnectionString, "payment_card" => PaymentCard, "card_security" => CardSecurity,
        "pin" => Pin, "one_time_code" => OneTimeCode, "reset_link" => ResetLink, "limit" => Limit,
        "suppression" => Suppression,
    }
    LexiconRole {
        "label" => Label, "pair" => Pair, "connector" => Connector, "before" => Before, "prose" => Prose,
        "identifier" => Identifier, "card_label" => CardLabel, "greeting" => Greeting,
    }
    Source { "literal" => Literal, "placeholder" => Placeholder, }
    Context {
        "generic" => Generic, "invoice" => Invoice, "ticket_ack" => TicketAck, "welcome" => Welcome,
        "password_reset" => PasswordReset, "otp" => Otp,
    }
    Action { "pass" => Pass, "warn" => Warn, "block" => Block, }
    Confidence { "low" => Low, "medium" => Medium, "high" => High, }
    Kind { "auto" => Auto, "rendered" => Rendered, "template" => Template, }
    Format { "auto" => Auto, "text" => Text, "html" => Html, "eml" => Eml, }
    UnscannedAction { "warn" => Warn, "block" => Block, }
}

impl Read for Policy {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] =
            &["extends", "description", "disable", "actions", "allow", "limits", "unscanned", "rules", "lexicons"];
        let mut policy = Policy::default();
        value.fields("struct Policy", NAMES)?.each(&mut |index, value| {
            match index {
                0 => policy.extends = value.get()?,
                1 => policy.description = value.get()?,
                2 => policy.disable = value.get()?,
                3 => policy.actions = value.list()?,
                4 => policy.allow = Allow::read(value)?,
                5 => policy.limits = Limits::read(value)?,
                6 => policy.unscanned = Unscanned::read(value)?,
                7 => policy.rules = value.list()?,
                _ => policy.lexicons = value.list()?,
            }
            Ok(())
        })?;
        Ok(policy)
    }
}

impl Read for Lexicon {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &["id", "role", "category", "description", "words", "examples", "counterExamples"];
        let (mut id, mut role, mut words) = (None, None, None);
        let mut lexicon = Lexicon::default();
        let fields = value.fields("struct Lexicon", NAMES)?.each(&mut |index, value| {
            match index {
                0 => id = Some(value.get()?),
                1 => role = Some(LexiconRole::read(value)?),
                2 => lexicon.category = value.some()?,
                3 => lexicon.description = value.get()?,
                4 => words = Some(value.get()?),
                5 => lexicon.examples = value.get()?,
                _ => lexicon.counter_examples = value.get()?,
            }
            Ok(())
        })?;
        lexicon.id = fields.required(id, "id")?;
        lexicon.role = fields.required(role, "role")?;
        lexicon.words = fields.required(words, "words")?;
        Ok(lexicon)
    }
}

impl Read for Rule {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &[
            "id",
            "category",
            "description",
            "provider",
            "pattern",
            "detector",
            "keywords",
            "validators",
            "minEntropy",
            "confidence",
            "kinds",
            "message",
            "examples",
            "counterExamples",
        ];
        let (mut id, mut category) = (None, None);
        let mut rule = Rule::default();
        let fields = value.fields("struct Rule", NAMES)?.each(&mut |index, value| {
            match index {
                0 => id = Some(value.get()?),
                1 => category = Some(Category::read(value)?),
                2 => rule.description = value.get()?,
                3 => rule.provider = value.get()?,
                4 => rule.pattern = value.get()?,
                5 => rule.detector = value.some()?,
                6 => rule.keywords = value.get()?,
                7 => rule.validators = value.list()?,
                8 => rule.min_entropy = value.get()?,
                9 => rule.confidence = Confidence::read(value)?,
                10 => rule.kinds = value.list()?,
                11 => rule.message = value.get()?,
                12 => rule.examples = value.get()?,
                _ => rule.counter_examples = value.get()?,
            }
            Ok(())
        })?;
        rule.id = fields.required(id, "id")?;
        rule.category = fields.required(category, "category")?;
        Ok(rule)
    }
}

impl Read for ActionEntry {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &["category", "source", "context", "confidence", "rule", "action"];
        let mut action = None;
        let mut entry = ActionEntry::default();
        let fields = value.fields("struct ActionEntry", NAMES)?.each(&mut |index, value| {
            match index {
                0 => entry.category = value.some()?,
                1 => entry.source = value.some()?,
                2 => entry.context = value.some()?,
                3 => entry.confidence = value.some()?,
                4 => entry.rule = value.get()?,
                _ => action = Some(Action::read(value)?),
            }
            Ok(())
        })?;
        entry.action = fields.required(action, "action")?;
        Ok(entry)
    }
}

impl Read for Allow {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        let mut allow = Allow::default();
        value.fields("struct Allow", &["rules", "valueHashes", "paths"])?.each(&mut |index, value| {
            *(match index {
                0 => &mut allow.rules,
                1 => &mut allow.value_hashes,
                _ => &mut allow.paths,
            }) = value.get()?;
            Ok(())
        })?;
        Ok(allow)
    }
}

impl Read for Limits {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        const NAMES: &[&str] = &[
            "maxPatternLen",
            "maxRuleSize",
            "maxRules",
            "maxDocumentBytes",
            "maxFindings",
            "maxMessageBytes",
            "maxParts",
            "maxDepth",
            "maxPartBytes",
        ];
        // `#[serde(default)]` on the struct: an absent limit keeps its default.
        let mut limits = Limits::default();
        value.fields("struct Limits", NAMES)?.each(&mut |index, value| {
            *(match index {
                0 => &mut limits.max_pattern_len,
                1 => &mut limits.max_rule_size,
                2 => &mut limits.max_rules,
                3 => &mut limits.max_document_bytes,
                4 => &mut limits.max_findings,
                5 => &mut limits.max_message_bytes,
                6 => &mut limits.max_parts,
                7 => &mut limits.max_depth,
                _ => &mut limits.max_part_bytes,
            }) = value.get()?;
            Ok(())
        })?;
        Ok(limits)
    }
}

impl Read for Unscanned {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        let mut unscanned = Unscanned::default();
        value.fields("struct Unscanned", &["action"])?.each(&mut |_, value| {
            unscanned.action = UnscannedAction::read(value)?;
            Ok(())
        })?;
        Ok(unscanned)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::tree::{from_json, from_toml, read_json, read_toml};

    /// The hand-written readers and the derived `Deserialize` agree on TOML and JSON through
    /// the same tree: the same value, or the same message at the same place.
    fn same_toml(text: &str) {
        assert!(read_toml::<Policy>(text) == from_toml::<Policy>(text), "{text}: {:?}", read_toml::<Policy>(text).err());
    }

    fn same_json(text: &str) {
        assert!(read_json::<Policy>(text) == from_json::<Policy>(text), "{text}: {:?}", read_json::<Policy>(text).err());
    }

    #[test]
    fn the_default_policy_reads_as_derived() {
        same_toml(crate::policy::default_policy_toml());
        same_toml(include_str!("../../policy/default.toml"));
        same_json(&serde_json::to_string_pretty(&Policy::default_policy()).unwrap());
    }

    /// An enum read by [`read_variants`] and by its derived `Deserialize` through the tree.
    fn same_enum<T: Read + serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(names: &[&str]) {
        let mut texts: Vec<String> = names.iter().map(|name| format!("\"{name}\"")).collect();
        texts.extend(["\"bogus\"", "\"\"", "3", "true", "[]", "{}"].map(String::from));
        for text in texts {
            assert_eq!(read_json::<T>(&text), from_json::<T>(&text), "{text}");
        }
    }

    #[test]
    fn enums_read_as_derived() {
        same_enum::<Detector>(&["placeholder", "table_column", "labelled_value"]);
        same_enum::<Validator>(&[
            "luhn", "card_issuer", "card_in_match", "entropy", "jwt", "pem", "password_value", "pin", "not_identifier",
            "url_credentials", "url_token",
        ]);
        same_enum::<Category>(&Category::ALL.map(Category::as_str));
        same_enum::<LexiconRole>(&["label", "pair", "connector", "before", "prose", "identifier", "card_label", "greeting"]);
        same_enum::<Source>(&["literal", "placeholder"]);
        same_enum::<Context>(&Context::ALL.map(Context::as_str));
        same_enum::<Action>(&["pass", "warn", "block"]);
        same_enum::<Confidence>(&["low", "medium", "high"]);
        same_enum::<Kind>(&["auto", "rendered", "template"]);
        same_enum::<Format>(&["auto", "text", "html", "eml"]);
        same_enum::<UnscannedAction>(&["warn", "block"]);
        // Every variant is named: serialized, each name reads back as its variant.
        for category in Category::ALL {
            let json = serde_json::to_string(&category).unwrap();
            assert_eq!(read_json::<Category>(&json), Ok(category));
        }
    }

    #[test]
    fn values_and_errors_read_as_derived() {
        let rule = "[[rules]]\nid = \"r\"\ncategory = \"token\"\npattern = 'x'\n";
        let lexicon = "[[lexicons]]\nid = \"l\"\nrole = \"label\"\nwords = [\"pin\"]\n";
        for text in [
            "extends = \"default\"\ndisable = [\"pin-label\"]\ndescription = \"d\"\n".to_owned(),
            format!("{rule}minEntropy = 3.5\nvalidators = [\"entropy\", \"luhn\"]\nkinds = [\"rendered\"]\n"),
            format!("{rule}minEntropy = 4\ndetector = \"placeholder\"\nprovider = \"p\"\nmessage = \"m\"\n"),
            format!("{rule}minEntropy = inf\n"),
            format!("{rule}minEntropy = \"high\"\n"),
            format!("{rule}confidence = \"certain\"\n"),
            format!("{rule}confidence = \"high\"\nkeywords = [\"k\"]\nexamples = [\"e\"]\ncounterExamples = [\"c\"]\n"),
            format!("{rule}validators = \"luhn\"\n"),
            format!("{rule}validators = [3]\n"),
            format!("{rule}detector = \"nope\"\n"),
            format!("{rule}patern = 'y'\n"),
            format!("{rule}examples = [\"a\", 1]\n"),
            format!("{rule}category = \"token\"\n"),
            format!("{rule}kinds = [\"template\", \"x\"]\n"),
            "[[rules]]\nid = 3\n".to_owned(),
            "[[rules]]\ncategory = \"token\"\n".to_owned(),
            "[[rules]]\nid = \"r\"\n".to_owned(),
            "rules = 3\n".to_owned(),
            "rules = [3]\n".to_owned(),
            "nonsense = true\n".to_owned(),
            "rules = [ this is not toml".to_owned(),
            "[limits]\nmaxDocumentBytes = 64\nmaxFindings = -1\n".to_owned(),
            "[limits]\nmaxDocumentBytes = 0x40\nmaxParts = 1_000\nmaxDepth = 2\nmaxPatternLen = 1\n".to_owned(),
            "[limits]\nmaxRuleSize = 1\nmaxRules = 2\nmaxMessageBytes = 3\nmaxPartBytes = 4\n".to_owned(),
            "[limits]\nmaxDept = 2\n".to_owned(),
            "limits = 2\n".to_owned(),
            "[allow]\nrules = [\"a\"]\nvalueHashes = []\npaths = [\"**/*.eml\"]\n".to_owned(),
            "[allow]\nrule = [\"a\"]\n".to_owned(),
            "[allow]\npaths = \"a\"\n".to_owned(),
            "[unscanned]\naction = \"block\"\n".to_owned(),
            "[unscanned]\naction = \"pass\"\n".to_owned(),
            "[unscanned]\nactions = \"warn\"\n".to_owned(),
            "[[actions]]\ncategory = \"reset_link\"\ncontext = \"password_reset\"\naction = \"pass\"\n".to_owned(),
            "[[actions]]\nsource = \"html\"\nconfidence = \"low\"\nrule = \"r\"\naction = \"warn\"\n".to_owned(),
            "[[actions]]\ncategory = \"reset_link\"\n".to_owned(),
            "[[actions]]\naction = \"pass\"\ncontext = \"nowhere\"\n".to_owned(),
            "actions = [{ action = \"pass\" }, 3]\n".to_owned(),
            lexicon.to_owned(),
            format!("{lexicon}category = \"pin\"\ndescription = \"d\"\nexamples = [\"e\"]\ncounterExamples = [\"c\"]\n"),
            "[[lexicons]]\nid = \"l\"\nrole = \"label\"\n".to_owned(),
            "[[lexicons]]\nid = \"l\"\nwords = []\n".to_owned(),
            "[[lexicons]]\nrole = \"oops\"\nwords = []\n".to_owned(),
            "[[lexicons]]\nid = \"l\"\nrole = \"label\"\nwords = []\nword = 1\n".to_owned(),
            "description = \"\"\"\nmulti\nline\"\"\"\n".to_owned(),
            "description = 1979-05-27\n".to_owned(),
        ] {
            same_toml(&text);
        }
        for text in [
            r#"{"extends":"default","rules":[{"id":"r","category":"token","pattern":"x","minEntropy":3}]}"#,
            r#"{"rules":[{"id":"r"}]}"#,
            r#"{"rules":{"id":"r"}}"#,
            r#"{"limits":{"maxFindings":1.5}}"#,
            r#"{"allow":[]}"#,
            r#"{"lexicons":[{"id":"l","role":"pair","words":["a"]}],"unscanned":{}}"#,
            r#"[]"#,
            r#"{"description":null,"disable":[null]}"#,
        ] {
            same_json(text);
        }
    }
}
