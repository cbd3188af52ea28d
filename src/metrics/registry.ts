/**
 * Every metric of docs/metrics.md, created once per process on its own registry (never the
 * global one, so tests and workers do not collide). Names, types and labels are the public
 * contract.
 * Hot-path code keeps references to label children it resolved at config load, and the metrics
 * updated for every request take them from `deferred` (deferred.ts): plain numbers that reach
 * prom-client when the registry is read.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client'
import { DeferredMetrics } from './deferred.js'

/** What the readiness gauges show per route; the Reporter provides it (one computation). */
export interface RouteReadiness { route: string, ready: boolean, bound?: { upper: number } }

/** Sub-millisecond resolution at the bottom, tens of seconds at the top (seconds). */
export const LATENCY_BUCKETS = [
  0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
]

/**
 * Reload attempts are counted by whoever runs them: a single process's App, or a cluster's
 * primary once per fan-out (its workers' own counts would count one reload N times).
 */
export const CONFIG_RELOADS = { name: 'shadowfig_config_reloads_total', help: 'Config reload attempts by result.', labelNames: ['result'] as const }

const GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']

export type MirrorOutcome =
  | 'sent' | 'sampled_out' | 'unsafe_method' | 'body_too_large' | 'saturated'
  | 'circuit_open' | 'error' | 'timeout' | 'response_too_large'

export interface MetricsOptions {
  /** Collect prom-client's default process metrics (event-loop lag, GC, memory). */
  defaultMetrics?: boolean
}

export class Metrics {
  readonly registry: Registry
  readonly requests: Counter<'route' | 'method' | 'code_class'>
  readonly upstreamDuration: Histogram<'route' | 'role'>
  readonly mirror: Counter<'route' | 'outcome'>
  /** Secondary copies, apart from `mirror` (one decision per request, one candidate copy). */
  readonly secondaryMirror: Counter<'route' | 'outcome'>
  readonly mirrorInFlight: Gauge
  readonly comparisons: Counter<'route' | 'verdict'>
  readonly fieldMismatches: Counter<'route' | 'field'>
  readonly split: Counter<'route' | 'target'>
  readonly splitWeight: Gauge<'route'>
  readonly configReloads: Counter<'result'>
  readonly configInfo: Gauge<'hash'>
  readonly upstreamErrors: Counter<'route' | 'role' | 'code'>
  readonly rejected: Counter<'reason'>
  readonly routeReady: Gauge<'route'>
  readonly mismatchUpperBound: Gauge<'route'>
  /** Read at scrape time by routeReady and mismatchUpperBound; the Reporter sets it. */
  readiness: () => readonly RouteReadiness[] = () => []
  /** Per-request updates of requests, upstreamDuration, mirror, mirrorInFlight, comparisons. */
  readonly deferred = new DeferredMetrics()

  constructor (options: MetricsOptions = {}) {
    const registers = [this.registry = new Registry()]
    const deferred = this.deferred
    // prom-client runs a metric's collect before every read of it (scrape, JSON, aggregation).
    const collect = function (this: Counter<string> | Gauge<string> | Histogram<string>): void { deferred.flush(this) }
    if (options.defaultMetrics ?? true) {
      collectDefaultMetrics({ register: this.registry, prefix: 'shadowfig_' })
      // prom-client names three gauges `*_total`, which `promtool check metrics` rejects
      // (only counters may end in _total). The per-type gauges without the suffix carry the
      // same numbers (sum them for the total), so these go.
      for (const name of GAUGES_NAMED_TOTAL) this.registry.removeSingleMetric(`shadowfig_${name}`)
    }
    this.requests = new Counter({ name: 'shadowfig_requests_total', help: 'Client requests answered, by route, method and status class.', labelNames: ['route', 'method', 'code_class'], registers, collect })
    this.upstreamDuration = new Histogram({ name: 'shadowfig_upstream_duration_seconds', help: 'Upstream response time, headers to last byte.', labelNames: ['route', 'role'], buckets: LATENCY_BUCKETS, registers, collect })
    this.mirror = new Counter({ name: 'shadowfig_mirror_total', help: 'Mirror decisions and results per route.', labelNames: ['route', 'outcome'], registers, collect })
    this.secondaryMirror = new Counter({ name: 'shadowfig_secondary_mirror_total', help: 'Copies sent to the secondary (the noise reference) per route: sent, error, timeout.', labelNames: ['route', 'outcome'], registers, collect })
    this.mirrorInFlight = new Gauge({ name: 'shadowfig_mirror_in_flight', help: 'Mirrored requests currently in flight.', registers, aggregator: 'sum', collect })
    this.comparisons = new Counter({ name: 'shadowfig_comparisons_total', help: 'Comparison verdicts per route.', labelNames: ['route', 'verdict'], registers, collect })
    this.fieldMismatches = new Counter({ name: 'shadowfig_field_mismatches_total', help: 'Differing fields per route (capped per route; overflow is field="__other__").', labelNames: ['route', 'field'], registers })
    this.split = new Counter({ name: 'shadowfig_split_total', help: 'Live requests per route by serving target.', labelNames: ['route', 'target'], registers })
    this.splitWeight = new Gauge({ name: 'shadowfig_split_weight_ratio', help: 'Live split weight per route (0..1).', labelNames: ['route'], registers, aggregator: 'max' })
    this.configReloads = new Counter({ ...CONFIG_RELOADS, registers })
    this.configInfo = new Gauge({ name: 'shadowfig_config_info', help: 'Always 1; the hash label names the live config.', labelNames: ['hash'], registers, aggregator: 'max' })
    this.upstreamErrors = new Counter({ name: 'shadowfig_upstream_errors_total', help: 'Upstream failures by route, role and error code.', labelNames: ['route', 'role', 'code'], registers })
    // Set from the readiness computation at every read, so a route gone from the report goes
    // from the gauges too. Under --workers the primary aggregates per worker: ready only when
    // every worker is (min), the worst bound (max).
    const metrics = this // eslint-disable-line @typescript-eslint/no-this-alias -- collect's `this` is the gauge
    this.routeReady = new Gauge({
      name: 'shadowfig_route_ready', help: 'Readiness verdict per shadowed route since start (1 ready, 0 not ready or not enough data), as on /api/report.',
      labelNames: ['route'], registers, aggregator: 'min',
      collect () { this.reset(); for (const r of metrics.readiness()) this.set({ route: r.route }, r.ready ? 1 : 0) },
    })
    this.mismatchUpperBound = new Gauge({
      name: 'shadowfig_route_mismatch_rate_upper_bound', help: 'Upper bound of the unexplained mismatch rate per route at 95% confidence (Clopper-Pearson), since start.',
      labelNames: ['route'], registers, aggregator: 'max',
      collect () { this.reset(); for (const r of metrics.readiness()) if (r.bound !== undefined) this.set({ route: r.route }, r.bound.upper) },
    })
    this.rejected = new Counter({ name: 'shadowfig_rejected_total', help: 'Client requests and connections refused by a limit or as malformed (docs/limits.md).', labelNames: ['reason'], registers })
  }

  /** Status class label: 2xx, 3xx, 4xx, 5xx. */
  static codeClass (status: number): string {
    return `${Math.floor(status / 100)}xx`
  }

  /**
   * `code_class` of shadowfig_requests_total for a finished request: the class of what the
   * client was answered, or `client_closed` when the client went away before its response was
   * complete (nginx's 499): a hung primary behind impatient clients must not look like 2xx.
   */
  static clientClass (o: { end: string, clientStatus: number }): string {
    return o.end === 'client_gone' ? 'client_closed' : Metrics.codeClass(o.clientStatus)
  }
}
