// One after-each check for the component tests: clean up the rendered app, restore the language,
// and fail the test if the UI made a call that neither a recording nor a handler answered.

import { cleanup } from "@testing-library/svelte";
import { afterEach, expect } from "vitest";
import { setLanguage } from "../lib/i18n.svelte";
import type { StubBackend } from "./stub";

/** Registers the check; call the returned function with each test's backend. */
export function trackStubs(): { use: (b: StubBackend) => StubBackend; current: () => StubBackend | null } {
  let current: StubBackend | null = null;
  afterEach(() => {
    cleanup();
    setLanguage("zh");
    const missed = current?.unanswered ?? [];
    current = null;
    expect(missed).toEqual([]);
  });
  return { use: (b) => (current = b), current: () => current };
}
