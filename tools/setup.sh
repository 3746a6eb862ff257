#!/usr/bin/env bash
# Installs what building and testing sendguard needs, and only what is missing: a second run
# installs nothing and takes about a second. `make demo`, `make test`, `make pkg` and .ci/run
# call it, so that on a new Debian machine with Rust (rustup) the README's two commands are all
# a newcomer runs.
#
#   tools/setup.sh [PART...]     PART: wasm node chrome redis tools npm (default: all of them)
#
#   wasm    the wasm32 target, the pinned wasm-bindgen-cli and wasm-pack (cargo install), binaryen
#   node    Node.js and npm               chrome  chromium and chromium-driver
#   redis   redis-server                  tools   ripgrep
#   npm     `npm ci` in . and www/ when node_modules is older than the lock file (tests/editors
#           installs pkg/ as a copy, so `make test-editors` runs its npm ci after `make pkg`)
#
# Debian packages go through apt-get (as root, or with sudo); the cargo tools into cargo's
# install root (CARGO_INSTALL_ROOT, else CARGO_HOME, else ~/.cargo), which must be on PATH.
set -euo pipefail
cd "$(dirname "$0")/.."

# wasm-bindgen-cli must equal the `wasm-bindgen = "=…"` pin in Cargo.toml: read it from there.
WASM_BINDGEN_VERSION=$(sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
WASM_PACK_VERSION=0.15.1
NPM_DIRS=(. www)

say() { printf 'setup: %s\n' "$*" >&2; }
die() { say "$*"; exit 1; }

[[ -n $WASM_BINDGEN_VERSION ]] || die 'no `wasm-bindgen = { version = "=x.y.z" … }` pin in Cargo.toml'

# --- Debian packages ---------------------------------------------------------------------
apt_missing=()
# `need_deb COMMAND PACKAGE`: the package is wanted when the command is not on PATH.
need_deb() { command -v "$1" >/dev/null || apt_missing+=("$2"); }

apt_install() {
    ((${#apt_missing[@]})) || return 0
    local sudo=()
    if [[ $(id -u) -ne 0 ]]; then
        command -v sudo >/dev/null || die "missing ${apt_missing[*]}: run as root or install sudo"
        sudo=(sudo)
    fi
    say "apt-get install ${apt_missing[*]}"
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${apt_missing[@]}"
    apt_missing=()
}

# --- cargo tools -------------------------------------------------------------------------
# `cargo_tool CRATE VERSION BINARY`: install when BINARY is missing or reports another version;
# with the crate's own lock file first, and without it when that fails to build here.
cargo_tool() {
    local crate=$1 version=$2 binary=$3
    if command -v "$binary" >/dev/null && [[ $("$binary" --version 2>/dev/null) == *" $version"* ]]; then
        return 0
    fi
    command -v cargo >/dev/null || die "missing cargo: install Rust with rustup first"
    say "cargo install $crate $version"
    cargo install --locked --version "=$version" "$crate" \
        || cargo install --force --version "=$version" "$crate"
    command -v "$binary" >/dev/null \
        || die "$binary installed into cargo's install root, which is not on PATH (add ${CARGO_INSTALL_ROOT:-${CARGO_HOME:-$HOME/.cargo}}/bin)"
}

setup_wasm() {
    command -v rustup >/dev/null || die "missing rustup (the wasm32 target is added with it): install Rust with rustup"
    [[ $'\n'$(rustup target list --installed)$'\n' == *$'\n'wasm32-unknown-unknown$'\n'* ]] || rustup target add wasm32-unknown-unknown
    cargo_tool wasm-bindgen-cli "$WASM_BINDGEN_VERSION" wasm-bindgen
    cargo_tool wasm-pack "$WASM_PACK_VERSION" wasm-pack
    need_deb wasm-opt binaryen
}

setup_node() { need_deb node nodejs; need_deb npm npm; }
setup_chrome() { need_deb chromium chromium; need_deb chromedriver chromium-driver; }
setup_redis() { need_deb redis-server redis-server; }
setup_tools() { need_deb rg ripgrep; }

# npm ci when node_modules is missing or older than the lock file (npm ci writes
# node_modules/.package-lock.json last, so an interrupted install counts as missing).
setup_npm() {
    local dir
    for dir in "${NPM_DIRS[@]}"; do
        [[ -f $dir/package-lock.json ]] || continue
        local installed=$dir/node_modules/.package-lock.json
        if [[ -f $installed && ! $dir/package-lock.json -nt $installed && ! $dir/package.json -nt $installed ]]; then
            continue
        fi
        say "npm ci in $dir"
        (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
    done
}

parts=("$@")
((${#parts[@]})) || parts=(wasm node chrome redis tools npm)
for part in "${parts[@]}"; do
    case $part in
        wasm | node | chrome | redis | tools) "setup_$part" ;;
        npm) setup_node ;;
        *) die "unknown part '$part' (wasm node chrome redis tools npm)" ;;
    esac
done
# Debian packages first (npm ci needs node), all in one apt-get run.
apt_install
for part in "${parts[@]}"; do
    [[ $part != npm ]] || setup_npm
done
