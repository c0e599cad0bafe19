// Search-as-you-type: debounced requests, a sequence number so that a slow old answer never
// overwrites a newer one, and the previous results kept on screen until the new ones arrive.

import type { ApiError } from "./bindings/ApiError";
import type { Hit } from "./bindings/Hit";
import type { Kind } from "./bindings/Kind";
import type { Platform } from "./bindings/Platform";
import type { SearchResults } from "./bindings/SearchResults";
import type { Suggestion } from "./bindings/Suggestion";
import type { Backend } from "./api/backend";
import { toApiError } from "./api/errors";

export const SEARCH_LIMIT = 30;

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
  private readonly backend: Backend;
  private readonly debounceMs: number;

  constructor(backend: Backend, debounceMs = 40) {
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
      this.results = null;
      this.suggestions = [];
      this.error = null;
      this.selected = 0;
      this.pending = false;
      return;
    }
    this.pending = true;
    if (delay <= 0) void this.run();
    else this.timer = setTimeout(() => void this.run(), delay);
  }

  /** Sends the current query now; resolves when its answer (or a newer one) is in. */
  async run(): Promise<void> {
    this.timer = null;
    const mine = ++this.seq;
    const query = this.query;
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
      this.pending = false;
      if (res.hits.length === 0) {
        const suggestions = await this.backend.suggest(query).catch(() => []);
        if (mine === this.seq) this.suggestions = suggestions;
      } else {
        this.suggestions = [];
      }
    } catch (e) {
      if (mine !== this.seq) return;
      this.error = toApiError(e);
      this.pending = false;
    }
  }

  dispose(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.seq += 1;
  }
}
