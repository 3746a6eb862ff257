//! One scan: decode the document into a view, run the rules whose keywords occur, find
//! placeholders, resolve overlaps, then decide and locate every finding.

use super::decide::Subject;
use super::order::sort_by_span;
use super::suppress::{self, Directive};
use super::labelled;
use super::runs::Runs;
use super::window;
use super::{Engine, ScanOptions};
use crate::decode::{html, mime, pdf, sniff, text, OffsetMap};
use crate::error::Error;
use crate::policy::{Action, Category, Confidence, Context, Detector, Format, Kind, Source, Validator};
use crate::report::{redact, Finding, Position, Positions, Report, Skipped, Suppressed};
use crate::rules::names::{classify_name, NameClass};
use crate::rules::placeholder::find_placeholders;
use crate::rules::position;
use crate::rules::{self, Candidate};
use regex_automata::util::captures::Captures;
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};

/// How far past a match the prose checks look.
const AFTER_WINDOW: usize = 80;

/// A detection before it is decided and located: a span in the view.
#[derive(Debug, Clone)]
pub(super) struct Hit {
    pub rule: usize,
    pub source: Source,
    pub start: usize,
    pub end: usize,
    /// The confidence evidence gave this hit; `None`: the rule's own.
    pub confidence: Option<Confidence>,
}

pub(super) fn scan_text(engine: &Engine, text: &str, options: &ScanOptions) -> Report {
    let limit = engine.policy.limits.max_document_bytes;
    let mut unread = Vec::new();
    let mut cut = None;
    let text = if text.len() > limit {
        let mut end = limit;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        unread.push(Skipped {
            part: format!("bytes {end}..{}", text.len()),
            reason: format!("document is larger than limits.maxDocumentBytes ({limit} bytes)"),
        });
        cut = Some(end);
        &text[..end]
    } else {
        text
    };
    let mut report = scan_document(engine, text, options, None);
    if let Some(at) = cut {
        let f = meta_finding(engine, text, options.context, at, at, "limit", Category::Limit, String::new(),
            format!("only the first {at} bytes were scanned (limits.maxDocumentBytes); split the document or raise the limit"));
        report.verdict = report.verdict.max(f.action);
        report.findings.push(f);
    }
    report.unscanned.extend(unread);
    report.hold_unscanned(engine.policy.unscanned.action.into());
    report
}

pub(super) fn scan_bytes(engine: &Engine, bytes: &[u8], options: &ScanOptions) -> Result<Report, Error> {
    let is_message = match options.format {
        Format::Eml => true,
        Format::Auto => mime::looks_like_eml(bytes),
        _ => false,
    };
    if is_message {
        return Ok(scan_message(engine, bytes, options));
    }
    let action = engine.policy.unscanned.action.into();
    if options.format == Format::Auto {
        if let Some(mut report) = scan_sniffed(engine, bytes, options) {
            report.hold_unscanned(action);
            return Ok(report);
        }
    }
    // Any bytes are text in some encoding (crate::decode::text); findings point into the bytes.
    let decoded = text::decode_text(bytes);
    let mut report = scan_text(engine, &decoded.text, options);
    if !decoded.is_identity() {
        let locate = |f: &mut Finding| (f.start, f.end) = decoded.to_source(f.start, f.end);
        report.findings.iter_mut().for_each(locate);
        report.suppressed.iter_mut().for_each(|s| locate(&mut s.finding));
        report.notes.extend(decoded.note());
    }
    report.hold_unscanned(action);
    Ok(report)
}

/// Bytes whose signature says they are no text file ([`sniff`]): media are skipped, a
/// container is unscanned, a PDF's text is scanned (offsets into that text). `None` for
/// anything else.
fn scan_sniffed(engine: &Engine, bytes: &[u8], options: &ScanOptions) -> Option<Report> {
    let empty = || Report { context: options.context, ..Report::default() };
    Some(match sniff::sniff(bytes)? {
        sniff::Sniffed::Media(media) => {
            let mut report = empty();
            report.skipped.push(Skipped { part: "file".into(), reason: format!("{media} holds no text; not scanned") });
            report
        }
        sniff::Sniffed::Container(container) => {
            let mut report = empty();
            report.unscanned.push(Skipped { part: "file".into(), reason: format!("{container} is not opened; what it holds was not scanned") });
            report
        }
        sniff::Sniffed::Pdf => {
            let pdf = pdf::extract_text(bytes, engine.policy.limits.max_part_bytes);
            let mut report = if pdf.text.trim().is_empty() {
                let mut report = empty();
                report.unscanned.push(Skipped { part: "file".into(), reason: format!("PDF with no extractable text ({})", pdf.notes.join("; ")) });
                report
            } else {
                scan_text(engine, &pdf.text, &ScanOptions { format: Format::Text, ..options.clone() })
            };
            if pdf.truncated {
                report.unscanned.push(Skipped { part: "file".into(), reason: format!("PDF text after {} bytes (limits.maxPartBytes) not read", engine.policy.limits.max_part_bytes) });
            }
            report.notes.extend(pdf.notes);
            report
        }
    })
}

/// Scans a raw message: every text-bearing part and the recipient-visible headers, each
/// as its own document, joined into one report. Findings carry the part path, offsets
/// into the decoded part, and the part's byte range in the raw message.
fn scan_message(engine: &Engine, raw: &[u8], options: &ScanOptions) -> Report {
    let decoded = mime::decode_message(raw, &mime::MimeOptions::from_limits(&engine.policy.limits));
    let mut report = Report { format: Format::Eml, context: options.context, kind: Kind::Rendered, ..Report::default() };
    for part in &decoded.parts {
        let part_options = ScanOptions { format: part.format, ..options.clone() };
        let mut r = scan_text(engine, &part.text, &part_options);
        if r.kind == Kind::Template {
            report.kind = Kind::Template;
        }
        let tag = |f: &mut Finding| {
            f.part = Some(part.path.clone());
            f.part_range = Some(part.raw_range);
        };
        r.findings.iter_mut().for_each(tag);
        r.suppressed.iter_mut().for_each(|s| tag(&mut s.finding));
        report.verdict = report.verdict.max(r.verdict);
        report.findings.append(&mut r.findings);
        report.suppressed.append(&mut r.suppressed);
        report.truncated += r.truncated;
        let within = |s: Skipped| Skipped { part: format!("{}: {}", part.path, s.part), reason: s.reason };
        report.skipped.extend(r.skipped.into_iter().map(&within));
        report.unscanned.extend(r.unscanned.into_iter().map(&within));
        report.notes.extend(part.notes.iter().map(|n| format!("{}: {n}", part.path)));
    }
    report.skipped.extend(decoded.skipped);
    report.unscanned.extend(decoded.unscanned);
    report.notes.extend(decoded.notes);
    for limit in decoded.limits_hit {
        let mut f = meta_finding(engine, "", options.context, 0, 0, "limit", Category::Limit, String::new(), format!("{limit}; what was not read was not scanned"));
        f.part = Some("message".to_owned());
        report.verdict = report.verdict.max(f.action);
        report.findings.push(f);
    }
    report.hold_unscanned(engine.policy.unscanned.action.into());
    report
}

/// Scans one text document completely (no size limit applied here).
/// `only` restricts detection to one rule and skips overlap resolution (rule examples).
pub(super) fn scan_document(engine: &Engine, text: &str, options: &ScanOptions, only: Option<usize>) -> Report {
    let format = match options.format {
        Format::Auto | Format::Eml => {
            if html::looks_like_html(text) {
                Format::Html
            } else {
                Format::Text
            }
        }
        f => f,
    };
    // Plain text is its own view: no copy, and offsets need no mapping.
    let html_view = (format == Format::Html).then(|| html::html_view(text));
    let (view_text, map) = match &html_view {
        Some(v) => (v.text.as_str(), Some(&v.map)),
        None => (text, None),
    };
    let kind = match options.kind {
        Kind::Auto => {
            if crate::rules::placeholder::looks_like_template(view_text) {
                Kind::Template
            } else {
                Kind::Rendered
            }
        }
        k => k,
    };
    let hits = detect(engine, view_text, kind, only);
    let mut report = decide(engine, text, view_text, map, &hits, options);
    report.kind = kind;
    report.format = format;
    report.context = options.context;
    report
}

/// Runs the rules over the view text and returns the hits, overlaps resolved.
fn detect(engine: &Engine, text: &str, kind: Kind, only: Option<usize>) -> Vec<Hit> {
    let compiled = &engine.compiled;
    let policy = &engine.policy;
    let template = kind == Kind::Template;
    // Whether rule `i` takes part in this scan (the `only` rule, the document's kind).
    let applies = |i: usize| {
        let rule = &compiled.rules[i];
        only.is_none_or(|o| o == i) && if template { rule.templates } else { rule.rendered }
    };
    let runs = |i: usize| compiled.rules[i].regex.is_some() && applies(i);
    let table_runs = |i: usize| compiled.rules[i].table && applies(i);
    // Where each rule runs: nowhere, the whole document, or windows around keyword hits.
    let mut scope: Vec<Scope> = (0..compiled.rules.len()).map(|_| Scope::Nowhere).collect();
    for &i in &compiled.always {
        scope[i] = Scope::Everywhere;
    }
    // Lines holding keyword hits of table-column rules (their starts, in order): candidate
    // table headers. Each stretch of text is searched for newlines once, even on a huge line.
    let mut header_lines: Vec<usize> = Vec::new();
    let mut next_header_line = 0;
    // Label hits of labelled-value rules: (rule, start, end).
    let mut label_hits: Vec<(usize, usize, usize)> = Vec::new();
    if let Some(keywords) = &compiled.keywords {
        let mut found = Vec::new();
        keywords.find_all(text.as_bytes(), &mut found);
        for m in found {
            let k = compiled.keyword_of_pattern[m.pattern];
            for &r in &compiled.keyword_rules[k] {
                if compiled.rules[r].labelled {
                    if applies(r) {
                        label_hits.push((r, m.start, m.end));
                    }
                    continue;
                }
                if compiled.rules[r].table {
                    // One hit a line is enough: the line is the candidate header.
                    if table_runs(r) && m.start >= next_header_line {
                        let bytes = &text.as_bytes()[next_header_line..];
                        let at = m.start - next_header_line;
                        let start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
                        header_lines.push(next_header_line + start);
                        next_header_line += memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p + 1);
                    }
                    continue;
                }
                if !runs(r) {
                    continue;
                }
                match (compiled.rules[r].window, &mut scope[r]) {
                    (_, Scope::Everywhere) => {}
                    // Every match holds a keyword and lies in the run around it.
                    (None, Scope::Around(hits)) => hits.push(m.start),
                    (None, s) if matches!(compiled.rules[r].runs, Some(Runs::AroundHits(_))) => *s = Scope::Around(vec![m.start]),
                    (None, s) => *s = Scope::Everywhere,
                    (Some(reach), s) => {
                        // A match holds a keyword hit no more than `before` bytes in.
                        let first = m.start.saturating_sub(reach.before);
                        let span = (first, m.start.saturating_add(reach.after).min(text.len()));
                        let starts = (first, m.start + 1);
                        match s {
                            // Hits come nearly in order of their starts (see `Keywords::find_all`).
                            Scope::Windows(w) => {
                                push_range(&mut w.spans, span);
                                push_range(&mut w.starts, starts);
                            }
                            _ => *s = Scope::Windows(Windows { spans: vec![span], starts: vec![starts] }),
                        }
                    }
                }
            }
        }
    }
    for (s, rule) in scope.iter_mut().zip(&compiled.rules) {
        match s {
            Scope::Windows(w) => {
                merge(&mut w.spans);
                merge(&mut w.starts);
            }
            Scope::Around(hits) => {
                *s = match &rule.runs {
                    Some(Runs::AroundHits(bytes)) => match bytes.spans_around(text.as_bytes(), hits) {
                        spans if spans.is_empty() => Scope::Nowhere,
                        spans => Scope::Windows(Windows { spans, starts: Vec::new() }),
                    },
                    // Only rules with runs around their hits collect hits; a whole-document
                    // search is right for any rule.
                    _ => Scope::Everywhere,
                };
            }
            _ => {}
        }
    }
    let mut hits = Vec::new();
    for (i, rule) in compiled.rules.iter().enumerate() {
        if !runs(i) {
            continue;
        }
        let spec = &policy.rules[i];
        let whole = [(0, text.len())];
        let mut probed = Vec::new();
        let (spans, starts): (&[Range], &[Range]) = match &scope[i] {
            Scope::Nowhere => continue,
            Scope::Everywhere => match &rule.runs {
                Some(Runs::Probed(r)) => {
                    r.find(text.as_bytes(), &mut probed);
                    if probed.is_empty() {
                        continue;
                    }
                    (&probed, &[])
                }
                _ => (&whole, &[]),
            },
            Scope::Windows(w) => (&w.spans, &w.starts),
            Scope::Around(_) => unreachable!("made windows after the keyword pass"),
        };
        // Only now: a deferred regex is built the first time a document needs it.
        let Some(regex) = rule.regex.as_ref().and_then(|r| r.get()) else { continue };
        let extend = rule.window.is_some_and(|r| r.extend);
        // Without a secret group only the match's bounds are read: slots for them alone
        // let the regex skip its capture engine (a bounded backtracker that clears a
        // bitset of states x match length on every match).
        let mut caps = match rule.secret_group {
            Some(_) => regex.create_captures(),
            None => Captures::matches(regex.group_info().clone()),
        };
        // Takes the match in `caps` (found with the range ending at `to`); returns where
        // the search goes on.
        let mut take = |caps: &mut Captures, to: usize| -> usize {
            let mut m = caps.get_match().expect("called on a match");
            if extend && m.end() + window::EXTEND_SLACK >= to && to < text.len() {
                // Cut by the window: follow the match from its start to its true end.
                let whole = regex_automata::Input::new(text).range(m.start()..).anchored(regex_automata::Anchored::Yes);
                regex.search_captures(&whole, caps);
                m = caps.get_match().expect("a match that fits its window also matches without the window's end");
            }
            let (s, e) = match rule.secret_group.and_then(|g| caps.get_group(g)) {
                Some(span) => (span.start, span.end),
                None => (m.start(), m.end()),
            };
            let after_end = floor_char(text, (m.end() + AFTER_WINDOW).min(text.len()));
            let cand = Candidate { secret: &text[s..e], whole: &text[m.start()..m.end()], after: &text[m.end()..after_end] };
            let accepted = s < e && validated(spec, &cand) && !refuted(engine, spec, text, s, &cand);
            if accepted {
                hits.push(Hit { rule: i, source: Source::Literal, start: s, end: e, confidence: None });
            }
            // Advance past the match (at least one character on an empty match); a rejected
            // value may itself start a match (`your password\nPassword: x`), so resume at it.
            if !accepted && s > m.start() {
                s
            } else if m.end() > m.start() {
                m.end()
            } else {
                next_char(text, m.end())
            }
        };
        let mut resume = 0;
        let mut next_starts = 0;
        for &(from, to) in spans {
            // The start ranges inside this span.
            let first_starts = next_starts;
            while next_starts < starts.len() && starts[next_starts].0 < to {
                next_starts += 1;
            }
            let (from, to) = (floor_char(text, from.max(resume)), ceil_char(text, to));
            if from >= to {
                continue;
            }
            let mine = &starts[first_starts..next_starts];
            let candidates: usize = mine.iter().map(|&(a, b)| b.min(to).saturating_sub(a.max(from))).sum();
            if !mine.is_empty() && candidates.saturating_mul(ANCHORED_SEARCH_BYTES) < to - from {
                // Few places a match can start: an anchored search at each of them finds
                // the same matches as one search through the window.
                'span: for &(a, b) in mine {
                    let mut p = a.max(from).max(resume);
                    while p < b.min(to) {
                        if text.is_char_boundary(p) {
                            let input = regex_automata::Input::new(text).range(p..to).anchored(regex_automata::Anchored::Yes);
                            regex.search_captures(&input, &mut caps);
                            if caps.get_match().is_some() {
                                // Past the start, so always ahead of `p`.
                                p = take(&mut caps, to);
                                resume = p;
                                if p >= to {
                                    break 'span;
                                }
                                continue;
                            }
                        }
                        p += 1;
                    }
                }
                continue;
            }
            // A span, not a slice: `\b` and `^` still see the text around the window.
            let mut input = regex_automata::Input::new(text).range(from..to);
            loop {
                regex.search_captures(&input, &mut caps);
                if caps.get_match().is_none() {
                    break;
                }
                let next = take(&mut caps, to);
                resume = next;
                if next >= to {
                    break;
                }
                input.set_start(next);
            }
        }
    }
    if !header_lines.is_empty() {
        hits.extend(table_cells(engine, text, &header_lines, &table_runs));
    }
    if !label_hits.is_empty() {
        hits.extend(labelled_values(engine, text, &mut label_hits));
    }
    if template && !compiled.placeholder_rules.is_empty() {
        let placeholder_hits = placeholders(engine, text, only);
        // A literal match inside a placeholder (`Password: {{password}}`) is the placeholder's.
        hits.retain(|h| !placeholder_hits.iter().any(|p| h.start < p.end && p.start < h.end));
        hits.extend(placeholder_hits);
    }
    if only.is_none() {
        resolve_overlaps(engine, &mut hits);
    } else {
        sort_by_span(&mut hits, |h| (h.start, h.end));
    }
    hits
}

/// The values of the labelled-value rules around their label hits (`(rule, start, end)`).
fn labelled_values(engine: &Engine, text: &str, label_hits: &mut [(usize, usize, usize)]) -> Vec<Hit> {
    let mut hits = Vec::new();
    label_hits.sort_unstable();
    for group in label_hits.chunk_by_mut(|a, b| a.0 == b.0) {
        let rule = group[0].0;
        let mut labels: Vec<(usize, usize)> = group.iter().map(|&(_, s, e)| (s, e)).collect();
        let category = engine.policy.rules[rule].category;
        for f in labelled::find(text, &mut labels, &engine.compiled.lexicons, category) {
            hits.push(Hit { rule, source: f.source, start: f.start, end: f.end, confidence: Some(f.confidence) });
        }
    }
    hits
}

/// Whether the evidence speaks against a validated match: a prose word or a label's own
/// translation as a password (`Mot de passe : inchangé`, `password: Passwort`); a card-shaped number that an identifier label names
/// (`Order ID: …`), or one without its issuer's length and without a card label.
fn refuted(engine: &Engine, spec: &crate::policy::Rule, text: &str, start: usize, cand: &Candidate<'_>) -> bool {
    let lexicons = &engine.compiled.lexicons;
    spec.validators.iter().any(|v| match v {
        Validator::PasswordValue => {
            let label_start = start.saturating_sub(cand.secret.as_ptr() as usize - cand.whole.as_ptr() as usize);
            lexicons.is_prose(cand.secret)
                || lexicons.label_at(text, start)
                || crate::rules::labels::purpose_before(text, label_start)
                || crate::rules::labels::button_text(text, label_start)
                || crate::rules::labels::key_with_sentence(text, label_start, cand.secret, cand.after)
                || crate::rules::labels::in_tag_name(text, label_start)
        }
        Validator::Luhn => {
            lexicons.identifier_before(text, start)
                || (!crate::rules::validators::card_issuer_length(cand.secret) && !lexicons.card_label_before(text, start))
        }
        _ => false,
    })
}

/// Whether every validator of `spec` accepts the candidate.
fn validated(spec: &crate::policy::Rule, cand: &Candidate<'_>) -> bool {
    spec.validators.iter().all(|&v| rules::validate(v, cand, spec.min_entropy))
}

/// Where a rule runs in one document.
enum Scope {
    /// None of its keywords occurs.
    Nowhere,
    /// It has no keywords, or cannot be confined to windows.
    Everywhere,
    /// Around its keyword hits.
    Windows(Windows),
    /// In the runs around its keyword hits (these), once the keyword pass is over.
    Around(Vec<usize>),
}

/// A byte range `(start, end)` of the view text.
type Range = (usize, usize);

/// The keyword windows of one rule in one document.
struct Windows {
    /// Where its matches lie: sorted, disjoint byte ranges.
    spans: Vec<Range>,
    /// Where its matches start: each keyword hit and the `before` bytes ahead of it (see
    /// [`window::Reach`]). Sorted, disjoint; each lies inside one span.
    starts: Vec<Range>,
}

/// What one anchored search costs, in bytes of an unanchored search through a window. A
/// window with fewer possible match starts than its length over this is searched anchored
/// at each of them (`Password: x` in a 4 KB window: one search that ends after the value,
/// or stops a few bytes in, instead of a pass over 4 KB).
const ANCHORED_SEARCH_BYTES: usize = 64;

/// Appends `range` to nearly sorted, disjoint `ranges`, joining it with the last one where
/// they overlap or touch; [`merge`] finishes the job.
fn push_range(ranges: &mut Vec<Range>, range: Range) {
    match ranges.last_mut() {
        Some(last) if last.0 <= range.0 && range.0 <= last.1 => last.1 = last.1.max(range.1),
        _ => ranges.push(range),
    }
}

/// Sorts windows and joins those that overlap or touch.
fn merge(windows: &mut Vec<Range>) {
    if windows.windows(2).all(|p| p[0].1 < p[1].0) {
        return;
    }
    sort_by_span(windows, |&range| range);
    let mut out: Vec<Range> = Vec::with_capacity(windows.len());
    for &range in windows.iter() {
        push_range(&mut out, range);
    }
    *windows = out;
}

fn placeholders(engine: &Engine, text: &str, only: Option<usize>) -> Vec<Hit> {
    let compiled = &engine.compiled;
    let mut hits = Vec::new();
    // A template names the same few variables again and again: classify each name once.
    let mut classes: HashMap<&str, NameClass> = HashMap::new();
    let found = find_placeholders(text);
    // The names that the document puts in a link's query (see `linked_name`): a set, since
    // a hostile document may print a million tokens both in and outside links.
    let mut in_links: Option<HashSet<&str>> = None;
    for p in &found {
        if !p.output {
            continue;
        }
        let name = &text[p.name_start..p.name_end];
        let class = *classes.entry(name).or_insert_with(|| classify_name(name));
        // Position before name: a token, or a bare `code`, in a link's query is the link's
        // parameter, and after "your code is:" (before it on the line, or in the
        // placeholder's own text) a one-time code.
        let last = name.rsplit(['.', '>', ':']).next().unwrap_or("");
        let words = ["token", "code", "otp", "passcode"];
        let bare = words.iter().any(|w| last.eq_ignore_ascii_case(w));
        // After "code" a name that ends in `token` is the code too (`{pass_token}` after
        // "кодом подтверждения:"); one that ends in `code` names its kind (`product_code`,
        // `currency_code`, `tracking_code`).
        let coded = || bare || crate::rules::names::split_words(last).pop().is_some_and(|h| h == "token");
        let token_like = matches!(class, NameClass::Secret(Category::Token | Category::PrivateKey)) || (bare && class == NameClass::Neutral);
        // A token printed outside a link whose very name the same document also puts in a
        // link's query is that link's single-use token, shown again for readers who type
        // it in ("or enter this code: {{token}}"): the same value the link already carries,
        // so it is judged as the link is. The names in links are collected only once such
        // a token turns up (rare).
        let mut linked_name = || {
            in_links
                .get_or_insert_with(|| found.iter().filter(|q| q.output && position::in_link(text, q.start)).map(|q| &text[q.name_start..q.name_end]).collect())
                .contains(&name)
        };
        let category = match class {
            // A token or key in a link's query is the link's credential: the link is what
            // the reader gets (a sign-in or invite link), not the key itself.
            _ if token_like && position::in_link(text, p.start) => Category::ResetLink,
            NameClass::Secret(Category::Token) | NameClass::Neutral if coded() && position::code_before(text, p.name_start) => Category::OneTimeCode,
            _ if token_like && linked_name() => Category::ResetLink,
            NameClass::Secret(c) => c,
            _ => continue,
        };
        // Position before name for what is no secret but a link or a code: a
        // placeholder after `Reference:` or `Hello` is that reference or a name.
        if matches!(category, Category::ResetLink | Category::OneTimeCode) && compiled.lexicons.names_slot(text, p.start) {
            continue;
        }
        // "Your card ending with {{ card_number }}": the last digits, which mails may show.
        if category == Category::PaymentCard && position::card_tail_before(text, p.start) {
            continue;
        }
        let Some(&rule) = compiled.placeholder_rules.get(&category) else { continue };
        if only.is_some_and(|o| o != rule) || !compiled.rules[rule].templates {
            continue;
        }
        debug_assert_eq!(engine.policy.rules[rule].detector, Some(Detector::Placeholder));
        hits.push(Hit { rule, source: Source::Placeholder, start: p.start, end: p.end, confidence: None });
    }
    hits
}

/// The validated cells of the secret columns of the tables whose header lines start at
/// `header_lines` (in order).
fn table_cells(engine: &Engine, text: &str, header_lines: &[usize], runs: &dyn Fn(usize) -> bool) -> Vec<Hit> {
    let compiled = &engine.compiled;
    let rule_for = |category: Category| compiled.table_rules.get(&category).copied().filter(|&r| runs(r));
    let mut hits = Vec::new();
    let mut table_end = 0;
    for &line in header_lines {
        if line < table_end {
            continue; // a row of the table before
        }
        let label = |header: &str| compiled.lexicons.header_label(header);
        let (cells, end) = crate::rules::table::table_at(text, line, |c| rule_for(c).is_some(), &label);
        table_end = end;
        for cell in cells {
            let Some(rule) = rule_for(cell.category) else { continue };
            let spec = &engine.policy.rules[rule];
            let value = &text[cell.start..cell.end];
            let cand = Candidate { secret: value, whole: value, after: "" };
            if validated(spec, &cand) && !refuted(engine, spec, text, cell.start, &cand) {
                hits.push(Hit { rule, source: Source::Literal, start: cell.start, end: cell.end, confidence: None });
            }
        }
    }
    hits
}

/// Keeps one hit per overlapping group: the more confident rule, then the one earlier in
/// the policy (specific formats come before generic assignments).
fn resolve_overlaps(engine: &Engine, hits: &mut Vec<Hit>) {
    let rank = |h: &Hit| {
        let conf = h.confidence.unwrap_or(engine.policy.rules[h.rule].confidence);
        (std::cmp::Reverse(conf), h.rule)
    };
    // Longest first among equal starts.
    sort_by_span(hits, |h| (h.start, usize::MAX - h.end));
    let mut kept: Vec<Hit> = Vec::with_capacity(hits.len());
    for h in hits.drain(..) {
        match kept.last_mut() {
            Some(last) if h.start < last.end => {
                if rank(&h) < rank(last) {
                    *last = h;
                }
            }
            _ => kept.push(h),
        }
    }
    *hits = kept;
}

/// Turns hits into located, decided, possibly suppressed findings.
fn decide(engine: &Engine, source: &str, view_text: &str, map: Option<&OffsetMap>, hits: &[Hit], options: &ScanOptions) -> Report {
    let compiled = &engine.compiled;
    let policy = &engine.policy;
    // memmem's vector search: `str::contains` reads a whole document at under a byte a cycle.
    let marked = memchr::memmem::find(source.as_bytes(), suppress::MARKER.as_bytes()).is_some();
    let directives = if marked { suppress::directives(source) } else { Vec::new() };
    let path_allowed = options.path.as_deref().is_some_and(|p| compiled.allowed_paths.iter().any(|g| g.matches(p)));

    // Source spans first, so that positions are computed in one forward pass.
    let spans: Vec<(usize, usize)> = hits
        .iter()
        .map(|h| map.map_or((h.start, h.end), |m| m.span_to_source(h.start, h.end)))
        .collect();
    let mut offsets: Vec<usize> = spans.iter().flat_map(|&(s, e)| [s, e]).chain(directives.iter().flat_map(|d| [d.start, d.end])).collect();
    offsets.sort_unstable();
    offsets.dedup();
    let mut walker = Positions::new(source);
    let positions: Vec<_> = offsets.iter().map(|&o| walker.at(o)).collect();
    let locate = |o: usize| positions[offsets.binary_search(&o).unwrap_or(0)];

    let mut report = Report::default();
    for (h, &(start, end)) in hits.iter().zip(&spans) {
        let rule = &policy.rules[h.rule];
        let value = &view_text[h.start..h.end];
        let confidence = h.confidence.unwrap_or(rule.confidence);
        let action = compiled.actions.decide(&Subject {
            category: rule.category,
            source: h.source,
            context: options.context,
            confidence,
            rule: &rule.id,
        });
        let (ps, pe) = (locate(start), locate(end));
        let mut finding = located(
            Says {
                rule_id: rule.id.clone(),
                category: rule.category,
                source: h.source,
                action,
                confidence,
                redacted: match h.source {
                    Source::Literal => redact(value),
                    Source::Placeholder => shorten(value, 80),
                },
                message: rule.message.clone().unwrap_or_else(|| default_message(rule.category, h.source).to_owned()),
            },
            (start, end),
            (ps, pe),
        );
        super::decide::soften_example(&mut finding, rule, value);
        let by = if compiled.allowed_rules.contains(&rule.id) {
            Some(("rule", None))
        } else if !compiled.allowed_hashes.is_empty() && compiled.allowed_hashes.contains(&sha256(value)) {
            Some(("value", None))
        } else if path_allowed {
            Some(("path", None))
        } else {
            directive_for(&directives, &rule.id, ps.line).map(|d| ("inline", d.reason.clone()))
        };
        match by {
            Some((by, reason)) => report.suppressed.push(Suppressed { finding, by: by.to_owned(), reason }),
            None => report.findings.push(finding),
        }
    }
    for d in directives.iter().filter(|d| d.reason.is_none()) {
        let rule_id = "suppression-without-reason";
        let action = compiled.actions.decide(&Subject {
            category: Category::Suppression,
            source: Source::Literal,
            context: options.context,
            confidence: Confidence::High,
            rule: rule_id,
        });
        let (ps, pe) = (locate(d.start), locate(d.end));
        report.findings.push(located(
            Says {
                rule_id: rule_id.to_owned(),
                category: Category::Suppression,
                source: Source::Literal,
                action,
                confidence: Confidence::High,
                redacted: shorten(&format!("{} {}", suppress::MARKER, d.rule), 80),
                message: format!("say why: `{} {} -- <reason>`; a suppression without a reason is not reviewed", suppress::MARKER, d.rule),
            },
            (d.start, d.end),
            (ps, pe),
        ));
    }
    sort_by_span(&mut report.findings, |f| (f.start, f.end));
    report.verdict = report.findings.iter().map(|f| f.action).max().unwrap_or(Action::Pass);
    let max = policy.limits.max_findings;
    if report.findings.len() > max {
        report.truncated = report.findings.len() - max;
        report.findings.truncate(max);
    }
    report
}

fn directive_for<'d>(directives: &'d [Directive], rule: &str, line: usize) -> Option<&'d Directive> {
    directives.iter().find(|d| (d.line == line || d.line + 1 == line) && (d.rule == rule || d.rule == "*"))
}

/// A finding that is about the scan rather than a secret (a limit reached).
#[allow(clippy::too_many_arguments)]
pub(super) fn meta_finding(engine: &Engine, text: &str, context: Context, start: usize, end: usize, rule_id: &str, category: Category, redacted: String, message: String) -> Finding {
    let action = engine.compiled.actions.decide(&Subject { category, source: Source::Literal, context, confidence: Confidence::High, rule: rule_id });
    let mut p = Positions::new(text);
    let (ps, pe) = (p.at(start), p.at(end));
    located(
        Says { rule_id: rule_id.to_owned(), category, source: Source::Literal, action, confidence: Confidence::High, redacted, message },
        (start, end),
        (ps, pe),
    )
}

/// What a finding says, before it is placed in the source.
struct Says {
    rule_id: String,
    category: Category,
    source: Source,
    action: Action,
    confidence: Confidence,
    redacted: String,
    message: String,
}

/// A finding at byte span `span` whose start and end positions are `at`.
fn located(says: Says, span: (usize, usize), at: (Position, Position)) -> Finding {
    let (ps, pe) = at;
    Finding {
        rule_id: says.rule_id,
        category: says.category,
        source: says.source,
        action: says.action,
        confidence: says.confidence,
        start: span.0,
        end: span.1,
        utf16_start: ps.utf16,
        utf16_end: pe.utf16,
        line: ps.line,
        column: ps.column,
        end_line: pe.line,
        end_column: pe.column,
        redacted: says.redacted,
        message: says.message,
        part: None,
        part_range: None,
    }
}

fn default_message(category: Category, source: Source) -> &'static str {
    match (category, source) {
        (Category::Password, _) => "never send a password: send a set-password link instead",
        (Category::Token, _) => "never send an API key or token: link to where the user can create one",
        (Category::PrivateKey, _) => "never send a private key: rotate it and share through a secrets manager",
        (Category::ConnectionString, _) => "remove the credentials from the URL; share them through a secrets manager",
        (Category::PaymentCard, _) => "show only the last four digits of a card",
        (Category::CardSecurity, _) => "never send a card security code",
        (Category::Pin, _) => "never send a PIN by email",
        (Category::OneTimeCode, _) => "send one-time codes only in one-time-code mails",
        (Category::ResetLink, _) => "send reset links only in password-reset mails",
        (Category::Limit, _) => "part of the input was not scanned",
        (Category::Suppression, _) => "give every suppression a reason",
    }
}

fn sha256(value: &str) -> [u8; 32] {
    Sha256::digest(value.as_bytes()).into()
}

fn shorten(s: &str, max_chars: usize) -> String {
    if s.chars().count() <= max_chars {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max_chars - 1).collect();
    out.push('…');
    out
}

fn floor_char(text: &str, mut i: usize) -> usize {
    while i > 0 && !text.is_char_boundary(i) {
        i -= 1;
    }
    i
}

fn ceil_char(text: &str, mut i: usize) -> usize {
    while i < text.len() && !text.is_char_boundary(i) {
        i += 1;
    }
    i
}

fn next_char(text: &str, i: usize) -> usize {
    if i >= text.len() {
        return text.len() + 1;
    }
    let mut j = i + 1;
    while j < text.len() && !text.is_char_boundary(j) {
        j += 1;
    }
    j
}

