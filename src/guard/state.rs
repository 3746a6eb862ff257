//! The guard's state as a plain serialisable value, and the reader that checks a stored
//! state before trusting it (a corrupted store must not quietly reopen a halted run).
//!
//! Version 2 keeps each rate window as its 60 bucket counters and keys the per-recipient
//! and per-fingerprint counts by digest. Version 1 (window times, addresses as keys) is
//! still read: its times fall into their buckets, its addresses become digests, and a
//! halted run stays halted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::keys::{self, KeyKind};
use super::window::{Window, BUCKETS};
use super::{GuardCounts, GuardLimits, Key, KeyMap, RunGuard, HOUR_BUCKET_MS, HOUR_MS, MINUTE_BUCKET_MS, MINUTE_MS};
use crate::error::Error;

/// The version of [`GuardState`] this build writes. It reads this one and version 1.
pub const GUARD_STATE_VERSION: u32 = 2;

/// Why and where a run halted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardHalt {
    /// The reason given by the check that tripped the halt, and by every check since.
    pub reason: String,
    /// The 1-based number of the check that tripped it (counting from the last reset).
    pub check: u64,
}

/// A guard's whole state, a plain serialisable value so that a host can keep it in its own
/// store (a database row, a Redis key) and resume after a restart with
/// [`RunGuard::from_state`]. Its size is bounded by the limits, not by the run, except for
/// the per-recipient and per-fingerprint counts of [`RunGuard::check`] (one entry per
/// recipient, keyed by digest; a store that uses [`RunGuard::check_with`] keeps those beside
/// the state and they stay empty here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GuardState {
    /// Format version: [`GUARD_STATE_VERSION`], or 1 for a state written before it.
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
    /// Version 2: the minute window's 60 one-second counters, oldest first, the last one
    /// holding the clock; empty when the window is.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub minute: Vec<u64>,
    /// Version 2: the hour window's 60 one-minute counters, as `minute`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hour: Vec<u64>,
    /// Version 1 only: times (ms, ascending) of the messages inside the longest rate window.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub window: Vec<u64>,
    /// Messages sent per recipient: 32 hex digits of the recipient's digest (version 1: the
    /// normalised address) → count. Only with `maxPerRecipient`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recipients: BTreeMap<String, u64>,
    /// Messages sent per fingerprint, keyed as `recipients` (version 1: the fingerprint).
    /// Only with `maxDuplicates`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub fingerprints: BTreeMap<String, u64>,
}

impl RunGuard {
    /// The whole state, for the host's store. [`RunGuard::from_state`] of it answers every
    /// later check exactly as this guard would.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn state(&self) -> GuardState {
        let clock = self.clock.unwrap_or(0);
        let counters = |w: &Option<Window>| w.as_ref().map(|w| w.to_counts(clock)).unwrap_or_default();
        // Inserted one by one: `collect` into a `BTreeMap` brings a stable sort of its own
        // into the wasm (the keys are distinct digests, so the map is the same).
        let named = |map: &KeyMap| {
            let mut out = BTreeMap::new();
            for (k, &n) in map {
                out.insert(keys::to_hex(&k.0), n);
            }
            out
        };
        GuardState {
            version: GUARD_STATE_VERSION,
            limits: self.limits,
            counts: self.counts,
            halt: self.halt.clone(),
            clock: self.clock,
            minute: counters(&self.minute),
            hour: counters(&self.hour),
            window: Vec::new(),
            recipients: named(&self.recipients),
            fingerprints: named(&self.fingerprints),
        }
    }

    /// A guard resumed from [`RunGuard::state`] (this version or version 1). Fails with an
    /// `input` error naming what is inconsistent (an unknown version, counts that do not add
    /// up, window counters that do not fit the clock or the limits, counts without their
    /// limit), or a `policy` error for invalid limits, so that a corrupted store cannot
    /// quietly reopen a halted run.
    #[cfg_attr(sendguard_cold, optimize(size))]
    pub fn from_state(state: GuardState) -> Result<RunGuard, Error> {
        match state.version {
            1 => from_v1(state),
            GUARD_STATE_VERSION => from_v2(state),
            v => Err(bad(format!("version {v} is not supported (expected {GUARD_STATE_VERSION}, or 1)"))),
        }
    }
}

fn bad(what: String) -> Error {
    Error::input(format!("guard state: {what}"))
}

/// What both versions share: limits, counters, the halt and the clock.
#[cfg_attr(sendguard_cold, optimize(size))]
fn check_core(state: &GuardState) -> Result<(), Error> {
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
        return Err(bad(format!("{} blocked + {} warned exceed the {judged} judged messages", c.blocked, c.warned)));
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
    Ok(())
}

/// Counts per key: each within `1..=limit`, none without the limit, no more than were sent.
#[cfg_attr(sendguard_cold, optimize(size))]
fn read_counts(
    state: &GuardState,
    name: &str,
    map: &BTreeMap<String, u64>,
    limit: Option<u64>,
    // `dyn`: one copy of this function in the wasm instead of one per key reader.
    key: &dyn Fn(&str) -> Option<keys::Key>,
) -> Result<KeyMap, Error> {
    let Some(max) = limit else {
        if !map.is_empty() {
            return Err(bad(format!("{name} counted without their limit")));
        }
        return Ok(KeyMap::default());
    };
    let mut out = KeyMap::default();
    let mut total: u64 = 0;
    for (k, &n) in map {
        if n == 0 || n > max {
            return Err(bad(format!("a count of {n} {name} outside 1..={max}")));
        }
        let Some(key) = key(k) else {
            return Err(bad(format!("a {name} key that is not 32 lower-case hex digits")));
        };
        // Version 1 keys are addresses: two may share a digest only by normalising alike.
        let merged = out.entry(Key(key)).or_insert(0);
        *merged = merged.saturating_add(n).min(max);
        total = total.saturating_add(n);
    }
    if total > state.counts.sent {
        return Err(bad(format!("{total} messages counted per {name} but only {} sent", state.counts.sent)));
    }
    Ok(out)
}

#[cfg_attr(sendguard_cold, optimize(size))]
fn from_v2(state: GuardState) -> Result<RunGuard, Error> {
    check_core(&state)?;
    if !state.window.is_empty() {
        return Err(bad("window times are version 1; version 2 keeps minute and hour counters".to_owned()));
    }
    let mut guard = RunGuard::empty(state.limits);
    for (name, counters, limit, resolution, slot) in [
        ("minute", &state.minute, state.limits.max_per_minute, MINUTE_BUCKET_MS, &mut guard.minute),
        ("hour", &state.hour, state.limits.max_per_hour, HOUR_BUCKET_MS, &mut guard.hour),
    ] {
        let Some(max) = limit else {
            if !counters.is_empty() {
                return Err(bad(format!("{name} counters without their limit")));
            }
            continue;
        };
        let Some(clock) = state.clock else {
            if !counters.is_empty() {
                return Err(bad(format!("{name} counters without a clock")));
            }
            continue;
        };
        let window = Window::from_counts(resolution, clock, counters).ok_or_else(|| {
            bad(format!("{name} counters must be {BUCKETS} (or none), for buckets at or after time 0"))
        })?;
        // The message that exceeds a window's limit halts the run and is the last recorded.
        if window.total() > max.saturating_add(1) || window.total() > state.counts.checked {
            return Err(bad(format!("{} messages in the {name}, more than the limits or checks allow", window.total())));
        }
        *slot = Some(window);
    }
    guard.recipients =
        read_counts(&state, "recipients", &state.recipients, state.limits.max_per_recipient, &keys::from_hex)?;
    guard.fingerprints =
        read_counts(&state, "fingerprints", &state.fingerprints, state.limits.max_duplicates, &keys::from_hex)?;
    guard.counts = state.counts;
    guard.clock = state.clock;
    guard.halt = state.halt;
    Ok(guard)
}

/// Version 1: the window as times within the longest configured span, addresses as keys.
#[cfg_attr(sendguard_cold, optimize(size))]
fn from_v1(state: GuardState) -> Result<RunGuard, Error> {
    check_core(&state)?;
    if !state.minute.is_empty() || !state.hour.is_empty() {
        return Err(bad("minute and hour counters are version 2; version 1 keeps window times".to_owned()));
    }
    let span = if state.limits.max_per_hour.is_some() {
        Some(HOUR_MS)
    } else if state.limits.max_per_minute.is_some() {
        Some(MINUTE_MS)
    } else {
        None
    };
    match (span, state.clock) {
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
            let cap = state.limits.max_per_hour.or(state.limits.max_per_minute).map_or(0, |m| m.saturating_add(1));
            let len = state.window.len() as u64;
            if len > cap || len > state.counts.checked {
                return Err(bad(format!("{len} window times, more than the limits or checks allow")));
            }
        }
        _ => {}
    }
    let mut guard = RunGuard::empty(state.limits);
    // Each time falls into its bucket; a window drops what is older than its 60 buckets.
    for window in [&mut guard.minute, &mut guard.hour].into_iter().flatten() {
        for &t in &state.window {
            window.record(t);
        }
        if let Some(clock) = state.clock {
            window.advance(clock);
        }
    }
    let address = |k: &str| Some(keys::key(KeyKind::Recipient, k));
    let fingerprint = |k: &str| Some(keys::key(KeyKind::Fingerprint, k));
    guard.recipients = read_counts(&state, "recipients", &state.recipients, state.limits.max_per_recipient, &address)?;
    guard.fingerprints =
        read_counts(&state, "fingerprints", &state.fingerprints, state.limits.max_duplicates, &fingerprint)?;
    guard.counts = state.counts;
    guard.clock = state.clock;
    guard.halt = state.halt;
    Ok(guard)
}
