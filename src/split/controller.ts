/**
 * One route's live traffic split (strangler-fig shifting) and its rollback guard.
 *
 * Created at config load, one per route with `split:`. On the hot path the proxy calls
 * `choose(headers)` to pick the serving upstream and feeds outcomes back
 * (`recordCandidate`, `recordPrimary`, and `recordVerdict` for the route's shadow comparisons).
 *
 * Invariants:
 * - Sticky choice: candidate iff cohortBucket(route, key) < weight, the same hash and the same
 *   `bucket < share` rule as shadow sampling. Raising the weight therefore only moves cohorts
 *   primary→candidate, and the cohort that was shadowed first is the one that moves first.
 *   Requests without a cohort key (or routes without `sticky`) use Math.random() < weight.
 * - The guard acts only with `minSamples` in the window and only while the live weight is > 0.
 *   When it trips, the weight drops to 0 at once, one warn event is logged, the gauge shows 0,
 *   and it stays tripped (never flaps back) until `setWeight`/`reset` or a config reload.
 * - Constant memory: stats live in a fixed ring of time buckets (see window.ts).
 */
import type { IncomingHttpHeaders } from 'node:http'
import stringify from 'fast-json-stable-stringify'
import { guardSchema } from '../config/schema.js'
import type { GuardConfig, SplitConfig } from '../config/schema.js'
import type { Verdict } from '../compare/types.js'
import type { UpstreamFailure } from '../http/failure.js'
import type { Metrics } from '../metrics/registry.js'
import { cohortBucket, compileCohortKey } from '../routing/cohort.js'
import type { CohortReader } from '../routing/cohort.js'
import { assessReadiness, DEFAULT_LATENCY_RULE, latencySlower, type LatencyRule, type Readiness } from '../report/readiness.js'
import { Climb } from './climb.js'
import { COMPARED, COMPARED_ERRORS, LIVE, LIVE_ERRORS, MISMATCHES, SlidingWindow } from './window.js'

export type SplitTarget = 'primary' | 'candidate'
export type TripReason = 'error_rate' | 'mismatch_rate' | 'latency_ratio'

/** Readiness rule from the migration playbook: error rate < 0.1%, p99 within 10% of the primary's. */
export const READY_MAX_ERROR_RATE = 0.001
export const READY_MAX_LATENCY_RATIO = DEFAULT_LATENCY_RULE.maxRatio

export interface SplitNumbers {
  /** Candidate errors / candidate samples (live outcomes plus shadow verdicts) in the window. */
  errorRate: number
  /** `mismatch` verdicts / compared (non-skipped) verdicts in the window. */
  mismatchRate: number
  /** p99 in ms per side, null without samples. */
  p99: { primary: number | null, candidate: number | null }
  /** Candidate samples in the window: live outcomes plus compared shadow verdicts. */
  samples: number
}

export interface SplitTrip {
  reason: TripReason
  /** Epoch ms (from the controller's clock). */
  at: number
  numbers: SplitNumbers
}

export interface CandidateOutcome {
  /** Response status; 0 when no response arrived. */
  status: number
  error?: UpstreamFailure
  durationMs: number
}

/** The part of a pino logger the controller needs. */
export interface SplitLogger {
  warn (obj: object, msg: string): void
  info? (obj: object, msg: string): void
}

export interface SplitControllerOptions {
  metrics: Metrics
  log: SplitLogger
  now?: () => number
  /** Called once when this controller's guard trips (e.g. to relay the trip to other workers). */
  onTrip?: (route: string, trip: SplitTrip) => void
  /** Called when this controller's climb took a step by itself (relayed like trips). */
  onStep?: (route: string, to: number) => void
  /** Directory a relative `split.stateFile` is resolved against (the config file's). */
  baseDir?: string
  /** The route's `compare.latency`: readiness judges latency as the report does for this route. */
  latency?: LatencyRule
  /** The top-level `state.dir`: where a climb without its own `stateFile` keeps its state. */
  stateDir?: string
}

export interface SplitReadiness {
  samples: number
  candidateErrorRate: number
  mismatches: number
  mismatchRate: number
  /** p99 candidate / p99 primary of live requests; null until both sides have samples. */
  latencyRatio: number | null
  p99: { primary: number | null, candidate: number | null }
  /** The shared verdict (src/report/readiness.ts); `ready` is `state === 'ready'`. */
  ready: boolean
  /** Optional only for statuses merged from workers of an older build. */
  state?: Readiness['state']
  reasons?: Readiness['reasons']
  bound?: Readiness['bound']
  weight: number
  fileWeight: number
  tripped: SplitTrip | null
  windowMs: number
  minSamples: number
}

type Child = { inc (): void }

export class SplitController {
  readonly route: string
  readonly split: SplitConfig
  private readonly guard: GuardConfig | undefined
  /** Window and minSamples also serve readiness when no guard is configured. */
  private readonly limits: GuardConfig
  private readonly log: SplitLogger
  private readonly now: () => number
  private readonly onTrip: ((route: string, trip: SplitTrip) => void) | undefined
  private readonly latencyRule: LatencyRule
  private readonly win: SlidingWindow
  private readonly toPrimary: Child
  private readonly toCandidate: Child
  private readonly gauge: { set (v: number): void }
  private readonly readKey: CohortReader | undefined
  private live: number
  private trip: SplitTrip | undefined
  /** The climb through `split.steps` (climb.ts); undefined without steps. */
  readonly climb: Climb | undefined

  constructor (route: string, split: SplitConfig, opts: SplitControllerOptions) {
    this.route = route
    this.split = split
    this.guard = split.guard
    this.limits = split.guard ?? guardSchema.parse({})
    this.log = opts.log
    this.now = opts.now ?? Date.now
    this.onTrip = opts.onTrip
    this.latencyRule = opts.latency ?? DEFAULT_LATENCY_RULE
    this.win = new SlidingWindow(this.limits.window, this.now())
    // Label children resolved once: an increment on the hot path is a field update, not a lookup.
    this.toPrimary = opts.metrics.split.labels(route, 'primary')
    this.toCandidate = opts.metrics.split.labels(route, 'candidate')
    this.gauge = opts.metrics.splitWeight.labels(route)
    this.readKey = split.sticky === undefined ? undefined : compileCohortKey(split.sticky)
    this.live = split.weight
    this.gauge.set(this.live)
    this.climb = split.steps === undefined
      ? undefined
      : new Climb(route, split, this.limits.minSamples, this, { now: this.now, log: this.log, onStep: opts.onStep, baseDir: opts.baseDir, stateDir: opts.stateDir })
  }

  get weight (): number { return this.live }
  get fileWeight (): number { return this.split.weight }
  get tripped (): SplitTrip | undefined { return this.trip }

  choose (headers: IncomingHttpHeaders): SplitTarget {
    const w = this.live
    let candidate: boolean
    // 0 and 1 need no hash: bucket is in [0, 1), so the sticky rule gives the same answer.
    if (w <= 0) candidate = false
    else if (w >= 1) candidate = true
    else {
      const key = this.readKey === undefined ? undefined : this.readKey(headers)
      candidate = key === undefined ? Math.random() < w : cohortBucket(this.route, key) < w
    }
    if (candidate) { this.toCandidate.inc(); return 'candidate' }
    this.toPrimary.inc()
    return 'primary'
  }

  /** Sets the live weight (admin API, rollback). Clears a trip and, after a trip, the window. */
  setWeight (w: number, reason: string): void {
    if (!(w >= 0 && w <= 1)) throw new RangeError(`split weight must be between 0 and 1, got ${w}`)
    const previous = this.live
    // Samples from before ops intervened would re-trip the guard at once; start clean.
    if (this.trip !== undefined) { this.trip = undefined; this.win.clear() }
    this.live = w
    this.gauge.set(w)
    this.note({ event: 'shadowfig.split.weight', route: this.route, weight: w, previous, fileWeight: this.split.weight, reason }, `split weight of route ${this.route} set to ${w} (${reason})`)
    this.climb?.anchor(w, true)
  }

  /** Back to the file's state: clears the trip and the window, weight = file weight. */
  reset (): void {
    this.trip = undefined
    this.win.clear()
    this.live = this.split.weight
    this.gauge.set(this.live)
    this.note({ event: 'shadowfig.split.reset', route: this.route, weight: this.live }, `split of route ${this.route} reset to its file weight ${this.live}`)
    this.climb?.anchor(this.live, false)
  }

  /**
   * Adopts a trip decided elsewhere (another worker of a --workers cluster saw the burst):
   * weight 0 and tripped, without a second `tripped` event. No-op when already tripped.
   */
  applyTrip (trip: SplitTrip): void {
    if (this.trip !== undefined) return
    this.trip = trip
    this.live = 0
    this.gauge.set(0)
    this.note({ event: 'shadowfig.split.trip_applied', route: this.route, reason: trip.reason }, `split of route ${this.route} set to 0: guard tripped in another worker (${trip.reason})`)
  }

  /**
   * On config reload: keeps the previous controller's live weight, trip and window when this
   * route's split config is unchanged (deep-equal); otherwise the file's values rule.
   * Returns whether state was carried over.
   */
  carryOver (prev: SplitController): boolean {
    if (prev.route !== this.route || stringify(prev.split) !== stringify(this.split)) return false
    this.live = prev.live
    this.trip = prev.trip
    this.win.copyFrom(prev.win)
    this.gauge.set(this.live)
    if (prev.climb !== undefined) this.climb?.copyFrom(prev.climb)
    return true
  }

  recordCandidate (outcome: CandidateOutcome): void {
    const now = this.now()
    this.win.add(LIVE, now)
    if (outcome.error !== undefined || outcome.status >= 500 || outcome.status === 0) this.win.add(LIVE_ERRORS, now)
    // Error latencies are judged by the error rate; mixing fast 503s or slow timeouts into
    // the p99 would hide or fake a latency regression.
    else this.win.addLatency('candidate', outcome.durationMs, now)
    this.evaluate(now, true)
    this.climb?.observe(now)
  }

  recordPrimary (durationMs: number, status: number): void {
    if (status >= 500 || status === 0) return
    this.win.addLatency('primary', durationMs, this.now())
  }

  recordVerdict (verdict: Verdict): void {
    if (verdict === 'skipped' || verdict === 'undecided') return // not a comparison (yet)
    const now = this.now()
    this.win.add(COMPARED, now)
    if (verdict === 'mismatch') this.win.add(MISMATCHES, now)
    else if (verdict === 'candidate_error') this.win.add(COMPARED_ERRORS, now)
    this.evaluate(now, false)
    this.climb?.observe(now)
  }

  readiness (): SplitReadiness {
    this.win.advance(this.now())
    const n = this.numbers()
    const compared = this.win.total(COMPARED)
    const mismatches = this.win.total(MISMATCHES)
    const w = this.win
    // Before any live shift there is no candidate latency to judge; shadow verdicts decide.
    const verdict = assessReadiness({
      compared,
      mismatches,
      samples: n.samples,
      candidateErrors: w.total(LIVE_ERRORS) + w.total(COMPARED_ERRORS),
      p99: n.p99,
      ...(this.trip !== undefined && { tripped: this.trip.reason }),
    }, { minSamples: this.limits.minSamples, maxErrorRate: READY_MAX_ERROR_RATE, latency: this.latencyRule })
    return {
      samples: n.samples,
      candidateErrorRate: n.errorRate,
      mismatches,
      mismatchRate: compared === 0 ? 0 : mismatches / compared,
      latencyRatio: verdict.latencyRatio,
      p99: n.p99,
      ready: verdict.ready,
      state: verdict.state,
      reasons: verdict.reasons,
      ...(verdict.bound !== undefined && { bound: verdict.bound }),
      weight: this.live,
      fileWeight: this.split.weight,
      tripped: this.trip ?? null,
      windowMs: this.limits.window,
      minSamples: this.limits.minSamples,
    }
  }

  /** `latency`: also check the p99 ratio (two histogram scans; only a candidate sample can move it up). */
  private evaluate (now: number, latency: boolean): void {
    const g = this.guard
    if (g === undefined || this.trip !== undefined || this.live === 0) return
    const w = this.win
    const samples = w.total(LIVE) + w.total(COMPARED)
    if (samples >= g.minSamples && (w.total(LIVE_ERRORS) + w.total(COMPARED_ERRORS)) / samples > g.maxErrorRate) {
      return this.tripNow('error_rate', now)
    }
    const compared = w.total(COMPARED)
    if (g.maxMismatchRate !== undefined && compared >= g.minSamples && w.total(MISMATCHES) / compared > g.maxMismatchRate) {
      return this.tripNow('mismatch_rate', now)
    }
    if (latency && g.maxLatencyRatio !== undefined && w.latencySamples('candidate') >= g.minSamples && w.latencySamples('primary') >= g.minSamples) {
      // The ratio and the route's latency floor, as readiness judges latency: a candidate at
      // 0.9 ms against a primary at 0.5 ms is 1.8x slower and no reason to roll back.
      const p99 = { candidate: w.quantile('candidate', 0.99), primary: w.quantile('primary', 0.99) }
      if (latencySlower(p99, { maxRatio: g.maxLatencyRatio, floorMs: this.latencyRule.floorMs })) return this.tripNow('latency_ratio', now)
    }
  }

  private tripNow (reason: TripReason, now: number): void {
    const numbers = this.numbers()
    const previous = this.live
    this.trip = { reason, at: now, numbers }
    this.live = 0
    this.gauge.set(0)
    this.log.warn(
      { event: 'shadowfig.split.tripped', route: this.route, reason, ...numbers, previousWeight: previous },
      `split guard tripped on route ${this.route} (${reason}): live weight set to 0 until an operator resets it`,
    )
    this.onTrip?.(this.route, this.trip)
  }

  private numbers (): SplitNumbers {
    const w = this.win
    const samples = w.total(LIVE) + w.total(COMPARED)
    const compared = w.total(COMPARED)
    return {
      errorRate: samples === 0 ? 0 : (w.total(LIVE_ERRORS) + w.total(COMPARED_ERRORS)) / samples,
      mismatchRate: compared === 0 ? 0 : w.total(MISMATCHES) / compared,
      p99: { primary: w.quantile('primary', 0.99), candidate: w.quantile('candidate', 0.99) },
      samples,
    }
  }

  private note (obj: object, msg: string): void {
    if (this.log.info !== undefined) this.log.info(obj, msg)
    else this.log.warn(obj, msg)
  }
}
