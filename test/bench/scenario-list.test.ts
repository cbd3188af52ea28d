// Which latency scenarios the bench measures together in one rotation, and which alone.
import t from 'tap'
import { latencyGroups, scenarioList, withBaseline } from '../../bench/scenario-list.js'

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
