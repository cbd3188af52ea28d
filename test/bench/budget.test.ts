// Budget checker: each kind of line passes and fails on the right side of its limit, says by
// how much, a line with nothing measured fails, and a stretch line is reported but never fails.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parseBudget, checkBudget, checkLine, lineMark, type BudgetLine, type LineResult } from '../../bench/budget.js'

const line = (l: Partial<BudgetLine>): BudgetLine => ({ id: 'x', description: 'd', scenario: 's', metric: 'm', unit: 'ms', stretch: false, ...l })

t.test('max: value at or under the limit passes, over it fails with the excess', async (t) => {
  const l = line({ max: 1 })
  t.equal(checkLine(l, { s: { m: 1 } }).ok, true)
  const r = checkLine(l, { s: { m: 1.42 } })
  t.equal(r.ok, false)
  t.equal(r.actual, 1.42)
  t.match(r.message, /m of s = 1\.42 ms, limit ≤ 1 ms \(over by 0\.42 ms\)/)
})

t.test('maxDelta: compares against the baseline scenario', async (t) => {
  const l = line({ baseline: 'b', maxDelta: 0.5 })
  t.equal(checkLine(l, { s: { m: 1.2 }, b: { m: 0.8 } }).ok, true)
  const r = checkLine(l, { s: { m: 1.5 }, b: { m: 0.8 } })
  t.equal(r.ok, false)
  t.equal(Math.round((r.actual as number) * 1000), 700)
  t.match(r.message, /= 0\.7 ms, limit ≤ 0\.5 ms \(over by 0\.2 ms\)/)
})

t.test('minRatio: value over baseline must reach the ratio', async (t) => {
  const l = line({ baseline: 'b', minRatio: 0.4, unit: '' })
  t.equal(checkLine(l, { s: { m: 400 }, b: { m: 1000 } }).ok, true)
  const r = checkLine(l, { s: { m: 300 }, b: { m: 1000 } })
  t.equal(r.ok, false)
  t.match(r.message, /= 30% \(300 \/ 1000\), limit ≥ 40% \(short by 10 points\)/)
})

t.test('maxRatio: value over baseline must stay at or under the ratio', async (t) => {
  const l = line({ baseline: 'b', maxRatio: 1.4, unit: 's/1k' })
  t.equal(checkLine(l, { s: { m: 0.7 }, b: { m: 0.5 } }).ok, true, '1.4x exactly holds')
  t.equal(checkLine(l, { s: { m: 0.1 }, b: { m: 0.2 } }).ok, true, 'cheaper than the baseline holds')
  const r = checkLine(l, { s: { m: 0.75 }, b: { m: 0.5 } })
  t.equal(r.ok, false)
  t.equal(r.actual, 1.5)
  t.match(r.message, /m of s \/ b = 1\.5x \(0\.75 \/ 0\.5 s\/1k\), limit ≤ 1\.4x \(over by 0\.1x\)/)
  t.equal(checkLine(line({ baseline: 'b', maxRatio: 1.1 }), { s: { m: 1 } }).ok, false, 'its baseline unmeasured fails')
})

t.test('a stretch line is reported and marked, and never fails the budget', async (t) => {
  const stretch = line({ id: 'abs', max: 1, stretch: true })
  const budget = parseBudget({ lines: [line({ id: 'rel', scenario: 'b', max: 5 }), stretch] })
  const missed = checkBudget(budget, { s: { m: 2.4 }, b: { m: 1 } })
  t.equal(missed.ok, true, 'the missed stretch line does not fail the budget')
  const abs = missed.lines[1]
  t.same([abs?.ok, abs?.stretch, abs?.actual], [false, true, 2.4], 'but it is reported as missed, with its figure')
  t.match(abs?.message, /^abs \(stretch\): m of s = 2\.4 ms, limit ≤ 1 ms \(over by 1\.4 ms\)/)
  t.equal(lineMark(abs as LineResult), 'miss')
  t.equal(lineMark(missed.lines[0] as LineResult), 'ok  ')
  const unmeasured = checkBudget(budget, { b: { m: 1 } })
  t.equal(unmeasured.ok, true, 'nor does a stretch line with nothing measured')
  t.match(unmeasured.lines[1]?.message, /abs \(stretch\): m of s was not measured/)
  t.equal(checkBudget(budget, { s: { m: 0.5 }, b: { m: 1 } }).lines[1]?.ok, true, 'a met stretch line reads ok')
  t.equal(parseBudget({ lines: [line({ max: 1, stretch: undefined })] }).lines[0].stretch, false, 'lines are not stretch by default')
})

t.test('an unmeasured scenario, baseline or non-finite value fails', async (t) => {
  t.match(checkLine(line({ max: 1 }), {}).message, /m of s was not measured/)
  t.equal(checkLine(line({ max: 1 }), { s: { m: Number.NaN } }).ok, false)
  const r = checkLine(line({ baseline: 'b', maxDelta: 1 }), { s: { m: 1 } })
  t.equal(r.ok, false)
  t.match(r.message, /m of b was not measured/)
  const failed = checkBudget(parseBudget({ lines: [line({ max: 1 }), line({ id: 'y', max: 1, stretch: true })] }), {})
  t.equal(failed.ok, false, 'an unmeasured line that is not a stretch line fails the budget')
  t.equal(lineMark(failed.lines[0] as LineResult), 'FAIL')
})

t.test('checkBudget is ok only when every line is', async (t) => {
  const budget = parseBudget({ lines: [line({ max: 1 }), line({ id: 'y', scenario: 'b', max: 2 })] })
  t.equal(checkBudget(budget, { s: { m: 0.5 }, b: { m: 1 } }).ok, true)
  const r = checkBudget(budget, { s: { m: 0.5 }, b: { m: 3 } })
  t.equal(r.ok, false)
  t.same(r.lines.map((l) => l.ok), [true, false])
})

t.test('parseBudget rejects lines with no limit, two limits, or a limit without its baseline', async (t) => {
  t.throws(() => parseBudget({ lines: [line({})] }))
  t.throws(() => parseBudget({ lines: [line({ max: 1, minRatio: 0.5, baseline: 'b' })] }))
  t.throws(() => parseBudget({ lines: [line({ maxDelta: 1 })] }))
  t.throws(() => parseBudget({ lines: [line({ maxRatio: 1.4 })] }), 'maxRatio without a baseline')
  t.throws(() => parseBudget({ lines: [line({ baseline: 'b', maxRatio: 1.4, minRatio: 1 })] }))
  t.throws(() => parseBudget({ lines: [line({ baseline: 'b', maxRatio: 0 })] }), 'a ratio must be positive')
  t.throws(() => parseBudget({ lines: [line({ max: 1, baseline: 'b' })] }))
  t.throws(() => parseBudget({ lines: [] }))
})

t.test('the committed budget holds the issue-24 lines: relative to the Node floor, the absolute line as a stretch', async (t) => {
  const budget = parseBudget(JSON.parse(readFileSync(new URL('../../bench/budget.json', import.meta.url), 'utf8')))
  const byId = Object.fromEntries(budget.lines.map((l) => [l.id, l]))
  t.match(byId['mirror-cpu-vs-floor'], { scenario: 'mirror-2k', baseline: 'floor-mirror-2k', metric: 'cpuSecPer1k', maxRatio: 1.4, stretch: false })
  t.match(byId['mirror-p99-vs-floor'], { scenario: 'mirror-2k', baseline: 'floor-mirror-2k', metric: 'overheadP99Ms', maxDelta: 0.3 })
  t.match(byId['pass-p99-vs-floor'], { scenario: 'pass-2k', baseline: 'floor-pass-2k', metric: 'overheadP99Ms', maxDelta: 0.1 })
  t.match(byId['pass-cpu-vs-floor'], { scenario: 'pass-2k', baseline: 'floor-pass-2k', metric: 'cpuSecPer1k', maxRatio: 1.1 })
  t.match(byId['mirror-saturation-vs-floor'], { scenario: 'saturation-mirror', baseline: 'floor-saturation-mirror', metric: 'proxyThroughput', minRatio: 1 })
  t.match(byId['no-shed-below-80pct-floor'], { scenario: 'mirror-80pct-floor', metric: 'shedCount', max: 0 })
  t.match(byId['mirror-compare-p99-overhead'], { scenario: 'mirror-2k', max: 1, stretch: true })
  t.equal(byId['slow-candidate-p99-shift']?.maxDelta, 0.5)
  t.equal(byId['down-candidate-p99-shift']?.maxDelta, 0.5)
  t.same(budget.lines.filter((l) => l.stretch).map((l) => l.id), ['mirror-compare-p99-overhead'], 'only the absolute line is a stretch')
})
