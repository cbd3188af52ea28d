/**
 * `node --import tsx bench/gc-trace.ts [--seconds 8] [--rate 1000] [--only none,healthy]`:
 * the client thread's garbage collector under the bench's open-loop load, for a plain route and
 * a shadowed one (mirror + compare on every request). Runs `dist/cli.js` (`npm run build`
 * first) under `--trace-gc-nvp` and prints, per V8 isolate, the scavenges seen during the
 * measured window: how many, mean pause, and mean bytes survived / promoted per scavenge, plus
 * mark-compacts. The client thread is the main isolate (comparison threads' isolates live at
 * mmap addresses, 0x7f…). This is the measurement that found objects promoted on every
 * scavenge (docs/architecture.md, "Hot-path rules", rule 5): anything per request that
 * outlives a scavenge shows up as `promoted`, and its copying as pause time on the thread
 * that serves clients.
 */
import { parseArgs } from 'node:util'
import { summarizeNvp } from './gc-nvp.js'
import type { LoadResult } from './loadgen.js'
import { benchFile, runJson, spawnNode, stop, waitForLine } from './proc.js'
import { startShadowfig, type ShadowMode, type Upstreams } from './targets.js'

const { values: a } = parseArgs({
  options: {
    seconds: { type: 'string', default: '8' },
    rate: { type: 'string', default: '1000' },
    only: { type: 'string', default: 'none,healthy' },
  },
})
const rate = Number(a.rate)

async function traceOne (shadow: ShadowMode, upstreams: Upstreams): Promise<void> {
  let out = ''
  const proxy = await startShadowfig({ shadow, upstreams, entry: 'dist', nodeArgs: ['--trace-gc-nvp'], onStdout: (d) => { out += d } })
  try {
    const load = (ms: number): Promise<LoadResult> => runJson<LoadResult>(benchFile('loadgen-main.ts'), {
      url: `http://127.0.0.1:${proxy.port}/json/2048`, mode: 'open', rate, connections: Math.max(64, Math.ceil(rate / 4)), durationMs: ms, warmupMs: 500,
    })
    await load(1500) // warm the JIT, the pools and the comparison threads
    const mark = out.length
    const r = await load(Number(a.seconds) * 1000)
    const gc = summarizeNvp(out.slice(mark))
    const main = [...gc.keys()].find((k) => !k.startsWith('0x7f'))
    process.stdout.write(`\n${shadow === 'none' ? 'pass-through' : 'mirror + compare'} (${rate} req/s, ${a.seconds} s): p99 ${r.latencyMs.p99} ms, p99.9 ${r.latencyMs.p999} ms\n`)
    process.stdout.write('| isolate | scavenges | mean pause ms | survived KB / scavenge | promoted KB / scavenge | mark-compacts (total pause ms) |\n|---|---|---|---|---|---|\n')
    for (const [iso, s] of gc) {
      const per = (x: number): string => s.scavenges === 0 ? '–' : (x / s.scavenges / 1024).toFixed(0)
      process.stdout.write(`| ${iso}${iso === main ? ' (client thread)' : ''} | ${s.scavenges} | ${s.scavenges === 0 ? '–' : (s.pauseMs / s.scavenges).toFixed(2)} | ${per(s.survived)} | ${per(s.promoted)} | ${s.marks} (${s.markPauseMs.toFixed(1)}) |\n`)
    }
  } finally {
    await proxy.stop()
  }
}

const primary = spawnNode(benchFile('backend-main.ts'), [JSON.stringify([{ variant: 'primary' }])])
const candidate = spawnNode(benchFile('backend-main.ts'), [JSON.stringify([{ variant: 'candidate' }])])
try {
  const [pm, cm] = await Promise.all([waitForLine(primary, /"ports":\[(\d+)\]/), waitForLine(candidate, /"ports":\[(\d+)\]/)])
  const upstreams: Upstreams = { primary: Number(pm[1]), candidate: Number(cm[1]), slow: 0, down: 0 }
  for (const mode of (a.only as string).split(',') as ShadowMode[]) await traceOne(mode, upstreams)
} finally {
  await Promise.all([stop(primary), stop(candidate)])
}
