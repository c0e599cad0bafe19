// The desktop implementation of `Backend`: Rust commands through Tauri's IPC, plus the clipboard,
// opener and dialog plugins for what the webview may not do itself.

import { invoke } from "@tauri-apps/api/core";
import { listen } from "@tauri-apps/api/event";
import { getCurrentWindow } from "@tauri-apps/api/window";
import { writeText } from "@tauri-apps/plugin-clipboard-manager";
import { openUrl } from "@tauri-apps/plugin-opener";
import type { ApiError } from "../bindings/ApiError";
import type { ContentChanged } from "../bindings/ContentChanged";
import type { SemanticStatus } from "../bindings/SemanticStatus";
import { type CommandApi, commandApi } from "../bindings/commands";
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

// The generated command methods are assigned in the constructor; this merges their types in.
export interface TauriBackend extends CommandApi {}

export class TauriBackend implements Backend {
  constructor() {
    Object.assign(this, commandApi(call));
  }
  hide(): Promise<void> {
    return wrap(() => getCurrentWindow().hide());
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
  onSummoned(cb: () => void): () => void {
    return subscribe(SUMMONED_EVENT, () => cb());
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
