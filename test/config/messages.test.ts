import t from 'tap'
import { z } from 'zod'
import { closest, describeValue, distance, valueAt, zodIssueToDrafts } from '../../src/config/messages.js'
import { describeAt, knownKeys, schemaAt } from '../../src/config/schema-walk.js'
import { formatKeyPath } from '../../src/config/positions.js'

t.test('did you mean', async (t) => {
  t.equal(distance('sampel', 'sample'), 2)
  t.equal(distance('', 'abc'), 3)
  t.equal(distance('Sample', 'sample'), 0, 'case-insensitive')
  t.equal(closest('sampel', ['candidate', 'sample', 'sticky']), 'sample')
  t.equal(closest('zzzzzz', ['candidate', 'sample']), undefined, 'nothing close')
})

t.test('found values are short and never secret', async (t) => {
  t.equal(describeValue('x'.repeat(80), ['a']), JSON.stringify('x'.repeat(57) + '...'))
  t.equal(describeValue([], ['a']), 'an empty list')
  t.equal(describeValue(null, ['a']), 'an empty value')
  t.equal(describeValue(undefined, ['a']), 'nothing')
  t.equal(describeValue({}, ['a']), 'a mapping')
  t.equal(describeValue('hunter2', ['admin', 'token']), 'a string (value hidden)')
  t.equal(describeValue('hunter2', ['db', 'password']), 'a string (value hidden)')
  t.equal(valueAt({ a: [{ b: 1 }] }, ['a', 0, 'b']), 1)
  t.equal(valueAt({ a: 1 }, ['a', 'b']), undefined)
})

t.test('issue codes without a dedicated message keep zod\'s, plus what was found', async (t) => {
  const r = z.object({ n: z.number().multipleOf(5) }).safeParse({ n: 7 })
  t.equal(r.success, false)
  const drafts = r.success ? [] : r.error.issues.flatMap((i) => zodIssueToDrafts(i, { n: 7 }))
  t.same(drafts, [{ path: ['n'], message: 'Too small: expected number to be a multiple of 5, found 7'.replace('Too small: expected number to be a multiple of 5', r.success ? '' : r.error.issues[0].message) }])
  const u = z.object({ u: z.union([z.number(), z.boolean()]) }).safeParse({ u: 'x' })
  const ud = u.success ? [] : u.error.issues.flatMap((i) => zodIssueToDrafts(i, { u: 'x' }))
  t.same(ud, [{ path: ['u'], message: 'expected another form, found "x"' }], 'a union without a description')
})

t.test('schema walk', async (t) => {
  t.equal(schemaAt(['listen', 'port', 'deeper']), undefined, 'a path below a scalar leaves the schema')
  t.equal(schemaAt(['nope']), undefined)
  t.equal(schemaAt(['nope', 'x']), undefined)
  t.same(knownKeys(['listen', 'port']), [], 'a scalar has no keys')
  t.same(knownKeys(['nope']), [])
  t.equal(describeAt(['nope']), undefined)
  t.equal(describeAt(['routes', 0, 'name']), undefined, 'no description anywhere')
  t.match(describeAt(['upstreams', 'x', 'timeout']), /^Duration/, 'the type\'s description wins over the key\'s')
})

t.test('key paths', async (t) => {
  t.equal(formatKeyPath(['routes', 2, 'shadow', 'sample']), 'routes[2].shadow.sample')
  t.equal(formatKeyPath(['upstreams', 'orders-svc', 'url']), 'upstreams.orders-svc.url')
  t.equal(formatKeyPath(['compare', 'arrays', '$.items']), 'compare.arrays["$.items"]')
  t.equal(formatKeyPath([]), '')
})
