#!/usr/bin/env python3
"""Side-by-side: sendguard (native and wasm under Node) against the scanners people use today.

Run through `make bench-compare` (tools/bench_compare.sh installs the pinned tools first).
In one run, on the same files:

- throughput: every tool scans the seeded 20 MB corpus (tools/gen_corpus.py --seed 42) once to
  warm up and --runs more times; CPU time (user+sys of the process and its children, from
  getrusage) and wall time, min and median;
- accuracy: every tool scans ../shared/corpus/dev once; a document counts as flagged when the
  tool reports anything in it (sendguard: verdict `block`, with the document's context), and
  flagged is compared with the labels: precision, recall, F1, overall and per category;
- docs/BENCHMARKS.md (the part between the bench-compare markers) and docs/bench-throughput.svg.

Stdlib only. Tool outputs go to target/bench-compare/ and are never printed: they hold secrets
(made-up ones, but the rule is the rule). Only counts and file names leave this script.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / "target" / "bench-tools"
WORK = ROOT / "target" / "bench-compare"
BEGIN = "<!-- bench-compare:begin (written by tools/bench_compare.py; edits here are overwritten) -->"
END = "<!-- bench-compare:end -->"
MIB = 1024 * 1024

# The dev corpus's contexts, as the CLI names them (a statement is billing mail, a hosting
# welcome is a welcome).
CONTEXT_FOR_CLI = {"invoice": "invoice", "statement": "invoice", "ticket_ack": "ticket_ack",
                   "welcome": "welcome", "hosting_welcome": "welcome", "password_reset": "password_reset",
                   "otp": "otp", "generic": "generic"}


@dataclass
class Tool:
    """One scanner: how to run it over a folder (or a list of files) and read what it flagged."""
    name: str
    label: str
    argv: callable            # (folder: Path) -> list[str]
    flagged: callable         # (stdout text, folder) -> set of file names (basenames)
    version: callable         # () -> str
    cwd_is_folder: bool = False
    is_sendguard: bool = False
    runs: list = field(default_factory=list)   # [(cpu_s, wall_s)]
    note: str = ""


def sh(argv: list[str], cwd: Path | None = None) -> str:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=120).stdout.strip()
    except (OSError, subprocess.TimeoutExpired) as e:
        return f"unavailable ({e.__class__.__name__})"


def first_line(text: str) -> str:
    return text.splitlines()[0] if text else "unknown"


# --- output parsers: each returns the set of basenames a tool reported something in ------------

def flagged_rg(out: str, folder: Path) -> set[str]:
    names = set()
    for line in out.splitlines():
        path, _, count = line.rpartition(":")
        if path and count.strip().isdigit() and int(count) > 0:
            names.add(os.path.basename(path))
    return names


def flagged_sendguard(out: str, folder: Path) -> set[str]:
    names = set()
    for line in out.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:
            continue
        if rec.get("verdict") == "block" and rec.get("path"):
            names.add(os.path.basename(rec["path"]))
    return names


def flagged_path_prefix(out: str, folder: Path) -> set[str]:
    """`path:line:...` lines (ripsecrets, secretlint --format unix)."""
    names = set()
    for line in out.splitlines():
        m = re.match(r"^(.+?):\d+:", line)
        if m:
            names.add(os.path.basename(m.group(1)))
    return names


def flagged_detect_secrets(out: str, folder: Path) -> set[str]:
    try:
        results = json.loads(out).get("results", {})
    except json.JSONDecodeError:
        return set()
    return {os.path.basename(name) for name, hits in results.items() if hits}


def tools_under_test(sendguard_bin: Path) -> list[Tool]:
    venv = TOOLS / "venv" / "bin"
    node_bin = TOOLS / "node" / "node_modules" / ".bin"
    rc = TOOLS / "node" / ".secretlintrc.json"
    preset_pkg = TOOLS / "node" / "node_modules" / "@secretlint" / "secretlint-rule-preset-recommend" / "package.json"

    def preset_version() -> str:
        try:
            return json.loads(preset_pkg.read_text())["version"]
        except (OSError, ValueError, KeyError):
            return "?"

    def sendguard_version() -> str:
        rev = sh(["git", "rev-parse", "--short", "HEAD"], ROOT)
        version = first_line(sh([str(sendguard_bin), "--version"])).removeprefix("sendguard ").strip() or "0.1.0"
        return f"sendguard {version} (commit {rev}, release build)"

    def wasm_version() -> str:
        return f"pkg/node under Node {sh(['node', '--version'])}"

    return [
        Tool("rg", "rg -c -i password (floor)", lambda d: ["rg", "-c", "-i", "password", str(d)], flagged_rg,
             lambda: first_line(sh(["rg", "--version"]))),
        Tool("sendguard", "sendguard native", lambda d: [str(sendguard_bin), "scan", "--format", "json", str(d)],
             flagged_sendguard, sendguard_version, is_sendguard=True),
        Tool("sendguard-wasm", "sendguard wasm (Node)", lambda d: ["node", str(ROOT / "tools" / "bench_wasm_scan.cjs"), str(d)],
             flagged_sendguard, wasm_version, is_sendguard=True),
        Tool("ripsecrets", "ripsecrets", lambda d: [str(TOOLS / "bin" / "ripsecrets"), str(d)], flagged_path_prefix,
             lambda: first_line(sh([str(TOOLS / "bin" / "ripsecrets"), "--version"]))),
        Tool("detect-secrets", "detect-secrets", lambda d: [str(venv / "detect-secrets"), "scan", "--all-files", "."],
             flagged_detect_secrets, lambda: "detect-secrets " + sh([str(venv / "detect-secrets"), "--version"]),
             cwd_is_folder=True),
        Tool("secretlint", "secretlint + preset-recommend",
             lambda d: [str(node_bin / "secretlint"), "--secretlintrc", str(rc), "--format", "unix", "--no-color", "**/*"],
             flagged_path_prefix,
             lambda: f"secretlint {sh([str(node_bin / 'secretlint'), '--version'])}, preset-recommend {preset_version()}",
             cwd_is_folder=True),
    ]


# --- running -----------------------------------------------------------------------------------

def run_once(tool: Tool, folder: Path, out_file: Path) -> tuple[float, float, int]:
    """Runs the tool over `folder`; returns (cpu seconds of it and its children, wall seconds, exit)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    with open(out_file, "wb") as out:
        proc = subprocess.run(tool.argv(folder), cwd=folder if tool.cwd_is_folder else ROOT,
                              stdout=out, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu, wall, proc.returncode


def tool_ok(tool: Tool) -> str | None:
    """Why the tool cannot run here, or None."""
    exe = tool.argv(ROOT)[0]
    if exe == "node" and tool.name == "sendguard-wasm":
        if not shutil.which("node"):
            return "node not found"
        probe = subprocess.run(["node", "-e", "require(process.argv[1])", str(ROOT / "pkg" / "node" / "sendguard.js")],
                               capture_output=True, text=True)
        if probe.returncode != 0:
            return "pkg/node does not load (run `make pkg`)"
        return None
    if not (shutil.which(exe) or Path(exe).exists()):
        return f"{exe} not found (run tools/bench_install.sh)"
    return None


def load_labels(corpus: Path) -> list[dict]:
    with open(corpus / "labels.jsonl", encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def scan_dev(tool: Tool, dev: Path, labels: list[dict]) -> set[str]:
    """What the tool flags on the dev corpus (sendguard: per document context)."""
    docs = dev / "docs"
    out_file = WORK / f"dev-{tool.name}.out"
    if not tool.is_sendguard:
        run_once(tool, docs, out_file)
        return tool.flagged(out_file.read_text(encoding="utf-8", errors="replace"), docs)
    by_context: dict[str, list[str]] = {}
    for rec in labels:
        by_context.setdefault(CONTEXT_FOR_CLI.get(rec.get("context", "generic"), "generic"), []).append(str(dev / rec["file"]))
    flagged: set[str] = set()
    for context, files in sorted(by_context.items()):
        argv = tool.argv(docs)[:-1] + ["--context", context] + files  # the folder argument → these files
        with open(out_file, "wb") as out:
            subprocess.run(argv, cwd=ROOT, stdout=out, stderr=subprocess.DEVNULL)
        flagged |= tool.flagged(out_file.read_text(encoding="utf-8", errors="replace"), docs)
    return flagged


def scores(flagged: set[str], labels: list[dict], category: str | None = None) -> dict:
    """Blocked-document precision/recall/F1. With a category: over the documents holding a secret
    of that category plus the clean documents (tools do not all say which category they saw)."""
    tp = fp = fn = tn = 0
    for rec in labels:
        cats = [s["category"] for s in rec["secrets"]]
        if category is not None and cats and category not in cats:
            continue
        positive = bool(cats)
        hit = os.path.basename(rec["file"]) in flagged
        tp += positive and hit
        fn += positive and not hit
        fp += (not positive) and hit
        tn += (not positive) and not hit
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    return {"tp": tp, "fp": fp, "fn": fn, "tn": tn, "precision": p, "recall": r, "f1": f1,
            "clean_flagged": fp / (fp + tn) if fp + tn else 0.0, "positives": tp + fn}


# --- writing -----------------------------------------------------------------------------------

def machine() -> dict:
    cpu = "unknown"
    try:
        for line in open("/proc/cpuinfo", encoding="utf-8"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        mem_kb = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{mem_kb / 1024 / 1024:.1f} GiB"
    except (OSError, StopIteration, ValueError):
        mem = "unknown"
    try:
        load = open("/proc/loadavg").read().split()[0]
    except OSError:
        load = "unknown"
    return {"load": load, "nproc": os.cpu_count(), "cpu": cpu, "memory": mem, "kernel": platform.release(),
            "rustc": first_line(sh(["rustc", "--version"])), "node": sh(["node", "--version"]),
            "python": platform.python_version()}


def fmt_s(x: float) -> str:
    return f"{x:.3f}" if x < 10 else f"{x:.1f}"


def svg_chart(rows: list[tuple[str, float]], title: str) -> str:
    """Horizontal bars, log scale (the tools differ by orders of magnitude)."""
    import math
    width, left, right, bar, gap, top = 760, 230, 90, 26, 12, 48
    height = top + len(rows) * (bar + gap) + 58
    lo = 10 ** math.floor(math.log10(max(min(v for _, v in rows), 1e-3)))
    hi = 10 ** math.ceil(math.log10(max(v for _, v in rows)))
    span = math.log10(hi) - math.log10(lo) or 1.0
    x = lambda v: left + (width - left - right) * (math.log10(max(v, lo)) - math.log10(lo)) / span
    esc = lambda s: s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
             f'font-family="Helvetica,Arial,sans-serif" font-size="13">',
             f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
             f'<text x="{left}" y="24" font-size="15" font-weight="bold">{esc(title)}</text>']
    decade = lo
    while decade <= hi * 1.0001:
        gx = x(decade)
        parts.append(f'<line x1="{gx:.1f}" y1="{top - 6}" x2="{gx:.1f}" y2="{height - 48}" stroke="#dddddd"/>')
        parts.append(f'<text x="{gx:.1f}" y="{height - 32}" text-anchor="middle" fill="#555555">{decade:g}</text>')
        decade *= 10
    for i, (name, value) in enumerate(rows):
        y = top + i * (bar + gap)
        colour = "#1a7f37" if name.startswith("sendguard") else ("#8c959f" if name.startswith("rg") else "#0969da")
        parts.append(f'<text x="{left - 8}" y="{y + bar * 0.68:.1f}" text-anchor="end">{esc(name)}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(x(value) - left, 1):.1f}" height="{bar}" fill="{colour}"/>')
        parts.append(f'<text x="{x(value) + 6:.1f}" y="{y + bar * 0.68:.1f}">{value:.3g} MiB/s</text>')
    parts.append(f'<text x="{width - right}" y="{height - 10}" text-anchor="end" fill="#555555" font-size="11">'
                 f'MiB per CPU-second (user+sys), log scale</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def write_markdown(path: Path, block: str) -> None:
    text = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n\n"
    if BEGIN in text and END in text:
        head, rest = text.split(BEGIN, 1)
        _, tail = rest.split(END, 1)
        text = head + BEGIN + "\n" + block + END + tail
    else:
        text = text.rstrip("\n") + "\n\n" + BEGIN + "\n" + block + END + "\n"
    path.write_text(text, encoding="utf-8")


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description="sendguard vs other secret scanners: throughput and accuracy")
    ap.add_argument("--runs", type=int, default=3, help="timed runs per tool after one warm-up (default 3)")
    ap.add_argument("--corpus", default=str(ROOT / "target" / "bench-corpus"), help="generated corpus folder")
    ap.add_argument("--dev", default=str(ROOT.parent / "shared" / "corpus" / "dev"), help="labeled dev corpus")
    ap.add_argument("--only", default="", help="comma-separated tool names to run (default: all)")
    ap.add_argument("--markdown", default=str(ROOT / "docs" / "BENCHMARKS.md"))
    ap.add_argument("--svg", default=str(ROOT / "docs" / "bench-throughput.svg"))
    ap.add_argument("--no-write", action="store_true", help="print the table only")
    args = ap.parse_args(argv)
    if args.runs < 1:
        ap.error("--runs must be at least 1")

    WORK.mkdir(parents=True, exist_ok=True)
    corpus = Path(args.corpus)
    if not (corpus / "labels.jsonl").exists():
        subprocess.run([sys.executable, str(ROOT / "tools" / "gen_corpus.py"), "--seed", "42", "--size-mb", "20",
                        "--out", str(corpus)], check=True)
    folder = corpus / "docs"
    files = sorted(p for p in folder.iterdir() if p.is_file())
    total = sum(p.stat().st_size for p in files)
    sendguard_bin = ROOT / "target" / "release" / "sendguard"
    dev = Path(args.dev)
    dev_labels = load_labels(dev) if (dev / "labels.jsonl").exists() else []
    bench_labels = load_labels(corpus)

    tools = tools_under_test(sendguard_bin)
    if args.only:
        wanted = set(args.only.split(","))
        tools = [t for t in tools if t.name in wanted]
    print(f"bench-compare: {len(files)} files, {total / MIB:.1f} MiB in {folder}; dev corpus {len(dev_labels)} documents",
          file=sys.stderr)

    load_start = machine()["load"]
    results = []
    for tool in tools:
        why = tool_ok(tool)
        if why:
            tool.note = why
            print(f"bench-compare: skipping {tool.name}: {why}", file=sys.stderr)
            continue
        out_file = WORK / f"bench-{tool.name}.out"
        cpu, wall, code = run_once(tool, folder, out_file)  # warm-up; its output is scored
        bench_flagged = tool.flagged(out_file.read_text(encoding="utf-8", errors="replace"), folder)
        runs = args.runs
        if cpu > 20.0:  # a tool this slow is not helped by a warm cache: its warm-up counts as a run
            tool.runs.append((cpu, wall))
            runs -= 1
        for _ in range(runs):
            cpu, wall, code = run_once(tool, folder, out_file)
            tool.runs.append((cpu, wall))
        empty = WORK / "empty"
        empty.mkdir(exist_ok=True)
        startup = statistics.median(run_once(tool, empty, WORK / "empty.out")[0] for _ in range(3))
        cpus = [c for c, _ in tool.runs]
        walls = [w for _, w in tool.runs]
        dev_flagged = scan_dev(tool, dev, dev_labels) if dev_labels else set()
        res = {"tool": tool, "cpu_min": min(cpus), "cpu_med": statistics.median(cpus), "wall_min": min(walls),
               "wall_med": statistics.median(walls), "version": tool.version(), "startup": startup,
               "dev": scores(dev_flagged, dev_labels) if dev_labels else None,
               "dev_cat": {c: scores(dev_flagged, dev_labels, c) for c in sorted({s["category"] for r in dev_labels for s in r["secrets"]})},
               "bench": scores(bench_flagged, bench_labels)}
        results.append(res)
        print(f"bench-compare: {tool.name:15s} cpu min {res['cpu_min']:.3f}s med {res['cpu_med']:.3f}s  "
              f"wall min {res['wall_min']:.3f}s med {res['wall_med']:.3f}s  "
              f"dev F1 {res['dev']['f1'] if res['dev'] else 0:.3f}", file=sys.stderr)

    by = {r["tool"].name: r for r in results}
    ratios = []
    if "sendguard" in by and "rg" in by:
        ratios.append(("sendguard native CPU / rg floor CPU (median)", by["sendguard"]["cpu_med"] / by["rg"]["cpu_med"], "≤ 3"))
    others = [r for r in results if r["tool"].name in ("ripsecrets", "detect-secrets", "secretlint")]
    if others and "sendguard" in by:
        fastest = min(others, key=lambda r: r["cpu_med"])
        ratios.append((f"fastest other scanner ({fastest['tool'].name}) CPU / sendguard CPU (median)",
                       fastest["cpu_med"] / by["sendguard"]["cpu_med"], "≥ 10"))
    if "sendguard" in by and "sendguard-wasm" in by:
        ratios.append(("sendguard wasm CPU / native CPU (median)", by["sendguard-wasm"]["cpu_med"] / by["sendguard"]["cpu_med"], "≤ 2"))
        ratios.append(("sendguard wasm CPU / native CPU, each less its start-up on an empty folder",
                       (by["sendguard-wasm"]["cpu_med"] - by["sendguard-wasm"]["startup"])
                       / max(by["sendguard"]["cpu_med"] - by["sendguard"]["startup"], 1e-9), "≤ 2"))
        ratios.append(("sendguard wasm wall / native wall (median)", by["sendguard-wasm"]["wall_med"] / by["sendguard"]["wall_med"], "≤ 2"))

    m = machine()
    m["load_start"] = load_start
    lines = []
    cmd = "make bench-compare" + (f"  (tools/bench_compare.py --runs {args.runs})" if args.runs != 3 else "")
    lines.append(f"Measured {time.strftime('%Y-%m-%d')} with `{cmd}`: every tool in the same run, on the same "
                 f"{len(files)} files ({total / MIB:.1f} MiB, `tools/gen_corpus.py --seed 42 --size-mb 20`), one warm-up "
                 f"run then {args.runs} timed runs each. CPU = user+sys of the tool and its children (getrusage); "
                 f"throughput = MiB / median CPU-second. Start-up = median CPU of "
                 f"the same command on an empty folder (process start, for Node also compiling the wasm module).\n")
    lines.append(f"Machine: {m['nproc']} CPUs ({m['cpu']}), {m['memory']} memory, Linux {m['kernel']}; {m['rustc']}, "
                 f"Node {m['node']}, Python {m['python']}. Load average (1 min) at start {m['load_start']}, at end "
                 f"{m['load']}: other work on the machine inflates wall time far more than CPU time, so compare CPU.\n")
    lines.append("| tool | version | CPU min (s) | CPU median (s) | wall min (s) | wall median (s) | MiB/CPU-s | MiB/wall-s | start-up CPU (s) |")
    lines.append("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for r in results:
        lines.append(f"| {r['tool'].label} | {r['version']} | {fmt_s(r['cpu_min'])} | {fmt_s(r['cpu_med'])} | "
                     f"{fmt_s(r['wall_min'])} | {fmt_s(r['wall_med'])} | {total / MIB / r['cpu_med']:.1f} | "
                     f"{total / MIB / r['wall_med']:.1f} | {r['startup']:.3f} |")
    for t in tools:
        if t.note:
            lines.append(f"| {t.label} | — | not run: {t.note} | | | | | | |")
    lines.append("")
    if ratios:
        lines.append("Ratios from this run (target in brackets):\n")
        for name, value, target in ratios:
            lines.append(f"- {name}: **{value:.2f}×** (target {target})")
        lines.append("")
    if dev_labels:
        n_pos = sum(1 for r in dev_labels if r["secrets"])
        lines.append(f"Accuracy: a document counts as flagged when the tool reports anything in it (sendguard: "
                     f"verdict `block`, scanned with the document's context). Dev corpus `../shared/corpus/dev`: "
                     f"{len(dev_labels)} documents, {n_pos} with secrets. Generated corpus: its labels.jsonl "
                     f"(sendguard in the `generic` context there).\n")
        lines.append("| tool | dev precision | dev recall | dev F1 | dev clean flagged | generated precision | generated recall | generated F1 | generated clean flagged |")
        lines.append("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for r in results:
            d, b = r["dev"], r["bench"]
            lines.append(f"| {r['tool'].label} | {d['precision']:.3f} | {d['recall']:.3f} | {d['f1']:.3f} | "
                         f"{d['clean_flagged']:.1%} | {b['precision']:.3f} | {b['recall']:.3f} | {b['f1']:.3f} | {b['clean_flagged']:.1%} |")
        lines.append("")
        cats = sorted({s["category"] for r in dev_labels for s in r["secrets"]})
        lines.append("Per category on the dev corpus, recall / F1 (F1 over the documents holding that category "
                     "plus the clean documents, since not every tool says which category it saw):\n")
        lines.append("| tool | " + " | ".join(f"{c} (n={results[0]['dev_cat'][c]['positives'] if results else 0})" for c in cats) + " |")
        lines.append("| --- |" + " ---: |" * len(cats))
        for r in results:
            lines.append(f"| {r['tool'].label} | " + " | ".join(
                f"{r['dev_cat'][c]['recall']:.2f} / {r['dev_cat'][c]['f1']:.2f}" for c in cats) + " |")
        lines.append("")
    lines.append("![throughput per tool](bench-throughput.svg)\n")
    block = "\n".join(lines)
    print(block)
    if not args.no_write and results:
        write_markdown(Path(args.markdown), block)
        Path(args.svg).write_text(svg_chart([(r["tool"].label, total / MIB / r["cpu_med"]) for r in results],
                                            f"Scan throughput on the {total / MIB:.0f} MiB generated mail corpus"),
                                  encoding="utf-8")
        (WORK / "results.json").write_text(json.dumps(
            [{k: (v if k != "tool" else v.name) for k, v in r.items()} for r in results], indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
