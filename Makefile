# Kefu 客服宝典 — the two commands a fresh Debian 12 machine needs:
#   make run    install what is missing, build, and open Kefu on the bundled content
#   make test   everything CI checks (fmt, clippy -D warnings, all tests)
# `make bench` runs the benchmarks (not part of `make test`).

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CARGO   ?= cargo
CONTENT ?= content
# Use sudo only when not root (CI and these machines run as root).
SUDO    := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
# Debian packages the build needs. Extended by the desktop app (WebKitGTK) later.
SYS_PKGS := build-essential pkg-config
STAMP   := target/.stamps

.PHONY: help run test bench deps deps-system deps-rust fmt-check lint unit

help:
	@echo "make run    build and open Kefu on ./$(CONTENT) (interactive search for now)"
	@echo "make test   fmt, clippy -D warnings and every test suite (what CI runs)"

## ---------------------------------------------------------------- dependencies
deps: deps-system deps-rust

# Installs missing Debian packages; `apt-get update` runs only when something is missing.
deps-system:
	@missing=""; for p in $(SYS_PKGS); do \
	  dpkg-query -W -f='$${Status}' "$$p" 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) apt-get update -qq; \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq --no-install-recommends $$missing; \
	fi

deps-rust:
	@command -v $(CARGO) >/dev/null || { echo "cargo not found: install Rust (https://rustup.rs) first"; exit 1; }
	@rustup component list --installed 2>/dev/null | grep -q clippy || rustup component add clippy rustfmt 2>/dev/null || true

## ---------------------------------------------------------------- run
run: deps
	$(CARGO) build --locked -p kefu-cli
	./target/debug/kefu --content "$(CONTENT)" index
	./target/debug/kefu --content "$(CONTENT)" search --interactive

## ---------------------------------------------------------------- test
test: deps fmt-check lint unit
	@echo "make test: all checks passed"

fmt-check:
	$(CARGO) fmt --all --check

lint:
	$(CARGO) clippy --locked --all-targets -- -D warnings

unit:
	$(CARGO) test --locked

## ---------------------------------------------------------------- bench
bench: deps
	$(CARGO) build --locked --release -p kefu-cli
	./target/release/kefu --content "$(CONTENT)" index
