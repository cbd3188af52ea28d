/**
 * Fixed-bucket latency histograms for the report: 4 buckets per octave (each ≈ 19% wide) from
 * 1/32 ms to about 2 minutes, 88 counters per side. A quantile reads as its bucket's geometric
 * midpoint, so p50/p99 are within about ±9% and a ratio of two within one bucket width; that is
 * the documented resolution (docs/admin-api.md). Memory is constant per histogram.
 */

/** A log-bucket scheme: `perOctave` buckets per doubling from 2^minLog2 ms, `count` buckets. */
export interface LogBuckets {
  /** Bucket of a duration in ms, clamped to the first and last bucket. */
  of (ms: number): number
  /** Representative duration (ms) of a bucket: its geometric midpoint. */
  mid (i: number): number
}

export function logBuckets (perOctave: number, minLog2: number, count: number): LogBuckets {
  return {
    of: (ms) => {
      if (!(ms > 0)) return 0
      const i = Math.floor((Math.log2(ms) - minLog2) * perOctave)
      return i < 0 ? 0 : i >= count ? count - 1 : i
    },
    mid: (i) => 2 ** (minLog2 + (i + 0.5) / perOctave),
  }
}

export const BUCKETS = 88
const SCHEME = logBuckets(4, -5, BUCKETS)
export const bucketOf = SCHEME.of
export const bucketMidMs = SCHEME.mid

/** Quantile `q` of counts over BUCKETS buckets (starting at `offset` in `counts`); null when empty. */
export function quantile (counts: ArrayLike<number>, offset: number, q: number): number | null {
  let n = 0
  for (let i = 0; i < BUCKETS; i++) n += counts[offset + i]
  if (n === 0) return null
  const rank = Math.max(1, Math.ceil(q * n))
  let seen = 0
  let i = 0
  for (; i < BUCKETS - 1; i++) {
    seen += counts[offset + i]
    if (seen >= rank) break
  }
  return round(bucketMidMs(i))
}

const round = (ms: number): number => Math.round(ms * 1000) / 1000

export interface SideLatency { p50: number | null, p99: number | null }

export interface LatencyReport {
  /** Exchanges where both sides answered (no transport failure), measured. */
  samples: number
  primary: SideLatency
  candidate: SideLatency
  /** Candidate p99 / primary p99; null without samples. */
  ratio: number | null
  /** Candidate slower beyond the route's rule (ratio and absolute floor, src/report/readiness.ts). */
  slower: boolean
}

/** Primary counts at [0, BUCKETS), candidate at [BUCKETS, 2·BUCKETS). */
export function newLatencyCounts (): Uint32Array {
  return new Uint32Array(2 * BUCKETS)
}

export function addLatency (counts: Uint32Array, primaryMs: number, candidateMs: number): void {
  counts[bucketOf(primaryMs)]++
  counts[BUCKETS + bucketOf(candidateMs)]++
}

export function sides (counts: Uint32Array): { samples: number, primary: SideLatency, candidate: SideLatency } {
  let samples = 0
  for (let i = 0; i < BUCKETS; i++) samples += counts[i]
  return {
    samples,
    primary: { p50: quantile(counts, 0, 0.5), p99: quantile(counts, 0, 0.99) },
    candidate: { p50: quantile(counts, BUCKETS, 0.5), p99: quantile(counts, BUCKETS, 0.99) },
  }
}
