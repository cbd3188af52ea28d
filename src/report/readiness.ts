/**
 * The one readiness rule ("is the candidate ready?"), pure: the report's per-route verdict and
 * the split guard's `ready` (src/split/controller.ts) both call `assessReadiness`.
 *
 * A route is
 *  - `insufficient_data` while fewer than `minSamples` exchanges were compared;
 *  - `not_ready` when any reason holds: an unexplained mismatch (verdict `mismatch`), a
 *    candidate error rate at or above `maxErrorRate`, a candidate p99 slower than the primary's
 *    by more than `latency.maxRatio` *and* by more than `latency.floorMs` (the absolute floor
 *    keeps sub-millisecond loopback jitter from ever flagging), or a tripped guard;
 *  - `ready` otherwise.
 * The statistical bound is the one-sided exact (Clopper–Pearson) upper limit at 95% confidence
 * of the true mismatch rate after `mismatches` in `compared` exchanges. For zero mismatches it
 * is 1 − 0.05^(1/n), which the rule of three approximates as 3/n.
 */

export type ReadinessState = 'ready' | 'not_ready' | 'insufficient_data'
export type ReadinessReasonCode = 'insufficient_data' | 'mismatches' | 'error_rate' | 'latency' | 'tripped'

export interface ReadinessReason { code: ReadinessReasonCode, message: string }

export interface LatencyRule {
  /** Candidate p99 / primary p99 above this flags (default 1.1). */
  maxRatio: number
  /** …but only when the candidate is also slower by more than this many ms (default 2). */
  floorMs: number
}

export interface ReadinessRule {
  minSamples: number
  /** Candidate error rate at or above this is not ready (default 0.1%). */
  maxErrorRate: number
  latency: LatencyRule
}

export const DEFAULT_LATENCY_RULE: LatencyRule = { maxRatio: 1.1, floorMs: 2 }
export const DEFAULT_READINESS_RULE: ReadinessRule = { minSamples: 100, maxErrorRate: 0.001, latency: DEFAULT_LATENCY_RULE }

export interface ReadinessInput {
  /** Exchanges whose comparison counts (every verdict except `skipped`). */
  compared: number
  /** Unexplained mismatches among them (verdict `mismatch`). */
  mismatches: number
  /** Candidate samples for the error rate (compared exchanges, plus live requests on a split). */
  samples: number
  candidateErrors: number
  p99: { primary: number | null, candidate: number | null }
  tripped?: string
}

export interface ReadinessBound {
  /** Upper limit of the mismatch rate at `confidence`. */
  upper: number
  confidence: number
  method: 'clopper-pearson'
  /** "0 unexplained mismatches in 12,400 exchanges: mismatch rate below 0.024% at 95% confidence". */
  text: string
}

export interface Readiness {
  state: ReadinessState
  ready: boolean
  reasons: ReadinessReason[]
  /** Absent with no compared exchange. */
  bound?: ReadinessBound
  errorRate: number
  /** Candidate p99 / primary p99; null until both sides have samples. */
  latencyRatio: number | null
}

const CONFIDENCE = 0.95

export function assessReadiness (input: ReadinessInput, rule: ReadinessRule = DEFAULT_READINESS_RULE): Readiness {
  const errorRate = input.samples === 0 ? 0 : input.candidateErrors / input.samples
  const { primary, candidate } = input.p99
  const latencyRatio = primary === null || candidate === null || primary <= 0 ? null : candidate / primary
  const reasons: ReadinessReason[] = []
  if (input.tripped !== undefined) reasons.push({ code: 'tripped', message: `split guard tripped (${input.tripped})` })
  if (input.mismatches > 0) {
    reasons.push({ code: 'mismatches', message: `${count(input.mismatches)} unexplained mismatch${input.mismatches === 1 ? '' : 'es'} in ${count(input.compared)} exchanges` })
  }
  if (input.candidateErrors > 0 && errorRate >= rule.maxErrorRate) {
    reasons.push({ code: 'error_rate', message: `candidate error rate ${percent(errorRate)} (limit below ${percent(rule.maxErrorRate)})` })
  }
  if (latencySlower(input.p99, rule.latency)) {
    reasons.push({ code: 'latency', message: `candidate p99 ${ms(candidate as number)} vs primary ${ms(primary as number)} (×${(latencyRatio as number).toFixed(2)}, limit ×${rule.latency.maxRatio})` })
  }
  let state: ReadinessState
  if (reasons.length > 0) state = 'not_ready'
  else if (input.compared < rule.minSamples && input.samples < rule.minSamples) {
    state = 'insufficient_data'
    reasons.push({ code: 'insufficient_data', message: `${count(Math.max(input.compared, input.samples))} of the ${count(rule.minSamples)} exchanges needed` })
  } else state = 'ready'
  return {
    state,
    ready: state === 'ready',
    reasons,
    ...(input.compared > 0 && { bound: mismatchBound(input.mismatches, input.compared) }),
    errorRate,
    latencyRatio,
  }
}

/** True when the candidate's p99 exceeds the primary's by both the ratio and the floor. */
export function latencySlower (p99: { primary: number | null, candidate: number | null }, rule: LatencyRule): boolean {
  const { primary, candidate } = p99
  if (primary === null || candidate === null) return false
  return candidate > primary * rule.maxRatio && candidate - primary > rule.floorMs
}

export function mismatchBound (mismatches: number, n: number, confidence = CONFIDENCE): ReadinessBound {
  const upper = clopperPearsonUpper(mismatches, n, 1 - confidence)
  return {
    upper,
    confidence,
    method: 'clopper-pearson',
    text: `${count(mismatches)} unexplained mismatch${mismatches === 1 ? '' : 'es'} in ${count(n)} exchanges: mismatch rate below ${percent(upper)} at ${Math.round(confidence * 100)}% confidence`,
  }
}

/** Exact counts above this use the Wilson score bound (within a hair of exact at that size). */
const EXACT_MAX = 2000

/**
 * One-sided upper limit p of a binomial proportion after x successes in n trials: the p with
 * P(X ≤ x | n, p) = alpha. Closed form for x = 0; bisection on the binomial CDF otherwise.
 */
export function clopperPearsonUpper (x: number, n: number, alpha: number): number {
  if (n <= 0) return 1
  if (x >= n) return 1
  if (x === 0) return 1 - alpha ** (1 / n)
  if (x > EXACT_MAX) return wilsonUpper(x, n, alpha)
  let lo = x / n
  let hi = 1
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2
    if (binomialCdf(x, n, mid) > alpha) lo = mid
    else hi = mid
  }
  return hi
}

/** P(X ≤ x) for X ~ Binomial(n, p), summed in log space (n may be in the millions). */
function binomialCdf (x: number, n: number, p: number): number {
  const lp = Math.log(p)
  const lq = Math.log1p(-p)
  // log of the k = 0 term, then each next term from the previous one.
  let logTerm = n * lq
  let sum = Math.exp(logTerm)
  for (let k = 1; k <= x; k++) {
    logTerm += Math.log((n - k + 1) / k) + lp - lq
    sum += Math.exp(logTerm)
  }
  return Math.min(1, sum)
}

function wilsonUpper (x: number, n: number, alpha: number): number {
  const z = normalQuantile(1 - alpha)
  const p = x / n
  const z2 = z * z
  return Math.min(1, (p + z2 / (2 * n) + z * Math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))) / (1 + z2 / n))
}

/** Standard normal quantile for q > 0.5 (Abramowitz & Stegun 26.2.23, error < 4.5e-4). */
function normalQuantile (q: number): number {
  const t = Math.sqrt(-2 * Math.log(1 - q))
  return t - (2.515517 + 0.802853 * t + 0.010328 * t * t) / (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t)
}

const count = (n: number): string => n.toLocaleString('en-US')
const ms = (v: number): string => `${v < 10 ? v.toFixed(2) : v.toFixed(1)} ms`

/** A rate as a percentage with two significant digits below 1%. */
export function percent (r: number): string {
  if (r === 0) return '0%'
  const p = r * 100
  if (p >= 1) return `${p.toFixed(1).replace(/\.0$/, '')}%`
  return `${Number(p.toPrecision(2))}%`
}
