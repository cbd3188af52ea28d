/** Thread CPU time from the real /proc of this process (Linux only). */
import t from 'tap'
import { threadCpuMs } from '../../src/compare/thread-cpu.js'

t.test('reads the CPU time of a thread of this process', { skip: process.platform !== 'linux' && '/proc is Linux only' }, async (t) => {
  const before = threadCpuMs(process.pid) // the main thread's tid is the pid
  t.type(before, 'number')
  // Burn CPU until the 10 ms clock ticks over (bounded, in case the machine starves us).
  let after = before
  const deadline = Date.now() + 10_000
  while (after === before && Date.now() < deadline) {
    for (let i = 0; i < 1e6; i++) Math.sqrt(i)
    after = threadCpuMs(process.pid)
  }
  t.ok((after as number) > (before as number), `CPU time grew (${before} → ${after} ms)`)
})

t.test('undefined for ids that are not a thread of this process', async (t) => {
  for (const tid of [0, -1, 1.5, Number.NaN, 2 ** 31 - 2]) t.equal(threadCpuMs(tid), undefined, String(tid))
})
