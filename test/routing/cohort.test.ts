import t from 'tap'
import { cohortBucket, cohortHash, cohortKey, compileCohortKey, readCookie } from '../../src/routing/cohort.js'

t.test('buckets are pinned: changing the hash would reshuffle every cohort', async (t) => {
  // Values cross-checked with an independent Python FNV-1a + fmix32 implementation.
  t.equal(cohortHash('order-by-id', 'user-42'), 1822686488)
  t.equal(cohortHash('', ''), 91794203)
  t.equal(cohortBucket('order-by-id', 'user-42'), 1822686488 / 2 ** 32)
  t.not(cohortBucket('route-a', 'user-42'), cohortBucket('route-b', 'user-42'), 'route name is part of the key')
  t.not(cohortBucket('ab', 'c'), cohortBucket('a', 'bc'), 'separator keeps route and key apart')
})

t.test('buckets are uniform in [0,1)', async (t) => {
  const bins = new Array<number>(10).fill(0)
  let min = 1
  let max = 0
  for (let i = 0; i < 10_000; i++) {
    const b = cohortBucket('order-by-id', `user-${i}`)
    min = Math.min(min, b)
    max = Math.max(max, b)
    bins[Math.floor(b * 10)]++
  }
  t.ok(min >= 0 && max < 1, `range [${min}, ${max}]`)
  // binomial(10000, 0.1): mean 1000, sd 30; 5 sd either side
  for (const [i, n] of bins.entries()) t.ok(n > 850 && n < 1150, `bin ${i} holds ${n}`)
  const chi2 = bins.reduce((s, n) => s + (n - 1000) ** 2 / 1000, 0)
  t.ok(chi2 < 27.88, `chi-square ${chi2.toFixed(2)} below the 0.001 critical value for 9 df`)
})

t.test('raising a weight only moves cohorts primary → candidate', async (t) => {
  const keys = Array.from({ length: 2000 }, (_, i) => `s${i}`)
  const at = (w: number): Set<string> => new Set(keys.filter((k) => cohortBucket('inv', k) < w))
  const five = at(0.05)
  const twenty = at(0.2)
  t.ok(five.size > 50 && twenty.size > 300)
  t.ok([...five].every((k) => twenty.has(k)))
})

t.test('header keys', async (t) => {
  const read = compileCohortKey('header:X-User-Id')
  t.equal(read({ 'x-user-id': 'u1' }), 'u1')
  t.equal(read({ 'x-user-id': ['u2', 'u3'] as unknown as string }), 'u2')
  t.equal(read({ 'x-user-id': '' }), undefined, 'empty value = no cohort')
  t.equal(read({}), undefined)
  t.equal(cohortKey('header:x-user-id', { 'x-user-id': 'u9' }), 'u9')
  t.equal(cohortKey('header:x-user-id', { 'x-user-id': 'u8' }), 'u8', 'cached reader')
})

t.test('cookie keys', async (t) => {
  t.equal(cohortKey('cookie:session', { cookie: 'a=1; session=abc; b=2' }), 'abc')
  t.equal(cohortKey('cookie:session', { cookie: 'session=first;session=second' }), 'first')
  t.equal(cohortKey('cookie:session', { cookie: 'xsession=no; session = "q v" ' }), 'q v', 'exact name, trimmed, quotes removed')
  t.equal(cohortKey('cookie:session', { cookie: 'session=' }), undefined)
  t.equal(cohortKey('cookie:session', { cookie: 'flag; other=1' }), undefined)
  t.equal(cohortKey('cookie:session', {}), undefined)
  t.equal(readCookie('a=b=c', 'a'), 'b=c', 'value may hold =')
  t.equal(readCookie('x="', 'x'), '"', 'a lone quote is kept')
  t.equal(readCookie('', 'x'), undefined)
})

t.test('malformed specs throw', async (t) => {
  t.throws(() => compileCohortKey('query:x'), TypeError)
  t.throws(() => compileCohortKey('header:'), TypeError)
  t.throws(() => compileCohortKey('nocolon'), TypeError)
})
