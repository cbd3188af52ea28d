import t from 'tap'
import { routeSchema } from '../../src/config/schema.js'
import type { RouteConfig } from '../../src/config/schema.js'
import { Metrics } from '../../src/metrics/registry.js'
import { SplitRegistry } from '../../src/split/registry.js'
import { collector, value } from './fixtures.js'

function routes (invoicesWeight: string): RouteConfig[] {
  return [
    { name: 'orders', match: { pathPrefix: '/orders' }, primary: 'monolith' },
    { name: 'invoices', match: { pathPrefix: '/invoices' }, primary: 'monolith', split: { to: 'billing-svc', weight: invoicesWeight, guard: { minSamples: 10 } } },
    { name: 'refunds', match: { pathPrefix: '/refunds' }, primary: 'monolith', split: { to: 'refunds-svc', weight: 0.5 } },
  ].map((r) => routeSchema.parse(r))
}

t.test('holds one controller per split route', async (t) => {
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log: collector().log }, routes('5%'))
  t.same(reg.all().map((c) => c.route), ['invoices', 'refunds'])
  t.equal(reg.get('orders'), undefined)
  t.equal(reg.get('invoices')?.weight, 0.05)
  t.match(reg.status(), [
    { route: 'invoices', to: 'billing-svc', weight: 0.05, fileWeight: 0.05, ready: false, samples: 0, tripped: null },
    { route: 'refunds', to: 'refunds-svc', weight: 0.5 },
  ])
  t.same(Object.keys(reg.statusByRoute()), ['invoices', 'refunds'])
  t.match(reg.statusByRoute().refunds, { route: 'refunds', weight: 0.5, minSamples: 100 })
})

t.test('setWeight answers in the admin hook shape', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const reg = new SplitRegistry({ metrics, log: collector().log }, routes('5%'))
  t.same(reg.setWeight('invoices', 0), { ok: true, route: 'invoices', weight: 0, fileWeight: 0.05 })
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0)
  t.same(reg.setWeight('invoices', '20%'), { ok: true, route: 'invoices', weight: 0.2, fileWeight: 0.05 })
  t.match(reg.setWeight('orders', 0), { ok: false, status: 404, error: /orders.*invoices, refunds/ })
  t.match(reg.setWeight('nope', 0), { ok: false, status: 404 })
  for (const bad of [2, -0.1, 'lots', null, undefined, '150%']) {
    t.match(reg.setWeight('invoices', bad), { ok: false, status: 400, error: /between 0 and 1/ }, String(bad))
  }
  t.equal(reg.get('invoices')?.weight, 0.2, 'a rejected value changes nothing')
})

t.test('rebuild carries live state over for unchanged splits and starts fresh for changed ones', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const reg = new SplitRegistry({ metrics, log: collector().log })
  t.same(reg.all(), [])
  reg.rebuild(routes('5%'))
  reg.setWeight('invoices', 0)
  reg.setWeight('refunds', 0.9)
  reg.rebuild(routes('5%'))
  t.equal(reg.get('invoices')?.weight, 0, 'unchanged split keeps the live rollback')
  t.equal(reg.get('refunds')?.weight, 0.9)
  reg.rebuild(routes('10%'))
  t.equal(reg.get('invoices')?.weight, 0.1, 'an edited split takes the file weight')
  t.equal(reg.get('refunds')?.weight, 0.9)
  reg.rebuild(routes('10%').slice(0, 2))
  t.equal(reg.get('refunds'), undefined)
  t.equal(await value(metrics.splitWeight, { route: 'refunds' }), undefined, 'the gauge of a removed split is gone')
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0.1)
})
