//! Detectors and validators: what turns a pattern match into a finding, and what finds
//! template placeholders.

pub mod code;
pub mod evidence;
pub mod example_value;
pub mod labels;
pub mod lexicon;
pub mod names;
pub mod placeholder;
pub mod position;
pub mod table;
pub mod validators;

use crate::policy::Validator;

/// What a validator sees of one match.
#[derive(Debug, Clone, Copy)]
pub struct Candidate<'a> {
    /// The part to report (the `secret` group, or the whole match).
    pub secret: &'a str,
    /// The whole match.
    pub whole: &'a str,
    /// The text after the match, up to a short distance (for prose checks).
    pub after: &'a str,
}

/// Runs one validator. `min_entropy` is the rule's `minEntropy` (default 3.0).
pub fn validate(validator: Validator, c: &Candidate<'_>, min_entropy: Option<f64>) -> bool {
    match validator {
        Validator::Luhn => validators::luhn_valid(c.secret),
        Validator::CardIssuer => validators::card_issuer_known(c.secret),
        Validator::CardInMatch => validators::starts_with_card(c.whole),
        Validator::Entropy => validators::entropy_ok(c.secret, min_entropy.unwrap_or(3.0)),
        Validator::Jwt => validators::jwt_valid(c.secret),
        Validator::Pem => validators::pem_private_key_valid(c.secret),
        Validator::NotIdentifier => validators::not_identifier(c.secret),
        Validator::UrlCredentials => validators::url_has_credentials(c.secret),
        Validator::PasswordValue => labels::password_value(c),
        Validator::Pin => labels::pin_value(c),
        Validator::UrlToken => labels::url_has_token(c.secret),
    }
}
