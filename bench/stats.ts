/**
 * From raw repeats to the reported figures (pure). Each repeat holds one direct run
 * (generator → primary) and one proxied run measured back to back; a scenario reports
 * medians across repeats, and its p99 overhead is the median of the per-repeat differences
 * (proxy p99 − direct p99), so drift of a noisy shared machine cancels pairwise.
 */
import type { LoadResult } from './loadgen.js'
import type { Measurements } from './budget.js'
import type { ShadowMode } from './configs.js'

export interface ScenarioDef {
  name: string
  description: string
  peer: 'shadowfig' | 'nginx' | 'floor'
  shadow: ShadowMode
  sizeBytes: number
  kind: 'latency' | 'saturation'
  /** Open-loop requests per second (latency scenarios). */
  rate?: number
  workers?: number
  /** Comparator chain of the route (diagnostic scenarios); the default chain when absent. */
  comparators?: string[]
  /** The route's shadow.dispatch (diagnostic scenarios); parallel when absent. */
  dispatch?: 'parallel' | 'after-primary'
  /** Another checkout whose build this peer runs (`--baseline`); this one when absent. */
  root?: string
  /** Fewer repeats than the run's (for a scenario whose every run is long). */
  maxRepeats?: number
  /**
   * An open-loop rate known only once the run has measured another scenario: `share` of that
   * scenario's proxied throughput (scenario-list.ts `resolveRate`). `rate` is unset until then.
   */
  rateOf?: { scenario: string, share: number }
}

export interface Repeat {
  direct: LoadResult
  proxy: LoadResult
  /** CPU seconds the proxy process tree used during the proxied run. */
  cpuSeconds: number
  peakRssBytes: number
  /** Shadow-side counter increments during the proxied run (metrics scrape). */
  counters: Record<string, number>
}

export interface SideStats {
  throughput: number
  p50: number
  p99: number
  p999: number
  errors: number
}

export interface ScenarioResult extends ScenarioDef {
  repeats: number
  direct: SideStats
  proxy: SideStats
  overheadP50Ms: number
  overheadP99Ms: number
  /**
   * The same from the generator's actual sends (LoadResult.fromSendMs), without its send
   * lateness on either side (which the peer's CPU use raises on a shared box).
   */
  overheadP99FromSendMs: number
  /** Lowest and highest per-repeat p99 overhead: how far one run can be trusted on this box. */
  overheadP99RangeMs: [number, number]
  /** Lowest and highest proxied throughput over the repeats (the saturation figure's spread). */
  proxyThroughputRange: [number, number]
  cpuSecPer1k: number
  /** Highest peak RSS over the repeats, MiB. */
  peakRssMiB: number
  /** Counter increments summed over the repeats, and the requests they relate to. */
  counters: Record<string, number>
  proxiedRequests: number
  notes: string[]
}

export function median (xs: number[]): number {
  if (xs.length === 0) return Number.NaN
  const s = [...xs].sort((a, b) => a - b)
  const mid = s.length >> 1
  return s.length % 2 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

const round = (n: number, digits = 3): number => Math.round(n * 10 ** digits) / 10 ** digits

function side (runs: LoadResult[]): SideStats {
  return {
    throughput: round(median(runs.map((r) => r.achievedRate)), 0),
    p50: round(median(runs.map((r) => r.latencyMs.p50))),
    p99: round(median(runs.map((r) => r.latencyMs.p99))),
    p999: round(median(runs.map((r) => r.latencyMs.p999))),
    errors: runs.reduce((n, r) => n + r.errors, 0),
  }
}

export function summarize (def: ScenarioDef, repeats: Repeat[]): ScenarioResult {
  const counters: Record<string, number> = {}
  for (const r of repeats) for (const [k, v] of Object.entries(r.counters)) counters[k] = (counters[k] ?? 0) + v
  const sent = repeats.reduce((n, r) => n + r.proxy.sentTotal, 0)
  const cpu = repeats.reduce((n, r) => n + r.cpuSeconds, 0)
  const notes: string[] = []
  const overheads = repeats.map((r) => r.proxy.latencyMs.p99 - r.direct.latencyMs.p99)
  const rates = repeats.map((r) => r.proxy.achievedRate)
  // An open-loop run whose outstanding requests reached the pool size was short of sockets:
  // its queueing is measured, but say so.
  if (repeats.some((r) => r.proxy.mode === 'open' && r.proxy.maxInFlight >= r.proxy.connections)) notes.push('generator pool exhausted')
  return {
    ...def,
    repeats: repeats.length,
    direct: side(repeats.map((r) => r.direct)),
    proxy: side(repeats.map((r) => r.proxy)),
    overheadP50Ms: round(median(repeats.map((r) => r.proxy.latencyMs.p50 - r.direct.latencyMs.p50))),
    overheadP99Ms: round(median(overheads)),
    overheadP99FromSendMs: round(median(repeats.map((r) => r.proxy.fromSendMs.p99 - r.direct.fromSendMs.p99))),
    overheadP99RangeMs: [round(Math.min(...overheads)), round(Math.max(...overheads))],
    proxyThroughputRange: [round(Math.min(...rates), 0), round(Math.max(...rates), 0)],
    cpuSecPer1k: sent > 0 ? round(cpu / sent * 1000) : Number.NaN,
    peakRssMiB: round(Math.max(...repeats.map((r) => r.peakRssBytes)) / 2 ** 20, 1),
    counters,
    proxiedRequests: repeats.reduce((n, r) => n + r.proxy.sentTotal, 0),
    notes,
  }
}

/**
 * The rig's own floors beside the budget's scenario: what the bare Node proxy (`floor-`) and
 * nginx's mirror module (`nginx-`) added to p99 in the same rotation (the same seconds,
 * backends and generator). When a floor is over a latency line too, the line is below what
 * this machine can show for that kind of proxy. Undefined when the scenario or both floors
 * were not measured.
 */
export function floorContext (results: ScenarioResult[], scenario = 'mirror-2k'): string | undefined {
  const ours = results.find((r) => r.name === scenario)
  const floors = ['floor', 'nginx'].flatMap((peer) => results.filter((r) => r.name === `${peer}-${scenario}`))
  if (!ours || floors.length === 0) return undefined
  const figures = (r: ScenarioResult): string => `${r.overheadP99Ms} ms (from send ${r.overheadP99FromSendMs}, CPU s / 1k req ${r.cpuSecPer1k})`
  return `same seconds: ${scenario} p99 overhead ${figures(ours)}; ${floors.map((r) => `${r.name} ${figures(r)}`).join('; ')}`
}

/**
 * Requests the proxy did not compare for lack of room, summed over the repeats: mirrors it
 * skipped as `saturated` (the comparison queue or the in-flight caps were full) plus
 * comparisons that ended `skipped`. The counters carry no skip reason; in the bench's
 * healthy-candidate scenarios nothing else skips (JSON bodies under the size limit).
 */
export function shedCount (r: ScenarioResult): number {
  return (r.counters['mirror_total.saturated'] ?? 0) + (r.counters['comparisons_total.skipped'] ?? 0)
}

/** The flat metrics budget.json lines refer to, by scenario name. */
export function measurements (results: ScenarioResult[]): Measurements {
  const m: Measurements = {}
  for (const r of results) {
    m[r.name] = {
      overheadP99Ms: r.overheadP99Ms,
      overheadP99FromSendMs: r.overheadP99FromSendMs,
      overheadP50Ms: r.overheadP50Ms,
      proxyThroughput: r.proxy.throughput,
      directThroughput: r.direct.throughput,
      proxyP99Ms: r.proxy.p99,
      directP99Ms: r.direct.p99,
      cpuSecPer1k: r.cpuSecPer1k,
      peakRssMiB: r.peakRssMiB,
      shedCount: shedCount(r),
    }
  }
  return m
}

/**
 * `mirror sent 100% · compare match 97%, skipped 3%`: shares of proxied requests by mirror
 * outcome, then by comparison verdict (shares under half a percent left out).
 */
export function shadowSummary (r: ScenarioResult): string {
  const group = (prefix: string): string => Object.entries(r.counters)
    .filter(([k, v]) => k.startsWith(prefix) && v / r.proxiedRequests >= 0.005)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k.slice(prefix.length)} ${Math.round(v / r.proxiedRequests * 100)}%`)
    .join(', ')
  const parts = [['mirror', group('mirror_total.')], ['compare', group('comparisons_total.')]]
    .filter(([, text]) => text).map(([label, text]) => `${label} ${text}`)
  return parts.length ? parts.join(' · ') : '–'
}

const kib = (b: number): string => b >= 2 ** 20 ? `${b / 2 ** 20} MiB` : `${b / 1024} KiB`

/** ` (lo–hi)` after a median taken over more than one repeat; nothing for a single run. */
function spread (r: ScenarioResult, [lo, hi]: [number, number]): string {
  return r.repeats > 1 ? ` (${lo}–${hi})` : ''
}

export function markdownTable (results: ScenarioResult[]): string {
  const rows = [
    '| scenario | peer | load | req/s direct → proxy (range), shed | p50 ms d → p | p99 ms d → p | p99.9 ms d → p | **p99 overhead ms** (range) | from send | CPU s / 1k req | peak RSS MiB | shadow (share of requests) | errors d/p |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|---|',
  ]
  for (const r of results) {
    const load = r.kind === 'latency' ? `${r.rate} req/s, ${kib(r.sizeBytes)}` : `closed loop, ${kib(r.sizeBytes)}`
    const note = r.notes.length ? ` (${r.notes.join('; ')})` : ''
    // Shed beside the throughput wherever the peer mirrors and counts (a proxy that sheds its
    // comparisons can show any throughput).
    const shed = r.peer === 'shadowfig' && r.shadow !== 'none' ? `, shed ${shedCount(r)}` : ''
    const rate = `${r.direct.throughput} → ${r.proxy.throughput}${r.kind === 'saturation' ? spread(r, r.proxyThroughputRange) : ''}${shed}`
    rows.push(`| ${r.name}${note} | ${r.peer}${r.workers && r.workers > 1 ? ` ×${r.workers}` : ''} | ${load} | ${rate} | ${r.direct.p50} → ${r.proxy.p50} | ${r.direct.p99} → ${r.proxy.p99} | ${r.direct.p999} → ${r.proxy.p999} | **${r.overheadP99Ms}**${spread(r, r.overheadP99RangeMs)} | ${r.kind === 'latency' ? r.overheadP99FromSendMs : '–'} | ${r.cpuSecPer1k} | ${r.peakRssMiB} | ${shadowSummary(r)} | ${r.direct.errors}/${r.proxy.errors} |`)
  }
  return rows.join('\n')
}
