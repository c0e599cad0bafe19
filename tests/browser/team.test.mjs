// 组长看板 in the built UI (ui/dist) against the real core (`kefu serve` over the shipped content
// plus tests/fixtures/browser, whose team/ folder holds four agents' results files, one with a bad
// line and a line of another agent, and two assignments), in Chromium under the app's CSP, at the
// smallest supported width (1024 px): the matrix with its twelve category columns scrolls
// sideways inside its panel with the names kept in view; 小红's slow first response is marked;
// her trend draws; the findings are the core's sentences. Then Settings → 团队 turns sharing on
// and shows the file's last lines.
//
//   make browser-test

import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { join } from "node:path";
import { SHOTS, api, openApp, start, stop } from "./harness.mjs";

let env;

before(async () => {
  env = await start();
});

after(async () => {
  await stop(env);
});

async function openTeam(page) {
  await page.getByTestId("btn-team").click();
  await page.getByTestId("team-matrix").waitFor();
}

/** Nothing on the page scrolls sideways but the matrix itself. */
async function assertOnlyMatrixScrolls(page, where) {
  const m = await page.evaluate(() => {
    const s = document.querySelector(".page-scroll");
    const box = document.querySelector(".matrix-scroll");
    return {
      page: [s.scrollWidth, s.clientWidth],
      doc: [document.documentElement.scrollWidth, document.documentElement.clientWidth],
      matrix: [box.scrollWidth, box.clientWidth],
    };
  });
  assert.ok(m.page[0] <= m.page[1] + 1, `${where}: the page is ${m.page[0]}px wide in ${m.page[1]}px`);
  assert.ok(m.doc[0] <= m.doc[1] + 1, `${where}: the document is ${m.doc[0]}px wide in ${m.doc[1]}px`);
  return m.matrix;
}

/** Waits until every chart on the page has drawn pixels (Chart.js under the CSP). */
async function waitChartsDrawn(page, n) {
  await page.waitForFunction(
    (count) => {
      const canvases = Array.from(document.querySelectorAll(".chart canvas"));
      return (
        canvases.length === count &&
        canvases.every((c) => {
          if (!(c instanceof HTMLCanvasElement) || c.width === 0) return false;
          const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
          for (let k = 3; k < data.length; k += 4) if (data[k] !== 0) return true;
          return false;
        })
      );
    },
    n,
    { timeout: 5000 },
  );
}

describe("组长看板 at 1024×720", () => {
  test("matrix, 小红's slow first response, her trend, the findings; only the matrix scrolls sideways", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1024, height: 720 });
    try {
      await openTeam(page);
      const view = await api(env, "team_view");
      assert.deepEqual(view.agents.map((a) => a.name).sort(), ["小明", "小李", "小红", "老王"].sort());
      assert.equal(view.categories.length, 12);

      // One row per agent and the team average last.
      const names = await page.locator("[data-testid=team-matrix] tbody .agent-name").allTextContents();
      assert.deepEqual(names, view.agents.map((a) => a.name));
      assert.equal(await page.locator("[data-testid=team-matrix] tfoot th").textContent(), "团队平均");
      // 小红: a worse first response, marked by colour and ▼.
      const slow = page.locator('[data-testid=team-matrix] tr[data-agent="xiaohong"] td[data-col="response"]');
      assert.equal(await slow.getAttribute("data-standing"), "worse");
      assert.match((await slow.getAttribute("class")) ?? "", /\bst-worse\b/);
      assert.equal(await slow.locator(".cue").textContent(), "▼");
      const hong = view.agents.find((a) => a.id === "xiaohong");
      assert.equal(hong.overall.response_vs, "worse");
      assert.equal(await slow.locator(".v").textContent(), hong.overall.first_response_s.toFixed(1));
      // The colour differs from a plain cell's.
      const bg = await slow.evaluate((el) => getComputedStyle(el).backgroundColor);
      const plain = await page
        .locator('[data-testid=team-matrix] tr[data-agent="xiaohong"] td[data-col="d7"]')
        .evaluate((el) => getComputedStyle(el).backgroundColor);
      assert.notEqual(bg, plain);

      // Her finding, the core's sentence, starts with her name.
      const finding = page.locator('.finding[data-agent="xiaohong"] .finding-text').first();
      assert.match((await finding.textContent()) ?? "", /^小红：/);
      assert.equal(await finding.textContent(), view.findings.find((f) => f.agent === "xiaohong").text_zh);
      // The team files' problems are listed, the rest still counted.
      assert.match((await page.getByTestId("team-problems").textContent()) ?? "", /团队文件里有 2 个问题/);

      // Twelve category columns do not fit 1024 px: the matrix scrolls, the page does not.
      const [scrollW, clientW] = await assertOnlyMatrixScrolls(page, "team view");
      assert.ok(scrollW > clientW, `the matrix fits (${scrollW} ≤ ${clientW}): no sideways scroll to test`);
      await page.screenshot({ path: join(SHOTS, "team.png") });

      // Scrolled to the last category, the names stay at the left edge.
      const nameBox = async () => page.locator('[data-testid=team-matrix] tr[data-agent="xiaohong"] .name-col').boundingBox();
      const before = await nameBox();
      await page.locator(".matrix-scroll").evaluate((el) => (el.scrollLeft = el.scrollWidth));
      await page.waitForTimeout(50);
      const afterScroll = await nameBox();
      assert.ok(Math.abs(afterScroll.x - before.x) < 1, `the name column moved from ${before.x} to ${afterScroll.x}`);
      const last = page.locator('[data-testid=team-matrix] thead th[data-col="cat:结束语"]');
      const lastBox = await last.boundingBox();
      const scroller = await page.locator(".matrix-scroll").boundingBox();
      assert.ok(lastBox.x + lastBox.width <= scroller.x + scroller.width + 1, "the last category column is reachable");
      await page.screenshot({ path: join(SHOTS, "team-scrolled.png") });
      await page.locator(".matrix-scroll").evaluate((el) => (el.scrollLeft = 0));

      // Sorting by first response puts 小红 first.
      await page.locator('[data-testid=team-matrix] thead th[data-col="response"] button').click();
      assert.equal(await page.locator("[data-testid=team-matrix] tbody tr").first().getAttribute("data-agent"), "xiaohong");

      // Her trend: weekly score and first response against the team, drawn.
      await page.locator('[data-testid=team-matrix] tr[data-agent="xiaohong"] .agent-name').click();
      await page.getByTestId("agent-trend").waitFor();
      await waitChartsDrawn(page, 2);
      const trend = await api(env, "team_agent", { id: "xiaohong" });
      assert.equal(await page.locator(".recent-table tbody tr").count(), trend.recent.length);
      await assertOnlyMatrixScrolls(page, "with the trend");
      await page.getByTestId("agent-trend").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "team-trend.png") });

      // The lower panels.
      await page.locator(".usage-panel").scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(SHOTS, "team-lower.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });

  test("dark theme at 1280×800: the standings stay readable", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1280, height: 800, colorScheme: "dark" });
    try {
      await openTeam(page);
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), "dark");
      const colours = await page.locator('[data-testid=team-matrix] tr[data-agent="xiaohong"] td[data-col="response"]').evaluate((el) => {
        const s = getComputedStyle(el);
        return [s.color, s.backgroundColor];
      });
      assert.notEqual(colours[0], colours[1]);
      await page.locator(".btn-assign").first().waitFor();
      await page.screenshot({ path: join(SHOTS, "team-dark.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("settings → 团队", () => {
  test("sharing on: the file and its last lines exactly as written", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1024, height: 720 });
    try {
      // A name, so that the file has a line to show (the profile line) before any practice.
      await api(env, "set_profile_name", { name: "林晓" });
      await page.getByRole("button", { name: "设置" }).click();
      await page.getByTestId("team-settings").waitFor();
      const share = page.getByRole("checkbox", { name: /与团队共享练习结果/ });
      await page.waitForFunction(() => !document.querySelector('input[name="share"]')?.disabled);
      assert.equal(await share.isChecked(), false);
      await page.getByRole("textbox", { name: "客服编号" }).fill("林 晓");
      await share.click();
      // The core refuses the id and says why.
      await page.getByTestId("share-error").waitFor();
      assert.match((await page.getByTestId("share-error").textContent()) ?? "", /not a valid agent id/);
      assert.equal(await share.isChecked(), false);
      await page.getByRole("textbox", { name: "客服编号" }).fill("linxiao");
      await share.click();
      await page.getByTestId("share-path").waitFor();
      assert.equal(await share.isChecked(), true);
      const status = await api(env, "share_status");
      assert.equal(status.enabled, true);
      assert.equal(await page.getByTestId("share-path").textContent(), "team/results/linxiao.jsonl");
      assert.ok(status.preview.length > 0, "the profile line is shared");
      assert.match(status.preview[0], /"type":"profile".*"name":"林晓"/);
      assert.equal(await page.getByTestId("share-preview").textContent(), status.preview.join("\n"));
      await page.getByTestId("team-settings").scrollIntoViewIfNeeded();
      await page.waitForTimeout(1800); // let the toast go
      await page.screenshot({ path: join(SHOTS, "settings-team.png") });
      // Off keeps the file unless asked.
      await share.click();
      await page.getByRole("button", { name: "停止共享", exact: true }).click();
      await page.waitForFunction(() => !document.querySelector('input[name="share"]')?.checked);
      assert.equal((await api(env, "share_status")).enabled, false);
      // The refused id was a 400 from the core; nothing else went wrong.
      assert.deepEqual(errors.filter((e) => !/status of 400/.test(e)), []);
    } finally {
      await context.close();
    }
  });
});
