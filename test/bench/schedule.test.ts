// Open-loop schedule math: which requests are due when, and how long the generator may sleep.
import t from 'tap'
import { makeSchedule, offsetNs, dueCount } from '../../bench/schedule.js'

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

