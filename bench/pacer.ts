/**
 * The open loop's clock, in a thread of its own. Node's timers fire on libuv's millisecond
 * tick, so a generator paced by setTimeout sent late by ~0.66 ms at the median and in bursts
 * (everything due since the last tick at once); at 1,000 req/s that was most of a direct run's
 * p50 (0.73 ms, 0.22 ms with this thread). This thread sleeps until each send is due with
 * `Atomics.wait` (a futex with a sub-millisecond timeout) and then wakes the generator's event
 * loop with a message; the generator sends whatever is due by its own clock (schedule.ts), so
 * a late wake-up only makes sends late, never wrong, and the lateness stays in the latency
 * (measured from the scheduled instant).
 *
 * Protocol (loadgen.ts startPacer): workerData { schedule, clock: BigInt64Array on shared
 * memory }. The thread posts one message when loaded, waits for the generator to store the
 * start time (process.hrtime is one monotonic clock for all threads) in `clock`, then posts
 * the due count each time it grows, until the whole schedule is due.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { dueCount, offsetNs, type Schedule } from './schedule.js'

const { schedule, clock } = workerData as { schedule: Schedule, clock: BigInt64Array }
parentPort?.postMessage(0)
while (Atomics.load(clock, 0) === 0n) Atomics.wait(clock, 0, 0n)
const startNs = Atomics.load(clock, 0)
let announced = 0
while (announced < schedule.total) {
  const elapsed = Number(process.hrtime.bigint() - startNs)
  const due = dueCount(schedule, elapsed)
  if (due > announced) {
    parentPort?.postMessage(due)
    announced = due
  } else {
    // `clock` holds startNs and never changes again: this is a plain sub-millisecond sleep.
    Atomics.wait(clock, 0, startNs, (offsetNs(schedule, announced) - elapsed) / 1e6)
  }
}
