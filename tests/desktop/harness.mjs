// Shared set-up for the real-app suites: start tauri-driver on free ports with the app's content
// and data folders in its environment, open a WebDriver session on the built binary, and stop both.

import { execFileSync, spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { Builder, By, Key, until } from "selenium-webdriver";
import { requireTools } from "../tools/require.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, "..", "..");
export const shotsDir = join(here, "screenshots");
const APP = process.env.KEFU_APP ?? join(repo, "target/debug/kefu-desktop");
const TAURI_DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";

// Everything the real-app suites run, checked once before any test starts.
requireTools(
  [
    { env: "DISPLAY", hint: "run the suite with `make desktop-test` (it starts Xvfb)" },
    { file: APP, hint: "build the app with `make app`" },
    { program: TAURI_DRIVER, hint: "run make deps (it runs cargo install tauri-driver)" },
    "WebKitWebDriver",
    "xdotool",
    "xclip",
    "git",
  ],
  "real-app tests",
);

/** The global hotkey the suites press (the app's default). */
export const HOTKEY = "ctrl+shift+k";

/**
 * Whether the app's window is mapped on the X display (asked of the X server: a hidden WebKitGTK
 * window still reports `document.hidden === false` to scripts under Xvfb).
 */
export function windowShown() {
  try {
    return execFileSync("xdotool", ["search", "--onlyvisible", "--name", "Kefu$"], { encoding: "utf8" }).trim() !== "";
  } catch {
    return false; // xdotool exits 1 when no window matches
  }
}

/** Presses a key chord in the X display, as a person at the keyboard would. */
export function pressKeys(chord) {
  execFileSync("xdotool", ["key", "--clearmodifiers", chord]);
}

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
    srv.on("error", reject);
  });
}

async function waitForPort(port, ms) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const ok = await new Promise((resolve) => {
      const s = net.connect(port, "127.0.0.1", () => {
        s.end();
        resolve(true);
      });
      s.on("error", () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`nothing listened on port ${port} within ${ms} ms (tauri-driver or WebKitWebDriver)`);
}

/**
 * Puts the window back in the state every test starts from: shown, painting, not compact, no
 * dialog, the search view with an empty query, and the search box focused. A test that fails
 * half-way (the window hidden, compact, a dialog open, another view, even a stuck WebDriver call)
 * then fails alone instead of taking the next ones down. `app` is the handle from startApp();
 * when the window cannot be brought back (no response, or no frames painted after it is shown
 * again) the app is restarted on the same folders.
 */
export async function resetWindow(app) {
  let driver = app.driver;
  if ((await within(driver.executeScript("return 1"), 5_000, null)) !== 1) {
    await app.restart();
    driver = app.driver;
  }
  if (!windowShown()) {
    pressKeys(HOTKEY);
    await driver.wait(async () => windowShown(), 5_000, "the window is shown again by the hotkey");
  }
  const frames = driver.executeAsyncScript(
    "const done = arguments[arguments.length - 1]; requestAnimationFrame(() => requestAnimationFrame(() => done('painted')))",
  );
  if ((await within(frames, 3_000, null)) !== "painted") {
    // Shown again but not painting (seen under Xvfb after a hide/show in the middle of a test):
    // only a new window is a known state.
    await app.restart();
    driver = app.driver;
  }
  // Dialogs (placeholder values, unsaved changes) close with Escape.
  for (let i = 0; i < 3; i++) {
    const dialogs = await driver.findElements(By.css("[role=dialog], [role=alertdialog]"));
    if (dialogs.length === 0) break;
    await driver.actions().sendKeys(Key.ESCAPE).perform();
    await driver.sleep(150);
  }
  const compact = await driver.findElements(By.css("button[aria-pressed=true][aria-label='紧凑']"));
  if (compact.length) {
    await compact[0].click();
    await driver.wait(
      async () => (await driver.manage().window().getRect()).width > 480,
      5_000,
      "the window left compact mode",
    );
  }
  await driver.findElement(By.xpath("//nav//button[contains(., '查找')]")).click();
  // Leaving an editor with unsaved changes asks first: a reset discards them.
  for (const discard of await driver.findElements(By.css(".leave-dialog .btn-danger"))) await discard.click();
  const box = await driver.wait(until.elementLocated(By.css("[role=combobox]")), 5_000);
  await box.click();
  await box.sendKeys(Key.CONTROL, "a", Key.NULL, Key.BACK_SPACE);
  await driver.wait(
    async () =>
      driver.executeScript(
        "const b = document.querySelector('[role=combobox]'); return !!b && b.value === '' && document.activeElement === b && !!document.querySelector('main .search-view');",
      ),
    5_000,
    "the search view with an empty, focused query",
  );
}

/** `promise`, or `fallback` if it has not settled after `ms` (a stuck WebDriver call never settles). */
function within(promise, ms, fallback) {
  let timer;
  return Promise.race([
    promise.catch(() => fallback),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(fallback), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

/** A WebDriver session on the app, asked for up to three times while the connection is refused or reset. */
async function newSession(port) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new Builder()
        .usingServer(`http://127.0.0.1:${port}/`)
        .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
        .build();
    } catch (e) {
      const transient = /ECONNRESET|ECONNREFUSED|socket hang up/.test(`${e?.code ?? ""} ${e?.message ?? ""}`);
      if (!transient || attempt === 3) throw e;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

/** Starts tauri-driver and a WebDriver session on the app; resolves once the search box is there. */
async function launch({ content, data }) {
  const port = await freePort();
  const nativePort = await freePort();
  // The driver's (and the app's) output goes to a log file, not to the test runner's pipe: a
  // process still holding that pipe would keep `node --test` waiting after the tests pass. The
  // driver gets its own process group so stop() ends it, WebKitWebDriver and the app together.
  const log = openSync(`${data}.driver.log`, "a");
  const proc = spawn(TAURI_DRIVER, ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, KEFU_CONTENT: content, KEFU_DATA_DIR: data },
    stdio: ["ignore", log, log],
    detached: true,
  });
  closeSync(log);
  const killGroup = () => {
    try {
      process.kill(-proc.pid, "SIGTERM");
    } catch {
      // already gone
    }
  };
  try {
    // tauri-driver listens on its own port as soon as it has spawned WebKitWebDriver, which may not
    // listen yet on a busy machine: a session request forwarded then gets its socket hung up
    // (ECONNRESET, seen on CI). Wait for both ports, and ask again if the first request still
    // meets a driver that is not ready.
    await waitForPort(port, 15_000);
    await waitForPort(nativePort, 15_000);
    const driver = await newSession(port);
    await driver.wait(until.elementLocated(By.css("[role=combobox]")), 20_000);
    return {
      driver,
      async stop() {
        try {
          await within(driver.quit(), 5_000, null);
        } finally {
          killGroup();
        }
      },
    };
  } catch (e) {
    killGroup();
    throw e;
  }
}

/**
 * Starts the app on `content` with its data in `data`. The handle's `driver` is the current
 * WebDriver session; `restart()` replaces a stuck app with a fresh one on the same folders.
 */
export async function startApp({ content, data }) {
  let current = await launch({ content, data });
  return {
    get driver() {
      return current.driver;
    },
    async restart() {
      await current.stop();
      current = await launch({ content, data });
    },
    async stop() {
      await current.stop();
    },
  };
}
