// The drills area: the home screen data, the chosen mode, and the practice session in progress
// (kept here, not in a component, so that opening a rule from a result and coming back keeps the
// session, its answers and its event logs).

import type { ApiError } from "./bindings/ApiError";
import type { DrillHome } from "./bindings/DrillHome";
import type { DrillMode } from "./bindings/DrillMode";
import type { DrillPrompt } from "./bindings/DrillPrompt";
import type { DrillResult } from "./bindings/DrillResult";
import type { PlanReason } from "./bindings/PlanReason";
import type { PlannedDrill } from "./bindings/PlannedDrill";
import type { Progress } from "./bindings/Progress";
import type { Backend } from "./api/backend";
import { toApiError } from "./api/errors";
import { EventRecorder } from "./drill/recorder";

export const SESSION_SIZE = 5;
export const MODES: readonly DrillMode[] = ["reply", "accuracy", "find_it"];

export type FoundPhrase = { docId: string; title: string };

export type SessionItem = {
  drillId: string;
  reason: PlanReason;
  prompt: DrillPrompt | null;
  loadError: ApiError | null;
  /** The answer being typed (kept when the player is left and re-entered). */
  reply: string;
  /** Find-it: where the copied phrase came from. */
  found: FoundPhrase | null;
  submitting: boolean;
  submitError: ApiError | null;
  result: DrillResult | null;
};

let sessionSeq = 0;

/** A new session id: time plus a counter (any string will do for Rust). */
export function newSessionId(now = Date.now()): string {
  sessionSeq += 1;
  return `s${now.toString(36)}-${sessionSeq}`;
}

export class DrillSession {
  readonly id: string;
  readonly mode: DrillMode;
  items = $state<SessionItem[]>([]);
  index = $state(0);
  /** All drills answered and the summary is showing. */
  finished = $state(false);

  private readonly backend: Backend;
  private readonly recorders = new Map<number, EventRecorder>();
  private readonly now: (() => number) | undefined;

  constructor(backend: Backend, plan: PlannedDrill[], mode: DrillMode, options: { id?: string; now?: () => number } = {}) {
    this.backend = backend;
    this.mode = mode;
    this.id = options.id ?? newSessionId();
    this.now = options.now;
    this.items = plan.map((p) => ({
      drillId: p.drill_id,
      reason: p.reason,
      prompt: null,
      loadError: null,
      reply: "",
      found: null,
      submitting: false,
      submitError: null,
      result: null,
    }));
  }

  get current(): SessionItem | null {
    return this.items[this.index] ?? null;
  }

  get total(): number {
    return this.items.length;
  }

  get answered(): number {
    return this.items.filter((i) => i.result !== null).length;
  }

  get isLast(): boolean {
    return this.index >= this.items.length - 1;
  }

  /** The event log of drill `index` (one per drill, kept across remounts of the player). */
  recorder(index = this.index): EventRecorder {
    let r = this.recorders.get(index);
    if (!r) {
      const prompt = this.items[index]?.prompt;
      // Find-it answers are copied from the search results; pasting into the search box is fine.
      const allowPaste = this.mode === "find_it" ? true : (prompt?.allow_paste ?? false);
      r = new EventRecorder(this.now ? { allowPaste, now: this.now } : { allowPaste });
      this.recorders.set(index, r);
    }
    return r;
  }

  /** Keeps the answer being typed for the current drill. */
  setReply(text: string): void {
    const item = this.current;
    if (item && !item.result) item.reply = text;
  }

  /** Loads the prompt of drill `index` (once). */
  async load(index = this.index): Promise<void> {
    const item = this.items[index];
    if (!item || item.prompt) return;
    try {
      item.prompt = await this.backend.drillPrompt(item.drillId);
      item.loadError = null;
      const r = this.recorders.get(index);
      if (r && this.mode !== "find_it") r.allowPaste = item.prompt.allow_paste;
    } catch (e) {
      item.loadError = toApiError(e);
    }
  }

  /** Sends the answer of the current drill with its event log; the result replaces the player. */
  async submit(reply: string, found: FoundPhrase | null = null): Promise<DrillResult | null> {
    const item = this.current;
    if (!item || item.submitting || item.result) return null;
    const recorder = this.recorder();
    const events = recorder.submit();
    item.reply = reply;
    item.found = found;
    item.submitting = true;
    try {
      const req = {
        drill_id: item.drillId,
        mode: this.mode,
        reply,
        events,
        session_id: this.id,
        ...(found ? { found_doc: found.docId } : {}),
      };
      const result = await this.backend.drillSubmit(req);
      item.result = result;
      item.submitError = null;
      return result;
    } catch (e) {
      item.submitError = toApiError(e);
      recorder.reopen();
      return null;
    } finally {
      item.submitting = false;
    }
  }

  /** To the next drill, or to the summary after the last one. */
  next(): void {
    if (this.isLast) this.finished = true;
    else this.index += 1;
  }
}

export class DrillsState {
  home = $state<DrillHome | null>(null);
  homeError = $state<ApiError | null>(null);
  /** Prompts of the planned drills, for their titles and categories on the home screen. */
  prompts = $state<Record<string, DrillPrompt>>({});
  mode = $state<DrillMode>("reply");
  session = $state<DrillSession | null>(null);
  progress = $state<Progress | null>(null);
  progressError = $state<ApiError | null>(null);

  private readonly backend: Backend;
  private homeSeq = 0;

  constructor(backend: Backend) {
    this.backend = backend;
  }

  /** A session is under way (started and not finished). */
  get inProgress(): boolean {
    return this.session !== null && !this.session.finished;
  }

  async loadHome(): Promise<void> {
    const mine = ++this.homeSeq;
    try {
      const home = await this.backend.drillHome();
      if (mine !== this.homeSeq) return;
      this.home = home;
      this.homeError = null;
      const missing = home.plan.map((p) => p.drill_id).filter((id) => !this.prompts[id]);
      const loaded = await Promise.allSettled(missing.map((id) => this.backend.drillPrompt(id)));
      if (mine !== this.homeSeq) return;
      const next = { ...this.prompts };
      for (const r of loaded) if (r.status === "fulfilled") next[r.value.id] = r.value;
      this.prompts = next;
    } catch (e) {
      if (mine === this.homeSeq) this.homeError = toApiError(e);
    }
  }

  async setName(name: string): Promise<void> {
    const clean = name.trim();
    if (!clean) return;
    await this.backend.setProfileName(clean);
    if (this.home) this.home = { ...this.home, profile_name: clean };
  }

  /** Starts a session over the suggested plan (the first `size` drills) in the chosen mode. */
  start(size = SESSION_SIZE): DrillSession | null {
    const plan = this.home?.plan.slice(0, size) ?? [];
    if (plan.length === 0) return null;
    const session = new DrillSession(this.backend, plan, this.mode);
    // Prompts already fetched for the home screen need no second trip.
    session.items.forEach((item) => {
      const p = this.prompts[item.drillId];
      if (p) item.prompt = p;
    });
    this.session = session;
    return session;
  }

  /** Starts a session over `ids` in `mode` (the drills a lead's finding suggests, say). */
  startWith(ids: string[], mode: DrillMode): DrillSession | null {
    if (ids.length === 0) return null;
    const plan: PlannedDrill[] = ids.map((drill_id) => ({ drill_id, title: this.prompts[drill_id]?.title ?? "", reason: "assigned" }));
    const session = new DrillSession(this.backend, plan, mode);
    session.items.forEach((item) => {
      const p = this.prompts[item.drillId];
      if (p) item.prompt = p;
    });
    this.session = session;
    return session;
  }

  async loadProgress(): Promise<void> {
    try {
      this.progress = await this.backend.drillProgress();
      this.progressError = null;
    } catch (e) {
      this.progressError = toApiError(e);
    }
  }
}
