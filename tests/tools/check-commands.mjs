#!/usr/bin/env node
// The fresh-machine guard run by `make test` (after `make deps`): every external program that the
// Makefile, .ci/run, the npm scripts, the test suites, the benchmark scripts and the app itself run
// must be
//   - a prerequisite the README names (the Rust toolchain, Node.js/npm, make), or
//   - installed by the Makefile: a Debian package in SYS_PKGS or one they depend on, a crate it
//     `cargo install`s, or a bin of an npm package in the lock file next to the npm script, or
//   - part of Debian's base system (an Essential package, or priority required/important), or
//   - built by the project itself (a path inside the repository).
// Anything else fails the run, naming the program and where it is called: a test that needs a
// program installed by hand passes here and fails on the next new machine.
//
//   node tests/tools/check-commands.mjs [--list] [REPO]     (--list: every program and why it is fine)

import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, realpathSync } from "node:fs";
import { basename, dirname, isAbsolute, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { allCalls, makefileCargoTools, makefilePackages } from "./commands.mjs";

/** What the README says must already be on the machine. */
export const PREREQUISITES = new Set(["cargo", "rustc", "rustup", "node", "npm", "npx", "make"]);

/** Programs that other programs start (they are needed, but no line of ours names them). */
export const IMPLIED = {
  "tauri-driver": ["WebKitWebDriver"],
  "xvfb-run": ["Xvfb", "xauth"],
};

/** Installed Debian packages: name → { essential, priority, deps: string[][], provides: string[] }. */
export function installedPackages() {
  let out = "";
  try {
    out = execFileSync(
      "dpkg-query",
      ["-W", "-f=${Package}\t${db:Status-Abbrev}\t${Essential}\t${Priority}\t${Pre-Depends}, ${Depends}\t${Provides}\n"],
      { encoding: "utf8", maxBuffer: 64 << 20 },
    );
  } catch {
    return new Map(); // not a Debian system: nothing counts as installed through apt
  }
  const pkgs = new Map();
  for (const line of out.split("\n")) {
    const [name, status, essential, priority, deps, provides] = line.split("\t");
    if (!name || !status?.startsWith("ii")) continue;
    const parse = (s) =>
      (s ?? "")
        .split(",")
        .map((alt) => alt.split("|").map((d) => d.trim().split(/[\s:(]/)[0]).filter(Boolean))
        .filter((alts) => alts.length);
    pkgs.set(name, { essential: essential === "yes", priority, deps: parse(deps), provides: parse(provides).flat() });
  }
  return pkgs;
}

/** The packages `roots` pull in (themselves included), through Depends and Pre-Depends. */
export function dependencyClosure(roots, pkgs) {
  const providers = new Map();
  for (const [name, p] of pkgs) for (const v of p.provides) providers.set(v, [...(providers.get(v) ?? []), name]);
  const seen = new Set();
  const queue = [...roots];
  while (queue.length) {
    const name = queue.pop();
    if (seen.has(name)) continue;
    seen.add(name);
    const p = pkgs.get(name);
    if (!p) continue;
    for (const alts of p.deps) for (const d of alts) queue.push(d, ...(providers.get(d) ?? []));
  }
  return seen;
}

/** Files a program name can run from: every match on PATH and in the usual bin folders. */
function candidates(program) {
  if (isAbsolute(program)) return existsSync(program) ? [program] : [];
  const dirs = [...(process.env.PATH ?? "").split(":"), "/usr/local/bin", "/usr/bin", "/bin", "/usr/sbin", "/sbin"];
  const found = [];
  for (const d of new Set(dirs.filter(Boolean))) {
    const p = join(d, program);
    if (existsSync(p)) found.push(p);
  }
  return found;
}

/** The Debian package owning `file` (or its resolved path), if any. With merged /usr, dpkg may
 *  know /usr/bin/x as /bin/x (and the other way round), so both spellings are asked. */
function owner(file) {
  const spellings = new Set();
  for (const p of [file, safeRealpath(file), join(safeRealpath(dirname(file)), basename(file))]) {
    spellings.add(p);
    const m = /^(\/usr)?(\/s?bin\/.*)$/.exec(p);
    if (m) spellings.add(m[1] ? m[2] : `/usr${m[2]}`);
  }
  for (const p of spellings) {
    try {
      const out = execFileSync("dpkg", ["-S", p], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
      for (const line of out.split("\n")) {
        if (!line || line.startsWith("diversion by")) continue;
        const pkg = line.slice(0, line.lastIndexOf(": ")).split(",")[0].trim();
        if (pkg) return pkg;
      }
    } catch {
      // not owned by any package
    }
  }
  return null;
}

function safeRealpath(p) {
  try {
    return realpathSync(p);
  } catch {
    return p;
  }
}

/** Checks every call in `root`; returns { checked, problems: [{ program, where, reason }] }. */
export function check(root, pkgs = installedPackages()) {
  const makefile = readFileSync(join(root, "Makefile"), "utf8");
  const sysPkgs = makefilePackages(makefile);
  const cargoTools = makefileCargoTools(makefile);
  const allowed = dependencyClosure(sysPkgs, pkgs);
  const calls = allCalls(root);
  for (const c of [...calls]) {
    for (const implied of IMPLIED[basename(c.program)] ?? []) {
      calls.push({ ...c, program: implied, via: `started by ${basename(c.program)}` });
    }
  }

  const lockBins = new Map();
  const binsOf = (file) => {
    if (!lockBins.has(file)) {
      const lock = join(root, dirname(file), "package-lock.json");
      const bins = new Set();
      if (existsSync(lock)) {
        for (const p of Object.values(JSON.parse(readFileSync(lock, "utf8")).packages ?? {})) {
          for (const b of Object.keys(p.bin ?? {})) bins.add(b);
        }
      }
      lockBins.set(file, bins);
    }
    return lockBins.get(file);
  };

  const verdicts = new Map(); // program (+ npm scope) → { ok, reason }
  const problems = [];
  const fine = new Map(); // program → why it is fine
  const seen = new Set();
  for (const c of calls) {
    const where = `${c.file}:${c.line} (${c.via})`;
    if (seen.has(`${c.program}\u0000${where}`)) continue;
    seen.add(`${c.program}\u0000${where}`);
    const key = `${c.program}\u0000${c.file.endsWith("package.json") ? c.file : ""}`;
    if (!verdicts.has(key)) verdicts.set(key, judge(c));
    const v = verdicts.get(key);
    if (v.ok) fine.set(c.program, v.reason);
    else problems.push({ program: c.program, where, reason: v.reason });
  }
  return { checked: new Set(calls.map((c) => c.program)).size, problems, fine };

  function judge(c) {
    const ok = (reason) => ({ ok: true, reason });
    const bad = (reason) => ({ ok: false, reason });
    const prog = c.program;
    const name = basename(prog);
    // Built by the project: a relative path, or an absolute one inside the repository.
    if (prog.includes("/") && (!isAbsolute(prog) || resolve(prog).startsWith(resolve(root) + "/"))) {
      return ok("built by the project");
    }
    if (PREREQUISITES.has(name)) return ok("a prerequisite named in the README");
    if (cargoTools.has(name)) return ok("cargo install in the Makefile");
    if (c.file.endsWith("package.json") && binsOf(c.file).has(name)) return ok(`npm package bin (${c.file})`);
    const files = candidates(prog);
    if (files.length === 0) {
      return bad("not installed on this machine, and no package in the Makefile's SYS_PKGS provides it");
    }
    const owners = files.map(owner).filter(Boolean);
    for (const o of owners) {
      const p = pkgs.get(o);
      if (allowed.has(o)) return ok(`Debian package ${o} (${sysPkgs.has(o) ? "SYS_PKGS" : "a dependency of SYS_PKGS"})`);
      if (p && (p.essential || p.priority === "required" || p.priority === "important")) {
        return ok(`Debian base system (${o}, ${p.essential ? "essential" : p.priority})`);
      }
    }
    if (owners.length === 0) {
      return bad(`installed by hand (${files.join(", ")} belongs to no Debian package): add its package to SYS_PKGS or a rule that installs it`);
    }
    return bad(`comes from the Debian package ${[...new Set(owners)].join("/")}, which the Makefile does not install: add it to SYS_PKGS`);
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const list = args.includes("--list");
  const rootArg = args.find((a) => a !== "--list");
  const root = resolve(rootArg ?? join(dirname(fileURLToPath(import.meta.url)), "..", ".."));
  const { checked, problems, fine } = check(root);
  if (list) for (const [program, why] of [...fine].sort()) console.log(`${program}: ${why}`);
  if (problems.length) {
    const byProgram = new Map();
    for (const p of problems) byProgram.set(p.program, [...(byProgram.get(p.program) ?? []), p]);
    for (const [program, ps] of byProgram) {
      console.error(`external command \`${program}\`: ${ps[0].reason}`);
      for (const p of ps) console.error(`    called at ${p.where}`);
    }
    const names = [...byProgram.keys()].join(", ");
    console.error(`check-commands: ${names} — a fresh machine's \`make test\` would fail there`);
    process.exit(1);
  }
  console.log(`check-commands: ${checked} external programs, each installed by the Makefile, a prerequisite, or part of Debian's base system`);
}
