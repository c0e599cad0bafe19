import { afterEach, describe, expect, test, vi } from "vitest";
import { clearMocks, mockIPC, mockWindows } from "@tauri-apps/api/mocks";
import { emit } from "@tauri-apps/api/event";
import { CONTENT_CHANGED_EVENT, SUMMONED_EVENT } from "./backend";
import { TauriBackend, call, isWebUrl } from "./tauri";

afterEach(() => clearMocks());

const results = { query: "催单", total: 0, took_us: 12, hits: [] };

describe("TauriBackend", () => {
  test("search sends {req} to `search`", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      return results;
    });
    const req = { query: "催单", limit: 30, kinds: ["playbook" as const], platforms: [] };
    await expect(new TauriBackend().search(req)).resolves.toEqual(results);
    expect(calls).toEqual([["search", { req }]]);
  });

  test("every command gets its argument object", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      return cmd === "suggest" ? [] : null;
    });
    const b = new TauriBackend();
    const settings = { content_dir: null, hotkey: "Ctrl+Shift+K", language: "zh" as const, theme: "system" as const, compact: false, clipboard_suggest: false, compact_enter: "send" as const, hide_after_copy: "compact" as const, team: { agent_id: null, share: false, share_replies: false } };
    await b.suggest("cfh");
    await b.document("playbooks/cuifahuo");
    await b.saveSettings(settings);
    await b.setCompact(true);
    await b.status();
    await b.problems();
    await b.reload();
    await b.getSettings();
    expect(calls).toEqual([
      ["suggest", { query: "cfh" }],
      ["document", { id: "playbooks/cuifahuo" }],
      ["save_settings", { settings }],
      ["set_compact", { compact: true }],
      ["status", {}],
      ["problems", {}],
      ["reload", {}],
      ["get_settings", {}],
    ]);
  });

  test("an ApiError from Rust passes through; anything else becomes kind io", async () => {
    mockIPC((cmd) => {
      if (cmd === "document") throw { kind: "not_found", message: "no document x" };
      throw "boom";
    });
    const b = new TauriBackend();
    await expect(b.document("x")).rejects.toEqual({ kind: "not_found", message: "no document x" });
    await expect(b.status()).rejects.toEqual({ kind: "io", message: "boom" });
  });

  test("drill commands get their argument objects", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      return null;
    });
    const b = new TauriBackend();
    const req = {
      drill_id: "drills/kaichang",
      mode: "reply" as const,
      reply: "亲，在的",
      events: [{ t_ms: 1, kind: "composition_end" as const, data: "亲", is_composing: false }],
      session_id: "s1",
    };
    await b.drillHome();
    await b.drillPrompt("drills/kaichang");
    await b.drillSubmit(req);
    await b.drillProgress();
    await b.setProfileName("林晓");
    expect(calls).toEqual([
      ["drill_home", {}],
      ["drill_prompt", { id: "drills/kaichang" }],
      ["drill_submit", { req }],
      ["drill_progress", {}],
      ["set_profile_name", { name: "林晓" }],
    ]);
  });

  test("publishing commands get their argument objects", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      return null;
    });
    const b = new TauriBackend();
    const req = { path: "cases/a.md", text: "---\nkind: case\n---\n", base_fingerprint: "ab12" };
    await b.source("cases/a");
    await b.sourceAt("cases/a.md");
    await b.newCase();
    await b.drillDraft("cases/a");
    await b.checkSource(null, "x");
    await b.saveSource(req);
    await b.saveCopy(req);
    await b.reviewItems();
    await b.gitStatus();
    await b.gitSync();
    expect(calls).toEqual([
      ["source", { id: "cases/a" }],
      ["source_at", { path: "cases/a.md" }],
      ["new_case", {}],
      ["drill_draft", { id: "cases/a" }],
      ["check_source", { path: null, text: "x" }],
      ["save_source", { req }],
      ["save_copy", { req }],
      ["review_items", {}],
      ["git_status", {}],
      ["git_sync", {}],
    ]);
  });

  test("onContentChanged passes the payload", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const cb = vi.fn();
    const off = new TauriBackend().onContentChanged(cb);
    const payload = { status: null, ids: ["cases/a"] };
    await vi.waitFor(async () => {
      await emit(CONTENT_CHANGED_EVENT, payload);
      expect(cb).toHaveBeenCalledWith(payload);
    });
    off();
  });

  test("copy goes through the plugin; the dialogs are core commands (the pick is recorded there)", async () => {
    const calls: Array<[string, unknown]> = [];
    mockIPC((cmd, payload) => {
      calls.push([cmd, payload]);
      if (cmd === "choose_folder") return "/home/kefu/库";
      if (cmd === "choose_save_file") return "/home/kefu/导出.csv";
      return null;
    });
    const b = new TauriBackend();
    await b.copy("你好");
    await expect(b.chooseFolder()).resolves.toBe("/home/kefu/库");
    await expect(b.chooseSaveFile("团队.csv", ["csv"])).resolves.toBe("/home/kefu/导出.csv");
    expect(calls[0]).toEqual(["plugin:clipboard-manager|write_text", expect.objectContaining({ text: "你好" })]);
    expect(calls.slice(1)).toEqual([
      ["choose_folder", {}],
      ["choose_save_file", { default_name: "团队.csv", extensions: ["csv"] }],
    ]);
    expect(calls.some(([c]) => c.startsWith("plugin:dialog"))).toBe(false);
  });

  test("hide hides the current window", async () => {
    mockWindows("main");
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    await new TauriBackend().hide();
    expect(calls).toContain("plugin:window|hide");
  });

  test("chooseFolder: cancelled is null", async () => {
    mockIPC(() => null);
    await expect(new TauriBackend().chooseFolder()).resolves.toBeNull();
  });

  test("openExternal: http(s) only", async () => {
    const calls: string[] = [];
    mockIPC((cmd) => {
      calls.push(cmd);
      return null;
    });
    const b = new TauriBackend();
    await b.openExternal("https://rulechannel.taobao.com/");
    await expect(b.openExternal("javascript:alert(1)")).rejects.toMatchObject({ kind: "invalid_input" });
    await expect(b.openExternal("file:///etc/passwd")).rejects.toMatchObject({ kind: "invalid_input" });
    expect(calls).toEqual(["plugin:opener|open_url"]);
    expect(isWebUrl("http://a.b/")).toBe(true);
    expect(isWebUrl("mailto:x@y.z")).toBe(false);
  });

  test("onSummoned listens to the shell's event and unsubscribes", async () => {
    mockIPC(() => null, { shouldMockEvents: true });
    const cb = vi.fn();
    const off = new TauriBackend().onSummoned(cb);
    await vi.waitFor(async () => {
      await emit(SUMMONED_EVENT);
      expect(cb).toHaveBeenCalled();
    });
    const n = cb.mock.calls.length;
    off();
    await emit(SUMMONED_EVENT);
    expect(cb.mock.calls.length).toBe(n);
  });
});

// Compile-time checks (run by `npm run check`): a wrong command name or payload does not type-check.
export function typeChecks(): void {
  // @ts-expect-error: no such command
  void call("serch", {});
  // @ts-expect-error: `search` takes {req}, not the request itself
  void call("search", { query: "x", kinds: [], platforms: [] });
  // @ts-expect-error: `document` takes {id: string}
  void call("document", { id: 1 });
  // @ts-expect-error: `drill_submit` takes {req}
  void call("drill_submit", { drill_id: "x", mode: "reply", reply: "", events: [] });
}
