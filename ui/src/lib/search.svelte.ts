// Search-as-you-type: no fixed wait (a search costs the core a few milliseconds), at most one
// request in flight — keys typed meanwhile are sent as one request for the latest text when it
// returns — a sequence number so that a slow old answer never overwrites a newer one, and the
// previous results kept on screen until the new ones arrive.

import type { ApiError } from "./bindings/ApiError";
import type { Hit } from "./bindings/Hit";
import type { Kind } from "./bindings/Kind";
import type { Platform } from "./bindings/Platform";
import type { SearchResults } from "./bindings/SearchResults";
import type { Suggestion } from "./bindings/Suggestion";
import type { Backend } from "./api/backend";
import { toApiError } from "./api/errors";

export const SEARCH_LIMIT = 30;

/** A request in flight this long no longer holds back the next one (a stuck call never blocks typing). */
export const HOLD_MAX_MS = 1000;

export class SearchController {
  query = $state("");
  kinds = $state<Kind[]>([]);
  platforms = $state<Platform[]>([]);
  results = $state<SearchResults | null>(null);
  selected = $state(0);
  /** A request is scheduled or in flight. */
  pending = $state(false);
  error = $state<ApiError | null>(null);
  suggestions = $state<Suggestion[]>([]);

  private seq = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private inFlight = 0;
  private sentAt = 0;
  /** The text changed while a request was in flight: send the latest when it returns. */
  private rerun = false;
  private readonly backend: Backend;
  private readonly debounceMs: number;

  /** `debounceMs`: wait this long after a key before sending (0: send at once, coalesced). */
  constructor(backend: Backend, debounceMs = 0) {
    this.backend = backend;
    this.debounceMs = debounceMs;
  }

  get hits(): Hit[] {
    return this.results?.hits ?? [];
  }

  get selectedHit(): Hit | null {
    return this.hits[this.selected] ?? null;
  }

  get hasFilters(): boolean {
    return this.kinds.length > 0 || this.platforms.length > 0;
  }

  setQuery(q: string): void {
    this.query = q;
    this.schedule(this.debounceMs);
  }

  toggleKind(k: Kind): void {
    this.kinds = this.kinds.includes(k) ? this.kinds.filter((x) => x !== k) : [...this.kinds, k];
    this.schedule(0);
  }

  togglePlatform(p: Platform): void {
    this.platforms = this.platforms.includes(p)
      ? this.platforms.filter((x) => x !== p)
      : [...this.platforms, p];
    this.schedule(0);
  }

  clearFilters(): void {
    this.kinds = [];
    this.platforms = [];
    this.schedule(0);
  }

  /** Clears the query and the results at once. */
  clear(): void {
    this.query = "";
    this.schedule(0);
  }

  move(delta: number): void {
    const n = this.hits.length;
    if (n === 0) return;
    this.selected = Math.min(n - 1, Math.max(0, this.selected + delta));
  }

  select(index: number): void {
    if (index >= 0 && index < this.hits.length) this.selected = index;
  }

  /**
   * Runs the current query again (the content changed): the cards are replaced when the answer
   * arrives, and the selection stays on the same document when it is still there.
   */
  refresh(): void {
    if (this.query.trim() === "") return;
    const keep = this.selectedHit?.id ?? null;
    if (this.timer !== null) return; // a run is scheduled anyway
    const mine = this.seq + 1;
    void this.run().then(() => {
      if (mine !== this.seq || keep === null) return;
      const at = this.hits.findIndex((h) => h.id === keep);
      if (at >= 0) this.selected = at;
    });
  }

  /** Runs the current query after `delay` ms, replacing any scheduled run. */
  schedule(delay: number): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    if (this.query.trim() === "") {
      this.seq += 1; // anything in flight is now stale
      this.rerun = false;
      this.results = null;
      this.suggestions = [];
      this.error = null;
      this.selected = 0;
      this.pending = false;
      return;
    }
    this.pending = true;
    if (delay <= 0) this.send();
    else this.timer = setTimeout(() => this.send(), delay);
  }

  /** Sends the current query, or marks it to be sent when the request in flight returns. */
  private send(): void {
    this.timer = null;
    if (this.inFlight > 0 && performance.now() - this.sentAt < HOLD_MAX_MS) this.rerun = true;
    else void this.run();
  }

  /** Sends the current query now; resolves when its answer (or a newer one) is in. */
  async run(): Promise<void> {
    this.timer = null;
    const mine = ++this.seq;
    const query = this.query;
    this.inFlight += 1;
    this.sentAt = performance.now();
    try {
      const res = await this.backend.search({
        query,
        limit: SEARCH_LIMIT,
        kinds: [...this.kinds],
        platforms: [...this.platforms],
      });
      if (mine !== this.seq) return;
      this.results = res;
      this.selected = 0;
      this.error = null;
      this.pending = this.rerun;
      if (res.hits.length === 0) {
        const suggestions = await this.backend.suggest(query).catch(() => []);
        if (mine === this.seq) this.suggestions = suggestions;
      } else {
        this.suggestions = [];
      }
    } catch (e) {
      if (mine !== this.seq) return;
      this.error = toApiError(e);
      this.pending = this.rerun;
    } finally {
      this.inFlight -= 1;
      if (this.rerun && this.inFlight === 0) {
        this.rerun = false;
        void this.run();
      }
    }
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.rerun = false;
    this.seq += 1;
  }
}
