import { describe, expect, test } from "vitest";
import { fillPlaceholders, formatMs, highlightSegments, phraseParts, placeholderNames } from "./text";

describe("highlightSegments", () => {
  test("slices by code points, not UTF-16 units", () => {
    // 😀 is one character (two UTF-16 units): the range [2,5) must be 催发货.
    const segs = highlightSegments({ text: "😀 催发货了", highlights: [[2, 5]] });
    expect(segs).toEqual([
      { text: "😀 ", mark: false },
      { text: "催发货", mark: true },
      { text: "了", mark: false },
    ]);
  });

  test("tolerates unsorted, overlapping, empty and out-of-range ranges", () => {
    const segs = highlightSegments({ text: "abcdef", highlights: [[4, 9], [1, 3], [2, 4], [3, 3]] });
    expect(segs.map((s) => (s.mark ? `[${s.text}]` : s.text)).join("")).toBe("a[bc][d][ef]");
  });

  test("no highlights is one plain segment", () => {
    expect(highlightSegments({ text: "你好", highlights: [] })).toEqual([{ text: "你好", mark: false }]);
  });
});

describe("placeholders", () => {
  const text = "亲爱的{{买家}}，订单{{ 订单号 }}已发出，{{买家}}请查收";

  test("names in order, once each", () => {
    expect(placeholderNames(text)).toEqual(["买家", "订单号"]);
    expect(placeholderNames("没有占位符")).toEqual([]);
  });

  test("fills every occurrence, leaves unknown names", () => {
    expect(fillPlaceholders(text, { 买家: "张三", 订单号: "123" })).toBe("亲爱的张三，订单123已发出，张三请查收");
    expect(fillPlaceholders("{{快递单号}}", {})).toBe("{{快递单号}}");
  });

  test("a value containing {{…}} or $& is inserted literally", () => {
    expect(fillPlaceholders("{{买家}}!", { 买家: "$& {{x}}" })).toBe("$& {{x}}!");
  });

  test("phraseParts splits text and tokens", () => {
    expect(phraseParts("好的{{买家}}。")).toEqual([
      { text: "好的", placeholder: null },
      { text: "{{买家}}", placeholder: "买家" },
      { text: "。", placeholder: null },
    ]);
  });
});

test("formatMs", () => {
  expect(formatMs(1234)).toBe("1.2");
  expect(formatMs(45_600)).toBe("46");
});
