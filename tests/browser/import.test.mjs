// 导入短语 in the built UI against the real core (`kefu serve` over a copy of the shipped content):
// Settings → 导入 / 导出短语, a GBK shop export chosen (the HTTP backend returns the path the test
// set), the preview (encoding, header row, column roles, placeholders, a code the shipped content
// has), a role changed and the preview following, 导入, and the new playbook found by its imported
// code in the search box. Then 导出短语 as Excel.
//
//   make browser-test

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { join } from "node:path";
import { SHOTS, api, openApp, start, stop } from "./harness.mjs";

const EXPORT = fileURLToPath(new URL("../fixtures/import/shop-export-gbk.csv", import.meta.url));

let env;

before(async () => {
  env = await start();
});

after(async () => {
  await stop(env);
});

describe("导入短语", () => {
  test("preview, change a column, import, find it by its code; export as Excel", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1280, height: 860 });
    try {
      await page.getByRole("button", { name: "设置" }).click();
      await page.getByTestId("open-import").click();
      await page.getByTestId("import-view").waitFor();
      await page.evaluate((path) => {
        window.__kefuServe.openFile = path;
      }, EXPORT);
      await page.getByTestId("import-choose").click();
      await page.getByTestId("import-files").waitFor();

      const source = await page.getByTestId("import-source").textContent();
      assert.match(source, /shop-export-gbk\.csv/);
      assert.match(source, /GBK/);
      assert.match(source, /表头在第 2 行/);
      // The roles the core guessed, in the column selects.
      const roles = await page.locator("[data-testid=import-columns] select").evaluateAll((s) => s.map((x) => x.value));
      assert.deepEqual(roles, ["group", "code", "content", "ignore", "ignore"]);
      // Placeholders: 订单号 ticked, 温馨提示 (emphasis) not.
      const ph = page.getByTestId("import-placeholders");
      assert.equal(await ph.getByRole("checkbox", { name: /【订单号】/ }).isChecked(), true);
      assert.equal(await ph.getByRole("checkbox", { name: /【温馨提示】/ }).isChecked(), false);
      // cfh1 is the shipped 催发货's code.
      assert.match(await page.getByTestId("import-clashes").textContent(), /cfh1.*催发货/);
      assert.equal(await page.locator("[data-testid=import-files] li").count(), 3);
      await page.screenshot({ path: join(SHOTS, "import-preview.png"), fullPage: true });

      // 创建人 as tags: the preview is planned again by the core.
      await page.locator("[data-testid=import-columns] select").nth(3).selectOption("tags");
      await page.getByTestId("import-files").getByText("欢迎语").click();
      await page.locator(".file-text").filter({ hasText: "tags: [导入, 店长]" }).waitFor();

      await page.getByTestId("import-apply").click();
      await page.getByTestId("import-outcome").waitFor();
      const written = await page.locator("[data-testid=import-outcome] li").allTextContents();
      assert.equal(written.length, 3);
      for (const w of written) assert.ok(existsSync(join(env.content, w)), w);
      await page.screenshot({ path: join(SHOTS, "import-done.png"), fullPage: true });

      // Found at once by its imported code.
      const hits = await api(env, "search", { req: { query: "fh1" } });
      assert.equal(hits.hits[0].id, "playbooks/imported/fa-huo-wu-liu");

      // 导出短语 as Excel: the core writes where the (prompted) path says.
      const out = join(env.work, "phrases.xlsx");
      page.once("dialog", (d) => void d.accept(out));
      await page.getByTestId("export-phrases").click();
      await page.locator(".toast").filter({ hasText: "已导出" }).waitFor();
      assert.ok(existsSync(out));
      assert.ok(readdirSync(env.work).includes("phrases.xlsx"));
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
