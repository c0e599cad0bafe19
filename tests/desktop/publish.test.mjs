// Real-app tests of publishing and live reload: the built kefu-desktop binary in a real WebKitGTK
// window (tauri-driver + WebKitWebDriver under Xvfb), on a copy of the bundled content that is a
// clone of a local bare "team" repository.
//
// 1. A file written into the content folder by someone else (another editor, a git pull) is found
//    by search without any action in the app: the watcher re-indexes it.
// 2. A veteran publishes a case in the editor (发布案例 → title, body, save) and it is found by search.
// 3. 同步 pushes that case to the team repository.

import { test, before, beforeEach, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, cpSync, mkdirSync, writeFileSync, rmSync, readdirSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { By, Key, until } from "selenium-webdriver";
import { startApp, resetWindow, repo, shotsDir as shots } from "./harness.mjs";

let app;
let driver;
let work;
let content;

const git = (cwd, ...args) =>
  execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });

async function shot(name) {
  const png = await driver.takeScreenshot();
  writeFileSync(join(shots, `${name}.png`), Buffer.from(png, "base64"));
}

const searchBox = () => driver.findElement(By.css("[role=combobox]"));

async function cardIds() {
  // Read in one script: the cards are replaced as each key's results arrive.
  return driver.executeScript("return Array.from(document.querySelectorAll('.card'), (c) => c.getAttribute('data-id'));");
}

async function typeQuery(text) {
  const box = await searchBox();
  await box.sendKeys(Key.CONTROL, "a", Key.NULL, Key.BACK_SPACE);
  await box.sendKeys(text);
}

before(async () => {
  mkdirSync(shots, { recursive: true });
  work = mkdtempSync(join(tmpdir(), "kefu-publish-test-"));
  // The team repository: the bundled content, pushed to a bare repository; the app works in a clone.
  const seed = join(work, "seed");
  mkdirSync(seed);
  git(work, "init", "-q", "--bare", "-b", "main", "team.git");
  git(seed, "init", "-q", "-b", "main");
  cpSync(join(repo, "content"), join(seed, "content"), { recursive: true });
  git(seed, "add", ".");
  git(seed, "commit", "-qm", "seed");
  git(seed, "push", "-q", join(work, "team.git"), "main");
  git(work, "clone", "-q", join(work, "team.git"), "clone");
  content = join(work, "clone", "content");
  app = await startApp({ content, data: join(work, "data") });
  driver = app.driver;
});

after(async () => {
  await app?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

// Every test starts shown, not compact, on the search view with an empty query.
beforeEach(async () => {
  await resetWindow(app);
  driver = app.driver;
});

test("a file added outside the app is found by search without a reload", async () => {
  await typeQuery("蓝牙耳机断连");
  await driver.sleep(300);
  assert.deepEqual(
    (await cardIds()).filter((id) => id === "playbooks/lanya-erji"),
    [],
    "not there before",
  );
  const started = Date.now();
  writeFileSync(
    join(content, "playbooks", "lanya-erji.md"),
    "---\nkind: playbook\ntitle: 蓝牙耳机断连\ntags: [售后]\nphrases:\n  - code: lyej1\n    when: 买家说耳机老断\n    text: 亲，麻烦您先把耳机放回充电仓重置一下，我这边同步给您发一份图文教程~\n---\n先排除使用问题。\n",
  );
  // The query is typed again (same text) so the search runs after the index changed; the watcher
  // itself needs no action, and the UI also re-runs the search on kefu://content-changed.
  await driver.wait(
    async () => {
      const ids = await cardIds();
      if (ids[0] === "playbooks/lanya-erji") return true;
      return false;
    },
    5000,
    "the new playbook should appear for the query already typed",
  );
  const took = Date.now() - started;
  console.log(`external file → first result in the window: ${took} ms`);
});

test("a case published in the editor is found by search, then 同步 pushes it to the team", async () => {
  const publish = await driver.findElements(By.css("[data-testid=btn-publish]"));
  if (publish.length === 0 || !(await publish[0].isDisplayed())) {
    await driver.findElement(By.css("button[aria-label=更多], button[title=更多]")).click();
  }
  await driver.findElement(By.css("[data-testid=btn-publish]")).click();
  const body = await driver.wait(until.elementLocated(By.css(".editor-view .cm-body .cm-content")), 10_000);
  const title = await driver.findElement(By.css('input[name="title"]'));
  await title.sendKeys("直播间口误承诺赠品");
  await driver.findElement(By.css('select[name="platform"] option[value="douyin"]')).click();
  // Type at the end of the 情况 section's first line of text.
  await body.click();
  await body.sendKeys(Key.CONTROL, Key.HOME, Key.NULL, Key.ARROW_DOWN, Key.END);
  await body.sendKeys(" 主播口误说下单送保温杯，买家截图要求兑现。");
  await driver.wait(
    async () => (await driver.findElement(By.css("[data-testid=preview]")).getText()).includes("保温杯"),
    10_000,
    "the live preview shows what was typed",
  );
  const save = await driver.findElement(By.css(".btn-save"));
  await driver.wait(async () => save.isEnabled(), 10_000, "no errors left, so saving is allowed");
  await shot("editor");
  await save.click();
  await driver.wait(
    async () => {
      const t = await driver.findElements(By.css(".doc-title"));
      return t.length > 0 && (await t[0].getText()) === "直播间口误承诺赠品";
    },
    10_000,
    "after saving the document view shows the case",
  );
  const saved = readdirSync(join(content, "cases")).filter((f) => f.includes("zhi-bo-jian-kou-wu"));
  assert.equal(saved.length, 1, `one new file in cases/: ${saved}`);
  assert.match(saved[0], /^\d{4}-\d{2}-\d{2}-zhi-bo-jian-kou-wu-cheng-nuo-zeng-pin\.md$/);
  const text = readFileSync(join(content, "cases", saved[0]), "utf8");
  assert.match(text, /^platform: douyin$/m);
  assert.match(text, /^updated: \d{4}-\d{2}-\d{2}$/m);
  assert.match(text, /保温杯/);

  // Searchable at once.
  await typeQuery("口误承诺");
  const id = `cases/${saved[0].replace(/\.md$/, "")}`;
  await driver.wait(async () => (await cardIds())[0] === id, 10_000, `口误承诺 should find ${id} first`);
  await shot("published-search");

  // 同步: commit and push to the team repository.
  await driver.findElement(By.css("[data-testid=btn-sync]")).click();
  await driver.wait(
    async () => {
      try {
        const files = execFileSync("git", ["--git-dir", join(work, "team.git"), "log", "-1", "--name-only", "--format=%s", "main"], {
          encoding: "utf8",
        });
        return files.includes(`content/cases/${saved[0]}`);
      } catch {
        return false;
      }
    },
    20_000,
    "the case reaches the team repository",
  );
});
