// Shared set-up for the real-app suites: start tauri-driver on free ports with the app's content
// and data folders in its environment, open a WebDriver session on the built binary, and stop both.

import { spawn } from "node:child_process";
import { openSync, closeSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import net from "node:net";
import { Builder, By, until } from "selenium-webdriver";

const here = dirname(fileURLToPath(import.meta.url));
export const repo = join(here, "..", "..");
export const shotsDir = join(here, "screenshots");
const APP = process.env.KEFU_APP ?? join(repo, "target/debug/kefu-desktop");
const TAURI_DRIVER = process.env.TAURI_DRIVER ?? "tauri-driver";

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
  throw new Error(`tauri-driver did not listen on ${port}`);
}

/** Starts the app on `content` with its data in `data`; resolves once the search box is there. */
export async function startApp({ content, data }) {
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
    await waitForPort(port, 15_000);
    const driver = await new Builder()
      .usingServer(`http://127.0.0.1:${port}/`)
      .withCapabilities({ browserName: "wry", "tauri:options": { application: APP } })
      .build();
    await driver.wait(until.elementLocated(By.css("[role=combobox]")), 20_000);
    return {
      driver,
      async stop() {
        try {
          await driver.quit();
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
