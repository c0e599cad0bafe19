import { afterEach, describe, expect, test } from "vitest";
import { fireEvent, render, screen, waitFor, within } from "@testing-library/svelte";
import App from "./App.svelte";
import DrillResultView from "./components/drill/DrillResultView.svelte";
import { FakeBackend } from "./lib/api/fake";
import type { DrillPrompt } from "./lib/bindings/DrillPrompt";
import type { DrillResult } from "./lib/bindings/DrillResult";
import { setLanguage } from "./lib/i18n.svelte";
import { pasteEvent, submitChord, typeIme } from "./test/ime";

afterEach(() => setLanguage("zh"));

function setup(backend = new FakeBackend()) {
  const view = render(App, { props: { backend, options: { debounceMs: 0, toastMs: 60_000 } } });
  return { backend, ...view };
}

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

describe("drills home", () => {
  test("练习 shows due reviews, the first-week path, the plan with reasons and the modes; 查找 goes back", async () => {
    setup();
    const search = screen.getByRole("combobox");
    expect(nav("查找").getAttribute("aria-current")).toBe("page");
    await openDrills();
    expect(nav("练习").getAttribute("aria-current")).toBe("page");
    expect(screen.getByTestId("due-today").textContent).toBe("2");
    const steps = Array.from(document.querySelectorAll(".path-step")).map((e) => [
      e.getAttribute("data-category"),
      e.getAttribute("data-state"),
    ]);
    expect(steps).toEqual([
      ["开场", "done"],
      ["催发货", "current"],
      ["物流异常", "locked"],
      ["退款", "locked"],
      ["安抚投诉", "locked"],
      ["关联销售", "locked"],
    ]);
    expect(document.querySelector('.path-step[data-category="催发货"]')?.textContent).toContain("1/2 次达标");
    expect(Array.from(document.querySelectorAll(".plan-item .reason-badge")).map((e) => e.textContent)).toEqual([
      "到期复习",
      "新手路径",
      "新手路径",
      "薄弱项",
      "新练习",
    ]);
    expect(document.querySelector(".plan-item .plan-title")?.textContent).toBe("买家只发了一句“在吗”");
    expect(screen.getAllByRole("radio").map((r) => (r as HTMLInputElement).value)).toEqual(["reply", "accuracy", "find_it"]);
    expect((screen.getByRole("radio", { name: /回复练习/ }) as HTMLInputElement).checked).toBe(true);

    await fireEvent.click(nav("查找"));
    await waitFor(() => expect(document.activeElement).toBe(search));
    expect(document.querySelector(".welcome")).not.toBeNull();
  });

  test("the trainee's name is saved with setProfileName", async () => {
    const { backend } = setup();
    await openDrills();
    const input = screen.getByRole("textbox", { name: "学员" });
    await fireEvent.input(input, { target: { value: "  林晓 " } });
    await fireEvent.click(screen.getByRole("button", { name: "保存" }));
    await waitFor(() => expect(screen.getByTestId("profile-name").textContent).toBe("林晓"));
    expect(backend.profileName).toBe("林晓");
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
    const { backend } = setup();
    await startSession();
    // The customer's message as a bubble, persona, countdown from the time limit.
    expect(screen.getByText("在吗").classList.contains("bubble")).toBe(true);
    expect(screen.getByTestId("countdown").textContent).toContain("0:20");
    expect(screen.getByTestId("drill-of").textContent).toBe("第 1/5 题");
    await waitFor(() => expect(document.activeElement).toBe(answerBox()));
    // Submitting needs some text.
    expect((screen.getByRole("button", { name: "提交" }) as HTMLButtonElement).disabled).toBe(true);

    await answer([{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "zaide", commit: "在的" }]);

    const req = backend.submissions[0]!;
    expect(req).toMatchObject({ drill_id: "drills/kaichang", mode: "reply", reply: "亲，在的" });
    expect(req.session_id).toBeTruthy();
    expect(req.events[0]?.kind).toBe("shown");
    expect(req.events[req.events.length - 1]?.kind).toBe("submit");
    expect(req.events.filter((e) => e.kind === "composition_end").map((e) => e.data)).toEqual(["亲", "在的"]);
    expect(req.events.some((e) => e.kind === "input" && e.is_composing && e.input_type === "insertCompositionText")).toBe(true);

    // The breakdown: score, components, ✓ with the matched text marked in the reply, ✗ with hints.
    const result = screen.getByTestId("drill-result");
    expect(Number(screen.getByTestId("score").textContent)).toBe(Number(result.getAttribute("data-score")));
    expect(Array.from(result.querySelectorAll(".comp")).map((c) => c.getAttribute("data-name"))).toEqual(["elements", "similarity", "speed"]);
    expect(within(result).getByText("称呼/问候").closest(".check-ok")?.querySelector("mark")?.textContent).toBe("亲");
    expect(Array.from(screen.getByTestId("marked-reply").querySelectorAll("mark.hit-element")).map((m) => m.textContent)).toEqual(["亲"]);
    const missing = Array.from(result.querySelectorAll(".check-missing .check-name")).map((e) => e.textContent);
    expect(missing).toEqual(["要素欢迎", "要素自我介绍", "要素引导需求"]);
    expect(result.querySelector(".check-missing .check-hint")?.textContent).toBe("可以说：欢迎 / 很高兴为您服务 / 为您服务");
    expect(screen.getByTestId("similarity").textContent).toMatch(/^相似度 \d+%$/);
    // Metrics: 4 committed characters from q i n ␣ ， z a i d e ␣ = 11 keys.
    const metric = (k: string) => result.querySelector(`[data-metric="${k}"] .metric-value`)?.textContent;
    expect(metric("kpc")).toBe((11 / 4).toFixed(1));
    expect(metric("backspaces")).toBe("0");
    expect(metric("pasted")).toBe("0");
    expect(result.textContent).toContain("下次复习");
    expect(result.textContent).toContain("全部参考回复（2）");

    // Next drills: the third has a fact with a rule; its link opens the rule, Esc comes back.
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 2/5 题"));
    await answer([{ pinyin: "haode", commit: "好的" }]);
    await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
    await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe("第 3/5 题"));
    await answer([{ pinyin: "qin", commit: "亲" }, { pinyin: "baoqian", commit: "抱歉" }, { text: "！" }, { pinyin: "quanwangzuidi", commit: "全网最低" }]);
    const banned = screen.getByTestId("drill-result").querySelector(".check-banned");
    expect(banned?.textContent).toContain("极限词");
    expect(banned?.textContent).toContain("−15 分");
    expect(screen.getByTestId("marked-reply").querySelector("mark.hit-banned")?.textContent).toBe("全网最低");
    expect(document.querySelector('.comp[data-name="penalty"] .comp-val')?.textContent).toBe("-15");
    await fireEvent.click(screen.getByRole("button", { name: "查看规则" }));
    await waitFor(() => expect(document.querySelector(".doc-title")?.textContent).toBe("淘宝发货规范与超时发货"));
    expect(nav("练习").getAttribute("aria-current")).toBe("page");
    await fireEvent.keyDown(document.body, { key: "Escape" });
    await screen.findByTestId("drill-result");

    for (const n of [4, 5]) {
      await fireEvent.click(screen.getByRole("button", { name: /下一题/ }));
      await waitFor(() => expect(screen.getByTestId("drill-of").textContent).toBe(`第 ${n}/5 题`));
      await answer([{ pinyin: "qin", commit: "亲" }, { pinyin: "xiexie", commit: "谢谢" }]);
    }
    await fireEvent.click(screen.getByRole("button", { name: /查看总结/ }));
    const summary = await screen.findByTestId("session-summary");
    expect(summary.querySelectorAll("tbody tr")).toHaveLength(5);
    const scores = backend.submissions.map((_, i) => backend.attempts[backend.attempts.length - 5 + i]!.score);
    expect(screen.getByTestId("average").textContent).toBe(String(Math.round(scores.reduce((a, b) => a + b, 0) / 5)));
    expect(summary.textContent).toContain("最慢首次响应");
    expect(summary.querySelector(".to-fix .fix-count")?.textContent).toMatch(/^漏了 \d 次$/);
    expect(backend.submissions).toHaveLength(5);
    expect(new Set(backend.submissions.map((s) => s.session_id)).size).toBe(1);
  });

  test("pasting is blocked when the drill does not allow it, shown, and reported", async () => {
    const { backend } = setup();
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
    expect(backend.submissions[0]?.events.filter((x) => x.kind === "paste").map((x) => x.data)).toEqual(["亲，您好，欢迎光临"]);
    expect(document.querySelector('[data-metric="pasted"]')?.classList.contains("warn")).toBe(true);
    expect(document.querySelector('.comp[data-name="speed"] .comp-val')?.textContent).toBe("0/15");
  });

  test("accuracy mode: retype the reference; the result shows accuracy and the diff", async () => {
    const { backend } = setup();
    await startSession("准确度练习");
    const source = screen.getByTestId("retype").textContent!;
    expect(source).toBe("亲，您好~欢迎光临小店，我是客服小美，很高兴为您服务！尺码、材质、发货时间、售后都可以问我，您有什么需要尽管说~");
    const box = answerBox();
    await new Promise((r) => setTimeout(r, 40));
    typeIme(box, [{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "nihao", commit: "你好" }]);
    submitChord(box);
    await screen.findByTestId("drill-result");
    expect(backend.submissions[0]?.mode).toBe("accuracy");
    expect(screen.getByTestId("accuracy").textContent).toMatch(/^\d+%$/);
    const diff = screen.getByTestId("diff");
    expect(diff.querySelector("del.diff-missing")?.textContent).toBe("您");
    expect(diff.querySelector("ins.diff-extra")?.textContent).toBe("你");
    expect(diff.textContent?.startsWith("亲，")).toBe(true);
    expect(document.querySelector(".components")).toBeNull();
  });

  test("find-it: the embedded search's copy submits the phrase and its document, not the clipboard", async () => {
    const { backend } = setup();
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
    const req = backend.submissions[0]!;
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
    class Flaky extends FakeBackend {
      fails = 1;
      override drillSubmit(req: Parameters<FakeBackend["drillSubmit"]>[0]) {
        if (this.fails-- > 0) return Promise.reject({ kind: "store", message: "database is locked" });
        return super.drillSubmit(req);
      }
    }
    const backend = new Flaky();
    setup(backend);
    await startSession();
    await new Promise((r) => setTimeout(r, 40));
    typeIme(answerBox(), [{ pinyin: "zaide", commit: "在的" }]);
    submitChord(answerBox());
    await screen.findByText("练习记录读写失败 · database is locked");
    typeIme(answerBox(), [{ text: "！" }]);
    await fireEvent.click(screen.getByRole("button", { name: "提交" }));
    await screen.findByTestId("drill-result");
    const events = backend.submissions[0]!.events;
    expect(backend.submissions[0]!.reply).toBe("在的！");
    expect(events.filter((e) => e.kind === "submit")).toHaveLength(1);
    expect(events.some((e) => e.kind === "input" && e.data === "！")).toBe(true);
  });

  test("the hotkey brings search back mid-session; the session can be continued", async () => {
    const { backend } = setup();
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
    const events = backend.submissions[0]!.events;
    expect(events.filter((e) => e.kind === "shown")).toHaveLength(1);
    expect(backend.submissions[0]!.reply).toBe("亲！");
  });
});

describe("progress", () => {
  test("bests, the first-response target and the per-category table", async () => {
    setup();
    await openDrills();
    await fireEvent.click(screen.getByRole("button", { name: /进度/ }));
    await screen.findByTestId("best-score");
    expect(screen.getByTestId("best-score").textContent).toContain("88");
    expect(screen.getByTestId("fastest-response").textContent).toContain("9.0");
    expect(screen.getByTestId("best-cpm").textContent).toContain("52");
    expect(screen.getByTestId("target-rate").textContent).toContain("首次响应目标 30 秒");
    expect(screen.getByTestId("target-rate").textContent).toContain("70%");
    expect(Array.from(document.querySelectorAll(".category-table tbody tr")).map((r) => r.getAttribute("data-category"))).toEqual([
      "开场",
      "催发货",
      "物流异常",
    ]);
    expect(document.querySelectorAll(".chart")).toHaveLength(4);
  });
});

describe("result rendering", () => {
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
      elements: [{ name: "称呼", label: "称呼/问候", matched: "亲" }],
      facts: [{ text: "先征得同意", matched: "还需要的话", rule: "rules/a" }],
      missing: [
        { kind: "element", name: "致谢", hint: "感谢 / 谢谢", rule: null },
        { kind: "fact", name: "说明时间", hint: "今天 / 明天", rule: "rules/b" },
      ],
      banned: [{ group: "推责", word: "等着吧", penalty: 20 }],
      similarity: 0.42,
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

  test("score, bars, marks, missing with rules, banned, metrics, references", async () => {
    const opened: string[] = [];
    const nexts = renderResult((id) => opened.push(id));
    expect(screen.getByTestId("score").textContent).toBe("64");
    expect(document.querySelector(".score-ring")?.classList.contains("score-ok")).toBe(true);
    const comps = Array.from(document.querySelectorAll(".comp")).map((c) => c.textContent?.replace(/\s+/g, ""));
    expect(comps).toEqual(["要素20/40", "事实7.5/15", "相似度25.2/30", "速度15/15", "扣分-20"]);
    expect((document.querySelector('.comp[data-name="elements"] .comp-bar span') as HTMLElement).style.width).toBe("50%");
    const marks = Array.from(screen.getByTestId("marked-reply").querySelectorAll("mark")).map((m) => [m.className, m.textContent]);
    expect(marks).toEqual([
      ["hit-element", "亲"],
      ["hit-fact", "还需要的话"],
      ["hit-banned", "等着吧"],
    ]);
    expect(screen.getByTestId("similarity").textContent).toBe("相似度 42%");
    expect(screen.getByText("好的亲，您还需要的话我马上安排", { selector: ".reference-text" })).toBeTruthy();
    const rules = screen.getAllByRole("button", { name: "查看规则" });
    expect(rules).toHaveLength(1);
    await fireEvent.click(rules[0]!);
    expect(opened).toEqual(["rules/b"]);
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
    expect(screen.getByRole("button", { name: "Open rule" })).toBeTruthy();
    expect(document.querySelector('[data-metric="response"] .metric-label')?.textContent).toBe("First response");
  });
});
