/**
 * `node --import tsx bench/wrk-compare.ts [--connections 10] [--duration 10] [--rt]`: validates the
 * generator against Debian `wrk` (a closed-loop C tool). Both hit the same primary backend
 * (2 KiB JSON), pinned to CPU 0, from CPU 1, with the same connection count, alternating
 * twice; prints throughput and p50/p99 of each run. Low load, so the backend, not the
 * generator, should set the pace: the two tools should agree.
 */
import { spawnSync } from 'node:child_process'
import { parseArgs } from 'node:util'
import { spawnNode, waitForLine, runJson, benchFile, stop, placed } from './proc.js'
import type { LoadResult } from './loadgen.js'

const { values: a } = parseArgs({ options: { connections: { type: 'string', default: '10' }, duration: { type: 'string', default: '10' }, rt: { type: 'boolean', default: false } } })
// --rt: every process under chrt -f 10 (root) and unpinned, as `npm run bench -- --rt` does on a
// busy box (pinned FIFO threads can stall a tsx start-up).
const rt = a.rt
const c = Number(a.connections)
const seconds = Number(a.duration)

/** wrk's latency lines ("50%  412.00us", "99%    1.20ms") in milliseconds. */
function wrkPercentile (out: string, p: string): number {
  const m = new RegExp(`^\\s*${p}%\\s+([\\d.]+)(us|ms|s)$`, 'm').exec(out)
  if (!m) return Number.NaN
  return Number(m[1]) * ({ us: 0.001, ms: 1, s: 1000 } as Record<string, number>)[m[2] as string]!
}

const be = spawnNode(benchFile('backend-main.ts'), [JSON.stringify([{ variant: 'primary' }])], { cpus: rt ? undefined : '0', rt })
try {
  const port = Number((await waitForLine(be, /"ports":\[(\d+)\]/))[1])
  const url = `http://127.0.0.1:${port}/json/2048`
  process.stdout.write(`| tool | connections | req/s | p50 ms | p99 ms |\n|---|---|---|---|---|\n`)
  for (let i = 0; i < 2; i++) {
    const [cmd, argv] = placed(['wrk', '-t1', `-c${c}`, `-d${seconds}s`, '--latency', url], { cpus: rt ? undefined : '1', rt })
    const w = spawnSync(cmd, argv, { encoding: 'utf8' })
    const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(w.stdout)?.[1])
    process.stdout.write(`| wrk -t1 -c${c} | ${c} | ${Math.round(rps)} | ${wrkPercentile(w.stdout, '50')} | ${wrkPercentile(w.stdout, '99')} |\n`)
    const r = await runJson<LoadResult>(benchFile('loadgen-main.ts'), { url, mode: 'closed', connections: c, durationMs: seconds * 1000, warmupMs: 0 }, { cpus: rt ? undefined : '1', rt })
    process.stdout.write(`| loadgen closed | ${c} | ${Math.round(r.achievedRate)} | ${r.latencyMs.p50} | ${r.latencyMs.p99} |\n`)
  }
} finally {
  await stop(be)
}
