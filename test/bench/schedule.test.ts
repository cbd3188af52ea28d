// Open-loop schedule math: which requests are due when, and how long the generator may sleep.
import t from 'tap'
import { makeSchedule, offsetNs, dueCount, slotOf } from '../../bench/schedule.js'

t.test('sizes the schedule from rate, duration and warm-up', async (t) => {
  const s = makeSchedule(1000, 2000, 500)
  t.equal(s.recordFrom, 500)
  t.equal(s.total, 2500)
  t.equal(makeSchedule(3, 1000).total, 3)
  t.equal(makeSchedule(3, 1000).recordFrom, 0)
})

t.test('rejects rates, durations and warm-ups that make no schedule', async (t) => {
  t.throws(() => makeSchedule(0, 1000), RangeError)
  t.throws(() => makeSchedule(Number.POSITIVE_INFINITY, 1000), RangeError)
  t.throws(() => makeSchedule(Number.NaN, 1000), RangeError)
  t.throws(() => makeSchedule(10, 0), RangeError)
  t.throws(() => makeSchedule(10, 1000, -1), RangeError)
})

t.test('request i is due exactly when its offset has elapsed, at any rate', async (t) => {
  for (const rate of [1000, 333, 7, 12345.6, 1]) {
    const s = makeSchedule(rate, 3000)
    let bad = 0
    for (let i = 0; i < Math.min(s.total, 500); i++) {
      const at = offsetNs(s, i)
      // On the instant of request i, i+1 requests (0..i) are due; one ns earlier, only i.
      if (dueCount(s, at) !== Math.min(s.total, i + 1)) bad++
      if (at > 0 && dueCount(s, at - 1) !== i) bad++
    }
    t.equal(bad, 0, `rate ${rate}: due counts agree with offsets`)
  }
})

t.test('nothing is due before the start, and never more than the total', async (t) => {
  const s = makeSchedule(1000, 100)
  t.equal(dueCount(s, -1), 0)
  t.equal(dueCount(s, 0), 1)
  t.equal(dueCount(s, 10e9), s.total)
})

t.test('offsets are evenly spaced by 1/rate', async (t) => {
  const s = makeSchedule(1000, 1000)
  t.equal(offsetNs(s, 0), 0)
  t.equal(offsetNs(s, 1), 1_000_000)
  t.equal(offsetNs(s, 999), 999_000_000)
})


t.test('a rotation gives slices to the targets in turn, reversed every other round, settling first', async (t) => {
  const s = makeSchedule(1000, 6000) // a request every ms
  const r = { targets: 3, sliceMs: 500, settleMs: 50 }
  const at = (ms: number): { target: number, settled: boolean } => slotOf(s, r, ms)
  t.same([0, 499, 500, 1000, 1499].map((ms) => at(ms).target), [0, 0, 1, 2, 2], 'round 0: targets 0, 1, 2')
  t.same([1500, 2000, 2500, 2999].map((ms) => at(ms).target), [2, 1, 0, 0], 'round 1: 2, 1, 0, so no target always follows the same one')
  t.equal(at(3000).target, 0, 'round 2 goes forward again')
  t.same([500, 549, 550, 999].map((ms) => at(ms).settled), [false, false, true, true], 'the first 50 ms of a slice are not recorded')
  const counts = [0, 0, 0]
  const recorded = [0, 0, 0]
  for (let i = 0; i < s.total; i++) {
    const { target, settled } = slotOf(s, r, i)
    counts[target]++
    if (settled) recorded[target]++
  }
  t.same(counts, [2000, 2000, 2000], 'every target gets the same share of a whole number of rounds')
  t.same(recorded, [1800, 1800, 1800], 'and the same recorded share: 90% with 50 ms of 500 settling')
  t.same(slotOf(makeSchedule(10, 1000), { targets: 1, sliceMs: 500, settleMs: 0 }, 7), { target: 0, settled: true }, 'one target: every slice is its own')
})
