// Application state shared by the views: the route and its history, settings, library status,
// the search controller, the copy flow (with the placeholder dialog) and the toast.

import type { ApiError } from "./bindings/ApiError";
import type { LibraryStatus } from "./bindings/LibraryStatus";
import type { Settings } from "./bindings/Settings";
import type { Backend } from "./api/backend";
import { toApiError } from "./api/errors";
import { SearchController } from "./search.svelte";
import { DrillsState } from "./drills.svelte";
import { fillPlaceholders, placeholderNames } from "./text";
import { errorLabel, setLanguage, t } from "./i18n.svelte";

export type Route =
  | { name: "search" }
  | { name: "doc"; id: string }
  | { name: "settings" }
  | { name: "problems" }
  | { name: "drills" }
  | { name: "session" }
  | { name: "progress" };

/** The two top-level areas: 查找 (search, the default) and 练习 (drills). */
export type Area = "search" | "drills";

const DRILL_ROUTES: ReadonlySet<Route["name"]> = new Set(["drills", "session", "progress"]);

export function isDrillRoute(r: Route): boolean {
  return DRILL_ROUTES.has(r.name);
}

export type Toast = { id: number; text: string; tone: "ok" | "error" };

export type PendingCopy = {
  text: string;
  names: string[];
  values: Record<string, string>;
};

export const DEFAULT_SETTINGS: Settings = {
  content_dir: null,
  hotkey: "Ctrl+Shift+K",
  language: "zh",
  theme: "system",
  compact: false,
};

/** A localised one-line description of an error. */
export function describeError(e: ApiError): string {
  return `${errorLabel(e.kind)} · ${e.message}`;
}

export type AppOptions = { debounceMs?: number; toastMs?: number };

export class AppState {
  readonly backend: Backend;
  readonly search: SearchController;
  readonly drills: DrillsState;

  route = $state<Route>({ name: "search" });
  history = $state<Route[]>([]);
  settings = $state<Settings>({ ...DEFAULT_SETTINGS });
  status = $state<LibraryStatus | null>(null);
  /** The window is narrow enough for the compact layout whatever the setting says. */
  narrow = $state(false);
  toast = $state<Toast | null>(null);
  pendingCopy = $state<PendingCopy | null>(null);
  /** Bumped to ask the header to focus (and select) the search box. */
  focusRequest = $state(0);

  readonly compact = $derived(this.settings.compact || this.narrow);

  /** The area the current page belongs to: a document opened from a drill result is in drills. */
  readonly area: Area = $derived.by(() => {
    for (const r of [this.route, ...[...this.history].reverse()]) {
      if (r.name === "search") return "search";
      if (isDrillRoute(r)) return "drills";
    }
    return "search";
  });

  /** Placeholder values typed earlier in this run, offered again next time. */
  private readonly remembered = new Map<string, string>();
  private toastTimer: ReturnType<typeof setTimeout> | null = null;
  private toastSeq = 0;
  private readonly toastMs: number;
  private focusBeforeDialog: HTMLElement | null = null;

  constructor(backend: Backend, options: AppOptions = {}) {
    this.backend = backend;
    this.search = new SearchController(backend, options.debounceMs ?? 40);
    this.drills = new DrillsState(backend);
    this.toastMs = options.toastMs ?? 1600;
  }

  async init(): Promise<void> {
    const [settings, status] = await Promise.allSettled([
      this.backend.getSettings(),
      this.backend.status(),
    ]);
    if (settings.status === "fulfilled") this.applySettings(settings.value);
    if (status.status === "fulfilled") this.status = status.value;
  }

  applySettings(s: Settings): void {
    this.settings = s;
    setLanguage(s.language);
  }

  async refreshStatus(): Promise<void> {
    try {
      this.status = await this.backend.status();
    } catch {
      // keep the old status
    }
  }

  // ------------------------------------------------------------------ navigation

  navigate(route: Route): void {
    this.history = [...this.history, this.route];
    this.route = route;
  }

  openDoc(id: string): void {
    if (this.route.name === "doc" && this.route.id === id) return;
    this.navigate({ name: "doc", id });
  }

  back(): void {
    const prev = this.history[this.history.length - 1];
    this.history = this.history.slice(0, -1);
    this.route = prev ?? { name: "search" };
    if (this.route.name === "search") this.requestFocus();
  }

  /** Back to the search page, forgetting the history (typing a new query, the hotkey). */
  home(): void {
    this.history = [];
    this.route = { name: "search" };
  }

  /** The 练习 area: its home, with 查找 one step back. */
  openDrills(): void {
    this.history = [{ name: "search" }];
    this.route = { name: "drills" };
  }

  /** Starts a practice session over the suggested plan and shows the player. */
  startSession(): void {
    if (!this.drills.start()) return;
    this.navigate({ name: "session" });
  }

  /** Back to the player of the session in progress. */
  resumeSession(): void {
    if (this.drills.session) this.navigate({ name: "session" });
  }

  requestFocus(): void {
    this.focusRequest += 1;
  }

  summoned(): void {
    if (this.pendingCopy) this.cancelCopy();
    this.home();
    this.requestFocus();
  }

  // ------------------------------------------------------------------ copy

  /** Copies a phrase; one with `{{placeholders}}` asks for their values first. */
  copyPhrase(text: string): void {
    const names = placeholderNames(text);
    if (names.length === 0) {
      void this.writeClipboard(text);
      return;
    }
    const active = typeof document !== "undefined" ? document.activeElement : null;
    this.focusBeforeDialog = active instanceof HTMLElement ? active : null;
    this.pendingCopy = {
      text,
      names,
      values: Object.fromEntries(names.map((n) => [n, this.remembered.get(n) ?? ""])),
    };
  }

  async confirmCopy(values: Record<string, string>): Promise<void> {
    const pending = this.pendingCopy;
    if (!pending) return;
    const clean: Record<string, string> = {};
    for (const name of pending.names) {
      const v = (values[name] ?? "").trim();
      clean[name] = v;
      if (v) this.remembered.set(name, v);
    }
    this.pendingCopy = null;
    this.restoreFocus();
    await this.writeClipboard(fillPlaceholders(pending.text, clean));
  }

  cancelCopy(): void {
    this.pendingCopy = null;
    this.restoreFocus();
  }

  private restoreFocus(): void {
    const el = this.focusBeforeDialog;
    this.focusBeforeDialog = null;
    if (el && el.isConnected) queueMicrotask(() => el.focus());
    else if (this.route.name === "search") this.requestFocus();
  }

  private async writeClipboard(text: string): Promise<void> {
    try {
      await this.backend.copy(text);
      this.showToast(t("copied"), "ok");
    } catch (e) {
      this.showToast(`${t("copyFailed")} · ${describeError(toApiError(e))}`, "error");
    }
  }

  // ------------------------------------------------------------------ window

  async toggleCompact(): Promise<void> {
    const next = !this.settings.compact;
    try {
      await this.backend.setCompact(next);
      this.settings = { ...this.settings, compact: next };
    } catch (e) {
      this.showToast(describeError(toApiError(e)), "error");
    }
  }

  async hide(): Promise<void> {
    try {
      await this.backend.hide();
    } catch (e) {
      this.showToast(describeError(toApiError(e)), "error");
    }
  }

  async openExternal(url: string): Promise<void> {
    if (!/^https?:\/\//i.test(url)) {
      this.showToast(t("unsupportedLink"), "error");
      return;
    }
    try {
      await this.backend.openExternal(url);
      this.showToast(t("openedExternal"), "ok");
    } catch (e) {
      this.showToast(describeError(toApiError(e)), "error");
    }
  }

  showToast(text: string, tone: Toast["tone"] = "ok"): void {
    this.toast = { id: ++this.toastSeq, text, tone };
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => {
      this.toast = null;
      this.toastTimer = null;
    }, this.toastMs);
  }

  dispose(): void {
    this.search.dispose();
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
  }
}
