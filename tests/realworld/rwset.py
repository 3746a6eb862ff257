"""The real-world set's manifest: loading, checking, and where each file lives.

Shared by fetch.py (which rebuilds files/ from the git mirrors) and score.py (which runs
the CLI over files/). The manifest is JSON lines, one labelled file per line; see README.md
for the fields and the labelling rules.
"""
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
MANIFEST = os.path.join(HERE, "manifest.jsonl")
FILES = os.path.join(HERE, "files")

LABELS = {"leak", "reset_link", "otp", "clean"}
CONTEXTS = {"generic", "welcome", "hosting_welcome", "password_reset", "otp",
            "invoice", "statement", "ticket_ack"}
KINDS = {"template", "rendered"}
FORMATS = {"text", "html", "eml"}
CATEGORIES = {"password", "token", "private_key", "connection_string", "payment_card",
              "card_security", "pin", "one_time_code"}
SPLITS = {"tune", "holdout"}
FIELDS = ["repo", "commit", "path", "split", "label", "context", "kind", "format",
          "categories", "secret_lines", "note"]


def load(path=MANIFEST):
    """Every row of the manifest, checked; raises ValueError naming the line on a bad row."""
    rows = []
    seen = set()
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError(f"{path}:{n}: not JSON: {e}") from e
            problem = check(row)
            if problem:
                raise ValueError(f"{path}:{n}: {problem}")
            key = (row["repo"], row["commit"], row["path"])
            if key in seen:
                raise ValueError(f"{path}:{n}: duplicate row for {row['repo']}:{row['path']}")
            seen.add(key)
            rows.append(row)
    return rows


def check(row):
    """What is wrong with a row, or None."""
    missing = [k for k in FIELDS if k not in row]
    if missing:
        return f"missing fields {missing}"
    if row["label"] not in LABELS:
        return f"label {row['label']!r} not in {sorted(LABELS)}"
    if row["context"] not in CONTEXTS:
        return f"context {row['context']!r} not in {sorted(CONTEXTS)}"
    if row["kind"] not in KINDS or row["format"] not in FORMATS or row["split"] not in SPLITS:
        return "kind, format or split out of range"
    if any(c not in CATEGORIES for c in row["categories"]):
        return f"unknown category in {row['categories']}"
    if row["label"] in ("leak", "otp") and not (row["categories"] and row["secret_lines"]):
        return f"a {row['label']} row needs categories and secret_lines"
    if row["label"] in ("clean", "reset_link") and row["secret_lines"]:
        return "a clean or reset_link row has no secret_lines"
    if len(row["commit"]) != 40:
        return "commit must be 40 hex digits"
    return None


def mirror_dir(repo, mirrors):
    """The git directory of a repository's mirror: <mirrors>/<owner>+<name>/repo."""
    return os.path.join(mirrors, repo.replace("/", "+"), "repo")


def local_path(row, files=FILES):
    """Where fetch.py puts a row's file: files/<owner>+<name>/<commit12>/<path>.

    The extension is kept, because the CLI recognises HTML and raw messages by it."""
    return os.path.join(files, row["repo"].replace("/", "+"), row["commit"][:12], row["path"])
