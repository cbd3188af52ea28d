/**
 * Per-route and per-endpoint statistics for `/api/report`: verdict counts and latency over a
 * time window (windows.ts), differing fields per endpoint (since start), and the route's
 * readiness (readiness.ts). Latency is measured only on exchanges where both sides answered
 * (no transport failure, status below 500): a fast 503 or a slow timeout is judged by the error
 * rate, not folded into the percentiles. Bounded: endpoints per route (endpoints.ts), fields
 * per endpoint (`maxFields`, then `__other__`). Differing fields also as a tree by JSON path,
 * failing beside noise, per route and endpoint (field-tree.ts).
 */
import type { Verdict } from '../compare/types.js'
import { OTHER_FIELD } from './field-labels.js'
import { FieldTree, fieldTreeReport, type FieldNodeReport } from './field-tree.js'
import { sides, type LatencyReport } from './latency.js'
import { assessReadiness, DEFAULT_READINESS_RULE, latencySlower, type Readiness, type ReadinessRule } from './readiness.js'
import { WindowedCounts, type Block, type WindowName } from './windows.js'

export interface EndpointReport {
  endpoint: string
  total: number
  verdicts: Record<Verdict, number>
  mismatchRate: number
  errorRate: number
  /** Since start, whatever the window. */
  topFields: Array<{ field: string, count: number }>
  /** Since start: differing fields by JSON path, failing and noise. */
  fieldTree: FieldNodeReport[]
  latency: LatencyReport
}

export interface RouteStatsReport {
  window: WindowName
  total: number
  verdicts: Record<Verdict, number>
  mismatchRate: number
  errorRate: number
  latency: LatencyReport
  readiness: Readiness
  /** Since start: differing fields by JSON path, failing and noise. */
  fieldTree: FieldNodeReport[]
  endpoints: EndpointReport[]
}

/** `compared`: exchanges since start that were compared (not skipped), the tree's denominator. */
interface EndpointAgg { counts: WindowedCounts, fields: Map<string, number>, tree: FieldTree, compared: number }
interface RouteAgg { counts: WindowedCounts, endpoints: Map<string, EndpointAgg>, tree: FieldTree, compared: number }

export interface Measured { primary: number, candidate: number }

export class RouteStats {
  private readonly byRoute = new Map<string, RouteAgg>()
  private readonly maxFields: number
  private readonly topFields: number

  constructor (limits: { maxFields?: number, topFields?: number } = {}) {
    this.maxFields = limits.maxFields ?? 100
    this.topFields = limits.topFields ?? 10
  }

  /** `paths`: the result's differing paths; `noise`: paths a mismatch had explained as noise. */
  add (route: string, endpoint: string, verdict: Verdict, paths: readonly string[], latency: Measured | undefined, time: number, noise: readonly string[] = []): void {
    let r = this.byRoute.get(route)
    if (r === undefined) this.byRoute.set(route, r = { counts: new WindowedCounts(), endpoints: new Map(), tree: new FieldTree(), compared: 0 })
    let e = r.endpoints.get(endpoint)
    if (e === undefined) r.endpoints.set(endpoint, e = { counts: new WindowedCounts(), fields: new Map(), tree: new FieldTree(50), compared: 0 })
    r.counts.add(time, verdict, latency)
    e.counts.add(time, verdict, latency)
    if (verdict === 'skipped') return
    const failing = verdict === 'mismatch' ? paths : []
    const noisy = verdict === 'noise' ? [...paths, ...noise] : verdict === 'mismatch' ? noise : []
    for (const agg of [r, e]) {
      agg.compared++
      agg.tree.add(failing, noisy)
    }
    if (verdict !== 'mismatch') return
    for (const p of paths) {
      const key = e.fields.has(p) || e.fields.size < this.maxFields ? p : OTHER_FIELD
      e.fields.set(key, (e.fields.get(key) ?? 0) + 1)
    }
  }

  has (route: string): boolean {
    return this.byRoute.has(route)
  }

  /** The route's readiness alone (the metrics read it at every scrape). */
  readiness (route: string, window: WindowName, now: number, rule: ReadinessRule = DEFAULT_READINESS_RULE): Readiness {
    return readinessOf(counted((this.byRoute.get(route) as RouteAgg).counts.read(window, now), rule), rule)
  }

  report (route: string, window: WindowName, now: number, rule: ReadinessRule = DEFAULT_READINESS_RULE): RouteStatsReport {
    const r = this.byRoute.get(route) as RouteAgg
    const numbers = counted(r.counts.read(window, now), rule)
    const readiness = readinessOf(numbers, rule)
    const endpoints = [...r.endpoints.entries()].map(([endpoint, e]): EndpointReport => ({
      endpoint,
      ...counted(e.counts.read(window, now), rule),
      topFields: [...e.fields.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, this.topFields)
        .map(([field, count]) => ({ field, count })),
      fieldTree: fieldTreeReport(e.tree.counts(), e.compared),
    })).filter((e) => e.total > 0)
      .sort((a, b) => b.verdicts.mismatch - a.verdicts.mismatch || b.total - a.total || a.endpoint.localeCompare(b.endpoint))
    return { window, ...numbers, readiness, fieldTree: fieldTreeReport(r.tree.counts(), r.compared), endpoints }
  }
}

function readinessOf (numbers: ReturnType<typeof counted>, rule: ReadinessRule): Readiness {
  const v = numbers.verdicts
  return assessReadiness({
    compared: numbers.total - v.skipped,
    mismatches: v.mismatch,
    samples: numbers.total - v.skipped,
    candidateErrors: v.candidate_error,
    p99: { primary: numbers.latency.primary.p99, candidate: numbers.latency.candidate.p99 },
  }, rule)
}

function counted (block: Block, rule: ReadinessRule): Omit<EndpointReport, 'endpoint' | 'topFields' | 'fieldTree'> {
  const total = block.total
  const verdicts = block.verdictCounts()
  const lat = block.latency === undefined ? { samples: 0, primary: { p50: null, p99: null }, candidate: { p50: null, p99: null } } : sides(block.latency)
  const p99 = { primary: lat.primary.p99, candidate: lat.candidate.p99 }
  return {
    total,
    verdicts,
    mismatchRate: total === 0 ? 0 : verdicts.mismatch / total,
    errorRate: total === 0 ? 0 : verdicts.candidate_error / total,
    latency: {
      ...lat,
      ratio: p99.primary === null || p99.candidate === null || p99.primary <= 0 ? null : Math.round(p99.candidate / p99.primary * 1000) / 1000,
      slower: latencySlower(p99, rule.latency),
    },
  }
}
