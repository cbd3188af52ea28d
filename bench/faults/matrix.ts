/**
 * The fault matrix (`npm run bench -- --faults`): one shadowfig process whose config holds a
 * healthy route and one route per fault (config.ts). Each phase drives a fixed open-loop rate
 * split evenly between the healthy route and one fault's route (requests alternate, so the
 * fault is live while the healthy route is measured); the first phase's fault is `none`, a
 * second healthy route, and the last repeats it to show how far the machine drifted. Per phase:
 * both routes' client latency and errors, the proxy's CPU (utime + stime from /proc) and peak
 * RSS (VmHWM, reset before the phase), and the delta of every drop counter on /metrics. A phase
 * ends once the proxy's mirrors in flight are back to 0 (bounded), so a fault's timeouts are
 * charged to it and not to the next phase.
 */
import type { Entry } from '../build.js'
import { closedPort } from '../backends.js'
import { runJson, benchFile, cpuSeconds, peakRssBytes, resetPeakRss, type Placement } from '../proc.js'
import { startBackendProcess, startShadowfig, type ShadowfigTarget } from '../targets.js'
import type { LoadResult, RotationOptions } from '../loadgen.js'
import { gauge } from '../soak/prom.js'
import { chooseFaults, faultConfig, ownBackends, routePath, type FaultDef } from './config.js'
import { counterDelta, readCounters, type Counters } from './counters.js'

export interface FaultMatrixOptions {
  /** Fault names; every fault when absent (`none` always runs). */
  faults?: string[]
  /** Requests per second, both routes together. */
  rate: number
  /** Recorded load per phase. */
  durationMs: number
  /** Unrecorded start of each phase's load. */
  warmupMs: number
  sizeBytes?: number
  /** Longest wait after a phase for the proxy's mirrors in flight to reach 0. */
  settleTimeoutMs?: number
  entry?: Entry
  where?: Placement
  log: (line: string) => void
}

export interface FaultPhase {
  fault: string
  description: string
  healthy: LoadResult
  faulty: LoadResult
  /** Proxy CPU seconds from the phase's start until its mirrors settled. */
  cpuSeconds: number
  /** Requests sent in the phase, warm-up included, both routes. */
  requests: number
  peakRssBytes: number
  /** Drop counters that moved during the phase. */
  counters: Counters
  /** Mirrors still in flight when the settling wait gave up (0: settled). */
  mirrorsLeftInFlight: number
}

/** A running matrix rig: the backends, the proxy, and what a phase needs to reach them. */
export interface FaultRig {
  proxy: ShadowfigTarget
  faults: FaultDef[]
  stop: () => Promise<void>
}

export async function startFaultRig (o: Pick<FaultMatrixOptions, 'faults' | 'entry' | 'where'>): Promise<FaultRig> {
  const faults = chooseFaults(o.faults)
  const stops: Array<() => Promise<void>> = []
  const stop = async (): Promise<void> => { for (const s of stops.reverse()) await s() }
  try {
    const healthy = await startBackendProcess([{ variant: 'primary' }, { variant: 'candidate' }], o.where)
    stops.push(healthy.stop)
    const own = await startBackendProcess(ownBackends(faults), o.where)
    stops.push(own.stop)
    const ports = { primary: healthy.ports[0] as number, candidate: healthy.ports[1] as number, refused: await closedPort(), own: own.ports }
    const proxy = await startShadowfig({ shadow: 'none', upstreams: { primary: 0, candidate: 0, slow: 0, down: 0 }, entry: o.entry, where: o.where, config: (port, admin, diffs) => faultConfig(faults, ports, port, admin, diffs) })
    stops.push(proxy.stop)
    return { proxy, faults, stop }
  } catch (err) {
    await stop()
    throw err
  }
}

/** Polls the proxy's mirrors in flight until 0 or `timeoutMs`; resolves with what is left. */
async function settle (proxy: ShadowfigTarget, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const left = gauge(await proxy.metrics(), 'shadowfig_mirror_in_flight')
    if (!(left > 0) || Date.now() >= deadline) return left > 0 ? left : 0
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
}

/** One load, half to the healthy route and half to `fault`'s, request by request. */
function load (rig: FaultRig, fault: string, o: FaultMatrixOptions, durationMs: number, warmupMs: number): Promise<LoadResult[]> {
  const url = (route: string): string => `http://127.0.0.1:${rig.proxy.port}${routePath(route, o.sizeBytes ?? 2048)}`
  const opts: RotationOptions = {
    urls: [url('healthy'), url(fault)],
    rate: o.rate,
    // 64 sockets per route: several seconds of a hung route's traffic at these rates.
    connections: 64,
    durationMs,
    warmupMs,
    // One request per slice: the two routes alternate, none settles unrecorded.
    sliceMs: 1000 / o.rate,
    settleMs: 0,
    timeoutMs: 10_000,
  }
  return runJson<LoadResult[]>(benchFile('loadgen-main.ts'), opts, { nice: o.where?.nice })
}

export async function runPhase (rig: FaultRig, def: FaultDef, o: FaultMatrixOptions): Promise<FaultPhase> {
  resetPeakRss(rig.proxy.pid)
  const cpu0 = cpuSeconds(rig.proxy.pid)
  const before = readCounters(await rig.proxy.metrics())
  const [healthy, faulty] = await load(rig, def.name, o, o.durationMs, o.warmupMs) as [LoadResult, LoadResult]
  const left = await settle(rig.proxy, o.settleTimeoutMs ?? 15_000)
  return {
    fault: def.name,
    description: def.description,
    healthy,
    faulty,
    cpuSeconds: cpuSeconds(rig.proxy.pid) - cpu0,
    requests: healthy.sentTotal + faulty.sentTotal,
    peakRssBytes: peakRssBytes(rig.proxy.pid),
    counters: counterDelta(before, readCounters(await rig.proxy.metrics())),
    mirrorsLeftInFlight: left,
  }
}

/** Every phase: `none`, each fault, then `none` again. */
export async function runFaultMatrix (o: FaultMatrixOptions): Promise<FaultPhase[]> {
  const rig = await startFaultRig(o)
  try {
    const none = rig.faults[0] as FaultDef
    // Warm the proxy's JIT, pools and comparison threads (not reported).
    await load(rig, none.name, o, Math.max(1000, o.warmupMs), 0)
    await settle(rig.proxy, o.settleTimeoutMs ?? 15_000)
    const phases: FaultPhase[] = []
    const plan = [...rig.faults, { ...none, name: 'none', description: 'the run without a fault, again: how far the machine drifted' }]
    for (const def of plan) {
      o.log(`${def.name}: ${def.description}`)
      const p = await runPhase(rig, def, o)
      phases.push(p)
      o.log(`  healthy p50 ${p.healthy.latencyMs.p50} ms, p99 ${p.healthy.latencyMs.p99} ms, errors ${p.healthy.errors}; fault route errors ${p.faulty.errors}; CPU ${(p.cpuSeconds / p.requests * 1000).toFixed(3)} ms/req${p.mirrorsLeftInFlight ? `; ${p.mirrorsLeftInFlight} mirrors still in flight` : ''}`)
    }
    return phases
  } finally {
    await rig.stop()
  }
}
