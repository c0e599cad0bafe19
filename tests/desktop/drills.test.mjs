// Real-app drill run: the built kefu-desktop binary under Xvfb through tauri-driver + WebKitWebDriver.
// Opens 练习, starts a session, answers the first drill by typing in the real WebKitGTK window, and
// checks the Rust-side breakdown, the recorded typing metrics and the stored attempt (progress view).

import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { startApp, resetWindow, repo, shotsDir } from "./harness.mjs";

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

// Every test starts shown, not compact, on the search view with an empty query.
beforeEach(() => resetWindow(app));

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

  // The other four drills of the 5-drill session, then the summary.
  const replies = [
    "亲，真的很抱歉给您带来不便，我马上帮您核实处理，今天之内给您答复，有进展第一时间告诉您，谢谢您的耐心",
    "亲，您好，理解您的着急，我这边马上联系快递帮您催促，明天中午前给您回复，我会持续跟进的，感谢支持",
    "好的亲，我已经给您登记好了，仓库这边会优先安排，有任何问题随时找我，感谢您的支持~",
    "亲，非常抱歉，麻烦您拍张照片发我，我马上给您申请补发，今天下班前给您回复，谢谢您",
  ];
  let best = score;
  for (const reply of replies) {
    await driver.findElement(By.css(".btn-next")).click();
    const box = await driver.wait(until.elementLocated(By.css(".player[data-mode=reply] textarea.answer")), 10_000);
    await driver.wait(until.elementIsVisible(box), 5_000);
    await box.sendKeys(reply, Key.CONTROL, Key.ENTER);
    const r = await driver.wait(until.elementLocated(By.css("[data-testid=drill-result]")), 10_000);
    best = Math.max(best, Number(await r.getAttribute("data-score")));
  }
  await driver.findElement(By.css(".btn-next")).click();
  const summary = await driver.wait(until.elementLocated(By.css("[data-testid=session-summary]")), 10_000);
  const average = await summary.findElement(By.css("[data-testid=average]")).getText();
  console.log(`5-drill session in the real window: average ${average}, best ${best}`);
  assert.match(average, /\d/);
  await shot("drill-summary");

  // The attempts are stored: the progress screen shows the best score.
  await driver.findElement(By.xpath("//nav//button[contains(., '练习')]")).click();
  await driver.wait(until.elementLocated(By.css("[data-testid=due-today]")), 10_000);
  await driver.findElement(By.xpath("//button[contains(., '进度')] | //a[contains(., '进度')]")).click();
  const bestEl = await driver.wait(until.elementLocated(By.css("[data-testid=best-score]")), 10_000);
  await driver.wait(async () => (await bestEl.getText()).includes(String(best)), 5_000, `best score ${best} shown`);
  await shot("progress");
  assert.ok(existsSync(join(work, "data", "kefu.sqlite3")), "practice database written in the data folder");
});
