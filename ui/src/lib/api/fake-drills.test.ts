import { describe, expect, test } from "vitest";
import type { InputEvent } from "../bindings/InputEvent";
import { FakeBackend } from "./fake";
import { FAKE_DRILLS, FAKE_LEXICON, bigramF1, charDiff, fakeMetrics, fakeScore, firstWeekPath } from "./fake-drills";

const ev = (t_ms: number, kind: InputEvent["kind"], extra: Partial<InputEvent> = {}): InputEvent => ({
  t_ms,
  kind,
  is_composing: false,
  ...extra,
});

describe("fake drills", () => {
  test("every element a drill names is in the fake lexicon", () => {
    for (const d of FAKE_DRILLS) for (const e of d.elements) expect(FAKE_LEXICON.elements[e], `${d.id}: ${e}`).toBeDefined();
  });

  test("every reference scores above every poor reply (as the content test suite demands)", () => {
    for (const d of FAKE_DRILLS) {
      const worstRef = Math.min(...d.references.map((r) => fakeScore(d, r, null).score));
      for (const p of d.poor) expect(fakeScore(d, p.text, null).score, `${d.id}: ${p.text}`).toBeLessThan(worstRef);
    }
  });

  test("the score explains itself: elements with matched text, missing with hints and rules, banned", () => {
    const d = FAKE_DRILLS.find((x) => x.id === "drills/cuifahuo-zhaoji")!;
    const b = fakeScore(d, "亲，抱歉，我跟仓库说一下，全网最低，感谢", { total_ms: 10_000, pasted_chars: 0 });
    expect(b.elements.map((e) => [e.name, e.matched])).toEqual([
      ["称呼", "亲"],
      ["共情", "抱歉"],
      ["具体动作", "跟仓库说"],
      ["致谢", "感谢"],
    ]);
    expect(b.missing.map((m) => m.name)).toEqual(["时间点", "跟进承诺", "超过承诺发货时间后先征得买家同意再发货"]);
    expect(b.missing[2]).toMatchObject({ kind: "fact", rule: "rules/taobao-late-shipment" });
    expect(b.banned).toEqual([{ group: "极限词", word: "全网最低", penalty: 15 }]);
    expect(b.components.map((c) => c.name)).toEqual(["elements", "facts", "similarity", "speed", "penalty"]);
    expect(fakeScore(d, "   ", null).score).toBe(0);
  });

  test("metrics follow drill::metrics (the Rust pinyin example)", () => {
    const key = (t: number, k: string, c: boolean) => ev(t, "key_down", { key: k, is_composing: c });
    const log: InputEvent[] = [
      ev(1000, "shown"),
      key(3500, "q", false),
      ev(3501, "composition_start"),
      ev(3502, "composition_update", { data: "q" }),
      ev(3503, "input", { data: "q", input_type: "insertCompositionText", is_composing: true }),
      key(3600, "i", true),
      key(3700, "n", true),
      key(3800, " ", true),
      ev(3801, "input", { data: "亲", input_type: "insertCompositionText", is_composing: true }),
      ev(3802, "composition_end", { data: "亲" }),
      key(4000, "Shift", false),
      key(4001, ",", false),
      ev(4002, "input", { data: "，", input_type: "insertText" }),
      ...["c", "u", "i", "Process", "Backspace", "d", "a", "n"].map((k, i) => key(4100 + 100 * i, k, true)),
      ev(4101, "composition_start"),
      key(5000, "2", true),
      ev(5001, "composition_end", { data: "催单" }),
      ev(7000, "submit"),
    ];
    const m = fakeMetrics(log);
    expect(m).toMatchObject({ response_ms: 2500, compose_ms: 3500, total_ms: 6000, committed_chars: 4, keystrokes: 14, backspaces: 1 });
    expect(m.keystrokes_per_char).toBeCloseTo(3.5);
    expect(fakeMetrics([ev(0, "shown"), ev(5000, "submit")]).response_ms).toBeNull();
  });

  test("char diff and similarity match practice::char_diff and score::bigram_f1", () => {
    const { accuracy, parts } = charDiff("感谢您的支持", "感谢你的支持哦");
    expect(parts.map((p) => [p.op, p.text])).toEqual([
      ["equal", "感谢"],
      ["missing", "您"],
      ["extra", "你"],
      ["equal", "的支持"],
      ["extra", "哦"],
    ]);
    expect(accuracy).toBeCloseTo(5 / 7);
    expect(charDiff("", "").accuracy).toBe(1);
    expect(bigramF1("感谢您", "感谢您")).toBe(1);
    expect(bigramF1("亲", "亲")).toBe(0);
  });

  test("the first-week path unlocks one step at a time", () => {
    expect(firstWeekPath([]).map((s) => [s.category, s.unlocked, s.done])).toEqual([
      ["开场", true, false],
      ["催发货", false, false],
      ["物流异常", false, false],
      ["退款", false, false],
      ["安抚投诉", false, false],
      ["关联销售", false, false],
    ]);
  });
});

describe("FakeBackend drills", () => {
  test("the seeded home has reviews due and a plan with every reason", async () => {
    const fake = new FakeBackend();
    const home = await fake.drillHome();
    expect(home.due_today).toBe(2);
    expect(home.drills).toBe(FAKE_DRILLS.length);
    expect(home.path.map((s) => (s.done ? "done" : s.unlocked ? "open" : "locked"))).toEqual([
      "done",
      "open",
      "locked",
      "locked",
      "locked",
      "locked",
    ]);
    expect(home.plan.map((p) => p.reason)).toEqual(["due", "path", "path", "weak", "new"]);
    expect(new Set(home.plan.map((p) => p.drill_id)).size).toBe(5);
  });

  test("submit scores, stores, schedules and shows in progress", async () => {
    const fake = new FakeBackend({ drillHistory: false });
    // A brand-new trainee starts on the path (开场), then new drills.
    expect((await fake.drillHome()).plan.map((p) => p.reason)).toEqual(["path", "new", "new", "new", "new"]);
    const prompt = await fake.drillPrompt("drills/kaichang");
    expect(prompt).toMatchObject({ category: "开场", time_limit_s: 20, allow_paste: false, customer: ["在吗"] });
    const r = await fake.drillSubmit({
      drill_id: "drills/kaichang",
      mode: "reply",
      reply: "亲，您好~欢迎光临，我是客服小美，您有什么需要尽管说",
      events: [ev(0, "shown"), ev(1500, "key_down", { key: "q" }), ev(9000, "submit")],
      session_id: "s1",
    });
    expect(r.score).toBeGreaterThanOrEqual(80);
    expect(r.breakdown.missing).toEqual([]);
    expect(r.metrics.response_ms).toBe(1500);
    expect(Date.parse(r.next_due)).toBeGreaterThan(Date.now());
    expect(fake.submissions).toHaveLength(1);
    const p = await fake.drillProgress();
    expect(p.points).toHaveLength(1);
    expect(p.best_score).toBe(r.score);
    expect(p.response_target_rate).toBe(1);
  });

  test("accuracy and find-it modes", async () => {
    const fake = new FakeBackend({ drillHistory: false });
    const ref = FAKE_DRILLS[1]!.references[0]!;
    const acc = await fake.drillSubmit({ drill_id: FAKE_DRILLS[1]!.id, mode: "accuracy", reply: ref, events: [ev(0, "shown"), ev(100, "submit")] });
    expect(acc.accuracy).toBe(1);
    expect(acc.score).toBe(100);
    const found = await fake.drillSubmit({
      drill_id: "drills/cuifahuo-zhaoji",
      mode: "find_it",
      reply: "好的亲",
      found_doc: "playbooks/cuifahuo",
      events: [ev(0, "shown"), ev(4000, "submit")],
    });
    expect(found.score).toBe(100);
    await expect(fake.drillPrompt("drills/nope")).rejects.toMatchObject({ kind: "not_found" });
  });

  test("profile name", async () => {
    const fake = new FakeBackend();
    expect((await fake.drillHome()).profile_name).toBeNull();
    await fake.setProfileName("林晓");
    expect((await fake.drillHome()).profile_name).toBe("林晓");
  });
});
