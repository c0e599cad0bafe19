// Real-app drill run: the built kefu-desktop binary under Xvfb through tauri-driver + WebKitWebDriver.
// Opens 练习, starts a session, answers the first drill by typing in the real WebKitGTK window, and
// checks the Rust-side breakdown, the recorded typing metrics and the stored attempt (progress view).

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { startApp, repo, shotsDir } from "./harness.mjs";

let app;
let work;

async function shot(name) {
  const png = await app.driver.takeScreenshot();
  writeFileSync(join(shotsDir, `${name}.png`), Buffer.from(png, "base64"));
}

before(async () => {
  mkdirSync(shotsDir, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "kefu-drills-test-"));
  app = await startApp({ content: join(repo, "content"), data: join(work, "data") });
});

after(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

test("a new hire answers a drill in the real window and sees what to fix", async () => {
  const { driver } = app;
  await driver.findElement(By.xpath("//nav//button[contains(., '练习')]")).click();
  const due = await driver.wait(until.elementLocated(By.css("[data-testid=due-today]")), 15_000);
  assert.equal(await due.getText(), "0", "a fresh profile has nothing due");
  await shot("drills-home");

  await driver.findElement(By.css(".btn-start")).click();
  const player = await driver.wait(until.elementLocated(By.css(".player[data-mode=reply]")), 10_000);
  const drillId = await player.getAttribute("data-drill");
  assert.ok(drillId.startsWith("drills/"), drillId);
  const answer = await driver.findElement(By.css("textarea.answer"));
  await driver.sleep(1200); // a realistic pause before the first keystroke
  await answer.sendKeys("亲，非常理解您的心情，我这边马上帮您跟进处理，有进展第一时间通知您，感谢您的耐心");
  await shot("drill-player");
  await answer.sendKeys(Key.CONTROL, Key.ENTER);

  const result = await driver.wait(until.elementLocated(By.css("[data-testid=drill-result]")), 10_000);
  const score = Number(await result.getAttribute("data-score"));
  assert.ok(score >= 0 && score <= 100, `score ${score}`);
  const ok = await driver.findElements(By.css(".check-ok"));
  const missing = await driver.findElements(By.css(".check-missing"));
  assert.ok(ok.length + missing.length > 0, "the breakdown lists found and missing items");
  // Metrics come from the event log recorded in WebKitGTK and computed in Rust.
  const metric = async (name) => (await driver.findElement(By.css(`[data-metric=${name}]`)).getText()).trim();
  const response = await metric("response");
  const cpm = await metric("cpm");
  console.log(`real-window drill ${drillId}: score ${score}, first response ${response}, CPM ${cpm}`);
  assert.match(response, /\d/, "first response time shown");
  assert.ok(Number.parseFloat(cpm.replace(/[^\d.]/g, "")) > 0, `CPM counted from committed characters: ${cpm}`);
  await shot("drill-result");

  // The attempt is stored: the progress screen shows it as the best score.
  await driver.findElement(By.xpath("//nav//button[contains(., '练习')]")).click();
  await driver.wait(until.elementLocated(By.css("[data-testid=due-today]")), 10_000);
  await driver.findElement(By.xpath("//button[contains(., '进度')] | //a[contains(., '进度')]")).click();
  const best = await driver.wait(until.elementLocated(By.css("[data-testid=best-score]")), 10_000);
  await driver.wait(async () => (await best.getText()).includes(String(score)), 5_000, "best score is the stored attempt");
  await shot("progress");
  assert.ok(existsSync(join(work, "data", "kefu.sqlite3")), "practice database written in the data folder");
});
