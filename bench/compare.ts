/**
 * Comparison-engine micro-benchmark: `node --import tsx bench/compare.ts [--seconds N]`.
 * For JSON pairs of about 1 KB, 20 KB and 1 MB (keyed arrays, a few changed prices) it prints
 * the in-process cost of one comparison (decode ► normalize ► diff; median and p99) and the
 * throughput of the worker-pool engine with its default thread count. Numbers, not assertions:
 * compare runs on the same machine only.
 */
import { parseArgs } from 'node:util'
import { createCompareEngine } from '../src/compare/engine.js'
import { compileRoute, runComparison } from '../src/compare/pipeline.js'
import { compareSchema } from '../src/config/schema.js'
import type { CapturedResponse } from '../src/http/captured.js'
import type { Exchange } from '../src/shadow/exchange.js'

const { values: a } = parseArgs({ options: { seconds: { type: 'string', default: '3' } } })
const SECONDS = Number(a.seconds)

function body (items: number, bump: boolean): CapturedResponse {
  const parts: string[] = []
  for (let i = 0; i < items; i++) parts.push(`{"id":${i},"name":"item ${i}","price":${bump && i % 50 === 0 ? i + 1 : i},"at":"2024-05-01T10:00:0${i % 10}Z"}`)
  const text = `{"generated_at":"${new Date().toISOString()}","items":[${parts.reverse().join(',')}]}`
  return { status: 200, headers: { 'content-type': 'application/json' }, body: Buffer.from(text), truncated: false, durationMs: 1 }
}

function exchange (items: number): Exchange {
  return { id: 'b', route: 'bench', startedAt: Date.now(), request: { method: 'GET', path: '/b', headers: {} }, primary: body(items, false), candidate: body(items, true) }
}

const compare = compareSchema.parse({ ignore: ['$.generated_at'], arrays: { '$.items': { key: 'id' } }, masks: ['iso8601'], maxBodySize: 4 * 1024 * 1024 })
const route = await compileRoute({ name: 'bench', compare, hasSecondary: false }, process.cwd())
const pct = (xs: number[], p: number): number => xs.sort((x, y) => x - y)[Math.min(xs.length - 1, Math.floor(xs.length * p))]

console.log('| pair | bytes | in-process median ms | p99 ms | pool compares/s |')
console.log('|---|---|---|---|---|')
const engine = createCompareEngine({ maxQueue: 128, taskTimeoutMs: 60_000 })
await engine.setRoutes([{ name: 'bench', compare, hasSecondary: false }], process.cwd())
for (const [label, items] of [['1 KB', 12], ['20 KB', 250], ['1 MB', 12_000]] as const) {
  const ex = exchange(items)
  const times: number[] = []
  const until = performance.now() + SECONDS * 1000
  while (performance.now() < until) {
    const t0 = performance.now()
    await runComparison(ex, route)
    times.push(performance.now() - t0)
  }
  let done = 0
  const poolUntil = performance.now() + SECONDS * 1000
  const start = performance.now()
  const loop = async (): Promise<void> => { while (performance.now() < poolUntil) { await engine.compare(ex); done++ } }
  // Enough callers to fill batches (the proxy never awaits compare(); it keeps submitting).
  await Promise.all(Array.from({ length: 64 }, loop))
  const rate = done / ((performance.now() - start) / 1000)
  console.log(`| ${label} | ${ex.primary.body.length} | ${pct(times, 0.5).toFixed(2)} | ${pct(times, 0.99).toFixed(2)} | ${rate.toFixed(0)} |`)
}
console.log(`\nsaturated: ${engine.stats().saturated}, threads: default; machine load: ${(await import('node:os')).loadavg()[0].toFixed(1)}`)
await engine.close()
