// The drills area on the stub backend: homes, prompts, results and progress are what the real
// core answered (src/test/fixtures.json). An answer typed in a test has a real-time event log that
// cannot be replayed exactly, so `drill_submit` answers with the recorded result of the same drill,
// mode and reply (its log typed the same keys: src/test/fixture-calls.json).

import type { ScoreBreakdown } from "./lib/bindings/ScoreBreakdown";
import { describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import DrillResultView from "./components/drill/DrillResultView.svelte";
import type { DrillPrompt } from "./lib/bindings/DrillPrompt";
import type { DrillResult } from "./lib/bindings/DrillResult";
import type { SubmitRequest } from "./lib/bindings/SubmitRequest";
import { setLanguage } from "./lib/i18n.svelte";
import { pasteEvent, submitChord, typeIme } from "./test/ime";
import { StubBackend, fixture, recorded } from "./test/stub";
import { trackStubs } from "./test/track";

const stubs = trackStubs();

/** The recorded call of the same drill, mode, reply (and found document) as `req`. */
function recordedSubmit(req: SubmitRequest) {
  const hit = recorded("drill_submit").find(
    (r) =>
      r.ok &&
      r.args.req.drill_id === req.drill_id &&
      r.args.req.mode === req.mode &&
      r.args.req.reply === req.reply &&
      r.args.req.found_doc === req.found_doc,
  );
  if (!hit) throw new Error(`no recorded drill_submit of ${req.drill_id} (${req.mode}) «${req.reply}»: add one to fixture-calls.json`);
  return { req: hit.args.req, result: hit.ok! };
}

/** The core's result for the same drill, mode, reply (and found document) as `req`. */
const recordedResult = (req: SubmitRequest): DrillResult => recordedSubmit(req).result;

/** A stub whose submits answer with the recorded results; `results` are the answers given, in order. */
function drillStub() {
  const backend = new StubBackend();
  const results: DrillResult[] = [];
  backend.on("drill_submit", ({ req }) => {
    const r = recordedResult(req);
    results.push(r);
    return r;
  });
  return { backend, results };
}

function setup(backend = drillStub().backend) {
  stubs.use(backend);
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000 } } });
  return { backend, ...view };
}

/** The home after some practice (recorded after the session's answers and three good ones). */
const practisedHome = () => fixture("drill_home", {}, 1);

const nav = (name: string) => within(screen.getByRole("navigation")).getByRole("button", { name });

async function openDrills() {
  await fireEvent.click(nav("练习"));
  await screen.findByTestId("due-today");
  // The plan's titles come from the prompts.
  await waitFor(() => expect(document.querySelectorAll(".plan-item .cat-tag").length).toBe(5));
}

async function startSession(mode?: string) {
  await openDrills();
  if (mode) await fireEvent.click(screen.getByRole("radio", { name: new RegExp(mode) }));
  await fireEvent.click(screen.getByRole("button", { name: /开始练习（5题）/ }));
  await waitFor(() => expect(document.querySelector(".player")).not.toBeNull());
}

const answerBox = () => screen.getByRole("textbox", { name: /你的回复|照打参考回复/ }) as HTMLTextAreaElement;

/** Types a reply with the IME and submits it with Ctrl+Enter; waits for the result. */
async function answer(steps: Parameters<typeof typeIme>[1]) {
  const box = answerBox();
  // `shown` is logged once the message is painted.
  await new Promise((r) => setTimeout(r, 40));
  typeIme(box, steps);
  submitChord(box);
  await screen.findByTestId("drill-result");
}

const pathSteps = () =>
  Array.from(document.querySelectorAll(".path-step")).map((e) => [e.getAttribute("data-category"), e.getAttribute("data-state")]);
const reasons = () => Array.from(document.querySelectorAll(".plan-item .reason-badge")).map((e) => e.textContent);

describe("drills home", () => {
  test("练习 shows due reviews, the first-week path, the plan with reasons and the modes; 查找 goes back", async () => {
    setup();
    const search = screen.getByRole("combobox");
    expect(nav("查找").getAttribute("aria-current")).toBe("page");
    await openDrills();
    const home = fixture("drill_home", {});
    expect(nav("练习").getAttribute("aria-current")).toBe("page");
    // A new trainee: nothing due, the path starts at 开场 and the plan follows it.
    expect(screen.getByTestId("due-today").textContent).toBe(String(home.due_today));
    expect(pathSteps()).toEqual([
      ["开场", "current"],
      ["催发货", "locked"],
      ["物流异常", "locked"],
      ["退款", "locked"],
      ["安抚投诉", "locked"],
      ["关联销售", "locked"],
    ]);
    // The lead's assignment for everyone (tests/fixtures/browser/team) comes first, then the path.
    expect(home.plan.map((p) => p.reason)).toEqual(["assigned", "path", "path", "path", "path"]);
    expect(reasons()).toEqual(["组长布置", "新手路径", "新手路径", "新手路径", "新手路径"]);
    expect(Array.from(document.querySelectorAll(".plan-item")).map((e) => e.getAttribute("data-id"))).toEqual(home.plan.map((p) => p.drill_id));
    expect(document.querySelector(".plan-item .plan-title")?.textContent).toBe(fixture("drill_prompt", { id: home.plan[0]!.drill_id }).title);
    expect(document.querySelector(".plan-item .plan-title")?.textContent).toBe("买家只发了一句“在吗”");
    expect(screen.getAllByRole("radio").map((r) => (r as HTMLInputElement).value)).toEqual(["reply", "accuracy", "find_it"]);
    expect((screen.getByRole("radio", { name: /回复练习/ }) as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(nav("查找"));
    await waitFor(() => expect(document.activeElement).toBe(search));
    expect(document.querySelector(".welcome")).not.toBeNull();
  });

  test("after some practice: a step done, the current step's count, reviews due", async () => {
    const backend = drillStub().backend.on("drill_home", practisedHome);
    setup(backend);
    await openDrills();
    const home = practisedHome();
    expect(home.due_today).toBeGreaterThan(0);
    expect(screen.getByTestId("due-today").textContent).toBe(String(home.due_today));
    expect(pathSteps()).toEqual([
      ["开场", "done"],
      ["催发货", "current"],
      ["物流异常", "locked"],
      ["退款", "locked"],
      ["安抚投诉", "locked"],
      ["关联销售", "locked"],
    ]);
    expect(document.querySelector('.path-step[data-category="催发货"]')?.textContent).toContain("1/2 次达标");
    expect(document.querySelectorAll(".plan-item .plan-title")[0]?.textContent).toBe(fixture("drill_prompt", { id: home.plan[0]!.drill_id }).title);
    expect(reasons()).toEqual(home.plan.map(() => "新手路径"));
  });

  test("the lead's assignments come first: title, due date, done/total, note and who assigned it", async () => {
    setup();
    await openDrills();
    const [mine] = fixture("drill_home", {}).assignments;
    expect(mine).toBeDefined();
    const list = screen.getByTestId("my-assignments");
    // Above everything else on the page.
    expect(document.querySelector(".drills-page")?.firstElementChild).toBe(list);
    expect(within(list).getByRole("heading").textContent).toBe("组长布置的练习");
    const item = list.querySelector<HTMLElement>(`.assigned-item[data-id="${mine!.assignment.id}"]`)!;
    expect(item.querySelector(".assigned-title")?.textContent).toBe(mine!.title_zh);
    expect(item.querySelector(".assigned-title")?.textContent).toBe("练习「买家只发了一句“在吗”」");
    expect(item.querySelector(".assigned-due")?.textContent).toBe(`${mine!.assignment.due} 到期`);
    expect(item.textContent).toContain(`${mine!.assignment.by} 布置`);
    expect(within(item).getByTestId("assigned-done").textContent).toBe(`完成 ${mine!.progress.done}/${mine!.progress.total}`);
    // Not past its due date on the recording's day: no overdue badge.
    expect(mine!.progress.overdue).toBe(false);
    expect(item.querySelector(".overdue-badge")).toBeNull();
  });

  test("with this machine's agent id: the lead's overdue assignment for them, with its note, and its drills first in the plan", async () => {
    // Recorded after setting the agent id to xiaoming (sharing off): 王组长's 退款 assignment for him is overdue.
    const home = fixture("drill_home", {}, 2);
    setup(drillStub().backend.on("drill_home", () => home));
    await openDrills();
    const late = home.assignments.find((a) => a.progress.overdue)!;
    expect(late.assignment.note).toBe("退款进度要说清楚时间");
    const items = Array.from(screen.getByTestId("my-assignments").querySelectorAll<HTMLElement>(".assigned-item"));
    expect(items.map((i) => i.dataset.id)).toEqual(home.assignments.map((a) => a.assignment.id));
    const item = items.find((i) => i.dataset.id === late.assignment.id)!;
    expect(item.classList.contains("is-overdue")).toBe(true);
    expect(item.querySelector(".overdue-badge")?.textContent).toBe("已逾期");
    expect(item.querySelector(".assigned-title")?.textContent).toBe("「退款」类全部练习");
    expect(item.querySelector(".assigned-note")?.textContent).toBe("“退款进度要说清楚时间”");
    expect(item.textContent).toContain("王组长 布置");
    expect(within(item).getByTestId("assigned-done").textContent).toBe(`完成 ${late.progress.done}/${late.progress.total}`);
    // Only the overdue one has the badge.
    expect(document.querySelectorAll("[data-testid=my-assignments] .overdue-badge")).toHaveLength(home.assignments.filter((a) => a.progress.overdue).length);
    expect(reasons()).toEqual(home.plan.map(() => "组长布置"));
  });

  test("the trainee's name is saved with setProfileName", async () => {
    const { backend } = setup();
    await openDrills();
    const input = screen.getByRole("textbox", { name: "学员" });
    await fireEvent.input(input, { target: { value: "  林晓 " } });
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await waitFor(() => expect(screen.getByTestId("profile-name").textContent).toBe("林晓"));
    expect(backend.argsOf("set_profile_name")).toEqual([{ name: "林晓" }]);
    await screen.findByText("名字已保存");
  });

  test("Esc on the drills home goes back to search", async () => {
    setup();
    await openDrills();
    await fireEvent.keyDown(document.body, { key: "Escape" });
    await waitFor(() => expect(document.querySelector(".welcome")).not.toBeNull());
  });
});

describe("session player", () => {
  test("IME reply → Ctrl+Enter → breakdown; the log holds the composition; five drills → summary", async () => {
    const { backend, results } = drillStub();
    setup(backend);
    await startSession();
    // The customer's message as a bubble, persona, countdown from the time limit.
    expect(screen.getByText("在吗").classList.contains("bubble")).toBe(true);
    expect(screen.getByTestId("countdown").textContent).toContain("0:20");
    expect(screen.getByTestId("drill-of").textContent).toBe("第 1/5 题");
    await waitFor(() => expect(document.activeElement).toBe(answerBox()));
    // Submitting needs some text.
    expect((screen.getByRole("button", { name: "提交" }) as HTMLButtonElement).disabled).toBe(true);

    await answer([{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "zaide", commit: "在的" }]);

    const req = backend.argsOf("drill_submit")[0]!.req;
    expect(req).toMatchObject({ drill_id: "drills/kaichang", mode: "reply", reply: "亲，在的" });
    expect(req.session_id).toBeTruthy();
    expect(req.events[0]?.kind).toBe("shown");
    expect(req.events[req.events.length - 1]?.kind).toBe("submit");
    expect(req.events.filter((e) => e.kind === "composition_end").map((e) => e.data)).toEqual(["亲", "在的"]);
    expect(req.events.some((e) => e.kind === "input" && e.is_composing && e.input_type === "insertCompositionText")).toBe(true);
    // The same keys as the recorded log the core scored (only the times differ).
    const keys = (events: SubmitRequest["events"]) => events.filter((e) => e.kind === "key_down").map((e) => e.key);
    expect(keys(req.events)).toEqual(keys(recordedSubmit(req).req.events));

    // The breakdown: score, components, ✓ with the matched text marked in the reply, ✗ with hints.
    const first = results[0]!;
    const result = screen.getByTestId("drill-result");
    expect(screen.getByTestId("score").textContent).toBe(String(first.score));
    expect(result.getAttribute("data-score")).toBe(String(first.score));
    expect(Array.from(result.querySelectorAll(".comp")).map((c) => c.getAttribute("data-name"))).toEqual(["elements", "similarity", "speed"]);
    expect(within(result).getByText("称呼/问候").closest(".check-ok")?.querySelector("mark")?.textContent).toBe("亲");
    expect(Array.from(screen.getByTestId("marked-reply").querySelectorAll("mark.hit-element")).map((m) => m.textContent)).toEqual(["亲"]);
    const missing = Array.from(result.querySelectorAll(".check-missing .check-name")).map((e) => e.textContent);
    expect(missing).toEqual(["要素欢迎", "要素自我介绍", "要素引导需求"]);
    expect(result.querySelector(".check-missing .check-hint")?.textContent).toBe("可以说：欢迎 / 很高兴为您服务 / 为您服务");
    expect(screen.getByTestId("similarity").textContent).toMatch(/^相似度 \d+%$/);
    // Metrics from the core: q i n ␣ ， z a i d e ␣ = 11 keys for 4 committed characters.
    const metric = (k: string) => result.querySelector(`[data-metric="${k}"] .metric-value`)?.textContent;
    expect([first.metrics.keystrokes, first.metrics.committed_chars]).toEqual([11, 4]);
    expect(metric("kpc")).toBe("2.8");
    expect(metric("backspaces")).toBe("0");
    expect(metric("pasted")).toBe("0");
    expect(result.textContent).toContain("下次复习");
    expect(result.textContent).toContain(`全部参考回复（${first.references.length}）`);

    // Next drills: the third uses a banned word (极限词), marked and subtracted.
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 2/5 题"));
    await answer([{ pinyin: "haode", commit: "好的" }]);
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 3/5 题"));
    await answer([{ pinyin: "qin", commit: "亲" }, { pinyin: "baoqian", commit: "抱歉" }, { text: "！" }, { pinyin: "quanwangzuidi", commit: "全网最低" }]);
    const banned = screen.getByTestId("drill-result").querySelector(".check-banned");
    expect(results[2]!.breakdown.banned.map((b) => [b.group, b.word, b.penalty])).toEqual([["极限词", "全网最低", 15]]);
    expect(banned?.textContent).toContain("极限词");
    expect(banned?.textContent).toContain("−15 分");
    expect(screen.getByTestId("marked-reply").querySelector("mark.hit-banned")?.textContent).toBe("全网最低");
    expect(document.querySelector('.comp[data-name="penalty"] .comp-val')?.textContent).toBe("-15");

    for (const n of [4, 5]) {
      await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
      await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe(`第 ${n}/5 题`));
      await answer([{ pinyin: "qin", commit: "亲" }, { pinyin: "xiexie", commit: "谢谢" }]);
    }
    await fireEvent.click(screen.getByRole("button", { name: /查看总结/ }));
    const summary = await screen.findByTestId("session-summary");
    expect(summary.querySelectorAll("tbody tr")).toHaveLength(5);
    const scores = results.map((r) => r.score);
    expect(screen.getByTestId("average").textContent).toBe(String(Math.round(scores.reduce((a, b) => a + b, 0) / 5)));
    expect(summary.textContent).toContain("最慢首次响应");
    expect(summary.querySelector(".to-fix .fix-count")?.textContent).toMatch(/^漏了 \d 次$/);
    const submissions = backend.argsOf("drill_submit").map((a) => a.req);
    expect(submissions.map((s) => s.drill_id)).toEqual(fixture("drill_home", {}).plan.map((p) => p.drill_id));
    expect(new Set(submissions.map((s) => s.session_id)).size).toBe(1);
  });

  test("a missing fact links to its rule; Esc comes back to the result", async () => {
    const { backend, results } = drillStub();
    backend.on("drill_home", practisedHome);
    setup(backend);
    await startSession();
    await answer([{ pinyin: "qin", commit: "亲" }, { pinyin: "xiexie", commit: "谢谢" }]);
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 2/5 题"));
    await answer([{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "baoqian", commit: "抱歉" }]);
    const fact = results[1]!.breakdown.missing.find((m) => m.kind === "fact" && m.rule)!;
    expect(fact.rule).toBe("rules/law-delivery-risk");
    const result = screen.getByTestId("drill-result");
    expect(result.querySelector(`.check-missing[data-kind="fact"] .check-name`)?.textContent).toBe(`事实${fact.name}`);
    await fireEvent.click(within(result).getByRole("button", { name: "查看规则" }));
    await waitFor(() => expect(document.querySelector(".doc-title")?.textContent).toBe(fixture("document", { id: fact.rule! }).title));
    expect(nav("练习").getAttribute("aria-current")).toBe("page");
    await fireEvent.keyDown(document.body, { key: "Escape" });
    await screen.findByTestId("drill-result");
    expect(screen.getByTestId("drill-of").textContent).toBe("第 2/5 题");
  });

  test("pasting is blocked when the drill does not allow it, shown, and reported", async () => {
    const { backend, results } = drillStub();
    setup(backend);
    await startSession();
    const box = answerBox();
    await new Promise((r) => setTimeout(r, 40));
    const e = pasteEvent("亲，您好，欢迎光临");
    box.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    await screen.findByText("本题不允许粘贴：已拦截并记录");
    typeIme(box, [{ pinyin: "zaide", commit: "在的" }]);
    submitChord(box);
    await screen.findByTestId("drill-result");
    expect(backend.argsOf("drill_submit")[0]?.req.events.filter((x) => x.kind === "paste").map((x) => x.data)).toEqual(["亲，您好，欢迎光临"]);
    // The core counted the pasted characters and gave no speed points.
    expect(results[0]!.metrics.pasted_chars).toBe(9);
    expect(document.querySelector('[data-metric="pasted"] .metric-value')?.textContent).toBe("9");
    expect(document.querySelector('[data-metric="pasted"]')?.classList.contains("warn")).toBe(true);
    expect(document.querySelector('.comp[data-name="speed"] .comp-val')?.textContent).toBe("0/15");
  });

  test("accuracy mode: retype the reference; the result shows accuracy and the diff", async () => {
    const { backend, results } = drillStub();
    setup(backend);
    await startSession("准确度练习");
    const source = screen.getByTestId("retype").textContent!;
    expect(source).toBe(fixture("drill_prompt", { id: "drills/kaichang" }).retype);
    expect(source).toBe("亲，您好~欢迎光临小店，我是客服小美，很高兴为您服务！尺码、材质、发货时间、售后都可以问我，您有什么需要尽管说~");
    const box = answerBox();
    await new Promise((r) => setTimeout(r, 40));
    typeIme(box, [{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "nihao", commit: "你好" }]);
    submitChord(box);
    await screen.findByTestId("drill-result");
    expect(backend.argsOf("drill_submit")[0]?.req.mode).toBe("accuracy");
    expect(screen.getByTestId("accuracy").textContent).toBe(`${Math.round(results[0]!.accuracy! * 100)}%`);
    const diff = screen.getByTestId("diff");
    expect(diff.querySelector("del.diff-missing")?.textContent).toBe("您");
    expect(diff.querySelector("ins.diff-extra")?.textContent).toBe("你");
    expect(diff.textContent).toBe(results[0]!.diff.map((p) => p.text).join(""));
    expect(diff.textContent?.startsWith("亲，")).toBe(true);
    expect(document.querySelector(".components")).toBeNull();
  });

  test("find-it: the embedded search's copy submits the phrase and its document, not the clipboard", async () => {
    const { backend } = drillStub();
    setup(backend);
    await startSession("找话术练习");
    const box = screen.getByRole("combobox", { name: "搜索话术" }) as HTMLInputElement;
    await waitFor(() => expect(document.activeElement).toBe(box));
    await new Promise((r) => setTimeout(r, 40));
    typeIme(box, [{ pinyin: "cuidan", commit: "催单" }]);
    const card = await waitFor(() => {
      const c = document.querySelector<HTMLElement>('.findit .card[data-id="playbooks/cuifahuo"]');
      expect(c).not.toBeNull();
      return c!;
    });
    await fireEvent.click(within(card).getByRole("button", { name: /复制/ }));
    await screen.findByTestId("drill-result");
    const req = backend.argsOf("drill_submit")[0]!.req;
    expect(req.mode).toBe("find_it");
    expect(req.found_doc).toBe("playbooks/cuifahuo");
    expect(req.reply).toContain("好的亲，您的订单{{订单号}}");
    expect(req.events.some((e) => e.kind === "composition_end" && e.data === "催单")).toBe(true);
    expect(backend.copied).toEqual([]);
    expect(screen.getByText("你复制的话术")).toBeTruthy();
    expect(screen.getByText("来自 催发货")).toBeTruthy();
    expect(document.querySelector('[data-metric="cpm"]')).toBeNull();
  });

  test("a failed submit shows the error; the retry sends the whole log once", async () => {
    const backend = new StubBackend();
    let fails = 1;
    backend.on("drill_submit", ({ req }) => {
      if (fails-- > 0) return Promise.reject({ kind: "store", message: "database is locked" });
      return recordedResult(req);
    });
    setup(backend);
    await startSession();
    await new Promise((r) => setTimeout(r, 40));
    typeIme(answerBox(), [{ pinyin: "zaide", commit: "在的" }]);
    submitChord(answerBox());
    await screen.findByText("练习记录读写失败 · database is locked");
    typeIme(answerBox(), [{ text: "！" }]);
    await fireEvent.click(screen.getByRole("button", { name: "提交" }));
    await screen.findByTestId("drill-result");
    const [failed, retried] = backend.argsOf("drill_submit").map((a) => a.req);
    expect(failed!.reply).toBe("在的");
    expect(retried!.reply).toBe("在的！");
    expect(retried!.events.filter((e) => e.kind === "submit")).toHaveLength(1);
    expect(retried!.events.filter((e) => e.kind === "shown")).toHaveLength(1);
    expect(retried!.events.some((e) => e.kind === "input" && e.data === "！")).toBe(true);
  });

  test("the hotkey brings search back mid-session; the session can be continued", async () => {
    const { backend } = drillStub();
    setup(backend);
    await startSession();
    await new Promise((r) => setTimeout(r, 40));
    typeIme(answerBox(), [{ pinyin: "qin", commit: "亲" }]);
    backend.summon();
    await waitFor(() => expect(document.activeElement).toBe(screen.getByRole("combobox")));
    expect(nav("查找").getAttribute("aria-current")).toBe("page");
    await openDrills();
    await fireEvent.click(screen.getByRole("button", { name: "继续本轮（0/5）" }));
    await waitFor(() => expect(answerBox().value).toBe("亲"));
    // The log goes on from where it was: one `shown`, then the new keys.
    typeIme(answerBox(), [{ text: "！" }]);
    submitChord(answerBox());
    await screen.findByTestId("drill-result");
    const req = backend.argsOf("drill_submit")[0]!.req;
    expect(req.events.filter((e) => e.kind === "shown")).toHaveLength(1);
    expect(req.reply).toBe("亲！");
  });
});

describe("progress", () => {
  test("bests, the first-response target and the per-category table are the core's", async () => {
    const progress = fixture("drill_progress", {}, 1);
    const backend = drillStub().backend.on("drill_progress", () => progress);
    setup(backend);
    await openDrills();
    await fireEvent.click(screen.getByRole("button", { name: /进度/ }));
    await screen.findByTestId("best-score");
    expect(screen.getByTestId("best-score").textContent).toContain(String(progress.best_score));
    expect(screen.getByTestId("target-rate").textContent).toContain(`首次响应目标 ${progress.response_target_s} 秒`);
    expect(screen.getByTestId("target-rate").textContent).toContain(`${Math.round(progress.response_target_rate * 100)}%`);
    // The core's categories, in the order of the first-week path.
    expect(progress.categories.map((c) => c.category).sort()).toEqual(["催发货", "开场"].sort());
    expect(Array.from(document.querySelectorAll(".category-table tbody tr")).map((r) => r.getAttribute("data-category"))).toEqual(["开场", "催发货"]);
    expect(document.querySelectorAll(".chart")).toHaveLength(4);
  });

  test("before any practice: no bests yet", async () => {
    setup();
    await openDrills();
    await fireEvent.click(screen.getByRole("button", { name: /进度/ }));
    await screen.findByTestId("best-score");
    expect(fixture("drill_progress", {}).best_score).toBeNull();
    expect(screen.getByTestId("best-score").textContent).toContain("—");
  });
});

describe("result rendering", () => {
  // A result written by hand: how the view formats and marks what it is given (the reply's
  // ranges are where the matched texts are in "亲，还需要的话等着吧").
  const prompt: DrillPrompt = {
    id: "drills/x",
    title: "买家催发货",
    category: "催发货",
    difficulty: 2,
    persona: "着急",
    time_limit_s: 60,
    allow_paste: false,
    customer: ["怎么还不发货"],
    upsell: null,
    retype: "",
  };
  const result: DrillResult = {
    attempt_id: 7,
    score: 64,
    breakdown: {
      score: 64,
      elements: [{ name: "称呼", label: "称呼/问候", matched: "亲", start: 0, end: 1, by: "words" }],
      facts: [{ text: "先征得同意", matched: "还需要的话", rule: "rules/a", start: 2, end: 7, by: "meaning" }],
      missing: [
        { kind: "element", name: "致谢", hint: "感谢 / 谢谢", rule: null },
        { kind: "fact", name: "说明时间", hint: "今天 / 明天", rule: "rules/b" },
      ],
      banned: [{ group: "推责", word: "等着吧", penalty: 20, start: 7, end: 10, why: null }],
      mistakes: [
        {
          text: "让买家干等",
          why: "超时后要给买家时间点和选择，不能让买家干等",
          rule: "rules/c",
          matched: "等着吧",
          start: 7,
          end: 10,
          by: "words",
          penalty: 20,
        },
      ],
      similarity: 0.42,
      similarity_by: "meaning",
      closest_reference: "好的亲，您还需要的话我马上安排",
      components: [
        { name: "elements", points: 20, max: 40 },
        { name: "facts", points: 7.5, max: 15 },
        { name: "similarity", points: 25.2, max: 30 },
        { name: "speed", points: 15, max: 15 },
        { name: "penalty", points: -20, max: 0 },
      ],
    },
    metrics: {
      response_ms: 2500,
      compose_ms: 3500,
      total_ms: 6000,
      committed_chars: 4,
      cpm: 68.57,
      keystrokes: 14,
      keystrokes_per_char: 3.5,
      backspaces: 1,
      pasted_chars: 0,
    },
    diff: [],
    references: ["好的亲，您还需要的话我马上安排", "亲，抱歉"],
    poor: [{ text: "等着吧", why: "推责" }],
    next_due: "2026-11-27T08:00:00Z",
  };

  function renderResult(onopenrule = (_: string) => {}) {
    let next = 0;
    render(DrillResultView, {
      props: { prompt, result, reply: "亲，还需要的话等着吧", mode: "reply", isLast: false, onnext: () => (next += 1), onopenrule },
    });
    return () => next;
  }

  /** The result view with one mistake in the breakdown, the reply being its matched text. */
  function renderMistake(m: ScoreBreakdown["mistakes"][number]) {
    render(DrillResultView, {
      props: {
        prompt,
        result: { ...result, breakdown: { ...result.breakdown, mistakes: [m] } },
        reply: m.matched,
        mode: "reply",
        isLast: false,
        onnext: () => {},
        onopenrule: () => {},
      },
    });
  }

  test("a clause that reverses the reference says so, with what the reference says", () => {
    const reversed = {
      text: "有损坏的话直接拒收就好",
      why: "参考话术是「有损坏的话直接拒收就好」，这里意思说反了",
      rule: null,
      matched: "有损坏的话也不能拒收",
      start: 0,
      end: 10,
      by: "reversed" as const,
      penalty: 30,
    };
    renderMistake(reversed);
    const item = screen.getByTestId("mistakes").textContent ?? "";
    expect(item).toContain("有损坏的话也不能拒收");
    expect(item).toContain("这里意思说反了");
    expect(document.querySelector("[data-testid=mistakes] .by-reversed")?.textContent).toBe("与参考话术相反");
    expect(document.querySelector("[data-testid=mistakes] .by-meaning")).toBeNull();
  });

  test("a clause a copied reply changed to put something on the buyer is named as an edit", () => {
    const edited = {
      text: "参考话术里没有的「一半」",
      why: "照着参考话术说，却在这句加了参考话术和事实里都没有的「一半」：把事情、费用、条件或责任推给了买家，请对照规则核对",
      rule: null,
      matched: "运费我们和您一人一半",
      start: 0,
      end: 10,
      by: "edited" as const,
      penalty: 30,
    };
    renderMistake(edited);
    const item = screen.getByTestId("mistakes").textContent ?? "";
    expect(item).toContain("运费我们和您一人一半");
    expect(item).toContain("推给了买家");
    expect(document.querySelector("[data-testid=mistakes] [data-by=edited] .tag-mini")?.textContent).toBe("改了参考话术");
  });

  test("score, bars, marks, missing with rules, banned, metrics, references", async () => {
    const opened: string[] = [];
    const nexts = renderResult((id) => opened.push(id));
    expect(screen.getByTestId("score").textContent).toBe("64");
    expect(document.querySelector(".score-ring")?.classList.contains("score-ok")).toBe(true);
    const comps = Array.from(document.querySelectorAll(".comp")).map((c) => c.textContent?.replace(/\s+/g, ""));
    expect(comps).toEqual(["要素20/40", "事实7.5/15", "相似度25.2/30", "速度15/15", "扣分-20"]);
    expect((document.querySelector('.comp[data-name="elements"] .comp-bar span') as HTMLElement).style.width).toBe("50%");
    const marks = Array.from(screen.getByTestId("marked-reply").querySelectorAll("mark")).map((m) => [Array.from(m.classList).find((c) => c.startsWith("hit-")), m.textContent]);
    expect(marks).toEqual([
      ["hit-element", "亲"],
      ["hit-fact", "还需要的话"],
      ["hit-banned", "等着吧"],
    ]);
    expect(screen.getByTestId("similarity").textContent).toBe("相似度 42%");
    expect(screen.getByText("好的亲，您还需要的话我马上安排", { selector: ".reference-text" })).toBeTruthy();
    const rules = screen.getAllByRole("button", { name: "查看规则" });
    expect(rules).toHaveLength(2);
    await fireEvent.click(rules[0]!);
    await fireEvent.click(rules[1]!);
    expect(opened).toEqual(["rules/b", "rules/c"]);
    // The known mistake: what was said, why it is wrong, its points; the fact found by meaning says so.
    const mistake = screen.getByTestId("mistakes").textContent ?? "";
    expect(mistake).toContain("等着吧");
    expect(mistake).toContain("不能让买家干等");
    expect(mistake).toContain("−20 分");
    expect(document.querySelector(".check-ok .by-meaning")?.textContent).toBe("按意思");
    expect(document.querySelector(".check-banned")?.textContent).toContain("−20 分");
    const metric = (k: string) => document.querySelector(`[data-metric="${k}"] .metric-value`)?.textContent;
    expect([metric("response"), metric("total"), metric("cpm"), metric("kpc"), metric("backspaces"), metric("pasted")]).toEqual([
      "2.5秒",
      "6.0秒",
      "69",
      "3.5",
      "1",
      "0",
    ]);
    expect(document.querySelector(".next-due")?.textContent).toContain("2026-11-27");
    expect(document.activeElement?.classList.contains("btn-next")).toBe(true);
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    expect(nexts()).toBe(1);
    expect(document.querySelectorAll(".poor-list li")).toHaveLength(1);
  });

  test("in English", () => {
    setLanguage("en");
    renderResult();
    expect(screen.getByRole("button", { name: /Next/ })).toBeTruthy();
    expect(document.querySelector(".check-title.bad")?.textContent).toBe("Missing");
    expect(screen.getAllByRole("button", { name: "Open rule" })).toHaveLength(2);
    expect(Array.from(document.querySelectorAll(".check-title.warn")).map((h) => h.textContent)).toEqual(["Got wrong", "Penalised words"]);
    expect(document.querySelector('[data-metric="response"] .metric-label')?.textContent).toBe("First response");
  });
});
