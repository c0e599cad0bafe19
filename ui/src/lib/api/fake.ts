// An in-memory `Backend` for component tests, the browser preview (`vite --mode fake`) and the
// Playwright tests. Its search is deliberately naive (substring, a hard-coded pinyin list and a
// few synonyms) but it produces the same shapes as the Rust core, including character-offset
// snippet highlights.

import type { ApiError } from "../bindings/ApiError";
import type { SemanticStatus } from "../bindings/SemanticStatus";
import type { DocRef } from "../bindings/DocRef";
import type { DocumentView } from "../bindings/DocumentView";
import type { Hit } from "../bindings/Hit";
import type { Kind } from "../bindings/Kind";
import type { LibraryStatus } from "../bindings/LibraryStatus";
import type { Phrase } from "../bindings/Phrase";
import type { Platform } from "../bindings/Platform";
import type { Problem } from "../bindings/Problem";
import type { SearchRequest } from "../bindings/SearchRequest";
import type { SearchResults } from "../bindings/SearchResults";
import type { Settings } from "../bindings/Settings";
import type { Snippet } from "../bindings/Snippet";
import type { Suggestion } from "../bindings/Suggestion";
import type { DrillHome } from "../bindings/DrillHome";
import type { DrillPrompt } from "../bindings/DrillPrompt";
import type { DrillResult } from "../bindings/DrillResult";
import type { Progress } from "../bindings/Progress";
import type { SubmitRequest } from "../bindings/SubmitRequest";
import type { ContentChanged } from "../bindings/ContentChanged";
import type { Draft } from "../bindings/Draft";
import type { GitStatus } from "../bindings/GitStatus";
import type { ReviewItem } from "../bindings/ReviewItem";
import type { ReviewReason } from "../bindings/ReviewReason";
import type { SaveOutcome } from "../bindings/SaveOutcome";
import type { SaveRequest } from "../bindings/SaveRequest";
import type { Source } from "../bindings/Source";
import type { SourceCheck } from "../bindings/SourceCheck";
import type { SyncReport } from "../bindings/SyncReport";
import type { Backend } from "./backend";
import { splitFrontMatter } from "../editor/frontmatter";
import {
  caseTemplate,
  drillFromCase,
  fingerprint,
  loadSource,
  newPath,
  renderMarkdown,
  reviewReasons,
  seedSource,
  setKey,
} from "./fake-publish";
import { FAKE_DOCS, FAKE_PROBLEMS, FAKE_SYNONYMS, type FakeDoc } from "./fake-data";
import {
  FAKE_DRILLS,
  type FakeAttempt,
  type FakeDrill,
  charDiff,
  fakeMetrics,
  fakeScore,
  firstWeekPath,
  nextInterval,
  plan,
  progress,
  seedAttempts,
} from "./fake-drills";

const KIND_NAMES: Record<string, Kind> = {
  playbook: "playbook", 话术: "playbook",
  case: "case", 案例: "case",
  rule: "rule", 规则: "rule",
  drill: "drill", 练习: "drill",
};

const PLATFORM_NAMES: Record<string, Platform> = {
  taobao: "taobao", 淘宝: "taobao",
  tmall: "tmall", 天猫: "tmall",
  pdd: "pdd", 拼多多: "pdd",
  jd: "jd", 京东: "jd",
  vip: "vip", 唯品会: "vip",
  douyin: "douyin", 抖音: "douyin", 抖店: "douyin",
};

type ParsedQuery = {
  terms: string[];
  excluded: string[];
  kinds: Kind[];
  platforms: Platform[];
  tags: string[];
  hasFilters: boolean;
};

export function parseQuery(query: string): ParsedQuery {
  const out: ParsedQuery = { terms: [], excluded: [], kinds: [], platforms: [], tags: [], hasFilters: false };
  for (const raw of query.trim().split(/\s+/)) {
    const token = raw.replace(/^"|"$/g, "").toLowerCase();
    if (!token) continue;
    const m = /^(kind|类型|platform|平台|tag|标签)[:：](.+)$/.exec(token);
    if (m && m[1] !== undefined && m[2] !== undefined) {
      out.hasFilters = true;
      const [field, value] = [m[1], m[2]];
      if (field === "kind" || field === "类型") {
        const k = KIND_NAMES[value];
        if (k) out.kinds.push(k);
      } else if (field === "platform" || field === "平台") {
        const p = PLATFORM_NAMES[value];
        if (p) out.platforms.push(p);
      } else {
        out.tags.push(value);
      }
    } else if (token.startsWith("-") && token.length > 1) {
      out.excluded.push(token.slice(1));
    } else {
      out.terms.push(token);
    }
  }
  return out;
}

function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, " ")
    .replace(/&lt;/g, "<")
    .replace(/&gt;/g, ">")
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, "&")
    .replace(/\s+/g, " ")
    .trim();
}

/** Counts code points in `s` (what snippet offsets are measured in). */
const cpLen = (s: string): number => Array.from(s).length;

/** All `[start, end)` code-point ranges where any of `needles` occurs in `text` (case-insensitive). */
export function findRanges(text: string, needles: string[]): Array<[number, number]> {
  const lower = text.toLowerCase();
  const ranges: Array<[number, number]> = [];
  for (const needle of needles) {
    if (!needle) continue;
    let from = 0;
    for (;;) {
      const at = lower.indexOf(needle, from);
      if (at < 0) break;
      const start = cpLen(text.slice(0, at));
      ranges.push([start, start + cpLen(needle)]);
      from = at + needle.length;
    }
  }
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  // Merge overlaps.
  const merged: Array<[number, number]> = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

/** A window of about `width` characters around the first match, with `…` where it was cut. */
function excerpt(text: string, needles: string[], width = 64): Snippet {
  const chars = Array.from(text);
  const first = findRanges(text, needles)[0];
  let start = 0;
  if (first && first[0] > width / 3) start = first[0] - Math.floor(width / 3);
  const end = Math.min(chars.length, start + width);
  if (end - start < width) start = Math.max(0, end - width);
  const body = chars.slice(start, end).join("");
  const out = (start > 0 ? "…" : "") + body + (end < chars.length ? "…" : "");
  return { text: out, highlights: findRanges(out, needles) };
}

function variantsOf(term: string): Array<{ text: string; weight: number }> {
  const syn = FAKE_SYNONYMS[term] ?? [];
  return [{ text: term, weight: 1 }, ...syn.map((s) => ({ text: s, weight: 0.8 }))];
}

type Scored = { doc: FakeDoc; score: number; phrase: Phrase | null; needles: string[] };

function scoreDoc(doc: FakeDoc, body: string, terms: string[]): Scored | null {
  let total = 0;
  const needles: string[] = [];
  let bestPhrase: { phrase: Phrase; score: number } | null = null;
  for (const term of terms) {
    let best = 0;
    for (const v of variantsOf(term)) {
      const s = v.text;
      let score = 0;
      const title = doc.title.toLowerCase();
      if (title.startsWith(s)) score = Math.max(score, 12);
      else if (title.includes(s)) score = Math.max(score, 10);
      if (doc.aliases.some((a) => a.toLowerCase().includes(s))) score = Math.max(score, 7);
      if (doc.pinyin.some((p) => p.startsWith(s))) score = Math.max(score, 9);
      else if (s.length >= 3 && doc.pinyin.some((p) => p.includes(s))) score = Math.max(score, 6);
      if (doc.tags.some((t) => t.toLowerCase() === s)) score = Math.max(score, 5);
      for (const p of doc.phrases) {
        let ps = 0;
        const code = p.code.toLowerCase();
        if (code === s) ps = 20;
        else if (code.startsWith(s) && s.length >= 2) ps = 11;
        else if (p.text.toLowerCase().includes(s) || p.when.toLowerCase().includes(s)) ps = 4;
        if (ps > 0 && (!bestPhrase || ps * v.weight > bestPhrase.score)) {
          bestPhrase = { phrase: { code: p.code, text: p.text, when: p.when }, score: ps * v.weight };
        }
        score = Math.max(score, ps);
      }
      if (score === 0 && body.toLowerCase().includes(s)) score = 2;
      if (score > 0) needles.push(s);
      best = Math.max(best, score * v.weight);
    }
    if (best === 0) return null;
    total += best;
  }
  let phrase: Phrase | null = null;
  if (doc.kind === "playbook") {
    const first = doc.phrases[0];
    phrase = bestPhrase?.phrase ?? (first ? { code: first.code, text: first.text, when: first.when } : null);
  }
  return { doc, score: total, phrase, needles };
}

function snippetFor(s: Scored, body: string): Snippet {
  const candidates: string[] = [];
  if (s.phrase) candidates.push(s.phrase.when);
  if (s.doc.aliases.length) candidates.push(s.doc.aliases.join(" · "));
  candidates.push(body);
  const hit = candidates.find((c) => findRanges(c, s.needles).length > 0);
  return excerpt(hit ?? candidates[0] ?? body, s.needles);
}

export type FakeOptions = {
  /** Artificial latency of every call, in milliseconds. */
  delayMs?: number;
  /** Initial settings. */
  settings?: Partial<Settings>;
  /** The content folder is a git repository (default true). */
  git?: boolean;
  /** Start with a week of earlier drill attempts (default true); false: a brand-new trainee. */
  drillHistory?: boolean;
  /** The clock of the drills (ms since the epoch); `Date.now` by default. */
  now?: () => number;
};

export class FakeBackend implements Backend {
  /** Every text put on the "clipboard", oldest first. */
  readonly copied: string[] = [];
  /** URLs handed to the "system browser". */
  readonly opened: string[] = [];
  /** Calls of `setCompact`, in order. */
  readonly compactCalls: boolean[] = [];
  /** How many times `hide` was called. */
  hidden = 0;
  /** Every search request received. */
  readonly searches: SearchRequest[] = [];
  /** What `chooseFolder` answers next. */
  nextFolder: string | null = "/home/kefu/团队知识库";
  /** Every drill answer received (plain copies), oldest first. */
  readonly submissions: SubmitRequest[] = [];
  /** Stored drill attempts, oldest first. */
  readonly attempts: FakeAttempt[];
  /** Drill id → next review (ms since the epoch). */
  readonly due = new Map<string, number>();
  profileName: string | null = null;
  readonly drills: FakeDrill[] = FAKE_DRILLS;

  /** How the next `gitSync` goes: `conflict` leaves a conflicted file (once), `no_remote`
   * commits only, `error` rejects with kind `git`. */
  gitScenario: "ok" | "conflict" | "no_remote" | "error" = "ok";
  /** Commits the next sync pulls. */
  gitPull = 0;
  /** Every save request received (`save_source` and `save_copy`), oldest first. */
  readonly saves: SaveRequest[] = [];
  /** Author stamped into new documents. */
  author = "客服 林晓";
  git: GitStatus;

  private docs: FakeDoc[];
  /** Content files by relative path: the text and its fingerprint. */
  private readonly files = new Map<string, { text: string; fingerprint: string }>();
  /** Problems of files written since start (seed files have FAKE_PROBLEMS). */
  private readonly fileProblems = new Map<string, Problem[]>();
  private readonly changeListeners = new Set<(e: ContentChanged) => void>();
  private readonly bodies = new Map<string, string>();
  private settings: Settings;
  private readonly summonListeners = new Set<() => void>();
  private readonly semanticListeners = new Set<(s: SemanticStatus) => void>();
  private readonly clipboardListeners = new Set<(text: string) => void>();
  /** The fake has no encoder: matching by meaning is off unless a test says otherwise. */
  private semantic: SemanticStatus = { state: "off", reason: "the preview backend has no model" };
  private readonly delayMs: number;
  private readonly now: () => number;

  constructor(options: FakeOptions = {}, docs: FakeDoc[] = FAKE_DOCS) {
    this.docs = docs.map((d) => ({ ...d }));
    for (const d of this.docs) {
      const text = seedSource(d);
      this.files.set(d.path, { text, fingerprint: fingerprint(text) });
    }
    this.git = {
      repo: options.git ?? true,
      branch: options.git === false ? null : "main",
      upstream: options.git === false ? null : "origin/main",
      changes: [],
      conflicts: [],
      rebasing: false,
    };
    this.now = options.now ?? (() => Date.now());
    const now = this.now();
    this.attempts = options.drillHistory === false ? [] : seedAttempts(now);
    if (options.drillHistory !== false) {
      const hour = 3600 * 1000;
      const endOfDay = new Date(now).setHours(24, 0, 0, 0);
      this.due.set("drills/kaichang", now - 3 * hour);
      this.due.set("drills/wuliu-tingzhi", Math.max(now + 60_000, Math.min(now + 2 * hour, endOfDay - 60_000)));
      this.due.set("drills/cuifahuo-zhaoji", now + 2 * 24 * hour);
    }
    for (const d of docs) this.bodies.set(d.id, plainText(d.html));
    this.delayMs = options.delayMs ?? 0;
    this.settings = {
      content_dir: null,
      hotkey: "Ctrl+Shift+K",
      language: "zh",
      theme: "system",
      compact: false,
      clipboard_suggest: false,
      ...options.settings,
    };
  }

  private async settle<T>(value: () => T): Promise<T> {
    if (this.delayMs > 0) await new Promise((r) => setTimeout(r, this.delayMs));
    else await Promise.resolve();
    return value();
  }

  private fail(kind: ApiError["kind"], message: string): Promise<never> {
    const err: ApiError = { kind, message };
    return this.settle(() => {
      throw err;
    });
  }

  /** Simulates the global hotkey. */
  summon(): void {
    for (const cb of this.summonListeners) cb();
  }

  status(): Promise<LibraryStatus> {
    return this.settle(() => this.statusNow());
  }

  statusNow(): LibraryStatus {
    const kinds: Kind[] = ["playbook", "case", "rule", "drill"];
    const problems = this.problemsNow();
    return {
      content_dir: this.settings.content_dir ?? "/usr/share/kefu/content",
      documents: this.docs.length,
      counts: kinds.map((kind) => ({ kind, count: this.docs.filter((d) => d.kind === kind).length })),
      errors: problems.filter((p) => p.severity === "error").length,
      warnings: problems.filter((p) => p.severity === "warning").length,
      review: this.docs.filter((d) => this.reviewOf(d).length > 0).length,
      last_sync: { added: 0, updated: 0, removed: 0, unchanged: this.docs.length, rebuilt: false, rebuild_reason: null, in_memory: false },
      semantic: this.semantic,
    };
  }

  private problemsNow(): Problem[] {
    const written = [...this.fileProblems.values()].flat();
    return [...FAKE_PROBLEMS.filter((p) => !this.fileProblems.has(p.path)), ...written].map((p) => ({ ...p }));
  }

  private reviewOf(d: FakeDoc): ReviewReason[] {
    return reviewReasons(d, this.files.get(d.path)?.text ?? "", (id) => this.docs.find((x) => x.id === id));
  }

  searchNow(req: SearchRequest): SearchResults {
    const started = performance.now();
    const q = parseQuery(req.query);
    const kinds = [...req.kinds, ...q.kinds];
    const platforms = [...req.platforms, ...q.platforms];
    const scored: Scored[] = [];
    if (q.terms.length > 0 || q.hasFilters) {
      for (const doc of this.docs) {
        if (kinds.length && !kinds.includes(doc.kind)) continue;
        if (platforms.length && doc.platforms.length && !doc.platforms.some((p) => platforms.includes(p))) continue;
        if (q.tags.length && !q.tags.every((t) => doc.tags.includes(t))) continue;
        const body = this.bodies.get(doc.id) ?? "";
        const all = `${doc.title} ${doc.aliases.join(" ")} ${body}`.toLowerCase();
        if (q.excluded.some((x) => all.includes(x))) continue;
        const s = scoreDoc(doc, body, q.terms);
        if (s) scored.push(s);
      }
    }
    scored.sort((a, b) => b.score - a.score || a.doc.title.localeCompare(b.doc.title, "zh"));
    const limit = req.limit ?? 20;
    const hits: Hit[] = scored.slice(0, limit).map((s) => ({
      id: s.doc.id,
      kind: s.doc.kind,
      title: s.doc.title,
      platforms: [...s.doc.platforms],
      score: s.score,
      snippet: snippetFor(s, this.bodies.get(s.doc.id) ?? ""),
      phrase: s.phrase,
      needs_review: this.reviewOf(s.doc).length > 0,
    }));
    const tookUs = Math.max(1, Math.round((performance.now() - started) * 1000));
    return { query: req.query, total: scored.length, took_us: tookUs, hits };
  }

  search(req: SearchRequest): Promise<SearchResults> {
    this.searches.push(req);
    return this.settle(() => this.searchNow(req));
  }

  suggest(query: string): Promise<Suggestion[]> {
    return this.settle(() => {
      const q = parseQuery(query);
      const out: Suggestion[] = [];
      if (q.hasFilters && q.terms.length) out.push({ query: q.terms.join(" "), reason: "remove_filters" });
      for (const term of q.terms) {
        for (const syn of FAKE_SYNONYMS[term] ?? []) out.push({ query: syn, reason: "synonym" });
      }
      const chars = new Set(Array.from(q.terms.join("")).filter((c) => /\p{Script=Han}/u.test(c)));
      const initial = q.terms[0]?.[0];
      for (const d of this.docs) {
        if (out.length >= 4) break;
        const shares = Array.from(d.title).some((c) => chars.has(c));
        const sounds = !chars.size && initial !== undefined && /[a-z]/.test(initial) && d.pinyin.some((p) => p.startsWith(initial));
        if ((shares || sounds) && !d.id.startsWith("tests/")) out.push({ query: d.title, reason: "similar_title" });
      }
      return out;
    });
  }

  private ref(id: string): DocRef {
    const d = this.docs.find((x) => x.id === id);
    return { id, title: d?.title ?? null, kind: d?.kind ?? null };
  }

  document(id: string): Promise<DocumentView> {
    const doc = this.docs.find((d) => d.id === id);
    if (!doc) return this.fail("not_found", `no document with id ${id}`);
    return this.settle(() => {
      const { pinyin: _p, linkIds, ...view } = doc;
      return {
        ...view,
        review: this.reviewOf(doc),
        phrases: view.phrases.map((p) => ({ ...p, placeholders: [...p.placeholders] })),
        links: linkIds.map((l) => this.ref(l)),
        backlinks: this.docs.filter((d) => d.linkIds.includes(id)).map((d) => this.ref(d.id)),
      };
    });
  }

  problems(): Promise<Problem[]> {
    return this.settle(() => this.problemsNow());
  }

  reload(): Promise<LibraryStatus> {
    return this.status();
  }

  getSettings(): Promise<Settings> {
    return this.settle(() => ({ ...this.settings }));
  }

  saveSettings(settings: Settings): Promise<Settings> {
    if (!settings.hotkey.trim()) return this.fail("invalid_input", "the hotkey is empty");
    if (settings.content_dir !== null && settings.content_dir.includes("不存在")) {
      return this.fail("content_root", `${settings.content_dir} does not exist`);
    }
    this.settings = { ...settings, hotkey: settings.hotkey.trim() };
    return this.settle(() => ({ ...this.settings }));
  }

  setCompact(compact: boolean): Promise<void> {
    this.compactCalls.push(compact);
    this.settings = { ...this.settings, compact };
    return this.settle(() => undefined);
  }

  hide(): Promise<void> {
    this.hidden += 1;
    return this.settle(() => undefined);
  }

  // ---------------------------------------------------------------- drills

  private drill(id: string): FakeDrill | undefined {
    return this.drills.find((d) => d.id === id);
  }

  drillHome(): Promise<DrillHome> {
    return this.settle(() => {
      const now = this.now();
      const endOfDay = new Date(now).setHours(24, 0, 0, 0);
      return {
        profile_name: this.profileName,
        due_today: [...this.due.entries()].filter(([id, t]) => t < endOfDay && this.drill(id)).length,
        drills: this.drills.length,
        attempts: this.attempts.length,
        path: firstWeekPath(this.attempts),
        plan: plan(this.drills, this.attempts, this.due, now, 5),
      };
    });
  }

  drillPrompt(id: string): Promise<DrillPrompt> {
    const d = this.drill(id);
    if (!d) return this.fail("not_found", `no drill with id ${id}`);
    return this.settle(() => ({
      id: d.id,
      title: d.title,
      category: d.category,
      difficulty: d.difficulty,
      persona: d.persona,
      time_limit_s: d.time_limit_s,
      allow_paste: d.allow_paste,
      customer: [...d.customer],
      upsell: d.upsell,
      retype: d.references[0] ?? "",
    }));
  }

  drillSubmit(req: SubmitRequest): Promise<DrillResult> {
    const d = this.drill(req.drill_id);
    if (!d) return this.fail("not_found", `no drill with id ${req.drill_id}`);
    const plain = JSON.parse(JSON.stringify(req)) as SubmitRequest;
    this.submissions.push(plain);
    return this.settle(() => {
      const metrics = fakeMetrics(plain.events);
      const breakdown = fakeScore(d, plain.reply, { total_ms: metrics.total_ms, pasted_chars: metrics.pasted_chars });
      let accuracy: number | undefined;
      let diff: DrillResult["diff"] = [];
      const inTime = metrics.total_ms <= d.time_limit_s * 1000;
      if (plain.mode === "accuracy") {
        const r = charDiff(d.references[0] ?? "", plain.reply);
        accuracy = r.accuracy;
        diff = r.parts;
        breakdown.score = Math.round(r.accuracy * 100 * (inTime ? 1 : 0.8));
      } else if (plain.mode === "find_it" && plain.found_doc && d.links.includes(plain.found_doc)) {
        breakdown.score = Math.max(breakdown.score, inTime ? 100 : 70);
      }
      const now = this.now();
      const id = this.attempts.length + 1;
      this.attempts.push({
        id,
        drill_id: d.id,
        category: d.category,
        mode: plain.mode,
        session_id: plain.session_id ?? null,
        submitted_at: new Date(now).toISOString(),
        reply: plain.reply,
        score: breakdown.score,
        metrics,
      });
      const due = now + nextInterval(breakdown.score, metrics.total_ms, d.time_limit_s);
      this.due.set(d.id, due);
      const result: DrillResult = {
        attempt_id: id,
        score: breakdown.score,
        breakdown,
        metrics,
        diff,
        references: [...d.references],
        poor: d.poor.map((p) => ({ ...p })),
        next_due: new Date(due).toISOString(),
      };
      if (accuracy !== undefined) result.accuracy = accuracy;
      return result;
    });
  }

  drillProgress(): Promise<Progress> {
    return this.settle(() => progress(this.attempts));
  }

  setProfileName(name: string): Promise<void> {
    this.profileName = name;
    return this.settle(() => undefined);
  }

  copy(text: string): Promise<void> {
    this.copied.push(text);
    return this.settle(() => undefined);
  }

  openExternal(url: string): Promise<void> {
    if (!/^https?:\/\//i.test(url)) return this.fail("invalid_input", `refusing to open ${url}`);
    this.opened.push(url);
    return this.settle(() => undefined);
  }

  chooseFolder(): Promise<string | null> {
    return this.settle(() => this.nextFolder);
  }

  onSummoned(cb: () => void): () => void {
    this.summonListeners.add(cb);
    return () => this.summonListeners.delete(cb);
  }

  // ---------------------------------------------------------------- publishing

  private today(): string {
    const d = new Date(this.now());
    const pad = (n: number) => String(n).padStart(2, "0");
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
  }

  private titleOf = (id: string): string | null => this.docs.find((d) => d.id === id)?.title ?? null;

  private load(path: string, text: string) {
    const prev = this.docs.find((d) => d.path === path);
    return loadSource(path, text, { exists: this.titleOf, today: this.today(), ...(prev ? { prev } : {}) });
  }

  /** Writes a file, re-indexes it (the document is searchable at once) and returns its id. */
  private write(path: string, text: string): { id: string | null; fingerprint: string; problems: Problem[] } {
    const fp = fingerprint(text);
    const before = this.docs.find((d) => d.path === path);
    this.files.set(path, { text, fingerprint: fp });
    const loaded = this.load(path, text);
    this.docs = this.docs.filter((d) => d.path !== path);
    if (before) this.bodies.delete(before.id);
    if (loaded.doc) {
      this.docs.push(loaded.doc);
      this.bodies.set(loaded.doc.id, plainText(loaded.doc.html));
    }
    this.fileProblems.set(path, loaded.problems);
    if (!this.git.changes.includes(path)) this.git = { ...this.git, changes: [...this.git.changes, path] };
    return { id: loaded.doc?.id ?? before?.id ?? loaded.id, fingerprint: fp, problems: loaded.problems };
  }

  /** Tells the listeners about changed documents, after the current call has returned. */
  private emitChanged(ids: string[]): void {
    setTimeout(() => {
      const e: ContentChanged = { status: this.statusNow(), ids };
      for (const cb of this.changeListeners) cb(e);
    }, 0);
  }

  /** Simulates an edit made elsewhere (another editor, a git pull): new text, new fingerprint,
   * and the content-changed event. Without `text`, a line is added to the end of the body. */
  externalEdit(id: string, text?: string): void {
    const doc = this.docs.find((d) => d.id === id);
    if (!doc) throw new Error(`no document ${id}`);
    const old = this.files.get(doc.path)?.text ?? "";
    this.write(doc.path, text ?? `${old.replace(/\n*$/, "\n")}\n同事补充：这一段是在别处加上的。\n`);
    this.emitChanged([id]);
  }

  /** The text of a content file, for tests. */
  fileText(path: string): string | undefined {
    return this.files.get(path)?.text;
  }

  source(id: string): Promise<Source> {
    const doc = this.docs.find((d) => d.id === id);
    if (!doc) return this.fail("not_found", `no document with id ${id}`);
    return this.sourceAt(doc.path);
  }

  sourceAt(path: string): Promise<Source> {
    const f = this.files.get(path);
    if (!f) return this.fail("not_found", `${path} does not exist`);
    return this.settle(() => ({ path, text: f.text, fingerprint: f.fingerprint }));
  }

  newCase(): Promise<Draft> {
    return this.settle(() => ({ kind: "case", text: caseTemplate(this.author, this.today()) }));
  }

  drillDraft(id: string): Promise<Draft> {
    const doc = this.docs.find((d) => d.id === id);
    if (!doc || doc.kind !== "case") return this.fail("invalid_input", `${id} is not a case`);
    const text = this.files.get(doc.path)?.text ?? "";
    return this.settle(() => ({ kind: "drill", text: drillFromCase(doc, text, this.author, this.today()) }));
  }

  private targetPath(path: string | null, loadedKind: Kind | null, title: string): string | null {
    if (path) return path;
    if (!title.trim() || !loadedKind) return null;
    return newPath(loadedKind, title, this.today(), (p) => this.files.has(p));
  }

  checkSource(path: string | null, text: string): Promise<SourceCheck> {
    return this.settle(() => {
      const shownPath = path ?? "(new).md";
      const loaded = this.load(shownPath, text);
      const m = /^title:[ \t]*(.*)$/m.exec(text);
      const title = (m?.[1] ?? "").replace(/^["']|["']$/g, "");
      const kind = (/^kind:[ \t]*(\w+)/m.exec(text)?.[1] ?? null) as Kind | null;
      const target = this.targetPath(path, kind, title);
      const problems = loaded.problems.map((p) => ({ ...p, path: target ?? shownPath }));
      // With errors the preview still shows the body, as the Rust side does.
      const html = loaded.doc?.html ?? renderMarkdown(splitFrontMatter(text).body, this.titleOf);
      return { path: target, id: loaded.doc?.id ?? null, html, problems };
    });
  }

  private stamp(text: string, isNew: boolean): string {
    let out = setKey(text, "updated", this.today());
    if (isNew) out = setKey(out, "created", this.today(), true);
    return setKey(out, "author", this.author, true);
  }

  saveSource(req: SaveRequest): Promise<SaveOutcome> {
    this.saves.push({ ...req });
    return this.settle((): SaveOutcome => {
      const isNew = !req.path;
      if (req.path) {
        const disk = this.files.get(req.path);
        if (disk && disk.fingerprint !== req.base_fingerprint) {
          return { outcome: "conflict", path: req.path, disk_text: disk.text, disk_fingerprint: disk.fingerprint };
        }
      }
      const probe = this.load(req.path ?? "(new).md", req.text);
      const errors = probe.problems.filter((p) => p.severity === "error");
      if (errors.length) return { outcome: "invalid", problems: probe.problems };
      const kind = probe.doc!.kind;
      const path = req.path ?? newPath(kind, probe.doc!.title, this.today(), (p) => this.files.has(p));
      const text = this.stamp(req.text, isNew);
      const w = this.write(path, text);
      const id = w.id ?? path.replace(/\.md$/, "");
      this.emitChanged([id]);
      return { outcome: "saved", path, id, fingerprint: w.fingerprint, text, problems: w.problems };
    });
  }

  saveCopy(req: SaveRequest): Promise<SaveOutcome> {
    this.saves.push({ ...req });
    return this.settle((): SaveOutcome => {
      const base = (req.path ?? "untitled.md").replace(/\.md$/, "");
      let path = `${base}-copy.md`;
      for (let n = 2; this.files.has(path); n++) path = `${base}-copy-${n}.md`;
      const text = this.stamp(setKey(req.text, "id", null), false);
      const probe = this.load(path, text);
      if (probe.problems.some((p) => p.severity === "error")) return { outcome: "invalid", problems: probe.problems };
      const w = this.write(path, text);
      const id = w.id ?? path.replace(/\.md$/, "");
      this.emitChanged([id]);
      return { outcome: "saved", path, id, fingerprint: w.fingerprint, text, problems: w.problems };
    });
  }

  reviewItems(): Promise<ReviewItem[]> {
    return this.settle(() =>
      this.docs
        .map((d) => ({ d, reasons: this.reviewOf(d) }))
        .filter((x) => x.reasons.length > 0)
        .sort((a, b) => Number(b.d.kind === "rule") - Number(a.d.kind === "rule") || a.d.title.localeCompare(b.d.title, "zh"))
        .map(({ d, reasons }) => ({ id: d.id, kind: d.kind, title: d.title, path: d.path, reasons })),
    );
  }

  gitStatus(): Promise<GitStatus> {
    return this.settle(() => ({ ...this.git, changes: [...this.git.changes], conflicts: [...this.git.conflicts] }));
  }

  gitSync(): Promise<SyncReport> {
    if (!this.git.repo) return this.fail("git", "the content folder is not a git repository");
    if (this.gitScenario === "error") {
      return this.fail("git", "fatal: unable to access 'https://git.example.com/kefu/content.git/': Could not resolve host: git.example.com");
    }
    return this.settle((): SyncReport => {
      const committed = [...this.git.changes];
      if (this.git.rebasing) {
        const still = this.git.conflicts.filter((p) => /^<{7}(?: |$)/m.test(this.files.get(p)?.text ?? ""));
        if (still.length) {
          return { outcome: "conflict", committed: [], pulled: 0, pushed: false, conflicts: still, message: `error: could not apply: unresolved conflicts in ${still.join(", ")}` };
        }
        this.git = { ...this.git, changes: [], conflicts: [], rebasing: false };
        return { outcome: "synced", committed, pulled: 0, pushed: true, conflicts: [], message: "Successfully rebased and updated refs/heads/main." };
      }
      if (this.gitScenario === "conflict") {
        this.gitScenario = "ok";
        const path = committed.find((p) => this.files.has(p)) ?? "playbooks/cuifahuo.md";
        const mine = this.files.get(path)?.text ?? "";
        const split = mine.split("\n");
        const at = Math.max(split.findIndex((l, i) => i > 0 && l.trimEnd() === "---") + 2, 1);
        const line = split[at] ?? "";
        split.splice(at, 1, "<<<<<<< HEAD", `${line}（同事在共享库里改过这一行）`, "=======", line, ">>>>>>> 我的修改");
        const id = this.docs.find((d) => d.path === path)?.id;
        this.write(path, split.join("\n"));
        this.git = { ...this.git, changes: [], conflicts: [path], rebasing: true };
        if (id) this.emitChanged([id]);
        return { outcome: "conflict", committed, pulled: 1, pushed: false, conflicts: [path], message: `CONFLICT (content): Merge conflict in ${path}` };
      }
      if (this.gitScenario === "no_remote" || this.git.upstream === null) {
        this.git = { ...this.git, changes: [], upstream: null };
        return { outcome: "committed_only", committed, pulled: 0, pushed: false, conflicts: [], message: "no upstream configured" };
      }
      const pulled = this.gitPull;
      this.gitPull = 0;
      this.git = { ...this.git, changes: [] };
      return { outcome: "synced", committed, pulled, pushed: committed.length > 0, conflicts: [], message: "Everything up-to-date" };
    });
  }

  onContentChanged(cb: (e: ContentChanged) => void): () => void {
    this.changeListeners.add(cb);
    return () => this.changeListeners.delete(cb);
  }

  onSemantic(cb: (s: SemanticStatus) => void): () => void {
    this.semanticListeners.add(cb);
    return () => this.semanticListeners.delete(cb);
  }

  onClipboardMessage(cb: (text: string) => void): () => void {
    this.clipboardListeners.add(cb);
    return () => this.clipboardListeners.delete(cb);
  }

  /** Test hook: the shell reports a new state of matching by meaning. */
  emitSemantic(s: SemanticStatus): void {
    this.semantic = s;
    for (const cb of this.semanticListeners) cb(s);
  }

  /** Test hook: a customer's message was copied in another app (only sent while the setting is on). */
  emitClipboard(text: string): void {
    if (!this.settings.clipboard_suggest) return;
    for (const cb of this.clipboardListeners) cb(text);
  }
}
