/**
 * `npm run bench -- --soak [--minutes 10] [--rate 200]`: the fault matrix's proxy and backends
 * (matrix.ts) under a steady open-loop rate for `minutes`, half to the healthy route and half
 * to one fault's route, the fault changing every phase (each fault in turn, `none` included,
 * over and over). Reports the proxy's RSS (VmRSS), V8 heap used (its /metrics) and open fds
 * (/proc/<pid>/fd) at the start (after a warm-up) and at the end (after the last mirrors
 * settled), each after an idle pause longer than the upstreams' keep-alive timeout, and the
 * client errors per route. The loop is bounded by phase count and time.
 * Holds: no client error on the healthy route, RSS and heap flat (end ≤ start × 1.25 + 16 MiB),
 * no fd growth (end ≤ start + 8: pooled sockets come and go). Exit code 1 only with `--check`.
 */
import { mkdirSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { openFds, rssBytes } from '../proc.js'
import { gauge } from '../soak/prom.js'
import { startFaultRig, runPhase, type FaultMatrixOptions, type FaultRig } from './matrix.js'
import { commitOf } from './command.js'
import { counts } from './report.js'

export interface SoakRun extends Omit<FaultMatrixOptions, 'durationMs'> {
  minutes: number
  /**
   * Idle time before the start and the end points (default 5 s: longer than the upstreams'
   * 4 s keep-alive timeout), so both count open fds with idle pooled sockets closed: what is
   * left then is what the proxy holds, not what the last phase's load left open.
   */
  idleMs?: number
  check: boolean
  resultsDir: URL
  out: { write (s: string): unknown }
}

export interface SoakPoint { tSec: number, rssMiB: number, heapMiB: number, fds: number }

export interface SoakSummary {
  minutes: number
  rate: number
  phases: number
  start: SoakPoint
  end: SoakPoint
  clientErrors: { healthy: number, byFaultRoute: Record<string, number> }
  held: { healthyErrors: boolean, rss: boolean, heap: boolean, fds: boolean }
}

const MiB = 2 ** 20
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms))

async function point (rig: FaultRig, t0: number): Promise<SoakPoint> {
  const heap = gauge(await rig.proxy.metrics(), 'shadowfig_nodejs_heap_size_used_bytes')
  const r = (n: number): number => Math.round(n * 10) / 10
  return { tSec: Math.round((Date.now() - t0) / 1000), rssMiB: r(rssBytes(rig.proxy.pid) / MiB), heapMiB: r(heap / MiB), fds: openFds(rig.proxy.pid) }
}

/** Seconds per phase: every fault at least once in the run, 5–30 s each. */
export const phaseSeconds = (minutes: number, faults: number): number => Math.min(30, Math.max(5, minutes * 60 / faults))

export async function soak (o: Omit<SoakRun, 'check' | 'resultsDir' | 'out'>): Promise<{ summary: SoakSummary, series: Array<SoakPoint & { fault: string, healthyP99Ms: number, healthyErrors: number, faultErrors: number }> }> {
  const rig = await startFaultRig(o)
  try {
    const seconds = phaseSeconds(o.minutes, rig.faults.length)
    const total = Math.max(1, Math.round(o.minutes * 60 / seconds))
    const t0 = Date.now()
    // Warm-up, then the starting point.
    await runPhase(rig, rig.faults[0]!, { ...o, durationMs: Math.max(1000, o.warmupMs), warmupMs: 0 })
    await sleep(o.idleMs ?? 5000)
    const start = await point(rig, t0)
    o.log(`soak: ${total} phases of ${seconds} s at ${o.rate} req/s; start RSS ${start.rssMiB} MiB, heap ${start.heapMiB} MiB, fds ${start.fds}`)
    const series = []
    const byFaultRoute: Record<string, number> = {}
    let healthy = 0
    // Bounded twice: by phase count, and by the run's length plus one phase with its settling.
    const deadline = t0 + (o.minutes * 60 + seconds + 30) * 1000
    for (let i = 0; i < total && Date.now() < deadline; i++) {
      const def = rig.faults[i % rig.faults.length]!
      const p = await runPhase(rig, def, { ...o, durationMs: seconds * 1000, warmupMs: 0 })
      healthy += p.healthy.errors
      byFaultRoute[def.name] = (byFaultRoute[def.name] ?? 0) + p.faulty.errors
      const row = { ...await point(rig, t0), fault: def.name, healthyP99Ms: p.healthy.latencyMs.p99, healthyErrors: p.healthy.errors, faultErrors: p.faulty.errors }
      series.push(row)
      o.log(`${String(row.tSec).padStart(5)} s  ${def.name.padEnd(15)} healthy p99 ${row.healthyP99Ms} ms, errors ${row.healthyErrors}; fault route errors ${row.faultErrors}; RSS ${row.rssMiB} MiB, heap ${row.heapMiB} MiB, fds ${row.fds}`)
    }
    await sleep(o.idleMs ?? 5000)
    const end = await point(rig, t0)
    const summary: SoakSummary = {
      minutes: o.minutes,
      rate: o.rate,
      phases: series.length,
      start,
      end,
      clientErrors: { healthy, byFaultRoute },
      held: {
        healthyErrors: healthy === 0,
        rss: end.rssMiB <= start.rssMiB * 1.25 + 16,
        heap: end.heapMiB <= start.heapMiB * 1.25 + 16,
        fds: end.fds <= start.fds + 8,
      },
    }
    return { summary, series }
  } finally {
    await rig.stop()
  }
}

export async function soakMain (o: SoakRun): Promise<number> {
  const { summary, series } = await soak(o)
  const s = summary
  const ok = (b: boolean): string => b ? 'ok  ' : 'FAIL'
  o.out.write([
    '',
    `soak: ${s.phases} phases, ${s.minutes} min at ${s.rate} req/s`,
    `  ${ok(s.held.rss)} RSS ${s.start.rssMiB} → ${s.end.rssMiB} MiB`,
    `  ${ok(s.held.heap)} heap used ${s.start.heapMiB} → ${s.end.heapMiB} MiB`,
    `  ${ok(s.held.fds)} open fds ${s.start.fds} → ${s.end.fds}`,
    `  ${ok(s.held.healthyErrors)} client errors on the healthy route: ${s.clientErrors.healthy}`,
    `       on the fault routes (expected only where the primary fails): ${counts(s.clientErrors.byFaultRoute)}`,
    '',
  ].join('\n'))
  mkdirSync(o.resultsDir, { recursive: true })
  const file = new URL(`soak-${new Date().toISOString().replace(/[:.]/g, '-')}.json`, o.resultsDir)
  writeFileSync(file, JSON.stringify({ commit: commitOf(fileURLToPath(new URL('../..', import.meta.url))), summary, series }, null, 2))
  o.log(`results: ${fileURLToPath(file)}`)
  return o.check && Object.values(s.held).includes(false) ? 1 : 0
}
