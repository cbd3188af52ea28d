/**
 * From the matrix's phases to its table and goal lines (pure). Every phase is held against
 * the better (lower healthy p99) of the run's two phases without a fault (`none`, first and
 * last), so that a noisy stretch in one of them cannot hide what a fault costs:
 *  - the healthy route's client p99 moves by at most 1 ms;
 *  - the share of its requests mirrored and answered (mirror `sent` less `error` and
 *    `timeout`) moves by at most 1 percentage point;
 *  - the proxy's CPU per request is at most twice the run without a fault.
 */
import type { FaultPhase } from './matrix.js'
import { sumBy } from './counters.js'

export const GOALS = { p99ShiftMs: 1, mirroredShiftPct: 1, cpuRatio: 2 } as const

export interface FaultRow {
  fault: string
  description: string
  healthyP50Ms: number
  healthyP99Ms: number
  p99ShiftMs: number
  /** Healthy route: requests mirrored and answered, % of its requests. */
  healthyMirroredPct: number
  mirroredShiftPct: number
  cpuMsPerRequest: number
  cpuRatio: number
  peakRssMiB: number
  clientErrors: { healthy: number, fault: number }
  /** Healthy route's mirror outcomes other than `sent`. */
  healthyMirrorDrops: Record<string, number>
  /** The fault route's mirror outcomes and comparison verdicts. */
  faultMirror: Record<string, number>
  faultComparisons: Record<string, number>
  /** `route/role/code` of every upstream error; every rejection by reason. */
  upstreamErrors: Record<string, number>
  rejected: Record<string, number>
  mirrorsLeftInFlight: number
  goals: { p99: boolean, mirrors: boolean, cpu: boolean }
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits

function mirroredPct (p: FaultPhase): number {
  const m = sumBy(p.counters, 'shadowfig_mirror_total', { route: 'healthy' }, 'outcome')
  const answered = (m.sent ?? 0) - (m.error ?? 0) - (m.timeout ?? 0)
  return p.healthy.sentTotal > 0 ? answered / p.healthy.sentTotal * 100 : 0
}

export function faultRows (phases: FaultPhase[]): FaultRow[] {
  const nones = phases.filter((p) => p.fault === 'none')
  const base = nones.reduce<FaultPhase | undefined>((best, p) => !best || p.healthy.latencyMs.p99 < best.healthy.latencyMs.p99 ? p : best, undefined)
  if (!base) return []
  const baseCpu = base.cpuSeconds / base.requests * 1000
  const baseMirrored = mirroredPct(base)
  return phases.map((p) => {
    const cpu = p.requests > 0 ? p.cpuSeconds / p.requests * 1000 : 0
    const mirrored = mirroredPct(p)
    const { sent: _sent, ...healthyMirrorDrops } = sumBy(p.counters, 'shadowfig_mirror_total', { route: 'healthy' }, 'outcome')
    const upstreamErrors: Record<string, number> = {}
    for (const s of Object.values(p.counters)) {
      if (s.name === 'shadowfig_upstream_errors_total') upstreamErrors[`${s.labels.route}/${s.labels.role}/${s.labels.code}`] = s.value
    }
    const p99ShiftMs = round(p.healthy.latencyMs.p99 - base.healthy.latencyMs.p99)
    const mirroredShiftPct = round(mirrored - baseMirrored, 2)
    const cpuRatio = baseCpu > 0 ? round(cpu / baseCpu, 2) : Number.NaN
    return {
      fault: p.fault,
      description: p.description,
      healthyP50Ms: p.healthy.latencyMs.p50,
      healthyP99Ms: p.healthy.latencyMs.p99,
      p99ShiftMs,
      healthyMirroredPct: round(mirrored, 2),
      mirroredShiftPct,
      cpuMsPerRequest: round(cpu),
      cpuRatio,
      peakRssMiB: round(p.peakRssBytes / 2 ** 20, 1),
      clientErrors: { healthy: p.healthy.errors, fault: p.faulty.errors },
      healthyMirrorDrops,
      faultMirror: sumBy(p.counters, 'shadowfig_mirror_total', { route: p.fault }, 'outcome'),
      faultComparisons: sumBy(p.counters, 'shadowfig_comparisons_total', { route: p.fault }, 'verdict'),
      upstreamErrors,
      rejected: sumBy(p.counters, 'shadowfig_rejected_total', {}, 'reason'),
      mirrorsLeftInFlight: p.mirrorsLeftInFlight,
      goals: { p99: p99ShiftMs <= GOALS.p99ShiftMs, mirrors: Math.abs(mirroredShiftPct) <= GOALS.mirroredShiftPct, cpu: cpuRatio <= GOALS.cpuRatio },
    }
  })
}

/** `a 3, b 1` (largest first), `–` when empty. */
export function counts (c: Record<string, number>): string {
  const parts = Object.entries(c).filter(([, v]) => v !== 0).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${v}`)
  return parts.length ? parts.join(', ') : '–'
}

const sign = (n: number): string => (n >= 0 ? '+' : '') + String(n)
const verdict = (ok: boolean): string => ok ? 'ok' : '**FAIL**'

export function faultTable (rows: FaultRow[]): string {
  const out = [
    '| fault | healthy p50 ms | healthy p99 ms (Δ) | healthy mirrored % (Δ) | CPU ms/req (× none) | peak RSS MiB | client errors healthy / fault route | healthy route mirror drops | fault route mirrors | fault route comparisons | upstream errors (route/role/code) | rejected | goals p99 / mirrors / CPU |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const r of rows) {
    const left = r.mirrorsLeftInFlight ? ` (${r.mirrorsLeftInFlight} mirrors unsettled)` : ''
    out.push(`| ${r.fault}${left} | ${r.healthyP50Ms} | ${r.healthyP99Ms} (${sign(r.p99ShiftMs)}) | ${r.healthyMirroredPct} (${sign(r.mirroredShiftPct)}) | ${r.cpuMsPerRequest} (×${r.cpuRatio}) | ${r.peakRssMiB} | ${r.clientErrors.healthy} / ${r.clientErrors.fault} | ${counts(r.healthyMirrorDrops)} | ${counts(r.faultMirror)} | ${counts(r.faultComparisons)} | ${counts(r.upstreamErrors)} | ${counts(r.rejected)} | ${verdict(r.goals.p99)} / ${verdict(r.goals.mirrors)} / ${verdict(r.goals.cpu)} |`)
  }
  return out.join('\n')
}

/** One line per fault and goal that failed, with the amount; empty when every goal held. */
export function goalFailures (rows: FaultRow[]): string[] {
  const out: string[] = []
  for (const r of rows) {
    if (!r.goals.p99) out.push(`${r.fault}: healthy route p99 moved ${sign(r.p99ShiftMs)} ms (goal ≤ ${GOALS.p99ShiftMs} ms)`)
    if (!r.goals.mirrors) out.push(`${r.fault}: healthy route mirrored share moved ${sign(r.mirroredShiftPct)} points (goal ≤ ${GOALS.mirroredShiftPct})`)
    if (!r.goals.cpu) out.push(`${r.fault}: CPU per request ×${r.cpuRatio} of the run without a fault (goal ≤ ×${GOALS.cpuRatio})`)
  }
  return out
}
