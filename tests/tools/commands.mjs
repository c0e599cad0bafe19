// Finds the external programs the project runs, and where each call is.
//
// Sources read (all text, no execution):
// - Makefile recipes and .ci/run (shell lines, Make variables expanded);
// - package.json "scripts" of ui/ and tests/desktop/ (bins must come from the lock file);
// - tests/**/*.mjs|js|ts (not tests/tools/, the guard itself, which runs only dpkg): execFileSync / execFile / spawnSync / spawn / exec / execSync with a
//   literal program name, and absolute program paths such as "/usr/bin/chromium";
// - Rust sources (crates/, src-tauri/): Command::new("…") with a literal program name.
//
// Used by check-commands.mjs (the `make test` guard) and by its own tests.

import { readFileSync, readdirSync, statSync, existsSync } from "node:fs";
import { join, relative, basename } from "node:path";

/** Shell words that are not programs: builtins and reserved words of bash. */
export const SHELL_BUILTINS = new Set([
  "!", "[", "[[", "]]", ":", ".", "alias", "break", "builtin", "case", "cd", "command", "continue",
  "declare", "do", "done", "echo", "elif", "else", "esac", "eval", "exec", "exit", "export", "false",
  "fi", "for", "function", "if", "in", "let", "local", "printf", "pwd", "read", "readonly", "return",
  "select", "set", "shift", "source", "test", "then", "time", "trap", "true", "type", "ulimit",
  "umask", "unset", "until", "wait", "while", "kill", "{", "}",
]);

/** Words that start a shell command which names no program itself. */
const LEADING_KEYWORDS = new Set(["if", "then", "do", "else", "elif", "while", "until", "!", "time", "{", "exec", "command", "builtin"]);
/** A command starting with one of these is a compound whose own words are not programs. */
const SKIP_COMMAND = new Set(["for", "case", "select", "function"]);

/**
 * Splits one shell line into simple commands (arrays of words), respecting quotes. Separators:
 * ; && || | & ( ) and the parentheses/backticks of command substitutions, whose contents are
 * commands too.
 */
export function shellCommands(line) {
  const commands = [];
  let words = [];
  let word = "";
  let quote = null;
  let hasWord = false;
  const endWord = () => {
    if (hasWord) words.push(word);
    word = "";
    hasWord = false;
  };
  const endCommand = () => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quote === "'") {
      if (c === "'") quote = null;
      else word += c;
      continue;
    }
    if (quote === '"') {
      if (c === "\\" && i + 1 < line.length) {
        word += line[++i];
      } else if (c === '"') {
        quote = null;
      } else if (c === "$" && line[i + 1] === "(") {
        // A substitution inside double quotes: its contents are commands of their own.
        const end = matchingParen(line, i + 1);
        for (const cmd of shellCommands(line.slice(i + 2, end))) commands.push(cmd);
        word += "$(…)";
        i = end;
      } else {
        word += c;
      }
      continue;
    }
    if (c === "'" || c === '"') {
      quote = c;
      hasWord = true;
      continue;
    }
    if (c === "\\" && i + 1 < line.length) {
      word += line[++i];
      hasWord = true;
      continue;
    }
    if (c === "#" && !hasWord) break; // a comment
    if (c === "$" && line[i + 1] === "(") {
      const end = matchingParen(line, i + 1);
      for (const cmd of shellCommands(line.slice(i + 2, end))) commands.push(cmd);
      word += "$(…)";
      hasWord = true;
      i = end;
      continue;
    }
    if (c === "`") {
      const end = line.indexOf("`", i + 1);
      const stop = end < 0 ? line.length : end;
      for (const cmd of shellCommands(line.slice(i + 1, stop))) commands.push(cmd);
      word += "`…`";
      hasWord = true;
      i = stop;
      continue;
    }
    if (c === " " || c === "\t" || c === "\n") {
      endWord();
      continue;
    }
    if (";&|()".includes(c)) {
      // `2>&1`, `>&2`: redirections, not separators.
      if (c === "&" && (line[i - 1] === ">" || line[i + 1] === ">")) {
        word += c;
        hasWord = true;
        continue;
      }
      endCommand();
      continue;
    }
    word += c;
    hasWord = true;
  }
  endCommand();
  return commands;
}

function matchingParen(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    if (s[i] === "(") depth++;
    else if (s[i] === ")" && --depth === 0) return i;
  }
  return s.length;
}

/** The program a simple command runs, or null (builtin, assignment only, variable, compound). */
export function programOf(words) {
  let i = 0;
  while (i < words.length) {
    const w = words[i];
    if (SKIP_COMMAND.has(w)) return null;
    // `command -v X` / `type X` only ask whether X exists.
    if (w === "command" && /^-[vV]$/.test(words[i + 1] ?? "")) return null;
    if (LEADING_KEYWORDS.has(w)) {
      i++;
      continue;
    }
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(w)) {
      i++; // VAR=value before the program
      continue;
    }
    if (/^\d*[<>]/.test(w)) {
      i += /^\d*[<>]+&?$/.test(w) ? 2 : 1; // a redirection before the program
      continue;
    }
    break;
  }
  const w = words[i];
  if (w === undefined || w === "") return null;
  if (SHELL_BUILTINS.has(w)) return null;
  if (w.includes("$") || w.includes("…")) return null; // a variable or substitution: not literal
  return w;
}

/** Make variables defined with =, :=, ?= (first definition wins; no target-specific ones). */
export function makeVariables(text) {
  const vars = new Map();
  const joined = text.replace(/\\\n/g, " ");
  for (const line of joined.split("\n")) {
    const m = /^([A-Za-z_][A-Za-z0-9_]*)\s*(?:\?|:|::)?=\s*(.*)$/.exec(line);
    if (m && !vars.has(m[1])) vars.set(m[1], m[2].trim());
  }
  return vars;
}

/** Expands $(VAR) and ${VAR} from `vars` (unknown ones become empty, as in make); $$ → $. */
export function expandMake(s, vars, depth = 0) {
  if (depth > 8) return s;
  return s
    .replace(/\$\$/g, "\u0000")
    .replace(/\$[({]([A-Za-z_][A-Za-z0-9_]*)[)}]/g, (_, name) => {
      if (name === "HOME") return process.env.HOME ?? "~";
      const v = vars.get(name);
      if (v === undefined) return "";
      // A computed value ($(shell …), e.g. SUDO, empty when root): treated as empty, as in CI.
      if (/^\$\(shell /.test(v)) return "";
      return expandMake(v, vars, depth + 1);
    })
    .replace(/\$\(abspath ([^)]*)\)/g, "$1")
    .replace(/\u0000/g, "$");
}

/** The Debian packages the Makefile installs (SYS_PKGS). */
export function makefilePackages(text) {
  const v = makeVariables(text).get("SYS_PKGS") ?? "";
  return new Set(v.split(/\s+/).filter(Boolean));
}

/** Crates the Makefile installs with `cargo install NAME` (their binaries have the crate's name). */
export function makefileCargoTools(text) {
  const vars = makeVariables(text);
  const tools = new Set();
  for (const line of recipeLines(text)) {
    const expanded = expandMake(line.text, vars);
    for (const words of shellCommands(expanded)) {
      const i = words.indexOf("install");
      if (i > 0 && /(^|\/)cargo$/.test(words[0])) {
        const name = words.slice(i + 1).find((w) => !w.startsWith("-") && !/^[\^~=<>]?\d/.test(w) && !/^"?\^/.test(w));
        if (name) tools.add(name.replace(/"/g, ""));
      }
    }
  }
  return tools;
}

/** Recipe lines of a Makefile (tab-indented, backslash continuations joined) with line numbers. */
export function recipeLines(text) {
  const lines = text.split("\n");
  const out = [];
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i].startsWith("\t")) continue;
    const start = i;
    let s = lines[i].slice(1);
    while (s.endsWith("\\") && i + 1 < lines.length) s = s.slice(0, -1) + " " + lines[++i].replace(/^\t/, "");
    out.push({ line: start + 1, text: s.replace(/^[@+-]+/, "") });
  }
  return out;
}

/** One program call: { program, file, line, via } (via: how it was found). */
function call(program, file, line, via) {
  return { program, file, line, via };
}

/** Programs run by the shell lines of a Makefile. */
export function makefileCalls(text, file) {
  const vars = makeVariables(text);
  const calls = [];
  for (const { line, text: recipe } of recipeLines(text)) {
    for (const words of shellCommands(expandMake(recipe, vars))) {
      const p = programOf(words);
      if (p) calls.push(call(p, file, line, "Makefile recipe"));
    }
  }
  return calls;
}

/** Programs run by a shell script. */
export function scriptCalls(text, file) {
  const calls = [];
  text.split("\n").forEach((l, i) => {
    if (i === 0 && l.startsWith("#!")) {
      const interp = l.slice(2).trim().split(/\s+/);
      const p = basename(interp[0]) === "env" ? interp[1] : interp[0];
      if (p) calls.push(call(basename(p), file, 1, "interpreter"));
      return;
    }
    for (const words of shellCommands(l)) {
      const p = programOf(words);
      if (p) calls.push(call(p, file, i + 1, "shell script"));
    }
  });
  return calls;
}

/** Programs named in package.json scripts (npm runs them with node_modules/.bin on PATH). */
export function npmScriptCalls(text, file) {
  const pkg = JSON.parse(text);
  const calls = [];
  const lines = text.split("\n");
  for (const [name, script] of Object.entries(pkg.scripts ?? {})) {
    const line = lines.findIndex((l) => l.includes(`"${name}"`)) + 1;
    for (const words of shellCommands(script)) {
      const p = programOf(words);
      if (p) calls.push(call(p, file, line, `npm script "${name}"`));
    }
  }
  return calls;
}

const JS_CALL = /\b(?:execFileSync|execFile|spawnSync|spawn|execSync|exec)\(\s*(["'`])([^"'`$]+)\1/g;
const ABS_PROGRAM = /["'`](\/(?:usr\/)?s?bin\/[A-Za-z0-9_.+-]+)["'`]/g;
const RUST_CALL = /Command::new\(\s*"([^"]+)"\s*\)/g;

function lineAt(text, index) {
  let n = 1;
  for (let i = 0; i < index; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

const JS_CALL_VAR = /\b(?:execFileSync|execFile|spawnSync|spawn|execSync|exec)\(\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*[,)]/g;

/** Programs a JavaScript/TypeScript test or script starts. */
export function jsCalls(text, file) {
  const calls = [];
  // spawn(NAME, …) where `const NAME = process.env.X ?? "program"` (or `= "program"`) in the file.
  for (const m of text.matchAll(JS_CALL_VAR)) {
    if (text.slice(Math.max(0, m.index - 1), m.index) === ".") continue;
    const def = new RegExp(`\\b(?:const|let|var)\\s+${m[1].replace(/\$/g, "\\$")}\\s*=([^;\\n]*)`).exec(text);
    const literal = def && [...def[1].matchAll(/["'`]([^"'`$]+)["'`]/g)].at(-1);
    if (literal) calls.push(call(literal[1].trim(), file, lineAt(text, m.index), `${m[0].split("(")[0]}(${m[1]})`));
  }
  for (const m of text.matchAll(JS_CALL)) {
    // `exec(` of a RegExp (/re/.exec("…")) is not a process.
    const before = text.slice(Math.max(0, m.index - 1), m.index);
    if (before === ".") continue;
    const program = m[2].trim().split(/\s+/)[0];
    calls.push(call(program, file, lineAt(text, m.index), m[0].split("(")[0]));
  }
  for (const m of text.matchAll(ABS_PROGRAM)) calls.push(call(m[1], file, lineAt(text, m.index), "program path"));
  return calls;
}

/** Programs Rust code runs. */
export function rustCalls(text, file) {
  return [...text.matchAll(RUST_CALL)].map((m) => call(m[1], file, lineAt(text, m.index), "Command::new"));
}

function walk(dir, keep, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name === "target" || name.startsWith(".")) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p, keep, out);
    else if (keep(p)) out.push(p);
  }
  return out;
}

/** Every external program call in the repository at `root`. */
export function allCalls(root) {
  const rel = (p) => relative(root, p);
  const read = (p) => readFileSync(p, "utf8");
  const calls = [];
  const makefile = join(root, "Makefile");
  if (existsSync(makefile)) calls.push(...makefileCalls(read(makefile), "Makefile"));
  for (const script of [join(root, ".ci/run")]) {
    if (existsSync(script)) calls.push(...scriptCalls(read(script), rel(script)));
  }
  for (const pj of [join(root, "ui/package.json"), join(root, "tests/desktop/package.json")]) {
    if (existsSync(pj)) calls.push(...npmScriptCalls(read(pj), rel(pj)));
  }
  for (const f of walk(join(root, "tests"), (p) => /\.(mjs|js|ts)$/.test(p) && !p.includes("/fixtures/") && !p.includes("/tests/tools/"))) {
    calls.push(...jsCalls(read(f), rel(f)));
  }
  for (const dir of ["crates", "src-tauri/src"]) {
    for (const f of walk(join(root, dir), (p) => p.endsWith(".rs"))) calls.push(...rustCalls(read(f), rel(f)));
  }
  return calls;
}
