/**
 * The comparison engine alone at a steady rate: `node --import tsx bench/engine-rate.ts
 * [--rate 1000] [--seconds 8] [--window 10] [--batch 32]`. Feeds the bench's 2 KiB pair
 * (pair-2k.ts, fresh buffers per exchange, as captures are) through the real engine and its
 * comparison thread under the bench route's compare settings, on a fixed schedule, and prints
 * the CPU time each thread used per exchange (schedstat, after a warm-up, grouped as
 * thread-split.ts groups them): the comparison thread's, to hold against `compare-2k.ts` (the
 * same comparison in a hot loop, no hand-off), and this main thread's (feeding plus the
 * engine's hand-off and result handling). The difference is what the hand-off and the
 * thread's waking cost: at 1,000 req/s a comparison thread that sleeps between batches starts
 * each one with cold caches. Linux only.
 */
import { parseArgs } from 'node:util'
import { createCompareEngine } from '../src/compare/engine.js'
import type { Exchange } from '../src/shadow/exchange.js'
import { PAIR_COMPARE, pairExchange } from './pair-2k.js'
import { splitByName, threadTimes } from './proc.js'

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
await engine.setRoutes([{ name: 'bench', compare: PAIR_COMPARE, hasSecondary: false }], process.cwd())

let sent = 0
const exchange = (): Exchange => pairExchange(String(sent++))

let verdicts = 0
let unexpected = 0
const submit = (): void => {
  void engine.compare(exchange()).then((r) => { verdicts++; if (r.verdict !== 'match') unexpected++ })
}
for (let i = 0; i < 2000; i++) submit() // warm-up: the thread loads its modules and compiles
while (verdicts < sent) await new Promise((resolve) => setTimeout(resolve, 20))

const before = threadTimes(process.pid)
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
// CPU ms per 1,000 exchanges is µs per exchange.
const split = splitByName(before, threadTimes(process.pid), n)
process.stdout.write(`${n} exchanges at ${rate}/s, batches of up to ${a.batch} or ${a.window} ms: µs of CPU per exchange by thread` +
  `${unexpected > 0 ? ` (${unexpected} verdicts other than match)` : ''}\n`)
for (const [name, us] of split) if (us >= 0.5) process.stdout.write(`  ${us.toFixed(1).padStart(6)}  ${name}\n`)
await engine.close()
