// Browser tests of the built UI (ui/dist) against the real kefu-core (`kefu serve` over a copy of
// the shipped content plus tests/fixtures/browser), in Debian's Chromium through playwright-core,
// under the desktop app's CSP (harness.mjs).
//
//   make browser-test

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

/** Opens the app in a fresh page of the given size; collects page errors. */
function openApp(size) {
  return open(env.browser, env.baseUrl, size);
}

/** Types `query` and waits until the core answered it. */
async function search(page, query) {
  const box = page.getByRole("combobox");
  await box.fill(query);
  await page.waitForFunction(
    (q) => {
      const r = window.__kefuServe;
      return document.querySelector(".status-results") !== null && r.searches.at(-1) === q && r.answered >= r.searches.length;
    },
    query,
  );
  await page.waitForTimeout(80);
}

// cfh2 of content/playbooks/cuifahuo.md with 买家 filled in.
const CFH2_FILLED =
  "真的非常抱歉让您久等了，张女士！已经超过我们承诺的发货时间，是我们没做好。" +
  "您这边还需要的话，我马上跟仓库主管申请给您的订单插队加急，今天下班前一定给您一个准确的发货答复；" +
  "如果您不想再等了，也可以直接告诉我，我马上给您办理退款。我会一直跟进到底，谢谢您的耐心~";

for (const size of [
  { name: "normal", width: 1280, height: 800 },
  { name: "compact", width: 420, height: 600 },
]) {
  describe(`催单 → 催发货 → copy cfh2 at ${size.width}×${size.height}`, () => {
    test("search, open, fill placeholders, copy", async () => {
      const { context, page, errors } = await openApp(size);
      try {
        // The search box has the focus on open.
        assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "combobox");
        await page.keyboard.type("催单");
        await page.waitForSelector(".card");
        await page.waitForFunction(() => window.__kefuServe.searches.at(-1) === "催单");
        const first = page.locator(".card").first();
        assert.equal(await first.locator(".card-title").textContent(), "催发货");
        assert.equal(await first.getAttribute("aria-selected"), "true");
        assert.match((await page.locator(".status-results").textContent()) ?? "", /条结果/);
        if (size.name === "normal") await page.screenshot({ path: join(SHOTS, "search.png") });
        else await page.screenshot({ path: join(SHOTS, "compact.png") });

        // Enter opens the document.
        await page.keyboard.press("Enter");
        await page.waitForSelector(".doc-title");
        assert.equal(await page.locator(".doc-title").textContent(), "催发货");
        assert.equal(await page.locator(".phrase-card").count(), 4);
        if (size.name === "normal") await page.screenshot({ path: join(SHOTS, "document.png") });
        else await page.screenshot({ path: join(SHOTS, "compact-document.png") });

        // Copy cfh2: the dialog asks for 买家.
        await page.locator('.phrase-card[data-code="cfh2"] .btn-copy').click();
        const dialog = page.getByRole("dialog");
        await dialog.waitFor();
        await dialog.getByRole("textbox", { name: "买家" }).fill("张女士");
        if (size.name === "normal") await page.screenshot({ path: join(SHOTS, "dialog.png") });
        await dialog.getByRole("textbox", { name: "买家" }).press("Enter");
        await page.waitForFunction(() => window.__kefuServe.copied.length === 1);
        const copied = await page.evaluate(() => window.__kefuServe.copied[0]);
        assert.equal(copied, CFH2_FILLED);
        await page.getByText("已复制").waitFor();
        assert.equal(await dialog.count(), 0);

        // The values are remembered: the next copy of cfh2 is prefilled.
        await page.locator('.phrase-card[data-code="cfh2"] .btn-copy').click();
        assert.equal(await page.getByRole("textbox", { name: "买家" }).inputValue(), "张女士");
        await page.keyboard.press("Escape");
        assert.equal(await page.getByRole("dialog").count(), 0);

        // A link in the body navigates inside the app; Esc comes back.
        await page.locator('.doc-body a[href="#doc/rules/taobao-late-shipment"]').click();
        await page.waitForFunction(() => document.querySelector(".doc-title")?.textContent === "淘宝发货规范与超时发货");
        assert.equal(new URL(page.url()).hash, "");
        await page.keyboard.press("Escape");
        await page.waitForFunction(() => document.querySelector(".doc-title")?.textContent === "催发货");
        await page.keyboard.press("Alt+ArrowLeft");
        await page.waitForSelector(".card");
        assert.equal(await page.getByRole("combobox").inputValue(), "催单");

        // Ctrl+Enter copies the selected result's phrase (cfh1 asks for 订单号).
        await page.getByRole("combobox").focus();
        await page.keyboard.press("Control+Enter");
        const ask = page.getByRole("dialog");
        await ask.waitFor();
        await ask.getByRole("textbox", { name: "订单号" }).fill("202611230001");
        await page.keyboard.press("Enter");
        await page.waitForFunction(() => window.__kefuServe.copied.length === 2);
        assert.match(await page.evaluate(() => window.__kefuServe.copied[1]), /202611230001/);

        assert.deepEqual(errors, []);
      } finally {
        await context.close();
      }
    });
  });
}

describe("safety", () => {
  test("markup in titles, snippets, phrases and bodies never runs", async () => {
    const { context, page, errors } = await openApp({ width: 1280, height: 800 });
    try {
      await search(page, "xss");
      await page.waitForSelector(".card");
      const title = await page.locator(".card-title").first().textContent();
      assert.match(title ?? "", /<script>window.__xss=1<\/script>/);
      await page.locator(".card").first().click();
      await page.waitForSelector(".doc-title");
      await page.locator(".phrase-card .btn-copy").first().click();
      await page.waitForFunction(() => window.__kefuServe.copied.length === 1);
      await page.waitForTimeout(200);
      assert.equal(await page.evaluate(() => window.__xss), undefined);
      assert.equal(await page.locator("main script, main img[onerror]").count(), 0);
      assert.equal(
        await page.evaluate(() => window.__kefuServe.copied[0]),
        "<script>window.__xss=4</script>请原样复制这段文字",
      );
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("external links go to the system browser, the page never navigates", async () => {
    const { context, page } = await openApp({ width: 1280, height: 800 });
    try {
      await search(page, "淘宝七天无理由旧版");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".doc-title");
      const before = page.url();
      await page.locator('.doc-body a[href^="https://"]').click();
      await page.waitForFunction(() => window.__kefuServe.opened.length === 1);
      assert.equal(page.url(), before);
      assert.equal(await page.evaluate(() => window.__kefuServe.opened[0]), "https://rulechannel.taobao.com/");
    } finally {
      await context.close();
    }
  });
});

describe("pages", () => {
  test("no results shows suggestions; Esc clears then hides", async () => {
    const { context, page } = await openApp({ width: 1280, height: 800 });
    try {
      // Nothing among the cases; the core suggests dropping the filter.
      await search(page, "kind:case 断链测试");
      await page.getByTestId("no-results").waitFor();
      await page.waitForSelector(".chip-suggest");
      await page.locator(".chip-suggest", { hasText: "断链测试" }).first().click();
      await page.waitForFunction(() => document.querySelector(".card-title")?.textContent === "断链测试");
      await page.getByRole("combobox").focus();
      await page.keyboard.press("Escape");
      assert.equal(await page.getByRole("combobox").inputValue(), "");
      await page.keyboard.press("Escape");
      await page.waitForFunction(() => window.__kefuServe.hidden === 1);
    } finally {
      await context.close();
    }
  });

  test("rule needing review, problems panel and settings (dark theme)", async () => {
    const { context, page } = await openApp({ width: 1280, height: 800, colorScheme: "dark" });
    try {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
      await search(page, "退款");
      await page.screenshot({ path: join(SHOTS, "search-dark.png") });
      await search(page, "kind:rule 七日");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".doc-title");
      await page.getByText("法律法规").first().waitFor();
      await page.screenshot({ path: join(SHOTS, "rule-dark.png") });
      await page.keyboard.press("Escape");
      await search(page, "淘宝七天无理由旧版");
      await page.keyboard.press("Enter");
      await page.waitForSelector(".doc-title");
      assert.ok((await page.locator(".review-badge").count()) > 0, "the overdue rule shows 待复核");

      await page.locator(".status-problems").click();
      await page.waitForSelector(".problem");
      assert.equal(await page.getByTestId("problem-count").textContent(), "1");
      // Shown in Chinese from the problem's code (core's table), not core's English message.
      assert.equal(await page.locator(".problem").first().getAttribute("data-code"), "broken_link");
      assert.match(
        (await page.locator(".problem-text").first().textContent()) ?? "",
        /^playbooks\/duanlian-ceshi\.md:\d+: 链接 \[\[[^\]]*bu-cunzai[^\]]*\]\] 失效：没有这个 id 的文档$/,
      );
      assert.match((await page.locator(".problem-hint").first().textContent()) ?? "", /文档的 id 是它的 `id:`/);
      await page.screenshot({ path: join(SHOTS, "problems.png") });
      await page.keyboard.press("Escape");

      await page.getByRole("button", { name: "设置" }).click();
      await page.waitForSelector(".settings");
      // The folder dialog answers with the content folder in use (so saving keeps it).
      await page.evaluate((dir) => (window.__kefuServe.folder = dir), env.content);
      await page.getByRole("button", { name: "选择文件夹" }).click();
      await page.getByText(env.content).waitFor();
      await page.screenshot({ path: join(SHOTS, "settings.png") });
      await page.getByText("English").click();
      await page.getByRole("button", { name: "保存" }).click();
      await page.getByRole("button", { name: "Save" }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), "en");
    } finally {
      await context.close();
    }
  });
});
