/**
 * The container metadata cache: fetches a container's metadata from the runtimes in the
 * background, keeps a bounded number of answers (found and not found), and lets an event wait a
 * bounded time for an answer instead of going out with `<NA>`.
 */
import { HOST_CONTAINER_ID, HOST_CONTAINER_INFO, type ContainerInfo } from './container-info.js';
import type { ContainerRuntimeClient, ContainerRuntimeKind } from './docker-api.js';

export interface ContainerMetadataOptions {
  /**
   * Runtimes to ask, in order (unless a lookup prefers a kind); the first that knows the
   * container answers.
   */
  clients: readonly ContainerRuntimeClient[];
  /** Most containers (found or not) kept; the least recently used goes first. Default 4096. */
  limit?: number;
  /** How long a "no runtime knows it" answer is kept, in ms; default 30000. */
  notFoundTtlMs?: number;
  /** How long a failed lookup (socket down, timeout) is kept, in ms; default 5000. */
  errorTtlMs?: number;
  /** Most lookups in flight at once; more are not started and count as `skipped`. Default 64. */
  maxInFlight?: number;
  /** Clock in ms, for tests; default `Date.now`. */
  now?: () => number;
}

/** What the cache has done since it was made. */
export interface ContainerMetadataCounters {
  /** Lookups answered from a cached container. */
  hits: number;
  /** Lookups answered from a cached "not found" or "failed". */
  negativeHits: number;
  /** Requests to the runtimes started (one per container, however many wait for it). */
  fetches: number;
  found: number;
  notFound: number;
  /** Fetches where every runtime failed. */
  errors: number;
  /** Waits that ran out before the runtimes answered. */
  timeouts: number;
  /** Entries dropped to stay within the limit. */
  evictions: number;
  /** Fetches not started because `maxInFlight` were already running. */
  skipped: number;
}

export interface LookupOptions {
  /** How long to wait for a fetch in progress, in ms; 0 (default) answers at once. */
  waitMs?: number;
  /**
   * Ask the runtimes of this kind first, as the container's cgroup suggests (CRI for
   * containerd and CRI-O layouts); the others are still asked when they do not know it.
   */
  prefer?: ContainerRuntimeKind;
}

type Entry = { info: ContainerInfo } | { info: undefined; expiresAt: number };

/** A bounded, asynchronously filled cache of container metadata keyed by container id. */
export class ContainerMetadata {
  readonly counters: ContainerMetadataCounters = {
    hits: 0,
    negativeHits: 0,
    fetches: 0,
    found: 0,
    notFound: 0,
    errors: 0,
    timeouts: 0,
    evictions: 0,
    skipped: 0,
  };
  /** The last error a runtime gave, for a status line. */
  lastError: Error | undefined;
  private readonly entries = new Map<string, Entry>();
  private readonly inFlight = new Map<string, Promise<ContainerInfo | undefined>>();
  private readonly limit: number;
  private readonly notFoundTtlMs: number;
  private readonly errorTtlMs: number;
  private readonly maxInFlight: number;
  private readonly now: () => number;

  /** @throws RangeError when `limit` or `maxInFlight` is below 1. */
  constructor(private readonly options: ContainerMetadataOptions) {
    this.limit = options.limit ?? 4096;
    this.maxInFlight = options.maxInFlight ?? 64;
    if (this.limit < 1 || this.maxInFlight < 1)
      throw new RangeError('container metadata limit and maxInFlight must be at least 1');
    this.notFoundTtlMs = options.notFoundTtlMs ?? 30_000;
    this.errorTtlMs = options.errorTtlMs ?? 5000;
    this.now = options.now ?? Date.now;
  }

  /** Containers (and negative answers) currently cached. */
  get size(): number {
    return this.entries.size;
  }

  /**
   * What is known of container `id` now, without waiting or fetching. `host` gives the host
   * pseudo container.
   */
  peek(id: string): ContainerInfo | undefined {
    if (id === HOST_CONTAINER_ID) return HOST_CONTAINER_INFO;
    const entry = this.entries.get(id);
    return entry?.info;
  }

  /**
   * The metadata of container `id` (short or full id): from the cache, or fetched, waiting at
   * most `waitMs` for the runtimes. Resolves with undefined when no runtime knows the container,
   * when they failed, or when the wait ran out (the fetch then goes on and fills the cache).
   * Never rejects.
   *
   * @example
   * const info = await metadata.lookup('2cda4a93cadb', { waitMs: 200 });
   * info?.name; // 'harrier-test-1'
   */
  lookup(id: string, options: LookupOptions = {}): Promise<ContainerInfo | undefined> {
    const cached = this.cached(id);
    if (cached !== 'absent') return Promise.resolve(cached);
    const fetch = this.inFlight.get(id) ?? this.startFetch(id, options.prefer);
    if (fetch === undefined) return Promise.resolve(undefined);
    return this.waitFor(fetch, options.waitMs ?? 0);
  }

  /** Closes every client; pending lookups still resolve. */
  close(): void {
    for (const client of this.options.clients) client.close();
  }

  /** A cached answer, or 'absent' when there is none (or it expired). */
  private cached(id: string): ContainerInfo | undefined | 'absent' {
    if (id === HOST_CONTAINER_ID) return HOST_CONTAINER_INFO;
    const entry = this.entries.get(id);
    if (entry === undefined) return 'absent';
    if (entry.info === undefined && entry.expiresAt <= this.now()) {
      this.entries.delete(id);
      return 'absent';
    }
    // Refresh the entry's place in the least-recently-used order.
    this.entries.delete(id);
    this.entries.set(id, entry);
    if (entry.info === undefined) this.counters.negativeHits++;
    else this.counters.hits++;
    return entry.info;
  }

  private startFetch(
    id: string,
    prefer: ContainerRuntimeKind | undefined,
  ): Promise<ContainerInfo | undefined> | undefined {
    if (this.inFlight.size >= this.maxInFlight) {
      this.counters.skipped++;
      return undefined;
    }
    this.counters.fetches++;
    const fetch = this.askClients(id, prefer).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, fetch);
    return fetch;
  }

  private async askClients(
    id: string,
    prefer: ContainerRuntimeKind | undefined,
  ): Promise<ContainerInfo | undefined> {
    let failed = false;
    for (const client of this.clientsInOrder(prefer)) {
      try {
        const info = await client.inspect(id);
        if (info !== undefined) {
          this.counters.found++;
          this.store(id, { info });
          return info;
        }
      } catch (error) {
        failed = true;
        this.lastError = error as Error;
      }
    }
    if (failed) this.counters.errors++;
    else this.counters.notFound++;
    const ttl = failed ? this.errorTtlMs : this.notFoundTtlMs;
    this.store(id, { info: undefined, expiresAt: this.now() + ttl });
    return undefined;
  }

  private clientsInOrder(prefer: ContainerRuntimeKind | undefined) {
    const clients = this.options.clients;
    if (prefer === undefined) return clients;
    return [
      ...clients.filter((client) => client.kind === prefer),
      ...clients.filter((client) => client.kind !== prefer),
    ];
  }

  private store(id: string, entry: Entry): void {
    this.entries.delete(id);
    this.entries.set(id, entry);
    while (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value as string;
      this.entries.delete(oldest);
      this.counters.evictions++;
    }
  }

  private waitFor(
    fetch: Promise<ContainerInfo | undefined>,
    waitMs: number,
  ): Promise<ContainerInfo | undefined> {
    if (waitMs <= 0) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.counters.timeouts++;
        resolve(undefined);
      }, waitMs);
      void fetch.then((info) => {
        clearTimeout(timer);
        resolve(info);
      });
    });
  }
}
