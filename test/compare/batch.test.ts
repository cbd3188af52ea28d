/**
 * The watchdog's view of a running batch: a comparison is timed in its thread's CPU time, so a
 * thread that waits for a core (nice 10 on a busy machine) is never blamed; wall time
 * stands in where CPU time cannot be read. The clock is injected here; thread-cpu.test.ts reads
 * the real /proc.
 */
import t from 'tap'
import { Batch, watchdogPeriod } from '../../src/compare/batch.js'
import { PROGRESS_INDEX, PROGRESS_THREAD } from '../../src/compare/task.js'

function started (cpu: { ms: number | undefined }): Batch {
  const b = new Batch(() => cpu.ms)
  Atomics.store(b.progress, PROGRESS_THREAD, 1234)
  Atomics.store(b.progress, PROGRESS_INDEX, 1)
  return b
}

t.test('timed in thread CPU time: waiting for a core is not slow, burning CPU is', async (t) => {
  const cpu = { ms: 500 as number | undefined }
  const b = started(cpu)
  t.notOk(b.check(0, 1000), 'first sight of the index starts its clock')
  t.notOk(b.check(60_000, 1000), 'a minute of wall time with no CPU used: not a timeout')
  cpu.ms = 1499
  t.notOk(b.check(60_250, 1000))
  cpu.ms = 1500
  t.ok(b.check(60_500, 1000), '1000 ms of CPU on one exchange: timeout')
  t.ok(b.timedOut)
  cpu.ms = 9000
  t.notOk(b.check(61_000, 1000), 'reported once')
})

t.test('a new index restarts the clock; a thread whose CPU time goes unreadable stops counting', async (t) => {
  const cpu = { ms: 0 as number | undefined }
  const b = started(cpu)
  b.check(0, 1000)
  cpu.ms = 900
  t.notOk(b.check(100, 1000))
  Atomics.store(b.progress, PROGRESS_INDEX, 2)
  t.notOk(b.check(200, 1000), 'next exchange')
  cpu.ms = 1800
  t.notOk(b.check(300, 1000), '900 ms into the second exchange')
  cpu.ms = undefined // the thread died: the pool reports that, not the watchdog
  t.notOk(b.check(90_000, 1000))
})

t.test('wall time where thread CPU time cannot be read; nothing before the worker starts', async (t) => {
  const b = new Batch(() => undefined)
  t.notOk(b.check(0, 1000))
  t.notOk(b.check(50_000, 1000), 'index 0: not started, however long it waits')
  Atomics.store(b.progress, PROGRESS_INDEX, 1)
  t.notOk(b.check(50_000, 1000))
  t.notOk(b.check(50_999, 1000))
  t.ok(b.check(51_000, 1000))
})

t.test('watchdog period: a quarter of the limit, kept within 10-250 ms', async (t) => {
  t.same([watchdogPeriod(5000), watchdogPeriod(1000), watchdogPeriod(200), watchdogPeriod(8)], [250, 250, 50, 10])
})
