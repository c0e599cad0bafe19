// A trainee recites a reference but changes who pays: the real core charges the changed clause
// as a mistake and the result view names it (改了参考话术), marks it in the reply and takes the
// points off. The drill is the shipped anfu-tousu, alone in a content folder with the lexicon
// and the rules it links.

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CONTENT, SHOTS, openApp, start, stop } from "./harness.mjs";

let env;
let folder;
before(async () => {
  folder = mkdtempSync(join(tmpdir(), "kefu-drill-edit-"));
  for (const rel of [
    "drills/anfu-tousu.md",
    "scoring/lexicon.yaml",
    "rules/law-quality-return.md",
    "rules/law-complaint-12315.md",
    "playbooks/anfu-fennu.md",
  ]) {
    mkdirSync(join(folder, rel, ".."), { recursive: true });
    cpSync(join(CONTENT, rel), join(folder, rel));
  }
  // The same drill twice, so that one session answers it both ways.
  cpSync(join(CONTENT, "drills/anfu-tousu.md"), join(folder, "drills/anfu-tousu-2.md"));
  env = await start({ content: folder });
});
after(async () => {
  await stop(env);
  rmSync(folder, { recursive: true, force: true });
});

const REFERENCE =
  "亲，先跟您说声对不起，让您收到坏货还等这么久，是我们没做好。您把问题照片发我，我5分钟内给您方案：补发新的今天发出，或者直接退款，您来选，运费全由我们出。投诉是您的权利，我先把您的问题解决好，这件事我跟到底，办完截图给您~";

async function answer(page, reply) {
  const box = page.locator("textarea.answer");
  await box.waitFor();
  await box.fill(reply);
  await page.keyboard.press("Control+Enter");
  await page.getByTestId("drill-result").waitFor();
  return Number(await page.getByTestId("score").textContent());
}

describe("drill result: an edited copy of the reference", () => {
  test("the changed clause is charged, named and marked; the faithful copy is not", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1280, height: 900 });
    try {
      await page.getByRole("navigation").getByRole("button", { name: "练习" }).click();
      await page.getByRole("button", { name: "开始练习（2题）" }).click();
      const right = await answer(page, REFERENCE);
      assert.equal(await page.locator("[data-testid=mistakes] [data-by=edited]").count(), 0);
      await page.locator(".btn-next").click();
      await page.getByTestId("drill-result").waitFor({ state: "detached" });
      const wrong = await answer(page, REFERENCE.replace("运费全由我们出", "运费我们和您一人一半"));
      const item = page.locator("[data-testid=mistakes] [data-by=edited]");
      assert.equal(await item.count(), 1);
      assert.equal(await item.locator(".tag-mini").textContent(), "改了参考话术");
      assert.equal(await item.locator("mark").textContent(), "运费我们和您一人一半");
      assert.match((await item.locator(".check-hint").textContent()) ?? "", /推给了买家/);
      assert.match((await item.locator(".penalty").textContent()) ?? "", /30/);
      assert.ok(wrong + 20 <= right, `edited ${wrong} vs faithful ${right}`);
      await page.screenshot({ path: join(SHOTS, "drill-result-edited.png"), fullPage: true });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
