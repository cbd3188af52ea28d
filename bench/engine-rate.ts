/**
 * The comparison engine alone at a steady rate: `node --import tsx bench/engine-rate.ts
 * [--rate 1000] [--seconds 8] [--window 10] [--batch 32]`. Feeds the bench's 2 KiB pair
 * (backends.ts, fresh buffers per exchange, as captures are) through the real engine and its
 * comparison thread under the bench route's compare settings, on a fixed schedule, and prints
 * the CPU time each thread used per exchange (schedstat, after a warm-up): the comparison
 * thread's, to hold against `compare-2k.ts` (the same comparison in a hot loop, no hand-off),
 * and this main thread's (feeding plus the engine's hand-off and result handling). The
 * difference is what the hand-off and the thread's waking cost: at 1,000 req/s a comparison
 * thread that sleeps between batches starts each one with cold caches. Linux only.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { createCompareEngine } from '../src/compare/engine.js'
import { COMPARE_THREAD_NICE } from '../src/compare/thread-priority.js'
import { compareSchema } from '../src/config/schema.js'
import type { CapturedResponse } from '../src/http/captured.js'
import type { Exchange } from '../src/shadow/exchange.js'
import { KiB, makeBody } from './backends.js'
import { mirroredRoute } from './configs.js'

const { values: a } = parseArgs({
  options: {
    rate: { type: 'string', default: '1000' },
    seconds: { type: 'string', default: '8' },
    window: { type: 'string', default: '10' },
    batch: { type: 'string', default: '32' },
  },
})
const rate = Number(a.rate)
const seconds = Number(a.seconds)

const engine = createCompareEngine({ threads: 1, maxQueue: 1_000_000, batchWindowMs: Number(a.window), maxBatch: Number(a.batch) })
const compare = compareSchema.parse(mirroredRoute('bench', '/', 'primary', 'candidate').compare)
await engine.setRoutes([{ name: 'bench', compare, hasSecondary: false }], process.cwd())

const primaryBody = makeBody(2 * KiB, 'primary')
const candidateBody = makeBody(2 * KiB, 'candidate')
const side = (body: Buffer): CapturedResponse => ({
  status: 200,
  headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
  body: Uint8Array.from(body), // its own buffer, as a capture's (http/owned-bytes.ts)
  truncated: false,
  durationMs: 1,
})
let sent = 0
const exchange = (): Exchange => ({
  id: String(sent++),
  route: 'bench',
  startedAt: Date.now(),
  request: { method: 'GET', path: '/json/2048', headers: { host: '127.0.0.1', accept: '*/*' } },
  primary: side(primaryBody),
  candidate: side(candidateBody),
})

const runNs = (tid: string): number => Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'latin1').split(' ')[0])
const niceOf = (tid: string): number => {
  const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'latin1')
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16])
}

let verdicts = 0
let unexpected = 0
const submit = (): void => {
  void engine.compare(exchange()).then((r) => { verdicts++; if (r.verdict !== 'match') unexpected++ })
}
for (let i = 0; i < 2000; i++) submit() // warm-up: the thread loads its modules and compiles
while (verdicts < sent) await new Promise((resolve) => setTimeout(resolve, 20))

const thread = readdirSync('/proc/self/task').find((tid) => niceOf(tid) === COMPARE_THREAD_NICE)
if (thread === undefined) throw new Error('no comparison thread found (Linux only)')
const main = String(process.pid)
const thread0 = runNs(thread)
const main0 = runNs(main)
const sent0 = sent
const start = performance.now()
await new Promise<void>((resolve) => {
  const tick = (): void => {
    const elapsed = performance.now() - start
    const due = sent0 + Math.floor(elapsed * rate / 1000)
    while (sent < due) submit()
    if (elapsed < seconds * 1000) setTimeout(tick, 1)
    else resolve()
  }
  tick()
})
while (verdicts < sent) await new Promise((resolve) => setTimeout(resolve, 20))
const n = sent - sent0
const perExchangeUs = (ns: number): string => (ns / n / 1000).toFixed(1)
process.stdout.write(`${n} exchanges at ${rate}/s, batches of up to ${a.batch} or ${a.window} ms: ` +
  `comparison thread ${perExchangeUs(runNs(thread) - thread0)} µs CPU per exchange, ` +
  `main thread ${perExchangeUs(runNs(main) - main0)} µs (feeding included)` +
  `${unexpected > 0 ? `; ${unexpected} verdicts other than match` : ''}\n`)
await engine.close()
