/**
 * The engine with its real thread pool (threads run the .ts sources through the TypeScript
 * loader they inherit from tap): results, stats and per-comparator counters, config validation
 * on setRoutes, custom comparators inside workers (throw; a runaway loop stopped by the task
 * time limit, which excludes worker start-up), the bounded queue (saturated results come back
 * at once, never awaited), and close().
 */
import t from 'tap'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { createCompareEngine } from '../../src/compare/engine.js'
import type { ComparisonResult } from '../../src/compare/types.js'
import { cfg, exchange, resp } from './helpers.js'

const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), 'fixtures')

t.test('compares in the pool, counts, reports and validates routes', async (t) => {
  const seen: ComparisonResult[] = []
  // at-once: verdicts are final at once (the warm-up hold has its own test file).
  const engine = createCompareEngine({ threads: 1, decide: 'at-once', onResult: (r) => { seen.push(r); throw new Error('a reporting bug') } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({ arrays: { '$.items': { key: 'id' } } }), hasSecondary: false }], FIXTURES)

  const match = await engine.compare(exchange(resp({ items: [{ id: 1 }, { id: 2 }] }), resp({ items: [{ id: 2 }, { id: 1 }] })))
  t.equal(match.verdict, 'match')
  t.equal(match.decidedBy, 'chain')
  const mismatch = await engine.compare(exchange(resp({ a: 1 }), resp({ a: 2 })))
  t.equal(mismatch.verdict, 'mismatch')
  t.same(mismatch.fields, [{ path: '$.a', concretePath: '$.a', kind: 'changed', primary: 1, candidate: 2 }])
  t.match(mismatch.signature, /^[0-9a-f]{16}$/)
  t.same(mismatch.normalized?.candidate, { status: 200, headers: { 'content-type': 'application/json' }, body: { a: 2 } })
  const slab = Buffer.alloc(64 * 1024)
  const len = slab.write('{"a":2}', 1000)
  const view = await engine.compare(exchange(resp({ a: 1 }), resp(slab.subarray(1000, 1000 + len), { 'content-type': 'application/json' })))
  t.same(view.fields.map((f) => f.candidate), [2], 'a body that is a view into a larger buffer compares as its own bytes')
  const failed = await engine.compare(exchange(resp({ a: 1 }), { ...resp(''), status: 0, failure: 'reset' }))
  t.same([failed.verdict, failed.reason], ['candidate_error', 'reset'])
  const unknown = await engine.compare({ ...exchange(resp({}), resp({})), route: 'nope' })
  t.same([unknown.verdict, unknown.reason], ['skipped', 'unknown_route'])
  t.equal(seen.length, 5, 'onResult saw every result, and its throw did not reject compare()')

  const stats = engine.stats()
  t.equal(stats.completed, 3, 'three exchanges went through the pool')
  t.same(stats.comparators.json, { continue: 3, decided: 0, errors: 0 })
  t.equal(stats.queued + stats.running, 0)
  t.same(engine.noisyPaths('r'), [], 'no repeated requests yet, so nothing is noise')

  await t.rejects(engine.setRoutes([{ name: 'bad', compare: cfg({ ignore: ['$.a b'] }), hasSecondary: false }], FIXTURES), { code: 'SHADOWFIG_ERR_CONFIG', message: /route bad: compare: JSONPath/ })
  await t.rejects(engine.setRoutes([{ name: 'bad', compare: cfg({ masks: [{ name: 'x', pattern: '(' }] }), hasSecondary: false }], FIXTURES), { code: 'SHADOWFIG_ERR_CONFIG' })
  const still = await engine.compare(exchange(resp({ a: 1 }), resp({ a: 1 })))
  t.equal(still.verdict, 'match', 'a refused reload keeps the last good routes')
})

t.test('custom comparators in workers: errors and runaway loops are contained', async (t) => {
  // The limit runs from when a worker starts the task, so a fresh worker loading the sources
  // through the TypeScript loader (seconds on a loaded machine) does not count against it.
  const engine = createCompareEngine({ threads: 1, taskTimeoutMs: 1000, decide: 'at-once' })
  t.teardown(() => engine.close())
  await engine.setRoutes([
    { name: 'money', compare: cfg({ comparators: ['json', './money.js'] }), hasSecondary: false },
    { name: 'throws', compare: cfg({ comparators: ['json', './throws.js'] }), hasSecondary: false },
    { name: 'spin', compare: cfg({ comparators: ['./spin.js'] }), hasSecondary: false },
  ], FIXTURES)
  const on = (route: string, a: unknown, b: unknown): Promise<ComparisonResult> => engine.compare({ ...exchange(resp(a), resp(b)), route })

  const money = await on('money', { total: 1.001 }, { total: 1.005 })
  t.same([money.verdict, money.decidedBy], ['match', 'money'])
  const thrown = await on('throws', { a: 1 }, { a: 2 })
  t.same([thrown.verdict, thrown.reason], ['skipped', 'comparator_error'])
  const spun = await on('spin', { a: 1 }, { a: 1 })
  t.same([spun.verdict, spun.reason], ['skipped', 'comparator_timeout'], 'the task limit stops a synchronous loop')
  const after = await on('money', { total: 1 }, { total: 3 })
  t.equal(after.verdict, 'mismatch', 'the pool still works after a worker was replaced')
  const c = engine.stats().comparators
  t.same(c.money, { continue: 1, decided: 1, errors: 0 })
  t.same(c.throws, { continue: 0, decided: 0, errors: 1 })
})

t.test('a worker that cannot load a comparator gives comparator_error, then recovers', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'shadowfig-engine-'))
  t.teardown(() => rmSync(dir, { recursive: true, force: true }))
  const file = join(dir, 'ok.mjs')
  writeFileSync(file, "export default { name: 'ok', compare: () => 'continue' }")
  const engine = createCompareEngine({ threads: 1 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({ comparators: ['./ok.mjs'] }), hasSecondary: false }], dir)
  rmSync(file) // validated on the main thread, gone before the worker compiles the route
  const r = await engine.compare(exchange(resp({}), resp({})))
  t.same([r.verdict, r.reason], ['skipped', 'comparator_error'])
  writeFileSync(file, "export default { name: 'ok', compare: () => 'continue' }")
  t.equal((await engine.compare(exchange(resp({}), resp({})))).verdict, 'match', 'the failed compile is not cached')
})

t.test('a full queue gives skipped/saturated at once, counted', async (t) => {
  const engine = createCompareEngine({ threads: 1, maxQueue: 1 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({ comparators: ['./delay.js'] }), hasSecondary: false }], FIXTURES)
  let slowDone = false
  t.equal(engine.room(), 2, 'one thread + one queue place')
  const accepted = [engine.compare(exchange(resp({}), resp({}))), engine.compare(exchange(resp({}), resp({})))]
  void accepted[0].then(() => { slowDone = true })
  const busy = engine.stats()
  t.equal(busy.queued + busy.running, 2, 'one running (or starting) and one queued')
  t.equal(engine.room(), 0, 'a full queue says so before anything is submitted')
  const rejected = await Promise.all([1, 2, 3].map(() => engine.compare(exchange(resp({}), resp({})))))
  t.ok(rejected.every((r) => r.verdict === 'skipped' && r.reason === 'saturated'))
  t.notOk(slowDone, 'saturated results did not wait for the queue')
  t.equal(engine.stats().saturated, 3)
  const done = await Promise.all(accepted)
  t.same(done.map((r) => r.verdict), ['match', 'match'])
  t.equal(engine.room(), 2, 'and has room again once it drained')
})

t.test('close() ends the pool; later and in-flight compares resolve as skipped', async (t) => {
  const engine = createCompareEngine() // default thread count
  await engine.setRoutes([{ name: 'r', compare: cfg({ comparators: ['./delay.js'] }), hasSecondary: false }], FIXTURES)
  const inFlight = engine.compare(exchange(resp({}), resp({})))
  await engine.close()
  await engine.close()
  t.same((await inFlight).reason, 'engine_closed')
  t.same((await engine.compare(exchange(resp({}), resp({})))).reason, 'engine_closed')
})

t.test('submit() compares without a promise: results reach onResult only', async (t) => {
  let resolveAll: () => void = () => {}
  const all = new Promise<void>((resolve) => { resolveAll = resolve })
  const seen: ComparisonResult[] = []
  const engine = createCompareEngine({ threads: 1, maxBatch: 2, decide: 'at-once', onResult: (r) => { seen.push(r); if (seen.length === 3) resolveAll() } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], FIXTURES)
  t.equal(engine.submit(exchange(resp({ a: 1 }), resp({ a: 1 }))), undefined)
  engine.submit(exchange(resp({ a: 1 }), resp({ a: 2 })))
  engine.submit({ ...exchange(resp({}), resp({})), route: 'nope' })
  await all
  t.same(seen.map((r) => r.verdict).sort(), ['match', 'mismatch', 'skipped'], 'a full batch of two went at once; the unknown route was answered at once')
})

t.test('no comparison thread runs until a route compares; the threads start with the first such route', async (t) => {
  const engine = createCompareEngine({ threads: 2 })
  t.teardown(() => engine.close())
  t.equal(engine.stats().threads, 0, 'a new engine has none')
  await engine.setRoutes([], FIXTURES)
  t.equal(engine.stats().threads, 0, 'nor does a config without shadow routes (the shipped default)')
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], FIXTURES)
  t.equal(engine.stats().threads, 2, 'a route that compares starts them all, before its first exchange')
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], FIXTURES)
  t.equal(engine.stats().threads, 2, 'a reload starts no more')
  t.equal((await engine.compare(exchange(resp({ a: 1 }), resp({ a: 1 })))).verdict, 'match')
})
