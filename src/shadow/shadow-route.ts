/**
 * Mirror decisions for one route, built at config load. `begin()` runs on the hot path for
 * every request of a shadowed route and answers in a few comparisons: method allowed? in the
 * sample? body within the cap? room on every target and in the comparison queue? circuit
 * closed? Each "no" is counted with its reason (shadowfig_mirror_total{outcome}); a "yes"
 * reserves one in-flight slot per target and returns the ticket that carries the exchange.
 */
import type { IncomingMessage } from 'node:http'
import type { DeferredCounter, DeferredGauge } from '../metrics/deferred.js'
import { SAFE_METHODS } from '../http/methods.js'
import type { RouteConfig, ShadowConfig } from '../config/schema.js'
import type { Metrics, MirrorOutcome } from '../metrics/registry.js'
import { cohortBucket, compileCohortKey, type CohortReader } from '../routing/cohort.js'
import type { MirrorPlanner } from '../proxy/route-runtime.js'
import { newRequestId } from '../http/request-id.js'
import type { Upstream, UpstreamSet } from '../proxy/upstreams.js'
import type { CapturedResponse } from '../http/captured.js'
import type { Exchange, ExchangeSink } from './exchange.js'
import { compileRewrite, type CompiledRewrite } from './rewrite.js'
import type { MirrorTarget, TargetStates } from './targets.js'
import { MirrorTicket, type TicketOwner } from './ticket.js'

export interface ShadowDeps {
  metrics: Metrics
  targets: TargetStates
  /** Pools for mirror traffic only (never shared with client-serving pools). */
  upstreams: UpstreamSet
  sink: ExchangeSink
}

const OUTCOMES: MirrorOutcome[] = ['sent', 'sampled_out', 'unsafe_method', 'body_too_large', 'saturated', 'circuit_open', 'error', 'timeout', 'response_too_large']
type SecondaryOutcome = 'sent' | 'error' | 'timeout' | 'response_too_large'
const SECONDARY_OUTCOMES: SecondaryOutcome[] = ['sent', 'error', 'timeout', 'response_too_large']

export class ShadowRoute implements MirrorPlanner, TicketOwner {
  readonly config: ShadowConfig
  readonly rewrite: CompiledRewrite | undefined
  readonly parallel: boolean
  readonly maxBodySize: number
  readonly timeoutMs: number
  /** Response bytes kept per side for comparison (the route's compare.maxBodySize). */
  readonly captureLimit: number
  readonly routeName: string
  readonly preserveHost: boolean
  private readonly methods: ReadonlySet<string>
  private readonly cohort: CohortReader | undefined
  private readonly targetList: MirrorTarget[]
  private readonly counters: Record<MirrorOutcome, DeferredCounter>
  /** Secondary copies are counted apart: `shadowfig_mirror_total` stays one per mirrored request. */
  private readonly secondaryCounters: Record<SecondaryOutcome, DeferredCounter>
  private readonly inFlight: DeferredGauge
  private readonly durations: Record<'candidate' | 'secondary', { observe (v: number): void }>
  private readonly deps: ShadowDeps
  /** Tickets open on this route (begun, not yet submitted or abandoned). */
  private open = 0

  constructor (route: RouteConfig, shadow: ShadowConfig, deps: ShadowDeps) {
    this.config = shadow
    this.deps = deps
    this.routeName = route.name
    this.preserveHost = route.preserveHost
    this.rewrite = compileRewrite(shadow.rewrite)
    this.parallel = shadow.dispatch === 'parallel'
    this.maxBodySize = shadow.maxBodySize
    this.timeoutMs = shadow.timeout
    this.captureLimit = route.compare.maxBodySize
    // Unsafe methods need both: listed in `methods` and `allowWrites: true`.
    this.methods = new Set(shadow.methods.filter((m) => shadow.allowWrites || SAFE_METHODS.has(m)))
    this.cohort = shadow.sticky === undefined ? undefined : compileCohortKey(shadow.sticky)
    const { failures, cooldown } = shadow.circuit
    this.targetList = [{ role: 'candidate', upstream: deps.upstreams.get(shadow.candidate), state: deps.targets.get(shadow.candidate, failures, cooldown) }]
    if (shadow.secondary !== undefined) {
      this.targetList.push({ role: 'secondary', upstream: deps.upstreams.get(shadow.secondary), state: deps.targets.get(shadow.secondary, failures, cooldown) })
    }
    this.counters = Object.fromEntries(OUTCOMES.map((o) => [o, deps.metrics.deferred.counter(deps.metrics.mirror, route.name, o)])) as ShadowRoute['counters']
    this.secondaryCounters = Object.fromEntries(SECONDARY_OUTCOMES.map((o) => [o, deps.metrics.deferred.counter(deps.metrics.secondaryMirror, route.name, o)])) as ShadowRoute['secondaryCounters']
    this.inFlight = deps.metrics.deferred.gauge(deps.metrics.mirrorInFlight)
    this.durations = {
      candidate: deps.metrics.deferred.histogram(deps.metrics.upstreamDuration, route.name, 'candidate'),
      secondary: deps.metrics.deferred.histogram(deps.metrics.upstreamDuration, route.name, 'secondary'),
    }
  }

  /** Decide whether to mirror this request; a ticket means yes (slots are reserved). */
  begin (req: IncomingMessage, target: string, hasBody: boolean, length: number): MirrorTicket | undefined {
    if (!this.methods.has(req.method as string)) return this.skip('unsafe_method')
    if (this.config.sample < 1) {
      const key = this.cohort?.(req.headers)
      const draw = key === undefined ? Math.random() : cohortBucket(this.routeName, key)
      if (draw >= this.config.sample) return this.skip('sampled_out')
    }
    if (length > this.maxBodySize) return this.skip('body_too_large')
    // Bounds, narrowest first: this route's open mirrors, then each target's requests in
    // flight (a target may serve several routes), then the global memory guard. A hung
    // candidate fills only its own route's and target's share; other routes keep mirroring.
    if (this.open >= this.config.maxInFlight) return this.skip('saturated')
    const targets = this.targetList
    for (let i = 0; i < targets.length; i++) {
      if (targets[i].state.inFlight >= this.config.maxInFlight) return this.skip('saturated')
    }
    const shared = this.deps.targets
    if (shared.openTickets >= shared.maxOpenTickets) return this.skip('saturated')
    // A mirror whose exchange would find the comparison queue full is load with no result:
    // under overload, shed it before it costs a request, a capture and a candidate's work. This
    // route's exchanges still on their way take their places first; other routes' do not, so a
    // hung candidate elsewhere (its tickets never arrive) cannot hold this route's places.
    const room = this.deps.sink.room?.()
    if (room !== undefined && room <= this.open) return this.skip('saturated')
    for (let i = 0; i < targets.length; i++) {
      if (!targets[i].state.breaker.allow()) {
        for (let j = 0; j < i; j++) targets[j].state.breaker.release()
        return this.skip('circuit_open')
      }
    }
    for (let i = 0; i < targets.length; i++) this.reserve(targets[i])
    shared.openTickets++
    this.open++
    return new MirrorTicket(this, req, target, hasBody, newRequestId(), targets)
  }

  count (outcome: MirrorOutcome): void { this.counters[outcome].inc() }

  /** A copy sent to a target, or its failure: the secondary's go to their own counter. */
  countCopy (role: MirrorTarget['role'], outcome: SecondaryOutcome): void {
    if (role === 'secondary') this.secondaryCounters[outcome].inc()
    else this.counters[outcome].inc()
  }

  /** Frees a target's slot; with a capture, also feeds its breaker and metrics. */
  release (t: MirrorTarget, capture: CapturedResponse | undefined): void {
    t.state.inFlight--
    this.inFlight.dec()
    if (capture === undefined) { t.state.breaker.release(); return }
    if (capture.failure === undefined && capture.truncated) {
      // Cut at the capture limit (aborted at the head when declared longer): the comparison
      // skips it as body_too_large; this says which mirror sent it. It also counts against the
      // circuit: a target whose answers are always over the cap gives nothing to compare, and
      // one that streams past it costs the cap's worth of reading each time (100 MiB chunked
      // bodies at 100 req/s held the client loop for ~190 ms p50 in the bench's fault matrix).
      t.state.breaker.failure()
      this.countCopy(t.role, 'response_too_large')
    } else if (capture.failure === undefined) {
      t.state.breaker.success()
      this.durations[t.role].observe(capture.durationMs / 1000)
    } else {
      t.state.breaker.failure()
      this.countCopy(t.role, capture.failure === 'timeout' ? 'timeout' : 'error')
      this.deps.metrics.upstreamErrors.labels(this.routeName, t.role, capture.failure).inc()
    }
  }

  /** A ticket ended (submitted or abandoned): its exchange no longer waits for queue room. */
  closeTicket (): void {
    this.deps.targets.openTickets--
    this.open--
  }

  submit (exchange: Exchange): void {
    try {
      this.deps.sink.submit(exchange)
    } catch {
      // The sink must never throw into the proxy; if it does, the exchange is dropped.
    }
  }

  private reserve (t: MirrorTarget): void {
    t.state.inFlight++
    this.inFlight.inc()
  }

  private skip (outcome: MirrorOutcome): undefined {
    this.counters[outcome].inc()
    return undefined
  }
}
