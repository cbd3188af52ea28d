/**
 * Per-route and per-endpoint statistics for `/api/report`: verdict counts and latency over a
 * time window (windows.ts), differing fields per endpoint (since start), and the route's
 * readiness (readiness.ts). Latency is measured only on exchanges where both sides answered
 * (no transport failure, status below 500): a fast 503 or a slow timeout is judged by the error
 * rate, not folded into the percentiles. Bounded: endpoints per route (endpoints.ts), fields
 * per endpoint (`maxFields`, then `__other__`). Differing fields also as a tree by JSON path,
 * failing beside noise, per route and endpoint (field-tree.ts).
 */
import type { FinalVerdict } from '../compare/types.js'
import { OTHER_FIELD } from './field-labels.js'
import { FieldTree, fieldTreeReport, type FieldNodeCounts, type FieldNodeReport } from './field-tree.js'
import { sides, type LatencyReport } from './latency.js'
import { assessReadiness, DEFAULT_READINESS_RULE, latencySlower, type Readiness, type ReadinessRule } from './readiness.js'
import { Block, WindowedCounts, type WindowName } from './windows.js'

export interface EndpointReport {
  endpoint: string
  total: number
  verdicts: Record<FinalVerdict, number>
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
  verdicts: Record<FinalVerdict, number>
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
  add (route: string, endpoint: string, verdict: FinalVerdict, paths: readonly string[], latency: Measured | undefined, time: number, noise: readonly string[] = []): void {
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
    return readinessOf(counted(this.aggOf(route).counts.read(window, now), rule), rule)
  }

  /** The window's raw figures (plain data, for --workers to merge), and the route's rule. */
  snapshot (route: string, window: WindowName, now: number, rule: ReadinessRule = DEFAULT_READINESS_RULE): StatsSnapshot {
    const r = this.aggOf(route)
    return {
      counts: countsOf(r.counts.read(window, now)),
      compared: r.compared,
      tree: r.tree.counts(),
      rule,
      endpoints: [...r.endpoints.entries()].map(([endpoint, e]) => ({
        endpoint, counts: countsOf(e.counts.read(window, now)), compared: e.compared, tree: e.tree.counts(), fields: [...e.fields.entries()],
      })),
    }
  }

  report (route: string, window: WindowName, now: number, rule: ReadinessRule = DEFAULT_READINESS_RULE): RouteStatsReport {
    return statsReport([this.snapshot(route, window, now, rule)], window, this.topFields)
  }

  /** A route whose every exchange is still undecided has no final verdict here yet: all zeros. */
  private aggOf (route: string): RouteAgg {
    return this.byRoute.get(route) ?? { counts: new WindowedCounts(), endpoints: new Map(), tree: new FieldTree(), compared: 0 }
  }
}

/** Plain copies of a Block: verdict counts in VERDICTS order, latency buckets when measured. */
export interface CountsSnapshot { verdicts: number[], latency?: number[] }
export interface EndpointSnapshot { endpoint: string, counts: CountsSnapshot, compared: number, tree: FieldNodeCounts[], fields: Array<[string, number]> }
export interface StatsSnapshot { counts: CountsSnapshot, compared: number, tree: FieldNodeCounts[], rule: ReadinessRule, endpoints: EndpointSnapshot[] }

const countsOf = (b: Block): CountsSnapshot => ({ verdicts: [...b.verdicts], ...(b.latency !== undefined && { latency: [...b.latency] }) })

function blockOf (parts: readonly CountsSnapshot[]): Block {
  const out = new Block()
  for (const p of parts) {
    const b = new Block()
    b.verdicts.set(p.verdicts)
    if (p.latency !== undefined) b.latency = Uint32Array.from(p.latency)
    out.addBlock(b)
  }
  return out
}

function sumTrees (trees: ReadonlyArray<readonly FieldNodeCounts[]>): FieldNodeCounts[] {
  const out = new Map<string, FieldNodeCounts>()
  for (const n of trees.flat()) {
    const prev = out.get(n.path)
    out.set(n.path, prev === undefined ? { ...n } : { path: n.path, diffs: prev.diffs + n.diffs, failing: prev.failing + n.failing, noise: prev.noise + n.noise })
  }
  return [...out.values()]
}

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0)

/**
 * The report of one route from the snapshots of everyone who saw its traffic (one for a
 * single process, one per worker under --workers): counts, histogram buckets and field counts
 * summed, then percentiles, rates and readiness computed once from the sums.
 */
export function statsReport (parts: readonly StatsSnapshot[], window: WindowName, topFields = 10): RouteStatsReport {
  const rule = parts[0].rule
  const numbers = counted(blockOf(parts.map((p) => p.counts)), rule)
  const byEndpoint = new Map<string, EndpointSnapshot[]>()
  for (const e of parts.flatMap((p) => p.endpoints)) byEndpoint.set(e.endpoint, [...(byEndpoint.get(e.endpoint) ?? []), e])
  const endpoints = [...byEndpoint.entries()].map(([endpoint, es]): EndpointReport => {
    const fields = new Map<string, number>()
    for (const [f, n] of es.flatMap((e) => e.fields)) fields.set(f, (fields.get(f) ?? 0) + n)
    return {
      endpoint,
      ...counted(blockOf(es.map((e) => e.counts)), rule),
      topFields: [...fields.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, topFields)
        .map(([field, count]) => ({ field, count })),
      fieldTree: fieldTreeReport(sumTrees(es.map((e) => e.tree)), sum(es.map((e) => e.compared))),
    }
  }).filter((e) => e.total > 0)
    .sort((a, b) => b.verdicts.mismatch - a.verdicts.mismatch || b.total - a.total || a.endpoint.localeCompare(b.endpoint))
  return { window, ...numbers, readiness: readinessOf(numbers, rule), fieldTree: fieldTreeReport(sumTrees(parts.map((p) => p.tree)), sum(parts.map((p) => p.compared))), endpoints }
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
