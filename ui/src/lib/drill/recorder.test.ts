import { describe, expect, test } from "vitest";
import { pasteEvent, submitChord, typeIme } from "../../test/ime";
import type { LogEvent } from "./recorder";
import { EventRecorder, afterPaint, isSubmitChord } from "./recorder";
import { canonical, recorded } from "../../test/stub";

/**
 * The metrics the core computed (kefu-core drill::metrics) for this very log: fixture-calls.json
 * has a `drill_submit` of the log each test below builds (same keys, same clock).
 */
function coreMetrics(events: LogEvent[]) {
  const call = recorded("drill_submit").find((c) => canonical(c.args.req.events) === canonical(events));
  if (!call?.ok) throw new Error("this log is not in ui/src/test/fixture-calls.json: record it (see the `note` there)");
  return call.ok.metrics;
}

/** A recorder on a fresh textarea with a clock that advances 10 ms per event. */
function setup(allowPaste = false) {
  let t = 1000;
  const rec = new EventRecorder({ allowPaste, now: () => (t += 10) });
  const el = document.createElement("textarea");
  document.body.append(el);
  const detach = rec.attach(el);
  return { rec, el, detach };
}

const kinds = (rec: EventRecorder) => rec.events.map((e) => e.kind);

describe("EventRecorder", () => {
  test("a pinyin composition logs keys, composition events and composing inputs", () => {
    const { rec, el } = setup();
    rec.shown();
    typeIme(el, [{ pinyin: "qin", commit: "亲" }]);
    expect(kinds(rec)).toEqual([
      "shown",
      "key_down",
      "composition_start",
      "composition_update",
      "input",
      "key_down",
      "composition_update",
      "input",
      "key_down",
      "composition_update",
      "input",
      "key_down",
      "input",
      "composition_end",
    ]);
    const ev = rec.events;
    // The first key is not composing yet; the rest are.
    expect(ev[1]).toMatchObject({ kind: "key_down", key: "q", is_composing: false });
    expect(ev[5]).toMatchObject({ kind: "key_down", key: "i", is_composing: true });
    expect(ev[3]).toMatchObject({ kind: "composition_update", data: "q", is_composing: true });
    expect(ev[9]).toMatchObject({ kind: "composition_update", data: "qin" });
    expect(ev[4]).toMatchObject({ kind: "input", data: "q", input_type: "insertCompositionText", is_composing: true });
    expect(ev[12]).toMatchObject({ kind: "input", data: "亲", input_type: "insertCompositionText", is_composing: true });
    expect(ev[13]).toMatchObject({ kind: "composition_end", data: "亲", is_composing: false });
    expect(el.value).toBe("亲");
    // Timestamps only grow.
    for (let i = 1; i < ev.length; i++) expect(ev[i]!.t_ms).toBeGreaterThan(ev[i - 1]!.t_ms);
  });

  test("plain inserts and backspaces are logged with their input types", () => {
    const { rec, el } = setup();
    typeIme(el, [{ text: "，" }, { backspace: true }]);
    expect(rec.events).toEqual([
      expect.objectContaining({ kind: "key_down", key: "，", is_composing: false }),
      expect.objectContaining({ kind: "input", data: "，", input_type: "insertText", is_composing: false }),
      expect.objectContaining({ kind: "key_down", key: "Backspace" }),
      expect.objectContaining({ kind: "input", input_type: "deleteContentBackward" }),
    ]);
    // No data on a deletion.
    expect(rec.events[3]).not.toHaveProperty("data");
  });

  test("the log gives the metrics Rust expects (the core's answer to this log)", () => {
    const { rec, el } = setup();
    rec.shown();
    typeIme(el, [{ pinyin: "qin", commit: "亲" }, { text: "，" }, { pinyin: "cuidan", commit: "催单" }, { backspace: true }]);
    submitChord(el);
    const events = rec.submit();
    const m = coreMetrics(events);
    expect(m.committed_chars).toBe(4); // 亲 ， 催单
    // q i n space , c u i d a n space Backspace (Control alone and the submit chord do not count)
    expect(m.keystrokes).toBe(13);
    expect(m.backspaces).toBe(1);
    expect(m.pasted_chars).toBe(0);
    expect(m.response_ms).toBe(10);
    expect(events[events.length - 1]?.kind).toBe("submit");
  });

  test("the submit chord is not a keystroke; after submit nothing more is logged", () => {
    const { rec, el } = setup();
    expect(isSubmitChord(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true }))).toBe(true);
    expect(isSubmitChord(new KeyboardEvent("keydown", { key: "Enter" }))).toBe(false);
    expect(isSubmitChord(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, isComposing: true }))).toBe(false);
    submitChord(el);
    expect(rec.events.map((e) => e.key)).toEqual(["Control"]);
    const sent = rec.submit();
    typeIme(el, [{ text: "a" }]);
    expect(rec.events).toHaveLength(2);
    expect(rec.submit()).toEqual(sent);
    expect(rec.isSubmitted).toBe(true);
  });

  test("reopen after a failed submit drops the submit and logs on", () => {
    const { rec, el } = setup();
    rec.submit();
    rec.reopen();
    typeIme(el, [{ text: "a" }]);
    expect(kinds(rec)).toEqual(["key_down", "input"]);
    expect(rec.submit().map((e) => e.kind)).toEqual(["key_down", "input", "submit"]);
  });

  test("`shown` counts once (a remounted player keeps the first time)", () => {
    const { rec } = setup();
    rec.shown();
    const first = rec.shownTime;
    rec.shown();
    expect(kinds(rec)).toEqual(["shown"]);
    expect(rec.shownTime).toBe(first);
  });

  test("paste is blocked when the drill does not allow it, and still logged", () => {
    const { rec, el } = setup(false);
    const e = pasteEvent("好的亲，马上安排");
    el.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(rec.blockedPastes).toBe(1);
    expect(rec.events).toEqual([expect.objectContaining({ kind: "paste", data: "好的亲，马上安排" })]);
    expect(coreMetrics(rec.submit()).pasted_chars).toBe(8);
  });

  test("paste goes through when allowed (logged all the same)", () => {
    const { rec, el } = setup(true);
    const e = pasteEvent("亲");
    el.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(false);
    expect(rec.blockedPastes).toBe(0);
    expect(kinds(rec)).toEqual(["paste"]);
  });

  test("dropped text is pasting by other means", () => {
    const { rec, el } = setup(false);
    const e = new Event("drop", { bubbles: true, cancelable: true });
    Object.defineProperty(e, "dataTransfer", { value: { getData: () => "拖进来的字" } });
    el.dispatchEvent(e);
    expect(e.defaultPrevented).toBe(true);
    expect(rec.events[0]).toMatchObject({ kind: "paste", data: "拖进来的字" });
  });

  test("detach stops logging", () => {
    const { rec, el, detach } = setup();
    detach();
    typeIme(el, [{ text: "a" }]);
    expect(rec.events).toEqual([]);
  });

  test("afterPaint runs once the frame is painted, and can be cancelled", async () => {
    let ran = 0;
    afterPaint(() => (ran += 1));
    const cancel = afterPaint(() => (ran += 10));
    cancel();
    await new Promise((r) => setTimeout(r, 60));
    expect(ran).toBe(1);
  });
});
