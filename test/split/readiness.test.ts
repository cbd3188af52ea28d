import t from 'tap'
import { Metrics } from '../../src/metrics/registry.js'
import { SplitController } from '../../src/split/controller.js'
import { routeSchema } from '../../src/config/schema.js'
import { SplitRegistry } from '../../src/split/registry.js'
import { collector, harness, splitConfig } from './fixtures.js'

const guard = { maxErrorRate: '1%', window: '1m', minSamples: 100 }

function feed (c: SplitController, n: number, candMs: number): void {
  for (let i = 0; i < n; i++) {
    c.recordPrimary(10, 200)
    c.recordCandidate({ status: 200, durationMs: candMs })
    c.recordVerdict('match')
  }
}

t.test('a clean route with enough samples is ready', async (t) => {
  const { c } = harness({ weight: '5%', guard })
  feed(c, 49, 10.2)
  t.match(c.readiness(), { ready: false, samples: 98 }, 'live + compared samples, under minSamples')
  feed(c, 51, 10.2)
  const r = c.readiness()
  t.match(r, { ready: true, samples: 200, candidateErrorRate: 0, mismatches: 0, mismatchRate: 0, weight: 0.05, fileWeight: 0.05, tripped: null })
  t.ok(r.latencyRatio! <= 1.1, `latency ratio ${r.latencyRatio}`)
})

t.test('one unexplained mismatch, a 0.1% error rate or a slow candidate is not ready', async (t) => {
  const mism = harness({ weight: '5%', guard }).c
  feed(mism, 200, 10)
  mism.recordVerdict('mismatch')
  t.match(mism.readiness(), { ready: false, mismatches: 1 })

  const errs = harness({ weight: '5%', guard }).c
  feed(errs, 400, 10)
  errs.recordCandidate({ status: 500, durationMs: 1 })
  t.equal(errs.readiness().ready, false, `error rate ${errs.readiness().candidateErrorRate}`)

  const slow = harness({ weight: '5%', guard }).c
  feed(slow, 200, 13)
  t.match(slow.readiness(), { ready: false, candidateErrorRate: 0, mismatches: 0 })
})

t.test('sub-millisecond latencies never hold a route back; the route\'s compare.latency is the rule', async (t) => {
  const fast = harness({ weight: '5%', guard }).c
  for (let i = 0; i < 200; i++) {
    fast.recordPrimary(0.2, 200)
    fast.recordCandidate({ status: 200, durationMs: 0.5 })
  }
  const r = fast.readiness()
  t.ok(r.latencyRatio !== null && r.latencyRatio > 2, `ratio ${r.latencyRatio}`)
  t.match(r, { ready: true, state: 'ready', reasons: [] }, '0.3 ms slower than a 0.2 ms primary is within the 2 ms floor')

  // The same traffic under a route whose compare.latency floor is 0.1 ms: not ready, as the report says.
  const route = routeSchema.parse({ name: 'invoices', match: { pathPrefix: '/' }, primary: 'mono', compare: { latency: { maxRatio: 1.1, floor: '0.1ms' } }, split: { to: 'cand', weight: '5%', guard } })
  const reg = new SplitRegistry({ metrics: new Metrics({ defaultMetrics: false }), log: collector().log }, [route])
  const strict = reg.get('invoices') as SplitController
  for (let i = 0; i < 200; i++) {
    strict.recordPrimary(0.2, 200)
    strict.recordCandidate({ status: 200, durationMs: 0.5 })
  }
  t.match(strict.readiness(), { ready: false, state: 'not_ready', reasons: [{ code: 'latency' }] })
})

t.test('shadow-only (weight 0) readiness rests on the verdicts', async (t) => {
  const { c } = harness({ weight: 0, guard })
  for (let i = 0; i < 150; i++) c.recordVerdict('match')
  t.match(c.readiness(), { ready: true, latencyRatio: null, samples: 150 })
})

t.test('carryOver keeps live state only when the split config is unchanged', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const { log } = collector()
  const opts = { metrics, log, now: () => 5_000 }
  const prev = new SplitController('invoices', splitConfig({ weight: '5%', guard }), opts)
  for (let i = 0; i < 100; i++) prev.recordCandidate({ status: 500, durationMs: 1 })
  t.ok(prev.tripped)

  const same = new SplitController('invoices', splitConfig({ weight: 0.05, guard: { ...guard, maxErrorRate: 0.01 } }), opts)
  t.equal(same.carryOver(prev), true)
  t.equal(same.weight, 0)
  t.equal(same.tripped, prev.tripped)
  t.equal(same.readiness().samples, 100, 'the window comes along')

  const changed = new SplitController('invoices', splitConfig({ weight: '10%', guard }), opts)
  t.equal(changed.carryOver(prev), false)
  t.equal(changed.weight, 0.1)
  t.equal(changed.tripped, undefined)

  const other = new SplitController('refunds', splitConfig({ weight: '5%', guard }), opts)
  t.equal(other.carryOver(prev), false)
})

t.test('without info() on the logger, weight changes are logged at warn', async (t) => {
  const lines: string[] = []
  const c = new SplitController('invoices', splitConfig({ weight: 0.1 }), { metrics: new Metrics({ defaultMetrics: false }), log: { warn: (_o, m) => { lines.push(m) } } })
  c.setWeight(0, 'rollback')
  t.match(lines, [/invoices.*0.*rollback/])
})

t.test('a trip is reported to onTrip and can be applied to a sibling controller (other worker)', async (t) => {
  const metrics = new Metrics({ defaultMetrics: false })
  const { log, lines } = collector()
  const seen: string[] = []
  const cfg = splitConfig({ weight: '5%', guard })
  const a = new SplitController('invoices', cfg, { metrics, log, onTrip: (route, trip) => { seen.push(`${route}:${trip.reason}`); b.applyTrip(trip) } })
  const b = new SplitController('invoices', cfg, { metrics, log })
  for (let i = 0; i < 100; i++) a.recordCandidate({ status: 500, durationMs: 1 })
  t.same(seen, ['invoices:error_rate'])
  t.equal(b.weight, 0)
  t.equal(b.tripped, a.tripped)
  t.same(lines.map((l) => l.obj.event), ['shadowfig.split.tripped', 'shadowfig.split.trip_applied'])
  b.applyTrip({ reason: 'latency_ratio', at: 0, numbers: a.tripped!.numbers })
  t.equal(b.tripped?.reason, 'error_rate', 'the first trip stays')
  t.equal(lines.length, 2)
})
