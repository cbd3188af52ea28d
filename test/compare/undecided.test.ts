/**
 * Verdicts that wait for evidence (`undecided`): a mismatch the noise model cannot judge yet
 * is not final, counted nowhere, and comes back with its final verdict (`revised`) once the
 * route's window has its samples, when the per-route bound or the wait is over, on
 * `decideAll()` (replay: after the whole capture) and on close. Exchanges whose own secondary
 * explains every difference are noise from the first one; a route that can never learn
 * (no secondary, not a repeatable request) decides at once.
 */
import t from 'tap'
import { createCompareEngine, type CompareEngineOptions } from '../../src/compare/engine.js'
import type { ComparisonResult } from '../../src/compare/types.js'
import { UndecidedStore } from '../../src/compare/undecided.js'
import { cfg, exchange, resp } from './helpers.js'

const GET = (i: number, extra = {}): ReturnType<typeof exchange> =>
  exchange(resp({ a: 1, rid: i }), resp({ a: 2, rid: 1000 + i }), extra)

async function engineWith (t: Tap.Test, opts: CompareEngineOptions, hasSecondary = false): Promise<{ engine: ReturnType<typeof createCompareEngine>, seen: ComparisonResult[] }> {
  const seen: ComparisonResult[] = []
  const engine = createCompareEngine({ threads: 1, ...opts, onResult: (r) => { seen.push(r) } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary }], process.cwd())
  return { engine, seen }
}

t.test('warm-up: undecided until the window has its samples, then revised with the evidence', async (t) => {
  const { engine, seen } = await engineWith(t, { noise: { minSamples: 3 } })
  const first = []
  for (let i = 0; i < 3; i++) first.push(await engine.compare(GET(i)))
  t.same(first.map((r) => r.verdict), ['undecided', 'undecided', 'undecided'], 'no evidence yet: not a mismatch')
  t.same(first[0].fields.map((f) => f.path), ['$.a', '$.rid'], 'what differs is shown')
  t.equal(engine.undecided('r'), 3)
  t.equal(engine.stats().undecided, 3)
  const fourth = await engine.compare(GET(3))
  t.equal(fourth.verdict, 'mismatch', 'the window has its samples: decided at once')
  t.same(fourth.noise, ['$.rid'], 'the field the primary changes by itself is noise')
  t.same(fourth.fields.map((f) => f.path), ['$.a'], 'the real difference stays on its exchange')
  t.equal(engine.undecided('r'), 0, 'the held ones were released')
  const revised = seen.filter((r) => r.revised)
  t.same(revised.map((r) => [r.id, r.verdict, r.noise.join()]), first.map((r) => [r.id, 'mismatch', '$.rid']), 'each held exchange comes back once, final, in order')
  t.same(seen.map((r) => r.verdict), ['undecided', 'undecided', 'undecided', 'mismatch', 'mismatch', 'mismatch', 'mismatch'])
})

t.test('a capture whose only difference is noise: every held exchange ends as noise', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 3 }, decide: 'end' })
  const onlyNoise = (i: number): ReturnType<typeof exchange> => exchange(resp({ a: 1, rid: i }), resp({ a: 1, rid: 1000 + i }))
  const live = []
  for (let i = 0; i < 6; i++) live.push(await engine.compare(onlyNoise(i)))
  t.ok(live.every((r) => r.verdict === 'undecided'), 'in `end` mode nothing is judged before decideAll')
  const final = engine.decideAll()
  t.same(final.map((r) => r.verdict), Array(6).fill('noise'))
  t.ok(final.every((r) => r.revised === true && r.fields[0].path === '$.rid'), 'noisy fields are listed')
  t.same(engine.decideAll(), [], 'nothing left')
})

t.test('with a secondary: the exchange\'s own secondary decides from the first request', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 50 } }, true)
  const noise = await engine.compare(exchange(resp({ rid: 1 }), resp({ rid: 2 }), { secondary: resp({ rid: 3 }) }))
  t.same([noise.verdict, noise.fields.map((f) => f.path)], ['noise', ['$.rid']])
  const real = await engine.compare(exchange(resp({ rid: 1, a: 1 }), resp({ rid: 2, a: 2 }), { secondary: resp({ rid: 3, a: 1 }) }))
  t.same([real.verdict, real.noise, real.fields.map((f) => f.path)], ['undecided', ['$.rid'], ['$.a']], 'what the secondary does not explain waits for the window')
})

t.test('routes that can never learn decide at once; bounds and close decide the rest', async (t) => {
  const { engine, seen } = await engineWith(t, { noise: { minSamples: 50 }, undecided: { maxPerRoute: 2 } })
  const post = await engine.compare(exchange(resp({ a: 1 }), resp({ a: 2 }), { request: { method: 'POST', path: '/x', headers: {} } }))
  t.equal(post.verdict, 'mismatch', 'a POST without a secondary has no reference, ever: no reason to wait')
  for (let i = 0; i < 3; i++) await engine.compare(GET(i))
  t.equal(engine.undecided('r'), 2, 'bounded per route')
  t.same(seen.filter((r) => r.revised).map((r) => r.verdict), ['mismatch'], 'the oldest was decided with the evidence there was')
  await engine.setRoutes([{ name: 'other', compare: cfg({}), hasSecondary: false }], process.cwd())
  t.equal(engine.undecided('r'), 0, 'a route removed by a reload has its held exchanges decided')
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], process.cwd())
  await engine.compare(GET(9))
  await engine.close()
  t.equal(seen.filter((r) => r.revised).length, 4, 'close decides what is still held: nothing is lost')
})

t.test('the wait is bounded in time', async (t) => {
  let revised: (r: ComparisonResult) => void = () => {}
  const done = new Promise<ComparisonResult>((resolve) => { revised = resolve })
  const engine = createCompareEngine({ threads: 1, taskTimeoutMs: 40, noise: { minSamples: 50 }, undecided: { maxAgeMs: 0 }, onResult: (r) => { if (r.revised) revised(r) } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], process.cwd())
  t.equal((await engine.compare(GET(1))).verdict, 'undecided')
  t.equal((await done).verdict, 'mismatch', 'decided by the watchdog once past its wait')
})

t.test('UndecidedStore releases by age, per route and all', async (t) => {
  let now = 0
  const s = new UndecidedStore({ maxAgeMs: 10 }, () => now)
  const out = { verdict: 'mismatch' as const, fields: [], paths: [] }
  s.add({ ...GET(1), route: 'a' }, out)
  now = 5
  s.add({ ...GET(2), route: 'a' }, out)
  s.add({ ...GET(3), route: 'b' }, out)
  t.same(s.expired(), [])
  now = 10
  t.same(s.expired().map((h) => h.ex.route), ['a'], 'only the first is past its wait')
  t.equal(s.count(), 2)
  now = 15
  t.equal(s.expired().length, 2)
  t.equal(s.count(), 0)
  t.same(s.take('a'), [])
  t.same(new UndecidedStore().all(), [])
})
