/**
 * Consumes verdicts: for every final ComparisonResult (not `undecided`), exactly once,
 *  - `shadowfig_comparisons_total{route,verdict}` += 1;
 *  - for verdict `mismatch`, `shadowfig_field_mismatches_total{route,field}` += 1 per distinct
 *    grouping path of the exchange (field label capped per route, see field-labels.ts);
 *  - for every non-match, one diff event on the `diffs` logger (docs/metrics.md, "Diff
 *    events") and one sample in the SampleStore;
 *  - per-route aggregates for `/api/report` and `/report` (bounded, see RouteAggregates).
 * Everything that leaves (events, samples) is redacted first: secret headers, secret query
 * parameters of the request target and the route's `compare.redact` paths. Runs on the main loop: no diffing here, only counting,
 * redaction of non-match payloads and one log line.
 *
 * An `undecided` result only raises the route's undecided figure; its final verdict (the same
 * exchange, `revised: true`) lowers it again and is then counted as above. Counters thus
 * count verdicts when they become final (docs/metrics.md).
 */
import type { Logger } from 'pino'
import type { ComparisonResult, FieldDiff, FinalVerdict } from '../compare/types.js'
import type { RouteConfig } from '../config/schema.js'
import type { Exchange } from '../shadow/exchange.js'
import type { HeaderMap } from '../http/headers.js'
import { FieldLabeler, OTHER_FIELD } from './field-labels.js'
import type { Metrics } from '../metrics/registry.js'
import { redactFields, redactHeaders, redactionOf, redactJson, redactTarget, type Redaction } from '../logging/redact.js'
import { RouteAggregates, type RouteReport } from './aggregates.js'
import type { SampleStore } from './samples.js'
import { EndpointGrouper } from './endpoints.js'
import { DEFAULT_READINESS_RULE, type Readiness, type ReadinessRule } from './readiness.js'
import { RouteStats, type Measured, type RouteStatsReport, type StatsSnapshot } from './route-stats.js'
import type { WindowName } from './windows.js'

export interface ReporterOptions {
  metrics: Metrics
  diffs: Logger
  samples: SampleStore
  /** Distinct `field` labels per route before `__other__` (default 50). */
  fieldLimit?: number
  /** At most this many fields are written into one diff event (the rest are counted). */
  maxEventFields?: number
  /** Clock in epoch ms for windows (tests). */
  now?: () => number
}

/** Since-start aggregates, overlaid with the window's counts, latency, readiness and endpoints (absent in merged cluster reports). */
export type ReportRoute = RouteReport & Partial<RouteStatsReport>

export interface Report {
  generatedAt: string
  window?: WindowName
  routes: ReportRoute[]
}

/** A route the reporter was not told about still gets the always-secret headers hidden. */
const NO_REDACTION = redactionOf([])

const EVENT_MESSAGE: Record<Exclude<FinalVerdict, 'match'>, { level: 'warn' | 'info', msg: string }> = {
  mismatch: { level: 'warn', msg: 'shadow mismatch' },
  candidate_error: { level: 'warn', msg: 'shadow candidate error' },
  noise: { level: 'info', msg: 'shadow noise' },
  skipped: { level: 'info', msg: 'shadow comparison skipped' },
}

export class Reporter {
  private readonly metrics: Metrics
  private readonly diffs: Logger
  private readonly samples: SampleStore
  private readonly labeler: FieldLabeler
  private readonly maxEventFields: number
  private readonly aggregates = new RouteAggregates()
  private readonly stats = new RouteStats()
  private readonly endpoints = new EndpointGrouper()
  private rules = new Map<string, ReadinessRule>()
  private readonly now: () => number
  private redaction = new Map<string, Redaction>()
  /** Counter children per route and verdict: `inc({ labels })` hashes its labels on every call. */
  private readonly verdictCounters = new Map<string, Partial<Record<FinalVerdict, { inc (): void }>>>()
  private routeOrder: string[] = []

  constructor (opts: ReporterOptions) {
    this.metrics = opts.metrics
    this.diffs = opts.diffs
    this.samples = opts.samples
    this.labeler = new FieldLabeler(opts.fieldLimit)
    this.maxEventFields = opts.maxEventFields ?? 100
    this.now = opts.now ?? Date.now
    this.metrics.readiness = () => this.readiness()
  }

  /** Each route's raw window figures, for the --workers primary to merge (cluster/merge.ts). */
  snapshots (window: WindowName = 'all'): Record<string, StatsSnapshot> {
    const now = this.now()
    return Object.fromEntries(this.aggregates.routes().filter((r) => this.stats.has(r)).map((r) => [r, this.stats.snapshot(r, window, now, this.rules.get(r))]))
  }

  /** Every route's readiness over the whole run, as /api/report shows it by default. */
  readiness (): Array<{ route: string } & Readiness> {
    const now = this.now()
    return this.aggregates.routes().filter((r) => this.stats.has(r)).map((route) => ({ route, ...this.stats.readiness(route, 'all', now, this.rules.get(route)) }))
  }

  /** Takes the live routes (redaction lists, report order); call at start and on every successful reload. */
  setRoutes (routes: readonly RouteConfig[]): void {
    const next = new Map<string, Redaction>()
    for (const r of routes) next.set(r.name, redactionOf(r.compare.redact))
    // A route gone from the config gives back its field label slots and series (a renamed
    // route starts afresh); its other counters and its report history stay.
    for (const gone of this.routeOrder.filter((name) => !next.has(name))) {
      for (const field of [...this.labeler.forget(gone), OTHER_FIELD]) this.metrics.fieldMismatches.remove({ route: gone, field })
    }
    this.redaction = next
    this.endpoints.setTemplates(new Map(routes.flatMap((r) => r.match.path === undefined ? [] : [[r.name, r.match.path]])))
    this.rules = new Map(routes.map((r) => [r.name, r.compare.latency === undefined ? DEFAULT_READINESS_RULE : { ...DEFAULT_READINESS_RULE, latency: r.compare.latency }]))
    this.routeOrder = routes.map((r) => r.name)
  }

  record (result: ComparisonResult, exchange: Exchange): void {
    const { route, verdict } = result
    if (verdict === 'undecided') { this.aggregates.undecided(route, 1); return }
    if (result.revised === true) this.aggregates.undecided(route, -1)
    let byVerdict = this.verdictCounters.get(route)
    if (byVerdict === undefined) this.verdictCounters.set(route, byVerdict = {})
    const counter = byVerdict[verdict] ??= this.metrics.deferred.counter(this.metrics.comparisons, route, verdict)
    counter.inc()
    const paths = verdict === 'match' ? [] : distinctPaths(result.fields)
    if (verdict === 'mismatch') {
      for (const p of paths) this.metrics.fieldMismatches.inc({ route, field: this.labeler.label(route, p) })
    }
    // Results without a signature (errors, skips) still group: by verdict and reason.
    const signature = result.signature !== '' ? result.signature : `${verdict}${result.reason !== undefined ? ':' + result.reason : ''}`
    // Report groups (and their samples) are per verdict too: the same paths seen as noise
    // and as a mismatch are two different stories for ops. The event keeps the bare hash.
    const group = verdict === 'mismatch' || result.signature === '' ? signature : `${verdict}:${signature}`
    this.aggregates.add(route, verdict, paths, group, exchange.startedAt)
    const endpoint = this.endpoints.endpoint(route, exchange.request.method, exchange.request.path)
    this.stats.add(route, endpoint, verdict, paths, measured(exchange), exchange.startedAt, result.noise)
    if (verdict === 'match') return

    const red = this.redaction.get(route) ?? NO_REDACTION
    const path = redactTarget(exchange.request.path, red.query)
    const fields = redactFields(result.fields, red)
    const shown = fields.slice(0, this.maxEventFields)
    const { level, msg } = EVENT_MESSAGE[verdict]
    this.diffs[level]({
      event: 'shadowfig.diff',
      id: result.id,
      route,
      method: exchange.request.method,
      path,
      verdict,
      ...(result.reason !== undefined && { reason: result.reason }),
      status: result.status,
      fields: shown.map(eventField),
      ...(fields.length > shown.length && { fieldsOmitted: fields.length - shown.length }),
      noise: result.noise,
      signature,
      ...(exchange.traceId !== undefined && { traceId: exchange.traceId }),
      durationMs: result.durationMs,
    }, msg)

    this.samples.add({
      id: result.id,
      route,
      endpoint,
      signature: group,
      verdict,
      ...(result.reason !== undefined && { reason: result.reason }),
      time: exchange.startedAt,
      request: {
        method: exchange.request.method,
        path,
        headers: redactHeaders(exchange.request.headers, red.headers, red.query),
      },
      status: result.status,
      durationMs: result.durationMs,
      fields,
      ...(result.forgiven !== undefined && { forgiven: redactFields(result.forgiven, red) }),
      noise: result.noise,
      ...(result.normalized !== undefined && {
        bodies: {
          primary: redactNormalized(result.normalized.primary, red),
          candidate: redactNormalized(result.normalized.candidate, red),
        },
      }),
      // Redacted on the comparison thread already (raw-body.ts): text has no paths to redact here.
      ...(result.raw !== undefined && { raw: result.raw }),
      ...(exchange.traceId !== undefined && { traceId: exchange.traceId }),
    })
  }

  /** Per-route report: configured routes first (config order), then any others seen. */
  report (window: WindowName = 'all'): Report {
    const seen = this.aggregates.routes()
    const order = [...this.routeOrder.filter((r) => seen.includes(r)), ...seen.filter((r) => !this.routeOrder.includes(r))]
    const groups = this.samples.groupsOf()
    const now = this.now()
    return {
      generatedAt: new Date(now).toISOString(),
      window,
      routes: order.map((r) => ({
        ...this.aggregates.report(r, groups.filter((g) => g.route === r)),
        ...this.stats.report(r, window, now, this.rules.get(r)),
      })),
    }
  }
}

/**
 * `normalized` sides are either bare bodies or, as the compare engine sends them, summaries
 * `{ status, headers, body }`; route paths are relative to the body either way.
 */
function redactNormalized (side: unknown, red: Redaction): unknown {
  if (typeof side === 'object' && side !== null && 'status' in side && 'headers' in side && 'body' in side &&
    typeof side.headers === 'object' && side.headers !== null) {
    return { ...side, headers: redactHeaders(side.headers as HeaderMap, red.headers, red.query), body: redactJson(side.body, red.paths) }
  }
  return redactJson(side, red.paths)
}

/** Both durations when both sides answered below 500; otherwise the exchange is not a latency sample. */
function measured (ex: Exchange): Measured | undefined {
  const ok = (side: Exchange['primary']): boolean => side.failure === undefined && side.status > 0 && side.status < 500
  return ok(ex.primary) && ok(ex.candidate) ? { primary: ex.primary.durationMs, candidate: ex.candidate.durationMs } : undefined
}

function distinctPaths (fields: readonly FieldDiff[]): string[] {
  return [...new Set(fields.map((f) => f.path))]
}

function eventField (f: FieldDiff): Record<string, unknown> {
  return {
    path: f.path,
    ...(f.concretePath !== f.path && { concretePath: f.concretePath }),
    kind: f.kind,
    ...('primary' in f && { primary: f.primary }),
    ...('candidate' in f && { candidate: f.candidate }),
  }
}
