// `Backend` over HTTP to `kefu serve` (the real kefu-core on a loopback address): what the browser
// tests and UI development run against. Commands are `POST /api/<command>` with the per-run token;
// events come from long-polling `GET /api/_events`. What only a desktop shell can do (window,
// system clipboard, browser, folder dialog) is recorded in `window.__kefuServe` for tests instead;
// where to save a file is asked with the browser's prompt (an absolute path on the core's machine).

import type { ApiError } from "../bindings/ApiError";
import type { ContentChanged } from "../bindings/ContentChanged";
import type { SemanticStatus } from "../bindings/SemanticStatus";
import { type Call, type CommandApi, commandApi } from "../bindings/commands";
import { CONTENT_CHANGED_EVENT, SEMANTIC_EVENT, type Backend } from "./backend";
import { toApiError } from "./errors";
import { t } from "../i18n.svelte";

/** What a test can read back (and set: `folder` is what the next chooseFolder returns, `openFile`
 * what the next chooseOpenFile returns). */
export interface ServeRecord {
  copied: string[];
  opened: string[];
  hidden: number;
  compact: boolean[];
  folder: string | null;
  openFile: string | null;
  /** What chooseSaveFile was asked (the proposed name and extensions), in order. */
  saveAsked: Array<{ defaultName: string; extensions: string[] }>;
  /** Queries sent to `search`, in order, and how many answers arrived. */
  searches: string[];
  answered: number;
  /** What `drill_submit` sent (the reply and its event log), and what the core answered. */
  submissions: unknown[];
  results: unknown[];
}

type Listener = (payload: unknown) => void;

export interface HttpBackend extends CommandApi {}

export class HttpBackend implements Backend {
  readonly record: ServeRecord = {
    copied: [],
    opened: [],
    hidden: 0,
    compact: [],
    folder: null,
    openFile: null,
    saveAsked: [],
    searches: [],
    answered: 0,
    submissions: [],
    results: [],
  };
  private listeners = new Map<string, Set<Listener>>();
  private polling = false;

  constructor(
    private readonly base: string,
    private readonly token: string,
  ) {
    const call: Call = async (command, args) => {
      // The native dialogs: the test plays the user, so what it set is "picked" first.
      if (command === "choose_folder") await this.post("_choose", { path: this.record.folder });
      if (command === "choose_open_file") await this.post("_choose", { path: this.record.openFile });
      if (command === "choose_save_file") {
        const { default_name: defaultName, extensions } = args as { default_name: string; extensions: string[] };
        this.record.saveAsked.push({ defaultName, extensions: [...extensions] });
        const path = window.prompt(t("savePathPrompt", { ext: extensions.join(", ") }), defaultName);
        await this.post("_choose", { path: path && path.trim() ? path.trim() : null });
      }
      if (command === "search") this.record.searches.push((args as { req: { query: string } }).req.query);
      if (command === "drill_submit") this.record.submissions.push((args as { req: unknown }).req);
      const out = await this.post(command, args);
      if (command === "search") this.record.answered += 1;
      if (command === "drill_submit") this.record.results.push(out);
      return out as never;
    };
    Object.assign(this, commandApi(call));
  }

  private async post(command: string, args: unknown): Promise<unknown> {
    let res: Response;
    try {
      res = await fetch(`${this.base}/api/${command}`, {
        method: "POST",
        headers: { authorization: `Bearer ${this.token}`, "content-type": "application/json" },
        body: JSON.stringify(args ?? {}),
      });
    } catch (e) {
      throw toApiError(e);
    }
    const body: unknown = await res.json().catch(() => null);
    if (!res.ok) throw toApiError(body ?? `HTTP ${res.status}`);
    return body;
  }

  async hide(): Promise<void> {
    this.record.hidden += 1;
  }
  async copy(text: string): Promise<void> {
    this.record.copied.push(text);
  }
  async openExternal(url: string): Promise<void> {
    const u = new URL(url);
    if (u.protocol !== "http:" && u.protocol !== "https:") {
      throw { kind: "invalid_input", message: `refusing to open ${url}: only http(s) URLs` } satisfies ApiError;
    }
    this.record.opened.push(url);
  }
  onSummoned(): () => void {
    return () => {};
  }
  onContentChanged(cb: (e: ContentChanged) => void): () => void {
    return this.listen(CONTENT_CHANGED_EVENT, cb as Listener);
  }
  onSemantic(cb: (s: SemanticStatus) => void): () => void {
    return this.listen(SEMANTIC_EVENT, cb as Listener);
  }
  onClipboardMessage(): () => void {
    return () => {};
  }

  private listen(event: string, cb: Listener): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(cb);
    void this.poll();
    return () => set.delete(cb);
  }

  /** One long-poll loop for all listeners. */
  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    let after = 0;
    for (;;) {
      try {
        const res = await fetch(`${this.base}/api/_events?after=${after}`, {
          headers: { authorization: `Bearer ${this.token}` },
        });
        const events = (await res.json()) as Array<{ seq: number; event: string; payload: unknown }>;
        for (const e of events) {
          after = Math.max(after, e.seq);
          for (const cb of this.listeners.get(e.event) ?? []) cb(e.payload);
        }
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }
}
