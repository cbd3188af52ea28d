/**
 * The climb of one split route (`split.steps`): progressive delivery from the starting
 * `weight` through each step, e.g. 1% → 5% → 20% → 50% → 100%.
 *
 * Driven by its SplitController: every candidate sample (live outcome or compared shadow
 * verdict) calls `observe`. The next step is taken when all of these hold:
 *   - the route has been at its current weight for `stepAfter`;
 *   - at least `minSamples` samples arrived since it got there (samples of a lower weight
 *     say little about the load of this one);
 *   - the controller's readiness says ready (one computation, the one /api/report shows).
 * With `approval: auto` the climb then moves; with `manual` it marks the route awaiting
 * approval and waits for `promote` (CLI or admin API).
 *
 * Stops: a guard trip (the controller drops the weight to 0) or an operator's rollback to 0
 * stops the climb; only an operator resumes it (`promote`, or setting a weight). Steps only go
 * up and a sticky choice is `bucket < weight`, so each step only moves cohorts primary →
 * candidate.
 *
 * No timer: decisions happen on samples, which the minSamples rule needs anyway, so a test
 * with an injected clock is deterministic. Readiness scans histograms, so a route that is not
 * ready is re-examined at most once per RECHECK_MS.
 */
import { join, resolve } from 'node:path'
import { formatShare as pct } from '../config/units.js'
import { readClimbState, writeClimbState } from './climb-state.js'

export const DEFAULT_STEP_AFTER_MS = 3_600_000
const RECHECK_MS = 1_000

/** The readiness figures the climb reads (a subset of the controller's SplitReadiness). */
export interface ClimbReadiness {
  ready: boolean
  samples: number
  candidateErrorRate: number
  mismatchRate: number
  latencyRatio: number | null
}

/** What the climb steers: the route's SplitController (kept structural: no import cycle). */
export interface ClimbTarget {
  readonly weight: number
  readonly tripped: { reason: string } | undefined
  readiness (): ClimbReadiness
  setWeight (w: number, reason: string): void
}

export interface ClimbSettings {
  weight: number
  steps?: number[]
  stepAfter?: number
  approval?: 'auto' | 'manual'
  stateFile?: string
}

export interface ClimbOptions {
  now: () => number
  log: { warn (obj: object, msg: string): void, info? (obj: object, msg: string): void }
  /** Called after the climb itself took a step (a --workers cluster relays it to the other workers). */
  onStep?: (route: string, to: number) => void
  /** Directory a relative `stateFile` is resolved against (the config file's). */
  baseDir?: string
  /** The top-level `state.dir`: the state file is ROUTE.climb.json there unless `stateFile` names one. */
  stateDir?: string
}

export interface ClimbStatus {
  steps: number[]
  approval: 'auto' | 'manual'
  stepAfterMs: number
  /** Position of the live weight: 0 the starting weight, k the k-th step; null off the ladder. */
  step: number | null
  /** Epoch ms the route reached its live weight. */
  since: number
  atWeightMs: number
  samplesAtWeight: number
  /** The next step, null at the top. */
  next: number | null
  awaitingApproval: boolean
  stopped: 'tripped' | 'rolled_back' | null
  /** What the next step waits for, one line each; empty when it is about to be taken. */
  waitingFor: string[]
}

export type PromoteResult =
  | { ok: true, route: string, from: number, to: number, weight: number, forced: boolean }
  | { ok: false, status: 400 | 404 | 409, error: string }

export class Climb {
  readonly steps: number[]
  readonly approval: 'auto' | 'manual'
  readonly stepAfter: number
  private readonly start: number
  private readonly stateFile: string | undefined
  private since: number
  private samples = 0
  private awaiting = false
  private rolledBack = false
  private stopPersisted = false
  private recheckAt = 0

  constructor (
    readonly route: string,
    settings: ClimbSettings,
    private readonly minSamples: number,
    private readonly target: ClimbTarget,
    private readonly opts: ClimbOptions,
  ) {
    this.steps = settings.steps ?? []
    this.start = settings.weight
    this.approval = settings.approval ?? 'auto'
    this.stepAfter = settings.stepAfter ?? DEFAULT_STEP_AFTER_MS
    const file = settings.stateFile ?? (opts.stateDir === undefined ? undefined : join(opts.stateDir, `${route}.climb.json`))
    this.stateFile = file === undefined ? undefined : resolve(opts.baseDir ?? '.', file)
    this.since = opts.now()
  }

  /** The first rung above the live weight, or null at the top. After a stop at 0 that is the starting weight. */
  next (): number | null {
    const w = this.target.weight
    if (w < this.start) return this.start
    return this.steps.find((s) => s > w) ?? null
  }

  /** One candidate sample arrived (called by the controller after its guard ran). */
  observe (now: number): void {
    this.samples++
    if (this.stopped() !== null) {
      // Persist a trip once, so a restart does not bring the weight back.
      if (!this.stopPersisted) { this.stopPersisted = true; this.persist() }
      return
    }
    if (this.awaiting || now < this.recheckAt || now - this.since < this.stepAfter || this.samples < this.minSamples) return
    const next = this.next()
    if (next === null) return
    const r = this.target.readiness()
    if (!r.ready) { this.recheckAt = now + RECHECK_MS; return }
    if (this.approval === 'auto') return this.moveTo(next, 'climb', r, false)
    this.awaiting = true
    this.note({ event: 'shadowfig.split.awaiting_approval', route: this.route, from: this.target.weight, to: next, ...figures(r) },
      `route ${this.route} is ready to go from ${pct(this.target.weight)} to ${pct(next)}: awaiting approval (shadowfig promote ${this.route})`)
  }

  /**
   * The live weight was set (the climb's own step, an operator, a relayed step): the time
   * and the samples at this weight start over. An operator's 0 stops the climb.
   */
  anchor (weight: number, operatorZero: boolean): void {
    this.since = this.opts.now()
    this.samples = 0
    this.awaiting = false
    this.recheckAt = 0
    this.rolledBack = operatorZero && weight === 0
    this.stopPersisted = this.rolledBack
    this.persist()
  }

  /** Operator approval: the next step, or `to`. Refused when tripped or not ready unless `force`. */
  promote (opts: { to?: number, force?: boolean }): PromoteResult {
    const from = this.target.weight
    const to = opts.to ?? this.next()
    if (to === null) return { ok: false, status: 409, error: `route ${this.route} is at the top of its climb (${pct(from)})` }
    if (to <= from) return { ok: false, status: 400, error: `${pct(to)} is not above the live weight ${pct(from)}; lower a weight with shadowfig rollback ${this.route} --weight N` }
    const r = this.target.readiness()
    const trip = this.target.tripped
    const refusal = trip !== undefined
      ? `the guard of route ${this.route} tripped (${trip.reason}); find out why before moving traffic back`
      : !r.ready ? `route ${this.route} is not ready: ${readinessText(r, this.minSamples)}` : undefined
    if (refusal !== undefined && opts.force !== true) return { ok: false, status: 409, error: `${refusal} (--force to promote anyway)` }
    if (refusal !== undefined) {
      this.opts.log.warn({ event: 'shadowfig.split.promote_forced', route: this.route, from, to, refusal, ...figures(r) }, `promotion of route ${this.route} to ${pct(to)} forced past: ${refusal}`)
    }
    this.moveTo(to, 'operator', r, refusal !== undefined)
    return { ok: true, route: this.route, from, to, weight: this.target.weight, forced: refusal !== undefined }
  }

  /** A step decided by another worker of the cluster: follow it unless stopped or already past it. */
  adopt (to: number): void {
    if (this.stopped() !== null || to <= this.target.weight) return
    this.target.setWeight(to, 'climb (another worker)')
  }

  /** Restart: resume at the persisted weight, never above it nor above the top step. */
  resume (): void {
    if (this.stateFile === undefined) return
    const s = readClimbState(this.stateFile, this.route)
    if (s === undefined) return
    const top = this.steps[this.steps.length - 1] ?? this.target.weight
    const w = s.stopped ? 0 : Math.min(s.weight, Math.max(top, this.target.weight))
    if (w !== this.target.weight) this.target.setWeight(w, `resumed from ${this.stateFile}`)
    this.rolledBack = s.stopped
    this.stopPersisted = s.stopped
  }

  /** On a reload with the same split block: keep the time, samples and stop at this weight. */
  copyFrom (prev: Climb): void {
    this.since = prev.since
    this.samples = prev.samples
    this.awaiting = prev.awaiting
    this.rolledBack = prev.rolledBack
    this.stopPersisted = prev.stopPersisted
  }

  status (r: ClimbReadiness): ClimbStatus {
    const now = this.opts.now()
    const w = this.target.weight
    const k = this.steps.indexOf(w)
    const next = this.next()
    const stopped = this.stopped()
    const waitingFor: string[] = []
    if (stopped === 'tripped') waitingFor.push(`an operator: the guard tripped (${this.target.tripped?.reason}); shadowfig promote ${this.route} --force, or rollback --weight N`)
    else if (stopped === 'rolled_back') waitingFor.push(`an operator: rolled back to 0; shadowfig promote ${this.route} resumes the climb`)
    else if (next !== null) {
      const left = this.stepAfter - (now - this.since)
      if (left > 0) waitingFor.push(`time: ${Math.ceil(left / 1000)} s more at ${pct(w)}`)
      if (this.samples < this.minSamples) waitingFor.push(`samples: ${this.samples} of ${this.minSamples} at ${pct(w)}`)
      if (!r.ready) waitingFor.push(`readiness: ${readinessText(r, this.minSamples)}`)
      if (this.approval === 'manual') waitingFor.push(`approval: shadowfig promote ${this.route}`)
    }
    return {
      steps: this.steps,
      approval: this.approval,
      stepAfterMs: this.stepAfter,
      step: k >= 0 ? k + 1 : w === this.start ? 0 : null,
      since: this.since,
      atWeightMs: now - this.since,
      samplesAtWeight: this.samples,
      next,
      awaitingApproval: this.awaiting,
      stopped,
      waitingFor,
    }
  }

  private stopped (): 'tripped' | 'rolled_back' | null {
    return this.target.tripped !== undefined ? 'tripped' : this.rolledBack ? 'rolled_back' : null
  }

  private moveTo (to: number, by: 'climb' | 'operator', r: ClimbReadiness, forced: boolean): void {
    const from = this.target.weight
    this.target.setWeight(to, by === 'climb' ? 'climb' : 'promote')
    this.note({ event: 'shadowfig.split.promoted', route: this.route, from, to, by, forced, ...figures(r) },
      `route ${this.route} promoted from ${pct(from)} to ${pct(to)} (${by === 'climb' ? 'ready' : 'approved'})`)
    if (by === 'climb') this.opts.onStep?.(this.route, to)
  }

  private persist (): void {
    if (this.stateFile === undefined) return
    try {
      writeClimbState(this.stateFile, { route: this.route, weight: this.target.weight, stopped: this.stopped() !== null, at: new Date(this.opts.now()).toISOString() })
    } catch (err) {
      this.opts.log.warn({ event: 'shadowfig.split.state_write_failed', route: this.route, file: this.stateFile, err: (err as Error).message },
        `cannot write the climb state of route ${this.route}; a restart will start from the config's weight`)
    }
  }

  private note (obj: object, msg: string): void {
    if (this.opts.log.info !== undefined) this.opts.log.info(obj, msg)
    else this.opts.log.warn(obj, msg)
  }
}

function figures (r: ClimbReadiness): object {
  return { ready: r.ready, samples: r.samples, errorRate: r.candidateErrorRate, mismatchRate: r.mismatchRate, latencyRatio: r.latencyRatio }
}

function readinessText (r: ClimbReadiness, minSamples: number): string {
  const lat = r.latencyRatio === null ? 'n/a' : r.latencyRatio.toFixed(2)
  return `${r.samples}/${minSamples} samples, error rate ${pct(r.candidateErrorRate)}, mismatch rate ${pct(r.mismatchRate)}, latency ratio ${lat}`
}
