// One open editor buffer: the whole file text (the source of truth), the live check (preview +
// problems, debounced, stale answers dropped), saving with its three outcomes, and "changed
// elsewhere" detection when the watcher reports a change.

import type { ApiError } from "../bindings/ApiError";
import type { Kind } from "../bindings/Kind";
import type { Problem } from "../bindings/Problem";
import type { SaveOutcome } from "../bindings/SaveOutcome";
import type { SaveRequest } from "../bindings/SaveRequest";
import type { SourceCheck } from "../bindings/SourceCheck";
import type { Backend } from "../api/backend";
import { toApiError } from "../api/errors";
import { hasConflictMarkers, readForm, setFields, splitFrontMatter, type FieldValue } from "./frontmatter";

export type EditorOpen = {
  kind: Kind;
  text: string;
  /** Relative path of an existing file; null for a new document. */
  path: string | null;
  /** Fingerprint of the file when it was opened (null for a new document). */
  fingerprint: string | null;
  /** The document's id, when it has one. */
  id: string | null;
};

export type Conflict = { path: string; disk_text: string; disk_fingerprint: string };

export class EditorSession {
  readonly backend: Backend;
  kind = $state<Kind>("case");
  path = $state<string | null>(null);
  id = $state<string | null>(null);
  fingerprint = $state<string | null>(null);
  /** Created by this session (publishing): the first save announces it as searchable. */
  readonly startedNew: boolean;
  /** Opened with git conflict markers: edited as one whole file. */
  readonly raw: boolean;

  text = $state("");
  /** The text as last loaded or saved (unsaved changes: `text !== baseline`). */
  baseline = $state("");
  /** Bumped when the text is replaced from outside the editors (reload, stamped save). */
  version = $state(0);

  check = $state<SourceCheck | null>(null);
  checking = $state(false);
  saving = $state(false);
  /** The last save was refused (`invalid`). */
  refused = $state(false);
  conflict = $state<Conflict | null>(null);
  changedElsewhere = $state(false);
  /** The change made elsewhere was loaded (there was nothing unsaved to lose). */
  followed = $state(false);
  error = $state<ApiError | null>(null);

  readonly dirty = $derived(this.text !== this.baseline);
  readonly isNew = $derived(this.path === null);
  readonly split = $derived(splitFrontMatter(this.text));
  readonly form = $derived(readForm(this.text));
  readonly problems: Problem[] = $derived(this.check?.problems ?? []);
  readonly errors = $derived(this.problems.filter((p) => p.severity === "error").length);
  readonly warnings = $derived(this.problems.filter((p) => p.severity === "warning").length);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly debounceMs: number;

  constructor(backend: Backend, open: EditorOpen, debounceMs = 250) {
    this.backend = backend;
    this.debounceMs = debounceMs;
    this.kind = open.kind;
    this.path = open.path;
    this.id = open.id;
    this.fingerprint = open.fingerprint;
    this.text = open.text;
    this.baseline = open.text;
    this.startedNew = open.path === null;
    this.raw = hasConflictMarkers(open.text);
    this.schedule(0);
  }

  /** A new text from an editor or the form. */
  setText(text: string): void {
    if (text === this.text) return;
    this.text = text;
    this.refused = false;
    this.schedule(this.debounceMs);
  }

  /** Form edits: only these keys of the front matter change. */
  setFields(patch: Record<string, FieldValue>): void {
    this.setText(setFields(this.text, patch));
  }

  /** Replaces the text from outside the editors (they follow `version`). */
  replace(text: string, saved: boolean): void {
    this.text = text;
    if (saved) this.baseline = text;
    this.version += 1;
    this.schedule(0);
  }

  schedule(delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.checking = true;
    if (delay <= 0) void this.runCheck();
    else this.timer = setTimeout(() => void this.runCheck(), delay);
  }

  async runCheck(): Promise<void> {
    this.timer = null;
    const mine = ++this.seq;
    const text = this.text;
    try {
      const res = await this.backend.checkSource(this.path, text);
      if (mine !== this.seq) return; // a newer text is being checked
      this.check = res;
      this.error = null;
    } catch (e) {
      if (mine !== this.seq) return;
      this.error = toApiError(e);
    } finally {
      if (mine === this.seq) this.checking = false;
    }
  }

  private request(): SaveRequest {
    const req: SaveRequest = { text: this.text };
    if (this.path !== null) req.path = this.path;
    if (this.fingerprint !== null) req.base_fingerprint = this.fingerprint;
    return req;
  }

  private apply(out: SaveOutcome): void {
    if (out.outcome === "saved") {
      this.path = out.path;
      this.id = out.id;
      this.fingerprint = out.fingerprint;
      this.changedElsewhere = false;
      this.followed = false;
      this.conflict = null;
      this.replace(out.text, true);
    } else if (out.outcome === "invalid") {
      this.refused = true;
      this.seq += 1; // the answer of a check in flight would be older than this
      this.checking = false;
      this.check = { path: this.check?.path ?? this.path, id: this.check?.id ?? this.id, html: this.check?.html ?? "", problems: out.problems };
    } else {
      this.conflict = { path: out.path, disk_text: out.disk_text, disk_fingerprint: out.disk_fingerprint };
    }
  }

  /** Saves; resolves with the outcome (null when it failed with an error, kept in `error`). */
  async save(): Promise<SaveOutcome | null> {
    if (this.saving) return null;
    this.saving = true;
    try {
      const out = await this.backend.saveSource(this.request());
      this.apply(out);
      this.error = null;
      return out;
    } catch (e) {
      this.error = toApiError(e);
      return null;
    } finally {
      this.saving = false;
    }
  }

  /** 两份都保留: writes this text beside the original as `-copy.md`. */
  async keepBoth(): Promise<SaveOutcome | null> {
    if (this.saving) return null;
    this.saving = true;
    try {
      const out = await this.backend.saveCopy(this.request());
      if (out.outcome === "saved") {
        this.conflict = null;
        this.path = out.path;
        this.id = out.id;
        this.fingerprint = out.fingerprint;
        this.changedElsewhere = false;
        this.replace(out.text, true);
      } else {
        this.apply(out);
      }
      return out;
    } catch (e) {
      this.error = toApiError(e);
      return null;
    } finally {
      this.saving = false;
    }
  }

  /** 重新载入: takes the version on disk, dropping this buffer's changes. */
  reloadFromDisk(): void {
    const c = this.conflict;
    if (!c) return;
    this.fingerprint = c.disk_fingerprint;
    this.conflict = null;
    this.changedElsewhere = false;
    this.replace(c.disk_text, true);
  }

  /** The watcher reported changes: does the file on disk still match what was opened? */
  async contentChanged(ids: string[]): Promise<void> {
    if (this.path === null || this.fingerprint === null || this.saving) return;
    if (this.id !== null && !ids.includes(this.id) && ids.length > 0) return;
    try {
      const disk = await this.backend.sourceAt(this.path);
      if (disk.fingerprint !== this.fingerprint && !this.saving) {
        this.changedElsewhere = true;
        this.followed = !this.dirty;
        if (!this.dirty) {
          // Nothing typed yet: just follow the new version.
          this.fingerprint = disk.fingerprint;
          this.replace(disk.text, true);
        }
      }
    } catch {
      // the file is gone or unreadable: saving will tell
    }
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.seq += 1;
  }
}
