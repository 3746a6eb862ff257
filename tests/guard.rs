//! The run guard through the public surface: replays of the two incidents the product
//! exists for, with the limits an operator would set.

use sendguard::guard::GuardAction;
use sendguard::{Action, GuardCheck, GuardLimits, GuardState, RunGuard};

const DAY_MS: u64 = 86_400_000;
/// 2024-03-01T02:00:00Z, the night of the billing run.
const RUN_START: u64 = 1_709_258_400_000;

/// Incident (a): a monthly billing run of 400 invoices where, from invoice 250 on, the
/// template renders the customer's stored password (the engine says `block`).
#[test]
fn billing_run_halts_at_the_first_leaking_invoice() {
    let limits: GuardLimits = serde_json::from_str(r#"{"maxBlocked":0,"maxPerRecipient":1}"#).unwrap();
    let mut guard = RunGuard::new(limits).unwrap();
    let mut sent = Vec::new();
    let mut first_halt = None;
    for n in 1..=400u64 {
        let verdict = if n >= 250 { Action::Block } else { Action::Pass };
        let check = GuardCheck::new(format!("customer{n}@example.net"), RUN_START + n * 150, verdict)
            .template("invoice-monthly");
        let decision = guard.check(&check);
        match decision.action {
            GuardAction::Send => {
                assert_eq!(verdict, Action::Pass, "invoice #{n} leaked");
                sent.push(n);
            }
            GuardAction::Halt => {
                first_halt.get_or_insert(n);
            }
            GuardAction::Hold => panic!("invoice #{n} held: {}", decision.reason),
        }
    }
    assert_eq!(first_halt, Some(250));
    assert_eq!(sent, (1..250).collect::<Vec<_>>());
    let summary = guard.summary();
    assert!(summary.halted);
    assert_eq!(summary.halted_at_check, Some(250));
    let reason = summary.halt_reason.unwrap();
    assert!(reason.starts_with("maxBlocked: 1 blocked messages exceed the limit of 0 (check #250"), "{reason}");
    assert_eq!((summary.counts.checked, summary.counts.sent, summary.counts.halted), (400, 249, 151));
}

/// One stored email of the mailbox sync: its received time, deterministic and mixed in age
/// from minutes to 90 days.
fn stored_email_age(i: u64) -> u64 {
    let x = i.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
    (x >> 17) % (90 * DAY_MS)
}

/// The messages of incident (b): 3,000 stored emails synced within three minutes, each
/// answered with an acknowledgement and a portal welcome to its sender.
fn mailbox_sync() -> Vec<GuardCheck> {
    let mut out = Vec::new();
    for i in 0..3_000u64 {
        let at = RUN_START + i * 60; // 3,000 emails in 180 s
        let triggered = at - stored_email_age(i);
        for template in ["ticket-ack", "portal-welcome"] {
            out.push(
                GuardCheck::new(format!("sender{}@customer{}.example", i, i % 97), at, Action::Pass)
                    .triggered_at(triggered)
                    .template(template),
            );
        }
    }
    out
}

#[test]
fn mailbox_sync_sends_nothing_old_and_the_burst_halts_the_run() {
    let limits: GuardLimits = serde_json::from_str(r#"{"maxTriggerAgeDays":7,"maxPerMinute":100}"#).unwrap();
    let mut guard = RunGuard::new(limits).unwrap();
    let checks = mailbox_sync();
    assert_eq!(checks.len(), 6_000);
    let (mut sent, mut held_old) = (0, 0);
    for (n, check) in checks.iter().enumerate() {
        let d = guard.check(check);
        let old = check.at - check.triggered_at.unwrap() > 7 * DAY_MS;
        match d.action {
            GuardAction::Send => {
                assert!(!old, "message #{} for mail older than 7 days was sent", n + 1);
                sent += 1;
            }
            GuardAction::Hold => {
                assert!(old && d.reason.starts_with("maxTriggerAgeDays"), "{}", d.reason);
                held_old += 1;
            }
            GuardAction::Halt => {}
        }
    }
    let s = guard.summary();
    assert!(s.halt_reason.as_deref().unwrap().starts_with("maxPerMinute: 101 messages within one minute"));
    assert_eq!(s.halted_at_check, Some(101), "the 101st message of the burst halts the run");
    assert_eq!(sent + held_old, 100);
    assert!(held_old > 50, "most of the synced mail is old: {held_old}");
    assert_eq!(s.counts.halted, 6_000 - 100);
}

#[test]
fn mailbox_sync_without_a_rate_limit_still_sends_nothing_old() {
    let limits = GuardLimits { max_trigger_age_days: Some(7), ..GuardLimits::default() };
    let mut guard = RunGuard::new(limits).unwrap();
    let checks = mailbox_sync();
    let mut sent_young = 0;
    for check in &checks {
        let d = guard.check(check);
        let old = check.at - check.triggered_at.unwrap() > 7 * DAY_MS;
        assert_eq!(d.action == GuardAction::Send, !old);
        sent_young += u64::from(!old);
    }
    let c = guard.summary().counts;
    assert_eq!((c.sent, c.held, c.halted), (sent_young, 6_000 - sent_young, 0));
}

/// A host that keeps the guard in its own store between messages (one process per message,
/// as a webhook service behind a load balancer would) gets the same answers as one guard.
#[test]
fn a_guard_kept_in_the_hosts_store_answers_as_one_guard() {
    let limits: GuardLimits =
        serde_json::from_str(r#"{"maxTriggerAgeDays":7,"maxPerMinute":100,"maxHeld":80}"#).unwrap();
    let mut one = RunGuard::new(limits).unwrap();
    let mut stored = serde_json::to_string(&RunGuard::new(limits).unwrap().state()).unwrap();
    for check in mailbox_sync().iter().take(300) {
        let state: GuardState = serde_json::from_str(&stored).unwrap();
        let mut resumed = RunGuard::from_state(state).unwrap();
        assert_eq!(resumed.check(check), one.check(check));
        stored = serde_json::to_string(&resumed.state()).unwrap();
    }
    assert!(stored.len() < 4_096, "state stays small: {} bytes", stored.len());
}

/// A host that keeps the per-recipient counts beside the guard (as the Redis store does: a
/// hash of counts next to the state) gets the same answers as one live guard, and the state
/// it moves per check stays the same size however many recipients the run reaches.
#[test]
fn counts_kept_beside_the_state_answer_as_one_guard_and_the_state_stays_small() {
    use sendguard::KeyCounts;
    use std::collections::HashMap;
    let limits: GuardLimits =
        serde_json::from_str(r#"{"maxPerRecipient":2,"maxDuplicates":30,"maxPerMinute":10000}"#).unwrap();
    let mut one = RunGuard::new(limits).unwrap();
    let mut stored = serde_json::to_string(&RunGuard::new(limits).unwrap().state()).unwrap();
    let mut counts: HashMap<String, u64> = HashMap::new();
    let mut sizes = Vec::new();
    for n in 0..6_000u64 {
        // every recipient three times, the third held; fingerprints repeat every 100
        let check = GuardCheck::new(format!("customer{}@example.net", n / 3), RUN_START + n * 10, Action::Pass)
            .fingerprint(format!("body-{}", n % 100));
        let keys = RunGuard::count_keys(&check);
        let read = |k: &str| counts.get(k).copied().unwrap_or(0);
        let given =
            KeyCounts { recipient: read(&keys.recipient), fingerprint: keys.fingerprint.as_deref().map_or(0, read) };
        let mut resumed = RunGuard::from_state(serde_json::from_str(&stored).unwrap()).unwrap();
        let step = resumed.check_with(&check, given);
        assert_eq!(step.decision, one.check(&check), "check #{}", n + 1);
        for k in step.increments {
            *counts.entry(k).or_insert(0) += 1;
        }
        stored = serde_json::to_string(&resumed.state()).unwrap();
        sizes.push(stored.len());
    }
    let c = one.summary().counts;
    // each recipient's third message is held, and each fingerprint's 31st and later
    assert_eq!((c.sent, c.held), (3_000, 3_000));
    assert!(sizes.iter().all(|&s| s < 700), "state of up to {} bytes", sizes.iter().max().unwrap());
    assert!(!stored.contains("example.net") && !stored.contains("body-"), "the state names no recipient");
}
