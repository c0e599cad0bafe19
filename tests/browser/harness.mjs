// Shared set-up of the browser tests: the real kefu-core behind `kefu serve` (a loopback port and
// a per-run token) over a fresh copy of the shipped content plus a few test files, serving the
// real UI build (ui/dist) with the desktop app's Content-Security-Policy; pages open in Debian's
// Chromium through playwright-core.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { requireTools } from "../tools/require.mjs";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const DIST = fileURLToPath(new URL("../../ui/dist/", import.meta.url));
export const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
export const CONTENT = fileURLToPath(new URL("../../content/", import.meta.url));
/** Test documents added to the copy of the shipped content (see its README). */
export const FIXTURES = fileURLToPath(new URL("../fixtures/browser/", import.meta.url));
const KEFU = process.env.KEFU_BIN ?? fileURLToPath(new URL("../../target/debug/kefu", import.meta.url));
const CHROMIUM = process.env.KEFU_CHROMIUM ?? "/usr/bin/chromium";
requireTools(
  [
    { program: CHROMIUM, hint: "run make deps (Debian's chromium package)" },
    { file: DIST, hint: "build the UI with `make ui` (npm run build)" },
    { file: KEFU, hint: "build the CLI with `make browser-test` (cargo build -p kefu-cli)" },
  ],
  "browser tests",
);
const TAURI_CONF = fileURLToPath(new URL("../../src-tauri/tauri.conf.json", import.meta.url));

/** The CSP of the desktop webview as an HTTP header value, plus fetches to the page's own origin. */
export function appCsp() {
  const conf = JSON.parse(readFileSync(TAURI_CONF, "utf8"));
  const csp = { ...(conf?.app?.security?.csp ?? {}) };
  csp["connect-src"] = `'self' ${csp["connect-src"] ?? ""}`.trim();
  return Object.entries(csp)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(" ") : v}`)
    .join("; ");
}

/**
 * Starts `kefu serve` over a copy of the shipped content plus FIXTURES and `files`
 * ({ "playbooks/x.md": text }), or over `content` as given, and Chromium. Returns { work, content, data, url, token, browser, server }.
 */
export async function start({ files = {}, content: given } = {}) {
  mkdirSync(SHOTS, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), "kefu-browser-"));
  const content = given ?? join(work, "content");
  if (!given) {
    cpSync(CONTENT, content, { recursive: true });
    cpSync(FIXTURES, content, { recursive: true, filter: (src) => !src.endsWith("README.md") });
  }
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(dirname(join(content, rel)), { recursive: true });
    writeFileSync(join(content, rel), text);
  }
  const data = join(work, "data");
  const server = spawn(
    KEFU,
    ["--content", content, "--data", data, "--no-semantic", "serve", "--ui", DIST, "--csp", appCsp()],
    {
      stdio: ["ignore", "pipe", "pipe"],
      // 同步 commits as this user when the machine has no git identity.
      env: {
        ...process.env,
        GIT_AUTHOR_NAME: "浏览器测试",
        GIT_AUTHOR_EMAIL: "browser-test@example.com",
        GIT_COMMITTER_NAME: "浏览器测试",
        GIT_COMMITTER_EMAIL: "browser-test@example.com",
      },
    },
  );
  const stderr = [];
  server.stderr.on("data", (d) => stderr.push(String(d)));
  const url = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`kefu serve did not start: ${stderr.join("")}`)), 30_000);
    server.stdout.on("data", (d) => {
      out += String(d);
      const m = /kefu serve: (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    server.on("exit", (code) => reject(new Error(`kefu serve exited (${code}): ${stderr.join("")}`)));
  });
  const token = new URL(url).searchParams.get("token");
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    // playwright-core gives the browser a fresh temporary profile (--user-data-dir) of its own.
  });
  return { work, content, data, url, baseUrl: url, token, browser, server };
}

export async function stop(env = {}) {
  await env.browser?.close();
  if (env.server && env.server.exitCode === null) {
    env.server.kill();
    await new Promise((r) => env.server.once("exit", r));
  }
  if (env.work) rmSync(env.work, { recursive: true, force: true });
}

/** Calls a command of the running core directly (to arrange a test), like the UI does. */
export async function api(env, command, args = {}) {
  const base = new URL(env.url);
  const res = await fetch(`${base.origin}/api/${command}`, {
    method: "POST",
    headers: { authorization: `Bearer ${env.token}`, "content-type": "application/json" },
    body: JSON.stringify(args),
  });
  const body = await res.json();
  assert.ok(res.ok, `${command}: ${JSON.stringify(body)}`);
  return body;
}

/**
 * Opens the app in a fresh page of the given size; collects page errors, console errors and CSP
 * violations in `errors`.
 */
export async function openApp(browser, url, { width, height, colorScheme = "light" }) {
  const context = await browser.newContext({ viewport: { width, height }, colorScheme, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  await page.goto(url);
  await page.waitForFunction(() => window.__kefuServe !== undefined);
  await page.getByRole("combobox").waitFor();
  return { context, page, errors };
}

export { existsSync };
