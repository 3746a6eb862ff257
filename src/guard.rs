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
//! - **`maxPerMinute` / `maxPerHour`** — sliding windows over every checked message, held ones
//!   included. A window of `W` ms at clock `t` holds the messages whose time lies in
//!   `(t - W, t]`, this one included; more than `N` halts the run (a burst). So with
//!   `maxPerMinute = 60` the 61st message within 59 999 ms of the first halts, while messages
//!   exactly 60 000 ms apart are never in the same minute.
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

use std::collections::{BTreeMap, VecDeque};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::Error;
use crate::policy::Action;

const MINUTE_MS: u64 = 60_000;
const HOUR_MS: u64 = 3_600_000;
const DAY_MS: u64 = 86_400_000;
/// The version of [`GuardState`] this build writes and reads.
pub const GUARD_STATE_VERSION: u32 = 1;

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
    /// Messages checked within any 60 000 ms before the run halts as a burst (at least 1).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_per_minute: Option<u64>,
    /// Messages checked within any 3 600 000 ms before the run halts as a burst (at least 1).
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

    /// The longest rate window configured, in ms: how far back timestamps must be kept.
    fn window_span(&self) -> Option<u64> {
        if self.max_per_hour.is_some() {
            Some(HOUR_MS)
        } else if self.max_per_minute.is_some() {
            Some(MINUTE_MS)
        } else {
            None
        }
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

/// Why and where a run halted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardHalt {
    /// The reason given by the check that tripped the halt, and by every check since.
    pub reason: String,
    /// The 1-based number of the check that tripped it (counting from the last reset).
    pub check: u64,
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

/// A guard's whole state, a plain serialisable value so that a host can keep it in its own
/// store (a database row, a Redis key) and resume after a restart with
/// [`RunGuard::from_state`]. Compact: timestamps only for the longest configured window (and
/// at most a limit's worth of them), per-recipient and per-fingerprint counts only when those
/// limits are set. It does hold normalised recipient addresses and fingerprints as map keys.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardState {
    /// Format version, [`GUARD_STATE_VERSION`].
    pub version: u32,
    /// The limits.
    pub limits: GuardLimits,
    /// The counters.
    pub counts: GuardCounts,
    /// Why and where the run halted, if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub halt: Option<GuardHalt>,
    /// The latest `at` seen, if any check was judged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub clock: Option<u64>,
    /// Times (ms, ascending) of the checked messages still inside the longest rate window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub window: Vec<u64>,
    /// Messages sent per normalised recipient (only with `maxPerRecipient`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recipients: BTreeMap<String, u64>,
    /// Messages sent per fingerprint (only with `maxDuplicates`).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fingerprints: BTreeMap<String, u64>,
}

/// Judges a run of messages against [`GuardLimits`]; a halted guard stays halted until
/// [`reset`](RunGuard::reset). Deterministic: the same checks give the same answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RunGuard {
    limits: GuardLimits,
    counts: GuardCounts,
    halt: Option<GuardHalt>,
    clock: Option<u64>,
    /// Ascending (times are clamped to the clock), pruned to the longest window.
    window: VecDeque<u64>,
    recipients: BTreeMap<String, u64>,
    fingerprints: BTreeMap<String, u64>,
}

impl RunGuard {
    /// A guard for a new run. Fails with a `policy` error naming the field when a limit
    /// makes no sense (see [`GuardLimits::validate`]).
    pub fn new(limits: GuardLimits) -> Result<RunGuard, Error> {
        limits.validate()?;
        Ok(RunGuard {
            limits,
            counts: GuardCounts::default(),
            halt: None,
            clock: None,
            window: VecDeque::new(),
            recipients: BTreeMap::new(),
            fingerprints: BTreeMap::new(),
        })
    }

    /// The limits this guard judges by.
    pub fn limits(&self) -> &GuardLimits {
        &self.limits
    }

    /// Whether the run is halted.
    pub fn is_halted(&self) -> bool {
        self.halt.is_some()
    }

    /// Judges one message and records it. Never panics and never overflows, whatever the
    /// input; see the [module docs](self) for the exact semantics.
    pub fn check(&mut self, check: &GuardCheck) -> GuardDecision {
        self.counts.checked = self.counts.checked.saturating_add(1);
        let number = self.counts.checked;
        if let Some(halt) = &self.halt {
            self.counts.halted = self.counts.halted.saturating_add(1);
            return GuardDecision { action: GuardAction::Halt, reason: halt.reason.clone(), counts: self.counts };
        }

        // The clock never goes back: an earlier `at` is judged at the latest time seen.
        let now = self.clock.map_or(check.at, |c| c.max(check.at));
        self.clock = Some(now);
        if let Some(span) = self.limits.window_span() {
            self.window.push_back(now);
            let oldest = now.saturating_sub(span - 1);
            while self.window.front().is_some_and(|&t| t < oldest) {
                self.window.pop_front();
            }
        }
        match check.verdict {
            Action::Block => self.counts.blocked = self.counts.blocked.saturating_add(1),
            Action::Warn => self.counts.warned = self.counts.warned.saturating_add(1),
            Action::Pass => {}
        }

        if let Some(reason) = self.halt_reason(check, now) {
            return self.halt_with(reason, number, check);
        }
        match self.hold_reason(check, now) {
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
                if self.limits.max_per_recipient.is_some() {
                    let n = self.recipients.entry(recipient_key(&check.recipient)).or_insert(0);
                    *n = n.saturating_add(1);
                }
                if let (Some(_), Some(fp)) = (self.limits.max_duplicates, &check.fingerprint) {
                    let n = self.fingerprints.entry(fp.clone()).or_insert(0);
                    *n = n.saturating_add(1);
                }
                self.counts.sent = self.counts.sent.saturating_add(1);
                GuardDecision { action: GuardAction::Send, reason: "within limits".to_owned(), counts: self.counts }
            }
        }
    }

    /// The run-level limits, in their documented order; `Some(reason)` halts.
    fn halt_reason(&self, check: &GuardCheck, now: u64) -> Option<String> {
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
        for (field, max, span, unit) in [
            ("maxPerMinute", self.limits.max_per_minute, MINUTE_MS, "minute"),
            ("maxPerHour", self.limits.max_per_hour, HOUR_MS, "hour"),
        ] {
            if let Some(max) = max {
                let count = self.window_count(now, span);
                if count > max {
                    return Some(format!("{field}: {count} messages within one {unit} exceed the limit of {max}"));
                }
            }
        }
        None
    }

    /// The per-message limits, in their documented order; `Some(reason)` holds.
    fn hold_reason(&self, check: &GuardCheck, now: u64) -> Option<String> {
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
            let sent = self.recipients.get(&recipient_key(&check.recipient)).copied().unwrap_or(0);
            if sent >= max {
                return Some(format!(
                    "maxPerRecipient: {} already received {sent} messages, the limit is {max}",
                    mask_recipient(&check.recipient)
                ));
            }
        }
        if let (Some(max), Some(fp)) = (self.limits.max_duplicates, &check.fingerprint) {
            let sent = self.fingerprints.get(fp).copied().unwrap_or(0);
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

    /// Messages in `(now - span, now]`; the window is ascending, so a binary search.
    fn window_count(&self, now: u64, span: u64) -> u64 {
        let oldest = now.saturating_sub(span - 1);
        let before = self.window.partition_point(|&t| t < oldest);
        (self.window.len() - before) as u64
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
    /// This is the person's decision after looking at why the run halted.
    pub fn reset(&mut self) {
        self.counts = GuardCounts::default();
        self.halt = None;
        self.clock = None;
        self.window.clear();
        self.recipients.clear();
        self.fingerprints.clear();
    }

    /// The whole state, for the host's store. [`RunGuard::from_state`] of it answers every
    /// later check exactly as this guard would.
    pub fn state(&self) -> GuardState {
        GuardState {
            version: GUARD_STATE_VERSION,
            limits: self.limits,
            counts: self.counts,
            halt: self.halt.clone(),
            clock: self.clock,
            window: self.window.iter().copied().collect(),
            recipients: self.recipients.clone(),
            fingerprints: self.fingerprints.clone(),
        }
    }

    /// A guard resumed from [`RunGuard::state`]. Fails with an `input` error naming what is
    /// inconsistent (a state from another version, counts that do not add up, a window out
    /// of order or outside its span), or a `policy` error for invalid limits, so that a
    /// corrupted store cannot quietly reopen a halted run.
    pub fn from_state(state: GuardState) -> Result<RunGuard, Error> {
        let bad = |what: String| Error::input(format!("guard state: {what}"));
        if state.version != GUARD_STATE_VERSION {
            return Err(bad(format!("version {} is not supported (expected {GUARD_STATE_VERSION})", state.version)));
        }
        state.limits.validate()?;
        let c = state.counts;
        let outcomes = c.sent.checked_add(c.held).and_then(|n| n.checked_add(c.halted));
        if outcomes != Some(c.checked) {
            return Err(bad(format!(
                "counts do not add up: checked {} but sent {} + held {} + halted {}",
                c.checked, c.sent, c.held, c.halted
            )));
        }
        let judged = c.checked - (c.halted.saturating_sub(1)).min(c.checked);
        if c.blocked.checked_add(c.warned).is_none_or(|n| n > judged) {
            return Err(bad(format!(
                "{} blocked + {} warned exceed the {judged} judged messages",
                c.blocked, c.warned
            )));
        }
        match &state.halt {
            None if c.halted != 0 => return Err(bad(format!("{} halted checks but no halt reason", c.halted))),
            Some(_) if c.halted == 0 => return Err(bad("a halt reason but no halted checks".to_owned())),
            Some(h) if h.check == 0 || h.check.checked_add(c.halted - 1) != Some(c.checked) => {
                return Err(bad(format!("halt at check {} does not fit {} checks", h.check, c.checked)))
            }
            _ => {}
        }
        if let Some(max) = state.limits.max_held {
            if c.held > max {
                return Err(bad(format!("{} held messages exceed maxHeld {max}", c.held)));
            }
        }
        if state.clock.is_some() != (c.checked > 0) {
            return Err(bad(format!("a clock of {:?} does not fit {} checks", state.clock, c.checked)));
        }
        match (state.limits.window_span(), state.clock) {
            (None, _) if !state.window.is_empty() => {
                return Err(bad("a window without maxPerMinute or maxPerHour".to_owned()));
            }
            (Some(span), Some(clock)) => {
                let oldest = clock.saturating_sub(span - 1);
                if state.window.windows(2).any(|w| w[0] > w[1]) {
                    return Err(bad("window times are not in ascending order".to_owned()));
                }
                if state.window.iter().any(|&t| t < oldest || t > clock) {
                    return Err(bad(format!("window times outside the {span} ms before the clock")));
                }
                // The window spans the longest configured limit, and the message that
                // exceeds it is the last one recorded: at most that limit + 1 times.
                let cap = state.limits.max_per_hour.or(state.limits.max_per_minute).map_or(0, |m| m.saturating_add(1));
                let len = state.window.len() as u64;
                if len > cap || len > c.checked {
                    return Err(bad(format!("{len} window times, more than the limits or checks allow")));
                }
            }
            _ => {}
        }
        for (name, map, limit) in [
            ("recipients", &state.recipients, state.limits.max_per_recipient),
            ("fingerprints", &state.fingerprints, state.limits.max_duplicates),
        ] {
            let Some(max) = limit else {
                if !map.is_empty() {
                    return Err(bad(format!("{name} counted without their limit")));
                }
                continue;
            };
            let mut total: u64 = 0;
            for &n in map.values() {
                if n == 0 || n > max {
                    return Err(bad(format!("a count of {n} {name} outside 1..={max}")));
                }
                total = total.saturating_add(n);
            }
            if total > c.sent {
                return Err(bad(format!("{total} messages counted per {name} but only {} sent", c.sent)));
            }
        }
        Ok(RunGuard {
            limits: state.limits,
            counts: state.counts,
            halt: state.halt,
            clock: state.clock,
            window: state.window.into(),
            recipients: state.recipients,
            fingerprints: state.fingerprints,
        })
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

/// The address part of `Name <addr>` or `addr`, trimmed and lower-cased: two spellings of
/// one mailbox count as one recipient.
fn recipient_key(recipient: &str) -> String {
    let r = recipient.trim();
    let addr = match (r.rfind('<'), r.rfind('>')) {
        (Some(open), Some(close)) if open < close => &r[open + 1..close],
        _ => r,
    };
    addr.trim().to_lowercase()
}

/// `j***@example.com`: enough to find the recipient in the host's logs, not to read it.
fn mask_recipient(recipient: &str) -> String {
    let key = recipient_key(recipient);
    match key.rsplit_once('@') {
        Some((local, domain)) => {
            let first: String = local.chars().next().filter(|c| !c.is_control()).into_iter().collect();
            let domain: String = domain.chars().filter(|c| !c.is_control()).take(64).collect();
            format!("{first}***@{domain}")
        }
        None => "***".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn guard(limits: GuardLimits) -> RunGuard {
        RunGuard::new(limits).expect("valid limits")
    }

    fn pass(to: &str, at: u64) -> GuardCheck {
        GuardCheck::new(to, at, Action::Pass)
    }

    fn actions(g: &mut RunGuard, checks: &[GuardCheck]) -> Vec<GuardAction> {
        checks.iter().map(|c| g.check(c).action).collect()
    }

    use GuardAction::{Halt, Hold, Send};

    #[test]
    fn limits_parse_camel_case_and_reject_unknown_negative_and_fractional() {
        let l: GuardLimits =
            serde_json::from_str(r#"{"maxBlocked":0,"maxPerMinute":100,"maxTriggerAgeDays":7}"#).unwrap();
        assert_eq!(l.max_blocked, Some(0));
        assert_eq!(l.max_per_minute, Some(100));
        assert_eq!(l.max_trigger_age_days, Some(7));
        assert!(
            serde_json::from_str::<GuardLimits>(r#"{"maxBlock":0}"#).is_err(),
            "typo must not silently disable a limit"
        );
        assert!(serde_json::from_str::<GuardLimits>(r#"{"maxBlocked":-1}"#).is_err());
        assert!(serde_json::from_str::<GuardLimits>(r#"{"maxTriggerAgeDays":1.5}"#).is_err());
        assert_eq!(serde_json::to_string(&GuardLimits::default()).unwrap(), "{}");
    }

    #[test]
    fn zero_limits_that_would_stop_everything_are_refused_with_the_field_named() {
        type Set = fn(&mut GuardLimits);
        let cases: [(&str, Set); 6] = [
            ("maxMessages", |l| l.max_messages = Some(0)),
            ("maxPerMinute", |l| l.max_per_minute = Some(0)),
            ("maxPerHour", |l| l.max_per_hour = Some(0)),
            ("maxPerRecipient", |l| l.max_per_recipient = Some(0)),
            ("maxDuplicates", |l| l.max_duplicates = Some(0)),
            ("maxTriggerAgeDays", |l| l.max_trigger_age_days = Some(0)),
        ];
        for (field, set) in cases {
            let mut l = GuardLimits::default();
            set(&mut l);
            let err = RunGuard::new(l).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Policy);
            assert!(err.message().contains(field), "{err}");
        }
        // 0 is meaningful where it means "halt at the first".
        for l in [
            GuardLimits { max_blocked: Some(0), ..Default::default() },
            GuardLimits { max_warned: Some(0), ..Default::default() },
            GuardLimits { max_held: Some(0), ..Default::default() },
        ] {
            assert!(RunGuard::new(l).is_ok());
        }
        let huge = GuardLimits { max_trigger_age_days: Some(u64::MAX / 1000), ..Default::default() };
        assert!(RunGuard::new(huge).unwrap_err().message().contains("maxTriggerAgeDays"));
    }

    #[test]
    fn max_blocked_zero_halts_at_the_first_blocked_message() {
        let mut g = guard(GuardLimits { max_blocked: Some(0), ..Default::default() });
        assert_eq!(g.check(&pass("a@x.io", 1)).action, Send);
        let d = g.check(&GuardCheck::new("b@x.io", 2, Action::Block).template("invoice"));
        assert_eq!(d.action, Halt);
        assert!(d.reason.starts_with("maxBlocked: 1 blocked"), "{}", d.reason);
        assert!(d.reason.contains("check #2") && d.reason.contains("template `invoice`"), "{}", d.reason);
        assert_eq!((d.counts.blocked, d.counts.halted, d.counts.sent), (1, 1, 1));
    }

    #[test]
    fn max_blocked_holds_within_the_limit_and_halts_past_it() {
        let mut g = guard(GuardLimits { max_blocked: Some(2), ..Default::default() });
        let b = |at| GuardCheck::new("a@x.io", at, Action::Block);
        assert_eq!(actions(&mut g, &[b(1), pass("a@x.io", 2), b(3), b(4)]), [Hold, Send, Hold, Halt]);
        assert_eq!(g.summary().counts.blocked, 3);
        // Without the limit a blocked message is still never sent.
        let mut g = guard(GuardLimits::default());
        let d = g.check(&b(1));
        assert_eq!(d.action, Hold);
        assert!(d.reason.starts_with("verdict block"), "{}", d.reason);
    }

    #[test]
    fn max_warned_sends_within_the_limit_and_halts_past_it() {
        let mut g = guard(GuardLimits { max_warned: Some(1), ..Default::default() });
        let w = |at| GuardCheck::new("a@x.io", at, Action::Warn);
        assert_eq!(actions(&mut g, &[w(1), pass("a@x.io", 2), w(3)]), [Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxWarned: 2 warned"));
        let mut g = guard(GuardLimits { max_warned: Some(0), ..Default::default() });
        assert_eq!(g.check(&w(1)).action, Halt);
    }

    #[test]
    fn max_messages_allows_n_and_halts_the_next() {
        let mut g = guard(GuardLimits { max_messages: Some(3), ..Default::default() });
        let run: Vec<_> = (0..4).map(|i| pass("a@x.io", i)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxMessages: 4 messages exceed the limit of 3"));
    }

    #[test]
    fn per_minute_window_edges() {
        let limits = GuardLimits { max_per_minute: Some(3), ..Default::default() };
        // 4 messages spanning 59 999 ms: one minute, the 4th halts.
        let mut g = guard(limits);
        let run: Vec<_> = [0, 1, 2, 59_999].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxPerMinute: 4 messages within one minute"));
        // Spanning 60 000 ms: the first has left the window.
        let mut g = guard(limits);
        let run: Vec<_> = [0, 1, 2, 60_000, 60_001].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Send, Send, Send]);
        // Held messages count toward the window.
        let mut g = guard(limits);
        let b = |at| GuardCheck::new("a@x.io", at, Action::Block);
        assert_eq!(actions(&mut g, &[b(0), b(1), b(2), pass("a@x.io", 3)]), [Hold, Hold, Hold, Halt]);
    }

    #[test]
    fn per_hour_window_edges() {
        let limits = GuardLimits { max_per_hour: Some(2), ..Default::default() };
        let mut g = guard(limits);
        let run: Vec<_> = [0, 1_800_000, 3_599_999].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxPerHour: 3 messages within one hour"));
        let mut g = guard(limits);
        let run: Vec<_> = [0, 1_800_000, 3_600_000].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Send]);
    }

    #[test]
    fn minute_and_hour_windows_together() {
        let mut g = guard(GuardLimits { max_per_minute: Some(2), max_per_hour: Some(4), ..Default::default() });
        // Two a minute passes the minute limit; the fifth within the hour trips the hour limit.
        let run: Vec<_> = [0, 1, 60_000, 60_001, 120_000].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxPerHour"));
        let mut g = guard(GuardLimits { max_per_minute: Some(2), max_per_hour: Some(4), ..Default::default() });
        let run: Vec<_> = [0, 1, 2].iter().map(|&t| pass("a@x.io", t)).collect();
        assert_eq!(actions(&mut g, &run), [Send, Send, Halt]);
        assert!(g.summary().halt_reason.unwrap().starts_with("maxPerMinute"));
    }

    #[test]
    fn per_recipient_counts_sent_messages_and_normalises_addresses() {
        let mut g = guard(GuardLimits { max_per_recipient: Some(2), ..Default::default() });
        let run = [
            pass("jane.doe@example.com", 1),
            GuardCheck::new("jane.doe@example.com", 2, Action::Block), // held: does not use the quota
            pass("Jane Doe <JANE.DOE@Example.com>", 3),
            pass("other@example.com", 4),
            pass(" jane.doe@example.com ", 5),
        ];
        assert_eq!(actions(&mut g, &run), [Send, Hold, Send, Send, Hold]);
        let d = g.check(&pass("jane.doe@example.com", 6));
        assert!(d.reason.starts_with("maxPerRecipient: j***@example.com already received 2"), "{}", d.reason);
        assert!(!d.reason.contains("jane.doe"), "recipient must be masked");
    }

    #[test]
    fn duplicates_by_fingerprint() {
        let mut g = guard(GuardLimits { max_duplicates: Some(1), ..Default::default() });
        let fp = |at, f: &str| pass("a@x.io", at).fingerprint(f);
        let run = [fp(1, "h-1"), fp(2, "h-2"), fp(3, "h-1"), pass("a@x.io", 4), pass("a@x.io", 5)];
        assert_eq!(actions(&mut g, &run), [Send, Send, Hold, Send, Send]);
        let d = g.check(&fp(6, "h-2"));
        assert_eq!(d.action, Hold);
        assert!(d.reason.starts_with("maxDuplicates: 1 messages") && !d.reason.contains("h-2"), "{}", d.reason);
    }

    #[test]
    fn trigger_age_edges() {
        let mut g = guard(GuardLimits { max_trigger_age_days: Some(7), ..Default::default() });
        let at = 100 * DAY_MS;
        let seven = 7 * DAY_MS;
        let t = |trig| pass("a@x.io", at).triggered_at(trig);
        assert_eq!(g.check(&t(at - seven)).action, Send, "exactly 7 days old is sent");
        let d = g.check(&t(at - seven - 1));
        assert_eq!(d.action, Hold, "7 days and 1 ms old is held");
        assert!(d.reason.starts_with("maxTriggerAgeDays: triggered 604800001 ms (over 7 days)"), "{}", d.reason);
        assert_eq!(g.check(&t(at + 5)).action, Send, "a trigger in the future is not old");
        assert_eq!(g.check(&pass("a@x.io", at)).action, Send, "no triggeredAt, no age limit");
        // Early in the epoch nothing underflows.
        assert_eq!(g.check(&pass("a@x.io", at).triggered_at(0)).action, Hold);
        let mut early = guard(GuardLimits { max_trigger_age_days: Some(7), ..Default::default() });
        assert_eq!(early.check(&pass("a@x.io", 5).triggered_at(0)).action, Send);
    }

    #[test]
    fn max_held_halts_instead_of_the_next_hold() {
        let b = |at| GuardCheck::new("a@x.io", at, Action::Block);
        let mut g = guard(GuardLimits { max_held: Some(1), ..Default::default() });
        assert_eq!(actions(&mut g, &[b(1), pass("a@x.io", 2), b(3)]), [Hold, Send, Halt]);
        let s = g.summary();
        assert_eq!((s.counts.held, s.counts.halted), (1, 1));
        assert!(s
            .halt_reason
            .unwrap()
            .starts_with("maxHeld: 2 held messages would exceed the limit of 1 (verdict block"));
        let mut g = guard(GuardLimits { max_held: Some(0), ..Default::default() });
        assert_eq!(g.check(&b(1)).action, Halt);
    }

    #[test]
    fn halting_limits_come_first_in_the_documented_order() {
        let mut g = guard(GuardLimits { max_blocked: Some(0), max_messages: Some(1), ..Default::default() });
        g.check(&pass("a@x.io", 1));
        let d = g.check(&GuardCheck::new("a@x.io", 2, Action::Block));
        assert!(d.reason.starts_with("maxBlocked"), "{}", d.reason);
        // An old trigger holds before the recipient limit is consulted.
        let mut g =
            guard(GuardLimits { max_trigger_age_days: Some(1), max_per_recipient: Some(1), ..Default::default() });
        g.check(&pass("a@x.io", 10 * DAY_MS));
        let d = g.check(&pass("a@x.io", 10 * DAY_MS).triggered_at(0));
        assert!(d.reason.starts_with("maxTriggerAgeDays"), "{}", d.reason);
    }

    #[test]
    fn halt_is_sticky_until_reset() {
        let mut g = guard(GuardLimits { max_blocked: Some(0), ..Default::default() });
        let first = g.check(&GuardCheck::new("a@x.io", 1, Action::Block));
        for at in 2..10 {
            let d = g.check(&GuardCheck::new("a@x.io", at, if at % 2 == 0 { Action::Block } else { Action::Pass }));
            assert_eq!(d.action, Halt);
            assert_eq!(d.reason, first.reason);
        }
        let s = g.summary();
        assert!(s.halted);
        assert_eq!(s.halted_at_check, Some(1));
        let c = s.counts;
        assert_eq!(
            (c.checked, c.halted, c.blocked, c.sent, c.held),
            (9, 9, 1, 0, 0),
            "after a halt only checked/halted count"
        );
        g.reset();
        assert!(!g.is_halted());
        assert_eq!(g.summary().counts, GuardCounts::default());
        assert_eq!(g.check(&pass("a@x.io", 20)).action, Send);
        assert_eq!(g.limits().max_blocked, Some(0));
    }

    #[test]
    fn a_clock_that_jumps_back_cannot_reopen_a_window_or_rejuvenate_mail() {
        let mut g = guard(GuardLimits { max_per_minute: Some(2), max_trigger_age_days: Some(1), ..Default::default() });
        assert_eq!(g.check(&pass("a@x.io", 10 * DAY_MS)).action, Send);
        // An hour "earlier": judged at the clock, so still old.
        let d = g.check(&pass("a@x.io", 10 * DAY_MS - HOUR_MS).triggered_at(9 * DAY_MS - HOUR_MS));
        assert_eq!(d.action, Hold);
        // And still within the same minute as the first.
        assert_eq!(g.check(&pass("a@x.io", 0)).action, Halt);
    }

    #[test]
    fn extreme_times_never_panic() {
        let all = GuardLimits {
            max_blocked: Some(u64::MAX),
            max_warned: Some(u64::MAX),
            max_messages: Some(u64::MAX),
            max_per_minute: Some(u64::MAX),
            max_per_hour: Some(u64::MAX),
            max_per_recipient: Some(u64::MAX),
            max_duplicates: Some(u64::MAX),
            max_trigger_age_days: Some(u64::MAX / DAY_MS),
            max_held: Some(u64::MAX),
        };
        let mut g = guard(all);
        for at in [u64::MAX, 0, u64::MAX - 1, 1] {
            for trig in [0, u64::MAX] {
                let d = g.check(&GuardCheck::new("", at, Action::Warn).triggered_at(trig).fingerprint(""));
                assert_ne!(d.action, Halt);
            }
        }
        assert!(RunGuard::from_state(g.state()).is_ok());
    }

    #[test]
    fn window_memory_is_bounded_by_time_and_by_the_limit() {
        let mut g = guard(GuardLimits { max_per_hour: Some(1_000_000), ..Default::default() });
        for i in 0..10_000u64 {
            assert_eq!(g.check(&pass("a@x.io", i * 1_000)).action, Send);
        }
        assert_eq!(g.state().window.len(), 3_600, "one hour of one-per-second messages");
        let mut g = guard(GuardLimits { max_per_minute: Some(5), ..Default::default() });
        for i in 0..100u64 {
            g.check(&pass("a@x.io", i));
        }
        assert_eq!(g.state().window.len(), 6, "the limit + the message that exceeded it");
    }

    #[test]
    fn recipient_masking() {
        assert_eq!(mask_recipient("Jane <jane@example.com>"), "j***@example.com");
        assert_eq!(mask_recipient("no-at-sign"), "***");
        assert_eq!(mask_recipient("@example.com"), "***@example.com");
        assert_eq!(recipient_key("  A <B@C.d> "), "b@c.d");
    }

    fn mid_run() -> RunGuard {
        let mut g = guard(GuardLimits {
            max_per_minute: Some(10),
            max_per_recipient: Some(3),
            max_duplicates: Some(2),
            max_held: Some(5),
            ..Default::default()
        });
        for i in 0..6u64 {
            g.check(&pass(&format!("u{}@x.io", i % 2), i * 7_000).fingerprint(format!("f{}", i % 3)));
        }
        g.check(&GuardCheck::new("u9@x.io", 50_000, Action::Block));
        g
    }

    #[test]
    fn state_round_trips_through_json_exactly() {
        let g = mid_run();
        let json = serde_json::to_string(&g.state()).unwrap();
        assert!(json.contains(r#""version":1"#) && json.contains(r#""maxPerMinute":10"#), "{json}");
        let back: GuardState = serde_json::from_str(&json).unwrap();
        let restored = RunGuard::from_state(back).unwrap();
        assert_eq!(restored, g);
        let mut a = g.clone();
        let mut b = restored;
        for i in 0..30u64 {
            let c = pass(&format!("u{}@x.io", i % 3), 55_000 + i * 500).fingerprint(format!("f{}", i % 4));
            assert_eq!(a.check(&c), b.check(&c));
        }
    }

    #[test]
    fn inconsistent_states_are_refused() {
        let good = mid_run().state();
        let mut cases: Vec<(&str, GuardState)> = Vec::new();
        let mut s = good.clone();
        s.version = 2;
        cases.push(("version", s));
        let mut s = good.clone();
        s.counts.sent += 1;
        cases.push(("do not add up", s));
        let mut s = good.clone();
        s.window.swap(0, 1);
        s.window[0] += 1;
        cases.push(("ascending", s));
        let mut s = good.clone();
        s.window.push(60_000); // after the clock
        cases.push(("outside", s));
        let mut s = good.clone();
        s.halt = Some(GuardHalt { reason: "x".into(), check: 1 });
        cases.push(("halted checks", s));
        let mut s = good.clone();
        s.limits.max_duplicates = None;
        cases.push(("without their limit", s));
        let mut s = good.clone();
        s.recipients.insert("z@x.io".into(), 9);
        cases.push(("outside 1..=3", s));
        let mut s = good.clone();
        s.clock = None;
        cases.push(("clock", s));
        let mut s = good.clone();
        s.counts.held = 6;
        s.counts.checked += 5;
        cases.push(("maxHeld", s));
        for (what, state) in cases {
            let err = RunGuard::from_state(state).unwrap_err();
            assert_eq!(err.kind(), crate::ErrorKind::Input, "{what}: {err}");
            assert!(err.message().contains(what), "expected `{what}` in: {err}");
        }
        let mut s = good;
        s.limits.max_per_hour = Some(0);
        assert_eq!(RunGuard::from_state(s).unwrap_err().kind(), crate::ErrorKind::Policy);
        assert!(serde_json::from_str::<GuardState>(r#"{"version":1,"limits":{},"counts":{"checked":0,"sent":0,"held":0,"halted":0,"blocked":0,"warned":0},"extra":1}"#).is_err());
    }

    #[test]
    fn check_and_decision_json_shapes() {
        let c: GuardCheck = serde_json::from_str(
            r#"{"recipient":"a@x.io","at":5,"verdict":"block","triggeredAt":1,"template":"t","fingerprint":"f"}"#,
        )
        .unwrap();
        assert_eq!(c, GuardCheck::new("a@x.io", 5, Action::Block).triggered_at(1).template("t").fingerprint("f"));
        assert!(serde_json::from_str::<GuardCheck>(r#"{"recipient":"a","at":5,"verdict":"pass","triggered_at":1}"#)
            .is_err());
        let mut g = guard(GuardLimits::default());
        let json = serde_json::to_value(g.check(&c)).unwrap();
        assert_eq!(json["action"], "hold");
        assert_eq!(json["counts"]["checked"], 1);
        assert_eq!(json["counts"]["held"], 1);
        let s = serde_json::to_value(g.summary()).unwrap();
        assert_eq!(s["halted"], false);
        assert!(s["haltReason"].is_null() && s["haltedAtCheck"].is_null());
    }

    /// A naive model of the documented semantics: full history, u128 arithmetic, no pruning.
    /// It answers with the action and the limit's name; the guard must agree on both.
    struct Model {
        l: GuardLimits,
        halted: bool,
        clock: Option<u64>,
        times: Vec<u64>,
        c: GuardCounts,
        to: std::collections::HashMap<String, u64>,
        fps: std::collections::HashMap<String, u64>,
    }

    impl Model {
        fn new(l: GuardLimits) -> Model {
            Model {
                l,
                halted: false,
                clock: None,
                times: vec![],
                c: GuardCounts::default(),
                to: Default::default(),
                fps: Default::default(),
            }
        }

        fn check(&mut self, k: &GuardCheck) -> (GuardAction, &'static str) {
            if self.halted {
                return (Halt, "sticky");
            }
            let now = self.clock.map_or(k.at, |c| c.max(k.at));
            self.clock = Some(now);
            self.times.push(now);
            self.c.checked += 1;
            if k.verdict == Action::Block {
                self.c.blocked += 1;
            }
            if k.verdict == Action::Warn {
                self.c.warned += 1;
            }
            let in_last = |ms: u64| self.times.iter().filter(|&&t| (now - t) < ms).count() as u64;
            let l = self.l;
            let halt = if k.verdict == Action::Block && l.max_blocked.is_some_and(|m| self.c.blocked > m) {
                Some("maxBlocked")
            } else if k.verdict == Action::Warn && l.max_warned.is_some_and(|m| self.c.warned > m) {
                Some("maxWarned")
            } else if l.max_messages.is_some_and(|m| self.c.checked > m) {
                Some("maxMessages")
            } else if l.max_per_minute.is_some_and(|m| in_last(MINUTE_MS) > m) {
                Some("maxPerMinute")
            } else if l.max_per_hour.is_some_and(|m| in_last(HOUR_MS) > m) {
                Some("maxPerHour")
            } else {
                None
            };
            if let Some(why) = halt {
                self.halted = true;
                return (Halt, why);
            }
            let key = recipient_key(&k.recipient);
            let too_old = match (l.max_trigger_age_days, k.triggered_at) {
                (Some(d), Some(t)) => (t as u128) + (d as u128) * (DAY_MS as u128) < now as u128,
                _ => false,
            };
            let hold = if k.verdict == Action::Block {
                Some("verdict block")
            } else if too_old {
                Some("maxTriggerAgeDays")
            } else if l.max_per_recipient.is_some_and(|m| self.to.get(&key).copied().unwrap_or(0) >= m) {
                Some("maxPerRecipient")
            } else if let (Some(m), Some(fp)) = (l.max_duplicates, &k.fingerprint) {
                (self.fps.get(fp).copied().unwrap_or(0) >= m).then_some("maxDuplicates")
            } else {
                None
            };
            match hold {
                Some(_) if l.max_held.is_some_and(|m| self.c.held + 1 > m) => {
                    self.halted = true;
                    (Halt, "maxHeld")
                }
                Some(why) => {
                    self.c.held += 1;
                    (Hold, why)
                }
                None => {
                    *self.to.entry(key).or_insert(0) += 1;
                    if let Some(fp) = &k.fingerprint {
                        *self.fps.entry(fp.clone()).or_insert(0) += 1;
                    }
                    (Send, "within limits")
                }
            }
        }
    }

    #[derive(Debug, Clone)]
    enum Op {
        Check(GuardCheck),
        Reset,
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        fn limit(lo: u64, hi: u64) -> impl Strategy<Value = Option<u64>> {
            prop_oneof![Just(None), (lo..=hi).prop_map(Some)]
        }

        fn limits() -> impl Strategy<Value = GuardLimits> {
            (
                (limit(0, 3), limit(0, 5), limit(1, 80)),
                (limit(1, 8), limit(1, 30), limit(1, 6)),
                (limit(1, 5), limit(1, 10), limit(0, 12)),
            )
                .prop_map(|((b, w, m), (pm, ph, pr), (d, age, h))| GuardLimits {
                    max_blocked: b,
                    max_warned: w,
                    max_messages: m,
                    max_per_minute: pm,
                    max_per_hour: ph,
                    max_per_recipient: pr,
                    max_duplicates: d,
                    max_trigger_age_days: age,
                    max_held: h,
                })
        }

        fn ops() -> impl Strategy<Value = Vec<Op>> {
            let step = (
                0u8..40,
                // Steps that land exactly on window edges are common on purpose.
                prop_oneof![
                    4 => 0i64..20_000,
                    3 => proptest::sample::select(vec![0i64, 1, 30_000, 59_999, 60_000, 1_800_000, 3_599_999, 3_600_000]),
                    2 => -90_000i64..0,
                    1 => 0i64..2 * HOUR_MS as i64,
                ],
                prop_oneof![6 => Just(Action::Pass), 2 => Just(Action::Warn), 1 => Just(Action::Block)],
                proptest::option::of(prop_oneof![
                    0u64..20 * DAY_MS,
                    (1u64..11, 0u64..3).prop_map(|(d, e)| d * DAY_MS + e - 1),
                ]),
                proptest::option::of(0u8..3),
                0u8..4,
            );
            proptest::collection::vec(step, 0..120).prop_map(|steps| {
                let mut at: u64 = 30 * DAY_MS;
                steps
                    .into_iter()
                    .map(|(r, dt, verdict, age, fp, to)| {
                        if r == 0 {
                            return Op::Reset;
                        }
                        at = at.saturating_add_signed(dt);
                        let names = ["Ann <ann@x.io>", "ann@x.io", "bob@y.io", "carol@z.io"];
                        let mut c = GuardCheck::new(names[to as usize], at, verdict);
                        c.triggered_at = age.map(|a| at - a);
                        c.fingerprint = fp.map(|f| format!("fp{f}"));
                        Op::Check(c)
                    })
                    .collect()
            })
        }

        fn apply(g: &mut RunGuard, op: &Op) -> Option<GuardDecision> {
            match op {
                Op::Check(c) => Some(g.check(c)),
                Op::Reset => {
                    g.reset();
                    None
                }
            }
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn guard_agrees_with_the_model_and_never_sends_after_a_halt(l in limits(), ops in ops()) {
                let mut g = RunGuard::new(l).unwrap();
                let mut m = Model::new(l);
                let mut first: Option<String> = None;
                for op in &ops {
                    let Op::Check(c) = op else {
                        g.reset();
                        m = Model::new(l);
                        first = None;
                        continue;
                    };
                    let d = g.check(c);
                    let (action, why) = m.check(c);
                    prop_assert_eq!(d.action, action);
                    if let Some(reason) = &first {
                        prop_assert_eq!(d.action, Halt, "sent or held after a halt");
                        prop_assert_eq!(&d.reason, reason);
                    } else {
                        prop_assert!(d.reason.starts_with(why), "{} vs {}", d.reason, why);
                    }
                    if d.action == Halt && first.is_none() {
                        first = Some(d.reason.clone());
                    }
                    prop_assert!(c.verdict != Action::Block || d.action != Send, "a blocked message was sent");
                    let k = d.counts;
                    prop_assert_eq!(k.checked, k.sent + k.held + k.halted);
                    let cap = l.max_per_hour.or(l.max_per_minute).map_or(0, |m| m + 1);
                    prop_assert!(g.state().window.len() as u64 <= cap);
                }
            }

            #[test]
            fn a_guard_restored_mid_run_answers_as_the_original(l in limits(), ops in ops(), cut in 0usize..120) {
                let cut = cut.min(ops.len());
                let mut g = RunGuard::new(l).unwrap();
                for op in &ops[..cut] {
                    apply(&mut g, op);
                }
                let json = serde_json::to_string(&g.state()).unwrap();
                let state: GuardState = serde_json::from_str(&json).unwrap();
                let mut restored = RunGuard::from_state(state).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(&restored, &g);
                for op in &ops[cut..] {
                    prop_assert_eq!(apply(&mut restored, op), apply(&mut g, op));
                }
                prop_assert_eq!(restored.summary(), g.summary());
            }
        }
    }
}
