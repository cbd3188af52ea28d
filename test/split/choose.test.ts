import t from 'tap'
import { cohortBucket } from '../../src/routing/cohort.js'
import { harness, value } from './fixtures.js'

const keys = Array.from({ length: 2000 }, (_, i) => `user-${i}`)

t.test('non-sticky 5% sends a binomially plausible share to the candidate and counts both sides', async (t) => {
  const { c, metrics } = harness({ weight: '5%' })
  const n = 10_000
  let cand = 0
  for (let i = 0; i < n; i++) if (c.choose({}) === 'candidate') cand++
  const mean = n * 0.05
  const sigma = Math.sqrt(n * 0.05 * 0.95)
  t.ok(Math.abs(cand - mean) <= 4.5 * sigma, `${cand} within ${mean} ± ${(4.5 * sigma).toFixed(0)}`)
  t.equal(await value(metrics.split, { route: 'invoices', target: 'candidate' }), cand)
  t.equal(await value(metrics.split, { route: 'invoices', target: 'primary' }), n - cand)
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0.05)
})

t.test('weights 0 and 1 send everything to one side', async (t) => {
  const zero = harness({ weight: 0, sticky: 'header:x-user-id' }).c
  const one = harness({ weight: 1, sticky: 'header:x-user-id' }).c
  for (const k of keys.slice(0, 200)) {
    t.equal(zero.choose({ 'x-user-id': k }), 'primary')
    t.equal(one.choose({ 'x-user-id': k }), 'candidate')
  }
})

t.test('a cohort key lands on the same side in every controller instance (across restarts)', async (t) => {
  const sides = (): string[] => {
    const { c } = harness({ weight: '20%', sticky: 'header:x-user-id' })
    return keys.map((k) => c.choose({ 'x-user-id': k }))
  }
  const first = sides()
  t.same(sides(), first)
  // Repeated requests of one user within one instance agree too.
  const { c } = harness({ weight: '20%', sticky: 'header:x-user-id' })
  for (const k of keys.slice(0, 50)) t.equal(c.choose({ 'x-user-id': k }), c.choose({ 'x-user-id': k }))
  const cand = first.filter((s) => s === 'candidate').length
  t.ok(cand > 300 && cand < 500, `about 20% of 2000 users on the candidate (${cand})`)
})

t.test('raising the weight only moves users primary→candidate, the shadowed cohort first', async (t) => {
  const { c } = harness({ weight: '1%', sticky: 'cookie:session' })
  let previous = new Set<string>()
  for (const w of [0.01, 0.05, 0.2, 0.5, 1]) {
    c.setWeight(w, 'test step')
    const now = new Set(keys.filter((k) => c.choose({ cookie: `theme=dark; session=${k}` }) === 'candidate'))
    for (const k of previous) t.ok(now.has(k), `${k} stays on the candidate at ${w}`)
    // Same rule as shadow sampling (bucket < sample): at weight w exactly the cohort a
    // shadow sample of w mirrored is served by the candidate.
    t.same([...now].sort(), keys.filter((k) => cohortBucket('invoices', k) < w).sort(), `cohort at ${w}`)
    previous = now
  }
  t.equal(previous.size, keys.length)
})

t.test('requests without a cohort key on a sticky route fall back to random', async (t) => {
  const { c } = harness({ weight: 0.5, sticky: 'header:x-user-id' })
  const seen = new Set<string>()
  for (let i = 0; i < 200; i++) seen.add(c.choose({ cookie: 'a=b' }))
  t.same([...seen].sort(), ['candidate', 'primary'])
})

t.test('setWeight validates, moves the gauge and logs who changed it', async (t) => {
  const { c, metrics, lines } = harness({ weight: '5%' })
  t.throws(() => c.setWeight(1.5, 'x'), RangeError)
  t.throws(() => c.setWeight(Number.NaN, 'x'), RangeError)
  c.setWeight(0.2, 'admin')
  t.equal(c.weight, 0.2)
  t.equal(c.fileWeight, 0.05)
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0.2)
  t.match(lines, [{ level: 'info', obj: { event: 'shadowfig.split.weight', route: 'invoices', weight: 0.2, previous: 0.05, reason: 'admin' } }])
  c.reset()
  t.equal(c.weight, 0.05)
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0.05)
})
