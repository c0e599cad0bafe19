// Start-of-suite tool check: a suite that needs a program names it here, and a missing one stops
// the suite with one clear line ("xdotool not found: run make deps") instead of a stack trace deep
// inside a test.

import { existsSync, accessSync, constants } from "node:fs";
import { delimiter, isAbsolute, join } from "node:path";

/** Whether `program` (a name looked up on PATH, or a path) can be run. */
export function findProgram(program) {
  const runnable = (p) => {
    try {
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (isAbsolute(program) || program.includes("/")) return runnable(program) ? program : null;
  for (const dir of (process.env.PATH ?? "").split(delimiter)) {
    if (dir && runnable(join(dir, program))) return join(dir, program);
  }
  return null;
}

/**
 * Checks the tools a suite needs and exits the process (status 1) with one line per missing tool.
 * Each need is a program name or path, or `{ program, hint }`; also `{ env: "DISPLAY", hint }`
 * and `{ file, hint }`.
 */
export function requireTools(needs, suite = "this suite") {
  const missing = [];
  for (const need of needs) {
    const n = typeof need === "string" ? { program: need } : need;
    if (n.env !== undefined) {
      if (!process.env[n.env]) missing.push(`${n.env} is not set: ${n.hint ?? "run it through make"}`);
    } else if (n.file !== undefined) {
      if (!existsSync(n.file)) missing.push(`${n.file} not found: ${n.hint ?? "run make"}`);
    } else if (!findProgram(n.program)) {
      missing.push(`${n.program} not found: ${n.hint ?? "run make deps"}`);
    }
  }
  if (missing.length) {
    for (const m of missing) console.error(`${suite}: ${m}`);
    process.exit(1);
  }
}
