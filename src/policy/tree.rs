//! TOML and JSON read into one value tree and deserialized by one small deserializer: how
//! the wasm build reads policies, scan options and the guard's limits, checks and state.
//!
//! Natively a TOML policy goes through `toml`'s deserializer and JSON through serde_json.
//! In the wasm build each of those brings its own copy of every `Deserialize` impl it reads
//! (the policy and its rules, the guard's types), and `toml`'s copies are large. Here `toml`
//! only parses (into its `DeTable`, spans included), JSON is parsed into the same tree by
//! [`Parser`], and [`Value`], a plain serde deserializer over the tree, is the one copy:
//! 42 KB less of the gzipped module (`make size`). The structs themselves (the policy's
//! tables, the guard's types, the scan options) are read by hand through [`Read`] and
//! [`Fields`], their field values through `Value`. Natively the module is compiled for its
//! tests only, which hold it to the results of `toml` and serde_json and to the derived
//! `Deserialize` impls.
//!
//! Two differences from serde_json (and `toml`): `null` means "absent" (an object key whose
//! value is `null` is left out, since TOML has no null), so `null` for a field with a default
//! gives the default where serde_json refuses it, and `null` in an array is refused; and a
//! struct is read from a table (object) only, not from an array of its fields in order.

use std::borrow::Cow;
use std::fmt;

use serde::de::value::CowStrDeserializer;
use serde::de::{self, DeserializeOwned, DeserializeSeed, Visitor};
use toml::de::{DeArray, DeTable, DeValue};
use toml::Spanned;

/// Why a text could not be read as a `T`, and where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadError {
    /// Byte offset in the text of the value (or key) that was wrong, when known.
    pub at: Option<usize>,
    /// What was wrong, in serde's and `toml`'s wording.
    pub message: String,
}

impl ReadError {
    /// 1-based line and column (in characters) of [`ReadError::at`] in `text`.
    pub fn line_column(&self, text: &str) -> (usize, usize) {
        let before = &text[..self.at.unwrap_or(0).min(text.len())];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        (before.matches('\n').count() + 1, before[line_start..].chars().count() + 1)
    }

    /// Places an error that does not know where it happened at `at`.
    #[inline(never)]
    fn or_at(mut self, at: usize) -> Self {
        self.at.get_or_insert(at);
        self
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ReadError {}

impl de::Error for ReadError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        ReadError { at: None, message: message.to_string() }
    }

    // serde's own wording, except that a float is not printed: serde's `Display` for
    // `Unexpected` would bring core's float formatting (14 KB) into the wasm module for this
    // message alone. The error's position shows the value.
    fn invalid_type(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        de::Error::custom(format_args!("invalid type: {}, expected {expected}", Unexpected(unexpected)))
    }

    fn invalid_value(unexpected: de::Unexpected<'_>, expected: &dyn de::Expected) -> Self {
        de::Error::custom(format_args!("invalid value: {}, expected {expected}", Unexpected(unexpected)))
    }
}

/// serde's `Display` of [`de::Unexpected`], but `floating point` without the number.
struct Unexpected<'a>(de::Unexpected<'a>);

impl fmt::Display for Unexpected<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use de::Unexpected::*;
        match self.0 {
            Bool(b) => write!(f, "boolean `{b}`"),
            Unsigned(i) => write!(f, "integer `{i}`"),
            Signed(i) => write!(f, "integer `{i}`"),
            Float(_) => f.write_str("floating point"),
            Char(c) => write!(f, "character `{c}`"),
            Str(s) => write!(f, "string {s:?}"),
            Bytes(_) => f.write_str("byte array"),
            Unit => f.write_str("unit value"),
            Option => f.write_str("Option value"),
            NewtypeStruct => f.write_str("newtype struct"),
            Seq => f.write_str("sequence"),
            Map => f.write_str("map"),
            Enum => f.write_str("enum"),
            UnitVariant => f.write_str("unit variant"),
            NewtypeVariant => f.write_str("newtype variant"),
            TupleVariant => f.write_str("tuple variant"),
            StructVariant => f.write_str("struct variant"),
            Other(other) => f.write_str(other),
        }
    }
}

/// Parses TOML text and deserializes a `T` from it (the derived readers, which the tests
/// hold the hand-written ones of [`Read`] to).
#[cfg(test)]
pub fn from_toml<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    T::deserialize(toml_value(text)?)
}

/// Parses TOML text and reads a `T` from it with its hand-written reader ([`Read`]).
#[cfg_attr(sendguard_cold, optimize(size))]
pub(crate) fn read_toml<T: Read>(text: &str) -> Result<T, ReadError> {
    T::read(toml_value(text)?)
}

/// The tree of a TOML text (not generic, as [`json_value`]).
#[cfg_attr(sendguard_cold, optimize(size))]
fn toml_value(text: &str) -> Result<Value<'_>, ReadError> {
    let table = DeTable::parse(text)
        .map_err(|e| ReadError { at: e.span().map(|s| s.start), message: e.message().to_owned() })?;
    let span = table.span();
    Ok(Value::new(Spanned::new(span, DeValue::Table(table.into_inner()))))
}

/// Parses JSON text and deserializes a `T` from it (the derived readers, which the tests
/// hold the hand-written ones of [`Read`] to).
#[cfg(test)]
pub fn from_json<T: DeserializeOwned>(text: &str) -> Result<T, ReadError> {
    T::deserialize(json_value(text)?)
}

/// Parses JSON text and reads a `T` from it with its hand-written reader ([`Read`]).
#[cfg_attr(sendguard_cold, optimize(size))]
pub(crate) fn read_json<T: Read>(text: &str) -> Result<T, ReadError> {
    T::read(json_value(text)?)
}

/// The tree of a JSON text (not generic: one copy for every `from_json` and `read_json`).
#[cfg_attr(sendguard_cold, optimize(size))]
fn json_value(text: &str) -> Result<Value<'_>, ReadError> {
    let mut parser = Parser { text, at: 0, depth: 0 };
    let value = parser.document().map_err(|(at, message)| ReadError { at: Some(at), message: message.to_owned() })?;
    Ok(Value::new(value))
}

/// A struct read by hand rather than through its derived `Deserialize`: the derived visitor
/// of each struct compiles its own copy of the loop over the keys, the field-name matching,
/// the missing-field checks and the drops on every error path, while [`Fields`] is one copy
/// and each field is read through the one reader of its type ([`Value::get`]). The guard's
/// types and the scan options are read this way (src/guard/read.rs, src/wasm.rs); the tests
/// hold each to its derived `Deserialize` through this same tree: the same value, or the
/// same message at the same place.
pub(crate) trait Read: Sized {
    /// Reads `Self` from `value`, as `Self::deserialize(value)` would.
    fn read(value: Value<'_>) -> Result<Self, ReadError>;
}

/// The entries of a table read by a [`Read`] impl, as a derived visitor of a
/// `deny_unknown_fields` struct reads them: in key order, a key it does not know an error at
/// the key, every other error without a place of its own at the table.
pub(crate) struct Fields<'de> {
    entries: <DeTable<'de> as IntoIterator>::IntoIter,
    names: &'static [&'static str],
    at: usize,
}

impl<'de> Fields<'de> {
    /// Hands each entry to `field` with the index of its key in the struct's names (through
    /// `dyn`: one copy of the loop for every struct).
    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub(crate) fn each(mut self, field: &mut dyn FnMut(usize, Value<'de>) -> Result<(), ReadError>) -> Result<Self, ReadError> {
        while let Some((key, value)) = self.entries.next() {
            let at = key.span().start;
            let key = key.into_inner();
            let Some(index) = self.names.iter().position(|name| *name == key) else {
                return Err(<ReadError as de::Error>::unknown_field(&key, self.names).or_at(at));
            };
            field(index, Value::new(value)).map_err(|e| e.or_at(self.at))?;
        }
        Ok(self)
    }

    /// A required field's value, or `missing field` at the table (checked in the order the
    /// struct declares its fields, as the derived visitor checks them).
    pub(crate) fn required<T>(&self, value: Option<T>, name: &'static str) -> Result<T, ReadError> {
        value.ok_or_else(|| self.missing(name))
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn missing(&self, name: &'static str) -> ReadError {
        <ReadError as de::Error>::missing_field(name).or_at(self.at)
    }
}

/// Nesting deeper than this is refused, as serde_json does: the parser and the
/// deserializer recurse once per level.
const MAX_DEPTH: usize = 128;

/// A syntax error: the byte offset and what was expected there.
type Syntax = (usize, &'static str);

struct Parser<'a> {
    text: &'a str,
    at: usize,
    depth: usize,
}

impl<'a> Parser<'a> {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn document(&mut self) -> Result<Spanned<DeValue<'a>>, Syntax> {
        let value = self.value()?.ok_or((0, "expected a JSON object, not null"))?;
        self.space();
        if self.at < self.text.len() {
            return Err((self.at, "trailing characters"));
        }
        Ok(value)
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.at).copied()
    }

    fn space(&mut self) {
        while let Some(b' ' | b'\t' | b'\n' | b'\r') = self.peek() {
            self.at += 1;
        }
    }

    fn eat(&mut self, byte: u8) -> bool {
        self.space();
        let found = self.peek() == Some(byte);
        self.at += usize::from(found);
        found
    }

    /// A value; `None` for `null`.
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn value(&mut self) -> Result<Option<Spanned<DeValue<'a>>>, Syntax> {
        self.space();
        let start = self.at;
        let value = match self.peek() {
            None => return Err((start, "EOF while parsing a value")),
            Some(b'{') => DeValue::Table(self.nested(Parser::object)?),
            Some(b'[') => DeValue::Array(self.nested(Parser::array)?),
            Some(b'"') => DeValue::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => self.number()?,
            Some(_) => {
                let rest = &self.text[start..];
                let (word, value) = [("true", Some(true)), ("false", Some(false)), ("null", None)]
                    .into_iter()
                    .find(|(word, _)| rest.starts_with(word))
                    .ok_or((start, "expected value"))?;
                self.at += word.len();
                match value {
                    Some(b) => DeValue::Boolean(b),
                    None => return Ok(None),
                }
            }
        };
        Ok(Some(Spanned::new(start..self.at, value)))
    }

    #[cfg_attr(sendguard_cold, optimize(size))]
    fn nested<T>(&mut self, parse: fn(&mut Self) -> Result<T, Syntax>) -> Result<T, Syntax> {
        if self.depth == MAX_DEPTH {
            return Err((self.at, "recursion limit exceeded"));
        }
        self.depth += 1;
        self.at += 1; // the opening bracket
        let value = parse(self);
        self.depth -= 1;
        value
    }

    #[cfg_attr(sendguard_cold, optimize(size))]
    fn object(&mut self) -> Result<DeTable<'a>, Syntax> {
        let mut table = DeTable::new();
        if self.eat(b'}') {
            return Ok(table);
        }
        loop {
            self.space();
            let start = self.at;
            if self.peek() != Some(b'"') {
                return Err((start, "key must be a string"));
            }
            let key = self.string()?;
            let key = Spanned::new(start..self.at, key);
            if !self.eat(b':') {
                return Err((self.at, "expected `:`"));
            }
            if let Some(value) = self.value()? {
                if table.insert(key, value).is_some() {
                    return Err((start, "duplicate key"));
                }
            }
            if self.eat(b'}') {
                return Ok(table);
            }
            if !self.eat(b',') {
                return Err((self.at, "expected `,` or `}`"));
            }
        }
    }

    #[cfg_attr(sendguard_cold, optimize(size))]
    fn array(&mut self) -> Result<DeArray<'a>, Syntax> {
        let mut array = DeArray::new();
        if self.eat(b']') {
            return Ok(array);
        }
        loop {
            let start = self.at;
            array.push(self.value()?.ok_or((start, "null in an array"))?);
            if self.eat(b']') {
                return Ok(array);
            }
            if !self.eat(b',') {
                return Err((self.at, "expected `,` or `]`"));
            }
        }
    }

    /// A string at `"`: borrowed from the text unless it has escapes.
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn string(&mut self) -> Result<Cow<'a, str>, Syntax> {
        self.at += 1;
        let mut owned: Option<String> = None;
        let mut run = self.at; // start of the text not yet copied into `owned`
        loop {
            let Some(byte) = self.peek() else {
                return Err((self.at, "EOF while parsing a string"));
            };
            match byte {
                b'"' => {
                    let rest = &self.text[run..self.at];
                    self.at += 1;
                    return Ok(match owned {
                        Some(mut s) => {
                            s.push_str(rest);
                            Cow::Owned(s)
                        }
                        None => Cow::Borrowed(rest),
                    });
                }
                b'\\' => {
                    let s = owned.get_or_insert_with(String::new);
                    s.push_str(&self.text[run..self.at]);
                    self.at += 1;
                    let escaped = match self.peek() {
                        Some(b'"') => '"',
                        Some(b'\\') => '\\',
                        Some(b'/') => '/',
                        Some(b'b') => '\u{8}',
                        Some(b'f') => '\u{c}',
                        Some(b'n') => '\n',
                        Some(b'r') => '\r',
                        Some(b't') => '\t',
                        Some(b'u') => self.unicode_escape()?,
                        _ => return Err((self.at, "invalid escape")),
                    };
                    s.push(escaped);
                    self.at += 1;
                    run = self.at;
                }
                0..=0x1f => return Err((self.at, "control character in a string")),
                _ => self.at += 1,
            }
        }
    }

    /// `\uXXXX` (a surrogate pair as two), with `at` on the `u`; leaves `at` on the last digit.
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn unicode_escape(&mut self) -> Result<char, Syntax> {
        let start = self.at;
        let first = self.hex4()?;
        let code = if (0xD800..0xDC00).contains(&first) && self.text[self.at + 1..].starts_with("\\u") {
            self.at += 2;
            let second = self.hex4()?;
            if !(0xDC00..0xE000).contains(&second) {
                return Err((start, "lone leading surrogate in hex escape"));
            }
            0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
        } else {
            first
        };
        char::from_u32(code).ok_or((start, "lone surrogate in hex escape"))
    }

    #[cfg_attr(sendguard_cold, optimize(size))]
    fn hex4(&mut self) -> Result<u32, Syntax> {
        let digits = self.text.get(self.at + 1..self.at + 5).ok_or((self.at, "invalid escape"))?;
        let code = u32::from_str_radix(digits, 16).map_err(|_| (self.at, "invalid escape"))?;
        if !digits.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err((self.at, "invalid escape")); // from_str_radix takes a leading `+`
        }
        self.at += 4;
        Ok(code)
    }

    /// A number in JSON's grammar, handed to TOML's number parser (JSON's numbers are
    /// TOML numbers: `1`, `-0.5`, `1e+21`), which makes an integer or a float of it.
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn number(&mut self) -> Result<DeValue<'a>, Syntax> {
        let start = self.at;
        let digits = |p: &mut Self| {
            let from = p.at;
            while let Some(b'0'..=b'9') = p.peek() {
                p.at += 1;
            }
            p.at > from
        };
        self.at += usize::from(self.peek() == Some(b'-'));
        let int_start = self.at;
        if !digits(self) || (self.text.as_bytes()[int_start] == b'0' && self.at - int_start > 1) {
            return Err((start, "invalid number"));
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if !digits(self) {
                return Err((start, "invalid number"));
            }
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.at += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.at += 1;
            }
            if !digits(self) {
                return Err((start, "invalid number"));
            }
        }
        DeValue::parse(&self.text[start..self.at])
            .map(Spanned::into_inner)
            .map_err(|_| (start, "number out of range"))
    }
}

/// A serde deserializer over one value of the tree; errors get the value's position.
pub struct Value<'de> {
    value: DeValue<'de>,
    at: usize,
}

impl<'de> Value<'de> {
    fn new(value: Spanned<DeValue<'de>>) -> Self {
        let at = value.span().start;
        Value { value: value.into_inner(), at }
    }

    /// "invalid type: …, expected …" for this value, where it is.
    #[inline(never)]
    fn invalid_type(&self, expected: &dyn de::Expected) -> ReadError {
        let unexpected = match &self.value {
            DeValue::String(s) => de::Unexpected::Str(s),
            DeValue::Integer(i) => match integer(i.as_str(), i.radix()) {
                Ok(v) => de::Unexpected::Signed(v),
                Err(Some(v)) => de::Unexpected::Unsigned(v),
                Err(None) => de::Unexpected::Other("integer"),
            },
            DeValue::Float(_) => de::Unexpected::Float(0.0), // worded without the number
            DeValue::Boolean(b) => de::Unexpected::Bool(*b),
            DeValue::Datetime(_) => de::Unexpected::Other("datetime"),
            DeValue::Array(_) => de::Unexpected::Seq,
            DeValue::Table(_) => de::Unexpected::Map,
        };
        <ReadError as de::Error>::invalid_type(unexpected, expected).or_at(self.at)
    }

    /// The fields of a struct for its [`Read`] impl; `expecting` names it as serde does
    /// (`struct GuardLimits`) for the error when this is not a table.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub(crate) fn fields(self, expecting: &'static str, names: &'static [&'static str]) -> Result<Fields<'de>, ReadError> {
        match self.value {
            DeValue::Table(table) => Ok(Fields { entries: table.into_iter(), names, at: self.at }),
            _ => Err(self.invalid_type(&expecting)),
        }
    }

    /// A list of a [`Read`] type, as `Vec::deserialize` reads one.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub(crate) fn list<T: Read>(self) -> Result<Vec<T>, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::Array(items) => {
                items.into_iter().map(|item| T::read(Value::new(item))).collect::<Result<_, _>>().map_err(|e| e.or_at(at))
            }
            _ => Err(self.invalid_type(&"a sequence")),
        }
    }

    /// An optional field of a [`Read`] type, as `Option::deserialize` reads one (present
    /// means `Some`).
    pub(crate) fn some<T: Read>(self) -> Result<Option<T>, ReadError> {
        T::read(self).map(Some)
    }

    /// The index in `names` of a unit variant, as a derived `Deserialize` of a unit-only
    /// enum reads it: a string that names one, else `unknown variant` or `toml`'s
    /// "wanted string or table", at the value.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub(crate) fn variant(self, names: &'static [&'static str]) -> Result<usize, ReadError> {
        match self.value {
            DeValue::String(name) => names
                .iter()
                .position(|known| *known == name)
                .ok_or_else(|| <ReadError as de::Error>::unknown_variant(&name, names)),
            _ => Err(de::Error::custom("wanted string or table")),
        }
        .map_err(|e| e.or_at(self.at))
    }

    /// A value of a field type (`u64`, `String`, `Option<T>`, `Vec<u64>`, an enum) through
    /// its `Deserialize`: one copy per type, shared by every [`Read`] impl.
    pub(crate) fn get<T: DeserializeOwned>(self) -> Result<T, ReadError> {
        T::deserialize(self)
    }

    fn any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            DeValue::String(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            DeValue::String(Cow::Owned(s)) => visitor.visit_string(s),
            DeValue::Integer(i) => match integer(i.as_str(), i.radix()) {
                Ok(v) => visitor.visit_i64(v),
                Err(Some(v)) => visitor.visit_u64(v),
                Err(None) => Err(de::Error::custom("integer number overflowed")),
            },
            DeValue::Float(f) => match float(f.as_str()) {
                Some(v) => visitor.visit_f64(v),
                None => Err(de::Error::custom("floating-point number overflowed")),
            },
            DeValue::Boolean(b) => visitor.visit_bool(b),
            DeValue::Array(items) => visitor.visit_seq(Items(items.into_iter())),
            DeValue::Table(table) => visitor.visit_map(Entries { entries: table.into_iter(), value: None }),
            DeValue::Datetime(_) => Err(de::Error::invalid_type(de::Unexpected::Other("datetime"), &visitor)),
        }
    }
}

/// An integer as `i64`, else as `u64` (`Err(Some)`), else `Err(None)`.
#[inline(never)]
fn integer(digits: &str, radix: u32) -> Result<i64, Option<u64>> {
    i64::from_str_radix(digits, radix).map_err(|_| u64::from_str_radix(digits, radix).ok())
}

/// A float as `toml` reads it: `inf` and `nan` are floats, an overflow is not.
#[inline(never)]
fn float(text: &str) -> Option<f64> {
    let f = crate::host::parse_float(text)?;
    (!f.is_infinite() || text.contains("inf")).then_some(f)
}

/// `fn deserialize_X(self, visitor)` forwarding to `deserialize_u64`, for each X given.
macro_rules! forward_integers {
    ($($method:ident)*) => {
        $(#[inline(never)]
        #[cfg_attr(sendguard_cold, optimize(size))]
        fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
            self.deserialize_u64(visitor)
        })*
    };
}

// Every method below, and those of `Items` and `Entries`, is instantiated once per visitor
// (each struct, enum and field type of the policy and the guard) and runs once per value
// read. Out of line, the derived visitors stay small instead of inlining each nested type's
// reader into its parent (the `Policy` visitor alone was 28 KB); in the package they are
// also compiled for size (`sendguard_cold`, src/lib.rs), while the crate's scan code stays at
// opt-level 2.
impl<'de> de::Deserializer<'de> for Value<'de> {
    type Error = ReadError;

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        self.any(visitor).map_err(|e| e.or_at(at))
    }

    // Present means `Some`: an absent key (or a JSON `null`, left out) is `None`.
    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        visitor.visit_some(self).map_err(|e| e.or_at(at))
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_newtype_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        visitor.visit_newtype_struct(self).map_err(|e| e.or_at(at))
    }

    // Unit variants only (every enum of the policy and the guard): the variant's name.
    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::String(name) => visitor.visit_enum(CowStrDeserializer::<ReadError>::new(name)),
            _ => Err(de::Error::custom("wanted string or table")), // `toml`'s words
        }
        .map_err(|e| e.or_at(at))
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        visitor.visit_unit()
    }

    // The types the policy and the guard are made of ask for what they take, and each is
    // handed only the visit that fits it: `deserialize_any` would call every `visit_*` of
    // the visitor, and all of them would be compiled for every field type.
    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            DeValue::Boolean(b) => visitor.visit_bool(b),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_u64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::Integer(i) => match integer(i.as_str(), i.radix()) {
                Ok(v) => visitor.visit_i64(v),
                Err(Some(v)) => visitor.visit_u64(v),
                Err(None) => Err(de::Error::custom("integer number overflowed")),
            }
            .map_err(|e: ReadError| e.or_at(at)),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    // What `deserialize_any` would do for a float's visitor, without compiling its other visits.
    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_f64<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::Integer(i) => match integer(i.as_str(), i.radix()) {
                Ok(v) => visitor.visit_i64(v),
                Err(Some(v)) => visitor.visit_u64(v),
                Err(None) => Err(de::Error::custom("integer number overflowed")),
            },
            DeValue::Float(f) => match float(f.as_str()) {
                Some(v) => visitor.visit_f64(v),
                None => Err(de::Error::custom("floating-point number overflowed")),
            },
            _ => Err(self.invalid_type(&visitor)),
        }
        .map_err(|e| e.or_at(at))
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        match self.value {
            DeValue::String(Cow::Borrowed(s)) => visitor.visit_borrowed_str(s),
            DeValue::String(Cow::Owned(s)) => visitor.visit_string(s),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::Array(items) => visitor.visit_seq(Items(items.into_iter())).map_err(|e| e.or_at(at)),
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        let at = self.at;
        match self.value {
            DeValue::Table(table) => {
                visitor.visit_map(Entries { entries: table.into_iter(), value: None }).map_err(|e| e.or_at(at))
            }
            _ => Err(self.invalid_type(&visitor)),
        }
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, ReadError> {
        self.deserialize_map(visitor)
    }

    // Every integer type is read by `deserialize_u64`, which visits i64 or u64 by value;
    // the visitor narrows (and says so when the value does not fit).
    forward_integers! {
        deserialize_u8 deserialize_u16 deserialize_u32 deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, ReadError> {
        self.deserialize_string(visitor)
    }

    serde::forward_to_deserialize_any! {
        i128 u128 f32 char bytes byte_buf unit unit_struct tuple tuple_struct identifier
    }
}

/// The items of an array.
struct Items<'de>(<DeArray<'de> as IntoIterator>::IntoIter);

impl<'de> de::SeqAccess<'de> for Items<'de> {
    type Error = ReadError;

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn next_element_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, ReadError> {
        self.0.next().map(|item| seed.deserialize(Value::new(item))).transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.0.len())
    }
}

/// The entries of a table, in key order; a key that a struct does not know is an error at the key.
struct Entries<'de> {
    entries: <DeTable<'de> as IntoIterator>::IntoIter,
    value: Option<Spanned<DeValue<'de>>>,
}

impl<'de> de::MapAccess<'de> for Entries<'de> {
    type Error = ReadError;

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn next_key_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<Option<S::Value>, ReadError> {
        let Some((key, value)) = self.entries.next() else { return Ok(None) };
        self.value = Some(value);
        let at = key.span().start;
        seed.deserialize(CowStrDeserializer::new(key.into_inner())).map(Some).map_err(|e: ReadError| e.or_at(at))
    }

    #[inline(never)]
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn next_value_seed<S: DeserializeSeed<'de>>(&mut self, seed: S) -> Result<S::Value, ReadError> {
        match self.value.take() {
            Some(value) => seed.deserialize(Value::new(value)),
            None => Err(de::Error::custom("a value without a key")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guard::{GuardCheck, GuardLimits, GuardState};
    use crate::policy::Policy;
    use serde::Deserialize;
    use std::collections::BTreeMap;

    /// serde_json and this reader agree: the same value, or both refuse.
    fn same<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        let ours = from_json::<T>(text);
        let theirs = serde_json::from_str::<T>(text);
        match (&ours, &theirs) {
            (Ok(a), Ok(b)) => assert_eq!(a, b, "different values for {text:?}"),
            (Err(_), Err(_)) => {}
            _ => panic!("{text:?}: ours {:?}, serde_json {:?}", ours.is_ok(), theirs.is_ok()),
        }
    }

    #[test]
    fn the_default_policy_as_json_reads_the_same() {
        let json = serde_json::to_string_pretty(&Policy::default_policy()).unwrap();
        let ours: Policy = from_json(&json).unwrap_or_else(|e| panic!("{e:?}"));
        assert!(ours == Policy::default_policy(), "the default policy differs when read from JSON");
    }

    #[test]
    fn values_and_refusals_agree_with_serde_json() {
        for text in [
            r#"{"maxBlocked":0,"maxPerMinute":100,"maxTriggerAgeDays":7}"#,
            r#"{"maxBlock":0}"#,
            r#"{"maxBlocked":-1}"#,
            r#"{"maxTriggerAgeDays":1.5}"#,
            r#"{"maxBlocked":"one"}"#,
            r#"{"maxBlocked":18446744073709551615}"#,
            r#"{"maxBlocked":18446744073709551616}"#,
            r#"{"maxBlocked":1e3}"#,
            r#"{"maxBlocked":0,}"#,
            r#"{"maxBlocked":0} x"#,
            r#"{"maxBlocked":01}"#,
            r#"{"maxBlocked":-}"#,
            r#"{"maxBlocked":1.}"#,
            r#"{"maxBlocked" 1}"#,
            r#"{maxBlocked: 1}"#,
            r#"42"#,
            r#""#,
            r#"{"#,
            " \n\t{ } \r\n",
        ] {
            same::<GuardLimits>(text);
        }
        for text in [
            r#"{"recipient":"Ma\u00efa <m@example.org>","at":1700000000000,"verdict":"block","fingerprint":"\ud83d\ude00\/\"\\\b\f\n\r\t"}"#,
            r#"{"recipient":"a","at":1,"verdict":"maybe"}"#,
            r#"{"recipient":"a","verdict":"pass"}"#,
            r#"{"recipient":"a","at":1,"verdict":"pass","triggerAt":0}"#,
            r#"{"recipient":"a","at":1,"verdict":"pass","template":"caf\u00e9 \u4e16\u754c"}"#,
            r#"{"recipient":"\ud800","at":1,"verdict":"pass"}"#,
            r#"{"recipient":"\udc00","at":1,"verdict":"pass"}"#,
            r#"{"recipient":"\x","at":1,"verdict":"pass"}"#,
            r#"{"recipient":"\u00g1","at":1,"verdict":"pass"}"#,
            r#"{"recipient":"\u+0a1","at":1,"verdict":"pass"}"#,
            "{\"recipient\":\"a\tb\",\"at\":1,\"verdict\":\"pass\"}",
            r#"{"recipient":"a","at":1,"verdict":"pass","at":2}"#,
            r#"{"recipient":"a","at":true,"verdict":"pass"}"#,
            r#"{"recipient":"a","at":1,"verdict":"pass""#,
        ] {
            same::<GuardCheck>(text);
        }
        same::<GuardState>(
            r#"{"version":1,"limits":{"maxBlocked":2},"counts":{"checked":3,"sent":2,"held":0,"halted":1,"blocked":1,"warned":0},
               "halt":{"reason":"r","check":3},"clock":1700000000000,"window":[1,2,3],"recipients":{"a@example.org":2,"":1}}"#,
        );
        same::<BTreeMap<String, Vec<bool>>>(r#"{"a":[true,false],"b":[]}"#);
        // serde_json and `toml` also take a struct as an array of its fields in order; here
        // a struct is a table only (the positional form would double the struct code).
        assert!(from_json::<GuardLimits>("[]").is_err() && serde_json::from_str::<GuardLimits>("[]").is_ok());
        same::<Vec<f64>>(r#"[0,-0,1.5,-2.25e-3,1E2,1e+2,18446744073709551615]"#);
        // An integer beyond 64 bits is a float to serde_json; TOML has no such integer.
        assert!(from_json::<Vec<f64>>("[18446744073709551616]").is_err());
    }

    /// serde's message with the float left out, as this reader words it.
    fn without_float(message: &str) -> String {
        match (message.find("floating point `"), message.find("`, expected")) {
            (Some(start), Some(end)) => format!("{}floating point{}", &message[..start], &message[end + 1..]),
            _ => message.to_owned(),
        }
    }

    /// `toml` and this reader agree on TOML: the same value, or the same message at the same place.
    fn same_toml<T: DeserializeOwned + PartialEq + std::fmt::Debug>(text: &str) {
        let ours = from_toml::<T>(text);
        let theirs = toml::from_str::<T>(text).map_err(|e| (e.span().map(|s| s.start), without_float(e.message())));
        match (ours, theirs) {
            (Ok(a), Ok(b)) => assert!(a == b, "different values for {text:?}"),
            (Err(a), Err(b)) => assert_eq!((a.at, a.message), b, "different errors for {text:?}"),
            (a, b) => panic!("{text:?}: ours {:?}, toml {:?}", a.is_ok(), b.is_ok()),
        }
    }

    #[test]
    fn the_default_policy_reads_as_toml_does() {
        same_toml::<Policy>(crate::policy::default_policy_toml());
    }

    #[test]
    fn toml_values_and_errors_agree_with_toml() {
        let rule = "[[rules]]\nid = \"r\"\ncategory = \"token\"\npattern = 'x'\n";
        for text in [
            "extends = \"default\"\ndisable = [\"pin-label\"]\n".to_owned(),
            format!("{rule}minEntropy = 3.5\nvalidators = [\"entropy\", \"luhn\"]\nkinds = [\"rendered\"]\n"),
            format!("{rule}minEntropy = 4\n"),
            format!("{rule}minEntropy = inf\n"),
            format!("{rule}minEntropy = \"high\"\n"),
            format!("{rule}minEntropy = true\n"),
            format!("{rule}minEntropy = [1]\n"),
            format!("{rule}minEntropy = {{ a = 1 }}\n"),
            format!("{rule}minEntropy = -0x10\n"),
            format!("{rule}confidence = \"certain\"\n"),
            format!("{rule}validators = \"luhn\"\n"),
            format!("{rule}validators = [3]\n"),
            format!("{rule}patern = 'y'\n"),
            format!("{rule}examples = [\"a\", 1]\n"),
            format!("{rule}category = \"token\"\n"),
            "[[rules]]\nid = 3\n".to_owned(),
            "[[rules]]\ncategory = \"token\"\n".to_owned(),
            "nonsense = true\n".to_owned(),
            "rules = [ this is not toml".to_owned(),
            "[limits]\nmaxDocumentBytes = 64\nmaxFindings = -1\n".to_owned(),
            "[limits]\nmaxDocumentBytes = 0x40\nmaxParts = 1_000\n".to_owned(),
            "[allow]\nrules = [\"a\"]\nvalueHashes = []\npaths = [\"**/*.eml\"]\n".to_owned(),
            "[[actions]]\ncategory = \"reset_link\"\ncontext = \"password_reset\"\naction = \"pass\"\n".to_owned(),
            "description = \"\"\"\nmulti\nline\"\"\"\n".to_owned(),
        ] {
            same_toml::<Policy>(&text);
        }
        // Refused by both, in other words: an integer beyond 64 bits, a datetime, an enum as a table.
        for text in ["[limits]\nmaxDocumentBytes = 99999999999999999999\n", "[limits]\nmaxDocumentBytes = 1979-05-27\n", "[[actions]]\naction = { pass = 1 }\n"] {
            assert!(from_toml::<Policy>(text).is_err() && toml::from_str::<Policy>(text).is_err(), "{text:?}");
        }
        same_toml::<GuardLimits>("maxBlocked = 0\nmaxPerMinute = 100\n");
        same_toml::<GuardLimits>("maxBlocked = 1.5\n");
        same_toml::<BTreeMap<String, Vec<bool>>>("a = [true, false]\nb = []\n");
    }

    #[test]
    fn null_is_absent() {
        #[derive(Deserialize, Debug, PartialEq)]
        struct T {
            a: Option<u32>,
            #[serde(default)]
            b: Vec<u32>,
        }
        let t: T = from_json(r#"{"a":null,"b":null}"#).unwrap();
        assert_eq!(t, T { a: None, b: vec![] });
        assert!(from_json::<Vec<u32>>("[1,null]").is_err());
        assert!(from_json::<T>("null").is_err());
    }

    #[test]
    fn errors_say_where() {
        let text = "{\n  \"maxBlocked\": 1,\n  \"maxBloked\": 2\n}";
        let e = from_json::<GuardLimits>(text).unwrap_err();
        assert_eq!(e.line_column(text), (3, 3));
        assert!(e.message.contains("unknown field `maxBloked`"), "{}", e.message);
        let text = "{\"maxBlocked\": 1,\n \"é\": [1,}";
        let e = from_json::<GuardLimits>(text).unwrap_err();
        assert_eq!((e.line_column(text), e.message.as_str()), ((2, 10), "expected value"));
    }

    #[test]
    fn deep_nesting_is_refused_not_a_stack_overflow() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(from_json::<Vec<u32>>(&deep).unwrap_err().message, "recursion limit exceeded");
        let ok = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert!(from_json::<serde::de::IgnoredAny>(&ok).is_ok());
    }
}
