// The backend of the component tests: answers from what the real core said (fixtures.json,
// written by the Rust test `ui_fixtures` from the calls in fixture-calls.json) and from per-test
// handlers; records what only a desktop shell does (clipboard, window, browser) and lets a test
// fire the shell's events. Nothing here computes what core computes: a call that has neither a
// handler nor a recorded answer rejects, naming the file to add it to.

import type { ApiError } from "../lib/bindings/ApiError";
import type { ContentChanged } from "../lib/bindings/ContentChanged";
import type { SemanticStatus } from "../lib/bindings/SemanticStatus";
import { type Call, type CommandApi, type Commands, commandApi } from "../lib/bindings/commands";
import type { Backend } from "../lib/api/backend";
import recordings from "./fixtures.json";

type Entry = { cmd: string; args: unknown; ok?: unknown; err?: ApiError };
type Handler<K extends keyof Commands> = (args: Commands[K][0]) => Commands[K][1] | Promise<Commands[K][1]>;

/** JSON text with object keys sorted, so equal arguments compare equal whatever their key order. */
export function canonical(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === "object" && !Array.isArray(x)
      ? Object.fromEntries(Object.entries(x as Record<string, unknown>).filter(([, y]) => y !== undefined).sort(([a], [b]) => a.localeCompare(b)))
      : x,
  );
}

const FIXTURES = recordings as Entry[];

/**
 * A recorded answer of `cmd` for `args`, as the core gave it: the first, or the `nth` (0-based;
 * negative counts from the last) when the same call was recorded several times (before and after
 * a change). Throws when there is none or when the core answered with an error (`recordedError`).
 */
export function fixture<K extends keyof Commands>(cmd: K, args: Commands[K][0], nth = 0): Commands[K][1] {
  const key = canonical(args ?? {});
  const all = FIXTURES.filter((x) => x.cmd === cmd && canonical(x.args) === key);
  const e = all[nth < 0 ? all.length + nth : nth];
  if (!e) throw new Error(`no recorded ${cmd} ${key} (#${nth}): add it to ui/src/test/fixture-calls.json and run cargo test`);
  if (e.err) throw new Error(`recorded ${cmd} ${key} failed: ${e.err.message}`);
  return structuredClone(e.ok) as Commands[K][1];
}

/** The error the core answered `cmd` for `args` with (the first recorded). */
export function recordedError<K extends keyof Commands>(cmd: K, args: Commands[K][0]): ApiError {
  const key = canonical(args ?? {});
  const e = FIXTURES.find((x) => x.cmd === cmd && canonical(x.args) === key);
  if (!e?.err) throw new Error(`no recorded error for ${cmd} ${key}`);
  return structuredClone(e.err);
}

/**
 * Every recorded call of `cmd` with its answer, in the order recorded: for a handler that picks a
 * recorded answer by some fields of a request that cannot be replayed exactly (an event log with
 * real timestamps).
 */
export function recorded<K extends keyof Commands>(cmd: K): Array<{ args: Commands[K][0]; ok?: Commands[K][1]; err?: ApiError }> {
  return FIXTURES.filter((x) => x.cmd === cmd).map((x) => structuredClone(x) as { args: Commands[K][0]; ok?: Commands[K][1]; err?: ApiError });
}

export interface StubBackend extends CommandApi {}

export class StubBackend implements Backend {
  /** Every command call, in order. */
  readonly calls: Array<{ cmd: keyof Commands; args: unknown }> = [];
  readonly copied: string[] = [];
  readonly opened: string[] = [];
  hidden = 0;
  /** Calls that had neither a handler nor a recorded answer (they were rejected), as `cmd args`. */
  readonly unanswered: string[] = [];
  /** What `chooseFolder` returns next. */
  folder: string | null = null;
  /** What `chooseOpenFile` returns next. */
  openFile: string | null = null;
  /** What `chooseSaveFile` returns next; `saveAsked` is what it was asked, in order. */
  saveFile: string | null = null;
  readonly saveAsked: Array<{ defaultName: string; extensions: string[] }> = [];
  private readonly handlers = new Map<keyof Commands, (args: unknown) => unknown>();
  private readonly used = new Map<string, number>();
  private readonly listeners = {
    summoned: new Set<() => void>(),
    content: new Set<(e: ContentChanged) => void>(),
    semantic: new Set<(s: SemanticStatus) => void>(),
    clipboard: new Set<(text: string) => void>(),
  };

  constructor() {
    const call: Call = async (cmd, args) => {
      this.calls.push({ cmd, args });
      const handler = this.handlers.get(cmd);
      if (handler) return (await handler(args)) as never;
      return this.replay(cmd, args) as never;
    };
    Object.assign(this, commandApi(call));
    // The usage log answers nothing: a copy's record_use needs no recorded answer.
    this.on("record_use", () => null);
    // The native dialogs (core commands): the test plays the user.
    this.on("choose_folder", () => this.folder);
    this.on("choose_open_file", () => this.openFile);
    this.on("choose_save_file", ({ default_name, extensions }) => {
      this.saveAsked.push({ defaultName: default_name, extensions: [...extensions] });
      return this.saveFile;
    });
  }

  /** Answers `cmd` with `fn` from now on (instead of the recorded answers). */
  on<K extends keyof Commands>(cmd: K, fn: Handler<K>): this {
    this.handlers.set(cmd, fn as (args: unknown) => unknown);
    return this;
  }

  /** The arguments of every call of `cmd`, in order. */
  argsOf<K extends keyof Commands>(cmd: K): Array<Commands[K][0]> {
    return this.calls.filter((c) => c.cmd === cmd).map((c) => c.args as Commands[K][0]);
  }

  /** Recorded answers of the same call are given in the order they were recorded; the last repeats. */
  private replay(cmd: string, args: unknown): unknown {
    const key = canonical(args ?? {});
    const matches = FIXTURES.filter((e) => e.cmd === cmd && canonical(e.args) === key);
    if (matches.length === 0) {
      this.unanswered.push(`${cmd} ${key}`);
      const err: ApiError = {
        kind: "internal",
        message: `no recorded answer for ${cmd} ${key}: add the call to ui/src/test/fixture-calls.json and run cargo test`,
      };
      return Promise.reject(err);
    }
    const n = this.used.get(cmd + key) ?? 0;
    this.used.set(cmd + key, n + 1);
    const e = matches[Math.min(n, matches.length - 1)]!;
    return e.err ? Promise.reject(e.err) : Promise.resolve(structuredClone(e.ok));
  }

  async hide(): Promise<void> {
    this.hidden += 1;
  }
  async copy(text: string): Promise<void> {
    this.copied.push(text);
  }
  async openExternal(url: string): Promise<void> {
    this.opened.push(url);
  }
  onSummoned(cb: () => void): () => void {
    this.listeners.summoned.add(cb);
    return () => this.listeners.summoned.delete(cb);
  }
  onContentChanged(cb: (e: ContentChanged) => void): () => void {
    this.listeners.content.add(cb);
    return () => this.listeners.content.delete(cb);
  }
  onSemantic(cb: (s: SemanticStatus) => void): () => void {
    this.listeners.semantic.add(cb);
    return () => this.listeners.semantic.delete(cb);
  }
  onClipboardMessage(cb: (text: string) => void): () => void {
    this.listeners.clipboard.add(cb);
    return () => this.listeners.clipboard.delete(cb);
  }

  /** The shell's hotkey event. */
  summon(): void {
    for (const cb of this.listeners.summoned) cb();
  }
  /** The watcher's event. */
  emitContentChanged(e: ContentChanged): void {
    for (const cb of this.listeners.content) cb(e);
  }
  emitSemantic(s: SemanticStatus): void {
    for (const cb of this.listeners.semantic) cb(s);
  }
  emitClipboard(text: string): void {
    for (const cb of this.listeners.clipboard) cb(text);
  }
}
