import { describe, expect, test } from "vitest";
import { hasConflictMarkers, keyLine, readForm, setFields, splitFrontMatter } from "./frontmatter";

const PLAYBOOK = `---
kind: playbook
title: 催发货
# 适用所有平台
platforms: []
tags: [发货, 物流]
phrases:
  - code: cfh1   # 最常用
    when: 买家第一次问
    text: "好的亲，您的订单{{订单号}}已经在排队打包了~"
author: 客服组长 王敏
updated: 2026-11-20
---
## 要点
正文
`;

describe("front matter", () => {
  test("split: body offset counts the lines up to and including the closing ---", () => {
    const s = splitFrontMatter(PLAYBOOK);
    expect(s.bodyOffset).toBe(13);
    expect(s.body).toBe("## 要点\n正文\n");
    expect(s.fm?.startsWith("kind: playbook\n")).toBe(true);
    expect(splitFrontMatter("no front matter").bodyOffset).toBe(0);
    expect(splitFrontMatter("---\nkind: case\n").unclosed).toBe(true);
  });

  test("readForm reads the fields; broken YAML turns the form off", () => {
    const f = readForm(PLAYBOOK).fields!;
    expect(f).toMatchObject({ kind: "playbook", title: "催发货", platforms: [], tags: ["发货", "物流"], author: "客服组长 王敏", updated: "2026-11-20" });
    expect(readForm("---\ntitle: [oops\n---\n").fields).toBeNull();
    expect(readForm("---\ntitle: x\n").error).toBe("unclosed");
  });

  test("setFields changes only the given keys, keeping comments, order and other keys", () => {
    const out = setFields(PLAYBOOK, { title: "催发货（新）", tags: ["发货", "物流", "加急"], platforms: ["taobao", "tmall"] });
    expect(out).toContain("title: 催发货（新）\n# 适用所有平台\nplatforms: [taobao, tmall]\ntags: [发货, 物流, 加急]\n");
    expect(out).toContain("  - code: cfh1 # 最常用\n    when: 买家第一次问\n    text: \"好的亲，您的订单{{订单号}}已经在排队打包了~\"\n");
    expect(out).toContain("author: 客服组长 王敏\nupdated: 2026-11-20\n---\n## 要点\n正文\n");
    // Nothing changed: the text is the same.
    expect(setFields(PLAYBOOK, { title: "催发货" })).toBe(setFields(PLAYBOOK, {}));
  });

  test("empty values stay empty keys; a case's platform can be cleared", () => {
    const tpl = "---\nkind: case\ntitle: \nplatform: \noutcome: \ntags: []\n---\n## 情况\n";
    const set = setFields(tpl, { title: "已发货仅退款", platform: "pdd" });
    expect(set).toBe("---\nkind: case\ntitle: 已发货仅退款\nplatform: pdd\noutcome:\ntags: []\n---\n## 情况\n");
    expect(setFields(set, { platform: null })).toContain("\nplatform:\n");
    // Leading/trailing spaces survive the round trip (quoted), so typing a space is not lost.
    expect(readForm(setFields(tpl, { title: "已发货 " })).fields?.title).toBe("已发货 ");
  });

  test("drill fields survive form edits", () => {
    const drill = "---\nkind: drill\ntitle: x\ncustomer:\n  - \"东西没收到\"   # 原话\nreferences:\n  - 亲，马上核实\nrubric:\n  elements: [称呼, 共情]\n---\n训练要点\n";
    const out = setFields(drill, { title: "催发货练习", tags: ["售后"] });
    expect(out).toContain('customer:\n  - "东西没收到" # 原话\nreferences:\n  - 亲，马上核实\nrubric:\n  elements: [称呼, 共情]\ntags: [售后]\n---\n训练要点\n');
  });

  test("key lines and conflict markers", () => {
    expect(keyLine(PLAYBOOK, "title")).toBe(3);
    expect(keyLine(PLAYBOOK, "updated")).toBe(12);
    expect(hasConflictMarkers("a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n")).toBe(true);
    expect(hasConflictMarkers("a <<<<<<< b")).toBe(false);
  });
});
