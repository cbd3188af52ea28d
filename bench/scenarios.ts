/**
 * How scenarios are measured. Every peer is a fresh process (so CPU, peak RSS and shadow state
 * are its own) and is warmed first.
 *  - `runLatencyGroup`: light latency scenarios of the same load (scenario-list.ts
 *    `latencyGroups`) run together. Each repeat is one generator run whose schedule goes, in
 *    half-second slices, to the primary directly and to each peer in turn, so every p99 is
 *    taken over the same seconds.
 *  - `runScenario`: the others (saturation, a slow candidate, large bodies) run `repeats` times
 *    the same load directly against the primary and through the peer, back to back,
 *    alternating which goes first so slow drift of the shared machine does not favour a side.
 * With --pin the proxy gets CPU 0 (CPUs 0-1 with 2 workers) and the generator and backends
 * CPU 1, so the proxy never shares its core with its load.
 */
import type { Entry } from './build.js'
import { runJson, benchFile, cpuSeconds, peakRssBytes, profilingArgs, resetPeakRss, threadCpuSeconds, type Placement } from './proc.js'
import { startShadowfig, type Target, type Upstreams } from './targets.js'
import { startNginx } from './nginx.js'
import { startFloor } from './floor.js'
import { summarize, type Repeat, type ScenarioDef, type ScenarioResult } from './stats.js'
import type { LoadOptions, LoadResult } from './loadgen.js'
import { rtFor } from './scenario-list.js'

export interface BenchEnv {
  upstreams: Upstreams
  durationMs: number
  /**
   * Unrecorded start of each open-loop (latency) load. Every load is a fresh generator
   * process, and its first seconds are slow: measured direct at 1,000 req/s, p99 1.8–3.0 ms
   * after a 0.5 s warm-up, 0.55–0.76 ms after 3 s (the generator's own send lateness p99
   * 1.1–1.8 ms against 0.2–0.26 ms).
   */
  warmupMs: number
  /** The same for closed-loop (saturation) loads, which measure throughput only. */
  closedWarmupMs: number
  repeats: number
  pin: boolean
  /** `nice -n` for every process of the run (0: unchanged). */
  nice: number
  /** Real-time priority for peer and generator of open-loop (latency) scenarios. */
  rt: boolean
  entry: Entry
  /** Concurrent loops of the closed-loop (saturation) runs. */
  closedConnections: number
  cpuProfDir?: string
  log: (line: string) => void
}

/** What starting a peer needs of the run (bench/thread-split.ts starts peers the same way). */
export type PeerEnv = Pick<BenchEnv, 'upstreams' | 'nice' | 'pin' | 'rt' | 'entry' | 'cpuProfDir'> & {
  /** Extra node flags of the proxy peers (shadowfig's and the floor's). */
  nodeArgs?: string[]
}

export async function startPeer (def: ScenarioDef, env: PeerEnv): Promise<Target> {
  const where = { nice: env.nice, rt: rtFor(def, env), cpus: env.pin ? (def.workers && def.workers > 1 ? '0,1' : '0') : undefined }
  if (def.peer === 'nginx') return startNginx(def.shadow, env.upstreams, where)
  const nodeArgs = [...profilingArgs(env.cpuProfDir), ...(env.nodeArgs ?? [])]
  if (def.peer === 'floor') return startFloor(def.shadow === 'none' ? 'none' : 'healthy', env.upstreams, where, nodeArgs)
  return startShadowfig({ shadow: def.shadow, upstreams: env.upstreams, comparators: def.comparators, dispatch: def.dispatch, workers: def.workers, where, entry: env.entry, root: def.root, nodeArgs })
}

/** Open loop: sockets for 1/4 s of traffic at the target rate (a slow candidate must never starve the schedule). */
const openLoopConnections = (def: ScenarioDef): number => Math.max(64, Math.ceil((def.rate ?? 1000) / 4))

/** Where the generator runs: beside the backends, as the scenario's priority allows. */
const generatorPlacement = (def: ScenarioDef, env: BenchEnv): Placement => ({ nice: env.nice, rt: rtFor(def, env), cpus: env.pin ? '1' : undefined })

function load (def: ScenarioDef, env: BenchEnv, port: number, durationMs: number, warmupMs: number): Promise<LoadResult> {
  const opts: LoadOptions = {
    url: `http://127.0.0.1:${port}/json/${def.sizeBytes}`,
    mode: def.kind === 'latency' ? 'open' : 'closed',
    rate: def.rate,
    // Closed loop: the configured concurrency.
    connections: def.kind === 'latency' ? openLoopConnections(def) : env.closedConnections,
    durationMs,
    warmupMs,
  }
  return runJson<LoadResult>(benchFile('loadgen-main.ts'), opts, generatorPlacement(def, env))
}

function delta (after: Record<string, number>, before: Record<string, number>): Record<string, number> {
  const d: Record<string, number> = {}
  for (const [k, v] of Object.entries(after)) d[k] = v - (before[k] ?? 0)
  return d
}

/** Slices of the rotation: long enough for hundreds of requests, short against the machine's drift. */
export const SLICE_MS = 500
/** The start of each slice that is sent but not recorded (the previous target's work settles). */
export const SETTLE_MS = 50

/**
 * A group of latency scenarios (`latencyGroups`), measured together: every peer is started,
 * and each repeat is one generator run whose schedule goes in turn to the primary directly and
 * to each peer, in slices of SLICE_MS (schedule.ts `slotOf`). Every peer's p99 is then taken
 * over the same seconds as the direct p99 it is compared with, and as its neighbours' (the
 * budget's "slow or down versus healthy" lines), instead of minutes apart. Each peer gets
 * `duration` of recorded load per repeat, as a scenario measured alone would.
 */
export async function runLatencyGroup (defs: ScenarioDef[], env: BenchEnv): Promise<ScenarioResult[]> {
  const first = defs[0] as ScenarioDef
  const peers: Target[] = []
  try {
    for (const def of defs) peers.push(await startPeer(def, env))
    const urls = [env.upstreams.primary, ...peers.map((p) => p.port)].map((port) => `http://127.0.0.1:${port}/json/${first.sizeBytes}`)
    const rotate = (durationMs: number, warmupMs: number): Promise<LoadResult[]> => runJson<LoadResult[]>(benchFile('loadgen-main.ts'), {
      urls, rate: first.rate, connections: openLoopConnections(first), durationMs, warmupMs, sliceMs: SLICE_MS, settleMs: SETTLE_MS,
    }, generatorPlacement(first, env))
    // Warm every peer's JIT, pools and comparison threads with the traffic a peer measured
    // alone gets before its first recorded run (a 1 s warm load, then the run's warm-up).
    // With 1 s each, the first repeat's mirror-2k p99 read second highest of five in two full
    // runs (8.2 and 6.2 ms, medians 4.7 and 4.2) and a --quick run read 33 ms. With this
    // warm-up the first repeat can still read highest (8.4 ms in one full run, 5.5 ms in a
    // --quick one); why is not known.
    await rotate(urls.length * (1000 + env.warmupMs), 0)
    // What each peer burns with no traffic (timers, the event-loop monitor), so that its CPU per
    // request counts its own slices only.
    const idle = await idleCpuPerSecond(peers, 500, 4)
    const repeats: Repeat[][] = defs.map(() => [])
    // Recorded time per target: `duration` less the settling start of each of its slices.
    const durationMs = Math.ceil(env.durationMs * urls.length * SLICE_MS / (SLICE_MS - SETTLE_MS))
    for (let i = 0; i < env.repeats; i++) {
      const before = await Promise.all(peers.map(async (p) => { resetPeakRss(p.pid); return { cpu: cpuSeconds(p.pid), counters: await p.counters() } }))
      const t0 = performance.now()
      const [direct, ...proxied] = await rotate(durationMs, env.warmupMs) as [LoadResult, ...LoadResult[]]
      const othersSeconds = (performance.now() - t0) / 1000 * (urls.length - 1) / urls.length
      const line: string[] = []
      for (const [k, p] of peers.entries()) {
        const b = before[k] as { cpu: number, counters: Record<string, number> }
        const proxy = proxied[k] as LoadResult
        const cpu = Math.max(0, cpuSeconds(p.pid) - b.cpu - (idle[k] as number) * othersSeconds)
        repeats[k]?.push({ direct, proxy, cpuSeconds: cpu, peakRssBytes: peakRssBytes(p.pid), counters: delta(await p.counters(), b.counters) })
        line.push(`${defs[k]?.name} ${proxy.latencyMs.p99}`)
      }
      const late = (r: LoadResult): string => String(r.sendLatenessMs?.p99)
      env.log(`  #${i + 1} p99 ms: direct ${direct.latencyMs.p99}, ${line.join(', ')} (generator late p99 ${late(direct)} direct, ${proxied.map(late).join(' / ')})`)
    }
    return defs.map((def, k) => summarize(def, repeats[k] as Repeat[]))
  } finally {
    await Promise.all(peers.map((p) => p.stop()))
  }
}

/**
 * CPU seconds per second each peer uses while no traffic reaches it: the lowest of `windows`
 * samples of `ms`. Measured on a pass-through proxy after a load: ~7 ms/s, with some 500 ms
 * windows of 35-43 ms/s a few seconds later (one such burst inside a single 2 s sample made the
 * correction larger than the proxy's work). Lowest, so the correction errs towards charging the
 * peer.
 */
async function idleCpuPerSecond (peers: Target[], ms: number, windows: number): Promise<number[]> {
  const lowest = peers.map(() => Number.POSITIVE_INFINITY)
  for (let w = 0; w < windows; w++) {
    const before = peers.map((p) => threadCpuSeconds(p.pid))
    const t0 = performance.now()
    await new Promise((resolve) => setTimeout(resolve, ms))
    const seconds = (performance.now() - t0) / 1000
    peers.forEach((p, k) => { lowest[k] = Math.min(lowest[k] as number, (threadCpuSeconds(p.pid) - (before[k] as number)) / seconds) })
  }
  return lowest
}

export async function runScenario (def: ScenarioDef, env: BenchEnv): Promise<ScenarioResult> {
  const peer = await startPeer(def, env)
  try {
    // Warm the peer's JIT, pools and workers. Flat-out runs get longer: measured, 2-worker
    // throughput still climbed 11k → 16k → 18k req/s over three repeats after a 0.6 s warm-up.
    await load(def, env, peer.port, def.kind === 'saturation' ? 3000 : 1000, 0)
    const repeats: Repeat[] = []
    const warmup = def.kind === 'latency' ? env.warmupMs : env.closedWarmupMs
    for (let i = 0; i < Math.min(env.repeats, def.maxRepeats ?? env.repeats); i++) {
      const sides = i % 2 === 0 ? ['direct', 'proxy'] as const : ['proxy', 'direct'] as const
      const rep: Partial<Repeat> = {}
      for (const s of sides) {
        if (s === 'direct') { rep.direct = await load(def, env, env.upstreams.primary, env.durationMs, warmup); continue }
        resetPeakRss(peer.pid)
        const [cpu0, c0] = [cpuSeconds(peer.pid), await peer.counters()]
        rep.proxy = await load(def, env, peer.port, env.durationMs, warmup)
        rep.cpuSeconds = cpuSeconds(peer.pid) - cpu0
        rep.peakRssBytes = peakRssBytes(peer.pid)
        rep.counters = delta(await peer.counters(), c0)
      }
      repeats.push(rep as Repeat)
      // The generator's own lateness is inside both p99s; shown so a noisy repeat can be told apart.
      const late = rep.direct?.sendLatenessMs && rep.proxy?.sendLatenessMs ? ` (generator late p99 ${rep.direct.sendLatenessMs.p99} / ${rep.proxy.sendLatenessMs.p99} ms)` : ''
      env.log(`  ${def.name} #${i + 1}: p99 direct ${rep.direct?.latencyMs.p99} ms, proxy ${rep.proxy?.latencyMs.p99} ms${late}; ${Math.round(rep.proxy?.achievedRate ?? 0)} req/s`)
    }
    return summarize(def, repeats)
  } finally {
    await peer.stop()
  }
}
