/**
 * Comparison threads run at a lower OS priority than the threads serving clients. Checked on
 * the real kernel: the nice value of each thread of this process, read from /proc.
 */
import t from 'tap'
import { readdirSync, readFileSync } from 'node:fs'
import { COMPARE_THREAD_NICE, lowerThreadPriority } from '../../src/compare/thread-priority.js'
import { createCompareEngine } from '../../src/compare/engine.js'
import '../../src/compare/worker.js' // importing the worker module on a main thread must not renice it
import { cfg, exchange, resp } from './helpers.js'

/** Nice value per thread id of this process (field 19 of /proc/<pid>/task/<tid>/stat). */
function threadNice (): Map<number, number> {
  const out = new Map<number, number>()
  for (const tid of readdirSync('/proc/self/task')) {
    const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8')
    out.set(Number(tid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]))
  }
  return out
}

const linux = process.platform === 'linux'

t.test('comparison worker threads are reniced, the main thread is not', { skip: !linux && 'per-thread nice is Linux only' }, async (t) => {
  const engine = createCompareEngine({ threads: 2 })
  t.teardown(() => engine.close())
  await engine.setRoutes([{ name: 'r', compare: cfg({}), hasSecondary: false }], process.cwd())
  await Promise.all([engine.compare(exchange(resp({ a: 1 }), resp({ a: 1 }))), engine.compare(exchange(resp({ a: 1 }), resp({ a: 1 })))])
  const nice = threadNice()
  t.equal(nice.get(process.pid), 0, 'the main (client-serving) thread keeps its priority')
  t.ok([...nice.values()].filter((n) => n === COMPARE_THREAD_NICE).length >= 1, `at least one thread runs at nice ${COMPARE_THREAD_NICE}`)
})

t.test('lowerThreadPriority renices only the calling thread and never raises a priority', { skip: !linux && 'per-thread nice is Linux only' }, async (t) => {
  // This test file runs in its own process: renicing its main thread harms nothing else.
  t.equal(lowerThreadPriority(5), process.pid, 'on the main thread the tid is the pid')
  t.equal(threadNice().get(process.pid), 5)
  t.equal(lowerThreadPriority(3), process.pid)
  t.equal(threadNice().get(process.pid), 5, 'a lower request leaves the higher nice value alone')
})
