//! A labelled corpus's `labels.jsonl` rows and the blocked-document score, shared by
//! `tests/corpus.rs` (the dev corpus gate) and `examples/score_corpus.rs` (any corpus,
//! with lists of misses), so that both count a document the same way.
#![allow(dead_code)]

use sendguard::Action;
use serde::Deserialize;
use std::collections::BTreeMap;

/// One row of `labels.jsonl`: the file, how to scan it, and the secrets it holds.
#[derive(Deserialize)]
pub struct Label {
    pub id: String,
    pub file: String,
    pub kind: String,
    pub format: String,
    pub context: String,
    pub secrets: Vec<Secret>,
}

#[derive(Deserialize)]
pub struct Secret {
    pub category: String,
}

/// Blocked-document counts: a document with secrets must block, one without must not.
#[derive(Default, Clone, Copy)]
pub struct Score {
    pub tp: usize,
    pub fp: usize,
    pub fn_: usize,
}

impl Score {
    pub fn add(&mut self, expected: bool, blocked: bool) {
        match (expected, blocked) {
            (true, true) => self.tp += 1,
            (false, true) => self.fp += 1,
            (true, false) => self.fn_ += 1,
            _ => {}
        }
    }
    pub fn precision(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fp).max(1) as f64
    }
    pub fn recall(&self) -> f64 {
        self.tp as f64 / (self.tp + self.fn_).max(1) as f64
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 { 0.0 } else { 2.0 * p * r / (p + r) }
    }
    /// `F1 … P … R … (tp … fp … fn …)`.
    pub fn line(&self) -> String {
        format!("F1 {:.3} P {:.3} R {:.3} (tp {} fp {} fn {})", self.f1(), self.precision(), self.recall(), self.tp, self.fp, self.fn_)
    }
}

/// A corpus's counts as documents are scanned: the blocked-document score overall and per
/// kind, secrets per category (in all, and in blocked documents), and clean documents warned
/// or blocked.
#[derive(Default)]
pub struct Tally {
    pub overall: Score,
    pub by_kind: BTreeMap<String, Score>,
    /// Category -> (secrets, secrets in blocked documents).
    pub by_category: BTreeMap<String, (usize, usize)>,
    pub clean: usize,
    pub clean_flagged: usize,
}

impl Tally {
    /// Counts one document with the verdict it got.
    pub fn add(&mut self, label: &Label, verdict: Action) {
        let expected = !label.secrets.is_empty();
        let blocked = verdict == Action::Block;
        self.overall.add(expected, blocked);
        self.by_kind.entry(label.kind.clone()).or_default().add(expected, blocked);
        for s in &label.secrets {
            let e = self.by_category.entry(s.category.clone()).or_default();
            e.0 += 1;
            e.1 += blocked as usize;
        }
        if !expected {
            self.clean += 1;
            self.clean_flagged += (verdict != Action::Pass) as usize;
        }
    }

    /// The share of clean documents warned or blocked.
    pub fn clean_flagged_share(&self) -> f64 {
        self.clean_flagged as f64 / self.clean.max(1) as f64
    }
}
