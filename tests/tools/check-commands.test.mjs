// Tests of the fresh-machine guard: the shell splitter, the call finders, and the whole check on
// a throwaway repository (which must fail on a program nothing installs).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shellCommands, programOf, makefileCalls, makefileCargoTools, jsCalls, rustCalls } from "./commands.mjs";
import { check } from "./check-commands.mjs";

const programs = (line) => shellCommands(line).map(programOf).filter(Boolean);

test("shell lines: separators, quotes, substitutions, assignments and builtins", () => {
  assert.deepEqual(programs('cd ui && npm ci --no-audit; echo "a; b | c" | tee x.log'), ["npm", "tee"]);
  assert.deepEqual(programs('KEFU_APP="x y" xvfb-run -a -s "-screen 0 1x1x24" node --test t/'), ["xvfb-run"]);
  assert.deepEqual(programs('if [ -n "$$(git status --porcelain)" ]; then git diff; fi'), ["git", "git"]);
  assert.deepEqual(programs("command -v node >/dev/null || missing=1"), []);
  assert.deepEqual(programs("for p in a b; do dpkg-query -W \"$p\" 2>&1 | grep -q ok; done"), ["dpkg-query", "grep"]);
  assert.deepEqual(programs("x=`uname -m` ; $CC main.c"), ["uname"]);
});

test("Makefile recipes: variables expanded, continuation lines joined, cargo tools found", () => {
  const mk = [
    "CARGO ?= cargo",
    "TOOL := $(HOME)/.cargo/bin/tauri-driver",
    "SUDO := $(shell [ \"$$(id -u)\" = 0 ] || echo sudo)",
    "all:",
    "\t@$(CARGO) build && \\",
    "\t  frobnicate --all",
    "\t$(SUDO) apt-get install -y x",
    "$(TOOL):",
    "\t$(CARGO) install tauri-driver --locked --version \"^2.0\"",
  ].join("\n");
  const calls = makefileCalls(mk, "Makefile");
  assert.deepEqual(
    calls.map((c) => `${c.program}@${c.line}`),
    ["cargo@5", "frobnicate@5", "apt-get@7", "cargo@9"],
  );
  assert.deepEqual([...makefileCargoTools(mk)], ["tauri-driver"]);
});

test("JavaScript and Rust calls: literals, variables with a literal default, program paths", () => {
  const js = [
    'import { execFileSync, spawn } from "node:child_process";',
    'const DRIVER = process.env.DRIVER ?? "tauri-driver";',
    'execFileSync("xdotool", ["key", "ctrl+k"]);',
    "spawn(DRIVER, []);",
    'const m = /x/.exec("not a program");',
    'launch({ executablePath: "/usr/bin/chromium" });',
  ].join("\n");
  assert.deepEqual(
    jsCalls(js, "t.mjs").map((c) => `${c.program}@${c.line}`).sort(),
    ["/usr/bin/chromium@6", "tauri-driver@4", "xdotool@3"],
  );
  const rs = 'let out = Command::new("git").arg("status");\nCommand::new(&self.program);';
  assert.deepEqual(rustCalls(rs, "x.rs").map((c) => c.program), ["git"]);
});

test("the check fails on a program that nothing installs and passes what Debian's base system has", () => {
  const root = mkdtempSync(join(tmpdir(), "kefu-check-commands-"));
  try {
    mkdirSync(join(root, "tests/desktop"), { recursive: true });
    writeFileSync(join(root, "Makefile"), "SYS_PKGS := xclip\ntest:\n\tnode --test tests/ && grep -q x y\n");
    writeFileSync(
      join(root, "tests/desktop/a.test.mjs"),
      'execFileSync("kefu-no-such-program-anywhere", []);\nexecFileSync("sh", ["-c", "true"]);\n',
    );
    const { problems } = check(root);
    assert.deepEqual(
      problems.map((p) => [p.program, p.where]),
      [["kefu-no-such-program-anywhere", "tests/desktop/a.test.mjs:1 (execFileSync)"]],
    );
    assert.match(problems[0].reason, /not installed/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
