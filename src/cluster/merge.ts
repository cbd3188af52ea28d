/**
 * Merges what the workers of a --workers cluster report into one `/api/report`.
 *
 * Exact: totals, verdict counts, signature counts (summed per signature; lastSeen is the
 * latest, sample ids are concatenated), and the rates recomputed from the summed counts.
 * Approximate: `topFields`, because each worker sends only its own top list; a field outside
 * one worker's top list is undercounted by that worker's share. Live split state: weight and
 * trip are the same everywhere (set by fan-out, trips relayed), sample counts are summed,
 * rates are sample-weighted means, p99 is the worst worker's (an upper bound, not the p99
 * of the union), ready only when every worker is ready.
 * The window's figures (latency, readiness, endpoints, field tree) merge exactly: each worker
 * sends its raw counts and histogram buckets (`StatsSnapshot`), summed here, and percentiles,
 * rates and readiness are computed once from the sums (`statsReport`, the same code as one
 * process).
 */
import type { RouteReport, SignatureReport } from '../report/aggregates.js'
import type { Report } from '../report/reporter.js'
import { statsReport, type StatsSnapshot } from '../report/route-stats.js'
import type { WindowName } from '../report/windows.js'
import type { SplitStatus } from '../split/registry.js'

type Verdicts = RouteReport['verdicts']

export function mergeReports (reports: Report[], topFields = 20): Report {
  const byRoute = new Map<string, RouteReport[]>()
  for (const rep of reports) {
    for (const r of rep.routes) byRoute.set(r.route, [...(byRoute.get(r.route) ?? []), r])
  }
  return {
    generatedAt: new Date().toISOString(),
    routes: [...byRoute.values()].map((parts) => mergeRoute(parts, topFields)),
  }
}

/** Workers' reports merged, each route overlaid with its window's figures from all workers' snapshots. */
export function mergeWorkerReports (parts: ReadonlyArray<{ report: Report, stats: Record<string, StatsSnapshot> }>, window: WindowName): Report {
  const merged = mergeReports(parts.map((p) => p.report))
  return {
    ...merged,
    window,
    routes: merged.routes.map((r) => {
      const snaps = parts.flatMap((p) => p.stats[r.route] ?? [])
      return snaps.length === 0 ? r : { ...r, ...statsReport(snaps, window) }
    }),
  }
}

function mergeRoute (parts: RouteReport[], topFields: number): RouteReport {
  const total = parts.reduce((n, p) => n + p.total, 0)
  const verdicts = { ...parts[0].verdicts }
  for (const p of parts.slice(1)) for (const k of Object.keys(verdicts) as Array<keyof Verdicts>) verdicts[k] += p.verdicts[k]
  const fields = new Map<string, number>()
  for (const p of parts) for (const f of p.topFields) fields.set(f.field, (fields.get(f.field) ?? 0) + f.count)
  const sigs = new Map<string, SignatureReport>()
  for (const p of parts) {
    for (const s of p.signatures) {
      const prev = sigs.get(s.signature)
      sigs.set(s.signature, prev === undefined
        ? { ...s, sampleIds: [...s.sampleIds] }
        : { ...prev, count: prev.count + s.count, lastSeen: Math.max(prev.lastSeen, s.lastSeen), sampleIds: [...prev.sampleIds, ...s.sampleIds] })
    }
  }
  const rate = (n: number): number => total === 0 ? 0 : n / total // 0 while all of it is undecided
  return {
    route: parts[0].route,
    total,
    undecided: parts.reduce((n, p) => n + (p.undecided ?? 0), 0),
    verdicts,
    mismatchRate: rate(verdicts.mismatch),
    errorRate: rate(verdicts.candidate_error),
    topFields: [...fields.entries()]
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .slice(0, topFields)
      .map(([field, count]) => ({ field, count, rate: rate(count) })),
    signatures: [...sigs.values()].sort((a, b) => b.count - a.count || b.lastSeen - a.lastSeen),
  }
}

export function mergeLive (statuses: Array<Record<string, SplitStatus>>): Record<string, SplitStatus & { workers: number }> {
  const out: Record<string, SplitStatus & { workers: number }> = {}
  const routes = new Set(statuses.flatMap((s) => Object.keys(s)))
  for (const route of routes) {
    const parts = statuses.flatMap((s) => s[route] === undefined ? [] : [s[route]])
    const samples = parts.reduce((n, p) => n + p.samples, 0)
    const mean = (pick: (p: SplitStatus) => number): number =>
      samples === 0 ? 0 : parts.reduce((n, p) => n + pick(p) * p.samples, 0) / samples
    const worst = (pick: (p: SplitStatus) => number | null): number | null =>
      parts.reduce<number | null>((m, p) => { const v = pick(p); return v === null ? m : m === null ? v : Math.max(m, v) }, null)
    out[route] = {
      ...parts[0],
      samples,
      mismatches: parts.reduce((n, p) => n + p.mismatches, 0),
      candidateErrorRate: mean((p) => p.candidateErrorRate),
      mismatchRate: mean((p) => p.mismatchRate),
      latencyRatio: worst((p) => p.latencyRatio),
      p99: { primary: worst((p) => p.p99.primary), candidate: worst((p) => p.p99.candidate) },
      ready: parts.every((p) => p.ready),
      ...mergeVerdicts(parts),
      weight: Math.max(...parts.map((p) => p.weight)),
      tripped: parts.find((p) => p.tripped !== null)?.tripped ?? null,
      workers: parts.length,
    }
  }
  return out
}

const STATE_RANK = { ready: 0, insufficient_data: 1, not_ready: 2 } as const

/** The worst worker's state and every worker's reasons (once per code); a per-worker bound would mislead. */
function mergeVerdicts (parts: readonly SplitStatus[]): Pick<SplitStatus, 'state' | 'reasons' | 'bound'> {
  const states = parts.flatMap((p) => p.state === undefined ? [] : [p.state])
  if (states.length === 0) return { state: undefined, reasons: undefined, bound: undefined }
  const state = states.reduce((a, b) => STATE_RANK[b] > STATE_RANK[a] ? b : a)
  const reasons = new Map(parts.flatMap((p) => p.reasons ?? []).map((r) => [r.code, r]))
  if (state !== 'insufficient_data') reasons.delete('insufficient_data')
  return { state, reasons: [...reasons.values()], bound: parts.length === 1 ? parts[0].bound : undefined }
}
