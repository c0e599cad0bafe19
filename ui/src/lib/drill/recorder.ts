// The input-event log of one drill answer. The UI only records what happened, with
// `performance.now()` timestamps; Rust (kefu-core drill::metrics) turns the log into the first
// response time, CPM, keystrokes per character, backspaces and pasted characters.
//
// Chinese is typed through an IME, so the log keeps the composition events (`compositionend` data
// is the committed text) and every key-down, composition keys included.

import type { EventKind } from "../bindings/EventKind";
import type { InputEvent as LogEvent } from "../bindings/InputEvent";

export type { LogEvent };

export type RecorderOptions = {
  /** Whether pasting (and dropping text) is accepted; when not, it is blocked but still logged. */
  allowPaste: boolean;
  /** Clock; `performance.now()` by default. */
  now?: () => number;
};

/** True for the chord that submits an answer (Ctrl+Enter, ⌘+Enter). */
export function isSubmitChord(e: KeyboardEvent): boolean {
  return e.key === "Enter" && (e.ctrlKey || e.metaKey) && !e.isComposing;
}

export class EventRecorder {
  readonly events: LogEvent[] = [];
  allowPaste: boolean;
  /** How many pastes (or drops) were blocked because the drill does not allow pasting. */
  blockedPastes = 0;
  private readonly now: () => number;
  private shownAt: number | null = null;
  private submitted = false;

  constructor(options: RecorderOptions) {
    this.allowPaste = options.allowPaste;
    this.now = options.now ?? (() => performance.now());
  }

  /** When the customer's message was painted (null before). */
  get shownTime(): number | null {
    return this.shownAt;
  }

  get isSubmitted(): boolean {
    return this.submitted;
  }

  private push(kind: EventKind, fields: Partial<Omit<LogEvent, "t_ms" | "kind">> = {}): LogEvent {
    const ev: LogEvent = { t_ms: this.now(), kind, is_composing: false };
    if (fields.key !== undefined) ev.key = fields.key;
    if (fields.data !== undefined) ev.data = fields.data;
    if (fields.input_type !== undefined) ev.input_type = fields.input_type;
    if (fields.is_composing) ev.is_composing = true;
    if (!this.submitted) this.events.push(ev);
    return ev;
  }

  /** The message is on screen. Only the first call counts (a remounted player keeps its log). */
  shown(): void {
    if (this.shownAt !== null) return;
    this.shownAt = this.push("shown").t_ms;
  }

  keydown(e: KeyboardEvent): void {
    // The submit chord is logged as `submit`, not as a keystroke of the answer.
    if (isSubmitChord(e)) return;
    this.push("key_down", { key: e.key, is_composing: e.isComposing });
  }

  input(e: Event): void {
    const ie = e as globalThis.InputEvent;
    const fields: Partial<LogEvent> = { is_composing: ie.isComposing === true };
    if (typeof ie.data === "string") fields.data = ie.data;
    if (typeof ie.inputType === "string" && ie.inputType !== "") fields.input_type = ie.inputType;
    this.push("input", fields);
  }

  compositionStart(e: CompositionEvent): void {
    this.push("composition_start", { data: e.data ?? "", is_composing: true });
  }

  compositionUpdate(e: CompositionEvent): void {
    this.push("composition_update", { data: e.data ?? "", is_composing: true });
  }

  compositionEnd(e: CompositionEvent): void {
    this.push("composition_end", { data: e.data ?? "" });
  }

  /** Logs a paste; when pasting is not allowed, cancels it (it is still reported). */
  paste(e: ClipboardEvent): void {
    const text = e.clipboardData?.getData("text/plain") ?? e.clipboardData?.getData("text") ?? "";
    this.push("paste", { data: text });
    if (!this.allowPaste) {
      e.preventDefault();
      this.blockedPastes += 1;
    }
  }

  /** Dropped text is pasting by other means: logged as a paste and blocked alike. */
  drop(e: DragEvent): void {
    const text = e.dataTransfer?.getData("text/plain") ?? "";
    if (text === "") return;
    this.push("paste", { data: text });
    if (!this.allowPaste) {
      e.preventDefault();
      this.blockedPastes += 1;
    }
  }

  /** Logs the submit and freezes the log; returns a copy to send. */
  submit(): LogEvent[] {
    if (!this.submitted) {
      this.push("submit");
      this.submitted = true;
    }
    return this.snapshot();
  }

  /** After a failed submit: drops the `submit` event and goes on logging (the retry adds a new one). */
  reopen(): void {
    if (!this.submitted) return;
    this.submitted = false;
    const last = this.events[this.events.length - 1];
    if (last?.kind === "submit") this.events.pop();
  }

  /** A plain copy of the log (safe to send or store). */
  snapshot(): LogEvent[] {
    return this.events.map((e) => ({ ...e }));
  }

  /**
   * Listens to `el` (a textarea or input) and logs its key, input, composition, paste and drop
   * events. Returns the function that stops listening.
   */
  attach(el: HTMLElement): () => void {
    const handlers: Array<[string, (e: Event) => void]> = [
      ["keydown", (e) => this.keydown(e as KeyboardEvent)],
      ["input", (e) => this.input(e)],
      ["compositionstart", (e) => this.compositionStart(e as CompositionEvent)],
      ["compositionupdate", (e) => this.compositionUpdate(e as CompositionEvent)],
      ["compositionend", (e) => this.compositionEnd(e as CompositionEvent)],
      ["paste", (e) => this.paste(e as ClipboardEvent)],
      ["drop", (e) => this.drop(e as DragEvent)],
    ];
    // Capture phase: logged before any other handler can stop or change the event.
    for (const [type, fn] of handlers) el.addEventListener(type, fn, true);
    return () => {
      for (const [type, fn] of handlers) el.removeEventListener(type, fn, true);
    };
  }
}

/** Calls `cb` once the current frame has been painted (a timer where there is no rAF). */
export function afterPaint(cb: () => void): () => void {
  let cancelled = false;
  let timer: ReturnType<typeof setTimeout> | null = null;
  const run = () => {
    timer = setTimeout(() => {
      if (!cancelled) cb();
    }, 0);
  };
  let frame: number | null = null;
  if (typeof requestAnimationFrame === "function") frame = requestAnimationFrame(run);
  else run();
  return () => {
    cancelled = true;
    if (frame !== null && typeof cancelAnimationFrame === "function") cancelAnimationFrame(frame);
    if (timer !== null) clearTimeout(timer);
  };
}
