import t from 'tap'
import { assessReadiness, clopperPearsonUpper, latencySlower, mismatchBound, percent } from '../../src/report/readiness.js'

const clean = { compared: 12_400, mismatches: 0, samples: 12_400, candidateErrors: 0, p99: { primary: 10, candidate: 10.5 } }

t.test('zero mismatches: exact bound 1 - 0.05^(1/n), close to the rule of three', async (t) => {
  const b = mismatchBound(0, 12_400)
  t.equal(b.upper, 1 - 0.05 ** (1 / 12_400))
  t.ok(Math.abs(b.upper - 3 / 12_400) / (3 / 12_400) < 0.01, 'rule of three within 1%')
  t.equal(b.text, '0 unexplained mismatches in 12,400 exchanges: mismatch rate below 0.024% at 95% confidence')
})

t.test('x > 0: P(X <= x | n, upper) = alpha (checked against known Clopper-Pearson limits)', async (t) => {
  // One-sided 95% upper limits: x=1,n=10 → 0.3942; x=5,n=100 → 0.1019 (tables / scipy beta.ppf).
  t.ok(Math.abs(clopperPearsonUpper(1, 10, 0.05) - 0.3942) < 1e-3)
  t.ok(Math.abs(clopperPearsonUpper(5, 100, 0.05) - 0.1019) < 1e-3)
  // Wilson above the exact limit's range: same order as exact (5000 in 1e6 → about 0.52%).
  const w = clopperPearsonUpper(5000, 1_000_000, 0.05)
  t.ok(w > 0.005 && w < 0.0053, `wilson ${w}`)
  t.equal(clopperPearsonUpper(3, 3, 0.05), 1)
  t.equal(clopperPearsonUpper(0, 0, 0.05), 1)
  t.equal(mismatchBound(1, 10).text, '1 unexplained mismatch in 10 exchanges: mismatch rate below 39.4% at 95% confidence')
})

t.test('states and reasons', async (t) => {
  t.match(assessReadiness(clean), { state: 'ready', ready: true, reasons: [], errorRate: 0, bound: { confidence: 0.95 } })
  t.match(assessReadiness({ ...clean, compared: 40, samples: 40 }), { state: 'insufficient_data', reasons: [{ code: 'insufficient_data', message: '40 of the 100 exchanges needed' }] })
  t.notOk(assessReadiness({ ...clean, compared: 0, samples: 0 }).bound, 'no bound without data')
  const bad = assessReadiness({ ...clean, mismatches: 2, candidateErrors: 100, p99: { primary: 10, candidate: 30 }, tripped: 'error_rate' })
  t.equal(bad.state, 'not_ready')
  t.same(bad.reasons.map((r) => r.code), ['tripped', 'mismatches', 'error_rate', 'latency'])
  t.match(bad.reasons[3].message, /candidate p99 30\.0 ms vs primary 10\.0 ms \(×3\.00, limit ×1\.1\)/)
  t.equal(assessReadiness({ ...clean, compared: 10, samples: 10, mismatches: 1 }).state, 'not_ready', 'a mismatch is decisive before minSamples')
})

t.test('latency: ratio and absolute floor, both needed', async (t) => {
  const rule = { maxRatio: 1.1, floorMs: 2 }
  t.notOk(latencySlower({ primary: 0.2, candidate: 0.9 }, rule), '×4.5 but 0.7 ms: loopback noise')
  t.notOk(latencySlower({ primary: 0.2, candidate: 0.5 }, rule), '0.3 ms slower than a 0.2 ms primary (×2.5): not flagged')
  t.notOk(latencySlower({ primary: 100, candidate: 105 }, rule), '+5 ms but ×1.05')
  t.ok(latencySlower({ primary: 10, candidate: 13 }, rule))
  t.notOk(latencySlower({ primary: null, candidate: 13 }, rule))
  t.equal(assessReadiness({ ...clean, p99: { primary: 0, candidate: 1 } }).latencyRatio, null)
})

t.test('percent', async (t) => {
  t.same([percent(0), percent(0.5), percent(0.015), percent(0.000242)], ['0%', '50%', '1.5%', '0.024%'])
})
