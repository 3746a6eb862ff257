//! Rate windows as fixed time buckets: a minute is 60 one-second counters, an hour 60
//! one-minute counters, so a check costs the same at the millionth message of a run as at
//! the first, and the state of a window is 60 numbers whatever the rate.
//!
//! Resolution: a window counts the messages of the bucket that holds the clock and of the
//! 59 buckets before it. A message therefore leaves the window when its whole bucket does,
//! up to one bucket (1 s for the minute, 1 min for the hour) before the exact sliding window
//! would drop it, and never later: a limit per minute may let through at most one bucket's
//! worth of messages more than an exact window, and never halts a run an exact window would
//! not have halted.

/// Counters per window.
pub(crate) const BUCKETS: usize = 60;

/// One rate window: `BUCKETS` counters of `resolution` ms, the newest holding the clock.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Window {
    resolution: u64,
    /// `counts[b % BUCKETS]` is bucket `b`, for `b` in `head - 59 ..= head`.
    counts: [u64; BUCKETS],
    /// The bucket that holds the latest recorded time, if any.
    head: Option<u64>,
    /// The sum of `counts`, kept so that a check reads one number.
    total: u64,
}

impl Window {
    /// An empty window of `BUCKETS` buckets of `resolution` ms (at least 1).
    pub(crate) fn new(resolution: u64) -> Window {
        Window { resolution: resolution.max(1), counts: [0; BUCKETS], head: None, total: 0 }
    }

    /// Records one message at `now` (never earlier than an earlier `now`: the guard's clock)
    /// and returns how many messages the window holds, this one included.
    pub(crate) fn record(&mut self, now: u64) -> u64 {
        self.advance(now);
        let slot = self.slot(now / self.resolution);
        self.counts[slot] = self.counts[slot].saturating_add(1);
        self.total = self.total.saturating_add(1);
        self.total
    }

    /// Messages in the window.
    pub(crate) fn total(&self) -> u64 {
        self.total
    }

    /// Moves the head to the bucket of `now`, emptying the buckets it passes: at most
    /// `BUCKETS` counters, however long the gap. An earlier `now` changes nothing.
    pub(crate) fn advance(&mut self, now: u64) {
        let bucket = now / self.resolution;
        match self.head {
            Some(head) if bucket <= head => return,
            Some(head) if bucket - head < BUCKETS as u64 => {
                for b in head + 1..=bucket {
                    let slot = self.slot(b);
                    self.total -= self.counts[slot];
                    self.counts[slot] = 0;
                }
            }
            _ => {
                self.counts = [0; BUCKETS];
                self.total = 0;
            }
        }
        self.head = Some(bucket);
    }

    fn slot(&self, bucket: u64) -> usize {
        (bucket % BUCKETS as u64) as usize
    }

    /// The counters oldest first, ending with the bucket of `clock`: the state's form. Empty
    /// when the window holds nothing.
    pub(crate) fn to_counts(&self, clock: u64) -> Vec<u64> {
        let mut w = self.clone();
        w.advance(clock);
        if w.total == 0 {
            return Vec::new();
        }
        let head = clock / w.resolution;
        (0..BUCKETS as u64)
            .map(|age| head.checked_sub(BUCKETS as u64 - 1 - age).map_or(0, |b| w.counts[w.slot(b)]))
            .collect()
    }

    /// The window from [`Window::to_counts`] at `clock`; `None` unless there are `BUCKETS`
    /// counters (or none) whose buckets exist (none before bucket 0).
    pub(crate) fn from_counts(resolution: u64, clock: u64, counts: &[u64]) -> Option<Window> {
        let mut w = Window::new(resolution);
        if counts.is_empty() {
            return Some(w);
        }
        if counts.len() != BUCKETS {
            return None;
        }
        let head = clock / w.resolution;
        w.head = Some(head);
        for (age, &n) in counts.iter().enumerate() {
            if n == 0 {
                continue;
            }
            let bucket = head.checked_sub(BUCKETS as u64 - 1 - age as u64)?;
            let slot = w.slot(bucket);
            w.counts[slot] = n;
            w.total = w.total.checked_add(n)?;
        }
        Some(w)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_minute_is_the_current_second_and_the_59_before() {
        let mut w = Window::new(1_000);
        assert_eq!(w.record(0), 1);
        assert_eq!(w.record(999), 2);
        assert_eq!(w.record(59_999), 3, "bucket 59: all three in one minute");
        assert_eq!(w.record(60_000), 2, "bucket 60: bucket 0 has left");
        // One bucket's worth early: 999 and 60 000 are 59 001 ms apart but not counted together.
        assert_eq!(w.record(119_999), 2);
        assert_eq!(w.record(10_000_000), 1, "a long gap empties every bucket");
    }

    #[test]
    fn counts_round_trip_oldest_first() {
        let mut w = Window::new(1_000);
        for t in [0, 5_500, 5_900, 59_000, 61_000] {
            w.record(t);
        }
        let counts = w.to_counts(61_000);
        assert_eq!(counts.len(), BUCKETS);
        assert_eq!((counts[0], counts[BUCKETS - 1], counts.iter().sum::<u64>()), (0, 1, 4));
        let back = Window::from_counts(1_000, 61_000, &counts).unwrap();
        assert_eq!(back.to_counts(61_000), counts);
        assert_eq!(back.total(), 4);
        // Early in the epoch the buckets before 0 do not exist.
        let mut early = vec![0; BUCKETS];
        early[0] = 1;
        assert!(Window::from_counts(1_000, 5_000, &early).is_none());
        assert!(Window::from_counts(1_000, 5_000, &[1, 2]).is_none());
        assert!(Window::new(1_000).to_counts(5).is_empty());
    }

    mod prop {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            /// The documented resolution: the window holds every message of the last `W - r`
            /// ms and none older than `W` ms (`W` = 60 buckets of `r` ms).
            #[test]
            fn a_window_lies_between_the_exact_windows_one_bucket_apart(
                resolution in prop_oneof![Just(1_000u64), Just(60_000u64), 1u64..5_000],
                steps in proptest::collection::vec(prop_oneof![0u64..3_000, 0u64..200_000], 1..200),
            ) {
                let span = resolution * BUCKETS as u64;
                let mut w = Window::new(resolution);
                let mut times = Vec::new();
                let mut now = 10 * span;
                for step in steps {
                    now += step;
                    times.push(now);
                    let count = w.record(now);
                    let within = |ms: u64| times.iter().filter(|&&t| now - t < ms).count() as u64;
                    prop_assert!(count <= within(span), "{} counted, {} in the exact window", count, within(span));
                    let recent = within(span - resolution + 1);
                    prop_assert!(count >= recent, "{} counted, {} in the last W - r ms", count, recent);
                }
            }
        }
    }

    #[test]
    fn extreme_times_never_overflow() {
        let mut w = Window::new(60_000);
        w.record(u64::MAX);
        w.record(u64::MAX);
        assert_eq!(w.total(), 2);
        let back = Window::from_counts(60_000, u64::MAX, &w.to_counts(u64::MAX)).unwrap();
        assert_eq!(back.total(), 2);
    }
}
