#!/usr/bin/env bash
# Installs the third-party scanners that `make bench-compare` measures sendguard against.
# Everything is pinned and goes under target/bench-tools/ (nothing system-wide), and each tool is
# installed only when its pinned version is not already there, so a second run costs nothing.
# Usage: tools/bench_install.sh [ripsecrets|detect-secrets|secretlint]...   (default: all)
set -euo pipefail

RIPSECRETS_VERSION=0.1.11
DETECT_SECRETS_VERSION=1.5.0
SECRETLINT_VERSION=13.0.6
SECRETLINT_PRESET_VERSION=13.0.7

root="$(cd "$(dirname "$0")/.." && pwd)"
tools="${BENCH_TOOLS_DIR:-$root/target/bench-tools}"
mkdir -p "$tools"

install_ripsecrets() {
  if [ -x "$tools/bin/ripsecrets" ] && "$tools/bin/ripsecrets" --version 2>/dev/null | grep -q "$RIPSECRETS_VERSION"; then
    return 0
  fi
  echo "bench_install: ripsecrets $RIPSECRETS_VERSION (cargo, into $tools)" >&2
  nice -n 10 cargo install --locked --root "$tools" ripsecrets --version "$RIPSECRETS_VERSION" >&2 \
    || nice -n 10 cargo install --root "$tools" ripsecrets --version "$RIPSECRETS_VERSION" >&2
}

install_detect_secrets() {
  local venv="$tools/venv"
  if [ -x "$venv/bin/detect-secrets" ] && "$venv/bin/detect-secrets" --version 2>/dev/null | grep -q "$DETECT_SECRETS_VERSION"; then
    return 0
  fi
  echo "bench_install: detect-secrets $DETECT_SECRETS_VERSION (pip, venv $venv)" >&2
  python3 -m venv "$venv"
  nice -n 10 "$venv/bin/pip" install --quiet --disable-pip-version-check "detect-secrets==$DETECT_SECRETS_VERSION" >&2
}

install_secretlint() {
  local node="$tools/node"
  if [ -x "$node/node_modules/.bin/secretlint" ] \
     && grep -q "\"version\": \"$SECRETLINT_VERSION\"" "$node/node_modules/secretlint/package.json" 2>/dev/null; then
    return 0
  fi
  echo "bench_install: secretlint $SECRETLINT_VERSION + preset-recommend $SECRETLINT_PRESET_VERSION (npm, into $node)" >&2
  mkdir -p "$node"
  [ -f "$node/package.json" ] || echo '{"name":"sendguard-bench-tools","private":true}' > "$node/package.json"
  (cd "$node" && nice -n 10 npm install --no-audit --no-fund --save-exact --loglevel=error \
     "secretlint@$SECRETLINT_VERSION" "@secretlint/secretlint-rule-preset-recommend@$SECRETLINT_PRESET_VERSION" >&2)
  cat > "$node/.secretlintrc.json" <<'JSON'
{ "rules": [ { "id": "@secretlint/secretlint-rule-preset-recommend" } ] }
JSON
}

which_tools=("$@")
[ ${#which_tools[@]} -gt 0 ] || which_tools=(detect-secrets secretlint ripsecrets)
for t in "${which_tools[@]}"; do
  case "$t" in
    ripsecrets) install_ripsecrets ;;
    detect-secrets) install_detect_secrets ;;
    secretlint) install_secretlint ;;
    *) echo "bench_install: unknown tool '$t' (expected ripsecrets, detect-secrets or secretlint)" >&2; exit 2 ;;
  esac
done
