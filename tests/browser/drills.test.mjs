// The drills area in the built UI (ui/dist) against the real core (`kefu serve`: real scoring,
// a real SQLite practice database in a fresh data folder), in Chromium under the app's CSP:
// 练习 home → a five-drill session typed through a simulated pinyin IME (Chrome DevTools Protocol
// Input.imeSetComposition / Input.insertText, so the browser itself fires the composition and
// input events) → result breakdowns → summary → progress charts.
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

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * A pinyin IME: each key is a `Process` key-down that updates the composition; space commits.
 * `ime.pace` is the pause before each key (ms), for human-like timing where it matters.
 */
function imeTyper(cdp) {
  const key = (type, code, extra = {}) =>
    cdp.send("Input.dispatchKeyEvent", { type, key: "Process", code, windowsVirtualKeyCode: 229, nativeVirtualKeyCode: 229, ...extra });
  const ime = async function ime(pinyin, commit) {
    for (let i = 0; i < pinyin.length; i++) {
      const code = `Key${pinyin[i].toUpperCase()}`;
      if (ime.pace) await sleep(ime.pace);
      await key("rawKeyDown", code);
      await cdp.send("Input.imeSetComposition", { text: pinyin.slice(0, i + 1), selectionStart: i + 1, selectionEnd: i + 1 });
      await key("keyUp", code);
    }
    if (ime.pace) await sleep(ime.pace);
    await key("rawKeyDown", "Space");
    // Committing the candidate ends the composition (compositionend with the committed text).
    await cdp.send("Input.insertText", { text: commit });
    await key("keyUp", "Space", { key: " ", windowsVirtualKeyCode: 32, nativeVirtualKeyCode: 32 });
  };
  ime.pace = 0;
  return ime;
}

/** Types words with the IME and punctuation as plain inserts: ["qin:亲", "，", …]. */
async function typeReply(page, ime, parts) {
  for (const p of parts) {
    const m = /^([a-z]+):(.+)$/.exec(p);
    if (m) await ime(m[1], m[2]);
    else await page.keyboard.insertText(p);
  }
}

async function openDrills(page) {
  await page.getByRole("navigation").getByRole("button", { name: "练习" }).click();
  await page.getByTestId("due-today").waitFor();
  await page
    .waitForFunction(() => document.querySelectorAll(".plan-item .cat-tag").length === 5, null, { timeout: 15_000 })
    .catch(async (e) => {
      await page.screenshot({ path: join(SHOTS, "drills-home-failed.png") });
      const text = await page.locator("main").innerText();
      throw new Error(`the drills home did not show a 5-drill plan (${e.message}); page: ${text.slice(0, 300)}`);
    });
}

/** Waits until the player has logged `shown` (the message was painted). */
async function waitShown(page) {
  await page.locator(".player textarea.answer, .player input[name=findit]").first().waitFor();
  await page.waitForFunction(() => {
    const t = document.querySelector("[data-testid=countdown] .countdown-text")?.textContent;
    return t !== undefined;
  });
  await page.waitForTimeout(120);
}

/** The page does not scroll sideways (everything fits the window). */
async function assertNoSideScroll(page, where) {
  const { scroll, client } = await page.evaluate(() => {
    const s = document.querySelector(".page-scroll") ?? document.documentElement;
    return { scroll: Math.max(s.scrollWidth, document.documentElement.scrollWidth), client: Math.max(s.clientWidth, 1) };
  });
  assert.ok(scroll <= client + 1, `${where}: content ${scroll}px wider than ${client}px`);
}

/** Waits until all four progress charts have drawn pixels (Chart.js runs under the CSP). */
async function waitChartsDrawn(page) {
  await page.waitForFunction(
    () => {
      const canvases = Array.from(document.querySelectorAll(".chart canvas"));
      return (
        canvases.length === 4 &&
        canvases.every((c) => {
          if (!(c instanceof HTMLCanvasElement) || c.width === 0) return false;
          const data = c.getContext("2d")?.getImageData(0, 0, c.width, c.height).data ?? [];
          for (let k = 3; k < data.length; k += 4) if (data[k] !== 0) return true;
          return false;
        })
      );
    },
    null,
    { timeout: 5000 },
  );
}

describe("drills: home → 5-drill session with IME typing → summary → progress", () => {
  test("1280×800", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1280, height: 800 });
    try {
      const cdp = await context.newCDPSession(page);
      const ime = imeTyper(cdp);

      // Search stays the default view.
      assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("role")), "combobox");
      const navSearch = page.getByRole("navigation").getByRole("button", { name: "查找" });
      assert.equal(await navSearch.getAttribute("aria-current"), "page");

      // ---- home: a new hire's first session is the 开场 step of the first-week path.
      await openDrills(page);
      const home = await api(env, "drill_home");
      assert.equal(home.attempts, 0);
      assert.equal(await page.getByTestId("due-today").textContent(), String(home.due_today));
      // The lead's assignment for everyone (tests/fixtures/browser/team: 开场's first drill) comes first.
      assert.deepEqual(home.plan.map((p) => p.reason), ["assigned", "path", "path", "path", "path"]);
      assert.deepEqual(await page.locator(".plan-item .reason-badge").allTextContents(), ["组长布置", "新手路径", "新手路径", "新手路径", "新手路径"]);
      assert.equal(await page.locator("[data-testid=my-assignments] .assigned-item").count(), home.assignments.length);
      assert.equal(await page.locator('.path-step[data-state="done"]').count(), 0);
      assert.equal(await page.locator('.path-step[data-state="current"] .path-cat').textContent(), "开场");
      const name = page.getByRole("textbox", { name: "学员" });
      await name.fill("林晓");
      await name.press("Enter");
      await page.getByTestId("profile-name").waitFor();
      assert.equal((await api(env, "drill_home")).profile_name, "林晓");
      await page.waitForTimeout(1800); // let the toast go
      await page.screenshot({ path: join(SHOTS, "drills-home.png") });

      // ---- drill 1: typed through the IME
      await page.getByRole("button", { name: "开始练习（5题）" }).click();
      await waitShown(page);
      assert.equal(await page.getByTestId("drill-of").textContent(), "第 1/5 题");
      assert.equal(await page.locator(".bubble-customer").first().textContent(), "在吗");
      assert.match((await page.getByTestId("countdown").textContent()) ?? "", /0:(20|19|18)/);
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains("answer")), true);
      // Read the message, then type at a trainee's pace (~110 ms a key).
      await sleep(1500);
      ime.pace = 110;
      await typeReply(page, ime, ["qin:亲", "，", "nihao:您好", "～", "huanyingguanglin:欢迎光临", "，", "woshi:我是", "kefuxiaolin:客服小林"]);
      ime.pace = 0;
      assert.equal(await page.locator("textarea.answer").inputValue(), "亲，您好～欢迎光临，我是客服小林");
      await page.screenshot({ path: join(SHOTS, "drill-player.png") });
      await page.keyboard.press("Control+Enter");
      await page.getByTestId("drill-result").waitFor();

      // The core got the event log with the IME's composition events.
      const sent = await page.evaluate(() => window.__kefuServe.submissions[0]);
      assert.equal(sent.drill_id, "drills/kaichang");
      assert.equal(sent.mode, "reply");
      assert.equal(sent.reply, "亲，您好～欢迎光临，我是客服小林");
      const kinds = sent.events.map((e) => e.kind);
      assert.equal(kinds[0], "shown");
      assert.equal(kinds.at(-1), "submit");
      const ends = sent.events.filter((e) => e.kind === "composition_end").map((e) => e.data);
      assert.deepEqual(ends, ["亲", "您好", "欢迎光临", "我是", "客服小林"]);
      assert.ok(sent.events.some((e) => e.kind === "composition_update" && e.data === "huanyingguanglin"));
      assert.ok(sent.events.some((e) => e.kind === "input" && e.is_composing && e.input_type === "insertCompositionText"));
      assert.ok(sent.events.some((e) => e.kind === "key_down" && e.key === "Process" && e.is_composing));
      assert.ok(sent.events.some((e) => e.kind === "input" && !e.is_composing && e.input_type === "insertText" && e.data === "，"));

      // The breakdown is the core's: score, parts, found and missing elements.
      const result = await page.evaluate(() => window.__kefuServe.results[0]);
      const score = Number(await page.getByTestId("score").textContent());
      assert.equal(score, result.score);
      assert.ok(score >= 60, `score ${score}`);
      assert.deepEqual(await page.locator(".comp").evaluateAll((els) => els.map((e) => e.getAttribute("data-name"))), ["elements", "similarity", "speed"]);
      const ok = await page.locator(".check-ok .check-name").allTextContents();
      assert.deepEqual(ok, ["称呼/问候", "欢迎语", "自我介绍"]);
      assert.equal(await page.locator(".check-missing .check-name").count(), 1);
      assert.match((await page.locator(".check-missing .check-name").textContent()) ?? "", /引导需求/);
      // The longest pattern found is what counted (您好 over 亲, 客服小 over 我是).
      assert.deepEqual(await page.getByTestId("marked-reply").locator("mark").allTextContents(), ["您好", "欢迎", "客服小"]);
      const metric = (k) => page.locator(`[data-metric="${k}"] .metric-value`).textContent();
      assert.equal(await metric("pasted"), "0");
      assert.notEqual(await metric("kpc"), "—");
      await page.screenshot({ path: join(SHOTS, "drill-result.png") });

      // ---- drills 2–5: the rest of the 开场 step
      const replies = [
        ["qin:亲", "，", "huanyinghuilai:欢迎回来", "～", "woshi:我是", "kefuxiaomei:客服小美", "，", "xiexienin:谢谢您", "youlai:又来", "guanggu:光顾"],
        ["nihao:您好", "qin:亲", "，", "huanyingguanglin:欢迎光临", "！", "mma:M码", "youhuode:有货的", "，", "fangbian:方便", "shuoxia:说下", "shengaotizhong:身高体重", "ma:吗"],
        ["shizai:实在", "baoqian:抱歉", "rang:让", "ninjiudengle:您久等了", "！", "woshi:我是", "kefuxiaolin:客服小林", "，", "jintian:今天", "nengfa:能发"],
        ["qin:亲", "，", "woshi:我是", "rengongkefu:人工客服", "xiaozhou:小周", "，", "baoqian:抱歉", "，", "nin:您", "youshenme:有什么", "xuyao:需要"],
      ];
      for (const [i, parts] of replies.entries()) {
        await page.locator(".btn-next").click();
        await page.waitForFunction((n) => document.querySelector("[data-testid=drill-of]")?.textContent === `第 ${n}/5 题`, i + 2);
        await waitShown(page);
        await typeReply(page, ime, parts);
        await page.keyboard.press("Control+Enter");
        await page.getByTestId("drill-result").waitFor();
        await page.waitForFunction((n) => window.__kefuServe.results.length === n, i + 2);
      }
      await page.locator(".btn-next").click();

      // ---- summary
      const summary = page.getByTestId("session-summary");
      await summary.waitFor();
      assert.equal(await summary.locator("tbody tr").count(), 5);
      const subs = await page.evaluate(() => window.__kefuServe.submissions);
      assert.equal(subs.length, 5);
      assert.equal(new Set(subs.map((s) => s.session_id)).size, 1);
      assert.ok(subs.every((s) => s.events.some((e) => e.kind === "composition_end")));
      const scores = await page.evaluate(() => window.__kefuServe.results.map((r) => r.score));
      const avg = Math.round(scores.reduce((a, b) => a + b, 0) / 5);
      assert.equal(await page.getByTestId("average").textContent(), String(avg));
      assert.ok((await summary.locator(".to-fix .check-item").count()) > 0);
      await page.screenshot({ path: join(SHOTS, "drill-summary.png") });

      // ---- progress: charts drawn (Chart.js under the CSP), bests, per-category table
      await summary.getByRole("button", { name: "进度" }).click();
      await page.getByTestId("best-score").waitFor();
      await waitChartsDrawn(page);
      assert.match((await page.getByTestId("target-rate").textContent()) ?? "", /首次响应目标 30 秒/);
      assert.deepEqual(await page.locator(".category-table tbody tr").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-category"))), ["开场"]);
      // The five answers are in the practice database.
      assert.equal((await api(env, "drill_home")).attempts, 5);
      assert.equal(await page.locator("[data-testid=best-score] .best-n").textContent(), String(Math.max(...scores)));

      // 查找 is one click away; the hotkey behaviour is unchanged.
      await navSearch.click();
      await page.waitForFunction(() => document.activeElement?.getAttribute("role") === "combobox");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("progress", () => {
  test("after a session: charts, bests and the 30 s target are the core's", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 1280, height: 800 });
    try {
      const progress = await api(env, "drill_progress");
      assert.ok(progress.points.length >= 5, "the session above is recorded");
      await openDrills(page);
      await page.locator(".progress-card").click();
      await page.getByTestId("best-score").waitFor();
      await waitChartsDrawn(page);
      assert.equal(await page.locator("[data-testid=best-score] .best-n").textContent(), String(progress.best_score));
      assert.equal(
        await page.locator("[data-testid=target-rate] .best-n").textContent(),
        `${Math.round(progress.response_target_rate * 100)}%`,
      );
      await page.screenshot({ path: join(SHOTS, "progress.png") });
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});

describe("drills in the compact window (420×600, dark)", () => {
  test("home, player, result and summary fit; paste is blocked and reported", async () => {
    const { context, page, errors } = await openApp(env.browser, env.baseUrl, { width: 420, height: 600, colorScheme: "dark" });
    try {
      const cdp = await context.newCDPSession(page);
      const ime = imeTyper(cdp);
      await openDrills(page);
      await assertNoSideScroll(page, "home");
      // The start button is reachable without scrolling past the plan.
      const startBox = await page.getByRole("button", { name: "开始练习（5题）" }).boundingBox();
      assert.ok(startBox && startBox.y + startBox.height <= 600 - 24, `start button below the fold: ${JSON.stringify(startBox)}`);
      await page.getByRole("button", { name: "开始练习（5题）" }).click();
      await waitShown(page);
      await assertNoSideScroll(page, "player");

      // A paste is blocked (the drill does not allow it) and reported with the answer.
      await page.evaluate(() => {
        const el = document.querySelector("textarea.answer");
        const dt = new DataTransfer();
        dt.setData("text/plain", "亲，在的，欢迎光临");
        el.dispatchEvent(new ClipboardEvent("paste", { clipboardData: dt, bubbles: true, cancelable: true }));
      });
      await page.getByText("本题不允许粘贴：已拦截并记录").waitFor();
      assert.equal(await page.locator("textarea.answer").inputValue(), "");
      await typeReply(page, ime, ["zaide:在的", "qin:亲"]);
      await page.keyboard.press("Control+Enter");
      await page.getByTestId("drill-result").waitFor();
      await assertNoSideScroll(page, "result");
      const sent = await page.evaluate(() => window.__kefuServe.submissions[0]);
      assert.deepEqual(sent.events.filter((e) => e.kind === "paste").map((e) => e.data), ["亲，在的，欢迎光临"]);
      assert.equal(await page.locator('[data-metric="pasted"] .metric-value').textContent(), "9");
      await page.screenshot({ path: join(SHOTS, "compact-drill-result.png") });

      for (let n = 2; n <= 5; n++) {
        await page.locator(".btn-next").click();
        await waitShown(page);
        await typeReply(page, ime, ["qin:亲", "xiexie:谢谢"]);
        await page.keyboard.press("Control+Enter");
        await page.getByTestId("drill-result").waitFor();
      }
      await page.locator(".btn-next").click();
      await page.getByTestId("session-summary").waitFor();
      await assertNoSideScroll(page, "summary");
      await page.getByRole("button", { name: "进度" }).click();
      await page.getByTestId("best-score").waitFor();
      await assertNoSideScroll(page, "progress");
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
