import t from 'tap'
import { DEFAULT_FIELD_LIMIT, FieldLabeler, MAX_FIELD_LABEL, OTHER_FIELD, VALUE_KEY, fieldLabel } from '../../src/report/field-labels.js'
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

t.test('labels carry key names only: value-like keys hidden, control characters replaced, length capped', async (t) => {
  t.equal(fieldLabel('$.items[*].price'), '$.items[*].price')
  t.equal(fieldLabel('header:x-request-id'), 'header:x-request-id')
  t.equal(fieldLabel('$.address_line2'), '$.address_line2')
  t.equal(fieldLabel("$.tokens['sk_live_4eC39HqLyjWDarjtT1zdp7dc'].active"), `$.tokens['${VALUE_KEY}'].active`, 'a token used as a key')
  t.equal(fieldLabel("$.users['123'].name"), `$.users['${VALUE_KEY}'].name`, 'an id used as a key')
  t.equal(fieldLabel("$.by['550e8400-e29b-41d4-a716-446655440000']"), `$.by['${VALUE_KEY}']`, 'a UUID')
  t.equal(fieldLabel("$.by['bob@example.com'].x"), `$.by['${VALUE_KEY}'].x`, 'an e-mail address')
  t.equal(fieldLabel('$.sessions.d41d8cd98f00b204e9800998ecf8427e'), `$.sessions.${VALUE_KEY}`, 'long hex as a dotted name')
  t.equal(fieldLabel('header:sk_live_4eC39HqLyjWDarjtT1zdp7dc'), `header:${VALUE_KEY}`)
  t.equal(fieldLabel("$['a\nb\u0000c\u007f']"), "$['a?b?c?']", 'control characters (formatPath leaves them raw) become ?')
  const long = '$.' + Array.from({ length: 40 }, (_, i) => `field_name_${'x'.repeat(i % 3)}`).join('.')
  const a = fieldLabel(long)
  t.equal(a.length, MAX_FIELD_LABEL)
  t.not(a, fieldLabel(long + '.other'), 'capped labels of different paths stay distinct')

  const metrics = new Metrics({ defaultMetrics: false })
  const l = new FieldLabeler()
  metrics.fieldMismatches.inc({ route: 'r', field: l.label('r', "$.keys['sk_live_4eC39HqLyjWDarjtT1zdp7dc']") })
  metrics.fieldMismatches.inc({ route: 'r', field: l.label('r', "$['quote\"back\\slash']") })
  const text = await metrics.registry.metrics()
  t.notMatch(text, /sk_live/, 'the exposition never shows the key')
  t.match(text, `field="$.keys['${VALUE_KEY}']"`)
  t.match(text, 'field="$[\'quote\\"back\\\\slash\']"', 'quotes and backslashes escaped in the exposition')
})

