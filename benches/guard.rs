//! The run guard at the size of a real billing run: checks per second at the 1,000th and at
//! the 1,000,000th message of one run, natively, for a live guard ([`RunGuard::check`]) and
//! for a guard whose per-recipient counts a store keeps beside it ([`RunGuard::check_with`]
//! with a map standing in for the store, through the guard's JSON state each slice).
//!
//! `make bench-guard` runs this and `benches/guard.mjs` (Node, the stores, the webhook).
//! Every message goes to a new recipient (the worst case for `maxPerRecipient`: its counts
//! grow by one per check) at 100 messages a second (6,000 in each minute, under
//! `maxPerMinute`); every answer must be `send`. "At message P" is the median of 15
//! slices of `SLICE` checks: early, each slice on a fresh run after P - 1 checks; late, the
//! slices one after the other on one run from message P on, the two alternating. No
//! criterion: a run cannot be rewound, so repeating one input is not the question asked.

use sendguard::guard::GuardAction;
use sendguard::{Action, GuardCheck, GuardLimits, GuardState, KeyCounts, RunGuard};
use std::collections::HashMap;
use std::hint::black_box;
use std::time::Instant;

const T0: u64 = 1_772_330_400_000; // 2026-03-01T02:00:00Z
const SLICE: u64 = 2_000;
const EARLY: u64 = 1_000;

/// How far and how often: the bench's own under `cargo bench`, one small pass under
/// `cargo test --all-targets` (criterion's rule, as in the other benches).
#[derive(Clone, Copy)]
struct Size {
    late: u64,
    rounds: usize,
}

fn limits() -> GuardLimits {
    GuardLimits { max_blocked: Some(0), max_per_recipient: Some(3), max_per_minute: Some(10_000), ..Default::default() }
}

fn message(i: u64) -> GuardCheck {
    GuardCheck::new(format!("customer{i}@customers.example"), T0 + i * 10, Action::Pass).template("invoice-monthly")
}

/// One way of running a guard: `step` judges message `i`.
trait Runner {
    fn step(&mut self, i: u64) -> GuardAction;
}

struct Live(RunGuard);

impl Runner for Live {
    fn step(&mut self, i: u64) -> GuardAction {
        self.0.check(&message(i)).action
    }
}

/// A store's part done in memory: the counts in a map beside the guard, named by
/// `count_keys`, incremented as the step says.
struct Beside {
    guard: RunGuard,
    counts: HashMap<String, u64>,
}

impl Runner for Beside {
    fn step(&mut self, i: u64) -> GuardAction {
        let check = message(i);
        let keys = RunGuard::count_keys(&check);
        let read = |k: &str| self.counts.get(k).copied().unwrap_or(0);
        let given =
            KeyCounts { recipient: read(&keys.recipient), fingerprint: keys.fingerprint.as_deref().map_or(0, read) };
        let step = self.guard.check_with(&check, given);
        for k in step.increments {
            *self.counts.entry(k).or_insert(0) += 1;
        }
        step.decision.action
    }
}

fn beside() -> Beside {
    Beside { guard: RunGuard::new(limits()).unwrap(), counts: HashMap::new() }
}

fn live() -> Live {
    Live(RunGuard::new(limits()).unwrap())
}

/// Checks `from..from + SLICE`; checks per second.
fn slice(r: &mut impl Runner, from: u64) -> f64 {
    let start = Instant::now();
    for i in from..from + SLICE {
        let action = r.step(i);
        assert_eq!(action, GuardAction::Send, "message {i} was not sent");
    }
    SLICE as f64 / start.elapsed().as_secs_f64()
}

fn warm(r: &mut impl Runner, to: u64) {
    for i in 1..to {
        black_box(r.step(i));
    }
}

fn median(mut xs: Vec<f64>) -> f64 {
    xs.sort_by(f64::total_cmp);
    xs[xs.len() / 2]
}

/// Early and late slices alternate (the late run built first), so that both see the same
/// load on a shared machine; the ratio is the median of the pairs' ratios.
fn measure<R: Runner>(name: &str, size: Size, make: impl Fn() -> R) {
    // a throwaway run first, so that the early slices do not pay for cold caches
    let mut w = make();
    warm(&mut w, 20_000);
    let mut late_run = make();
    let built = Instant::now();
    warm(&mut late_run, size.late);
    let build = built.elapsed().as_secs_f64();
    let (mut early, mut late, mut ratios) = (Vec::new(), Vec::new(), Vec::new());
    for k in 0..size.rounds as u64 {
        let mut r = make();
        warm(&mut r, EARLY);
        let e = slice(&mut r, EARLY);
        let l = slice(&mut late_run, size.late + k * SLICE);
        early.push(e);
        late.push(l);
        ratios.push(e / l);
    }
    println!(
        "{name:<34} {:>12.0} {:>12.0} {:>7.2}x   ({} messages in {build:.1} s)",
        median(early),
        median(late),
        median(ratios),
        size.late
    );
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let benchmarking = args.iter().any(|a| a == "--bench") && !args.iter().any(|a| a == "--test");
    let size = if benchmarking { Size { late: 1_000_000, rounds: 15 } } else { Size { late: 10_000, rounds: 3 } };
    println!("checks/s, median of {} slices of {SLICE}; every message to a new recipient, 100 a second", size.rounds);
    println!("limits {}", serde_json::to_string(&limits()).unwrap());
    println!("{:<34} {:>12} {:>12} {:>8}", "", format!("at #{EARLY}"), format!("at #{}", size.late), "ratio");
    measure("native check (live guard)", size, live);
    measure("native check_with (counts beside)", size, beside);
    // The state a store keeps for a guard used through check_with: its size at the end.
    let mut b = beside();
    warm(&mut b, 100_000);
    let state: GuardState = b.guard.state();
    println!("core state after 100,000 messages: {} bytes of JSON", serde_json::to_string(&state).unwrap().len());
}
