/**
 * A diff of two ~5 MB JSON arrays runs in the worker pool without stalling the calling event
 * loop. The bound on event-loop delay is deliberately loose (p99 < 200 ms): this asserts that
 * the work is off-loop (a synchronous diff of this size blocks the loop for seconds), not how
 * fast anything is; speed belongs in bench/. Also: the LCS size cap gives diff_too_large.
 */
import t from 'tap'
import { monitorEventLoopDelay } from 'node:perf_hooks'
import { createCompareEngine } from '../../src/compare/engine.js'
import type { CapturedResponse } from '../../src/http/captured.js'
import { cfg, compareDirect, exchange, resp } from './helpers.js'

/** The JSON text built directly, so the main thread holds little garbage for the GC to pause on while measuring. */
function items (n: number, priceOf: (i: number) => number): CapturedResponse {
  const parts: string[] = []
  for (let i = 0; i < n; i++) parts.push(`{"id":${i},"sku":"SKU-${String(i).padStart(8, '0')}","name":"item number ${i}","price":${priceOf(i)},"tags":["a","b","c"],"stock":${i % 17}}`)
  return resp(Buffer.from(`{"items":[${parts.join(',')}]}`), { 'content-type': 'application/json' })
}

t.test('two 5 MB arrays are diffed off the main event loop', async (t) => {
  const N = 50_000
  const primary = items(N, (i) => i / 100)
  const candidate = items(N, (i) => (i % 1000 === 0 ? i / 100 + 1 : i / 100))
  t.ok(primary.body.length > 5_000_000, `primary body is ${primary.body.length} bytes`)

  const engine = createCompareEngine({ threads: 1, taskTimeoutMs: 60_000 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({ arrays: { '$.items': { key: 'id' } }, maxBodySize: 8 * 1024 * 1024 }), hasSecondary: false }], process.cwd())
  await engine.compare(exchange(resp({}), resp({}))) // start the worker before measuring

  const h = monitorEventLoopDelay({ resolution: 10 })
  h.enable()
  const r = await engine.compare(exchange(primary, candidate))
  h.disable()
  t.equal(r.verdict, 'mismatch')
  t.same([...new Set(r.fields.map((f) => f.path))], ['$.items[*].price'])
  t.equal(r.fields.length, N / 1000)
  t.same((r.normalized?.primary as { body?: unknown } | undefined)?.body, { omitted: 'larger than the sample cap', length: primary.body.length }, 'huge bodies are not copied into samples')
  const p99 = h.percentile(99) / 1e6
  t.ok(p99 < 200, `event-loop delay p99 ${p99.toFixed(1)} ms, max ${(h.max / 1e6).toFixed(1)} ms`)
})

t.test('a diff that outgrows the worker heap cap is diff_too_large, and the pool recovers', async (t) => {
  const primary = items(50_000, (i) => i)
  const candidate = items(50_000, (i) => i + 1)
  const engine = createCompareEngine({ threads: 1, maxWorkerHeapMb: 160, taskTimeoutMs: 60_000 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({ arrays: { '$.items': { key: 'id' } }, maxBodySize: 8 * 1024 * 1024 }), hasSecondary: false }], process.cwd())
  const r = await engine.compare(exchange(primary, candidate))
  t.same([r.verdict, r.reason], ['skipped', 'diff_too_large'])
  t.equal((await engine.compare(exchange(resp({ a: 1 }), resp({ a: 2 })))).verdict, 'mismatch')
})

t.test('an LCS over the cap is skipped as diff_too_large', async (t) => {
  const a = { items: Array.from({ length: 100 }, (_, i) => ({ id: i })) }
  const b = { items: Array.from({ length: 100 }, (_, i) => ({ id: i + 1000 })) }
  const rules = { arrays: { '$.items': { key: 'id' } } }
  const capped = await compareDirect(exchange(resp(a), resp(b)), rules, { maxLcsCells: 5000 })
  t.same([capped.verdict, capped.reason], ['skipped', 'diff_too_large'])
  const fine = await compareDirect(exchange(resp(a), resp(b)), rules)
  t.equal(fine.verdict, 'mismatch', 'under the default cap the same pair is diffed')
  const nested = await compareDirect(exchange(resp({ o: { ...a, x: [1] } }), resp({ o: { ...b, x: [2] } })), { arrays: { '$..items': { key: 'id' } } }, { maxLcsCells: 5000 })
  t.equal(nested.reason, 'diff_too_large', 'nested arrays are counted too')
})

t.test('fields are capped but every grouping path counts', async (t) => {
  const a = { l: Array.from({ length: 300 }, (_, i) => ({ v: i, w: i })) }
  const b = { l: Array.from({ length: 300 }, (_, i) => ({ v: i + 1, w: i === 299 ? 0 : i })) }
  const r = await compareDirect(exchange(resp(a), resp(b)), {}, { maxFields: 10 })
  t.equal(r.fields.length, 10)
  t.equal(r.signature, (await compareDirect(exchange(resp({ l: [{ v: 1, w: 1 }] }), resp({ l: [{ v: 2, w: 2 }] })))).signature, 'the signature covers $.l[*].w beyond the cap')
})
