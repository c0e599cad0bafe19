// Pure text helpers: snippet highlighting and phrase placeholders. No HTML is produced here;
// components render the returned segments as text nodes.

import type { Snippet } from "./bindings/Snippet";

export type Segment = { text: string; mark: boolean };

/**
 * Splits a snippet into plain and highlighted segments. Highlight ranges are `[start, end)` in
 * characters (Unicode code points), so the text is indexed as an array of code points.
 * Out-of-range, empty, overlapping or unsorted ranges are tolerated.
 */
export function highlightSegments(snippet: Snippet): Segment[] {
  const chars = Array.from(snippet.text);
  const n = chars.length;
  const ranges = snippet.highlights
    .map(([s, e]) => [Math.max(0, Math.min(s, n)), Math.max(0, Math.min(e, n))] as const)
    .filter(([s, e]) => e > s)
    .sort((a, b) => a[0] - b[0]);
  const out: Segment[] = [];
  let pos = 0;
  for (const [s, e] of ranges) {
    const start = Math.max(s, pos);
    if (e <= start) continue;
    if (start > pos) out.push({ text: chars.slice(pos, start).join(""), mark: false });
    out.push({ text: chars.slice(start, e).join(""), mark: true });
    pos = e;
  }
  if (pos < n) out.push({ text: chars.slice(pos).join(""), mark: false });
  return out;
}

const PLACEHOLDER = /\{\{\s*([^{}]+?)\s*\}\}/g;

/** Placeholder names in order of first appearance, e.g. `["买家", "订单号"]`. */
export function placeholderNames(text: string): string[] {
  const names: string[] = [];
  for (const m of text.matchAll(PLACEHOLDER)) {
    const name = m[1];
    if (name !== undefined && !names.includes(name)) names.push(name);
  }
  return names;
}

/** Replaces every `{{name}}` with `values[name]`; unknown names are left as they are. */
export function fillPlaceholders(text: string, values: Record<string, string>): string {
  return text.replace(PLACEHOLDER, (whole, name: string) =>
    Object.prototype.hasOwnProperty.call(values, name) ? (values[name] ?? whole) : whole,
  );
}

export type PhrasePart = { text: string; placeholder: string | null };

/** Splits a phrase into text and placeholder parts, for showing placeholders as tokens. */
export function phraseParts(text: string): PhrasePart[] {
  const parts: PhrasePart[] = [];
  let last = 0;
  for (const m of text.matchAll(PLACEHOLDER)) {
    const at = m.index ?? 0;
    if (at > last) parts.push({ text: text.slice(last, at), placeholder: null });
    parts.push({ text: m[0], placeholder: m[1] ?? "" });
    last = at + m[0].length;
  }
  if (last < text.length) parts.push({ text: text.slice(last), placeholder: null });
  return parts;
}

/** Microseconds → a short millisecond figure ("0.4", "12"). */
export function formatMs(us: number): string {
  const ms = us / 1000;
  if (ms < 10) return ms.toFixed(1);
  return String(Math.round(ms));
}
