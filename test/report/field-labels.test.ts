import t from 'tap'
import { DEFAULT_FIELD_LIMIT, FieldLabeler, OTHER_FIELD } from '../../src/report/field-labels.js'
import { Metrics } from '../../src/metrics/registry.js'

t.test('first K distinct fields get a label, the rest __other__', async (t) => {
  const l = new FieldLabeler(2)
  t.equal(l.label('r', '$.a'), '$.a')
  t.equal(l.label('r', '$.b'), '$.b')
  t.equal(l.label('r', '$.c'), OTHER_FIELD)
  t.equal(l.label('r', '$.a'), '$.a', 'admitted fields keep their label')
  t.equal(l.label('other-route', '$.c'), '$.c', 'the cap is per route')
  t.equal(l.label('r2', OTHER_FIELD), OTHER_FIELD, 'a field literally named __other__ takes no slot')
  t.same(l.labelled('r2'), [])
  t.same(l.labelled('r'), ['$.a', '$.b'])
  t.same(l.forget('r'), ['$.a', '$.b'])
  t.same(l.labelled('r'), [])
  t.equal(new FieldLabeler().limit, DEFAULT_FIELD_LIMIT)
  t.throws(() => new FieldLabeler(-1), RangeError)
  t.throws(() => new FieldLabeler(1.5), RangeError)
})

t.test('10,000 random paths create at most K+1 series per route in the exposition', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const K = 50
  const l = new FieldLabeler(K)
  for (let i = 0; i < 10_000; i++) {
    const route = i % 2 === 0 ? 'even' : 'odd'
    const field = `$.f${Math.floor(Math.random() * 1e9).toString(36)}`
    metrics.fieldMismatches.inc({ route, field: l.label(route, field) })
  }
  const text = await metrics.registry.metrics()
  const series = text.split('\n').filter((line) => line.startsWith('shadowfig_field_mismatches_total{'))
  for (const route of ['even', 'odd']) {
    const mine = series.filter((s) => s.includes(`route="${route}"`))
    t.equal(mine.length, K + 1, `${route}: K labelled + __other__`)
    const other = mine.find((s) => s.includes(`field="${OTHER_FIELD}"`))
    t.ok(other, 'overflow series present')
    t.equal(Number(other!.split(' ')[1]), 5000 - K, 'every overflow counted once')
  }
})
