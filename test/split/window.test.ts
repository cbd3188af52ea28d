import t from 'tap'
import { COMPARED, LATENCY_BUCKET_COUNT, LIVE, SlidingWindow, bucketMs, latencyBucket } from '../../src/split/window.js'

t.test('latency buckets are monotonic, ~9% wide, and clamp at both ends', async (t) => {
  t.equal(latencyBucket(0), 0)
  t.equal(latencyBucket(-3), 0)
  t.equal(latencyBucket(Number.NaN), 0)
  t.equal(latencyBucket(0.001), 0)
  t.equal(latencyBucket(1e9), LATENCY_BUCKET_COUNT - 1)
  for (const ms of [0.2, 1, 7.5, 120, 3000]) {
    const mid = bucketMs(latencyBucket(ms))
    t.ok(Math.abs(mid / ms - 1) < 0.05, `${ms} ms reads back as ${mid.toFixed(3)}`)
  }
  t.ok(latencyBucket(10) < latencyBucket(11))
})

t.test('quantiles read the window histogram', async (t) => {
  const w = new SlidingWindow(60_000, 0)
  t.equal(w.quantile('primary', 0.99), null)
  for (let i = 0; i < 99; i++) w.addLatency('primary', 5, 0)
  w.addLatency('primary', 500, 0)
  t.ok(Math.abs(w.quantile('primary', 0.99)! / 5 - 1) < 0.05, '99th of 100 is still 5 ms')
  t.ok(Math.abs(w.quantile('primary', 1)! / 500 - 1) < 0.05, 'max is 500 ms')
  t.equal(w.latencySamples('primary'), 100)
  t.equal(w.latencySamples('candidate'), 0)
})

t.test('slots expire one by one as the clock moves; a clock stepping back writes into the newest slot', async (t) => {
  const w = new SlidingWindow(30_000, 0) // 1 s per slot
  for (let s = 0; s < 30; s++) w.add(LIVE, s * 1000)
  t.equal(w.total(LIVE), 30)
  w.advance(30_000)
  t.equal(w.total(LIVE), 29, 'the oldest second left')
  w.add(LIVE, 10_000)
  t.equal(w.total(LIVE), 30)
  w.advance(59_000)
  t.equal(w.total(LIVE), 1, 'only the sample written into the slot of t=30 s remains')
  w.advance(60_000)
  t.equal(w.total(LIVE), 0)
})

t.test('clear and copyFrom', async (t) => {
  const a = new SlidingWindow(1000, 0)
  a.add(COMPARED, 10)
  a.addLatency('candidate', 3, 10)
  const b = new SlidingWindow(1000, 0)
  b.copyFrom(a)
  t.equal(b.total(COMPARED), 1)
  t.equal(b.latencySamples('candidate'), 1)
  a.clear()
  t.equal(a.total(COMPARED), 0)
  t.equal(a.latencySamples('candidate'), 0)
  t.equal(b.total(COMPARED), 1, 'the copy is independent')
})

t.test('a zero window still works (1 ms slots)', async (t) => {
  const w = new SlidingWindow(0, 0)
  w.add(LIVE, 0)
  t.equal(w.total(LIVE), 1)
  w.advance(100)
  t.equal(w.total(LIVE), 0)
})
