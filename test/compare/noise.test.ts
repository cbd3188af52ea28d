/**
 * The noise model on synthetic streams, through the real pipeline (runComparison) and the
 * main-thread finalize step: a field random on every call becomes noise, a 1-in-10,000
 * regression is still reported on its exchange, a field that differs only on the candidate is
 * never noise; with a secondary the exchange's own secondary decides from the first exchange
 * (the window's rates once it has its samples), without one nothing is noise below the
 * minimum sample size and the primary's own changes between repeated identical requests
 * teach the same thing.
 */
import t from 'tap'
import { packFingerprint } from '../../src/compare/fingerprint.js'
import { NoiseModel } from '../../src/compare/noise.js'
import { runComparison, type CompiledRoute } from '../../src/compare/pipeline.js'
import { finalize } from '../../src/compare/result.js'
import type { ComparisonResult } from '../../src/compare/types.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { exchange, resp, route } from './helpers.js'
import { rng } from './random-json.js'

const MIN = 50

async function stream (r: CompiledRoute, noise: NoiseModel, n: number, make: (i: number) => Exchange): Promise<ComparisonResult[]> {
  const out: ComparisonResult[] = []
  for (let i = 0; i < n; i++) {
    const ex = make(i)
    out.push(finalize(ex, await runComparison(ex, r), noise))
  }
  return out
}

const count = (rs: ComparisonResult[], v: string): number => rs.filter((r) => r.verdict === v).length

t.test('with a secondary: a random field becomes noise, a 1-in-10,000 regression is reported', async (t) => {
  const r = await route({}, true)
  const noise = new NoiseModel({ minSamples: MIN })
  const rand = rng(7)
  const body = (total: number): unknown => ({ total, server_time: rand(), nested: { trace: Math.floor(rand() * 1e9) } })
  const BAD = 7777
  const results = await stream(r, noise, 10_000, (i) => exchange(resp(body(10)), resp(body(i === BAD ? 11 : 10)), { secondary: resp(body(10)) }))
  const bad = results[BAD]
  t.equal(bad.verdict, 'mismatch', 'the regression is reported on its exchange')
  t.same(bad.fields.map((f) => `${f.kind} ${f.path}`), ['changed $.total'], 'only the real field is listed as a difference')
  t.same(bad.noise, ['$.nested.trace', '$.server_time'], 'noisy paths are listed, not dropped')
  t.not(bad.signature, '', 'signed')
  t.equal(results[BAD + 1].verdict, 'noise', 'one regression does not make $.total noise')
  t.equal(count(results, 'noise'), 10_000 - 1, 'every other exchange is noise, from the first one: its own secondary explains it')
  const sample = results[MIN + 10]
  t.same(sample.noise, ['$.nested.trace', '$.server_time'])
  t.same(sample.fields.map((f) => f.path).sort(), ['$.nested.trace', '$.server_time'], 'a noise verdict lists the noisy fields')
  t.same(noise.noisyPaths('r'), ['$.nested.trace', '$.server_time'])
  t.equal(noise.samples('r'), 1000, 'the window is bounded')
})

t.test('a field that changes only on the candidate is never noise', async (t) => {
  const r = await route({}, true)
  const noise = new NoiseModel({ minSamples: MIN })
  const rand = rng(3)
  const results = await stream(r, noise, 2000, () => {
    const t0 = rand()
    return exchange(resp({ v: 1, t: t0 }), resp({ v: 2, t: rand() }), { secondary: resp({ v: 1, t: rand() }) })
  })
  t.equal(count(results, 'mismatch'), 2000, 'every exchange is a mismatch')
  t.ok(results.slice(MIN).every((x) => x.fields.length === 1 && x.fields[0].path === '$.v' && x.noise.join() === '$.t'), '$.v is real, $.t is noise')
})

t.test('a rarely flaky secondary does not hide a field the candidate always changes', async (t) => {
  const r = await route({}, true)
  const noise = new NoiseModel({ minSamples: MIN })
  const results = await stream(r, noise, 500, (i) => exchange(resp({ v: 1 }), resp({ v: 2 }), { secondary: resp({ v: i % 100 === 0 ? 3 : 1 }) }))
  t.equal(count(results, 'mismatch'), 500 - 1, 'only the first exchange, whose own secondary differed before the window had its samples, is noise')
  t.equal(results[0].verdict, 'noise')
  t.notOk(noise.isNoise('r', '$.v'), 'reference rate 1% is not comparable to 100%')
})

t.test('without a secondary: repeated identical requests teach what the primary changes', async (t) => {
  const r = await route({}, false)
  const noise = new NoiseModel({ minSamples: MIN })
  const rand = rng(11)
  const results = await stream(r, noise, 300, (i) => exchange(resp({ id: 1, now: rand() }), resp({ id: i === 250 ? 2 : 1, now: rand() }), { request: { method: 'GET', path: `/item/${i % 3}`, headers: {} } }))
  t.equal(count(results.slice(0, MIN + 2), 'noise'), 0, 'below the minimum sample size nothing is noise')
  t.equal(results[200].verdict, 'noise')
  t.same(results[250].fields.map((f) => f.path), ['$.id'], 'a real difference still shows')
  t.same(results[250].noise, ['$.now'])

  const unique = new NoiseModel({ minSamples: MIN })
  const once = await stream(r, unique, 200, (i) => exchange(resp({ now: rand() }), resp({ now: rand() }), { request: { method: 'GET', path: `/u/${i}`, headers: {} } }))
  t.equal(count(once, 'noise'), 0, 'requests never repeated teach nothing')
  t.equal(unique.samples('r'), 0)

  const posts = new NoiseModel({ minSamples: MIN })
  const writes = await stream(r, posts, 200, () => exchange(resp({ now: rand() }), resp({ now: rand() }), { request: { method: 'POST', path: '/same', headers: {} } }))
  t.equal(count(writes, 'noise'), 0, 'POST bodies are not in the exchange, so POSTs are never treated as repeats')
})

t.test('bounded request-key memory and route retention', async (t) => {
  const m = new NoiseModel({ maxRequestKeys: 2, minSamples: 1, window: 3 })
  t.equal(m.repeatReference('r', 'GET /a', packFingerprint({ x: '1' })), undefined)
  m.repeatReference('r', 'GET /b', packFingerprint({ x: '1' }))
  m.repeatReference('r', 'GET /c', packFingerprint({ x: '1' }))
  t.equal(m.repeatReference('r', 'GET /a', packFingerprint({ x: '2' })), undefined, '/a was evicted')
  t.same(m.repeatReference('r', 'GET /c', packFingerprint({ x: '2', y: '1' })), ['x', 'y'], 'changed and new paths')
  m.observe('r', ['p'], ['p'])
  t.ok(m.isNoise('r', 'p'))
  for (let i = 0; i < 3; i++) m.observe('r', ['p'], [])
  t.notOk(m.isNoise('r', 'p'), 'old observations leave the window')
  m.observe('gone', ['q'], ['q'])
  m.retain(new Set(['r']))
  t.same(m.noisyPaths('gone'), [])
  t.equal(m.samples('r'), 3)
  t.equal(m.repeatReference('r', 'GET /c', packFingerprint({ x: '2', y: '1' }))?.length, 0, 'kept keys of kept routes')
})
