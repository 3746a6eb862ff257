//! The run guard: judges a *run* of messages (a billing run, a mailbox sync) as it goes,
//! and stops it at the first sign that it went wrong.
//!
//! The engine judges one document; both incidents this product exists for were runs: a
//! billing run that mailed customers their stored passwords, and a ticketing system that
//! synced 3,000 stored emails and acknowledged every one. The caller feeds each message's
//! verdict and metadata to [`RunGuard::check`] and gets back `send`, `hold` or `halt`.
//!
//! ```
//! use sendguard::{Action, GuardCheck, GuardLimits, RunGuard};
//! use sendguard::guard::GuardAction;
//! let limits = GuardLimits { max_blocked: Some(0), ..GuardLimits::default() };
//! let mut guard = RunGuard::new(limits).unwrap();
//! let ok = guard.check(&GuardCheck::new("a@example.com", 1_000, Action::Pass));
//! assert_eq!(ok.action, GuardAction::Send);
//! let leak = guard.check(&GuardCheck::new("b@example.com", 2_000, Action::Block));
//! assert_eq!(leak.action, GuardAction::Halt);
//! // Sticky: nothing goes out until a person resets the guard.
//! let next = guard.check(&GuardCheck::new("c@example.com", 3_000, Action::Pass));
//! assert_eq!(next.action, GuardAction::Halt);
//! assert_eq!(next.reason, leak.reason);
//! ```
//!
//! # Semantics (the contract, tested at both sides of every edge)
//!
//! Every limit `N` means "at most `N`"; the message that would make it `N + 1` trips it.
//!
//! - **Time.** There is no clock inside the guard: `at` and `triggeredAt` are the caller's
//!   milliseconds since the epoch, so a replay answers exactly as the run did. The guard's
//!   *clock* is the latest `at` it has seen. A check whose `at` is earlier than the clock is
//!   accepted, counted, and judged as if it arrived at the clock, so a caller's clock that
//!   jumps back can neither reopen a rate window nor make old mail look young.
//! - **`maxBlocked`** — a blocked message is never sent. The `N + 1`-th blocked message halts
//!   the run (`0` halts at the first); blocked messages within the limit are held.
//! - **`maxWarned`** — the `N + 1`-th warned message halts the run; warned messages within the
//!   limit go on to the other limits and are sent if none applies.
//! - **`maxMessages`** — the `N + 1`-th checked message halts the run.
//! - **`maxPerMinute` / `maxPerHour`** — rate windows over every checked message, held ones
//!   included, kept as 60 fixed buckets each: the minute counts the messages of the current
//!   second of the clock and of the 59 seconds before it, the hour those of the current minute
//!   and of the 59 before. More than `N` halts the run (a burst). So with `maxPerMinute = 60`
//!   the 61st message within seconds `0..=59` halts, while messages in seconds `0` and `60`
//!   are never in the same minute. The resolution is one bucket: a message leaves the window
//!   when its whole bucket does, up to 1 s (1 min for the hour) before an exact sliding window
//!   would drop it and never later, so a limit may let through at most one bucket's worth more
//!   than an exact window, and never halts a run that an exact window would not have halted.
//! - **`maxTriggerAgeDays`** — a message whose `triggeredAt` is more than `N` days
//!   (`N × 86 400 000` ms) before the clock is held; exactly `N` days old is sent. A check
//!   without `triggeredAt` is not judged by age.
//! - **`maxPerRecipient`** — a recipient receives at most `N` messages in the run; the message
//!   that would be the `N + 1`-th *sent* to them is held. Recipients are compared trimmed and
//!   lower-cased, and `Name <addr>` counts as `addr`.
//! - **`maxDuplicates`** — at most `N` messages with the same `fingerprint` are sent; the next
//!   is held. A check without a fingerprint is not judged by this limit.
//! - **`maxHeld`** — the message that would be the `N + 1`-th held one halts the run instead.
//! - **Order.** Halting limits are tried first, in the order `maxBlocked`, `maxWarned`,
//!   `maxMessages`, `maxPerMinute`, `maxPerHour`; then holds, in the order verdict `block`,
//!   `maxTriggerAgeDays`, `maxPerRecipient`, `maxDuplicates`; then `maxHeld`. The first that
//!   applies gives the action and the reason.
//! - **Halt is sticky.** Once halted, every check answers `halt` with the first reason until
//!   [`RunGuard::reset`]. Checks after the halt count in `checked` and `halted` only; they are
//!   not judged, so `blocked`, `warned` and the windows stop at the halt.
//! - **Counts.** `checked = sent + held + halted` always holds; `blocked` and `warned` count
//!   verdicts of judged messages, whatever their outcome.
//! - **Reasons** name the limit and the numbers, the check number and the template; never
//!   message content, and a recipient only masked (`j***@example.com`).
//!
//! # Counts kept outside the guard
//!
//! `maxPerRecipient` and `maxDuplicates` count per recipient and per fingerprint, a number
//! that grows with the run. [`RunGuard::check`] keeps those counts inside the guard, in a map
//! with a fixed-size key per recipient (a live guard in one process). A store that keeps the
//! guard elsewhere (a Redis key) keeps them beside it instead, so that a check reads and
//! writes one recipient's and one fingerprint's count, not the whole run: it asks
//! [`RunGuard::count_keys`] which counts the check needs, reads them, calls
//! [`RunGuard::check_with`] with them and adds what the [`GuardStep`] says to add. The limits
//! are still judged here, once; the core [`GuardState`] of such a guard stays the same size
//! from the first message of a run to the millionth.

mod keys;
// The wasm build's readers of the guard's types (natively serde_json reads them); tested natively.
#[cfg(any(test, target_arch = "wasm32"))]
mod read;
mod state;
mod window;

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{BuildHasherDefault, Hash, Hasher};

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::policy::Action;
use keys::KeyKind;
use window::Window;

pub use state::{GuardHalt, GuardState, GUARD_STATE_VERSION};

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 86_400_000;
/// Bucket sizes: 60 buckets make the minute and the hour.
const MINUTE_BUCKET_MS: u64 = MINUTE_MS / window::BUCKETS as u64;
const HOUR_BUCKET_MS: u64 = HOUR_MS / window::BUCKETS as u64;

/// The limits of one run. All optional: absent means unlimited. Each `N` means "at most
/// `N`"; see the [module docs](self) for exactly what each counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardLimits {
    /// Blocked messages allowed before the run halts; `0` halts at the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_blocked: Option<u64>,
    /// Warned messages allowed before the run halts; `0` halts at the first.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_warned: Option<u64>,
    /// Messages checked in the run before it halts (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_messages: Option<u64>,
    /// Messages checked within one minute (the clock's second and the 59 before it) before the
    /// run halts as a burst (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_minute: Option<u64>,
    /// Messages checked within one hour (the clock's minute and the 59 before it) before the
    /// run halts as a burst (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_hour: Option<u64>,
    /// Messages sent to one recipient in the run; more are held (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_recipient: Option<u64>,
    /// Messages sent with the same fingerprint in the run; more are held (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_duplicates: Option<u64>,
    /// Whole days between `triggeredAt` and `at` beyond which a message is held (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_trigger_age_days: Option<u64>,
    /// Held messages allowed before the run halts; `0` halts at the first hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_held: Option<u64>,
}

impl GuardLimits {
    /// Checks that every limit can mean something: a limit of `0` on messages, windows,
    /// recipients, duplicates or trigger age would stop or hold every message of every run,
    /// which is a configuration mistake, not a policy; leave the field out for "no limit".
    pub fn validate(&self) -> Result<(), Error> {
        let at_least_one = [
            ("maxMessages", self.max_messages, "would halt every run at its first message"),
            ("maxPerMinute", self.max_per_minute, "would halt every run at its first message"),
            ("maxPerHour", self.max_per_hour, "would halt every run at its first message"),
            ("maxPerRecipient", self.max_per_recipient, "would hold every message"),
            ("maxDuplicates", self.max_duplicates, "would hold every message with a fingerprint"),
            ("maxTriggerAgeDays", self.max_trigger_age_days, "would hold nearly every triggered message"),
        ];
        for (field, value, why) in at_least_one {
            if value == Some(0) {
                return Err(Error::policy(format!(
                    "guard limit `{field}` is 0, which {why}; use at least 1, or leave it out for no limit"
                )));
            }
        }
        if let Some(days) = self.max_trigger_age_days {
            if days.checked_mul(DAY_MS).is_none() {
                return Err(Error::policy(format!(
                    "guard limit `maxTriggerAgeDays` is {days}, too large to express in milliseconds"
                )));
            }
        }
        Ok(())
    }

    /// `maxTriggerAgeDays` in milliseconds (validated not to overflow).
    fn max_trigger_age_ms(&self) -> Option<u64> {
        self.max_trigger_age_days.map(|d| d.saturating_mul(DAY_MS))
    }
}

/// One message of a run, as the caller describes it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardCheck {
    /// Who the message goes to (`addr` or `Name <addr>`), for `maxPerRecipient`.
    pub recipient: String,
    /// When the message is about to be sent, in ms since the epoch (the caller's clock).
    pub at: u64,
    /// The engine's verdict on the message.
    pub verdict: Action,
    /// When the event that caused this message happened (the stored email, the ticket), in
    /// ms since the epoch, for `maxTriggerAgeDays`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub triggered_at: Option<u64>,
    /// The template's name; only named in reasons, to help find what went wrong.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub template: Option<String>,
    /// Anything that identifies "the same message" (a hash of the rendered body), for
    /// `maxDuplicates`. Never echoed in reasons.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
}

impl GuardCheck {
    /// A check with the required fields and no optional metadata.
    pub fn new(recipient: impl Into<String>, at: u64, verdict: Action) -> GuardCheck {
        GuardCheck { recipient: recipient.into(), at, verdict, triggered_at: None, template: None, fingerprint: None }
    }

    /// Sets `triggeredAt`.
    pub fn triggered_at(mut self, at: u64) -> GuardCheck {
        self.triggered_at = Some(at);
        self
    }

    /// Sets `template`.
    pub fn template(mut self, name: impl Into<String>) -> GuardCheck {
        self.template = Some(name.into());
        self
    }

    /// Sets `fingerprint`.
    pub fn fingerprint(mut self, fingerprint: impl Into<String>) -> GuardCheck {
        self.fingerprint = Some(fingerprint.into());
        self
    }
}

/// What to do with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GuardAction {
    /// Go ahead and send it.
    Send,
    /// Keep this one back; the run goes on.
    Hold,
    /// Do not send it; the run is stopped until a person resets the guard.
    Halt,
}

impl GuardAction {
    /// `send`, `hold` or `halt`.
    pub fn as_str(self) -> &'static str {
        match self {
            GuardAction::Send => "send",
            GuardAction::Hold => "hold",
            GuardAction::Halt => "halt",
        }
    }
}

/// Counters of a run. `checked = sent + held + halted` always holds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardCounts {
    /// Every check, including those answered after a halt.
    pub checked: u64,
    /// Checks answered `send`.
    pub sent: u64,
    /// Checks answered `hold`.
    pub held: u64,
    /// Checks answered `halt`: the one that tripped the halt and every one after it.
    pub halted: u64,
    /// Judged messages whose verdict was `block` (not counted after a halt).
    pub blocked: u64,
    /// Judged messages whose verdict was `warn` (not counted after a halt).
    pub warned: u64,
}

/// The guard's answer for one message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardDecision {
    /// What to do with the message.
    pub action: GuardAction,
    /// Why: the limit that applied, with its numbers; `within limits` for a send. Never
    /// message content.
    pub reason: String,
    /// The run's counters after this check.
    pub counts: GuardCounts,
}

/// The run so far: counts, and whether and why it halted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardSummary {
    /// Whether the run is halted.
    pub halted: bool,
    /// The first halt reason, if halted.
    pub halt_reason: Option<String>,
    /// The 1-based number of the check that halted the run, if halted.
    pub halted_at_check: Option<u64>,
    /// The run's counters.
    pub counts: GuardCounts,
    /// The limits the run is judged by.
    pub limits: GuardLimits,
}


/// The names of the counts one check needs from a store that keeps them outside the guard
/// ([module docs](self#counts-kept-outside-the-guard)): `r:` and 32 hex digits for the
/// recipient, `f:` and 32 for the fingerprint. Digests, not addresses: a store of counts
/// names no customer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CountKeys {
    /// The recipient's count, for `maxPerRecipient`.
    pub recipient: String,
    /// The fingerprint's count, for `maxDuplicates`; `None` when the check has no fingerprint.
    pub fingerprint: Option<String>,
}

/// The counts a store read for a check's [`CountKeys`]: how many messages were already sent
/// to the recipient and with the fingerprint (0 when the store has none).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct KeyCounts {
    /// Messages already sent to the check's recipient.
    #[serde(default)]
    pub recipient: u64,
    /// Messages already sent with the check's fingerprint.
    #[serde(default)]
    pub fingerprint: u64,
}

/// The result of [`RunGuard::check_with`]: the decision, and the counts the store must add
/// one to, in the same transaction as the guard's new state, for the decision to hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GuardStep {
    /// What to do with the message.
    pub decision: GuardDecision,
    /// Names from [`CountKeys`] to add one to: the recipient's and the fingerprint's when the
    /// message is sent and their limit is set; none otherwise.
    pub increments: Vec<String>,
}

/// A count key in a guard's own maps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Key(keys::Key);

impl Hash for Key {
    /// The key is a digest already: its first 8 bytes are as good a hash as any.
    fn hash<H: Hasher>(&self, state: &mut H) {
        let mut first = [0u8; 8];
        first.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(first));
    }
}

/// Passes a [`Key`]'s digest bits through: no second hash per lookup.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by `Key`; FNV-1a, so that any other input still hashes.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }
}

type KeyMap = HashMap<Key, u64, BuildHasherDefault<KeyHasher>>;

/// The run guard. Create one per run with [`RunGuard::new`]; it is a plain value (no
/// clock, no I/O), so it can live in a process, or be stored between checks with
/// [`RunGuard::state`] and [`RunGuard::from_state`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunGuard {
    limits: GuardLimits,
    counts: GuardCounts,
    halt: Option<GuardHalt>,
    clock: Option<u64>,
    /// Present when `maxPerMinute` is set.
    minute: Option<Window>,
    /// Present when `maxPerHour` is set.
    hour: Option<Window>,
    /// Counts of [`RunGuard::check`]; [`RunGuard::check_with`] leaves them alone.
    recipients: KeyMap,
    fingerprints: KeyMap,
}

impl RunGuard {
    /// A guard for a new run. Fails with a `policy` error naming the field when a limit
    /// makes no sense (see [`GuardLimits::validate`]).
    pub fn new(limits: GuardLimits) -> Result<RunGuard, Error> {
        limits.validate()?;
        Ok(RunGuard::empty(limits))
    }

    fn empty(limits: GuardLimits) -> RunGuard {
        RunGuard {
            limits,
            counts: GuardCounts::default(),
            halt: None,
            clock: None,
            minute: limits.max_per_minute.map(|_| Window::new(MINUTE_BUCKET_MS)),
            hour: limits.max_per_hour.map(|_| Window::new(HOUR_BUCKET_MS)),
            recipients: KeyMap::default(),
            fingerprints: KeyMap::default(),
        }
    }

    /// The limits this guard judges by.
    pub fn limits(&self) -> &GuardLimits {
        &self.limits
    }

    /// Whether the run is halted.
    pub fn is_halted(&self) -> bool {
        self.halt.is_some()
    }

    /// Judges one message and records it, counting per recipient and per fingerprint inside
    /// the guard. Never panics and never overflows, whatever the input; see the
    /// [module docs](self) for the exact semantics. The cost of a check does not grow with
    /// the run: two map probes and 120 window counters at most.
    pub fn check(&mut self, check: &GuardCheck) -> GuardDecision {
        if self.halt.is_some() {
            return self.judge(check, KeyCounts::default());
        }
        let recipient = self.limits.max_per_recipient.map(|_| Key(keys::key(KeyKind::Recipient, &check.recipient)));
        let fingerprint = match (self.limits.max_duplicates, &check.fingerprint) {
            (Some(_), Some(fp)) => Some(Key(keys::key(KeyKind::Fingerprint, fp))),
            _ => None,
        };
        let counts = KeyCounts {
            recipient: recipient.and_then(|k| self.recipients.get(&k).copied()).unwrap_or(0),
            fingerprint: fingerprint.and_then(|k| self.fingerprints.get(&k).copied()).unwrap_or(0),
        };
        let decision = self.judge(check, counts);
        if decision.action == GuardAction::Send {
            for (key, map) in [(recipient, &mut self.recipients), (fingerprint, &mut self.fingerprints)] {
                if let Some(key) = key {
                    let n = map.entry(key).or_insert(0);
                    *n = n.saturating_add(1);
                }
            }
        }
        decision
    }

    /// The names of the counts that [`RunGuard::check_with`] needs for `check`, whatever the
    /// limits (so that a store can read them together with the guard's state).
    pub fn count_keys(check: &GuardCheck) -> CountKeys {
        let name = |kind: KeyKind, value: &str| format!("{}{}", kind.prefix(), keys::to_hex(&keys::key(kind, value)));
        CountKeys {
            recipient: name(KeyKind::Recipient, &check.recipient),
            fingerprint: check.fingerprint.as_deref().map(|fp| name(KeyKind::Fingerprint, fp)),
        }
    }

    /// Judges one message as [`RunGuard::check`] does, with the per-recipient and
    /// per-fingerprint counts read from the caller's store (`counts`, for the names of
    /// [`RunGuard::count_keys`]) instead of the guard's own, and says which of them to add
    /// one to. The guard's state changes exactly as `check` would change it otherwise; its
    /// own counts are left alone, so use one or the other for a run, not both.
    pub fn check_with(&mut self, check: &GuardCheck, counts: KeyCounts) -> GuardStep {
        let decision = self.judge(check, counts);
        let mut increments = Vec::new();
        if decision.action == GuardAction::Send {
            let names = RunGuard::count_keys(check);
            if self.limits.max_per_recipient.is_some() {
                increments.push(names.recipient);
            }
            if let (Some(_), Some(fp)) = (self.limits.max_duplicates, names.fingerprint) {
                increments.push(fp);
            }
        }
        GuardStep { decision, increments }
    }

    /// The judgement itself, with the per-key counts given; records everything but them.
    fn judge(&mut self, check: &GuardCheck, sent_before: KeyCounts) -> GuardDecision {
        self.counts.checked = self.counts.checked.saturating_add(1);
        let number = self.counts.checked;
        if let Some(halt) = &self.halt {
            self.counts.halted = self.counts.halted.saturating_add(1);
            return GuardDecision { action: GuardAction::Halt, reason: halt.reason.clone(), counts: self.counts };
        }

        // The clock never goes back: an earlier `at` is judged at the latest time seen.
        let now = self.clock.map_or(check.at, |c| c.max(check.at));
        self.clock = Some(now);
        for window in [&mut self.minute, &mut self.hour].into_iter().flatten() {
            window.record(now);
        }
        match check.verdict {
            Action::Block => self.counts.blocked = self.counts.blocked.saturating_add(1),
            Action::Warn => self.counts.warned = self.counts.warned.saturating_add(1),
            Action::Pass => {}
        }

        if let Some(reason) = self.halt_reason(check) {
            return self.halt_with(reason, number, check);
        }
        match self.hold_reason(check, now, sent_before) {
            Some(reason) => {
                if let Some(max) = self.limits.max_held {
                    let held = self.counts.held.saturating_add(1);
                    if held > max {
                        let reason =
                            format!("maxHeld: {held} held messages would exceed the limit of {max} ({reason})");
                        return self.halt_with(reason, number, check);
                    }
                }
                self.counts.held = self.counts.held.saturating_add(1);
                GuardDecision {
                    action: GuardAction::Hold,
                    reason: with_context(reason, number, check),
                    counts: self.counts,
                }
            }
            None => {
                self.counts.sent = self.counts.sent.saturating_add(1);
                GuardDecision { action: GuardAction::Send, reason: "within limits".to_owned(), counts: self.counts }
            }
        }
    }

    /// The run-level limits, in their documented order; `Some(reason)` halts.
    fn halt_reason(&self, check: &GuardCheck) -> Option<String> {
        let c = &self.counts;
        if let Some(max) = self.limits.max_blocked {
            if check.verdict == Action::Block && c.blocked > max {
                return Some(format!("maxBlocked: {} blocked messages exceed the limit of {max}", c.blocked));
            }
        }
        if let Some(max) = self.limits.max_warned {
            if check.verdict == Action::Warn && c.warned > max {
                return Some(format!("maxWarned: {} warned messages exceed the limit of {max}", c.warned));
            }
        }
        if let Some(max) = self.limits.max_messages {
            if c.checked > max {
                return Some(format!("maxMessages: {} messages exceed the limit of {max}", c.checked));
            }
        }
        for (field, max, window, unit) in [
            ("maxPerMinute", self.limits.max_per_minute, &self.minute, "minute"),
            ("maxPerHour", self.limits.max_per_hour, &self.hour, "hour"),
        ] {
            if let (Some(max), Some(window)) = (max, window) {
                let count = window.total();
                if count > max {
                    return Some(format!("{field}: {count} messages within one {unit} exceed the limit of {max}"));
                }
            }
        }
        None
    }

    /// The per-message limits, in their documented order; `Some(reason)` holds.
    fn hold_reason(&self, check: &GuardCheck, now: u64, sent_before: KeyCounts) -> Option<String> {
        if check.verdict == Action::Block {
            return Some("verdict block: a blocked message is never sent".to_owned());
        }
        if let (Some(max_ms), Some(triggered)) = (self.limits.max_trigger_age_ms(), check.triggered_at) {
            if triggered < now.saturating_sub(max_ms) {
                let age = now - triggered;
                let max = self.limits.max_trigger_age_days.unwrap_or(0);
                return Some(format!(
                    "maxTriggerAgeDays: triggered {age} ms (over {} days) before, more than the limit of {max} days",
                    age / DAY_MS
                ));
            }
        }
        if let Some(max) = self.limits.max_per_recipient {
            let sent = sent_before.recipient;
            if sent >= max {
                return Some(format!(
                    "maxPerRecipient: {} already received {sent} messages, the limit is {max}",
                    keys::mask_recipient(&check.recipient)
                ));
            }
        }
        if let (Some(max), Some(_)) = (self.limits.max_duplicates, &check.fingerprint) {
            let sent = sent_before.fingerprint;
            if sent >= max {
                return Some(format!(
                    "maxDuplicates: {sent} messages with the same fingerprint already sent, the limit is {max}"
                ));
            }
        }
        None
    }

    fn halt_with(&mut self, reason: String, number: u64, check: &GuardCheck) -> GuardDecision {
        let reason = with_context(reason, number, check);
        self.counts.halted = self.counts.halted.saturating_add(1);
        self.halt = Some(GuardHalt { reason: reason.clone(), check: number });
        GuardDecision { action: GuardAction::Halt, reason, counts: self.counts }
    }

    /// The run so far.
    pub fn summary(&self) -> GuardSummary {
        GuardSummary {
            halted: self.halt.is_some(),
            halt_reason: self.halt.as_ref().map(|h| h.reason.clone()),
            halted_at_check: self.halt.as_ref().map(|h| h.check),
            counts: self.counts,
            limits: self.limits,
        }
    }

    /// Starts the run over with the same limits: counts, windows, and the halt are cleared.
    /// This is the person's decision after looking at why the run halted. (A store that
    /// keeps counts outside the guard clears them too.)
    pub fn reset(&mut self) {
        *self = RunGuard::empty(self.limits);
    }
}

/// Appends the check number and the template (sanitised, bounded) to a reason.
fn with_context(mut reason: String, number: u64, check: &GuardCheck) -> String {
    let _ = write!(reason, " (check #{number}");
    if let Some(template) = &check.template {
        let name: String = template.chars().filter(|c| !c.is_control()).take(64).collect();
        let _ = write!(reason, ", template `{name}`");
    }
    reason.push(')');
    reason
}

#[cfg(test)]
mod tests;
