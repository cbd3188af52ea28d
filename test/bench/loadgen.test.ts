// The load generator against real loopback backends: counts what it sends, reads whole bodies,
// reports failures by kind, and charges queueing to the scheduled send time (no coordinated
// omission). Only lower bounds on latency are asserted: they hold however slow the machine is.
import t from 'tap'
import { runLoad, runRotation, startPacer, type LoadResult } from '../../bench/loadgen.js'
import { dueCount, makeSchedule } from '../../bench/schedule.js'
import { startBackend, closedPort } from '../../bench/backends.js'

t.test('open loop sends the scheduled number of requests and reads every body', async (t) => {
  const be = await startBackend({ variant: 'primary' })
  t.teardown(be.close)
  const r = await runLoad({ url: `http://127.0.0.1:${be.port}/json/2048`, mode: 'open', rate: 200, connections: 16, durationMs: 300, warmupMs: 100 })
  t.equal(r.sent, 60, '200 req/s × 300 ms recorded (the 20 warm-up requests are not)')
  t.equal(r.completed, 60)
  t.equal(r.sentTotal, 80)
  t.equal(r.errors, 0)
  t.equal(r.bytesPerResponse, 2048)
  t.equal(r.rate, 200)
  // Outstanding requests may exceed the pool when the machine stalls (undici queues them).
  t.ok(r.maxInFlight >= 1, 'tracks requests outstanding')
  t.ok(r.latencyMs.p50 > 0 && r.latencyMs.p50 <= r.latencyMs.p99 && r.latencyMs.p99 <= r.latencyMs.p999, `percentiles ordered: ${JSON.stringify(r.latencyMs)}`)
  t.ok(r.latencyMs.max > 0)
  t.ok(r.achievedRate > 0)
  t.ok(r.sendLatenessMs !== null && r.sendLatenessMs.p50 > 0 && r.sendLatenessMs.max <= r.latencyMs.max, `send lateness reported: ${JSON.stringify(r.sendLatenessMs)}`)
})

t.test('the pacer wakes the loop with a growing due count, never ahead of the clock', async (t) => {
  const s = makeSchedule(500, 100, 20) // 60 sends, one every 2 ms
  const seen: Array<[number, number]> = []
  const { worker: pacer, started } = startPacer(s)
  const start = await started
  await new Promise<void>((resolve, reject) => {
    pacer.on('error', reject)
    pacer.on('message', (due: number) => {
      seen.push([due, dueCount(s, Number(process.hrtime.bigint() - start))])
      if (due === s.total) resolve()
    })
  })
  await pacer.terminate()
  t.ok(seen.length > 1, `${seen.length} wake-ups`)
  t.ok(seen.every(([due], i) => i === 0 || due > (seen[i - 1] as [number, number])[0]), 'each wake-up has new sends due')
  t.ok(seen.every(([due, clock]) => due <= clock), 'nothing is announced before its scheduled instant')
  t.equal(seen[seen.length - 1]?.[0], 60, 'the last wake-up covers the whole schedule')
})

t.test('latency runs from the scheduled time, so queueing behind a slow server counts', async (t) => {
  // One connection, 100 ms per response, a request every 10 ms: request k cannot finish before
  // (k+1)·100 ms, i.e. ~ (k+1)·100 − 10k ms after its slot. Measured from the actual send each
  // would look like 100 ms; from the schedule the 5th already waits over 400 ms.
  const be = await startBackend({ variant: 'primary', latencyMs: 100 })
  t.teardown(be.close)
  const r = await runLoad({ url: `http://127.0.0.1:${be.port}/json/512`, mode: 'open', rate: 100, connections: 1, durationMs: 50, warmupMs: 0 })
  t.equal(r.completed, 5)
  t.ok(r.latencyMs.p50 >= 100, `p50 ${r.latencyMs.p50} ms includes the server delay`)
  t.ok(r.latencyMs.max >= 400, `max ${r.latencyMs.max} ms includes time queued behind earlier requests`)
})

t.test('closed loop keeps at most `connections` requests in flight', async (t) => {
  const be = await startBackend({ variant: 'candidate' })
  t.teardown(be.close)
  const r = await runLoad({ url: `http://127.0.0.1:${be.port}/json/1024`, mode: 'closed', connections: 2, durationMs: 200, warmupMs: 50 })
  t.equal(r.rate, null)
  t.equal(r.sendLatenessMs, null, 'a closed loop has no schedule to be late for')
  t.ok(r.completed > 0)
  t.equal(r.errors, 0)
  t.ok(r.maxInFlight <= 2)
  t.equal(r.bytesPerResponse, 1024)
})

t.test('a closed loop whose window has already passed sends nothing and reports zeros', async (t) => {
  const r = await runLoad({ url: 'http://127.0.0.1:1/', mode: 'closed', connections: 2, durationMs: 0, warmupMs: 0 })
  t.equal(r.sent, 0)
  t.equal(r.achievedRate, 0)
  t.equal(r.maxInFlight, 0)
})

t.test('failures are counted by kind: refused connections and error statuses', async (t) => {
  const refused = await runLoad({ url: `http://127.0.0.1:${await closedPort()}/json/2048`, mode: 'open', rate: 100, connections: 4, durationMs: 100, warmupMs: 0 })
  t.equal(refused.errors, 10)
  t.same(refused.errorKinds, { ECONNREFUSED: 10 })
  t.equal(refused.completed, 0)
  t.equal(refused.latencyMs.p99, 0)
  t.equal(refused.bytesPerResponse, 0)

  const be = await startBackend({ variant: 'primary' })
  t.teardown(be.close)
  const notFound = await runLoad({ url: `http://127.0.0.1:${be.port}/nope`, mode: 'open', rate: 100, connections: 4, durationMs: 50, warmupMs: 0 })
  t.same(notFound.errorKinds, { status_404: 5 })
})

t.test('open mode without a rate is refused', async (t) => {
  await t.rejects(runLoad({ url: 'http://127.0.0.1:1/', mode: 'open', connections: 1, durationMs: 10, warmupMs: 0 }), RangeError)
})

t.test('a rotation shares one schedule between targets, each with its own results', async (t) => {
  const a = await startBackend({ variant: 'primary' })
  const b = await startBackend({ variant: 'candidate' })
  t.teardown(async () => { await a.close(); await b.close() })
  // 400 req/s for 1 s recorded (after 250 ms of warm-up): slices of 125 ms alternate a, b, b, a.
  const [ra, rb] = await runRotation({
    urls: [`http://127.0.0.1:${a.port}/json/1024`, `http://127.0.0.1:${b.port}/json/512`],
    rate: 400, connections: 8, durationMs: 1000, warmupMs: 250, sliceMs: 125, settleMs: 25,
  }) as [LoadResult, LoadResult]
  t.equal(ra.sentTotal + rb.sentTotal, 500, 'every scheduled request went to one target or the other')
  t.equal(ra.sentTotal, 250, 'half the slices each')
  t.equal(ra.sent, 160, 'recorded: past the warm-up and past each slice\'s first 25 ms (4 of 5 per slice)')
  t.equal(rb.sent, 160)
  t.equal(ra.completed, 160)
  t.equal(ra.bytesPerResponse, 1024, 'each target answered its own requests')
  t.equal(rb.bytesPerResponse, 512)
  t.equal(ra.url, `http://127.0.0.1:${a.port}/json/1024`)
  for (const r of [ra, rb]) {
    t.ok(r.sendLatenessMs !== null && r.sendLatenessMs.max <= r.latencyMs.max, 'lateness reported per target')
    t.ok(r.fromSendMs.p99 <= r.latencyMs.p99 && r.fromSendMs.p50 > 0, `from the send is never longer than from the schedule: ${r.fromSendMs.p99} <= ${r.latencyMs.p99}`)
    t.ok(r.achievedRate > 0)
  }
})
