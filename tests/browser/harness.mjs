// Shared set-up of the browser tests: serves ui/dist-fake on 127.0.0.1 (a free port) with the
// desktop app's Content-Security-Policy (read from src-tauri/tauri.conf.json), and opens pages in
// Debian's Chromium through playwright-core.

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { extname, join, normalize, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { requireTools } from "../tools/require.mjs";

const require = createRequire(new URL("../../ui/package.json", import.meta.url));
const { chromium } = require("playwright-core");

export const DIST = fileURLToPath(new URL("../../ui/dist-fake/", import.meta.url));
export const SHOTS = fileURLToPath(new URL("./screenshots/", import.meta.url));
const CHROMIUM = process.env.KEFU_CHROMIUM ?? "/usr/bin/chromium";
requireTools(
  [
    { program: CHROMIUM, hint: "run make deps (Debian's chromium package)" },
    { file: DIST, hint: "build the fake-backend UI with `make browser-test` (npm run build:fake)" },
  ],
  "browser tests",
);
const TAURI_CONF = fileURLToPath(new URL("../../src-tauri/tauri.conf.json", import.meta.url));

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".woff2": "font/woff2",
  ".json": "application/json",
};

/** The CSP of the desktop webview as an HTTP header value. */
export function appCsp() {
  const conf = JSON.parse(readFileSync(TAURI_CONF, "utf8"));
  const csp = conf?.app?.security?.csp ?? {};
  return Object.entries(csp)
    .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(" ") : v}`)
    .join("; ");
}

/** A tiny static file server for DIST; resolves to { server, url }. */
export function serve() {
  const csp = appCsp();
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname);
    if (path === "/favicon.ico") {
      res.writeHead(204).end();
      return;
    }
    let file = normalize(join(DIST, path));
    if (!file.startsWith(DIST.replace(/[\\/]$/, "") + sep) && file !== DIST.replace(/[\\/]$/, "")) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, "index.html");
    if (!existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const headers = { "content-type": TYPES[extname(file)] ?? "application/octet-stream", "cache-control": "no-store" };
    if (extname(file) === ".html") headers["content-security-policy"] = csp;
    res.writeHead(200, headers);
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => {
    server.listen(0, "127.0.0.1", () => {
      const { port } = /** @type {import("node:net").AddressInfo} */ (server.address());
      resolve({ server, url: `http://127.0.0.1:${port}/` });
    });
  });
}

/** Starts the server and the browser; returns { server, baseUrl, browser }. */
export async function start() {
  assert.ok(existsSync(join(DIST, "index.html")), "ui/dist-fake is missing: run `npm run build:fake` first");
  mkdirSync(SHOTS, { recursive: true });
  const { server, url } = await serve();
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
  return { server, baseUrl: url, browser };
}

export async function stop({ server, browser } = {}) {
  await browser?.close();
  await new Promise((r) => (server ? server.close(r) : r()));
}

/**
 * Opens the app in a fresh page of the given size; collects page errors, console errors and CSP
 * violations in `errors`.
 */
export async function openApp(browser, baseUrl, { width, height, colorScheme = "light" }) {
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
  await page.goto(baseUrl);
  await page.waitForFunction(() => window.__kefuFake !== undefined);
  await page.getByRole("combobox").waitFor();
  return { context, page, errors };
}
