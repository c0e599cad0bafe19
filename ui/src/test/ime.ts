// Simulated typing for tests: pinyin IME compositions and plain key presses, dispatched as the
// browser does (keydown → composition events → input with isComposing → compositionend), with the
// field's value kept in step so bound state sees the text.

export type ImeStep =
  /** Pinyin keys, then the committed text: `{ pinyin: "qin", commit: "亲" }`. */
  | { pinyin: string; commit: string }
  /** A plain insert (punctuation, ASCII) typed with one key. */
  | { text: string }
  | { backspace: true };

function key(el: HTMLElement, k: string, isComposing: boolean, extra: KeyboardEventInit = {}) {
  el.dispatchEvent(new KeyboardEvent("keydown", { key: k, isComposing, bubbles: true, cancelable: true, ...extra }));
}

function input(el: HTMLInputElement | HTMLTextAreaElement, data: string | null, inputType: string, isComposing: boolean) {
  el.dispatchEvent(new InputEvent("input", { data, inputType, isComposing, bubbles: true }));
}

function comp(el: HTMLElement, type: string, data: string) {
  el.dispatchEvent(new CompositionEvent(type, { data, bubbles: true }));
}

/** Types `steps` into `el` the way a pinyin IME does. */
export function typeIme(el: HTMLInputElement | HTMLTextAreaElement, steps: ImeStep[]): void {
  for (const step of steps) {
    if ("pinyin" in step) {
      const base = el.value;
      const keys = Array.from(step.pinyin);
      keys.forEach((k, i) => {
        key(el, k, i > 0);
        if (i === 0) comp(el, "compositionstart", "");
        const so_far = step.pinyin.slice(0, i + 1);
        comp(el, "compositionupdate", so_far);
        el.value = base + so_far;
        input(el, so_far, "insertCompositionText", true);
      });
      key(el, " ", true);
      el.value = base + step.commit;
      input(el, step.commit, "insertCompositionText", true);
      comp(el, "compositionend", step.commit);
    } else if ("text" in step) {
      key(el, step.text, false);
      el.value += step.text;
      input(el, step.text, "insertText", false);
    } else {
      key(el, "Backspace", false);
      el.value = Array.from(el.value).slice(0, -1).join("");
      input(el, null, "deleteContentBackward", false);
    }
  }
}

/** A paste event carrying `text` (jsdom has no ClipboardEvent/DataTransfer). */
export function pasteEvent(text: string): Event {
  const e = new Event("paste", { bubbles: true, cancelable: true });
  Object.defineProperty(e, "clipboardData", { value: { getData: () => text } });
  return e;
}

/** Ctrl+Enter on `el`. */
export function submitChord(el: HTMLElement): void {
  el.dispatchEvent(new KeyboardEvent("keydown", { key: "Control", ctrlKey: true, bubbles: true, cancelable: true }));
  el.dispatchEvent(new KeyboardEvent("keydown", { key: "Enter", ctrlKey: true, bubbles: true, cancelable: true }));
}
