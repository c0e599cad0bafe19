import { describe, expect, test, vi } from "vitest";
import type { Backend } from "./api/backend";
import type { SearchResults } from "./bindings/SearchResults";
import { HOLD_MAX_MS, SearchController } from "./search.svelte";

/** A backend whose searches answer only when the test says so. */
function held() {
  const calls: { query: string; answer: (r: SearchResults) => void }[] = [];
  const backend = {
    search: (req: { query: string }) =>
      new Promise<SearchResults>((answer) => calls.push({ query: req.query, answer })),
    suggest: () => Promise.resolve([]),
  } as unknown as Backend;
  return { calls, backend };
}

function results(query: string): SearchResults {
  return { hits: [{ id: query, title: query }], total: 1 } as unknown as SearchResults;
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe("search as you type", () => {
  test("sends at once, keeps one request in flight and sends the latest text when it returns", async () => {
    const { calls, backend } = held();
    const s = new SearchController(backend);
    s.setQuery("c");
    expect(calls.map((c) => c.query)).toEqual(["c"]); // no wait before the first key's search
    s.setQuery("cf");
    s.setQuery("cfh");
    expect(calls.length).toBe(1); // typed while the first was in flight: held back
    expect(s.pending).toBe(true);
    calls[0]?.answer(results("c"));
    await settle();
    // The old answer is shown meanwhile, and one request for the latest text goes out.
    expect(s.hits[0]?.id).toBe("c");
    expect(calls.map((c) => c.query)).toEqual(["c", "cfh"]);
    expect(s.pending).toBe(true);
    calls[1]?.answer(results("cfh"));
    await settle();
    expect(s.hits[0]?.id).toBe("cfh");
    expect(s.pending).toBe(false);
    expect(calls.length).toBe(2);
  });

  test("clearing the box while a request is in flight sends nothing more and shows nothing", async () => {
    const { calls, backend } = held();
    const s = new SearchController(backend);
    s.setQuery("退");
    s.setQuery("退款");
    s.clear();
    calls[0]?.answer(results("退"));
    await settle();
    expect(calls.length).toBe(1);
    expect(s.results).toBeNull();
    expect(s.pending).toBe(false);
  });

  test("a request that never returns does not block typing for long", async () => {
    vi.useFakeTimers({ toFake: ["performance"] });
    try {
      const { calls, backend } = held();
      const s = new SearchController(backend);
      s.setQuery("催");
      s.setQuery("催单");
      expect(calls.length).toBe(1);
      vi.advanceTimersByTime(HOLD_MAX_MS + 1);
      s.setQuery("催单了");
      expect(calls.map((c) => c.query)).toEqual(["催", "催单了"]);
      calls[1]?.answer(results("催单了"));
      await Promise.resolve();
      await Promise.resolve();
      expect(s.hits[0]?.id).toBe("催单了");
    } finally {
      vi.useRealTimers();
    }
  });
});
