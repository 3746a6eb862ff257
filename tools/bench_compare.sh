#!/usr/bin/env bash
# `make bench-compare`: installs the pinned comparison scanners on demand (target/bench-tools/),
# builds the release CLI, generates the seeded 20 MB corpus if missing, then times every tool and
# scores its accuracy (tools/bench_compare.py), writing docs/BENCHMARKS.md and
# docs/bench-throughput.svg. Extra arguments go to bench_compare.py (e.g. --runs 5, --only rg,sendguard).
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in rg python3 node npm cargo; do
  command -v "$tool" >/dev/null || { echo "bench-compare: missing $tool (rg: apt-get install ripgrep)" >&2; exit 2; }
done
tools/bench_install.sh
cargo build --release --bin sendguard
if [ ! -f pkg/node/sendguard.js ] && command -v wasm-pack >/dev/null; then
  make pkg || echo "bench-compare: make pkg failed; the wasm row will be skipped" >&2
fi
exec python3 tools/bench_compare.py "$@"
