// Browser tests of publishing (issue 5) on ui/dist-fake with the app's CSP: publish a case and
// find it, the conflict flow, the sync conflict list, and screenshots of the editor.
//
//   cd ui && npm run build:fake && npm run e2e

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SHOTS, openApp as open, start, stop } from "./harness.mjs";

let env;

before(async () => {
  env = await start();
});

after(async () => {
  await stop(env);
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
  // The live check is debounced (250 ms); wait for the fake to have answered the last text.
  await page.waitForTimeout(450);
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
      const saved = await page.evaluate(() => window.__kefuFake.saves.at(-1));
      assert.equal(saved.path, undefined);
      assert.match(saved.text, /^title: 预售尾款催付被投诉$/m);
      assert.match(saved.text, /^platform: tmall$/m);
      assert.match(saved.text, /^tags: \[预售\]$/m);

      // Searchable at once, by a word from the body.
      await page.getByRole("combobox").fill("骚扰");
      await page.waitForFunction(() => document.querySelector(".card-title")?.textContent === "预售尾款催付被投诉");
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
      // Someone else edits the file meanwhile.
      await page.evaluate(() => window.__kefuFake.externalEdit("playbooks/cuifahuo"));
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
      await page.evaluate(() => (window.__kefuFake.gitScenario = "conflict"));
      await page.getByTestId("btn-sync").click();
      const file = page.locator('.conflict-file[data-path="playbooks/cuifahuo.md"]');
      await file.waitFor();
      assert.equal(await page.getByTestId("btn-sync").getAttribute("data-state"), "warning");
      await page.screenshot({ path: join(SHOTS, "sync-conflict.png") });
      await file.getByRole("button", { name: "打开" }).click();
      await page.getByTestId("conflict-markers").waitFor();
      // Resolve: select everything and type the file back without the markers.
      const text = await page.evaluate(() => window.__kefuFake.fileText("playbooks/cuifahuo.md"));
      const resolved = text.replace(/<<<<<<< HEAD\n(.*)\n=======\n.*\n>>>>>>> .*\n/, "$1\n");
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
      assert.equal(await page.getByTestId("btn-sync").getAttribute("data-state"), "ok");
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
      assert.equal(await page.getByTestId("review-count").textContent(), "2");
      await page.getByTestId("btn-review").click();
      await page.waitForSelector(".review-item");
      const ids = await page.locator(".review-item").evaluateAll((els) => els.map((e) => e.getAttribute("data-id")));
      assert.equal(ids[0], "rules/law-7day-return");
      await page.screenshot({ path: join(SHOTS, "review.png") });
      await page.locator('.review-item[data-id="cases/yifahuo-jintuikuan-piliang"] .review-title').click();
      await page.getByTestId("review-banner").waitFor();
      await page.screenshot({ path: join(SHOTS, "document-review.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
