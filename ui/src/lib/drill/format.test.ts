import { describe, expect, test } from "vitest";
import type { DrillResult } from "../bindings/DrillResult";
import type { MissingKind } from "../bindings/MissingKind";
import { band, clock, markReply, percent, points, remaining, seconds, summarise, whole } from "./format";

function result(score: number, missing: Array<[MissingKind, string]>, responseMs: number | null): DrillResult {
  return {
    attempt_id: 1,
    score,
    breakdown: {
      score,
      elements: [],
      facts: [],
      missing: missing.map(([kind, name]) => ({ kind, name, hint: `${name}的说法`, rule: kind === "fact" ? "rules/x" : null })),
      banned: [],
      mistakes: [],
      similarity: 0.3,
      similarity_by: "words",
      closest_reference: "",
      components: [],
    },
    metrics: {
      response_ms: responseMs,
      compose_ms: 1000,
      total_ms: 5000,
      committed_chars: 10,
      cpm: 60,
      keystrokes: 30,
      keystrokes_per_char: 3,
      backspaces: 0,
      pasted_chars: 0,
    },
    diff: [],
    references: [],
    poor: [],
    next_due: "2026-11-25T08:00:00Z",
  };
}

describe("formats", () => {
  test("numbers", () => {
    expect(seconds(2500)).toBe("2.5");
    expect(seconds(null)).toBe("—");
    expect(whole(68.6)).toBe("69");
    expect(percent(0.734)).toBe("73%");
    expect(points(13.75)).toBe("13.8");
    expect(points(40)).toBe("40");
    expect(band(80)).toBe("good");
    expect(band(60)).toBe("ok");
    expect(band(59)).toBe("low");
  });

  test("countdown", () => {
    expect(remaining(60, 0)).toBe(60);
    expect(remaining(60, 15_200)).toBe(45);
    expect(remaining(20, 25_000)).toBe(-5);
    expect(clock(45)).toBe("0:45");
    expect(clock(65)).toBe("1:05");
    expect(clock(-5)).toBe("+0:05");
  });
});

describe("markReply", () => {
  test("marks the ranges core found", () => {
    const reply = "好的亲，跟仓库说一下，全网最低，感谢";
    const segs = markReply(reply, [
      { start: 2, end: 3, tone: "element", label: "称呼" },
      { start: 4, end: 8, tone: "element" },
      { start: 11, end: 15, tone: "banned" },
      { start: 16, end: 18, tone: "element" },
    ]);
    expect(segs).toEqual([
      { text: "好的", tone: null },
      { text: "亲", tone: "element", label: "称呼" },
      { text: "，", tone: null },
      { text: "跟仓库说", tone: "element" },
      { text: "一下，", tone: null },
      { text: "全网最低", tone: "banned" },
      { text: "，", tone: null },
      { text: "感谢", tone: "element" },
    ]);
    expect(segs.map((s) => s.text).join("")).toBe(reply);
  });

  test("banned words win an overlap, then the longer span; empty or out-of-range marks are ignored", () => {
    expect(markReply("这是最好的办法", [{ start: 3, end: 5, tone: "element" }, { start: 2, end: 5, tone: "banned" }])).toEqual([
      { text: "这是", tone: null },
      { text: "最好的", tone: "banned" },
      { text: "办法", tone: null },
    ]);
    expect(markReply("OK 亲", [{ start: 0, end: 2, tone: "element" }, { start: 1, end: 1, tone: "fact" }, { start: 3, end: 9, tone: "fact" }])).toEqual([
      { text: "OK", tone: "element" },
      { text: " 亲", tone: null },
    ]);
    // Ranges are characters, like snippet highlights: 😀 is one, so 亲 is at 1.
    expect(markReply("😀亲", [{ start: 1, end: 2, tone: "element" }])).toEqual([
      { text: "😀", tone: null },
      { text: "亲", tone: "element" },
    ]);
    expect(markReply("", [{ start: 0, end: 1, tone: "element" }])).toEqual([]);
  });
});

describe("summarise", () => {
  test("average, slowest first response and the most frequent missing items", () => {
    const s = summarise([
      { title: "A", category: "开场", result: result(80, [["element", "致谢"]], 3000) },
      { title: "B", category: "催发货", result: result(60, [["element", "致谢"], ["fact", "征得同意"]], 12_000) },
      { title: "C", category: "退款", result: null },
      { title: "D", category: "退款", result: result(70, [], null) },
    ]);
    expect(s.rows.map((r) => r.title)).toEqual(["A", "B", "D"]);
    expect(s.average).toBe(70);
    expect(s.slowest?.title).toBe("B");
    expect(s.toFix.map((f) => [f.name, f.count])).toEqual([
      ["致谢", 2],
      ["征得同意", 1],
    ]);
    expect(s.toFix[1]?.rule).toBe("rules/x");
    expect(summarise([]).average).toBeNull();
  });
});
