import { afterEach, describe, expect, test, vi } from "vitest";
import type { Backend } from "./api/backend";
import type { LibraryStatus } from "./bindings/LibraryStatus";
import type { SemanticStatus } from "./bindings/SemanticStatus";
import { AppState, SEMANTIC_POLL_MS } from "./app.svelte";

/** A backend stub: the given methods, everything else rejects. */
function stub(methods: Partial<Record<keyof Backend, unknown>>): Backend {
  return new Proxy(methods, {
    get: (target, key) =>
      (target as Record<string | symbol, unknown>)[key] ??
      (() => Promise.reject({ kind: "internal", message: `${String(key)} not stubbed` })),
  }) as unknown as Backend;
}

function status(semantic: SemanticStatus): LibraryStatus {
  return {
    content_dir: "/c",
    documents: 1,
    counts: [],
    errors: 0,
    warnings: 0,
    review: 0,
    last_sync: { added: 0, updated: 0, removed: 0, unchanged: 1, took_ms: 0 },
    semantic,
  } as unknown as LibraryStatus;
}

afterEach(() => vi.useRealTimers());

describe("the state of matching by meaning", () => {
  test("is asked for again until it settles, so a missed event is not shown for ever", async () => {
    vi.useFakeTimers();
    const answers = [status({ state: "embedding", done: 10, total: 20 }), status({ state: "ready", units: 20 })];
    const calls: number[] = [];
    const app = new AppState(
      stub({
        getSettings: () => Promise.reject({ kind: "io", message: "none" }),
        status: () => {
          calls.push(1);
          return Promise.resolve(answers[Math.min(calls.length - 1, answers.length - 1)]);
        },
      }),
    );
    await app.init();
    expect(app.status?.semantic.state).toBe("embedding");
    await vi.advanceTimersByTimeAsync(SEMANTIC_POLL_MS + 10);
    expect(app.status?.semantic.state).toBe("ready");
    const asked = calls.length;
    await vi.advanceTimersByTimeAsync(SEMANTIC_POLL_MS * 3);
    expect(calls.length).toBe(asked); // settled: no more polling
    app.dispose();
  });

  test("an event that arrives before the first status wins over it", async () => {
    let answer: (s: LibraryStatus) => void = () => {};
    const app = new AppState(
      stub({
        getSettings: () => Promise.reject({ kind: "io", message: "none" }),
        status: () => new Promise<LibraryStatus>((r) => (answer = r)),
      }),
    );
    const started = app.init();
    app.semanticChanged({ state: "ready", units: 5 });
    answer(status({ state: "loading" }));
    await started;
    expect(app.status?.semantic).toEqual({ state: "ready", units: 5 });
    app.dispose();
  });
});
