import t from 'tap'
import { RouteAggregates } from '../../src/report/aggregates.js'

t.test('field and signature tables are bounded', async (t) => {
  const a = new RouteAggregates({ maxFields: 2, maxSignatures: 2, topFields: 10 })
  a.add('r', 'mismatch', ['$.a', '$.b'], 'S1', 1)
  a.add('r', 'mismatch', ['$.c', '$.d'], 'S2', 2)
  a.add('r', 'mismatch', ['$.a'], 'S1', 3)
  a.add('r', 'mismatch', ['$.e'], 'S3', 4) // S2 is now least recently seen
  const rep = a.report('r', [{ route: 'r', signature: 'S1', ids: ['x'] }])
  t.same(rep.topFields, [
    { field: '__other__', count: 3, rate: 3 / 4 },
    { field: '$.a', count: 2, rate: 2 / 4 },
    { field: '$.b', count: 1, rate: 1 / 4 },
  ])
  t.same(rep.signatures.map((s) => [s.signature, s.count, s.lastSeen, s.sampleIds]), [['S1', 2, 3, ['x']], ['S3', 1, 4, []]])
})

t.test('ties sort by name, signatures by recency', async (t) => {
  const a = new RouteAggregates({ topFields: 1 })
  a.add('r', 'mismatch', ['$.b'], 'S1', 1)
  a.add('r', 'mismatch', ['$.a'], 'S2', 5)
  const rep = a.report('r', [])
  t.same(rep.topFields.map((f) => f.field), ['$.a'])
  t.same(rep.signatures.map((s) => s.signature), ['S2', 'S1'])
  t.same(a.routes(), ['r'])
})
