// The editor keeps the whole file text as the source of truth. These helpers split it into the
// front matter and the body, read the fields the form shows, and write form changes back with
// the `yaml` Document API so that every other key, the key order and comments stay as they were.

import { type Document, isMap, isScalar, isSeq, LineCounter, parseDocument, Scalar } from "yaml";
import { CLOSING_FENCES, OPENING_FENCES } from "../bindings/frontMatter";

export type Split = {
  /** The YAML between the `---` lines (with its trailing newline), or null without front matter. */
  fm: string | null;
  /** Everything after the closing `---` line (the whole text without front matter). */
  body: string;
  /** File lines up to and including the closing `---` (0 without front matter). */
  bodyOffset: number;
  /** The text opens a front matter that is never closed. */
  unclosed: boolean;
  /** The closing fence as it is written (`---` or `...`), so a rewrite keeps it. */
  closer: string;
};

const isFence = (fences: readonly string[], line: string | undefined) =>
  line !== undefined && fences.includes(line.trimEnd());

/** Splits like core's loader (content/front_matter.rs, whose fences and cases are generated into
 * bindings/frontMatter.ts and checked by frontmatter.test.ts). */
export function splitFrontMatter(text: string): Split {
  const lines = text.split("\n");
  if (!isFence(OPENING_FENCES, lines[0])) return { fm: null, body: text, bodyOffset: 0, unclosed: false, closer: "---" };
  for (let i = 1; i < lines.length; i++) {
    if (isFence(CLOSING_FENCES, lines[i])) {
      const fmLines = lines.slice(1, i);
      return {
        fm: fmLines.length ? fmLines.join("\n") + "\n" : "",
        body: lines.slice(i + 1).join("\n"),
        bodyOffset: i + 1,
        unclosed: false,
        closer: (lines[i] ?? "---").trimEnd(),
      };
    }
  }
  return { fm: null, body: text, bodyOffset: 0, unclosed: true, closer: "---" };
}

/** The file text from front matter YAML and a body, closed by `closer` (`---` unless the file used `...`). */
export function joinFrontMatter(fm: string, body: string, closer = "---"): string {
  const yaml = fm === "" || fm.endsWith("\n") ? fm : fm + "\n";
  return `---\n${yaml}${closer}\n${body}`;
}

/** Git conflict markers left by a sync (`<<<<<<<` at the start of a line). */
export function hasConflictMarkers(text: string): boolean {
  return /^<{7}(?: |$)/m.test(text);
}

export type FormFields = {
  kind: string | null;
  title: string;
  /** Cases: the one platform (null: 全平台). */
  platform: string | null;
  /** Other kinds: the platforms (empty: all). */
  platforms: string[];
  outcome: string;
  tags: string[];
  author: string;
  updated: string | null;
  created: string | null;
};

export const TO_STRING = { lineWidth: 0, flowCollectionPadding: false } as const;

function parseFm(fm: string, lineCounter?: LineCounter): Document {
  return parseDocument(fm, lineCounter ? { lineCounter, prettyErrors: false } : { prettyErrors: false });
}

function str(v: unknown): string {
  if (v === null || v === undefined) return "";
  return String(v);
}

function list(v: unknown): string[] {
  if (Array.isArray(v)) return v.map(str).filter((s) => s !== "");
  if (typeof v === "string" && v.trim() !== "") return [v.trim()];
  return [];
}

export type FormRead = { fields: FormFields | null; error: string | null };

/** The form's fields; `error` when there is no front matter or its YAML does not parse. */
export function readForm(text: string): FormRead {
  const split = splitFrontMatter(text);
  if (split.fm === null) return { fields: null, error: split.unclosed ? "unclosed" : "missing" };
  const doc = parseFm(split.fm);
  if (doc.errors.length) return { fields: null, error: doc.errors[0]?.message ?? "yaml" };
  const js: unknown = doc.toJS();
  const m = (js && typeof js === "object" && !Array.isArray(js) ? js : {}) as Record<string, unknown>;
  const platform = m["platform"];
  return {
    fields: {
      kind: m["kind"] === undefined || m["kind"] === null ? null : str(m["kind"]),
      title: str(m["title"]),
      platform: platform === null || platform === undefined || platform === "" ? null : str(platform),
      platforms: list(m["platforms"]),
      outcome: str(m["outcome"]),
      tags: list(m["tags"]),
      author: str(m["author"]),
      updated: m["updated"] === undefined || m["updated"] === null ? null : str(m["updated"]),
      created: m["created"] === undefined || m["created"] === null ? null : str(m["created"]),
    },
    error: null,
  };
}

export type FieldValue = string | string[] | null;

/**
 * Sets front-matter keys, touching nothing else: "" and null become an empty value (`key:`),
 * lists are written in flow style (`[a, b]`). Returns the text unchanged when it has no
 * front matter or its YAML does not parse.
 */
export function setFields(text: string, patch: Record<string, FieldValue>): string {
  const split = splitFrontMatter(text);
  if (split.fm === null) return text;
  const doc = parseFm(split.fm);
  if (doc.errors.length) return text;
  if (!isMap(doc.contents)) return text;
  for (const [key, value] of Object.entries(patch)) {
    if (Array.isArray(value)) {
      const node = doc.createNode(value, { flow: true });
      const old = doc.get(key, true);
      if (isSeq(old) && !old.flow && old.items.length > 0) node.flow = false; // keep block lists block
      doc.set(key, node);
    } else if (value === null || value === "") {
      const old = doc.get(key, true);
      if (old === undefined && !doc.has(key)) continue; // nothing to clear
      if (isScalar(old) && (old.value === null || old.value === "")) continue;
      const empty = new Scalar(null);
      empty.source = ""; // written as `key:` rather than `key: null`
      doc.set(key, empty);
    } else {
      const old = doc.get(key, true);
      if (isScalar(old) && str(old.value) === value) continue;
      doc.set(key, value);
    }
  }
  return joinFrontMatter(doc.toString(TO_STRING), split.body, split.closer);
}

/** The file line (1 = the opening `---`) of a top-level front-matter key, or null. */
export function keyLine(text: string, key: string): number | null {
  const split = splitFrontMatter(text);
  if (split.fm === null) return null;
  const lc = new LineCounter();
  const doc = parseFm(split.fm, lc);
  if (!isMap(doc.contents)) return null;
  for (const pair of doc.contents.items) {
    if (isScalar(pair.key) && pair.key.value === key && pair.key.range) {
      return lc.linePos(pair.key.range[0]).line + 1;
    }
  }
  return null;
}
