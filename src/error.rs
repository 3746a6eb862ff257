//! Errors. One type for the crate, with a kind for callers that branch on it and a
//! message that says what failed: which rule, which policy field, which part.
//! Messages never carry the scanned content.

use std::fmt;

/// What went wrong, for callers that branch on it (the JS `code`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The policy could not be read (syntax, unknown field, bad value).
    Policy,
    /// A rule could not be compiled or failed its own examples.
    Rule,
    /// The input could not be read (not UTF-8 where text was required, broken structure).
    Input,
    /// A configured limit was exceeded where no partial result makes sense.
    Limit,
    /// Reading a file failed (CLI only).
    Io,
}

impl ErrorKind {
    /// Short stable code: `policy`, `rule`, `input`, `limit`, `io`.
    pub fn code(self) -> &'static str {
        match self {
            ErrorKind::Policy => "policy",
            ErrorKind::Rule => "rule",
            ErrorKind::Input => "input",
            ErrorKind::Limit => "limit",
            ErrorKind::Io => "io",
        }
    }
}

/// An error with its kind and a message naming what failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
    rule_id: Option<String>,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error { kind, message: message.into(), rule_id: None }
    }

    /// An error about one rule: the message is prefixed with the rule id.
    pub fn rule(rule_id: &str, message: impl Into<String>) -> Error {
        Error { kind: ErrorKind::Rule, message: message.into(), rule_id: Some(rule_id.to_owned()) }
    }

    /// A policy error.
    pub fn policy(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Policy, message)
    }

    /// An input error.
    pub fn input(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::Input, message)
    }

    /// What kind of error this is.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The rule this error is about, if any.
    pub fn rule_id(&self) -> Option<&str> {
        self.rule_id.as_deref()
    }

    /// The message without the rule prefix.
    pub fn message(&self) -> &str {
        &self.message
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.rule_id {
            Some(id) => write!(f, "rule `{id}`: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

impl std::error::Error for Error {}
