# sendguard: `make test` runs every test; `make pkg` builds the npm package in pkg/.
# Every target first installs the tools it needs when they are missing (tools/setup.sh).

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := test

CHROMEDRIVER ?= /usr/bin/chromedriver
CORPUS ?= ../shared/corpus/dev
# Only the wasm surface: the CLI feature is native-only.
WASM_FEATURES := --no-default-features --features wasm
# 128-bit SIMD: memchr's searches (and with them the regex and keyword prefilters) use it,
# and the scan runs about 5 % faster (bench-wasm, same size). Hosts: Chrome/Edge 91+,
# Firefox 89+, Safari 16.4+, Node 16.4+. `make pkg WASM_SIMD=` builds without it.
WASM_SIMD := -Ctarget-feature=+simd128
# Debian's binaryen (108) corrupts the externref table that wasm-bindgen adds, so
# wasm-opt runs on cargo's output *before* wasm-bindgen, and `make pkg` calls cargo,
# wasm-opt and wasm-bindgen itself rather than `wasm-pack build` (which runs wasm-opt
# after wasm-bindgen). wasm-pack still runs the wasm-bindgen-test suites.
# -O1, not -Oz: LLVM has already optimized for size, and -Oz's rewrites make the module
# 8 KB larger gzipped (6 KB smaller raw) at the same scan speed (docs/PACKAGE.md).
WASM_OPT_FLAGS := -O1 --enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext \
	--enable-mutable-globals --enable-reference-types --enable-multivalue $(if $(WASM_SIMD),--enable-simd)
# Two unstable rustc flags for the package's wasm only (RUSTC_BOOTSTRAP=1 lets the stable
# toolchain take them, as for the fuzz build): no file:line:column in panic messages (the
# message stays), and derived `Debug` impls of this crate and its dependencies that print
# the type's name only (every `dyn` vtable in the regex crates keeps one; core's, such as
# `Option`'s, are prebuilt and unchanged). 24 KB of the gzipped module; no report or error
# message prints either. `--cfg sendguard_cold` compiles the run-once code of the crate (policy
# and guard-state readers) for size with the unstable `#[optimize(size)]` (src/lib.rs). No
# auto-vectorized loops (`-Cno-vectorize-*`, stable): 1.3 KB, and the scans in Node measured
# the same CPU time with and without them (memchr's SIMD is written by hand, not vectorized).
# `make pkg WASM_RUSTFLAGS=` builds without any of them.
WASM_RUSTFLAGS := -Zlocation-detail=none -Zfmt-debug=shallow --cfg sendguard_cold -Cno-vectorize-loops -Cno-vectorize-slp $(WASM_SIMD)
CARGO_WASM := target/wasm32-unknown-unknown/wasm/sendguard.wasm
WASM_BINDGEN_VERSION := $(shell sed -n 's/^wasm-bindgen = { version = "=\([0-9.]*\)".*/\1/p' Cargo.toml)
WASM := pkg/web/sendguard_bg.wasm

.PHONY: test test-native test-wasm-node test-wasm-chrome test-pkg test-types \
	pkg size bench-wasm demo setup need-wasm need-node need-npm need-chrome

# --- tools -------------------------------------------------------------------------
# Each installs what is missing for its part and checks the rest (tools/setup.sh, idempotent:
# about a second when everything is there), so that a new machine needs no other step.
need = @command -v $(1) >/dev/null || { echo "missing tool: $(1) ($(2))" >&2; exit 1; }

setup:
	tools/setup.sh

need-wasm:
	tools/setup.sh wasm

need-node:
	tools/setup.sh node

need-npm:
	tools/setup.sh npm

need-chrome:
	tools/setup.sh chrome

# --- tests -------------------------------------------------------------------------
# Everything it needs first (tools/setup.sh installs what is missing), then every suite.
test: setup test-native test-wasm-node test-wasm-chrome test-pkg test-types test-www test-editors test-plugins

test-native:
	cargo test --all-targets

test-wasm-node: need-wasm need-node
	wasm-pack test --node --mode no-install . $(WASM_FEATURES) --test node

# wasm-bindgen-test-runner adds headless/no-sandbox itself; the JSON adds the rest.
test-wasm-chrome: need-wasm need-chrome
	WASM_BINDGEN_TEST_WEBDRIVER_JSON=$(CURDIR)/tests/webdriver.json \
	wasm-pack test --headless --chrome --chromedriver $(CHROMEDRIVER) --mode no-install \
		. $(WASM_FEATURES) --test web

# The package as a third party uses it, and native == wasm on the dev corpus.
test-pkg: pkg need-node
	SENDGUARD_CORPUS=$(CORPUS) node --test tests/node/

test-types: pkg need-npm
	node_modules/.bin/tsc --noEmit -p tests

# sendguard/codemirror and sendguard/monaco in an application outside the package (tests/editors/
# installs pkg/ as a copy, the editors from npm): their types with tsc, then Debian's Chromium.
.PHONY: test-editors
test-editors: pkg need-node need-chrome
	cd tests/editors && npm ci --no-audit --no-fund --loglevel=error && npx tsc -p . && npx vite build && node --test test/

# --- package -----------------------------------------------------------------------
pkg: need-wasm need-node
	@wasm-bindgen --version | grep -qF " $(WASM_BINDGEN_VERSION)" \
		|| { echo "wasm-bindgen CLI is not $(WASM_BINDGEN_VERSION) (the Cargo.toml pin); run tools/setup.sh" >&2; exit 1; }
	$(if $(WASM_RUSTFLAGS),RUSTC_BOOTSTRAP=1) RUSTFLAGS="$(WASM_RUSTFLAGS)" \
		cargo build --lib --profile wasm --target wasm32-unknown-unknown $(WASM_FEATURES)
	wasm-opt $(WASM_OPT_FLAGS) $(CARGO_WASM) -o target/sendguard.opt.wasm
	rm -rf pkg
	wasm-bindgen --target nodejs --out-dir pkg/node --out-name sendguard target/sendguard.opt.wasm
	wasm-bindgen --target web --out-dir pkg/web --out-name sendguard target/sendguard.opt.wasm
	node tools/pkg.mjs

size: pkg
	@raw=$$(stat -c %s $(WASM)); gz=$$(gzip -9 -c $(WASM) | wc -c); \
	printf '%s: %d bytes raw, %d bytes gzip -9 (budget 512000)\n' $(WASM) $$raw $$gz; \
	test $$gz -le 512000 || { echo "over the 500 KB gzip budget" >&2; exit 1; }

# docs/RULES.md from the default policy (tests/vendor_rules.rs fails when it is stale).
.PHONY: rules-doc
rules-doc:
	cargo run --quiet --example rules_doc > docs/RULES.md

bench-wasm: pkg
	cargo build --release --example scan_throughput
	node benches/wasm_node.mjs $(CORPUS)/docs

# --- fuzzing (hardening) -------------------------------------------------------------
# cargo-fuzz needs nightly-only flags (-Zsanitizer); RUSTC_BOOTSTRAP=1 lets the stable
# toolchain accept them for the fuzz build only. Each target runs FUZZ_SECONDS, seeded from
# the dev corpus, the sample templates and the policy; new inputs stay in fuzz/corpus/<t>,
# crashes in fuzz/artifacts/<t> (keep each as a regression test in tests/hostile.rs).
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := scan_text scan_html scan_bytes scan_encodings policy_parse_compile utf16_positions
.PHONY: fuzz
fuzz:
	$(call need,cargo-fuzz,cargo install cargo-fuzz)
	mkdir -p fuzz/corpus/seed
	cp $(CORPUS)/docs/* examples/templates/* policy/*.toml fuzz/corpus/seed/
	cd fuzz && for t in $(FUZZ_TARGETS); do mkdir -p corpus/$$t; \
		RUSTC_BOOTSTRAP=1 cargo fuzz run -O $$t corpus/$$t corpus/seed -- \
			-max_total_time=$(FUZZ_SECONDS) -max_len=262144 -timeout=10 -rss_limit_mb=4096; done

# --- the template editor (www/) ----------------------------------------------------
.PHONY: www test-www
# A static site in www/dist/ that bundles pkg/web; works from any file server, offline.
www: pkg need-npm
	cd www && npx vite build

# Browser tests in Debian's Chromium (never a downloaded browser), screenshots in www/test-results/.
test-www: www need-chrome
	cd www && node --test tests/

# The main job: scan the sample templates with the native CLI (the report is printed;
# exit 1 from the scan just means something blocks), then serve the live editor.
DEMO_PORT ?= 8080
demo: www
	cargo build --release --bin sendguard
	./target/release/sendguard scan examples/templates || test $$? -eq 1
	node www/tools/serve.mjs www/dist $(DEMO_PORT)


# --- benchmarks ----------------------------------------------------------------------
.PHONY: bench-compare
# sendguard (native, wasm) vs rg floor, ripsecrets, detect-secrets, secretlint: installs the
# pinned tools into target/bench-tools/ on demand, writes docs/BENCHMARKS.md and the SVG chart.
bench-compare:
	tools/bench_compare.sh

.PHONY: bench-mime
# Generated multipart messages (seeded) through scan_bytes vs the same decoded text scanned as
# plain text, in one run: MiB/s of each and the ratio (benches/mime.rs, docs/BENCHMARKS.md).
bench-mime:
	cargo bench --bench mime

.PHONY: bench-guard
# The run guard at the 1,000th and at the 1,000,000th message of one run: natively
# (benches/guard.rs), then in Node, through the memory store, the Redis store with 3 instances
# and the webhook service under a bounded load twice (benches/guard.mjs); docs/BENCHMARKS.md.
bench-guard: pkg need-node need-redis
	nice -n 10 cargo bench --bench guard
	cd plugins/webhook && npm ci --no-audit --no-fund --loglevel=error
	nice -n 10 node benches/guard.mjs

.PHONY: bench-www
# The editor in headless Chromium: keystroke → scan → diagnostics → paint on a 50 KB and a 1 KB
# template, median/p95, with the load average and main-thread CPU per keystroke (docs/BENCHMARKS.md).
BENCH_WWW_KEYS ?= 300
bench-www: www need-chrome
	cd www && node bench/keystroke.mjs $(BENCH_WWW_KEYS)

# --- plugins (plugins/): nodemailer, webhook service, SMTP relay; examples/billing-replay --
.PHONY: test-plugins demo-cluster demo-smtp need-redis
PLUGIN_DIRS := plugins/nodemailer plugins/webhook plugins/haraka examples/billing-replay

need-redis:
	tools/setup.sh redis

# Each package installs pkg/ as a third party would (file:../../pkg) from its lock file.
# The webhook's cluster test starts redis-server and three instances on 127.0.0.1; the relay's
# tests start Haraka, an SMTP sink and redis-server there (plugins/haraka uses the webhook's
# store module, so plugins/webhook is installed first).
test-plugins: pkg need-node need-redis
	for d in $(PLUGIN_DIRS); do \
		(cd $$d && npm ci --no-audit --no-fund --loglevel=error && node --test test/); \
	done

# redis-server + three webhook instances on loopback ports, a billing run replayed round-robin.
demo-cluster: pkg need-node need-redis
	cd plugins/webhook && npm ci --no-audit --no-fund --loglevel=error && node cluster.mjs

# Haraka with the sendguard plugin and an SMTP sink on loopback: one clean and one leaking
# mail sent through it, and what was relayed and what was refused.
demo-smtp: pkg need-node
	cd plugins/webhook && npm ci --no-audit --no-fund --loglevel=error
	cd plugins/haraka && npm ci --no-audit --no-fund --loglevel=error && node demo.mjs
