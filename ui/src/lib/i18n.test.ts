import { afterEach, describe, expect, test } from "vitest";
import type { Problem } from "./bindings/Problem";
import { PROBLEM_ZH } from "./bindings/problemText";
import { problemText, setLanguage } from "./i18n.svelte";
import { fixture } from "../test/stub";

afterEach(() => setLanguage("zh"));

describe("problem texts", () => {
  test("Chinese from the code's template with core's arguments; English as core wrote it", () => {
    // A problem exactly as core reported it (recorded from the real core).
    const problems: Problem[] = fixture("problems", {});
    const broken = problems.find((p) => p.code === "broken_link");
    expect(broken).toBeDefined();
    const p = broken!;
    const zh = problemText(p);
    expect(zh.message).toBe(`链接 [[${p.args["target"]}]] 失效：没有这个 id 的文档`);
    expect(zh.hint).toBe(PROBLEM_ZH.broken_link.hint);
    setLanguage("en");
    expect(problemText(p)).toEqual({ message: p.message, hint: p.hint });
  });

  test("every Chinese template is filled: no placeholder is left for a recorded problem", () => {
    const problems: Problem[] = fixture("problems", {});
    expect(problems.length).toBeGreaterThan(3);
    for (const p of problems) {
      const { message, hint } = problemText(p);
      expect(message, p.code).not.toMatch(/\{\w+\}/);
      expect(hint ?? "", p.code).not.toMatch(/\{\w+\}/);
      expect(message, p.code).toMatch(/[\u4e00-\u9fff]/);
    }
  });
});
