// Which latency scenarios the bench measures together in one rotation, and which alone.
import t from 'tap'
import { latencyGroups, scenarioList, withBaseline, resolveRate, rtFor } from '../../bench/scenario-list.js'
import type { ScenarioDef } from '../../bench/stats.js'

t.test('light latency scenarios of the same load share a rotation; slow candidates, large bodies and single runs do not', async (t) => {
  const groups = latencyGroups(scenarioList({ nginx: true, workers: true })).map((g) => g.map((d) => d.name))
  t.same(groups, [
    ['pass-2k', 'mirror-2k', 'mirror-status-2k', 'mirror-same-2k', 'mirror-after-2k', 'down-candidate', 'floor-pass-2k', 'floor-mirror-2k', 'nginx-pass-2k', 'nginx-mirror-2k'],
  ])
  const all = groups.flat()
  t.notOk(all.includes('large-100k'), 'its comparisons run on past a slice\'s settling time')
  t.notOk(all.includes('slow-candidate'), 'its answers arrive 2 s later, in other targets\' slices')
  t.notOk(all.includes('nginx-slow-candidate'))
  t.notOk(all.some((n) => n.startsWith('saturation')), 'throughput runs are not rotations')
})

t.test('--baseline adds a twin of every rotated shadowfig scenario, running the other checkout', async (t) => {
  const list = scenarioList({ nginx: true, workers: false }).filter((d) => ['pass-2k', 'slow-candidate', 'nginx-pass-2k', 'saturation-pass'].includes(d.name))
  const out = withBaseline(list, '/tmp/base')
  t.same(out.map((d) => d.name), ['pass-2k', 'pass-2k@baseline', 'slow-candidate', 'saturation-pass', 'nginx-pass-2k'],
    'only where both answer slices of the same seconds; nginx has no build to compare')
  t.equal(out[1]?.root, '/tmp/base')
  t.equal(out[0]?.root, undefined)
  t.same(latencyGroups(out).map((g) => g.map((d) => d.name)), [['pass-2k', 'pass-2k@baseline', 'nginx-pass-2k']], 'the twin joins its original\'s rotation')
})

t.test('the floor copies to the candidate at saturation too, and the 80% run waits for its rate', async (t) => {
  const list = scenarioList({ nginx: false, workers: false })
  const floorSat = list.find((d) => d.name === 'floor-saturation-mirror')
  t.match(floorSat, { peer: 'floor', shadow: 'healthy', kind: 'saturation' })
  const names = list.map((d) => d.name)
  const eighty = list.find((d) => d.name === 'mirror-80pct-floor')
  t.match(eighty, { peer: 'shadowfig', shadow: 'healthy', kind: 'latency', rate: undefined, rateOf: { scenario: 'floor-saturation-mirror', share: 0.8 } })
  t.ok(names.indexOf('mirror-80pct-floor') > names.indexOf('floor-saturation-mirror'), 'listed after the run it takes its rate from')
  t.notOk(latencyGroups(list).flat().some((d) => d.name === 'mirror-80pct-floor'), 'measured alone: its rate is not known when the rotation starts')
  t.equal(rtFor(eighty as ScenarioDef, { rt: true }), false, 'never real-time while its rate is unknown')
})

t.test('resolveRate: a share of the measured throughput, in steps of 50 req/s; undefined when not measured', async (t) => {
  const eighty = scenarioList({ nginx: false, workers: false }).find((d) => d.name === 'mirror-80pct-floor') as ScenarioDef
  const sat = (throughput: number): { name: string, proxy: { throughput: number } } => ({ name: 'floor-saturation-mirror', proxy: { throughput } })
  t.equal(resolveRate(eighty, [sat(6543)])?.rate, 5200, '0.8 × 6543 = 5234 → 5200')
  t.equal(resolveRate(eighty, [sat(10)])?.rate, 50, 'never below 50 req/s')
  t.equal(resolveRate(eighty, []), undefined)
  t.equal(resolveRate(eighty, [sat(0)]), undefined, 'a floor that answered nothing gives no rate')
  const plain = scenarioList({ nginx: false, workers: false })[0] as ScenarioDef
  t.equal(resolveRate(plain, []), plain, 'scenarios with a fixed rate are returned as they are')
})
