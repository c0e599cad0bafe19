// CodeMirror 6, loaded lazily by the editor view (its own chunk). Markdown for the body, YAML for
// the front matter; line wrapping; diagnostics from check_source. CodeMirror handles IME
// composition itself (it does not touch the document while a composition is in progress).

import { Annotation, EditorState } from "@codemirror/state";
import { EditorView, drawSelection, highlightActiveLine, keymap, placeholder as placeholderExt } from "@codemirror/view";
import { defaultKeymap, history, historyKeymap, indentWithTab } from "@codemirror/commands";
import { defaultHighlightStyle, syntaxHighlighting } from "@codemirror/language";
import { markdown } from "@codemirror/lang-markdown";
import { yaml } from "@codemirror/lang-yaml";
import { type Diagnostic, lintGutter, setDiagnostics } from "@codemirror/lint";

export type EditorProblem = { line: number; severity: "error" | "warning"; message: string };

export type EditorHandle = {
  view: EditorView;
  getText(): string;
  /** Replaces the whole text (without calling onChange); keeps the cursor where possible. */
  setText(text: string): void;
  /** Shows problems as lint diagnostics; `line` is 1-based in this editor's text. */
  setProblems(problems: EditorProblem[]): void;
  focusLine(line: number): void;
  destroy(): void;
};

const external = Annotation.define<boolean>();

export function createEditor(
  parent: HTMLElement,
  opts: { text: string; lang: "markdown" | "yaml"; label: string; placeholder?: string; onChange: (text: string) => void },
): EditorHandle {
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: opts.text,
      extensions: [
        history(),
        drawSelection(),
        highlightActiveLine(),
        EditorView.lineWrapping,
        syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
        opts.lang === "markdown" ? markdown() : yaml(),
        lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        EditorView.contentAttributes.of({ "aria-label": opts.label, "aria-multiline": "true" }),
        ...(opts.placeholder ? [placeholderExt(opts.placeholder)] : []),
        EditorView.updateListener.of((u) => {
          if (u.docChanged && !u.transactions.some((t) => t.annotation(external))) {
            opts.onChange(u.state.doc.toString());
          }
        }),
      ],
    }),
  });

  return {
    view,
    getText: () => view.state.doc.toString(),
    setText(text: string) {
      const old = view.state.doc.toString();
      if (old === text) return;
      const head = Math.min(view.state.selection.main.head, text.length);
      view.dispatch({
        changes: { from: 0, to: old.length, insert: text },
        selection: { anchor: head },
        annotations: external.of(true),
      });
    },
    setProblems(problems: EditorProblem[]) {
      const doc = view.state.doc;
      const diagnostics: Diagnostic[] = problems
        .filter((p) => p.line >= 1 && p.line <= doc.lines)
        .map((p) => {
          const line = doc.line(p.line);
          return { from: line.from, to: line.to, severity: p.severity, message: p.message };
        });
      view.dispatch(setDiagnostics(view.state, diagnostics));
    },
    focusLine(n: number) {
      const doc = view.state.doc;
      const line = doc.line(Math.max(1, Math.min(n, doc.lines)));
      view.dispatch({ selection: { anchor: line.from }, scrollIntoView: true });
      view.focus();
    },
    destroy: () => view.destroy(),
  };
}
