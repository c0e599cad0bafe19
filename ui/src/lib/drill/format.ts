// Pure helpers of the drill screens: number formats, marking the matched text inside a reply, and
// the session summary. No HTML: components render the returned segments as text.

import type { DrillResult } from "../bindings/DrillResult";
import type { Missing } from "../bindings/Missing";

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

/**
 * Splits `reply` into plain and marked segments: each `matched` text is marked at its first
 * occurrence not already taken (case-insensitive), so the trainee sees what counted. Banned words
 * win over elements when they overlap.
 */
export function markReply(reply: string, marks: Array<{ text: string; tone: MarkTone; label?: string }>): MarkedSegment[] {
  const chars = Array.from(reply);
  const lowerChars = chars.map((c) => c.toLowerCase());
  const owner: Array<number | null> = chars.map(() => null);
  const order = marks
    .map((m, i) => ({ ...m, i }))
    .filter((m) => m.text !== "")
    .sort((a, b) => Number(b.tone === "banned") - Number(a.tone === "banned") || Array.from(b.text).length - Array.from(a.text).length);
  for (const m of order) {
    const needle = Array.from(m.text.toLowerCase());
    for (let at = 0; at + needle.length <= chars.length; at++) {
      let ok = true;
      for (let k = 0; k < needle.length; k++) {
        if (lowerChars[at + k] !== needle[k] || owner[at + k] !== null) {
          ok = false;
          break;
        }
      }
      if (ok) {
        for (let k = 0; k < needle.length; k++) owner[at + k] = m.i;
        break;
      }
    }
  }
  const out: MarkedSegment[] = [];
  for (let i = 0; i < chars.length; i++) {
    const o = owner[i] ?? null;
    const last = out[out.length - 1];
    const lastOwner = i > 0 ? (owner[i - 1] ?? null) : undefined;
    if (last && lastOwner === o) {
      last.text += chars[i];
    } else {
      const m = o === null ? null : marks[o];
      const seg: MarkedSegment = { text: chars[i] ?? "", tone: m ? m.tone : null };
      if (m?.label) seg.label = m.label;
      out.push(seg);
    }
  }
  return out;
}

/** The marks of a result: elements and facts found, banned words. */
export function resultMarks(r: DrillResult): Array<{ text: string; tone: MarkTone; label?: string }> {
  return [
    ...r.breakdown.elements.map((e) => ({ text: e.matched, tone: "element" as const, label: e.label })),
    ...r.breakdown.facts.map((f) => ({ text: f.matched, tone: "fact" as const, label: f.text })),
    ...r.breakdown.banned.map((b) => ({ text: b.word, tone: "banned" as const, label: b.group })),
  ];
}

export type SummaryRow = { title: string; category: string; score: number; responseMs: number | null; totalMs: number };
export type FixItem = { name: string; kind: string; hint: string; rule: string | null; count: number };

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
