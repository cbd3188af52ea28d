/**
 * Everything the hot path needs for one route, resolved once per config load: the upstream,
 * cached metric label children, the shadow plan. A RouteRuntime is also the ForwardObserver
 * for requests on its route that are not mirrored (no per-request observer allocation).
 */
import type { DeferredCounter, DeferredHistogram } from '../metrics/deferred.js'
import type { RouteConfig } from '../config/schema.js'
import { Metrics } from '../metrics/registry.js'
import type { Upstream } from './upstreams.js'
import type { Forward, ForwardObserver } from './forward.js'
import type { UpstreamFailure } from '../http/failure.js'
import type { ShadowRoute } from '../shadow/shadow-route.js'
import type { SplitHook } from './split-hook.js'

export class RouteRuntime implements ForwardObserver {
  readonly config: RouteConfig
  readonly name: string
  readonly index: number
  readonly primary: Upstream
  /** Largest request body accepted (bytes), or Infinity. */
  readonly maxBodySize: number
  private readonly metrics: Metrics
  private readonly requestCounters = new Map<string, DeferredCounter>()
  readonly primaryDuration: DeferredHistogram
  /** Live requests a split served from the candidate (mirrors observe the same series). */
  private readonly candidateDuration: DeferredHistogram
  /** Mirror decisions, when the route has `shadow:`. */
  shadow: ShadowRoute | undefined
  /** Live traffic split, when the route has `split:`. */
  split: SplitHook | undefined

  constructor (config: RouteConfig, index: number, primary: Upstream, metrics: Metrics) {
    this.config = config
    this.name = config.name
    this.index = index
    this.primary = primary
    this.metrics = metrics
    this.maxBodySize = config.maxBodySize ?? Infinity
    this.primaryDuration = metrics.deferred.histogram(metrics.upstreamDuration, config.name, 'primary')
    this.candidateDuration = metrics.deferred.histogram(metrics.upstreamDuration, config.name, 'candidate')
  }

  /** Counts one answered client request. */
  countRequest (method: string, status: number): void {
    const key = method + status
    let child = this.requestCounters.get(key)
    if (child === undefined) {
      child = this.metrics.deferred.counter(this.metrics.requests, this.name, method, Metrics.codeClass(status))
      // Bound the cache: methods × statuses seen on one route is small, but never unbounded.
      if (this.requestCounters.size < 256) this.requestCounters.set(key, child)
    }
    child.inc()
  }

  onForwardEnd (f: Forward): void {
    // A split may have served this request from the candidate: label it by who served it.
    const primary = f.upstream === this.primary
    if (f.failure !== undefined) this.metrics.upstreamErrors.labels(this.name, primary ? 'primary' : 'candidate', f.failure).inc()
    else if (!f.clientGone) (primary ? this.primaryDuration : this.candidateDuration).observe(f.durationMs / 1000)
    // A handed-over forward is counted by the one that took over the client response.
    if (!f.handedOver) this.countRequest(f.req.method ?? 'GET', f.res.statusCode)
    this.split?.onForwardEnd(f)
  }

  onForwardFailure (f: Forward, failure: UpstreamFailure): boolean {
    return this.split?.onForwardFailure(f, failure) === true
  }
}
