// Pure helpers of the drill screens: number formats, marking the matched text inside a reply, and
// the session summary. No HTML: components render the returned segments as text.

import type { DrillResult } from "../bindings/DrillResult";
import type { Missing } from "../bindings/Missing";
import type { MissingKind } from "../bindings/MissingKind";

/** Milliseconds → seconds with one decimal ("2.5"); "—" for null. */
export function seconds(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return "—";
  return (ms / 1000).toFixed(1);
}

/** A whole number ("69"); "—" for null. */
export function whole(n: number | null | undefined): string {
  if (n === null || n === undefined || !Number.isFinite(n)) return "—";
  return String(Math.round(n));
}

/** 0–1 → "73%". */
export function percent(share: number): string {
  return `${Math.round(share * 100)}%`;
}

/** Points with at most one decimal ("12.5", "40"). */
export function points(p: number): string {
  const r = Math.round(p * 10) / 10;
  return Number.isInteger(r) ? String(r) : r.toFixed(1);
}

/** An RFC 3339 time as a local "MM-DD HH:mm". */
export function shortDateTime(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`;
}

/** An RFC 3339 time as a local "YYYY-MM-DD". */
export function shortDate(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())}`;
}

/** Score band for colours: good ≥ 80, ok ≥ 60, low below. */
export function band(score: number): "good" | "ok" | "low" {
  return score >= 80 ? "good" : score >= 60 ? "ok" : "low";
}

/** Seconds left of a limit (negative once over), from elapsed milliseconds. */
export function remaining(limitS: number, elapsedMs: number): number {
  return Math.ceil(limitS - elapsedMs / 1000);
}

/** "0:45", "1:05"; negative values as "+0:05" (over time). */
export function clock(s: number): string {
  const over = s < 0;
  const a = Math.abs(s);
  const m = Math.floor(a / 60);
  const r = String(a % 60).padStart(2, "0");
  return `${over ? "+" : ""}${m}:${r}`;
}

export type MarkTone = "element" | "fact" | "banned";
export type MarkedSegment = { text: string; tone: MarkTone | null; label?: string };
/** A span of the reply that counted: `[start, end)` in characters (code points), as core reports it. */
export type ReplyMark = { start: number; end: number; tone: MarkTone; label?: string };

/**
 * Splits `reply` into plain and marked segments at the ranges core found, so the trainee sees
 * what counted. Where two ranges overlap, banned words win, then the longer span; a range outside
 * the reply (a stale result) is ignored.
 */
export function markReply(reply: string, marks: ReplyMark[]): MarkedSegment[] {
  const chars = Array.from(reply);
  const owner: Array<number | null> = chars.map(() => null);
  const order = marks
    .map((m, i) => ({ ...m, i }))
    .filter((m) => m.start >= 0 && m.start < m.end && m.end <= chars.length)
    .sort((a, b) => Number(b.tone === "banned") - Number(a.tone === "banned") || b.end - b.start - (a.end - a.start));
  for (const m of order) {
    if (owner.slice(m.start, m.end).some((o) => o !== null)) continue;
    owner.fill(m.i, m.start, m.end);
  }
  const out: MarkedSegment[] = [];
  let from = 0;
  for (let i = 1; i <= chars.length; i++) {
    if (i < chars.length && owner[i] === owner[from]) continue;
    const o = owner[from] ?? null;
    const m = o === null ? null : marks[o];
    const seg: MarkedSegment = { text: chars.slice(from, i).join(""), tone: m ? m.tone : null };
    if (m?.label) seg.label = m.label;
    out.push(seg);
    from = i;
  }
  return out;
}

/** The marks of a result: elements and facts found, banned words. */
export function resultMarks(r: DrillResult): ReplyMark[] {
  return [
    ...r.breakdown.elements.map((e) => ({ start: e.start, end: e.end, tone: "element" as const, label: e.label })),
    ...r.breakdown.facts.map((f) => ({ start: f.start, end: f.end, tone: "fact" as const, label: f.text })),
    ...r.breakdown.banned.map((b) => ({ start: b.start, end: b.end, tone: "banned" as const, label: b.group })),
    ...r.breakdown.mistakes.map((m) => ({ start: m.start, end: m.end, tone: "banned" as const, label: m.why })),
  ];
}

export type SummaryRow = { title: string; category: string; score: number; responseMs: number | null; totalMs: number };
export type FixItem = { name: string; kind: MissingKind; hint: string; rule: string | null; count: number };

export type SessionSummary = {
  rows: SummaryRow[];
  average: number | null;
  slowest: SummaryRow | null;
  toFix: FixItem[];
};

/** The session summary: scores, average, slowest first response, most frequent missing items. */
export function summarise(items: Array<{ title: string; category: string; result: DrillResult | null }>): SessionSummary {
  const rows: SummaryRow[] = [];
  const missing = new Map<string, FixItem>();
  for (const it of items) {
    const r = it.result;
    if (!r) continue;
    rows.push({
      title: it.title,
      category: it.category,
      score: r.score,
      responseMs: r.metrics.response_ms,
      totalMs: r.metrics.total_ms,
    });
    for (const m of r.breakdown.missing as Missing[]) {
      const key = `${m.kind}:${m.name}`;
      const prev = missing.get(key);
      if (prev) prev.count += 1;
      else missing.set(key, { name: m.name, kind: m.kind, hint: m.hint, rule: m.rule, count: 1 });
    }
  }
  const average = rows.length ? rows.reduce((s, r) => s + r.score, 0) / rows.length : null;
  let slowest: SummaryRow | null = null;
  for (const r of rows) {
    if (r.responseMs === null) continue;
    if (!slowest || (slowest.responseMs ?? 0) < r.responseMs) slowest = r;
  }
  const toFix = [...missing.values()].sort((a, b) => b.count - a.count || a.name.localeCompare(b.name, "zh"));
  return { rows, average, slowest, toFix };
}
