// The bench's healthy candidate is realistic: its body differs from the primary's in bytes
// (timestamp, float noise, key order, item order) yet the real compare engine, run with the
// route config the bench gives the proxy, ends every comparison in `match`, as does the
// identical-bytes candidate of `mirror-same-2k`.
import t from 'tap'
import { configSchema } from '../../src/config/schema.js'
import { createCompareEngine } from '../../src/compare/engine.js'
import type { Exchange } from '../../src/shadow/exchange.js'
import { makeBody, KiB } from '../../bench/backends.js'
import { shadowfigConfig } from '../../bench/configs.js'

const upstreams = { primary: 3001, candidate: 3002, slow: 3003, down: 3004 }
// The route exactly as the proxy would run it: the bench's config through the real schema.
const route = configSchema.parse(shadowfigConfig({ shadow: 'healthy', upstreams }, 8080, 9901, '/tmp/d.ndjson')).routes[0]

const answer = (body: Buffer): Exchange['primary'] =>
  ({ status: 200, headers: { 'content-type': 'application/json' }, body, truncated: false, durationMs: 1 })

const exchange = (size: number, candidate: Buffer): Exchange => ({
  id: `x-${size}`, route: 'bench', startedAt: Date.now(),
  request: { method: 'GET', path: `/json/${size}`, headers: {} },
  primary: answer(makeBody(size, 'primary')),
  candidate: answer(candidate),
})

t.test('the candidate differs from the primary only in what the route normalizes', async (t) => {
  const p = makeBody(2 * KiB, 'primary')
  const c = makeBody(2 * KiB, 'candidate')
  t.not(p.toString(), c.toString(), 'different bytes')
  t.equal(c.length, p.length, 'same length: the bench serves exactly the asked size from both')
  type Doc = { generated_at: string, total: number, items: Array<Record<string, number | string>> }
  const [pj, cj] = [JSON.parse(p.toString()) as Doc, JSON.parse(c.toString()) as Doc]
  t.not(Object.keys(cj).join(), Object.keys(pj).join(), 'top-level keys in another order')
  t.not(Object.keys(cj.items[0] ?? {}).join(), Object.keys(pj.items[0] ?? {}).join(), 'item keys in another order')
  t.same(cj.items.map((i) => i.id), pj.items.map((i) => i.id).reverse(), 'items reversed')
  t.not(cj.generated_at, pj.generated_at, 'a later timestamp')
  t.not(cj.total, pj.total)
  t.ok(cj.items.every((ci) => {
    const pi = pj.items.find((x) => x.id === ci.id) as Record<string, number>
    return ci.price !== pi.price && Math.round((ci.price as number) * 100) === Math.round((pi.price as number) * 100)
  }), 'every price differs below the route\'s precision')
  t.ok(route?.compare.ignore.length, 'the route ignores the timestamp')
})

t.test('the real compare engine with the bench route ends in match, for different and identical bytes', async (t) => {
  const engine = createCompareEngine({ threads: 1, maxQueue: 16, taskTimeoutMs: 60_000 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'bench', compare: (route as NonNullable<typeof route>).compare, hasSecondary: false }], process.cwd())
  for (const size of [300, 2 * KiB, 100 * KiB]) {
    const realistic = await engine.compare(exchange(size, makeBody(size, 'candidate')))
    t.equal(realistic.verdict, 'match', `${size} bytes, realistic candidate: ${JSON.stringify(realistic.fields)}`)
    const same = await engine.compare(exchange(size, makeBody(size, 'primary')))
    t.equal(same.verdict, 'match', `${size} bytes, the primary's very bytes`)
  }
  // The check has teeth: a price off at the 2nd decimal is a mismatch under the same route.
  const off = Buffer.from(makeBody(2 * KiB, 'candidate').toString().replace(/"price":(\d+)\.249/, '"price":$1.299'))
  t.equal((await engine.compare(exchange(2 * KiB, off))).verdict, 'mismatch')
  t.equal(engine.stats().saturated, 0)
})
