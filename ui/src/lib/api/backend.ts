// The one way the UI talks to Kefu's core. Views receive a `Backend`; the desktop app passes the
// Tauri implementation (tauri.ts), `kefu serve` the HTTP one (http.ts, the browser tests), and the
// component tests a stub that answers with the real core's recorded answers (src/test/stub.ts).
//
// Every method rejects with an `ApiError` ({ kind, message }) on failure: branch on `kind`.
// The command methods (`CommandApi`) are generated from kefu-core's one command list
// (crates/kefu-core/src/command_list.rs); only what the shell itself does is declared here.

import type { SemanticStatus } from "../bindings/SemanticStatus";
import type { ApiError } from "../bindings/ApiError";
import type { ContentChanged } from "../bindings/ContentChanged";
import type { CommandApi } from "../bindings/commands";

export type { Commands, CommandApi, Call } from "../bindings/commands";

/** Event the shell emits when the global hotkey shows the window: focus and select the search box. */
export const SUMMONED_EVENT = "kefu://summoned";

/** Event the shell emits after the file watcher picked up changes (external edits or our saves). */
export const CONTENT_CHANGED_EVENT = "kefu://content-changed";

/** Event the shell emits when matching by meaning changes state (model loaded, embedding progress). */
export const SEMANTIC_EVENT = "kefu://semantic";

/** Event the shell emits with a customer's message copied in another app (剪贴板建议, opt-in). */
export const CLIPBOARD_EVENT = "kefu://clipboard-message";

/** Kefu's commands, plus what only the shell does (window, clipboard, browser, dialogs, events). */
export interface Backend extends CommandApi {
  /** Hides the window (Esc on an empty search box); the hotkey brings it back. */
  hide(): Promise<void>;
  /** Puts text on the system clipboard. */
  copy(text: string): Promise<void>;
  /** Opens an http(s) URL in the system browser; other schemes are refused. */
  openExternal(url: string): Promise<void>;
  /** Asks the user for a folder; null when cancelled. */
  chooseFolder(): Promise<string | null>;
  /**
   * Asks the user where to save a file (an absolute path), proposing `defaultName` and offering
   * `extensions` (without dots); null when cancelled. The core writes the file (team_export).
   */
  chooseSaveFile(defaultName: string, extensions: string[]): Promise<string | null>;
  /**
   * Asks the user for a file to read (an absolute path), offering `extensions` (without dots);
   * null when cancelled. The core reads the file (import_preview).
   */
  chooseOpenFile(extensions: string[]): Promise<string | null>;
  /** Calls `cb` whenever the hotkey summons the window; returns an unsubscribe function. */
  onSummoned(cb: () => void): () => void;
  /** Calls `cb` when content changed on disk was picked up; returns an unsubscribe function. */
  onContentChanged(cb: (e: ContentChanged) => void): () => void;
  /** Calls `cb` with the state of matching by meaning whenever it changes. */
  onSemantic(cb: (s: SemanticStatus) => void): () => void;
  /** Calls `cb` with a customer's message copied in another app (only while 剪贴板建议 is on). */
  onClipboardMessage(cb: (text: string) => void): () => void;
}

export function isApiError(e: unknown): e is ApiError {
  return typeof e === "object" && e !== null && "kind" in e && "message" in e;
}
