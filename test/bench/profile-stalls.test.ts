// Busy stretches of a CPU profile: runs of samples that are not (idle), each sample lasting
// until the next one, so a stretch's length is the time the thread never went idle.
import t from 'tap'
import { busyStretches, stallReport } from '../../bench/profile-stalls.js'

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

t.test('the report counts stretches by length and names what ran in the long ones', async (t) => {
  const frame = (functionName: string, url = ''): { functionName: string, url: string, lineNumber: number } => ({ functionName, url, lineNumber: 9 })
  // (root) → handle (server.js) → writev (native); (root) → (idle); (root) → tick (timers.js)
  const profile = {
    nodes: [
      { id: 1, callFrame: frame('(root)'), children: [2, 4, 5] },
      { id: 2, callFrame: frame('handle', 'file:///x/dist/proxy/server.js'), children: [3] },
      { id: 3, callFrame: frame('writev') },
      { id: 4, callFrame: frame('(idle)') },
      { id: 5, callFrame: frame('tick', 'node:internal/timers') },
    ],
    // 1 ms samples: idle, a 3 ms stretch (handle, writev, writev), idle, a 1 ms stretch (tick), idle
    samples: [4, 2, 3, 3, 4, 5, 4],
    timeDeltas: [0, 1000, 1000, 1000, 1000, 1000, 1000],
  }
  const report = stallReport(profile, { minMs: 2, top: 5, skipMs: 0 })
  t.match(report, /^0\.01 s profiled, 2 busy stretches/, 'over the time profiled')
  t.match(report, /\| 1–2 ms \| 1 \| 166\.7 \| 1 \|/, 'the 1 ms stretch')
  t.match(report, /\| 3–5 ms \| 1 \| 166\.7 \| 3 \|/, 'the 3 ms stretch')
  t.match(report, /1 stretches ≥ 2 ms \(3 ms busy\); longest: 3\.0 ms/)
  t.match(report, /66\.7% +2\.0 ms {2}writev\n/, 'writev was two of the long stretch\'s three samples')
  t.match(report, /by outermost JavaScript frame\n100\.0% +3\.0 ms {2}handle dist\/proxy\/server\.js:10/, 'all of it started in handle')
  t.notMatch(report, /tick/, 'short stretches are counted, not itemised')
  t.match(stallReport(profile, { minMs: 2, top: 5, skipMs: 3 }), /^0\.00 s profiled, 1 busy stretches/, 'skipMs leaves out what started before it')
})
