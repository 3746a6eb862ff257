//! The guard's unit tests and the property tests against a naive model of its documented
//! semantics.

use super::keys::recipient_key;
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
fn state_size_is_bounded_by_the_limits_not_by_the_run() {
    let limits = GuardLimits { max_per_minute: Some(1_000_000), max_per_hour: Some(1_000_000), ..Default::default() };
    let mut g = guard(limits);
    for i in 0..20_000u64 {
        assert_eq!(g.check(&pass("a@x.io", i * 200)).action, Send);
    }
    let s = g.state();
    assert_eq!((s.minute.len(), s.hour.len()), (60, 60));
    assert_eq!(s.minute.iter().sum::<u64>(), 300, "60 seconds of five a second");
    assert_eq!(s.hour.iter().sum::<u64>(), 17_900, "the messages of minutes 7 to 66 (the clock's)");
    assert!(serde_json::to_string(&s).unwrap().len() < 1_500);
    // Counted outside the guard, thousands of recipients leave the state as small as one.
    let limits = GuardLimits { max_per_recipient: Some(1), max_per_minute: Some(10_000), ..Default::default() };
    let mut g = guard(limits);
    for i in 0..5_000u64 {
        let c = pass(&format!("u{i}@x.io"), i * 10);
        let step = g.check_with(&c, KeyCounts::default());
        assert_eq!(step.decision.action, Send);
        assert_eq!(step.increments, vec![RunGuard::count_keys(&c).recipient]);
    }
    assert!(g.state().recipients.is_empty());
    assert!(serde_json::to_string(&g.state()).unwrap().len() < 1_000);
}

#[test]
fn check_with_judges_by_the_counts_it_is_given() {
    let limits = GuardLimits { max_per_recipient: Some(2), max_duplicates: Some(1), ..Default::default() };
    let mut g = guard(limits);
    let c = pass("Jane <jane@x.io>", 1).fingerprint("body-1");
    let keys = RunGuard::count_keys(&c);
    assert!(keys.recipient.starts_with("r:") && keys.recipient.len() == 34, "{}", keys.recipient);
    assert!(!keys.recipient.contains("jane"));
    assert_eq!(RunGuard::count_keys(&pass("jane@X.io", 9)).recipient, keys.recipient, "normalised");
    let fp = keys.fingerprint.clone().unwrap();
    assert!(fp.starts_with("f:") && fp.len() == 34);
    let step = g.check_with(&c, KeyCounts::default());
    assert_eq!(step.decision.action, Send);
    assert_eq!(step.increments, vec![keys.recipient.clone(), fp]);
    let step = g.check_with(&c, KeyCounts { recipient: 1, fingerprint: 1 });
    assert_eq!(step.decision.action, Hold);
    assert!(step.decision.reason.starts_with("maxDuplicates: 1 messages"), "{}", step.decision.reason);
    assert!(step.increments.is_empty(), "a held message adds to no count");
    let step = g.check_with(&c, KeyCounts { recipient: 2, fingerprint: 0 });
    assert!(step.decision.reason.starts_with("maxPerRecipient: j***@x.io already received 2"));
    // Without the limits nothing is counted.
    let mut g = guard(GuardLimits::default());
    assert!(g.check_with(&c, KeyCounts { recipient: 99, fingerprint: 99 }).increments.is_empty());
    assert_eq!(g.summary().counts.sent, 1);
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
    assert!(json.contains(r#""version":2"#) && json.contains(r#""maxPerMinute":10"#), "{json}");
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
    assert_eq!(good.minute.len(), 60);
    let mut cases: Vec<(&str, GuardState)> = Vec::new();
    let mut s = good.clone();
    s.version = 3;
    cases.push(("version", s));
    let mut s = good.clone();
    s.counts.sent += 1;
    cases.push(("do not add up", s));
    let mut s = good.clone();
    s.minute.pop();
    cases.push(("must be 60", s));
    let mut s = good.clone();
    s.minute[59] += 100;
    cases.push(("more than the limits", s));
    let mut s = good.clone();
    s.limits.max_per_minute = None;
    cases.push(("minute counters without their limit", s));
    let mut s = good.clone();
    s.clock = Some(5_000);
    s.minute = vec![0; 60];
    s.minute[0] = 1;
    cases.push(("at or after time 0", s));
    let mut s = good.clone();
    s.window = vec![1];
    cases.push(("version 1", s));
    let mut s = good.clone();
    s.halt = Some(GuardHalt { reason: "x".into(), check: 1 });
    cases.push(("halted checks", s));
    let mut s = good.clone();
    s.limits.max_duplicates = None;
    cases.push(("without their limit", s));
    let mut s = good.clone();
    s.recipients.insert("0".repeat(32), 9);
    cases.push(("outside 1..=3", s));
    let mut s = good.clone();
    s.recipients.insert("jane@x.io".into(), 1);
    cases.push(("hex digits", s));
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
    assert!(serde_json::from_str::<GuardState>(r#"{"version":2,"limits":{},"counts":{"checked":0,"sent":0,"held":0,"halted":0,"blocked":0,"warned":0},"extra":1}"#).is_err());
}

/// A version 1 state as the previous release wrote it: a run at check 7, a window of times,
/// addresses and fingerprints as keys.
const V1_STATE: &str = r#"{"version":1,"limits":{"maxPerMinute":10,"maxPerRecipient":3,"maxDuplicates":2,"maxHeld":5},
    "counts":{"checked":7,"sent":6,"held":1,"halted":0,"blocked":1,"warned":0},"clock":50000,
    "window":[0,7000,14000,21000,28000,35000,50000],
    "recipients":{"u0@x.io":3,"u1@x.io":3},"fingerprints":{"f0":2,"f1":2,"f2":2}}"#;

#[test]
fn a_version_1_state_is_read_and_answers_as_the_old_guard_did() {
    let state: GuardState = serde_json::from_str(V1_STATE).unwrap();
    let mut g = RunGuard::from_state(state).unwrap();
    assert_eq!(g.state().version, GUARD_STATE_VERSION);
    assert_eq!(g.state().minute.iter().sum::<u64>(), 7, "every time falls into its second");
    // u0 had its 3 messages (as an address in version 1): held.
    let d = g.check(&pass("U0@x.io", 51_000));
    assert!(d.reason.starts_with("maxPerRecipient: u***@x.io already received 3"), "{}", d.reason);
    let d = g.check(&pass("u5@x.io", 52_000).fingerprint("f1"));
    assert!(d.reason.starts_with("maxDuplicates: 2 messages"), "{}", d.reason);
    // Two more within the minute: 10 in the window, the 11th halts.
    assert_eq!(g.check(&pass("u6@x.io", 53_000)).action, Send);
    let d = g.check(&pass("u7@x.io", 54_000));
    assert!(d.reason.starts_with("maxPerMinute: 11 messages"), "{}", d.reason);
    // Through JSON again it is a version 2 state that answers the same.
    let json = serde_json::to_string(&g.state()).unwrap();
    assert!(json.contains(r#""version":2"#) && !json.contains("u0@x.io") && !json.contains("\"f1\""), "{json}");
    assert_eq!(RunGuard::from_state(serde_json::from_str(&json).unwrap()).unwrap(), g);
}

#[test]
fn a_halted_version_1_run_stays_halted_across_the_upgrade() {
    let json = r#"{"version":1,"limits":{"maxBlocked":0},"counts":{"checked":4,"sent":2,"held":0,"halted":2,"blocked":1,"warned":0},
        "halt":{"reason":"maxBlocked: 1 blocked messages exceed the limit of 0 (check #3)","check":3},"clock":30}"#;
    let mut g = RunGuard::from_state(serde_json::from_str(json).unwrap()).unwrap();
    assert!(g.is_halted());
    let d = g.check(&pass("a@x.io", 40));
    assert_eq!(d.action, Halt);
    assert!(d.reason.starts_with("maxBlocked: 1 blocked"), "{}", d.reason);
    assert_eq!(g.summary().halted_at_check, Some(3));
    // And version 1's own consistency rules still apply to it.
    let mut s: GuardState = serde_json::from_str(V1_STATE).unwrap();
    s.window.swap(0, 1);
    assert!(RunGuard::from_state(s).unwrap_err().message().contains("ascending"));
    let mut s: GuardState = serde_json::from_str(V1_STATE).unwrap();
    s.minute = vec![0; 60];
    assert!(RunGuard::from_state(s).unwrap_err().message().contains("version 2"));
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
        // The documented resolution: the bucket of the clock and the 59 before it.
        let in_last = |ms: u64| {
            let bucket = ms / 60;
            self.times.iter().filter(|&&t| now / bucket - t / bucket < 60).count() as u64
        };
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
                let state = g.state();
                prop_assert!(state.minute.len() <= 60 && state.hour.len() <= 60);
                prop_assert!(state.minute.iter().sum::<u64>() <= l.max_per_minute.map_or(0, |m| m + 1));
                prop_assert!(state.hour.iter().sum::<u64>() <= l.max_per_hour.map_or(0, |m| m + 1));
            }
        }

        #[test]
        fn counts_kept_outside_answer_as_counts_kept_inside(l in limits(), ops in ops()) {
            let mut inside = RunGuard::new(l).unwrap();
            // As a store does it: the core state through JSON, the counts in a map beside it.
            let mut stored = serde_json::to_string(&RunGuard::new(l).unwrap().state()).unwrap();
            let mut counts: std::collections::HashMap<String, u64> = Default::default();
            for op in &ops {
                let mut outside = RunGuard::from_state(serde_json::from_str(&stored).unwrap())
                    .map_err(|e| TestCaseError::fail(e.to_string()))?;
                match op {
                    Op::Check(c) => {
                        let keys = RunGuard::count_keys(c);
                        let read = |k: &str| counts.get(k).copied().unwrap_or(0);
                        let given = KeyCounts {
                            recipient: read(&keys.recipient),
                            fingerprint: keys.fingerprint.as_deref().map_or(0, read),
                        };
                        let step = outside.check_with(c, given);
                        for k in &step.increments {
                            *counts.entry(k.clone()).or_insert(0) += 1;
                        }
                        prop_assert_eq!(step.decision, inside.check(c));
                    }
                    Op::Reset => {
                        inside.reset();
                        outside.reset();
                        counts.clear();
                    }
                }
                let state = outside.state();
                prop_assert!(state.recipients.is_empty() && state.fingerprints.is_empty());
                stored = serde_json::to_string(&state).unwrap();
            }
            prop_assert_eq!(RunGuard::from_state(serde_json::from_str(&stored).unwrap()).unwrap().summary(), inside.summary());
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
