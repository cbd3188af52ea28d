// Busy stretches of a CPU profile: runs of samples that are not (idle), each sample lasting
// until the next one, so a stretch's length is the time the thread never went idle.
import t from 'tap'
import { busyStretches } from '../../bench/profile-stalls.js'

t.test('consecutive non-idle samples form one stretch; an idle sample ends it', async (t) => {
  const IDLE = 1
  // Samples every 100 µs: idle, busy ×3, idle, busy ×1, idle.
  const samples = [IDLE, 2, 3, 2, IDLE, 4, IDLE]
  const deltas = [0, 100, 100, 100, 100, 100, 100]
  const s = busyStretches(samples, deltas, new Set([IDLE]))
  t.equal(s.length, 2)
  t.same(s.map((x) => x.us), [300, 100], 'each sample lasts until the next')
  t.same(s[0]?.samples, [2, 3, 2])
  t.equal(s[0]?.startUs, 100)
  t.equal(s[1]?.startUs, 500)
  t.same(busyStretches([IDLE, IDLE], [0, 100], new Set([IDLE])), [], 'an idle thread has none')
  t.same(busyStretches([5], [0], new Set([IDLE])).map((x) => x.us), [0], 'the last sample has no successor to time it')
})
