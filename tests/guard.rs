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
