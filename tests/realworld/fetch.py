#!/usr/bin/env python3
"""Rebuild tests/realworld/files/ from manifest.jsonl with `git show <commit>:<path>`.

The files themselves are not in git (they belong to their projects); each row names a
public repository, a commit and a path. The mirrors are bare git directories under
--mirrors (default /work/.mirror/<owner>+<name>/repo). Exits 1, naming every missing
mirror or object, when anything could not be rebuilt; files already present are checked
and rewritten only when they differ.
"""
import argparse
import os
import subprocess
import sys

import rwset


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--manifest", default=rwset.MANIFEST)
    ap.add_argument("--mirrors", default=os.environ.get("REALWORLD_MIRRORS", "/work/.mirror"))
    ap.add_argument("--files", default=rwset.FILES, help="output folder (default tests/realworld/files)")
    args = ap.parse_args()

    try:
        rows = rwset.load(args.manifest)
    except (OSError, ValueError) as e:
        sys.exit(f"fetch: {e}")

    missing_mirrors = sorted({r["repo"] for r in rows
                              if not os.path.isdir(rwset.mirror_dir(r["repo"], args.mirrors))})
    if missing_mirrors:
        print(f"fetch: {len(missing_mirrors)} mirror(s) missing under {args.mirrors}:", file=sys.stderr)
        for repo in missing_mirrors:
            print(f"  {repo}  (expected {rwset.mirror_dir(repo, args.mirrors)})", file=sys.stderr)
        print("fetch: bring them in first (one bare git directory per repository), then rerun.",
              file=sys.stderr)

    written = same = 0
    failed = []
    for row in rows:
        if row["repo"] in missing_mirrors:
            continue
        git = rwset.mirror_dir(row["repo"], args.mirrors)
        res = subprocess.run(["git", "--git-dir", git, "show", f"{row['commit']}:{row['path']}"],
                             capture_output=True)
        if res.returncode != 0:
            failed.append(f"{row['repo']} {row['commit'][:12]}:{row['path']}: "
                          f"{res.stderr.decode('utf-8', 'replace').strip()}")
            continue
        out = rwset.local_path(row, args.files)
        if os.path.exists(out):
            with open(out, "rb") as f:
                if f.read() == res.stdout:
                    same += 1
                    continue
        os.makedirs(os.path.dirname(out), exist_ok=True)
        with open(out, "wb") as f:
            f.write(res.stdout)
        written += 1

    for msg in failed:
        print(f"fetch: cannot read {msg}", file=sys.stderr)
    total = len(rows)
    print(f"fetch: {written} written, {same} already up to date, "
          f"{total - written - same} missing, of {total} rows -> {args.files}")
    if missing_mirrors or failed:
        sys.exit(1)


if __name__ == "__main__":
    main()
