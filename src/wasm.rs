//! The JavaScript surface, through `wasm-bindgen`: the only module that knows about it.
//!
//! It converts at the edge and decides nothing: a JS value in (a policy, a text, an
//! options object) becomes a Rust value or an `Error` with a `code`; a Rust value out
//! (a [`Report`](crate::Report), a guard decision) becomes a plain JS object through one
//! shared serializer, so that every object reaching JavaScript has the same shape as the
//! native JSON output (`None` → `null`, maps → plain objects).
//!
//! Nothing here panics on input: every failure is returned as a thrown `Error` whose
//! `name` is `SendguardError` and whose `code` is `policy`, `rule`, `input`, `limit` or
//! `internal`, and the instance that threw keeps working. A panic would be a bug; the
//! panic hook makes it print its message instead of a bare `unreachable`.
//!
//! The TypeScript types are written by hand in [`TYPESCRIPT`] (the generator cannot
//! express string unions or optional fields of plain objects); tests check them
//! against the Rust enums.

use crate::engine::{Engine, ScanOptions};
use crate::error::Error;
use crate::guard::{GuardCheck, GuardLimits, GuardState, KeyCounts, RunGuard};
use crate::policy::tree::{Read, ReadError, Value};
use crate::policy::{Context, Format, Kind};
use serde::Serialize;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

/// The one serializer for every value handed to JavaScript: `None` becomes `null`
/// (as in the native JSON) and maps become plain objects, never `Map`s.
const SERIALIZER: serde_wasm_bindgen::Serializer = serde_wasm_bindgen::Serializer::new()
    .serialize_missing_as_null(true)
    .serialize_maps_as_objects(true);

/// The hand-written TypeScript declarations added to the generated `.d.ts`.
///
/// Public so that the tests can check the string unions against the Rust enums.
pub const TYPESCRIPT: &str = r#"
/** The verdict of a document: `block` stops the message, `warn` shows it, `pass` is clean. */
export type Verdict = "pass" | "warn" | "block";
/** What the policy says to do about one finding (the same values as a verdict). */
export type Action = Verdict;
/** What kind of secret a finding is (`limit` and `suppression` are about the scan itself). */
export type Category =
  | "password" | "token" | "private_key" | "connection_string" | "payment_card"
  | "card_security" | "pin" | "one_time_code" | "reset_link" | "limit" | "suppression";
/** A literal value in the text, or a template placeholder that will be filled with one. */
export type Source = "literal" | "placeholder";
/** How sure the rule is of a match. */
export type Confidence = "low" | "medium" | "high";
/** What the message is; the same finding means different things in different mails. */
export type Context = "generic" | "invoice" | "ticket_ack" | "welcome" | "password_reset" | "otp";
/** A template (placeholders not filled in) or rendered mail; `auto` decides from the content. */
export type Kind = "auto" | "rendered" | "template";
/** How to read the input; `auto` decides from the content. */
export type Format = "auto" | "text" | "html" | "eml";

/** Options of `Engine.scan`; every field is optional. */
export interface ScanOptions {
  /** Decides the action per finding (default `generic`). */
  context?: Context;
  /** Default `auto`. */
  kind?: Kind;
  /** Default `auto`. */
  format?: Format;
  /** The document's path, matched against the policy's `allow.paths` globs. */
  path?: string;
}
/** Options of `Engine.scanBytes`: `format` says what the bytes are (`eml` for a raw message). */
export type ScanBytesOptions = ScanOptions;

/** One secret, or a placeholder of one, located in the input and redacted. Never the secret itself. */
export interface Finding {
  /** The rule that found it. */
  ruleId: string;
  category: Category;
  source: Source;
  /** What the policy says to do in the scan's context. */
  action: Action;
  confidence: Confidence;
  /** Byte offset (UTF-8) of the start in the input. */
  start: number;
  /** Byte offset one past the end. */
  end: number;
  /** UTF-16 offset of the start: `text.slice(utf16Start, utf16End)` is the finding. */
  utf16Start: number;
  /** UTF-16 offset one past the end. */
  utf16End: number;
  /** 1-based line of the start. */
  line: number;
  /** 1-based column of the start, in characters (code points). */
  column: number;
  /** 1-based line of the end. */
  endLine: number;
  /** 1-based column of the end, in characters. */
  endColumn: number;
  /** The value with at most four characters left, e.g. `Xq******9L`. */
  redacted: string;
  /** What to do instead. */
  message: string;
  /** MIME part (`1.2`, `attachment:accounts.csv`) when the input was a message. */
  part?: string;
  /** Byte range `[start, end)` of that part in the raw message. */
  partRange?: [number, number];
}
/** A finding that an allow-list or an inline `sendguard:allow` silenced: listed, never dropped. */
export interface Suppressed {
  finding: Finding;
  /** What allowed it. */
  by: "rule" | "value" | "path" | "inline";
  /** The reason given with an inline suppression. */
  reason?: string;
}
/** A part of the input that was not scanned, and why. */
export interface Skipped {
  part: string;
  reason: string;
}
/** The result of scanning one document. */
export interface Report {
  /** The strongest action among the findings that were not suppressed. */
  verdict: Verdict;
  /** What the document was scanned as. */
  kind: Kind;
  /** How the document was read. */
  format: Format;
  /** The context the actions were decided in. */
  context: Context;
  /** Findings in source order. */
  findings: Finding[];
  suppressed: Suppressed[];
  /** Parts that hold no text (images, audio, video, fonts): listed, no effect on the verdict. */
  skipped: Skipped[];
  /** Parts that could hold text and were not read; when any are listed the verdict is at
   * least the policy's `[unscanned]` action (`warn` by default, never `pass`). */
  unscanned: Skipped[];
  /** Findings beyond the policy's `limits.maxFindings`: counted, not listed. */
  truncated: number;
  /** Remarks on how the input was read (a charset decoded by fallback, a part skipped);
   * present only when there are some. */
  notes?: string[];
}

/** A rule of the engine's policy, as `Engine.rules()` lists it. */
export interface RuleInfo {
  id: string;
  category: Category;
  confidence: Confidence;
  description: string | null;
}

/** Checks a rule applies to the secret part of a match. */
export type Validator =
  | "luhn" | "card_issuer" | "card_in_match" | "entropy" | "jwt" | "pem" | "password_value" | "pin"
  | "not_identifier" | "url_credentials";
/** A built-in detector a rule can name instead of a pattern. */
export type Detector = "placeholder" | "table_column" | "labelled_value";
/** What a lexicon's words are evidence of. */
export type LexiconRole = "label" | "pair" | "connector" | "before" | "prose" | "identifier" | "card_label" | "greeting";
/** A word list of the labelled-value detector, with the examples that prove it. */
export interface Lexicon {
  id: string;
  role: LexiconRole;
  /** For labels: the category of the secret they name. */
  category?: Category;
  description?: string;
  words: string[];
  examples?: string[];
  counterExamples?: string[];
}
/** One detection rule: data, with the examples that prove it. */
export interface Rule {
  id: string;
  category: Category;
  description?: string;
  /** The vendor whose documented token format the rule finds. */
  provider?: string;
  /** Linear-time regex (no look-around, no back-references); a group named `secret` marks the value. */
  pattern?: string;
  detector?: Detector;
  /** At least one must occur (ASCII case-insensitive) for the rule to run. */
  keywords?: string[];
  validators?: Validator[];
  minEntropy?: number;
  confidence?: Confidence;
  kinds?: Kind[];
  message?: string;
  examples?: string[];
  counterExamples?: string[];
}
/** One entry of the action table; unset fields match anything, the most specific entry wins. */
export interface ActionEntry {
  category?: Category;
  source?: Source;
  context?: Context;
  confidence?: Confidence;
  rule?: string;
  action: Action;
}
/** Allow-lists; allowed findings are listed under `suppressed`. */
export interface Allow {
  rules?: string[];
  /** SHA-256 (lowercase hex) of exact allowed values. */
  valueHashes?: string[];
  /** Path globs (`*`, `**`, `?`). */
  paths?: string[];
}
/** Resource limits for compiling and scanning. */
export interface Limits {
  maxPatternLen?: number;
  maxRuleSize?: number;
  maxRules?: number;
  maxDocumentBytes?: number;
  maxFindings?: number;
  maxMessageBytes?: number;
  maxParts?: number;
  maxDepth?: number;
  maxPartBytes?: number;
}
/** A policy as a plain object (the JSON form of a policy file). */
export interface Policy {
  /** `"default"` builds on the default policy; absent, the policy stands alone. */
  extends?: "default";
  description?: string;
  /** Rule ids of the base policy to drop. */
  disable?: string[];
  actions?: ActionEntry[];
  allow?: Allow;
  limits?: Limits;
  /** The least verdict of a document with parts that could hold text and were not read. */
  unscanned?: { action?: "warn" | "block" };
  rules?: Rule[];
  /** Word lists of the labelled-value detector; one with a default lexicon's id replaces it. */
  lexicons?: Lexicon[];
}
/** A policy as TOML or JSON text, or as a plain object. */
export type PolicyInput = string | Policy;

/** The `code` of every error sendguard throws. */
export type ErrorCode = "policy" | "rule" | "input" | "limit" | "internal";
/** Every error thrown by sendguard: an `Error` with a stable `code`. The message never holds a secret. */
export interface SendguardError extends Error {
  name: "SendguardError";
  code: ErrorCode;
  /** The rule a `rule` error is about. */
  ruleId?: string;
}

/** Limits of a run; all optional, absent means unlimited. Each N means "at most N". */
export interface GuardLimits {
  /** Blocked messages allowed before the run halts; 0 halts at the first. */
  maxBlocked?: number;
  /** Warned messages allowed before the run halts; 0 halts at the first. */
  maxWarned?: number;
  /** Messages checked before the run halts (at least 1). */
  maxMessages?: number;
  /** Messages within one minute (the clock's second and the 59 before) before the run halts (at least 1). */
  maxPerMinute?: number;
  /** Messages within one hour (the clock's minute and the 59 before) before the run halts (at least 1). */
  maxPerHour?: number;
  /** Messages sent to one recipient; more are held (at least 1). */
  maxPerRecipient?: number;
  /** Messages sent with the same fingerprint; more are held (at least 1). */
  maxDuplicates?: number;
  /** Whole days between `triggeredAt` and `at` beyond which a message is held (at least 1). */
  maxTriggerAgeDays?: number;
  /** Held messages allowed before the run halts; 0 halts at the first hold. */
  maxHeld?: number;
}
/** One message of a run, as the caller describes it. Times are milliseconds since the epoch. */
export interface GuardCheck {
  /** `addr` or `Name <addr>`. */
  recipient: string;
  /** When the message is about to be sent (the caller's clock). */
  at: number;
  /** The engine's verdict on the message. */
  verdict: Verdict;
  /** When the event that caused the message happened (the stored email, the ticket). */
  triggeredAt?: number;
  /** The template's name, named in reasons. */
  template?: string;
  /** What identifies "the same message" (e.g. a hash of the body); never echoed. */
  fingerprint?: string;
}
/** `send`: go ahead; `hold`: keep this one back; `halt`: the run is stopped until `reset()`. */
export type GuardAction = "send" | "hold" | "halt";
/** Counters of a run; `checked = sent + held + halted`. */
export interface GuardCounts {
  checked: number;
  sent: number;
  held: number;
  halted: number;
  blocked: number;
  warned: number;
}
/** The guard's answer for one message. */
export interface GuardDecision {
  action: GuardAction;
  /** The limit that applied, with its numbers; `within limits` for a send. Never content. */
  reason: string;
  counts: GuardCounts;
}
/** The run so far. */
export interface GuardSummary {
  halted: boolean;
  haltReason: string | null;
  haltedAtCheck: number | null;
  counts: GuardCounts;
  limits: GuardLimits;
}
/** Why and where a run halted. */
export interface GuardHalt {
  reason: string;
  /** 1-based number of the check that tripped it. */
  check: number;
}
/**
 * A guard's whole state: a plain, JSON-serialisable value for the host's own store. Its size
 * is bounded by the limits, except `recipients`/`fingerprints` of `check()` (empty for a
 * guard used through `checkWith()`). `fromState()` also reads version 1 (`window` times).
 */
export interface GuardState {
  /** 2 (written); 1 is still read. */
  version: number;
  limits: GuardLimits;
  counts: GuardCounts;
  halt?: GuardHalt;
  clock?: number;
  /** The minute's 60 one-second counters, oldest first, the last holding the clock. */
  minute?: number[];
  /** The hour's 60 one-minute counters, as `minute`. */
  hour?: number[];
  /** Version 1 only: times in the longest window. */
  window?: number[];
  /** Sent per recipient, keyed by 32 hex digits of a digest (never the address). */
  recipients?: Record<string, number>;
  fingerprints?: Record<string, number>;
}
/** The names of the counts a check needs from a store that keeps them beside the guard. */
export interface CountKeys {
  /** `r:` and 32 hex digits: the recipient's count (a digest, never the address). */
  recipient: string;
  /** `f:` and 32 hex digits, or null when the check has no fingerprint. */
  fingerprint: string | null;
}
/** What the store read for a check's `CountKeys` (absent means 0). */
export interface KeyCounts {
  recipient?: number;
  fingerprint?: number;
}
/** The answer of `checkWith()`: the decision, and the count names to add one to. */
export interface GuardStep {
  decision: GuardDecision;
  /** Store these increments in the same transaction as the new state, or neither. */
  increments: string[];
}
"#;

#[wasm_bindgen(typescript_custom_section)]
const TYPESCRIPT_SECTION: &str = TYPESCRIPT;

/// A thrown JS error: an `Error` named `SendguardError` with a `code` (and `ruleId`).
#[cfg_attr(sendguard_cold, optimize(size))]
fn js_error(code: &str, message: &str, rule_id: Option<&str>) -> JsValue {
    let error = js_sys::Error::new(message);
    error.set_name("SendguardError");
    // Setting a property on a fresh, ordinary Error object cannot fail.
    let _ = js_sys::Reflect::set(&error, &JsValue::from_str("code"), &JsValue::from_str(code));
    if let Some(id) = rule_id {
        let _ = js_sys::Reflect::set(&error, &JsValue::from_str("ruleId"), &JsValue::from_str(id));
    }
    error.into()
}

/// A crate error as a thrown JS error; the code is the error's kind.
fn engine_error(error: &Error) -> JsValue {
    js_error(error.kind().code(), &error.to_string(), error.rule_id())
}

/// An input error: the caller passed something the API does not take.
fn input_error(message: &str) -> JsValue {
    js_error("input", message, None)
}

/// A value for JavaScript, through the shared serializer.
fn to_js<T: Serialize>(value: &T, what: &str) -> Result<JsValue, JsValue> {
    value.serialize(&SERIALIZER).map_err(|e| conversion_error(what, &e))
}

/// [`to_js`] for the values a host asks for once (the rule list, a guard's state and
/// summary): compiled for size, with the `Serialize` code it inlines, while the reports and
/// guard decisions of every scan and check stay at the crate's opt-level.
#[cfg_attr(sendguard_cold, optimize(size))]
fn to_js_once<T: Serialize>(value: &T, what: &str) -> Result<JsValue, JsValue> {
    value.serialize(&SERIALIZER).map_err(|e| conversion_error(what, &e))
}

/// The `internal` error of a value that could not be converted (not generic).
#[inline(never)]
fn conversion_error(what: &str, e: &serde_wasm_bindgen::Error) -> JsValue {
    js_error("internal", &format!("{what} could not be converted for JavaScript: {e}"), None)
}

/// A Rust value from a plain JS object; `what` names the argument in the error message.
///
/// The object goes through `JSON.stringify` and the reader of JSON policies (`policy::tree`)
/// rather than serde-wasm-bindgen, because serde-wasm-bindgen reads only the keys it knows:
/// `deny_unknown_fields` would be ignored, and a typo such as `triggerAt` would silently
/// switch a guard limit off.
///
/// Each type is read by its hand-written reader (`policy::tree::Read`), not its derived
/// `Deserialize`: the same values and errors, in a fraction of the code.
fn from_js<T: Read>(value: JsValue, what: &str) -> Result<T, JsValue> {
    let json = object_json(value, what)?;
    crate::policy::tree::read_json(&json).map_err(|e| json_error(&json, what, &e))
}

/// The JSON text of a plain object (not generic: one copy in the wasm for every `from_js`).
fn object_json(value: JsValue, what: &str) -> Result<String, JsValue> {
    if !value.is_object() || js_sys::Array::is_array(&value) {
        return Err(input_error(&format!("{what} must be a plain object")));
    }
    let json = js_sys::JSON::stringify(&value)
        .map_err(|_| input_error(&format!("{what} cannot be converted to JSON (a cycle, or a BigInt?)")))?;
    Ok(String::from(json))
}

/// The `input` error for a JSON value that does not fit (not generic, as [`object_json`]).
#[inline(never)]
fn json_error(json: &str, what: &str, e: &crate::policy::tree::ReadError) -> JsValue {
    let (line, column) = e.line_column(json);
    input_error(&format!("{what}: {} at line {line} column {column}", e.message))
}

/// Scan options as JavaScript passes them. Unknown keys are refused so that a typo
/// (`contxt`) is an error, not a silently generic scan.
/// Read as `#[serde(rename_all = "camelCase", deny_unknown_fields)]` with every field
/// optional would read it ([`Read`]).
#[derive(Default)]
struct JsScanOptions {
    context: Option<String>,
    kind: Option<Kind>,
    format: Option<Format>,
    path: Option<String>,
}

impl Read for JsScanOptions {
    #[cfg_attr(sendguard_cold, optimize(size))]
    fn read(value: Value<'_>) -> Result<Self, ReadError> {
        let mut js = JsScanOptions::default();
        value.fields("struct JsScanOptions", &["context", "kind", "format", "path"])?.each(&mut |index, value| {
            match index {
                0 => js.context = value.get()?,
                1 => js.kind = value.some()?,
                2 => js.format = value.some()?,
                _ => js.path = value.get()?,
            }
            Ok(())
        })?;
        Ok(js)
    }
}

/// Reads `{ context?, kind?, format?, path? }`; absent or `null` means the defaults.
fn scan_options(value: Option<JsValue>, what: &str) -> Result<ScanOptions, JsValue> {
    let mut options = ScanOptions::default();
    let value = match value {
        Some(v) if !v.is_undefined() && !v.is_null() => v,
        _ => return Ok(options),
    };
    let js: JsScanOptions = from_js(value, &format!("{what} options"))?;
    if let Some(name) = js.context {
        // Context::parse also takes the aliases the CLI takes (`statement`, `reset`, …).
        options.context = Context::parse(&name).ok_or_else(|| {
            let known: Vec<&str> = Context::ALL.iter().map(|c| c.as_str()).collect();
            input_error(&format!(
                "{what} options: unknown context `{name}`, expected one of {}",
                known.join(", ")
            ))
        })?;
    }
    if let Some(kind) = js.kind {
        options.kind = kind;
    }
    if let Some(format) = js.format {
        options.format = format;
    }
    options.path = js.path;
    Ok(options)
}

/// Compiles a policy given as `undefined`/`null` (the default), TOML or JSON text, or a
/// plain object. An object goes through `JSON.stringify` so that it takes exactly the
/// path a JSON policy file takes (`extends`, validation, error messages).
#[cfg_attr(sendguard_cold, optimize(size))]
fn engine_from_js(policy: Option<JsValue>) -> Result<Engine, JsValue> {
    let policy = match policy {
        Some(p) if !p.is_undefined() && !p.is_null() => p,
        _ => return Ok(Engine::default_policy()),
    };
    let text = if let Some(text) = policy.as_string() {
        text
    } else if policy.is_object() && !js_sys::Array::is_array(&policy) {
        let json = js_sys::JSON::stringify(&policy)
            .map_err(|_| js_error("policy", "the policy object cannot be converted to JSON (a cycle, or a BigInt?)", None))?;
        String::from(json)
    } else {
        return Err(js_error(
            "policy",
            "a policy must be TOML or JSON text, a plain object, or undefined for the default policy",
            None,
        ));
    };
    Engine::from_policy_str(&text).map_err(|e| engine_error(&e))
}

/// A compiled policy, reused for every scan (`new Engine(policy?)` in JavaScript).
#[wasm_bindgen(js_name = Engine)]
pub struct JsEngine {
    engine: Engine,
}

#[wasm_bindgen(js_class = Engine)]
impl JsEngine {
    /// Compiles `policy` (TOML or JSON text, or a plain object; the default policy when
    /// absent). Throws a `SendguardError` with code `policy` or `rule` when it is invalid.
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "PolicyInput | null")] policy: Option<JsValue>,
    ) -> Result<JsEngine, JsValue> {
        console_error_panic_hook::set_once();
        Ok(JsEngine { engine: engine_from_js(policy)? })
    }

    /// The default policy as TOML text: a starting point to copy and edit. The rules'
    /// examples and counter-examples are left out of the package (see `policy/strip.rs`).
    #[wasm_bindgen(js_name = defaultPolicy)]
    pub fn default_policy() -> String {
        crate::policy::default_policy_toml().to_owned()
    }

    /// Scans one text; the report's `utf16Start`/`utf16End` index into that same string.
    /// Throws a `SendguardError` with code `input` for a non-string text or bad options.
    #[wasm_bindgen(unchecked_return_type = "Report")]
    pub fn scan(
        &self,
        #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScanOptions | null")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let text = string_from_js(&text)
            .ok_or_else(|| input_error("scan: the text must be a string (use scanBytes for bytes)"))?;
        let options = scan_options(options, "scan")?;
        to_js(&self.engine.scan(&text, &options), "the report")
    }

    /// Scans raw bytes (`format: 'eml'` for a whole message, `html`, `text`, or `auto`);
    /// offsets are byte offsets into them. Throws code `input` when they cannot be read.
    #[wasm_bindgen(js_name = scanBytes, unchecked_return_type = "Report")]
    pub fn scan_bytes(
        &self,
        #[wasm_bindgen(unchecked_param_type = "Uint8Array")] bytes: JsValue,
        #[wasm_bindgen(unchecked_optional_param_type = "ScanBytesOptions | null")] options: Option<JsValue>,
    ) -> Result<JsValue, JsValue> {
        let bytes = if let Some(array) = bytes.dyn_ref::<js_sys::Uint8Array>() {
            array.to_vec()
        } else if let Some(buffer) = bytes.dyn_ref::<js_sys::ArrayBuffer>() {
            js_sys::Uint8Array::new(buffer).to_vec()
        } else {
            return Err(input_error("scanBytes: the input must be a Uint8Array, a Buffer or an ArrayBuffer"));
        };
        let options = scan_options(options, "scanBytes")?;
        let report = self.engine.scan_bytes(&bytes, &options).map_err(|e| engine_error(&e))?;
        to_js(&report, "the report")
    }

    /// The rules of this engine's policy.
    #[wasm_bindgen(unchecked_return_type = "RuleInfo[]")]
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn rules(&self) -> Result<JsValue, JsValue> {
        to_js_once(&self.engine.rules(), "the rule list")
    }
}

/// Run-level limits with a sticky halt (`new RunGuard(limits?)` in JavaScript).
#[wasm_bindgen(js_name = RunGuard)]
pub struct JsRunGuard {
    guard: RunGuard,
}

#[wasm_bindgen(js_class = RunGuard)]
impl JsRunGuard {
    /// A guard for one run. Throws code `input` when `limits` is not a limits object, and
    /// `policy` when a limit makes no sense (`maxMessages: 0`).
    #[wasm_bindgen(constructor)]
    pub fn new(
        #[wasm_bindgen(unchecked_optional_param_type = "GuardLimits | null")] limits: Option<JsValue>,
    ) -> Result<JsRunGuard, JsValue> {
        console_error_panic_hook::set_once();
        let limits: GuardLimits = match limits {
            Some(v) if !v.is_undefined() && !v.is_null() => from_js(v, "RunGuard limits")?,
            _ => GuardLimits::default(),
        };
        let guard = RunGuard::new(limits).map_err(|e| engine_error(&e))?;
        Ok(JsRunGuard { guard })
    }

    /// Judges one message of the run: `send`, `hold` or (sticky) `halt`.
    #[wasm_bindgen(unchecked_return_type = "GuardDecision")]
    pub fn check(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "GuardCheck")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let message: GuardCheck = from_js(message, "RunGuard.check message")?;
        to_js(&self.guard.check(&message), "the guard decision")
    }

    /// Judges one message as `check` does, with the per-recipient and per-fingerprint
    /// counts read from the caller's store (for the names of `RunGuard.countKeys(message)`);
    /// the answer says which of them to add one to. Nothing changes when it throws.
    #[wasm_bindgen(js_name = checkWith, unchecked_return_type = "GuardStep")]
    pub fn check_with(
        &mut self,
        #[wasm_bindgen(unchecked_param_type = "GuardCheck")] message: JsValue,
        #[wasm_bindgen(unchecked_param_type = "KeyCounts")] counts: JsValue,
    ) -> Result<JsValue, JsValue> {
        let message: GuardCheck = from_js(message, "RunGuard.checkWith message")?;
        let counts: KeyCounts = from_js(counts, "RunGuard.checkWith counts")?;
        to_js(&self.guard.check_with(&message, counts), "the guard step")
    }

    /// The names of the counts `checkWith` needs for a message, whatever the limits, so that
    /// a store can read them in the same round trip as the guard's state.
    #[wasm_bindgen(js_name = countKeys, unchecked_return_type = "CountKeys")]
    pub fn count_keys(
        #[wasm_bindgen(unchecked_param_type = "GuardCheck")] message: JsValue,
    ) -> Result<JsValue, JsValue> {
        let message: GuardCheck = from_js(message, "RunGuard.countKeys message")?;
        to_js(&RunGuard::count_keys(&message), "the count keys")
    }

    /// Counts so far and the halt reason, if any.
    #[wasm_bindgen(unchecked_return_type = "GuardSummary")]
    pub fn summary(&self) -> Result<JsValue, JsValue> {
        to_js_once(&self.guard.summary(), "the guard summary")
    }

    /// The whole state as a plain object, to keep in the host's store.
    #[wasm_bindgen(unchecked_return_type = "GuardState")]
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn state(&self) -> Result<JsValue, JsValue> {
        to_js_once(&self.guard.state(), "the guard state")
    }

    /// A guard resumed from `state()`. Throws code `input` when the state is not one.
    #[wasm_bindgen(js_name = fromState)]
    pub fn from_state(
        #[wasm_bindgen(unchecked_param_type = "GuardState")] state: JsValue,
    ) -> Result<JsRunGuard, JsValue> {
        console_error_panic_hook::set_once();
        let state: GuardState = from_js(state, "RunGuard.fromState state")?;
        let guard = RunGuard::from_state(state).map_err(|e| engine_error(&e))?;
        Ok(JsRunGuard { guard })
    }

    /// Starts the run over with the same limits (counts, windows and the halt cleared):
    /// the decision of a person who has looked at why the run halted.
    pub fn reset(&mut self) {
        self.guard.reset();
    }
}

#[wasm_bindgen]
extern "C" {
    /// The host's `TextEncoder`, for [`string_from_js`].
    type TextEncoder;
    #[wasm_bindgen(constructor)]
    fn new() -> TextEncoder;
    #[wasm_bindgen(method, js_name = encodeInto)]
    fn encode_into(this: &TextEncoder, source: &js_sys::JsString, destination: &mut [u8]) -> EncodeIntoResult;
    type EncodeIntoResult;
    #[wasm_bindgen(method, getter)]
    fn read(this: &EncodeIntoResult) -> u32;
    #[wasm_bindgen(method, getter)]
    fn written(this: &EncodeIntoResult) -> usize;
}

thread_local! {
    static ENCODER: TextEncoder = TextEncoder::new();
}

/// A JS string as UTF-8 (a lone surrogate as U+FFFD, as `as_string` does), or `None` for a
/// non-string. `as_string` copies ASCII text into wasm memory one character at a time in
/// JavaScript, a measurable part of scanning a short document; `encodeInto` writes it
/// straight into the buffer: first one byte per UTF-16 unit (all of an ASCII text), then,
/// if something is left, three per unit for the rest, so memory stays as `as_string`'s.
fn string_from_js(value: &JsValue) -> Option<String> {
    let text = value.dyn_ref::<js_sys::JsString>()?;
    let length = text.length();
    let mut buffer = vec![0u8; length as usize];
    ENCODER.with(|encoder| {
        let result = encoder.encode_into(text, &mut buffer);
        let (read, mut written) = (result.read(), result.written());
        if read < length {
            // `read` is on a code point boundary: encodeInto writes whole code points only.
            let rest = text.slice(read, length);
            buffer.resize(written + (length - read) as usize * 3, 0);
            written += encoder.encode_into(&rest, &mut buffer[written..]).written();
        }
        buffer.truncate(written);
    });
    // encodeInto writes UTF-8 only; the check is cheap next to the scan.
    String::from_utf8(buffer).ok()
}

/// The version of the sendguard crate this package was built from.
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_owned()
}
