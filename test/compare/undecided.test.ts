/**
 * Verdicts that wait for evidence (`undecided`): a mismatch is held only where evidence for it
 * can come soon, counted nowhere meanwhile, and comes back with its final verdict (`revised`)
 * once the route's window has its samples, when the per-route bound or the wait is over, on
 * `decideAll()` (replay: after the whole capture) and on close. An exchange with its own
 * secondary answer is decided at once from it (noise where the secondary differs too, a real
 * difference where it agrees with the primary); without one, only a difference on a path the
 * noise model is learning about (the repeated request varied there) waits, and a path the
 * reference never varied on is a mismatch at once, from the first request.
 */
import t from 'tap'
import { createCompareEngine, type CompareEngineOptions } from '../../src/compare/engine.js'
import type { ComparisonResult } from '../../src/compare/types.js'
import { UndecidedStore } from '../../src/compare/undecided.js'
import { cfg, exchange, resp } from './helpers.js'

/** The candidate differs at $.a (a real bug) and $.rid (new on every call, primary too). */
const GET = (i: number, extra = {}): ReturnType<typeof exchange> =>
  exchange(resp({ a: 1, rid: i }), resp({ a: 2, rid: 1000 + i }), extra)
/** Only $.rid differs: noise, once the evidence says so. */
const onlyNoise = (i: number): ReturnType<typeof exchange> => exchange(resp({ a: 1, rid: i }), resp({ a: 1, rid: 1000 + i }))

async function engineWith (t: Tap.Test, opts: CompareEngineOptions, hasSecondary = false): Promise<{ engine: ReturnType<typeof createCompareEngine>, seen: ComparisonResult[] }> {
  const seen: ComparisonResult[] = []
  const engine = createCompareEngine({ threads: 1, ...opts, onResult: (r) => { seen.push(r) } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary }], process.cwd())
  return { engine, seen }
}

t.test('without a secondary: only a path the model is learning about waits; a real bug is final at once', async (t) => {
  const { engine, seen } = await engineWith(t, { noise: { minSamples: 4 } })
  const first = await engine.compare(onlyNoise(0))
  t.same([first.verdict, first.fields.map((f) => f.path)], ['mismatch', ['$.rid']], 'no reference yet (the request never repeated): nothing to wait for')
  const held = [await engine.compare(onlyNoise(1)), await engine.compare(onlyNoise(2))]
  t.same(held.map((r) => r.verdict), ['undecided', 'undecided'], 'the repeated request varied at $.rid: the model is learning it')
  t.same(held[0].fields.map((f) => f.path), ['$.rid'], 'what differs is shown')
  t.equal(engine.undecided('r'), 2)
  t.equal(engine.stats().undecided, 2)
  const bug = await engine.compare(GET(3))
  t.equal(bug.verdict, 'mismatch', 'the reference never varied at $.a: a real difference, final on its own exchange')
  t.same(bug.fields.map((f) => f.path), ['$.a', '$.rid'], 'with what is not explained yet')
  const settled = await engine.compare(onlyNoise(4))
  t.equal(settled.verdict, 'noise', 'the window has its samples: $.rid varies on the primary by itself')
  t.equal(engine.undecided('r'), 0, 'the held ones were released')
  const revised = seen.filter((r) => r.revised)
  t.same(revised.map((r) => [r.id, r.verdict, r.noise.join()]), held.map((r) => [r.id, 'noise', '$.rid']), 'each held exchange comes back once, final, in order')
  t.same(seen.map((r) => r.verdict), ['mismatch', 'undecided', 'undecided', 'mismatch', 'noise', 'noise', 'noise'])
  const after = await engine.compare(GET(5))
  t.same([after.verdict, after.noise, after.fields.map((f) => f.path)], ['mismatch', ['$.rid'], ['$.a']], 'on a noisy route a real bug stays on its exchange')
})

t.test('`at-once` never holds: the same difference is final with the evidence at hand', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 4 }, decide: 'at-once' })
  const verdicts = []
  for (let i = 0; i < 3; i++) verdicts.push((await engine.compare(onlyNoise(i))).verdict)
  t.same(verdicts, ['mismatch', 'mismatch', 'mismatch'])
  t.equal(engine.undecided('r'), 0)
})

t.test('a capture whose only difference is noise: every held exchange ends as noise', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 3 }, decide: 'end' })
  const live = []
  for (let i = 0; i < 6; i++) live.push(await engine.compare(onlyNoise(i)))
  t.ok(live.every((r) => r.verdict === 'undecided'), 'in `end` mode nothing is judged before decideAll')
  const final = engine.decideAll()
  t.same(final.map((r) => r.verdict), Array(6).fill('noise'))
  t.ok(final.every((r) => r.revised === true && r.fields[0].path === '$.rid'), 'noisy fields are listed')
  t.same(engine.decideAll(), [], 'nothing left')
})

t.test('with a secondary: the exchange\'s own secondary decides from the first request, nothing waits', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 50 } }, true)
  const noise = await engine.compare(exchange(resp({ rid: 1 }), resp({ rid: 2 }), { secondary: resp({ rid: 3 }) }))
  t.same([noise.verdict, noise.fields.map((f) => f.path)], ['noise', ['$.rid']])
  const real = await engine.compare(exchange(resp({ rid: 1, a: 1 }), resp({ rid: 2, a: 2 }), { secondary: resp({ rid: 3, a: 1 }) }))
  t.same([real.verdict, real.noise, real.fields.map((f) => f.path)], ['mismatch', ['$.rid'], ['$.a']], 'primary and secondary agree at $.a: the candidate\'s difference is real at once')
  t.equal(engine.undecided('r'), 0)
})

t.test('with a secondary, once the window has its samples, its rates explain a field that varies on some calls only', async (t) => {
  const { engine } = await engineWith(t, { noise: { minSamples: 4 } }, true)
  // $.s differs between primary and secondary on most calls, not all (a clock at second resolution).
  for (let i = 0; i < 4; i++) await engine.compare(exchange(resp({ s: 1 }), resp({ s: 2 }), { secondary: resp({ s: i === 1 ? 1 : 3 }) }))
  const r = await engine.compare(exchange(resp({ s: 1 }), resp({ s: 2 }), { secondary: resp({ s: 1 }) }))
  t.same([r.verdict, r.noise], ['noise', ['$.s']], 'the secondary agreed this time, the window knows better')
})

t.test('routes that can never learn decide at once; bounds and close decide the rest', async (t) => {
  const { engine, seen } = await engineWith(t, { noise: { minSamples: 50 }, undecided: { maxPerRoute: 2 } })
  const post = await engine.compare(exchange(resp({ a: 1 }), resp({ a: 2 }), { request: { method: 'POST', path: '/x', headers: {} } }))
  t.equal(post.verdict, 'mismatch', 'a POST without a secondary has no reference, ever: no reason to wait')
  for (let i = 0; i < 4; i++) await engine.compare(onlyNoise(i))
  t.equal(engine.undecided('r'), 2, 'bounded per route')
  t.same(seen.filter((r) => r.revised).map((r) => r.verdict), ['mismatch'], 'the oldest was decided with the evidence there was')
  await engine.setRoutes([{ name: 'other', compare: cfg({}), hasSecondary: false }], process.cwd())
  t.equal(engine.undecided('r'), 0, 'a route removed by a reload has its held exchanges decided')
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], process.cwd())
  await engine.compare(onlyNoise(9))
  t.equal((await engine.compare(onlyNoise(10))).verdict, 'undecided')
  await engine.close()
  t.equal(seen.filter((r) => r.revised).length, 4, 'close decides what is still held: nothing is lost')
})

t.test('the wait is bounded in time', async (t) => {
  let revised: (r: ComparisonResult) => void = () => {}
  const done = new Promise<ComparisonResult>((resolve) => { revised = resolve })
  const engine = createCompareEngine({ threads: 1, taskTimeoutMs: 40, noise: { minSamples: 50 }, undecided: { maxAgeMs: 0 }, onResult: (r) => { if (r.revised) revised(r) } })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], process.cwd())
  await engine.compare(onlyNoise(1))
  t.equal((await engine.compare(onlyNoise(2))).verdict, 'undecided')
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
