/**
 * In-memory per-route aggregates behind `/api/report` and `/report`, since process start.
 * Bounded: at most `maxFields` distinct field paths per route (later ones add to
 * `__other__`) and `maxSignatures` signatures per route (the least recently seen is
 * dropped). Rates are shares of all comparisons of the route (every verdict counts in the
 * denominator), the same ratio the Grafana dashboard plots from
 * `shadowfig_comparisons_total`. A field counts at most once per exchange. Only final verdicts
 * count; exchanges held `undecided` are a separate figure (not in `total`, not in any rate)
 * until their final verdict arrives.
 */
import type { FinalVerdict } from '../compare/types.js'
import { OTHER_FIELD } from './field-labels.js'
import type { SampleGroupInfo } from './samples.js'

export const VERDICTS: readonly FinalVerdict[] = ['match', 'mismatch', 'noise', 'candidate_error', 'skipped']

export interface SignatureReport {
  signature: string
  verdict: FinalVerdict
  count: number
  /** Epoch ms of the latest exchange with this signature. */
  lastSeen: number
  /** Differing grouping paths, sorted. */
  fields: string[]
  /** Stored samples (newest first); may be empty once evicted or expired. */
  sampleIds: string[]
}

export interface RouteReport {
  route: string
  total: number
  verdicts: Record<FinalVerdict, number>
  /** mismatch / total. */
  mismatchRate: number
  /** candidate_error / total. */
  errorRate: number
  topFields: Array<{ field: string, count: number, rate: number }>
  signatures: SignatureReport[]
  /** Exchanges whose verdict waits for noise evidence now: in no count or rate above yet. */
  undecided?: number
}

interface SigAgg { verdict: FinalVerdict, count: number, lastSeen: number, fields: string[] }
interface RouteAgg { total: number, undecided: number, verdicts: Record<FinalVerdict, number>, fields: Map<string, number>, signatures: Map<string, SigAgg> }

export interface AggregateLimits { maxFields?: number, maxSignatures?: number, topFields?: number }

export class RouteAggregates {
  private readonly byRoute = new Map<string, RouteAgg>()
  private readonly maxFields: number
  private readonly maxSignatures: number
  private readonly topFields: number

  constructor (limits: AggregateLimits = {}) {
    this.maxFields = limits.maxFields ?? 1000
    this.maxSignatures = limits.maxSignatures ?? 200
    this.topFields = limits.topFields ?? 20
  }

  /** `paths`: distinct grouping paths of a non-match (empty for match); `signature` non-empty. */
  add (route: string, verdict: FinalVerdict, paths: readonly string[], signature: string, time: number): void {
    const agg = this.routeAgg(route)
    agg.total++
    agg.verdicts[verdict]++
    if (verdict === 'match') return
    if (verdict === 'mismatch') {
      for (const p of paths) {
        const key = agg.fields.has(p) || agg.fields.size < this.maxFields ? p : OTHER_FIELD
        agg.fields.set(key, (agg.fields.get(key) ?? 0) + 1)
      }
    }
    const key = signature
    const sig = agg.signatures.get(key)
    if (sig) {
      agg.signatures.delete(key)
      sig.count++
      sig.lastSeen = time
      agg.signatures.set(key, sig)
    } else {
      agg.signatures.set(key, { verdict, count: 1, lastSeen: time, fields: [...paths].sort() })
      if (agg.signatures.size > this.maxSignatures) agg.signatures.delete(agg.signatures.keys().next().value as string)
    }
  }

  /** One more (+1) or one fewer (-1, its final verdict arrived) exchange held `undecided`. */
  undecided (route: string, delta: 1 | -1): void {
    const agg = this.routeAgg(route)
    agg.undecided = Math.max(0, agg.undecided + delta)
  }

  private routeAgg (route: string): RouteAgg {
    let agg = this.byRoute.get(route)
    if (agg === undefined) {
      agg = { total: 0, undecided: 0, verdicts: { match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0 }, fields: new Map(), signatures: new Map() }
      this.byRoute.set(route, agg)
    }
    return agg
  }

  routes (): string[] {
    return [...this.byRoute.keys()]
  }

  report (route: string, groups: readonly SampleGroupInfo[]): RouteReport {
    const agg = this.byRoute.get(route) as RouteAgg
    const rate = (n: number): number => agg.total === 0 ? 0 : n / agg.total // 0 while all of it is undecided
    const ids = new Map(groups.map((g) => [g.signature, g.ids]))
    return {
      route,
      total: agg.total,
      undecided: agg.undecided,
      verdicts: { ...agg.verdicts },
      mismatchRate: rate(agg.verdicts.mismatch),
      errorRate: rate(agg.verdicts.candidate_error),
      topFields: [...agg.fields.entries()]
        .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
        .slice(0, this.topFields)
        .map(([field, count]) => ({ field, count, rate: rate(count) })),
      signatures: [...agg.signatures.entries()]
        .sort((a, b) => b[1].count - a[1].count || b[1].lastSeen - a[1].lastSeen)
        .map(([signature, s]) => ({ signature, ...s, sampleIds: ids.get(signature) ?? [] })),
    }
  }
}
