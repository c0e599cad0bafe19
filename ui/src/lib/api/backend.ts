// The one way the UI talks to Kefu's core. Views receive a `Backend`; the desktop app passes the
// Tauri implementation (tauri.ts), tests and the browser preview pass the fake (fake.ts).
//
// Every method rejects with an `ApiError` ({ kind, message }) on failure: branch on `kind`.

import type { SemanticStatus } from "../bindings/SemanticStatus";
import type { ApiError } from "../bindings/ApiError";
import type { DocumentView } from "../bindings/DocumentView";
import type { LibraryStatus } from "../bindings/LibraryStatus";
import type { Problem } from "../bindings/Problem";
import type { SearchRequest } from "../bindings/SearchRequest";
import type { SearchResults } from "../bindings/SearchResults";
import type { Settings } from "../bindings/Settings";
import type { Suggestion } from "../bindings/Suggestion";
import type { DrillHome } from "../bindings/DrillHome";
import type { DrillPrompt } from "../bindings/DrillPrompt";
import type { DrillResult } from "../bindings/DrillResult";
import type { Progress } from "../bindings/Progress";
import type { SubmitRequest } from "../bindings/SubmitRequest";
import type { ContentChanged } from "../bindings/ContentChanged";
import type { Draft } from "../bindings/Draft";
import type { GitStatus } from "../bindings/GitStatus";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { SaveOutcome } from "../bindings/SaveOutcome";
import type { SaveRequest } from "../bindings/SaveRequest";
import type { Source } from "../bindings/Source";
import type { SourceCheck } from "../bindings/SourceCheck";
import type { SyncReport } from "../bindings/SyncReport";

/** Rust commands (src-tauri/src/commands.rs): name → [argument object, result]. */
export type Commands = {
  status: [Record<string, never>, LibraryStatus];
  search: [{ req: SearchRequest }, SearchResults];
  suggest: [{ query: string }, Suggestion[]];
  document: [{ id: string }, DocumentView];
  problems: [Record<string, never>, Problem[]];
  reload: [Record<string, never>, LibraryStatus];
  get_settings: [Record<string, never>, Settings];
  /** Saves and applies (content folder, hotkey); returns the settings in force. */
  save_settings: [{ settings: Settings }, Settings];
  /** Compact mode: small always-on-top window; false restores the normal window. */
  set_compact: [{ compact: boolean }, null];
  /** Drills home: profile, due today, first-week path, suggested next session. */
  drill_home: [Record<string, never>, DrillHome];
  /** A drill as the trainee sees it before answering (no references). */
  drill_prompt: [{ id: string }, DrillPrompt];
  /** Scores, stores and schedules an answer; returns the result screen. */
  drill_submit: [{ req: SubmitRequest }, DrillResult];
  /** Progress charts and personal bests. */
  drill_progress: [Record<string, never>, Progress];
  set_profile_name: [{ name: string }, null];
  /** A document's file text and fingerprint, for editing. */
  source: [{ id: string }, Source];
  /** The same by path relative to the content folder (files that do not load, e.g. conflicts). */
  source_at: [{ path: string }, Source];
  /** A new case from the template. */
  new_case: [Record<string, never>, Draft];
  /** 生成练习: a drill draft from a case. */
  drill_draft: [{ id: string }, Draft];
  /** Live preview and validation of an editor buffer (`path` null for a new document). */
  check_source: [{ path: string | null; text: string }, SourceCheck];
  /** Saves an editor buffer; never overwrites a file changed on disk since it was opened. */
  save_source: [{ req: SaveRequest }, SaveOutcome];
  /** 两份都保留 after a conflict: writes the text as `<name>-copy.md` beside the original. */
  save_copy: [{ req: SaveRequest }, SaveOutcome];
  /** The 待复核 list (rules first). */
  review_items: [Record<string, never>, ReviewItem[]];
  /** The content folder's git state. */
  git_status: [Record<string, never>, GitStatus];
  /** 同步: commit local changes, pull --rebase, push. Rejects with kind `git`. */
  git_sync: [Record<string, never>, SyncReport];
};

/** Event the shell emits when the global hotkey shows the window: focus and select the search box. */
export const SUMMONED_EVENT = "kefu://summoned";

/** Event the shell emits after the file watcher picked up changes (external edits or our saves). */
export const CONTENT_CHANGED_EVENT = "kefu://content-changed";

/** Event the shell emits when matching by meaning changes state (model loaded, embedding progress). */
export const SEMANTIC_EVENT = "kefu://semantic";

/** Event the shell emits with a customer's message copied in another app (剪贴板建议, opt-in). */
export const CLIPBOARD_EVENT = "kefu://clipboard-message";

export interface Backend {
  status(): Promise<LibraryStatus>;
  search(req: SearchRequest): Promise<SearchResults>;
  suggest(query: string): Promise<Suggestion[]>;
  document(id: string): Promise<DocumentView>;
  problems(): Promise<Problem[]>;
  reload(): Promise<LibraryStatus>;
  getSettings(): Promise<Settings>;
  saveSettings(settings: Settings): Promise<Settings>;
  setCompact(compact: boolean): Promise<void>;
  /** Hides the window (Esc on an empty search box); the hotkey brings it back. */
  hide(): Promise<void>;
  drillHome(): Promise<DrillHome>;
  drillPrompt(id: string): Promise<DrillPrompt>;
  drillSubmit(req: SubmitRequest): Promise<DrillResult>;
  drillProgress(): Promise<Progress>;
  setProfileName(name: string): Promise<void>;
  /** Puts text on the system clipboard. */
  copy(text: string): Promise<void>;
  /** Opens an http(s) URL in the system browser; other schemes are refused. */
  openExternal(url: string): Promise<void>;
  /** Asks the user for a folder; null when cancelled. */
  chooseFolder(): Promise<string | null>;
  /** Calls `cb` whenever the hotkey summons the window; returns an unsubscribe function. */
  onSummoned(cb: () => void): () => void;
  // ---- publishing
  source(id: string): Promise<Source>;
  sourceAt(path: string): Promise<Source>;
  newCase(): Promise<Draft>;
  drillDraft(id: string): Promise<Draft>;
  checkSource(path: string | null, text: string): Promise<SourceCheck>;
  saveSource(req: SaveRequest): Promise<SaveOutcome>;
  saveCopy(req: SaveRequest): Promise<SaveOutcome>;
  reviewItems(): Promise<ReviewItem[]>;
  gitStatus(): Promise<GitStatus>;
  gitSync(): Promise<SyncReport>;
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
