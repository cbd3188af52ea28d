/**
 * Sliding-window statistics for one split route, in constant memory.
 *
 * The window is a ring of SLOTS time buckets (window / SLOTS ms each). Every slot holds a few
 * counters and two latency histograms (primary, candidate); running totals are kept beside the
 * ring, so adding a sample is O(1) and reading a rate is O(1). When the clock enters a new
 * bucket, the slots that fell out of the window are subtracted from the totals and zeroed:
 * old samples age out without a timer and without per-request allocation.
 *
 * Latency histograms use fixed log buckets, 8 per octave (each ≈ 9% wide) from 1/32 ms to
 * about 1.4 min; a quantile is read as the bucket's geometric midpoint. Both sides share the
 * scheme, so a p99 ratio is off by at most one bucket width.
 */

import { logBuckets } from '../report/latency.js'

export const SLOTS = 30

/** Counter ids (indices into the per-slot counter block). */
export const LIVE = 0 // candidate outcomes of live (split) requests
export const LIVE_ERRORS = 1 // …of which 5xx, connect errors, timeouts, resets
export const COMPARED = 2 // shadow verdicts other than `skipped`
export const MISMATCHES = 3 // …of which `mismatch`
export const COMPARED_ERRORS = 4 // …of which `candidate_error`
const COUNTERS = 5

export type Side = 'primary' | 'candidate'
const SIDES: readonly Side[] = ['primary', 'candidate']

export const LATENCY_BUCKET_COUNT = 176
const SCHEME = logBuckets(8, -5, LATENCY_BUCKET_COUNT)
/** Histogram bucket of a duration in ms (clamped to the first and last bucket). */
export const latencyBucket = SCHEME.of
/** Representative duration (ms) of a histogram bucket: its geometric midpoint. */
export const bucketMs = SCHEME.mid

export class SlidingWindow {
  readonly windowMs: number
  private readonly slotMs: number
  /** Absolute index (time / slotMs) of the newest slot. */
  private head: number
  private readonly counts = new Uint32Array(SLOTS * COUNTERS)
  private readonly totals = new Float64Array(COUNTERS)
  private readonly hist = { primary: new Uint32Array(SLOTS * LATENCY_BUCKET_COUNT), candidate: new Uint32Array(SLOTS * LATENCY_BUCKET_COUNT) }
  private readonly histTotals = { primary: new Float64Array(LATENCY_BUCKET_COUNT), candidate: new Float64Array(LATENCY_BUCKET_COUNT) }
  private readonly histCounts = { primary: 0, candidate: 0 }

  constructor (windowMs: number, now: number) {
    this.windowMs = windowMs
    // A zero window would divide by zero; one millisecond per slot is the finest we keep.
    this.slotMs = Math.max(1, windowMs / SLOTS)
    this.head = Math.floor(now / this.slotMs)
  }

  /** Moves the window to `now`, expiring the slots that left it; returns the current slot. */
  advance (now: number): number {
    const idx = Math.floor(now / this.slotMs)
    // A clock that steps back keeps writing into the newest slot rather than resurrecting old ones.
    if (idx > this.head) {
      const steps = Math.min(idx - this.head, SLOTS)
      for (let k = 1; k <= steps; k++) this.expire((this.head + k) % SLOTS)
      this.head = idx
    }
    return this.head % SLOTS
  }

  add (counter: number, now: number): void {
    const slot = this.advance(now)
    this.counts[slot * COUNTERS + counter]++
    this.totals[counter]++
  }

  addLatency (side: Side, ms: number, now: number): void {
    const slot = this.advance(now)
    const b = latencyBucket(ms)
    this.hist[side][slot * LATENCY_BUCKET_COUNT + b]++
    this.histTotals[side][b]++
    this.histCounts[side]++
  }

  /** Window total of a counter (call `advance` first to age out old slots). */
  total (counter: number): number {
    return this.totals[counter]
  }

  latencySamples (side: Side): number {
    return this.histCounts[side]
  }

  /** Quantile `q` (0..1) of one side's latency in ms, or null without samples. */
  quantile (side: Side, q: number): number | null {
    const n = this.histCounts[side]
    if (n === 0) return null
    const rank = Math.max(1, Math.ceil(q * n))
    const t = this.histTotals[side]
    let seen = 0
    for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
      seen += t[i]
      if (seen >= rank) return bucketMs(i)
    }
    /* c8 ignore next */
    return bucketMs(LATENCY_BUCKET_COUNT - 1)
  }

  clear (): void {
    for (let s = 0; s < SLOTS; s++) this.expire(s)
  }

  /** Copies another window's samples (same window length), for a config reload carry-over. */
  copyFrom (other: SlidingWindow): void {
    this.head = other.head
    this.counts.set(other.counts)
    this.totals.set(other.totals)
    for (const side of SIDES) {
      this.hist[side].set(other.hist[side])
      this.histTotals[side].set(other.histTotals[side])
      this.histCounts[side] = other.histCounts[side]
    }
  }

  private expire (slot: number): void {
    const base = slot * COUNTERS
    for (let c = 0; c < COUNTERS; c++) {
      this.totals[c] -= this.counts[base + c]
      this.counts[base + c] = 0
    }
    for (const side of SIDES) {
      const h = this.hist[side]
      const t = this.histTotals[side]
      const hb = slot * LATENCY_BUCKET_COUNT
      let removed = 0
      for (let i = 0; i < LATENCY_BUCKET_COUNT; i++) {
        const v = h[hb + i]
        if (v !== 0) { t[i] -= v; removed += v; h[hb + i] = 0 }
      }
      this.histCounts[side] -= removed
    }
  }
}
