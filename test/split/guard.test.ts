import t from 'tap'
import { harness, value } from './fixtures.js'

const guard = { maxErrorRate: '1%', maxMismatchRate: '0.5%', maxLatencyRatio: 1.5, window: '1m', minSamples: 100 }
const ok = { status: 200, durationMs: 10 }

t.test('an error burst trips the guard at minSamples, not before', async (t) => {
  const { c, metrics, lines } = harness({ weight: '5%', guard })
  for (let i = 0; i < 89; i++) c.recordCandidate(ok)
  for (let i = 0; i < 10; i++) c.recordCandidate({ status: 0, error: 'connect', durationMs: 1 })
  t.equal(c.tripped, undefined, '99 samples with 10% errors: below minSamples, no action')
  t.equal(c.weight, 0.05)
  c.recordCandidate({ status: 503, durationMs: 3 })
  t.equal(c.weight, 0, 'the 100th sample trips it')
  t.match(c.tripped, { reason: 'error_rate', at: 1_000_000, numbers: { errorRate: 0.11, samples: 100 } })
  t.equal(await value(metrics.splitWeight, { route: 'invoices' }), 0)
  t.equal(lines.length, 1)
  t.match(lines[0], {
    level: 'warn',
    obj: { event: 'shadowfig.split.tripped', route: 'invoices', reason: 'error_rate', errorRate: 0.11, mismatchRate: 0, samples: 100, previousWeight: 0.05, p99: { primary: null } },
  })
  t.ok(Math.abs((lines[0].obj.p99 as { candidate: number }).candidate / 10 - 1) < 0.1, 'candidate p99 near 10 ms')
  t.equal(c.choose({}), 'primary')
})

t.test('timeouts and resets count as errors; an error rate under the limit does not trip', async (t) => {
  const { c } = harness({ weight: '5%', guard })
  for (let i = 0; i < 1000; i++) c.recordCandidate(i % 200 === 0 ? { status: 0, error: i % 400 === 0 ? 'timeout' : 'reset', durationMs: 2000 } : ok)
  t.equal(c.tripped, undefined)
  t.equal(c.readiness().candidateErrorRate, 0.005)
})

t.test('a mismatch burst trips the guard at minSamples, not before; skipped and undecided verdicts do not count', async (t) => {
  const { c } = harness({ weight: '5%', guard })
  for (let i = 0; i < 500; i++) c.recordVerdict('skipped')
  for (let i = 0; i < 500; i++) c.recordVerdict('undecided')
  for (let i = 0; i < 94; i++) c.recordVerdict(i % 2 ? 'match' : 'noise')
  for (let i = 0; i < 5; i++) c.recordVerdict('mismatch')
  t.equal(c.tripped, undefined, '99 compared')
  c.recordVerdict('match')
  t.match(c.tripped, { reason: 'mismatch_rate', numbers: { mismatchRate: 0.05, samples: 100 } })
  t.equal(c.weight, 0)
})

t.test('shadow candidate_error verdicts count toward the error rate', async (t) => {
  const { c } = harness({ weight: '5%', guard: { ...guard, maxMismatchRate: undefined } })
  for (let i = 0; i < 98; i++) c.recordVerdict('match')
  c.recordVerdict('candidate_error')
  c.recordVerdict('candidate_error')
  t.match(c.tripped, { reason: 'error_rate', numbers: { errorRate: 0.02 } })
})

t.test('a latency ratio breach trips the guard; a ratio under the limit does not', async (t) => {
  const slow = harness({ weight: '5%', guard })
  const fine = harness({ weight: '5%', guard })
  for (const h of [slow, fine]) for (let i = 0; i < 300; i++) h.c.recordPrimary(10 + (i % 5), 200)
  // Primary 5xx latencies are left out: they would drag the primary's p99 around.
  for (let i = 0; i < 50; i++) slow.c.recordPrimary(5000, 500)
  for (let i = 0; i < 99; i++) { slow.c.recordCandidate({ status: 200, durationMs: 40 }); fine.c.recordCandidate({ status: 200, durationMs: 12 }) }
  t.equal(slow.c.tripped, undefined, 'not before minSamples')
  slow.c.recordCandidate({ status: 200, durationMs: 40 })
  fine.c.recordCandidate({ status: 200, durationMs: 12 })
  t.match(slow.c.tripped, { reason: 'latency_ratio' })
  const p99 = slow.c.tripped?.numbers.p99
  t.ok(p99 && p99.candidate! / p99.primary! > 2.5, `ratio ${p99 && p99.candidate! / p99.primary!}`)
  t.equal(fine.c.tripped, undefined)
  t.ok(fine.c.readiness().latencyRatio! < 1.5)
})

t.test('a latency ratio within the route\'s latency floor does not trip: sub-millisecond noise is no regression', async (t) => {
  // Primary p99 ~0.5 ms, candidate ~1.2 ms: 2.4x the ratio, 0.7 ms slower, under the 2 ms floor.
  const fast = harness({ weight: '5%', guard })
  for (let i = 0; i < 200; i++) { fast.c.recordPrimary(0.5, 200); fast.c.recordCandidate({ status: 200, durationMs: 1.2 }) }
  t.equal(fast.c.tripped, undefined, 'the default floor (compare.latency.floor, 2 ms)')
  const strict = harness({ weight: '5%', guard }, { latency: { maxRatio: 1.1, floorMs: 0.5 } })
  for (let i = 0; i < 200; i++) { strict.c.recordPrimary(0.5, 200); strict.c.recordCandidate({ status: 200, durationMs: 1.2 }) }
  t.match(strict.c.tripped, { reason: 'latency_ratio' }, 'a route whose floor is lower trips on the same numbers')
})

t.test('a tripped guard stays tripped as time passes and good samples arrive', async (t) => {
  const { c, clock, lines } = harness({ weight: '5%', guard })
  for (let i = 0; i < 100; i++) c.recordCandidate({ status: 500, durationMs: 1 })
  t.equal(c.weight, 0)
  for (let step = 0; step < 20; step++) {
    clock.t += 30_000
    for (let i = 0; i < 200; i++) c.recordCandidate(ok)
  }
  t.equal(c.weight, 0)
  t.equal(c.tripped?.reason, 'error_rate')
  t.equal(lines.length, 1, 'one event, no flapping')
  t.equal(c.readiness().ready, false, 'a tripped route is never ready')
})

t.test('old errors age out of the sliding window', async (t) => {
  const { c, clock } = harness({ weight: '5%', guard })
  for (let i = 0; i < 50; i++) c.recordCandidate({ status: 502, durationMs: 1 })
  clock.t += 61_000
  for (let i = 0; i < 100; i++) c.recordCandidate(ok)
  t.equal(c.tripped, undefined, '50 errors from over a minute ago no longer count')
  t.equal(c.readiness().samples, 100)
  clock.t += 30_000
  for (let i = 0; i < 20; i++) c.recordCandidate(ok)
  t.equal(c.readiness().samples, 120, 'half a window later everything is still in')
  clock.t += 61_000
  t.equal(c.readiness().samples, 0, 'readiness ages the window without traffic')
})

t.test('the guard does not act while the live weight is 0', async (t) => {
  const { c, lines } = harness({ weight: 0, guard })
  for (let i = 0; i < 200; i++) c.recordCandidate({ status: 500, durationMs: 1 })
  t.equal(c.tripped, undefined)
  t.equal(lines.length, 0)
})

t.test('without a guard nothing trips', async (t) => {
  const { c } = harness({ weight: '50%' })
  for (let i = 0; i < 500; i++) c.recordCandidate({ status: 500, durationMs: 1 })
  t.equal(c.tripped, undefined)
  t.equal(c.weight, 0.5)
  t.match(c.readiness(), { windowMs: 300_000, minSamples: 100, candidateErrorRate: 1, ready: false })
})

t.test('setWeight after a trip clears it and starts a fresh window; reset returns to the file weight', async (t) => {
  const { c } = harness({ weight: '5%', guard })
  for (let i = 0; i < 100; i++) c.recordCandidate({ status: 500, durationMs: 1 })
  t.ok(c.tripped)
  c.setWeight(0.01, 'admin')
  t.equal(c.tripped, undefined)
  t.equal(c.weight, 0.01)
  t.equal(c.readiness().samples, 0)
  c.recordCandidate({ status: 500, durationMs: 1 })
  t.equal(c.tripped, undefined, 'one error after the reset is below minSamples')
  for (let i = 0; i < 100; i++) c.recordCandidate({ status: 500, durationMs: 1 })
  t.ok(c.tripped, 'a still-broken candidate trips again')
  c.reset()
  t.equal(c.tripped, undefined)
  t.equal(c.weight, 0.05)
  t.equal(c.readiness().samples, 0)
})
