/**
 * The sample shows what the chain decided: with the shipped money.js, a price that differs by
 * less than a cent is forgiven. It is listed on the result and the sample as forgiven (by
 * money), kept out of the field table of failures, and marked forgiven in the body diff instead
 * of struck through; the real difference next to it stays a failure.
 */
import t from 'tap'
import { fileURLToPath } from 'node:url'
import { Writable } from 'node:stream'
import { createLoggers } from '../../src/logging/logger.js'
import { Metrics } from '../../src/metrics/registry.js'
import { renderSamplePage } from '../../src/report/drilldown-page.js'
import { Reporter } from '../../src/report/reporter.js'
import { SampleStore } from '../../src/report/samples.js'
import { compareDirect, exchange, resp } from '../compare/helpers.js'
import { route } from './fixtures.js'

const MONEY = fileURLToPath(new URL('../../config/comparators/money.js', import.meta.url))

t.test('money.js forgives the cent; the sample marks it forgiven, not failed', async (t) => {
  const ex = exchange(resp({ total: 10.001, items: [{ price: 5 }], name: 'a' }), resp({ total: 10.004, items: [{ price: 5 }], name: 'b' }))
  const r = await compareDirect(ex, { comparators: ['status', 'headers', 'json', MONEY] })
  t.equal(r.verdict, 'mismatch')
  t.equal(r.decidedBy, 'money')
  t.same(r.fields.map((f) => f.path), ['$.name'])
  t.same(r.forgiven, [{ path: '$.total', concretePath: '$.total', kind: 'changed', primary: 10.001, candidate: 10.004, by: 'money' }])

  const loggers = createLoggers({ level: 'silent', logStream: new Writable({ write (_c, _e, cb) { cb() } }) })
  t.teardown(() => loggers.close())
  const samples = new SampleStore()
  const reporter = new Reporter({ metrics: new Metrics({ defaultMetrics: false }), diffs: loggers.diffs, samples })
  reporter.setRoutes([{ ...route('r'), compare: { ...route('r').compare, comparators: ['status', 'headers', 'json', MONEY] } }])
  reporter.record(r, ex)
  const sample = samples.get(ex.id)
  t.same(sample?.forgiven, r.forgiven)

  const html = renderSamplePage(sample!)
  // the failure: struck through as jsondiffpatch does
  t.match(html, /<li class="jsondiffpatch-modified" data-key="name">/)
  // the forgiven value: its own class and a label naming the comparator
  t.match(html, /<li class="jsondiffpatch-modified forgiven" data-key="total" title="forgiven by money"><div class="jsondiffpatch-property-name">total <span class="forgiven-by">forgiven by money<\/span><\/div>/)
  t.equal(html.match(/class="jsondiffpatch-[a-z]+ forgiven"/g)?.length, 1, 'only the forgiven node')
  // the failure table lists $.name only; the forgiven table lists $.total with its comparator
  const [failures, forgivenTable] = html.split('<h3>Forgiven')
  t.match(failures, /<code>\$\.name<\/code>/)
  t.notMatch(failures.split('<h3>Request headers')[0], /\$\.total/)
  t.match(forgivenTable, /<table class="diff forgiven">.*<th>forgiven by<\/th>.*<code>\$\.total<\/code>.*<td><code>money<\/code><\/td>/s)
  t.match(html, /1 difference forgiven by <code>money<\/code>/)
})

t.test('a comparator that decides without changing the fields forgives nothing', async (t) => {
  const ex = exchange(resp({ total: 10.001, name: 'a' }), resp({ total: 10.5, name: 'b' }))
  const r = await compareDirect(ex, { comparators: ['status', 'headers', 'json', MONEY] })
  t.equal(r.verdict, 'mismatch')
  t.equal(r.decidedBy, 'chain')
  t.equal(r.forgiven, undefined)
})
