#!/usr/bin/env python3
"""Score a sendguard CLI on the real-world set.

Runs `sendguard scan --format json --context CTX --kind KIND FILE...` over every file of
the manifest (files rebuilt by fetch.py) and prints, per split (tune, holdout) and overall:
leaking files blocked, clean and reset-link files blocked, how one-time-code mails are
handled, and the lists of misses and false blocks, by path and rule id. It never prints a
secret: only paths, rule ids, categories, line numbers and verdicts.

    python3 tests/realworld/score.py [--cli target/release/sendguard] [--files DIR]

Contexts the CLI does not know (it exits 2 on them) fall back: hosting_welcome -> welcome,
statement -> invoice; the fallback is reported.
"""
import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile

import rwset

FALLBACK = {"hosting_welcome": "welcome", "statement": "invoice"}
BATCH = 150


def supported_contexts(cli):
    """The manifest's contexts the CLI accepts (probed on an empty file)."""
    ok = set()
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        probe = f.name
    try:
        for ctx in sorted(rwset.CONTEXTS):
            res = subprocess.run([cli, "scan", "--format", "json", "--context", ctx, probe],
                                 capture_output=True)
            if res.returncode in (0, 1):
                ok.add(ctx)
    finally:
        os.unlink(probe)
    return ok


def run(cli, ctx, kind, paths):
    """One CLI process over `paths`: (report by path, exit status, whether it panicked)."""
    res = subprocess.run([cli, "scan", "--format", "json", "--context", ctx, "--kind", kind,
                          "--", *paths], capture_output=True)
    by_path = {}
    for line in res.stdout.decode("utf-8", "replace").splitlines():
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        by_path[obj.get("path")] = obj
    return by_path, res.returncode, b"panicked" in res.stderr


def scan(cli, rows, files, contexts):
    """Report (the CLI's JSON object) per row index, None where the CLI gave none, and the
    errors as (row index, description) pairs.

    Files are scanned in batches of one context and kind; when a batch comes back short (a
    crash stops the process), the files without a report are scanned one by one, so one bad
    file costs only its own report. The descriptions hold exit codes, never the CLI's stderr,
    which could quote the input."""
    groups = collections.defaultdict(list)
    for i, row in enumerate(rows):
        ctx = row["context"] if row["context"] in contexts else FALLBACK.get(row["context"], "generic")
        groups[(ctx, row["kind"])].append(i)
    reports = [None] * len(rows)
    errors = []
    for (ctx, kind), idxs in sorted(groups.items()):
        for start in range(0, len(idxs), BATCH):
            chunk = idxs[start:start + BATCH]
            paths = [rwset.local_path(rows[i], files) for i in chunk]
            by_path, _, _ = run(cli, ctx, kind, paths)
            for i, p in zip(chunk, paths):
                rep = by_path.get(p)
                if rep is None:
                    single, code, panicked = run(cli, ctx, kind, [p])
                    rep = single.get(p)
                    if rep is None:
                        errors.append((i, f"exit {code}{', panicked' if panicked else ''}"
                                          f" (rerun: {cli} scan --context {ctx} --kind {kind} {p})"))
                if rep is not None:
                    rep["_context"] = ctx
                reports[i] = rep
    return reports, errors


def pct(a, b):
    return f"{100.0 * a / b:5.1f} %" if b else "    - "


def rule_list(findings, only_block=False):
    """`rule(category)@line` for each finding; no values."""
    out = []
    for f in findings:
        if only_block and f.get("action") != "block":
            continue
        out.append(f"{f.get('ruleId', f.get('rule_id', '?'))}({f.get('category', '?')})"
                   f"[{f.get('action', '?')}]@{f.get('line', '?')}")
    return ", ".join(out) if out else "no findings"


def at_labelled_line(row, rep):
    """A blocking finding starts on one of the row's secret lines (parts of a message: any)."""
    lines = set(row["secret_lines"])
    for f in rep.get("findings", []):
        if f.get("action") != "block":
            continue
        if f.get("part") or f.get("line") in lines:
            return True
    return False


def has_code(rep):
    return any(f.get("category") == "one_time_code" for f in rep.get("findings", []))


def summarize(name, items, out, failed=0):
    by = collections.defaultdict(list)
    for row, rep in items:
        by[row["label"]].append((row, rep))
    repos = len({row["repo"] for row, _ in items})
    out.append(f"== {name}: {len(items)} files from {repos} repositories"
               + (f" ({failed} more without a report: the CLI failed on them)" if failed else ""))

    leaks = by["leak"]
    blocked = [x for x in leaks if x[1]["verdict"] == "block"]
    located = [x for x in blocked if at_labelled_line(*x)]
    warned = [x for x in leaks if x[1]["verdict"] == "warn"]
    out.append(f"  leaking files blocked          {len(blocked):4}/{len(leaks):<4} {pct(len(blocked), len(leaks))}"
               f"   (blocked on a labelled line {pct(len(located), len(leaks))}; warn only {len(warned)})")
    for label in ("clean", "reset_link"):
        xs = by[label]
        b = sum(1 for _, r in xs if r["verdict"] == "block")
        w = sum(1 for _, r in xs if r["verdict"] == "warn")
        out.append(f"  {label:<11} files blocked      {b:4}/{len(xs):<4} {pct(b, len(xs))}   (warned {pct(w, len(xs))})")
    cr = by["clean"] + by["reset_link"]
    b = sum(1 for _, r in cr if r["verdict"] == "block")
    out.append(f"  clean + reset_link blocked     {b:4}/{len(cr):<4} {pct(b, len(cr))}")
    otps = by["otp"]
    rec = sum(1 for _, r in otps if has_code(r))
    ob = sum(1 for _, r in otps if r["verdict"] == "block")
    verdicts = collections.Counter(r["verdict"] for _, r in otps)
    out.append(f"  otp files: code recognised     {rec:4}/{len(otps):<4} {pct(rec, len(otps))}"
               f"   (blocked {ob}; verdicts {dict(sorted(verdicts.items()))})")
    parts = []
    for key in sorted({(r["kind"], r["format"]) for r, _ in leaks}):
        xs = [p for r, p in leaks if (r["kind"], r["format"]) == key]
        parts.append(f"{key[0]}/{key[1]} {sum(1 for p in xs if p['verdict'] == 'block')}/{len(xs)}")
    if parts:
        out.append("  leaking blocked by kind/format " + ", ".join(parts))
    return {
        "files": len(items), "repos": repos,
        "leak": len(leaks), "leak_blocked": len(blocked), "leak_blocked_on_line": len(located),
        "clean": len(by["clean"]), "clean_blocked": sum(1 for _, r in by["clean"] if r["verdict"] == "block"),
        "reset_link": len(by["reset_link"]),
        "reset_link_blocked": sum(1 for _, r in by["reset_link"] if r["verdict"] == "block"),
        "otp": len(otps), "otp_recognised": rec, "otp_blocked": ob,
    }


def main():
    ap = argparse.ArgumentParser(description="Score a sendguard CLI on the real-world set.")
    ap.add_argument("--cli", default="target/release/sendguard", help="the sendguard binary")
    ap.add_argument("cli_pos", nargs="?", help="the binary, as a positional argument")
    ap.add_argument("--files", default=rwset.FILES, help="files rebuilt by fetch.py")
    ap.add_argument("--manifest", default=rwset.MANIFEST)
    ap.add_argument("--split", choices=sorted(rwset.SPLITS), help="score one split only")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    ap.add_argument("--quiet", action="store_true", help="figures only, no lists")
    args = ap.parse_args()
    cli = args.cli_pos or args.cli

    if not (os.path.isfile(cli) and os.access(cli, os.X_OK)):
        sys.exit(f"score: no executable CLI at {cli} (build it: cargo build --release --bin sendguard)")
    try:
        rows = rwset.load(args.manifest)
    except (OSError, ValueError) as e:
        sys.exit(f"score: {e}")
    if args.split:
        rows = [r for r in rows if r["split"] == args.split]
    absent = [r for r in rows if not os.path.isfile(rwset.local_path(r, args.files))]
    if absent:
        sys.exit(f"score: {len(absent)} of {len(rows)} files are missing under {args.files} "
                 f"(first: {rwset.local_path(absent[0], args.files)}); run tests/realworld/fetch.py first")

    contexts = supported_contexts(cli)
    fell_back = sorted({r["context"] for r in rows if r["context"] not in contexts})
    reports, errors = scan(cli, rows, args.files, contexts)
    items = [(r, rep) for r, rep in zip(rows, reports) if rep is not None]
    failed_rows = [rows[i] for i, _ in errors]

    out = [f"sendguard real-world set: {cli}"]
    if fell_back:
        out.append("contexts the CLI does not know, scanned as: "
                   + ", ".join(f"{c} -> {FALLBACK.get(c, 'generic')}" for c in fell_back))
    figures = {}
    for split in ("tune", "holdout"):
        part = [x for x in items if x[0]["split"] == split]
        if part:
            figures[split] = summarize(split, part, out,
                                       sum(1 for r in failed_rows if r["split"] == split))
    figures["all"] = summarize("all", items, out, len(failed_rows))
    figures["all"]["cli_failures"] = len(failed_rows)

    if not args.quiet:
        rel = lambda row: os.path.join(row["repo"], row["path"]) + f" @{row['commit'][:8]}"
        misses = [(r, p) for r, p in items if r["label"] == "leak" and p["verdict"] != "block"]
        out.append(f"\n-- leaking files not blocked ({len(misses)})")
        for r, p in misses:
            out.append(f"  [{r['split']}] {rel(r)}  ctx={p['_context']} verdict={p['verdict']}"
                       f" lines={r['secret_lines']} cats={','.join(r['categories'])}: {rule_list(p.get('findings', []))}")
        falses = [(r, p) for r, p in items if r["label"] in ("clean", "reset_link") and p["verdict"] == "block"]
        out.append(f"\n-- clean and reset-link files blocked ({len(falses)})")
        for r, p in falses:
            out.append(f"  [{r['split']}] {rel(r)}  label={r['label']} ctx={p['_context']}: "
                       f"{rule_list(p.get('findings', []), only_block=True)}")
        otp_bad = [(r, p) for r, p in items if r["label"] == "otp" and (p["verdict"] == "block" or not has_code(p))]
        out.append(f"\n-- otp files blocked or without a one_time_code finding ({len(otp_bad)})")
        for r, p in otp_bad:
            out.append(f"  [{r['split']}] {rel(r)}  ctx={p['_context']} verdict={p['verdict']}: "
                       f"{rule_list(p.get('findings', []))}")
    if errors:
        out.append(f"\n-- files the CLI gave no report for ({len(errors)})")
        for i, desc in errors:
            out.append(f"  [{rows[i]['split']}] {rows[i]['repo']}/{rows[i]['path']} label={rows[i]['label']}: {desc}")
    print("\n".join(out))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(figures, f, indent=2)
    sys.exit(2 if errors else 0)


if __name__ == "__main__":
    main()
