// Browser tests of publishing against the real core (`kefu serve`) with the app's CSP: publish a
// case and find it, a file changed on disk while it is edited, a real `git pull --rebase` conflict
// in 同步, the review list, and screenshots of the editor. The content folder is a clone of a
// local bare "team" repository seeded with the shipped content and tests/fixtures/browser.
//
//   make browser-test

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTENT, FIXTURES, SHOTS, api, openApp as open, start, stop } from "./harness.mjs";

let env;
let work;

const git = (cwd, ...args) =>
  execFileSync("git", ["-c", "user.name=同事", "-c", "user.email=colleague@example.com", ...args], {
    cwd,
    encoding: "utf8",
  });

before(async () => {
  work = mkdtempSync(join(tmpdir(), "kefu-browser-team-"));
  const seed = join(work, "seed");
  mkdirSync(seed);
  git(work, "init", "-q", "--bare", "-b", "main", "team.git");
  git(seed, "init", "-q", "-b", "main");
  cpSync(CONTENT, join(seed, "content"), { recursive: true });
  cpSync(FIXTURES, join(seed, "content"), { recursive: true, filter: (src) => !src.endsWith("README.md") });
  git(seed, "add", ".");
  git(seed, "commit", "-qm", "seed");
  git(seed, "push", "-q", join(work, "team.git"), "main");
  git(work, "clone", "-q", join(work, "team.git"), "clone");
  git(work, "clone", "-q", join(work, "team.git"), "colleague");
  env = await start({ content: join(work, "clone", "content") });
});

after(async () => {
  await stop(env);
  if (work) rmSync(work, { recursive: true, force: true });
});

function openApp(size) {
  return open(env.browser, env.baseUrl, size);
}

/** Opens 发布案例 (in the compact window it is in the ⋯ menu). */
async function openPublish(page) {
  const direct = page.getByTestId("btn-publish");
  if ((await direct.count()) === 0) await page.getByRole("button", { name: "更多" }).click();
  await page.getByTestId("btn-publish").click();
  await page.locator(".editor-view .cm-body .cm-content").waitFor();
}

async function waitChecked(page) {
  // The live check is debounced (250 ms); wait for the core to have answered the last text.
  await page.waitForTimeout(600);
}

describe("publishing", () => {
  test("publish a case: form + body → preview → save → searchable", async () => {
    const { context, page, errors } = await openApp({ width: 1280, height: 800 });
    try {
      await openPublish(page);
      assert.equal(await page.locator(".editor-view").getAttribute("data-new"), "true");
      // An empty title is an error: saving is blocked and says why.
      await waitChecked(page);
      assert.equal(await page.locator(".btn-save").isDisabled(), true);
      assert.match((await page.getByTestId("save-why").textContent()) ?? "", /错误/);

      await page.locator('input[name="title"]').fill("预售尾款催付被投诉");
      await page.locator('select[name="platform"]').selectOption("tmall");
      await page.locator('input[name="outcome"]').fill("买家撤销投诉");
      await page.locator('input[name="tags"]').fill("预售");
      await page.keyboard.press("Enter");

      // Type in the body: at the end of the 情况 section's first paragraph.
      const content = page.locator(".cm-body .cm-content");
      await content.click();
      await page.keyboard.press("Control+Home");
      await page.keyboard.press("ArrowDown");
      await page.keyboard.press("End");
      await page.keyboard.type(" 尾款提醒短信被当成骚扰，买家怒而投诉。");
      await page.waitForFunction(() => document.querySelector('[data-testid="preview"]')?.textContent?.includes("尾款提醒短信"));
      await waitChecked(page);
      assert.equal(await page.locator(".btn-save").isDisabled(), false);
      await page.screenshot({ path: join(SHOTS, "editor.png") });

      await page.keyboard.press("Control+s");
      await page.getByText("已发布，现在可以搜到了").waitFor();
      await page.waitForFunction(() => document.querySelector(".doc-title")?.textContent === "预售尾款催付被投诉");
      const file = readdirSync(join(env.content, "cases")).filter((f) => f.includes("yu-shou-wei-kuan"));
      assert.equal(file.length, 1, `one new file in cases/: ${file}`);
      const saved = readFileSync(join(env.content, "cases", file[0]), "utf8");
      assert.match(saved, /^title: 预售尾款催付被投诉$/m);
      assert.match(saved, /^platform: tmall$/m);
      assert.match(saved, /^tags: \[预售\]$/m);
      assert.match(saved, /尾款提醒短信被当成骚扰/);

      // Searchable at once: by its title first, and by words from its body among the first three.
      const firstTitles = async (n) => (await page.locator(".card-title").allTextContents()).slice(0, n);
      await page.getByRole("combobox").fill("预售尾款催付被投诉");
      await page.waitForFunction(() => document.querySelector(".card-title")?.textContent === "预售尾款催付被投诉");
      await page.getByRole("combobox").fill("尾款提醒短信");
      await page.waitForFunction(() => window.__kefuServe.searches.at(-1) === "尾款提醒短信" && window.__kefuServe.answered >= window.__kefuServe.searches.length);
      await page.waitForTimeout(100);
      assert.ok((await firstTitles(3)).includes("预售尾款催付被投诉"), `${await firstTitles(5)}`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("a conflict: the file changed on disk → dialog → keep both", async () => {
    const { context, page, errors } = await openApp({ width: 1280, height: 800 });
    try {
      await page.getByRole("combobox").fill("cuifahuo");
      await page.waitForSelector(".card");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".doc-title");
      await page.locator(".doc-toolbar .btn-edit").click();
      await page.locator(".cm-body .cm-content").waitFor();
      await page.locator('input[name="title"]').fill("催发货（改）");
      // Someone else edits the file meanwhile (the watcher tells the UI).
      appendFileSync(join(env.content, "playbooks", "cuifahuo.md"), "\n- 同事补充：大促期间先报预计发货日期。\n");
      await page.getByTestId("changed-elsewhere").waitFor();
      await waitChecked(page);
      await page.locator(".btn-save").click();
      const dialog = page.getByRole("dialog", { name: "文件在别处被修改了" });
      await dialog.waitFor();
      assert.match((await page.getByTestId("disk-text").textContent()) ?? "", /同事补充/);
      await page.screenshot({ path: join(SHOTS, "editor-conflict.png") });
      await dialog.getByRole("button", { name: "两份都保留" }).click();
      await page.waitForFunction(() => document.querySelector(".doc-title")?.textContent === "催发货（改）");
      assert.match(await page.locator(".doc-toolbar .crumb").textContent(), /playbooks\/cuifahuo-copy\.md/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("sync with a conflict: the list, open the file, fix, save, sync again", async () => {
    const { context, page, errors } = await openApp({ width: 1280, height: 800 });
    try {
      // A colleague changes the title line and pushes; here the same line changes differently.
      const colleague = join(work, "colleague", "content", "playbooks", "cuifahuo.md");
      writeFileSync(colleague, readFileSync(colleague, "utf8").replace("title: 催发货\n", "title: 催发货（同事版）\n"));
      git(join(work, "colleague"), "commit", "-qam", "同事改标题");
      git(join(work, "colleague"), "push", "-q");
      const mine = join(env.content, "playbooks", "cuifahuo.md");
      writeFileSync(mine, readFileSync(mine, "utf8").replace("title: 催发货\n", "title: 催发货（我的版本）\n"));
      await page.getByTestId("btn-sync").click();
      const file = page.locator('.conflict-file[data-path="playbooks/cuifahuo.md"]');
      await file.waitFor();
      // The 同步 button turns to a warning once the git state is read again.
      await page.waitForFunction(() => document.querySelector("[data-testid=btn-sync]")?.getAttribute("data-state") === "warning");
      // Mid-rebase HEAD is detached; the branch and its remote are still shown.
      await page.getByText("分支 main → origin/main").waitFor();
      assert.equal(await page.getByText("没有设置远程仓库").count(), 0);
      await page.screenshot({ path: join(SHOTS, "sync-conflict.png") });
      await file.getByRole("button", { name: "打开" }).click();
      await page.getByTestId("conflict-markers").waitFor();
      // Resolve: select everything and type the file back without the markers.
      const text = readFileSync(mine, "utf8");
      const resolved = text.replace(/<<<<<<< [^\n]*\n(.*)\n=======\n.*\n>>>>>>> .*\n/, "$1\n");
      assert.notEqual(resolved, text);
      await page.locator(".cm-body .cm-content").click();
      await page.keyboard.press("Control+a");
      await page.keyboard.insertText(resolved);
      await waitChecked(page);
      await page.locator(".btn-save").click();
      await page.getByText("已保存").waitFor();
      await page.waitForSelector(".doc-title");
      await page.getByTestId("btn-sync").click();
      await page.getByText(/已同步/).first().waitFor();
      await page.waitForFunction(() => document.querySelector("[data-testid=btn-sync]")?.getAttribute("data-state") === "ok");
      // The team repository has the resolved file.
      git(join(work, "colleague"), "pull", "-q");
      assert.doesNotMatch(readFileSync(colleague, "utf8"), /<<<<<<<|>>>>>>>/);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("editor and review screenshots in the compact window", async () => {
    const { context, page, errors } = await openApp({ width: 420, height: 600 });
    try {
      await openPublish(page);
      await page.locator('input[name="title"]').fill("预售尾款催付");
      await waitChecked(page);
      await page.screenshot({ path: join(SHOTS, "compact-editor.png") });
      await page.locator(".editor-grid").evaluate((el) => el.scrollTo(0, el.scrollHeight));
      await page.screenshot({ path: join(SHOTS, "compact-editor-preview.png") });
      await page.keyboard.press("Alt+ArrowLeft");
      const leave = page.getByRole("dialog", { name: "放弃未保存的修改？" });
      await leave.waitFor();
      await leave.getByRole("button", { name: "放弃修改" }).click();
      await page.getByRole("button", { name: "更多" }).click();
      await page.screenshot({ path: join(SHOTS, "compact-menu.png") });
      await page.getByTestId("btn-review").click();
      await page.waitForSelector(".review-item");
      await page.screenshot({ path: join(SHOTS, "compact-review.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("review list and document banner at 1280×800", async () => {
    const { context, page, errors } = await openApp({ width: 1280, height: 800 });
    try {
      const items = await api(env, "review_items");
      assert.ok(items.length >= 1, "the overdue fixture rule is listed");
      assert.equal(await page.getByTestId("review-count").textContent(), String(items.length));
      await page.getByTestId("btn-review").click();
      await page.waitForSelector(".review-item");
      const ids = await page.locator(".review-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      assert.deepEqual(ids, items.map((i) => i.id));
      assert.ok(ids.includes("rules/taobao-7day-old"), `${ids}`);
      await page.screenshot({ path: join(SHOTS, "review.png") });
      await page.locator('.review-item[data-id="rules/taobao-7day-old"] .review-title').click();
      await page.getByTestId("review-banner").waitFor();
      await page.screenshot({ path: join(SHOTS, "document-review.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
