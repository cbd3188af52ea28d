/**
 * Where a peer's CPU goes, thread by thread: `node --import tsx bench/thread-split.ts
 * [--seconds 10] [--rate 1000] [--src] [--peers pass-2k,mirror-2k,floor-pass-2k]`.
 * Starts the bench's backends and each listed peer (scenario names of scenario-list.ts), runs
 * the open-loop generator at the bench's load against it, and prints the CPU each of the peer's
 * threads used per 1,000 requests (schedstat, nanoseconds), grouped by thread name: the client
 * thread (the process's main thread), comparison threads, libuv's pool, V8's helpers (GC,
 * compiler). The bench's "CPU s / 1k req" is their sum.
 *
 * `--perf N` also samples each peer with Linux perf over the measured seconds (perf-sample.ts:
 * on-CPU samples, kernel and V8's C++ included) and prints each thread group's top N
 * functions in µs of CPU per request, so two peers' blocks say what one spends that the
 * other does not (shadowfig's client thread against the floor's, say).
 */
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { parseArgs } from 'node:util'
import { entryFor } from './build.js'
import { benchFile, runJson, splitByName, threadTimes, userSystem } from './proc.js'
import { PERF_HZ, PERF_NODE_ARGS, perfSymbols, recordPerf, removePerfMap } from './perf-sample.js'
import { scenarioList } from './scenario-list.js'
import { startBackendProcesses } from './targets.js'
import { startPeer, type PeerEnv } from './scenarios.js'
import type { LoadOptions, LoadResult } from './loadgen.js'

const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '10' },
    rate: { type: 'string', default: '1000' },
    peers: { type: 'string', default: 'pass-2k,mirror-2k,mirror-status-2k,floor-pass-2k,floor-mirror-2k' },
    src: { type: 'boolean', default: false },
    perf: { type: 'string' },
  },
})
const names = (a.peers as string).split(',')
const defs = scenarioList({ nginx: true, workers: false }).filter((d) => names.includes(d.name))
const perfTop = a.perf === undefined ? 0 : Number(a.perf)
const perfDir = perfTop > 0 ? mkdtempSync(path.join(tmpdir(), 'shadowfig-perf-')) : undefined
const backends = await startBackendProcesses()
try {
  const env: PeerEnv = { upstreams: backends.upstreams, nice: 0, pin: false, rt: false, entry: entryFor(a.src), nodeArgs: perfDir ? PERF_NODE_ARGS : [] }
  for (const def of defs) {
    const peer = await startPeer(def, env)
    try {
      const load = (durationMs: number): Promise<LoadResult> => runJson<LoadResult>(benchFile('loadgen-main.ts'), {
        url: `http://127.0.0.1:${peer.port}/json/${def.sizeBytes}`, mode: 'open', rate: Number(a.rate), connections: 256, durationMs, warmupMs: 0,
      } satisfies LoadOptions)
      await load(4000) // warm: JIT, pools, comparison threads
      const [before, us0] = [threadTimes(peer.pid), userSystem(peer.pid)]
      const perfFile = perfDir && path.join(perfDir, `${def.name}.data`)
      // perf's window is the load's, within the generator's start-up (~0.1 s, not sampled).
      const sampled = perfFile ? recordPerf(peer.pid, Number(a.seconds), perfFile) : undefined
      const res = await load(Number(a.seconds) * 1000)
      const [after, us1] = [threadTimes(peer.pid), userSystem(peer.pid)]
      await sampled
      const split = splitByName(before, after, res.sentTotal)
      const total = split.reduce((s, [, ms]) => s + ms, 0)
      const per1k = (s: number): string => (s * 1000 / (res.sentTotal / 1000)).toFixed(1)
      process.stdout.write(`${def.name} (${peer.name}): ${res.sentTotal} requests, ${total.toFixed(1)} CPU ms / 1k (user ${per1k(us1.user - us0.user)}, system ${per1k(us1.system - us0.system)})\n`)
      for (const [name, ms] of split) if (ms >= 0.5) process.stdout.write(`  ${ms.toFixed(1).padStart(6)}  ${name}\n`)
      if (perfFile) printPerf(perfFile, (tid) => after.get(tid)?.name, res.sentTotal)
    } finally {
      await peer.stop()
      if (perfDir) removePerfMap(peer.pid)
    }
  }
} finally {
  await backends.stop()
  if (perfDir) rmSync(perfDir, { recursive: true, force: true })
}

/** Each thread group's top `perfTop` functions, in µs of CPU per request. */
function printPerf (file: string, groupOf: (tid: number) => string | undefined, requests: number): void {
  const usPerRequest = (samples: number): string => (samples * 1e6 / PERF_HZ / requests).toFixed(2).padStart(7)
  for (const [group, symbols] of perfSymbols(file, groupOf)) {
    const total = [...symbols.values()].reduce((s, n) => s + n, 0)
    process.stdout.write(`  perf, ${group}: ${usPerRequest(total).trim()} µs per request sampled; top functions (µs per request)\n`)
    for (const [symbol, n] of [...symbols].sort((x, y) => y[1] - x[1]).slice(0, perfTop)) process.stdout.write(`    ${usPerRequest(n)}  ${symbol.slice(0, 140)}\n`)
  }
}
