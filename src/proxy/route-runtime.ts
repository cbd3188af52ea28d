/**
 * Everything the hot path needs for one route, resolved once per config load: the upstream,
 * cached metric label children, and the route's hooks. The hooks are interfaces defined here
 * and implemented elsewhere (shadow/ mirrors, split/ shifts live traffic); the composition
 * root (src/runtime.ts) builds them, so proxy/ never imports those folders.
 *
 * A RouteRuntime is the route-level ForwardObserver of every request on its route: it counts
 * the request and the upstream's time or failure, then tells its hooks.
 */
import type { IncomingMessage } from 'node:http'
import type { Readable } from 'node:stream'
import type { RouteConfig } from '../config/schema.js'
import type { DeferredCounter, DeferredHistogram } from '../metrics/deferred.js'
import { Metrics } from '../metrics/registry.js'
import type { ForwardRoute } from './forward.js'
import type { ForwardObserver, ForwardOutcome } from './outcome.js'
import type { RetryPolicy } from './retry.js'
import type { Upstream } from './upstreams.js'

/** A route's mirroring decision, made per request before the primary is dispatched. */
export interface MirrorPlanner {
  /** A session means "mirror this request"; undefined means not (counted by the planner). */
  begin (req: IncomingMessage, target: string, hasBody: boolean, length: number): MirrorSession | undefined
}

/** One mirrored request, observing the primary's forward. */
export interface MirrorSession extends ForwardObserver {
  readonly id: string
  /** Headers added to the primary request so both sides log the same id. */
  readonly primaryHeaders: readonly string[]
  /** Max primary response bytes to capture for comparison. */
  readonly captureLimit: number
  /** The request body on its way to the primary, copied for the mirrors. */
  teeBody (body: Readable): Readable
  /** Called right after the primary was dispatched. */
  started (): void
}

/** A route's live traffic split: who serves a request, and where a failure may go instead. */
export interface TrafficSplit extends ForwardObserver, RetryPolicy {
  choose (req: IncomingMessage): Upstream
}

export interface RouteHooks {
  shadow?: MirrorPlanner
  split?: TrafficSplit
}

export class RouteRuntime implements ForwardRoute {
  readonly config: RouteConfig
  readonly name: string
  readonly index: number
  readonly primary: Upstream
  readonly preserveHost: boolean
  /** Largest request body accepted (bytes), or Infinity. */
  readonly maxBodySize: number
  readonly shadow: MirrorPlanner | undefined
  readonly split: TrafficSplit | undefined
  readonly retryPolicy: RetryPolicy | undefined
  private readonly metrics: Metrics
  private readonly requestCounters = new Map<string, DeferredCounter>()
  private readonly primaryDuration: DeferredHistogram
  /** Live requests a split served from the candidate (mirrors observe the same series). */
  private readonly candidateDuration: DeferredHistogram

  constructor (config: RouteConfig, index: number, primary: Upstream, metrics: Metrics, hooks: RouteHooks = {}) {
    this.config = config
    this.name = config.name
    this.index = index
    this.primary = primary
    this.preserveHost = config.preserveHost
    this.metrics = metrics
    this.maxBodySize = config.maxBodySize ?? Infinity
    this.shadow = hooks.shadow
    this.split = hooks.split
    this.retryPolicy = hooks.split
    this.primaryDuration = metrics.deferred.histogram(metrics.upstreamDuration, config.name, 'primary')
    this.candidateDuration = metrics.deferred.histogram(metrics.upstreamDuration, config.name, 'candidate')
  }

  /** The serving upstream for this request (the split's choice, else the primary). */
  serving (req: IncomingMessage): Upstream {
    return this.split === undefined ? this.primary : this.split.choose(req)
  }

  /** Counts one client request by what the client got (docs/metrics.md). */
  countRequest (method: string, codeClass: string): void {
    const key = method + codeClass
    let child = this.requestCounters.get(key)
    if (child === undefined) {
      child = this.metrics.deferred.counter(this.metrics.requests, this.name, method, codeClass)
      // Bound the cache: methods × classes seen on one route is small, but never unbounded.
      if (this.requestCounters.size < 256) this.requestCounters.set(key, child)
    }
    child.inc()
  }

  onForwardEnd (o: ForwardOutcome): void {
    // A split may have served this request from the candidate: label by who served it.
    for (let i = 0; i < o.retried.length; i++) {
      const a = o.retried[i]
      this.metrics.upstreamErrors.labels(this.name, this.roleOf(a.upstream), a.failure).inc()
    }
    if (o.failure !== undefined) this.metrics.upstreamErrors.labels(this.name, this.roleOf(o.upstream), o.failure).inc()
    else if (o.end === 'complete') (o.upstream === this.primary ? this.primaryDuration : this.candidateDuration).observe(o.durationMs / 1000)
    this.countRequest(o.method, Metrics.clientClass(o))
    this.split?.onForwardEnd(o)
  }

  private roleOf (u: Upstream): 'primary' | 'candidate' {
    return u === this.primary ? 'primary' : 'candidate'
  }
}
