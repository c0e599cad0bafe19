import { describe, expect, test } from "vitest";
import { FakeBackend, findRanges } from "./fake";

const req = (query: string, extra: Partial<{ kinds: never[]; platforms: never[] }> = {}) => ({
  query,
  kinds: [],
  platforms: [],
  ...extra,
});

describe("FakeBackend search", () => {
  const fake = new FakeBackend();

  test.each(["催单", "催发货", "cfh", "cuifahuo", "cfh2"])("%s finds 催发货 first", (q) => {
    const res = fake.searchNow(req(q));
    expect(res.hits[0]?.id).toBe("playbooks/cuifahuo");
    expect(res.total).toBe(res.hits.length);
  });

  test("a quick code selects that phrase", () => {
    const hit = fake.searchNow(req("cfh2")).hits[0];
    expect(hit?.phrase?.code).toBe("cfh2");
    expect(hit?.phrase?.text).toContain("{{买家}}");
  });

  test("highlights are code-point ranges of the snippet", () => {
    for (const hit of fake.searchNow(req("催单")).hits) {
      const chars = Array.from(hit.snippet.text);
      for (const [s, e] of hit.snippet.highlights) {
        const marked = chars.slice(s, e).join("");
        expect(["催单", "催发货"]).toContain(marked);
      }
    }
  });

  test("kind and platform filters, from options and from the query", () => {
    expect(fake.searchNow({ query: "发货", kinds: ["rule"], platforms: [] }).hits.every((h) => h.kind === "rule")).toBe(true);
    const pdd = fake.searchNow(req("退款 platform:pdd")).hits;
    expect(pdd.length).toBeGreaterThan(0);
    expect(pdd.every((h) => h.platforms.length === 0 || h.platforms.includes("pdd"))).toBe(true);
    expect(fake.searchNow({ query: "发货", kinds: [], platforms: ["jd"] }).hits.some((h) => h.platforms.includes("taobao"))).toBe(false);
  });

  test("nothing found, then suggestions", async () => {
    expect(fake.searchNow(req("催货款")).hits).toEqual([]);
    const sug = await fake.suggest("催货款");
    expect(sug.map((s) => s.query)).toContain("催发货");
  });

  test("findRanges counts astral characters as one", () => {
    expect(findRanges("😀催单", ["催单"])).toEqual([[1, 3]]);
  });

  test("documents have links and backlinks; unknown ids reject with not_found", async () => {
    const doc = await fake.document("playbooks/cuifahuo");
    expect(doc.links.map((l) => l.id)).toContain("rules/taobao-late-shipment");
    expect(doc.backlinks.map((l) => l.id)).toContain("drills/cuifahuo-zhaoji");
    await expect(fake.document("nope")).rejects.toEqual({ kind: "not_found", message: "no document with id nope" });
  });

  test("openExternal refuses other schemes", async () => {
    await expect(fake.openExternal("file:///etc/passwd")).rejects.toMatchObject({ kind: "invalid_input" });
    await fake.openExternal("https://example.com/");
    expect(fake.opened).toEqual(["https://example.com/"]);
  });
});
