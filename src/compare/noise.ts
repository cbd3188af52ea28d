/**
 * Noise model, on the main thread because it needs state across all exchanges of a route; it
 * only counts (no parsing, no diffing), O(differing paths) per exchange.
 *
 * A *reference* says which grouping paths vary on the primary side by themselves: the
 * primary-vs-secondary paths when the route has a secondary, else the paths a repeated
 * identical request (same method + path and query; GET/HEAD only, because the exchange does
 * not carry request bodies) changed since the previous call. Per route we keep a sliding
 * window of the last `window` exchanges that had a reference, and per path how many of them
 * differed on the candidate and how many on the reference.
 *
 * A path is noise when, with at least `minSamples` exchanges in the window, the reference
 * differs there at a comparable rate: refCount ≥ ratio × candidateCount (and > 0). Keyed by
 * path, not path + diff kind. A path the reference never changes is never noise, however
 * rare the candidate's difference (a 1-in-10,000 regression is reported on its exchange).
 *
 * The window's rates are the evidence for what one exchange cannot decide by itself; where the
 * secondary answered the very same request, result.ts uses that answer first (per exchange).
 */
import { changedPaths, type Fingerprint } from './fingerprint.js'

export interface NoiseOptions {
  /** Exchanges with a reference kept per route (default 1000). */
  window?: number
  /** Exchanges needed in the window before any path may be called noise (default 50). */
  minSamples?: number
  /** Reference rate needed, as a share of the candidate's rate at that path (default 0.5). */
  ratio?: number
  /** Request keys whose last primary fingerprint is remembered, over all routes (default 1000). */
  maxRequestKeys?: number
}

interface Entry { cand: readonly string[], ref: readonly string[] }

/**
 * Most exchanges differ nowhere: they share one entry. Entries live for a whole window (a
 * second at 1,000 req/s), long enough to be promoted to the old generation; allocating one per
 * exchange kept the client thread's garbage collector busy for nothing.
 */
const NOTHING: readonly string[] = Object.freeze([])
const NOTHING_DIFFERS: Entry = Object.freeze({ cand: NOTHING, ref: NOTHING })
const distinct = (paths: readonly string[]): readonly string[] => paths.length === 0 ? NOTHING : [...new Set(paths)]

class RouteWindow {
  readonly ring: Entry[] = []
  head = 0
  readonly cand = new Map<string, number>()
  readonly ref = new Map<string, number>()

  constructor (readonly size: number) {}

  push (e: Entry): void {
    if (this.ring.length === this.size) {
      const old = this.ring[this.head]
      dec(this.cand, old.cand)
      dec(this.ref, old.ref)
      this.ring[this.head] = e
      this.head = (this.head + 1) % this.size
    } else this.ring.push(e)
    inc(this.cand, e.cand)
    inc(this.ref, e.ref)
  }
}

function inc (m: Map<string, number>, paths: readonly string[]): void {
  for (const p of paths) m.set(p, (m.get(p) ?? 0) + 1)
}

function dec (m: Map<string, number>, paths: readonly string[]): void {
  for (const p of paths) {
    const n = (m.get(p) as number) - 1 // counted when the entry came in
    if (n <= 0) m.delete(p)
    else m.set(p, n)
  }
}

export class NoiseModel {
  readonly window: number
  readonly minSamples: number
  readonly ratio: number
  readonly maxRequestKeys: number
  private readonly routes = new Map<string, RouteWindow>()
  private readonly lastPrimary = new Map<string, Fingerprint>()

  constructor (opts: NoiseOptions = {}) {
    this.window = opts.window ?? 1000
    this.minSamples = opts.minSamples ?? 50
    this.ratio = opts.ratio ?? 0.5
    this.maxRequestKeys = opts.maxRequestKeys ?? 1000
  }

  /** Record one exchange that has a reference. Paths are grouping paths; duplicates are ignored. */
  observe (route: string, candidatePaths: readonly string[], referencePaths: readonly string[]): void {
    let w = this.routes.get(route)
    if (!w) this.routes.set(route, w = new RouteWindow(this.window))
    w.push(candidatePaths.length === 0 && referencePaths.length === 0 ? NOTHING_DIFFERS : { cand: distinct(candidatePaths), ref: distinct(referencePaths) })
  }

  /**
   * Remember this primary fingerprint for its request key and return the paths that changed
   * since the previous call with the same key (undefined on the first call). Bounded LRU.
   */
  repeatReference (route: string, requestKey: string, fp: Fingerprint): string[] | undefined {
    const key = `${route}\u0000${requestKey}`
    const prev = this.lastPrimary.get(key)
    this.lastPrimary.delete(key)
    this.lastPrimary.set(key, fp)
    if (this.lastPrimary.size > this.maxRequestKeys) this.lastPrimary.delete(this.lastPrimary.keys().next().value as string)
    return prev ? changedPaths(prev, fp) : undefined
  }

  /** Whether the route's window holds enough exchanges for its rates to decide (minSamples). */
  settled (route: string): boolean {
    return this.samples(route) >= this.minSamples
  }

  /**
   * Whether the model is still learning about a path: the reference has varied there, but the
   * window is short of its samples, so its rates cannot decide yet. A path the reference never
   * varied on is not being learnt: nothing suggests the primary varies there by itself.
   */
  learning (route: string, path: string): boolean {
    const w = this.routes.get(route)
    return w !== undefined && w.ring.length < this.minSamples && (w.ref.get(path) ?? 0) > 0
  }

  isNoise (route: string, path: string): boolean {
    const w = this.routes.get(route)
    if (!w || w.ring.length < this.minSamples) return false
    const ref = w.ref.get(path) ?? 0
    return ref > 0 && ref >= this.ratio * (w.cand.get(path) ?? 0)
  }

  /** Paths currently considered noise on a route (for the report). */
  noisyPaths (route: string): string[] {
    const w = this.routes.get(route)
    if (!w) return []
    return [...w.ref.keys()].filter((p) => this.isNoise(route, p)).sort()
  }

  /** Number of exchanges with a reference in the route's window. */
  samples (route: string): number {
    return this.routes.get(route)?.ring.length ?? 0
  }

  /** Forget routes that are no longer configured (after a reload). */
  retain (routes: ReadonlySet<string>): void {
    for (const r of this.routes.keys()) if (!routes.has(r)) this.routes.delete(r)
    for (const k of this.lastPrimary.keys()) if (!routes.has(k.slice(0, k.indexOf('\u0000')))) this.lastPrimary.delete(k)
  }
}
