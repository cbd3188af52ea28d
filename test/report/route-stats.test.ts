import t from 'tap'
import { Writable } from 'node:stream'
import { pino } from 'pino'
import { createAdminServer } from '../../src/admin/server.js'
import { EndpointGrouper, inferTemplate } from '../../src/report/endpoints.js'
import { bucketOf, quantile } from '../../src/report/latency.js'
import { Metrics } from '../../src/metrics/registry.js'
import { Reporter } from '../../src/report/reporter.js'
import { RouteStats } from '../../src/report/route-stats.js'
import { SampleStore } from '../../src/report/samples.js'
import { parseWindow, WindowedCounts } from '../../src/report/windows.js'
import { changed, exchange, result, route } from './fixtures.js'
import { call } from './http.js'

t.test('templates: identifiers become :id, names stay, query dropped', async (t) => {
  t.equal(inferTemplate('/api/v1/orders/42?x=1'), '/api/v1/orders/:id')
  t.equal(inferTemplate('/u/3f2b8c1e-1b2c-4d5e-8f90-0123456789ab/cart'), '/u/:id/cart')
  t.equal(inferTemplate('/blobs/deadbeef12'), '/blobs/:id')
  t.equal(inferTemplate('/s/AbCdEfGh12345678IjKlMn'), '/s/:id')
  t.equal(inferTemplate('/health/deadbeef'), '/health/deadbeef', 'hex without a digit is a word')
  t.equal(inferTemplate('/'), '/')
})

t.test('endpoints: route template wins, bounded with an other bucket', async (t) => {
  const g = new EndpointGrouper(2)
  g.setTemplates(new Map([['t', '/orders/:orderId']]))
  t.equal(g.endpoint('t', 'GET', '/orders/abc'), 'GET /orders/:orderId')
  t.equal(g.endpoint('r', 'GET', '/a/1'), 'GET /a/:id')
  t.equal(g.endpoint('r', 'POST', '/a/2'), 'POST /a/:id')
  t.equal(g.endpoint('r', 'GET', '/b'), 'other')
  t.equal(g.endpoint('r', 'GET', '/a/3'), 'GET /a/:id', 'known endpoints still count')
})

t.test('latency histogram: quantiles within a bucket, clamped ends', async (t) => {
  t.equal(bucketOf(0), 0)
  t.equal(bucketOf(1e9), 87)
  const counts = new Uint32Array(88)
  counts[bucketOf(10)] = 99
  counts[bucketOf(100)] = 1
  const p50 = quantile(counts, 0, 0.5) as number
  t.ok(p50 > 9 && p50 < 11, `p50 ${p50}`)
  const p99 = quantile(counts, 0, 0.99) as number
  t.ok(p99 < 11, 'p99 of 100 samples is the 99th')
  t.ok((quantile(counts, 0, 1) as number) > 90)
  t.equal(quantile(new Uint32Array(88), 0, 0.5), null)
})

t.test('windows: slots age out, all stays', async (t) => {
  const w = new WindowedCounts()
  const t0 = 1_000_000_000
  w.add(t0, 'mismatch', { primary: 1, candidate: 2 })
  w.add(t0 + 200_000, 'match', undefined)
  t.equal(w.read('5m', t0 + 200_000).total, 2)
  t.equal(w.read('5m', t0 + 400_000).total, 1, 'the first left the 5m window')
  t.equal(w.read('1h', t0 + 400_000).total, 2)
  t.equal(w.read('5m', t0 + 1_000_000).total, 0)
  t.equal(w.read('all', t0 + 1e9).total, 2)
  w.add(t0 + 300_000, 'match', undefined) // reuses the first 5m slot
  w.add(t0 + 5, 'noise', undefined) // late: joins the newer slot content
  t.same(w.read('5m', t0 + 300_000).verdictCounts(), { match: 2, mismatch: 0, noise: 1, candidate_error: 0, skipped: 0 })
  t.same([parseWindow(null), parseWindow('1h'), parseWindow('2h')], ['all', '1h', undefined])
})

t.test('route stats: windowed counts, latency ratio with floor, readiness, endpoint fields', async (t) => {
  const s = new RouteStats({ maxFields: 1, topFields: 5 })
  const now = 5_000_000
  for (let i = 0; i < 150; i++) s.add('r', 'GET /a/:id', 'match', [], { primary: 10, candidate: 20 }, now)
  s.add('r', 'GET /b', 'mismatch', ['$.x', '$.y'], undefined, now)
  s.add('r', 'GET /b', 'mismatch', ['$.x'], undefined, now)
  const rep = s.report('r', '5m', now)
  t.match(rep, { window: '5m', total: 152, verdicts: { match: 150, mismatch: 2 }, latency: { samples: 150, slower: true } })
  t.ok(rep.latency.ratio! > 1.8)
  t.same(rep.readiness.reasons.map((r) => r.code), ['mismatches', 'latency'])
  t.same(rep.endpoints.map((e) => e.endpoint), ['GET /b', 'GET /a/:id'], 'mismatching endpoints first')
  t.same(rep.endpoints[0].topFields, [{ field: '$.x', count: 2 }, { field: '__other__', count: 1 }])
  t.equal(s.report('r', '5m', now + 3_600_000).endpoints.length, 0, 'an empty window lists no endpoint')
  t.ok(s.has('r'))
  t.notOk(s.has('q'))
})

t.test('reporter + admin: ?window, endpoints from match.path, readiness per route, bad window 400', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const samples = new SampleStore()
  const log = pino(new Writable({ write (_c, _e, cb) { cb() } }))
  let clock = 10_000_000
  const reporter = new Reporter({ metrics, diffs: log, samples, now: () => clock })
  const tmpl = route('orders')
  tmpl.match = { path: '/api/v1/orders/:id' }
  tmpl.compare.latency = { maxRatio: 3, floorMs: 1 }
  reporter.setRoutes([tmpl, route('other')])
  for (let i = 0; i < 3; i++) {
    const ex = exchange('orders', { startedAt: clock })
    reporter.record(result(ex, i === 0 ? 'mismatch' : 'match', i === 0 ? [changed('$.total', 1, 2)] : []), ex)
  }
  const failed = exchange('other', { startedAt: clock })
  failed.candidate = { ...failed.candidate, status: 0, failure: 'timeout' as never }
  reporter.record(result(failed, 'candidate_error'), failed)
  clock += 600_000
  const admin = createAdminServer({ host: '127.0.0.1', port: 0, metrics, reporter, samples, log, hooks: {
    ready: () => true, reload: async () => ({ ok: true, hash: '' }), setSplit: () => ({ ok: false, status: 404, error: '' }),
  } })
  const { port } = await admin.listen()
  t.teardown(() => admin.close())
  const all = (await call(`http://127.0.0.1:${port}/api/report`)).json()
  t.equal(all.window, 'all')
  t.match(all.routes[0], { route: 'orders', total: 3, endpoints: [{ endpoint: 'GET /api/v1/orders/:id', total: 3 }], readiness: { state: 'not_ready' }, latency: { samples: 3, slower: false } })
  t.match(all.routes[1], { route: 'other', latency: { samples: 0, ratio: null } })
  const recent = (await call(`http://127.0.0.1:${port}/api/report?window=5m`)).json()
  t.match(recent.routes[0], { window: '5m', total: 0, readiness: { state: 'insufficient_data' } })
  const bad = await call(`http://127.0.0.1:${port}/api/report?window=2h`)
  t.equal(bad.status, 400)
  t.match(bad.json(), { error: { code: 'SHADOWFIG_ERR_BAD_REQUEST' } })
})
