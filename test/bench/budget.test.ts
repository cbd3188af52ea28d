// Budget checker: each kind of line passes and fails on the right side of its limit, says by
// how much, and a line with nothing measured fails.
import t from 'tap'
import { readFileSync } from 'node:fs'
import { parseBudget, checkBudget, checkLine, type BudgetLine } from '../../bench/budget.js'

const line = (l: Partial<BudgetLine>): BudgetLine => ({ id: 'x', description: 'd', scenario: 's', metric: 'm', unit: 'ms', ...l })

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
  t.match(r.message, /= 30%, limit ≥ 40% \(short by 10 points\)/)
})

t.test('an unmeasured scenario, baseline or non-finite value fails', async (t) => {
  t.match(checkLine(line({ max: 1 }), {}).message, /m of s was not measured/)
  t.equal(checkLine(line({ max: 1 }), { s: { m: Number.NaN } }).ok, false)
  const r = checkLine(line({ baseline: 'b', maxDelta: 1 }), { s: { m: 1 } })
  t.equal(r.ok, false)
  t.match(r.message, /m of b was not measured/)
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
  t.throws(() => parseBudget({ lines: [line({ max: 1, baseline: 'b' })] }))
  t.throws(() => parseBudget({ lines: [] }))
})

t.test('the committed budget holds the issue-7 limits', async (t) => {
  const budget = parseBudget(JSON.parse(readFileSync(new URL('../../bench/budget.json', import.meta.url), 'utf8')))
  const byId = Object.fromEntries(budget.lines.map((l) => [l.id, l]))
  t.equal(byId['mirror-compare-p99-overhead']?.max, 1)
  t.equal(byId['slow-candidate-p99-shift']?.maxDelta, 0.5)
  t.equal(byId['down-candidate-p99-shift']?.maxDelta, 0.5)
  t.equal(byId['mirror-saturation-ratio']?.minRatio, 0.4)
})
