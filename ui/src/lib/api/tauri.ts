// The desktop implementation of `Backend`: Rust commands through Tauri's IPC, plus the clipboard,
// opener and dialog plugins for what the webview may not do itself.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { open } from "@tauri-apps/plugin-dialog";
import { openUrl } from "@tauri-apps/plugin-opener";
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
import type { SemanticStatus } from "../bindings/SemanticStatus";
import {
  type Backend,
  type Commands,
  CLIPBOARD_EVENT,
  CONTENT_CHANGED_EVENT,
  SEMANTIC_EVENT,
  SUMMONED_EVENT,
} from "./backend";
import { toApiError } from "./errors";

export { toApiError };

/** Calls a Rust command; the name and the argument object are checked against `Commands`. */
export async function call<K extends keyof Commands>(
  cmd: K,
  args: Commands[K][0],
): Promise<Commands[K][1]> {
  try {
    return await invoke<Commands[K][1]>(cmd, args);
  } catch (e) {
    throw toApiError(e);
  }
}

async function wrap<T>(p: () => Promise<T>): Promise<T> {
  try {
    return await p();
  } catch (e) {
    throw toApiError(e);
  }
}

/** True for absolute http: and https: URLs, the only ones handed to the system browser. */
export function isWebUrl(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "http:" || u.protocol === "https:";
  } catch {
    return false;
  }
}

export class TauriBackend implements Backend {
  status(): Promise<LibraryStatus> {
    return call("status", {});
  }
  search(req: SearchRequest): Promise<SearchResults> {
    return call("search", { req });
  }
  suggest(query: string): Promise<Suggestion[]> {
    return call("suggest", { query });
  }
  document(id: string): Promise<DocumentView> {
    return call("document", { id });
  }
  problems(): Promise<Problem[]> {
    return call("problems", {});
  }
  reload(): Promise<LibraryStatus> {
    return call("reload", {});
  }
  getSettings(): Promise<Settings> {
    return call("get_settings", {});
  }
  saveSettings(settings: Settings): Promise<Settings> {
    return call("save_settings", { settings });
  }
  async setCompact(compact: boolean): Promise<void> {
    await call("set_compact", { compact });
  }
  hide(): Promise<void> {
    return wrap(() => getCurrentWindow().hide());
  }
  drillHome(): Promise<DrillHome> {
    return call("drill_home", {});
  }
  drillPrompt(id: string): Promise<DrillPrompt> {
    return call("drill_prompt", { id });
  }
  drillSubmit(req: SubmitRequest): Promise<DrillResult> {
    return call("drill_submit", { req });
  }
  drillProgress(): Promise<Progress> {
    return call("drill_progress", {});
  }
  async setProfileName(name: string): Promise<void> {
    await call("set_profile_name", { name });
  }
  copy(text: string): Promise<void> {
    return wrap(() => writeText(text));
  }
  async openExternal(url: string): Promise<void> {
    if (!isWebUrl(url)) {
      throw { kind: "invalid_input", message: `refusing to open ${url}: only http(s) URLs` } satisfies ApiError;
    }
    await wrap(() => openUrl(url));
  }
  async chooseFolder(): Promise<string | null> {
    const picked = await wrap(() => open({ directory: true, multiple: false }));
    return typeof picked === "string" ? picked : null;
  }
  onSummoned(cb: () => void): () => void {
    return subscribe(SUMMONED_EVENT, () => cb());
  }
  source(id: string): Promise<Source> {
    return call("source", { id });
  }
  sourceAt(path: string): Promise<Source> {
    return call("source_at", { path });
  }
  newCase(): Promise<Draft> {
    return call("new_case", {});
  }
  drillDraft(id: string): Promise<Draft> {
    return call("drill_draft", { id });
  }
  checkSource(path: string | null, text: string): Promise<SourceCheck> {
    return call("check_source", { path, text });
  }
  saveSource(req: SaveRequest): Promise<SaveOutcome> {
    return call("save_source", { req });
  }
  saveCopy(req: SaveRequest): Promise<SaveOutcome> {
    return call("save_copy", { req });
  }
  reviewItems(): Promise<ReviewItem[]> {
    return call("review_items", {});
  }
  gitStatus(): Promise<GitStatus> {
    return call("git_status", {});
  }
  gitSync(): Promise<SyncReport> {
    return call("git_sync", {});
  }
  onContentChanged(cb: (e: ContentChanged) => void): () => void {
    return subscribe<ContentChanged>(CONTENT_CHANGED_EVENT, cb);
  }
  onSemantic(cb: (s: SemanticStatus) => void): () => void {
    return subscribe<SemanticStatus>(SEMANTIC_EVENT, cb);
  }
  onClipboardMessage(cb: (text: string) => void): () => void {
    return subscribe<string>(CLIPBOARD_EVENT, cb);
  }
}

/** Listens to a shell event; returns an unsubscribe function that works even before `listen` resolved. */
function subscribe<T>(event: string, cb: (payload: T) => void): () => void {
  let unlisten: (() => void) | null = null;
  let cancelled = false;
  listen<T>(event, (e) => cb(e.payload))
    .then((fn) => {
      if (cancelled) fn();
      else unlisten = fn;
    })
    .catch(() => {
      // No event system (e.g. a plain browser): the event never comes.
    });
  return () => {
    cancelled = true;
    unlisten?.();
  };
}
