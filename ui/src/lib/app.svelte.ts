// Application state shared by the views: the route and its history, settings, library status,
// the search controller, the copy flow (with the placeholder dialog) and the toast.

import type { ApiError } from "./bindings/ApiError";
import type { LibraryStatus } from "./bindings/LibraryStatus";
import type { Settings } from "./bindings/Settings";
import type { ContentChanged } from "./bindings/ContentChanged";
import type { GitStatus } from "./bindings/GitStatus";
import type { SaveOutcome } from "./bindings/SaveOutcome";
import type { SyncReport } from "./bindings/SyncReport";
import type { SemanticStatus } from "./bindings/SemanticStatus";
import { EditorSession, type EditorOpen } from "./editor/session.svelte";
import type { Backend } from "./api/backend";
import { toApiError } from "./api/errors";
import { SearchController } from "./search.svelte";
import { DrillsState } from "./drills.svelte";
import { fillPlaceholders, placeholderNames } from "./text";
import type { UseRecord } from "./bindings/UseRecord";
import type { UsageHome } from "./bindings/UsageHome";
import type { Hit } from "./bindings/Hit";
import type { NotSentCode } from "./bindings/NotSentCode";
import type { DrillMode } from "./bindings/DrillMode";
import { errorLabel, setLanguage, t } from "./i18n.svelte";

/** Why a send became a copy, in the agent's words. */
function notSentLabel(code: NotSentCode): string {
  return t(`notSent_${code}` as Parameters<typeof t>[0]);
}

export type Route =
  | { name: "search" }
  | { name: "doc"; id: string }
  | { name: "settings" }
  | { name: "problems" }
  | { name: "drills" }
  | { name: "session" }
  | { name: "progress" }
  | { name: "editor"; session: EditorSession }
  | { name: "review" }
  | { name: "sync" }
  | { name: "team" }
  | { name: "import" };

/** The top-level areas: 查找 (search, the default), 练习 (drills), and 组长看板 (the lead's team view,
 * opened from its header button: neither 查找 nor 练习 is current there). */
export type Area = "search" | "drills" | "team";

const DRILL_ROUTES: ReadonlySet<Route["name"]> = new Set(["drills", "session", "progress"]);

export function isDrillRoute(r: Route): boolean {
  return DRILL_ROUTES.has(r.name);
}

export type Toast = { id: number; text: string; tone: "ok" | "error" };

/** Where a phrase came from, for the usage log: its document and quick code. */
export type PhraseOrigin = { doc_id: string; phrase_code: string | null };

export type PendingCopy = {
  text: string;
  names: string[];
  values: Record<string, string>;
  /** Alt+Enter (or Enter in the compact window): paste into the chat window, not only copy. */
  send: boolean;
  origin: PhraseOrigin | null;
};

export const DEFAULT_SETTINGS: Settings = {
  content_dir: null,
  hotkey: "Ctrl+Shift+K",
  language: "zh",
  theme: "system",
  compact: false,
  clipboard_suggest: false,
  compact_enter: "send",
  hide_after_copy: "compact",
  team: { agent_id: null, share: false, share_replies: false },
};

/** A localised one-line description of an error. */
export function describeError(e: ApiError): string {
  return `${errorLabel(e.kind)} · ${e.message}`;
}

export type AppOptions = { debounceMs?: number; toastMs?: number; checkDebounceMs?: number };

/** The one-line report of a finished sync. */
export function syncMessage(r: SyncReport): string {
  if (r.outcome === "committed_only") return t("committedOnly");
  if (r.outcome === "conflict") return t("syncConflictTitle", { n: r.conflicts.length });
  if (r.pushed) return t("syncedReport", { pulled: r.pulled });
  if (r.pulled > 0) return t("syncedNoPush", { pulled: r.pulled });
  return t("syncedNothing");
}

/** How often the status is asked for while matching by meaning is not settled. */
export const SEMANTIC_POLL_MS = 3000;

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
  /** Leaving the editor with unsaved changes waits for this confirmation. */
  pendingLeave = $state<(() => void) | null>(null);
  /** Bumped on every content-changed event; `changedIds` are the documents it named. */
  changeSeq = $state(0);
  changedIds = $state<string[]>([]);
  git = $state<GitStatus | null>(null);
  syncing = $state(false);
  syncReport = $state<SyncReport | null>(null);
  syncError = $state<ApiError | null>(null);
  /** Opening an editor (fetching a source or draft) is in progress. */
  opening = $state(false);

  /** The editor on screen, if any. */
  readonly editor: EditorSession | null = $derived(this.route.name === "editor" ? this.route.session : null);

  readonly compact = $derived(this.settings.compact || this.narrow);

  /** The area the current page belongs to: a document opened from a drill result is in drills. */
  readonly area: Area = $derived.by(() => {
    for (const r of [this.route, ...[...this.history].reverse()]) {
      if (r.name === "search") return "search";
      if (r.name === "team") return "team";
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
  private readonly checkDebounceMs: number;
  private skipGuard = false;

  constructor(backend: Backend, options: AppOptions = {}) {
    this.backend = backend;
    this.search = new SearchController(backend, options.debounceMs ?? 40);
    this.drills = new DrillsState(backend);
    this.toastMs = options.toastMs ?? 1600;
    this.checkDebounceMs = options.checkDebounceMs ?? 250;
  }

  async init(): Promise<void> {
    const [settings, status] = await Promise.allSettled([
      this.backend.getSettings(),
      this.backend.status(),
    ]);
    if (settings.status === "fulfilled") this.applySettings(settings.value);
    if (status.status === "fulfilled") {
      // An event that arrived while the status was on its way is newer than the status.
      this.status = this.lateSemantic ? { ...status.value, semantic: this.lateSemantic } : status.value;
    }
    this.pollSemantic();
    void this.refreshUsage();
    await this.refreshGit();
  }

  private lateSemantic: SemanticStatus | null = null;
  private semanticTimer: ReturnType<typeof setTimeout> | null = null;

  /**
   * While the model loads or content is being embedded, the status is asked for again every few
   * seconds: an event sent before the UI listened (or while it was busy) is never missed for long.
   */
  private pollSemantic(): void {
    const state = this.status?.semantic.state;
    if ((state !== "loading" && state !== "embedding") || this.semanticTimer !== null) return;
    this.semanticTimer = setTimeout(() => {
      this.semanticTimer = null;
      this.backend
        .status()
        .then((s) => {
          this.status = s;
        })
        .catch(() => {})
        .finally(() => this.pollSemantic());
    }, SEMANTIC_POLL_MS);
  }

  async refreshGit(): Promise<void> {
    try {
      this.git = await this.backend.gitStatus();
    } catch {
      this.git = null;
    }
  }

  /** The watcher picked up changed files (a pull, another editor, our own save). */
  contentChanged(e: ContentChanged): void {
    if (e.status) this.status = e.status;
    this.changedIds = [...e.ids];
    this.changeSeq += 1;
    this.search.refresh();
    void this.refreshGit();
    const editor = this.editor;
    if (editor) void editor.contentChanged(e.ids);
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

  /**
   * Runs a navigation, unless it would leave an editor with unsaved changes: then it waits for
   * the confirmation dialog (`confirmLeave` / `cancelLeave`).
   */
  private guard(action: () => void): void {
    const editor = this.editor;
    if (!this.skipGuard && editor && editor.dirty) {
      this.pendingLeave = action;
      return;
    }
    if (editor && this.route.name === "editor") {
      // Leaving the editor: a check in flight has nobody to report to.
      queueMicrotask(() => {
        if (this.route.name !== "editor" || this.route.session !== editor) editor.dispose();
      });
    }
    action();
  }

  confirmLeave(): void {
    const action = this.pendingLeave;
    this.pendingLeave = null;
    if (!action) return;
    this.skipGuard = true;
    try {
      action();
    } finally {
      this.skipGuard = false;
    }
  }

  cancelLeave(): void {
    this.pendingLeave = null;
  }

  navigate(route: Route): void {
    this.guard(() => {
      // Leaving an editor for another page keeps it in the history only while it has something
      // to come back to.
      this.history = [...this.history, this.route];
      this.route = route;
    });
  }

  openDoc(id: string): void {
    if (this.route.name === "doc" && this.route.id === id) return;
    this.navigate({ name: "doc", id });
  }

  back(): void {
    this.guard(() => {
      const prev = this.history[this.history.length - 1];
      this.history = this.history.slice(0, -1);
      this.route = prev ?? { name: "search" };
      if (this.route.name === "search") this.requestFocus();
    });
  }

  /** Back to the search page, forgetting the history (typing a new query, the hotkey). */
  home(): void {
    this.guard(() => {
      this.history = [];
      this.route = { name: "search" };
    });
  }

  /** The 练习 area: its home, with 查找 one step back. */
  openDrills(): void {
    this.guard(() => {
      this.history = [{ name: "search" }];
      this.route = { name: "drills" };
    });
  }

  /** 组长看板: the lead's view of the team, with 查找 one step back. */
  openTeam(): void {
    this.guard(() => {
      this.history = [{ name: "search" }];
      this.route = { name: "team" };
    });
  }

  // ------------------------------------------------------------------ publishing

  /** Opens an editor on a buffer. */
  openEditor(open: EditorOpen): void {
    this.navigate({ name: "editor", session: new EditorSession(this.backend, open, this.checkDebounceMs) });
  }

  private async opener(load: () => Promise<EditorOpen>): Promise<void> {
    if (this.opening) return;
    this.opening = true;
    try {
      this.openEditor(await load());
    } catch (e) {
      this.showToast(describeError(toApiError(e)), "error");
    } finally {
      this.opening = false;
    }
  }

  /** 发布案例: the editor on a new case from the template. */
  newCase(): Promise<void> {
    return this.opener(async () => {
      const d = await this.backend.newCase();
      return { kind: d.kind, text: d.text, path: null, fingerprint: null, id: null };
    });
  }

  /** 编辑: the editor on a document's file. */
  editDoc(id: string, kind: EditorOpen["kind"]): Promise<void> {
    return this.opener(async () => {
      const s = await this.backend.source(id);
      return { kind, text: s.text, path: s.path, fingerprint: s.fingerprint, id };
    });
  }

  /** A file that does not load (conflict markers), by path. */
  editPath(path: string): Promise<void> {
    return this.opener(async () => {
      const s = await this.backend.sourceAt(path);
      const kind = (/^kind:\s*(playbook|case|rule|drill)\b/m.exec(s.text)?.[1] ?? "case") as EditorOpen["kind"];
      return { kind, text: s.text, path: s.path, fingerprint: s.fingerprint, id: null };
    });
  }

  /** 生成练习: the editor on a drill draft made from a case. */
  drillFromCase(id: string): Promise<void> {
    return this.opener(async () => {
      const d = await this.backend.drillDraft(id);
      return { kind: d.kind, text: d.text, path: null, fingerprint: null, id: null };
    });
  }

  /** After a save: the document view replaces the editor (back goes where the editor came from). */
  savedToDoc(out: Extract<SaveOutcome, { outcome: "saved" }>, message: string): void {
    this.showToast(message, "ok");
    void this.refreshStatus();
    void this.refreshGit();
    this.search.refresh();
    this.skipGuard = true;
    try {
      const prev = this.history[this.history.length - 1];
      if (prev && prev.name === "doc" && prev.id === out.id) {
        this.history = this.history.slice(0, -1);
      }
      this.route = { name: "doc", id: out.id };
    } finally {
      this.skipGuard = false;
    }
  }

  /** 同步: commit, pull --rebase, push. Conflicts and errors open the sync page. */
  async sync(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      const r = await this.backend.gitSync();
      this.syncReport = r;
      this.syncError = null;
      if (r.outcome === "conflict") {
        if (this.route.name !== "sync") this.navigate({ name: "sync" });
      } else {
        this.showToast(syncMessage(r), "ok");
      }
    } catch (e) {
      const err = toApiError(e);
      this.syncReport = null;
      this.syncError = err;
      this.showToast(`${t("syncFailed")} · ${err.message}`, "error");
      if (this.route.name !== "sync") this.navigate({ name: "sync" });
    } finally {
      this.syncing = false;
      await Promise.all([this.refreshGit(), this.refreshStatus()]);
      this.search.refresh();
    }
  }

  /** Starts a practice session over the suggested plan and shows the player. */
  startSession(): void {
    if (!this.drills.start()) return;
    this.navigate({ name: "session" });
  }

  /** A session over the given drills in one mode (a finding's suggested drill, an assignment). */
  practise(ids: string[], mode: DrillMode): void {
    if (!this.drills.startWith(ids, mode)) return;
    this.navigate({ name: "session" });
  }

  /** Back to the player of the session in progress. */
  resumeSession(): void {
    if (this.drills.session) this.navigate({ name: "session" });
  }

  requestFocus(): void {
    this.focusRequest += 1;
  }

  /** The shell reported a new state of matching by meaning (model loaded, embedding progress). */
  semanticChanged(s: SemanticStatus): void {
    if (this.status) this.status = { ...this.status, semantic: s };
    else this.lateSemantic = s;
    this.pollSemantic();
  }

  /** The query came from the clipboard (剪贴板建议) rather than the keyboard. */
  fromClipboard = $state(false);

  /** 剪贴板建议: a customer's message was copied in another app; show its results. */
  clipboardMessage(text: string): void {
    if (!this.settings.clipboard_suggest || this.editor) return;
    if (this.route.name !== "search") this.home();
    this.search.setQuery(text);
    this.fromClipboard = true;
  }

  summoned(): void {
    void this.refreshUsage();
    if (this.pendingCopy) this.cancelCopy();
    this.home();
    if (!this.pendingLeave) this.requestFocus();
  }

  // ------------------------------------------------------------------ copy

  /** Copies a phrase; one with `{{placeholders}}` asks for their values first. */
  copyPhrase(text: string, origin: PhraseOrigin | null = null): void {
    this.usePhrase(text, origin, false);
  }

  /** 发送到聊天窗口: pastes a phrase into the chat window Kefu was summoned from (placeholders
   * first); where that cannot be done it is copied instead and the reason said once. */
  sendPhrase(text: string, origin: PhraseOrigin | null = null): void {
    this.usePhrase(text, origin, true);
  }

  private usePhrase(text: string, origin: PhraseOrigin | null, send: boolean): void {
    if (this.sending) return; // a second Alt+Enter while the first send runs
    const names = placeholderNames(text);
    if (names.length === 0) {
      void this.deliver(text, origin, send);
      return;
    }
    const active = typeof document !== "undefined" ? document.activeElement : null;
    this.focusBeforeDialog = active instanceof HTMLElement ? active : null;
    this.pendingCopy = {
      text,
      names,
      values: Object.fromEntries(names.map((n) => [n, this.remembered.get(n) ?? ""])),
      send,
      origin,
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
    await this.deliver(fillPlaceholders(pending.text, clean), pending.origin, pending.send);
  }

  /** 最近使用 and 常用 for the empty search box (null until first asked). */
  usageHome = $state<UsageHome | null>(null);

  /** Asks the core for 最近使用 / 常用 again (after a use, on summon). Failures keep the old lists. */
  async refreshUsage(): Promise<void> {
    try {
      this.usageHome = await this.backend.usageHome();
      this.homeSelected = -1;
    } catch {
      // The lists are a shortcut; without them the welcome page shows.
    }
  }

  /** The cards of the empty search box, 最近使用 then 常用. */
  get homeHits(): Hit[] {
    return this.usageHome ? [...this.usageHome.recent, ...this.usageHome.frequent] : [];
  }

  /** The card of the empty box chosen with ↑/↓ (-1: none yet). */
  homeSelected = $state(-1);

  get selectedHomeHit(): Hit | null {
    return this.homeHits[this.homeSelected] ?? null;
  }

  /** ↑/↓ on the empty box: the first ↓ picks the first card; stops at both ends. */
  moveHome(delta: number): void {
    const n = this.homeHits.length;
    if (n === 0) return;
    this.homeSelected = Math.max(0, Math.min(n - 1, this.homeSelected + delta));
  }

  /** A send is running (a second one waits for it to finish). */
  sending = $state(false);
  /** Reasons a send fell back to copying that were already said (each is said once). */
  private saidNotSent = new Set<string>();

  /** How the phrase was found, for the usage log (the core keeps typed keywords only). */
  private useRecord(origin: PhraseOrigin, action: "sent" | "copied"): UseRecord {
    const query = this.route.name === "search" ? this.search.query : "";
    const found_by = this.fromClipboard ? "clipboard" : query.trim() === "" ? "browsed" : "typed";
    return { doc_id: origin.doc_id, phrase_code: origin.phrase_code ?? undefined, query, found_by, action };
  }

  private async deliver(text: string, origin: PhraseOrigin | null, send: boolean): Promise<void> {
    if (send) {
      this.sending = true;
      try {
        const record = this.useRecord(origin ?? { doc_id: "", phrase_code: null }, "sent");
        const outcome = await this.backend.sendToChat({ text, record });
        if (outcome.status === "sent") {
          this.showToast(t("sent"), "ok");
          void this.refreshUsage();
          return;
        }
        const first = !this.saidNotSent.has(outcome.code);
        this.saidNotSent.add(outcome.code);
        await this.writeClipboard(text, origin, first ? notSentLabel(outcome.code) : null);
      } catch (e) {
        this.showToast(`${t("sendFailed")} · ${describeError(toApiError(e))}`, "error");
      } finally {
        this.sending = false;
      }
      return;
    }
    await this.writeClipboard(text, origin, null);
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

  private async writeClipboard(text: string, origin: PhraseOrigin | null = null, why: string | null = null): Promise<void> {
    try {
      await this.backend.copy(text);
    } catch (e) {
      this.showToast(`${t("copyFailed")} · ${describeError(toApiError(e))}`, "error");
      return;
    }
    this.showToast(why ? t("copiedNotSent", { why }) : t("copied"), "ok");
    if (origin && origin.doc_id) {
      // The log is a convenience: a failure to write it never gets in the agent's way.
      this.backend
        .recordUse(this.useRecord(origin, "copied"))
        .then(() => this.refreshUsage())
        .catch(() => undefined);
    }
    const hide = this.settings.hide_after_copy;
    if (hide === "always" || (hide === "compact" && this.settings.compact)) await this.hide();
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
    if (this.semanticTimer !== null) clearTimeout(this.semanticTimer);
    this.semanticTimer = null;
    this.search.dispose();
    this.editor?.dispose();
    if (this.toastTimer !== null) clearTimeout(this.toastTimer);
  }
}
