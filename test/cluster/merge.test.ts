/** Merging workers' reports and live split state (src/cluster/merge.ts), and pool sizing. */
import t from 'tap'
import { mergeLive, mergeReports } from '../../src/cluster/merge.js'
import { compareThreadsPerWorker } from '../../src/cluster/sizing.js'
import type { RouteReport } from '../../src/report/aggregates.js'
import type { SplitStatus } from '../../src/split/registry.js'

const route = (over: Partial<RouteReport>): RouteReport => ({
  route: 'r', total: 0, verdicts: { match: 0, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0 },
  mismatchRate: 0, errorRate: 0, topFields: [], signatures: [], ...over,
})

t.test('counts sum, rates follow the sums, signatures merge by hash', async (t) => {
  const a = route({
    total: 10, verdicts: { match: 6, mismatch: 3, noise: 0, candidate_error: 1, skipped: 0 },
    topFields: [{ field: '$.a', count: 3, rate: 0.3 }],
    signatures: [{ signature: 's1', verdict: 'mismatch', count: 3, lastSeen: 100, fields: ['$.a'], sampleIds: ['a1'] }],
  })
  const b = route({
    total: 30, verdicts: { match: 20, mismatch: 9, noise: 1, candidate_error: 0, skipped: 0 },
    topFields: [{ field: '$.a', count: 5, rate: 5 / 30 }, { field: '$.b', count: 9, rate: 0.3 }],
    signatures: [
      { signature: 's1', verdict: 'mismatch', count: 5, lastSeen: 300, fields: ['$.a'], sampleIds: ['b1', 'b2'] },
      { signature: 's2', verdict: 'mismatch', count: 4, lastSeen: 200, fields: ['$.b'], sampleIds: [] },
    ],
  })
  const other = route({ route: 'only-b', total: 1, verdicts: { match: 1, mismatch: 0, noise: 0, candidate_error: 0, skipped: 0 } })
  const merged = mergeReports([{ generatedAt: 'x', routes: [a] }, { generatedAt: 'y', routes: [b, other] }], 1)
  t.same(merged.routes.map((r) => r.route), ['r', 'only-b'])
  const r = merged.routes[0]
  t.equal(r.total, 40)
  t.same(r.verdicts, { match: 26, mismatch: 12, noise: 1, candidate_error: 1, skipped: 0 })
  t.equal(r.mismatchRate, 12 / 40)
  t.equal(r.errorRate, 1 / 40)
  t.same(r.topFields, [{ field: '$.b', count: 9, rate: 9 / 40 }], 'cut to the limit, largest first')
  t.same(r.signatures, [
    { signature: 's1', verdict: 'mismatch', count: 8, lastSeen: 300, fields: ['$.a'], sampleIds: ['a1', 'b1', 'b2'] },
    { signature: 's2', verdict: 'mismatch', count: 4, lastSeen: 200, fields: ['$.b'], sampleIds: [] },
  ])
  t.same(a.signatures[0].sampleIds, ['a1'], 'inputs untouched')
  t.same(mergeReports([]).routes, [])
})

t.test('ties: fields by name, signatures by the latest', async (t) => {
  const sig = (signature: string, lastSeen: number) => ({ signature, verdict: 'mismatch' as const, count: 1, lastSeen, fields: [], sampleIds: [] })
  const r = mergeReports([{
    generatedAt: 'x',
    routes: [route({ total: 2, topFields: [{ field: '$.z', count: 1, rate: 0.5 }, { field: '$.a', count: 1, rate: 0.5 }], signatures: [sig('old', 1), sig('new', 2)] })],
  }]).routes[0]
  t.same(r.topFields.map((f) => f.field), ['$.a', '$.z'])
  t.same(r.signatures.map((s) => s.signature), ['new', 'old'])
})

const status = (over: Partial<SplitStatus>): SplitStatus => ({
  route: 'r', to: 'c', samples: 0, candidateErrorRate: 0, mismatches: 0, mismatchRate: 0, latencyRatio: null,
  p99: { primary: null, candidate: null }, ready: true, weight: 0.5, fileWeight: 0.5, tripped: null, windowMs: 60_000, minSamples: 5, ...over,
})

t.test('live state: samples sum, rates weighted, p99 worst, ready only if all, trip wins', async (t) => {
  const trip = { reason: 'error_rate' as const, at: 1, numbers: { errorRate: 1, mismatchRate: 0, p99: { primary: 1, candidate: 2 }, samples: 9 } }
  const live = mergeLive([
    { r: status({ samples: 10, candidateErrorRate: 0.1, mismatches: 1, mismatchRate: 0.2, latencyRatio: 1.5, p99: { primary: 5, candidate: null } }) },
    { r: status({ samples: 30, candidateErrorRate: 0.5, mismatches: 2, mismatchRate: 0, latencyRatio: null, p99: { primary: 2, candidate: 7 }, ready: false, weight: 0, tripped: trip }) },
  ])
  t.match(live.r, {
    workers: 2, samples: 40, mismatches: 3, latencyRatio: 1.5, p99: { primary: 5, candidate: 7 }, ready: false, weight: 0.5, tripped: trip,
  })
  t.equal(live.r.candidateErrorRate, (0.1 * 10 + 0.5 * 30) / 40)
  t.equal(live.r.mismatchRate, (0.2 * 10) / 40)
  const empty = mergeLive([{ r: status({}) }, {}])
  t.match(empty.r, { workers: 1, samples: 0, candidateErrorRate: 0, mismatchRate: 0, tripped: null })
})

t.test('comparison threads per worker', async (t) => {
  t.equal(compareThreadsPerWorker(8, 2), 3)
  t.equal(compareThreadsPerWorker(2, 2), 1, 'never zero')
  t.equal(compareThreadsPerWorker(16, 4), 3)
  t.equal(compareThreadsPerWorker(4, 8), 1)
})

t.test('window figures merge exactly: two workers equal one process that saw all the traffic', async (t) => {
  const { mergeWorkerReports } = await import('../../src/cluster/merge.js')
  const { Reporter } = await import('../../src/report/reporter.js')
  const { Metrics } = await import('../../src/metrics/registry.js')
  const { SampleStore } = await import('../../src/report/samples.js')
  const { pino } = await import('pino')
  const fx = await import('../report/fixtures.js')
  const now = 1_000_000
  const make = () => {
    const r = new Reporter({ metrics: new Metrics({ defaultMetrics: false }), diffs: pino({ level: 'silent' }), samples: new SampleStore(), now: () => now })
    r.setRoutes([fx.route('orders')])
    return r
  }
  const [w1, w2, single] = [make(), make(), make()]
  for (let i = 0; i < 40; i++) {
    const ex = fx.exchange('orders', { startedAt: now - 1000, request: { method: 'GET', path: `/orders/${i}`, headers: {} }, primary: { status: 200, headers: {}, body: new Uint8Array(), truncated: false, durationMs: 2 + i }, candidate: { status: 200, headers: {}, body: new Uint8Array(), truncated: false, durationMs: 1 + i * 3 } })
    const res = i % 4 === 0 ? fx.result(ex, 'mismatch', [fx.changed('$.items[*].price', 1, 2)], { noise: ['$.items[*].at'] }) : fx.result(ex, 'match')
    for (const rep of [i % 2 === 0 ? w1 : w2, single]) rep.record(res, ex)
  }
  const part = (r: InstanceType<typeof Reporter>) => ({ report: r.report('5m'), stats: r.snapshots('5m') })
  const merged = mergeWorkerReports([part(w1), part(w2)], '5m')
  const one = single.report('5m').routes[0]
  const m = merged.routes[0]
  t.equal(merged.window, '5m')
  for (const k of ['window', 'total', 'verdicts', 'latency', 'readiness', 'fieldTree', 'endpoints'] as const) t.same(m[k], one[k], `${k} as one process`)
  t.ok((m.latency?.samples ?? 0) === 40 && (m.endpoints?.length ?? 0) === 1)
  const none = mergeWorkerReports([{ report: { generatedAt: 'x', routes: [route({ total: 1 })] }, stats: {} }], 'all')
  t.notOk('latency' in none.routes[0], 'a worker without figures leaves the route as merged')
})
